//! The SQLite WAL checkpointer: copies committed pages from the write-ahead log back into the
//! database file, on a connection of its own, off the path of every write.
//!
//! By default SQLite checkpoints inside the commit that crosses 1,000 WAL pages, with an fsync
//! of the database file, on the one writer connection: a tenth of the writer's time in a
//! create profile (BENCHMARKS.md), during which no other write can proceed. The writer turns
//! that off (`wal_autocheckpoint = 0`) and this task checkpoints instead, `PASSIVE` (it never
//! blocks a reader or the writer), every [`INTERVAL`]. Durability is unchanged: a commit is
//! in the log, which is what survives a crash, before it is acknowledged.

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
