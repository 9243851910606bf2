//! Tags (TG1–TG5). `title_key` is the title lower-cased in Rust, so that uniqueness, search and
//! order ignore case the same way on both backends.

use sqlx::Pool;

use super::tasks::placeholders;
use super::{Db, IS_PG};
use crate::model::Tag;
use crate::query::{TagQuery, TagSortColumn};

const TAG_COLS: &str = "id, org_id, title, color, created_at, updated_at";

/// The key a title is unique under: the title lower-cased.
pub(crate) fn title_key(title: &str) -> String {
    title.to_lowercase()
}

/// The `ORDER BY` of `column`. Titles compare by `title_key` byte by byte on both backends
/// (PostgreSQL would otherwise apply the database's locale collation).
fn order_by(column: TagSortColumn) -> &'static str {
    match column {
        TagSortColumn::Title if IS_PG => "title_key COLLATE \"C\"",
        TagSortColumn::Title => "title_key",
        TagSortColumn::CreatedAt => "created_at",
    }
}

/// Tag `id` of `org`.
pub(crate) async fn get(pool: &Pool<Db>, org: &str, id: &str) -> Result<Option<Tag>, sqlx::Error> {
    sqlx::query_as::<_, Tag>(&format!("SELECT {TAG_COLS} FROM tags WHERE org_id = $1 AND id = $2"))
        .bind(org)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The tag of `org` whose title equals `title` ignoring case.
pub(crate) async fn by_title(pool: &Pool<Db>, org: &str, title: &str) -> Result<Option<Tag>, sqlx::Error> {
    sqlx::query_as::<_, Tag>(&format!(
        "SELECT {TAG_COLS} FROM tags WHERE org_id = $1 AND title_key = $2"
    ))
    .bind(org)
    .bind(title_key(title))
    .fetch_optional(pool)
    .await
}

/// One page of the tags of `org` and the number of matches.
pub(crate) async fn list(pool: &Pool<Db>, org: &str, q: &TagQuery) -> Result<(Vec<Tag>, i64), sqlx::Error> {
    if q.auto_generated == Some(true) {
        // docket never generates tags, so no row is auto-generated.
        return Ok((Vec::new(), 0));
    }
    let filter = "org_id = $1 AND ($2 IS NULL OR title_key LIKE $2 ESCAPE '\\')";
    let rows = sqlx::query_as::<_, Tag>(&format!(
        "SELECT {TAG_COLS} FROM tags WHERE {filter} ORDER BY {order} {dir}, id {dir} LIMIT $3 OFFSET $4",
        order = order_by(q.sort.column),
        dir = q.sort.direction(),
    ))
    .bind(org)
    .bind(q.q.as_deref())
    .bind(q.window.sql_limit())
    .bind(q.window.offset)
    .fetch_all(pool)
    .await?;
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM tags WHERE {filter}"))
        .bind(org)
        .bind(q.q.as_deref())
        .fetch_one(pool)
        .await?;
    Ok((rows, total))
}

/// Inserts `tag`. A title already taken in its organization (ignoring case) fails with the
/// unique violation, which the caller sees as `StoreError::Conflict`.
pub(crate) async fn insert(pool: &Pool<Db>, tag: &Tag) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO tags (id, org_id, title, title_key, color, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&tag.id)
    .bind(&tag.org_id)
    .bind(&tag.title)
    .bind(title_key(&tag.title))
    .bind(tag.color.as_deref())
    .bind(tag.created_at)
    .bind(tag.updated_at)
    .execute(pool)
    .await
    .map(|_| ())
}

/// Changes tag `id` of `org`: the title when `title` is given, the color when `color` is given
/// (`Some(None)` clears it). Returns the tag as stored, or `None` when it does not exist.
pub(crate) async fn update(
    pool: &Pool<Db>,
    org: &str,
    id: &str,
    title: Option<&str>,
    color: Option<Option<&str>>,
    now: i64,
) -> Result<Option<Tag>, sqlx::Error> {
    sqlx::query_as::<_, Tag>(&format!(
        "UPDATE tags SET title = COALESCE($3, title), title_key = COALESCE($4, title_key),
                color = CASE WHEN $5 THEN $6 ELSE color END, updated_at = $7
          WHERE org_id = $1 AND id = $2 RETURNING {TAG_COLS}"
    ))
    .bind(org)
    .bind(id)
    .bind(title)
    .bind(title.map(title_key))
    .bind(color.is_some())
    .bind(color.flatten())
    .bind(now)
    .fetch_optional(pool)
    .await
}

/// Deletes tag `id` of `org` and, through the `ON DELETE CASCADE` of `tag_links.tag_id`, every
/// association of it (TG5); whether it existed.
pub(crate) async fn delete(pool: &Pool<Db>, org: &str, id: &str) -> Result<bool, sqlx::Error> {
    let n = sqlx::query("DELETE FROM tags WHERE org_id = $1 AND id = $2")
        .bind(org)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(n.rows_affected() > 0)
}

/// For each of `tag_ids` of `org`, in order, the number of (active, archived) runs carrying it.
pub(crate) async fn run_counts(pool: &Pool<Db>, org: &str, tag_ids: &[String]) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    subject_counts(pool, org, tag_ids, "Run", "runs").await
}

/// For each of `tag_ids` of `org`, in order, the number of (active, archived) templates carrying it.
pub(crate) async fn template_counts(
    pool: &Pool<Db>,
    org: &str,
    tag_ids: &[String],
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    subject_counts(pool, org, tag_ids, "Checklist", "checklists").await
}

/// For each of `tag_ids`, in order, the number of (active, archived) subjects of a kind
/// (`subject_type`, stored in `table`) carrying it.
async fn subject_counts(
    pool: &Pool<Db>,
    org: &str,
    tag_ids: &[String],
    subject_type: &str,
    table: &str,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    if tag_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT l.tag_id,
                COALESCE(SUM(CASE WHEN r.archived_at IS NULL THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN r.archived_at IS NULL THEN 0 ELSE 1 END), 0)
           FROM tag_links l JOIN {table} r ON r.id = l.subject_id AND r.org_id = l.org_id
          WHERE l.org_id = $1 AND l.subject_type = $2 AND l.tag_id IN ({})
          GROUP BY l.tag_id",
        placeholders(3, tag_ids.len())
    );
    let mut q = sqlx::query_as::<_, (String, i64, i64)>(&sql)
        .bind(org)
        .bind(subject_type);
    for id in tag_ids {
        q = q.bind(id);
    }
    let rows = q.fetch_all(pool).await?;
    Ok(tag_ids
        .iter()
        .map(|id| {
            rows.iter()
                .find(|(t, _, _)| t == id)
                .map_or((0, 0), |(_, active, archived)| (*active, *archived))
        })
        .collect())
}
