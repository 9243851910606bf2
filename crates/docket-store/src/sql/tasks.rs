//! Tasks: assignees, tags and batch loading of tasks with their assignees, captures and
//! completion records (the create is in `task_create.rs`).

use std::collections::HashMap;

use docket_domain::ids;
use sqlx::Pool;

use super::{Db, IS_PG, counters};
use crate::model::{CaptureRow, GuestRef, TaskRecord, TaskRow};

/// The columns of [`TaskRow`], over `tasks t JOIN organizations o LEFT JOIN runs r`.
pub(crate) const TASK_COLS: &str = "t.id, t.org_id, t.increment_id, t.run_id, t.position, t.title, t.original_title,
    t.summary, t.task_type, t.status, t.is_approved, t.started_at, t.deadline, t.created_at, t.last_updated,
    t.completed_at, t.archived_at, t.starter_id, t.completer_id,
    (SELECT cg.email FROM guests cg WHERE cg.id = t.completer_guest_id) AS completer_guest, t.everyone_must_complete,
    t.can_complete_only_assignees, t.max_assignable, t.webhook, t.prevent_guest_comment, t.top_secret, t.problem,
    t.is_soft_start_date, t.version, r.status AS run_status,
    CASE WHEN t.run_id IS NULL THEN NULL ELSE COALESCE(t.checklist_id, r.checklist_id, o.misc_template_id) END AS checklist_id,
    t.step_id, t.alias, t.blueprint_position, t.allow_guest_owners";

/// `FROM` clause matching [`TASK_COLS`].
pub(crate) const TASK_FROM: &str =
    "tasks t JOIN organizations o ON o.id = t.org_id LEFT JOIN runs r ON r.id = t.run_id";

/// `$from, $from+1, …` for `n` bound values.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

type Conn = <Db as sqlx::Database>::Connection;

/// Replaces a task's direct assignees.
pub(crate) async fn write_owners(
    conn: &mut Conn,
    task_id: &str,
    users: &[i64],
    guests: &[i64],
    groups: &[String],
) -> Result<(), sqlx::Error> {
    for table in ["task_users", "task_guests", "task_groups"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE task_id = $1"))
            .bind(task_id)
            .execute(&mut *conn)
            .await?;
    }
    insert_owners(conn, task_id, users, guests, groups).await
}

/// Adds direct assignees to a task that has none (a new one).
pub(crate) async fn insert_owners(
    conn: &mut Conn,
    task_id: &str,
    users: &[i64],
    guests: &[i64],
    groups: &[String],
) -> Result<(), sqlx::Error> {
    for (i, u) in users.iter().enumerate() {
        sqlx::query("INSERT INTO task_users (task_id, user_id, position) VALUES ($1, $2, $3)")
            .bind(task_id)
            .bind(u)
            .bind(i as i64)
            .execute(&mut *conn)
            .await?;
    }
    for (i, g) in guests.iter().enumerate() {
        sqlx::query("INSERT INTO task_guests (task_id, guest_id, position) VALUES ($1, $2, $3)")
            .bind(task_id)
            .bind(g)
            .bind(i as i64)
            .execute(&mut *conn)
            .await?;
    }
    for (i, g) in groups.iter().enumerate() {
        sqlx::query("INSERT INTO task_groups (task_id, group_id, position) VALUES ($1, $2, $3)")
            .bind(task_id)
            .bind(g)
            .bind(i as i64)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The id of the tag of `org` titled `title` (ignoring case), creating it if needed.
pub(crate) async fn ensure_tag(conn: &mut Conn, org: &str, title: &str, now: i64) -> Result<String, sqlx::Error> {
    let key = title.to_lowercase();
    let found: Option<String> = sqlx::query_scalar("SELECT id FROM tags WHERE org_id = $1 AND title_key = $2")
        .bind(org)
        .bind(&key)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(id) = found {
        return Ok(id);
    }
    // Two writes naming the same new title may race: on PostgreSQL the second insert waits for
    // the first transaction and then does nothing, and the select after it sees the winner's row.
    sqlx::query(
        "INSERT INTO tags (id, org_id, title, title_key, color, created_at, updated_at) VALUES ($1, $2, $3, $4, NULL, $5, $5)
         ON CONFLICT (org_id, title_key) DO NOTHING",
    )
    .bind(ids::new_id32())
    .bind(org)
    .bind(title)
    .bind(&key)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar("SELECT id FROM tags WHERE org_id = $1 AND title_key = $2")
        .bind(org)
        .bind(&key)
        .fetch_one(&mut *conn)
        .await
}

/// Attaches a tag to a run or task (no-op if attached); returns the association id.
pub(crate) async fn link_tag(
    conn: &mut Conn,
    org: &str,
    tag_id: &str,
    subject_type: &str,
    subject_id: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let existing: Option<i64> =
        sqlx::query_scalar("SELECT id FROM tag_links WHERE tag_id = $1 AND subject_type = $2 AND subject_id = $3")
            .bind(tag_id)
            .bind(subject_type)
            .bind(subject_id)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let id = counters::next(&mut *conn, "tag_link_id").await?;
    sqlx::query(
        "INSERT INTO tag_links (id, org_id, tag_id, subject_type, subject_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(org)
    .bind(tag_id)
    .bind(subject_type)
    .bind(subject_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Loads tasks of `org` by id, in the order of `task_ids` (missing ids are skipped).
pub(crate) async fn load(pool: &Pool<Db>, org: &str, task_ids: &[String]) -> Result<Vec<TaskRecord>, sqlx::Error> {
    if task_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut conn = pool.acquire().await?;
    load_in(&mut conn, org, task_ids).await
}

/// [`load`] on a given connection, so that a transaction can read what it just wrote.
pub(crate) async fn load_in(conn: &mut Conn, org: &str, task_ids: &[String]) -> Result<Vec<TaskRecord>, sqlx::Error> {
    if task_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ph = placeholders(2, task_ids.len());
    // The organization filter keeps another organization's ids out.
    let sql = format!("SELECT {TASK_COLS} FROM {TASK_FROM} WHERE t.org_id = $1 AND t.id IN ({ph})");
    let mut q = sqlx::query_as::<_, TaskRow>(&sql).bind(org);
    for id in task_ids {
        q = q.bind(id);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let found: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut by_id: HashMap<String, TaskRecord> = rows
        .into_iter()
        .map(|row| {
            let rec = TaskRecord {
                row,
                users: Vec::new(),
                guests: Vec::new(),
                groups: Vec::new(),
                group_users: Vec::new(),
                group_guests: Vec::new(),
                captures: Vec::new(),
                completions: Vec::new(),
                guest_ids: Vec::new(),
                guest_completions: Vec::new(),
            };
            (rec.row.id.clone(), rec)
        })
        .collect();
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let ph = placeholders(1, found.len());
    macro_rules! fetch {
        ($ty:ty, $sql:expr) => {{
            let sql: String = $sql;
            let mut q = sqlx::query_as::<_, $ty>(&sql);
            for id in &found {
                q = q.bind(id);
            }
            q.fetch_all(&mut *conn).await?
        }};
    }
    // Every assignee kind and the completion records in one statement (a read of one task is
    // three statements in all): (kind, task, integer, email or group id, guest code, order keys).
    let assignees = format!(
        "SELECT CAST(0 AS BIGINT) AS kind, task_id, CAST(user_id AS BIGINT) AS n, CAST(NULL AS TEXT) AS a,
                CAST(NULL AS TEXT) AS b, CAST(position AS BIGINT) AS o1, CAST(0 AS BIGINT) AS o2
           FROM task_users WHERE task_id IN ({ph})
         UNION ALL
         SELECT 1, tg.task_id, g.id, g.email, g.guest_code, tg.position, 0
           FROM task_guests tg JOIN guests g ON g.id = tg.guest_id WHERE tg.task_id IN ({ph})
         UNION ALL
         SELECT 2, task_id, 0, group_id, NULL, position, 0 FROM task_groups WHERE task_id IN ({ph})
         UNION ALL
         SELECT 3, tg.task_id, gm.user_id, NULL, NULL, tg.position, gm.user_id
           FROM task_groups tg JOIN group_members gm ON gm.group_id = tg.group_id WHERE tg.task_id IN ({ph})
         UNION ALL
         SELECT 4, tg.task_id, g.id, g.email, g.guest_code, tg.position, gg.position
           FROM task_groups tg JOIN group_guests gg ON gg.group_id = tg.group_id JOIN guests g ON g.id = gg.guest_id
          WHERE tg.task_id IN ({ph})
         UNION ALL
         SELECT 5, task_id, user_id, NULL, NULL, created_at, user_id FROM task_completions WHERE task_id IN ({ph})
         UNION ALL
         SELECT 6, task_id, guest_id, NULL, NULL, created_at, guest_id FROM task_guest_completions
          WHERE task_id IN ({ph})
         ORDER BY 1, 2, 6, 7"
    );
    type Assignee = (i64, String, i64, Option<String>, Option<String>, i64, i64);
    for (kind, task_id, n, a, b, _, _) in fetch!(Assignee, assignees) {
        let Some(r) = by_id.get_mut(&task_id) else {
            continue;
        };
        let guest = || GuestRef {
            id: n,
            email: a.clone().unwrap_or_default(),
            guest_code: b.clone().unwrap_or_default(),
        };
        match kind {
            0 => r.users.push(n),
            1 => {
                r.guest_ids.push(n);
                r.guests.push(guest());
            }
            2 => r.groups.push(a.unwrap_or_default()),
            3 if !r.group_users.contains(&n) => r.group_users.push(n),
            4 if !r.group_guests.iter().any(|g| g.id == n) => r.group_guests.push(guest()),
            5 => r.completions.push(n),
            6 => r.guest_completions.push(n),
            _ => {}
        }
    }
    for c in fetch!(
        CaptureRow,
        format!(
            "SELECT id, task_id, label, alias, field_type, guidance, position, required, options, field_columns,
                default_value_enabled, default_value, value, created_at, last_updated
           FROM captures WHERE task_id IN ({ph}) ORDER BY task_id, position, created_at, id"
        )
    ) {
        if let Some(r) = by_id.get_mut(&c.task_id) {
            r.captures.push(c);
        }
    }
    Ok(task_ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// The ids of a run's tasks, by position.
pub(crate) async fn ids_of_run(pool: &Pool<Db>, org: &str, run_id: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM tasks WHERE org_id = $1 AND run_id = $2 ORDER BY position, created_at, id")
        .bind(org)
        .bind(run_id)
        .fetch_all(pool)
        .await
}

/// Locks a task for a write, in the one order every write path uses: its run first (if it has
/// one), then the task. (PostgreSQL only; SQLite's single writer serializes writes already.)
/// Returns whether the task exists in `org`.
pub(crate) async fn lock_for_write(conn: &mut Conn, org: &str, task_id: &str) -> Result<bool, sqlx::Error> {
    if !IS_PG {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tasks WHERE id = $1 AND org_id = $2")
            .bind(task_id)
            .bind(org)
            .fetch_one(&mut *conn)
            .await?;
        return Ok(n > 0);
    }
    let run_id: Option<Option<String>> = sqlx::query_scalar("SELECT run_id FROM tasks WHERE id = $1 AND org_id = $2")
        .bind(task_id)
        .bind(org)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(run_id) = run_id else { return Ok(false) };
    if let Some(run_id) = run_id {
        sqlx::query("SELECT id FROM runs WHERE id = $1 FOR UPDATE")
            .bind(run_id)
            .execute(&mut *conn)
            .await?;
    }
    let found: Option<String> = sqlx::query_scalar("SELECT id FROM tasks WHERE id = $1 AND org_id = $2 FOR UPDATE")
        .bind(task_id)
        .bind(org)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.is_some())
}
