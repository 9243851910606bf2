//! List parameters the API layer hands to the store: filters as data, a whitelisted sort, and
//! the row window.

/// Escapes `%`, `_` and `\` in user text and wraps it for a case-insensitive `LIKE … ESCAPE '\'`
/// against a `lower(...)` column.
pub fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Rows to return: `limit` (None = all) after skipping `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// At most this many rows; `None` for all.
    pub limit: Option<i64>,
    /// Rows skipped first.
    pub offset: i64,
}

impl Window {
    /// Every row.
    pub const ALL: Window = Window { limit: None, offset: 0 };

    /// The `LIMIT` to bind: a very large number stands for "all" on both backends.
    pub fn sql_limit(&self) -> i64 {
        self.limit.unwrap_or(i64::MAX)
    }
}

/// A sort column chosen from a fixed list, and its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort<C> {
    /// The column.
    pub column: C,
    /// Descending when true.
    pub desc: bool,
}

impl<C> Sort<C> {
    /// `ASC` or `DESC`.
    pub fn direction(&self) -> &'static str {
        if self.desc { "DESC" } else { "ASC" }
    }
}

/// Columns members can be sorted by (U1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberSortColumn {
    /// `id` (default).
    Id,
    /// `first_name`.
    FirstName,
    /// `last_name`.
    LastName,
    /// `email`.
    Email,
    /// `created_at`.
    CreatedAt,
}

impl MemberSortColumn {
    /// The SQL expression (never user text).
    pub fn sql(self) -> &'static str {
        match self {
            MemberSortColumn::Id => "u.id",
            MemberSortColumn::FirstName => "lower(u.first_name)",
            MemberSortColumn::LastName => "lower(u.last_name)",
            MemberSortColumn::Email => "u.email",
            MemberSortColumn::CreatedAt => "u.created_at",
        }
    }
}

/// Filters and order of a member list.
#[derive(Debug, Clone)]
pub struct MemberQuery {
    /// First name, last name or email contains (a `like_pattern`).
    pub q: Option<String>,
    /// Order.
    pub sort: Sort<MemberSortColumn>,
    /// Rows.
    pub window: Window,
}

/// Columns tags can be sorted by (TG1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagSortColumn {
    /// `title`, ignoring case (default).
    Title,
    /// `created_at`.
    CreatedAt,
}

/// Filters and order of a tag list.
#[derive(Debug, Clone)]
pub struct TagQuery {
    /// Title contains (a `like_pattern`).
    pub q: Option<String>,
    /// `Some(true)`: only auto-generated tags (docket has none); `Some(false)` or `None`: user tags.
    pub auto_generated: Option<bool>,
    /// Order.
    pub sort: Sort<TagSortColumn>,
    /// Rows.
    pub window: Window,
}

/// Columns guests can be sorted by (GU1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuestSortColumn {
    /// `created_at` (default).
    CreatedAt,
    /// `email`.
    Email,
}

/// Filters and order of a guest list.
#[derive(Debug, Clone)]
pub struct GuestQuery {
    /// Email, first name or last name contains (a `like_pattern`).
    pub q: Option<String>,
    /// Order.
    pub sort: Sort<GuestSortColumn>,
    /// Rows.
    pub window: Window,
}

/// Columns groups can be sorted by (GR1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupSortColumn {
    /// `name`, ignoring case.
    Name,
    /// `created_at` (default).
    CreatedAt,
    /// `updated_at`.
    UpdatedAt,
}

/// Filters and order of a group list.
#[derive(Debug, Clone)]
pub struct GroupQuery {
    /// Name or description contains (a `like_pattern`).
    pub q: Option<String>,
    /// Order.
    pub sort: Sort<GroupSortColumn>,
    /// Rows.
    pub window: Window,
}

/// A derived task condition usable as a `status=` value (spec §2.4, §4.0); a list of them is
/// OR-ed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskCondition {
    /// Incomplete and started (or soft start date).
    Active,
    /// Not completed.
    Incomplete,
    /// Completed.
    Complete,
    /// `status = in-progress`.
    InProgress,
    /// `status = not-started`.
    NotStarted,
    /// Incomplete and past its deadline.
    Overdue,
    /// Incomplete and due within 24 hours.
    DueSoon,
    /// Has an open problem.
    HasProblem,
}

/// Which tasks a list includes with respect to archiving (spec §4.0 `archived`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchivedFilter {
    /// Only tasks without `archived_at`.
    Exclude,
    /// Archived and not archived.
    Include,
    /// Only archived tasks.
    Only,
}

/// Orderings of a task list (spec §4.0); ties go by `increment_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskSortColumn {
    /// Position in the run (standalone tasks count as 1).
    Position,
    /// Deadline.
    Deadline,
    /// Creation time (descending breaks ties by `increment_id` descending).
    CreatedAt,
    /// Completion time, not-completed tasks last.
    CompletedAt,
    /// Tasks with a problem first, then by deadline.
    Problems,
    /// Title, ignoring case.
    Title,
}

/// Whose tasks a list holds (T10–T12): tasks assigned to them directly or through a group
/// (spec §5.5), evaluated against current group membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskAssignee {
    /// A member, by user id.
    Member(i64),
    /// A guest, by its integer id.
    Guest(i64),
}

/// Filters and order of a task list. Every list holds only tasks the viewer may see.
///
/// `Default` is "every task, archived ones excluded, admin visibility, by deadline, all rows";
/// set `viewer` and `now` before use.
#[derive(Debug, Clone)]
pub struct TaskQuery {
    /// Only the tasks of this run.
    pub run_id: Option<String>,
    /// Only the tasks assigned to this member or guest.
    pub assignee: Option<TaskAssignee>,
    /// Task title or run name contains (a [`like_pattern`]).
    pub q: Option<String>,
    /// The task or its run carries the tag with this id, or with this title ignoring case.
    pub tag: Option<String>,
    /// The task or its run is filed directly in one of these folders (empty: no filter).
    pub folder: Vec<String>,
    /// Role ids. docket has no roles: a non-empty list matches nothing.
    pub roles: Vec<String>,
    /// `created_at >=` this instant.
    pub created_min: Option<i64>,
    /// `created_at <=` this instant.
    pub created_max: Option<i64>,
    /// `is_oneoff_task` equals this. Every docket task is a one-off task, so `false` matches
    /// nothing.
    pub is_oneoff: Option<bool>,
    /// Any of these conditions (empty: no status filter).
    pub conditions: Vec<TaskCondition>,
    /// Assigned to any of these members, directly or through a group.
    pub owners: Vec<i64>,
    /// Assigned to any of these guests (lower-cased emails), directly or through a group.
    pub guests: Vec<String>,
    /// Any of these groups assigned.
    pub groups: Vec<String>,
    /// Only tasks with no assignee at all.
    pub unassigned: bool,
    /// `deadline >=` this instant.
    pub deadline_min: Option<i64>,
    /// `deadline <=` this instant.
    pub deadline_max: Option<i64>,
    /// Archived tasks.
    pub archived: ArchivedFilter,
    /// `None` for admins; else the member whose top-secret visibility applies (§1.11).
    pub viewer: Option<i64>,
    /// The request time, for the derived conditions.
    pub now: i64,
    /// Order.
    pub sort: Sort<TaskSortColumn>,
    /// Rows.
    pub window: Window,
}

impl Default for TaskQuery {
    fn default() -> Self {
        TaskQuery {
            run_id: None,
            assignee: None,
            q: None,
            tag: None,
            folder: Vec::new(),
            roles: Vec::new(),
            created_min: None,
            created_max: None,
            is_oneoff: None,
            conditions: Vec::new(),
            owners: Vec::new(),
            guests: Vec::new(),
            groups: Vec::new(),
            unassigned: false,
            deadline_min: None,
            deadline_max: None,
            archived: ArchivedFilter::Exclude,
            viewer: None,
            now: 0,
            sort: Sort {
                column: TaskSortColumn::Deadline,
                desc: false,
            },
            window: Window::ALL,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("Ab"), "%ab%");
        assert_eq!(like_pattern("50%_x\\"), "%50\\%\\_x\\\\%");
    }
}

/// A run-level condition of R1's `status` parameter; a list of them is OR-ed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunCondition {
    /// Still running: status `active` or `problem`.
    Active,
    /// Status `complete`.
    Complete,
    /// Status `problem`.
    Problem,
    /// A task of the run has a thread labelled `improvement`.
    Improvement,
    /// `late_tasks > 0` or `due_date_passed`.
    Delayed,
    /// Archived.
    Archived,
    /// Starred.
    Starred,
}

/// R1 `task_status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunTaskStatus {
    /// The run has at least one incomplete task.
    InProgress,
    /// The run's status is `complete`.
    Completed,
}

/// Orderings of a run list (R1); ties go by `increment_id` in the same direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunSortColumn {
    /// `created_at`.
    CreatedAt,
    /// `name`, ignoring case.
    Name,
    /// `last_updated`.
    LastUpdated,
    /// `started_at`.
    StartedAt,
    /// `due_date` (latest task deadline); runs without tasks last.
    DueDate,
}

/// Filters and order of a run list (R1). Conditions combine with AND.
#[derive(Debug, Clone)]
pub struct RunQuery {
    /// Name contains (a `like_pattern`).
    pub q: Option<String>,
    /// Any of these conditions (empty: no status filter).
    pub conditions: Vec<RunCondition>,
    /// `task_status`.
    pub task_status: Option<RunTaskStatus>,
    /// The run owner, or an assignee (directly or through a group) of a task of the run, is one
    /// of these members.
    pub owners: Vec<i64>,
    /// One of these groups is assigned to a task of the run or is in the run's `group_ids`.
    pub groups: Vec<String>,
    /// Launched from this template (docket runs all come from the organization's MISC one).
    pub checklist_id: Option<String>,
    /// A filter that no run can pass was given (a non-procedure `type`).
    pub match_nothing: bool,
    /// Filed directly in one of these folders (empty: no filter).
    pub folder: Vec<String>,
    /// Carries this tag (by id, or by title ignoring case).
    pub tag: Option<String>,
    /// Carries any of these tag ids.
    pub tag_ids: Vec<String>,
    /// Only runs without tags.
    pub untagged: bool,
    /// `starred` equals this.
    pub starred: Option<bool>,
    /// Archived runs.
    pub archived: ArchivedFilter,
    /// `None` for admins; else the member whose top-secret visibility applies to the task-based
    /// filters (`owners`, `groups`, `improvement`).
    pub viewer: Option<i64>,
    /// The request time, for `delayed`.
    pub now: i64,
    /// Order.
    pub sort: Sort<RunSortColumn>,
    /// Rows.
    pub window: Window,
}

/// A field of the search endpoint's structured filter (S1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchField {
    /// Run name / task title.
    Title,
    /// Run summary.
    Description,
    /// Run `started_by` / task `starter_id`.
    Starter,
    /// The UTC day of `created_at`.
    Date,
}

/// A comparison of the structured filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `=`.
    Eq,
    /// `<>` / `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `>`.
    Gt,
    /// `<=`.
    Le,
    /// `>=`.
    Ge,
}

impl CompareOp {
    /// The SQL operator (never user text).
    pub fn sql(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::Ne => "<>",
            CompareOp::Lt => "<",
            CompareOp::Gt => ">",
            CompareOp::Le => "<=",
            CompareOp::Ge => ">=",
        }
    }
}

/// The value a filter condition compares with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterValue {
    /// Text, compared ignoring case.
    Text(String),
    /// A member id.
    Int(i64),
    /// One UTC day: its first and last millisecond.
    Day {
        /// 00:00:00.000.
        start: i64,
        /// 23:59:59.999.
        end: i64,
    },
}

/// The structured filter of S1: conditions and AND/OR groups of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchFilter {
    /// All (`any = false`) or any (`any = true`) of the items.
    Group {
        /// OR instead of AND.
        any: bool,
        /// Conditions or nested groups.
        items: Vec<SearchFilter>,
    },
    /// `field op value`.
    Compare {
        /// The field.
        field: SearchField,
        /// The operation.
        op: CompareOp,
        /// The value.
        value: FilterValue,
    },
}

/// One bucket of a search (S1): items whose name/title contains the text.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    /// Name/title contains (a `like_pattern`).
    pub pattern: String,
    /// The structured filter, if any.
    pub filter: Option<SearchFilter>,
    /// `None` for admins; else the member whose top-secret visibility applies.
    pub viewer: Option<i64>,
    /// Rows.
    pub window: Window,
}
