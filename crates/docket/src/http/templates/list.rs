//! CL1: the template list and its parameters.

use axum::response::Response;
use docket_domain::ValidationErrors;
use docket_domain::template::{archived_filter, type_filter};
use docket_store::model::{TemplateQuery, TemplateSort};
use docket_store::query::{Window, like_pattern};

use super::{TemplateJson, render};
use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Ctx, Query};
use crate::http::params::page_request;

/// Reads `sort` (alias `sort_by`).
fn template_sort(query: &Query, errors: &mut ValidationErrors) -> TemplateSort {
    let raw = query.get_any(&["sort", "sort_by"]).map(str::trim).unwrap_or("");
    let (desc, name) = match raw.strip_prefix('-') {
        Some(n) => (true, n),
        None => (false, raw),
    };
    match name {
        "" if !desc => TemplateSort::Default,
        "title" => TemplateSort::Title(desc),
        "created_at" => TemplateSort::CreatedAt(desc),
        "last_updated" | "updated" => TemplateSort::LastUpdated(desc),
        _ => {
            errors.add("sort", "The selected sort is invalid.");
            TemplateSort::Default
        }
    }
}

/// Lists the organization's templates.
#[utoipa::path(
    get,
    path = "/organizations/{org}/checklists",
    operation_id = "list_templates",
    tag = "templates",
    params(("org" = String, Path, description = "Organization id"), crate::http::openapi::params::TemplateListParams, crate::http::openapi::params::WithParams, crate::http::openapi::params::PageParams),
    responses((status = 200, description = "Templates", body = crate::http::openapi::Page<TemplateJson>))
)]
pub async fn list_templates(ctx: Ctx, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let page = page_request(&query, 10)?;
    let mut errors = ValidationErrors::new();
    let archived = archived_filter(query.get("status"), query.get("archived"), &mut errors);
    let types = type_filter(query.get("type"), &mut errors);
    let sort = template_sort(&query, &mut errors);
    let starred = match query.bool("starred") {
        Ok(b) => b,
        Err(Error::Invalid(e)) => {
            errors.extend(e);
            None
        }
        Err(other) => return Err(other),
    };
    let owner_id = match query.text("owner_id") {
        None => None,
        Some(t) => match t.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.add("owner_id", "The owner id must be an integer.");
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    // A tag named by id or by title; one that names no tag matches no template.
    let tag = match query.text("tag") {
        None => None,
        Some(t) => Some(match ctx.state.store.tag(&me.org_id, &t).await? {
            Some(tag) => tag.id,
            None => match ctx.state.store.tag_by_title(&me.org_id, &t).await? {
                Some(tag) => tag.id,
                None => String::new(),
            },
        }),
    };
    let q = TemplateQuery {
        q: query.text("q").map(|t| like_pattern(&t)),
        types,
        archived,
        starred,
        folders: query.list("folder"),
        tag,
        owner_id,
        sort,
        window: Window {
            limit: page.limit(),
            offset: page.offset(),
        },
    };
    let (rows, total) = ctx.state.store.templates(&me.org_id, &q).await?;
    let items = render(&ctx, &me.org_id, &rows, &query).await?;
    Ok(envelope::list(&ctx, &page, total, items))
}
