//! Task lists (spec §4.0, R7).

use crate::model::TaskRecord;
use crate::query::TaskQuery;
use crate::{Store, StoreResult, on_read};

impl Store {
    /// One page of the tasks of `org` matching `q` (only those `q.viewer` may see), and the
    /// number of matches.
    pub async fn task_list(&self, org: &str, q: &TaskQuery) -> StoreResult<(Vec<TaskRecord>, i64)> {
        Ok(on_read!(self, task_list::list(self.lists(), org, q))?)
    }

    /// The number of matches of each of `qs` (each only what its `viewer` may see): the
    /// inbox's views of one member are counted together (`task_list::counts`).
    pub async fn task_counts(&self, org: &str, qs: &[TaskQuery]) -> StoreResult<Vec<i64>> {
        Ok(on_read!(self, task_list::counts(self.lists(), org, qs))?)
    }

    /// Every task of `org` matching `q` (only those `q.viewer` may see, `q.window` aside), in
    /// order, sent to `tx` in batches of `batch`; an error is sent as the last message. At most a
    /// few streams run at once (each holds a connection throughout): later ones wait.
    pub async fn task_list_stream(
        &self,
        org: &str,
        q: &TaskQuery,
        batch: usize,
        tx: tokio::sync::mpsc::Sender<StoreResult<Vec<TaskRecord>>>,
    ) {
        let Ok(_permit) = self.streams.acquire().await else {
            return;
        };
        if let Err(e) = on_read!(self, task_list::stream(self.lists(), org, q, batch, &tx)) {
            let _ = tx.send(Err(e.into())).await;
        }
    }
}
