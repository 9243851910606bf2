//! R7 `GET /organizations/{org}/runs/{run_id}/tasks`: the tasks of one run with the parameters
//! of spec R7 (a subset of §4.0). Tasks of an archived run are listed; top-secret tasks the
//! caller may not see are left out.

use axum::extract::Path;
use axum::response::Response;

use crate::error::Result;
use crate::http::envelope;
use crate::http::extract::{Ctx, Query};
use crate::http::runs::path_run;
use crate::http::task_filters::{self, RUN_TASKS};
use crate::http::tasks::json;

/// The tasks of a run, by position; also when the run is archived.
#[utoipa::path(
    get,
    path = "/organizations/{org}/runs/{run_id}/tasks",
    operation_id = "list_run_tasks",
    tag = "runs",
    params(("org" = String, Path, description = "Organization id"), ("run_id" = String, Path, description = "Run id"), crate::http::task_filters::TaskListParams, crate::http::openapi::params::WithParams, crate::http::openapi::params::PageParams),
    responses((status = 200, description = "The run's tasks", body = crate::http::openapi::Page<crate::http::tasks::json::TaskJson>))
)]
pub async fn run_tasks(ctx: Ctx, Path((_org, run_id)): Path<(String, String)>, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let run = path_run(&ctx, &me, &run_id).await?;
    let (mut q, page) = task_filters::parse(&query, &me, ctx.now, &RUN_TASKS)?;
    q.run_id = Some(run.row.id.clone());
    if page.all {
        return Ok(crate::http::tasks::list::stream_all(ctx.clone(), me, query, q, page));
    }
    let (tasks, total) = ctx.state.store.task_list(&me.org_id, &q).await?;
    let items = json::render(&ctx, &me, &tasks, &query, false).await?;
    Ok(envelope::list(&ctx, &page, total, items))
}
