//! The webhook outbox (spec §5.12, §5.5): a `task.completed` event is written in the same
//! transaction as the completion that caused it (the other events: `events.rs`). The store
//! reads what the event reports (a [`CompletionSnapshot`]) from the state that transaction
//! holds; the server renders the payload (`webhooks/payload.rs`). Delivery reads the rows later.

use docket_domain::ids;
use sqlx::Pool;

use docket_domain::webhook_event;

use super::tasks::{load_in, placeholders};
use super::{Db, watchers};
use crate::model::{
    CompletionEvents, CompletionSnapshot, OutboxRow, Person, RunSnapshot, TaskRecord, TemplateRef, WatcherTarget,
};

type Conn = <Db as sqlx::Database>::Connection;

/// Records a `task.completed` event for task `task_id` (spec §5.5): one outbox row per target,
/// the task's `webhook` (else its run's template webhook) and every watcher of the
/// organization, each URL once; all rows carry the same event id in their payload (the first
/// row's id is the event id). Returns the event id, or none when there is no target. Call after
/// the completion and the run refresh, inside their transaction.
pub(crate) async fn record_completion(
    conn: &mut Conn,
    org: &str,
    task_id: &str,
    events: &CompletionEvents,
    now: i64,
) -> Result<Option<String>, sqlx::Error> {
    let Some(t) = load_in(&mut *conn, org, &[task_id.to_string()]).await?.pop() else {
        return Ok(None);
    };
    let mut own: Option<String> = t.row.webhook.clone();
    if own.is_none()
        && let Some(run_id) = &t.row.run_id
    {
        let url: Option<Option<String>> = sqlx::query_scalar("SELECT template_webhook FROM runs WHERE id = $1")
            .bind(run_id)
            .fetch_optional(&mut *conn)
            .await?;
        own = url.flatten();
    }
    let watchers = watchers::targets(&mut *conn, org).await?;
    let targets = urls(webhook_event::TASK_COMPLETED, own.as_deref(), &watchers);
    if targets.is_empty() {
        return Ok(None);
    }
    let event_id = ids::new_id32();
    let snapshot = snapshot(&mut *conn, org, t, &event_id, &events.public_base).await?;
    let payload = (events.render)(&snapshot);
    insert_rows(
        &mut *conn,
        org,
        task_id,
        webhook_event::TASK_COMPLETED,
        &targets,
        &event_id,
        &payload,
        now,
    )
    .await?;
    Ok(Some(event_id))
}

/// The URLs an `event` goes to: `own` (the event's own target: a task's or template's webhook)
/// first, then each watcher that wants the event; each URL once (spec §5.5).
pub(crate) fn urls(event: &str, own: Option<&str>, watchers: &[WatcherTarget]) -> Vec<String> {
    let mut out: Vec<String> = own.filter(|u| !u.is_empty()).map(str::to_string).into_iter().collect();
    for w in watchers {
        if webhook_event::wants(&w.event_types, event) && !out.contains(&w.url) {
            out.push(w.url.clone());
        }
    }
    out
}

/// Writes one outbox row per URL of one event: every row carries the same payload (with its
/// `event_id`); the first row's id is the event id. `subject_id` is the task (the run for
/// `process.*` events).
#[expect(clippy::too_many_arguments, reason = "the columns of an outbox row")]
pub(crate) async fn insert_rows(
    conn: &mut Conn,
    org: &str,
    subject_id: &str,
    event: &str,
    urls: &[String],
    event_id: &str,
    payload: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    for (i, url) in urls.iter().enumerate() {
        let row_id = if i == 0 { event_id.to_string() } else { ids::new_id32() };
        sqlx::query(
            "INSERT INTO outbox (id, org_id, task_id, event, url, payload, status, attempts, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7)",
        )
        .bind(&row_id)
        .bind(org)
        .bind(subject_id)
        .bind(event)
        .bind(url)
        .bind(payload)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The events of `org`, oldest first.
pub(crate) async fn of_org(pool: &Pool<Db>, org: &str) -> Result<Vec<OutboxRow>, sqlx::Error> {
    sqlx::query_as::<_, OutboxRow>(
        "SELECT id, org_id, task_id, event, url, payload, status, attempts, next_attempt_at, last_error, created_at,
                delivered_at
           FROM outbox WHERE org_id = $1 ORDER BY created_at, id",
    )
    .bind(org)
    .fetch_all(pool)
    .await
}

/// Members by id (one statement).
pub(crate) async fn people(conn: &mut Conn, ids: &[i64]) -> Result<Vec<Person>, sqlx::Error> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, email, first_name, last_name FROM users WHERE id IN ({})",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as::<_, Person>(&sql);
    for id in &ids {
        q = q.bind(id);
    }
    q.fetch_all(&mut *conn).await
}

/// What the event of a task that has just been completed reports, read in its transaction.
async fn snapshot(
    conn: &mut Conn,
    org: &str,
    t: TaskRecord,
    event_id: &str,
    public_base: &str,
) -> Result<CompletionSnapshot, sqlx::Error> {
    let (run, run_tasks) = match &t.row.run_id {
        Some(run_id) => run_side(&mut *conn, org, run_id).await?,
        None => (None, Vec::new()),
    };
    let template = match &t.row.run_id {
        Some(run_id) => template_of(&mut *conn, run_id).await?,
        None => None,
    };
    let mut wanted: Vec<i64> = t.users.clone();
    wanted.extend(t.row.completer_id);
    wanted.extend(run.as_ref().map_or(t.row.starter_id, |r| Some(r.owner_id)));
    for x in &run_tasks {
        wanted.extend(x.users.iter().copied());
    }
    let people = people(&mut *conn, &wanted).await?;
    Ok(CompletionSnapshot {
        event_id: event_id.to_string(),
        org_id: org.to_string(),
        public_base: public_base.to_string(),
        task: t,
        run,
        run_tasks,
        people,
        template,
    })
}

/// The run `run_id` as events report it, with its tasks by position.
pub(crate) async fn run_side(
    conn: &mut Conn,
    org: &str,
    run_id: &str,
) -> Result<(Option<RunSnapshot>, Vec<TaskRecord>), sqlx::Error> {
    let run: Option<(String, String, Option<String>, String, i64, i64)> =
        sqlx::query_as("SELECT id, name, summary, status, created_at, owner_id FROM runs WHERE id = $1")
            .bind(run_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((id, name, summary, status, created_at, owner_id)) = run else {
        return Ok((None, Vec::new()));
    };
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM tasks WHERE run_id = $1 ORDER BY position, created_at, id")
            .bind(&id)
            .fetch_all(&mut *conn)
            .await?;
    let run_tasks = load_in(&mut *conn, org, &ids).await?;
    let tags: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT g.id, g.title, g.color FROM tag_links l JOIN tags g ON g.id = l.tag_id
          WHERE l.subject_type = 'Run' AND l.subject_id = $1 ORDER BY l.created_at, l.id",
    )
    .bind(&id)
    .fetch_all(&mut *conn)
    .await?;
    let run = RunSnapshot {
        id,
        name,
        summary,
        status,
        created_at,
        owner_id,
        tags,
    };
    Ok((Some(run), run_tasks))
}

/// The template run `run_id` was launched from (none for MISC runs): as it is now, else (once
/// deleted) by the id and title the run copied.
pub(crate) async fn template_of(conn: &mut Conn, run_id: &str) -> Result<Option<TemplateRef>, sqlx::Error> {
    let copied: Option<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT checklist_id, checklist_title FROM runs WHERE id = $1")
            .bind(run_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((Some(id), Some(title))) = copied else {
        return Ok(None);
    };
    let current: Option<TemplateRef> = sqlx::query_as("SELECT id, title, alias, summary FROM checklists WHERE id = $1")
        .bind(&id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(Some(current.unwrap_or(TemplateRef {
        id,
        title,
        alias: None,
        summary: None,
    })))
}
