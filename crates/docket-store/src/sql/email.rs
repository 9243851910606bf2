//! Email notifications (docs/email.md): the notifier that turns activity entries into jobs of
//! the email outbox, the daily digests, and the sender's claims and attempts.
//!
//! **The notifier** follows the activity feed (`sql/activity.rs`) after the position kept in
//! `email_cursor`. One pass is one transaction: it locks the cursor row (on PostgreSQL
//! `FOR UPDATE SKIP LOCKED`, so a second node skips the pass instead of reading the same
//! entries; on SQLite the one writer serializes), reads the entries after it in commit order,
//! queues a job per recipient and moves the cursor past them. The jobs and the cursor commit
//! together, and a job's key `(event_key, recipient)` is UNIQUE: an entry is turned into mails
//! once, whatever crashes or nodes come between. Who hears of what is decided by
//! `docket_domain::notify`.
//!
//! **The sender** claims due jobs with a lease, like the webhook dispatcher
//! (`sql/deliveries.rs`): the claim pushes `next_attempt_at` past the lease in the statement that
//! picks the rows (PostgreSQL: `FOR UPDATE SKIP LOCKED`), and an attempt is recorded only on the
//! job whose `attempts` is still the claimed one.

use docket_domain::ids;
use docket_domain::notify::{self, Candidate, EmailPreference, Notice};
use serde_json::json;
use sqlx::{FromRow, Pool};

use super::{Db, IS_PG};
use crate::model::{DigestMember, DigestRequest, EmailJob, EmailOutcome, NotifyPass};

type Conn = <Db as sqlx::Database>::Connection;

const COLS: &str = "id, event_key, recipient, org_id, kind, task_id, to_address, payload, status, attempts, \
                    next_attempt_at, first_attempt_at, last_error, created_at, sent_at";

/// An activity entry as the notifier reads it.
#[derive(Debug, FromRow)]
struct Entry {
    id: i64,
    org_id: String,
    #[sqlx(rename = "type")]
    kind: String,
    verb: String,
    actor_id: Option<i64>,
    actor_guest_id: Option<i64>,
    task_id: Option<String>,
    title: String,
    body: Option<String>,
    created_at: i64,
}

/// A person assigned to a task, as a possible recipient.
#[derive(Debug, FromRow)]
struct Assignee {
    /// `user:<id>` or `guest:<id>`.
    recipient: String,
    member: Option<i64>,
    guest: Option<i64>,
    email: String,
    preference: Option<String>,
    active: bool,
}

impl Assignee {
    fn candidate(&self) -> Candidate {
        Candidate {
            member: self.member,
            guest: self.guest,
            preference: self
                .preference
                .as_deref()
                .map_or(EmailPreference::Instant, EmailPreference::stored),
            assigned: true,
            active: self.active,
        }
    }
}

/// Whether the activity has entries after the notifier's cursor, or not yet numbered (a cheap
/// read before a pass through the writer).
pub(crate) async fn activity_pending(pool: &Pool<Db>) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM activity WHERE id IS NULL)
             OR EXISTS (SELECT 1 FROM activity
                         WHERE id > (SELECT after_id FROM email_cursor WHERE name = 'notifier'))",
    )
    .fetch_one(pool)
    .await
}

/// One notifier pass: the entries after the cursor (at most `limit`), jobs for those made at or
/// after `oldest` (older ones are passed without mail: a backlog is not mailed late), the
/// cursor moved past them.
pub(crate) async fn notify_pass(pool: &Pool<Db>, limit: i64, now: i64, oldest: i64) -> Result<NotifyPass, sqlx::Error> {
    super::activity::sequence(pool).await?;
    let mut tx = pool.begin().await?;
    let lock = if IS_PG { "FOR UPDATE SKIP LOCKED" } else { "" };
    let cursor: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT after_id FROM email_cursor WHERE name = 'notifier' {lock}"
    ))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(after) = cursor else {
        return Ok(NotifyPass {
            busy: true,
            ..NotifyPass::default()
        });
    };
    let entries = sqlx::query_as::<_, Entry>(
        "SELECT a.id, a.org_id, a.type, a.verb, a.actor_id, a.actor_guest_id, a.task_id, a.title, a.body, a.created_at
           FROM activity a WHERE a.id > $1 ORDER BY a.id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    let Some(last) = entries.last().map(|e| e.id) else {
        return Ok(NotifyPass::default());
    };
    let mut jobs = 0;
    for e in &entries {
        let (Some(notice), Some(task_id)) = (Notice::of_entry(&e.kind, &e.verb), e.task_id.as_deref()) else {
            continue;
        };
        jobs += queue_notice(&mut tx, e, notice, task_id, now, e.created_at >= oldest).await?;
    }
    sqlx::query("UPDATE email_cursor SET after_id = $1 WHERE name = 'notifier'")
        .bind(last)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(NotifyPass {
        entries: entries.len(),
        jobs,
        busy: false,
    })
}

/// The people assigned to `task_id` now: its members (directly, or with `groups` through its
/// groups too) with their choice, and its guests.
async fn assignees(conn: &mut Conn, org: &str, task_id: &str, groups: bool) -> Result<Vec<Assignee>, sqlx::Error> {
    let via_groups = if groups {
        "UNION SELECT m.user_id FROM task_groups x JOIN group_members m ON m.group_id = x.group_id WHERE x.task_id = $1"
    } else {
        ""
    };
    let sql = format!(
        "SELECT 'user:' || CAST(u.id AS TEXT) AS recipient, u.id AS member, CAST(NULL AS BIGINT) AS guest, u.email, m.email_notifications AS preference,
                (m.status = 'active') AS active
           FROM (SELECT user_id FROM task_users WHERE task_id = $1 {via_groups}) a
           JOIN users u ON u.id = a.user_id
           JOIN memberships m ON m.org_id = $2 AND m.user_id = u.id
         UNION ALL
         SELECT 'guest:' || CAST(g.id AS TEXT), NULL, g.id, g.email, NULL, (g.disabled_at IS NULL)
           FROM task_guests x JOIN guests g ON g.id = x.guest_id WHERE x.task_id = $1"
    );
    sqlx::query_as::<_, Assignee>(&sql)
        .bind(task_id)
        .bind(org)
        .fetch_all(&mut *conn)
        .await
}

/// Queues the mails of one entry's `notice` about `task_id` (none unless `send`); returns how
/// many. An assignment goes to those assigned now whom the notifier had not yet seen assigned
/// (`email_task_owners`, refreshed here); a comment or problem to every assignee.
async fn queue_notice(
    conn: &mut Conn,
    e: &Entry,
    notice: Notice,
    task_id: &str,
    now: i64,
    send: bool,
) -> Result<usize, sqlx::Error> {
    let mut people = assignees(&mut *conn, &e.org_id, task_id, notice != Notice::Assignment).await?;
    if notice == Notice::Assignment {
        let known: Vec<String> = sqlx::query_scalar("SELECT recipient FROM email_task_owners WHERE task_id = $1")
            .bind(task_id)
            .fetch_all(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM email_task_owners WHERE task_id = $1")
            .bind(task_id)
            .execute(&mut *conn)
            .await?;
        for p in &people {
            sqlx::query("INSERT INTO email_task_owners (task_id, recipient) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(task_id)
                .bind(&p.recipient)
                .execute(&mut *conn)
                .await?;
        }
        people.retain(|p| !known.contains(&p.recipient));
    }
    if !send {
        return Ok(0);
    }
    people.retain(|p| notify::hears_instantly(&p.candidate(), e.actor_id, e.actor_guest_id));
    if people.is_empty() {
        return Ok(0);
    }
    let actor: Option<(String, String)> = match (e.actor_id, e.actor_guest_id) {
        (Some(id), _) => {
            sqlx::query_as("SELECT first_name, last_name FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
        }
        // A guest is named by their name, else their email.
        (None, Some(id)) => sqlx::query_as(
            "SELECT COALESCE(first_name, ''), CASE WHEN COALESCE(first_name, '') = '' AND COALESCE(last_name, '') = ''
                     THEN email ELSE COALESCE(last_name, '') END
                   FROM guests WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?,
        (None, None) => None,
    };
    let actor = actor.map(|(f, l)| format!("{f} {l}").trim().to_string());
    let text = e.body.as_deref().map(|b| b.chars().take(4000).collect::<String>());
    let payload = json!({"title": e.title, "actor": actor, "text": text}).to_string();
    let event_key = format!("activity:{}", e.id);
    let mut queued = 0;
    for p in &people {
        queued += insert_job(
            &mut *conn,
            &NewJob {
                event_key: &event_key,
                recipient: &p.recipient,
                org_id: &e.org_id,
                kind: notice.as_str(),
                task_id: Some(task_id),
                to_address: &p.email,
                payload: &payload,
                status: "pending",
                now,
            },
        )
        .await?;
    }
    Ok(queued)
}

struct NewJob<'a> {
    event_key: &'a str,
    recipient: &'a str,
    org_id: &'a str,
    kind: &'a str,
    task_id: Option<&'a str>,
    to_address: &'a str,
    payload: &'a str,
    status: &'a str,
    now: i64,
}

/// Inserts a job unless one of the same key exists; 1 if it did.
async fn insert_job(conn: &mut Conn, j: &NewJob<'_>) -> Result<usize, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO email_outbox (id, event_key, recipient, org_id, kind, task_id, to_address, payload, status,
                                   attempts, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $10)
         ON CONFLICT (event_key, recipient) DO NOTHING",
    )
    .bind(ids::new_id32())
    .bind(j.event_key)
    .bind(j.recipient)
    .bind(j.org_id)
    .bind(j.kind)
    .bind(j.task_id)
    .bind(j.to_address)
    .bind(j.payload)
    .bind(j.status)
    .bind(j.now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(done as usize)
}

/// The active members who chose the daily digest.
pub(crate) async fn digest_members(pool: &Pool<Db>) -> Result<Vec<DigestMember>, sqlx::Error> {
    sqlx::query_as::<_, DigestMember>(
        "SELECT m.org_id, m.user_id, u.profile, o.timezone AS org_timezone
           FROM memberships m JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.org_id
          WHERE m.email_notifications = 'daily' AND m.status = 'active'
          ORDER BY m.org_id, m.user_id",
    )
    .fetch_all(pool)
    .await
}

/// The digest keys (`event_key`, `recipient`) already queued since `since`.
pub(crate) async fn digests_since(pool: &Pool<Db>, since: i64) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT event_key, recipient FROM email_outbox WHERE kind = 'digest' AND created_at >= $1")
        .bind(since)
        .fetch_all(pool)
        .await
}

/// Queues the digest of `r` unless it exists: the member's open tasks overdue or due within a
/// day, at most 100, soonest first (a digest with none is recorded `empty`, and not sent).
/// Whether a job was made.
pub(crate) async fn queue_digest(pool: &Pool<Db>, r: &DigestRequest) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let event_key = format!("digest:{}:{}", r.org_id, r.date);
    let recipient = format!("user:{}", r.user_id);
    let exists: Option<String> =
        sqlx::query_scalar("SELECT id FROM email_outbox WHERE event_key = $1 AND recipient = $2")
            .bind(&event_key)
            .bind(&recipient)
            .fetch_optional(&mut *tx)
            .await?;
    if exists.is_some() {
        return Ok(false);
    }
    let member: Option<(String, String)> = sqlx::query_as(
        "SELECT u.email, m.email_notifications FROM memberships m JOIN users u ON u.id = m.user_id
          WHERE m.org_id = $1 AND m.user_id = $2 AND m.status = 'active'",
    )
    .bind(&r.org_id)
    .bind(r.user_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((email, preference)) = member else {
        return Ok(false);
    };
    if EmailPreference::stored(&preference) != EmailPreference::Daily {
        return Ok(false);
    }
    let tasks: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT t.id, t.title, t.deadline FROM member_tasks mt JOIN tasks t ON t.id = mt.id
          WHERE mt.org_id = $1 AND mt.user_id = $2 AND mt.status IN ('not-started', 'in-progress')
            AND mt.archived_at IS NULL AND mt.deadline <= $3
          ORDER BY mt.deadline, mt.increment_id LIMIT 100",
    )
    .bind(&r.org_id)
    .bind(r.user_id)
    .bind(r.now + notify::DUE_SOON_MS)
    .fetch_all(&mut *tx)
    .await?;
    let listed: Vec<serde_json::Value> = tasks
        .iter()
        .filter_map(|(id, title, deadline)| {
            notify::digest_standing(*deadline, r.now)
                .map(|overdue| json!({"id": id, "title": title, "deadline": deadline, "overdue": overdue}))
        })
        .collect();
    let status = if listed.is_empty() { "empty" } else { "pending" };
    let payload = json!({"date": r.date, "tasks": listed}).to_string();
    let made = insert_job(
        &mut tx,
        &NewJob {
            event_key: &event_key,
            recipient: &recipient,
            org_id: &r.org_id,
            kind: "digest",
            task_id: None,
            to_address: &email,
            payload: &payload,
            status,
            now: r.now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(made > 0 && status == "pending")
}

/// Whether any job is due at `now`.
pub(crate) async fn any_due(pool: &Pool<Db>, now: i64) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT next_attempt_at FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= $1 LIMIT 1",
    )
    .bind(now)
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}

/// Claims up to `limit` jobs due at `now`, leasing them until `lease_until`.
pub(crate) async fn claim_due(
    pool: &Pool<Db>,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<EmailJob>, sqlx::Error> {
    super::deliveries::claim_leased(pool, "email_outbox", COLS, now, lease_until, limit).await
}

/// Records an attempt and advances its job; false when the job had moved on (its lease ran out
/// and another sender recorded this attempt).
pub(crate) async fn finish_attempt(pool: &Pool<Db>, o: &EmailOutcome) -> Result<bool, sqlx::Error> {
    let (status, next, sent_at) = match (&o.error, o.retry_at) {
        (None, _) => ("sent", o.at, Some(o.at)),
        (Some(_), Some(t)) => ("pending", t, None),
        (Some(_), None) => ("failed", o.at, None),
    };
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE email_outbox SET attempts = $2, status = $3, next_attempt_at = $4, sent_at = $5, last_error = $6,
                first_attempt_at = $7
          WHERE id = $1 AND attempts = $8 AND status = 'pending'",
    )
    .bind(&o.job_id)
    .bind(o.attempt)
    .bind(status)
    .bind(next)
    .bind(sent_at)
    .bind(&o.error)
    .bind(o.first_attempt_at)
    .bind(o.attempt - 1)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        > 0;
    sqlx::query(
        "INSERT INTO email_attempts (job_id, attempt, at, error) VALUES ($1, $2, $3, $4)
         ON CONFLICT (job_id, attempt) DO NOTHING",
    )
    .bind(&o.job_id)
    .bind(o.attempt)
    .bind(o.at)
    .bind(&o.error)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done)
}

/// The code of guest `guest_id` (for the link of a mail being sent; never stored in a job).
pub(crate) async fn guest_code(pool: &Pool<Db>, guest_id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT guest_code FROM guests WHERE id = $1 AND disabled_at IS NULL")
        .bind(guest_id)
        .fetch_optional(pool)
        .await
}

/// Deletes finished jobs (sent, failed, empty) created before `before`; how many.
pub(crate) async fn prune(pool: &Pool<Db>, before: i64) -> Result<u64, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "DELETE FROM email_attempts WHERE job_id IN
           (SELECT id FROM email_outbox WHERE status <> 'pending' AND created_at < $1)",
    )
    .bind(before)
    .execute(&mut *tx)
    .await?;
    let n = sqlx::query("DELETE FROM email_outbox WHERE status <> 'pending' AND created_at < $1")
        .bind(before)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(n)
}

/// Sets `user_id`'s choice in `org`; false when they are not a member.
pub(crate) async fn set_preference(
    pool: &Pool<Db>,
    org: &str,
    user_id: i64,
    preference: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "UPDATE memberships SET email_notifications = $3, updated_at = $4 WHERE org_id = $1 AND user_id = $2",
    )
    .bind(org)
    .bind(user_id)
    .bind(preference)
    .bind(now)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(n > 0)
}
