//! Task lists (spec §4.0): a `WHERE` clause assembled from fixed SQL fragments chosen by the
//! filters of a [`TaskQuery`], with every user-supplied value bound as a parameter, then one
//! count and one page of ids, loaded through `tasks::load`.

use sqlx::Pool;

use super::tags::title_key;
use super::tasks::load;
use super::where_clause::{Arg, Lists, Shape, Where, bound_ids, count_and_page};
use super::{Db, IS_PG};
use crate::model::TaskRecord;
use crate::query::{ArchivedFilter, Sort, TaskAssignee, TaskCondition, TaskQuery, TaskSortColumn};

/// The SQL of one derived condition (spec §2.4); `now` and `soon` are placeholders.
fn condition_sql(c: TaskCondition, now: &str, soon: &str) -> String {
    const INCOMPLETE: &str = "t.status NOT IN ('completed', 'auto-skipped')";
    match c {
        TaskCondition::Active => format!("({INCOMPLETE} AND (t.is_soft_start_date OR t.started_at <= {now}))"),
        TaskCondition::Incomplete => format!("({INCOMPLETE})"),
        TaskCondition::Complete => "(t.status = 'completed')".into(),
        TaskCondition::InProgress => "(t.status = 'in-progress')".into(),
        TaskCondition::NotStarted => "(t.status = 'not-started')".into(),
        TaskCondition::Overdue => format!("({INCOMPLETE} AND t.deadline < {now})"),
        TaskCondition::DueSoon => format!("({INCOMPLETE} AND t.deadline >= {now} AND t.deadline < {soon})"),
        TaskCondition::HasProblem => "(t.problem AND t.status <> 'auto-skipped')".into(),
    }
}

/// Members assigned directly or through a group, given as placeholders.
fn assigned_members_sql(ph: &str, shape: Shape) -> String {
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
fn assigned_guests_sql(guest: &str, shape: Shape) -> String {
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

/// A tag of `org` named by `id` or by `key` (a `title_key`) on the task or on its run.
fn tagged_sql(org: &str, id: &str, key: &str, shape: Shape) -> String {
    let tag = format!("g.org_id = {org} AND (g.id = {id} OR g.title_key = {key})");
    let on = |subject: &str| {
        format!(
            "SELECT l.subject_id FROM tag_links l JOIN tags g ON g.id = l.tag_id WHERE l.subject_type = '{subject}' AND {tag}"
        )
    };
    match shape {
        Shape::Drive => format!("(t.id IN ({}) OR t.run_id IN ({}))", on("Task"), on("Run")),
        Shape::Walk => format!(
            "(EXISTS (SELECT 1 FROM tag_links l JOIN tags g ON g.id = l.tag_id
                       WHERE l.subject_type = 'Task' AND l.subject_id = t.id AND {tag})
              OR EXISTS (SELECT 1 FROM tag_links l JOIN tags g ON g.id = l.tag_id
                          WHERE l.subject_type = 'Run' AND l.subject_id = t.run_id AND {tag}))"
        ),
    }
}

/// The task, or its run, is filed directly in one of the folders `f` (a placeholder list). Both sets are small (the objects of
/// one folder, through the `(folder_id, …)` unique index), so either shape reads them as sets.
fn filed_sql(org: &str, f: &str) -> String {
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
/// trigram tables, for a `Drive` read of a pattern without escapes (FTS5 cannot use its index
/// under `ESCAPE`). A `Walk` checks each row it passes.
fn text_sql(org: &str, p: &str, pattern: &str, shape: Shape) -> String {
    if IS_PG {
        return format!(
            "(lower(t.title) LIKE {p} ESCAPE '\\'
              OR t.run_id IN (SELECT r.id FROM runs r WHERE r.org_id = {org} AND lower(r.name) LIKE {p} ESCAPE '\\'))"
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
    format!(
        "(lower(t.title) LIKE {p} ESCAPE '\\'
          OR EXISTS (SELECT 1 FROM runs r WHERE r.id = t.run_id AND lower(r.name) LIKE {p} ESCAPE '\\'))"
    )
}

/// A filter docket can never satisfy (see the callers).
const NOTHING: &str = "1 = 0";

/// The member whose `member_tasks` rows a list reads instead of `tasks`, if it has one: the
/// member of a member's task list, or the one member of `owners`, unless a filter or the sort
/// needs the title, which `member_tasks` does not hold. Those rows are one range of an index
/// in the default sort order, so the page is a short scan and the count covers that member's
/// tasks only.
fn driving_member(q: &TaskQuery) -> Option<i64> {
    if q.q.is_some() || q.sort.column == TaskSortColumn::Title {
        return None;
    }
    match (q.assignee, q.owners.as_slice()) {
        (Some(TaskAssignee::Member(id)), _) | (_, &[id]) => Some(id),
        _ => None,
    }
}

/// The table a list of tasks reads, as `t`: `member_tasks` (which has every column the
/// filters name) for a list with a [`driving_member`], else `tasks`.
fn list_from(q: &TaskQuery) -> &'static str {
    if driving_member(q).is_some() {
        "member_tasks t"
    } else {
        "tasks t"
    }
}

fn where_clause(org: &str, q: &TaskQuery, shape: Shape) -> Where {
    let mut w = Where::default();
    let org = w.bind(Arg::Text(org.to_string()));
    w.push(format!("t.org_id = {org}"));
    let driver = driving_member(q);
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
        w.push(text_sql(&org, &p, pattern, shape));
    }
    if let Some(tag) = &q.tag {
        let id = w.bind(Arg::Text(tag.clone()));
        let key = w.bind(Arg::Text(title_key(tag)));
        w.push(tagged_sql(&org, &id, &key, shape));
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
    match q.archived {
        ArchivedFilter::Exclude => w.push("t.archived_at IS NULL".into()),
        ArchivedFilter::Only => w.push("t.archived_at IS NOT NULL".into()),
        ArchivedFilter::Include => {}
    }
    if let Some(viewer) = q.viewer {
        let p = w.bind(Arg::Int(viewer));
        // Few tasks are top secret: checking just those, row by row, beats any set.
        w.push(format!(
            "(NOT t.top_secret OR {})",
            assigned_members_sql(&p, Shape::Walk)
        ));
    }
    if !q.conditions.is_empty() {
        let now = w.bind(Arg::Now(q.now));
        let soon = w.bind(Arg::Now(q.now.saturating_add(86_400_000)));
        let any: Vec<String> = q.conditions.iter().map(|c| condition_sql(*c, &now, &soon)).collect();
        w.push(format!("({})", any.join(" OR ")));
    }
    // The driving member's own rows need no check; other members do.
    let driven = driver.is_some() && q.owners.as_slice() == [driver.unwrap_or_default()];
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
    if let Some(min) = q.deadline_min {
        let p = w.bind(Arg::Int(min));
        w.push(format!("t.deadline >= {p}"));
    }
    if let Some(max) = q.deadline_max {
        let p = w.bind(Arg::Int(max));
        w.push(format!("t.deadline <= {p}"));
    }
    w
}

/// The `ORDER BY` list of a sort: fixed SQL per column, ties by `increment_id`.
fn order_by(sort: Sort<TaskSortColumn>) -> String {
    let dir = sort.direction();
    let key = match sort.column {
        TaskSortColumn::Position => format!("t.position {dir}"),
        TaskSortColumn::Deadline => format!("t.deadline {dir}"),
        TaskSortColumn::CreatedAt => format!("t.created_at {dir}"),
        TaskSortColumn::CompletedAt => {
            format!("CASE WHEN t.completed_at IS NULL THEN 1 ELSE 0 END, t.completed_at {dir}")
        }
        TaskSortColumn::Problems => "CASE WHEN t.problem THEN 0 ELSE 1 END, t.deadline ASC".into(),
        // Byte order of the lower-cased title on both backends (PostgreSQL would otherwise
        // apply the database's locale collation).
        TaskSortColumn::Title if IS_PG => format!("lower(t.title) COLLATE \"C\" {dir}"),
        TaskSortColumn::Title => format!("lower(t.title) {dir}"),
    };
    let tie = if sort.column == TaskSortColumn::CreatedAt && sort.desc {
        "DESC"
    } else {
        "ASC"
    };
    format!("{key}, t.increment_id {tie}")
}

/// One page of the tasks of `org` matching `q`, and the number of matches.
pub(crate) async fn list(
    pool: &Pool<Db>,
    lists: Lists,
    org: &str,
    q: &TaskQuery,
) -> Result<(Vec<TaskRecord>, i64), sqlx::Error> {
    let filter = |shape| where_clause(org, q, shape);
    let (ids, total) = count_and_page(pool, lists, filter, list_from(q), "t", &order_by(q.sort), q.window).await?;
    Ok((load(pool, org, &ids).await?, total))
}

/// Every task of `org` matching `q` (its window aside), in order, sent to `tx` in batches of
/// `batch`: `without_pagination` at any size. One connection walks the ids in sort order (no
/// sets are built, and the default sorts follow an index, so memory stays flat); the batches
/// are loaded on another. Stops early, without error, when the receiver is gone.
pub(crate) async fn stream(
    pool: &Pool<Db>,
    org: &str,
    q: &TaskQuery,
    batch: usize,
    tx: &tokio::sync::mpsc::Sender<crate::StoreResult<Vec<TaskRecord>>>,
) -> Result<(), sqlx::Error> {
    use futures_util::TryStreamExt;

    let w = where_clause(org, q, Shape::Walk);
    let sql = format!(
        "SELECT t.id FROM {} WHERE {} ORDER BY {}",
        list_from(q),
        w.sql(),
        order_by(q.sort)
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
