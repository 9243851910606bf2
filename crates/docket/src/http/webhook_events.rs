//! The webhook delivery log (spec §1.14), admins only: the events of an organization with their
//! delivery state, one event with its attempts, and redelivery.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use docket_domain::ValidationErrors;
use docket_domain::actor::Actor;
use docket_domain::time::{format_opt, format_ts};
use docket_store::model::{DeliveryAttempt, DeliveryEvent, DeliveryFilter};
use docket_store::query::Window;
use serde::Serialize;
use serde_json::Value;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Body, Ctx, Query};
use crate::http::params::page_request;
use crate::state::AppState;

const STATUSES: [&str; 3] = ["pending", "delivered", "failed"];

/// The routes of this module, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_events))
        .routes(routes!(get_event))
        .routes(routes!(redeliver))
}

/// An event in the log.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = WebhookEvent)]
struct EventJson {
    id: String,
    event: String,
    task_id: String,
    url: String,
    status: String,
    attempt_count: i64,
    last_error: Option<String>,
    next_attempt_at: Option<String>,
    created_at: String,
    delivered_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payload: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attempts: Option<Vec<AttemptJson>>,
}

/// One attempt.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = WebhookAttempt)]
struct AttemptJson {
    attempt: i64,
    at: String,
    status_code: Option<i64>,
    error: Option<String>,
    duration_ms: i64,
}

impl EventJson {
    fn new(e: &DeliveryEvent) -> Self {
        EventJson {
            id: e.id.clone(),
            event: e.event.clone(),
            task_id: e.task_id.clone(),
            url: e.url.clone(),
            status: e.status.clone(),
            attempt_count: e.attempts,
            last_error: e.last_error.clone(),
            next_attempt_at: (e.status == "pending").then(|| format_ts(e.next_attempt_at)),
            created_at: format_ts(e.created_at),
            delivered_at: format_opt(e.delivered_at),
            payload: None,
            attempts: None,
        }
    }

    fn detailed(e: &DeliveryEvent, attempts: &[DeliveryAttempt]) -> Self {
        let mut out = EventJson::new(e);
        out.payload = Some(serde_json::from_str(&e.payload).unwrap_or(Value::Null));
        out.attempts = Some(
            attempts
                .iter()
                .map(|a| AttemptJson {
                    attempt: a.attempt,
                    at: format_ts(a.at),
                    status_code: a.status_code,
                    error: a.error.clone(),
                    duration_ms: a.duration_ms,
                })
                .collect(),
        );
        out
    }
}

/// The caller, who must be an admin of the path's organization.
fn admin(ctx: &Ctx) -> Result<Actor> {
    let me = ctx.member()?;
    if !me.is_admin() {
        return Err(Error::no_permission());
    }
    Ok(me)
}

/// The webhook delivery log (admins), newest first; filters `status` and `task_id`.
#[utoipa::path(
    get,
    path = "/organizations/{org}/webhook-events",
    operation_id = "list_webhook_events",
    tag = "webhooks",
    params(("org" = String, Path, description = "Organization id"), crate::http::openapi::params::WebhookEventParams, crate::http::openapi::params::PageParams),
    responses((status = 200, description = "Delivery events, newest first", body = crate::http::openapi::Page<EventJson>))
)]
async fn list_events(ctx: Ctx, query: Query) -> Result<Response> {
    let me = admin(&ctx)?;
    let mut errors = ValidationErrors::new();
    let page = match page_request(&query, 10) {
        Ok(p) => Some(p),
        Err(Error::Invalid(e)) => {
            errors.extend(e);
            None
        }
        Err(e) => return Err(e),
    };
    let status = query.text("status");
    if let Some(s) = &status
        && !STATUSES.contains(&s.as_str())
    {
        errors.add("status", "The selected status is invalid.");
    }
    let Some(page) = page.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let filter = DeliveryFilter {
        status,
        task_id: query.text("task_id"),
    };
    let window = Window {
        limit: page.limit(),
        offset: page.offset(),
    };
    let (events, total) = ctx.state.store.webhook_events(&me.org_id, &filter, window).await?;
    let items: Vec<EventJson> = events.iter().map(EventJson::new).collect();
    Ok(envelope::list(&ctx, &page, total, items))
}

/// One webhook event with its payload and every attempt (admins).
#[utoipa::path(
    get,
    path = "/organizations/{org}/webhook-events/{event_id}",
    operation_id = "get_webhook_event",
    tag = "webhooks",
    params(("org" = String, Path, description = "Organization id"), ("event_id" = String, Path, description = "Webhook event id")),
    responses((status = 200, description = "The event with its attempts", body = crate::http::openapi::Item<EventJson>))
)]
async fn get_event(ctx: Ctx, Path((_org, event_id)): Path<(String, String)>) -> Result<Response> {
    let me = admin(&ctx)?;
    let event = ctx
        .state
        .store
        .webhook_event(&me.org_id, &event_id)
        .await?
        .ok_or(Error::NotFound)?;
    let attempts = ctx.state.store.webhook_attempts(&event.id).await?;
    Ok(envelope::ok(EventJson::detailed(&event, &attempts)))
}

/// Queues a new delivery attempt of a webhook event now (admins); 202.
#[utoipa::path(
    post,
    path = "/organizations/{org}/webhook-events/{event_id}/redeliver",
    operation_id = "redeliver_webhook_event",
    tag = "webhooks",
    params(("org" = String, Path, description = "Organization id"), ("event_id" = String, Path, description = "Webhook event id")),
    responses((status = 202, description = "A new attempt is queued", body = crate::http::openapi::Item<EventJson>))
)]
async fn redeliver(ctx: Ctx, Path((_org, event_id)): Path<(String, String)>, _body: Body) -> Result<Response> {
    let me = admin(&ctx)?;
    let event = ctx
        .state
        .store
        .webhook_redeliver(&me.org_id, &event_id, docket_domain::time::now_ms())
        .await?
        .ok_or(Error::NotFound)?;
    let attempts = ctx.state.store.webhook_attempts(&event.id).await?;
    Ok(envelope::item(
        StatusCode::ACCEPTED,
        EventJson::detailed(&event, &attempts),
    ))
}
