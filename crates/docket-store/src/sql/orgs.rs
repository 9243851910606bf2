//! Organizations.

use sqlx::Pool;

use super::Db;
use crate::model::Organization;
use crate::query::Window;

const ORG_COLS: &str = "o.id, o.name, o.timezone, o.allow_user_invite, o.allow_manage_groups,
    o.default_deadline_type, o.default_deadline_value, o.profile, o.misc_template_id,
    o.created_at, o.updated_at,
    (SELECT COUNT(*) FROM memberships mm WHERE mm.org_id = o.id AND mm.status <> 'disabled') AS users_count";

/// One organization.
pub(crate) async fn get(pool: &Pool<Db>, id: &str) -> Result<Option<Organization>, sqlx::Error> {
    sqlx::query_as::<_, Organization>(&format!("SELECT {ORG_COLS} FROM organizations o WHERE o.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The organizations `user_id` belongs to and is not disabled in, by name; and their count.
pub(crate) async fn of_user(
    pool: &Pool<Db>,
    user_id: i64,
    window: Window,
) -> Result<(Vec<Organization>, i64), sqlx::Error> {
    let rows = sqlx::query_as::<_, Organization>(&format!(
        "SELECT {ORG_COLS} FROM organizations o
           JOIN memberships m ON m.org_id = o.id AND m.user_id = $1 AND m.status <> 'disabled'
          ORDER BY lower(o.name), o.id LIMIT $2 OFFSET $3"
    ))
    .bind(user_id)
    .bind(window.sql_limit())
    .bind(window.offset)
    .fetch_all(pool)
    .await?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE user_id = $1 AND status <> 'disabled'")
        .bind(user_id)
        .fetch_one(pool)
        .await?;
    Ok((rows, total))
}

/// The organization `user_id` joined first (provisioning order), for `GET /me`.
pub(crate) async fn first_of_user(pool: &Pool<Db>, user_id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT org_id FROM memberships WHERE user_id = $1 ORDER BY joined_seq LIMIT 1")
        .bind(user_id)
        .fetch_optional(pool)
        .await
}

/// The organization's webhook signing secret; with `rotate`, replaced by `new_secret` first.
pub(crate) async fn webhook_secret(
    pool: &Pool<Db>,
    id: &str,
    new_secret: Option<&str>,
) -> Result<Option<String>, sqlx::Error> {
    if let Some(s) = new_secret {
        return sqlx::query_scalar(
            "UPDATE organizations SET webhook_secret = $2 WHERE id = $1 RETURNING webhook_secret",
        )
        .bind(id)
        .bind(s)
        .fetch_optional(pool)
        .await;
    }
    sqlx::query_scalar("SELECT webhook_secret FROM organizations WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// How many organizations exist.
pub(crate) async fn count(pool: &Pool<Db>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM organizations")
        .fetch_one(pool)
        .await
}
