//! Updating, completing and reopening tasks, and the webhook outbox rows they write.

use docket_domain::Role;
use docket_domain::task::TaskStatus;
use docket_domain::task_rules::Caller;
use sqlx::FromRow;

use super::{CompletionEvents, OwnerSet, TagTarget};

/// Who asks for a task update, completion or reopen, as the state rules of §5.6 need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LifecycleCaller {
    /// The calling member.
    pub user_id: i64,
    /// Their role (a light member may act only on tasks assigned to them).
    pub role: Role,
    /// The task version an `If-Match` header requires, if any: a different current version
    /// refuses the write (412).
    pub expected_version: Option<i64>,
    /// A guest acting from their link instead of a member (`user_id` and `role` are then
    /// ignored): the guest rules of `task_rules` apply, and a completion records the guest.
    pub guest_id: Option<i64>,
}

impl LifecycleCaller {
    /// The caller as the task rules see them.
    pub fn who(self) -> Caller {
        Caller {
            user_id: self.user_id,
            role: self.role,
        }
    }
}

/// A validated partial update of one task (T4/R12). `None` leaves a field alone; `Some(None)`
/// clears a nullable one.
#[derive(Debug, Clone)]
pub struct TaskUpdate {
    /// Organization.
    pub org_id: String,
    /// The task.
    pub task_id: String,
    /// The caller (also the completer of `status: completed`).
    pub caller: LifecycleCaller,
    /// New title.
    pub title: Option<String>,
    /// New summary.
    pub summary: Option<Option<String>>,
    /// New deadline.
    pub deadline: Option<i64>,
    /// New start.
    pub started_at: Option<i64>,
    /// Replacement assignees (guest emails not yet guests become guests).
    pub owners: Option<OwnerSet>,
    /// Form values to write: capture id and JSON text (`None` clears the answer).
    pub taskdata: Vec<(String, Option<String>)>,
    /// The `file` values among them, keyed by their field (`taskdata.{capture id}`): the store
    /// checks again, in its transaction, that the assets they name still exist.
    pub file_values: Vec<(String, serde_json::Value)>,
    /// The status to set.
    pub status: Option<TaskStatus>,
    /// Decision for `status: completed` on approval/expiring tasks.
    pub is_approved: Option<bool>,
    /// New type.
    pub task_type: Option<docket_domain::task::TaskType>,
    /// New webhook.
    pub webhook: Option<Option<String>>,
    /// Flag.
    pub prevent_guest_comment: Option<bool>,
    /// Flag.
    pub top_secret: Option<bool>,
    /// Flag.
    pub everyone_must_complete: Option<bool>,
    /// Flag.
    pub can_complete_only_assignees: Option<bool>,
    /// Flag.
    pub is_soft_start_date: Option<bool>,
    /// New cap on direct assignees.
    pub max_assignable: Option<i64>,
    /// New position in the run (ignored for standalone tasks).
    pub position: Option<i64>,
    /// Replacement for the task's own tags.
    pub tags: Option<Vec<TagTarget>>,
    /// How the `task.completed` event is rendered, if the task becomes completed.
    pub events: CompletionEvents,
    /// Time of the write.
    pub now: i64,
}

/// A completion (T8/R13).
#[derive(Debug, Clone)]
pub struct TaskCompletion {
    /// Organization.
    pub org_id: String,
    /// The task.
    pub task_id: String,
    /// The caller.
    pub caller: LifecycleCaller,
    /// Recorded as completer: `override_user` or the caller.
    pub completer_id: i64,
    /// The decision, if sent.
    pub is_approved: Option<bool>,
    /// A comment to post as the caller when the completion changes the task.
    pub comment: Option<String>,
    /// How the `task.completed` event is rendered, if the task becomes completed.
    pub events: CompletionEvents,
    /// Time of the write.
    pub now: i64,
}

/// A reopen (T9/R14).
#[derive(Debug, Clone)]
pub struct TaskReopen {
    /// Organization.
    pub org_id: String,
    /// The task.
    pub task_id: String,
    /// The caller.
    pub caller: LifecycleCaller,
    /// Time of the write.
    pub now: i64,
}

/// What a task update, completion or reopen did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleDone {
    /// Whether anything was written (`false`: a repeated completion, answered unchanged).
    pub changed: bool,
    /// The webhook event recorded because the task became completed.
    pub event_id: Option<String>,
    /// What the run's rules changed in the same transaction (`tasks_changed_by_rules`).
    pub rules: crate::model::RuleChanges,
}

/// A state rule that refused a task update, completion or reopen under lock: the rules are
/// `docket_domain::task_rules`.
pub use docket_domain::task_rules::Refusal as LifecycleRefusal;

/// A webhook event in the outbox (spec §5.12).
#[derive(Debug, Clone, FromRow)]
pub struct OutboxRow {
    /// Event id (also `event_id` in the payload and the `X-Docket-Event-Id` header).
    pub id: String,
    /// Organization.
    pub org_id: String,
    /// The task (the run for `process.*` events).
    pub task_id: String,
    /// The event name (`docket_domain::webhook_event`).
    pub event: String,
    /// Target URL.
    pub url: String,
    /// The JSON payload.
    pub payload: String,
    /// `pending`, `delivered`, …
    pub status: String,
    /// Delivery attempts made.
    pub attempts: i64,
    /// When the next attempt is due.
    pub next_attempt_at: i64,
    /// Last delivery error.
    pub last_error: Option<String>,
    /// When recorded.
    pub created_at: i64,
    /// When delivered.
    pub delivered_at: Option<i64>,
}
