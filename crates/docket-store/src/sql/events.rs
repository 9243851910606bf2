//! The webhook events of spec §5.5 besides `task.completed` (`outbox.rs`):
//! `process.launched`, `process.completed`, `task.assigned`, `task.comment_added`,
//! `task.issue_raised`, `task.issue_resolved` and `automation.webhook`.
//!
//! Each write that causes one calls ONE function here inside its own transaction, so an event
//! exists exactly when its change does. A function first works out the event's targets (its
//! own URL, the watchers that want it) and returns at once when there are none: an
//! organization nobody listens to pays for no event. Only then does it read what the event
//! reports ([`EventSnapshot`]), have the server's renderer turn it into the payload
//! ([`crate::model::event_render`]) and write one outbox row per URL.

use docket_domain::ids;
use docket_domain::task::TaskStatus;
use docket_domain::webhook_event as ev;

use super::outbox::{insert_rows, people, run_side, template_of, urls};
use super::tasks::{load_in, placeholders};
use super::{Db, runs, threads, watchers};
use crate::model::{
    AutomationRef, EventRender, EventSnapshot, OwnerSet, TaskRecord, ThreadRow, WatcherTarget, acting_user,
    event_render,
};

type Conn = <Db as sqlx::Database>::Connection;

/// Records `process.launched` for run `run_id` of `org` (R8), to the template webhook the run
/// copied and every watcher in `watchers` that wants it; then `task.assigned` for each visible
/// task of the run that ended the launch with assignees. Call last in the launch's
/// transaction (after its rule pass).
pub(crate) async fn launched(
    conn: &mut Conn,
    org: &str,
    run_id: &str,
    template_webhook: Option<&str>,
    watchers: &[WatcherTarget],
    now: i64,
) -> Result<(), sqlx::Error> {
    let launched = urls(ev::PROCESS_LAUNCHED, template_webhook, watchers);
    let assigned = urls(ev::TASK_ASSIGNED, None, watchers);
    if launched.is_empty() && assigned.is_empty() {
        return Ok(());
    }
    let Some(render) = event_render() else {
        return Ok(());
    };
    if !launched.is_empty() {
        let snap = process_snapshot(&mut *conn, org, run_id, ev::PROCESS_LAUNCHED, &render, now).await?;
        write(&mut *conn, run_id, &launched, &snap, &render).await?;
    }
    if !assigned.is_empty() {
        let task_ids: Vec<String> = sqlx::query_scalar("SELECT id FROM tasks WHERE run_id = $1 ORDER BY position, id")
            .bind(run_id)
            .fetch_all(&mut *conn)
            .await?;
        for t in load_in(&mut *conn, org, &task_ids).await? {
            let added = OwnerSet {
                users: t.users.clone(),
                guests: t.guests.iter().map(|g| g.email.clone()).collect(),
                groups: t.groups.clone(),
            };
            assigned_to(&mut *conn, org, t, added, &assigned, &render, now).await?;
        }
    }
    Ok(())
}

/// Records `process.completed` for run `run_id`, which has just become `complete`
/// (`runs::refresh`): launched runs only (MISC runs emit no `process.*` event), to the template
/// webhook the run copied and every watcher that wants it.
pub(crate) async fn process_completed(conn: &mut Conn, run_id: &str, now: i64) -> Result<(), sqlx::Error> {
    let Some(render) = event_render() else {
        return Ok(());
    };
    let run: Option<(String, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT org_id, checklist_title, template_webhook FROM runs WHERE id = $1")
            .bind(run_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((org, Some(_), hook)) = run else {
        return Ok(());
    };
    let watchers = watchers::targets(&mut *conn, &org).await?;
    let targets = urls(ev::PROCESS_COMPLETED, hook.as_deref(), &watchers);
    if targets.is_empty() {
        return Ok(());
    }
    let snap = process_snapshot(&mut *conn, &org, run_id, ev::PROCESS_COMPLETED, &render, now).await?;
    write(&mut *conn, run_id, &targets, &snap, &render).await
}

/// The owners of `after` that `before` (the task's owners before the write) did not have.
pub(crate) fn added_owners(before: &TaskRecord, after: &OwnerSet) -> OwnerSet {
    OwnerSet {
        users: after
            .users
            .iter()
            .filter(|u| !before.users.contains(u))
            .copied()
            .collect(),
        guests: after
            .guests
            .iter()
            .filter(|e| !before.guests.iter().any(|g| g.email.eq_ignore_ascii_case(e)))
            .cloned()
            .collect(),
        groups: after
            .groups
            .iter()
            .filter(|g| !before.groups.contains(g))
            .cloned()
            .collect(),
    }
}

/// Records `task.assigned` for the owners `added` to task `task_id` of `org` (T1, T4/R12
/// `owners`, rules), to every watcher that wants it: those `known` when the caller holds
/// them (the memo of creates), else as this transaction reads them. Nothing when nobody was
/// added. Call after the owners are written.
pub(crate) async fn owners_added(
    conn: &mut Conn,
    org: &str,
    task_id: &str,
    added: OwnerSet,
    known: Option<&[WatcherTarget]>,
    now: i64,
) -> Result<(), sqlx::Error> {
    if added.users.is_empty() && added.guests.is_empty() && added.groups.is_empty() {
        return Ok(());
    }
    let Some(render) = event_render() else {
        return Ok(());
    };
    let targets = match known {
        Some(w) => urls(ev::TASK_ASSIGNED, None, w),
        None => urls(ev::TASK_ASSIGNED, None, &watchers::targets(&mut *conn, org).await?),
    };
    if targets.is_empty() {
        return Ok(());
    }
    let Some(t) = load_in(&mut *conn, org, &[task_id.to_string()]).await?.pop() else {
        return Ok(());
    };
    assigned_to(&mut *conn, org, t, added, &targets, &render, now).await
}

/// Records `task.comment_added` (or, for a `problem`, `task.issue_raised`) for the new thread
/// `thread` of a task of `org` (C1, C4), to every watcher that wants it.
pub(crate) async fn thread_added(conn: &mut Conn, org: &str, thread: &ThreadRow, now: i64) -> Result<(), sqlx::Error> {
    let event = ev::thread_event(&thread.label);
    thread_event(conn, org, event, thread, None, now).await
}

/// Records `task.issue_resolved` for the `resolve` thread `thread` that resolved problem
/// thread `problem_id` (C5), to every watcher that wants it.
pub(crate) async fn issue_resolved(
    conn: &mut Conn,
    org: &str,
    thread: &ThreadRow,
    problem_id: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    thread_event(conn, org, ev::TASK_ISSUE_RESOLVED, thread, Some(problem_id), now).await
}

async fn thread_event(
    conn: &mut Conn,
    org: &str,
    event: &'static str,
    thread: &ThreadRow,
    problem_id: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let Some(render) = event_render() else {
        return Ok(());
    };
    let targets = urls(event, None, &watchers::targets(&mut *conn, org).await?);
    if targets.is_empty() {
        return Ok(());
    }
    let Some(t) = load_in(&mut *conn, org, std::slice::from_ref(&thread.task_id))
        .await?
        .pop()
    else {
        return Ok(());
    };
    let issue = match problem_id {
        Some(id) => Some(threads::get_in(&mut *conn, id).await?),
        None => None,
    };
    let mut mentioned = mentions(&thread.content);
    mentioned.push(thread.author_id);
    let mut snap = task_snapshot(&mut *conn, org, event, t, &render, now, &mentioned).await?;
    snap.comment = Some(thread.clone());
    snap.issue = issue;
    write(&mut *conn, &thread.task_id, &targets, &snap, &render).await
}

/// Records `automation.webhook` for an `emit_webhook` action of rule `rule` that ran on task
/// `task_id` (the rule pass): to the action's `url` only, never to watchers.
pub(crate) async fn automation_webhook(
    conn: &mut Conn,
    org: &str,
    task_id: &str,
    url: &str,
    rule: AutomationRef,
    now: i64,
) -> Result<(), sqlx::Error> {
    let targets = [url.to_string()];
    let Some(render) = event_render() else {
        // A store used without the server: the event with what names it.
        let event_id = ids::new_id32();
        let payload = serde_json::json!({
            "event": ev::AUTOMATION_WEBHOOK, "event_id": event_id, "organization_id": org,
            "alias_name": rule.alias_name,
            "automation": {"id": rule.id, "automated_alias": rule.automated_alias},
        });
        let payload = payload.to_string();
        return insert_rows(
            conn,
            org,
            task_id,
            ev::AUTOMATION_WEBHOOK,
            &targets,
            &event_id,
            &payload,
            now,
        )
        .await;
    };
    let Some(t) = load_in(&mut *conn, org, &[task_id.to_string()]).await?.pop() else {
        return Ok(());
    };
    let mut snap = task_snapshot(&mut *conn, org, ev::AUTOMATION_WEBHOOK, t, &render, now, &[]).await?;
    snap.automation = Some(rule);
    write(&mut *conn, task_id, &targets, &snap, &render).await
}

/// One `task.assigned` event of task `t` to `targets`: hidden tasks (rules) emit none.
async fn assigned_to(
    conn: &mut Conn,
    org: &str,
    t: TaskRecord,
    added: OwnerSet,
    targets: &[String],
    render: &EventRender,
    now: i64,
) -> Result<(), sqlx::Error> {
    if t.row.status == TaskStatus::AutoSkipped {
        return Ok(());
    }
    if added.users.is_empty() && added.guests.is_empty() && added.groups.is_empty() {
        return Ok(());
    }
    let task_id = t.row.id.clone();
    let mut snap = task_snapshot(&mut *conn, org, ev::TASK_ASSIGNED, t, render, now, &added.users).await?;
    snap.group_names = group_names(&mut *conn, &added.groups).await?;
    snap.added = added;
    write(&mut *conn, &task_id, targets, &snap, render).await
}

/// What a `process.*` event of run `run_id` reports.
async fn process_snapshot(
    conn: &mut Conn,
    org: &str,
    run_id: &str,
    event: &'static str,
    render: &EventRender,
    now: i64,
) -> Result<EventSnapshot, sqlx::Error> {
    let run_record = runs::load_in(&mut *conn, org, &[run_id.to_string()], now).await?.pop();
    let (run, run_tasks) = run_side(&mut *conn, org, run_id).await?;
    let template = template_of(&mut *conn, run_id).await?;
    let mut wanted: Vec<i64> = run_tasks.iter().flat_map(|t| t.users.iter().copied()).collect();
    wanted.extend(run_record.as_ref().map(|r| r.row.started_by));
    wanted.extend(run_record.as_ref().map(|r| r.row.owner_id));
    wanted.extend(acting_user());
    Ok(EventSnapshot {
        event,
        event_id: ids::new_id32(),
        org_id: org.to_string(),
        public_base: render.public_base.clone(),
        now,
        people: people(&mut *conn, &wanted).await?,
        run_record,
        run,
        run_tasks,
        template,
        actor: acting_user(),
        ..EventSnapshot::default()
    })
}

/// What a `task.*` event of task `t` reports; `more` are further members it may name.
async fn task_snapshot(
    conn: &mut Conn,
    org: &str,
    event: &'static str,
    t: TaskRecord,
    render: &EventRender,
    now: i64,
    more: &[i64],
) -> Result<EventSnapshot, sqlx::Error> {
    let (run, run_tasks, template) = match &t.row.run_id {
        Some(run_id) => {
            let (run, run_tasks) = run_side(&mut *conn, org, run_id).await?;
            (run, run_tasks, template_of(&mut *conn, run_id).await?)
        }
        None => (None, Vec::new(), None),
    };
    let mut wanted: Vec<i64> = t.users.clone();
    wanted.extend_from_slice(more);
    wanted.extend(acting_user());
    wanted.extend(run.as_ref().map_or(t.row.starter_id, |r| Some(r.owner_id)));
    for x in &run_tasks {
        wanted.extend(x.users.iter().copied());
    }
    Ok(EventSnapshot {
        event,
        event_id: ids::new_id32(),
        org_id: org.to_string(),
        public_base: render.public_base.clone(),
        now,
        people: people(&mut *conn, &wanted).await?,
        run,
        run_tasks,
        template,
        task: Some(t),
        actor: acting_user(),
        ..EventSnapshot::default()
    })
}

/// Renders `snap` and writes it to `targets`.
async fn write(
    conn: &mut Conn,
    subject_id: &str,
    targets: &[String],
    snap: &EventSnapshot,
    render: &EventRender,
) -> Result<(), sqlx::Error> {
    let payload = (render.render)(snap);
    insert_rows(
        conn,
        &snap.org_id,
        subject_id,
        snap.event,
        targets,
        &snap.event_id,
        &payload,
        snap.now,
    )
    .await
}

/// `(id, name)` of the groups `ids`.
async fn group_names(conn: &mut Conn, ids: &[String]) -> Result<Vec<(String, String)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, name FROM org_groups WHERE id IN ({})",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as::<_, (String, String)>(&sql);
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(&mut *conn).await
}

/// Member ids mentioned as `@[id]` in a comment (the members the payload may name; the
/// server's comment shape reads the mentions itself).
fn mentions(content: &str) -> Vec<i64> {
    content
        .split("@[")
        .skip(1)
        .filter_map(|rest| rest.split(']').next()?.parse().ok())
        .collect()
}
