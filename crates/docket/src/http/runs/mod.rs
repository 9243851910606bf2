//! Runs (processes): every run route registered here, R2 read, and the run includes built from
//! its tasks.

mod form_fields;
pub mod json;
pub mod kickoff;
mod launch;
pub mod list;
mod list_tasks;
mod writes;

use axum::extract::Path;
use axum::response::Response;
use docket_domain::Actor;
use docket_domain::task::TaskStatus;
use docket_store::model::RunRecord;
use serde_json::{Map, Value};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::envelope::{self, include_many};
use crate::http::extract::{Ctx, Query};
use crate::http::tasks::json::{CaptureJson, stored_json};
use crate::state::AppState;

/// The run routes, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list::list_runs, launch::launch))
        .routes(routes!(get_run))
        .routes(routes!(list_tasks::run_tasks))
        .routes(routes!(form_fields::run_form_fields))
        .merge(writes::routes())
}

/// The run named by the path, else 404.
pub async fn path_run(ctx: &Ctx, actor: &Actor, run_id: &str) -> Result<RunRecord> {
    ctx.state
        .store
        .run(&actor.org_id, run_id, ctx.now)
        .await?
        .ok_or(Error::NotFound)
}

/// Runs as JSON with every include `query` asks for: those of the run itself (`json`) and those
/// built from its tasks.
pub async fn render(ctx: &Ctx, actor: &Actor, runs: &[RunRecord], query: &Query) -> Result<Vec<json::RunJson>> {
    let mut out = json::render(ctx, actor, runs, query).await?;
    tasks_includes(ctx, actor, &mut out, query).await?;
    Ok(out)
}

/// Reads a run (process), also when archived.
#[utoipa::path(
    get,
    path = "/organizations/{org}/runs/{run_id}",
    operation_id = "get_run",
    tag = "runs",
    params(("org" = String, Path, description = "Organization id"), ("run_id" = String, Path, description = "Run id"), crate::http::openapi::params::WithParams),
    responses((status = 200, description = "The run", body = crate::http::openapi::Item<crate::http::runs::json::RunJson>, headers(("ETag" = String, description = "Changes with every change of the resource; send it as `If-Match`."))))
)]
async fn get_run(ctx: Ctx, Path((_org, run_id)): Path<(String, String)>, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let run = ctx
        .state
        .store
        .run(&me.org_id, &run_id, ctx.now)
        .await?
        .ok_or(Error::NotFound)?;
    let mut items = render(&ctx, &me, std::slice::from_ref(&run), &query).await?;
    Ok(crate::http::etag::with_etag(
        envelope::ok(items.pop()),
        &run.row.id,
        run.row.version,
    ))
}

/// The includes of runs built from their tasks: `tasks` (with nested `tasks.x` includes),
/// `next_task`, `form_fields`, and the `form_fields_values=true` map. Top-secret tasks the
/// caller may not see are left out.
pub async fn tasks_includes(ctx: &Ctx, actor: &Actor, runs: &mut [json::RunJson], query: &Query) -> Result<()> {
    let values = query.bool("form_fields_values")?.unwrap_or(false);
    let wants = query.with("tasks") || query.with("next_task") || query.with("form_fields") || values;
    if !wants {
        return Ok(());
    }
    let nested: Vec<String> = query
        .list("with")
        .iter()
        .filter_map(|w| w.strip_prefix("tasks.").map(str::to_string))
        .collect();
    let nested = Query(vec![("with".into(), nested.join(","))]);
    for run in runs.iter_mut() {
        let ids = ctx.state.store.task_ids_of_run(&actor.org_id, run.id()).await?;
        let tasks: Vec<_> = ctx
            .state
            .store
            .tasks_by_ids(&actor.org_id, &ids)
            .await?
            .into_iter()
            .filter(|t| t.facts().can_see(actor.caller()))
            .collect();
        if query.with("tasks") {
            let rendered = crate::http::tasks::json::render(ctx, actor, &tasks, &nested, false).await?;
            run.includes.insert("tasks".into(), include_many(rendered));
        }
        if query.with("next_task") {
            let next: Vec<_> = tasks
                .iter()
                .filter(|t| !matches!(t.row.status, TaskStatus::Completed | TaskStatus::AutoSkipped))
                .take(1)
                .cloned()
                .collect();
            let rendered = crate::http::tasks::json::render(ctx, actor, &next, &Query::default(), false).await?;
            run.includes.insert("next_task".into(), include_many(rendered));
        }
        if query.with("form_fields") {
            let captures: Vec<CaptureJson> = tasks
                .iter()
                .flat_map(|t| {
                    t.captures
                        .iter()
                        .map(|c| CaptureJson::of_step(c, t.row.step_id.as_deref()))
                })
                .collect();
            run.includes.insert("form_fields".into(), include_many(captures));
        }
        if values {
            let map: Map<String, Value> = tasks
                .iter()
                .flat_map(|t| {
                    t.captures
                        .iter()
                        .map(|c| (c.id.clone(), stored_json(c.value.as_deref())))
                })
                .collect();
            run.includes.insert("form_fields_values".into(), Value::Object(map));
        }
    }
    Ok(())
}
