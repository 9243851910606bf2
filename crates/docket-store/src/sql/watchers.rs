//! Organization webhook watchers (spec §2.7, §4.10): a URL that receives every webhook event of
//! the organization. The outbox reads them in the transaction of each event (`outbox.rs`).

use sqlx::Pool;

use super::{Db, counters};
use crate::model::{NewWatcher, WatcherRow};

type Conn = <Db as sqlx::Database>::Connection;

const COLS: &str = "id, org_id, user_id, object_type, object_id, notification_type, frequency, webhook, created_at";

/// The watchers of `org`, oldest first.
pub(crate) async fn list(pool: &Pool<Db>, org: &str) -> Result<Vec<WatcherRow>, sqlx::Error> {
    sqlx::query_as::<_, WatcherRow>(&format!("SELECT {COLS} FROM watchers WHERE org_id = $1 ORDER BY id"))
        .bind(org)
        .fetch_all(pool)
        .await
}

/// Subscribes `w.webhook`; the watcher already subscribing that URL comes back with `false`.
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
             created_at)
         VALUES ($1, $2, $3, 'organization', $2, 'webhook', 'electric', $4, $5)",
    )
    .bind(id)
    .bind(&w.org_id)
    .bind(w.user_id)
    .bind(&w.webhook)
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

/// The URLs every event of `org` goes to, oldest watcher first (inside an event's transaction).
pub(crate) async fn urls(conn: &mut Conn, org: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT webhook FROM watchers WHERE org_id = $1 ORDER BY id")
        .bind(org)
        .fetch_all(&mut *conn)
        .await
}
