//! Step writes: add (ST2), update (ST4), delete (ST5), clone (ST6), reorder (ST7).

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use docket_domain::input::{Patch, Reader};
use docket_domain::step::{self, StepDef};
use docket_domain::template_field::{self, TemplateFieldDef};
use docket_domain::{ValidationErrors, limits};
use docket_store::model::StepWrite;
use serde_json::{Map, Value};

use super::{StepJson, may_edit, not_archived, path_step, path_template};
use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Body, Ctx};
use crate::service::steps::{resolve_buckets, step_refusal};

/// A step body's nested `captures` (create only): definitions under `captures.{i}`.
fn read_captures(body: &Map<String, Value>, errors: &mut ValidationErrors) -> Vec<TemplateFieldDef> {
    let mut out = Vec::new();
    match docket_domain::input::Fields::new(body).get("captures") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            if limits::within(errors, "captures", items.len(), limits::MAX_FORM_FIELDS) {
                for (i, item) in items.iter().enumerate() {
                    out.extend(template_field::parse_new_value(item, &format!("captures.{i}"), errors));
                }
            }
        }
        Some(_) => errors.add("captures", "The captures must be an array."),
    }
    out
}

/// Adds a step at the end of a template (`position` is ignored; `captures` creates its fields).
#[utoipa::path(
    post,
    path = "/organizations/{org}/checklists/{checklist_id}/steps",
    operation_id = "create_step",
    tag = "steps",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id")),
    request_body(content = super::bodies::StepInput, content_type = "application/json"),
    responses((status = 201, description = "The new step", body = crate::http::openapi::Item<StepJson>))
)]
pub(super) async fn create_step(
    ctx: Ctx,
    Path((_org, checklist_id)): Path<(String, String)>,
    Body(body): Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let archived = path_template(&ctx, &me, &checklist_id).await?;
    may_edit(&me)?;
    let mut errors = ValidationErrors::new();
    let mut patch = step::parse(&body, true, &mut errors);
    let tags = resolve_buckets(&ctx.state, &me.org_id, &body, &mut patch, &mut errors).await?;
    let captures = read_captures(&body, &mut errors);
    if errors.is_empty() {
        step::check(&patch.apply(&StepDef::default()), &mut errors);
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    not_archived(archived)?;
    let w = StepWrite {
        patch,
        tags,
        captures,
        user_id: me.user_id,
        now: ctx.now,
    };
    let step = ctx
        .state
        .store
        .create_step(&me.org_id, &checklist_id, &w)
        .await?
        .map_err(step_refusal)?;
    Ok(envelope::item(StatusCode::CREATED, StepJson::new(&step)))
}

/// Changes a step: only the keys sent; a sent assignee bucket or `tags` replaces its list;
/// `position` moves the step; `captures` is ignored.
#[utoipa::path(
    put,
    path = "/organizations/{org}/checklists/{checklist_id}/steps/{step_id}",
    operation_id = "update_step",
    tag = "steps",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id"), ("step_id" = String, Path, description = "Step id")),
    request_body(content = super::bodies::StepInput, content_type = "application/json"),
    responses((status = 200, description = "The step", body = crate::http::openapi::Item<StepJson>))
)]
pub(super) async fn update_step(
    ctx: Ctx,
    Path((_org, checklist_id, step_id)): Path<(String, String, String)>,
    Body(body): Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let archived = path_template(&ctx, &me, &checklist_id).await?;
    let current = path_step(&ctx, &me, &checklist_id, &step_id).await?;
    may_edit(&me)?;
    let mut errors = ValidationErrors::new();
    let mut patch = step::parse(&body, false, &mut errors);
    let tags = resolve_buckets(&ctx.state, &me.org_id, &body, &mut patch, &mut errors).await?;
    if errors.is_empty() {
        step::check(&patch.apply(&current.step.def()), &mut errors);
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    not_archived(archived)?;
    let w = StepWrite {
        patch,
        tags,
        captures: Vec::new(),
        user_id: me.user_id,
        now: ctx.now,
    };
    let step = ctx
        .state
        .store
        .update_step(&me.org_id, &checklist_id, &step_id, &w)
        .await?
        .map_err(step_refusal)?;
    Ok(envelope::ok(StepJson::new(&step)))
}

/// Deletes a step and its captures, unless a rule or another step's deadline depends on it.
#[utoipa::path(
    delete,
    path = "/organizations/{org}/checklists/{checklist_id}/steps/{step_id}",
    operation_id = "delete_step",
    tag = "steps",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id"), ("step_id" = String, Path, description = "Step id")),
    responses((status = 204, description = "Deleted"))
)]
pub(super) async fn delete_step(
    ctx: Ctx,
    Path((_org, checklist_id, step_id)): Path<(String, String, String)>,
) -> Result<Response> {
    let me = ctx.member()?;
    let archived = path_template(&ctx, &me, &checklist_id).await?;
    path_step(&ctx, &me, &checklist_id, &step_id).await?;
    may_edit(&me)?;
    not_archived(archived)?;
    ctx.state
        .store
        .delete_step(&me.org_id, &checklist_id, &step_id, me.user_id, ctx.now)
        .await?
        .map_err(step_refusal)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Copies a step (new alias, copies of its captures) to the position after it.
#[utoipa::path(
    post,
    path = "/organizations/{org}/checklists/{checklist_id}/steps/{step_id}/clone",
    operation_id = "clone_step",
    tag = "steps",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id"), ("step_id" = String, Path, description = "Step id")),
    request_body(content = crate::http::openapi::bodies::Empty, content_type = "application/json"),
    responses((status = 201, description = "The copy", body = crate::http::openapi::Item<StepJson>))
)]
pub(super) async fn clone_step(
    ctx: Ctx,
    Path((_org, checklist_id, step_id)): Path<(String, String, String)>,
    Body(_body): Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let archived = path_template(&ctx, &me, &checklist_id).await?;
    path_step(&ctx, &me, &checklist_id, &step_id).await?;
    may_edit(&me)?;
    not_archived(archived)?;
    let step = ctx
        .state
        .store
        .clone_step(&me.org_id, &checklist_id, &step_id, me.user_id, ctx.now)
        .await?
        .map_err(step_refusal)?;
    Ok(envelope::item(StatusCode::CREATED, StepJson::new(&step)))
}

/// Reads a required `position` (integer ≥ 1) under `key`.
pub(super) fn required_position(body: &Map<String, Value>, errors: &mut ValidationErrors) -> Option<i64> {
    let mut r = Reader::new(body, errors);
    match r.int(&["position"]) {
        Patch::Set(n) if n >= 1 => Some(n),
        Patch::Set(_) => {
            r.fail("position", "The position must be at least 1.");
            None
        }
        Patch::Null | Patch::Absent => {
            if !r.errors().has("position") {
                r.fail("position", "The position field is required.");
            }
            None
        }
    }
}

/// Moves a step to `position` (clamped to the template's steps); the others are renumbered.
#[utoipa::path(
    put,
    path = "/organizations/{org}/checklists/{checklist_id}/steps/{step_id}/reorder",
    operation_id = "reorder_step",
    tag = "steps",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id"), ("step_id" = String, Path, description = "Step id")),
    request_body(content = super::bodies::PositionInput, content_type = "application/json"),
    responses((status = 200, description = "The step", body = crate::http::openapi::Item<StepJson>))
)]
pub(super) async fn reorder_step(
    ctx: Ctx,
    Path((_org, checklist_id, step_id)): Path<(String, String, String)>,
    Body(body): Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let archived = path_template(&ctx, &me, &checklist_id).await?;
    path_step(&ctx, &me, &checklist_id, &step_id).await?;
    may_edit(&me)?;
    let mut errors = ValidationErrors::new();
    let position = required_position(&body, &mut errors);
    let Some(position) = position.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    not_archived(archived)?;
    let step = ctx
        .state
        .store
        .reorder_step(&me.org_id, &checklist_id, &step_id, position, me.user_id, ctx.now)
        .await?
        .map_err(step_refusal)?;
    Ok(envelope::ok(StepJson::new(&step)))
}
