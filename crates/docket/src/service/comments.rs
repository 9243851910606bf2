//! The comment (thread) writes of a task (C1–C5): each asks the store, which re-checks the
//! task's run under lock, and turns a refusal into an [`Error`] through `service/refusals.rs`.

use docket_domain::Actor;
use docket_store::model::{NewThread, ThreadEdit, ThreadRow};

use crate::error::{Error, Result};
use crate::state::AppState;

/// C1/C4: adds a thread to a task.
pub async fn add(state: &AppState, me: &Actor, task_id: &str, new: &NewThread) -> Result<ThreadRow> {
    state
        .store
        .add_thread(&me.org_id, task_id, new)
        .await?
        .map_err(Error::from)
}

/// C2: edits a thread.
pub async fn edit(state: &AppState, me: &Actor, task_id: &str, id: &str, edit: &ThreadEdit) -> Result<ThreadRow> {
    state
        .store
        .edit_thread(&me.org_id, task_id, id, edit)
        .await?
        .map_err(Error::from)
}

/// C3: deletes a thread.
pub async fn delete(state: &AppState, me: &Actor, task_id: &str, id: &str, now: i64) -> Result<()> {
    state
        .store
        .delete_thread(&me.org_id, task_id, id, now)
        .await?
        .map_err(Error::from)
}

/// C5: resolves an open problem thread with a new `resolve` thread.
pub async fn resolve(
    state: &AppState,
    me: &Actor,
    task_id: &str,
    problem_id: &str,
    new: &NewThread,
) -> Result<ThreadRow> {
    state
        .store
        .resolve_thread(&me.org_id, task_id, problem_id, new)
        .await?
        .map_err(Error::from)
}
