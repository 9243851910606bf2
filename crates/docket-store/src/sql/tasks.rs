//! Tasks: the create of spec T1 (standalone, fan-out run, added to a run) in one transaction,
//! and batch loading of tasks with their assignees, captures and completion records.

use std::collections::HashMap;

use docket_domain::ids;
use sqlx::Pool;

use super::{Db, IS_PG, counters, guests, runs};
use crate::StoreError;
use crate::model::{CaptureRow, CreateTasks, Created, GuestRef, RunRefusal, RunTarget, TagTarget, TaskRecord, TaskRow};

/// The columns of [`TaskRow`], over `tasks t JOIN organizations o LEFT JOIN runs r`.
pub(crate) const TASK_COLS: &str = "t.id, t.org_id, t.increment_id, t.run_id, t.position, t.title, t.original_title,
    t.summary, t.task_type, t.status, t.is_approved, t.started_at, t.deadline, t.created_at, t.last_updated,
    t.completed_at, t.archived_at, t.starter_id, t.completer_id, t.everyone_must_complete,
    t.can_complete_only_assignees, t.max_assignable, t.webhook, t.prevent_guest_comment, t.top_secret, t.problem,
    t.is_soft_start_date, t.version, r.status AS run_status,
    CASE WHEN t.run_id IS NULL THEN NULL ELSE o.misc_template_id END AS checklist_id";

/// `FROM` clause matching [`TASK_COLS`].
pub(crate) const TASK_FROM: &str =
    "tasks t JOIN organizations o ON o.id = t.org_id LEFT JOIN runs r ON r.id = t.run_id";

/// `$from, $from+1, …` for `n` bound values.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

type Conn = <Db as sqlx::Database>::Connection;

/// The `INSERT INTO tasks` of a task of a create, numbered by `increment` (SQL); the values
/// are bound by [`bind_task`].
fn insert_task_sql(increment: &str) -> String {
    format!(
        "INSERT INTO tasks (id, org_id, increment_id, run_id, position, title, original_title, summary,
             task_type, status, started_at, deadline, created_at, last_updated, starter_id,
             everyone_must_complete, can_complete_only_assignees, max_assignable, webhook,
             prevent_guest_comment, top_secret, is_soft_start_date)
         VALUES ($1, $2, {increment}, $4, $5, $6, $6, $7, $8, 'not-started', $9, $10, $11, $11, $12, $13,
             $14, $15, $16, $17, $18, $19)"
    )
}

/// `INSERT INTO task_users` of `n` members of task $1, bound from $20 on (after [`bind_task`]);
/// empty for none.
fn insert_users_sql(n: usize) -> String {
    if n == 0 {
        return String::new();
    }
    let rows: Vec<String> = (0..n).map(|k| format!("($1, ${}, {k})", 20 + k)).collect();
    format!(
        "INSERT INTO task_users (task_id, user_id, position) VALUES {};",
        rows.join(", ")
    )
}

type Scalar<'q> = sqlx::query::QueryScalar<'q, Db, i64, <Db as sqlx::Database>::Arguments<'q>>;

/// Binds $1–$19 of [`insert_task_sql`]: the task `task_id` of `c`, numbered `increment_id` (when
/// the SQL does not number it itself), in `run_id` at `position`.
fn bind_task<'q>(
    q: Scalar<'q>,
    c: &'q CreateTasks,
    task_id: &'q str,
    increment_id: i64,
    run_id: &'q Option<String>,
    position: i64,
) -> Scalar<'q> {
    let s = &c.spec;
    q.bind(task_id)
        .bind(&c.org_id)
        .bind(increment_id)
        .bind(run_id)
        .bind(position)
        .bind(&s.title)
        .bind(&s.summary)
        .bind(&s.task_type)
        .bind(s.started_at)
        .bind(s.deadline)
        .bind(c.now)
        .bind(c.starter_id)
        .bind(s.everyone_must_complete)
        .bind(s.can_complete_only_assignees)
        .bind(s.max_assignable)
        .bind(&s.webhook)
        .bind(s.prevent_guest_comment)
        .bind(s.top_secret)
        .bind(s.is_soft_start_date)
}

/// Whether `c` is the common create that [`create_at_once`] makes: on SQLite, one standalone
/// task whose assignees are members, without tags or form fields.
fn at_once(c: &CreateTasks) -> bool {
    !IS_PG
        && matches!(c.target, RunTarget::Standalone)
        && c.tags.is_empty()
        && c.form_fields.is_empty()
        && matches!(c.owners.as_slice(), [o] if o.guests.is_empty() && o.groups.is_empty())
}

/// [`create`] of an [`at_once`] create in one round trip to the writer: the transaction, its
/// statements and the read of the new number are one batch, which the connection's thread runs
/// in one go. (SQLite has one writer connection, and each round trip to it is time in which no
/// other write can use it: three of them held it for about two thirds of a create.)
async fn create_at_once(pool: &Pool<Db>, c: &CreateTasks) -> Result<Created, StoreError> {
    // Spawned, so that it runs to the end even if the request goes away: a batch stopped between
    // its BEGIN and its COMMIT would leave the connection inside a transaction.
    let (pool, c) = (pool.clone(), c.clone());
    tokio::spawn(async move {
        let task_id = ids::new_id32();
        let users = &c.owners[0].users;
        let sql = format!(
            "BEGIN IMMEDIATE;
             UPDATE organizations SET task_seq = task_seq + 1 WHERE id = $2;
             {}; {}
             COMMIT;
             SELECT increment_id FROM tasks WHERE id = $1",
            insert_task_sql("(SELECT task_seq FROM organizations WHERE id = $2)"),
            insert_users_sql(users.len())
        );
        let no_run = None;
        let mut q = bind_task(sqlx::query_scalar(&sql), &c, &task_id, 0, &no_run, 1);
        for u in users {
            q = q.bind(u);
        }
        let mut conn = pool.acquire().await?;
        match q.fetch_one(&mut *conn).await {
            Ok(increment_id) => Ok(Created {
                first: Some(as_written(&c, &task_id, increment_id, users, Vec::new())),
                task_ids: vec![task_id],
                run_id: None,
            }),
            Err(e) => {
                // Undo whatever ran; a connection that cannot is not used again.
                if let Err(r) = sqlx::query("ROLLBACK").execute(&mut *conn).await
                    && !r.to_string().contains("no transaction is active")
                {
                    let _ = conn.close().await;
                }
                Err(e.into())
            }
        }
    })
    .await
    .map_err(StoreError::other)?
}

/// Creates the tasks of `c`. `Ok(Err(_))` when the target run is missing or archived.
pub(crate) async fn create(pool: &Pool<Db>, c: &CreateTasks) -> Result<Result<Created, RunRefusal>, StoreError> {
    if at_once(c) {
        return create_at_once(pool, c).await.map(Ok);
    }
    let mut tx = pool.begin().await?;
    let now = c.now;

    // Guests named by email become guests of the organization if they are not yet.
    let mut emails: Vec<String> = Vec::new();
    for email in c.owners.iter().flat_map(|o| o.guests.iter()) {
        if !emails.contains(email) {
            emails.push(email.clone());
        }
    }
    let ids_of_emails = guests::ensure(&mut tx, &c.org_id, &emails, now).await?;
    let guest_ids: HashMap<String, i64> = emails.into_iter().zip(ids_of_emails).collect();
    let mut tag_ids = Vec::new();
    for t in &c.tags {
        let id = match t {
            TagTarget::Id(id) => id.clone(),
            TagTarget::Title(title) => ensure_tag(&mut tx, &c.org_id, title, now).await?,
        };
        if !tag_ids.contains(&id) {
            tag_ids.push(id);
        }
    }

    let n = c.owners.len() as i64;
    let (run_id, first_position) = match &c.target {
        RunTarget::Standalone => (None, 1),
        RunTarget::NewRun => {
            let run_id = ids::new_id32();
            let seq: i64 =
                sqlx::query_scalar("UPDATE organizations SET run_seq = run_seq + 1 WHERE id = $1 RETURNING run_seq")
                    .bind(&c.org_id)
                    .fetch_one(&mut *tx)
                    .await?;
            sqlx::query(
                "INSERT INTO runs (id, org_id, increment_id, name, summary, owner_id, started_by, status,
                     prerun_completed_at, prerun_completed_by, started_at, created_at, last_updated)
                 VALUES ($1, $2, $3, $4, $5, $6, $6, 'active', $7, $6, $8, $7, $7)",
            )
            .bind(&run_id)
            .bind(&c.org_id)
            .bind(seq)
            .bind(&c.spec.title)
            .bind(&c.spec.summary)
            .bind(c.starter_id)
            .bind(now)
            .bind(c.spec.started_at)
            .execute(&mut *tx)
            .await?;
            (Some(run_id), 1)
        }
        RunTarget::Existing { run_id, position } => {
            let lock = if IS_PG { " FOR UPDATE" } else { "" };
            let archived: Option<Option<i64>> = sqlx::query_scalar(&format!(
                "SELECT archived_at FROM runs WHERE id = $1 AND org_id = $2{lock}"
            ))
            .bind(run_id)
            .bind(&c.org_id)
            .fetch_optional(&mut *tx)
            .await?;
            match archived {
                None => return Ok(Err(RunRefusal::Missing)),
                Some(Some(_)) => return Ok(Err(RunRefusal::Archived)),
                Some(None) => {}
            }
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tasks WHERE run_id = $1")
                .bind(run_id)
                .fetch_one(&mut *tx)
                .await?;
            let p = position.unwrap_or(count + 1).clamp(1, count + 1);
            sqlx::query("UPDATE tasks SET position = position + $2 WHERE run_id = $1 AND position >= $3")
                .bind(run_id)
                .bind(n)
                .bind(p)
                .execute(&mut *tx)
                .await?;
            (Some(run_id.clone()), p)
        }
    };

    // On SQLite a single task is numbered and inserted with its member assignees in one batch
    // of statements, which the connection's thread runs in one go: the writer is one
    // connection, and every round trip to it is time no other write can use (BENCHMARKS.md).
    let one_batch = !IS_PG && c.owners.len() == 1;
    let last: i64 = if one_batch {
        0
    } else {
        sqlx::query_scalar("UPDATE organizations SET task_seq = task_seq + $2 WHERE id = $1 RETURNING task_seq")
            .bind(&c.org_id)
            .bind(n)
            .fetch_one(&mut *tx)
            .await?
    };
    let mut task_ids = Vec::with_capacity(c.owners.len());
    let mut first = None;
    let mut increment_id = last - n;
    for (i, owners) in c.owners.iter().enumerate() {
        let task_id = ids::new_id32();
        let mut captures = Vec::new();
        increment_id += 1;
        let sql = if one_batch {
            // $3 is not used: the number comes from the organization's sequence.
            format!(
                "UPDATE organizations SET task_seq = task_seq + 1 WHERE id = $2;
                 {}; {}
                 SELECT increment_id FROM tasks WHERE id = $1",
                insert_task_sql("(SELECT task_seq FROM organizations WHERE id = $2)"),
                insert_users_sql(owners.users.len())
            )
        } else {
            format!("{} RETURNING increment_id", insert_task_sql("$3"))
        };
        let mut q = bind_task(
            sqlx::query_scalar(&sql),
            c,
            &task_id,
            increment_id,
            &run_id,
            first_position + i as i64,
        );
        if one_batch {
            for u in &owners.users {
                q = q.bind(u);
            }
        }
        increment_id = q.fetch_one(&mut *tx).await?;
        let guests: Vec<i64> = owners.guests.iter().filter_map(|e| guest_ids.get(e).copied()).collect();
        let users: &[i64] = if one_batch { &[] } else { &owners.users };
        insert_owners(&mut tx, &task_id, users, &guests, &owners.groups).await?;
        for f in &c.form_fields {
            let capture = CaptureRow {
                id: ids::new_id32(),
                task_id: task_id.clone(),
                label: f.label.clone(),
                alias: f.alias.clone(),
                field_type: f.field_type.clone(),
                guidance: f.guidance.clone(),
                position: f.position,
                required: f.required,
                options: docket_domain::form_field::options_json(&f.options),
                field_columns: docket_domain::form_field::columns_json(&f.columns),
                default_value_enabled: f.default_value_enabled,
                default_value: (!f.default_value.is_null()).then(|| f.default_value.to_string()),
                value: None,
                created_at: now,
                last_updated: now,
            };
            sqlx::query(
                "INSERT INTO captures (id, task_id, label, alias, field_type, guidance, position, required, options,
                     field_columns, default_value_enabled, default_value, value, created_at, last_updated)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, $13, $13)",
            )
            .bind(&capture.id)
            .bind(&task_id)
            .bind(&capture.label)
            .bind(&capture.alias)
            .bind(&capture.field_type)
            .bind(&capture.guidance)
            .bind(capture.position)
            .bind(capture.required)
            .bind(&capture.options)
            .bind(&capture.field_columns)
            .bind(capture.default_value_enabled)
            .bind(&capture.default_value)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            captures.push(capture);
        }
        for tag_id in &tag_ids {
            link_tag(&mut tx, &c.org_id, tag_id, "Task", &task_id, now).await?;
        }
        if i == 0 && run_id.is_none() && owners.guests.is_empty() && owners.groups.is_empty() {
            first = Some(as_written(c, &task_id, increment_id, &owners.users, captures));
        }
        task_ids.push(task_id);
    }
    if let Some(run_id) = &run_id {
        runs::refresh(&mut tx, run_id, now).await?;
    }
    tx.commit().await?;
    Ok(Ok(Created {
        task_ids,
        run_id,
        first,
    }))
}

/// The first task of `c` as written (see [`Created::first`]): numbered `increment_id`, assigned
/// to `users`, with `captures` in the order `load` reads them.
fn as_written(
    c: &CreateTasks,
    task_id: &str,
    increment_id: i64,
    users: &[i64],
    mut captures: Vec<CaptureRow>,
) -> TaskRecord {
    let s = &c.spec;
    captures.sort_by(|a, b| (a.position, &a.id).cmp(&(b.position, &b.id)));
    TaskRecord {
        row: TaskRow {
            id: task_id.to_string(),
            org_id: c.org_id.clone(),
            increment_id,
            run_id: None,
            position: 1,
            title: s.title.clone(),
            original_title: s.title.clone(),
            summary: s.summary.clone(),
            task_type: s.task_type.clone(),
            status: "not-started".into(),
            is_approved: None,
            started_at: s.started_at,
            deadline: s.deadline,
            created_at: c.now,
            last_updated: c.now,
            completed_at: None,
            archived_at: None,
            starter_id: Some(c.starter_id),
            completer_id: None,
            everyone_must_complete: s.everyone_must_complete,
            can_complete_only_assignees: s.can_complete_only_assignees,
            max_assignable: s.max_assignable,
            webhook: s.webhook.clone(),
            prevent_guest_comment: s.prevent_guest_comment,
            top_secret: s.top_secret,
            problem: false,
            is_soft_start_date: s.is_soft_start_date,
            version: 1,
            run_status: None,
            checklist_id: None,
        },
        users: users.to_vec(),
        guests: Vec::new(),
        groups: Vec::new(),
        group_users: Vec::new(),
        group_guests: Vec::new(),
        captures,
        completions: Vec::new(),
    }
}

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
async fn insert_owners(
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
            1 => r.guests.push(guest()),
            2 => r.groups.push(a.unwrap_or_default()),
            3 if !r.group_users.contains(&n) => r.group_users.push(n),
            4 if !r.group_guests.iter().any(|g| g.id == n) => r.group_guests.push(guest()),
            5 => r.completions.push(n),
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
