//! Run lists (R1): a `WHERE` clause over `runs r` assembled from fixed SQL fragments chosen by
//! the filters of a [`RunQuery`], with every user-supplied value bound as a parameter; one count
//! and one page of ids, then the records through `runs::load`.

use sqlx::Pool;

use super::runs::load;
use super::where_clause::{Arg, Lists, Shape, Where, page, remembered_count};
use super::{Db, IS_PG};
use crate::model::RunRecord;
use crate::query::{ArchivedFilter, RunCondition, RunQuery, RunSortColumn, RunTaskStatus, Sort};

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern, keeping case.
fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Task `t` is assigned to one of the members `ph` (placeholders), directly or through a group.
fn assigned_members_sql(ph: &str) -> String {
    format!(
        "(EXISTS (SELECT 1 FROM task_users x WHERE x.task_id = t.id AND x.user_id IN ({ph}))
          OR EXISTS (SELECT 1 FROM task_groups x JOIN group_members m ON m.group_id = x.group_id
                      WHERE x.task_id = t.id AND m.user_id IN ({ph})))"
    )
}

/// Task `t` is visible to `viewer` (spec §1.11): not top-secret, or assigned to them. `None`
/// (an admin) sees everything.
pub(crate) fn visible_task_sql(w: &mut Where, viewer: Option<i64>) -> String {
    match viewer {
        None => "1 = 1".into(),
        Some(v) => {
            let p = w.bind(Arg::Int(v));
            format!("(NOT t.top_secret OR {})", assigned_members_sql(&p))
        }
    }
}

/// The SQL of one status word; `now` is a placeholder, `visible` a condition on `t`.
fn condition_sql(c: RunCondition, now: &str, visible: &str) -> String {
    match c {
        RunCondition::Active => "r.status IN ('active', 'problem')".into(),
        RunCondition::Complete => "r.status = 'complete'".into(),
        RunCondition::Problem => "r.status = 'problem'".into(),
        RunCondition::Improvement => format!(
            "EXISTS (SELECT 1 FROM tasks t JOIN threads h ON h.task_id = t.id
                      WHERE t.run_id = r.id AND h.label = 'improvement' AND {visible})"
        ),
        // The run's `late_tasks > 0` or `due_date_passed`, as the Run shape derives them, from
        // the deadlines the run keeps (migration 0028): its earliest incomplete task's and its
        // latest task's.
        RunCondition::Delayed => format!("(r.late_from < {now} OR (r.status <> 'complete' AND r.due_at < {now}))"),
        RunCondition::Archived => "r.archived_at IS NOT NULL".into(),
        RunCondition::Starred => "r.starred".into(),
    }
}

fn where_clause(org: &str, q: &RunQuery) -> Where {
    let mut w = Where::default();
    let org = w.bind(Arg::Text(org.to_string()));
    w.push(format!("r.org_id = {org}"));
    if q.match_nothing {
        w.push("1 = 0".into());
    }
    match q.archived {
        ArchivedFilter::Exclude => w.push("r.archived_at IS NULL".into()),
        ArchivedFilter::Only => w.push("r.archived_at IS NOT NULL".into()),
        ArchivedFilter::Include => {}
    }
    if let Some(pattern) = &q.q {
        let p = w.bind(Arg::Text(pattern.clone()));
        w.push(format!("lower(r.name) LIKE {p} ESCAPE '\\'"));
    }
    let needs_visible = !q.groups.is_empty() || q.conditions.contains(&RunCondition::Improvement);
    let visible = if needs_visible {
        visible_task_sql(&mut w, q.viewer)
    } else {
        String::new()
    };
    if !q.conditions.is_empty() {
        let now = w.bind(Arg::Now(q.now));
        let any: Vec<String> = q.conditions.iter().map(|c| condition_sql(*c, &now, &visible)).collect();
        w.push(format!("({})", any.join(" OR ")));
    }
    match q.task_status {
        Some(RunTaskStatus::InProgress) => w.push(
            "EXISTS (SELECT 1 FROM tasks t WHERE t.run_id = r.id AND t.status NOT IN ('completed', 'auto-skipped'))"
                .into(),
        ),
        Some(RunTaskStatus::Completed) => w.push("r.status = 'complete'".into()),
        None => {}
    }
    if !q.owners.is_empty() {
        let ph = w.bind_all(q.owners.iter().map(|u| Arg::Int(*u)));
        // The runs of the members' tasks, read from their `member_tasks` rows (each member's
        // direct and group assignments, one range of its key), so that the runs are not each
        // checked task by task.
        let visible = match q.viewer {
            None => "1 = 1".to_string(),
            Some(v) => {
                let p = w.bind(Arg::Int(v));
                format!(
                    "(NOT m.top_secret OR EXISTS (SELECT 1 FROM member_tasks v WHERE v.id = m.id AND v.user_id = {p}))"
                )
            }
        };
        w.push(format!(
            "(r.owner_id IN ({ph})
              OR r.id IN (SELECT m.run_id FROM member_tasks m
                           WHERE m.org_id = {org} AND m.user_id IN ({ph}) AND m.run_id IS NOT NULL AND {visible}))"
        ));
    }
    if !q.groups.is_empty() {
        let ph = w.bind_all(q.groups.iter().map(|g| Arg::Text(g.clone())));
        // `group_ids` is a JSON array of id strings: match the quoted id.
        let in_run: Vec<String> = q
            .groups
            .iter()
            .map(|g| {
                let p = w.bind(Arg::Text(format!("%\"{}\"%", like_escape(g))));
                format!("r.group_ids LIKE {p} ESCAPE '\\'")
            })
            .collect();
        w.push(format!(
            "(EXISTS (SELECT 1 FROM tasks t JOIN task_groups x ON x.task_id = t.id
                       WHERE t.run_id = r.id AND x.group_id IN ({ph}) AND {visible})
              OR {})",
            in_run.join(" OR ")
        ));
    }
    if let Some(checklist) = &q.checklist_id {
        let p = w.bind(Arg::Text(checklist.clone()));
        w.push(format!(
            "{p} = COALESCE(r.checklist_id, (SELECT o.misc_template_id FROM organizations o WHERE o.id = r.org_id))"
        ));
    }
    if let Some(tag) = &q.tag {
        let id = w.bind(Arg::Text(tag.clone()));
        let key = w.bind(Arg::Text(super::tags::title_key(tag)));
        w.push(format!(
            "EXISTS (SELECT 1 FROM tag_links l JOIN tags g ON g.id = l.tag_id
                      WHERE l.subject_type = 'Run' AND l.subject_id = r.id AND (g.id = {id} OR g.title_key = {key}))"
        ));
    }
    if !q.tag_ids.is_empty() {
        let ph = w.bind_all(q.tag_ids.iter().map(|t| Arg::Text(t.clone())));
        w.push(format!(
            "EXISTS (SELECT 1 FROM tag_links l
                      WHERE l.subject_type = 'Run' AND l.subject_id = r.id AND l.tag_id IN ({ph}))"
        ));
    }
    if !q.folder.is_empty() {
        let f = w.bind_all(q.folder.iter().map(|f| Arg::Text(f.clone())));
        w.push(format!(
            "r.id IN (SELECT o.subject_id FROM folder_objects o
                       WHERE o.org_id = {org} AND o.folder_id IN ({f}) AND o.subject_type = 'Run')"
        ));
    }
    if q.untagged {
        w.push("NOT EXISTS (SELECT 1 FROM tag_links l WHERE l.subject_type = 'Run' AND l.subject_id = r.id)".into());
    }
    match q.starred {
        Some(true) => w.push("r.starred".into()),
        Some(false) => w.push("NOT r.starred".into()),
        None => {}
    }
    w
}

/// The `ORDER BY` list of a sort: fixed SQL per column, ties by `increment_id` the same way.
/// `sorted` asks SQLite to sort the matches rather than walk a sort index (see [`list`]): each
/// term is written `+term`, which no index matches.
fn order_by(sort: Sort<RunSortColumn>, sorted: bool) -> String {
    let dir = sort.direction();
    let terms: Vec<String> = match sort.column {
        RunSortColumn::CreatedAt => vec![format!("r.created_at {dir}")],
        // Byte order on both backends (PostgreSQL would otherwise use the database's locale).
        RunSortColumn::Name if IS_PG => vec![format!("lower(r.name) COLLATE \"C\" {dir}")],
        RunSortColumn::Name => vec![format!("lower(r.name) {dir}")],
        RunSortColumn::LastUpdated => vec![format!("r.last_updated {dir}")],
        RunSortColumn::StartedAt => vec![format!("r.started_at {dir}")],
        // The latest deadline of the run's tasks (kept on the run, migration 0028), runs
        // without one last.
        RunSortColumn::DueDate => vec![
            "CASE WHEN r.due_at IS NULL THEN 1 ELSE 0 END".into(),
            format!("r.due_at {dir}"),
        ],
    };
    let plus = if sorted && !IS_PG { "+" } else { "" };
    terms
        .iter()
        .chain(std::iter::once(&format!("r.increment_id {dir}")))
        .map(|t| format!("{plus}{t}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One page of the runs of `org` matching `q` (aggregates as of `q.now`), and the number of
/// matches. With at most `drive_max` matches, SQLite is told to sort them: it would otherwise
/// walk the sort index through runs that do not match (a member's completed runs by last
/// update: 63 ms at 58,000 runs, against 6 ms from `runs_org_list` and a sort). PostgreSQL
/// weighs both plans itself.
pub(crate) async fn list(
    pool: &Pool<Db>,
    lists: Lists,
    org: &str,
    q: &RunQuery,
) -> Result<(Vec<RunRecord>, i64), sqlx::Error> {
    let filter = |_| where_clause(org, q);
    let w = filter(Shape::Drive);
    let total = remembered_count(pool, &lists, &w, "runs r").await?;
    let order = order_by(q.sort, total <= lists.drive_max);
    let ids = page(pool, &lists, w, filter, "runs r", "r", &order, q.window, total, None).await?;
    Ok((load(pool, org, &ids, q.now).await?, total))
}
