//! The activity feed (AF1, spec §4.9) and the ActivityEntry shape (§2.6).

use axum::response::{IntoResponse, Response};
use docket_domain::ValidationErrors;
use docket_domain::activity::{ENTITY_TYPES, SOURCES, TYPES, VERBS};
use docket_domain::page::PageInfo;
use docket_domain::time::{parse_date, start_of_day};
use docket_store::model::{FeedQuery, FeedSort};
use docket_store::query::like_pattern;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::extract::{Ctx, Query};
use crate::http::params::page_request;
use crate::http::{activity_render, envelope};
use crate::state::AppState;

/// The feed's filters.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ActivityParams {
    /// `checklist`, `run`, `step`, `task` or `thread`; with `entity_id`: that object and
    /// everything inside it.
    pub entity_type: Option<String>,
    /// The object's id (with `entity_type`).
    pub entity_id: Option<String>,
    /// Comma list of `Blueprint`, `Step`, `Process`, `Task`, `Comment`, `User`, `Organization`,
    /// `Tag`, `Group`.
    #[param(rename = "type")]
    pub kind: Option<String>,
    /// Comma list of verbs (`created`, `updated`, `completed`, `commented`, …).
    pub verb: Option<String>,
    /// `user` (members); `guest` matches nothing.
    pub actor_type: Option<String>,
    /// A member id.
    pub actor_id: Option<i64>,
    /// A member's e-mail; an unknown one matches nothing.
    pub actor_email: Option<String>,
    /// `Member`, `Guest` or `Webhook` (changes made by automations).
    pub source: Option<String>,
    /// `YYYY-MM-DD`: entries of that UTC day or later.
    pub created_after: Option<String>,
    /// `YYYY-MM-DD`: entries of that UTC day or earlier.
    pub created_before: Option<String>,
    /// 2 to 100 characters: a case-insensitive part of the description.
    pub search: Option<String>,
    /// Entries whose changed fields include this name.
    pub field: Option<String>,
    /// Accepted; docket records no origins.
    pub origin_type: Option<String>,
    /// Accepted; a non-empty value matches nothing.
    pub origin_id: Option<String>,
    /// `-created_at` (default), `created_at`, `id`, `-id`.
    pub sort: Option<String>,
    /// docket's cursor: only entries with a larger id, ascending by id (`sort` ignored). Pass
    /// the previous answer's `meta.cursor.after`.
    pub after: Option<i64>,
}

/// One page of the feed.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ActivityPage {
    /// The entries.
    pub data: Vec<ActivityEntry>,
    /// Pagination and the cursor.
    pub meta: ActivityMeta,
}

/// The `meta` of a feed page.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ActivityMeta {
    /// Which page this is.
    pub pagination: crate::http::openapi::Pagination,
    /// Where to continue.
    pub cursor: ActivityCursor,
}

/// The incremental-sync cursor.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ActivityCursor {
    /// The largest id on this page, or the request's `after` (0 if none) when the page is empty.
    pub after: i64,
}

/// One change: most keys are one-element arrays, as Tallyfy emits them.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ActivityEntry {
    /// Position in the organization's feed, increasing in commit order.
    pub id: i64,
    /// Organization.
    pub organization_id: String,
    /// `[verb]`.
    pub verb: Vec<String>,
    /// `["Member"]`, `["Guest"]` (a guest from their link) or `["Webhook"]` (made by an automation).
    pub source: Vec<String>,
    /// `["App\\Models\\User"]`, or `["App\\Models\\Guest"]` for a guest.
    pub actor_type: Vec<String>,
    /// `[member id]` or `[guest id]` (empty for changes made outside a request).
    pub actor_id: Vec<i64>,
    /// `[{email, username, first_name, last_name, full_name, profile_pic, resize_profile_pic}]`.
    pub actor: Vec<serde_json::Value>,
    /// `[type]`: `Blueprint`, `Step`, `Process`, `Task`, `Comment`, ….
    #[schema(rename = "type")]
    pub kind: Vec<String>,
    /// The class of the object acted on.
    pub auditable_type: String,
    /// Its id.
    pub auditable_id: String,
    /// The containing object's class, if any.
    #[schema(required = true)]
    pub parentable_type: Option<String>,
    /// The containing object's id, if any.
    #[schema(required = true)]
    pub parentable_id: Option<String>,
    /// `[sentence]`, e.g. `Completed task: Review`.
    pub description: Vec<String>,
    /// For `updated`: the changed field names.
    #[schema(required = true)]
    pub field: Option<Vec<String>>,
    /// Their previous values, where known.
    #[schema(required = true)]
    pub old_value: Option<Vec<serde_json::Value>>,
    /// Comment body for comment verbs.
    #[schema(required = true)]
    pub text: Option<Vec<String>>,
    /// Always null.
    #[schema(required = true, value_type = Option<String>)]
    pub references: Option<()>,
    /// Always false.
    pub undoable: bool,
    /// When.
    pub created_at: String,
    /// `{"data": {id, type, title}}` of the object now, `{"data": null}` once it is gone.
    pub audit: serde_json::Value,
    /// The same for the containing object.
    pub parent: serde_json::Value,
    /// Always null.
    #[schema(required = true, value_type = Option<String>)]
    pub origin: Option<()>,
}

/// Largest page without pagination.
const MAX_ROWS: i64 = 1_000_000;

/// The routes of this module, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_activity))
}

/// Lists the organization's activity: every change to templates, steps, runs, tasks and
/// comments, newest first by default. With `after=<id>` the entries after that cursor in
/// ascending id order: a client keeps `meta.cursor.after` and calls again with it to receive
/// each entry exactly once, in commit order.
#[utoipa::path(
    get,
    path = "/organizations/{org}/activity-feeds",
    operation_id = "list_activity",
    tag = "activity",
    params(("org" = String, Path, description = "Organization id"), ActivityParams, crate::http::openapi::params::PageParams),
    responses(
        (status = 200, description = "Activity entries with `meta.pagination` and `meta.cursor.after`", body = ActivityPage)
    )
)]
async fn list_activity(ctx: Ctx, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let mut errors = ValidationErrors::new();
    let page = match page_request(&query, 20) {
        Ok(p) => Some(p),
        Err(Error::Invalid(e)) => {
            errors.extend(e);
            None
        }
        Err(e) => return Err(e),
    };
    let mut q = FeedQuery {
        org: me.org_id.clone(),
        viewer: (!me.is_admin()).then_some(me.user_id),
        ..FeedQuery::default()
    };
    match (query.text("entity_type"), query.text("entity_id")) {
        (Some(t), Some(id)) => {
            if ENTITY_TYPES.contains(&t.as_str()) {
                q.entity = Some((t, id));
            } else {
                errors.add("entity_type", "The selected entity type is invalid.");
            }
        }
        (Some(_), None) => errors.add(
            "entity_id",
            "The entity id field is required when entity type is present.",
        ),
        (None, Some(_)) => errors.add(
            "entity_type",
            "The entity type field is required when entity id is present.",
        ),
        (None, None) => {}
    }
    q.types = vocabulary(&query, "type", TYPES, &mut errors);
    q.verbs = vocabulary(&query, "verb", VERBS, &mut errors);
    if let Some(t) = query.text("actor_type") {
        match t.to_ascii_lowercase().as_str() {
            "user" => q.guest_actor = Some(false),
            "guest" => q.guest_actor = Some(true),
            _ => errors.add("actor_type", "The selected actor type is invalid."),
        }
    }
    if let Some(a) = query.text("actor_id") {
        match a.parse::<i64>() {
            Ok(id) => q.actor_id = Some(id),
            Err(_) => errors.add("actor_id", "The actor id must be an integer."),
        }
    }
    if let Some(email) = query.text("actor_email") {
        match ctx.state.store.find_member(&me.org_id, &email).await? {
            Some(m) if q.actor_id.is_none_or(|id| id == m.id) => q.actor_id = Some(m.id),
            _ => q.nothing = true,
        }
    }
    if let Some(source) = query.text("source") {
        match SOURCES.iter().find(|s| s.eq_ignore_ascii_case(&source)) {
            Some(s) => q.source = Some((*s).to_string()),
            None => errors.add("source", "The selected source is invalid."),
        }
    }
    for (key, label) in [("created_after", "created after"), ("created_before", "created before")] {
        if let Some(v) = query.text(key) {
            match parse_date(&v) {
                Some(day) if key == "created_after" => q.created_min = Some(start_of_day(day)),
                Some(day) => q.created_max = Some(start_of_day(day) + 86_400_000),
                None => errors.add(key, format!("The {label} is not a valid date.")),
            }
        }
    }
    if let Some(s) = query.get("search").filter(|s| !s.is_empty()) {
        let n = s.chars().count();
        if (2..=100).contains(&n) {
            q.search = Some(like_pattern(s));
        } else {
            errors.add("search", "The search must be between 2 and 100 characters.");
        }
    }
    q.field = query.text("field");
    match (query.text("origin_type"), query.text("origin_id")) {
        (None, Some(_)) => errors.add(
            "origin_type",
            "The origin type field is required when origin id is present.",
        ),
        (_, Some(_)) => q.nothing = true,
        _ => {}
    }
    if let Some(sort) = query.text("sort") {
        q.sort = match sort.as_str() {
            "-created_at" => FeedSort::CreatedDesc,
            "created_at" => FeedSort::CreatedAsc,
            "id" => FeedSort::IdAsc,
            "-id" => FeedSort::IdDesc,
            _ => {
                errors.add("sort", "The selected sort is invalid.");
                FeedSort::CreatedDesc
            }
        };
    }
    if let Some(after) = query.get("after") {
        match after.trim().parse::<i64>() {
            Ok(n) if n >= 0 => q.after = Some(n),
            _ => errors.add("after", "The after must be an integer."),
        }
    }
    let Some(page) = page.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    q.offset = page.offset();
    q.limit = page.limit().unwrap_or(MAX_ROWS);
    let (rows, total) = ctx.state.store.activity_page(&q).await?;
    let cursor = rows.iter().map(|r| r.id).max().unwrap_or(q.after.unwrap_or(0));
    let named = activity_render::named(&ctx, &me.org_id, &rows).await?;
    let data = activity_render::entries(&rows, &named);
    let info = PageInfo::new(&page, total, data.len() as i64);
    // `meta.cursor` beside the pagination ([docket]).
    let meta = json!({ "pagination": envelope::pagination(&ctx, &info), "cursor": { "after": cursor } });
    Ok(axum::Json(FeedPage { data, meta }).into_response())
}

/// The response body: the entries, then `meta`.
#[derive(serde::Serialize)]
struct FeedPage<'a> {
    data: Vec<activity_render::Entry<'a>>,
    meta: Value,
}

/// A comma list of `key` whose every item is one of `allowed`.
fn vocabulary(query: &Query, key: &str, allowed: &[&str], errors: &mut ValidationErrors) -> Vec<String> {
    let items = query.list(key);
    if items.iter().any(|i| !allowed.contains(&i.as_str())) {
        errors.add(key, format!("The selected {key} is invalid."));
    }
    items
}
