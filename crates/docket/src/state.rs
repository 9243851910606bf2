//! `AppState`: what every handler can reach.

use std::sync::Arc;

use axum::body::Bytes;
use docket_domain::time::{self, Millis};
use docket_store::Store;
use docket_store::memo::Memo;

use crate::config::Config;
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;

/// Shared state of a running server, behind one `Arc`: axum hands every handler and middleware
/// its own copy, and that copy is then one reference count rather than one per field (cloning
/// and dropping the fields' counts was a sixth of the CPU of a remembered GET; perf, see
/// BENCHMARKS.md). Its fields are those of [`Shared`], reached through `Deref`.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// The state holding `shared`.
    pub fn new(shared: Shared) -> Self {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What every handler can reach (see [`AppState`]).
pub struct Shared {
    /// The database.
    pub store: Store,
    /// The configuration it was started with.
    pub config: Arc<Config>,
    /// The clock.
    pub clock: Clock,
    /// Requests per rolling minute per token (spec §1.10).
    pub limiter: Arc<RateLimiter>,
    /// Rendered task reads (body and version) by caller and task, remembered between writes
    /// (see `docket_store::memo`); on SQLite only, where every write goes through this process.
    pub task_reads: Arc<Memo<(Bytes, i64)>>,
    /// This server's Prometheus metrics (`GET /metrics`).
    pub metrics: Arc<Metrics>,
    /// Database faults seen (storage full, unavailable), for `/ready` and the log.
    pub faults: crate::faults::Faults,
    /// The bounds on expensive requests per token and overall.
    pub fair_share: crate::fair_share::FairShare,
    /// Where uploaded files' bytes live.
    pub storage: crate::storage::Storage,
}

/// Wall clock, or a fixed instant for tests (`DOCKET_NOW`).
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    fixed: Option<Millis>,
}

impl Clock {
    /// A clock fixed at `fixed` if given, else the wall clock.
    pub fn new(fixed: Option<Millis>) -> Self {
        Clock { fixed }
    }

    /// Now, in epoch milliseconds.
    pub fn now(&self) -> Millis {
        self.fixed.unwrap_or_else(time::now_ms)
    }
}
