//! Tags on runs, tasks and templates (TG6, TG7) and the TagLink JSON shape (spec §2.10).

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use docket_domain::time::format_ts;
use docket_domain::{Actor, ValidationErrors, input::Reader};
use docket_store::model::TagLinkRow;
use serde::Serialize;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Body, Ctx};
use crate::http::params::user_id_segment;
use crate::state::AppState;

const TAG_INVALID: &str = "The selected tag id is invalid.";
const SUBJECT_INVALID: &str = "The selected subject id is invalid.";

/// The routes of this module, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(attach)).routes(routes!(detach))
}

/// Whether run, task or template `id` of the caller's organization exists and, for a task, is
/// visible to them and not an archived standalone task. Archived templates count.
pub(crate) async fn subject_exists(ctx: &Ctx, me: &Actor, subject_type: &str, id: &str) -> Result<bool> {
    Ok(match subject_type {
        "Run" => ctx.state.store.run(&me.org_id, id, ctx.now).await?.is_some(),
        "Checklist" => ctx.state.store.template(&me.org_id, id).await?.is_some(),
        _ => ctx.state.store.task(&me.org_id, id).await?.is_some_and(|t| {
            t.facts().can_see(me.caller()) && !(t.row.run_id.is_none() && t.row.archived_at.is_some())
        }),
    })
}

/// Attaches a tag to a run, a task or a template: 201 with a new association, 200 with the existing one.
#[utoipa::path(
    post,
    path = "/organizations/{org}/checklists/tags",
    operation_id = "attach_tag",
    tag = "tags",
    params(("org" = String, Path, description = "Organization id")),
    request_body(content = crate::http::openapi::bodies::TagLinkInput, content_type = "application/json"),
    responses((status = 201, description = "The association", body = crate::http::openapi::Item<TagLinkJson>))
)]
async fn attach(ctx: Ctx, Body(body): Body) -> Result<Response> {
    let me = ctx.member()?;
    if !me.can_manage_tags() {
        return Err(Error::no_permission());
    }
    let mut errors = ValidationErrors::new();
    let mut r = Reader::new(&body, &mut errors);
    let tag_id = r.required_text(&["tag_id"], 64);
    let tag_type = r.required_text(&["tag_type"], 32).map(|t| t.to_ascii_lowercase());
    let subject_type = r.required_text(&["subject_type"], 32);
    let subject_id = r.required_text(&["subject_id"], 64);
    match tag_type.as_deref() {
        Some("private") | None => {}
        // docket has no public tags.
        Some("public") => errors.add("tag_id", TAG_INVALID),
        Some(_) => errors.add("tag_type", "The selected tag type is invalid."),
    }
    if let Some(id) = &tag_id
        && !errors.has("tag_id")
        && ctx.state.store.tag(&me.org_id, id).await?.is_none()
    {
        errors.add("tag_id", TAG_INVALID);
    }
    let subject_type = match subject_type.map(|t| t.to_ascii_lowercase()).as_deref() {
        Some("run") => Some("Run"),
        Some("task") => Some("Task"),
        Some("checklist") => Some("Checklist"),
        Some(_) => {
            errors.add("subject_type", "The selected subject type is invalid.");
            None
        }
        None => None,
    };
    if let (Some(kind), Some(id)) = (subject_type, &subject_id)
        && !subject_exists(&ctx, &me, kind, id).await?
    {
        errors.add("subject_id", SUBJECT_INVALID);
    }
    let (Some(tag_id), Some(kind), Some(subject_id)) = (tag_id, subject_type, subject_id) else {
        return Err(Error::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let (link, created) = ctx
        .state
        .store
        .attach_tag(&me.org_id, &tag_id, kind, &subject_id, ctx.now)
        .await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok(envelope::item(status, TagLinkJson::new(&link)))
}

/// Detaches a tag (by the association's integer id).
#[utoipa::path(
    delete,
    path = "/organizations/{org}/checklists/tags/{association_id}",
    operation_id = "detach_tag",
    tag = "tags",
    params(("org" = String, Path, description = "Organization id"), ("association_id" = i64, Path, description = "Tag association id")),
    responses((status = 204, description = "Detached"))
)]
async fn detach(ctx: Ctx, Path((_org, association_id)): Path<(String, String)>) -> Result<Response> {
    let me = ctx.member()?;
    let id = user_id_segment(&association_id)?;
    let link = ctx.state.store.tag_link(&me.org_id, id).await?.ok_or(Error::NotFound)?;
    if link.subject_type == "Task" && !subject_exists(&ctx, &me, "Task", &link.subject_id).await? {
        return Err(Error::NotFound);
    }
    if !me.can_manage_tags() {
        return Err(Error::no_permission());
    }
    ctx.state.store.detach_tag(&me.org_id, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The TagLink shape.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = TagLink)]
pub struct TagLinkJson {
    id: i64,
    tag_id: String,
    title: String,
    color: Option<String>,
    #[serde(rename = "type")]
    kind: &'static str,
    auto_generated: bool,
    subject_id: String,
    subject_type: String,
    created_at: String,
}

impl TagLinkJson {
    /// The shape of a stored link.
    pub fn new(l: &TagLinkRow) -> Self {
        TagLinkJson {
            id: l.id,
            tag_id: l.tag_id.clone(),
            title: l.title.clone(),
            color: l.color.clone(),
            kind: "private",
            auto_generated: false,
            subject_id: l.subject_id.clone(),
            subject_type: l.subject_type.clone(),
            created_at: format_ts(l.created_at),
        }
    }
}
