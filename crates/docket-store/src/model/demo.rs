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
