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

/// Filters and order of a task list. Every list holds only tasks the viewer may see.
#[derive(Debug, Clone)]
pub struct TaskQuery {
    /// Only the tasks of this run.
    pub run_id: Option<String>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("Ab"), "%ab%");
        assert_eq!(like_pattern("50%_x\\"), "%50\\%\\_x\\\\%");
    }
}
