//! Running a store call again when it failed in a way that cannot have taken effect.
//!
//! Two faults are retried:
//!
//! - PostgreSQL aborted a write transaction as a deadlock victim or a serialization failure
//!   ([`retry_on_deadlock!`]). Every write path locks a run before its tasks
//!   (`sql/tasks.rs::lock_for_write`), so this is a safety net, not the concurrency design.
//! - The connection was lost (PostgreSQL restarting, a backend terminated, a network reset) —
//!   but only where the call cannot have taken effect: a read; acquiring a connection or its
//!   `BEGIN` ([`begin`]); a write transaction begun with [`begin`] whose `COMMIT` ([`commit`])
//!   was not yet sent, which PostgreSQL rolled back with the connection. A write whose `COMMIT`
//!   was sent and not answered may or may not be stored: it is never re-run, and its caller
//!   answers 503. A write function opts in by using [`begin`] and [`commit`], and then must do
//!   every write inside that one transaction (a statement on the pool before `BEGIN` would be
//!   re-run with the rest); functions that do not opt in are never re-run after a lost
//!   connection. `on_write!` and `on_read!` (lib.rs) do the re-running, on PostgreSQL only.

use std::cell::Cell;
use std::time::{Duration, Instant};

use sqlx::{Database, Pool, Transaction};

use crate::StoreError;

/// Attempts after the first.
pub(crate) const RETRIES: usize = 3;

/// A lost connection is retried only while the call has taken less than this in all: a
/// database down for longer is answered 503 (the pool has already waited for it to come back).
const LOST_CONNECTION_BUDGET: Duration = Duration::from_secs(3);

/// Whether `e` is a PostgreSQL deadlock (40P01) or serialization failure (40001): the
/// transaction was rolled back and a new attempt can succeed.
pub(crate) fn is_retryable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("40P01" | "40001")),
        _ => false,
    }
}

/// Whether `e` says the connection was lost or refused (as opposed to a statement the
/// database rejected): an I/O error, or PostgreSQL ending the session (`admin_shutdown`,
/// `crash_shutdown`, `cannot_connect_now`, class 08). Not a pool timeout: that has waited.
pub(crate) fn lost_connection(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| matches!(c.as_ref(), "57P01" | "57P02" | "57P03") || c.starts_with("08")),
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

/// How far a store call got with its transaction (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Progress {
    /// No transaction begun through [`begin`].
    Idle,
    /// A transaction begun through [`begin`], its `COMMIT` not sent.
    InTransaction,
    /// `COMMIT` sent: from here on nothing is re-run.
    Committing,
}

tokio::task_local! {
    static PROGRESS: Cell<Progress>;
}

/// Moves the progress of the current call forward (never back: a second transaction after a
/// committed one must not make the call re-runnable).
fn advance(to: Progress) {
    let _ = PROGRESS.try_with(|p| p.set(p.get().max(to)));
}

/// Awaits `call`, returning its result and how far it got.
pub(crate) async fn tracked<T>(call: impl Future<Output = T>) -> (T, Progress) {
    PROGRESS
        .scope(Cell::new(Progress::Idle), async {
            let out = call.await;
            (out, PROGRESS.with(Cell::get))
        })
        .await
}

/// `pool.begin()`, again when the connection was lost before the transaction began (nothing
/// has happened yet), and marks the call as re-runnable until [`commit`].
pub(crate) async fn begin<DB: Database>(pool: &Pool<DB>) -> Result<Transaction<'static, DB>, sqlx::Error> {
    let started = Instant::now();
    let mut tries = 0;
    let tx = loop {
        match pool.begin().await {
            Err(e) if tries < RETRIES && lost_connection(&e) && started.elapsed() < LOST_CONNECTION_BUDGET => {
                tries += 1;
                tokio::time::sleep(backoff(tries)).await;
            }
            other => break other?,
        }
    };
    advance(Progress::InTransaction);
    Ok(tx)
}

/// `tx.commit()`, after which the call is never re-run.
pub(crate) async fn commit<DB: Database>(tx: Transaction<'_, DB>) -> Result<(), sqlx::Error> {
    advance(Progress::Committing);
    tx.commit().await
}

fn backoff(tries: usize) -> Duration {
    Duration::from_millis(match tries {
        0 | 1 => 50,
        2 => 200,
        _ => 500,
    })
}

/// A failed result that a lost connection explains.
pub(crate) trait LostConnection {
    /// Whether this is an error of a lost connection.
    fn lost_connection(&self) -> bool;
}

impl<T> LostConnection for Result<T, sqlx::Error> {
    fn lost_connection(&self) -> bool {
        self.as_ref().err().is_some_and(lost_connection)
    }
}

impl<T> LostConnection for Result<T, StoreError> {
    fn lost_connection(&self) -> bool {
        matches!(self, Err(StoreError::Unavailable(_)))
    }
}

/// The attempts of one store call on PostgreSQL.
pub(crate) struct Attempts {
    started: Instant,
    tries: usize,
}

impl Attempts {
    pub(crate) fn new() -> Self {
        Attempts {
            started: Instant::now(),
            tries: 0,
        }
    }

    /// Whether to run a read again after `result` (waiting a moment first).
    pub(crate) async fn read_again(&mut self, result: &impl LostConnection) -> bool {
        self.again(Progress::InTransaction, result).await
    }

    /// Whether to run a write again after `result`, which got as far as `progress`.
    pub(crate) async fn write_again(&mut self, progress: Progress, result: &impl LostConnection) -> bool {
        self.again(progress, result).await
    }

    async fn again(&mut self, progress: Progress, result: &impl LostConnection) -> bool {
        if progress != Progress::InTransaction
            || self.tries >= RETRIES
            || self.started.elapsed() >= LOST_CONNECTION_BUDGET
            || !result.lost_connection()
        {
            return false;
        }
        self.tries += 1;
        tracing::info!(
            attempt = self.tries + 1,
            "the database connection was lost before the call took effect; running it again"
        );
        tokio::time::sleep(backoff(self.tries)).await;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn progress_only_moves_forward_and_only_inside_a_call() {
        advance(Progress::Committing); // outside a call: ignored
        let ((), p) = tracked(async {
            advance(Progress::InTransaction);
        })
        .await;
        assert_eq!(p, Progress::InTransaction);
        let ((), p) = tracked(async {
            advance(Progress::InTransaction);
            advance(Progress::Committing);
            advance(Progress::InTransaction);
        })
        .await;
        assert_eq!(
            p,
            Progress::Committing,
            "a second transaction after a commit is not re-runnable"
        );
        let ((), p) = tracked(async {}).await;
        assert_eq!(p, Progress::Idle);
    }

    #[tokio::test]
    async fn only_lost_connections_before_commit_are_run_again() {
        let lost: Result<(), sqlx::Error> = Err(sqlx::Error::Io(std::io::ErrorKind::ConnectionReset.into()));
        let other: Result<(), sqlx::Error> = Err(sqlx::Error::RowNotFound);
        let mut a = Attempts::new();
        assert!(
            !a.write_again(Progress::Committing, &lost).await,
            "COMMIT sent: never again"
        );
        assert!(!a.write_again(Progress::Idle, &lost).await, "not opted in");
        assert!(!a.write_again(Progress::InTransaction, &other).await);
        assert!(a.write_again(Progress::InTransaction, &lost).await);
        assert!(a.read_again(&lost).await);
        assert!(a.read_again(&lost).await);
        assert!(!a.read_again(&lost).await, "at most {RETRIES} more attempts");
        let timed_out: Result<(), sqlx::Error> = Err(sqlx::Error::PoolTimedOut);
        assert!(
            !Attempts::new().read_again(&timed_out).await,
            "a pool timeout has waited already"
        );
    }
}
