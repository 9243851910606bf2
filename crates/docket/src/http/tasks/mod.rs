//! Tasks: create (T1), read (T3, R11), the organization-wide lists (T2, T10–T12), and the
//! lookups every task route shares.

mod archive;
mod complete;
mod create;
mod get;
pub mod json;
pub(crate) mod list;
mod update;

use docket_domain::Actor;
use docket_store::model::{RunRecord, TaskRecord};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::extract::Ctx;
use crate::service::access;
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
    if !access::can_see(actor, &task) || (task.row.run_id.is_none() && task.row.archived_at.is_some()) {
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
