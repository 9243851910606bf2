//! Generated demo data (`docket admin seed-demo`): rows written in large batches.

/// One generated run.
#[derive(Debug, Clone)]
pub struct DemoRun {
    /// 32-hex id.
    pub id: String,
    /// Organization-wide run number.
    pub increment_id: i64,
    /// Name.
    pub name: String,
    /// Owner and starter.
    pub owner_id: i64,
    /// Creation and start (ms).
    pub created_at: i64,
}

/// One generated task.
#[derive(Debug, Clone)]
pub struct DemoTask {
    /// 32-hex id.
    pub id: String,
    /// Organization-wide task number.
    pub increment_id: i64,
    /// The run, if any.
    pub run_id: Option<String>,
    /// Position in the run (1 when standalone).
    pub position: i64,
    /// Title.
    pub title: String,
    /// Type.
    pub task_type: docket_domain::task::TaskType,
    /// Status.
    pub status: docket_domain::task::TaskStatus,
    /// Decision for approval tasks.
    pub is_approved: Option<bool>,
    /// Start (ms).
    pub started_at: i64,
    /// Deadline (ms).
    pub deadline: i64,
    /// Creation (ms).
    pub created_at: i64,
    /// Completion (ms) and completer, for completed tasks.
    pub completed: Option<(i64, i64)>,
    /// Creator.
    pub starter_id: i64,
    /// Visible to admins and assignees only.
    pub top_secret: bool,
    /// Has an open problem.
    pub problem: bool,
    /// Member assignees.
    pub users: Vec<i64>,
    /// Guest assignees (guest ids).
    pub guests: Vec<i64>,
    /// Group assignees.
    pub groups: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
}

/// One batch, written in one transaction.
#[derive(Debug, Clone, Default)]
pub struct DemoBatch {
    /// Organization.
    pub org_id: String,
    /// Runs first (their tasks may be in this batch).
    pub runs: Vec<DemoRun>,
    /// Tasks.
    pub tasks: Vec<DemoTask>,
}

/// One generated activity entry (`seed-demo --activity`), in the shape sql/activity.rs records;
/// numbered (`id`) when written.
#[derive(Debug, Clone, Default)]
pub struct DemoEntry {
    /// §5.6 verb.
    pub verb: &'static str,
    /// `Member` or `Webhook`.
    pub source: &'static str,
    /// The member who made the change.
    pub actor_id: Option<i64>,
    /// §2.6 `type`.
    pub kind: &'static str,
    /// `auditable_type`.
    pub auditable_type: &'static str,
    /// `auditable_id`.
    pub auditable_id: String,
    /// `parentable_type`.
    pub parentable_type: Option<&'static str>,
    /// `parentable_id`.
    pub parentable_id: Option<String>,
    /// The sentence.
    pub description: String,
    /// The object's title.
    pub title: String,
    /// JSON array of changed field names.
    pub field: Option<String>,
    /// JSON array of their previous values.
    pub old_value: Option<String>,
    /// Comment text.
    pub body: Option<String>,
    /// Scope: run.
    pub run_id: Option<String>,
    /// Scope: task.
    pub task_id: Option<String>,
    /// Scope: template.
    pub checklist_id: Option<String>,
    /// When (ms).
    pub created_at: i64,
}

/// A task that generated activity entries name, with its run and the run's template.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DemoSubject {
    /// Task id.
    pub task_id: String,
    /// Task title.
    pub title: String,
    /// Its run.
    pub run_id: Option<String>,
    /// The run's name.
    pub run_name: Option<String>,
    /// The run's template.
    pub checklist_id: Option<String>,
}
