//! R15 `GET /organizations/{org}/runs/{run_id}/form-fields`: every form field of a run's tasks
//! with its value, and the run's kick-off fields with theirs.

use axum::extract::Path;
use axum::response::Response;
use serde_json::{Value, json};

use crate::error::Result;
use crate::http::envelope;
use crate::http::extract::Ctx;
use crate::http::runs::{kickoff, path_run};
use crate::http::tasks::json::CaptureJson;

/// The form fields of a run: its tasks' fields by task position, and its kick-off fields.
#[utoipa::path(
    get,
    path = "/organizations/{org}/runs/{run_id}/form-fields",
    operation_id = "run_form_fields",
    tag = "runs",
    params(("org" = String, Path, description = "Organization id"), ("run_id" = String, Path, description = "Run id")),
    responses((status = 200, description = "`{id, name, form_fields, ko_form_fields}`", body = crate::http::openapi::Item<Value>))
)]
pub(super) async fn run_form_fields(ctx: Ctx, Path((_org, run_id)): Path<(String, String)>) -> Result<Response> {
    let me = ctx.member()?;
    let run = path_run(&ctx, &me, &run_id).await?;
    let ids = ctx.state.store.task_ids_of_run(&me.org_id, &run.row.id).await?;
    let tasks = ctx.state.store.tasks_by_ids(&me.org_id, &ids).await?;
    let form_fields: Vec<CaptureJson> = tasks
        .iter()
        .filter(|t| t.facts().can_see(me.caller()))
        .flat_map(|t| {
            let step = t.row.step_id.as_deref();
            t.captures.iter().map(move |c| CaptureJson::of_step(c, step))
        })
        .collect();
    let ko_form_fields = if run.row.is_launched() {
        kickoff::with_values(&run.row)
    } else {
        Vec::new()
    };
    Ok(envelope::ok(json!({
        "id": run.row.id,
        "name": run.row.name,
        "form_fields": form_fields,
        "ko_form_fields": ko_form_fields,
    })))
}
