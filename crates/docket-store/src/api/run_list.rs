//! Run lists (R1).

use crate::model::RunRecord;
use crate::query::RunQuery;
use crate::{Store, StoreResult, on_read};

impl Store {
    /// One page of the runs of `org` matching `q`, with aggregates as of `q.now`, and the
    /// number of matches.
    pub async fn run_list(&self, org: &str, q: &RunQuery) -> StoreResult<(Vec<RunRecord>, i64)> {
        Ok(on_read!(self, run_list::list(self.lists(), org, q))?)
    }
}
