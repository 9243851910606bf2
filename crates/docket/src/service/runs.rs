//! The run writes (R3–R6, R9–R10): each asks the store, which re-checks under lock, and turns
//! a refusal into an [`Error`] through `service/refusals.rs`.

use docket_domain::Actor;
use docket_store::model::RunPatch;

use super::refusals::run_refused;
use crate::error::Result;
use crate::state::AppState;

/// R3: a partial change of a run.
pub async fn update(state: &AppState, me: &Actor, run_id: &str, patch: &RunPatch) -> Result<()> {
    state
        .store
        .update_run(&me.org_id, run_id, patch)
        .await?
        .map_err(run_refused)
}

/// R4: archives a run and its tasks.
pub async fn archive(state: &AppState, me: &Actor, run_id: &str, now: i64) -> Result<()> {
    state
        .store
        .archive_run(&me.org_id, run_id, now)
        .await?
        .map_err(run_refused)
}

/// R5: activates an archived run.
pub async fn activate(state: &AppState, me: &Actor, run_id: &str, now: i64) -> Result<()> {
    state
        .store
        .activate_run(&me.org_id, run_id, now)
        .await?
        .map_err(run_refused)
}

/// R6: deletes an archived run for good, with the files of the run and its tasks.
pub async fn delete(state: &AppState, me: &Actor, run_id: &str) -> Result<()> {
    let shas = state.store.delete_run(&me.org_id, run_id).await?.map_err(run_refused)?;
    super::files::release(state, shas).await;
    Ok(())
}

/// R9/R10: completes or reopens the kick-off, as the caller.
pub async fn set_prerun(state: &AppState, me: &Actor, run_id: &str, complete: bool, now: i64) -> Result<()> {
    state
        .store
        .set_run_prerun(&me.org_id, run_id, complete, me.user_id, now)
        .await?
        .map_err(run_refused)
}
