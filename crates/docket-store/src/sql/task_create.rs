//! The create of spec T1 (standalone, fan-out run, added to a run) in one transaction (on
//! SQLite the common create is written by `group_commit.rs` instead); the created task as written.

use std::collections::HashMap;
use std::sync::LazyLock;

use docket_domain::ids;
use docket_domain::task::TaskStatus;
use sqlx::Pool;

use super::tasks::{ensure_tag, insert_owners, link_tag};
use super::{Db, IS_PG, activity, events, guests, runs};
use crate::StoreError;
use crate::model::{
    CaptureRow, CreateTasks, Created, RunRefusal, RunTarget, TagTarget, TaskRecord, TaskRow, WatcherTarget,
};
use crate::task_insert::{Numbering, Rows, insert_sql};

/// The insert of a task numbered by the caller ($3), which returns its number.
static INSERT_NUMBERED: LazyLock<String> =
    LazyLock::new(|| insert_sql(Rows::Create(Numbering::Bound), Some("increment_id")));

/// The insert of a task numbered from its organization's sequence as it stands ($3 unused).
static INSERT_FROM_SEQUENCE: LazyLock<String> = LazyLock::new(|| insert_sql(Rows::Create(Numbering::Sequence), None));

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

/// Binds $1–$19 (`task_insert::CREATE_FIELDS`) of a task insert: the task `task_id` of `c`, numbered `increment_id` (when
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
        .bind(s.task_type.as_str())
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

/// Creates the tasks of `c`. `Ok(Err(_))` when the target run is missing or archived.
pub(crate) async fn create(
    pool: &Pool<Db>,
    c: &CreateTasks,
    watchers: &[WatcherTarget],
) -> Result<Result<Created, RunRefusal>, StoreError> {
    // Every write below is in this transaction: re-run when the connection is lost before COMMIT.
    let mut tx = crate::retry::begin(pool).await?;
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
        let batch;
        let sql = if one_batch {
            batch = format!(
                "UPDATE organizations SET task_seq = task_seq + 1 WHERE id = $2;
                 {}; {}
                 SELECT increment_id FROM tasks WHERE id = $1",
                *INSERT_FROM_SEQUENCE,
                insert_users_sql(owners.users.len())
            );
            batch.as_str()
        } else {
            INSERT_NUMBERED.as_str()
        };
        let mut q = bind_task(
            sqlx::query_scalar(sql),
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
    activity::created_tasks(&mut tx, run_id.as_deref(), &task_ids, &c.target, now).await?;
    if let Some(run_id) = &run_id {
        runs::refresh(&mut tx, run_id, now).await?;
    }
    for (task_id, owners) in task_ids.iter().zip(&c.owners) {
        events::owners_added(&mut tx, &c.org_id, task_id, owners.clone(), Some(watchers), now).await?;
    }
    crate::retry::commit(tx).await?;
    Ok(Ok(Created {
        task_ids,
        run_id,
        first,
    }))
}

/// The first task of `c` as written (see [`Created::first`]): numbered `increment_id`, assigned
/// to `users`, with `captures` in the order `load` reads them.
pub(crate) fn as_written(
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
            task_type: s.task_type,
            status: TaskStatus::NotStarted,
            is_approved: None,
            started_at: s.started_at,
            deadline: s.deadline,
            created_at: c.now,
            last_updated: c.now,
            completed_at: None,
            archived_at: None,
            starter_id: Some(c.starter_id),
            completer_id: None,
            completer_guest: None,
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
            step_id: None,
            alias: None,
            blueprint_position: None,
            allow_guest_owners: true,
        },
        users: users.to_vec(),
        guests: Vec::new(),
        groups: Vec::new(),
        group_users: Vec::new(),
        group_guests: Vec::new(),
        captures,
        completions: Vec::new(),
        guest_ids: Vec::new(),
        guest_completions: Vec::new(),
    }
}
