//! Reading the activity feed (spec §4.9): one page of entries and the number its filters
//! match. Recording and numbering the entries is `activity.rs`; the counts the total is summed
//! from, `activity_tally.rs`.

use sqlx::{Pool, Row};

use super::activity::sequence;
use super::activity_hidden::{hidden_tasks, id_set};
use super::activity_tally;
use super::where_clause::{Arg, Lists, Where, bind_args, remembered_count};
use super::{Db, IS_PG};
use crate::model::{ActivityRow, FeedObject, FeedQuery, FeedSort, HiddenEntries};

/// The conditions of `q`'s filters on `activity a` but the cursor and the viewer's visibility.
/// `counting`: for the counts beside the tally, which must read the index the caller means
/// (`+` keeps `activity_org_created` out of their plans).
fn conditions(q: &FeedQuery, w: &mut Where, counting: bool) -> Vec<String> {
    let mut c = Vec::new();
    if q.nothing {
        c.push("1 = 0".into());
    }
    if let Some((kind, id)) = &q.entity {
        let p = w.bind(Arg::Text(id.clone()));
        c.push(match kind.as_str() {
            "checklist" => format!("a.checklist_id = {p}"),
            "run" => format!("a.run_id = {p}"),
            "task" => format!("a.task_id = {p}"),
            "step" => format!("(a.auditable_type = 'App\\Models\\Step' AND a.auditable_id = {p})"),
            _ => format!("(a.auditable_type = 'App\\Models\\Thread' AND a.auditable_id = {p})"),
        });
    }
    for (col, values) in [("a.type", &q.types), ("a.verb", &q.verbs)] {
        if !values.is_empty() {
            let ph = w.bind_all(values.iter().map(|v| Arg::Text(v.clone())));
            c.push(format!("{col} IN ({ph})"));
        }
    }
    if let Some(actor) = q.actor_id {
        let p = w.bind(Arg::Int(actor));
        c.push(format!("a.actor_id = {p}"));
    }
    match q.guest_actor {
        Some(true) => c.push("a.actor_guest_id IS NOT NULL".to_string()),
        Some(false) => c.push("a.actor_guest_id IS NULL".to_string()),
        None => {}
    }
    if let Some(source) = &q.source {
        let p = w.bind(Arg::Text(source.clone()));
        c.push(format!("a.source = {p}"));
    }
    let created = if counting { "+a.created_at" } else { "a.created_at" };
    if let Some(min) = q.created_min {
        let p = w.bind(Arg::Int(min));
        c.push(format!("{created} >= {p}"));
    }
    if let Some(max) = q.created_max {
        let p = w.bind(Arg::Int(max));
        c.push(format!("{created} < {p}"));
    }
    if let Some(pattern) = &q.search {
        let p = w.bind(Arg::Text(pattern.clone()));
        c.push(format!("lower(a.description) LIKE {p} ESCAPE '\\'"));
    }
    if let Some(field) = &q.field {
        let json = serde_json::to_string(field).unwrap_or_default();
        let p = w.bind(Arg::Text(super::super::query::like_pattern(&json)));
        c.push(format!("lower(a.field) LIKE {p} ESCAPE '\\'"));
    }
    c
}

/// The select of the tasks hidden from member `viewer` in `w`'s statement (`org` its
/// placeholder): the set `hidden` read beforehand, bound; without one, worked out in the
/// statement. `None` when nothing is hidden.
fn hidden_set(w: &mut Where, org: &str, viewer: i64, hidden: Option<&HiddenEntries>) -> Option<String> {
    match hidden {
        Some(h) if h.tasks == 0 => None,
        Some(h) => Some(id_set(&w.bind(Arg::Text(h.tasks_json.clone())))),
        None => Some(hidden_tasks(org, &w.bind(Arg::Int(viewer)))),
    }
}

/// One feed page of `q` and the number of entries its filters match (for `after`: those after
/// the cursor). `hidden`: what the viewer of `q` (a member) may not see, read by
/// `activity_hidden.rs`; `None` for an admin.
///
/// Every order walks an index that leads with the organization: `activity_org_id` for the id
/// orders and the cursor, `activity_org_created` for the `created_at` orders (a template's
/// entries: `activity_org_checklist` and `activity_org_checklist_created`). A member's
/// visibility leaves out the entries of the organization's few top-secret tasks they are not
/// assigned to: that set is bound to the statement, not worked out in it.
///
/// The total is summed from the tally ([`tally_total`]) when it can answer; else (text, field
/// and object filters) counted, and remembered between writes like a list's (`where_clause.rs`),
/// so that paging through one filter counts its matches once.
pub(crate) async fn page(
    pool: &Pool<Db>,
    lists: Lists,
    q: &FeedQuery,
    hidden: Option<&HiddenEntries>,
) -> Result<(Vec<ActivityRow>, i64), sqlx::Error> {
    sequence(pool).await?;
    let mut w = Where::default();
    let org = w.bind(Arg::Text(q.org.clone()));
    w.push(format!("a.org_id = {org}"));
    w.push("a.id IS NOT NULL".into());
    if let Some(after) = q.after {
        let p = w.bind(Arg::Int(after));
        w.push(format!("a.id > {p}"));
    }
    for c in conditions(q, &mut w, false) {
        w.push(c);
    }
    // Entries about a top-secret task (the task, its threads and files) only for its assignees.
    // The count works the set out in its statement, so that its key stays short
    // (`where_clause.rs`).
    let mut counted = w.clone();
    if let Some(viewer) = q.viewer {
        for (target, read) in [(&mut counted, None), (&mut w, hidden)] {
            if let Some(set) = hidden_set(target, &org, viewer, read) {
                target.push(format!("(a.task_id IS NULL OR a.task_id NOT IN ({set}))"));
            }
        }
    }
    // A run's, task's, step's or thread's entries are few: read them through the object's own
    // index and sort them, rather than walk the organization's `created_at` order looking for
    // them (`+` keeps that index out of the plan; SQLite's sampled statistics cannot tell how
    // few they are, most rows having no task or run). A template's can be many: read in order
    // from their own indexes (`activity_org_checklist_created`, migration 0024).
    let few = q.entity.as_ref().is_some_and(|(kind, _)| kind != "checklist");
    let created = if few { "+a.created_at" } else { "a.created_at" };
    let order = match (q.after.is_some(), q.sort) {
        (true, _) | (false, FeedSort::IdAsc) => "a.id".to_string(),
        (false, FeedSort::IdDesc) => "a.id DESC".to_string(),
        (false, FeedSort::CreatedAsc) => format!("{created}, a.id"),
        (false, FeedSort::CreatedDesc) => format!("{created} DESC, a.id DESC"),
    };
    let where_sql = w.sql();
    let lim = w.bind(Arg::Int(q.limit));
    let off = w.bind(Arg::Int(q.offset));
    let page_sql = format!(
        "SELECT a.id, a.org_id, a.verb, a.source, a.actor_id, a.actor_guest_id, a.type, a.auditable_type, a.auditable_id,
                a.parentable_type, a.parentable_id, a.description, a.title, a.field, a.old_value, a.body, a.created_at
           FROM activity a WHERE {where_sql} ORDER BY {order} LIMIT {lim} OFFSET {off}"
    );
    let rows = bind_args!(sqlx::query_as::<_, ActivityRow>(&page_sql), &w.args)
        .fetch_all(pool)
        .await?;
    let total = if q.nothing {
        0
    } else if q.offset == 0 && (rows.len() as i64) < q.limit {
        rows.len() as i64
    } else if activity_tally::answers(q) {
        tally_total(pool, q, hidden).await?
    } else {
        remembered_count(pool, &lists, &counted, "activity a").await?
    };
    Ok((rows, total))
}

/// The number of entries `q` matches, in one statement (one snapshot): the tally's sum, plus
/// for `after` the exact count of the cursor's own block above the cursor (at most
/// [`activity_tally::BLOCK`] entries of the `(org_id, id)` index), less for a member the
/// matching entries of the top-secret tasks hidden from them (`hidden`): without other filters
/// those past the cursor among the ids kept, else counted through `activity_org_task`. Only for
/// queries the tally answers ([`activity_tally::answers`]).
pub(crate) async fn tally_total(
    pool: &Pool<Db>,
    q: &FeedQuery,
    hidden: Option<&HiddenEntries>,
) -> Result<i64, sqlx::Error> {
    let mut w = Where::default();
    let org = w.bind(Arg::Text(q.org.clone()));
    let mut sql = activity_tally::sum(q, &mut w, &org);
    if let Some(after) = q.after {
        let from = w.bind(Arg::Int(after));
        let to = w.bind(Arg::Int(activity_tally::block_end(after)));
        let mut c = vec![
            format!("a.org_id = {org}"),
            format!("a.id > {from}"),
            format!("a.id < {to}"),
        ];
        c.extend(conditions(q, &mut w, true));
        sql.push_str(&format!(
            " + (SELECT COUNT(*) FROM activity a WHERE {})",
            c.join(" AND ")
        ));
    }
    let mut kept_hidden = 0;
    if let Some(viewer) = q.viewer {
        let filtered = !conditions(q, &mut Where::default(), true).is_empty();
        match hidden.and_then(|h| h.entries.as_ref()) {
            Some(ids) if !filtered => {
                let after = q.after.unwrap_or(i64::MIN);
                kept_hidden = (ids.len() - ids.partition_point(|id| *id <= after)) as i64;
            }
            _ => {
                if let Some(set) = hidden_set(&mut w, &org, viewer, hidden) {
                    let mut c = vec![
                        format!("a.org_id = {org}"),
                        format!("a.task_id IN ({set})"),
                        "+a.id IS NOT NULL".to_string(),
                    ];
                    if let Some(after) = q.after {
                        let from = w.bind(Arg::Int(after));
                        c.push(format!("+a.id > {from}"));
                    }
                    c.extend(conditions(q, &mut w, true));
                    sql.push_str(&format!(
                        " - (SELECT COUNT(*) FROM activity a WHERE {})",
                        c.join(" AND ")
                    ));
                }
            }
        }
    }
    let sql = format!("SELECT {sql}");
    let total = bind_args!(sqlx::query_scalar::<_, i64>(&sql), &w.args)
        .fetch_one(pool)
        .await?;
    Ok(total - kept_hidden)
}

/// The current state of the objects entries name: `(auditable_type, id, title)` of those that
/// still exist, for `audit` and `parent`. One statement for every kind.
pub(crate) async fn objects(
    pool: &Pool<Db>,
    org: &str,
    wanted: &[(String, String)],
) -> Result<Vec<FeedObject>, sqlx::Error> {
    const TABLES: [(&str, &str); 5] = [
        ("App\\Models\\Checklist", "id, title FROM checklists"),
        ("App\\Models\\Step", "id, title FROM steps"),
        ("App\\Models\\Run", "id, name FROM runs"),
        ("App\\Models\\Task", "id, title FROM tasks"),
        ("App\\Models\\Thread", "id, substr(content, 1, 100) FROM threads"),
    ];
    let mut parts = Vec::new();
    let mut w = Where::default();
    let org = w.bind(Arg::Text(org.to_string()));
    for (i, (kind, select)) in TABLES.iter().enumerate() {
        let ids = wanted
            .iter()
            .filter(|(k, _)| k == kind)
            .map(|(_, id)| Arg::Text(id.clone()));
        let ph = w.bind_all(ids);
        if !ph.is_empty() {
            parts.push(format!(
                "SELECT {i} AS kind, {select} WHERE org_id = {org} AND id IN ({ph})"
            ));
        }
    }
    if parts.is_empty() {
        return Ok(Vec::new());
    }
    let sql = parts.join(" UNION ALL ");
    let rows = bind_args!(sqlx::query(&sql), &w.args).fetch_all(pool).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let kind: i32 = if IS_PG {
            row.try_get(0)?
        } else {
            row.try_get::<i64, _>(0)? as i32
        };
        let kind = TABLES.get(kind as usize).map_or("", |(k, _)| *k);
        out.push((kind.to_string(), row.try_get(1)?, row.try_get(2)?));
    }
    Ok(out)
}
