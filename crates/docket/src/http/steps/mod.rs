//! Steps of templates (ST1–ST7) and their captures (CP1–CP5): the routes, the reads, and the
//! checks every handler makes in the contract's order — the template of the caller's
//! organization (404), the step of that template (404), the role (403: light members may not
//! change templates), the body (422), then the archived template (422 `checklist`).

pub mod bodies;
mod captures;
pub mod json;
mod writes;

use axum::extract::Path;
use axum::response::Response;
use docket_domain::Actor;
use docket_domain::step::{ARCHIVED, can_edit_templates};
use docket_store::model::StepWithCaptures;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Ctx, Query};
use crate::http::params::page_request;
use crate::state::AppState;

pub use json::{StepJson, render};

/// The step and capture routes, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_steps, writes::create_step))
        .routes(routes!(get_step, writes::update_step, writes::delete_step))
        .routes(routes!(writes::clone_step))
        .routes(routes!(writes::reorder_step))
        .routes(routes!(captures::create_capture, captures::reorder_captures))
        .routes(routes!(captures::update_capture, captures::delete_capture))
        .routes(routes!(captures::move_capture))
}

/// The template named by the path, of the caller's organization: whether it is archived; 404
/// when there is none.
async fn path_template(ctx: &Ctx, me: &Actor, checklist_id: &str) -> Result<bool> {
    ctx.state
        .store
        .template_archived(&me.org_id, checklist_id)
        .await?
        .ok_or(Error::NotFound)
}

/// The step named by the path, of that template, with its captures; 404 otherwise.
async fn path_step(ctx: &Ctx, me: &Actor, checklist_id: &str, step_id: &str) -> Result<StepWithCaptures> {
    ctx.state
        .store
        .template_step(&me.org_id, checklist_id, step_id)
        .await?
        .ok_or(Error::NotFound)
}

/// 403 unless the caller may change templates.
fn may_edit(me: &Actor) -> Result<()> {
    if can_edit_templates(me.role) {
        Ok(())
    } else {
        Err(Error::no_permission())
    }
}

/// 422 `checklist` when the template is archived (checked again inside each write).
fn not_archived(archived: bool) -> Result<()> {
    if archived {
        Err(Error::invalid("checklist", ARCHIVED))
    } else {
        Ok(())
    }
}

/// Lists a template's steps by position, each with its captures.
#[utoipa::path(
    get,
    path = "/organizations/{org}/checklists/{checklist_id}/steps",
    operation_id = "list_steps",
    tag = "steps",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id"), crate::http::openapi::params::PageParams),
    responses((status = 200, description = "Steps", body = crate::http::openapi::Page<StepJson>))
)]
async fn list_steps(ctx: Ctx, Path((_org, checklist_id)): Path<(String, String)>, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    path_template(&ctx, &me, &checklist_id).await?;
    let page = page_request(&query, 10)?;
    let steps = ctx.state.store.template_steps(&me.org_id, &checklist_id).await?;
    let total = steps.len() as i64;
    let start = usize::try_from(page.offset()).unwrap_or(usize::MAX).min(steps.len());
    let end = match page.limit() {
        Some(n) => start
            .saturating_add(usize::try_from(n).unwrap_or(usize::MAX))
            .min(steps.len()),
        None => steps.len(),
    };
    Ok(envelope::list(&ctx, &page, total, render(&steps[start..end])))
}

/// Reads a step of a template, with its captures.
#[utoipa::path(
    get,
    path = "/organizations/{org}/checklists/{checklist_id}/steps/{step_id}",
    operation_id = "get_step",
    tag = "steps",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id"), ("step_id" = String, Path, description = "Step id")),
    responses((status = 200, description = "The step", body = crate::http::openapi::Item<StepJson>))
)]
async fn get_step(ctx: Ctx, Path((_org, checklist_id, step_id)): Path<(String, String, String)>) -> Result<Response> {
    let me = ctx.member()?;
    path_template(&ctx, &me, &checklist_id).await?;
    let step = path_step(&ctx, &me, &checklist_id, &step_id).await?;
    Ok(envelope::ok(StepJson::new(&step)))
}
