//! Remembered list totals, so that paging through a list (or reloading it) does not count every
//! match again for every page (issue 4: `meta.pagination.total` at a million tasks).
//!
//! An entry holds for as long as no write has gone through this [`crate::Store`] since it was
//! counted (every `on_write!` call bumps the generation) and for at most the configured time to
//! live. The generation makes totals exact for writes through this process; the time to live
//! bounds the two things a generation cannot see: writes by other processes (several docket
//! nodes on one PostgreSQL, an admin command on the SQLite file) and the passing of time, which
//! moves tasks in and out of the derived conditions (`active`, `overdue`, `due_soon`). The
//! request time is therefore left out of the key.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// At most this many totals are remembered; past it the map starts afresh.
const CAPACITY: usize = 4096;

struct Entry {
    generation: u64,
    at: Instant,
    total: i64,
}

/// Totals by query, valid while the write generation is unchanged and younger than the TTL.
pub(crate) struct CountCache {
    ttl: Duration,
    generation: AtomicU64,
    entries: Mutex<HashMap<String, Entry>>,
}

impl CountCache {
    /// A cache whose entries live at most `ttl`; a zero `ttl` disables it.
    pub(crate) fn new(ttl: Duration) -> Self {
        CountCache {
            ttl,
            generation: AtomicU64::new(0),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The current write generation; read it before counting and pass it to [`Self::put`].
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Marks every remembered total stale (a write has committed).
    pub(crate) fn bump(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The remembered total for `key`, if still valid.
    pub(crate) fn get(&self, key: &str) -> Option<i64> {
        if self.ttl.is_zero() {
            return None;
        }
        let generation = self.generation();
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|e| e.generation == generation && e.at.elapsed() < self.ttl)
            .map(|e| e.total)
    }

    /// Remembers `total` for `key`, counted at write generation `generation`.
    pub(crate) fn put(&self, key: String, generation: u64, total: i64) {
        if self.ttl.is_zero() || generation != self.generation() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(
            key,
            Entry {
                generation,
                at: Instant::now(),
                total,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_or_the_ttl_makes_a_total_stale() {
        let c = CountCache::new(Duration::from_secs(60));
        let g = c.generation();
        c.put("q".into(), g, 7);
        assert_eq!(c.get("q"), Some(7));
        assert_eq!(c.get("other"), None);
        c.bump();
        assert_eq!(c.get("q"), None);

        let c = CountCache::new(Duration::from_millis(1));
        c.put("q".into(), c.generation(), 7);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(c.get("q"), None);
    }

    #[test]
    fn a_count_that_raced_a_write_is_not_remembered() {
        let c = CountCache::new(Duration::from_secs(60));
        let g = c.generation();
        c.bump();
        c.put("q".into(), g, 7);
        assert_eq!(c.get("q"), None);
    }

    #[test]
    fn a_zero_ttl_disables_the_cache() {
        let c = CountCache::new(Duration::ZERO);
        c.put("q".into(), c.generation(), 7);
        assert_eq!(c.get("q"), None);
    }
}
