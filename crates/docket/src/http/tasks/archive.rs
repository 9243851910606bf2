//! Standalone task removal: T5 archive, T6 permanent delete, T7 restore (spec §5.13). Tasks of a
//! run are removed only with their run (R4, R6), so every route here refuses them.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use docket_domain::Actor;
use docket_store::model::{ArchiveRefusal, TaskRecord};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::extract::{Ctx, Query};
use crate::http::tasks::{json, visible_task};
use crate::http::{envelope, etag};
use crate::service::access;
use crate::state::AppState;

const IN_RUN: &str =
    "This task belongs to a process. Tasks in a process can only be removed by archiving or deleting the process.";
const IN_RUN_RESTORE: &str =
    "This task belongs to a process. Tasks in a process can only be restored by activating the process.";

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
        .filter(|t| access::can_see(actor, t))
        .ok_or(Error::NotFound)
}

/// The error of a refusal found inside the write's transaction.
fn refused(r: ArchiveRefusal, in_run: &'static str) -> Error {
    match r {
        ArchiveRefusal::InRun => Error::invalid("task", in_run),
        ArchiveRefusal::VersionMismatch => Error::PreconditionFailed,
        ArchiveRefusal::Missing | ArchiveRefusal::Archived | ArchiveRefusal::NotArchived => Error::NotFound,
    }
}

/// T5 `DELETE /organizations/{org}/tasks/{task_id}`: archive a standalone task; 204.
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
    if !access::can_edit(&me, &task) {
        return Err(Error::no_permission());
    }
    if task.row.run_id.is_some() {
        return Err(Error::invalid("task", IN_RUN));
    }
    ctx.state
        .store
        .archive_task(&me.org_id, &task.row.id, ctx.now)
        .await?
        .map_err(|r| refused(r, IN_RUN))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// T6 `DELETE /organizations/{org}/tasks/{task_id}/delete`: admin only, standalone tasks
/// (archived or not); 204.
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
    if task.row.run_id.is_some() {
        return Err(Error::invalid("task", IN_RUN));
    }
    ctx.state
        .store
        .delete_task(&me.org_id, &task.row.id)
        .await?
        .map_err(|r| refused(r, IN_RUN))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// T7 `PUT /organizations/{org}/tasks/{task_id}/restore`: un-archive a standalone task; 200 with
/// the task (unchanged when it was not archived).
#[utoipa::path(
    put,
    path = "/organizations/{org}/tasks/{task_id}/restore",
    operation_id = "restore_task",
    tag = "tasks",
    params(("org" = String, Path, description = "Organization id"), ("task_id" = String, Path, description = "Task id"), crate::http::openapi::params::WithParams),
    responses((status = 200, description = "The restored task", body = crate::http::openapi::Item<crate::http::tasks::json::TaskJson>))
)]
async fn restore_task(ctx: Ctx, Path((_org, task_id)): Path<(String, String)>, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let task = any_visible_task(&ctx, &me, &task_id).await?;
    if !access::can_edit(&me, &task) {
        return Err(Error::no_permission());
    }
    if task.row.run_id.is_some() {
        return Err(Error::invalid("task", IN_RUN_RESTORE));
    }
    ctx.state
        .store
        .restore_task(&me.org_id, &task.row.id, ctx.now)
        .await?
        .map_err(|r| refused(r, IN_RUN_RESTORE))?;
    let task = any_visible_task(&ctx, &me, &task.row.id).await?;
    let mut items = json::render(&ctx, &me, std::slice::from_ref(&task), &query, true).await?;
    Ok(etag::with_etag(
        envelope::ok(items.pop()),
        &task.row.id,
        task.row.version,
    ))
}
