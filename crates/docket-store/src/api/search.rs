//! Search (S1): the `process`, `task`, `blueprint`, `step` and `capture` buckets.

use crate::model::{CaptureHit, RunRecord, StepHit, TaskRecord, TemplateRow};
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

    /// One page of the non-archived templates of `org` whose title contains `q.pattern` and
    /// that pass `q.filter`, newest first; and the number of matches.
    pub async fn search_templates(&self, org: &str, q: &SearchQuery) -> StoreResult<(Vec<TemplateRow>, i64)> {
        Ok(on_read!(self, search::templates(self.lists(), org, q))?)
    }

    /// One page of the steps of non-archived templates whose title contains `q.pattern`.
    pub async fn search_steps(&self, org: &str, q: &SearchQuery) -> StoreResult<(Vec<StepHit>, i64)> {
        Ok(on_read!(self, search::steps(self.lists(), org, q))?)
    }

    /// One page of the captures and kick-off fields of non-archived templates whose label
    /// contains `q.pattern`.
    pub async fn search_captures(&self, org: &str, q: &SearchQuery) -> StoreResult<(Vec<CaptureHit>, i64)> {
        Ok(on_read!(self, search::captures(self.lists(), org, q))?)
    }
}
