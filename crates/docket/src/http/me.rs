//! The caller: `GET /organizations/{org}/me` (M1), `GET /me` (M3), `GET /me/organizations` (M4).

use axum::Router;
use axum::response::Response;
use axum::routing::get;
use docket_store::query::Window;

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Ctx, Query};
use crate::http::organizations::OrganizationJson;
use crate::http::users::{member_response, page_request};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/organizations/{org}/me", get(me_in_org))
        .route("/me", get(me))
        .route("/me/organizations", get(my_organizations))
}

/// M1.
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

/// M3: the caller as a member of the organization they joined first.
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

/// M4.
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
