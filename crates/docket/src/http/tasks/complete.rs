//! T8 `POST /organizations/{org}/completed-tasks`, R13 `POST …/runs/{run_id}/completed-tasks`,
//! T9 `DELETE /organizations/{org}/completed-tasks/{task_id}` and R14
//! `DELETE …/runs/{run_id}/completed-tasks/{task_id}`: completion with the checks of T8 in their
//! numbered order (§5.6, §5.7), and reopening. The webhook event, the comment and the run
//! refresh are written in the completion's transaction.

use axum::extract::Path;
use axum::response::Response;
use docket_domain::input::{Patch, Reader};
use docket_domain::task_rules::Refusal;
use docket_domain::{Actor, ValidationErrors};
use docket_store::model::{RuleChanges, TaskCompletion, TaskRecord};
use serde_json::{Map, Value};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::extract::{Body, Ctx, Query};
use crate::http::tasks::{caller, completion_events, respond, visible_run_task, visible_task};
use crate::service::refusals::TaskWrite;
use crate::service::tasks as service;
use crate::state::AppState;

/// The routes of this module, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(complete_task))
        .routes(routes!(reopen_task))
        .routes(routes!(complete_run_task))
        .routes(routes!(reopen_run_task))
}

/// A completion body read: the task named by `task_id` and the other fields.
struct CompletionBody {
    task: TaskRecord,
    override_user: Option<i64>,
    is_approved: Option<bool>,
    comment: Option<String>,
}

/// Reads a completion body (T8 step 1): `task_id` must name a visible task of the organization
/// that is not archived (org route) or a visible task of `run_id` (run route); `override_user`
/// must be a member. Every field problem is reported together.
async fn read_body(ctx: &Ctx, me: &Actor, body: &Map<String, Value>, run_id: Option<&str>) -> Result<CompletionBody> {
    let mut errors = ValidationErrors::new();
    let mut r = Reader::new(body, &mut errors);
    let task_id = match r.value(&["task_id"]) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Null) | None => {
            r.fail("task_id", "The task id field is required.");
            None
        }
        Some(Value::String(_)) => {
            r.fail("task_id", "The task id field is required.");
            None
        }
        Some(_) => {
            r.fail("task_id", "The selected task id is invalid.");
            None
        }
    };
    let is_approved = r.bool(&["is_approved"]).set();
    let override_raw = r.int(&["override_user"]);
    let comment = r.string(&["comment"]).set().filter(|c| !c.trim().is_empty());

    let mut task = None;
    if let Some(id) = &task_id {
        let found = ctx.state.store.task(&me.org_id, id).await?;
        let valid = found.filter(|t| {
            t.facts().can_see(me.caller())
                && match run_id {
                    Some(run_id) => t.row.run_id.as_deref() == Some(run_id),
                    None => t.row.archived_at.is_none(),
                }
        });
        match valid {
            Some(t) => task = Some(t),
            None => errors.add("task_id", "The selected task id is invalid."),
        }
    }
    let override_user = match override_raw {
        Patch::Set(id) => match ctx.state.store.member(&me.org_id, id).await? {
            Some(m) => Some(m.id),
            None => {
                errors.add("override_user", "The selected override user is invalid.");
                None
            }
        },
        _ => None,
    };
    match task {
        Some(task) if errors.is_empty() => Ok(CompletionBody {
            task,
            override_user,
            is_approved,
            comment,
        }),
        _ => Err(Error::Invalid(errors)),
    }
}

/// Completes `b.task` through the store (T8 steps 3–7 and the effects).
async fn complete(ctx: &Ctx, me: &Actor, b: CompletionBody) -> Result<RuleChanges> {
    let c = TaskCompletion {
        org_id: me.org_id.clone(),
        task_id: b.task.row.id.clone(),
        caller: caller(ctx, me, &b.task.row.id)?,
        completer_id: b.override_user.unwrap_or(me.user_id),
        is_approved: b.is_approved,
        comment: b.comment,
        events: completion_events(ctx),
        now: ctx.now,
    };
    service::complete(&ctx.state, &c).await
}

/// Completes a standalone task (a task of a run: through the run's route).
#[utoipa::path(
    post,
    path = "/organizations/{org}/completed-tasks",
    operation_id = "complete_task",
    tag = "tasks",
    params(("org" = String, Path, description = "Organization id"), crate::http::openapi::params::WithParams),
    request_body(content = crate::http::openapi::bodies::CompleteTask, content_type = "application/json"),
    responses((status = 200, description = "The completed task", body = crate::http::openapi::Item<crate::http::tasks::json::TaskJson>))
)]
async fn complete_task(ctx: Ctx, query: Query, Body(body): Body) -> Result<Response> {
    let me = ctx.member()?;
    let b = read_body(&ctx, &me, &body, None).await?;
    if let Some(run_id) = &b.task.row.run_id {
        return Err(Error::invalid(
            "task_id",
            format!("This task belongs to a process; complete it through /runs/{run_id}/completed-tasks."),
        ));
    }
    let task_id = b.task.row.id.clone();
    complete(&ctx, &me, b).await?;
    respond(&ctx, &me, &task_id, &query, None).await
}

/// Completes a task of this run.
#[utoipa::path(
    post,
    path = "/organizations/{org}/runs/{run_id}/completed-tasks",
    operation_id = "complete_run_task",
    tag = "tasks",
    params(("org" = String, Path, description = "Organization id"), ("run_id" = String, Path, description = "Run id"), crate::http::openapi::params::WithParams),
    request_body(content = crate::http::openapi::bodies::CompleteTask, content_type = "application/json"),
    responses((status = 200, description = "The completed task", body = crate::http::openapi::Item<crate::http::tasks::json::TaskJson>))
)]
async fn complete_run_task(
    ctx: Ctx,
    Path((_org, run_id)): Path<(String, String)>,
    query: Query,
    Body(body): Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let run = ctx
        .state
        .store
        .run(&me.org_id, &run_id, ctx.now)
        .await?
        .ok_or(Error::NotFound)?;
    let b = read_body(&ctx, &me, &body, Some(&run_id)).await?;
    if run.row.archived_at.is_some() {
        return Err(Error::from((TaskWrite::Complete, Refusal::RunArchived)));
    }
    let task_id = b.task.row.id.clone();
    let rules = complete(&ctx, &me, b).await?;
    respond(&ctx, &me, &task_id, &query, Some(rules)).await
}

/// Reopens `task` through the store (archived run, permission and "not completed" are checked
/// under lock).
async fn reopen(ctx: &Ctx, me: &Actor, task: &TaskRecord) -> Result<RuleChanges> {
    let caller = caller(ctx, me, &task.row.id)?;
    service::reopen(&ctx.state, &task.row.id, me, caller, ctx.now).await
}

/// Reopens a completed standalone task: it becomes `in-progress`.
#[utoipa::path(
    delete,
    path = "/organizations/{org}/completed-tasks/{task_id}",
    operation_id = "reopen_task",
    tag = "tasks",
    params(("org" = String, Path, description = "Organization id"), ("task_id" = String, Path, description = "Task id"), crate::http::openapi::params::WithParams),
    responses((status = 200, description = "The reopened task", body = crate::http::openapi::Item<crate::http::tasks::json::TaskJson>))
)]
async fn reopen_task(ctx: Ctx, Path((_org, task_id)): Path<(String, String)>, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let task = visible_task(&ctx, &me, &task_id).await?;
    if let Some(run_id) = &task.row.run_id {
        return Err(Error::invalid(
            "task_id",
            format!("This task belongs to a process; reopen it through /runs/{run_id}/completed-tasks/{task_id}."),
        ));
    }
    reopen(&ctx, &me, &task).await?;
    respond(&ctx, &me, &task_id, &query, None).await
}

/// Reopens a completed task of this run: it becomes `in-progress`.
#[utoipa::path(
    delete,
    path = "/organizations/{org}/runs/{run_id}/completed-tasks/{task_id}",
    operation_id = "reopen_run_task",
    tag = "tasks",
    params(("org" = String, Path, description = "Organization id"), ("run_id" = String, Path, description = "Run id"), ("task_id" = String, Path, description = "Task id"), crate::http::openapi::params::WithParams),
    responses((status = 200, description = "The reopened task", body = crate::http::openapi::Item<crate::http::tasks::json::TaskJson>))
)]
async fn reopen_run_task(
    ctx: Ctx,
    Path((_org, run_id, task_id)): Path<(String, String, String)>,
    query: Query,
) -> Result<Response> {
    let me = ctx.member()?;
    let (_, task) = visible_run_task(&ctx, &me, &run_id, &task_id).await?;
    let rules = reopen(&ctx, &me, &task).await?;
    respond(&ctx, &me, &task_id, &query, Some(rules)).await
}
