//! Templates ("checklists", CL1–CL11): the routes, and templates rendered with their kick-off
//! fields, rules and `with` includes. The shape is in `json`; the list in `list`; create and
//! update in `writes`; archive, restore, delete, clone and publish in `lifecycle`; the form
//! fields of a template in `fields`.

mod fields;
pub mod json;
mod lifecycle;
mod list;
mod nested;
mod rules;
mod writes;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use docket_domain::Actor;
use docket_domain::template::ARCHIVED;
use docket_store::model::{TemplateRefusal, TemplateRow};
use serde_json::{Value, json};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Ctx, Query};
use crate::http::tag_links::TagLinkJson;
use crate::http::template_fields::TemplateFieldJson;
use crate::state::AppState;
pub use json::TemplateJson;

/// The routes of this module, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list::list_templates, writes::create_template))
        .routes(routes!(
            get_template,
            writes::update_template,
            lifecycle::archive_template
        ))
        .routes(routes!(lifecycle::restore_template))
        .routes(routes!(lifecycle::delete_template))
        .routes(routes!(lifecycle::clone_template))
        .routes(routes!(lifecycle::publish_template))
        .routes(routes!(fields::template_form_fields))
        .routes(routes!(fields::delete_kickoff_field))
}

/// Includes accepted on a template that docket always answers empty.
const EMPTY_INCLUDES: [&str; 5] = [
    "linked_tasks",
    "permissions",
    "stages",
    "member_watchers",
    "guest_watchers",
];

/// Renders templates with their rules, kick-off fields and the includes `query` asks for.
pub async fn render(ctx: &Ctx, org: &str, rows: &[TemplateRow], query: &Query) -> Result<Vec<TemplateJson>> {
    let ids: Vec<String> = rows.iter().map(|t| t.id.clone()).collect();
    let rules = ctx.state.store.template_rules(org, &ids).await?;
    let mut items: Vec<TemplateJson> = rows.iter().map(|t| TemplateJson::new(t, &rules)).collect();
    let fields = ctx.state.store.template_kickoff_fields(&ids).await?;
    for item in &mut items {
        item.prerun = fields
            .iter()
            .filter(|f| f.checklist_id == item.id)
            .map(|f| serde_json::to_value(TemplateFieldJson::new(f)).unwrap_or(Value::Null))
            .collect();
    }
    if query.with("steps") {
        for item in &mut items {
            let steps = ctx.state.store.template_steps(org, &item.id).await?;
            let rendered = serde_json::to_value(crate::http::steps::json::render(&steps))
                .map_err(|e| Error::Internal(e.to_string()))?;
            item.includes.insert("steps".into(), rendered);
        }
    }
    if query.with("tags") {
        let links = ctx.state.store.tag_links_of(org, "Checklist", &ids).await?;
        for item in &mut items {
            let mine: Vec<TagLinkJson> = links
                .iter()
                .filter(|l| l.subject_id == item.id)
                .map(TagLinkJson::new)
                .collect();
            item.includes.insert("tags".into(), envelope::include_many(mine));
        }
    }
    if query.with("assets") {
        let mut assets = crate::http::file_values::include_of(ctx, org, "Checklist", &ids).await?;
        for item in &mut items {
            let mine = assets.remove(&item.id).unwrap_or_default();
            item.includes.insert("assets".into(), envelope::include_many(mine));
        }
    }
    if query.with("folder") {
        for (item, row) in items.iter_mut().zip(rows) {
            let folder = match &row.folder_id {
                Some(f) => ctx
                    .state
                    .store
                    .template_folder(org, f)
                    .await?
                    .map(|f| json::folder_json(&f)),
                None => None,
            };
            item.includes.insert("folder".into(), envelope::include_one(folder));
        }
    }
    for name in EMPTY_INCLUDES {
        if query.with(name) {
            for item in &mut items {
                item.includes.insert(name.into(), json!({"data": []}));
            }
        }
    }
    Ok(items)
}

/// One template as an item response with `status`.
pub async fn respond(ctx: &Ctx, org: &str, row: &TemplateRow, query: &Query, status: StatusCode) -> Result<Response> {
    let mut items = render(ctx, org, std::slice::from_ref(row), query).await?;
    Ok(envelope::item(status, items.pop()))
}

/// The template addressed by the path (archived included), or 404.
pub async fn path_template(ctx: &Ctx, org: &str, id: &str) -> Result<TemplateRow> {
    ctx.state.store.template(org, id).await?.ok_or(Error::NotFound)
}

/// 403 unless the caller may change templates (admin and standard members).
pub fn check_may_edit(me: &Actor) -> Result<()> {
    if docket_domain::template::can_edit(me.role) {
        Ok(())
    } else {
        Err(Error::no_permission())
    }
}

/// 422 `checklist` while the template is archived.
pub fn check_active(t: &TemplateRow) -> Result<()> {
    if t.archived_at.is_some() {
        Err(Error::invalid("checklist", ARCHIVED))
    } else {
        Ok(())
    }
}

/// A template write's refusal as an error.
pub fn refused(refusal: TemplateRefusal) -> Error {
    match refusal {
        TemplateRefusal::Archived => Error::invalid("checklist", ARCHIVED),
        TemplateRefusal::NotArchived => Error::invalid("checklist", "Archive the template before deleting it."),
        TemplateRefusal::AliasTaken => Error::invalid("alias", docket_domain::template::ALIAS_TAKEN),
        TemplateRefusal::FieldHasRules => Error::invalid(
            "prerun",
            "Cannot delete this field because there are rules dependent on it.",
        ),
        TemplateRefusal::Step(i, r) => nested::step_error(i, crate::service::steps::step_refusal(r)),
    }
}

/// Reads a template.
#[utoipa::path(
    get,
    path = "/organizations/{org}/checklists/{checklist_id}",
    operation_id = "get_template",
    tag = "templates",
    params(("org" = String, Path, description = "Organization id"), ("checklist_id" = String, Path, description = "Template id"), crate::http::openapi::params::WithParams),
    responses((status = 200, description = "The template", body = crate::http::openapi::Item<TemplateJson>))
)]
async fn get_template(ctx: Ctx, Path((_org, id)): Path<(String, String)>, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let row = path_template(&ctx, &me.org_id, &id).await?;
    respond(&ctx, &me.org_id, &row, &query, StatusCode::OK).await
}

/// The `deleted_references`/`message` body of CL5 and CL7.
pub fn message_body(message: &str) -> Value {
    json!({ "message": message, "deleted_references": [] })
}
