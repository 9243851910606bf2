//! Signed-in members: the session cookie, the CSRF token of every form, the sign-in rate limit.
//!
//! A session id is 244 random bits (two v4 UUIDs), sent only in the `docket_session` cookie
//! (`HttpOnly`, `SameSite=Lax`, `Path=/`, `Secure` behind HTTPS); the database keeps its SHA-256,
//! so a copy of the database signs nobody in. Every sign-in makes a new id (and ends the one
//! the browser came with), so an id planted before sign-in is worth nothing. Each session has
//! its own CSRF token, sent back in a hidden `_csrf` field of every form and compared in
//! constant time; the sign-in and set-password forms, before any session exists, compare the
//! field with a `docket_csrf` cookie instead (double submit).

use axum::http::{HeaderMap, HeaderValue, header};
use docket_domain::{MemberStatus, Role, ids};
use docket_store::model::SessionLookup;

use crate::http::extract::Standing;
use crate::state::AppState;
use crate::web::client::As;

/// The session cookie.
pub const SESSION_COOKIE: &str = "docket_session";
/// The pre-session CSRF cookie of the sign-in forms.
pub const CSRF_COOKIE: &str = "docket_csrf";
/// The rolling window of the sign-in rate limit, ms.
pub const SIGNIN_WINDOW_MS: i64 = 15 * 60 * 1000;

/// A signed-in member on a page of one organization (or none).
#[derive(Debug, Clone)]
pub struct Member {
    /// The member.
    pub user_id: i64,
    /// The session's CSRF token.
    pub csrf: String,
    /// The hash of the session id.
    pub id_hash: String,
    /// Their standing in the page's organization.
    pub standing: Option<Standing>,
}

impl Member {
    /// The caller of the in-process API.
    pub fn who(&self) -> As {
        As {
            user_id: self.user_id,
            standing: self.standing.clone(),
        }
    }

    /// Whether `sent` is this session's CSRF token.
    pub fn csrf_ok(&self, sent: Option<&str>) -> bool {
        sent.is_some_and(|s| same(s, &self.csrf))
    }
}

/// Constant-time comparison (of digests, so the time says nothing about either value).
pub fn same(a: &str, b: &str) -> bool {
    let (x, y) = (ids::token_hash(a), ids::token_hash(b));
    x.bytes().zip(y.bytes()).fold(0u8, |acc, (p, q)| acc | (p ^ q)) == 0
}

/// A cookie's value from the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// Whether cookies get `Secure`: as configured, else when the request came over HTTPS.
pub fn secure(state: &AppState, headers: &HeaderMap) -> bool {
    if let Some(s) = state.config.web.secure_cookies {
        return s;
    }
    let forwarded = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    forwarded
        || state
            .config
            .public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
}

/// A `Set-Cookie` value; `max_age` 0 removes the cookie.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let s = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}",
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// The signed-in member of the request, with their standing in `org` (if the page has one).
pub async fn member(state: &AppState, headers: &HeaderMap, org: Option<&str>) -> Option<Member> {
    let id = cookie(headers, SESSION_COOKIE)?;
    let id_hash = ids::token_hash(id);
    let found = state
        .store
        .session(&id_hash, org, state.clock.now())
        .await
        .ok()
        .flatten()?;
    let standing = org.map(|_| standing(&found));
    Some(Member {
        user_id: found.user_id,
        csrf: found.csrf,
        id_hash,
        standing,
    })
}

fn standing(found: &SessionLookup) -> Standing {
    if found.org_found == 0 {
        return Standing::NoSuchOrg;
    }
    let status = found.status.as_deref().and_then(|s| s.parse::<MemberStatus>().ok());
    match (found.role.as_deref().and_then(|r| r.parse::<Role>().ok()), status) {
        (Some(role), Some(MemberStatus::Active | MemberStatus::Invited)) => Standing::Member(role),
        _ => Standing::Outsider,
    }
}

/// A new session id and CSRF token: (id for the cookie, its hash, csrf).
pub fn new_session_id() -> (String, String, String) {
    let id = ids::new_token();
    let hash = ids::token_hash(&id);
    (id, hash, ids::new_token())
}

/// The buckets a sign-in attempt counts against: its email and its client address.
pub fn signin_buckets(email: &str, client: Option<std::net::IpAddr>) -> Vec<String> {
    let mut b = vec![format!("email:{}", email.trim().to_lowercase())];
    if let Some(ip) = client {
        b.push(format!("ip:{ip}"));
    }
    b
}
