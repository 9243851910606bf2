//! Standalone task removal: T5 archive, T6 permanent delete, T7 restore (spec §5.13). Tasks of a
//! run are removed only with their run (R4, R6), so every route here refuses them.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use docket_domain::Actor;
use docket_domain::task_rules::{self, Refusal};
use docket_store::model::TaskRecord;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::extract::{Body, Ctx, Query};
use crate::http::tasks::{json, visible_task};
use crate::http::{envelope, etag};
use crate::service::refusals::{ArchiveWrite, TaskWrite};
use crate::service::tasks as service;
use crate::state::AppState;

/// The routes of this module, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(archive_task))
        .routes(routes!(delete_task))
        .routes(routes!(restore_task))
}

/// A task of the organization the caller may see, archived or not, else 404.
async fn any_visible_task(ctx: &Ctx, actor: &Actor, task_id: &str) -> Result<TaskRecord> {
    ctx.state
        .store
        .task(&actor.org_id, task_id)
        .await?
        .filter(|t| t.facts().can_see(actor.caller()))
        .ok_or(Error::NotFound)
}

/// The 403 of a caller who may not edit the task (a light member not assigned to it).
fn may_edit(me: &Actor, task: &TaskRecord) -> Result<()> {
    if task.facts().can_edit(me.caller()) {
        Ok(())
    } else {
        Err(Error::from((TaskWrite::Update, Refusal::NotPermitted)))
    }
}

/// Archives a standalone task: from then on it answers 404 until restored.
#[utoipa::path(
    delete,
    path = "/organizations/{org}/tasks/{task_id}",
    operation_id = "archive_task",
    tag = "tasks",
    params(("org" = String, Path, description = "Organization id"), ("task_id" = String, Path, description = "Task id")),
    responses((status = 204, description = "Archived"))
)]
async fn archive_task(ctx: Ctx, Path((_org, task_id)): Path<(String, String)>) -> Result<Response> {
    let me = ctx.member()?;
    // An archived standalone task answers 404 here too.
    let task = visible_task(&ctx, &me, &task_id).await?;
    may_edit(&me, &task)?;
    task_rules::may_restore_or_delete(task.facts().in_run).map_err(|r| Error::from((ArchiveWrite::TaskRemove, r)))?;
    service::archive(&ctx.state, &me, &task.row.id, ctx.now).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Deletes a standalone task (archived or not) for good (admins only), with its files.
#[utoipa::path(
    delete,
    path = "/organizations/{org}/tasks/{task_id}/delete",
    operation_id = "delete_task",
    tag = "tasks",
    params(("org" = String, Path, description = "Organization id"), ("task_id" = String, Path, description = "Task id")),
    responses((status = 204, description = "Deleted"))
)]
async fn delete_task(ctx: Ctx, Path((_org, task_id)): Path<(String, String)>) -> Result<Response> {
    let me = ctx.member()?;
    let task = any_visible_task(&ctx, &me, &task_id).await?;
    if !me.is_admin() {
        return Err(Error::no_permission());
    }
    task_rules::may_restore_or_delete(task.facts().in_run).map_err(|r| Error::from((ArchiveWrite::TaskRemove, r)))?;
    service::delete(&ctx.state, &me, &task.row.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Restores an archived standalone task; a task that is not archived is answered unchanged.
#[utoipa::path(
    put,
    path = "/organizations/{org}/tasks/{task_id}/restore",
    operation_id = "restore_task",
    tag = "tasks",
    params(("org" = String, Path, description = "Organization id"), ("task_id" = String, Path, description = "Task id"), crate::http::openapi::params::WithParams),
    responses((status = 200, description = "The restored task", body = crate::http::openapi::Item<crate::http::tasks::json::TaskJson>))
)]
async fn restore_task(
    ctx: Ctx,
    Path((_org, task_id)): Path<(String, String)>,
    query: Query,
    _body: Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let task = any_visible_task(&ctx, &me, &task_id).await?;
    may_edit(&me, &task)?;
    task_rules::may_restore_or_delete(task.facts().in_run).map_err(|r| Error::from((ArchiveWrite::TaskRestore, r)))?;
    service::restore(&ctx.state, &me, &task.row.id, ctx.now).await?;
    let task = any_visible_task(&ctx, &me, &task.row.id).await?;
    let mut items = json::render(&ctx, &me, std::slice::from_ref(&task), &query, true).await?;
    Ok(etag::with_etag(
        envelope::ok(items.pop()),
        &task.row.id,
        task.row.version,
    ))
}
