//! Launching runs from templates.

use std::sync::Arc;

use crate::model::{IdKind, LaunchRefusal, LaunchRun, RunRecord, TemplateSnapshot};
use crate::{Backend, Stale, Store, StoreResult, on_read};

impl Store {
    /// The template `checklist_id` of `org` as a launch copies it (archived ones included), or
    /// `None`. Remembered until the next write that is not a launch (a launch changes no part
    /// of it) and for at most the identity cache's time to live (writes by other processes):
    /// a launch reads no template rows while its template stays as it is. The launch itself
    /// checks in its transaction that the template is still live.
    pub async fn template_snapshot(&self, org: &str, checklist_id: &str) -> StoreResult<Option<Arc<TemplateSnapshot>>> {
        let key = format!("{org} {checklist_id}");
        if let Some(found) = self.snapshots.get(&key, &self.templates) {
            return Ok(Some(found));
        }
        let read_at = self.templates.current();
        let found = on_read!(self, launch::snapshot(org, checklist_id))?.map(Arc::new);
        if let Some(snap) = &found {
            self.snapshots.put(key, read_at, &self.templates, snap.clone());
        }
        Ok(found)
    }

    /// Which of `ids` name tags of `org`.
    pub async fn existing_tag_ids(&self, org: &str, ids: &[String]) -> StoreResult<Vec<String>> {
        Ok(on_read!(self, launch::existing(IdKind::Tag, org, ids))?)
    }

    /// Which of `ids` name groups of `org`.
    pub async fn existing_group_ids(&self, org: &str, ids: &[String]) -> StoreResult<Vec<String>> {
        Ok(on_read!(self, launch::existing(IdKind::Group, org, ids))?)
    }

    /// Which of `ids` name folders of `org`.
    pub async fn existing_folder_ids(&self, org: &str, ids: &[String]) -> StoreResult<Vec<String>> {
        Ok(on_read!(self, launch::existing(IdKind::Folder, org, ids))?)
    }

    /// Which of `ids` name runs of `org` (archived included).
    pub async fn existing_run_ids(&self, org: &str, ids: &[String]) -> StoreResult<Vec<String>> {
        Ok(on_read!(self, launch::existing(IdKind::Run, org, ids))?)
    }

    /// Writes a launch in one transaction: the run, its tasks with their assignees, form fields
    /// and tags, the run's tags and folders, and the template's launch count. The new run as
    /// written (what a load at the launch instant reads), or a refusal when the template was
    /// archived or deleted meanwhile. The launches waiting for the writer share one commit
    /// (`sql/launch_commit.rs`), each still all or nothing.
    pub async fn launch_run(&self, l: LaunchRun) -> StoreResult<Result<RunRecord, LaunchRefusal>> {
        let (org, now) = (l.org_id.clone(), l.now);
        // Remembered: a launch reads no watcher rows while the organization's watchers stay.
        let watchers = self.watcher_targets(&org).await?;
        let written = match &self.backend {
            Backend::Sqlite { launches, .. } => launches.launch(l, watchers).await,
            Backend::Postgres { launches, .. } => launches.launch(l, watchers).await,
        };
        self.mark_stale(Stale::Launch);
        let written = match written? {
            Ok(written) => written,
            Err(refusal) => return Ok(Err(refusal)),
        };
        if !written.changed_by_rules {
            return Ok(Ok(written.run));
        }
        // Rules changed tasks at launch (hidden ones leave the progress, deadlines moved): the
        // run is read back so that the answer shows what a read would.
        let ids = std::slice::from_ref(&written.run.row.id);
        let mut loaded = on_read!(self, runs::load(&org, ids, now))?;
        Ok(Ok(loaded.pop().unwrap_or(written.run)))
    }
}
