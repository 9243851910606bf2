//! Folders (F1–F7) and folder objects. Every write of the folder tree of an organization runs
//! under one lock of that tree (PostgreSQL: a transaction advisory lock; SQLite: its single
//! writer), so sibling positions stay contiguous and two moves cannot make a cycle together.

use docket_domain::folder;
use sqlx::Pool;

use super::tasks::placeholders;
use super::{Db, IS_PG, counters};
use crate::StoreError;
use crate::model::{
    FiledFolder, FolderEdit, FolderObjectRow, FolderQuery, FolderRefusal, FolderRow, FolderSortColumn, NewFolder,
};

type Conn = <Db as sqlx::Database>::Connection;

/// A folder's columns, with `total`: templates filed in it plus folder objects in it.
const COLS: &str = "f.id, f.org_id, f.parent_id, f.name, f.folder_type, f.position,
    (SELECT COUNT(*) FROM checklists c WHERE c.folder_id = f.id)
      + (SELECT COUNT(*) FROM folder_objects o WHERE o.folder_id = f.id) AS total,
    f.created_at, f.last_updated";

const OBJECT_COLS: &str = "id, folder_id, subject_type, subject_id, created_at";

/// The key a name is searched and sorted under: the name lower-cased.
fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// Text columns compare byte by byte on both backends.
fn bytewise(column: &str) -> String {
    if IS_PG {
        format!("{column} COLLATE \"C\"")
    } else {
        column.to_string()
    }
}

/// The `ORDER BY` of a folder list.
fn order_by(q: &FolderQuery) -> String {
    let dir = q.sort.direction();
    let (name, id) = (bytewise("f.name_key"), bytewise("f.id"));
    match q.sort.column {
        FolderSortColumn::Position => format!("f.position {dir}, {name} {dir}, {id} {dir}"),
        FolderSortColumn::Name => format!("{name} {dir}, {id} {dir}"),
        FolderSortColumn::CreatedAt => format!("f.created_at {dir}, {id} {dir}"),
    }
}

/// Folder `id` of `org`.
pub(crate) async fn get(pool: &Pool<Db>, org: &str, id: &str) -> Result<Option<FolderRow>, sqlx::Error> {
    sqlx::query_as::<_, FolderRow>(&format!(
        "SELECT {COLS} FROM folders f WHERE f.org_id = $1 AND f.id = $2"
    ))
    .bind(org)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Every folder of `org`, by position (what nested `children` are built from).
pub(crate) async fn all(pool: &Pool<Db>, org: &str) -> Result<Vec<FolderRow>, sqlx::Error> {
    sqlx::query_as::<_, FolderRow>(&format!(
        "SELECT {COLS} FROM folders f WHERE f.org_id = $1 ORDER BY f.position, {}",
        bytewise("f.id")
    ))
    .bind(org)
    .fetch_all(pool)
    .await
}

/// One page of the folders of `org` and the number of matches. With `q` every depth is
/// searched; without it, the children of `parent_id` (or the top level).
pub(crate) async fn list(pool: &Pool<Db>, org: &str, q: &FolderQuery) -> Result<(Vec<FolderRow>, i64), sqlx::Error> {
    let parent = match (&q.q, &q.parent_id) {
        (Some(_), _) => "",
        (None, Some(_)) => " AND f.parent_id = $4",
        (None, None) => " AND f.parent_id IS NULL",
    };
    let with_parent = q.q.is_none() && q.parent_id.is_some();
    let filter = format!(
        "f.org_id = $1 AND ($2 IS NULL OR f.name_key LIKE $2 ESCAPE '\\') AND ($3 IS NULL OR f.folder_type = $3){parent}"
    );
    let (limit, offset) = if with_parent { ("$5", "$6") } else { ("$4", "$5") };
    let sql = format!(
        "SELECT {COLS} FROM folders f WHERE {filter} ORDER BY {} LIMIT {limit} OFFSET {offset}",
        order_by(q)
    );
    let mut rows = sqlx::query_as::<_, FolderRow>(&sql)
        .bind(org)
        .bind(q.q.as_deref())
        .bind(q.folder_type.as_deref());
    let count_sql = format!("SELECT COUNT(*) FROM folders f WHERE {filter}");
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql)
        .bind(org)
        .bind(q.q.as_deref())
        .bind(q.folder_type.as_deref());
    if with_parent {
        rows = rows.bind(q.parent_id.as_deref());
        count = count.bind(q.parent_id.as_deref());
    }
    let rows = rows
        .bind(q.window.sql_limit())
        .bind(q.window.offset)
        .fetch_all(pool)
        .await?;
    let total = count.fetch_one(pool).await?;
    Ok((rows, total))
}

/// Takes the lock of `org`'s folder tree for the rest of the transaction.
async fn lock_tree(conn: &mut Conn, org: &str) -> Result<(), sqlx::Error> {
    if IS_PG {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind(format!("docket.folders/{org}"))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Folder `id` of `org`, read inside a transaction.
async fn get_in(conn: &mut Conn, org: &str, id: &str) -> Result<Option<FolderRow>, sqlx::Error> {
    sqlx::query_as::<_, FolderRow>(&format!(
        "SELECT {COLS} FROM folders f WHERE f.org_id = $1 AND f.id = $2"
    ))
    .bind(org)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

/// `id` and its ancestors up to the top, nearest first (empty when `id` is no folder of `org`).
async fn chain(conn: &mut Conn, org: &str, id: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "WITH RECURSIVE up (id, parent_id, depth) AS (
             SELECT id, parent_id, 0 FROM folders WHERE org_id = $1 AND id = $2
             UNION SELECT f.id, f.parent_id, up.depth + 1 FROM folders f JOIN up ON f.id = up.parent_id
                    WHERE up.depth < 100000)
         SELECT id FROM up ORDER BY depth",
    )
    .bind(org)
    .bind(id)
    .fetch_all(&mut *conn)
    .await
}

/// `id` and every folder below it.
async fn subtree(conn: &mut Conn, org: &str, id: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "WITH RECURSIVE down (id) AS (
             SELECT id FROM folders WHERE org_id = $1 AND id = $2
             UNION SELECT f.id FROM folders f JOIN down ON f.parent_id = down.id)
         SELECT id FROM down",
    )
    .bind(org)
    .bind(id)
    .fetch_all(&mut *conn)
    .await
}

/// The folders directly under `parent` (`None`: the top level), by position.
async fn siblings(conn: &mut Conn, org: &str, parent: Option<&str>) -> Result<Vec<String>, sqlx::Error> {
    let id = bytewise("id");
    match parent {
        Some(p) => {
            sqlx::query_scalar(&format!(
                "SELECT id FROM folders WHERE org_id = $1 AND parent_id = $2 ORDER BY position, {id}"
            ))
            .bind(org)
            .bind(p)
            .fetch_all(&mut *conn)
            .await
        }
        None => {
            sqlx::query_scalar(&format!(
                "SELECT id FROM folders WHERE org_id = $1 AND parent_id IS NULL ORDER BY position, {id}"
            ))
            .bind(org)
            .fetch_all(&mut *conn)
            .await
        }
    }
}

/// Numbers `order` 1, 2, 3….
async fn renumber(conn: &mut Conn, order: &[String]) -> Result<(), sqlx::Error> {
    for (i, id) in order.iter().enumerate() {
        sqlx::query("UPDATE folders SET position = $1 WHERE id = $2 AND position <> $1")
            .bind(i as i64 + 1)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Whether `parent` is a folder of `org` (`None`, the top level, always is).
async fn parent_exists(conn: &mut Conn, org: &str, parent: Option<&str>) -> Result<bool, sqlx::Error> {
    let Some(p) = parent else { return Ok(true) };
    let found: Option<String> = sqlx::query_scalar("SELECT id FROM folders WHERE org_id = $1 AND id = $2")
        .bind(org)
        .bind(p)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.is_some())
}

/// F2: stores a new folder after its siblings.
pub(crate) async fn insert(pool: &Pool<Db>, f: &NewFolder) -> Result<Result<FolderRow, FolderRefusal>, StoreError> {
    let mut tx = pool.begin().await?;
    lock_tree(&mut tx, &f.org_id).await?;
    if !parent_exists(&mut tx, &f.org_id, f.parent_id.as_deref()).await? {
        return Ok(Err(FolderRefusal::ParentInvalid));
    }
    let position = siblings(&mut tx, &f.org_id, f.parent_id.as_deref()).await?.len() as i64 + 1;
    sqlx::query(
        "INSERT INTO folders (id, org_id, parent_id, name, name_key, folder_type, position, created_at, last_updated)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(&f.id)
    .bind(&f.org_id)
    .bind(f.parent_id.as_deref())
    .bind(&f.name)
    .bind(name_key(&f.name))
    .bind(&f.folder_type)
    .bind(position)
    .bind(f.now)
    .execute(&mut *tx)
    .await?;
    let row = get_in(&mut tx, &f.org_id, &f.id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(Ok(row))
}

/// F4: renames, relabels, moves and reorders folder `id` of `org`.
pub(crate) async fn update(
    pool: &Pool<Db>,
    org: &str,
    id: &str,
    edit: &FolderEdit,
) -> Result<Result<FolderRow, FolderRefusal>, StoreError> {
    let mut tx = pool.begin().await?;
    lock_tree(&mut tx, org).await?;
    let Some(current) = get_in(&mut tx, org, id).await? else {
        return Ok(Err(FolderRefusal::Missing));
    };
    let parent = match &edit.parent {
        Some(p) => p.clone(),
        None => current.parent_id.clone(),
    };
    if let Some(p) = &parent {
        let up = chain(&mut tx, org, p).await?;
        if up.is_empty() {
            return Ok(Err(FolderRefusal::ParentInvalid));
        }
        if folder::moves_into_itself(id, &up) {
            return Ok(Err(FolderRefusal::IntoItself));
        }
    }
    let moved = parent != current.parent_id;
    sqlx::query(
        "UPDATE folders SET name = $1, name_key = $2, folder_type = COALESCE($3, folder_type), parent_id = $4,
                last_updated = $5
          WHERE org_id = $6 AND id = $7",
    )
    .bind(&edit.name)
    .bind(name_key(&edit.name))
    .bind(edit.folder_type.as_deref())
    .bind(parent.as_deref())
    .bind(edit.now)
    .bind(org)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if moved {
        let left = siblings(&mut tx, org, current.parent_id.as_deref()).await?;
        renumber(&mut tx, &left).await?;
    }
    // The folder itself is among these; a move appends it unless a position is asked for.
    let mut now_siblings = siblings(&mut tx, org, parent.as_deref()).await?;
    if moved {
        now_siblings.retain(|s| s != id);
    }
    let order = folder::place(&now_siblings, id, edit.position);
    renumber(&mut tx, &order).await?;
    let row = get_in(&mut tx, org, id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(Ok(row))
}

/// F5: removes folder `id` of `org` with every folder below it and the folder objects in them;
/// templates whose `default_folder` named one of them forget it (their `folder_id` is cleared by
/// its foreign key). Whether the folder existed.
pub(crate) async fn delete(pool: &Pool<Db>, org: &str, id: &str) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    lock_tree(&mut tx, org).await?;
    let Some(current) = get_in(&mut tx, org, id).await? else {
        return Ok(false);
    };
    let ids = subtree(&mut tx, org, id).await?;
    let list = placeholders(2, ids.len());
    for sql in [
        format!("UPDATE checklists SET default_folder = NULL WHERE org_id = $1 AND default_folder IN ({list})"),
        format!("DELETE FROM folder_objects WHERE org_id = $1 AND folder_id IN ({list})"),
        format!("DELETE FROM folders WHERE org_id = $1 AND id IN ({list})"),
    ] {
        let mut q = sqlx::query(&sql).bind(org);
        for f in &ids {
            q = q.bind(f);
        }
        q.execute(&mut *tx).await?;
    }
    let left = siblings(&mut tx, org, current.parent_id.as_deref()).await?;
    renumber(&mut tx, &left).await?;
    tx.commit().await?;
    Ok(true)
}

/// The filing of `subject_type`/`subject_id` in `folder_id`, if any.
async fn find_object(
    conn: &mut Conn,
    folder_id: &str,
    subject_type: &str,
    subject_id: &str,
) -> Result<Option<FolderObjectRow>, sqlx::Error> {
    sqlx::query_as::<_, FolderObjectRow>(&format!(
        "SELECT {OBJECT_COLS} FROM folder_objects WHERE folder_id = $1 AND subject_type = $2 AND subject_id = $3"
    ))
    .bind(folder_id)
    .bind(subject_type)
    .bind(subject_id)
    .fetch_optional(&mut *conn)
    .await
}

/// F6: files run or task `subject_id` (`subject_type` `Run` or `Task`) of `org` in `folder_id`:
/// the folder object and whether it was made now. `NotFound` when the folder or the subject is
/// not (or no longer) in `org`.
pub(crate) async fn add_object(
    pool: &Pool<Db>,
    org: &str,
    folder_id: &str,
    subject_type: &str,
    subject_id: &str,
    now: i64,
) -> Result<(FolderObjectRow, bool), StoreError> {
    let share = if IS_PG { " FOR SHARE" } else { "" };
    let table = match subject_type {
        "Run" => "runs",
        "Task" => "tasks",
        _ => return Err(StoreError::NotFound),
    };
    let mut tx = pool.begin().await?;
    for (table, id) in [("folders", folder_id), (table, subject_id)] {
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
    if let Some(existing) = find_object(&mut tx, folder_id, subject_type, subject_id).await? {
        return Ok((existing, false));
    }
    let id = counters::next(&mut *tx, "folder_object_id").await?;
    // A concurrent filing of the same subject (PostgreSQL only) makes this a no-op; its row is read.
    let inserted = sqlx::query(
        "INSERT INTO folder_objects (id, org_id, folder_id, subject_type, subject_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (folder_id, subject_type, subject_id) DO NOTHING",
    )
    .bind(id)
    .bind(org)
    .bind(folder_id)
    .bind(subject_type)
    .bind(subject_id)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        > 0;
    let row = find_object(&mut tx, folder_id, subject_type, subject_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok((row, inserted))
}

/// Folder object `id` of `org`.
pub(crate) async fn object(pool: &Pool<Db>, org: &str, id: i64) -> Result<Option<FolderObjectRow>, sqlx::Error> {
    sqlx::query_as::<_, FolderObjectRow>(&format!(
        "SELECT {OBJECT_COLS} FROM folder_objects WHERE org_id = $1 AND id = $2"
    ))
    .bind(org)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// F7: removes folder object `id` of `org`; whether it existed.
pub(crate) async fn delete_object(pool: &Pool<Db>, org: &str, id: i64) -> Result<bool, sqlx::Error> {
    let n = sqlx::query("DELETE FROM folder_objects WHERE org_id = $1 AND id = $2")
        .bind(org)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(n.rows_affected() > 0)
}

/// The folders these runs or tasks (`subject_type` `Run` or `Task`) of `org` are filed in
/// directly, in filing order.
pub(crate) async fn of_subjects(
    pool: &Pool<Db>,
    org: &str,
    subject_type: &str,
    subject_ids: &[String],
) -> Result<Vec<FiledFolder>, sqlx::Error> {
    if subject_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT o.subject_id, {COLS} FROM folder_objects o JOIN folders f ON f.id = o.folder_id
          WHERE o.org_id = $1 AND o.subject_type = $2 AND o.subject_id IN ({}) ORDER BY o.id",
        placeholders(3, subject_ids.len())
    );
    let mut q = sqlx::query_as::<_, FiledFolder>(&sql).bind(org).bind(subject_type);
    for id in subject_ids {
        q = q.bind(id);
    }
    q.fetch_all(pool).await
}
