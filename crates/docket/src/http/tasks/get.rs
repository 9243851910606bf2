//! T3 `GET /organizations/{org}/tasks/{task_id}` and R11 `GET …/runs/{run_id}/tasks/{task_id}`.

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::Result;
use crate::http::extract::{Ctx, Query};
use crate::http::tasks::{json, visible_run_task, visible_task};
use crate::http::{envelope, etag};

/// Reads a task, standalone or in a run.
// Without includes (whose run shape depends on the time) the rendered body is remembered per
// caller until the next write (`AppState::task_reads`).
#[utoipa::path(
    get,
    path = "/organizations/{org}/tasks/{task_id}",
    operation_id = "get_task",
    tag = "tasks",
    params(("org" = String, Path, description = "Organization id"), ("task_id" = String, Path, description = "Task id"), crate::http::openapi::params::WithParams),
    responses((status = 200, description = "The task", body = crate::http::openapi::Item<crate::http::tasks::json::TaskJson>, headers(("ETag" = String, description = "Changes with every change of the resource; send it as `If-Match`."))))
)]
pub async fn get_task(ctx: Ctx, Path((_org, task_id)): Path<(String, String)>, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let generation = ctx.state.store.generation();
    let key = (!query.0.iter().any(|(k, _)| k == "with"))
        .then(|| format!("{}\u{1}{}\u{1}{task_id}\u{1}{}", me.org_id, me.user_id, ctx.base));
    if let Some((body, version)) = key.as_deref().and_then(|k| ctx.state.task_reads.get(k, generation)) {
        return Ok(json_body(body, &task_id, version));
    }
    let read_at = generation.current();
    let task = visible_task(&ctx, &me, &task_id).await?;
    let mut items = json::render(&ctx, &me, std::slice::from_ref(&task), &query, true).await?;
    let body =
        serde_json::to_vec(&envelope::data(items.pop())).map_err(|e| crate::error::Error::Internal(e.to_string()))?;
    let body = Bytes::from(body);
    if let Some(key) = key {
        ctx.state
            .task_reads
            .put(key, read_at, generation, (body.clone(), task.row.version));
    }
    Ok(json_body(body, &task.row.id, task.row.version))
}

fn json_body(body: Bytes, id: &str, version: i64) -> Response {
    etag::with_etag(
        ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        id,
        version,
    )
}

/// Reads a task of this run.
#[utoipa::path(
    get,
    path = "/organizations/{org}/runs/{run_id}/tasks/{task_id}",
    operation_id = "get_run_task",
    tag = "tasks",
    params(("org" = String, Path, description = "Organization id"), ("run_id" = String, Path, description = "Run id"), ("task_id" = String, Path, description = "Task id"), crate::http::openapi::params::WithParams),
    responses((status = 200, description = "The task", body = crate::http::openapi::Item<crate::http::tasks::json::TaskJson>, headers(("ETag" = String, description = "Changes with every change of the resource; send it as `If-Match`."))))
)]
pub async fn get_run_task(
    ctx: Ctx,
    Path((_org, run_id, task_id)): Path<(String, String, String)>,
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
