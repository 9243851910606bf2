//! `Idempotency-Key` on POST (spec §1.14): the first response to a key is kept for 24 hours per
//! token; the same key with the same request replays it with `Idempotent-Replayed: true`
//! without doing the work again, also when the two requests race (the second waits for the
//! first); the same key with a different request is a 422. Uploads claim their key in the
//! upload handler, once the streamed body has been read ([`UploadKey`]).

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use docket_store::model::IdempotencyClaim;
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::http::params::MAX_BODY_BYTES;
use crate::state::AppState;

const KEEP_MS: i64 = 24 * 60 * 60 * 1000;
const MAX_KEY_LEN: usize = 255;
/// Past the request timeout by this much, an unanswered claim is known to be interrupted.
const STALE_MARGIN_MS: i64 = 500;
static LAST_PURGE: AtomicI64 = AtomicI64::new(0);

/// The key of a POST request, if it carries one.
pub fn key_of(req: &Request) -> Option<String> {
    if req.method() != axum::http::Method::POST {
        return None;
    }
    let v = req.headers().get("idempotency-key")?.to_str().ok()?.trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// Runs `req` under `key` for the token with `token_hash`.
pub async fn run(state: &AppState, token_hash: &str, key: String, req: Request, next: Next) -> Response {
    match guarded(state, token_hash, &key, req, next).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

/// The key of an upload (AS1/AS2), put into the request's extensions by the authentication
/// layer: an upload is streamed to storage, so the upload handler claims the key itself once
/// it has read the body, with a hash of what the body says ([`claim`], [`finish`]).
#[derive(Debug, Clone)]
pub struct UploadKey {
    /// The caller's token hash.
    pub token_hash: String,
    /// The `Idempotency-Key`.
    pub key: String,
}

/// A key longer than the stored limit is a 422.
pub fn check_key(key: &str) -> Result<(), Error> {
    if key.chars().count() > MAX_KEY_LEN {
        return Err(Error::invalid(
            "idempotency_key",
            "The idempotency key may not be greater than 255 characters.",
        ));
    }
    Ok(())
}

async fn guarded(state: &AppState, token_hash: &str, key: &str, req: Request, next: Next) -> Result<Response, Error> {
    check_key(key)?;
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| Error::PayloadTooLarge)?;
    let mut h = Sha256::new();
    h.update(parts.method.as_str());
    h.update(b" ");
    h.update(parts.uri.path().as_bytes());
    h.update(b"?");
    h.update(parts.uri.query().unwrap_or("").as_bytes());
    h.update(b"\n");
    h.update(&bytes);
    let request_hash = hex::encode(h.finalize());
    if let Some(replayed) = claim(state, token_hash, key, &request_hash).await? {
        return Ok(replayed);
    }
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    finish(state, token_hash, key, response).await
}

/// Claims `key` for a request whose content hashes to `request_hash`: `Ok(None)` when this
/// request now owns the key (do the work, then [`finish`]); `Ok(Some(response))` replays the
/// first response to the same request; a different request under the key is a 422, one still
/// running (past the wait) or interrupted a 409.
pub async fn claim(
    state: &AppState,
    token_hash: &str,
    key: &str,
    request_hash: &str,
) -> Result<Option<Response>, Error> {
    let timeout_ms = state.config.request_timeout_secs.max(1) as i64 * 1000;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(state.config.request_timeout_secs.max(1));
    loop {
        let now = state.clock.now();
        let claim = state
            .store
            .claim_idempotency_key(token_hash, key, request_hash, now, now - KEEP_MS)
            .await?;
        match claim {
            IdempotencyClaim::Claimed => break,
            IdempotencyClaim::Done { status, body } => return Ok(Some(replay(status, body))),
            IdempotencyClaim::Mismatch => {
                return Err(Error::invalid(
                    "idempotency_key",
                    "The idempotency key has already been used with a different request.",
                ));
            }
            // The first request has outlived the request timeout, so it no longer runs anywhere:
            // it timed out or its process died after claiming the key. Whether its work was
            // applied cannot be known, so it is never done a second time.
            IdempotencyClaim::InProgress { since } if now - since > timeout_ms + STALE_MARGIN_MS => {
                return Err(Error::Conflict(
                    "A request with this idempotency key was interrupted before it answered; it may have been applied. Check, then retry with a new key.".into(),
                ));
            }
            IdempotencyClaim::InProgress { .. } if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            IdempotencyClaim::InProgress { .. } => {
                return Err(Error::Conflict(
                    "A request with this idempotency key is still being processed.".into(),
                ));
            }
        }
    }
    purge_now_and_then(state).await;
    Ok(None)
}

/// Records the response of a claimed key for replays and answers it; a 5xx gives the key up
/// instead (nothing was applied, every write is one transaction), so a retry does the work.
pub async fn finish(state: &AppState, token_hash: &str, key: &str, response: Response) -> Result<Response, Error> {
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(_) => {
            let _ = state.store.release_idempotency_key(token_hash, key).await;
            return Err(Error::Internal("response body could not be read".into()));
        }
    };
    if parts.status.is_server_error() {
        state.store.release_idempotency_key(token_hash, key).await?;
    } else {
        let text = String::from_utf8_lossy(&bytes);
        state
            .store
            .finish_idempotency_key(token_hash, key, i64::from(parts.status.as_u16()), &text)
            .await?;
    }
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

fn replay(status: i64, body: String) -> Response {
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert("idempotent-replayed", HeaderValue::from_static("true"));
    r
}

/// Deletes expired keys at most every ten minutes per process.
async fn purge_now_and_then(state: &AppState) {
    let now = state.clock.now();
    let last = LAST_PURGE.load(Ordering::Relaxed);
    if now - last > 10 * 60 * 1000
        && LAST_PURGE
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
        && let Err(e) = state.store.purge_idempotency_keys(now - KEEP_MS).await
    {
        tracing::warn!(error = %e, "purging expired idempotency keys failed");
    }
}
