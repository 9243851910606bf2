//! Resolving a bearer token (by hash) to a user and their standing in an organization.

use sqlx::Pool;

use super::Db;
use crate::model::TokenLookup;

/// The token's user and, for `org` (if given), whether it exists and the user's membership.
pub(crate) async fn lookup(pool: &Pool<Db>, hash: &str, org: Option<&str>) -> Result<Option<TokenLookup>, sqlx::Error> {
    sqlx::query_as::<_, TokenLookup>(
        "SELECT t.user_id AS user_id,
                (SELECT COUNT(*) FROM organizations o WHERE o.id = $2) AS org_found,
                m.role AS role, m.status AS status
           FROM tokens t
           LEFT JOIN memberships m ON m.user_id = t.user_id AND m.org_id = $2
          WHERE t.hash = $1",
    )
    .bind(hash)
    .bind(org)
    .fetch_optional(pool)
    .await
}

/// Stores a token hash for an existing user.
pub(crate) async fn add_token(pool: &Pool<Db>, user_id: i64, hash: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO tokens (hash, user_id, created_at) VALUES ($1, $2, $3)")
        .bind(hash)
        .bind(user_id)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
}

/// Removes a token by its hash (nothing if there is none).
pub(crate) async fn remove_token(pool: &Pool<Db>, hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM tokens WHERE hash = $1")
        .bind(hash)
        .execute(pool)
        .await
        .map(|_| ())
}

/// Whether a user with this id exists.
pub(crate) async fn user_exists(pool: &Pool<Db>, user_id: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(pool)
        .await?;
    Ok(n > 0)
}
