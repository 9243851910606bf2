//! The caller: `GET /organizations/{org}/me` (M1), `GET /me` (M3), `GET /me/organizations` (M4),
//! and docket's `PUT /organizations/{org}/me` (the caller's own settings: email notifications).

use axum::response::Response;
use docket_store::query::Window;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use docket_domain::ValidationErrors;
use docket_domain::input::Reader;
use docket_domain::notify::EmailPreference;

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Body, Ctx, Query};
use crate::http::organizations::OrganizationJson;
use crate::http::params::page_request;
use crate::http::users::member_response;
use crate::state::AppState;

/// The routes of this module, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me_in_org, update_me_in_org))
        .routes(routes!(me))
        .routes(routes!(my_organizations))
}

/// The caller as a member of this organization (role and status here).
#[utoipa::path(
    get,
    path = "/organizations/{org}/me",
    operation_id = "get_me_in_organization",
    tag = "me",
    params(("org" = String, Path, description = "Organization id"), crate::http::openapi::params::WithParams),
    responses((status = 200, description = "The caller as a member of the organization", body = crate::http::openapi::Item<crate::http::users::UserJson>))
)]
async fn me_in_org(ctx: Ctx, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let member = ctx
        .state
        .store
        .member(&me.org_id, me.user_id)
        .await?
        .ok_or(Error::NotFound)?;
    member_response(&ctx, &me.org_id, &member, &query).await
}

/// Changes the caller's own settings in this organization (a docket extension):
/// `email_notifications` is `instant` (a mail for each assignment, comment or problem on their
/// tasks), `daily` (one digest a day of their overdue and due-soon tasks) or `off`.
#[utoipa::path(
    put,
    path = "/organizations/{org}/me",
    operation_id = "update_me_in_organization",
    tag = "me",
    params(("org" = String, Path, description = "Organization id")),
    request_body(content = crate::http::openapi::bodies::MeInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The caller as a member of the organization", body = crate::http::openapi::Item<crate::http::users::UserJson>)
    )
)]
async fn update_me_in_org(ctx: Ctx, Body(body): Body) -> Result<Response> {
    let me = ctx.member()?;
    let mut errors = ValidationErrors::new();
    let given = Reader::new(&body, &mut errors).required_text(&["email_notifications"], 16);
    let preference = match given.map(|s| EmailPreference::parse(&s)) {
        Some(Some(p)) => p,
        Some(None) => {
            return Err(Error::invalid(
                "email_notifications",
                format!(
                    "The email notifications must be one of: {}.",
                    EmailPreference::NAMES.join(", ")
                ),
            ));
        }
        None => return Err(Error::Invalid(errors)),
    };
    let found = ctx
        .state
        .store
        .set_email_notifications(&me.org_id, me.user_id, preference.as_str(), ctx.now)
        .await?;
    if !found {
        return Err(Error::NotFound);
    }
    let member = ctx
        .state
        .store
        .member(&me.org_id, me.user_id)
        .await?
        .ok_or(Error::NotFound)?;
    member_response(&ctx, &me.org_id, &member, &Query::default()).await
}

/// The caller, as a member of the organization they joined first.
#[utoipa::path(
    get,
    path = "/me",
    operation_id = "get_me",
    tag = "me",
    params(crate::http::openapi::params::WithParams),
    responses((status = 200, description = "The caller", body = crate::http::openapi::Item<crate::http::users::UserJson>))
)]
async fn me(ctx: Ctx, query: Query) -> Result<Response> {
    let org = ctx
        .state
        .store
        .first_organization_of_user(ctx.user_id)
        .await?
        .ok_or(Error::NotFound)?;
    let member = ctx
        .state
        .store
        .member(&org, ctx.user_id)
        .await?
        .ok_or(Error::NotFound)?;
    member_response(&ctx, &org, &member, &query).await
}

/// The organizations the caller belongs to (and is not disabled in), by name.
#[utoipa::path(
    get,
    path = "/me/organizations",
    operation_id = "list_my_organizations",
    tag = "me",
    params(crate::http::openapi::params::PageParams),
    responses((status = 200, description = "The caller's organizations", body = crate::http::openapi::Page<OrganizationJson>))
)]
async fn my_organizations(ctx: Ctx, query: Query) -> Result<Response> {
    let page = page_request(&query, 10)?;
    let window = Window {
        limit: page.limit(),
        offset: page.offset(),
    };
    let (orgs, total) = ctx.state.store.organizations_of_user(ctx.user_id, window).await?;
    let mut items = Vec::with_capacity(orgs.len());
    for org in &orgs {
        let role = ctx
            .state
            .store
            .member(&org.id, ctx.user_id)
            .await?
            .map(|m| m.role)
            .unwrap_or_default();
        items.push(OrganizationJson::new(org, &role));
    }
    Ok(envelope::list(&ctx, &page, total, items))
}
