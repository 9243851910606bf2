//! The rate limit of spec §1.10: at most N requests in any rolling 60-second window per bearer
//! token (per client address without one). A sliding log, not a token bucket: a bucket of the
//! same average rate lets bursts through at the window's edges and cannot count `Remaining`
//! down exactly, which clients rely on.
//!
//! Two backends keep the log. [`memory`] holds it in this process (SQLite, which serves one
//! process by design, or `rate_limit.store = "memory"`). On PostgreSQL the log is a table of
//! counted requests, so every docket process on the database draws on one budget per token:
//! one round trip per request runs `docket_rate_limit_hit` (migrations/postgres), which takes
//! a per-bucket advisory lock, drops the bucket's rows older than the window, counts the rest
//! and inserts the request only if it fits. Should PostgreSQL not answer, the process falls
//! back to its own in-memory log (a request then fails on the database anyway).

mod memory;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use docket_store::Store;

pub use memory::SlidingLog;

use crate::config::{Config, RateLimitStore};

/// Every this many checks, the shared backend prunes the rows of idle buckets.
const PRUNE_EVERY: u64 = 4096;

/// What one request was granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// The configured limit.
    pub limit: u32,
    /// Requests left in the current window after this one.
    pub remaining: u32,
    /// When refused: whole seconds until a slot frees (at least 1).
    pub retry_after: u64,
}

impl Decision {
    /// Limiting is off.
    pub const UNLIMITED: Decision = Decision {
        allowed: true,
        limit: 0,
        remaining: 0,
        retry_after: 0,
    };

    /// Allowed, with `used` requests of `limit` in the window.
    fn allowed(limit: u32, used: u64) -> Decision {
        Decision {
            allowed: true,
            limit,
            remaining: u64::from(limit).saturating_sub(used) as u32,
            retry_after: 0,
        }
    }

    /// Refused; a slot frees after `wait`.
    fn refused(limit: u32, wait: Duration) -> Decision {
        Decision {
            allowed: false,
            limit,
            remaining: 0,
            retry_after: wait.as_millis().div_ceil(1000).max(1) as u64,
        }
    }
}

/// The limiter of a running server, over one of the two backends.
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    backend: LimiterBackend,
}

enum LimiterBackend {
    Memory(SlidingLog),
    Shared {
        store: Store,
        fallback: SlidingLog,
        calls: AtomicU64,
    },
}

impl RateLimiter {
    /// `limit` requests per `window` counted in this process; 0 disables limiting.
    pub fn in_memory(limit: u32, window: Duration) -> Self {
        RateLimiter {
            limit,
            window,
            backend: LimiterBackend::Memory(SlidingLog::new(limit, window)),
        }
    }

    /// `limit` requests per `window` counted in `store` (PostgreSQL), shared by every process
    /// on it; 0 disables limiting.
    pub fn shared(store: Store, limit: u32, window: Duration) -> Self {
        RateLimiter {
            limit,
            window,
            backend: LimiterBackend::Shared {
                store,
                fallback: SlidingLog::new(limit, window),
                calls: AtomicU64::new(0),
            },
        }
    }

    /// The limiter `config` asks for: shared on PostgreSQL unless `rate_limit.store` is
    /// `memory`, in memory on SQLite.
    pub fn for_config(store: &Store, config: &Config) -> Self {
        let window = Duration::from_secs(60);
        match config.rate_limit_store {
            RateLimitStore::Auto if store.shares_rate_limit() => Self::shared(store.clone(), config.rate_limit, window),
            _ => Self::in_memory(config.rate_limit, window),
        }
    }

    /// Whether the budget is shared through the database.
    pub fn is_shared(&self) -> bool {
        matches!(self.backend, LimiterBackend::Shared { .. })
    }

    /// Counts one request for `key` and says whether it may proceed. A refused request is not
    /// counted (it changes nothing).
    pub async fn check(&self, key: &str) -> Decision {
        if self.limit == 0 {
            return Decision::UNLIMITED;
        }
        match &self.backend {
            LimiterBackend::Memory(log) => log.check(key, Instant::now()),
            LimiterBackend::Shared { store, fallback, calls } => {
                let window_ms = self.window.as_millis() as i64;
                if calls.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
                    let store = store.clone();
                    tokio::spawn(async move {
                        if let Err(e) = store.prune_rate_limit(window_ms).await {
                            tracing::warn!(error = %e, "cannot prune the shared rate-limit log");
                        }
                    });
                }
                match store.rate_limit_hit(key, self.limit, window_ms, None).await {
                    Ok(hit) => decide(self.limit, window_ms, hit),
                    Err(e) => {
                        tracing::warn!(error = %e, "shared rate limit unavailable; counting in this process");
                        fallback.check(key, Instant::now())
                    }
                }
            }
        }
    }
}

/// The decision for one counted (or refused) request of the shared log.
fn decide(limit: u32, window_ms: i64, hit: docket_store::model::RateHit) -> Decision {
    if hit.allowed {
        return Decision::allowed(limit, hit.used.max(0) as u64);
    }
    let wait_ms = (hit.oldest + window_ms - hit.now_ms).max(0) as u64;
    Decision::refused(limit, Duration::from_millis(wait_ms))
}

#[cfg(test)]
mod tests {
    use docket_store::model::RateHit;

    use super::*;

    #[test]
    fn shared_hits_become_exact_decisions() {
        let hit = |allowed, used, oldest, now_ms| RateHit {
            allowed,
            used,
            oldest,
            now_ms,
        };
        assert_eq!(decide(10, 60_000, hit(true, 1, 5, 5)).remaining, 9);
        assert_eq!(decide(10, 60_000, hit(true, 10, 5, 9)).remaining, 0);
        let refused = decide(10, 60_000, hit(false, 10, 1_000, 11_000));
        assert_eq!(
            (refused.allowed, refused.remaining, refused.retry_after),
            (false, 0, 50)
        );
        // A slot that frees in 1 ms is still a whole second away, never 0.
        assert_eq!(decide(10, 60_000, hit(false, 10, 0, 59_999)).retry_after, 1);
        assert_eq!(decide(10, 60_000, hit(false, 10, 0, 58_001)).retry_after, 2);
    }
}
