//! Running a write transaction again when PostgreSQL aborted it as a deadlock victim or a
//! serialization failure. Every write path locks a run before its tasks
//! (`sql/tasks.rs::lock_for_write`), so this is a safety net, not the concurrency design.

/// Attempts after the first.
pub(crate) const RETRIES: usize = 3;

/// Whether `e` is a PostgreSQL deadlock (40P01) or serialization failure (40001): the
/// transaction was rolled back and a new attempt can succeed.
pub(crate) fn is_retryable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("40P01" | "40001")),
        _ => false,
    }
}

/// Awaits `$attempt` (an expression building a fresh future each time, yielding
/// `Result<_, sqlx::Error>`) again while it fails with a retryable error, up to
/// [`RETRIES`] more times.
macro_rules! retry_on_deadlock {
    ($attempt:expr) => {{
        let mut tries = 0;
        loop {
            match $attempt.await {
                Err(e) if tries < $crate::retry::RETRIES && $crate::retry::is_retryable(&e) => tries += 1,
                other => break other,
            }
        }
    }};
}
