//! Fair share of the expensive requests: list pages, search and `without_pagination` streams
//! (the GETs of a collection of tasks or runs, and search) run under a bound per token
//! (`fair_share.per_token` at once, `fair_share.queue` more waiting) and one for the whole
//! server (`fair_share.global`), so that one client flooding the slowest list cannot make
//! every other client wait behind it. A token whose queue is full is answered 429 with
//! `Retry-After`, like the rate limit. The other requests (a task, a write) pass untouched.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::Config;
use crate::error::Error;
use crate::state::AppState;

/// Seconds a refused client is told to wait.
const RETRY_AFTER: u64 = 1;

/// Whether a request to `route` (a route template) with `method` is an expensive one.
pub fn is_expensive(method: &Method, route: &str) -> bool {
    *method == Method::GET
        && ["/tasks", "/completed-tasks", "/runs", "/search"]
            .iter()
            .any(|end| route.ends_with(end))
}

/// The bounds of one server.
pub struct FairShare {
    per_token: usize,
    queue: usize,
    global: Arc<Semaphore>,
    tokens: Arc<Mutex<TokenMap>>,
}

type TokenMap = HashMap<String, Arc<TokenSlots>>;

/// One token's slots: `admit` counts its requests running and waiting, `run` those running.
struct TokenSlots {
    admit: Arc<Semaphore>,
    run: Arc<Semaphore>,
}

/// Held while an expensive request runs (until its response body is sent); gives its slots
/// back when dropped.
pub struct Permit {
    tokens: Arc<Mutex<TokenMap>>,
    key: String,
    slots: Arc<TokenSlots>,
    held: Option<(OwnedSemaphorePermit, OwnedSemaphorePermit, OwnedSemaphorePermit)>,
}

impl FairShare {
    /// The bounds configured in `config`.
    pub fn new(config: &Config) -> Self {
        FairShare {
            per_token: config.fair_share_per_token.max(1),
            queue: config.fair_share_queue,
            global: Arc::new(Semaphore::new(config.fair_share_global.max(1))),
            tokens: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn tokens(&self) -> std::sync::MutexGuard<'_, TokenMap> {
        lock(&self.tokens)
    }

    /// Waits for a slot of `key` and one of the server; `Busy` when `key` already has as many
    /// requests running and waiting as it may.
    pub async fn enter(&self, key: &str) -> Result<Permit, Error> {
        let slots = self
            .tokens()
            .entry(key.to_string())
            .or_insert_with(|| {
                Arc::new(TokenSlots {
                    admit: Arc::new(Semaphore::new(self.per_token + self.queue)),
                    run: Arc::new(Semaphore::new(self.per_token)),
                })
            })
            .clone();
        let mut permit = Permit {
            tokens: self.tokens.clone(),
            key: key.to_string(),
            slots,
            held: None,
        };
        let Ok(admitted) = permit.slots.admit.clone().try_acquire_owned() else {
            return Err(Error::Busy {
                retry_after: RETRY_AFTER,
            });
        };
        let running = permit.slots.run.clone().acquire_owned().await;
        let global = self.global.clone().acquire_owned().await;
        match (running, global) {
            (Ok(r), Ok(g)) => permit.held = Some((admitted, r, g)),
            _ => return Err(Error::Internal("fair share semaphore closed".into())),
        }
        Ok(permit)
    }
}

fn lock(tokens: &Mutex<TokenMap>) -> std::sync::MutexGuard<'_, TokenMap> {
    tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.held = None;
        let mut tokens = lock(&self.tokens);
        // Only the map and this permit hold the slots: nobody else runs or waits on them.
        if Arc::strong_count(&self.slots) == 2 {
            tokens.remove(&self.key);
        }
    }
}

/// Whether `req` (routed: its route template is known) is an expensive one, the only kind
/// [`limit`] bounds.
pub fn applies(req: &Request) -> bool {
    req.extensions()
        .get::<MatchedPath>()
        .is_some_and(|p| is_expensive(req.method(), p.as_str()))
}

/// The middleware (a route layer inside authentication, inside the request timeout, so that
/// time spent waiting counts towards it; `http::only_when` sends it only what [`applies`]).
pub async fn limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !applies(&req) {
        return next.run(req).await;
    }
    let key = crate::http::extract::bearer_token(req.headers())
        .map(docket_domain::ids::token_hash)
        .unwrap_or_default();
    match state.fair_share.enter(&key).await {
        // A `without_pagination` stream does its work while its body is sent: the permit goes
        // with the body.
        Ok(permit) => next.run(req).await.map(|body| {
            Body::new(body.map_frame(move |frame| {
                let _ = &permit;
                frame
            }))
        }),
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_search_are_expensive_single_reads_are_not() {
        for route in [
            "/organizations/{org}/tasks",
            "/api/organizations/{org}/runs/{run_id}/tasks",
            "/organizations/{org}/search",
            "/organizations/{org}/users/{user_id}/tasks",
        ] {
            assert!(is_expensive(&Method::GET, route), "{route}");
        }
        assert!(!is_expensive(&Method::POST, "/organizations/{org}/tasks"));
        assert!(!is_expensive(&Method::GET, "/organizations/{org}/tasks/{task_id}"));
    }

    #[tokio::test]
    async fn a_full_queue_is_refused_and_slots_are_given_back() {
        let config = Config {
            fair_share_per_token: 1,
            fair_share_queue: 1,
            fair_share_global: 4,
            ..Config::default()
        };
        let share = FairShare::new(&config);
        let first = share.enter("a").await.expect("runs");
        let waiting = share.enter("a");
        tokio::pin!(waiting);
        let short = std::time::Duration::from_millis(50);
        assert!(
            tokio::time::timeout(short, waiting.as_mut()).await.is_err(),
            "the second waits"
        );
        assert!(
            matches!(share.enter("a").await, Err(Error::Busy { .. })),
            "the third is refused"
        );
        let other = share.enter("b").await.expect("another token runs");
        drop(first);
        let second = waiting.await.expect("the waiting one runs");
        drop((second, other));
        assert!(share.tokens().is_empty(), "no slots kept for idle tokens");
    }
}
