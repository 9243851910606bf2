//! Tags attached to runs, tasks and templates (TG6, TG7, and the `tags` includes).

use sqlx::Pool;

use super::tasks::placeholders;
use super::{Db, IS_PG, counters};
use crate::StoreError;
use crate::model::TagLinkRow;

type Conn = <Db as sqlx::Database>::Connection;

const LINK_COLS: &str = "l.id, l.tag_id, g.title, g.color, l.subject_type, l.subject_id, l.created_at";

/// The tag links of these subjects (`Run` or `Task`) of `org`, oldest first.
pub(crate) async fn of_subjects(
    pool: &Pool<Db>,
    org: &str,
    subject_type: &str,
    subject_ids: &[String],
) -> Result<Vec<TagLinkRow>, sqlx::Error> {
    if subject_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {LINK_COLS} FROM tag_links l JOIN tags g ON g.id = l.tag_id
          WHERE l.org_id = $1 AND l.subject_type = $2 AND l.subject_id IN ({}) ORDER BY l.created_at, l.id",
        placeholders(3, subject_ids.len())
    );
    let mut q = sqlx::query_as::<_, TagLinkRow>(&sql).bind(org).bind(subject_type);
    for id in subject_ids {
        q = q.bind(id);
    }
    q.fetch_all(pool).await
}

/// Tag link `id` of `org`.
pub(crate) async fn get(pool: &Pool<Db>, org: &str, id: i64) -> Result<Option<TagLinkRow>, sqlx::Error> {
    sqlx::query_as::<_, TagLinkRow>(&format!(
        "SELECT {LINK_COLS} FROM tag_links l JOIN tags g ON g.id = l.tag_id WHERE l.org_id = $1 AND l.id = $2"
    ))
    .bind(org)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// The link of `tag_id` on the subject, if any.
async fn find(
    conn: &mut Conn,
    tag_id: &str,
    subject_type: &str,
    subject_id: &str,
) -> Result<Option<TagLinkRow>, sqlx::Error> {
    sqlx::query_as::<_, TagLinkRow>(&format!(
        "SELECT {LINK_COLS} FROM tag_links l JOIN tags g ON g.id = l.tag_id
          WHERE l.tag_id = $1 AND l.subject_type = $2 AND l.subject_id = $3"
    ))
    .bind(tag_id)
    .bind(subject_type)
    .bind(subject_id)
    .fetch_optional(&mut *conn)
    .await
}

/// Attaches tag `tag_id` of `org` to run, task or template `subject_id` (`subject_type` `Run`,
/// `Task` or `Checklist`):
/// the association and whether it was made now. `NotFound` when the tag or the subject is
/// not (or no longer) in `org`.
pub(crate) async fn attach(
    pool: &Pool<Db>,
    org: &str,
    tag_id: &str,
    subject_type: &str,
    subject_id: &str,
    now: i64,
) -> Result<(TagLinkRow, bool), StoreError> {
    let share = if IS_PG { " FOR SHARE" } else { "" };
    let table = match subject_type {
        "Run" => "runs",
        "Task" => "tasks",
        "Checklist" => "checklists",
        _ => return Err(StoreError::NotFound),
    };
    let mut tx = pool.begin().await?;
    for (table, id) in [("tags", tag_id), (table, subject_id)] {
        let found: Option<String> =
            sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE org_id = $1 AND id = $2{share}"))
                .bind(org)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        if found.is_none() {
            return Err(StoreError::NotFound);
        }
    }
    if let Some(existing) = find(&mut tx, tag_id, subject_type, subject_id).await? {
        return Ok((existing, false));
    }
    let id = counters::next(&mut *tx, "tag_link_id").await?;
    // A concurrent attach of the same pair (PostgreSQL only) makes this a no-op; its row is read.
    let inserted = sqlx::query(
        "INSERT INTO tag_links (id, org_id, tag_id, subject_type, subject_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tag_id, subject_type, subject_id) DO NOTHING",
    )
    .bind(id)
    .bind(org)
    .bind(tag_id)
    .bind(subject_type)
    .bind(subject_id)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        > 0;
    let link = find(&mut tx, tag_id, subject_type, subject_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok((link, inserted))
}

/// Removes tag link `id` of `org`; whether it existed.
pub(crate) async fn delete(pool: &Pool<Db>, org: &str, id: i64) -> Result<bool, sqlx::Error> {
    let n = sqlx::query("DELETE FROM tag_links WHERE org_id = $1 AND id = $2")
        .bind(org)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(n.rows_affected() > 0)
}
