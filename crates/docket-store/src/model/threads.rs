//! Comment threads and tag links.

use sqlx::FromRow;

/// A comment thread on a task (spec §2.9).
#[derive(Debug, Clone, FromRow)]
pub struct ThreadRow {
    /// 32-hex id.
    pub id: String,
    /// The task.
    pub task_id: String,
    /// The task's run.
    pub run_id: Option<String>,
    /// Body (mentions rendered as `@[id]`).
    pub content: String,
    /// `comment`, `problem`, `resolve`, `improvement` or `advice`.
    pub label: String,
    /// `hide-for-guests`, `open` or `collapsed`.
    pub state: String,
    /// Author member (0 when a guest wrote it).
    pub author_id: i64,
    /// The guest who wrote it, if a guest did (migration 0017).
    pub author_guest_id: Option<i64>,
    /// On a problem: the resolving thread.
    pub resolve_id: Option<String>,
    /// Creation.
    pub created_at: i64,
    /// Last edit.
    pub updated_at: i64,
}

/// A tag attached to a run or task, with the tag's title and colour (spec §2.10 TagLink).
#[derive(Debug, Clone, FromRow)]
pub struct TagLinkRow {
    /// Association id.
    pub id: i64,
    /// The tag.
    pub tag_id: String,
    /// Tag title.
    pub title: String,
    /// Tag colour.
    pub color: Option<String>,
    /// `Run` or `Task`.
    pub subject_type: String,
    /// The run or task id.
    pub subject_id: String,
    /// When attached.
    pub created_at: i64,
}

/// A comment thread to add to a task (C1, C4, C5).
#[derive(Debug, Clone)]
pub struct NewThread {
    /// Body, mentions already rendered as `@[id]`.
    pub content: String,
    /// `comment`, `problem`, `resolve`, `improvement` or `advice` (C5 forces `resolve`).
    pub label: String,
    /// `hide-for-guests`, `open` or `collapsed`.
    pub state: String,
    /// Author member (0 for a guest).
    pub author_id: i64,
    /// The guest writing it from their link: the store checks, under the task's lock, that
    /// they may (`TaskFacts::guest_may_comment`, `guest_may_report_problem` for a `problem`,
    /// `guest_may_resolve_problem` and `guest_sees_thread` for a resolution).
    pub author_guest_id: Option<i64>,
    /// Time of the write.
    pub now: i64,
}

/// An edit of a thread (C2): new content; label and state when given.
#[derive(Debug, Clone)]
pub struct ThreadEdit {
    /// New body, mentions already rendered.
    pub content: String,
    /// New label, if given.
    pub label: Option<String>,
    /// New state, if given.
    pub state: Option<String>,
    /// Time of the write.
    pub now: i64,
}

/// Why a thread write was refused inside its transaction (a vanished task or thread is
/// `StoreError::NotFound`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadRefusal {
    /// The task belongs to an archived run.
    RunArchived,
    /// C5: the thread is not an open problem thread of the task.
    NotOpenProblem,
    /// A guest who may not comment on the task, report a problem on it or resolve one (not its
    /// direct assignee, `prevent_guest_comment`, or a completed task for a new problem).
    GuestRefused,
}
