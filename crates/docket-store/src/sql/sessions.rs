//! The pages for people: members' passwords, sign-in sessions, one-time password links and the
//! failed sign-ins the rate limit counts (migration 0012).

use sqlx::Pool;

use super::Db;
use crate::model::{Guest, NewSession, SessionLookup, StoredPassword};

/// Whether the member `u` may sign in to the pages (with a password or a sign-in link): at least
/// one of their memberships is active or invited. A member disabled everywhere is, to the
/// sign-in forms, no member at all.
pub(crate) const MAY_SIGN_IN: &str =
    "EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.status IN ('active', 'invited'))";

/// The member with this email (compared lower-cased), their password hash if any, and whether
/// they may sign in.
pub(crate) async fn password_by_email(pool: &Pool<Db>, email: &str) -> Result<Option<StoredPassword>, sqlx::Error> {
    sqlx::query_as::<_, StoredPassword>(&format!(
        "SELECT u.id AS user_id, p.hash AS hash, {MAY_SIGN_IN} AS may_sign_in
           FROM users u LEFT JOIN user_passwords p ON p.user_id = u.id
          WHERE lower(u.email) = lower($1)"
    ))
    .bind(email)
    .fetch_optional(pool)
    .await
}

/// Sets (or replaces) a member's password hash.
pub(crate) async fn set_password(pool: &Pool<Db>, user_id: i64, hash: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO user_passwords (user_id, hash, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at",
    )
    .bind(user_id)
    .bind(hash)
    .bind(now)
    .execute(pool)
    .await
    .map(|_| ())
}

/// Stores a new session.
pub(crate) async fn create_session(pool: &Pool<Db>, s: &NewSession) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO web_sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&s.id_hash)
        .bind(s.user_id)
        .bind(&s.csrf)
        .bind(s.now)
        .bind(s.expires_at)
        .execute(pool)
        .await
        .map(|_| ())
}

/// The unexpired session with this id hash and its member's standing in `org`, if given.
pub(crate) async fn session(
    pool: &Pool<Db>,
    id_hash: &str,
    org: Option<&str>,
    now: i64,
) -> Result<Option<SessionLookup>, sqlx::Error> {
    sqlx::query_as::<_, SessionLookup>(
        "SELECT s.user_id AS user_id, s.csrf AS csrf, s.expires_at AS expires_at,
                (SELECT COUNT(*) FROM organizations o WHERE o.id = $2) AS org_found,
                m.role AS role, m.status AS status
           FROM web_sessions s
           LEFT JOIN memberships m ON m.user_id = s.user_id AND m.org_id = $2
          WHERE s.id_hash = $1 AND s.expires_at > $3",
    )
    .bind(id_hash)
    .bind(org)
    .bind(now)
    .fetch_optional(pool)
    .await
}

/// Ends one session (nothing if there is none).
pub(crate) async fn delete_session(pool: &Pool<Db>, id_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM web_sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(pool)
        .await
        .map(|_| ())
}

/// Ends every session of a member and removes their expired ones; how many were ended.
pub(crate) async fn delete_user_sessions(pool: &Pool<Db>, user_id: i64) -> Result<u64, sqlx::Error> {
    sqlx::query("DELETE FROM web_sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
}

/// Removes sessions that have ended (called at each sign-in, so the table stays small).
pub(crate) async fn delete_expired_sessions(pool: &Pool<Db>, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM web_sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
}

/// Stores a one-time link by its hash.
pub(crate) async fn add_link(
    pool: &Pool<Db>,
    hash: &str,
    user_id: i64,
    purpose: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO web_links (hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(hash)
        .bind(user_id)
        .bind(purpose)
        .bind(now)
        .bind(expires_at)
        .execute(pool)
        .await
        .map(|_| ())
}

/// The member of an unexpired link, without using it up.
pub(crate) async fn link_user(pool: &Pool<Db>, hash: &str, now: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT user_id FROM web_links WHERE hash = $1 AND expires_at > $2")
        .bind(hash)
        .bind(now)
        .fetch_optional(pool)
        .await
}

/// Uses up a link and sets the password in one transaction: the member it was for, or `None`
/// when the link is unknown, used or expired (then nothing changes).
pub(crate) async fn redeem_link(
    pool: &Pool<Db>,
    hash: &str,
    password_hash: &str,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let user: Option<i64> =
        sqlx::query_scalar("DELETE FROM web_links WHERE hash = $1 AND expires_at > $2 RETURNING user_id")
            .bind(hash)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(user_id) = user else {
        return Ok(None);
    };
    sqlx::query(
        "INSERT INTO user_passwords (user_id, hash, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at",
    )
    .bind(user_id)
    .bind(password_hash)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    // A new password ends the member's other sessions and their other links.
    sqlx::query("DELETE FROM web_sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM web_links WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(user_id))
}

/// Failed sign-ins of any of `buckets` since `since` (older ones are removed first).
pub(crate) async fn failures(pool: &Pool<Db>, buckets: &[String], since: i64) -> Result<i64, sqlx::Error> {
    sqlx::query("DELETE FROM web_signin_failures WHERE at <= $1")
        .bind(since)
        .execute(pool)
        .await?;
    let mut most = 0;
    for b in buckets {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM web_signin_failures WHERE bucket = $1 AND at > $2")
            .bind(b)
            .bind(since)
            .fetch_one(pool)
            .await?;
        most = most.max(n);
    }
    Ok(most)
}

/// Records one failed sign-in for each of `buckets`.
pub(crate) async fn add_failure(pool: &Pool<Db>, buckets: &[String], now: i64) -> Result<(), sqlx::Error> {
    for b in buckets {
        sqlx::query("INSERT INTO web_signin_failures (bucket, at) VALUES ($1, $2)")
            .bind(b)
            .bind(now)
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// The guest whose link carries `code` (in whatever organization).
pub(crate) async fn guest_by_code(pool: &Pool<Db>, code: &str) -> Result<Option<Guest>, sqlx::Error> {
    sqlx::query_as::<_, Guest>(
        "SELECT id, org_id, email, guest_code, first_name, last_name, details, associated_members,
                disabled_at, disabled_by, reactivated_at, reactivated_by, created_at, updated_at
           FROM guests WHERE guest_code = $1",
    )
    .bind(code)
    .fetch_optional(pool)
    .await
}
