//! Search (S1): runs by name, tasks by title, templates by title, their steps by title and
//! their captures and kick-off fields by label, narrowed by the structured filter, which is
//! turned into SQL from fixed column expressions and operators with every value bound.

use sqlx::Pool;

use super::run_list::visible_task_sql;
use super::where_clause::{self, Arg, Lists, Shape, Where, count_and_page, count_where, remembered_count};
use super::word_totals::WordSet;
use super::{Db, IS_PG};
use crate::model::{CaptureHit, RunRecord, StepHit, TaskRecord, TemplateRow};
use crate::query::{CompareOp, FilterValue, SearchField, SearchFilter, SearchQuery};

/// What a bucket searches.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    /// `runs r`.
    Run,
    /// `tasks t`.
    Task,
    /// `checklists c`.
    Template,
    /// `steps s` of `checklists c`.
    Step,
    /// `template_fields f` of `checklists c`.
    Capture,
}

/// How a field is stored.
enum Column {
    /// Text, compared lower-cased.
    Text(&'static str),
    /// An integer.
    Int(&'static str),
    /// Epoch ms, compared by UTC day.
    Time(&'static str),
}

fn column(target: Target, field: SearchField) -> Option<Column> {
    Some(match (target, field) {
        (Target::Run, SearchField::Title) => Column::Text("lower(r.name)"),
        (Target::Run, SearchField::Description) => Column::Text("lower(COALESCE(r.summary, ''))"),
        (Target::Run, SearchField::Starter) => Column::Int("r.started_by"),
        (Target::Run, SearchField::Date) => Column::Time("r.created_at"),
        (Target::Task, SearchField::Title) => Column::Text("lower(t.title)"),
        (Target::Task, SearchField::Starter) => Column::Int("t.starter_id"),
        (Target::Task, SearchField::Description | SearchField::Date) => return None,
        (Target::Template, SearchField::Title) => Column::Text("lower(c.title)"),
        (Target::Template, SearchField::Description) => Column::Text("lower(COALESCE(c.summary, ''))"),
        (Target::Template, SearchField::Starter) => Column::Int("c.created_by"),
        (Target::Template, SearchField::Date) => Column::Time("c.created_at"),
        (Target::Step, SearchField::Title) => Column::Text("lower(s.title)"),
        // A capture's `label` is filtered as its title.
        (Target::Capture, SearchField::Title) => Column::Text("lower(f.label)"),
        (Target::Step | Target::Capture, _) => return None,
    })
}

/// The SQL of a filter; a field the target lacks or a value of the wrong kind matches nothing
/// (the API layer refuses both before they get here).
fn filter_sql(w: &mut Where, target: Target, f: &SearchFilter) -> String {
    match f {
        SearchFilter::Group { any, items } => {
            if items.is_empty() {
                return "1 = 1".into();
            }
            let parts: Vec<String> = items.iter().map(|i| filter_sql(w, target, i)).collect();
            format!("({})", parts.join(if *any { " OR " } else { " AND " }))
        }
        SearchFilter::Compare { field, op, value } => {
            let op_sql = op.sql();
            match (column(target, *field), value) {
                (Some(Column::Text(col)), FilterValue::Text(s)) => {
                    let p = w.bind(Arg::Text(s.to_lowercase()));
                    // Byte order on both backends (PostgreSQL would otherwise use its locale).
                    let collate = if IS_PG { " COLLATE \"C\"" } else { "" };
                    format!("{col}{collate} {op_sql} {p}")
                }
                (Some(Column::Int(col)), FilterValue::Int(v)) => {
                    let p = w.bind(Arg::Int(*v));
                    format!("{col} {op_sql} {p}")
                }
                (Some(Column::Time(col)), FilterValue::Day { start, end }) => {
                    let s = w.bind(Arg::Int(*start));
                    let e = w.bind(Arg::Int(*end));
                    match op {
                        CompareOp::Eq => format!("({col} >= {s} AND {col} <= {e})"),
                        CompareOp::Ne => format!("({col} < {s} OR {col} > {e})"),
                        CompareOp::Lt => format!("{col} < {s}"),
                        CompareOp::Le => format!("{col} <= {e}"),
                        CompareOp::Gt => format!("{col} > {e}"),
                        CompareOp::Ge => format!("{col} >= {s}"),
                    }
                }
                _ => "1 = 0".into(),
            }
        }
    }
}

/// Runs the count and the page of ids of `FROM {from} WHERE …`, newest first.
async fn page(
    pool: &Pool<Db>,
    lists: Lists,
    filter: impl Fn() -> Where,
    from: &str,
    alias: &str,
    q: &SearchQuery,
) -> Result<(Vec<String>, i64), sqlx::Error> {
    let order = format!("{alias}.created_at DESC, {alias}.increment_id DESC");
    count_and_page(pool, lists, |_| filter(), from, alias, &order, q.window).await
}

/// The `process` bucket: non-archived runs whose name contains the text.
pub(crate) async fn runs(
    pool: &Pool<Db>,
    lists: Lists,
    org: &str,
    q: &SearchQuery,
    now: i64,
) -> Result<(Vec<RunRecord>, i64), sqlx::Error> {
    let (ids, total) = page(pool, lists, || runs_where(org, q), "runs r", "r", q).await?;
    Ok((super::runs::load(pool, org, &ids, now).await?, total))
}

fn runs_where(org: &str, q: &SearchQuery) -> Where {
    let mut w = Where::default();
    let o = w.bind(Arg::Text(org.to_string()));
    w.push(format!("r.org_id = {o} AND r.archived_at IS NULL"));
    let p = w.bind(Arg::Text(q.pattern.clone()));
    w.push(format!("lower(r.name) LIKE {p} ESCAPE '\\'"));
    if let Some(f) = &q.filter {
        let sql = filter_sql(&mut w, Target::Run, f);
        w.push(sql);
    }
    w
}

/// The `task` bucket: non-archived tasks the viewer may see whose title contains the text.
pub(crate) async fn tasks(
    pool: &Pool<Db>,
    lists: Lists,
    org: &str,
    q: &SearchQuery,
) -> Result<(Vec<TaskRecord>, i64), sqlx::Error> {
    let filter = |shape| tasks_where(org, q, shape);
    let w = filter(Shape::Drive);
    // A word's total, as an admin sees it, is read from its kept counts (`word_totals.rs`);
    // any other text is counted.
    let words = match (&q.filter, q.viewer) {
        (None, None) => WordSet::of(pool, org, &q.pattern, 0, false, 0).await?,
        _ => None,
    };
    let kept = match words {
        Some(words) => Some(words_total(pool, org, q, &words).await?),
        None => None,
    };
    let total = match kept {
        Some(total) => total,
        None => remembered_count(pool, &lists, &w, "tasks t").await?,
    };
    // A page of many matches walks the organization's tasks newest first: tell `page` how
    // many, so that it reads a page of few matches from the text index instead.
    let universe: Option<i64> = sqlx::query_scalar("SELECT CAST(SUM(n) AS BIGINT) FROM task_counts WHERE org_id = $1")
        .bind(org)
        .fetch_one(pool)
        .await?;
    let order = "t.created_at DESC, t.increment_id DESC";
    let ids = where_clause::page(
        pool, &lists, w, filter, "tasks t", "t", order, q.window, total, universe,
    )
    .await?;
    Ok((super::tasks::load(pool, org, &ids).await?, total))
}

/// The total of the task bucket from the counts of `words`, the text's words (every status is
/// summed, so how their deadline days are grouped does not matter): the cells of its word
/// with the most tasks that are not archived, and the matches with only its other words.
async fn words_total(pool: &Pool<Db>, org: &str, q: &SearchQuery, words: &WordSet) -> Result<i64, sqlx::Error> {
    let title: i64 = words.cells.iter().filter(|c| !c.archived).map(|c| c.n).sum();
    let mut w = tasks_where(org, q, Shape::Walk);
    let Some(others) = words.others_sql(&mut w) else {
        return Ok(title);
    };
    w.push(others);
    Ok(title + count_where(pool, "tasks t", &w).await?)
}

/// The `WHERE` of the task bucket. In the `Drive` shape on SQLite, a pattern without escapes
/// is first looked up in the FTS5 trigram index of task titles (the rows it finds are then
/// checked with the same `LIKE`, so the matches are exactly those of the `Walk` shape);
/// PostgreSQL answers the `LIKE` from its trigram index in either shape.
fn tasks_where(org: &str, q: &SearchQuery, shape: Shape) -> Where {
    let mut w = Where::default();
    let o = w.bind(Arg::Text(org.to_string()));
    w.push(format!("t.org_id = {o} AND t.archived_at IS NULL"));
    let p = w.bind(Arg::Text(q.pattern.clone()));
    if !IS_PG && shape == Shape::Drive && !q.pattern.contains('\\') {
        w.push(format!(
            "t.id IN (SELECT x.task_id FROM task_text x WHERE x.k IN (SELECT rowid FROM task_fts WHERE task_fts.title LIKE {p}))"
        ));
    }
    w.push(format!("lower(t.title) LIKE {p} ESCAPE '\\'"));
    let visible = visible_task_sql(&mut w, q.viewer);
    w.push(visible);
    if let Some(f) = &q.filter {
        let sql = filter_sql(&mut w, Target::Task, f);
        w.push(sql);
    }
    w
}

/// The `WHERE` of a template bucket: the organization's non-archived templates, `text` (a
/// column expression) containing the pattern, and the filter on `target`.
fn template_where(org: &str, q: &SearchQuery, target: Target, text: &str) -> Where {
    let mut w = Where::default();
    let o = w.bind(Arg::Text(org.to_string()));
    w.push(format!("c.org_id = {o} AND c.archived_at IS NULL"));
    let p = w.bind(Arg::Text(q.pattern.clone()));
    w.push(format!("{text} LIKE {p} ESCAPE '\\'"));
    if let Some(f) = &q.filter {
        let sql = filter_sql(&mut w, target, f);
        w.push(sql);
    }
    w
}

/// The `blueprint` bucket: non-archived templates whose title contains the text, newest first.
pub(crate) async fn templates(
    pool: &Pool<Db>,
    lists: Lists,
    org: &str,
    q: &SearchQuery,
) -> Result<(Vec<TemplateRow>, i64), sqlx::Error> {
    let filter = || template_where(org, q, Target::Template, "lower(c.title)");
    let (ids, total) = page(pool, lists, filter, "checklists c", "c", q).await?;
    Ok((super::templates::by_ids(pool, org, &ids).await?, total))
}

/// The `step` bucket: steps of non-archived templates whose title contains the text, newest
/// first.
pub(crate) async fn steps(
    pool: &Pool<Db>,
    lists: Lists,
    org: &str,
    q: &SearchQuery,
) -> Result<(Vec<StepHit>, i64), sqlx::Error> {
    let from = "steps s JOIN checklists c ON c.id = s.checklist_id";
    let filter = |_| template_where(org, q, Target::Step, "lower(s.title)");
    let order = "s.created_at DESC, s.id DESC";
    let (ids, total) = count_and_page(pool, lists, filter, from, "s", order, q.window).await?;
    let mut hits: Vec<StepHit> = Vec::new();
    for id in ids {
        let hit = sqlx::query_as::<_, StepHit>(
            "SELECT s.id, s.title, s.alias, s.step_type, s.position, s.checklist_id, c.title AS checklist_title,
                    s.created_at FROM steps s JOIN checklists c ON c.id = s.checklist_id WHERE s.id = $1",
        )
        .bind(&id)
        .fetch_optional(pool)
        .await?;
        hits.extend(hit);
    }
    Ok((hits, total))
}

/// The `capture` bucket: step captures and kick-off fields of non-archived templates whose
/// label contains the text, newest first.
pub(crate) async fn captures(
    pool: &Pool<Db>,
    lists: Lists,
    org: &str,
    q: &SearchQuery,
) -> Result<(Vec<CaptureHit>, i64), sqlx::Error> {
    let from = "template_fields f JOIN checklists c ON c.id = f.checklist_id";
    let filter = |_| template_where(org, q, Target::Capture, "lower(f.label)");
    let order = "f.created_at DESC, f.id DESC";
    let (ids, total) = count_and_page(pool, lists, filter, from, "f", order, q.window).await?;
    let mut hits: Vec<CaptureHit> = Vec::new();
    for id in ids {
        let hit = sqlx::query_as::<_, CaptureHit>(
            "SELECT f.id, f.label, f.alias, f.field_type, f.step_id, f.checklist_id, c.title AS checklist_title,
                    f.created_at FROM template_fields f JOIN checklists c ON c.id = f.checklist_id WHERE f.id = $1",
        )
        .bind(&id)
        .fetch_optional(pool)
        .await?;
        hits.extend(hit);
    }
    Ok((hits, total))
}
