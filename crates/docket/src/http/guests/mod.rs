//! Guests (GU1–GU8): the routes, the reads, and the guest a path names. The path key `{guest}`
//! is the email (percent-decoded by the router), the 40-character `guest_code`, or the integer
//! id. The JSON shapes are in `json`, the writes in `writes`.

mod json;
mod writes;

pub use json::guest_link;
use json::{GuestJson, GuestListItem, render};

use axum::extract::Path;
use axum::response::Response;
use docket_domain::Actor;
use docket_store::model::Guest;
use docket_store::query::{GuestQuery, GuestSortColumn, Sort, Window, like_pattern};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Ctx, Query};
use crate::http::params::page_request;
use crate::state::AppState;

/// The routes of this module, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_guests, writes::create_guest))
        .routes(routes!(guests_list))
        .routes(routes!(get_guest, writes::update_guest, writes::remove_guest))
        .routes(routes!(writes::disable))
        .routes(routes!(writes::enable))
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
