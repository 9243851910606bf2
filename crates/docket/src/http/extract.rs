//! Request plumbing in the order of spec §1.9: the authentication layer (size, client header,
//! token, the caller's standing in the addressed organization), then the extractors handlers
//! use: [`Ctx`] (who is calling, now, link base), [`Body`] (JSON or form, as one object) and
//! [`Query`] (the query string).

use std::net::SocketAddr;

use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, OriginalUri, RawPathParams, Request, State};
use axum::http::{HeaderMap, HeaderValue, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use docket_domain::{Actor, MemberStatus, Role, ids, input, limits};
use serde_json::{Map, Value};

use crate::error::Error;
/// Handlers take the query with the [`Ctx`]; it is read in `params`.
pub use crate::http::params::{MAX_BODY_BYTES, Query};
use crate::state::AppState;

/// The largest accepted request head: every header name and value together. (hyper itself
/// refuses more than 100 headers or a head beyond its ~400 KiB read buffer with a bare 431.)
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Oversized bodies up to this size are read and dropped before the 413 is sent.
const DRAIN_LIMIT_BYTES: usize = 16 * 1024 * 1024;

/// The authenticated caller, set by [`authenticate`].
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's user.
    pub user_id: i64,
    /// Their standing in the organization named by the path, if the route has one.
    pub standing: Option<Standing>,
}

/// The caller's standing in the addressed organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// No such organization.
    NoSuchOrg,
    /// Not a member, or disabled there.
    Outsider,
    /// A member with this role.
    Member(Role),
}

/// Route layer for every API route, in the order of spec §1.9: 431 for oversized headers and
/// 413 by `Content-Length`, the rate limit (429; every other response carries
/// `X-RateLimit-*`), then 401 for a missing `X-Tallyfy-Client` or a missing/unknown bearer
/// token. On success the [`Caller`] goes into the
/// request extensions; the organization check itself waits until the body has been parsed.
pub async fn authenticate(
    State(state): State<AppState>,
    params: Result<RawPathParams, RawPathParamsRejection>,
    mut req: Request,
    next: Next,
) -> Response {
    let hash = bearer_token(req.headers()).map(ids::token_hash);
    let key = match &hash {
        Some(h) => format!("t:{h}"),
        None => {
            let ip = req
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_default();
            format!("ip:{ip}")
        }
    };
    let too_large = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|n| n > body_limit(&state, &req));
    let header_bytes: usize = req.headers().iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum();
    let decision = state.limiter.check(&key).await;
    let mut response = if header_bytes > MAX_HEADER_BYTES {
        Error::HeadersTooLarge.into_response()
    } else if too_large {
        // Read (and drop) a moderately oversized body first, so that a client still uploading
        // receives the 413 instead of a reset connection.
        let _ = axum::body::to_bytes(req.into_body(), DRAIN_LIMIT_BYTES).await;
        Error::PayloadTooLarge.into_response()
    } else if !decision.allowed {
        state.metrics.rate_limited();
        return Error::RateLimited {
            retry_after: decision.retry_after,
            limit: decision.limit,
        }
        .into_response();
    } else {
        match params {
            // A path segment that is not UTF-8 names no resource (answered here, before a
            // handler's `Path` extractor would answer it in plain text)...
            Err(_) => Error::NotFound.into_response(),
            // Nor does one with a NUL character (which PostgreSQL text cannot hold).
            Ok(params) if params.iter().any(|(_, v)| v.contains('\0')) => Error::NotFound.into_response(),
            Ok(params) => match caller(&state, &params, req.headers(), hash.as_deref()).await {
                Ok(caller) => {
                    // Every store write of the request records this member in the activity feed.
                    let acting = docket_store::model::Acting::Member(caller.user_id);
                    req.extensions_mut().insert(caller);
                    let run = async {
                        // An upload streams its body to storage, so it cannot be held and
                        // compared the way the idempotency layer keeps a request: the upload
                        // handler claims its key once it has read the body.
                        let uploading = crate::http::assets::is_upload(req.method(), req.uri().path());
                        match (crate::idempotency::key_of(&req), hash.as_deref()) {
                            (Some(key), Some(token_hash)) if uploading => {
                                if let Err(e) = crate::idempotency::check_key(&key) {
                                    return e.into_response();
                                }
                                req.extensions_mut().insert(crate::idempotency::UploadKey {
                                    token_hash: token_hash.to_string(),
                                    key,
                                });
                                next.run(req).await
                            }
                            (Some(key), Some(token_hash)) => {
                                crate::idempotency::run(&state, token_hash, key, req, next).await
                            }
                            _ => next.run(req).await,
                        }
                    };
                    docket_store::model::ACTING.scope(acting, run).await
                }
                Err(e) => e.into_response(),
            },
        }
    };
    if decision.limit > 0 {
        let h = response.headers_mut();
        h.insert("x-ratelimit-limit", HeaderValue::from(decision.limit));
        h.insert("x-ratelimit-remaining", HeaderValue::from(decision.remaining));
    }
    response
}

/// The largest body `req` may announce: the file limit (plus the multipart framing) for an
/// upload, [`MAX_BODY_BYTES`] for everything else.
fn body_limit(state: &AppState, req: &Request) -> u64 {
    if crate::http::assets::is_upload(req.method(), req.uri().path()) {
        state.config.storage.max_upload_bytes + crate::http::assets::MULTIPART_OVERHEAD
    } else {
        MAX_BODY_BYTES as u64
    }
}

async fn caller(
    state: &AppState,
    params: &RawPathParams,
    headers: &HeaderMap,
    hash: Option<&str>,
) -> Result<Caller, Error> {
    let client = headers
        .get("x-tallyfy-client")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    if client.is_none_or(str::is_empty) {
        return Err(Error::Unauthenticated("The X-Tallyfy-Client header is required."));
    }
    let hash = hash.ok_or(Error::Unauthenticated("Unauthenticated."))?;
    let org = params.iter().find(|(k, _)| *k == "org").map(|(_, v)| v);
    let found = state
        .store
        .lookup_token(hash, org)
        .await?
        .ok_or(Error::Unauthenticated("Unauthenticated."))?;
    let standing = org.map(|_| {
        if found.org_found == 0 {
            return Standing::NoSuchOrg;
        }
        let status = found.status.as_deref().and_then(|s| s.parse::<MemberStatus>().ok());
        match (found.role.as_deref().and_then(|r| r.parse::<Role>().ok()), status) {
            (Some(role), Some(MemberStatus::Active | MemberStatus::Invited)) => Standing::Member(role),
            _ => Standing::Outsider,
        }
    });
    Ok(Caller {
        user_id: found.user_id,
        standing,
    })
}

pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, rest) = value.split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = rest.trim();
    (!token.is_empty()).then_some(token)
}

/// Who is calling and the request facts handlers need.
#[derive(Clone)]
pub struct Ctx {
    /// Shared state.
    pub state: AppState,
    /// The caller's user id.
    pub user_id: i64,
    standing: Option<Standing>,
    /// The request's time.
    pub now: i64,
    /// Public base URL (no trailing `/`).
    pub base: String,
    /// The request path as the client sent it (with any `/api` prefix), for pagination links.
    pub path: String,
    /// The raw query string.
    pub query: Option<String>,
    /// The `If-Match` header, if sent (checked by writes of tasks and runs).
    pub if_match: Option<String>,
}

impl Ctx {
    /// The caller as a member of the path's organization: 404 if it does not exist, 403 if they
    /// do not belong to it (spec §1.11).
    pub fn member(&self) -> Result<Actor, Error> {
        match &self.standing {
            Some(Standing::Member(role)) => Ok(Actor {
                user_id: self.user_id,
                org_id: self.org_id().to_string(),
                role: *role,
            }),
            Some(Standing::Outsider) => Err(Error::Forbidden("You don't have access to this organization.".into())),
            Some(Standing::NoSuchOrg) | None => Err(Error::NotFound),
        }
    }

    fn org_id(&self) -> &str {
        // The org id is the third segment of the path with or without the /api prefix.
        let p = self.path.strip_prefix("/api").unwrap_or(&self.path);
        p.trim_start_matches('/').split('/').nth(1).unwrap_or("")
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let caller = parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or(Error::Unauthenticated("Unauthenticated."))?;
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map(|o| o.0.clone())
            .unwrap_or_else(|| parts.uri.clone());
        Ok(Ctx {
            base: public_base(state, &parts.headers),
            path: uri.path().to_string(),
            query: uri.query().map(str::to_string),
            if_match: parts
                .headers
                .get(header::IF_MATCH)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            now: state.clock.now(),
            user_id: caller.user_id,
            standing: caller.standing,
            state: state.clone(),
        })
    }
}

/// The public base URL: configured, else the request's scheme and host.
pub fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = &state.config.public_url {
        return u.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or(state.config.listen.as_str());
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .filter(|s| *s == "https" || *s == "http")
        .unwrap_or("http");
    format!("{scheme}://{host}")
}

/// A request body as one JSON object: JSON, or a form folded through bracket notation; an
/// empty body is `{}` whatever its `Content-Type` (spec §1.3).
#[derive(Debug, Default)]
pub struct Body(pub Map<String, Value>);

impl FromRequest<AppState> for Body {
    type Rejection = Error;

    async fn from_request(req: Request, _state: &AppState) -> Result<Self, Error> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
            .unwrap_or_default();
        let bytes = axum::body::to_bytes(req.into_body(), MAX_BODY_BYTES)
            .await
            .map_err(|_| Error::PayloadTooLarge)?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body(Map::new()));
        }
        let malformed = || Error::BadRequest("Malformed request body.".into());
        let parsed = match content_type.as_str() {
            "application/x-www-form-urlencoded" => {
                if looks_like_json(&bytes) {
                    return Err(Error::BadRequest(
                        "Malformed request body. It looks like JSON but was sent as a form \
                         (Content-Type: application/x-www-form-urlencoded, curl -d's default); \
                         send it with Content-Type: application/json."
                            .into(),
                    ));
                }
                let text = std::str::from_utf8(&bytes).map_err(|_| malformed())?;
                let pairs = form_urlencoded::parse(text.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned()));
                input::fold_pairs(pairs).ok_or_else(malformed)
            }
            "multipart/form-data" => Err(Error::BadRequest(
                "Multipart bodies are not supported; send JSON.".into(),
            )),
            _ => json_object(&bytes),
        };
        let map = parsed?;
        if map.values().map(limits::depth).max().unwrap_or(0) + 1 > limits::MAX_DEPTH {
            return Err(Error::BadRequest(format!(
                "The request body is nested more than {} levels deep.",
                limits::MAX_DEPTH
            )));
        }
        if let Some(field) = limits::nul_field(&map) {
            let message = format!("The {} may not contain NUL characters.", input::label(&field));
            return Err(Error::invalid(field, message));
        }
        Ok(Body(map))
    }
}

/// Whether a body sent as a form is in fact a JSON object or array (`curl -d '{"title":"x"}'`
/// without `-H 'Content-Type: application/json'`).
fn looks_like_json(bytes: &[u8]) -> bool {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace());
    start.is_some_and(|i| matches!(bytes[i], b'{' | b'['))
        && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
}

/// A JSON body, which must be an object: a syntax error is a 400 that names its line and
/// column.
fn json_object(bytes: &[u8]) -> Result<Map<String, Value>, Error> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Error::BadRequest(
            "Malformed request body. The top level of a JSON body must be an object.".into(),
        )),
        Err(e) => {
            // serde_json's message ends with " at line L column C"; say it once, up front.
            let text = e.to_string();
            let what = text.split(" at line ").next().unwrap_or(&text);
            Err(Error::BadRequest(format!(
                "Malformed request body. Invalid JSON at line {}, column {}: {what}.",
                e.line(),
                e.column()
            )))
        }
    }
}
