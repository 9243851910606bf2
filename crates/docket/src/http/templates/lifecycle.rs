//! CL5 archive, CL6 restore, CL7 permanent delete, CL8 clone, CL9 publish.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use docket_domain::input::Reader;
use docket_domain::template::{self, TITLE_MAX};
use docket_domain::{ValidationErrors, ids};
use docket_store::model::CloneTemplate;

use super::{TemplateJson, check_active, check_may_edit, message_body, path_template, refused, respond};
use crate::error::{Error, Result};
use crate::http::extract::{Body, Ctx, Query};

/// Archives a template: it leaves the default list, search and launch; its runs go on.
#[utoipa::path(
    delete,
    path = "/organizations/{org}/checklists/{checklist_id}",
    operation_id = "archive_template",
    tag = "templates",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id")),
    responses((status = 200, description = "`{\"message\", \"deleted_references\": []}`", body = crate::http::openapi::bodies::TemplateMessage))
)]
pub async fn archive_template(ctx: Ctx, Path((_org, id)): Path<(String, String)>) -> Result<Response> {
    let me = ctx.member()?;
    let t = path_template(&ctx, &me.org_id, &id).await?;
    check_may_edit(&me)?;
    ctx.state
        .store
        .set_template_archived(&me.org_id, &t.id, true, me.user_id, ctx.now)
        .await?;
    Ok(Json(message_body("The template was archived.")).into_response())
}

/// Restores an archived template.
#[utoipa::path(
    put,
    path = "/organizations/{org}/checklists/{checklist_id}/restore",
    operation_id = "restore_template",
    tag = "templates",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id")),
    responses((status = 200, description = "The template", body = crate::http::openapi::Item<TemplateJson>))
)]
pub async fn restore_template(
    ctx: Ctx,
    Path((_org, id)): Path<(String, String)>,
    Body(_body): Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let t = path_template(&ctx, &me.org_id, &id).await?;
    check_may_edit(&me)?;
    let row = ctx
        .state
        .store
        .set_template_archived(&me.org_id, &t.id, false, me.user_id, ctx.now)
        .await?;
    respond(&ctx, &me.org_id, &row, &Query::default(), StatusCode::OK).await
}

/// Deletes an archived template permanently, with its steps, fields, rules, tag links and files
/// (admins only). Runs launched from it stay.
#[utoipa::path(
    delete,
    path = "/organizations/{org}/checklists/{checklist_id}/delete",
    operation_id = "delete_template",
    tag = "templates",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id")),
    responses((status = 200, description = "`{\"message\", \"deleted_references\": []}`", body = crate::http::openapi::bodies::TemplateMessage))
)]
pub async fn delete_template(ctx: Ctx, Path((_org, id)): Path<(String, String)>) -> Result<Response> {
    let me = ctx.member()?;
    let t = path_template(&ctx, &me.org_id, &id).await?;
    if !template::can_delete(me.role) {
        return Err(Error::no_permission());
    }
    let shas = ctx
        .state
        .store
        .delete_template(&me.org_id, &t.id)
        .await?
        .map_err(refused)?;
    crate::service::files::release(&ctx.state, shas).await;
    Ok(Json(message_body("The template was deleted.")).into_response())
}

/// Copies a template (archived ones too) with its steps, fields, rules, tags and folder; the
/// copy is active and owned by the caller. The body may be JSON or a form.
#[utoipa::path(
    post,
    path = "/organizations/{org}/checklists/{checklist_id}/clone",
    operation_id = "clone_template",
    tag = "templates",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id")),
    request_body(content = crate::http::openapi::bodies::CloneTemplateInput, content_type = "application/json"),
    responses((status = 201, description = "The copy", body = crate::http::openapi::Item<TemplateJson>))
)]
pub async fn clone_template(ctx: Ctx, Path((_org, id)): Path<(String, String)>, Body(body): Body) -> Result<Response> {
    let me = ctx.member()?;
    let source = path_template(&ctx, &me.org_id, &id).await?;
    check_may_edit(&me)?;
    let mut errors = ValidationErrors::new();
    let mut r = Reader::new(&body, &mut errors);
    let title = if r.has(&["title", "name"]) {
        r.required_text(&["title", "name"], TITLE_MAX)
    } else {
        Some(template::clone_title(&source.title))
    };
    match r.string(&["tenant"]) {
        docket_domain::input::Patch::Set(t) if t.trim() != me.org_id => {
            r.fail("tenant", "Cloning between organizations is not supported.");
        }
        _ => {}
    }
    let Some(title) = title.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let c = CloneTemplate {
        id: ids::new_random_id32(),
        title,
        by: me.user_id,
        now: ctx.now,
    };
    let row = ctx.state.store.clone_template(&me.org_id, &source.id, &c).await?;
    respond(&ctx, &me.org_id, &row, &Query::default(), StatusCode::CREATED).await
}

/// Publishes a template: docket has no drafts, so this changes nothing; archived → 422.
#[utoipa::path(
    put,
    path = "/organizations/{org}/checklists/{checklist_id}/publish",
    operation_id = "publish_template",
    tag = "templates",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id")),
    responses((status = 200, description = "The template", body = crate::http::openapi::Item<TemplateJson>))
)]
pub async fn publish_template(
    ctx: Ctx,
    Path((_org, id)): Path<(String, String)>,
    Body(_body): Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let t = path_template(&ctx, &me.org_id, &id).await?;
    check_may_edit(&me)?;
    check_active(&t)?;
    respond(&ctx, &me.org_id, &t, &Query::default(), StatusCode::OK).await
}
