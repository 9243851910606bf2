//! CL10 (a template's form fields: step captures and kick-off fields) and CL11 (delete a
//! kick-off field).

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::{check_may_edit, path_template, refused};
use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::Ctx;
use crate::http::template_fields::{TemplateFieldJson, render};

/// The answer of CL10: one item.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = TemplateFormFields)]
pub struct FormFieldsJson {
    id: String,
    title: String,
    /// Every step capture, by step position then capture position.
    form_fields: Vec<TemplateFieldJson>,
    /// The kick-off fields, by position.
    ko_form_fields: Vec<TemplateFieldJson>,
}

/// The form fields of a template: its steps' captures and its kick-off fields.
#[utoipa::path(
    get,
    path = "/organizations/{org}/checklists/{checklist_id}/form-fields",
    operation_id = "template_form_fields",
    tag = "templates",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id")),
    responses((status = 200, description = "The template's fields", body = crate::http::openapi::Item<FormFieldsJson>))
)]
pub async fn template_form_fields(ctx: Ctx, Path((_org, id)): Path<(String, String)>) -> Result<Response> {
    let me = ctx.member()?;
    let t = path_template(&ctx, &me.org_id, &id).await?;
    let captures = ctx.state.store.template_captures(&t.id).await?;
    let kickoff = ctx
        .state
        .store
        .template_kickoff_fields(std::slice::from_ref(&t.id))
        .await?;
    Ok(envelope::ok(FormFieldsJson {
        id: t.id,
        title: t.title,
        form_fields: render(&captures),
        ko_form_fields: render(&kickoff),
    }))
}

/// Deletes one kick-off field; the others are renumbered. Refused while a rule depends on it.
#[utoipa::path(
    delete,
    path = "/organizations/{org}/checklists/{checklist_id}/preruns/{field_id}",
    operation_id = "delete_kickoff_field",
    tag = "templates",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id"), ("field_id" = String, Path, description = "Kick-off field id")),
    responses((status = 204, description = "Deleted"))
)]
pub async fn delete_kickoff_field(
    ctx: Ctx,
    Path((_org, id, field_id)): Path<(String, String, String)>,
) -> Result<Response> {
    let me = ctx.member()?;
    let t = path_template(&ctx, &me.org_id, &id).await?;
    let kickoff = ctx
        .state
        .store
        .template_kickoff_fields(std::slice::from_ref(&t.id))
        .await?;
    if !kickoff.iter().any(|f| f.id == field_id) {
        return Err(Error::NotFound);
    }
    check_may_edit(&me)?;
    ctx.state
        .store
        .delete_kickoff_field(&me.org_id, &t.id, &field_id, me.user_id, ctx.now)
        .await?
        .map_err(refused)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
