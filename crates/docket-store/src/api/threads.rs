//! Comment threads and tag links of tasks and runs.

use crate::model::{NewThread, TagLinkRow, ThreadEdit, ThreadRefusal, ThreadRow};
use crate::{Stale, Store, StoreResult, on_read, on_write};

impl Store {
    /// Threads of these tasks of `org`, oldest first.
    pub async fn threads_of_tasks(&self, org: &str, task_ids: &[String]) -> StoreResult<Vec<ThreadRow>> {
        Ok(on_read!(self, threads::of_tasks(org, task_ids))?)
    }

    /// Thread `id` of `org`.
    pub async fn thread(&self, org: &str, id: &str) -> StoreResult<Option<ThreadRow>> {
        Ok(on_read!(self, threads::get(org, id))?)
    }

    /// Adds a thread to a task and re-derives its `problem` and its run's status (C1, C4).
    /// `NotFound` when the task is gone; `Ok(Err(RunArchived))` for a task of an archived run.
    pub async fn add_thread(
        &self,
        org: &str,
        task_id: &str,
        new: &NewThread,
    ) -> StoreResult<Result<ThreadRow, ThreadRefusal>> {
        on_write!(self, Stale::Data, threads::create(org, task_id, new))
    }

    /// Edits a thread of a task (C2), re-deriving `problem`. `NotFound` when either is gone.
    pub async fn edit_thread(
        &self,
        org: &str,
        task_id: &str,
        id: &str,
        edit: &ThreadEdit,
    ) -> StoreResult<Result<ThreadRow, ThreadRefusal>> {
        on_write!(self, Stale::Data, threads::update(org, task_id, id, edit))
    }

    /// Deletes a thread of a task (C3), reopening the problem it resolved and re-deriving
    /// `problem`. `NotFound` when either is gone.
    pub async fn delete_thread(
        &self,
        org: &str,
        task_id: &str,
        id: &str,
        now: i64,
    ) -> StoreResult<Result<(), ThreadRefusal>> {
        on_write!(self, Stale::Data, threads::delete(org, task_id, id, now))
    }

    /// Resolves an open problem thread of a task with a new `resolve` thread (C5).
    /// `Ok(Err(NotOpenProblem))` when `problem_id` is not one.
    pub async fn resolve_thread(
        &self,
        org: &str,
        task_id: &str,
        problem_id: &str,
        new: &NewThread,
    ) -> StoreResult<Result<ThreadRow, ThreadRefusal>> {
        on_write!(self, Stale::Data, threads::resolve(org, task_id, problem_id, new))
    }

    /// Tag links of these runs or tasks (`subject_type` `Run` or `Task`).
    pub async fn tag_links_of(&self, org: &str, subject_type: &str, ids: &[String]) -> StoreResult<Vec<TagLinkRow>> {
        Ok(on_read!(self, tag_links::of_subjects(org, subject_type, ids))?)
    }

    /// Tag link (association) `id` of `org`.
    pub async fn tag_link(&self, org: &str, id: i64) -> StoreResult<Option<TagLinkRow>> {
        Ok(on_read!(self, tag_links::get(org, id))?)
    }

    /// Attaches tag `tag_id` to a run or task of `org` (TG6): the association and whether it is
    /// new. `NotFound` when the tag or the subject is gone.
    pub async fn attach_tag(
        &self,
        org: &str,
        tag_id: &str,
        subject_type: &str,
        subject_id: &str,
        now: i64,
    ) -> StoreResult<(TagLinkRow, bool)> {
        on_write!(
            self,
            Stale::Data,
            tag_links::attach(org, tag_id, subject_type, subject_id, now)
        )
    }

    /// Removes tag link `id` of `org` (TG7); whether it existed.
    pub async fn detach_tag(&self, org: &str, id: i64) -> StoreResult<bool> {
        Ok(on_write!(self, Stale::Data, tag_links::delete(org, id))?)
    }
}
