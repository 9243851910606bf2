//! Launching runs from templates.

use crate::model::{ChecklistBrief, IdKind, LaunchRefusal, LaunchRun, RunRecord, TemplateSnapshot};
use crate::{Stale, Store, StoreResult, on_read, on_write};

impl Store {
    /// The template `checklist_id` of `org` as a launch copies it (archived ones included), or
    /// `None`.
    pub async fn template_snapshot(&self, org: &str, checklist_id: &str) -> StoreResult<Option<TemplateSnapshot>> {
        Ok(on_read!(self, launch::snapshot(org, checklist_id))?)
    }

    /// The templates of `org` among `ids`, archived included (for `with=checklist` on runs).
    pub async fn checklist_briefs(&self, org: &str, ids: &[String]) -> StoreResult<Vec<ChecklistBrief>> {
        Ok(on_read!(self, launch::briefs(org, ids))?)
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
    /// archived or deleted meanwhile.
    pub async fn launch_run(&self, l: &LaunchRun) -> StoreResult<Result<RunRecord, LaunchRefusal>> {
        on_write!(self, Stale::Data, launch::write(l))
    }
}
