//! Run writes (R3–R6, R9–R10) and standalone task removal (T5–T7), one transaction each.

use crate::model::{ArchiveRefusal, RunPatch};
use crate::{Stale, Store, StoreResult, on_write};

/// `Err(refusal)`: refused inside the transaction, nothing changed.
type Outcome = StoreResult<Result<(), ArchiveRefusal>>;

/// A permanent delete: the stored files (SHA-256 keys) its assets named, for the caller to
/// release once no row names them (`Storage::release`), or the refusal.
type Deleted = StoreResult<Result<Vec<String>, ArchiveRefusal>>;

impl Store {
    /// R3: applies `patch` to a run that is not archived (`Missing`, `Archived`).
    pub async fn update_run(&self, org: &str, run_id: &str, patch: &RunPatch) -> Outcome {
        on_write!(self, Stale::Data, archive::update_run(org, run_id, patch))
    }

    /// R4: archives a run with its tasks; an archived run is left as is (`Missing`).
    pub async fn archive_run(&self, org: &str, run_id: &str, now: i64) -> Outcome {
        on_write!(self, Stale::Data, archive::archive_run(org, run_id, now))
    }

    /// R5: un-archives a run with its tasks; a run that is not archived is left as is (`Missing`).
    pub async fn activate_run(&self, org: &str, run_id: &str, now: i64) -> Outcome {
        on_write!(self, Stale::Data, archive::activate_run(org, run_id, now))
    }

    /// R6: permanently removes an archived run, its tasks and everything attached to them
    /// (`Missing`, `NotArchived`), with the assets of the run and its tasks.
    pub async fn delete_run(&self, org: &str, run_id: &str) -> Deleted {
        on_write!(self, Stale::Data, archive::delete_run(org, run_id))
    }

    /// R9 (`complete`) / R10: sets (by `by`) or clears the kick-off completion of a run that is
    /// not archived (`Missing`, `Archived`).
    pub async fn set_run_prerun(&self, org: &str, run_id: &str, complete: bool, by: i64, now: i64) -> Outcome {
        on_write!(self, Stale::Data, archive::set_prerun(org, run_id, complete, by, now))
    }

    /// T5: archives a standalone task (`Missing`, `InRun`, `Archived`).
    pub async fn archive_task(&self, org: &str, task_id: &str, now: i64) -> Outcome {
        on_write!(self, Stale::Data, archive::archive_task(org, task_id, now))
    }

    /// T6: permanently removes a standalone task and everything attached to it (`Missing`,
    /// `InRun`), with its assets.
    pub async fn delete_task(&self, org: &str, task_id: &str) -> Deleted {
        on_write!(self, Stale::Data, archive::delete_task(org, task_id))
    }

    /// T7: un-archives a standalone task; one that is not archived is left as is (`Missing`,
    /// `InRun`).
    pub async fn restore_task(&self, org: &str, task_id: &str, now: i64) -> Outcome {
        on_write!(self, Stale::Data, archive::restore_task(org, task_id, now))
    }
}
