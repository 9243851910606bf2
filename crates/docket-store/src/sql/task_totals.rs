//! Exact totals of task lists read from counts that triggers keep, instead of counting the
//! matches: the organization's `task_counts` (migration 0011) for a list filtered by status
//! alone, a tag's `tag_task_counts` (migration 0031) for a list filtered by a tag and status,
//! a member's `member_task_counts` (migration 0032) for a member's list filtered by status, and
//! the organization's `task_day_counts` (migration 0033) for a list filtered by a deadline window
//! or by a status that reads the clock (`day_totals.rs`), and a title word's `word_task_counts`
//! (migration 0035) for a list filtered by a text and status (`word_totals.rs`). Any other list
//! is counted (`task_list.rs`).

use sqlx::Pool;

use super::day_totals::{Days, window_total};
use super::tag_set::TagSet;
use super::task_fragments::{archived_sql, condition_sql};
use super::where_clause::{Arg, Shape, Where, count_where};
use super::word_totals::WordSet;
use super::{Db, IS_PG};
use crate::query::{ArchivedFilter, TaskAssignee, TaskCondition, TaskQuery};

pub(super) const DAY: i64 = 86_400_000;

/// One cell of the kept counts, summed: tasks of one status, problem flag, archived state and,
/// for a tag's or a member's incomplete tasks, deadline before today, today, tomorrow or later
/// (`due_day` -1, 0, 1, 2); for the organization's day counts, the day itself; 0 for the rest.
pub(super) struct Cell {
    pub(super) status: String,
    pub(super) problem: bool,
    pub(super) archived: bool,
    pub(super) due_day: i64,
    pub(super) n: i64,
}

/// The sum of `cells`: the organization's tasks (how many a walk of its rows passes), or a
/// tag's.
pub(super) fn universe(cells: &[Cell]) -> i64 {
    cells.iter().map(|c| c.n).sum()
}

/// The statuses a cell (status, problem flag) holds that a condition takes.
pub(super) fn cell_matches(c: TaskCondition, status: &str, problem: bool) -> Option<bool> {
    let incomplete = status != "completed" && status != "auto-skipped";
    Some(match c {
        TaskCondition::Incomplete => incomplete,
        TaskCondition::Complete => status == "completed",
        TaskCondition::InProgress => status == "in-progress",
        TaskCondition::NotStarted => status == "not-started",
        TaskCondition::HasProblem => problem && status != "auto-skipped",
        // Both depend on the clock (a tag's counts answer them alone, see `tag_total`).
        TaskCondition::Overdue | TaskCondition::DueSoon => return None,
        // Incomplete, less the few whose hard start date is ahead (see `started_ahead`).
        TaskCondition::Active => incomplete,
    })
}

/// Rows of one organization's `task_counts`, or of one tag's or member's counts, that may pile
/// up on PostgreSQL (its triggers only insert deltas) beyond one row per cell before a read
/// folds them.
const DELTAS_FOLDED_ABOVE: i64 = 256;

/// The kept counts of `org` (migration 0011), one per cell.
pub(super) async fn org_counts(pool: &Pool<Db>, org: &str) -> Result<Vec<Cell>, sqlx::Error> {
    let rows: Vec<(String, bool, bool, i64, i64)> = sqlx::query_as(
        "SELECT status, problem, archived, CAST(SUM(n) AS BIGINT), COUNT(*) FROM task_counts
          WHERE org_id = $1 GROUP BY status, problem, archived",
    )
    .bind(org)
    .fetch_all(pool)
    .await?;
    if IS_PG && deltas(rows.iter().map(|r| r.4 - 1)) {
        fold(
            pool,
            "WITH gone AS (DELETE FROM task_counts WHERE org_id = $1 RETURNING status, problem, archived, n)
             INSERT INTO task_counts (org_id, status, problem, archived, n)
             SELECT $1, status, problem, archived, SUM(n) FROM gone GROUP BY status, problem, archived",
            vec![org.to_string()],
        );
    }
    Ok(rows
        .into_iter()
        .map(|(status, problem, archived, n, _)| Cell {
            status,
            problem,
            archived,
            due_day: 0,
            n,
        })
        .collect())
}

/// The kept counts of a subset of `org`'s tasks, one per cell: the tag `tag_id`'s
/// (`tag_task_counts`, migration 0031), one member's (`member_task_counts`, migration 0032) or
/// one title word's (`word_task_counts`, migration 0035).
/// The deadline days are told apart only as before `today`, `today`, the next day or later
/// (-1, 0, 1, 2): all that a status reads of them.
pub(super) async fn subset_counts(
    pool: &Pool<Db>,
    org: &str,
    key: Key<'_>,
    today: i64,
) -> Result<Vec<Cell>, sqlx::Error> {
    let (table, column) = key.counts();
    let sql = format!(
        "SELECT status, problem, archived, CAST(CASE WHEN due_day < $3 THEN -1 WHEN due_day = $3 THEN 0 WHEN due_day = $3 + 1 THEN 1 ELSE 2 END AS BIGINT),
                CAST(SUM(n) AS BIGINT), COUNT(*) - COUNT(DISTINCT due_day)
           FROM {table} WHERE org_id = $1 AND {column} = $2 GROUP BY 1, 2, 3, 4"
    );
    let q = sqlx::query_as::<_, (String, bool, bool, i64, i64, i64)>(&sql).bind(org);
    let rows = match key {
        Key::Tag(id) => q.bind(id),
        Key::Member(id) => q.bind(id),
        Key::Word(word) => q.bind(word),
    }
    .bind(today)
    .fetch_all(pool)
    .await?;
    if IS_PG && deltas(rows.iter().map(|r| r.5)) {
        fold(
            pool,
            match key {
                Key::Tag(_) => {
                    "WITH gone AS (DELETE FROM tag_task_counts WHERE org_id = $1 AND tag_id = $2
                                   RETURNING status, problem, archived, due_day, n)
                     INSERT INTO tag_task_counts (org_id, tag_id, status, problem, archived, due_day, n)
                     SELECT $1, $2, status, problem, archived, due_day, SUM(n) FROM gone
                      GROUP BY status, problem, archived, due_day HAVING SUM(n) <> 0"
                }
                Key::Member(_) => {
                    "WITH gone AS (DELETE FROM member_task_counts WHERE org_id = $1 AND user_id = CAST($2 AS BIGINT)
                                   RETURNING status, problem, archived, due_day, n)
                     INSERT INTO member_task_counts (org_id, user_id, status, problem, archived, due_day, n)
                     SELECT $1, CAST($2 AS BIGINT), status, problem, archived, due_day, SUM(n) FROM gone
                      GROUP BY status, problem, archived, due_day HAVING SUM(n) <> 0"
                }
                Key::Word(_) => {
                    "WITH gone AS (DELETE FROM word_task_counts WHERE org_id = $1 AND word = $2
                                   RETURNING status, problem, archived, due_day, n)
                     INSERT INTO word_task_counts (org_id, word, status, problem, archived, due_day, n)
                     SELECT $1, $2, status, problem, archived, due_day, SUM(n) FROM gone
                      GROUP BY status, problem, archived, due_day HAVING SUM(n) <> 0"
                }
            },
            vec![org.to_string(), key.to_string()],
        );
    }
    Ok(rows
        .into_iter()
        .map(|(status, problem, archived, due_day, n, _)| Cell {
            status,
            problem,
            archived,
            due_day,
            n,
        })
        .collect())
}

/// Whose kept counts a subset's are.
#[derive(Clone, Copy)]
pub(super) enum Key<'a> {
    /// A tag's, by its id.
    Tag(&'a str),
    /// A member's, by their id.
    Member(i64),
    /// A title word's.
    Word(&'a str),
}

impl Key<'_> {
    /// The table of the counts and its key column.
    fn counts(self) -> (&'static str, &'static str) {
        match self {
            Key::Tag(_) => ("tag_task_counts", "tag_id"),
            Key::Member(_) => ("member_task_counts", "user_id"),
            Key::Word(_) => ("word_task_counts", "word"),
        }
    }
}

impl std::fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Tag(id) | Key::Word(id) => f.write_str(id),
            Key::Member(id) => write!(f, "{id}"),
        }
    }
}

/// Whether the rows read are worth folding, given how many rows each group read holds beyond
/// one per cell (a group of a subset's counts holds one cell per deadline day, so its extra
/// rows are its rows less its distinct days).
pub(super) fn deltas(extra: impl Iterator<Item = i64>) -> bool {
    extra.sum::<i64>() > DELTAS_FOLDED_ABOVE
}

/// Runs `sql` (one statement that folds delta rows into one row per cell, over `binds`) in the
/// background, one fold at a time in this process (PostgreSQL only: its triggers insert
/// deltas). One statement, so a reader sees the rows before or after it, with the same sums;
/// a fold that runs beside another node's deletes only the rows it still sees.
pub(super) fn fold(pool: &Pool<Db>, sql: &'static str, binds: Vec<String>) {
    use std::sync::atomic::{AtomicBool, Ordering};
    static FOLDING: AtomicBool = AtomicBool::new(false);
    if FOLDING.swap(true, Ordering::AcqRel) {
        return;
    }
    let pool = pool.clone();
    tokio::spawn(async move {
        let mut q = sqlx::query(sql);
        for b in &binds {
            q = q.bind(b.as_str());
        }
        let _ = q.execute(&pool).await;
        FOLDING.store(false, Ordering::Release);
    });
}

/// Every kept count of `org` and the columns of its cells, for [`fold_all`].
const KEPT: [(&str, &str); 5] = [
    ("task_counts", "status, problem, archived"),
    ("task_day_counts", "due_day, status, problem, archived"),
    ("tag_task_counts", "tag_id, status, problem, archived, due_day"),
    ("member_task_counts", "user_id, status, problem, archived, due_day"),
    ("word_task_counts", "word, status, problem, archived, due_day"),
];

/// Folds every kept count of `org` into one row per cell, then vacuums and analyzes the tables
/// (PostgreSQL only; its triggers insert deltas): after a bulk load (`docket admin seed-demo`),
/// whose thousands of statements leave tens of thousands of delta rows per tag and member that
/// the first reads would otherwise fold one by one, leaving as many dead rows for the
/// autovacuum (where it runs) to clear.
pub(super) async fn fold_all(pool: &Pool<Db>, org: &str) -> Result<(), sqlx::Error> {
    if !IS_PG {
        return Ok(());
    }
    for (table, cell) in KEPT {
        sqlx::query(&format!(
            "WITH gone AS (DELETE FROM {table} WHERE org_id = $1 RETURNING {cell}, n)
             INSERT INTO {table} (org_id, {cell}, n)
             SELECT $1, {cell}, SUM(n) FROM gone GROUP BY {cell} HAVING SUM(n) <> 0"
        ))
        .bind(org)
        .execute(pool)
        .await?;
        sqlx::query(&format!("VACUUM (ANALYZE) {table}")).execute(pool).await?;
    }
    Ok(())
}

/// `q` filters by status, archived state, a deadline window and at most a tag, the tasks of
/// one member (`member`, the list's driving member) or a text: the filters the kept counts
/// follow, as an admin or that member sees them (another viewer's top-secret rule is not
/// kept). Only the organization's day counts follow a window.
pub(super) fn kept_filters_only(q: &TaskQuery, member: Option<i64>) -> bool {
    q.run_id.is_none()
        && q.assignee
            .is_none_or(|a| member.is_some_and(|m| a == TaskAssignee::Member(m)))
        && q.folder.is_empty()
        && q.roles.is_empty()
        && q.is_oneoff != Some(false)
        && q.created_min.is_none()
        && q.created_max.is_none()
        && q.viewer.is_none_or(|v| member == Some(v))
        && (q.owners.is_empty() || member.is_some_and(|m| q.owners == [m]))
        && q.guests.is_empty()
        && q.groups.is_empty()
        && !q.unassigned
}

/// `q` has a deadline window.
fn windowed(q: &TaskQuery) -> bool {
    q.deadline_min.is_some() || q.deadline_max.is_some()
}

/// The kept counts of one member's tasks (migration 0032), one per cell, with the deadline
/// days told apart as [`subset_counts`] does.
pub(super) async fn member_counts(
    pool: &Pool<Db>,
    org: &str,
    member: i64,
    today: i64,
) -> Result<Vec<Cell>, sqlx::Error> {
    subset_counts(pool, org, Key::Member(member), today).await
}

/// The exact total of `q` from kept counts, or `None` for a list they cannot answer (it is
/// counted). `cells` are the counts of the rows the list reads: the organization's
/// ([`org_counts`]), or, for a member's list, that member's ([`member_counts`]), `member`;
/// `tags` and `words` are its tag and its text resolved (`word_set` of `task_list.rs`).
pub(super) async fn kept_total(
    pool: &Pool<Db>,
    org: &str,
    q: &TaskQuery,
    cells: &[Cell],
    tags: Option<&TagSet>,
    member: Option<i64>,
    words: Option<&WordSet>,
) -> Result<Option<i64>, sqlx::Error> {
    if !kept_filters_only(q, member) {
        return Ok(None);
    }
    let clock = q.conditions.iter().any(|c| cell_matches(*c, "", false).is_none());
    match (tags, member, &q.q) {
        (None, None, None) if windowed(q) || clock => window_total(pool, org, q).await,
        _ if windowed(q) => Ok(None),
        (None, None, None) => match status_total(cells, q) {
            Some(total) => Ok(Some(total - started_ahead(pool, org, q, None, Days::ALL).await?)),
            None => Ok(None),
        },
        (Some(tags), None, None) => tag_total(pool, org, q, tags).await,
        (None, Some(id), None) => subset_total(pool, org, q, cells, Rows::Member(id)).await,
        (None, None, Some(_)) => match words {
            Some(words) => subset_total(pool, org, q, &words.cells, Rows::Word(words)).await,
            None => Ok(None),
        },
        _ => Ok(None),
    }
}

/// The total of `q`'s status conditions (and archived state) over `cells`, `None` when a
/// condition depends on the clock. For `active`, the caller subtracts [`started_ahead`]:
/// `active` is taken alone (mixed with another status, a task whose start is ahead could still
/// be in the other set).
fn status_total(cells: &[Cell], q: &TaskQuery) -> Option<i64> {
    let active = q.conditions.contains(&TaskCondition::Active);
    if (active && q.conditions.iter().any(|c| *c != TaskCondition::Active))
        || q.conditions.iter().any(|c| cell_matches(*c, "", false).is_none())
    {
        return None;
    }
    Some(
        cells
            .iter()
            .filter(|c| {
                archived_ok(q, c.archived)
                    && (q.conditions.is_empty()
                        || q.conditions
                            .iter()
                            .any(|k| cell_matches(*k, &c.status, c.problem) == Some(true)))
            })
            .map(|c| c.n)
            .sum(),
    )
}

pub(super) fn archived_ok(q: &TaskQuery, archived: bool) -> bool {
    match q.archived {
        ArchivedFilter::Exclude => !archived,
        ArchivedFilter::Only => archived,
        ArchivedFilter::Include => true,
    }
}

/// The total of a list filtered by the tag `tag` (an id or a title) and status.
async fn tag_total(pool: &Pool<Db>, org: &str, q: &TaskQuery, tags: &TagSet) -> Result<Option<i64>, sqlx::Error> {
    match (&tags.cells, tags.ids.len()) {
        (Some(cells), _) => subset_total(pool, org, q, cells, Rows::Tagged(tags)).await,
        (None, 0) => Ok(Some(0)),
        // One tag by id and another by title: a task of both counts once, which cells cannot tell.
        (None, _) => Ok(None),
    }
}

/// The tasks a subset's kept counts count, for the parts of a total its cells cannot tell.
#[derive(Clone, Copy)]
pub(super) enum Rows<'a> {
    /// The tasks of a tag, on the task or on its run.
    Tagged(&'a TagSet),
    /// One member's tasks: their `member_tasks` rows.
    Member(i64),
    /// The tasks whose title holds a word ([`WordSet`]'s with the most tasks).
    Word(&'a WordSet),
}

impl Rows<'_> {
    /// The subset's test of a row of `tasks t`, bound into `w`.
    fn test(self, w: &mut Where) {
        match self {
            Rows::Tagged(tags) => {
                let clause = tags.sql(w, Shape::Walk);
                w.push(clause);
            }
            Rows::Member(id) => {
                let p = w.bind(Arg::Int(id));
                w.push(format!(
                    "EXISTS (SELECT 1 FROM member_tasks m WHERE m.id = t.id AND m.user_id = {p})"
                ));
            }
            Rows::Word(words) => {
                let clause = words.has_sql(w);
                w.push(clause);
            }
        }
    }

    /// The table whose deadline range a window of the subset reads, as `t`, its rows chosen in
    /// `w`: the organization's tasks, each tested for the tag, or the member's own rows (one
    /// range of their deadline index).
    fn window(self, w: &mut Where) -> &'static str {
        match self {
            Rows::Tagged(_) | Rows::Word(_) => {
                self.test(w);
                "tasks t"
            }
            Rows::Member(id) => {
                let p = w.bind(Arg::Int(id));
                w.push(format!("t.user_id = {p}"));
                "member_tasks t"
            }
        }
    }
}

/// The total of a list of a subset (a tag's, a member's) filtered by status, from the
/// subset's `cells`. The clock's conditions are answered alone: `overdue` from the days before
/// today and a count of today's part on the cheaper side of the clock, `due_soon` (the next
/// 24 hours) from today's or the next day's cells and two counts that together span at most a
/// day, on the cheaper side of the clock (half a day on average, where one count of the window
/// spans a whole day: for a large tag, each task of it is probed for the tag).
async fn subset_total(
    pool: &Pool<Db>,
    org: &str,
    q: &TaskQuery,
    cells: &[Cell],
    rows: Rows<'_>,
) -> Result<Option<i64>, sqlx::Error> {
    let today = today(q);
    let incomplete = |c: &&Cell| {
        archived_ok(q, c.archived) && cell_matches(TaskCondition::Incomplete, &c.status, false) == Some(true)
    };
    let total = match q.conditions.as_slice() {
        [TaskCondition::Overdue] => {
            let before: i64 = cells
                .iter()
                .filter(incomplete)
                .filter(|c| c.due_day < 0)
                .map(|c| c.n)
                .sum();
            let start = today * DAY;
            let past_today = if q.now - start <= DAY / 2 {
                due_between(pool, org, q, rows, start, q.now).await?
            } else {
                let on_today: i64 = cells
                    .iter()
                    .filter(incomplete)
                    .filter(|c| c.due_day == 0)
                    .map(|c| c.n)
                    .sum();
                on_today - due_between(pool, org, q, rows, q.now, start + DAY).await?
            };
            before + past_today
        }
        [TaskCondition::DueSoon] => {
            let on_day = |day: i64| -> i64 {
                cells
                    .iter()
                    .filter(incomplete)
                    .filter(|c| c.due_day == day)
                    .map(|c| c.n)
                    .sum()
            };
            let (start, soon) = (today * DAY, q.now.saturating_add(DAY));
            if q.now - start <= DAY / 2 {
                // Today less its part before the clock, and the next day's part before `soon`.
                on_day(0) - due_between(pool, org, q, rows, start, q.now).await?
                    + due_between(pool, org, q, rows, start + DAY, soon).await?
            } else {
                // Today's part from the clock, and the next day less its part from `soon`.
                due_between(pool, org, q, rows, q.now, start + DAY).await? + on_day(1)
                    - due_between(pool, org, q, rows, soon, start + 2 * DAY).await?
            }
        }
        _ => match status_total(cells, q) {
            Some(total) => total - started_ahead(pool, org, q, Some(rows), Days::ALL).await?,
            None => return Ok(None),
        },
    };
    Ok(Some(total))
}

/// The tasks of `rows` that are incomplete, in `q`'s archived state, with a deadline in
/// `[from, to)`: a range of a deadline index.
async fn due_between(
    pool: &Pool<Db>,
    org: &str,
    q: &TaskQuery,
    rows: Rows<'_>,
    from: i64,
    to: i64,
) -> Result<i64, sqlx::Error> {
    let mut w = Where::default();
    let o = w.bind(Arg::Text(org.to_string()));
    let (f, t) = (w.bind(Arg::Int(from)), w.bind(Arg::Int(to)));
    w.push(format!("t.org_id = {o} AND t.deadline >= {f} AND t.deadline < {t}"));
    w.push(incomplete_sql());
    push_archived(&mut w, q);
    let table = rows.window(&mut w);
    count_where(pool, table, &w).await
}

/// For an `active` list, the incomplete tasks (of `rows`, if given, with a deadline within
/// `days`) whose hard start date is still ahead: few, through the partial index
/// `tasks_org_hard_start`; else 0.
pub(super) async fn started_ahead(
    pool: &Pool<Db>,
    org: &str,
    q: &TaskQuery,
    rows: Option<Rows<'_>>,
    days: Days,
) -> Result<i64, sqlx::Error> {
    if !q.conditions.contains(&TaskCondition::Active) {
        return Ok(0);
    }
    let mut w = Where::default();
    let o = w.bind(Arg::Text(org.to_string()));
    let now = w.bind(Arg::Int(q.now));
    w.push(format!(
        "t.org_id = {o} AND NOT t.is_soft_start_date AND t.started_at > {now}"
    ));
    // The tasks whose start is ahead are found through their index: SQLite would otherwise read
    // a window's range of the deadline index (78,000 entries of two weeks at 1,000,000 tasks).
    days.push(&mut w, if IS_PG { "t.deadline" } else { "+t.deadline" });
    w.push(incomplete_sql());
    push_archived(&mut w, q);
    if let Some(rows) = rows {
        rows.test(&mut w);
    }
    count_where(pool, "tasks t", &w).await
}

pub(super) fn push_archived(w: &mut Where, q: &TaskQuery) {
    if let Some(archived) = archived_sql(q.archived) {
        w.push(archived.into());
    }
}

/// The tasks not yet done, in the terms of the status conditions.
fn incomplete_sql() -> String {
    condition_sql(TaskCondition::Incomplete, "", "", "t.deadline")
}

/// The UTC day of `q`'s clock, in the terms of `tag_task_counts.due_day`.
pub(super) fn today(q: &TaskQuery) -> i64 {
    q.now.div_euclid(DAY)
}
