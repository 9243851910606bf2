//! One-time sign-in links sent by email (migration 0019): stored by the SHA-256 of their token,
//! valid for a short while, usable once. Only a member with an active or invited membership
//! gets one or signs in with one.

use sqlx::Pool;

use super::Db;
use super::sessions::MAY_SIGN_IN;
use crate::model::{SigninLink, SigninLinkMember};

/// Stores a link with token hash `hash` for the member with `email` (compared lower-cased) if
/// they may sign in, removing expired links on the way, in one transaction: the member, or
/// `None` (then nothing is stored).
pub(crate) async fn add(
    pool: &Pool<Db>,
    email: &str,
    hash: &str,
    now: i64,
    expires_at: i64,
) -> Result<Option<SigninLinkMember>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM web_signin_links WHERE expires_at <= $1")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let member = sqlx::query_as::<_, SigninLinkMember>(&format!(
        "SELECT u.id AS user_id, u.email AS email FROM users u WHERE lower(u.email) = lower($1) AND {MAY_SIGN_IN}"
    ))
    .bind(email)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(m) = &member {
        sqlx::query("INSERT INTO web_signin_links (hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(hash)
            .bind(m.user_id)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(member)
}

/// What the link with `hash` is worth at `now`, without using it up.
pub(crate) async fn state(pool: &Pool<Db>, hash: &str, now: i64) -> Result<SigninLink, sqlx::Error> {
    let row: Option<(i64, i64, Option<i64>, bool)> = sqlx::query_as(&format!(
        "SELECT l.user_id, l.expires_at, l.used_at, {MAY_SIGN_IN}
           FROM web_signin_links l JOIN users u ON u.id = l.user_id WHERE l.hash = $1"
    ))
    .bind(hash)
    .fetch_optional(pool)
    .await?;
    Ok(match row {
        None => SigninLink::Unknown,
        Some((_, _, Some(_), _)) => SigninLink::Used,
        Some((_, expires_at, None, _)) if expires_at <= now => SigninLink::Expired,
        Some((_, _, None, false)) => SigninLink::Disabled,
        Some((user_id, _, None, true)) => SigninLink::Valid(user_id),
    })
}

/// Uses up the link with `hash` at `now`, in one transaction: [`SigninLink::Valid`] with its
/// member when they may sign in; otherwise why not (a link whose member may no longer sign in
/// is used up all the same). Of two requests with the same link, one alone gets `Valid`.
pub(crate) async fn redeem(pool: &Pool<Db>, hash: &str, now: i64) -> Result<SigninLink, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let user: Option<i64> = sqlx::query_scalar(
        "UPDATE web_signin_links SET used_at = $2
          WHERE hash = $1 AND used_at IS NULL AND expires_at > $2
          RETURNING user_id",
    )
    .bind(hash)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let out = match user {
        Some(user_id) => {
            let may: bool = sqlx::query_scalar(&format!("SELECT {MAY_SIGN_IN} FROM users u WHERE u.id = $1"))
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?
                .unwrap_or(false);
            if may {
                SigninLink::Valid(user_id)
            } else {
                SigninLink::Disabled
            }
        }
        None => {
            let row: Option<(i64, Option<i64>)> =
                sqlx::query_as("SELECT expires_at, used_at FROM web_signin_links WHERE hash = $1")
                    .bind(hash)
                    .fetch_optional(&mut *tx)
                    .await?;
            match row {
                None => SigninLink::Unknown,
                Some((_, Some(_))) => SigninLink::Used,
                Some(_) => SigninLink::Expired,
            }
        }
    };
    tx.commit().await?;
    Ok(out)
}
