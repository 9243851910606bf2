//! Reading the activity feed (spec §4.9): one page of entries and the number its filters
//! match. Recording and numbering the entries is `activity.rs`; the counts the total is summed
//! from, `activity_tally.rs`; the arms a filtered page is read in, `activity_arms.rs`.

use sqlx::{Pool, Row};

use super::activity::sequence_on;
use super::activity_arms::{Columns, KIND_ARMS, PAGE_COLUMNS, arms, kind_lists, kinds, window_ranges};
use super::activity_hidden::{self, hidden_task, hidden_tasks};
use super::activity_keys;
use super::activity_tally;
use super::where_clause::{Arg, Lists, Where, bind_args, id_set, in_set, json_array, remembered_count};
use super::{Db, IS_PG};
use crate::model::{ActivityRow, FeedObject, FeedQuery, FeedSort, HiddenEntries};

type Conn = <Db as sqlx::Database>::Connection;

/// The conditions of `q`'s filters on `activity a` but the cursor and the viewer's visibility.
/// `counting`: for the counts beside the tally, which must read the index the caller means
/// (`+` keeps `activity_org_created` out of their plans). `by_kind`: but type, verb, source
/// and actor, which the arms of a page read kind by kind compare ([`arms`]).
fn conditions(q: &FeedQuery, w: &mut Where, counting: bool, by_kind: bool) -> Vec<String> {
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
        if !values.is_empty() && !by_kind {
            let ph = w.bind_all(values.iter().map(|v| Arg::Text(v.clone())));
            c.push(format!("{col} IN ({ph})"));
        }
    }
    if let Some(actor) = q.actor_id.filter(|_| !by_kind) {
        let p = w.bind(Arg::Int(actor));
        c.push(format!("a.actor_id = {p}"));
    }
    match q.guest_actor {
        Some(true) => c.push("a.actor_guest_id IS NOT NULL".to_string()),
        Some(false) => c.push("a.actor_guest_id IS NULL".to_string()),
        None => {}
    }
    if let Some(source) = q.source.as_ref().filter(|_| !by_kind) {
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
/// `activity_hidden.rs`; `None` for an admin. The page, and its total when the tally sums it,
/// are read in one snapshot (a read transaction).
///
/// Every order walks an index that leads with the organization: `activity_org_id` for the id
/// orders and the cursor, `activity_org_created` for the `created_at` orders (a template's
/// entries: `activity_org_checklist` and `activity_org_checklist_created`). A member's
/// visibility leaves out the entries of the organization's few top-secret tasks they are not
/// assigned to: that set is bound to the statement, not worked out in it.
///
/// A page filtered by type, verb, source, guest flag or actor ([`activity_tally::by_kind`]) is
/// read kind by kind: the tally names the `(source, type, verb)` kinds that match and have
/// entries (of the actor), and the page merges one ordered range per kind, of
/// `activity_org_kind_*` or, with an actor, `activity_org_actor_*` (migration 0025), so that it
/// reads about as many index entries as it returns, however rare the filter. Walking the
/// organization's order instead read every entry up to the page's last match: 1-2.5 s at
/// 1,000,000 for a rare one. In an id order a `created_*` window also bounds the ids read, to
/// the blocks the tally has entries of those days in.
///
/// The total is summed from the tally ([`tally_total`]) when it can answer; else (text, field
/// and object filters) counted, and remembered between writes like a list's (`where_clause.rs`),
/// so that paging through one filter counts its matches once.
///
/// On PostgreSQL a page read in arms reads its keys first ([`activity_keys::rows`]).
pub(crate) async fn page(
    pool: &Pool<Db>,
    lists: Lists,
    q: &FeedQuery,
    hidden: Option<&HiddenEntries>,
) -> Result<(Vec<ActivityRow>, i64), sqlx::Error> {
    // One connection for the numbering and the page (each connection handed out costs a round
    // trip on PostgreSQL, `postgres.rs::outside_transaction`).
    let mut conn = pool.acquire().await?;
    sequence_on(&mut conn).await?;
    if let Some(page) = read_page(&mut conn, pool, &lists, q, hidden, IS_PG).await? {
        return Ok(page);
    }
    // A key read belonged to a task the remembered hidden set did not name yet.
    Ok(read_page(&mut conn, pool, &lists, q, hidden, false)
        .await?
        .unwrap_or_default())
}

/// [`page`]; `keyed`: an arm page may read its keys first, which answers `None` when it finds
/// the viewer's remembered hidden set out of date.
async fn read_page(
    conn: &mut Conn,
    pool: &Pool<Db>,
    lists: &Lists,
    q: &FeedQuery,
    hidden: Option<&HiddenEntries>,
    keyed: bool,
) -> Result<Option<(Vec<ActivityRow>, i64)>, sqlx::Error> {
    let mut tx = sqlx::Connection::begin(conn).await?;
    if IS_PG {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
    }
    let kinds = match activity_tally::by_kind(q) {
        true => Some(kinds(&mut tx, q).await?).filter(|k| k.len() <= KIND_ARMS),
        false => None,
    };
    if kinds.as_ref().is_some_and(Vec::is_empty) {
        tx.commit().await?;
        return Ok(Some((Vec::new(), 0)));
    }
    let id_order = q.after.is_some() || matches!(q.sort, FeedSort::IdAsc | FeedSort::IdDesc);
    let mut w = Where::default();
    let org = w.bind(Arg::Text(q.org.clone()));
    w.push(format!("a.org_id = {org}"));
    w.push("a.id IS NOT NULL".into());
    let mut counted = w.clone();
    if let Some(after) = q.after {
        let p = counted.bind(Arg::Int(after));
        counted.push(format!("a.id > {p}"));
    }
    for c in conditions(q, &mut counted, false, false) {
        counted.push(c);
    }
    for c in conditions(q, &mut w, false, kinds.is_some()) {
        w.push(c);
    }
    let ranges = match id_order {
        true => window_ranges(&mut tx, q).await?,
        false => None,
    };
    if ranges.is_none()
        && let Some(after) = q.after
    {
        let p = w.bind(Arg::Int(after));
        w.push(format!("a.id > {p}"));
    }
    // Entries about a top-secret task (the task, its threads and files) only for its assignees.
    // The count works the set out in its statement, so that its key stays short
    // (`where_clause.rs`).
    // A page read in arms would build the bound set into a lookup table once per arm (0.2 ms
    // each for 1,000 hidden tasks): SQLite tests each row it reads against its task instead
    // (in the index of top-secret tasks, `hidden_task`), PostgreSQL leaves them out by id once
    // the keys are read (`activity_keys::rows`) or, failing that, reads the set once into `hid`.
    let by_arms = kinds.is_some() || ranges.is_some();
    // Keys first when every condition of an arm is in its index: not the guest flag or text.
    let keyed = keyed
        && by_arms
        && q.guest_actor.is_none()
        && q.search.is_none()
        && q.field.is_none()
        && (q.viewer.is_none() || hidden.is_some_and(|h| h.tasks == 0 || h.entries.is_some()));
    let mut with = String::new();
    if let Some(viewer) = q.viewer {
        if let Some(set) = hidden_set(&mut counted, &org, viewer, None) {
            counted.push(format!("(a.task_id IS NULL OR a.task_id NOT IN ({set}))"));
        }
        match (by_arms, hidden) {
            (true, Some(h)) if h.tasks == 0 => {}
            // Left out by id once the keys are read.
            (true, Some(_)) if keyed => {}
            (true, Some(h)) if IS_PG => {
                let set = id_set(&w.bind(Arg::Text(h.tasks_json.clone())));
                with = format!("WITH hid AS MATERIALIZED ({set}) ");
                w.push("(a.task_id IS NULL OR a.task_id NOT IN (SELECT value FROM hid))".into());
            }
            (true, _) => {
                let viewer = w.bind(Arg::Int(viewer));
                w.push(format!(
                    "(a.task_id IS NULL OR NOT EXISTS ({}))",
                    hidden_task(&org, &viewer)
                ));
            }
            (false, _) => {
                if let Some(set) = hidden_set(&mut w, &org, viewer, hidden) {
                    w.push(format!("(a.task_id IS NULL OR a.task_id NOT IN ({set}))"));
                }
            }
        }
    }
    let where_sql = w.sql();
    let rows = if !by_arms {
        // A run's, task's, step's or thread's entries are few: read them through the object's
        // own index and sort them, rather than walk the organization's `created_at` order
        // looking for them (`+` keeps that index out of the plan; SQLite's sampled statistics
        // cannot tell how few they are, most rows having no task or run). A template's can be
        // many: read in order from their own indexes (`activity_org_checklist_created`,
        // migration 0024).
        let few = q.entity.as_ref().is_some_and(|(kind, _)| kind != "checklist");
        let created = if few { "+a.created_at" } else { "a.created_at" };
        let order = order_by(q, created, "a.id");
        let (lim, off) = (w.bind(Arg::Int(q.limit)), w.bind(Arg::Int(q.offset)));
        let sql = format!(
            "SELECT {PAGE_COLUMNS} FROM activity a WHERE {where_sql} ORDER BY {order} LIMIT {lim} OFFSET {off}"
        );
        bind_args!(sqlx::query_as::<_, ActivityRow>(&sql), &w.args)
            .fetch_all(&mut *tx)
            .await?
    } else if keyed {
        let arms = (kinds.as_deref(), ranges.as_deref());
        match activity_keys::rows(&mut tx, q, w, arms, &where_sql, hidden).await? {
            Some(rows) => rows,
            None => {
                tx.commit().await?;
                return Ok(None);
            }
        }
    } else {
        let arms: Vec<String> = arms(
            q,
            &mut w,
            kinds.as_deref(),
            ranges.as_deref(),
            &where_sql,
            Columns::Page,
        )
        .into_iter()
        .map(|(_, arm)| arm)
        .collect();
        if arms.is_empty() {
            Vec::new()
        } else {
            let (lim, off) = (w.bind(Arg::Int(q.limit)), w.bind(Arg::Int(q.offset)));
            // The order by the arms' result columns, and in an arm.
            let (order, in_arm) = (order_by(q, "created_at", "id"), order_by(q, "a.created_at", "a.id"));
            // SQLite merges the arms, each walking its index in order, and stops at the page's
            // end. PostgreSQL would rather read every arm whole and sort (hundreds of ms for a
            // common kind): each arm is limited to the rows up to the page's end, in order.
            let arms = match IS_PG {
                true => {
                    let upto = w.bind(Arg::Int(q.offset.saturating_add(q.limit)));
                    let arms: Vec<String> = arms
                        .iter()
                        .map(|arm| format!("({arm} ORDER BY {in_arm} LIMIT {upto})"))
                        .collect();
                    format!("{with}SELECT * FROM ({}) a", arms.join(" UNION ALL "))
                }
                false => arms.join(" UNION ALL "),
            };
            let sql = format!("{arms} ORDER BY {order} LIMIT {lim} OFFSET {off}");
            bind_args!(sqlx::query_as::<_, ActivityRow>(&sql), &w.args)
                .fetch_all(&mut *tx)
                .await?
        }
    };
    let total = if q.nothing {
        0
    } else if q.offset == 0 && (rows.len() as i64) < q.limit {
        rows.len() as i64
    } else if activity_tally::answers(q) {
        tally_total(&mut tx, q, hidden, kinds.as_deref()).await?
    } else {
        remembered_count(pool, lists, &counted, "activity a").await?
    };
    tx.commit().await?;
    Ok(Some((rows, total)))
}

/// The `ORDER BY` of `q`'s page with `created` and `id` the expressions of the two columns (the
/// cursor's pages are in id order).
pub(super) fn order_by(q: &FeedQuery, created: &str, id: &str) -> String {
    match (q.after.is_some(), q.sort) {
        (true, _) | (false, FeedSort::IdAsc) => id.to_string(),
        (false, FeedSort::IdDesc) => format!("{id} DESC"),
        (false, FeedSort::CreatedAsc) => format!("{created}, {id}"),
        (false, FeedSort::CreatedDesc) => format!("{created} DESC, {id} DESC"),
    }
}

/// The number of entries `q` matches, in one statement (one snapshot): the tally's sum, plus
/// for `after` the exact count of the cursor's own block above the cursor (at most
/// [`activity_tally::BLOCK`] entries of the `(org_id, id)` index), less for a member the
/// matching entries of the top-secret tasks hidden from them (`hidden`): without other filters
/// those past the cursor among the ids kept, else counted through `activity_org_task`. Only for
/// queries the tally answers ([`activity_tally::answers`]). `kinds`: those the page was read by,
/// whose arms count the cursor's block through their own indexes.
async fn tally_total(
    conn: &mut Conn,
    q: &FeedQuery,
    hidden: Option<&HiddenEntries>,
    kinds: Option<&[(String, String, String)]>,
) -> Result<i64, sqlx::Error> {
    let mut w = Where::default();
    let org = w.bind(Arg::Text(q.org.clone()));
    let mut sql = activity_tally::sum(q, &mut w, &org);
    if let Some(after) = q.after {
        let from = w.bind(Arg::Int(after));
        let to = w.bind(Arg::Int(activity_tally::block_end(after)));
        let mut c = vec![
            format!("a.org_id = {org}"),
            "a.id IS NOT NULL".to_string(),
            format!("a.id > {from}"),
            format!("a.id < {to}"),
        ];
        c.extend(conditions(q, &mut w, true, kinds.is_some()));
        let block = c.join(" AND ");
        let arms = match kinds {
            // PostgreSQL plans each statement it is sent anew (the kinds make most of them new to
            // a connection): one count, of the kinds' sources × types × verbs (exactly the kinds
            // the filters let through, [`kind_lists`]), planned once, in place of one per kind.
            Some(kinds) if IS_PG => {
                let mut c = vec![block];
                if let Some(actor) = q.actor_id {
                    c.push(format!("a.actor_id = {}", w.bind(Arg::Int(actor))));
                }
                for (col, values) in kind_lists(kinds) {
                    let list = w.bind_all(values.into_iter().map(|v| Arg::Text(v.to_string())));
                    c.push(format!("{col} IN ({list})"));
                }
                vec![format!("SELECT COUNT(*) FROM activity a WHERE {}", c.join(" AND "))]
            }
            Some(kinds) => arms(q, &mut w, Some(kinds), None, &block, Columns::Count)
                .into_iter()
                .map(|(_, arm)| arm)
                .collect(),
            None => vec![format!("SELECT COUNT(*) FROM activity a WHERE {block}")],
        };
        for arm in arms {
            sql.push_str(&format!(" + ({arm})"));
        }
    }
    let mut kept_hidden = 0;
    if let Some(viewer) = q.viewer {
        match hidden.and_then(|h| activity_hidden::matching(h, q)) {
            Some(n) => kept_hidden = n,
            None => {
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
                    c.extend(conditions(q, &mut w, true, false));
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
        .fetch_one(conn)
        .await?;
    Ok(total - kept_hidden)
}

/// The current state of the objects entries name: `(auditable_type, id, title)` of those that
/// still exist, for `audit` and `parent`. One statement for every kind, the same text for every
/// page (each kind's ids bound as one JSON array), so that it is prepared once.
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
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let mut parts = Vec::new();
    let mut w = Where::default();
    let org = w.bind(Arg::Text(org.to_string()));
    for (i, (kind, select)) in TABLES.iter().enumerate() {
        let ids: Vec<&str> = wanted
            .iter()
            .filter(|(k, _)| k == kind)
            .map(|(_, id)| id.as_str())
            .collect();
        let set = in_set("id", &id_set(&w.bind(Arg::Text(json_array(&ids)))));
        parts.push(format!("SELECT {i} AS kind, {select} WHERE org_id = {org} AND {set}"));
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
