//! Guests (GU1–GU8) and the Guest JSON shape (spec §2.13). The path key `{guest}` is the
//! email (percent-decoded by the router), the 40-character `guest_code`, or the integer id.

use axum::extract::Path;
use axum::response::Response;
use docket_domain::input::{Patch, Reader, label};
use docket_domain::time::{format_opt, format_ts};
use docket_domain::{Actor, ValidationErrors, email};
use docket_store::StoreError;
use docket_store::model::{Guest, GuestPatch, GuestRefusal, GuestStatusChange, GuestTaskStats, NewGuest};
use docket_store::query::{GuestQuery, GuestSortColumn, Sort, Window, like_pattern};
use serde::Serialize;
use serde_json::{Map, Value, json};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Body, Ctx, Query};
use crate::http::users::page_request;
use crate::state::AppState;

/// Longest name, company name, opportunity name or status.
const TEXT_MAX: usize = 200;
/// Longest phone number.
const PHONE_MAX: usize = 20;
/// Longest URL.
const URL_MAX: usize = 2048;
const EMAIL_TAKEN: &str = "The email has already been taken.";
const EMAIL_OF_MEMBER: &str = "The email belongs to a member of the organization.";

/// The routes of this module, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_guests, create_guest))
        .routes(routes!(guests_list))
        .routes(routes!(get_guest, update_guest, remove_guest))
        .routes(routes!(disable))
        .routes(routes!(enable))
}

/// A guest's link: `{public base}/guest/{guest_code}`, the code being the one path segment the
/// SDK reads after `guest`.
pub fn guest_link(base: &str, guest_code: &str) -> String {
    format!("{base}/guest/{guest_code}")
}

/// The Guest shape.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Guest)]
pub struct GuestJson {
    id: i64,
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    link: String,
    last_accessed_at: Option<String>,
    last_known_ip: Option<String>,
    last_known_country: Option<String>,
    created_at: String,
    deleted_at: Option<String>,
    details: GuestDetails,
    #[serde(skip_serializing_if = "Option::is_none")]
    stats: Option<GuestStats>,
}

/// The `details` object of a Guest: always present, every key.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = GuestDetails)]
struct GuestDetails {
    first_name: Option<String>,
    last_name: Option<String>,
    status: Value,
    phone_1: Value,
    phone_2: Value,
    image_url: Value,
    contact_url: Value,
    company_url: Value,
    opportunity_url: Value,
    company_name: Value,
    opportunity_name: Value,
    external_sync_source: Value,
    external_date_creation: Option<String>,
    timezone: Value,
    cadence_days: Value,
    associated_members: Option<Vec<i64>>,
    last_city: Value,
    last_country: Value,
    last_accessed_at: Option<String>,
    disabled_at: Option<String>,
    disabled_by: Option<i64>,
    reactivated_at: Option<String>,
    reactivated_by: Option<i64>,
}

/// The `with=stats` object (bare, not wrapped in `data`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = GuestStats)]
struct GuestStats {
    assigned_tasks: i64,
    tasks_completed: i64,
    last_task_completed_at: Option<String>,
    one_off_tasks_completed: i64,
    last_one_off_task_completed_at: Option<String>,
}

impl GuestStats {
    /// Counts over the organization's tasks where the guest is a direct assignee. Every docket
    /// task is one-off, so the `one_off_*` numbers equal the others.
    fn new(s: &GuestTaskStats) -> Self {
        GuestStats {
            assigned_tasks: s.assigned,
            tasks_completed: s.completed,
            last_task_completed_at: format_opt(s.last_completed_at),
            one_off_tasks_completed: s.completed,
            last_one_off_task_completed_at: format_opt(s.last_completed_at),
        }
    }
}

impl GuestJson {
    /// The shape of `g`, its link under `base`.
    pub fn new(g: &Guest, base: &str) -> Self {
        let details: Map<String, Value> = serde_json::from_str(&g.details).unwrap_or_default();
        let d = |k: &str| details.get(k).cloned().unwrap_or(Value::Null);
        GuestJson {
            id: g.id,
            email: g.email.clone(),
            first_name: g.first_name.clone(),
            last_name: g.last_name.clone(),
            link: guest_link(base, &g.guest_code),
            last_accessed_at: None,
            last_known_ip: None,
            last_known_country: None,
            created_at: format_ts(g.created_at),
            deleted_at: None,
            details: GuestDetails {
                first_name: g.first_name.clone(),
                last_name: g.last_name.clone(),
                status: d("status"),
                phone_1: d("phone_1"),
                phone_2: d("phone_2"),
                image_url: d("image_url"),
                contact_url: d("contact_url"),
                company_url: d("company_url"),
                opportunity_url: d("opportunity_url"),
                company_name: d("company_name"),
                opportunity_name: d("opportunity_name"),
                external_sync_source: d("external_sync_source"),
                external_date_creation: format_opt(details.get("external_date_creation").and_then(Value::as_i64)),
                timezone: d("timezone"),
                cadence_days: Value::Null,
                associated_members: g
                    .associated_members
                    .as_deref()
                    .and_then(|s| serde_json::from_str(s).ok()),
                last_city: Value::Null,
                last_country: Value::Null,
                last_accessed_at: None,
                disabled_at: format_opt(g.disabled_at),
                disabled_by: g.disabled_by,
                reactivated_at: format_opt(g.reactivated_at),
                reactivated_by: g.reactivated_by,
            },
            stats: None,
        }
    }
}

/// Renders guests, with the `with=stats` include when `query` asks for it.
async fn render(ctx: &Ctx, org: &str, guests: &[Guest], query: &Query) -> Result<Vec<GuestJson>> {
    let mut items: Vec<GuestJson> = guests.iter().map(|g| GuestJson::new(g, &ctx.base)).collect();
    if query.with("stats") {
        let ids: Vec<i64> = guests.iter().map(|g| g.id).collect();
        let stats = ctx.state.store.guest_task_stats(org, &ids).await?;
        for (item, g) in items.iter_mut().zip(guests) {
            let none = GuestTaskStats {
                guest_id: g.id,
                ..Default::default()
            };
            let s = stats.iter().find(|s| s.guest_id == g.id).unwrap_or(&none);
            item.stats = Some(GuestStats::new(s));
        }
    }
    Ok(items)
}

/// The minimal Guest of `guests-list`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = GuestListItem)]
struct GuestListItem {
    id: i64,
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    link: String,
}

fn guest_sort(query: &Query) -> Result<Sort<GuestSortColumn>> {
    let raw = query.get_any(&["sort", "sort_by"]).map(str::trim).unwrap_or("");
    let (desc, name) = match raw.strip_prefix('-') {
        Some(n) => (true, n),
        None => (false, raw),
    };
    let column = match name {
        "" | "created_at" => GuestSortColumn::CreatedAt,
        "email" => GuestSortColumn::Email,
        _ => return Err(Error::invalid("sort", "The selected sort is invalid.")),
    };
    Ok(Sort { column, desc })
}

/// Lists the organization's guests; disabled ones are listed, removed ones are not.
#[utoipa::path(
    get,
    path = "/organizations/{org}/guests",
    operation_id = "list_guests",
    tag = "guests",
    params(("org" = String, Path, description = "Organization id"), crate::http::openapi::params::GuestListParams, crate::http::openapi::params::WithParams, crate::http::openapi::params::PageParams),
    responses((status = 200, description = "Guests", body = crate::http::openapi::Page<GuestJson>))
)]
async fn list_guests(ctx: Ctx, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let page = page_request(&query, 1000)?;
    let q = GuestQuery {
        q: query.text("q").map(|t| like_pattern(&t)),
        sort: guest_sort(&query)?,
        window: Window {
            limit: page.limit(),
            offset: page.offset(),
        },
    };
    let (guests, total) = ctx.state.store.guests(&me.org_id, &q).await?;
    let items = render(&ctx, &me.org_id, &guests, &query).await?;
    Ok(envelope::list(&ctx, &page, total, items))
}

/// Every guest in short form, oldest first, without pagination.
#[utoipa::path(
    get,
    path = "/organizations/{org}/guests-list",
    operation_id = "list_guests_minimal",
    tag = "guests",
    params(("org" = String, Path, description = "Organization id")),
    responses((status = 200, description = "Every guest, minimal form", body = crate::http::openapi::Items<GuestListItem>))
)]
async fn guests_list(ctx: Ctx) -> Result<Response> {
    let me = ctx.member()?;
    let q = GuestQuery {
        q: None,
        sort: Sort {
            column: GuestSortColumn::CreatedAt,
            desc: false,
        },
        window: Window::ALL,
    };
    let (guests, _) = ctx.state.store.guests(&me.org_id, &q).await?;
    let items: Vec<GuestListItem> = guests
        .into_iter()
        .map(|g| GuestListItem {
            link: guest_link(&ctx.base, &g.guest_code),
            id: g.id,
            email: g.email,
            first_name: g.first_name,
            last_name: g.last_name,
        })
        .collect();
    Ok(envelope::ok(items))
}

/// The guest addressed by the path, or 404.
async fn path_guest(ctx: &Ctx, org: &str, key: &str) -> Result<Guest> {
    ctx.state.store.find_guest(org, key).await?.ok_or(Error::NotFound)
}

/// Path guest first (404), then the role check (403).
async fn guest_to_manage(ctx: &Ctx, key: &str) -> Result<(Actor, Guest)> {
    let me = ctx.member()?;
    let guest = path_guest(ctx, &me.org_id, key).await?;
    if !me.can_manage_guests() {
        return Err(Error::no_permission());
    }
    Ok((me, guest))
}

fn item(ctx: &Ctx, g: &Guest) -> Response {
    envelope::ok(GuestJson::new(g, &ctx.base))
}

/// Reads a guest, named by email, `guest_code` or id.
#[utoipa::path(
    get,
    path = "/organizations/{org}/guests/{guest}",
    operation_id = "get_guest",
    tag = "guests",
    params(("org" = String, Path, description = "Organization id"), ("guest" = String, Path, description = "Guest email"), crate::http::openapi::params::WithParams),
    responses((status = 200, description = "The guest", body = crate::http::openapi::Item<GuestJson>))
)]
async fn get_guest(ctx: Ctx, Path((_org, key)): Path<(String, String)>, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let guest = path_guest(&ctx, &me.org_id, &key).await?;
    let mut items = render(&ctx, &me.org_id, std::slice::from_ref(&guest), &query).await?;
    Ok(envelope::ok(items.pop()))
}

/// The profile fields of a guest other than `email`, as read from a body.
struct Profile {
    first_name: Patch<String>,
    last_name: Patch<String>,
    /// `details` keys that were sent; `null` for the ones sent empty.
    details: Map<String, Value>,
}

/// Reads and validates the profile fields; every problem goes into the reader's errors.
fn read_profile(r: &mut Reader) -> Profile {
    let first_name = r.text(&["first_name"], TEXT_MAX);
    let last_name = r.text(&["last_name"], TEXT_MAX);
    let mut details = Map::new();
    let mut put = |key: &str, v: Patch<Value>| match v {
        Patch::Absent => {}
        Patch::Null => {
            details.insert(key.to_string(), Value::Null);
        }
        Patch::Set(v) => {
            details.insert(key.to_string(), v);
        }
    };
    for key in ["company_name", "opportunity_name", "status"] {
        put(key, r.text(&[key], TEXT_MAX).map(Value::String));
    }
    put("phone_1", r.text(&["phone_1", "phone"], PHONE_MAX).map(Value::String));
    put("phone_2", r.text(&["phone_2"], PHONE_MAX).map(Value::String));
    for key in ["company_url", "contact_url", "image_url", "opportunity_url"] {
        let v = r.text(&[key], URL_MAX);
        if let Patch::Set(url) = &v
            && !is_absolute_url(url)
        {
            r.fail(key, format!("The {} must be a valid URL.", label(key)));
            continue;
        }
        put(key, v.map(Value::String));
    }
    let tz = r.text(&["timezone"], 64);
    if let Patch::Set(name) = &tz
        && !is_timezone_name(name)
    {
        r.fail("timezone", "The selected timezone is invalid.");
    } else {
        put("timezone", tz.map(Value::String));
    }
    let source = r.text(&["external_sync_source"], 32).map(|s| s.to_ascii_lowercase());
    if let Patch::Set(s) = &source
        && s != "salesforce"
    {
        r.fail("external_sync_source", "The selected external sync source is invalid.");
    } else {
        put("external_sync_source", source.map(Value::String));
    }
    put(
        "external_date_creation",
        r.datetime(&["external_date_creation"]).map(|ms| json!(ms)),
    );
    Profile {
        first_name,
        last_name,
        details,
    }
}

/// Whether `s` is an absolute URL: a scheme, `://`, and a non-empty authority, no whitespace.
fn is_absolute_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    scheme_ok && !authority.is_empty() && !s.chars().any(char::is_whitespace)
}

/// Whether `s` has the form of an IANA time zone name: `UTC`-like names, or `Area/Location`
/// under one of the IANA areas (including the `backward` ones such as `US/Eastern`). This is a
/// syntax check: docket ships no time zone database, so `Europe/Atlantis` passes.
fn is_timezone_name(s: &str) -> bool {
    const SINGLE: [&str; 6] = ["UTC", "GMT", "UCT", "Universal", "Zulu", "Etc/UTC"];
    const AREAS: [&str; 16] = [
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
        "Etc",
        "US",
        "Canada",
        "Brazil",
        "Chile",
        "Mexico",
    ];
    if SINGLE.contains(&s) {
        return true;
    }
    let mut parts = s.split('/');
    let area_ok = parts.next().is_some_and(|a| AREAS.contains(&a));
    let rest: Vec<&str> = parts.collect();
    area_ok
        && (1..=2).contains(&rest.len())
        && rest.iter().all(|p| {
            p.starts_with(|c: char| c.is_ascii_alphabetic())
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
        })
}

/// Adds a guest to the organization.
#[utoipa::path(
    post,
    path = "/organizations/{org}/guests",
    operation_id = "create_guest",
    tag = "guests",
    params(("org" = String, Path, description = "Organization id")),
    request_body(content = crate::http::openapi::bodies::GuestInput, content_type = "application/json"),
    responses((status = 201, description = "The new guest", body = crate::http::openapi::Item<GuestJson>))
)]
async fn create_guest(ctx: Ctx, Body(body): Body) -> Result<Response> {
    let me = ctx.member()?;
    if !me.can_manage_guests() {
        return Err(Error::no_permission());
    }
    let mut errors = ValidationErrors::new();
    let mut r = Reader::new(&body, &mut errors);
    let email_addr = r.required_text(&["email"], 254).map(|e| email::normalize(&e));
    if let Some(e) = &email_addr
        && !email::is_valid(e)
    {
        r.fail("email", "The email must be a valid email address.");
    }
    let profile = read_profile(&mut r);
    if let Some(e) = email_addr.as_deref().filter(|e| email::is_valid(e)) {
        if ctx
            .state
            .store
            .find_member(&me.org_id, e)
            .await?
            .is_some_and(|m| m.email == e)
        {
            errors.add("email", EMAIL_OF_MEMBER);
        } else if ctx.state.store.guest_id_by_email(&me.org_id, e).await?.is_some() {
            errors.add("email", EMAIL_TAKEN);
        }
    }
    let Some(email_addr) = email_addr.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let new = NewGuest {
        email: email_addr,
        first_name: profile.first_name.set(),
        last_name: profile.last_name.set(),
        details: profile.details.into_iter().filter(|(_, v)| !v.is_null()).collect(),
        now: ctx.now,
    };
    let guest = match ctx.state.store.create_guest(&me.org_id, &new).await {
        Err(StoreError::Conflict(_)) => return Err(Error::invalid("email", EMAIL_TAKEN)),
        other => other?,
    };
    Ok(envelope::item(
        axum::http::StatusCode::CREATED,
        GuestJson::new(&guest, &ctx.base),
    ))
}

/// `Some(None)` for a cleared field, `Some(Some(v))` for a set one, `None` when absent.
fn patch_option<T>(p: Patch<T>) -> Option<Option<T>> {
    match p {
        Patch::Absent => None,
        Patch::Null => Some(None),
        Patch::Set(v) => Some(Some(v)),
    }
}

/// Reads `associated_members`: member ids of the organization (a scalar counts as a one-item
/// list), duplicates dropped; `null` clears, `[]` empties.
async fn read_associated_members(
    ctx: &Ctx,
    org: &str,
    body: &Map<String, Value>,
    errors: &mut ValidationErrors,
) -> Result<Option<Option<Vec<i64>>>> {
    let key = "associated_members";
    let entries: Vec<Value> = match Reader::new(body, errors).value(&[key]) {
        None => return Ok(None),
        Some(Value::Null) => return Ok(Some(None)),
        Some(Value::Array(a)) => a.clone(),
        Some(other) => vec![other.clone()],
    };
    let ids = crate::service::members::resolve_ids(&ctx.state, org, key, &entries, errors).await?;
    Ok(Some(Some(ids)))
}

/// Changes a guest's profile: only the fields sent; an `email` key is ignored.
#[utoipa::path(
    put,
    path = "/organizations/{org}/guests/{guest}",
    operation_id = "update_guest",
    tag = "guests",
    params(("org" = String, Path, description = "Organization id"), ("guest" = String, Path, description = "Guest email")),
    request_body(content = crate::http::openapi::bodies::GuestInput, content_type = "application/json"),
    responses((status = 200, description = "The guest", body = crate::http::openapi::Item<GuestJson>))
)]
async fn update_guest(ctx: Ctx, Path((_org, key)): Path<(String, String)>, Body(body): Body) -> Result<Response> {
    let (me, guest) = guest_to_manage(&ctx, &key).await?;
    let mut errors = ValidationErrors::new();
    let profile = read_profile(&mut Reader::new(&body, &mut errors));
    let associated_members = read_associated_members(&ctx, &me.org_id, &body, &mut errors).await?;
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let patch = GuestPatch {
        first_name: patch_option(profile.first_name),
        last_name: patch_option(profile.last_name),
        details: profile.details,
        associated_members,
        now: ctx.now,
    };
    let guest = ctx.state.store.update_guest(&me.org_id, guest.id, &patch).await?;
    Ok(item(&ctx, &guest))
}

/// Removes a guest from the organization, answering with the guest as it was.
///
/// The guest is first taken off every group and every task's owners.
#[utoipa::path(
    delete,
    path = "/organizations/{org}/guests/{guest}",
    operation_id = "remove_guest",
    tag = "guests",
    params(("org" = String, Path, description = "Organization id"), ("guest" = String, Path, description = "Guest email")),
    responses((status = 200, description = "The removed guest", body = crate::http::openapi::Item<GuestJson>))
)]
async fn remove_guest(ctx: Ctx, Path((_org, key)): Path<(String, String)>) -> Result<Response> {
    let (me, guest) = guest_to_manage(&ctx, &key).await?;
    let guest = ctx.state.store.remove_guest(&me.org_id, guest.id, ctx.now).await?;
    Ok(item(&ctx, &guest))
}

/// Disables a guest; refused (403) while the guest is assigned an open task.
#[utoipa::path(
    delete,
    path = "/organizations/{org}/guests/{guest}/disable",
    operation_id = "disable_guest",
    tag = "guests",
    params(("org" = String, Path, description = "Organization id"), ("guest" = String, Path, description = "Guest email")),
    responses((status = 200, description = "The guest", body = crate::http::openapi::Item<GuestJson>))
)]
async fn disable(ctx: Ctx, Path((_org, key)): Path<(String, String)>) -> Result<Response> {
    let (me, guest) = guest_to_manage(&ctx, &key).await?;
    let guest = ctx
        .state
        .store
        .set_guest_status(&me.org_id, guest.id, GuestStatusChange::Disable(me.user_id), ctx.now)
        .await?
        .map_err(|GuestRefusal::IncompleteTasks| {
            Error::Forbidden("Cannot disable guest with incomplete tasks.".into())
        })?;
    Ok(item(&ctx, &guest))
}

/// Enables a disabled guest (no body needed).
#[utoipa::path(
    put,
    path = "/organizations/{org}/guests/{guest}/enable",
    operation_id = "enable_guest",
    tag = "guests",
    params(("org" = String, Path, description = "Organization id"), ("guest" = String, Path, description = "Guest email")),
    responses((status = 200, description = "The guest", body = crate::http::openapi::Item<GuestJson>))
)]
async fn enable(ctx: Ctx, Path((_org, key)): Path<(String, String)>, _body: Body) -> Result<Response> {
    let (me, guest) = guest_to_manage(&ctx, &key).await?;
    let guest = ctx
        .state
        .store
        .set_guest_status(&me.org_id, guest.id, GuestStatusChange::Enable(me.user_id), ctx.now)
        .await?
        .map_err(|GuestRefusal::IncompleteTasks| Error::Internal("enabling is never refused".into()))?;
    Ok(item(&ctx, &guest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_urls_need_a_scheme_and_a_host() {
        for ok in ["https://acme.test", "http://acme.test/x?y#z", "ftp://files.acme.test"] {
            assert!(is_absolute_url(ok), "{ok}");
        }
        for bad in [
            "acme.test",
            "/relative",
            "https://",
            "https:///path",
            "1http://x.test",
            "https://a b.test",
        ] {
            assert!(!is_absolute_url(bad), "{bad}");
        }
    }

    #[test]
    fn timezone_names_follow_the_iana_form() {
        for ok in [
            "UTC",
            "Europe/Berlin",
            "America/Argentina/Buenos_Aires",
            "Etc/GMT+5",
            "US/Eastern",
        ] {
            assert!(is_timezone_name(ok), "{ok}");
        }
        for bad in [
            "",
            "Berlin",
            "Mars/Olympus",
            "Europe/",
            "Europe/Berlin/x/y",
            "europe/berlin",
            "Europe/Ber lin",
        ] {
            assert!(!is_timezone_name(bad), "{bad}");
        }
    }
}
