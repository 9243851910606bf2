//! The task writes: create (T1), update (T4/R12), completion (T8/R13), reopening (T9/R14),
//! archive, delete and restore (T5–T7). Each takes what the handler read, asks the store
//! (which re-checks the rules of `docket_domain::task_rules` under the row lock) and turns a
//! refusal into an [`Error`] through `service/refusals.rs`.

use docket_domain::Actor;
use docket_store::model::{CreateTasks, Created, LifecycleCaller, RuleChanges, TaskCompletion, TaskReopen, TaskUpdate};

use super::refusals::{ArchiveWrite, TaskWrite};
use crate::error::{Error, Result};
use crate::state::AppState;

/// T1: creates the tasks of one request.
pub async fn create(state: &AppState, c: &CreateTasks) -> Result<Created> {
    state.store.create_tasks(c).await?.map_err(Error::from)
}

/// T4/R12: applies a validated update; what the run's rules changed in consequence.
pub async fn update(state: &AppState, u: &TaskUpdate) -> Result<RuleChanges> {
    let done = state
        .store
        .update_task(u)
        .await?
        .map_err(|r| Error::from((TaskWrite::Update, r)))?;
    Ok(done.rules)
}

/// T8/R13: completes (or records) a task; what the run's rules changed in consequence.
pub async fn complete(state: &AppState, c: &TaskCompletion) -> Result<RuleChanges> {
    let done = state
        .store
        .complete_task(c)
        .await?
        .map_err(|r| Error::from((TaskWrite::Complete, r)))?;
    Ok(done.rules)
}

/// T9/R14: reopens a completed task; what the run's rules changed in consequence.
pub async fn reopen(
    state: &AppState,
    task_id: &str,
    me: &Actor,
    caller: LifecycleCaller,
    now: i64,
) -> Result<RuleChanges> {
    let r = TaskReopen {
        org_id: me.org_id.clone(),
        task_id: task_id.to_string(),
        caller,
        now,
    };
    let done = state
        .store
        .reopen_task(&r)
        .await?
        .map_err(|r| Error::from((TaskWrite::Reopen, r)))?;
    Ok(done.rules)
}

/// T5: archives a standalone task.
pub async fn archive(state: &AppState, me: &Actor, task_id: &str, now: i64) -> Result<()> {
    state
        .store
        .archive_task(&me.org_id, task_id, now)
        .await?
        .map_err(|r| Error::from((ArchiveWrite::TaskRemove, r)))
}

/// T6: deletes a standalone task for good, with its files.
pub async fn delete(state: &AppState, me: &Actor, task_id: &str) -> Result<()> {
    let shas = state
        .store
        .delete_task(&me.org_id, task_id)
        .await?
        .map_err(|r| Error::from((ArchiveWrite::TaskRemove, r)))?;
    super::files::release(state, shas).await;
    Ok(())
}

/// T7: restores an archived standalone task.
pub async fn restore(state: &AppState, me: &Actor, task_id: &str, now: i64) -> Result<()> {
    state
        .store
        .restore_task(&me.org_id, task_id, now)
        .await?
        .map_err(|r| Error::from((ArchiveWrite::TaskRestore, r)))
}
