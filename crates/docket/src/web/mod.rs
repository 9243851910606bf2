//! The pages for people, served by the same binary (docs/web.md): members sign in under `/app`,
//! guests open their task through the link in `taskUrls` (`/guest/{code}/tasks/{task_id}`) and
//! act on it there as themselves ([`guest`]).
//! Server-rendered HTML (maud); htmx (vendored, `static/`) only boosts links and forms, so
//! every flow also works without JavaScript. Each member page is a view over the API's own
//! handlers, called in-process as the signed-in member ([`client`]), so what a member may see
//! or do, and every validation message, is exactly the API's.
//!
//! Every answer carries a Content-Security-Policy without `unsafe-inline` (scripts and styles
//! only from the pages' own origin), `X-Frame-Options: DENY`, `X-Content-Type-Options:
//! nosniff`, `Referrer-Policy: no-referrer` (a guest link's code or a password link never
//! leaves in a `Referer`) and, for pages, `Cache-Control: no-store`.

pub mod assets;
mod auth;
pub mod client;
pub mod fields;
mod guest;
pub mod layout;
mod pages;
pub mod password;
pub mod session;
mod signin_link;
mod task_files;
mod task_page;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};

use crate::state::AppState;

/// The largest form body read.
pub const MAX_FORM_BYTES: usize = 1024 * 1024;

/// The content security policy of every page.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The routes of the pages; `api` is the API's router (its routes without their layers) that
/// the pages call in-process.
pub fn routes(api: Router) -> Router<AppState> {
    Router::new()
        .route("/app", get(pages::home))
        .route("/app/", get(pages::home))
        .route("/app/static/{name}", get(assets::serve))
        .route("/app/sign-in", get(auth::signin_page).post(auth::signin))
        .route("/app/sign-out", post(auth::signout))
        .route("/app/sign-in/email", post(signin_link::request))
        .route(
            "/app/sign-in/{token}",
            get(signin_link::confirm_page).post(signin_link::confirm),
        )
        .route(
            "/app/password/{token}",
            get(auth::set_password_page).post(auth::set_password),
        )
        .route("/app/{org}", get(pages::inbox))
        .route("/app/{org}/templates", get(pages::templates))
        .route(
            "/app/{org}/templates/{template_id}/launch",
            get(pages::launch_page).post(pages::launch),
        )
        .route("/app/{org}/runs/{run_id}", get(pages::run))
        .route("/app/{org}/tasks/{task_id}", get(task_page::show))
        .route("/app/{org}/tasks/{task_id}/fields", post(task_page::save_fields))
        .route("/app/{org}/tasks/{task_id}/complete", post(task_page::complete))
        .route("/app/{org}/tasks/{task_id}/reopen", post(task_page::reopen))
        .route("/app/{org}/tasks/{task_id}/comment", post(task_page::comment))
        .route("/app/{org}/tasks/{task_id}/problem", post(task_page::problem))
        .route("/app/{org}/tasks/{task_id}/resolve", post(task_page::resolve))
        .route("/app/{org}/tasks/{task_id}/files/{field_id}", post(task_files::upload))
        .route(
            "/app/{org}/tasks/{task_id}/files/{field_id}/remove",
            post(task_files::remove),
        )
        .route("/app/{org}/files/{asset_id}", get(task_files::download))
        .route("/guest/{code}", get(guest::index))
        .route("/guest/{code}/tasks/{task_id}", get(guest::task))
        .route(
            "/guest/{code}/tasks/{task_id}/fields",
            post(guest::actions::save_fields),
        )
        .route("/guest/{code}/tasks/{task_id}/complete", post(guest::actions::complete))
        .route("/guest/{code}/tasks/{task_id}/reopen", post(guest::actions::reopen))
        .route("/guest/{code}/tasks/{task_id}/comment", post(guest::actions::comment))
        .route("/guest/{code}/tasks/{task_id}/problem", post(guest::actions::problem))
        .route("/guest/{code}/tasks/{task_id}/resolve", post(guest::actions::resolve))
        // GET downloads the file (asset) of that id; POST uploads to the file field of that id.
        .route(
            "/guest/{code}/tasks/{task_id}/files/{id}",
            get(guest::files::download).post(guest::files::upload),
        )
        .route(
            "/guest/{code}/tasks/{task_id}/files/{id}/remove",
            post(guest::files::remove),
        )
        .layer(axum::Extension(client::Api(api)))
        .layer(middleware::from_fn(security_headers))
}

/// The headers of every page and asset.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if r.status() == StatusCode::METHOD_NOT_ALLOWED {
        *r.body_mut() = axum::body::Body::from("Method not allowed");
    }
    r
}

/// Days a one-time password link stays valid.
pub fn auth_link_days() -> i64 {
    auth::LINK_DAYS
}

/// The pairs of a form body, in order.
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The last value of `key` in a form.
pub fn value_of(pairs: &[(String, String)], key: &str) -> Option<String> {
    pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}
