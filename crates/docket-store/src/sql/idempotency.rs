//! Idempotency keys: claim a (token, key) pair, record the first response, replay it.

use sqlx::Pool;

use super::Db;
use crate::model::IdempotencyClaim;

/// Claims `(token_hash, key)` for a request with `request_hash`, treating entries older than
/// `expired_before` as absent.
pub(crate) async fn claim(
    pool: &Pool<Db>,
    token_hash: &str,
    key: &str,
    request_hash: &str,
    now: i64,
    expired_before: i64,
) -> Result<IdempotencyClaim, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM idempotency_keys WHERE token_hash = $1 AND idem_key = $2 AND created_at < $3")
        .bind(token_hash)
        .bind(key)
        .bind(expired_before)
        .execute(&mut *tx)
        .await?;
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (token_hash, idem_key, request_hash, status, body, created_at)
         VALUES ($1, $2, $3, NULL, NULL, $4) ON CONFLICT (token_hash, idem_key) DO NOTHING",
    )
    .bind(token_hash)
    .bind(key)
    .bind(request_hash)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let claim = if inserted == 1 {
        IdempotencyClaim::Claimed
    } else {
        let (hash, status, body, since): (String, Option<i64>, Option<String>, i64) = sqlx::query_as(
            "SELECT request_hash, status, body, created_at FROM idempotency_keys WHERE token_hash = $1 AND idem_key = $2",
        )
        .bind(token_hash)
        .bind(key)
        .fetch_one(&mut *tx)
        .await?;
        match (hash == request_hash, status) {
            (false, _) => IdempotencyClaim::Mismatch,
            (true, None) => IdempotencyClaim::InProgress { since },
            (true, Some(status)) => IdempotencyClaim::Done {
                status,
                body: body.unwrap_or_default(),
            },
        }
    };
    tx.commit().await?;
    Ok(claim)
}

/// Records the response of a claimed key.
pub(crate) async fn finish(
    pool: &Pool<Db>,
    token_hash: &str,
    key: &str,
    status: i64,
    body: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE idempotency_keys SET status = $3, body = $4 WHERE token_hash = $1 AND idem_key = $2")
        .bind(token_hash)
        .bind(key)
        .bind(status)
        .bind(body)
        .execute(pool)
        .await
        .map(|_| ())
}

/// Releases a claimed key whose request failed without a response worth replaying.
pub(crate) async fn release(pool: &Pool<Db>, token_hash: &str, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM idempotency_keys WHERE token_hash = $1 AND idem_key = $2 AND status IS NULL")
        .bind(token_hash)
        .bind(key)
        .execute(pool)
        .await
        .map(|_| ())
}

/// Deletes every entry created before `expired_before`.
pub(crate) async fn purge(pool: &Pool<Db>, expired_before: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
        .bind(expired_before)
        .execute(pool)
        .await?
        .rows_affected())
}
