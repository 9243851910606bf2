//! Global counters (`user_id`, `guest_id`, `membership_seq`) that stay above explicit values.

use sqlx::Executor;

use super::Db;

/// The next value of counter `name`.
pub(crate) async fn next<'e, E: Executor<'e, Database = Db>>(e: E, name: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value")
        .bind(name)
        .fetch_one(e)
        .await
}

/// Raises counter `name` to at least `value`.
pub(crate) async fn raise<'e, E: Executor<'e, Database = Db>>(e: E, name: &str, value: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE counters SET value = CASE WHEN value < $2 THEN $2 ELSE value END WHERE name = $1")
        .bind(name)
        .bind(value)
        .execute(e)
        .await
        .map(|_| ())
}
