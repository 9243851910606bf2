//! Launching a run from a template: the template as a launch reads it, and the run with every
//! task a launch writes in one transaction.

use docket_domain::launch::Assignees;
use docket_domain::task::TaskType;
use sqlx::FromRow;

use super::TagTarget;

/// The template row as a launch reads it.
#[derive(Debug, Clone, FromRow)]
pub struct LaunchChecklist {
    /// Template id.
    pub id: String,
    /// Title (copied to the run).
    pub title: String,
    /// `procedure`, `form` or `document` (copied to the run's `type`).
    pub template_type: String,
    /// Template-level webhook (copied to the run).
    pub webhook: Option<String>,
    /// Whether launched runs accept one-off tasks.
    pub can_add_oot: bool,
    /// Members granted launch, JSON array.
    pub user_ids: String,
    /// Groups granted launch, JSON array.
    pub group_ids: String,
    /// Set while archived.
    pub archived_at: Option<i64>,
}

/// A step as a launch reads it; JSON columns as stored.
#[derive(Debug, Clone, FromRow)]
pub struct LaunchStep {
    /// Step id.
    pub id: String,
    /// 1-based position.
    pub position: i64,
    /// Title.
    pub title: String,
    /// Alias (copied to the task).
    pub alias: String,
    /// Summary.
    pub summary: Option<String>,
    /// Step type (the task type).
    pub step_type: String,
    /// Member ids, JSON.
    pub assignees: String,
    /// Guest emails, JSON.
    pub guests: String,
    /// Group ids, JSON.
    pub groups: String,
    /// Assign the launcher when nobody else is.
    pub assign_run_starter: bool,
    /// Deadline rule, JSON or NULL.
    pub deadline: Option<String>,
    /// Start date rule, JSON or NULL.
    pub start_date: Option<String>,
    /// Whether the start date is ignored.
    pub is_soft_start_date: bool,
    /// Cap on assignees.
    pub max_assignable: i64,
    /// Copied flags.
    pub allow_guest_owners: bool,
    /// Copied flags.
    pub can_complete_only_assignees: bool,
    /// Copied flags.
    pub everyone_must_complete: bool,
    /// Copied flags.
    pub prevent_guest_comment: bool,
    /// Copied flags.
    pub top_secret: bool,
    /// Copied webhook.
    pub webhook: Option<String>,
    /// Tag ids, JSON.
    pub tags: String,
}

/// A form field definition as a launch reads it: the template field row itself.
pub type LaunchField = super::template_fields::TemplateFieldRow;

/// An automation rule as stored (conditions and actions in their emitted JSON form).
#[derive(Debug, Clone, FromRow)]
pub struct LaunchRule {
    /// Rule id.
    pub id: String,
    /// Name.
    pub automated_alias: String,
    /// JSON array.
    pub conditions: String,
    /// JSON array.
    pub then_actions: String,
    /// Creation.
    pub created_at: i64,
    /// Last change.
    pub last_updated: i64,
}

/// Everything a launch copies from a template.
#[derive(Debug, Clone)]
pub struct TemplateSnapshot {
    /// The template.
    pub checklist: LaunchChecklist,
    /// Its steps by position.
    pub steps: Vec<LaunchStep>,
    /// Kick-off fields by position.
    pub kickoff: Vec<LaunchField>,
    /// Step captures, by step position then field position.
    pub captures: Vec<LaunchField>,
    /// Rules in creation order.
    pub rules: Vec<LaunchRule>,
}

/// One task of a launch.
#[derive(Debug, Clone)]
pub struct LaunchTask {
    /// The step it comes from.
    pub step_id: String,
    /// The step's position.
    pub blueprint_position: i64,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: Option<String>,
    /// The step's alias.
    pub alias: String,
    /// Task type.
    pub task_type: TaskType,
    /// Start.
    pub started_at: i64,
    /// Deadline.
    pub deadline: i64,
    /// Copied flags.
    pub everyone_must_complete: bool,
    /// Copied flags.
    pub can_complete_only_assignees: bool,
    /// Cap on assignees.
    pub max_assignable: i64,
    /// Copied webhook.
    pub webhook: Option<String>,
    /// Copied flags.
    pub prevent_guest_comment: bool,
    /// Copied flags.
    pub top_secret: bool,
    /// Copied flags.
    pub is_soft_start_date: bool,
    /// Copied flags.
    pub allow_guest_owners: bool,
    /// Assignees (guests by email, created if new).
    pub owners: Assignees,
    /// Tag ids of the step (ids no longer in the organization are skipped).
    pub tags: Vec<String>,
    /// The step's captures, copied with their template ids.
    pub captures: Vec<LaunchField>,
}

/// A launch: the run and its tasks, written in one transaction.
#[derive(Debug, Clone)]
pub struct LaunchRun {
    /// Organization.
    pub org_id: String,
    /// The template.
    pub checklist_id: String,
    /// Its title at launch.
    pub checklist_title: String,
    /// Its type.
    pub run_type: String,
    /// Run name.
    pub name: String,
    /// Summary.
    pub summary: Option<String>,
    /// Owner.
    pub owner_id: i64,
    /// The launcher.
    pub started_by: i64,
    /// The run's start.
    pub started_at: i64,
    /// The launch instant.
    pub now: i64,
    /// Run-level members.
    pub users: Vec<i64>,
    /// Run-level groups.
    pub groups: Vec<String>,
    /// Parent run.
    pub parent_id: Option<String>,
    /// Flags.
    pub is_public: bool,
    /// Flags.
    pub starred: bool,
    /// Kick-off values, JSON object.
    pub prerun: String,
    /// The `file` values among them, keyed by their field (`prerun.{id}`): checked again in the
    /// launch's transaction, by the domain's rule, against the organization's assets.
    pub file_values: Vec<(String, serde_json::Value)>,
    /// Kick-off field definitions at launch, JSON array.
    pub kickoff_fields: String,
    /// Rules at launch, JSON array.
    pub rules: String,
    /// Template webhook.
    pub template_webhook: Option<String>,
    /// Whether one-off tasks may join.
    pub can_add_oot: bool,
    /// Stored extras (`assign_someone_else`, `publicly_hidden_fields`), JSON object.
    pub launch_extra: String,
    /// Run tags.
    pub tags: Vec<TagTarget>,
    /// Folders to file the run in.
    pub folders: Vec<String>,
    /// Tasks in step order.
    pub tasks: Vec<LaunchTask>,
}

/// A launch as its transaction wrote it.
#[derive(Debug, Clone)]
pub(crate) struct LaunchWritten {
    /// The new run as written: what a load at the launch instant reads when no rule changed a
    /// task.
    pub run: super::RunRecord,
    /// Whether the launch pass of the rules changed tasks (then the run is read back).
    pub changed_by_rules: bool,
}

/// Why a launch was refused inside its transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LaunchRefusal {
    /// The template was archived or deleted since it was read.
    TemplateGone,
    /// A `file` kick-off value names an asset the organization no longer has: its key,
    /// `prerun.{id}`.
    UnknownFile(String),
}

/// The kinds of row a launch checks ids of in bulk.
#[derive(Debug, Clone, Copy)]
pub(crate) enum IdKind {
    /// Tags.
    Tag,
    /// Groups.
    Group,
    /// Folders.
    Folder,
    /// Runs.
    Run,
}
