//! Tasks: create (T1), read (T3, R11), the organization-wide lists (T2, T10–T12), and what
//! every task route shares: the lookups, the caller of a write, the webhook renderer and the
//! response.

mod archive;
mod complete;
pub(crate) mod create;
mod get;
pub mod json;
pub(crate) mod list;
pub(crate) mod update;

use axum::response::Response;
use docket_domain::Actor;
use docket_store::model::{CompletionEvents, LifecycleCaller, RunRecord, TaskRecord};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::etag;
use crate::http::extract::{Ctx, Query};
use crate::state::AppState;

/// The routes of this module, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list::org_tasks, create::create))
        .routes(routes!(list::my_tasks))
        .routes(routes!(list::user_tasks))
        .routes(routes!(list::guest_tasks))
        .routes(routes!(get::get_task))
        .routes(routes!(get::get_run_task))
        .merge(update::routes())
        .merge(complete::routes())
        .merge(archive::routes())
}

/// A task of the caller's organization that they may see, else 404. An archived standalone
/// task counts as missing (spec T5); a task of an archived run does not.
pub async fn visible_task(ctx: &Ctx, actor: &Actor, task_id: &str) -> Result<TaskRecord> {
    let task = ctx
        .state
        .store
        .task(&actor.org_id, task_id)
        .await?
        .ok_or(Error::NotFound)?;
    if !task.facts().can_see(actor.caller()) || (task.row.run_id.is_none() && task.row.archived_at.is_some()) {
        return Err(Error::NotFound);
    }
    Ok(task)
}

/// A run of the organization and a visible task of it, else 404 (the run is checked first).
pub async fn visible_run_task(
    ctx: &Ctx,
    actor: &Actor,
    run_id: &str,
    task_id: &str,
) -> Result<(RunRecord, TaskRecord)> {
    let run = ctx
        .state
        .store
        .run(&actor.org_id, run_id, ctx.now)
        .await?
        .ok_or(Error::NotFound)?;
    let task = visible_task(ctx, actor, task_id).await?;
    if task.row.run_id.as_deref() != Some(run_id) {
        return Err(Error::NotFound);
    }
    Ok((run, task))
}

/// The caller of a write on task `task_id`, with the version `If-Match` requires (412 when the
/// header names another resource).
pub fn caller(ctx: &Ctx, me: &Actor, task_id: &str) -> Result<LifecycleCaller> {
    Ok(LifecycleCaller {
        user_id: me.user_id,
        role: me.role,
        expected_version: etag::required_version(ctx.if_match.as_deref(), task_id)?,
        guest_id: None,
    })
}

/// How a completion's webhook event is rendered (`webhooks/payload.rs`). Guest links start at
/// the configured public URL, else `http://` and the listen address (a payload has no request).
pub fn completion_events(ctx: &Ctx) -> CompletionEvents {
    completion_events_of(&ctx.state)
}

/// [`completion_events`] outside an API request (a guest's page).
pub fn completion_events_of(state: &AppState) -> CompletionEvents {
    let base = match &state.config.public_url {
        Some(u) => u.trim_end_matches('/').to_string(),
        None => format!("http://{}", state.config.listen),
    };
    crate::webhooks::payload::completion_events(base)
}

/// 200 with the task as it is now, in item form; the run routes (R13, R14) add
/// `tasks_changed_by_rules`: what the run's rules changed during the request.
pub async fn respond(
    ctx: &Ctx,
    me: &Actor,
    task_id: &str,
    query: &Query,
    rules: Option<docket_store::model::RuleChanges>,
) -> Result<Response> {
    let task = ctx
        .state
        .store
        .task(&me.org_id, task_id)
        .await?
        .ok_or(Error::NotFound)?;
    let mut items = json::render(ctx, me, std::slice::from_ref(&task), query, true).await?;
    let mut item = items.pop().ok_or(Error::NotFound)?;
    if let Some(rules) = rules {
        item.includes
            .insert("tasks_changed_by_rules".into(), serde_json::Value::Object(rules));
    }
    Ok(crate::http::etag::with_etag(
        envelope::ok(item),
        &task.row.id,
        task.row.version,
    ))
}
