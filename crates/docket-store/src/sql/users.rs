//! Members: users as seen through their membership of one organization.

use sqlx::Pool;

use super::where_clause::{int_set, json_array};
use super::{Db, IS_PG, counters};
use crate::StoreError;
use crate::model::{Invite, Member, StatusChange};
use crate::query::MemberQuery;

const MEMBER_COLS: &str = "u.id, u.email, u.username, u.first_name, u.last_name, u.profile, u.created_at,
    CASE WHEN m.updated_at > u.updated_at THEN m.updated_at ELSE u.updated_at END AS updated_at,
    u.last_login_at, u.last_accessed_at, m.role, m.status, m.invited_by, m.approved_at, m.activated_at,
    m.disabled_at, m.disabled_by, m.reactivated_at, m.reactivated_by, m.email_notifications";

/// Members of `org` with these ids, in id order (unknown ids are skipped).
pub(crate) async fn get_many(pool: &Pool<Db>, org: &str, ids: &[i64]) -> Result<Vec<Member>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // One statement text for any number of ids (bound as one JSON array): prepared once.
    sqlx::query_as::<_, Member>(&format!(
        "SELECT {MEMBER_COLS} FROM memberships m JOIN users u ON u.id = m.user_id
          WHERE m.org_id = $1 AND m.user_id IN ({}) ORDER BY u.id",
        int_set("$2")
    ))
    .bind(org)
    .bind(json_array(ids))
    .fetch_all(pool)
    .await
}

/// The member of `org` whose email is `email` (lower-cased) or, failing that, whose username is
/// `email` ignoring case.
pub(crate) async fn find(pool: &Pool<Db>, org: &str, email_or_username: &str) -> Result<Option<Member>, sqlx::Error> {
    let key = email_or_username.trim().to_lowercase();
    sqlx::query_as::<_, Member>(&format!(
        "SELECT {MEMBER_COLS} FROM memberships m JOIN users u ON u.id = m.user_id
          WHERE m.org_id = $1 AND (u.email = $2 OR lower(u.username) = $2)
          ORDER BY CASE WHEN u.email = $2 THEN 0 ELSE 1 END, u.id LIMIT 1"
    ))
    .bind(org)
    .bind(key)
    .fetch_optional(pool)
    .await
}

/// One page of the members of `org` and the number of matches.
pub(crate) async fn list(pool: &Pool<Db>, org: &str, q: &MemberQuery) -> Result<(Vec<Member>, i64), sqlx::Error> {
    let filter = "m.org_id = $1 AND ($2 IS NULL OR lower(u.first_name) LIKE $2 ESCAPE '\\'
                  OR lower(u.last_name) LIKE $2 ESCAPE '\\' OR u.email LIKE $2 ESCAPE '\\')";
    let rows = sqlx::query_as::<_, Member>(&format!(
        "SELECT {MEMBER_COLS} FROM memberships m JOIN users u ON u.id = m.user_id WHERE {filter}
          ORDER BY {} {}, u.id LIMIT $3 OFFSET $4",
        q.sort.column.sql(),
        q.sort.direction()
    ))
    .bind(org)
    .bind(q.q.as_deref())
    .bind(q.window.sql_limit())
    .bind(q.window.offset)
    .fetch_all(pool)
    .await?;
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE {filter}"
    ))
    .bind(org)
    .bind(q.q.as_deref())
    .fetch_one(pool)
    .await?;
    Ok((rows, total))
}

/// Invites `inv.email` into `org`: an existing docket user joins, else a new user is created.
/// `Conflict` if they are already a member.
pub(crate) async fn invite(pool: &Pool<Db>, org: &str, inv: &Invite) -> Result<Member, StoreError> {
    let mut tx = pool.begin().await?;
    let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(&inv.email)
        .fetch_optional(&mut *tx)
        .await?;
    let user_id = match existing {
        Some(id) => id,
        None => {
            let id = counters::next(&mut *tx, "user_id").await?;
            sqlx::query(
                "INSERT INTO users (id, email, username, first_name, last_name, profile, created_at, updated_at)
                 VALUES ($1, $2, '', $3, $4, '{}', $5, $5)",
            )
            .bind(id)
            .bind(&inv.email)
            .bind(&inv.first_name)
            .bind(&inv.last_name)
            .bind(inv.now)
            .execute(&mut *tx)
            .await?;
            id
        }
    };
    let seq = counters::next(&mut *tx, "membership_seq").await?;
    let inserted = sqlx::query(
        "INSERT INTO memberships (org_id, user_id, role, status, invited_by, approved_at, joined_seq, created_at, updated_at)
         VALUES ($1, $2, $3, 'invited', $4, $5, $6, $5, $5) ON CONFLICT (org_id, user_id) DO NOTHING",
    )
    .bind(org)
    .bind(user_id)
    .bind(&inv.role)
    .bind(inv.invited_by)
    .bind(inv.now)
    .bind(seq)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(StoreError::Conflict("already a member".into()));
    }
    let member = sqlx::query_as::<_, Member>(&format!(
        "SELECT {MEMBER_COLS} FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND m.user_id = $2"
    ))
    .bind(org)
    .bind(user_id)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(member)
}

/// Re-dates the invitation of `user_id`, still only invited to `org`, and attributes it to
/// `invited_by`; the member as stored, or `None` when they are not an invited member.
pub(crate) async fn reinvite(
    pool: &Pool<Db>,
    org: &str,
    user_id: i64,
    invited_by: i64,
    now: i64,
) -> Result<Option<Member>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let n = sqlx::query(
        "UPDATE memberships SET invited_by = $3, approved_at = $4, updated_at = $4
          WHERE org_id = $1 AND user_id = $2 AND status = 'invited'",
    )
    .bind(org)
    .bind(user_id)
    .bind(invited_by)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Ok(None);
    }
    let member = sqlx::query_as::<_, Member>(&format!(
        "SELECT {MEMBER_COLS} FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND m.user_id = $2"
    ))
    .bind(org)
    .bind(user_id)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(member))
}

/// Sets a member's role. `Conflict("last admin")` when that would leave `org` without an
/// active administrator; `NotFound` when not a member.
pub(crate) async fn set_role(pool: &Pool<Db>, org: &str, user_id: i64, role: &str, now: i64) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    // Lock the admin rows on PostgreSQL so that two concurrent demotions cannot both pass the
    // check; SQLite's single writer already serializes them.
    let lock = if IS_PG { " FOR UPDATE" } else { "" };
    let admins: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT user_id FROM memberships WHERE org_id = $1 AND role = 'admin' AND status <> 'disabled'{lock}"
    ))
    .bind(org)
    .fetch_all(&mut *tx)
    .await?;
    if role != "admin" && admins.len() == 1 && admins[0] == user_id {
        return Err(StoreError::Conflict("last admin".into()));
    }
    let n = sqlx::query("UPDATE memberships SET role = $3, updated_at = $4 WHERE org_id = $1 AND user_id = $2")
        .bind(org)
        .bind(user_id)
        .bind(role)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// Disables, enables or approves a membership. `NotFound` when not a member.
pub(crate) async fn set_status(
    pool: &Pool<Db>,
    org: &str,
    user_id: i64,
    change: StatusChange,
    now: i64,
) -> Result<(), StoreError> {
    let q = match change {
        StatusChange::Disable(by) => sqlx::query(
            "UPDATE memberships SET status = 'disabled', disabled_at = $3, disabled_by = $4, updated_at = $3
              WHERE org_id = $1 AND user_id = $2",
        )
        .bind(org)
        .bind(user_id)
        .bind(now)
        .bind(by),
        StatusChange::Enable(by) => sqlx::query(
            "UPDATE memberships SET status = 'active', disabled_at = NULL, disabled_by = NULL,
                    reactivated_at = $3, reactivated_by = $4,
                    activated_at = CASE WHEN activated_at IS NULL THEN $3 ELSE activated_at END, updated_at = $3
              WHERE org_id = $1 AND user_id = $2",
        )
        .bind(org)
        .bind(user_id)
        .bind(now)
        .bind(by),
        StatusChange::Approve => sqlx::query(
            "UPDATE memberships SET approved_at = CASE WHEN approved_at IS NULL THEN $3 ELSE approved_at END, updated_at = $3
              WHERE org_id = $1 AND user_id = $2",
        )
        .bind(org)
        .bind(user_id)
        .bind(now),
    };
    if q.execute(pool).await?.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The id of the docket user (any organization) with this lower-cased email.
pub(crate) async fn user_id_by_email(pool: &Pool<Db>, email: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(pool)
        .await
}
