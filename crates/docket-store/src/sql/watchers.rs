//! Organization webhook watchers (spec §2.7, §4.10): a URL that receives the webhook events of
//! the organization, every event or those its `events` list names. Events read them in their
//! transaction (`outbox.rs`, `events.rs`), or from the store's memo (launches and creates).

use sqlx::Pool;

use super::{Db, counters};
use crate::model::{NewWatcher, WatcherRow, WatcherTarget};

type Conn = <Db as sqlx::Database>::Connection;

const COLS: &str =
    "id, org_id, user_id, object_type, object_id, notification_type, frequency, webhook, events, created_at";

/// The watchers of `org`, oldest first.
pub(crate) async fn list(pool: &Pool<Db>, org: &str) -> Result<Vec<WatcherRow>, sqlx::Error> {
    sqlx::query_as::<_, WatcherRow>(&format!("SELECT {COLS} FROM watchers WHERE org_id = $1 ORDER BY id"))
        .bind(org)
        .fetch_all(pool)
        .await
}

/// Subscribes `w.webhook`; the watcher already subscribing that URL comes back (unchanged)
/// with `false`.
pub(crate) async fn add(pool: &Pool<Db>, w: &NewWatcher) -> Result<(WatcherRow, bool), sqlx::Error> {
    let mut tx = pool.begin().await?;
    let select = format!("SELECT {COLS} FROM watchers WHERE org_id = $1 AND webhook = $2");
    if let Some(existing) = sqlx::query_as::<_, WatcherRow>(&select)
        .bind(&w.org_id)
        .bind(&w.webhook)
        .fetch_optional(&mut *tx)
        .await?
    {
        return Ok((existing, false));
    }
    let id = counters::next(&mut *tx, "watcher_id").await?;
    sqlx::query(
        "INSERT INTO watchers (id, org_id, user_id, object_type, object_id, notification_type, frequency, webhook,
             events, created_at)
         VALUES ($1, $2, $3, 'organization', $2, 'webhook', 'electric', $4, $5, $6)",
    )
    .bind(id)
    .bind(&w.org_id)
    .bind(w.user_id)
    .bind(&w.webhook)
    .bind(serde_json::to_string(&w.event_types).unwrap_or_else(|_| "[]".into()))
    .bind(w.now)
    .execute(&mut *tx)
    .await?;
    let row = sqlx::query_as::<_, WatcherRow>(&select)
        .bind(&w.org_id)
        .bind(&w.webhook)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((row, true))
}

/// Removes watcher `id` of `org`; whether it existed.
pub(crate) async fn remove(pool: &Pool<Db>, org: &str, id: i64) -> Result<bool, sqlx::Error> {
    let n = sqlx::query("DELETE FROM watchers WHERE org_id = $1 AND id = $2")
        .bind(org)
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected();
    Ok(n > 0)
}

fn as_targets(rows: Vec<(String, String)>) -> Vec<WatcherTarget> {
    rows.into_iter()
        .map(|(url, events)| WatcherTarget {
            url,
            event_types: serde_json::from_str(&events).unwrap_or_default(),
        })
        .collect()
}

/// The watchers of `org` as event targets, oldest first (inside an event's transaction).
pub(crate) async fn targets(conn: &mut Conn, org: &str) -> Result<Vec<WatcherTarget>, sqlx::Error> {
    let rows = sqlx::query_as("SELECT webhook, events FROM watchers WHERE org_id = $1 ORDER BY id")
        .bind(org)
        .fetch_all(&mut *conn)
        .await?;
    Ok(as_targets(rows))
}

/// [`targets`] through a pool (for the store's memo).
pub(crate) async fn targets_of(pool: &Pool<Db>, org: &str) -> Result<Vec<WatcherTarget>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    targets(&mut conn, org).await
}
