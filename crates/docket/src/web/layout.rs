//! The page shell (head, top bar, main), the error page and how times are shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use maud::{DOCTYPE, Markup, html};

use crate::web::assets;

/// htmx's settings: no inline indicator style; swap every answer but 204.
const HTMX_CONFIG: &str =
    r#"{"includeIndicatorStyles":false,"responseHandling":[{"code":"204","swap":false},{"code":"...","swap":true}]}"#;

/// What the top bar shows for a signed-in member.
#[derive(Debug, Clone)]
pub struct Nav {
    /// The organization of the page.
    pub org: String,
    /// The member's name.
    pub name: String,
    /// The session's CSRF token (for the sign-out form).
    pub csrf: String,
    /// The member's time zone.
    pub tz: Tz,
}

/// A whole page.
pub fn page(title: &str, nav: Option<&Nav>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                // htmx must not add its indicator <style> (the CSP has no 'unsafe-inline'), and it
                // shows every answer, a 422 with its messages included, as the browser would.
                meta name="htmx-config" content=(HTMX_CONFIG);
                title { (title) " · docket" }
                link rel="stylesheet" href=(assets::url("app"));
                script src=(assets::url("htmx")) defer {}
            }
            body hx-boost="true" {
                a.skip href="#main" { "Skip to content" }
                @if let Some(n) = nav {
                    header.top {
                        a href={ "/app/" (n.org) } { strong { "docket" } }
                        nav aria-label="Main" {
                            a href={ "/app/" (n.org) } { "My tasks" }
                            a href={ "/app/" (n.org) "/templates" } { "Templates" }
                        }
                        span.who { (n.name) }
                        form method="post" action="/app/sign-out" {
                            input type="hidden" name="_csrf" value=(n.csrf);
                            button.link type="submit" { "Sign out" }
                        }
                    }
                } @else {
                    header.top { strong { "docket" } }
                }
                main #main { (body) }
            }
        }
    }
}

/// An HTML response with `status`.
pub fn respond(status: StatusCode, markup: Markup) -> Response {
    (status, markup).into_response()
}

/// The error page: the status and a sentence (the API's message where it has one).
pub fn error(status: StatusCode, message: &str, nav: Option<&Nav>) -> Response {
    let title = match status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
        _ => "Something went wrong",
    };
    respond(
        status,
        page(
            title,
            nav,
            html! {
                div.card {
                    h1 { (title) }
                    p { (message) }
                    @if let Some(n) = nav { p { a href={ "/app/" (n.org) } { "Back to my tasks" } } }
                }
            },
        ),
    )
}

/// A time zone by IANA name, else UTC.
pub fn zone(name: Option<&str>) -> Tz {
    name.and_then(|n| n.parse::<Tz>().ok()).unwrap_or(Tz::UTC)
}

/// An API timestamp (RFC 3339) in `tz`, e.g. `Mon 7 Dec 2026, 14:00 CET`; `None` as empty.
pub fn when(ts: Option<&str>, tz: Tz) -> String {
    ts.and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&tz).format("%a %-d %b %Y, %H:%M %Z").to_string())
        .unwrap_or_default()
}

/// The start of the day `days` after today in `tz`, as RFC 3339 UTC (a deadline filter).
pub fn day_start(now_ms: i64, tz: Tz, days: i64) -> String {
    let now = DateTime::<Utc>::from_timestamp_millis(now_ms)
        .unwrap_or_default()
        .with_timezone(&tz);
    let date = now.date_naive() + chrono::Duration::days(days);
    let start = date
        .and_hms_opt(0, 0, 0)
        .and_then(|d| d.and_local_timezone(tz).earliest())
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|| now.with_timezone(&Utc));
    start.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
