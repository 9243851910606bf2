//! Task updates, completion and reopening (T4, T8, T9, R12–R14): one transaction each.

use crate::model::{LifecycleDone, LifecycleRefusal, TaskCompletion, TaskReopen, TaskUpdate};
use crate::{Stale, Store, StoreResult, on_write};

impl Store {
    /// Applies a validated partial update (and a completion or reopen it asks for) in one
    /// transaction; `Ok(Err(_))` when a state rule refuses it under lock (nothing is written).
    pub async fn update_task(&self, u: &TaskUpdate) -> StoreResult<Result<LifecycleDone, LifecycleRefusal>> {
        Ok(on_write!(self, Stale::Data, lifecycle::update(u))?)
    }

    /// Completes a task (or records an `everyone_must_complete` completion) with T8's checks, in
    /// one transaction with its comment, webhook event and run refresh.
    pub async fn complete_task(&self, c: &TaskCompletion) -> StoreResult<Result<LifecycleDone, LifecycleRefusal>> {
        Ok(on_write!(self, Stale::Data, lifecycle::complete(c))?)
    }

    /// Reopens a completed task in one transaction.
    pub async fn reopen_task(&self, r: &TaskReopen) -> StoreResult<Result<LifecycleDone, LifecycleRefusal>> {
        Ok(on_write!(self, Stale::Data, lifecycle::reopen(r))?)
    }
}
