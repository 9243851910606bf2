//! Signing in and out, and setting a password through a one-time link (invite or reset). Sign-in
//! links by email are in [`super::signin_link`].

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use docket_domain::ids;
use docket_store::model::NewSession;
use maud::{Markup, html};
use serde::Deserialize;

use crate::state::AppState;
use crate::web::layout::{error, page, respond};
use crate::web::session::{self, CSRF_COOKIE, SESSION_COOKIE, SIGNIN_WINDOW_MS};
use crate::web::{MAX_FORM_BYTES, form_pairs, password, signin_link, value_of};

/// Days a one-time password link stays valid.
pub const LINK_DAYS: i64 = 7;

/// `?next=` after sign-in: a path of the pages only.
#[derive(Debug, Deserialize, Default)]
pub struct Next {
    next: Option<String>,
}

fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/app") && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/app".to_string(),
    }
}

/// The pre-session CSRF token: the browser's `docket_csrf` cookie, else a new one (set on the
/// response). Also the token of a guest's forms, who never signs in.
pub(super) fn presession_token(headers: &HeaderMap) -> (String, bool) {
    match session::cookie(headers, CSRF_COOKIE) {
        Some(t) if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) => (t.to_string(), false),
        _ => (ids::new_token(), true),
    }
}

/// The pre-session CSRF check of a posted form (sign-in, sign-in link, password link, guest
/// forms): `Ok(token)` when the form's `_csrf` is the browser's `docket_csrf` cookie;
/// otherwise `Err(token)`, the token to show the form again with (a new one when the browser
/// had no cookie; `with_csrf_cookie` sets it).
pub(super) fn presession_csrf(headers: &HeaderMap, pairs: &[(String, String)]) -> Result<String, String> {
    let (csrf, fresh) = presession_token(headers);
    let sent = value_of(pairs, "_csrf");
    if fresh || !sent.as_deref().is_some_and(|s| session::same(s, &csrf)) {
        Err(csrf)
    } else {
        Ok(csrf)
    }
}

pub(super) fn with_csrf_cookie(
    state: &AppState,
    headers: &HeaderMap,
    token: &str,
    fresh: bool,
    status: StatusCode,
    body: Markup,
) -> Response {
    let mut r = respond(status, body);
    if fresh {
        let c = session::set_cookie(CSRF_COOKIE, token, 60 * 60 * 24, session::secure(state, headers));
        r.headers_mut().append(header::SET_COOKIE, c);
    }
    r
}

/// The sign-in page; `link`: with the form that asks for a sign-in link by email.
pub(super) fn signin_form(csrf: &str, next: &str, email: &str, problem: Option<&str>, link: bool) -> Markup {
    page(
        "Sign in",
        None,
        html! {
            div.card.narrow {
                h1 { "Sign in" }
                @if let Some(p) = problem { p.flash.bad role="alert" { (p) } }
                form method="post" action="/app/sign-in" {
                    input type="hidden" name="_csrf" value=(csrf);
                    input type="hidden" name="next" value=(next);
                    label for="email" { "Email" }
                    input #email type="email" name="email" value=(email) autocomplete="username" required autofocus;
                    label for="password" { "Password" }
                    input #password type="password" name="password" autocomplete="current-password" required;
                    div.actions { button type="submit" { "Sign in" } }
                }
                @if link {
                    p.hint { "No password yet? Email yourself a sign-in link below." }
                    (signin_link::form(csrf))
                } @else {
                    p.hint { "No password yet? Ask an administrator for an invite link." }
                }
            }
        },
    )
}

/// `GET /app/sign-in`.
pub async fn signin_page(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<Next>) -> Response {
    let (csrf, fresh) = presession_token(&headers);
    let next = safe_next(q.next.as_deref());
    with_csrf_cookie(
        &state,
        &headers,
        &csrf,
        fresh,
        StatusCode::OK,
        signin_form(&csrf, &next, "", None, signin_link::enabled(&state)),
    )
}

/// `POST /app/sign-in`: email and password; a new session on success.
pub async fn signin(State(state): State<AppState>, req: Request) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let (parts, body) = req.into_parts();
    let headers = parts.headers;
    let body = axum::body::to_bytes(body, MAX_FORM_BYTES).await.unwrap_or_default();
    let pairs = form_pairs(&body);
    let email = value_of(&pairs, "email").unwrap_or_default().trim().to_string();
    let pw = value_of(&pairs, "password").unwrap_or_default();
    let next = safe_next(value_of(&pairs, "next").as_deref());
    let csrf = match presession_csrf(&headers, &pairs) {
        Ok(csrf) => csrf,
        Err(csrf) => {
            let form = signin_form(
                &csrf,
                &next,
                &email,
                Some("The form had expired. Please sign in again."),
                signin_link::enabled(&state),
            );
            return with_csrf_cookie(&state, &headers, &csrf, true, StatusCode::FORBIDDEN, form);
        }
    };
    let now = state.clock.now();
    let buckets = session::signin_buckets(&email, peer);
    match state.store.signin_failures(&buckets, now - SIGNIN_WINDOW_MS).await {
        Ok(n) if n >= state.config.web.signin_limit => {
            let form = signin_form(
                &csrf,
                &next,
                &email,
                Some("Too many failed sign-ins. Wait 15 minutes, then try again."),
                signin_link::enabled(&state),
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
    // A member disabled in every organization is, to this form, no member: the same answer as
    // for a wrong password, and as long to come.
    let stored = state
        .store
        .password_by_email(&email)
        .await
        .ok()
        .flatten()
        .filter(|s| s.may_sign_in);
    let user_id = match stored.as_ref().and_then(|s| s.hash.as_deref().map(|h| (s.user_id, h))) {
        Some((user_id, hash)) if password::verify(&pw, hash).await => Some(user_id),
        Some(_) => None,
        None => {
            password::verify_nothing(&pw, password::Cost::of(&state.config.web)).await;
            None
        }
    };
    let Some(user_id) = user_id else {
        let _ = state.store.add_signin_failure(&buckets, now).await;
        let form = signin_form(
            &csrf,
            &next,
            &email,
            Some("The email or password is not right."),
            signin_link::enabled(&state),
        );
        return respond(StatusCode::UNPROCESSABLE_ENTITY, form);
    };
    start_session(&state, &headers, user_id, &next).await
}

/// A new session for `user_id` (ending the one the browser came with) and a redirect to `next`.
pub(super) async fn start_session(state: &AppState, headers: &HeaderMap, user_id: i64, next: &str) -> Response {
    if let Some(old) = session::cookie(headers, SESSION_COOKIE) {
        let _ = state.store.delete_session(&ids::token_hash(old)).await;
    }
    let now = state.clock.now();
    let hours = state.config.web.session_hours.max(1);
    let (id, id_hash, csrf) = session::new_session_id();
    let new = NewSession {
        id_hash,
        user_id,
        csrf,
        now,
        expires_at: now + hours * 3_600_000,
    };
    if state.store.create_session(&new).await.is_err() {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "The database is unavailable; try again.",
            None,
        );
    }
    let secure = session::secure(state, headers);
    let mut r = Redirect::to(next).into_response();
    *r.status_mut() = StatusCode::SEE_OTHER;
    r.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(SESSION_COOKIE, &id, hours * 3600, secure),
    );
    r.headers_mut()
        .append(header::SET_COOKIE, session::set_cookie(CSRF_COOKIE, "", 0, secure));
    r
}

/// `POST /app/sign-out`: ends the session (CSRF-checked) and clears the cookie.
pub async fn signout(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let Some(member) = session::member(&state, &headers, None).await else {
        return Redirect::to("/app/sign-in").into_response();
    };
    if !member.csrf_ok(value_of(&pairs, "_csrf").as_deref()) {
        return error(
            StatusCode::FORBIDDEN,
            "The form had expired. Reload the page and try again.",
            None,
        );
    }
    let _ = state.store.delete_session(&member.id_hash).await;
    let mut r = Redirect::to("/app/sign-in").into_response();
    *r.status_mut() = StatusCode::SEE_OTHER;
    r.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(SESSION_COOKIE, "", 0, session::secure(&state, &headers)),
    );
    r
}

fn set_password_form(csrf: &str, token: &str, problem: Option<&str>) -> Markup {
    page(
        "Set your password",
        None,
        html! {
            div.card.narrow {
                h1 { "Set your password" }
                @if let Some(p) = problem { p.flash.bad role="alert" { (p) } }
                form method="post" action={ "/app/password/" (token) } {
                    input type="hidden" name="_csrf" value=(csrf);
                    label for="password" { "New password" }
                    input #password type="password" name="password" autocomplete="new-password"
                        minlength=(password::MIN_LEN) required autofocus aria-describedby="pw-hint";
                    p.hint #pw-hint { "At least " (password::MIN_LEN) " characters." }
                    label for="confirm" { "The same password again" }
                    input #confirm type="password" name="confirm" autocomplete="new-password" required;
                    div.actions { button type="submit" { "Set password and sign in" } }
                }
            }
        },
    )
}

/// `GET /app/password/{token}`: the form of an invite or reset link.
pub async fn set_password_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let known = state
        .store
        .password_link_user(&ids::token_hash(&token), state.clock.now())
        .await
        .ok()
        .flatten();
    if known.is_none() {
        return error(
            StatusCode::NOT_FOUND,
            "This link is not valid any more: it was used, or it expired. Ask an administrator for a new one.",
            None,
        );
    }
    let (csrf, fresh) = presession_token(&headers);
    let form = set_password_form(&csrf, &token, None);
    // (The link's token is in this page's URL; `Referrer-Policy: no-referrer` keeps it there.)
    with_csrf_cookie(&state, &headers, &csrf, fresh, StatusCode::OK, form)
}

/// `POST /app/password/{token}`: sets the password, uses up the link, signs in.
pub async fn set_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let csrf = match presession_csrf(&headers, &pairs) {
        Ok(csrf) => csrf,
        Err(csrf) => {
            let form = set_password_form(&csrf, &token, Some("The form had expired. Please try again."));
            return with_csrf_cookie(&state, &headers, &csrf, true, StatusCode::FORBIDDEN, form);
        }
    };
    let pw = value_of(&pairs, "password").unwrap_or_default();
    let confirm = value_of(&pairs, "confirm").unwrap_or_default();
    if let Err(why) = password::check_new(&pw, &confirm) {
        return respond(
            StatusCode::UNPROCESSABLE_ENTITY,
            set_password_form(&csrf, &token, Some(&why)),
        );
    }
    let Ok(hash) = password::hash(&pw, password::Cost::of(&state.config.web)).await else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The password could not be stored.",
            None,
        );
    };
    match state
        .store
        .redeem_password_link(&ids::token_hash(&token), &hash, state.clock.now())
        .await
    {
        Ok(Some(user_id)) => start_session(&state, &headers, user_id, "/app").await,
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            "This link is not valid any more: it was used, or it expired. Ask an administrator for a new one.",
            None,
        ),
        Err(_) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "The database is unavailable; try again.",
            None,
        ),
    }
}
