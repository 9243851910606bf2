//! Tasks and runs as stored and loaded, and the inputs of creating and changing them.

use docket_domain::run::RunStatus;
use docket_domain::task::{TaskStatus, TaskType};
use docket_domain::task_rules::TaskFacts;
use sqlx::FromRow;

/// A task row with the few run and organization facts every rendering needs.
#[derive(Debug, Clone, FromRow)]
pub struct TaskRow {
    /// 32-hex id.
    pub id: String,
    /// Organization.
    pub org_id: String,
    /// Organization-wide task number.
    pub increment_id: i64,
    /// The run, for run tasks.
    pub run_id: Option<String>,
    /// 1-based position in the run (1 for standalone tasks).
    pub position: i64,
    /// Current title.
    pub title: String,
    /// Title at creation.
    pub original_title: String,
    /// Description.
    pub summary: Option<String>,
    /// Task type.
    #[sqlx(try_from = "String")]
    pub task_type: TaskType,
    /// Status.
    #[sqlx(try_from = "String")]
    pub status: TaskStatus,
    /// Completion decision of approval/expiring tasks.
    pub is_approved: Option<bool>,
    /// Start (ms).
    pub started_at: i64,
    /// Deadline (ms).
    pub deadline: i64,
    /// Creation (ms).
    pub created_at: i64,
    /// Last change (ms).
    pub last_updated: i64,
    /// Completion (ms).
    pub completed_at: Option<i64>,
    /// Archive time of the task (standalone) or of its run.
    pub archived_at: Option<i64>,
    /// Creator.
    pub starter_id: Option<i64>,
    /// Completer.
    pub completer_id: Option<i64>,
    /// The email of the guest who completed it (migration 0017), when a guest did.
    pub completer_guest: Option<String>,
    /// Every assignee must complete.
    pub everyone_must_complete: bool,
    /// Only assignees may complete.
    pub can_complete_only_assignees: bool,
    /// Cap on direct assignees (0 = none).
    pub max_assignable: i64,
    /// Completion webhook URL.
    pub webhook: Option<String>,
    /// Stored flag.
    pub prevent_guest_comment: bool,
    /// Visible only to admins and assignees.
    pub top_secret: bool,
    /// Has an unresolved problem thread.
    pub problem: bool,
    /// Soft start date.
    pub is_soft_start_date: bool,
    /// Bumped by every change (ETag).
    pub version: i64,
    /// The run's status, for run tasks.
    pub run_status: Option<String>,
    /// The template of the task's run (the organization's MISC template for runs not launched
    /// from one), for run tasks.
    pub checklist_id: Option<String>,
    /// The step a launched task comes from (kept after the step is deleted).
    pub step_id: Option<String>,
    /// The step's alias, for launched tasks.
    pub alias: Option<String>,
    /// The step's position at launch, for launched tasks.
    pub blueprint_position: Option<i64>,
    /// Whether guests may be assigned (copied from the step).
    pub allow_guest_owners: bool,
}

/// A guest as referenced by a task or group.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct GuestRef {
    /// Guest id.
    pub id: i64,
    /// Lower-cased email.
    pub email: String,
    /// Code carried in links.
    pub guest_code: String,
}

/// A form field of a task with its current value (JSON text).
#[derive(Debug, Clone, FromRow)]
pub struct CaptureRow {
    /// 32-hex capture id.
    pub id: String,
    /// Owning task.
    pub task_id: String,
    /// Label.
    pub label: String,
    /// Slug of the label.
    pub alias: String,
    /// Field type.
    pub field_type: String,
    /// Help text.
    pub guidance: Option<String>,
    /// Order.
    pub position: i64,
    /// Required before completion.
    pub required: bool,
    /// Options, JSON array.
    pub options: String,
    /// Columns, JSON array.
    pub field_columns: String,
    /// Whether a default is configured.
    pub default_value_enabled: bool,
    /// Default, JSON.
    pub default_value: Option<String>,
    /// Current answer, JSON; `NULL` when unanswered.
    pub value: Option<String>,
    /// Creation.
    pub created_at: i64,
    /// Last change.
    pub last_updated: i64,
}

/// A task with everything needed to render it.
#[derive(Debug, Clone)]
pub struct TaskRecord {
    /// The row.
    pub row: TaskRow,
    /// Direct member assignees, in order.
    pub users: Vec<i64>,
    /// Direct guest assignees, in order.
    pub guests: Vec<GuestRef>,
    /// Assigned group ids, in order.
    pub groups: Vec<String>,
    /// Members reached through the groups (ascending per group, no duplicates).
    pub group_users: Vec<i64>,
    /// Guests reached through the groups.
    pub group_guests: Vec<GuestRef>,
    /// Form fields by position.
    pub captures: Vec<CaptureRow>,
    /// Members recorded as having completed (everyone_must_complete).
    pub completions: Vec<i64>,
    /// The ids of `guests` (the task rules read them).
    pub guest_ids: Vec<i64>,
    /// Guests recorded as having completed (everyone_must_complete).
    pub guest_completions: Vec<i64>,
}

impl TaskRecord {
    /// The facts the task rules of `docket_domain::task_rules` read.
    pub fn facts(&self) -> TaskFacts<'_> {
        TaskFacts {
            status: self.row.status,
            task_type: self.row.task_type,
            in_run: self.row.run_id.is_some(),
            archived: self.row.archived_at.is_some(),
            top_secret: self.row.top_secret,
            everyone_must_complete: self.row.everyone_must_complete,
            can_complete_only_assignees: self.row.can_complete_only_assignees,
            users: &self.users,
            group_users: &self.group_users,
            guests: &self.guest_ids,
            unlinked_guests: self.group_guests.iter().any(|g| !self.guest_ids.contains(&g.id)),
            completions: &self.completions,
            guest_completions: &self.guest_completions,
            prevent_guest_comment: self.row.prevent_guest_comment,
        }
    }

    /// Direct assignees: members, guests and groups (what `max_assignable` caps).
    pub fn direct_assignees(&self) -> usize {
        self.users.len() + self.guests.len() + self.groups.len()
    }

    /// The individual assignee members: direct, then through groups, without duplicates.
    pub fn assignee_users(&self) -> Vec<i64> {
        let mut out = self.users.clone();
        for u in &self.group_users {
            if !out.contains(u) {
                out.push(*u);
            }
        }
        out
    }

    /// The individual assignee guests: direct, then through groups, without duplicates.
    pub fn assignee_guests(&self) -> Vec<&GuestRef> {
        let mut out: Vec<&GuestRef> = self.guests.iter().collect();
        for g in &self.group_guests {
            if !out.iter().any(|x| x.id == g.id) {
                out.push(g);
            }
        }
        out
    }
}

/// A run row.
#[derive(Debug, Clone, FromRow)]
pub struct RunRow {
    /// 32-hex id.
    pub id: String,
    /// Organization.
    pub org_id: String,
    /// Organization-wide run number.
    pub increment_id: i64,
    /// Name.
    pub name: String,
    /// Summary.
    pub summary: Option<String>,
    /// Owner.
    pub owner_id: i64,
    /// Creator.
    pub started_by: i64,
    /// Starred.
    pub starred: bool,
    /// Public.
    pub is_public: bool,
    /// Run-level member assignment, JSON array.
    pub user_ids: String,
    /// Run-level group assignment, JSON array.
    pub group_ids: String,
    /// Stored status.
    #[sqlx(try_from = "String")]
    pub status: RunStatus,
    /// Kick-off completion.
    pub prerun_completed_at: Option<i64>,
    /// Who completed the kick-off.
    pub prerun_completed_by: Option<i64>,
    /// Start.
    pub started_at: i64,
    /// Creation.
    pub created_at: i64,
    /// Last change.
    pub last_updated: i64,
    /// When it became complete.
    pub completed_at: Option<i64>,
    /// When archived.
    pub archived_at: Option<i64>,
    /// Bumped by every change (ETag).
    pub version: i64,
    /// The template the run was launched from, else the organization's MISC template id.
    pub checklist_id: String,
    /// The template's title at launch; `None` for runs not launched from a template.
    pub checklist_title: Option<String>,
    /// The template's type at launch.
    pub run_type: String,
    /// Kick-off values, JSON object (field id → value).
    pub prerun: String,
    /// Kick-off field definitions at launch, JSON array.
    pub kickoff_fields: String,
    /// Whether one-off tasks may join; `None` for runs not launched from a template.
    pub can_add_oot: Option<bool>,
    /// Parent run.
    pub parent_id: Option<String>,
}

impl RunRow {
    /// Whether the run was launched from a template.
    pub fn is_launched(&self) -> bool {
        self.checklist_title.is_some()
    }
}

/// Aggregates of a run's tasks at one instant.
#[derive(Debug, Clone, Default, FromRow)]
pub struct RunStats {
    /// The run.
    pub run_id: String,
    /// Tasks that are not hidden by an automation.
    pub total: i64,
    /// Every task, hidden ones included.
    pub whole_total: i64,
    /// Completed tasks.
    pub complete: i64,
    /// Latest deadline among tasks that are not hidden.
    pub due_date: Option<i64>,
    /// Incomplete tasks past their deadline.
    pub late_tasks: i64,
    /// Incomplete tasks due within 24 hours.
    pub due_soon: i64,
}

/// A run with everything needed to render it.
#[derive(Debug, Clone)]
pub struct RunRecord {
    /// The row.
    pub row: RunRow,
    /// Task aggregates.
    pub stats: RunStats,
    /// Owner plus direct task assignees, ascending.
    pub collaborators: Vec<i64>,
}

/// The fields shared by every task one create makes.
#[derive(Debug, Clone)]
pub struct NewTaskSpec {
    /// Title (also `original_title`).
    pub title: String,
    /// Summary.
    pub summary: Option<String>,
    /// Canonical type.
    pub task_type: TaskType,
    /// Start.
    pub started_at: i64,
    /// Deadline.
    pub deadline: i64,
    /// Flags.
    pub everyone_must_complete: bool,
    /// Flags.
    pub can_complete_only_assignees: bool,
    /// Cap on direct assignees.
    pub max_assignable: i64,
    /// Webhook.
    pub webhook: Option<String>,
    /// Flags.
    pub prevent_guest_comment: bool,
    /// Flags.
    pub top_secret: bool,
    /// Flags.
    pub is_soft_start_date: bool,
}

/// Assignees of one task to create: member ids, guest emails (created if new), group ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnerSet {
    /// Member ids.
    pub users: Vec<i64>,
    /// Lower-cased guest emails.
    pub guests: Vec<String>,
    /// Group ids.
    pub groups: Vec<String>,
}

/// A tag to attach: an existing id, or a title to find or create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagTarget {
    /// An existing tag of the organization.
    Id(String),
    /// A title: the existing tag with that title (ignoring case) or a new one.
    Title(String),
}

/// Where created tasks go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunTarget {
    /// Standalone tasks.
    Standalone,
    /// A new run from the MISC template, owned by the caller.
    NewRun,
    /// An existing run, at `position` (clamped) or at the end.
    Existing {
        /// The run.
        run_id: String,
        /// Requested position.
        position: Option<i64>,
    },
}

/// One create (spec T1): one task per entry of `owners`, all in one transaction.
#[derive(Debug, Clone)]
pub struct CreateTasks {
    /// Organization.
    pub org_id: String,
    /// The caller.
    pub starter_id: i64,
    /// Shared fields.
    pub spec: NewTaskSpec,
    /// One owner set per task to create.
    pub owners: Vec<OwnerSet>,
    /// Form fields, copied with fresh ids onto every task.
    pub form_fields: Vec<docket_domain::form_field::FieldDef>,
    /// Tags for every task.
    pub tags: Vec<TagTarget>,
    /// Where the tasks go.
    pub target: RunTarget,
    /// Time of the create.
    pub now: i64,
}

/// What a create made.
#[derive(Debug, Clone)]
pub struct Created {
    /// Task ids, by position.
    pub task_ids: Vec<String>,
    /// The run, for run tasks.
    pub run_id: Option<String>,
    /// The first task as written, when the create knows all of it without reading it back: a
    /// standalone task whose assignees are members only (guests bring codes, groups their
    /// members, runs their status, all of which are read back instead).
    pub first: Option<TaskRecord>,
}

/// Why a create into an existing run was refused inside the transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunRefusal {
    /// No such run in the organization.
    Missing,
    /// The run is archived.
    Archived,
}

/// A partial change of a run (R3): `None` leaves a field alone; `users`/`groups` replace.
#[derive(Debug, Clone, Default)]
pub struct RunPatch {
    /// New name.
    pub name: Option<String>,
    /// New summary (`Some(None)` clears it).
    pub summary: Option<Option<String>>,
    /// Starred.
    pub starred: Option<bool>,
    /// New owner, a member of the organization.
    pub owner_id: Option<i64>,
    /// Public.
    pub is_public: Option<bool>,
    /// Run-level member assignment, without duplicates.
    pub users: Option<Vec<i64>>,
    /// Run-level group assignment, without duplicates.
    pub groups: Option<Vec<String>>,
    /// Kick-off values to set (field id → value, `null` clears), merged into the stored ones.
    pub prerun: Option<serde_json::Map<String, serde_json::Value>>,
    /// The `file` values among them, keyed by their field (`prerun.{id}`): the store checks
    /// again, in its transaction, that the assets they name still exist.
    pub file_values: Vec<(String, serde_json::Value)>,
    /// The run version an `If-Match` header requires, if any.
    pub expected_version: Option<i64>,
    /// Time of the change.
    pub now: i64,
}

/// Why a run or task archive-family write (R3–R6, R9–R10, T5–T7) was refused inside its
/// transaction: the rules are `docket_domain::task_rules`.
pub use docket_domain::task_rules::ArchiveRefusal;
