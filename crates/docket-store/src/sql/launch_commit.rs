//! Group commit of launches: the launches waiting when the writer frees up are written by one
//! transaction, with one statement per kind of row for the whole batch
//! (`sql/launch.rs::write_in`), and committed once.
//!
//! On SQLite there is one writer connection. A launch alone holds it for its statements, its
//! commit (the WAL frames of every page it changed: the task, index, text-search and
//! member-list pages) and two hops between the runtime and the pool. Launches that wait
//! meanwhile share the next commit: pages they both change (the tables' last pages, the
//! organization and template rows, the text index) are written to the WAL once, and the
//! connection changes hands once.
//!
//! On PostgreSQL the launches of one organization take turns anyway: each locks the
//! organization's numbering row and its template's row until it commits. A launch alone waited
//! for the one before it to finish its statements, commit and release its locks; in one
//! transaction the locks are taken once, the waiting and the wake-ups go, and the batch pays one
//! commit. Each process has its own queue; the processes of a scale-out still take turns on
//! the same rows, batch by batch.
//!
//! Each launch is answered only after that commit, so its durability is that of a lone launch.
//! A launch is all or nothing as before: a refused one (its template archived meanwhile) writes
//! nothing, and a batch in which a statement fails is rolled back and its launches written one
//! by one, each in its own transaction, so that one bad launch cannot fail the others and each
//! gets its own answer. Only a batch whose `COMMIT` was sent and never answered (the connection
//! to PostgreSQL lost) is not written again: it may be stored, so each of its launches is
//! answered with the error (a 503) rather than risk writing it twice.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::Pool;
use sqlx::pool::PoolConnection;
use tokio::sync::{mpsc, oneshot};

use super::launch::write_in;
use super::{Db, IS_PG};
use crate::StoreError;
use crate::checkpoint::Wake;
use crate::model::{LaunchRefusal, LaunchRun, LaunchWritten, WatcherTarget};
use crate::retry::lost_connection;

/// Most launches written by one transaction.
const MAX_BATCH: usize = 32;

/// Longest the committer keeps the writer connection across batches before it lets other writes
/// have a turn.
const HOLD: Duration = Duration::from_millis(20);

type Answer = Result<Result<LaunchWritten, LaunchRefusal>, StoreError>;

struct Job {
    launch: LaunchRun,
    /// The organization's watchers, for the launch's events.
    watchers: Arc<Vec<WatcherTarget>>,
    reply: oneshot::Sender<Answer>,
}

/// The queue of launches to the writer; cheap to clone. Its task ends when the last clone is
/// dropped.
#[derive(Clone)]
pub(crate) struct Launches {
    jobs: mpsc::Sender<Job>,
}

impl Launches {
    /// Starts the task that writes the queued launches on `write` (SQLite's writer pool, or the
    /// PostgreSQL pool), waking `checkpoint` (SQLite's checkpointer) after each batch.
    pub(crate) fn start(write: Pool<Db>, checkpoint: Wake) -> Launches {
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(write, queue, checkpoint));
        Launches { jobs }
    }

    /// Writes `launch` (its events to `watchers`) and answers once it is committed (or
    /// refused: nothing written).
    pub(crate) async fn launch(&self, launch: LaunchRun, watchers: Arc<Vec<WatcherTarget>>) -> Answer {
        let (reply, answer) = oneshot::channel();
        let gone = || StoreError::Other("the database writer has stopped".into());
        self.jobs
            .send(Job {
                launch,
                watchers,
                reply,
            })
            .await
            .map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

/// Writes the queued launches, a batch at a time, until every [`Launches`] is gone. Being its
/// own task, a batch runs to its end even when the requests that queued it go away.
async fn run(pool: Pool<Db>, mut queue: mpsc::Receiver<Job>, checkpoint: Wake) {
    let mut writer = Writer {
        pool,
        conn: None,
        since: Instant::now(),
    };
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    loop {
        if batch.is_empty() {
            writer.conn = None;
            if queue.recv_many(&mut batch, MAX_BATCH).await == 0 {
                return;
            }
        }
        if writer.since.elapsed() >= HOLD {
            writer.conn = None;
        }
        let jobs = std::mem::take(&mut batch);
        let launches: Vec<(&LaunchRun, &[WatcherTarget])> =
            jobs.iter().map(|j| (&j.launch, j.watchers.as_slice())).collect();
        match writer.write(&launches).await {
            Ok(written) => {
                checkpoint.after_commit();
                for (job, answer) in jobs.into_iter().zip(written) {
                    let _ = job.reply.send(Ok(answer));
                }
            }
            Err(failed) if jobs.len() == 1 || failed.maybe_committed => {
                let error = StoreError::from(failed.error);
                for job in jobs {
                    let _ = job.reply.send(Err(error.clone()));
                }
            }
            Err(_) => {
                for job in jobs {
                    let answer = writer.write(&[(&job.launch, job.watchers.as_slice())]).await;
                    if answer.is_ok() {
                        checkpoint.after_commit();
                    }
                    let answer = answer
                        .map(|mut one| one.remove(0))
                        .map_err(|f| StoreError::from(f.error));
                    let _ = job.reply.send(answer);
                }
            }
        }
        // The launches that came in meanwhile make the next batch, without waiting for more.
        while batch.len() < MAX_BATCH {
            let Ok(job) = queue.try_recv() else { break };
            batch.push(job);
        }
    }
}

/// The writer connection, kept from one batch to the next while launches keep coming (for up
/// to [`HOLD`]): handing it back to the pool and taking it again costs two hops between tasks.
struct Writer {
    pool: Pool<Db>,
    conn: Option<PoolConnection<Db>>,
    since: Instant,
}

/// A batch that was not written, or may not have been.
struct Failed {
    error: sqlx::Error,
    /// The `COMMIT` was sent and its answer lost with the connection: the batch may be stored.
    maybe_committed: bool,
}

impl Writer {
    /// Writes `launches` in one transaction and commits it: each one's answer, in order. On an
    /// error nothing of the batch is written, unless [`Failed::maybe_committed`] says so.
    async fn write(
        &mut self,
        launches: &[(&LaunchRun, &[WatcherTarget])],
    ) -> Result<Vec<Result<LaunchWritten, LaunchRefusal>>, Failed> {
        let conn = match &mut self.conn {
            Some(conn) => conn,
            None => {
                self.since = Instant::now();
                let conn = self.pool.acquire().await.map_err(|error| Failed {
                    error,
                    maybe_committed: false,
                })?;
                self.conn.insert(conn)
            }
        };
        let mut committing = false;
        let result = async {
            // SQLite: take the write lock now, not at the first write (no upgrade to fail).
            let begin = if IS_PG { "BEGIN" } else { "BEGIN IMMEDIATE" };
            sqlx::query(begin).execute(&mut **conn).await?;
            let out = write_in(conn, launches).await?;
            committing = true;
            sqlx::query("COMMIT").execute(&mut **conn).await?;
            Ok::<_, sqlx::Error>(out)
        }
        .await;
        match result {
            Ok(out) => Ok(out),
            Err(error) => {
                // Undo whatever ran; a connection that cannot is not used again.
                if let Err(r) = sqlx::query("ROLLBACK").execute(&mut **conn).await
                    && !r.to_string().contains("no transaction is active")
                    && let Some(conn) = self.conn.take()
                {
                    let _ = conn.close().await;
                }
                let maybe_committed = may_be_stored(committing, &error);
                Err(Failed { error, maybe_committed })
            }
        }
    }
}

/// Whether a batch that failed with `error` may be stored all the same: its `COMMIT` was sent
/// (`committing`) and the answer was lost with the connection to PostgreSQL. A statement the
/// database refused, or a connection lost before `COMMIT`, leaves nothing stored (PostgreSQL
/// rolls back a transaction whose connection is gone); a SQLite commit's outcome is always known.
fn may_be_stored(committing: bool, error: &sqlx::Error) -> bool {
    committing && IS_PG && lost_connection(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lost() -> sqlx::Error {
        sqlx::Error::Io(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset"))
    }

    #[test]
    fn only_a_commit_lost_with_the_connection_may_be_stored() {
        assert_eq!(may_be_stored(true, &lost()), IS_PG, "COMMIT sent, answer lost");
        assert!(!may_be_stored(false, &lost()), "lost before COMMIT: rolled back");
        assert!(!may_be_stored(true, &sqlx::Error::RowNotFound), "an answered failure");
        assert!(!may_be_stored(false, &sqlx::Error::RowNotFound));
    }
}
