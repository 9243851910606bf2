//! The in-memory backend of the rate limit: a sliding log per key, kept by one process and
//! sharded to keep lock contention low. Used on SQLite (one process by design), when
//! `rate_limit.store = "memory"`, and as the fallback of the shared backend while PostgreSQL
//! does not answer.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const SHARDS: usize = 16;

use super::Decision;

/// A per-key sliding-window limiter in memory.
pub struct SlidingLog {
    limit: u32,
    window: Duration,
    hasher: RandomState,
    shards: Vec<Mutex<Shard>>,
}

#[derive(Default)]
struct Shard {
    logs: HashMap<String, VecDeque<Instant>>,
    calls: u64,
}

impl SlidingLog {
    /// `limit` requests per `window`; a limit of 0 disables limiting.
    pub fn new(limit: u32, window: Duration) -> Self {
        SlidingLog {
            limit,
            window,
            hasher: RandomState::new(),
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
        }
    }

    /// Counts one request for `key` at `now` and says whether it may proceed. A refused
    /// request is not counted (it changes nothing).
    pub fn check(&self, key: &str, now: Instant) -> Decision {
        if self.limit == 0 {
            return Decision::UNLIMITED;
        }
        let shard = &self.shards[(self.hasher.hash_one(key) as usize) % SHARDS];
        let mut shard = match shard.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        shard.calls += 1;
        if shard.calls % 4096 == 0 {
            let window = self.window;
            shard
                .logs
                .retain(|_, log| log.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let log = shard.logs.entry(key.to_string()).or_default();
        while log.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
            log.pop_front();
        }
        if (log.len() as u32) < self.limit {
            log.push_back(now);
            return Decision {
                allowed: true,
                limit: self.limit,
                remaining: self.limit - log.len() as u32,
                retry_after: 0,
            };
        }
        let oldest = log.front().copied().unwrap_or(now);
        let wait = (oldest + self.window).saturating_duration_since(now);
        Decision::refused(self.limit, wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_counts_down_exactly_and_refusals_change_nothing() {
        let rl = SlidingLog::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        let seen: Vec<u32> = (0..3)
            .map(|i| rl.check("a", t0 + Duration::from_secs(i)).remaining)
            .collect();
        assert_eq!(seen, [2, 1, 0]);
        let refused = rl.check("a", t0 + Duration::from_secs(10));
        assert!(!refused.allowed);
        assert_eq!(refused.retry_after, 50, "the oldest request leaves the window at t0+60");
        // Other keys are independent.
        assert!(rl.check("b", t0).allowed);
        // A slot frees exactly when the oldest request is 60 s old; refusals did not count.
        assert!(!rl.check("a", t0 + Duration::from_millis(59_999)).allowed);
        let d = rl.check("a", t0 + Duration::from_secs(60));
        assert!(d.allowed);
        assert_eq!(d.remaining, 0);
    }

    #[test]
    fn a_rolling_window_is_not_a_bucket() {
        // 3 per minute: 3 at t=59 s, then at t=61 s only the ones older than 60 s have left.
        let rl = SlidingLog::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        assert!(rl.check("k", t0).allowed);
        for _ in 0..2 {
            assert!(rl.check("k", t0 + Duration::from_secs(59)).allowed);
        }
        let d = rl.check("k", t0 + Duration::from_secs(61));
        assert!(d.allowed, "the t=0 request has left the window");
        assert!(
            !rl.check("k", t0 + Duration::from_secs(62)).allowed,
            "the two t=59 requests are still in it"
        );
        assert_eq!(rl.check("k", t0 + Duration::from_secs(62)).retry_after, 57);
    }

    #[test]
    fn zero_disables_limiting() {
        let rl = SlidingLog::new(0, Duration::from_secs(60));
        assert!((0..10_000).all(|_| rl.check("x", Instant::now()).allowed));
    }
}
