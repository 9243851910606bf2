//! Group commit of the common create on SQLite: the creates waiting at one moment are written
//! by one transaction, in one round trip to the writer.
//!
//! SQLite has one writer connection. A create on its own holds it for a transaction, its
//! statements and a round trip between the runtime and the connection's thread, and no other
//! write can use it meanwhile (BENCHMARKS.md: the writer was busy only part of the time it was
//! held). The [`Committer`] takes every create queued when the writer becomes free (up to
//! [`MAX_BATCH`]) and writes them with one fixed set of statements that read the tasks from a
//! JSON array: one prepared statement whatever the batch size, one transaction, one commit.
//! Each create is acknowledged only after that commit, so durability is that of a lone create.
//! A batch that fails is rolled back and its creates are written one by one, so that one bad
//! create cannot fail the others and each gets its own answer.

use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use docket_domain::ids;
use serde_json::json;
use sqlx::pool::PoolConnection;
use sqlx::{Pool, Sqlite};
use tokio::sync::{mpsc, oneshot};

use crate::StoreError;
use crate::checkpoint::Wake;
use crate::model::{CreateTasks, Created, RunTarget};
use crate::sqlite::task_create::as_written;
use crate::task_insert::{Rows, insert_sql};

/// Most creates written by one transaction.
pub(crate) const MAX_BATCH: usize = 64;

/// Longest the committer keeps the writer connection across batches before it lets other writes
/// have a turn.
const HOLD: Duration = Duration::from_millis(20);

/// The batch: `$1` is a JSON array of tasks, each with its id, organization, fields and member
/// ids (see [`task_json`]). Tasks are numbered in the order given, from their organization's
/// sequence, which then moves past them. Built once: the same text, prepared once, whatever the
/// batch size.
static BATCH_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "BEGIN IMMEDIATE;
{};
INSERT INTO task_users (task_id, user_id, position)
SELECT t.value ->> 'id', u.value, u.key FROM json_each($1) t, json_each(t.value, '$.users') u;
UPDATE organizations SET task_seq = task_seq
    + (SELECT count(*) FROM json_each($1) WHERE value ->> 'org' = organizations.id)
WHERE id IN (SELECT value ->> 'org' FROM json_each($1));
{};
COMMIT",
        insert_sql(Rows::JsonArray, Some("id, increment_id")),
        crate::sqlite::activity::created_tasks_batch_sql()
    )
});

/// Whether `c` is the common create the [`Committer`] writes: one standalone task whose
/// assignees are members, without tags or form fields.
pub(crate) fn fits(c: &CreateTasks) -> bool {
    matches!(c.target, RunTarget::Standalone)
        && c.tags.is_empty()
        && c.form_fields.is_empty()
        && matches!(c.owners.as_slice(), [o] if o.guests.is_empty() && o.groups.is_empty())
}

struct Job {
    create: CreateTasks,
    reply: oneshot::Sender<Result<Created, StoreError>>,
}

/// The queue of creates to the writer; cheap to clone. Its task ends when the last clone is
/// dropped.
#[derive(Clone)]
pub(crate) struct Committer {
    jobs: mpsc::Sender<Job>,
}

impl Committer {
    /// Starts the task that writes the queued creates on `write` (the writer pool), waking the
    /// checkpointer after each batch.
    pub(crate) fn start(write: Pool<Sqlite>, checkpoint: Wake) -> Committer {
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(write, queue, checkpoint));
        Committer { jobs }
    }

    /// Writes `create` (which [`fits`]) and answers once it is committed.
    pub(crate) async fn create(&self, create: CreateTasks) -> Result<Created, StoreError> {
        let (reply, answer) = oneshot::channel();
        let gone = || StoreError::Other("the database writer has stopped".into());
        self.jobs.send(Job { create, reply }).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

/// Writes the queued creates, a batch at a time, until every [`Committer`] is gone. Being its
/// own task, a batch runs to its end even when the requests that queued it go away.
async fn run(write: Pool<Sqlite>, mut queue: mpsc::Receiver<Job>, checkpoint: Wake) {
    let mut writer = Writer {
        pool: write,
        conn: None,
        since: Instant::now(),
    };
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        if batch.is_empty() {
            writer.release();
            if queue.recv_many(&mut batch, MAX_BATCH).await == 0 {
                return;
            }
        }
        if writer.since.elapsed() >= HOLD {
            writer.release();
        }
        let jobs: Vec<Job> = std::mem::take(&mut batch);
        let ids: Vec<String> = jobs.iter().map(|_| ids::new_id32()).collect();
        let creates: Vec<&CreateTasks> = jobs.iter().map(|j| &j.create).collect();
        match writer.write(&creates, &ids).await {
            Ok(numbers) => {
                checkpoint.after_commit();
                for ((job, id), number) in jobs.into_iter().zip(&ids).zip(numbers) {
                    let _ = job.reply.send(created(&job.create, id, number));
                }
            }
            Err(e) if jobs.len() == 1 => {
                if let Some(job) = jobs.into_iter().next() {
                    let _ = job.reply.send(Err(e));
                }
            }
            Err(_) => {
                for (job, id) in jobs.into_iter().zip(&ids) {
                    let answer = writer.write(&[&job.create], std::slice::from_ref(id)).await;
                    let _ = job.reply.send(answer.and_then(|n| created(&job.create, id, n[0])));
                }
            }
        }
        // The creates that came in meanwhile make the next batch, without waiting for more.
        while batch.len() < MAX_BATCH {
            let Ok(job) = queue.try_recv() else { break };
            batch.push(job);
        }
    }
}

/// The writer connection, kept from one batch to the next while creates keep coming (for up
/// to [`HOLD`]): handing it back to the pool and taking it again costs two hops between tasks.
struct Writer {
    pool: Pool<Sqlite>,
    conn: Option<PoolConnection<Sqlite>>,
    since: Instant,
}

impl Writer {
    /// Hands the connection back, so that other writes can have it.
    fn release(&mut self) {
        self.conn = None;
    }

    /// Writes `creates` as tasks `ids` in one transaction; their numbers, in order (none for a
    /// create whose organization is missing, which writes nothing). On an error nothing of the
    /// batch is written.
    async fn write(&mut self, creates: &[&CreateTasks], ids: &[String]) -> Result<Vec<Option<i64>>, StoreError> {
        let tasks: Vec<serde_json::Value> = creates.iter().zip(ids).map(|(c, id)| task_json(c, id)).collect();
        let tasks = serde_json::Value::Array(tasks).to_string();
        let conn = match &mut self.conn {
            Some(conn) => conn,
            None => {
                self.since = Instant::now();
                self.conn.insert(self.pool.acquire().await?)
            }
        };
        let rows = sqlx::query_as::<_, (String, i64)>(BATCH_SQL.as_str())
            .bind(&tasks)
            .fetch_all(&mut **conn)
            .await;
        match rows {
            Ok(rows) => {
                let numbers: HashMap<String, i64> = rows.into_iter().collect();
                Ok(ids.iter().map(|id| numbers.get(id).copied()).collect())
            }
            Err(e) => {
                // Undo whatever ran; a connection that cannot is not used again.
                if let Err(r) = sqlx::query("ROLLBACK").execute(&mut **conn).await
                    && !r.to_string().contains("no transaction is active")
                    && let Some(conn) = self.conn.take()
                {
                    let _ = conn.close().await;
                }
                Err(e.into())
            }
        }
    }
}

/// The answer to the create `c` written as `task_id`, numbered `increment_id` (none: its
/// organization is missing, so nothing was written).
fn created(c: &CreateTasks, task_id: &str, increment_id: Option<i64>) -> Result<Created, StoreError> {
    let increment_id =
        increment_id.ok_or_else(|| StoreError::Other("the organization of a created task is missing".into()))?;
    Ok(Created {
        first: Some(as_written(c, task_id, increment_id, &c.owners[0].users, Vec::new())),
        task_ids: vec![task_id.to_string()],
        run_id: None,
    })
}

/// The task `id` of `c` as an element of [`BATCH_SQL`]'s array.
fn task_json(c: &CreateTasks, id: &str) -> serde_json::Value {
    let s = &c.spec;
    json!({
        "id": id, "org": c.org_id, "title": s.title, "summary": s.summary, "task_type": s.task_type.as_str(),
        "started_at": s.started_at, "deadline": s.deadline, "now": c.now, "starter": c.starter_id,
        "everyone_must_complete": s.everyone_must_complete,
        "can_complete_only_assignees": s.can_complete_only_assignees,
        "max_assignable": s.max_assignable, "webhook": s.webhook,
        "prevent_guest_comment": s.prevent_guest_comment, "top_secret": s.top_secret,
        "is_soft_start_date": s.is_soft_start_date, "users": c.owners[0].users,
    })
}

#[cfg(test)]
mod tests {
    use docket_domain::task::TaskType;

    use super::*;
    use crate::model::{NewTaskSpec, OwnerSet};

    #[test]
    fn every_field_the_batch_reads_is_in_its_json_elements() {
        let c = CreateTasks {
            org_id: "org".into(),
            starter_id: 1,
            spec: NewTaskSpec {
                title: "t".into(),
                summary: None,
                task_type: TaskType::Task,
                started_at: 0,
                deadline: 0,
                everyone_must_complete: false,
                can_complete_only_assignees: false,
                max_assignable: 0,
                webhook: None,
                prevent_guest_comment: false,
                top_secret: false,
                is_soft_start_date: false,
            },
            owners: vec![OwnerSet::default()],
            form_fields: Vec::new(),
            tags: Vec::new(),
            target: RunTarget::Standalone,
            now: 0,
        };
        let element = task_json(&c, "id");
        let keys: Vec<&str> = BATCH_SQL
            .split("->> '")
            .skip(1)
            .filter_map(|s| s.split('\'').next())
            .collect();
        assert!(keys.len() > 10, "{keys:?}");
        for key in keys {
            assert!(
                element.get(key).is_some(),
                "the batch reads {key}, which task_json lacks"
            );
        }
    }
}
