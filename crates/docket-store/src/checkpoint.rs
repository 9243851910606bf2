//! The SQLite WAL checkpointer: copies committed pages from the write-ahead log back into the
//! database file, on a connection of its own, so that little is left for the writer to do.
//!
//! SQLite checkpoints inside the commit that finds more than [`WRITER_PAGES`] pages in the log,
//! with an fsync of the database file, on the one writer connection, during which no other
//! write can proceed. This task copies the log `PASSIVE`ly (never blocking a reader or the
//! writer) soon after the writes that [`Wake`] it, and every [`INTERVAL`] otherwise, so that the
//! writer's own checkpoint, rarer for its higher threshold, finds almost everything copied
//! already. The writer keeps its automatic checkpoint all the same: only a checkpoint that
//! completes just before a write lets that write start the log afresh, and a log that never
//! restarts grows without end under sustained writes (900 MB in 10 s of creates, measured when
//! the writer's was turned off). Durability is unchanged: a commit is in the log, which is what
//! survives a crash, before it is acknowledged.

use std::sync::Arc;
use std::time::Duration;

use sqlx::{Pool, Sqlite};
use tokio::sync::Notify;

/// How often the log is checkpointed when nothing wakes the checkpointer.
pub(crate) const INTERVAL: Duration = Duration::from_millis(100);

/// The shortest time between two checkpoints: under sustained writes, a checkpoint every
/// [`PAUSE`] copies what about that many milliseconds of commits wrote.
pub(crate) const PAUSE: Duration = Duration::from_millis(10);

/// Log pages past which the writer checkpoints in its own commit (SQLite's default is 1,000).
/// Higher, the writer stalls on it (a copy and an fsync) less often; this task keeps the log
/// copied meanwhile, and the log stays under about 40 MiB. Measured in BENCHMARKS.md (session
/// 5): creates at 1,000,000 tasks went from about 2,450/s at 4,000 pages to 2,950/s at 10,000.
pub(crate) const WRITER_PAGES: u32 = 10_000;

/// Wakes the checkpointer after a commit; cheap to clone.
#[derive(Clone, Default)]
pub(crate) struct Wake(Arc<Notify>);

impl Wake {
    /// Asks for a checkpoint soon (at most one is pending at a time).
    pub(crate) fn after_commit(&self) {
        self.0.notify_one();
    }
}

/// Checkpoints on `pool` (one connection that may write) until the pool is closed: when woken
/// by `wake`, at most every [`PAUSE`], and every [`INTERVAL`] regardless.
/// A run of failures (a full disk fails every checkpoint) is logged once, and its end once.
pub(crate) async fn run(pool: Pool<Sqlite>, wake: Wake) {
    let mut failing = false;
    loop {
        let _ = tokio::time::timeout(INTERVAL, wake.0.notified()).await;
        if pool.is_closed() {
            return;
        }
        match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
            Err(_) if pool.is_closed() => return,
            Err(e) if !failing => {
                failing = true;
                tracing::warn!(error = %e, "WAL checkpoint failed; retrying (logged once until one succeeds)");
            }
            Err(_) => {}
            Ok(_) if failing => {
                failing = false;
                tracing::info!("WAL checkpoints succeed again");
            }
            Ok(_) => {}
        }
        tokio::time::sleep(PAUSE).await;
    }
}
