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
    /// The template the task's run was launched from (none for standalone tasks and MISC runs).
    pub template: Option<TemplateRef>,
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

/// A template as events name it (`"template"` of spec §5.5).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TemplateRef {
    /// Template id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Alias (none once the template is gone).
    pub alias: Option<String>,
    /// Summary.
    pub summary: Option<String>,
}

/// Where an event goes besides the event's own targets: an organization watcher's URL and the
/// event types it wants (empty = every event, `docket_domain::webhook_event::wants`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatcherTarget {
    /// The URL.
    pub url: String,
    /// The event types it wants.
    pub event_types: Vec<String>,
}

/// An event other than `task.completed` as the store read it in the transaction of the change
/// that caused it (spec §5.5); the server renders it ([`EventRender`]).
#[derive(Debug, Clone, Default)]
pub struct EventSnapshot {
    /// The event name (`docket_domain::webhook_event`).
    pub event: &'static str,
    /// The event id, shared by every delivery of the event.
    pub event_id: String,
    /// Organization.
    pub org_id: String,
    /// Base of guest links.
    pub public_base: String,
    /// When it happened (ms).
    pub now: i64,
    /// `process.*`: the run as a read at `now` returns it.
    pub run_record: Option<super::RunRecord>,
    /// The run of the task (or the run of a `process.*` event), if any.
    pub run: Option<RunSnapshot>,
    /// The run's tasks by position.
    pub run_tasks: Vec<TaskRecord>,
    /// The template the run was launched from (none for standalone tasks and MISC runs).
    pub template: Option<TemplateRef>,
    /// The task of a `task.*` event.
    pub task: Option<TaskRecord>,
    /// `task.assigned`: the owners added.
    pub added: super::OwnerSet,
    /// Names of the groups `added` lists: (id, name).
    pub group_names: Vec<(String, String)>,
    /// The new thread of a comment event.
    pub comment: Option<super::ThreadRow>,
    /// `task.issue_resolved`: the problem thread it resolved.
    pub issue: Option<super::ThreadRow>,
    /// `automation.webhook`: the rule and its action.
    pub automation: Option<AutomationRef>,
    /// The member whose request caused it.
    pub actor: Option<i64>,
    /// The members the event may name (actor, launcher, assignees, mentioned members).
    pub people: Vec<Person>,
}

/// The rule action of an `automation.webhook` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutomationRef {
    /// The rule's id.
    pub id: String,
    /// The rule's alias.
    pub automated_alias: String,
    /// The action's `alias_name`.
    pub alias_name: String,
}

/// How the server renders events other than `task.completed`: installed once per process
/// ([`install_event_render`]) because events arise deep inside many writes (a run's status
/// follows most task writes). Until one is installed (a store used without the server) only
/// `task.completed` and `automation.webhook` events are recorded.
#[derive(Debug, Clone)]
pub struct EventRender {
    /// Base of guest links in payloads.
    pub public_base: String,
    /// Renders the payload JSON text.
    pub render: fn(&EventSnapshot) -> String,
}

static EVENT_RENDER: std::sync::RwLock<Option<std::sync::Arc<EventRender>>> = std::sync::RwLock::new(None);

/// Installs the renderer of events (the server does so when it starts its dispatcher).
pub fn install_event_render(render: EventRender) {
    let mut slot = EVENT_RENDER.write().unwrap_or_else(|e| e.into_inner());
    *slot = Some(std::sync::Arc::new(render));
}

/// The installed renderer, if any.
pub fn event_render() -> Option<std::sync::Arc<EventRender>> {
    EVENT_RENDER.read().unwrap_or_else(|e| e.into_inner()).clone()
}
