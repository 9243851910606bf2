//! Task updates (T4/R12), completion (T8/R13) and reopening (T9/R14): each request is one
//! transaction that locks the task row, re-checks the state rules against what it holds,
//! writes, records the webhook event of a task that became completed (§5.12), and refreshes the
//! run's derived status (§5.11).

use std::collections::HashMap;

use docket_domain::form_field;
use docket_domain::ids;
use docket_domain::task::TaskStatus;
use docket_domain::task_rules::{self, CompletionPlan};
use serde_json::Value;
use sqlx::Pool;

use super::tasks::{ensure_tag, link_tag, write_owners};
use super::{Db, activity, events, guests, outbox, rule_pass, runs, tasks};
use crate::model::{
    CaptureRow, LifecycleCaller, LifecycleDone, LifecycleRefusal, Note, TagTarget, TaskCompletion, TaskRecord,
    TaskReopen, TaskUpdate,
};

/// Returns the refusal of a rule that failed, from a function answering `Outcome`-like results.
macro_rules! refuse_unless {
    ($rule:expr) => {
        if let Err(refusal) = $rule {
            return Ok(Err(refusal));
        }
    };
}

type Conn = <Db as sqlx::Database>::Connection;

/// What a store call of this module answers: a refusal is a state rule that failed under lock.
type Outcome = Result<Result<LifecycleDone, LifecycleRefusal>, sqlx::Error>;

/// T4/R12.
pub(crate) async fn update(pool: &Pool<Db>, u: &TaskUpdate) -> Outcome {
    retry_on_deadlock!(update_once(pool, u))
}

/// T8/R13.
pub(crate) async fn complete(pool: &Pool<Db>, c: &TaskCompletion) -> Outcome {
    retry_on_deadlock!(complete_once(pool, c))
}

/// T9/R14.
pub(crate) async fn reopen(pool: &Pool<Db>, r: &TaskReopen) -> Outcome {
    retry_on_deadlock!(reopen_once(pool, r))
}

// Each `*_once` does every write in its one transaction, begun and committed through `retry`:
// re-run when the connection is lost before COMMIT (see retry.rs).
async fn update_once(pool: &Pool<Db>, u: &TaskUpdate) -> Outcome {
    let mut tx = crate::retry::begin(pool).await?;
    let now = u.now;
    let Some(task) = lock(&mut tx, &u.org_id, &u.task_id).await? else {
        return Ok(Err(LifecycleRefusal::Missing));
    };
    if u.caller
        .expected_version
        .is_some_and(|version| version != task.row.version)
    {
        return Ok(Err(LifecycleRefusal::VersionMismatch));
    }
    match u.caller.guest_id {
        Some(guest) => refuse_unless!(task.facts().guest_may_edit(guest)),
        None if !task.facts().can_edit(u.caller.who()) => return Ok(Err(LifecycleRefusal::NotPermitted)),
        None => {}
    }
    if run_archived(&mut tx, &task).await? {
        return Ok(Err(LifecycleRefusal::RunArchived));
    }
    if let Some(key) = super::assets::first_unknown_file(&mut tx, &u.org_id, &u.file_values).await? {
        return Ok(Err(LifecycleRefusal::UnknownFile(key)));
    }
    match task_rules::status_change(task.row.status, u.status) {
        Ok(true) => {
            reopen_row(&mut tx, &task.row.id, now).await?;
            activity::task(&mut tx, &task.row.id, "re-opened", Note::none(), now).await?;
        }
        Ok(false) => {}
        Err(refusal) => return Ok(Err(refusal)),
    }
    let direct = match &u.owners {
        Some(o) => o.users.len() + o.guests.len() + o.groups.len(),
        None => task.direct_assignees(),
    };
    refuse_unless!(task_rules::check_max_assignable(
        u.max_assignable.unwrap_or(task.row.max_assignable),
        direct
    ));

    let set_status = u.status.filter(|s| *s != TaskStatus::Completed).map(TaskStatus::as_str);
    let summary_given = u.summary.is_some();
    let webhook_given = u.webhook.is_some();
    sqlx::query(
        "UPDATE tasks SET
             title = COALESCE($2, title),
             summary = CASE WHEN $3 THEN $4 ELSE summary END,
             deadline = COALESCE($5, deadline),
             started_at = COALESCE($6, started_at),
             task_type = COALESCE($7, task_type),
             webhook = CASE WHEN $8 THEN $9 ELSE webhook END,
             prevent_guest_comment = COALESCE($10, prevent_guest_comment),
             top_secret = COALESCE($11, top_secret),
             everyone_must_complete = COALESCE($12, everyone_must_complete),
             can_complete_only_assignees = COALESCE($13, can_complete_only_assignees),
             is_soft_start_date = COALESCE($14, is_soft_start_date),
             max_assignable = COALESCE($15, max_assignable),
             status = COALESCE($16, status),
             last_updated = $17,
             version = version + 1
         WHERE id = $1",
    )
    .bind(&task.row.id)
    .bind(&u.title)
    .bind(summary_given)
    .bind(u.summary.clone().flatten())
    .bind(u.deadline)
    .bind(u.started_at)
    .bind(u.task_type.map(|t| t.as_str()))
    .bind(webhook_given)
    .bind(u.webhook.clone().flatten())
    .bind(u.prevent_guest_comment)
    .bind(u.top_secret)
    .bind(u.everyone_must_complete)
    .bind(u.can_complete_only_assignees)
    .bind(u.is_soft_start_date)
    .bind(u.max_assignable)
    .bind(set_status)
    .bind(now)
    .execute(&mut *tx)
    .await?;

    if let Some(owners) = &u.owners {
        let guest_ids = guests::ensure(&mut tx, &u.org_id, &owners.guests, now).await?;
        write_owners(&mut tx, &task.row.id, &owners.users, &guest_ids, &owners.groups).await?;
        events::owners_added(
            &mut tx,
            &u.org_id,
            &task.row.id,
            events::added_owners(&task, owners),
            None,
            now,
        )
        .await?;
    }
    for (capture_id, value) in &u.taskdata {
        sqlx::query("UPDATE captures SET value = $3, last_updated = $4 WHERE id = $1 AND task_id = $2")
            .bind(capture_id)
            .bind(&task.row.id)
            .bind(value)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    if let (Some(run_id), Some(p)) = (&task.row.run_id, u.position) {
        move_in_run(&mut tx, run_id, &task.row.id, p, now).await?;
    }
    if let Some(tags) = &u.tags {
        replace_tags(&mut tx, &u.org_id, &task.row.id, tags, now).await?;
    }
    activity::task_update(&mut tx, &task.row, u, now).await?;

    let mut event_id = None;
    if u.status == Some(TaskStatus::Completed) {
        let Some(current) = load_in(&mut tx, &u.org_id, &task.row.id).await? else {
            return Ok(Err(LifecycleRefusal::Missing));
        };
        let plan = match complete_row(&mut tx, &current, u.caller, u.caller.user_id, u.is_approved, now).await? {
            Ok(plan) => plan,
            Err(refusal) => return Ok(Err(refusal)),
        };
        if plan.completes() {
            activity::task(&mut tx, &task.row.id, "completed", Note::none(), now).await?;
        }
        if let Some(run_id) = &task.row.run_id {
            runs::refresh(&mut tx, run_id, now).await?;
        }
        if plan.completes() {
            event_id = outbox::record_completion(&mut tx, &u.org_id, &task.row.id, &u.events, now).await?;
        }
    } else if let Some(run_id) = &task.row.run_id {
        runs::refresh(&mut tx, run_id, now).await?;
    }
    let rules = match &task.row.run_id {
        Some(run_id) => rule_pass::apply(&mut tx, &u.org_id, run_id, now).await?,
        None => Default::default(),
    };
    crate::retry::commit(tx).await?;
    Ok(Ok(LifecycleDone {
        changed: true,
        event_id,
        rules,
    }))
}

async fn complete_once(pool: &Pool<Db>, c: &TaskCompletion) -> Outcome {
    let mut tx = crate::retry::begin(pool).await?;
    let now = c.now;
    let Some(task) = lock(&mut tx, &c.org_id, &c.task_id).await? else {
        return Ok(Err(LifecycleRefusal::Missing));
    };
    if c.caller
        .expected_version
        .is_some_and(|version| version != task.row.version)
    {
        return Ok(Err(LifecycleRefusal::VersionMismatch));
    }
    if run_archived(&mut tx, &task).await? {
        return Ok(Err(LifecycleRefusal::RunArchived));
    }
    let plan = match complete_row(&mut tx, &task, c.caller, c.completer_id, c.is_approved, now).await? {
        Ok(plan) => plan,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if plan == CompletionPlan::Unchanged {
        // Nothing was written: no comment, no event (spec §6 #16).
        return Ok(Ok(LifecycleDone {
            changed: false,
            event_id: None,
            rules: Default::default(),
        }));
    }
    if plan.completes() {
        activity::task(&mut tx, &task.row.id, "completed", Note::none(), now).await?;
    }
    if let Some(content) = c.comment.as_deref().filter(|s| !s.trim().is_empty()) {
        sqlx::query(
            "INSERT INTO threads (id, org_id, task_id, content, label, state, author_id, author_guest_id, resolve_id,
                 created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'comment', 'hide-for-guests', $5, $7, NULL, $6, $6)",
        )
        .bind(ids::new_id32())
        .bind(&c.org_id)
        .bind(&task.row.id)
        .bind(content)
        .bind(if c.caller.guest_id.is_some() {
            0
        } else {
            c.caller.user_id
        })
        .bind(now)
        .bind(c.caller.guest_id)
        .execute(&mut *tx)
        .await?;
    }
    if let Some(run_id) = &task.row.run_id {
        runs::refresh(&mut tx, run_id, now).await?;
    }
    let event_id = if plan.completes() {
        outbox::record_completion(&mut tx, &c.org_id, &task.row.id, &c.events, now).await?
    } else {
        None
    };
    let rules = match &task.row.run_id {
        Some(run_id) => rule_pass::apply(&mut tx, &c.org_id, run_id, now).await?,
        None => Default::default(),
    };
    crate::retry::commit(tx).await?;
    Ok(Ok(LifecycleDone {
        changed: true,
        event_id,
        rules,
    }))
}

async fn reopen_once(pool: &Pool<Db>, r: &TaskReopen) -> Outcome {
    let mut tx = crate::retry::begin(pool).await?;
    let Some(task) = lock(&mut tx, &r.org_id, &r.task_id).await? else {
        return Ok(Err(LifecycleRefusal::Missing));
    };
    if r.caller
        .expected_version
        .is_some_and(|version| version != task.row.version)
    {
        return Ok(Err(LifecycleRefusal::VersionMismatch));
    }
    if run_archived(&mut tx, &task).await? {
        return Ok(Err(LifecycleRefusal::RunArchived));
    }
    match r.caller.guest_id {
        Some(guest) => refuse_unless!(task.facts().guest_may_reopen(guest)),
        None => refuse_unless!(task.facts().may_reopen(r.caller.who())),
    }
    reopen_row(&mut tx, &task.row.id, r.now).await?;
    activity::task(&mut tx, &task.row.id, "re-opened", Note::none(), r.now).await?;
    let mut rules = Default::default();
    if let Some(run_id) = &task.row.run_id {
        runs::refresh(&mut tx, run_id, r.now).await?;
        rules = rule_pass::apply(&mut tx, &r.org_id, run_id, r.now).await?;
    }
    crate::retry::commit(tx).await?;
    Ok(Ok(LifecycleDone {
        changed: true,
        event_id: None,
        rules,
    }))
}

/// Completes (or, for `everyone_must_complete`, records) `t` as `completer`, or as the guest
/// of `caller.guest_id`: the rules of `task_rules::TaskFacts::plan_completion` (a guest's:
/// `plan_guest_completion`) on the state this transaction holds, then T8's checks that read the
/// database (open problems, required form fields), then the writes.
async fn complete_row(
    conn: &mut Conn,
    t: &TaskRecord,
    caller: LifecycleCaller,
    completer: i64,
    is_approved: Option<bool>,
    now: i64,
) -> Result<Result<CompletionPlan, LifecycleRefusal>, sqlx::Error> {
    let assignees = t.assignee_users();
    let planned = match caller.guest_id {
        Some(guest) => t.facts().plan_guest_completion(guest, is_approved, &assignees),
        None => t
            .facts()
            .plan_completion(caller.who(), completer, &assignees, is_approved),
    };
    let plan = match planned {
        Ok(plan) => plan,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let decision = match plan {
        CompletionPlan::Unchanged => return Ok(Ok(plan)),
        CompletionPlan::Record { decision, .. } | CompletionPlan::Complete { decision } => decision,
    };
    let open_problems: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM threads WHERE task_id = $1 AND label = 'problem' AND resolve_id IS NULL",
    )
    .bind(&t.row.id)
    .fetch_one(&mut *conn)
    .await?;
    if t.row.problem || open_problems > 0 {
        return Ok(Err(LifecycleRefusal::OpenProblems));
    }
    let missing: Vec<(String, String)> = t
        .captures
        .iter()
        .filter(|c| c.required && !form_field::is_answered(&c.field_type, &stored_value(c)))
        .map(|c| (c.id.clone(), c.label.clone()))
        .collect();
    if !missing.is_empty() {
        return Ok(Err(LifecycleRefusal::RequiredFields(missing)));
    }
    if let CompletionPlan::Record { last, .. } = plan {
        let record = match caller.guest_id {
            Some(_) => {
                "INSERT INTO task_guest_completions (task_id, guest_id, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (task_id, guest_id) DO NOTHING"
            }
            None => {
                "INSERT INTO task_completions (task_id, user_id, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (task_id, user_id) DO NOTHING"
            }
        };
        sqlx::query(record)
            .bind(&t.row.id)
            .bind(caller.guest_id.unwrap_or(completer))
            .bind(now)
            .execute(&mut *conn)
            .await?;
        if !last {
            sqlx::query(
                "UPDATE tasks SET status = 'in-progress', last_updated = $2, version = version + 1 WHERE id = $1",
            )
            .bind(&t.row.id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            return Ok(Ok(plan));
        }
    }
    sqlx::query(
        "UPDATE tasks SET status = 'completed', completed_at = $2, completer_id = $3, completer_guest_id = $5,
             is_approved = $4, last_updated = $2, version = version + 1
         WHERE id = $1",
    )
    .bind(&t.row.id)
    .bind(now)
    .bind(caller.guest_id.is_none().then_some(completer))
    .bind(decision)
    .bind(caller.guest_id)
    .execute(&mut *conn)
    .await?;
    Ok(Ok(plan))
}

/// T9's effects: back to `in-progress`, completion fields and every EMC record cleared.
async fn reopen_row(conn: &mut Conn, task_id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE tasks SET status = 'in-progress', completed_at = NULL, completer_id = NULL, completer_guest_id = NULL,
             is_approved = NULL, was_reopened = TRUE, last_updated = $2, version = version + 1
         WHERE id = $1",
    )
    .bind(task_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    for table in ["task_completions", "task_guest_completions"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE task_id = $1"))
            .bind(task_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Whether the task belongs to an archived run.
async fn run_archived(conn: &mut Conn, t: &TaskRecord) -> Result<bool, sqlx::Error> {
    let Some(run_id) = &t.row.run_id else {
        return Ok(false);
    };
    let archived: Option<Option<i64>> = sqlx::query_scalar("SELECT archived_at FROM runs WHERE id = $1")
        .bind(run_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(matches!(archived, Some(Some(_))))
}

/// Moves a task to position `p` (clamped to `1…n`) in its run; the others keep their order
/// and every position is renumbered `1…n`. Tasks whose position changes are bumped.
async fn move_in_run(conn: &mut Conn, run_id: &str, task_id: &str, p: i64, now: i64) -> Result<(), sqlx::Error> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT id, position FROM tasks WHERE run_id = $1 ORDER BY position, created_at, id")
            .bind(run_id)
            .fetch_all(&mut *conn)
            .await?;
    let mut order: Vec<String> = rows
        .iter()
        .map(|(id, _)| id.clone())
        .filter(|id| id != task_id)
        .collect();
    let at = usize::try_from(p.clamp(1, rows.len().max(1) as i64) - 1).unwrap_or(0);
    order.insert(at.min(order.len()), task_id.to_string());
    let current: HashMap<&str, i64> = rows.iter().map(|(id, pos)| (id.as_str(), *pos)).collect();
    for (i, id) in order.iter().enumerate() {
        let position = i as i64 + 1;
        if current.get(id.as_str()) == Some(&position) {
            continue;
        }
        sqlx::query("UPDATE tasks SET position = $2, last_updated = $3, version = version + 1 WHERE id = $1")
            .bind(id)
            .bind(position)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Replaces the task's own tags: links not named any more are removed, kept ones keep their
/// association ids, new ones (titles created as tags if needed) are attached.
async fn replace_tags(
    conn: &mut Conn,
    org: &str,
    task_id: &str,
    targets: &[TagTarget],
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut wanted: Vec<String> = Vec::new();
    for t in targets {
        let id = match t {
            TagTarget::Id(id) => id.clone(),
            TagTarget::Title(title) => ensure_tag(&mut *conn, org, title, now).await?,
        };
        if !wanted.contains(&id) {
            wanted.push(id);
        }
    }
    let existing: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, tag_id FROM tag_links WHERE subject_type = 'Task' AND subject_id = $1")
            .bind(task_id)
            .fetch_all(&mut *conn)
            .await?;
    for (link_id, tag_id) in existing {
        if !wanted.contains(&tag_id) {
            sqlx::query("DELETE FROM tag_links WHERE id = $1")
                .bind(link_id)
                .execute(&mut *conn)
                .await?;
        }
    }
    for tag_id in &wanted {
        link_tag(&mut *conn, org, tag_id, "Task", task_id, now).await?;
    }
    Ok(())
}

/// A capture's stored answer as a value (`null` when unanswered).
fn stored_value(c: &CaptureRow) -> Value {
    c.value
        .as_deref()
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or(Value::Null)
}

/// Locks the task (its run first, see `tasks::lock_for_write`) and loads it.
async fn lock(conn: &mut Conn, org: &str, task_id: &str) -> Result<Option<TaskRecord>, sqlx::Error> {
    if !tasks::lock_for_write(conn, org, task_id).await? {
        return Ok(None);
    }
    load_in(conn, org, task_id).await
}

/// One task with its assignees, captures and completion records, read inside a transaction.
async fn load_in(conn: &mut Conn, org: &str, task_id: &str) -> Result<Option<TaskRecord>, sqlx::Error> {
    Ok(tasks::load_in(conn, org, &[task_id.to_string()]).await?.pop())
}
