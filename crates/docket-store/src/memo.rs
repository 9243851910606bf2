//! Values remembered between requests while nothing has changed: list totals, so that paging
//! through a list does not count every match again for every page (issue 4), and bearer-token
//! lookups, so that a read costs no authentication query.
//!
//! A remembered value holds for as long as no write has gone through this [`crate::Store`]
//! since it was read (every `on_write!` call bumps the [`Generation`]) and for at most the
//! memo's time to live. Past that time one caller reads the value afresh while the others go
//! on using the old one (for at most [`REFRESH_GRACE`]), so that an expensive count is not run by
//! every concurrent request at once; after a write nobody gets the old value. The generation makes them exact for writes through this process; the
//! time to live bounds what a generation cannot see: writes by other processes (several docket
//! nodes on one PostgreSQL, an admin command on the SQLite file) and, for totals, the passing of
//! time, which moves tasks in and out of the derived conditions (`active`, `overdue`,
//! `due_soon`) and is therefore left out of their keys.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// At most this many values are remembered per memo; past it the memo starts afresh.
const CAPACITY: usize = 4096;

/// How long others keep using an expired value while one caller reads it afresh.
pub const REFRESH_GRACE: Duration = Duration::from_secs(10);

/// Counts the writes made through one store.
#[derive(Debug, Default)]
pub struct Generation(AtomicU64);

impl Generation {
    /// The current generation; read it before reading a value and pass it to [`Memo::put`].
    pub fn current(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    /// Marks every remembered value stale (a write has committed).
    pub fn bump(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

struct Entry<V> {
    generation: u64,
    at: Instant,
    value: V,
    /// When a caller started reading an expired value afresh.
    refreshing: Option<Instant>,
}

/// Values by key, valid while the write generation is unchanged and younger than the TTL.
pub struct Memo<V> {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry<V>>>,
}

impl<V: Clone> Memo<V> {
    /// A memo whose values live at most `ttl`; a zero `ttl` disables it.
    pub fn new(ttl: Duration) -> Self {
        Memo {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The value remembered for `key`, if it is still valid at `generation`. `None` tells the
    /// caller to read it and [`Self::put`] it; of the callers that find it expired, only the first
    /// is told so, while the others get the expired value until that one is done.
    pub fn get(&self, key: &str, generation: &Generation) -> Option<V> {
        if self.ttl.is_zero() {
            return None;
        }
        let now = generation.current();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get_mut(key).filter(|e| e.generation == now)?;
        if entry.at.elapsed() < self.ttl {
            return Some(entry.value.clone());
        }
        match entry.refreshing {
            Some(started) if started.elapsed() < REFRESH_GRACE => Some(entry.value.clone()),
            _ => {
                entry.refreshing = Some(Instant::now());
                None
            }
        }
    }

    /// Remembers `value` for `key`, read at generation `read_at`; nothing is remembered when a
    /// write has come in since.
    pub fn put(&self, key: String, read_at: u64, generation: &Generation, value: V) {
        if self.ttl.is_zero() || read_at != generation.current() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(
            key,
            Entry {
                generation: read_at,
                at: Instant::now(),
                value,
                refreshing: None,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_or_the_ttl_makes_a_value_stale() {
        let g = Generation::default();
        let m = Memo::new(Duration::from_secs(60));
        m.put("q".into(), g.current(), &g, 7);
        assert_eq!(m.get("q", &g), Some(7));
        assert_eq!(m.get("other", &g), None);
        g.bump();
        assert_eq!(m.get("q", &g), None);

        let m = Memo::new(Duration::from_millis(1));
        m.put("q".into(), g.current(), &g, 7);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(m.get("q", &g), None, "the first caller past the TTL reads afresh");
        assert_eq!(m.get("q", &g), Some(7), "the others meanwhile keep the old value");
        m.put("q".into(), g.current(), &g, 8);
        assert_eq!(m.get("q", &g), Some(8));
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(m.get("q", &g), None);
        g.bump();
        assert_eq!(m.get("q", &g), None, "after a write nobody gets the old value");
        assert_eq!(m.get("q", &g), None);
    }

    #[test]
    fn a_read_that_raced_a_write_is_not_remembered() {
        let g = Generation::default();
        let m = Memo::new(Duration::from_secs(60));
        let read_at = g.current();
        g.bump();
        m.put("q".into(), read_at, &g, 7);
        assert_eq!(m.get("q", &g), None);
    }

    #[test]
    fn a_zero_ttl_disables_the_memo() {
        let g = Generation::default();
        let m = Memo::new(Duration::ZERO);
        m.put("q".into(), g.current(), &g, 7);
        assert_eq!(m.get("q", &g), None);
    }
}
