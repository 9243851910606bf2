//! What happened, as the store hands it to the server to render an event (spec §5.12).

use super::TaskRecord;

/// How the `task.completed` event of a completion is rendered. The store gathers a
/// [`CompletionSnapshot`] inside the completion's transaction, calls `render`, and writes the
/// outbox row in that same transaction: the payload is the state at the time of the event,
/// and it is durable exactly when the completion is.
#[derive(Debug, Clone)]
pub struct CompletionEvents {
    /// Base of guest links in the payload.
    pub public_base: String,
    /// Renders the payload JSON text.
    pub render: fn(&CompletionSnapshot) -> String,
}

/// A task that has just been completed, with what its event reports, read in the completion's
/// transaction.
#[derive(Debug, Clone)]
pub struct CompletionSnapshot {
    /// The event id (also the outbox row id).
    pub event_id: String,
    /// Organization.
    pub org_id: String,
    /// Base of guest links.
    pub public_base: String,
    /// The task as completed.
    pub task: TaskRecord,
    /// Its run, if any.
    pub run: Option<RunSnapshot>,
    /// The run's tasks by position (empty for a standalone task).
    pub run_tasks: Vec<TaskRecord>,
    /// The members the event may name: the task's and the run tasks' assignees, the completer
    /// and the launcher.
    pub people: Vec<Person>,
}

/// The run of a completed task.
#[derive(Debug, Clone)]
pub struct RunSnapshot {
    /// Run id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Summary.
    pub summary: Option<String>,
    /// Stored status.
    pub status: String,
    /// Creation (ms).
    pub created_at: i64,
    /// Owner (the launcher).
    pub owner_id: i64,
    /// Tags of the run: (id, title, color), in link order.
    pub tags: Vec<(String, String, Option<String>)>,
}

/// A member as an event names them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Person {
    /// Member id.
    pub id: i64,
    /// E-mail.
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
}
