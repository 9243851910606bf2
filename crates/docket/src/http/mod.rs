//! The HTTP surface: every API route under both `/` and `/api` (spec §1.1), behind the
//! The HTTP surface: every API route under both `/` and `/api` (spec §1.1), behind the
//! authentication layer, each documented in the OpenAPI document; the operational routes
//! (`/health`, `/ready`, `/metrics`) and the reference (`/openapi.json`, `/docs`) outside it;
//! JSON 404 and 405 for the rest. Every response passes [`observe`] (request id, log line,
//! metrics).

mod activity_feeds;
mod activity_render;
pub mod assets;
pub mod automations;
pub(crate) mod comments;
mod envelope;
mod error;
pub mod etag;
pub mod extract;
pub mod file_values;
pub mod folders;
mod groups;
pub(crate) mod guests;
mod me;
pub mod observe;
mod only_when;
pub mod openapi;
mod organizations;
pub mod params;
pub mod runs;
pub mod search;
mod search_filter;
mod search_templates;
pub mod steps;
mod tag_links;
mod tags;
pub mod task_filters;
pub mod tasks;
pub mod template_fields;
pub mod templates;
mod unread_body;
mod users;
mod watchers;
mod webhook_events;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;

use tower_http::cors::CorsLayer;
use tower_http::timeout::TimeoutLayer;

use utoipa_axum::router::OpenApiRouter;

use crate::error::Error;
use crate::state::AppState;
use only_when::OnlyWhen;

/// The API routes, each with its operation in the OpenAPI document, and that document.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (routes, doc) = OpenApiRouter::with_openapi(openapi::base())
        .merge(me::routes())
        .merge(organizations::routes())
        .merge(users::routes())
        .merge(guests::routes())
        .merge(groups::routes())
        .merge(tags::routes())
        .merge(templates::routes())
        .merge(automations::routes())
        .merge(tasks::routes())
        .merge(runs::routes())
        .merge(comments::routes())
        .merge(tag_links::routes())
        .merge(folders::routes())
        .merge(search::routes())
        .merge(steps::routes())
        .merge(webhook_events::routes())
        .merge(activity_feeds::routes())
        .merge(watchers::routes())
        .merge(assets::routes())
        .split_for_parts();
    (routes, openapi::finish(doc))
}

/// The complete router with its state.
pub fn router(state: AppState) -> Router {
    let (routes, doc) = api();
    // The pages for people call these same routes in-process, as the signed-in member.
    let pages = crate::web::routes(routes.clone().with_state(state.clone()));
    // Each `layer`/`route_layer` call wraps every route in a boxed service of its own, which
    // costs a clone and a box per request, so each stack is applied in one call.
    let api = routes.route_layer(
        ServiceBuilder::new()
            // Outermost, so that a slow handler or a body that never arrives ends with a 408.
            // Uploads are exempt: a large file may take longer, and the minimum body rate
            // bounds a slow one.
            .layer(OnlyWhen::new(
                not_upload,
                TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    Duration::from_secs(state.config.request_timeout_secs.max(1)),
                ),
            ))
            .layer(middleware::from_fn_with_state(state.clone(), extract::authenticate))
            .layer(OnlyWhen::new(
                crate::fair_share::applies,
                middleware::from_fn_with_state(state.clone(), crate::fair_share::limit),
            )),
    );
    Router::new()
        .merge(api.clone())
        .nest("/api", api)
        .merge(operational_routes())
        .merge(openapi::ui::routes(&doc))
        .merge(pages)
        .fallback(endpoint_not_found)
        .layer(
            ServiceBuilder::new()
                .layer(middleware::from_fn_with_state(state.clone(), observe::observe))
                .layer(OnlyWhen::new(
                    unread_body::has_request_body,
                    middleware::from_fn_with_state(state.clone(), crate::serve::body_rate::limit),
                ))
                .layer(OnlyWhen::new(
                    unread_body::has_request_body,
                    middleware::from_fn(unread_body::close_if_unread),
                ))
                // The layers below answer other body types; the ones above take axum's.
                .map_response(IntoResponse::into_response)
                .layer(CorsLayer::permissive())
                .layer(CatchPanicLayer::custom(|_| {
                    Error::Internal("handler panicked".into()).into_response()
                }))
                .layer(middleware::map_response(json_method_not_allowed)),
        )
        .with_state(state)
}

/// Whether `req` is not an upload (the request timeout's selector).
fn not_upload(req: &axum::extract::Request) -> bool {
    !assets::is_upload(req.method(), req.uri().path())
}

/// The operational routes, outside the API: no authentication, no rate limit, not under `/api`.
/// (They are described in the OpenAPI document by `openapi::ApiDoc`.)
fn operational_routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
}

/// `{"status": …}` of the operational routes.
#[derive(utoipa::ToSchema)]
pub struct OperationalStatus {
    /// `ok`, `ready` or `unavailable`.
    pub status: String,
}

/// Whether the server serves requests.
#[utoipa::path(
    get,
    path = "/health",
    operation_id = "health",
    tag = "operations",
    security(()),
    responses((status = 200, description = "The server serves requests: `{\"status\": \"ok\"}`", body = OperationalStatus))
)]
async fn health() -> Response {
    axum::Json(json!({"status": "ok"})).into_response()
}

/// Whether the database answers and accepts writes.
#[utoipa::path(
    get,
    path = "/ready",
    operation_id = "ready",
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "The database answers and accepts writes: `{\"status\": \"ready\"}`", body = OperationalStatus),
        (status = 503, description = "The database does not answer, is read-only, or its storage is full: `{\"status\": \"unavailable\"}`", body = OperationalStatus),
    )
)]
async fn ready(State(state): State<AppState>) -> Response {
    if state.faults.storage_ok() && state.store.ping().await && state.store.accepts_writes().await {
        axum::Json(json!({"status": "ready"})).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(json!({"status": "unavailable"})),
        )
            .into_response()
    }
}

/// Prometheus text; with `metrics.token` configured, only for `Authorization: Bearer <token>`.
async fn metrics(State(state): State<AppState>, headers: header::HeaderMap) -> Response {
    if let Some(expected) = &state.config.metrics_token {
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let ok = sent.is_some_and(|t| {
            // Compare digests, so the time taken says nothing about the token.
            docket_domain::ids::token_hash(t) == docket_domain::ids::token_hash(expected)
        });
        if !ok {
            return Error::Unauthenticated("Unauthenticated.").into_response();
        }
    }
    let body = state.metrics.render(&state.store).await;
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn endpoint_not_found() -> Error {
    Error::EndpointNotFound
}

/// The router answers a known path with an unknown method with a bare 405 and `Allow`, and the
/// timeout layer with a bare 408; give them the JSON envelope (keeping `Allow`).
async fn json_method_not_allowed(response: Response) -> Response {
    if response.headers().contains_key(header::CONTENT_TYPE) {
        return response;
    }
    if response.status() == StatusCode::REQUEST_TIMEOUT {
        let mut out = Error::Timeout.into_response();
        for name in ["x-ratelimit-limit", "x-ratelimit-remaining"] {
            if let Some(v) = response.headers().get(name) {
                out.headers_mut().insert(name, v.clone());
            }
        }
        return out;
    }
    if response.status() != StatusCode::METHOD_NOT_ALLOWED {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut out = error::method_not_allowed();
    if let Some(allow) = allow {
        out.headers_mut().insert(header::ALLOW, allow);
    }
    out
}
