//! Guests of organizations.

use sqlx::Pool;

use super::Db;

/// The id of the guest of `org` with this lower-cased email.
pub(crate) async fn id_by_email(pool: &Pool<Db>, org: &str, email: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM guests WHERE org_id = $1 AND email = $2").bind(org).bind(email).fetch_optional(pool).await
}
