//! The SQLite WAL checkpointer: copies committed pages from the write-ahead log back into the
//! database file, on a connection of its own, so that little is left for the writer to do.
//!
//! SQLite checkpoints inside the commit that finds more than 1,000 pages in the log, with an
//! fsync of the database file, on the one writer connection, during which no other write can
//! proceed (a tenth of the writer's time in a create profile, BENCHMARKS.md). This task copies
//! the log `PASSIVE`ly (never blocking a reader or the writer) every [`INTERVAL`], so the
//! writer's own checkpoint finds almost everything copied already. The writer keeps its
//! automatic checkpoint all the same: only a checkpoint that completes just before a write lets
//! that write start the log afresh, and a log that never restarts grows without end under
//! sustained writes (900 MB in 10 s of creates, measured when the writer's was turned off).
//! Durability is unchanged: a commit is in the log, which is what survives a crash, before it
//! is acknowledged.

use std::time::Duration;

use sqlx::{Pool, Sqlite};

/// How often the log is checkpointed.
pub(crate) const INTERVAL: Duration = Duration::from_millis(100);

/// Checkpoints on `pool` (one connection that may write) until the pool is closed.
pub(crate) async fn run(pool: Pool<Sqlite>) {
    let mut tick = tokio::time::interval(INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if pool.is_closed() {
            return;
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(error = %e, "WAL checkpoint failed; retrying");
        }
    }
}
