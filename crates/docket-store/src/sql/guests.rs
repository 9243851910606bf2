//! Guests of organizations (GU1–GU8), and the guest creation that groups (and later task owners)
//! perform for unknown emails. A removed guest is deleted: its id and code are never reused
//! because ids come from the `guest_id` counter and codes are random.

use serde_json::{Map, Value};
use sqlx::Pool;

use super::tasks::placeholders;
use super::{Db, IS_PG, counters};
use crate::StoreError;
use crate::model::{Guest, GuestPatch, GuestRefusal, GuestStatusChange, GuestTaskStats, NewGuest};
use crate::query::{GuestQuery, GuestSortColumn};

type Conn = <Db as sqlx::Database>::Connection;

const GUEST_COLS: &str = "id, org_id, email, guest_code, first_name, last_name, details, associated_members,
    disabled_at, disabled_by, reactivated_at, reactivated_by, created_at, updated_at";

/// The `ORDER BY` expression of `column`. Emails compare byte by byte on both backends
/// (PostgreSQL would otherwise apply the database's locale collation).
fn order_by(column: GuestSortColumn) -> &'static str {
    match column {
        GuestSortColumn::CreatedAt => "created_at",
        GuestSortColumn::Email if IS_PG => "email COLLATE \"C\"",
        GuestSortColumn::Email => "email",
    }
}

/// The id of the guest of `org` with this lower-cased email.
pub(crate) async fn id_by_email(pool: &Pool<Db>, org: &str, email: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM guests WHERE org_id = $1 AND email = $2")
        .bind(org)
        .bind(email)
        .fetch_optional(pool)
        .await
}

/// The guest of `org` addressed by `key`: its email (compared lower-cased), its `guest_code`,
/// or its integer id, in that order of preference.
pub(crate) async fn find(pool: &Pool<Db>, org: &str, key: &str) -> Result<Option<Guest>, sqlx::Error> {
    let id: Option<i64> = if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) {
        key.parse().ok()
    } else {
        None
    };
    sqlx::query_as::<_, Guest>(&format!(
        "SELECT {GUEST_COLS} FROM guests
          WHERE org_id = $1 AND (email = $2 OR guest_code = $3 OR id = $4)
          ORDER BY CASE WHEN email = $2 THEN 0 WHEN guest_code = $3 THEN 1 ELSE 2 END LIMIT 1"
    ))
    .bind(org)
    .bind(key.trim().to_lowercase())
    .bind(key)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// The guests of `org` among `ids` (removed ones are missing).
pub(crate) async fn by_ids(pool: &Pool<Db>, org: &str, ids: &[i64]) -> Result<Vec<Guest>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {GUEST_COLS} FROM guests WHERE org_id = $1 AND id IN ({})",
        placeholders(2, ids.len())
    );
    let mut q = sqlx::query_as::<_, Guest>(&sql).bind(org);
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(pool).await
}

/// One page of the guests of `org` and the number of matches.
pub(crate) async fn list(pool: &Pool<Db>, org: &str, q: &GuestQuery) -> Result<(Vec<Guest>, i64), sqlx::Error> {
    let filter = "org_id = $1 AND ($2 IS NULL OR email LIKE $2 ESCAPE '\\'
                  OR lower(first_name) LIKE $2 ESCAPE '\\' OR lower(last_name) LIKE $2 ESCAPE '\\')";
    let dir = q.sort.direction();
    let rows = sqlx::query_as::<_, Guest>(&format!(
        "SELECT {GUEST_COLS} FROM guests WHERE {filter} ORDER BY {} {dir}, id {dir} LIMIT $3 OFFSET $4",
        order_by(q.sort.column)
    ))
    .bind(org)
    .bind(q.q.as_deref())
    .bind(q.window.sql_limit())
    .bind(q.window.offset)
    .fetch_all(pool)
    .await?;
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM guests WHERE {filter}"))
        .bind(org)
        .bind(q.q.as_deref())
        .fetch_one(pool)
        .await?;
    Ok((rows, total))
}

/// Inserts a guest with the next `guest_id`; `None` when `on_conflict_skip` is set and the email
/// is already a guest of `org` (without it that is a unique violation).
async fn insert(
    conn: &mut Conn,
    org: &str,
    email: &str,
    names: (Option<&str>, Option<&str>),
    details: &str,
    now: i64,
    on_conflict_skip: bool,
) -> Result<Option<i64>, sqlx::Error> {
    let id = counters::next(&mut *conn, "guest_id").await?;
    let skip = if on_conflict_skip {
        " ON CONFLICT (org_id, email) DO NOTHING"
    } else {
        ""
    };
    let inserted = sqlx::query(&format!(
        "INSERT INTO guests (id, org_id, email, guest_code, first_name, last_name, details, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8){skip}"
    ))
    .bind(id)
    .bind(org)
    .bind(email)
    .bind(docket_domain::ids::new_guest_code())
    .bind(names.0)
    .bind(names.1)
    .bind(details)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok((inserted > 0).then_some(id))
}

async fn get_by_id(conn: &mut Conn, org: &str, id: i64, lock: bool) -> Result<Option<Guest>, sqlx::Error> {
    let lock = if lock && IS_PG { " FOR UPDATE" } else { "" };
    sqlx::query_as::<_, Guest>(&format!(
        "SELECT {GUEST_COLS} FROM guests WHERE org_id = $1 AND id = $2{lock}"
    ))
    .bind(org)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

/// Creates a guest of `org` (GU3). `Conflict` if the email is already a guest there.
pub(crate) async fn create(pool: &Pool<Db>, org: &str, new: &NewGuest) -> Result<Guest, StoreError> {
    let mut tx = pool.begin().await?;
    let details = Value::Object(new.details.clone()).to_string();
    let names = (new.first_name.as_deref(), new.last_name.as_deref());
    let id = insert(&mut tx, org, &new.email, names, &details, new.now, false)
        .await?
        .ok_or(StoreError::NotFound)?;
    let guest = get_by_id(&mut tx, org, id, false).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(guest)
}

/// The ids of the guests of `org` with these lower-cased emails, in the same order; emails that
/// are not yet guests become guests without names. Runs inside the caller's transaction.
pub(crate) async fn ensure(conn: &mut Conn, org: &str, emails: &[String], now: i64) -> Result<Vec<i64>, sqlx::Error> {
    let mut ids = Vec::with_capacity(emails.len());
    for email in emails {
        let select = || {
            sqlx::query_scalar::<_, i64>("SELECT id FROM guests WHERE org_id = $1 AND email = $2")
                .bind(org)
                .bind(email)
        };
        if let Some(id) = select().fetch_optional(&mut *conn).await? {
            ids.push(id);
            continue;
        }
        // A concurrent request may have created the same guest since the SELECT (PostgreSQL
        // only; SQLite has one writer): then the insert is skipped and its row read instead.
        let id = match insert(&mut *conn, org, email, (None, None), "{}", now, true).await? {
            Some(id) => id,
            None => select().fetch_one(&mut *conn).await?,
        };
        ids.push(id);
    }
    Ok(ids)
}

/// Applies a partial change to guest `id` of `org` (GU5). `NotFound` if it is gone.
pub(crate) async fn update(pool: &Pool<Db>, org: &str, id: i64, patch: &GuestPatch) -> Result<Guest, StoreError> {
    let mut tx = pool.begin().await?;
    let current = get_by_id(&mut tx, org, id, true).await?.ok_or(StoreError::NotFound)?;
    let mut details: Map<String, Value> = serde_json::from_str(&current.details).unwrap_or_default();
    for (key, value) in &patch.details {
        if value.is_null() {
            details.remove(key);
        } else {
            details.insert(key.clone(), value.clone());
        }
    }
    let first_name = patch.first_name.clone().unwrap_or(current.first_name);
    let last_name = patch.last_name.clone().unwrap_or(current.last_name);
    let associated = match &patch.associated_members {
        None => current.associated_members,
        Some(None) => None,
        Some(Some(ids)) => Some(serde_json::to_string(ids).map_err(StoreError::other)?),
    };
    sqlx::query(
        "UPDATE guests SET first_name = $3, last_name = $4, details = $5, associated_members = $6, updated_at = $7
          WHERE org_id = $1 AND id = $2",
    )
    .bind(org)
    .bind(id)
    .bind(first_name)
    .bind(last_name)
    .bind(Value::Object(details).to_string())
    .bind(associated)
    .bind(patch.now)
    .execute(&mut *tx)
    .await?;
    let guest = get_by_id(&mut tx, org, id, false).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(guest)
}

/// Disables or re-enables guest `id` of `org` (GU7, GU8). Disabling a disabled guest changes
/// nothing; disabling a guest that is a direct assignee of an incomplete, non-archived task is
/// refused. `NotFound` if it is gone.
pub(crate) async fn set_status(
    pool: &Pool<Db>,
    org: &str,
    id: i64,
    change: GuestStatusChange,
    now: i64,
) -> Result<Result<Guest, GuestRefusal>, StoreError> {
    let mut tx = pool.begin().await?;
    get_by_id(&mut tx, org, id, true).await?.ok_or(StoreError::NotFound)?;
    if matches!(change, GuestStatusChange::Disable(_)) {
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM task_guests tg JOIN tasks t ON t.id = tg.task_id
               LEFT JOIN runs r ON r.id = t.run_id
              WHERE tg.guest_id = $1 AND t.org_id = $2 AND t.status <> 'completed' AND t.archived_at IS NULL
                AND r.archived_at IS NULL",
        )
        .bind(id)
        .bind(org)
        .fetch_one(&mut *tx)
        .await?;
        if open > 0 {
            return Ok(Err(GuestRefusal::IncompleteTasks));
        }
    }
    let (sql, by) = match change {
        GuestStatusChange::Disable(by) => (
            "UPDATE guests SET disabled_at = $3, disabled_by = $4, updated_at = $3
              WHERE org_id = $1 AND id = $2 AND disabled_at IS NULL",
            by,
        ),
        GuestStatusChange::Enable(by) => (
            "UPDATE guests SET disabled_at = NULL, disabled_by = NULL, reactivated_at = $3, reactivated_by = $4,
                    updated_at = $3
              WHERE org_id = $1 AND id = $2",
            by,
        ),
    };
    sqlx::query(sql)
        .bind(org)
        .bind(id)
        .bind(now)
        .bind(by)
        .execute(&mut *tx)
        .await?;
    let guest = get_by_id(&mut tx, org, id, false).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(Ok(guest))
}

/// Removes guest `id` from every group of `org` (bumping those groups' `updated_at`), from the
/// owners of every task (bumping those tasks' `last_updated` and `version`), and then from `org`
/// (GU6). Returns the guest as it was. `NotFound` if it is gone.
pub(crate) async fn remove(pool: &Pool<Db>, org: &str, id: i64, now: i64) -> Result<Guest, StoreError> {
    match retry_on_deadlock!(remove_once(pool, org, id, now)) {
        Err(e) => Err(e.into()),
        Ok(None) => Err(StoreError::NotFound),
        Ok(Some(guest)) => Ok(guest),
    }
}

async fn remove_once(pool: &Pool<Db>, org: &str, id: i64, now: i64) -> Result<Option<Guest>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let Some(guest) = get_by_id(&mut tx, org, id, true).await? else {
        return Ok(None);
    };
    sqlx::query(
        "UPDATE org_groups SET updated_at = $3
          WHERE org_id = $1 AND id IN (SELECT group_id FROM group_guests WHERE guest_id = $2)",
    )
    .bind(org)
    .bind(id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM group_guests WHERE guest_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE tasks SET last_updated = $3, version = version + 1
          WHERE org_id = $1 AND id IN (SELECT task_id FROM task_guests WHERE guest_id = $2)",
    )
    .bind(org)
    .bind(id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM task_guests WHERE guest_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM guests WHERE org_id = $1 AND id = $2")
        .bind(org)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(guest))
}

/// Task counts of these guests over the tasks of `org` they are direct assignees of, archived
/// tasks left out; guests without tasks have no row.
pub(crate) async fn task_stats(pool: &Pool<Db>, org: &str, ids: &[i64]) -> Result<Vec<GuestTaskStats>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT tg.guest_id, COUNT(*) AS assigned,
                COALESCE(SUM(CASE WHEN t.status = 'completed' THEN 1 ELSE 0 END), 0) AS completed,
                MAX(CASE WHEN t.status = 'completed' THEN t.completed_at END) AS last_completed_at
           FROM task_guests tg JOIN tasks t ON t.id = tg.task_id
          WHERE t.org_id = $1 AND t.archived_at IS NULL AND tg.guest_id IN ({})
          GROUP BY tg.guest_id",
        placeholders(2, ids.len())
    );
    let mut q = sqlx::query_as::<_, GuestTaskStats>(&sql).bind(org);
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(pool).await
}
