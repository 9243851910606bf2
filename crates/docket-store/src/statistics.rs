//! SQLite's planner statistics (`sqlite_stat1`), kept current by the server itself.
//!
//! Without statistics SQLite guesses that an equality on any indexed column narrows a table to
//! a few rows, and picks among the indexes by shape alone. Every list index of `tasks` starts
//! with `org_id`, which a single organization's rows all share, so a query on a run's tasks
//! (`org_id = ? AND run_id = ?`) was served by walking the organization's whole index instead
//! of `tasks_run`: 2.3 s for one count at 100,000 tasks, measured in BENCHMARKS.md (session 9).
//! With statistics the planner knows `org_id` selects everything and `run_id` a handful.
//!
//! `PRAGMA optimize=0x10002` analyzes each table that has no statistics yet or whose size has
//! changed a great deal since it was last analyzed, reading at most [`ANALYSIS_LIMIT`] rows of
//! each index (milliseconds at any size). It runs once after the migrations and then every
//! [`INTERVAL`] on the checkpointer's connection, so a database that grows from empty (or is
//! imported) gets statistics that match it. PostgreSQL's autovacuum does the same job there.

use std::time::Duration;

use sqlx::{Pool, Sqlite};

/// Rows of each index read by one `ANALYZE` (SQLite's `analysis_limit`).
pub(crate) const ANALYSIS_LIMIT: u32 = 1000;

/// How often the statistics are checked while the server runs.
pub(crate) const INTERVAL: Duration = Duration::from_secs(300);

/// Analyzes the tables whose statistics are missing or out of date.
pub(crate) async fn refresh(pool: &Pool<Sqlite>) -> Result<(), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    sqlx::query(&format!("PRAGMA analysis_limit = {ANALYSIS_LIMIT}"))
        .execute(&mut *conn)
        .await?;
    sqlx::query("PRAGMA optimize = 0x10002").execute(&mut *conn).await?;
    Ok(())
}

/// Refreshes the statistics every [`INTERVAL`] until `pool` is closed; a failure (a busy or
/// full database) is logged and tried again at the next turn.
pub(crate) async fn run(pool: Pool<Sqlite>) {
    loop {
        tokio::time::sleep(INTERVAL).await;
        if pool.is_closed() {
            return;
        }
        if let Err(e) = refresh(&pool).await {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(error = %e, "refreshing SQLite's planner statistics failed; trying again later");
        }
    }
}
