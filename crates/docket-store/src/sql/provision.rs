//! Provisioning: organizations, users, memberships and tokens written in one transaction.
//! Creates what is missing and never overwrites what exists, so a bootstrap file can be
//! loaded at every start.

use docket_domain::ids;
use sqlx::Pool;

use super::{Db, counters};
use crate::StoreError;
use crate::model::{Provision, Provisioned};

/// Applies `p` atomically.
pub(crate) async fn run(pool: &Pool<Db>, p: &Provision) -> Result<Provisioned, StoreError> {
    let mut tx = pool.begin().await?;
    for org in &p.orgs {
        let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations WHERE id = $1")
            .bind(&org.id)
            .fetch_one(&mut *tx)
            .await?;
        if exists > 0 {
            if org.must_be_new {
                return Err(StoreError::Conflict(format!("organization {} already exists", org.id)));
            }
            continue;
        }
        let (dl_type, dl_value) = org.default_deadline.clone().unwrap_or_else(|| ("days".into(), 5));
        sqlx::query(
            "INSERT INTO organizations (id, name, timezone, allow_user_invite, allow_manage_groups,
                 default_deadline_type, default_deadline_value, profile, webhook_secret, misc_template_id,
                 created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
        )
        .bind(&org.id)
        .bind(&org.name)
        .bind(org.timezone.as_deref().unwrap_or("UTC"))
        .bind(org.allow_user_invite.unwrap_or(true))
        .bind(org.allow_manage_groups.unwrap_or(true))
        .bind(dl_type)
        .bind(dl_value)
        .bind(org.profile.as_deref().unwrap_or("{}"))
        .bind(ids::new_secret())
        .bind(ids::new_id32())
        .bind(p.now)
        .execute(&mut *tx)
        .await?;
    }

    let mut user_ids = Vec::with_capacity(p.users.len());
    for u in &p.users {
        let email = u.email.trim().to_lowercase();
        let by_email: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(&email)
            .fetch_optional(&mut *tx)
            .await?;
        let id = match (u.id, by_email) {
            (Some(id), Some(existing)) if id != existing => {
                return Err(StoreError::Conflict(format!(
                    "email {email} belongs to user {existing}, not {id}"
                )));
            }
            (Some(id), Some(_)) => id,
            (Some(id), None) => {
                let other: Option<String> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
                if let Some(other) = other {
                    return Err(StoreError::Conflict(format!("user {id} exists with email {other}")));
                }
                insert_user(&mut tx, id, &email, u, p.now).await?;
                counters::raise(&mut *tx, "user_id", id).await?;
                id
            }
            (None, Some(existing)) => existing,
            (None, None) => {
                let id = counters::next(&mut *tx, "user_id").await?;
                insert_user(&mut tx, id, &email, u, p.now).await?;
                id
            }
        };
        user_ids.push(id);
    }

    for m in &p.memberships {
        let user_id = *user_ids
            .get(m.user)
            .ok_or_else(|| StoreError::Other("membership names no user".into()))?;
        let seq = counters::next(&mut *tx, "membership_seq").await?;
        sqlx::query(
            "INSERT INTO memberships (org_id, user_id, role, status, approved_at, activated_at, joined_seq, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5, $6, $5, $5)
             ON CONFLICT (org_id, user_id) DO NOTHING",
        )
        .bind(&m.org_id)
        .bind(user_id)
        .bind(&m.role)
        .bind(&m.status)
        .bind(p.now)
        .bind(seq)
        .execute(&mut *tx)
        .await?;
    }

    let mut tokens_added = 0;
    for t in &p.tokens {
        let user_id = *user_ids
            .get(t.user)
            .ok_or_else(|| StoreError::Other("token names no user".into()))?;
        let owner: Option<i64> = sqlx::query_scalar("SELECT user_id FROM tokens WHERE hash = $1")
            .bind(&t.hash)
            .fetch_optional(&mut *tx)
            .await?;
        match owner {
            Some(o) if o != user_id => {
                return Err(StoreError::Conflict(format!(
                    "a token in the file already belongs to user {o}"
                )));
            }
            Some(_) => {}
            None => {
                sqlx::query("INSERT INTO tokens (hash, user_id, created_at) VALUES ($1, $2, $3)")
                    .bind(&t.hash)
                    .bind(user_id)
                    .bind(p.now)
                    .execute(&mut *tx)
                    .await?;
                tokens_added += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(Provisioned { user_ids, tokens_added })
}

async fn insert_user(
    tx: &mut sqlx::Transaction<'_, Db>,
    id: i64,
    email: &str,
    u: &crate::model::NewUser,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO users (id, email, username, first_name, last_name, profile, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(id)
    .bind(email)
    .bind(&u.username)
    .bind(&u.first_name)
    .bind(&u.last_name)
    .bind(u.profile.as_deref().unwrap_or("{}"))
    .bind(now)
    .execute(&mut **tx)
    .await
    .map(|_| ())
}
