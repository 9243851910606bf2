//! Comment threads on tasks (C1–C5). Every write locks the task row, changes the threads,
//! re-derives the task's `problem` flag and the run's status, all in one transaction (run again
//! when PostgreSQL picks it as a deadlock victim). A guest's comment, problem or resolution is
//! checked again here with the guest rules of `docket_domain::task_rules::guest`.

use docket_domain::activity::thread_verb as activity_verb;
use docket_domain::ids;
use docket_domain::task_rules::guest::guest_sees_thread;
use sqlx::Pool;

use super::tasks::placeholders;
use super::{Db, activity, events, runs, tasks};
use crate::StoreError;
use crate::model::{NewThread, ThreadEdit, ThreadRefusal, ThreadRow};

type Conn = <Db as sqlx::Database>::Connection;

const THREAD_COLS: &str = "th.id, th.task_id, t.run_id, th.content, th.label, th.state, th.author_id,
    th.author_guest_id, th.resolve_id, th.created_at, th.updated_at";

/// The threads of these tasks of `org`, oldest first.
pub(crate) async fn of_tasks(pool: &Pool<Db>, org: &str, task_ids: &[String]) -> Result<Vec<ThreadRow>, sqlx::Error> {
    if task_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {THREAD_COLS} FROM threads th JOIN tasks t ON t.id = th.task_id
          WHERE th.org_id = $1 AND th.task_id IN ({}) ORDER BY th.created_at, th.id",
        placeholders(2, task_ids.len())
    );
    let mut q = sqlx::query_as::<_, ThreadRow>(&sql).bind(org);
    for id in task_ids {
        q = q.bind(id);
    }
    q.fetch_all(pool).await
}

/// Thread `id` of `org`.
pub(crate) async fn get(pool: &Pool<Db>, org: &str, id: &str) -> Result<Option<ThreadRow>, sqlx::Error> {
    sqlx::query_as::<_, ThreadRow>(&format!(
        "SELECT {THREAD_COLS} FROM threads th JOIN tasks t ON t.id = th.task_id WHERE th.org_id = $1 AND th.id = $2"
    ))
    .bind(org)
    .bind(id)
    .fetch_optional(pool)
    .await
}

pub(crate) async fn get_in(conn: &mut Conn, id: &str) -> Result<ThreadRow, sqlx::Error> {
    sqlx::query_as::<_, ThreadRow>(&format!(
        "SELECT {THREAD_COLS} FROM threads th JOIN tasks t ON t.id = th.task_id WHERE th.id = $1"
    ))
    .bind(id)
    .fetch_one(&mut *conn)
    .await
}

/// The task a thread write addresses, locked.
struct Locked {
    run_id: Option<String>,
    run_archived: bool,
}

/// Locks task `task_id` of `org` (its run first, then the task: the order every write path
/// uses, see `tasks::lock_for_write`). `None` when the task is gone or is an archived standalone
/// task.
async fn lock_task(conn: &mut Conn, org: &str, task_id: &str) -> Result<Option<Locked>, sqlx::Error> {
    if !tasks::lock_for_write(conn, org, task_id).await? {
        return Ok(None);
    }
    let Some((run_id, archived_at)) = sqlx::query_as::<_, (Option<String>, Option<i64>)>(
        "SELECT run_id, archived_at FROM tasks WHERE org_id = $1 AND id = $2",
    )
    .bind(org)
    .bind(task_id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let run_archived = match &run_id {
        Some(run_id) => {
            let archived: Option<Option<i64>> = sqlx::query_scalar("SELECT archived_at FROM runs WHERE id = $1")
                .bind(run_id)
                .fetch_optional(&mut *conn)
                .await?;
            match archived {
                None => return Ok(None),
                Some(at) => at.is_some(),
            }
        }
        None if archived_at.is_some() => return Ok(None),
        None => false,
    };
    Ok(Some(Locked { run_id, run_archived }))
}

/// What one attempt of a write answers: `None` when the task or thread is gone.
type Attempt<T> = Result<Option<Result<T, ThreadRefusal>>, sqlx::Error>;

/// Runs one attempt of a write again when PostgreSQL aborted it as a deadlock victim;
/// `None` becomes `NotFound`.
macro_rules! retrying {
    ($call:expr) => {
        match retry_on_deadlock!($call) {
            Err(e) => Err(StoreError::from(e)),
            Ok(None) => Err(StoreError::NotFound),
            Ok(Some(outcome)) => Ok(outcome),
        }
    };
}

/// Re-derives the task's `problem` (an open problem thread exists), bumping `last_updated` and
/// `version` only when it changes, then the run's status.
async fn recompute(conn: &mut Conn, task_id: &str, run_id: Option<&str>, now: i64) -> Result<(), sqlx::Error> {
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM threads WHERE task_id = $1 AND label = 'problem' AND resolve_id IS NULL",
    )
    .bind(task_id)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE tasks SET problem = $2, last_updated = $3, version = version + 1 WHERE id = $1 AND problem <> $2",
    )
    .bind(task_id)
    .bind(open > 0)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if let Some(run_id) = run_id {
        runs::refresh(conn, run_id, now).await?;
    }
    Ok(())
}

/// Inserts a thread on the locked task; `created_at` is kept strictly increasing per task so
/// that "oldest first" is the order of writing even within one millisecond.
async fn insert(
    conn: &mut Conn,
    org: &str,
    task_id: &str,
    new: &NewThread,
    label: &str,
) -> Result<String, sqlx::Error> {
    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(created_at) FROM threads WHERE task_id = $1")
        .bind(task_id)
        .fetch_one(&mut *conn)
        .await?;
    let at = last.map_or(new.now, |l| new.now.max(l + 1));
    let id = ids::new_id32();
    sqlx::query(
        "INSERT INTO threads (id, org_id, task_id, content, label, state, author_id, author_guest_id, resolve_id,
             created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $9, NULL, $8, $8)",
    )
    .bind(&id)
    .bind(org)
    .bind(task_id)
    .bind(&new.content)
    .bind(label)
    .bind(&new.state)
    .bind(new.author_id)
    .bind(at)
    .bind(new.author_guest_id)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Whether `guest` may add a thread labelled `label` (a `problem`, a `resolve`, else a
/// comment) to the task: the rule the guest's page asked, again on the task this transaction
/// holds.
async fn guest_may(conn: &mut Conn, org: &str, task_id: &str, guest: i64, label: &str) -> Result<bool, sqlx::Error> {
    let Some(t) = tasks::load_in(conn, org, &[task_id.to_string()]).await?.pop() else {
        return Ok(false);
    };
    let facts = t.facts();
    Ok(match label {
        "problem" => facts.guest_may_report_problem(guest),
        "resolve" => facts.guest_may_resolve_problem(guest),
        _ => facts.guest_may_comment(guest),
    }
    .is_ok())
}

/// Adds a thread to task `task_id` of `org` (C1, C4).
pub(crate) async fn create(
    pool: &Pool<Db>,
    org: &str,
    task_id: &str,
    new: &NewThread,
) -> Result<Result<ThreadRow, ThreadRefusal>, StoreError> {
    retrying!(create_once(pool, org, task_id, new))
}

async fn create_once(pool: &Pool<Db>, org: &str, task_id: &str, new: &NewThread) -> Attempt<ThreadRow> {
    let mut tx = pool.begin().await?;
    let Some(task) = lock_task(&mut tx, org, task_id).await? else {
        return Ok(None);
    };
    if task.run_archived {
        return Ok(Some(Err(ThreadRefusal::RunArchived)));
    }
    if let Some(guest) = new.author_guest_id
        && !guest_may(&mut tx, org, task_id, guest, &new.label).await?
    {
        return Ok(Some(Err(ThreadRefusal::GuestRefused)));
    }
    let id = insert(&mut tx, org, task_id, new, &new.label).await?;
    activity::thread(&mut tx, &id, activity_verb(Some(new.label.as_str())), new.now).await?;
    recompute(&mut tx, task_id, task.run_id.as_deref(), new.now).await?;
    let row = get_in(&mut tx, &id).await?;
    events::thread_added(&mut tx, org, &row, new.now).await?;
    tx.commit().await?;
    Ok(Some(Ok(row)))
}

/// Edits thread `id` of task `task_id` (C2). A thread that stops being a problem forgets its
/// `resolve_id`.
pub(crate) async fn update(
    pool: &Pool<Db>,
    org: &str,
    task_id: &str,
    id: &str,
    edit: &ThreadEdit,
) -> Result<Result<ThreadRow, ThreadRefusal>, StoreError> {
    retrying!(update_once(pool, org, task_id, id, edit))
}

async fn update_once(pool: &Pool<Db>, org: &str, task_id: &str, id: &str, edit: &ThreadEdit) -> Attempt<ThreadRow> {
    let mut tx = pool.begin().await?;
    let Some(task) = lock_task(&mut tx, org, task_id).await? else {
        return Ok(None);
    };
    if task.run_archived {
        return Ok(Some(Err(ThreadRefusal::RunArchived)));
    }
    let n = sqlx::query(
        "UPDATE threads SET content = $3, label = COALESCE($4, label), state = COALESCE($5, state),
                resolve_id = CASE WHEN COALESCE($4, label) = 'problem' THEN resolve_id ELSE NULL END,
                updated_at = CASE WHEN $6 > updated_at THEN $6 ELSE updated_at + 1 END
          WHERE id = $1 AND task_id = $2",
    )
    .bind(id)
    .bind(task_id)
    .bind(&edit.content)
    .bind(edit.label.as_deref())
    .bind(edit.state.as_deref())
    .bind(edit.now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Ok(None);
    }
    activity::thread(&mut tx, id, "updated", edit.now).await?;
    recompute(&mut tx, task_id, task.run_id.as_deref(), edit.now).await?;
    let row = get_in(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Some(Ok(row)))
}

/// Deletes thread `id` of task `task_id` (C3); a problem it resolved opens again.
pub(crate) async fn delete(
    pool: &Pool<Db>,
    org: &str,
    task_id: &str,
    id: &str,
    now: i64,
) -> Result<Result<(), ThreadRefusal>, StoreError> {
    retrying!(delete_once(pool, org, task_id, id, now))
}

async fn delete_once(pool: &Pool<Db>, org: &str, task_id: &str, id: &str, now: i64) -> Attempt<()> {
    let mut tx = pool.begin().await?;
    let Some(task) = lock_task(&mut tx, org, task_id).await? else {
        return Ok(None);
    };
    if task.run_archived {
        return Ok(Some(Err(ThreadRefusal::RunArchived)));
    }
    activity::thread(&mut tx, id, "comment-deleted", now).await?;
    let n = sqlx::query("DELETE FROM threads WHERE id = $1 AND task_id = $2")
        .bind(id)
        .bind(task_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Ok(None);
    }
    sqlx::query("UPDATE threads SET resolve_id = NULL WHERE task_id = $1 AND resolve_id = $2")
        .bind(task_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    recompute(&mut tx, task_id, task.run_id.as_deref(), now).await?;
    tx.commit().await?;
    Ok(Some(Ok(())))
}

/// Resolves problem thread `problem_id` of task `task_id` with a new `resolve` thread (C5).
pub(crate) async fn resolve(
    pool: &Pool<Db>,
    org: &str,
    task_id: &str,
    problem_id: &str,
    new: &NewThread,
) -> Result<Result<ThreadRow, ThreadRefusal>, StoreError> {
    retrying!(resolve_once(pool, org, task_id, problem_id, new))
}

async fn resolve_once(
    pool: &Pool<Db>,
    org: &str,
    task_id: &str,
    problem_id: &str,
    new: &NewThread,
) -> Attempt<ThreadRow> {
    let mut tx = pool.begin().await?;
    let Some(task) = lock_task(&mut tx, org, task_id).await? else {
        return Ok(None);
    };
    let open: Option<(String, Option<i64>)> = sqlx::query_as(
        "SELECT state, author_guest_id FROM threads
          WHERE id = $1 AND task_id = $2 AND label = 'problem' AND resolve_id IS NULL",
    )
    .bind(problem_id)
    .bind(task_id)
    .fetch_optional(&mut *tx)
    .await?;
    // Field validation (the thread) before the state rule (the run), as in spec §1.9. A guest
    // resolves only a problem they see: one hidden from them is no problem of theirs.
    let seen = |(state, author): &(String, Option<i64>)| {
        new.author_guest_id
            .is_none_or(|guest| guest_sees_thread(state, *author, guest))
    };
    if !open.as_ref().is_some_and(seen) {
        return Ok(Some(Err(ThreadRefusal::NotOpenProblem)));
    }
    if task.run_archived {
        return Ok(Some(Err(ThreadRefusal::RunArchived)));
    }
    if let Some(guest) = new.author_guest_id
        && !guest_may(&mut tx, org, task_id, guest, "resolve").await?
    {
        return Ok(Some(Err(ThreadRefusal::GuestRefused)));
    }
    let id = insert(&mut tx, org, task_id, new, "resolve").await?;
    activity::thread(&mut tx, &id, "issue-resolved", new.now).await?;
    sqlx::query("UPDATE threads SET resolve_id = $2 WHERE id = $1")
        .bind(problem_id)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    recompute(&mut tx, task_id, task.run_id.as_deref(), new.now).await?;
    let row = get_in(&mut tx, &id).await?;
    events::issue_resolved(&mut tx, org, &row, problem_id, new.now).await?;
    tx.commit().await?;
    Ok(Some(Ok(row)))
}
