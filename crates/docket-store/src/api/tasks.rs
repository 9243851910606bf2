//! Tasks and runs.

use std::sync::Arc;

use docket_domain::webhook_event;

use crate::model::{CreateTasks, Created, RunRecord, RunRefusal, TaskRecord};
use crate::{Backend, Stale, Store, StoreResult, group_commit, on_read, on_write};

impl Store {
    /// Creates the tasks of one T1 request in one transaction; `Ok(Err(_))` when the target run
    /// is missing or archived (checked inside the transaction).
    ///
    /// On SQLite the common create is written in a batch with those queued alongside it (see
    /// `group_commit.rs`).
    ///
    /// Tasks created with assignees are `task.assigned` events for the organization's watchers
    /// (remembered, see [`Store::watcher_targets`]); a create that has such an event to record
    /// is written on its own, by the create that records events.
    pub async fn create_tasks(&self, c: &CreateTasks) -> StoreResult<Result<Created, RunRefusal>> {
        let assigns = c
            .owners
            .iter()
            .any(|o| !o.users.is_empty() || !o.guests.is_empty() || !o.groups.is_empty());
        let watchers = if assigns {
            self.watcher_targets(&c.org_id).await?
        } else {
            Arc::default()
        };
        let listened = watchers
            .iter()
            .any(|w| webhook_event::wants(&w.event_types, webhook_event::TASK_ASSIGNED));
        if let Backend::Sqlite { creates, .. } = &self.backend
            && group_commit::fits(c)
            && !listened
        {
            let created = creates.create(c.clone()).await;
            self.mark_stale(Stale::Data);
            return Ok(Ok(created?));
        }
        on_write!(self, Stale::Data, task_create::create(c, &watchers))
    }

    /// Tasks of `org` by id, in the order given (unknown ids are skipped).
    pub async fn tasks_by_ids(&self, org: &str, ids: &[String]) -> StoreResult<Vec<TaskRecord>> {
        Ok(on_read!(self, tasks::load(org, ids))?)
    }

    /// One task of `org`.
    pub async fn task(&self, org: &str, id: &str) -> StoreResult<Option<TaskRecord>> {
        Ok(self.tasks_by_ids(org, &[id.to_string()]).await?.pop())
    }

    /// Runs of `org` by id with their aggregates as of `now`.
    pub async fn runs_by_ids(&self, org: &str, ids: &[String], now: i64) -> StoreResult<Vec<RunRecord>> {
        Ok(on_read!(self, runs::get(org, ids, now))?)
    }

    /// One run of `org`.
    pub async fn run(&self, org: &str, id: &str, now: i64) -> StoreResult<Option<RunRecord>> {
        Ok(self.runs_by_ids(org, &[id.to_string()], now).await?.pop())
    }
}

impl Store {
    /// The ids of a run's tasks, by position.
    pub async fn task_ids_of_run(&self, org: &str, run_id: &str) -> StoreResult<Vec<String>> {
        Ok(on_read!(self, tasks::ids_of_run(org, run_id))?)
    }
}
