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
}
