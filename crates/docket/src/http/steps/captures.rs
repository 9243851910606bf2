//! Captures (form fields) of template steps: add (CP1), update (CP2), delete (CP3), move to
//! another step (CP4), reorder one (CP5). Reading one capture is not a route (405); steps carry
//! their captures.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use docket_domain::ValidationErrors;
use docket_domain::input::{Patch, Reader};
use docket_domain::template_field::{self};
use serde_json::Value;

use super::writes::required_position;
use super::{may_edit, not_archived, path_step, path_template};
use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Body, Ctx};
use crate::http::template_fields::{TemplateFieldJson, render};
use crate::service::steps::capture_refusal;

/// 404 unless `capture_id` is a capture of the step.
fn has_capture(step: &docket_store::model::StepWithCaptures, capture_id: &str) -> Result<()> {
    if step.captures.iter().any(|c| c.id == capture_id) {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

/// Adds a form field at the end of a step (`position` is ignored).
#[utoipa::path(
    post,
    path = "/organizations/{org}/checklists/{checklist_id}/steps/{step_id}/captures",
    operation_id = "create_capture",
    tag = "steps",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id"), ("step_id" = String, Path, description = "Step id")),
    request_body(content = super::bodies::CaptureInput, content_type = "application/json"),
    responses((status = 201, description = "The new form field", body = crate::http::openapi::Item<TemplateFieldJson>))
)]
pub(super) async fn create_capture(
    ctx: Ctx,
    Path((_org, checklist_id, step_id)): Path<(String, String, String)>,
    Body(body): Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let archived = path_template(&ctx, &me, &checklist_id).await?;
    path_step(&ctx, &me, &checklist_id, &step_id).await?;
    may_edit(&me)?;
    let mut errors = ValidationErrors::new();
    let def = template_field::parse_new(&body, "", &mut errors);
    let Some(def) = def.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    not_archived(archived)?;
    let row = ctx
        .state
        .store
        .add_capture(&me.org_id, (&checklist_id, &step_id), &def, me.user_id, ctx.now)
        .await?
        .map_err(capture_refusal)?;
    Ok(envelope::item(StatusCode::CREATED, TemplateFieldJson::new(&row)))
}

/// Changes a form field: only the keys sent; `options` replaces the list; `position` moves it
/// within its step. Read-only keys echoed from a read are ignored.
#[utoipa::path(
    put,
    path = "/organizations/{org}/checklists/{checklist_id}/steps/{step_id}/captures/{capture_id}",
    operation_id = "update_capture",
    tag = "steps",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id"), ("step_id" = String, Path, description = "Step id"), ("capture_id" = String, Path, description = "Form field id")),
    request_body(content = super::bodies::CaptureInput, content_type = "application/json"),
    responses((status = 200, description = "The form field", body = crate::http::openapi::Item<TemplateFieldJson>))
)]
pub(super) async fn update_capture(
    ctx: Ctx,
    Path((_org, checklist_id, step_id, capture_id)): Path<(String, String, String, String)>,
    Body(body): Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let archived = path_template(&ctx, &me, &checklist_id).await?;
    let step = path_step(&ctx, &me, &checklist_id, &step_id).await?;
    has_capture(&step, &capture_id)?;
    may_edit(&me)?;
    let mut errors = ValidationErrors::new();
    let patch = template_field::parse_patch(&body, "", &mut errors);
    let mut r = Reader::new(&body, &mut errors);
    let position = match r.int(&["position"]) {
        Patch::Set(n) if n >= 1 => Some(n),
        Patch::Set(_) => {
            r.fail("position", "The position must be at least 1.");
            None
        }
        _ => None,
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    not_archived(archived)?;
    let row = ctx
        .state
        .store
        .update_capture(
            &me.org_id,
            (&checklist_id, &step_id, &capture_id),
            &patch,
            position,
            me.user_id,
            ctx.now,
        )
        .await?
        .map_err(capture_refusal)?;
    Ok(envelope::ok(TemplateFieldJson::new(&row)))
}

/// Deletes a form field, unless a rule references it.
#[utoipa::path(
    delete,
    path = "/organizations/{org}/checklists/{checklist_id}/steps/{step_id}/captures/{capture_id}",
    operation_id = "delete_capture",
    tag = "steps",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id"), ("step_id" = String, Path, description = "Step id"), ("capture_id" = String, Path, description = "Form field id")),
    responses((status = 204, description = "Deleted"))
)]
pub(super) async fn delete_capture(
    ctx: Ctx,
    Path((_org, checklist_id, step_id, capture_id)): Path<(String, String, String, String)>,
) -> Result<Response> {
    let me = ctx.member()?;
    let archived = path_template(&ctx, &me, &checklist_id).await?;
    let step = path_step(&ctx, &me, &checklist_id, &step_id).await?;
    has_capture(&step, &capture_id)?;
    may_edit(&me)?;
    not_archived(archived)?;
    ctx.state
        .store
        .delete_capture(&me.org_id, (&checklist_id, &step_id, &capture_id), me.user_id, ctx.now)
        .await?
        .map_err(capture_refusal)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Moves a form field to another step of the template (same id and alias) at `position`
/// (default 1, clamped); the answer's `step_id` is the target.
#[utoipa::path(
    put,
    path = "/organizations/{org}/checklists/{checklist_id}/steps/{step_id}/captures/{capture_id}/move-out",
    operation_id = "move_capture",
    tag = "steps",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id"), ("step_id" = String, Path, description = "Step id"), ("capture_id" = String, Path, description = "Form field id")),
    request_body(content = super::bodies::MoveCaptureInput, content_type = "application/json"),
    responses((status = 200, description = "The moved form field", body = crate::http::openapi::Item<TemplateFieldJson>))
)]
pub(super) async fn move_capture(
    ctx: Ctx,
    Path((_org, checklist_id, step_id, capture_id)): Path<(String, String, String, String)>,
    Body(body): Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let archived = path_template(&ctx, &me, &checklist_id).await?;
    let step = path_step(&ctx, &me, &checklist_id, &step_id).await?;
    has_capture(&step, &capture_id)?;
    may_edit(&me)?;
    let mut errors = ValidationErrors::new();
    let mut r = Reader::new(&body, &mut errors);
    let target = match r.value(&["target_step_id", "step_id"]) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        None | Some(Value::Null) => {
            r.fail("target_step_id", "The target step id field is required.");
            None
        }
        Some(Value::String(_)) => {
            r.fail("target_step_id", "The target step id field is required.");
            None
        }
        Some(_) => {
            r.fail("target_step_id", "The selected target step id is invalid.");
            None
        }
    };
    let position = match r.int(&["position"]) {
        Patch::Set(n) if n >= 1 => n,
        Patch::Set(_) => {
            r.fail("position", "The position must be at least 1.");
            1
        }
        _ => 1,
    };
    let Some(target) = target.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    not_archived(archived)?;
    let row = ctx
        .state
        .store
        .move_capture(
            &me.org_id,
            (&checklist_id, &step_id, &capture_id),
            (&target, position),
            me.user_id,
            ctx.now,
        )
        .await?
        .map_err(capture_refusal)?;
    Ok(envelope::ok(TemplateFieldJson::new(&row)))
}

/// Moves one form field of the step to `position` (clamped); answers the step's form fields in
/// their new order.
#[utoipa::path(
    put,
    path = "/organizations/{org}/checklists/{checklist_id}/steps/{step_id}/captures",
    operation_id = "reorder_captures",
    tag = "steps",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id"), ("step_id" = String, Path, description = "Step id")),
    request_body(content = super::bodies::ReorderCaptureInput, content_type = "application/json"),
    responses((status = 200, description = "The step's form fields", body = crate::http::openapi::Items<TemplateFieldJson>))
)]
pub(super) async fn reorder_captures(
    ctx: Ctx,
    Path((_org, checklist_id, step_id)): Path<(String, String, String)>,
    Body(body): Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let archived = path_template(&ctx, &me, &checklist_id).await?;
    let step = path_step(&ctx, &me, &checklist_id, &step_id).await?;
    may_edit(&me)?;
    let mut errors = ValidationErrors::new();
    let capture_id = match docket_domain::input::Fields::new(&body).get_any(&["capture_id", "id"]) {
        Some(Value::String(s)) if !s.trim().is_empty() => {
            let id = s.trim().to_string();
            if !step.captures.iter().any(|c| c.id == id) {
                errors.add("capture_id", "The selected capture id is invalid.");
            }
            Some(id)
        }
        None | Some(Value::Null) => {
            errors.add("capture_id", "The capture id field is required.");
            None
        }
        Some(_) => {
            errors.add("capture_id", "The selected capture id is invalid.");
            None
        }
    };
    let position = required_position(&body, &mut errors);
    let (Some(capture_id), Some(position)) = (capture_id, position) else {
        return Err(Error::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    not_archived(archived)?;
    let rows = ctx
        .state
        .store
        .reorder_capture(
            &me.org_id,
            (&checklist_id, &step_id, &capture_id),
            position,
            me.user_id,
            ctx.now,
        )
        .await?
        .map_err(capture_refusal)?;
    Ok(envelope::ok(render(&rows)))
}
