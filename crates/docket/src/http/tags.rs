//! Tags (TG1–TG5) and the Tag JSON shape (spec §2.10). Tag associations (TG6, TG7) live in
//! `tag_links.rs`; deleting a tag deletes its associations.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use docket_domain::input::{Patch, Reader};
use docket_domain::time::format_ts;
use docket_domain::{ValidationErrors, ids};
use docket_store::StoreError;
use docket_store::model::Tag;
use docket_store::query::{Sort, TagQuery, TagSortColumn, Window, like_pattern};
use serde::Serialize;
use serde_json::{Value, json};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Body, Ctx, Query};
use crate::http::params::page_request;
use crate::state::AppState;

/// Longest tag title, in characters.
const TITLE_MAX: usize = 30;
const TITLE_TAKEN: &str = "The title has already been taken.";

/// The routes of this module, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tags, create_tag))
        .routes(routes!(get_tag, update_tag, delete_tag))
}

/// The Tag shape.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Tag)]
struct TagJson {
    id: String,
    title: String,
    color: Option<String>,
    #[serde(rename = "type")]
    kind: &'static str,
    auto_generated: bool,
    created_at: String,
    deleted_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    statistics: Option<Value>,
}

impl TagJson {
    fn new(t: &Tag) -> Self {
        TagJson {
            id: t.id.clone(),
            title: t.title.clone(),
            color: t.color.clone(),
            kind: "private",
            auto_generated: false,
            created_at: format_ts(t.created_at),
            deleted_at: None,
            statistics: None,
        }
    }
}

/// Renders tags, with the `statistics` include when `query` asks for it.
async fn render(ctx: &Ctx, org: &str, tags: &[Tag], query: &Query) -> Result<Vec<TagJson>> {
    let mut items: Vec<TagJson> = tags.iter().map(TagJson::new).collect();
    if query.with("statistics") {
        let ids: Vec<String> = tags.iter().map(|t| t.id.clone()).collect();
        let counts = ctx.state.store.tag_run_counts(org, &ids).await?;
        let templates = ctx.state.store.tag_template_counts(org, &ids).await?;
        for ((item, (active, archived)), (active_t, archived_t)) in items.iter_mut().zip(counts).zip(templates) {
            item.statistics = Some(envelope::include_one(Some(json!({
                "active_template": active_t,
                "archived_template": archived_t,
                "active_process": active,
                "archived_process": archived,
            }))));
        }
    }
    Ok(items)
}

/// Renders one tag as an item response with `status`.
async fn respond(ctx: &Ctx, org: &str, tag: &Tag, query: &Query, status: StatusCode) -> Result<Response> {
    let mut items = render(ctx, org, std::slice::from_ref(tag), query).await?;
    Ok(envelope::item(status, items.pop()))
}

/// The tag addressed by the path, or 404.
async fn path_tag(ctx: &Ctx, org: &str, tag_id: &str) -> Result<Tag> {
    ctx.state.store.tag(org, tag_id).await?.ok_or(Error::NotFound)
}

/// The tag list's `sort`: `title` (default), `created_at`, either with a leading `-` for descending.
fn tag_sort(query: &Query, errors: &mut ValidationErrors) -> Sort<TagSortColumn> {
    let raw = query.get_any(&["sort", "sort_by"]).map(str::trim).unwrap_or("");
    let (desc, name) = match raw.strip_prefix('-') {
        Some(n) => (true, n),
        None => (false, raw),
    };
    let column = match name {
        "" | "title" => TagSortColumn::Title,
        "created_at" => TagSortColumn::CreatedAt,
        _ => {
            errors.add("sort", "The selected sort is invalid.");
            TagSortColumn::Title
        }
    };
    Sort { column, desc }
}

/// A `#rrggbb` color.
fn is_hex_color(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// Reads `color`: `Absent`, `Null` (null or blank) or a valid `#rrggbb`; anything else is an error.
fn read_color(r: &mut Reader<'_, '_>) -> Patch<String> {
    match r.string(&["color"]) {
        Patch::Set(s) => {
            let t = s.trim();
            if t.is_empty() {
                Patch::Null
            } else if is_hex_color(t) {
                Patch::Set(t.to_string())
            } else {
                r.fail("color", "The color must be a hex color of the form #rrggbb.");
                Patch::Absent
            }
        }
        other => other,
    }
}

/// Adds the 422 for a title already used by another tag of `org` (ignoring case).
async fn check_title_free(
    ctx: &Ctx,
    org: &str,
    title: &str,
    except: Option<&str>,
    errors: &mut ValidationErrors,
) -> Result<()> {
    if let Some(other) = ctx.state.store.tag_by_title(org, title).await?
        && Some(other.id.as_str()) != except
    {
        errors.add("title", TITLE_TAKEN);
    }
    Ok(())
}

/// A unique violation on write means another request took the title first.
fn title_conflict(e: StoreError) -> Error {
    match e {
        StoreError::Conflict(_) => Error::invalid("title", TITLE_TAKEN),
        other => other.into(),
    }
}

/// Lists the organization's tags.
#[utoipa::path(
    get,
    path = "/organizations/{org}/tags",
    operation_id = "list_tags",
    tag = "tags",
    params(("org" = String, Path, description = "Organization id"), crate::http::openapi::params::TagListParams, crate::http::openapi::params::WithParams, crate::http::openapi::params::PageParams),
    responses((status = 200, description = "Tags", body = crate::http::openapi::Page<TagJson>))
)]
async fn list_tags(ctx: Ctx, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let mut errors = ValidationErrors::new();
    let page = match page_request(&query, 10) {
        Ok(p) => Some(p),
        Err(Error::Invalid(e)) => {
            errors.extend(e);
            None
        }
        Err(e) => return Err(e),
    };
    let sort = tag_sort(&query, &mut errors);
    let auto_generated = match query.bool("auto_generated") {
        Ok(b) => b,
        Err(Error::Invalid(e)) => {
            errors.extend(e);
            None
        }
        Err(e) => return Err(e),
    };
    // `all` and `status` are accepted and ignored: docket has no auto-generated or archived tags.
    let Some(page) = page.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let q = TagQuery {
        q: query.text("q").map(|t| like_pattern(&t)),
        auto_generated,
        sort,
        window: Window {
            limit: page.limit(),
            offset: page.offset(),
        },
    };
    let (tags, total) = ctx.state.store.tags(&me.org_id, &q).await?;
    let items = render(&ctx, &me.org_id, &tags, &query).await?;
    Ok(envelope::list(&ctx, &page, total, items))
}

/// Creates a tag.
#[utoipa::path(
    post,
    path = "/organizations/{org}/tags",
    operation_id = "create_tag",
    tag = "tags",
    params(("org" = String, Path, description = "Organization id"), crate::http::openapi::params::WithParams),
    request_body(content = crate::http::openapi::bodies::TagInput, content_type = "application/json"),
    responses((status = 201, description = "The new tag", body = crate::http::openapi::Item<TagJson>))
)]
async fn create_tag(ctx: Ctx, query: Query, Body(body): Body) -> Result<Response> {
    let me = ctx.member()?;
    if !me.can_manage_tags() {
        return Err(Error::no_permission());
    }
    let mut errors = ValidationErrors::new();
    let mut r = Reader::new(&body, &mut errors);
    let title = r.required_text(&["title"], TITLE_MAX);
    let color = read_color(&mut r).set();
    if let Some(t) = &title {
        check_title_free(&ctx, &me.org_id, t, None, &mut errors).await?;
    }
    let Some(title) = title.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let tag = Tag {
        id: ids::new_id32(),
        org_id: me.org_id.clone(),
        title,
        color,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    ctx.state.store.create_tag(&tag).await.map_err(title_conflict)?;
    respond(&ctx, &me.org_id, &tag, &query, StatusCode::CREATED).await
}

/// Reads a tag.
#[utoipa::path(
    get,
    path = "/organizations/{org}/tags/{tag_id}",
    operation_id = "get_tag",
    tag = "tags",
    params(("org" = String, Path, description = "Organization id"), ("tag_id" = String, Path, description = "Tag id"), crate::http::openapi::params::WithParams),
    responses((status = 200, description = "The tag", body = crate::http::openapi::Item<TagJson>))
)]
async fn get_tag(ctx: Ctx, Path((_org, tag_id)): Path<(String, String)>, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let tag = path_tag(&ctx, &me.org_id, &tag_id).await?;
    respond(&ctx, &me.org_id, &tag, &query, StatusCode::OK).await
}

/// Changes a tag: only the fields sent.
#[utoipa::path(
    put,
    path = "/organizations/{org}/tags/{tag_id}",
    operation_id = "update_tag",
    tag = "tags",
    params(("org" = String, Path, description = "Organization id"), ("tag_id" = String, Path, description = "Tag id"), crate::http::openapi::params::WithParams),
    request_body(content = crate::http::openapi::bodies::TagInput, content_type = "application/json"),
    responses((status = 200, description = "The tag", body = crate::http::openapi::Item<TagJson>))
)]
async fn update_tag(
    ctx: Ctx,
    Path((_org, tag_id)): Path<(String, String)>,
    query: Query,
    Body(body): Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let tag = path_tag(&ctx, &me.org_id, &tag_id).await?;
    if !me.can_manage_tags() {
        return Err(Error::no_permission());
    }
    let mut errors = ValidationErrors::new();
    let mut r = Reader::new(&body, &mut errors);
    let title = match r.text(&["title"], TITLE_MAX) {
        Patch::Set(t) => Some(t),
        Patch::Null => {
            r.fail("title", "The title field is required.");
            None
        }
        Patch::Absent => None,
    };
    let color = match read_color(&mut r) {
        Patch::Set(c) => Some(Some(c)),
        Patch::Null => Some(None),
        Patch::Absent => None,
    };
    if let Some(t) = &title {
        check_title_free(&ctx, &me.org_id, t, Some(&tag.id), &mut errors).await?;
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let updated = ctx
        .state
        .store
        .update_tag(
            &me.org_id,
            &tag.id,
            title.as_deref(),
            color.as_ref().map(Option::as_deref),
            ctx.now,
        )
        .await
        .map_err(title_conflict)?
        .ok_or(Error::NotFound)?;
    respond(&ctx, &me.org_id, &updated, &query, StatusCode::OK).await
}

/// Deletes a tag and its links to runs and tasks; 204 whether or not the tag existed.
#[utoipa::path(
    delete,
    path = "/organizations/{org}/tags/{tag_id}",
    operation_id = "delete_tag",
    tag = "tags",
    params(("org" = String, Path, description = "Organization id"), ("tag_id" = String, Path, description = "Tag id")),
    responses((status = 204, description = "Deleted"))
)]
async fn delete_tag(ctx: Ctx, Path((_org, tag_id)): Path<(String, String)>) -> Result<Response> {
    let me = ctx.member()?;
    if !me.can_manage_tags() {
        return Err(Error::no_permission());
    }
    ctx.state.store.delete_tag(&me.org_id, &tag_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
