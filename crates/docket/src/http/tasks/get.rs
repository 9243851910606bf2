//! T3 `GET /organizations/{org}/tasks/{task_id}` and R11 `GET …/runs/{run_id}/tasks/{task_id}`.

use axum::extract::Path;
use axum::response::Response;

use crate::error::Result;
use crate::http::extract::{Ctx, Query};
use crate::http::tasks::{json, visible_run_task, visible_task};
use crate::http::{envelope, etag};

/// T3.
pub async fn get_task(ctx: Ctx, Path((_, task_id)): Path<(String, String)>, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let task = visible_task(&ctx, &me, &task_id).await?;
    let mut items = json::render(&ctx, &me, std::slice::from_ref(&task), &query, true).await?;
    Ok(etag::with_etag(
        envelope::ok(items.pop()),
        &task.row.id,
        task.row.version,
    ))
}

/// R11.
pub async fn get_run_task(
    ctx: Ctx,
    Path((_, run_id, task_id)): Path<(String, String, String)>,
    query: Query,
) -> Result<Response> {
    let me = ctx.member()?;
    let (_, task) = visible_run_task(&ctx, &me, &run_id, &task_id).await?;
    let mut items = json::render(&ctx, &me, std::slice::from_ref(&task), &query, true).await?;
    Ok(etag::with_etag(
        envelope::ok(items.pop()),
        &task.row.id,
        task.row.version,
    ))
}
