//! Demo data for benchmarks and trials.

use crate::model::{DemoBatch, DemoEntry, DemoSubject};
use crate::{Stale, Store, StoreResult, on_read, on_write};

impl Store {
    /// Writes one batch of generated runs and tasks in one transaction.
    pub async fn insert_demo_batch(&self, batch: &DemoBatch) -> StoreResult<()> {
        Ok(on_write!(self, Stale::Identity, demo::insert_batch(batch))?)
    }

    /// Re-derives run statuses of `org` and raises its sequences after generated batches.
    pub async fn finish_demo(&self, org: &str, task_seq: i64, run_seq: i64, now: i64) -> StoreResult<()> {
        Ok(on_write!(
            self,
            Stale::Identity,
            demo::finish(org, task_seq, run_seq, now)
        )?)
    }

    /// The organization's (task, run) sequences.
    pub async fn sequences(&self, org: &str) -> StoreResult<Option<(i64, i64)>> {
        Ok(on_read!(self, demo::sequences(org))?)
    }

    /// Writes generated activity entries in one transaction, numbered after the largest id so
    /// far; the last id.
    pub async fn insert_demo_activity(&self, org: &str, entries: &[DemoEntry]) -> StoreResult<i64> {
        Ok(on_write!(self, Stale::Data, demo::insert_activity(org, entries))?)
    }

    /// Up to `limit` live tasks of `org` drawn at random, with their runs.
    pub async fn demo_activity_subjects(&self, org: &str, limit: i64) -> StoreResult<Vec<DemoSubject>> {
        Ok(on_read!(self, demo::activity_subjects(org, limit))?)
    }

    /// The templates of `org`: `(id, title)`.
    pub async fn demo_templates(&self, org: &str) -> StoreResult<Vec<(String, String)>> {
        Ok(on_read!(self, demo::templates(org))?)
    }
}
