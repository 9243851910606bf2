//! One-time sign-in links by email (docs/web.md, "Signing in"), offered on the sign-in page
//! when an SMTP server is configured (docs/email.md).
//!
//! `POST /app/sign-in/email` takes an address and always answers the same page, whether or
//! not the address belongs to a member: the lookup, the stored link and the mail all happen
//! in a background task after the answer, so neither the page nor its timing says who is a
//! member. The request is CSRF-checked (the `docket_csrf` double submit of the sign-in form)
//! and counted by the sign-in rate limit (its email and its client address), every request,
//! since whether a link went out must not show.
//!
//! The link is `{public_url}/app/sign-in/{token}`: 256 random bits of which the database keeps
//! only the SHA-256 (migration 0019), valid for [`LINK_MINUTES`], usable once, and only for a
//! member with an active or invited membership. Its base is the configured `public_url` (else
//! the address docket listens on), never the request's `Host`: a forged `Host` would mail the
//! member a link to another site. Opening it (`GET`) shows a page with a button; only that
//! button's `POST` uses it up and signs in, so a mail client's link scanner that fetches the
//! link does not spend it.
//!
//! **Why not the email outbox.** The outbox (migration 0016) keeps each job's payload in the
//! database until it is pruned a week later, and retries for 24 hours. A sign-in link in a
//! payload would put the token itself in the database, where a copy of it signs someone in,
//! which is what storing only the hash prevents; and a retry after the link's 15 minutes is
//! worthless. So the mail is sent once, from a background task, with the token only in
//! memory; when the SMTP server fails the member asks again (the failure is logged with the
//! member's id and the server's reply, never the link).

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use docket_domain::ids;
use docket_store::model::SigninLink;
use maud::{Markup, html};

use crate::email::{Mailer, render};
use crate::state::AppState;
use crate::web::auth::{presession_csrf, presession_token, signin_form, start_session, with_csrf_cookie};
use crate::web::layout::{error, page, respond};
use crate::web::session::{self, SIGNIN_WINDOW_MS};
use crate::web::{MAX_FORM_BYTES, form_pairs, value_of};

/// Minutes a sign-in link stays valid.
pub const LINK_MINUTES: i64 = 15;

/// Whether sign-in links are offered: an SMTP server is configured.
pub fn enabled(state: &AppState) -> bool {
    state.config.email.smtp_host.is_some()
}

/// The "Email me a sign-in link" form of the sign-in page.
pub fn form(csrf: &str) -> Markup {
    html! {
        form.signin-link method="post" action="/app/sign-in/email" {
            h2 { "Or sign in without a password" }
            input type="hidden" name="_csrf" value=(csrf);
            label for="link-email" { "Email" }
            input #link-email type="email" name="email" autocomplete="username" required;
            div.actions { button.secondary type="submit" { "Email me a sign-in link" } }
        }
    }
}

/// `POST /app/sign-in/email`: the same answer for every address; a member's link is stored
/// and mailed in the background.
pub async fn request(State(state): State<AppState>, req: Request) -> Response {
    if !enabled(&state) {
        return error(
            StatusCode::NOT_FOUND,
            "Sign-in links by email are not set up here.",
            None,
        );
    }
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let (parts, body) = req.into_parts();
    let headers = parts.headers;
    let body = axum::body::to_bytes(body, MAX_FORM_BYTES).await.unwrap_or_default();
    let pairs = form_pairs(&body);
    let email = value_of(&pairs, "email").unwrap_or_default().trim().to_string();
    let csrf = match presession_csrf(&headers, &pairs) {
        Ok(csrf) => csrf,
        Err(csrf) => {
            let form = signin_form(&csrf, "/app", "", Some("The form had expired. Please try again."), true);
            return with_csrf_cookie(&state, &headers, &csrf, true, StatusCode::FORBIDDEN, form);
        }
    };
    let now = state.clock.now();
    let buckets = session::signin_buckets(&email, peer);
    match state.store.signin_failures(&buckets, now - SIGNIN_WINDOW_MS).await {
        Ok(n) if n >= state.config.web.signin_limit => {
            let form = signin_form(
                &csrf,
                "/app",
                "",
                Some("Too many sign-in attempts. Wait 15 minutes, then try again."),
                true,
            );
            let mut r = respond(StatusCode::TOO_MANY_REQUESTS, form);
            r.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("900"));
            return r;
        }
        Ok(_) => {}
        Err(_) => {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "The database is unavailable; try again.",
                None,
            );
        }
    }
    if state.store.add_signin_failure(&buckets, now).await.is_err() {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "The database is unavailable; try again.",
            None,
        );
    }
    if email.contains('@') {
        tokio::spawn(send_link(state.clone(), email, now));
    }
    respond(
        StatusCode::OK,
        page(
            "Check your email",
            None,
            html! {
                div.card.narrow {
                    h1 { "Check your email" }
                    p.flash.good role="status" {
                        "If that address belongs to a member, a link is on its way."
                    }
                    p { "The link works once, within " (LINK_MINUTES) " minutes." }
                    p { a href="/app/sign-in" { "Back to sign in" } }
                }
            },
        ),
    )
}

/// Stores a link for the member with `email` (if there is one who may sign in) and mails it.
async fn send_link(state: AppState, email: String, now: i64) {
    let token = ids::new_token();
    let expires = now + LINK_MINUTES * 60_000;
    let member = match state
        .store
        .add_signin_link(&email, &ids::token_hash(&token), now, expires)
        .await
    {
        Ok(Some(m)) => m,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(error = %e, "sign-in link: cannot store it");
            return;
        }
    };
    let mailer = match Mailer::new(&state.config.email) {
        Ok(Some(m)) => m,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(error = %e, "sign-in link: the SMTP settings are unusable");
            return;
        }
    };
    let base = state
        .config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", state.config.listen));
    let link = format!("{}/app/sign-in/{token}", base.trim_end_matches('/'));
    let mail = render::signin_link(&link, LINK_MINUTES);
    match mailer
        .send(&member.email, &mail.subject, mail.body, &ids::new_id32())
        .await
    {
        Ok(()) => tracing::info!(user_id = member.user_id, "sign-in link sent"),
        Err(e) => tracing::warn!(user_id = member.user_id, error = %e, "sign-in link not sent"),
    }
}

fn confirm_form(csrf: &str, token: &str, problem: Option<&str>) -> Markup {
    page(
        "Sign in",
        None,
        html! {
            div.card.narrow {
                h1 { "Sign in" }
                @if let Some(p) = problem { p.flash.bad role="alert" { (p) } }
                p { "Sign in with the link from your email." }
                form method="post" action={ "/app/sign-in/" (token) } {
                    input type="hidden" name="_csrf" value=(csrf);
                    div.actions { button type="submit" autofocus { "Sign in" } }
                }
            }
        },
    )
}

/// The page of a link that signs nobody in: 410 for a used or expired one, 404 for an unknown
/// one, 403 when its member may not sign in.
fn refused(why: SigninLink) -> Response {
    let (status, title, message) = match why {
        SigninLink::Used => (
            StatusCode::GONE,
            "Link already used",
            "This sign-in link was already used; each link works once.",
        ),
        SigninLink::Expired => (
            StatusCode::GONE,
            "Link expired",
            "This sign-in link has expired; a link works for 15 minutes.",
        ),
        SigninLink::Disabled => (
            StatusCode::FORBIDDEN,
            "Cannot sign in",
            "This account cannot sign in: its membership is disabled.",
        ),
        SigninLink::Unknown | SigninLink::Valid(_) => (
            StatusCode::NOT_FOUND,
            "Link not valid",
            "This sign-in link is not valid. Check that it was copied whole.",
        ),
    };
    respond(
        status,
        page(
            title,
            None,
            html! {
                div.card.narrow {
                    h1 { (title) }
                    p { (message) }
                    p { a href="/app/sign-in" { "Sign in, or ask for a new link" } }
                }
            },
        ),
    )
}

/// `GET /app/sign-in/{token}`: a page with a button that signs in (the link is not used up
/// by opening it).
pub async fn confirm_page(State(state): State<AppState>, headers: HeaderMap, Path(token): Path<String>) -> Response {
    match state
        .store
        .signin_link(&ids::token_hash(&token), state.clock.now())
        .await
    {
        Ok(SigninLink::Valid(_)) => {}
        Ok(why) => return refused(why),
        Err(_) => {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "The database is unavailable; try again.",
                None,
            );
        }
    }
    let (csrf, fresh) = presession_token(&headers);
    // (The token is in this page's URL; `Referrer-Policy: no-referrer` keeps it there.)
    let form = confirm_form(&csrf, &token, None);
    with_csrf_cookie(&state, &headers, &csrf, fresh, StatusCode::OK, form)
}

/// `POST /app/sign-in/{token}`: uses up the link and signs its member in.
pub async fn confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    if let Err(csrf) = presession_csrf(&headers, &pairs) {
        let form = confirm_form(&csrf, &token, Some("The form had expired. Please try again."));
        return with_csrf_cookie(&state, &headers, &csrf, true, StatusCode::FORBIDDEN, form);
    }
    match state
        .store
        .redeem_signin_link(&ids::token_hash(&token), state.clock.now())
        .await
    {
        Ok(SigninLink::Valid(user_id)) => start_session(&state, &headers, user_id, "/app").await,
        Ok(why) => refused(why),
        Err(_) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "The database is unavailable; try again.",
            None,
        ),
    }
}
