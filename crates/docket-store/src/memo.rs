//! Values remembered between requests while nothing has changed: list totals, so that paging
//! through a list does not count every match again for every page (issue 4), and bearer-token
//! lookups, so that a read costs no authentication query.
//!
//! A remembered value holds for as long as no write has gone through this [`crate::Store`]
//! since it was read (every `on_write!` call bumps the [`Generation`]) and for at most the
//! memo's time to live (ten times its read, up to 30 s, for a value slow to read). Past that time one caller reads the value afresh while the others go
//! on using the old one (for at most [`REFRESH_GRACE`]), so that an expensive count is not run by
//! every concurrent request at once; after a write nobody gets the old value. The generation makes them exact for writes through this process; the
//! time to live bounds what a generation cannot see: writes by other processes (several docket
//! nodes on one PostgreSQL, an admin command on the SQLite file) and, for totals, the passing of
//! time, which moves tasks in and out of the derived conditions (`active`, `overdue`,
//! `due_soon`) and is therefore left out of their keys.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// At most this many values are remembered per memo (unless it says otherwise,
/// [`Memo::with_capacity`]); past it the memo starts afresh.
const CAPACITY: usize = 4096;

/// A value that took this many times longer to read than the time to live holds that long
/// (see [`Memo::put_read_in`]).
pub const SLOW_READ_FACTOR: u32 = 10;

/// The longest a slow value holds.
pub const SLOW_READ_TTL_MAX: Duration = Duration::from_secs(30);

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

/// What [`Memo::lookup`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup<V> {
    /// A value to use.
    Valid(V),
    /// An expired value (no write since): this caller should read it afresh; others meanwhile
    /// get it as [`Lookup::Valid`] for up to [`REFRESH_GRACE`].
    Refresh(V),
    /// Nothing usable (never read, or a write came in since).
    Missing,
}

struct Entry<V> {
    generation: u64,
    at: Instant,
    /// How long it holds: the memo's time to live, or longer for a value that was slow to read.
    ttl: Duration,
    value: V,
    /// When a caller started reading an expired value afresh.
    refreshing: Option<Instant>,
}

/// Values by key, valid while the write generation is unchanged and younger than the TTL.
pub struct Memo<V> {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<String, Entry<V>>>,
}

impl<V: Clone> Memo<V> {
    /// A memo whose values live at most `ttl`; a zero `ttl` disables it.
    pub fn new(ttl: Duration) -> Self {
        Self::with_capacity(ttl, CAPACITY)
    }

    /// A memo of at most `capacity` values, for values too big to keep thousands of.
    pub fn with_capacity(ttl: Duration, capacity: usize) -> Self {
        Memo {
            ttl,
            capacity: capacity.max(1),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The value remembered for `key`, if it is still valid at `generation`. `None` tells the
    /// caller to read it and [`Self::put`] it; of the callers that find it expired, only the first
    /// is told so, while the others get the expired value until that one is done.
    pub fn get(&self, key: &str, generation: &Generation) -> Option<V> {
        match self.lookup(key, generation) {
            Lookup::Valid(v) => Some(v),
            Lookup::Refresh(_) | Lookup::Missing => None,
        }
    }

    /// [`Self::get`], telling apart the caller chosen to refresh an expired value, which gets
    /// that value too: it may answer with it and read the value afresh in the background.
    pub fn lookup(&self, key: &str, generation: &Generation) -> Lookup<V> {
        if self.ttl.is_zero() {
            return Lookup::Missing;
        }
        let now = generation.current();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let Some(entry) = entries.get_mut(key).filter(|e| e.generation == now) else {
            return Lookup::Missing;
        };
        if entry.at.elapsed() < entry.ttl {
            return Lookup::Valid(entry.value.clone());
        }
        match entry.refreshing {
            Some(started) if started.elapsed() < REFRESH_GRACE => Lookup::Valid(entry.value.clone()),
            _ => {
                entry.refreshing = Some(Instant::now());
                Lookup::Refresh(entry.value.clone())
            }
        }
    }

    /// The value remembered for `key` if it is valid at `generation` and within its time to
    /// live, without the refresh bookkeeping of [`Self::get`]: for a caller that has waited its
    /// turn in [`Flights`] and may find the value read meanwhile.
    pub fn fresh(&self, key: &str, generation: &Generation) -> Option<V> {
        if self.ttl.is_zero() {
            return None;
        }
        let now = generation.current();
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries
            .get(key)
            .filter(|e| e.generation == now && e.at.elapsed() < e.ttl)?;
        Some(entry.value.clone())
    }

    /// Remembers `value` for `key`, read at generation `read_at`; nothing is remembered when a
    /// write has come in since.
    pub fn put(&self, key: String, read_at: u64, generation: &Generation, value: V) {
        self.put_read_in(key, read_at, generation, value, Duration::ZERO);
    }

    /// [`Self::put`] of a value that took `took` to read, which then holds for
    /// [`SLOW_READ_FACTOR`] times that if it is longer than the memo's time to live (at most
    /// [`SLOW_READ_TTL_MAX`]): without a write in between, a total that takes a second to count
    /// is recounted every ten seconds, not every two, so that recounts take at most about a
    /// tenth of a core.
    pub fn put_read_in(&self, key: String, read_at: u64, generation: &Generation, value: V, took: Duration) {
        if self.ttl.is_zero() || read_at != generation.current() {
            return;
        }
        let ttl = self
            .ttl
            .max(took.saturating_mul(SLOW_READ_FACTOR).min(SLOW_READ_TTL_MAX));
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(
            key,
            Entry {
                generation: read_at,
                at: Instant::now(),
                ttl,
                value,
                refreshing: None,
            },
        );
    }
}

/// One read at a time per key: callers that miss the same remembered value at once wait for
/// the first one's read and then find its result, rather than all running it (an expensive
/// count run by 16 requests at once is 16 times the work and the memory, and none of them
/// finishes sooner).
#[derive(Default)]
pub struct Flights {
    keys: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Flights {
    /// Waits until no other caller holds `key`, then holds it until the guard is dropped.
    pub async fn enter(&self, key: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
            if keys.len() >= CAPACITY {
                keys.retain(|_, lock| Arc::strong_count(lock) > 1);
            }
            keys.entry(key.to_string()).or_default().clone()
        };
        lock.lock_owned().await
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
    fn a_memo_keeps_at_most_its_capacity() {
        let g = Generation::default();
        let m = Memo::with_capacity(Duration::from_secs(60), 2);
        m.put("a".into(), g.current(), &g, 1);
        m.put("b".into(), g.current(), &g, 2);
        assert_eq!((m.get("a", &g), m.get("b", &g)), (Some(1), Some(2)));
        m.put("c".into(), g.current(), &g, 3);
        assert_eq!((m.get("a", &g), m.get("b", &g)), (None, None), "full: started afresh");
        assert_eq!(m.get("c", &g), Some(3));
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

    #[tokio::test]
    async fn callers_of_one_key_take_turns_and_others_do_not_wait() {
        let flights = Arc::new(Flights::default());
        let first = flights.enter("count").await;
        let waiting = tokio::spawn({
            let flights = flights.clone();
            async move {
                let _turn = flights.enter("count").await;
            }
        });
        let _other = flights.enter("another count").await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "the second caller of the key waits");
        drop(first);
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("its turn comes")
            .expect("no panic");
    }

    #[test]
    fn fresh_neither_refreshes_nor_returns_expired_values() {
        let g = Generation::default();
        let m = Memo::new(Duration::from_millis(1));
        m.put("q".into(), g.current(), &g, 7);
        assert_eq!(m.fresh("q", &g), Some(7));
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(m.fresh("q", &g), None);
        assert_eq!(m.get("q", &g), None, "the first get past the TTL still refreshes");
    }

    #[test]
    fn lookup_hands_the_expired_value_to_the_one_caller_that_refreshes_it() {
        let g = Generation::default();
        let m = Memo::new(Duration::from_millis(1));
        assert_eq!(m.lookup("q", &g), Lookup::Missing);
        m.put("q".into(), g.current(), &g, 7);
        assert_eq!(m.lookup("q", &g), Lookup::Valid(7));
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(m.lookup("q", &g), Lookup::Refresh(7));
        assert_eq!(m.lookup("q", &g), Lookup::Valid(7), "the others keep it meanwhile");
        g.bump();
        assert_eq!(m.lookup("q", &g), Lookup::Missing);
    }

    #[test]
    fn a_value_slow_to_read_holds_longer() {
        let g = Generation::default();
        let m = Memo::new(Duration::from_millis(1));
        m.put_read_in("slow".into(), g.current(), &g, 7, Duration::from_millis(100));
        m.put_read_in("quick".into(), g.current(), &g, 8, Duration::ZERO);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(m.lookup("slow", &g), Lookup::Valid(7), "holds for ten times its read");
        assert_eq!(m.lookup("quick", &g), Lookup::Refresh(8));
        g.bump();
        assert_eq!(m.lookup("slow", &g), Lookup::Missing, "a write still ends it");
    }

    #[test]
    fn a_zero_ttl_disables_the_memo() {
        let g = Generation::default();
        let m = Memo::new(Duration::ZERO);
        m.put("q".into(), g.current(), &g, 7);
        assert_eq!(m.get("q", &g), None);
    }
}
