//! Run writes (R3 update, R4 archive, R5 activate, R6 permanent delete, R9/R10 kick-off) and
//! standalone task removal (T5 archive, T6 permanent delete, T7 restore). Each function is one
//! transaction; the row it addresses is read (and locked on PostgreSQL) inside it, so the state
//! rules hold even against a concurrent write.

use docket_domain::{task_rules, time};
use sqlx::Pool;

use super::{Db, IS_PG, activity, assets, rule_pass, runs};
use crate::StoreError;
use crate::model::{ArchiveRefusal, Note, RunPatch};

type Conn = <Db as sqlx::Database>::Connection;

/// `Ok(Err(refusal))`: the write was refused and nothing changed.
type Outcome = Result<Result<(), ArchiveRefusal>, StoreError>;

/// A permanent delete: the stored files its assets named (to release after commit), or the
/// refusal.
type Deleted = Result<Result<Vec<String>, ArchiveRefusal>, StoreError>;

fn lock() -> &'static str {
    if IS_PG { " FOR UPDATE" } else { "" }
}

/// The run's `archived_at` (`None` when the run does not exist in `org`).
async fn run_archived_at(conn: &mut Conn, org: &str, run_id: &str) -> Result<Option<Option<i64>>, sqlx::Error> {
    sqlx::query_scalar(&format!(
        "SELECT archived_at FROM runs WHERE id = $1 AND org_id = $2{}",
        lock()
    ))
    .bind(run_id)
    .bind(org)
    .fetch_optional(&mut *conn)
    .await
}

/// R3: applies `patch` to a run that is not archived; bumps `last_updated`/`version` only when
/// a value actually changes.
pub(crate) async fn update_run(pool: &Pool<Db>, org: &str, run_id: &str, patch: &RunPatch) -> Outcome {
    let mut tx = pool.begin().await?;
    type Current = (
        String,
        Option<String>,
        bool,
        i64,
        bool,
        String,
        String,
        Option<i64>,
        i64,
        String,
    );
    let current: Option<Current> = sqlx::query_as(&format!(
        "SELECT name, summary, starred, owner_id, is_public, user_ids, group_ids, archived_at, version, prerun
           FROM runs WHERE id = $1 AND org_id = $2{}",
        lock()
    ))
    .bind(run_id)
    .bind(org)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((name, summary, starred, owner_id, is_public, user_ids, group_ids, archived_at, version, prerun)) =
        current
    else {
        return Ok(Err(ArchiveRefusal::Missing));
    };
    if patch.expected_version.is_some_and(|expected| expected != version) {
        return Ok(Err(ArchiveRefusal::VersionMismatch));
    }
    if archived_at.is_some() {
        return Ok(Err(ArchiveRefusal::Archived));
    }
    if assets::first_unknown_file(&mut tx, org, &patch.file_values)
        .await?
        .is_some()
    {
        return Ok(Err(ArchiveRefusal::UnknownFile));
    }
    let new_users = match &patch.users {
        Some(u) => serde_json::to_string(u).map_err(StoreError::other)?,
        None => user_ids.clone(),
    };
    let new_groups = match &patch.groups {
        Some(g) => serde_json::to_string(g).map_err(StoreError::other)?,
        None => group_ids.clone(),
    };
    let new_prerun = match &patch.prerun {
        Some(changes) => {
            let mut values: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&prerun).unwrap_or_default();
            for (k, v) in changes {
                values.insert(k.clone(), v.clone());
            }
            serde_json::Value::Object(values).to_string()
        }
        None => prerun.clone(),
    };
    let new = (
        patch.name.clone().unwrap_or_else(|| name.clone()),
        patch.summary.clone().unwrap_or_else(|| summary.clone()),
        patch.starred.unwrap_or(starred),
        patch.owner_id.unwrap_or(owner_id),
        patch.is_public.unwrap_or(is_public),
        new_users,
        new_groups,
        new_prerun,
    );
    let old = (name, summary, starred, owner_id, is_public, user_ids, group_ids, prerun);
    if new != old {
        sqlx::query(
            "UPDATE runs SET name = $2, summary = $3, starred = $4, owner_id = $5, is_public = $6, user_ids = $7,
                 group_ids = $8, last_updated = $9, prerun = $10, version = version + 1
             WHERE id = $1",
        )
        .bind(run_id)
        .bind(&new.0)
        .bind(&new.1)
        .bind(new.2)
        .bind(new.3)
        .bind(new.4)
        .bind(&new.5)
        .bind(&new.6)
        .bind(patch.now)
        .bind(&new.7)
        .execute(&mut *tx)
        .await?;
        activity::run_update(&mut tx, run_id, patch).await?;
    }
    runs::refresh(&mut tx, run_id, patch.now).await?;
    if patch.prerun.is_some() {
        // New kick-off values: the run's rules are evaluated again.
        rule_pass::apply(&mut tx, org, run_id, patch.now).await?;
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// R4: archives a run and every task of it (status `archived`); an archived run is left as is.
pub(crate) async fn archive_run(pool: &Pool<Db>, org: &str, run_id: &str, now: i64) -> Outcome {
    let mut tx = pool.begin().await?;
    match run_archived_at(&mut tx, org, run_id).await? {
        None => return Ok(Err(ArchiveRefusal::Missing)),
        Some(Some(_)) => return Ok(Ok(())),
        Some(None) => {}
    }
    sqlx::query("UPDATE runs SET archived_at = $2, last_updated = $2, version = version + 1 WHERE id = $1")
        .bind(run_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    activity::run(&mut tx, run_id, "archived", Note::none(), now).await?;
    sqlx::query("UPDATE tasks SET archived_at = $2, last_updated = $2, version = version + 1 WHERE run_id = $1")
        .bind(run_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    runs::refresh(&mut tx, run_id, now).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// R5: clears `archived_at` on a run and its tasks and re-derives the status; a run that is not
/// archived is left as is.
pub(crate) async fn activate_run(pool: &Pool<Db>, org: &str, run_id: &str, now: i64) -> Outcome {
    let mut tx = pool.begin().await?;
    match run_archived_at(&mut tx, org, run_id).await? {
        None => return Ok(Err(ArchiveRefusal::Missing)),
        Some(None) => return Ok(Ok(())),
        Some(Some(_)) => {}
    }
    sqlx::query("UPDATE runs SET archived_at = NULL, last_updated = $2, version = version + 1 WHERE id = $1")
        .bind(run_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    activity::run(&mut tx, run_id, "unarchived", Note::none(), now).await?;
    sqlx::query(
        "UPDATE tasks SET archived_at = NULL, last_updated = $2, version = version + 1
          WHERE run_id = $1 AND archived_at IS NOT NULL",
    )
    .bind(run_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    runs::refresh(&mut tx, run_id, now).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Which tasks [`purge_tasks`] removes: one fixed subquery per scope, bound to one value.
#[derive(Clone, Copy)]
enum Scope {
    /// Every task of the run with this id.
    Run,
    /// The task with this id.
    Task,
}

/// Removes tasks with their captures, threads, assignees, completion records, tag links and
/// folder objects.
async fn purge_tasks(conn: &mut Conn, scope: Scope, key: &str) -> Result<(), sqlx::Error> {
    let ids = match scope {
        Scope::Run => "SELECT id FROM tasks WHERE run_id = $1",
        Scope::Task => "SELECT id FROM tasks WHERE id = $1",
    };
    let statements = [
        format!("DELETE FROM tag_links WHERE subject_type = 'Task' AND subject_id IN ({ids})"),
        format!("DELETE FROM folder_objects WHERE subject_type = 'Task' AND subject_id IN ({ids})"),
        format!("DELETE FROM threads WHERE task_id IN ({ids})"),
        format!("DELETE FROM captures WHERE task_id IN ({ids})"),
        format!("DELETE FROM task_completions WHERE task_id IN ({ids})"),
        format!("DELETE FROM task_guest_completions WHERE task_id IN ({ids})"),
        format!("DELETE FROM task_users WHERE task_id IN ({ids})"),
        format!("DELETE FROM task_guests WHERE task_id IN ({ids})"),
        format!("DELETE FROM task_groups WHERE task_id IN ({ids})"),
        format!("DELETE FROM tasks WHERE id IN ({ids})"),
    ];
    for sql in &statements {
        sqlx::query(sql).bind(key).execute(&mut *conn).await?;
    }
    Ok(())
}

/// R6: permanently removes an archived run with its tasks and everything attached to them.
pub(crate) async fn delete_run(pool: &Pool<Db>, org: &str, run_id: &str) -> Deleted {
    let mut tx = pool.begin().await?;
    match run_archived_at(&mut tx, org, run_id).await? {
        None => return Ok(Err(ArchiveRefusal::Missing)),
        Some(None) => return Ok(Err(ArchiveRefusal::NotArchived)),
        Some(Some(_)) => {}
    }
    activity::run(&mut tx, run_id, "deleted", Note::none(), time::now_ms()).await?;
    let shas = assets::delete_of(&mut tx, org, assets::Owner::RunAndTasks, run_id).await?;
    purge_tasks(&mut tx, Scope::Run, run_id).await?;
    for sql in [
        "DELETE FROM tag_links WHERE subject_type = 'Run' AND subject_id = $1",
        "DELETE FROM folder_objects WHERE subject_type = 'Run' AND subject_id = $1",
    ] {
        sqlx::query(sql).bind(run_id).execute(&mut *tx).await?;
    }
    sqlx::query("DELETE FROM runs WHERE id = $1")
        .bind(run_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Ok(shas))
}

/// R9 (`complete`) / R10: sets or clears the kick-off completion of a run that is not archived.
/// Completing an already completed kick-off, or reopening an open one, changes nothing.
pub(crate) async fn set_prerun(pool: &Pool<Db>, org: &str, run_id: &str, complete: bool, by: i64, now: i64) -> Outcome {
    let mut tx = pool.begin().await?;
    match run_archived_at(&mut tx, org, run_id).await? {
        None => return Ok(Err(ArchiveRefusal::Missing)),
        Some(Some(_)) => return Ok(Err(ArchiveRefusal::Archived)),
        Some(None) => {}
    }
    if complete {
        sqlx::query(
            "UPDATE runs SET prerun_completed_at = $2, prerun_completed_by = $3, last_updated = $2,
                 version = version + 1
              WHERE id = $1 AND prerun_completed_at IS NULL",
        )
        .bind(run_id)
        .bind(now)
        .bind(by)
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query(
            "UPDATE runs SET prerun_completed_at = NULL, prerun_completed_by = NULL, last_updated = $2,
                 version = version + 1
              WHERE id = $1 AND prerun_completed_at IS NOT NULL",
        )
        .bind(run_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    activity::run(&mut tx, run_id, "updated", Note::fields(&["prerun_status"]), now).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// A task's `(run_id, archived_at)` (`None` when the task does not exist in `org`).
async fn task_state(
    conn: &mut Conn,
    org: &str,
    task_id: &str,
) -> Result<Option<(Option<String>, Option<i64>)>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT run_id, archived_at FROM tasks WHERE id = $1 AND org_id = $2{}",
        lock()
    ))
    .bind(task_id)
    .bind(org)
    .fetch_optional(&mut *conn)
    .await
}

/// T5: archives a standalone task that is not archived.
pub(crate) async fn archive_task(pool: &Pool<Db>, org: &str, task_id: &str, now: i64) -> Outcome {
    let mut tx = pool.begin().await?;
    let Some((run_id, archived_at)) = task_state(&mut tx, org, task_id).await? else {
        return Ok(Err(ArchiveRefusal::Missing));
    };
    if let Err(refusal) = task_rules::may_archive(run_id.is_some(), archived_at.is_some()) {
        return Ok(Err(refusal));
    }
    sqlx::query("UPDATE tasks SET archived_at = $2, last_updated = $2, version = version + 1 WHERE id = $1")
        .bind(task_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    activity::task(&mut tx, task_id, "archived", Note::none(), now).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// T6: permanently removes a standalone task (archived or not) and everything attached to it.
pub(crate) async fn delete_task(pool: &Pool<Db>, org: &str, task_id: &str) -> Deleted {
    let mut tx = pool.begin().await?;
    let Some((run_id, _)) = task_state(&mut tx, org, task_id).await? else {
        return Ok(Err(ArchiveRefusal::Missing));
    };
    if let Err(refusal) = task_rules::may_restore_or_delete(run_id.is_some()) {
        return Ok(Err(refusal));
    }
    activity::task(&mut tx, task_id, "deleted", Note::none(), time::now_ms()).await?;
    let shas = assets::delete_of(&mut tx, org, assets::Owner::Task, task_id).await?;
    purge_tasks(&mut tx, Scope::Task, task_id).await?;
    tx.commit().await?;
    Ok(Ok(shas))
}

/// T7: clears `archived_at` of a standalone task; a task that is not archived is left as is.
pub(crate) async fn restore_task(pool: &Pool<Db>, org: &str, task_id: &str, now: i64) -> Outcome {
    let mut tx = pool.begin().await?;
    let Some((run_id, archived_at)) = task_state(&mut tx, org, task_id).await? else {
        return Ok(Err(ArchiveRefusal::Missing));
    };
    if let Err(refusal) = task_rules::may_restore_or_delete(run_id.is_some()) {
        return Ok(Err(refusal));
    }
    if archived_at.is_none() {
        return Ok(Ok(()));
    }
    sqlx::query("UPDATE tasks SET archived_at = NULL, last_updated = $2, version = version + 1 WHERE id = $1")
        .bind(task_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    activity::task(&mut tx, task_id, "unarchived", Note::none(), now).await?;
    tx.commit().await?;
    Ok(Ok(()))
}
