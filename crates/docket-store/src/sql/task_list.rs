//! Task lists (spec §4.0): a `WHERE` clause assembled from fixed SQL fragments chosen by the
//! filters of a [`TaskQuery`], with every user-supplied value bound as a parameter, then one
//! count and one page of ids, loaded through `tasks::load`.

use sqlx::Pool;

use super::tag_set::TagSet;
use super::task_fragments::{
    archived_sql, assigned_guests_sql, assigned_members_sql, condition_sql, filed_sql, text_sql,
};
use super::task_totals::{kept_total, member_counts, org_counts, today, universe};
use super::tasks::load;
use super::where_clause::{
    Arg, Lists, Shape, Where, bind_args, bound_ids, count_key, page, remembered_count, walk_passes,
};
use super::word_totals::{WordSet, word_extra, word_set};
use super::{Db, IS_PG};
use crate::model::TaskRecord;
use crate::query::{Sort, TaskAssignee, TaskCondition, TaskQuery, TaskSortColumn};

/// A filter docket can never satisfy (see the callers).
const NOTHING: &str = "1 = 0";

/// The member whose `member_tasks` rows a list reads instead of `tasks`, if it has one: the
/// member of a member's task list, or the one member of `owners`. Those rows are one range of
/// an index in every sort order (migrations 0007, 0011 and 0027), so the page is a short scan
/// and the count covers that member's tasks only; they carry the title, so a text search
/// (`q`) tests that member's rows alone.
fn driving_member(q: &TaskQuery) -> Option<i64> {
    match (q.assignee, q.owners.as_slice()) {
        (Some(TaskAssignee::Member(id)), _) | (_, &[id]) => Some(id),
        _ => None,
    }
}

/// The table a list of tasks reads, as `t`: `member_tasks` (which has every column the
/// filters name) for a list with a driving member, else `tasks`.
fn list_from(driver: Option<i64>) -> &'static str {
    if driver.is_some() { "member_tasks t" } else { "tasks t" }
}

/// SQLite: the table of a list of a large tag's tasks with a problem in deadline order (the
/// default sort), read through the index of the tasks with a problem (migration 0031), about 1 %
/// of them. Since the deadline index carries ids and runs too (migration 0034), both cover the
/// tag's test, and SQLite's sampled statistics (`statistics.rs`) rate them alike: it took the
/// deadline index and passed every task for a page (13-16 ms against 1.7 ms at 1,000,000).
fn problems_of_tag(q: &TaskQuery, driver: Option<i64>, tags: Option<&TagSet>) -> Option<&'static str> {
    let only_tag = driver.is_none()
        && q.run_id.is_none()
        && q.assignee.is_none()
        && q.q.is_none()
        && q.owners.is_empty()
        && q.guests.is_empty()
        && q.groups.is_empty()
        && q.folder.is_empty();
    (!IS_PG
        && only_tag
        && tags.is_some_and(|t| !t.starts)
        && q.conditions == [TaskCondition::HasProblem]
        && q.sort.column == TaskSortColumn::Deadline)
        .then_some("tasks t INDEXED BY tasks_org_problem_deadline")
}

/// The filters of `q` on `list_from(driver)`, in `shape`; `tags` is `q.tag` resolved
/// ([`tag_set`]), `words` its text ([`word_set`]). A tag or a word whose set is too large to
/// start from is tested row by row in either shape, so that the other filters (a deadline
/// window, a status with an index) or the sort order drive the read.
pub(super) fn where_clause(
    org: &str,
    q: &TaskQuery,
    driver: Option<i64>,
    shape: Shape,
    tags: Option<&TagSet>,
    words: Option<&WordSet>,
) -> Where {
    let mut w = Where::default();
    let org = w.bind(Arg::Text(org.to_string()));
    w.push(format!("t.org_id = {org}"));
    if let Some(id) = driver {
        let p = w.bind(Arg::Int(id));
        w.push(format!("t.user_id = {p}"));
    }
    if let Some(run_id) = &q.run_id {
        let p = w.bind(Arg::Text(run_id.clone()));
        w.push(format!("t.run_id = {p}"));
    }
    match q.assignee {
        Some(TaskAssignee::Member(id)) if driver == Some(id) => {}
        Some(TaskAssignee::Member(id)) => {
            let p = w.bind(Arg::Int(id));
            w.push(assigned_members_sql(&p, shape));
        }
        Some(TaskAssignee::Guest(id)) => {
            let p = w.bind(Arg::Int(id));
            w.push(assigned_guests_sql(&format!("g.id = {p}"), shape));
        }
        None => {}
    }
    if let Some(pattern) = &q.q {
        let p = w.bind(Arg::Text(pattern.clone()));
        // Within one member's tasks the text is tested on each of them: their set is read
        // anyway, and a common word's set of the whole organization is far larger (at
        // 1,000,000 tasks, 0.07 s against 0.3 s for a member of 24,500 tasks; BENCHMARKS.md).
        let text_shape = if driving_member(q).is_some() || words.is_some_and(|w| !w.starts) {
            Shape::Walk
        } else {
            shape
        };
        w.push(text_sql(&org, &p, pattern, text_shape));
    }
    let tag_starts = tags.is_some_and(|t| t.starts);
    if let Some(tags) = tags {
        let clause = tags.sql(&mut w, if tag_starts { shape } else { Shape::Walk });
        w.push(clause);
    }
    if !q.folder.is_empty() {
        let f = w.bind_all(q.folder.iter().map(|f| Arg::Text(f.clone())));
        w.push(filed_sql(&org, &f));
    }
    // docket has no roles: no task is assigned to a role.
    if !q.roles.is_empty() {
        w.push(NOTHING.into());
    }
    // Every docket task is a one-off task (`is_oneoff_task` is always true).
    if q.is_oneoff == Some(false) {
        w.push(NOTHING.into());
    }
    if let Some(min) = q.created_min {
        let p = w.bind(Arg::Int(min));
        w.push(format!("t.created_at >= {p}"));
    }
    if let Some(max) = q.created_max {
        let p = w.bind(Arg::Int(max));
        w.push(format!("t.created_at <= {p}"));
    }
    if let Some(archived) = archived_sql(q.archived) {
        w.push(archived.into());
    }
    // The viewer's own rows (their list, or `owners` of just them) are the tasks assigned to
    // them, directly or through a group: every one of them visible to them, top secret or not.
    if let Some(viewer) = q.viewer.filter(|v| driver != Some(*v)) {
        let p = w.bind(Arg::Int(viewer));
        // Few tasks are top secret: checking just those, row by row, beats any set.
        w.push(format!(
            "(NOT t.top_secret OR {})",
            assigned_members_sql(&p, Shape::Walk)
        ));
    }
    // The driving member's own rows need no check; other members do.
    let driven = driver.is_some() && q.owners.as_slice() == [driver.unwrap_or_default()];
    // With a set to start from, SQLite would still take `overdue` for a range of the
    // organization's deadline index (its statistics cannot tell how wide a range is): every
    // past deadline of the organization, read to find a set's few tasks. `+` keeps the index
    // out. (A driving member's rows are no such set: their deadline range is what to read.)
    let other_member = matches!(q.assignee, Some(TaskAssignee::Member(id)) if driver != Some(id));
    let sets = shape == Shape::Drive
        && (other_member
            || matches!(q.assignee, Some(TaskAssignee::Guest(_)))
            || (q.q.is_some() && driver.is_none() && words.is_none_or(|w| w.starts))
            || tag_starts
            || (!q.owners.is_empty() && !driven)
            || !q.guests.is_empty()
            || !q.groups.is_empty());
    // A walk of a member's rows in another sort order than the deadline's: SQLite (3.46, with
    // the statistics of `sqlite_stat4`) would rather read `overdue` as a range of the member's
    // deadline index and sort it, 10-15 ms for a member of 72,000 tasks, where the walk finds a
    // page's matches within a few hundred rows.
    let walks_member = shape == Shape::Walk && driver.is_some() && q.sort.column != TaskSortColumn::Deadline;
    let deadline = if (sets || walks_member) && !IS_PG {
        "+t.deadline"
    } else {
        "t.deadline"
    };
    for clause in window_clauses(&mut w, q, deadline) {
        w.push(clause);
    }
    if !q.owners.is_empty() && !driven {
        let ph = w.bind_all(q.owners.iter().map(|u| Arg::Int(*u)));
        w.push(assigned_members_sql(&ph, shape));
    }
    if !q.guests.is_empty() {
        let ph = w.bind_all(q.guests.iter().map(|g| Arg::Text(g.clone())));
        w.push(assigned_guests_sql(&format!("g.email IN ({ph})"), shape));
    }
    if !q.groups.is_empty() {
        let ph = w.bind_all(q.groups.iter().map(|g| Arg::Text(g.clone())));
        w.push(match shape {
            Shape::Drive => format!("t.id IN (SELECT x.task_id FROM task_groups x WHERE x.group_id IN ({ph}))"),
            Shape::Walk => {
                format!("EXISTS (SELECT 1 FROM task_groups x WHERE x.task_id = t.id AND x.group_id IN ({ph}))")
            }
        });
    }
    if q.unassigned {
        w.push(
            "NOT EXISTS (SELECT 1 FROM task_users x WHERE x.task_id = t.id)
             AND NOT EXISTS (SELECT 1 FROM task_guests x WHERE x.task_id = t.id)
             AND NOT EXISTS (SELECT 1 FROM task_groups x WHERE x.task_id = t.id)
             AND t.status <> 'auto-skipped'"
                .into(),
        );
    }
    w
}

/// The clauses of `q`'s status conditions and deadline window (bound into `w`), on the
/// deadline column `deadline`: what sets the inbox's views apart, see [`counts`].
fn window_clauses(w: &mut Where, q: &TaskQuery, deadline: &str) -> Vec<String> {
    let mut out = Vec::new();
    if !q.conditions.is_empty() {
        let now = w.bind(Arg::Now(q.now));
        let soon = w.bind(Arg::Now(q.now.saturating_add(86_400_000)));
        let any: Vec<String> = q
            .conditions
            .iter()
            .map(|c| condition_sql(*c, &now, &soon, deadline))
            .collect();
        out.push(format!("({})", any.join(" OR ")));
    }
    if let Some(min) = q.deadline_min {
        let p = w.bind(Arg::Int(min));
        out.push(format!("t.deadline >= {p}"));
    }
    if let Some(max) = q.deadline_max {
        let p = w.bind(Arg::Int(max));
        out.push(format!("t.deadline <= {p}"));
    }
    out
}

/// The `ORDER BY` list of a sort: fixed SQL per column, ties by `increment_id`. `sorted` asks
/// SQLite to sort the matches rather than walk a sort index (see [`list`]): each term is
/// written `+term`, which no index matches.
fn order_by(sort: Sort<TaskSortColumn>, sorted: bool) -> String {
    let dir = sort.direction();
    let keys: Vec<String> = match sort.column {
        TaskSortColumn::Position => vec![format!("t.position {dir}")],
        TaskSortColumn::Deadline => vec![format!("t.deadline {dir}")],
        TaskSortColumn::CreatedAt => vec![format!("t.created_at {dir}")],
        // Completed first, newest first, in the terms of the index `tasks_org_completed`
        // (SQLite puts NULLs last in a descending order, PostgreSQL is told to).
        TaskSortColumn::CompletedAt if sort.desc && IS_PG => vec!["t.completed_at DESC NULLS LAST".into()],
        TaskSortColumn::CompletedAt if sort.desc => vec!["t.completed_at DESC".into()],
        TaskSortColumn::CompletedAt => vec![
            "CASE WHEN t.completed_at IS NULL THEN 1 ELSE 0 END".into(),
            format!("t.completed_at {dir}"),
        ],
        // Problems first (a true flag sorts after a false one on both backends), then by
        // deadline: the index `tasks_org_problems`.
        TaskSortColumn::Problems => vec!["t.problem DESC".into(), "t.deadline ASC".into()],
        // Byte order of the lower-cased title on both backends (PostgreSQL would otherwise
        // apply the database's locale collation).
        TaskSortColumn::Title if IS_PG => vec![format!("lower(t.title) COLLATE \"C\" {dir}")],
        TaskSortColumn::Title => vec![format!("lower(t.title) {dir}")],
    };
    let tie = if sort.column == TaskSortColumn::CreatedAt && sort.desc {
        "DESC"
    } else {
        "ASC"
    };
    let plus = if sorted && !IS_PG { "+" } else { "" };
    keys.iter()
        .chain(std::iter::once(&format!("t.increment_id {tie}")))
        .map(|k| format!("{plus}{k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `q.tag` resolved to the tags it names, if `q` has one.
async fn tag_set(pool: &Pool<Db>, lists: &Lists, org: &str, q: &TaskQuery) -> Result<Option<TagSet>, sqlx::Error> {
    match &q.tag {
        Some(tag) => Ok(Some(TagSet::of(pool, org, tag, today(q), lists.drive_max).await?)),
        None => Ok(None),
    }
}

/// One page of the tasks of `org` matching `q`, and the number of matches.
pub(crate) async fn list(
    pool: &Pool<Db>,
    lists: Lists,
    org: &str,
    q: &TaskQuery,
) -> Result<(Vec<TaskRecord>, i64), sqlx::Error> {
    let driver = driving_member(q);
    let tags = tag_set(pool, &lists, org, q).await?;
    let words = word_set(pool, &lists, org, q, driver).await?;
    let filter = |shape| where_clause(org, q, driver, shape, tags.as_ref(), words.as_ref());
    let from = problems_of_tag(q, driver, tags.as_ref()).unwrap_or(list_from(driver));
    // The kept counts of the rows the list reads: the organization's, or its member's.
    let cells = match driver {
        None => org_counts(pool, org).await?,
        Some(id) => member_counts(pool, org, id, today(q)).await?,
    };
    let w = filter(Shape::Drive);
    let total = match kept_total(pool, org, q, &cells, tags.as_ref(), driver, words.as_ref()).await? {
        Some(total) => total + word_extra(pool, org, q, words.as_ref()).await?,
        None => remembered_count(pool, &lists, &w, from).await?,
    };
    let universe = universe(&cells);
    // A member's rows are one range of an index in every sort order. When a walk of it would
    // pass far more rows than match (a few hundred problems, or deadlines of the next day,
    // among tens of thousands), SQLite is told to sort the matches, found through an index of
    // their own (the member's deadline order, `member_tasks_problem`).
    let sorted =
        driver.is_some() && total <= lists.drive_max && walk_passes(q.window, total, universe) > i128::from(total);
    let order = order_by(q.sort, sorted);
    let by_completion = q.sort.column == TaskSortColumn::CompletedAt && q.sort.desc;
    let ids = if by_completion && only_incomplete(q) && total > lists.drive_max {
        let on_tasks = |shape| where_clause(org, q, None, shape, tags.as_ref(), words.as_ref());
        incomplete_by_completion(pool, on_tasks, filter, from, &order, q.window).await?
    } else {
        // PostgreSQL plans the page from its estimate of the text test, and walked the
        // deadline index testing each title: a word of 4,200 tasks written lately (near the
        // clock) took 1.1-2.3 s a page at 1,000,000 tasks. Behind `OFFSET 0` the matches are
        // a set it cannot walk in sort order, read through the trigram index, then sorted.
        let fenced = (IS_PG && words.as_ref().is_some_and(|w| w.starts)).then(|| {
            (
                format!("(SELECT t.* FROM tasks t WHERE {} OFFSET 0) t", w.sql()),
                w.args.clone(),
            )
        });
        let outer = |args: &Vec<Arg>| {
            let mut o = Where::default();
            o.args = args.clone();
            o.push("TRUE".into());
            o
        };
        let (w, by, from): (Where, &(dyn Fn(Shape) -> Where + Sync), &str) = match &fenced {
            Some((sql, args)) => (outer(args), &|_| outer(args), sql),
            None => (w, &filter, from),
        };
        page(pool, &lists, w, by, from, "t", &order, q.window, total, Some(universe)).await?
    };
    Ok((load(pool, org, &ids).await?, total))
}

/// The number of matches of each of `qs`. Lists of one member with a search that differ only
/// in their status conditions and deadline windows (the inbox's views, due today, overdue,
/// upcoming and completed, while searching) are counted by one statement over that member's
/// rows, and each total is remembered as that list's own (the key [`list`] counts under), so
/// that the list of the view shown next finds its total; the text is tested once per row, not
/// once per view. Any other set of lists is counted list by list, at once.
pub(crate) async fn counts(
    pool: &Pool<Db>,
    lists: Lists,
    org: &str,
    qs: &[TaskQuery],
) -> Result<Vec<i64>, sqlx::Error> {
    let mut tag_sets = Vec::with_capacity(qs.len());
    for q in qs {
        tag_sets.push(tag_set(pool, &lists, org, q).await?);
    }
    let own: Vec<(Where, &str)> = qs
        .iter()
        .zip(&tag_sets)
        .map(|(q, tags)| {
            let member = driving_member(q);
            (
                where_clause(org, q, member, Shape::Drive, tags.as_ref(), None),
                list_from(member),
            )
        })
        .collect();
    let keys: Vec<String> = own.iter().map(|(w, from)| count_key(w, from).1).collect();
    let known: Option<Vec<i64>> = keys.iter().map(|k| lists.counts.fresh(k, &lists.generation)).collect();
    if let Some(known) = known {
        return Ok(known);
    }
    let member = qs.first().and_then(driving_member);
    // Each list's filters without its status conditions and window, its own tag included.
    let common = |q: &TaskQuery, tags: &Option<TagSet>| {
        let mut c = q.clone();
        c.conditions.clear();
        (c.deadline_min, c.deadline_max) = (None, None);
        where_clause(org, &c, member, Shape::Drive, tags.as_ref(), None)
    };
    let Some(first) = qs.first().zip(tag_sets.first()).map(|(q, tags)| common(q, tags)) else {
        return Ok(Vec::new());
    };
    let from = list_from(member);
    let first_key = count_key(&first, from).1;
    // Grouping pays for a search: the text is tested once per row instead of once per view.
    // Without one, each view reads its own range of the member's deadline index, cheaper than
    // evaluating every view on every row (at 56,000 tasks of one member: 5-8 ms each against
    // 23-36 ms for the four in one).
    let one_member = member.is_some() && qs.iter().all(|q| driving_member(q) == member && q.q.is_some());
    if !one_member
        || qs
            .iter()
            .zip(&tag_sets)
            .any(|(q, tags)| count_key(&common(q, tags), from).1 != first_key)
    {
        let each = own.iter().map(|(w, from)| remembered_count(pool, &lists, w, from));
        return futures_util::future::try_join_all(each).await;
    }
    let mut w = first;
    let cases: Vec<String> = qs
        .iter()
        .map(|q| {
            let clauses = window_clauses(&mut w, q, "t.deadline");
            let when = if clauses.is_empty() {
                "1 = 1".to_string()
            } else {
                clauses.join(" AND ")
            };
            format!("COUNT(CASE WHEN {when} THEN 1 END)")
        })
        .collect();
    let sql = format!("SELECT {} FROM {from} WHERE {}", cases.join(", "), w.sql());
    let read_at = lists.generation.current();
    let started = std::time::Instant::now();
    let row = bind_args!(sqlx::query(&sql), &w.args).fetch_one(pool).await?;
    let took = started.elapsed();
    let mut out = Vec::with_capacity(qs.len());
    for (i, key) in keys.into_iter().enumerate() {
        let n: i64 = sqlx::Row::try_get(&row, i)?;
        lists.counts.put_read_in(key, read_at, &lists.generation, n, took);
        out.push(n);
    }
    Ok(out)
}

/// Every condition of `q` holds for incomplete tasks only (and there is one).
fn only_incomplete(q: &TaskQuery) -> bool {
    !q.conditions.is_empty()
        && q.conditions.iter().all(|c| {
            matches!(
                c,
                TaskCondition::Active
                    | TaskCondition::Incomplete
                    | TaskCondition::InProgress
                    | TaskCondition::NotStarted
                    | TaskCondition::Overdue
                    | TaskCondition::DueSoon
            )
        })
}

/// A window of incomplete tasks newest completion first: in that order the completed tasks
/// come first, and a walk filtered to incomplete ones would pass every one of them. So the
/// window is read in two parts of the same order: the few incomplete tasks that keep a
/// completion time (from `tasks`, `on_tasks`, through the partial index `tasks_org_reopened`),
/// then those without one (`filter` on `from`: one range of `tasks_org_completed`, or of a
/// member's `member_tasks_completed`, in `increment_id` order).
async fn incomplete_by_completion(
    pool: &Pool<Db>,
    on_tasks: impl Fn(Shape) -> Where,
    filter: impl Fn(Shape) -> Where,
    from: &str,
    order: &str,
    window: crate::query::Window,
) -> Result<Vec<String>, sqlx::Error> {
    let limit = window.sql_limit().clamp(0, 1 << 40);
    let reach = window.offset.saturating_add(limit);
    let mut w = on_tasks(Shape::Walk);
    let p = w.bind(Arg::Int(reach));
    let sql = format!(
        "SELECT t.id FROM tasks t WHERE {} AND t.completed_at IS NOT NULL AND t.status NOT IN ('completed', 'auto-skipped')
          ORDER BY {order} LIMIT {p}",
        w.sql()
    );
    let kept: Vec<String> = bound_ids(&sql, &w.args).fetch_all(pool).await?;
    let skipped = window.offset.min(kept.len() as i64);
    let mut ids: Vec<String> = kept.into_iter().skip(skipped as usize).collect();
    let wanted = limit - ids.len() as i64;
    if wanted > 0 {
        let mut w = filter(Shape::Walk);
        let (l, o) = (w.bind(Arg::Int(wanted)), w.bind(Arg::Int(window.offset - skipped)));
        let sql = format!(
            "SELECT t.id FROM {from} WHERE {} AND t.completed_at IS NULL ORDER BY {order} LIMIT {l} OFFSET {o}",
            w.sql()
        );
        ids.extend(bound_ids(&sql, &w.args).fetch_all(pool).await?);
    }
    Ok(ids)
}

/// Every task of `org` matching `q` (its window aside), in order, sent to `tx` in batches of
/// `batch`: `without_pagination` at any size. One connection walks the ids in sort order (the
/// default sorts follow an index, and sets are built only when they hold at most
/// `drive_max` tasks, so memory stays flat); the batches are loaded on another. Stops early, without error, when the receiver is gone.
pub(crate) async fn stream(
    pool: &Pool<Db>,
    lists: Lists,
    org: &str,
    q: &TaskQuery,
    batch: usize,
    tx: &tokio::sync::mpsc::Sender<crate::StoreResult<Vec<TaskRecord>>>,
) -> Result<(), sqlx::Error> {
    use futures_util::TryStreamExt;

    let driver = driving_member(q);
    let tags = tag_set(pool, &lists, org, q).await?;
    // A selective filter (a guest's or another member's tasks, text, a tag) walked in sort
    // order checks every task of the organization; when its sets hold few tasks (counted as a
    // list's total is, and remembered with it), the ids are read from the sets instead.
    let (drive, walk) = (
        where_clause(org, q, driver, Shape::Drive, tags.as_ref(), None),
        where_clause(org, q, driver, Shape::Walk, tags.as_ref(), None),
    );
    let w = if drive.sql() != walk.sql()
        && remembered_count(pool, &lists, &drive, list_from(driver)).await? <= lists.drive_max
    {
        drive
    } else {
        walk
    };
    let sql = format!(
        "SELECT t.id FROM {} WHERE {} ORDER BY {}",
        list_from(driver),
        w.sql(),
        order_by(q.sort, false)
    );
    let mut cursor = pool.acquire().await?;
    let mut ids_query = bound_ids(&sql, &w.args).fetch(&mut *cursor);
    let mut ids = Vec::with_capacity(batch);
    loop {
        let next = ids_query.try_next().await?;
        let end = next.is_none();
        ids.extend(next);
        if ids.len() >= batch || (end && !ids.is_empty()) {
            let records = load(pool, org, &ids).await?;
            ids.clear();
            if tx.send(Ok(records)).await.is_err() {
                return Ok(());
            }
        }
        if end {
            return Ok(());
        }
    }
}
