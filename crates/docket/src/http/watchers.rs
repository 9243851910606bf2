//! Organization webhook watchers (W1–W3, spec §2.7, §4.10): admins subscribe a URL to every
//! webhook event of the organization (§5.5), or to the event types it lists. Deliveries go
//! through the outbox like every event: signed with the organization's secret, retried, logged
//! (`webhook_events.rs`).

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use docket_domain::ValidationErrors;
use docket_domain::input::{Patch, Reader};
use docket_domain::time::format_ts;
use docket_domain::webhook_event;
use docket_store::model::{NewWatcher, WatcherRow};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Body, Ctx, Query};
use crate::http::params::user_id_segment;
use crate::http::tasks::create::read_webhook;
use crate::state::AppState;

/// The routes of this module, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_watchers))
        .routes(routes!(add_watcher))
        .routes(routes!(remove_watcher))
}

/// A URL that receives the webhook events of the organization: every event, or those
/// `event_types` lists.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Watcher)]
struct WatcherJson {
    id: i64,
    user_id: i64,
    /// Always `organization`.
    object_type: String,
    /// The organization.
    object_id: String,
    /// Always `webhook`.
    notification_type: String,
    /// Always `electric` (every event as it happens).
    frequency: String,
    /// The URL every event is POSTed to.
    webhook: String,
    /// The event types it receives; empty: every event. One of `process.launched`,
    /// `process.completed`, `task.completed`, `task.assigned`, `task.comment_added`,
    /// `task.issue_raised`, `task.issue_resolved`, `automation.webhook`.
    event_types: Vec<String>,
    created_at: String,
}

fn json(w: &WatcherRow) -> WatcherJson {
    WatcherJson {
        id: w.id,
        user_id: w.user_id,
        object_type: w.object_type.clone(),
        object_id: w.object_id.clone(),
        notification_type: w.notification_type.clone(),
        frequency: w.frequency.clone(),
        webhook: w.webhook.clone(),
        event_types: w.event_types(),
        created_at: format_ts(w.created_at),
    }
}

/// `{"data": [Watcher…]}` without `meta`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct WatcherList {
    data: Vec<WatcherJson>,
}

/// The body of W2.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct WatcherInput {
    /// `organization` (the only kind).
    object_type: String,
    /// The organization's id.
    object_id: String,
    /// `webhook` (the only kind).
    notification_type: Option<String>,
    /// `electric` (the default and only value).
    frequency: Option<String>,
    /// An absolute http(s) URL.
    webhook: String,
    /// The event types to receive (absent or empty: every event); an unknown name is a 422
    /// under `event_types`.
    event_types: Option<Vec<String>>,
}

fn admin(ctx: &Ctx) -> Result<docket_domain::Actor> {
    let me = ctx.member()?;
    if !me.is_admin() {
        return Err(Error::no_permission());
    }
    Ok(me)
}

/// Lists the organization's webhook watchers, oldest first (admins only).
#[utoipa::path(
    get,
    path = "/organizations/{org}/watchers",
    operation_id = "list_watchers",
    tag = "webhooks",
    params(("org" = String, Path, description = "Organization id"), ("notification" = Option<String>, Query, description = "`webhook` (the only kind)")),
    responses((status = 200, description = "Watchers", body = WatcherList))
)]
async fn list_watchers(ctx: Ctx, _query: Query) -> Result<Response> {
    let me = admin(&ctx)?;
    let rows = ctx.state.store.watchers(&me.org_id).await?;
    let items: Vec<WatcherJson> = rows.iter().map(json).collect();
    Ok(axum::Json(serde_json::json!({ "data": items })).into_response())
}

/// Subscribes a URL to every webhook event of the organization, or to the `event_types` it
/// lists (admins only). The same URL again answers 200 with the existing watcher, unchanged.
#[utoipa::path(
    post,
    path = "/organizations/{org}/users/{user_id}/add-watcher",
    operation_id = "add_watcher",
    tag = "webhooks",
    params(("org" = String, Path, description = "Organization id"), ("user_id" = String, Path, description = "A member of the organization")),
    request_body(content = WatcherInput, content_type = "application/json"),
    responses(
        (status = 201, description = "The new watcher", body = crate::http::openapi::Item<WatcherJson>),
        (status = 200, description = "The URL was already subscribed: the existing watcher", body = crate::http::openapi::Item<WatcherJson>)
    )
)]
async fn add_watcher(ctx: Ctx, Path((_org, user)): Path<(String, String)>, Body(body): Body) -> Result<Response> {
    let me = admin(&ctx)?;
    let user_id = user_id_segment(&user)?;
    if ctx.state.store.member(&me.org_id, user_id).await?.is_none() {
        return Err(Error::NotFound);
    }
    let mut errors = ValidationErrors::new();
    let mut r = Reader::new(&body, &mut errors);
    let one_of =
        |r: &mut Reader<'_, '_>, key: &str, allowed: &str, required: bool, message: &str| match r.string(&[key]) {
            Patch::Set(v) if v.trim() == allowed => {}
            Patch::Absent | Patch::Null if !required => {}
            _ => r.fail(key, message.to_string()),
        };
    one_of(
        &mut r,
        "object_type",
        "organization",
        true,
        "The selected object type is invalid.",
    );
    one_of(
        &mut r,
        "object_id",
        &me.org_id,
        true,
        "The selected object id is invalid.",
    );
    one_of(
        &mut r,
        "notification_type",
        "webhook",
        false,
        "The selected notification type is invalid.",
    );
    one_of(
        &mut r,
        "frequency",
        "electric",
        false,
        "The selected frequency is invalid.",
    );
    let webhook = match read_webhook(&mut r) {
        Patch::Set(url) => Some(url),
        Patch::Absent | Patch::Null => {
            r.fail("webhook", "The webhook field is required.");
            None
        }
    };
    let event_types = read_event_types(&mut r);
    let Some(webhook) = webhook.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let (row, created) = ctx
        .state
        .store
        .add_watcher(&NewWatcher {
            org_id: me.org_id.clone(),
            user_id,
            webhook,
            event_types,
            now: ctx.now,
        })
        .await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok(envelope::item(status, json(&row)))
}

/// `event_types`: absent, null or empty for every event, else event names
/// (`docket_domain::webhook_event`), each once.
fn read_event_types(r: &mut Reader<'_, '_>) -> Vec<String> {
    let Patch::Set(items) = r.array(&["event_types"]) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for item in items {
        match item.as_str().map(str::trim) {
            Some(name) if webhook_event::is_event_type(name) => {
                if !out.iter().any(|e| e == name) {
                    out.push(name.to_string());
                }
            }
            _ => {
                r.fail("event_types", format!("The selected event type {item} is invalid."));
                return Vec::new();
            }
        }
    }
    out
}

/// Unsubscribes a watcher (admins only).
#[utoipa::path(
    delete,
    path = "/organizations/{org}/remove-watcher/{watcher_id}",
    operation_id = "remove_watcher",
    tag = "webhooks",
    params(("org" = String, Path, description = "Organization id"), ("watcher_id" = String, Path, description = "Watcher id")),
    responses((status = 204, description = "Removed"))
)]
async fn remove_watcher(ctx: Ctx, Path((_org, id)): Path<(String, String)>) -> Result<Response> {
    let me = admin(&ctx)?;
    let id = user_id_segment(&id)?;
    if !ctx.state.store.remove_watcher(&me.org_id, id).await? {
        return Err(Error::NotFound);
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
