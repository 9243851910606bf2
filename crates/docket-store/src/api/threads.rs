//! Comment threads and tag links of tasks and runs.

use crate::model::{TagLinkRow, ThreadRow};
use crate::{Store, StoreResult, on_read};

impl Store {
    /// Threads of these tasks of `org`, oldest first.
    pub async fn threads_of_tasks(&self, org: &str, task_ids: &[String]) -> StoreResult<Vec<ThreadRow>> {
        Ok(on_read!(self, threads::of_tasks(org, task_ids))?)
    }

    /// Tag links of these runs or tasks (`subject_type` `Run` or `Task`).
    pub async fn tag_links_of(&self, org: &str, subject_type: &str, ids: &[String]) -> StoreResult<Vec<TagLinkRow>> {
        Ok(on_read!(self, tag_links::of_subjects(org, subject_type, ids))?)
    }
}
