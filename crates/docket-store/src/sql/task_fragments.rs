//! The SQL fragments of a task list's filters (spec §4.0), each in the two shapes a list reads
//! them in: `Drive` (sets that a page or a count starts from) and `Walk` (tests of each row a
//! walk in sort order passes). `task_list.rs` assembles them into one `WHERE` clause.

use super::IS_PG;
use super::where_clause::Shape;
use crate::query::{ArchivedFilter, TaskCondition};

/// The SQL of one derived condition (spec §2.4); `now` and `soon` are placeholders, and
/// `deadline` is the column expression of the deadline for `overdue` (see `task_list.rs::where_clause`):
/// `due_soon` is one day of deadlines, a range narrow enough to start from.
pub(super) fn condition_sql(c: TaskCondition, now: &str, soon: &str, deadline: &str) -> String {
    const INCOMPLETE: &str = "t.status NOT IN ('completed', 'auto-skipped')";
    match c {
        TaskCondition::Active => format!("({INCOMPLETE} AND (t.is_soft_start_date OR t.started_at <= {now}))"),
        TaskCondition::Incomplete => format!("({INCOMPLETE})"),
        TaskCondition::Complete => "(t.status = 'completed')".into(),
        TaskCondition::InProgress => "(t.status = 'in-progress')".into(),
        TaskCondition::NotStarted => "(t.status = 'not-started')".into(),
        TaskCondition::Overdue => format!("({INCOMPLETE} AND {deadline} < {now})"),
        TaskCondition::DueSoon => format!("({INCOMPLETE} AND t.deadline >= {now} AND t.deadline < {soon})"),
        TaskCondition::HasProblem => "(t.problem AND t.status <> 'auto-skipped')".into(),
    }
}

/// The archived state a list takes, as a condition on `t`; `None` for both states.
pub(super) fn archived_sql(archived: ArchivedFilter) -> Option<&'static str> {
    match archived {
        ArchivedFilter::Exclude => Some("t.archived_at IS NULL"),
        ArchivedFilter::Only => Some("t.archived_at IS NOT NULL"),
        ArchivedFilter::Include => None,
    }
}

/// Members assigned directly or through a group, given as placeholders.
pub(super) fn assigned_members_sql(ph: &str, shape: Shape) -> String {
    match shape {
        Shape::Drive => format!(
            "t.id IN (SELECT x.task_id FROM task_users x WHERE x.user_id IN ({ph})
                      UNION SELECT x.task_id FROM task_groups x JOIN group_members m ON m.group_id = x.group_id
                             WHERE m.user_id IN ({ph}))"
        ),
        Shape::Walk => format!(
            "(EXISTS (SELECT 1 FROM task_users x WHERE x.task_id = t.id AND x.user_id IN ({ph}))
              OR EXISTS (SELECT 1 FROM task_groups x JOIN group_members m ON m.group_id = x.group_id
                          WHERE x.task_id = t.id AND m.user_id IN ({ph})))"
        ),
    }
}

/// Guests assigned directly or through a group; `guest` is a condition on `g` (a `guests`
/// row) over placeholders.
pub(super) fn assigned_guests_sql(guest: &str, shape: Shape) -> String {
    match shape {
        Shape::Drive => format!(
            "t.id IN (SELECT x.task_id FROM task_guests x JOIN guests g ON g.id = x.guest_id WHERE {guest}
                      UNION SELECT x.task_id FROM task_groups x JOIN group_guests gg ON gg.group_id = x.group_id
                             JOIN guests g ON g.id = gg.guest_id WHERE {guest})"
        ),
        Shape::Walk => format!(
            "(EXISTS (SELECT 1 FROM task_guests x JOIN guests g ON g.id = x.guest_id
                       WHERE x.task_id = t.id AND {guest})
              OR EXISTS (SELECT 1 FROM task_groups x JOIN group_guests gg ON gg.group_id = x.group_id
                           JOIN guests g ON g.id = gg.guest_id
                          WHERE x.task_id = t.id AND {guest}))"
        ),
    }
}

/// One of the tags `ids` (a placeholder list: the tags a list's `tag` names, resolved) on the
/// task or on its run, through the `(tag_id, subject_type, subject_id)` unique index; the test
/// of a kind of link the tags have none of (`on_tasks`, `on_runs`) is left out.
pub(super) fn tagged_sql(ids: &str, shape: Shape, on_tasks: bool, on_runs: bool) -> String {
    let on = |subject: &str, column: &str| match shape {
        Shape::Drive => format!(
            "t.{column} IN (SELECT l.subject_id FROM tag_links l WHERE l.tag_id IN ({ids}) AND l.subject_type = '{subject}')"
        ),
        Shape::Walk => format!(
            "EXISTS (SELECT 1 FROM tag_links l WHERE l.tag_id IN ({ids}) AND l.subject_type = '{subject}' AND l.subject_id = t.{column})"
        ),
    };
    let tests: Vec<String> = [(on_tasks, "Task", "id"), (on_runs, "Run", "run_id")]
        .into_iter()
        .filter(|(on, _, _)| *on)
        .map(|(_, subject, column)| on(subject, column))
        .collect();
    if tests.is_empty() {
        return "1 = 0".into();
    }
    format!("({})", tests.join(" OR "))
}

/// The task, or its run, is filed directly in one of the folders `f` (a placeholder list). Both sets are small (the objects of
/// one folder, through the `(folder_id, …)` unique index), so either shape reads them as sets.
pub(super) fn filed_sql(org: &str, f: &str) -> String {
    let on = |subject: &str| {
        format!(
            "SELECT o.subject_id FROM folder_objects o
              WHERE o.org_id = {org} AND o.folder_id IN ({f}) AND o.subject_type = '{subject}'"
        )
    };
    format!("(t.id IN ({}) OR t.run_id IN ({}))", on("Task"), on("Run"))
}

/// The task's title or its run's name contains the text of `p`, a [`crate::query::like_pattern`]
/// placeholder whose value is `pattern`. A text index answers it where it helps: on
/// PostgreSQL the trigram indexes of `lower(title)` and `lower(name)`; on SQLite the FTS5
/// trigram tables, for a pattern without escapes (FTS5 cannot use its index under `ESCAPE`).
/// A `Drive` read takes both sets; a `Walk` checks each row's title as it passes, and its run
/// against the set of runs whose name holds the text (read once, far fewer than tasks: testing
/// each row's run by a lookup in `runs` took 0.06 s of a 0.08 s count over one member's
/// 24,000 tasks at 1,000,000).
pub(super) fn text_sql(org: &str, p: &str, pattern: &str, shape: Shape) -> String {
    if IS_PG {
        return format!(
            "({}
              OR t.run_id IN (SELECT r.id FROM runs r WHERE r.org_id = {org} AND lower(r.name) LIKE {p} ESCAPE '\\'))",
            title_sql(p)
        );
    }
    if shape == Shape::Drive && !pattern.contains('\\') {
        // One set (not an OR of two), so that SQLite starts from it instead of scanning tasks.
        return format!(
            "t.id IN (SELECT x.task_id FROM task_text x WHERE x.k IN (SELECT rowid FROM task_fts WHERE task_fts.title LIKE {p})
                      UNION SELECT y.id FROM tasks y WHERE y.run_id IN
                          (SELECT x.run_id FROM run_text x WHERE x.k IN (SELECT rowid FROM run_fts WHERE run_fts.name LIKE {p})))"
        );
    }
    if !pattern.contains('\\') {
        return format!(
            "({}
              OR t.run_id IN (SELECT x.run_id FROM run_text x WHERE x.k IN (SELECT rowid FROM run_fts WHERE run_fts.name LIKE {p})))",
            title_sql(p)
        );
    }
    format!(
        "({}
          OR EXISTS (SELECT 1 FROM runs r WHERE r.id = t.run_id AND lower(r.name) LIKE {p} ESCAPE '\\'))",
        title_sql(p)
    )
}

/// The task's title contains the text of `p`, a [`crate::query::like_pattern`] placeholder,
/// tested row by row. SQLite's `LIKE` already ignores ASCII case, and its `lower()` changes
/// nothing else, so the title is tested as it is: `lower()` on every row was a third of a
/// member's search.
pub(super) fn title_sql(p: &str) -> String {
    if IS_PG {
        format!("lower(t.title) LIKE {p} ESCAPE '\\'")
    } else {
        format!("t.title LIKE {p} ESCAPE '\\'")
    }
}
