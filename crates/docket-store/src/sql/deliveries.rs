//! Webhook delivery (spec §5.12, §1.14): claiming due outbox events with a lease, recording
//! each attempt, the delivery log and redelivery.
//!
//! A claim pushes `next_attempt_at` forward by a lease in the same statement that selects the
//! due rows (on PostgreSQL under `FOR UPDATE SKIP LOCKED`, on SQLite through the single
//! writer), so two dispatchers never claim the same attempt; a dispatcher that dies leaves the
//! row to be claimed again when its lease expires. Recording an attempt only advances the row
//! whose `attempts` is still the claimed one.

use sqlx::Pool;

use super::{Db, IS_PG};
use crate::model::{AttemptOutcome, DeliveryAttempt, DeliveryEvent, DeliveryFilter};
use crate::query::Window;

const COLS: &str = "id, org_id, task_id, event, url, payload, status, attempts, next_attempt_at, last_error, \
                    created_at, delivered_at, first_attempt_at";

/// Whether any event is due at `now` (a cheap read before claiming through the writer).
pub(crate) async fn any_due(pool: &Pool<Db>, now: i64) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT next_attempt_at FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 LIMIT 1",
    )
    .bind(now)
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}

/// How many events are pending.
pub(crate) async fn pending_count(pool: &Pool<Db>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
        .fetch_one(pool)
        .await
}

/// Claims up to `limit` events due at `now`, leasing them until `lease_until`.
pub(crate) async fn claim_due(
    pool: &Pool<Db>,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<DeliveryEvent>, sqlx::Error> {
    claim_leased(pool, "outbox", COLS, now, lease_until, limit).await
}

/// Claims up to `limit` rows of the queue `table` (the webhook `outbox`, the `email_outbox`)
/// that are pending and due at `now`, leasing them until `lease_until`; returns their `cols`.
pub(crate) async fn claim_leased<T>(
    pool: &Pool<Db>,
    table: &str,
    cols: &str,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<T>, sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
{
    let lock = if IS_PG { "FOR UPDATE SKIP LOCKED" } else { "" };
    let sql = format!(
        "UPDATE {table} SET next_attempt_at = $1
          WHERE id IN (SELECT id FROM {table} WHERE status = 'pending' AND next_attempt_at <= $2
                        ORDER BY next_attempt_at, id LIMIT $3 {lock})
            AND status = 'pending' AND next_attempt_at <= $2
         RETURNING {cols}"
    );
    let mut tx = pool.begin().await?;
    let rows = sqlx::query_as::<_, T>(&sql)
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(rows)
}

/// The signing secret of `org`.
pub(crate) async fn secret(pool: &Pool<Db>, org: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT webhook_secret FROM organizations WHERE id = $1")
        .bind(org)
        .fetch_optional(pool)
        .await
}

/// Records an attempt and advances its event; false when the event moved on meanwhile (its
/// lease expired and another dispatcher recorded this attempt).
pub(crate) async fn finish_attempt(pool: &Pool<Db>, o: &AttemptOutcome) -> Result<bool, sqlx::Error> {
    let a = &o.attempt;
    let (status, next, delivered_at, last_error) = if o.delivered {
        ("delivered", a.at, Some(a.at), None)
    } else {
        match o.retry_at {
            Some(t) => ("pending", t, None, a.error.clone()),
            None => ("failed", a.at, None, a.error.clone()),
        }
    };
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE outbox SET attempts = $2, status = $3, next_attempt_at = $4, delivered_at = $5, last_error = $6,
                first_attempt_at = $7
          WHERE id = $1 AND attempts = $8",
    )
    .bind(&a.event_id)
    .bind(a.attempt)
    .bind(status)
    .bind(next)
    .bind(delivered_at)
    .bind(last_error)
    .bind(o.first_attempt_at)
    .bind(a.attempt - 1)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        > 0;
    sqlx::query(
        "INSERT INTO webhook_attempts (event_id, attempt, at, status_code, error, duration_ms)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id, attempt) DO NOTHING",
    )
    .bind(&a.event_id)
    .bind(a.attempt)
    .bind(a.at)
    .bind(a.status_code)
    .bind(&a.error)
    .bind(a.duration_ms)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done)
}

/// One page of the events of `org`, newest first, and how many match.
pub(crate) async fn list(
    pool: &Pool<Db>,
    org: &str,
    filter: &DeliveryFilter,
    window: Window,
) -> Result<(Vec<DeliveryEvent>, i64), sqlx::Error> {
    const WHERE: &str = "org_id = $1 AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR task_id = $3)";
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM outbox WHERE {WHERE}"))
        .bind(org)
        .bind(&filter.status)
        .bind(&filter.task_id)
        .fetch_one(pool)
        .await?;
    let rows = sqlx::query_as::<_, DeliveryEvent>(&format!(
        "SELECT {COLS} FROM outbox WHERE {WHERE} ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5"
    ))
    .bind(org)
    .bind(&filter.status)
    .bind(&filter.task_id)
    .bind(window.sql_limit())
    .bind(window.offset)
    .fetch_all(pool)
    .await?;
    Ok((rows, total))
}

/// One event of `org`.
pub(crate) async fn get(pool: &Pool<Db>, org: &str, id: &str) -> Result<Option<DeliveryEvent>, sqlx::Error> {
    sqlx::query_as::<_, DeliveryEvent>(&format!("SELECT {COLS} FROM outbox WHERE org_id = $1 AND id = $2"))
        .bind(org)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The attempts of an event, in order.
pub(crate) async fn attempts(pool: &Pool<Db>, event_id: &str) -> Result<Vec<DeliveryAttempt>, sqlx::Error> {
    sqlx::query_as::<_, DeliveryAttempt>(
        "SELECT event_id, attempt, at, status_code, error, duration_ms FROM webhook_attempts
          WHERE event_id = $1 ORDER BY attempt",
    )
    .bind(event_id)
    .fetch_all(pool)
    .await
}

/// Queues a new attempt of an event of `org` at `now` (with a fresh retry window).
pub(crate) async fn redeliver(
    pool: &Pool<Db>,
    org: &str,
    id: &str,
    now: i64,
) -> Result<Option<DeliveryEvent>, sqlx::Error> {
    sqlx::query_as::<_, DeliveryEvent>(&format!(
        "UPDATE outbox SET status = 'pending', next_attempt_at = $3, first_attempt_at = NULL
          WHERE org_id = $1 AND id = $2 RETURNING {COLS}"
    ))
    .bind(org)
    .bind(id)
    .bind(now)
    .fetch_optional(pool)
    .await
}
