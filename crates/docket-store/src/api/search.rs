//! Search (S1): the `process` and `task` buckets.

use crate::model::{RunRecord, TaskRecord};
use crate::query::SearchQuery;
use crate::{Store, StoreResult, on_read};

impl Store {
    /// One page of the non-archived runs of `org` whose name contains `q.pattern` and that pass
    /// `q.filter`, newest first, with aggregates as of `now`; and the number of matches.
    pub async fn search_runs(&self, org: &str, q: &SearchQuery, now: i64) -> StoreResult<(Vec<RunRecord>, i64)> {
        Ok(on_read!(self, search::runs(self.lists(), org, q, now))?)
    }

    /// One page of the non-archived tasks of `org` visible to `q.viewer` whose title contains
    /// `q.pattern` and that pass `q.filter`, newest first; and the number of matches.
    pub async fn search_tasks(&self, org: &str, q: &SearchQuery) -> StoreResult<(Vec<TaskRecord>, i64)> {
        Ok(on_read!(self, search::tasks(self.lists(), org, q))?)
    }
}
