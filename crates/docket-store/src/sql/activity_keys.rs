//! PostgreSQL's reading of a feed page in arms (`activity_feed.rs`): keys first. PostgreSQL
//! does not merge a `UNION ALL`'s arms in order the way SQLite does, so each arm is read up to
//! the page's end; here the arms read only `(id, created_at)` from their indexes, the page's
//! ids are taken from their merge, and only those rows are read whole.

use super::Db;
use super::activity_arms::{ArmsOf, Columns, PAGE_COLUMNS, arms};
use super::activity_feed::order_by;
use super::activity_hidden;
use super::where_clause::{Arg, Where, bind_args, id_set, in_set, int_set, json_array};
use crate::model::{ActivityRow, FeedQuery, HiddenEntries};

type Conn = <Db as sqlx::Database>::Connection;

/// PostgreSQL: the rows of a page read in arms, keys first. PostgreSQL does not merge the arms
/// in order as SQLite does: each is read up to the page's end, and reading those rows whole
/// cost a table row each, most of them then left out (25 ms for 14 arms of a one-week window).
/// Here each arm reads `(id, created_at)` from its index alone (every condition an arm tests is
/// in it: migrations 0025 and 0026), the page's ids are taken from the arms' merge
/// ([`page_keys`]), and only their rows are read. `None` when a row read is of a task the
/// viewer's remembered hidden set hides but whose entry it did not list (made since the set
/// was read, on another node): the caller then reads the page with the visibility condition in
/// each arm.
pub(super) async fn rows(
    conn: &mut Conn,
    q: &FeedQuery,
    w: Where,
    arms: ArmsOf<'_>,
    where_sql: &str,
    hidden: Option<&HiddenEntries>,
) -> Result<Option<Vec<ActivityRow>>, sqlx::Error> {
    let hidden = hidden.filter(|h| h.tasks > 0);
    let ids = match page_keys(conn, q, w.clone(), arms, where_sql, hidden, true).await? {
        Some(ids) => ids,
        None => page_keys(conn, q, w, arms, where_sql, hidden, false)
            .await?
            .unwrap_or_default(),
    };
    if ids.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let mut r = Where::default();
    let org = r.bind(Arg::Text(q.org.clone()));
    let set = in_set("a.id", &int_set(&r.bind(Arg::Text(json_array(&ids)))));
    let mut sql = format!("SELECT {PAGE_COLUMNS} FROM activity a WHERE a.org_id = {org} AND {set}");
    if let Some(h) = hidden {
        let tasks = id_set(&r.bind(Arg::Text(h.tasks_json.clone())));
        sql.push_str(&format!(" AND (a.task_id IS NULL OR a.task_id NOT IN ({tasks}))"));
    }
    sql.push_str(&format!(" ORDER BY {}", order_by(q, "a.created_at", "a.id")));
    let rows = bind_args!(sqlx::query_as::<_, ActivityRow>(&sql), &r.args)
        .fetch_all(&mut *conn)
        .await?;
    Ok((rows.len() == ids.len()).then_some(rows))
}

/// The ids of `q`'s page read in arms ([`rows`]), a member's hidden entries (`hidden`,
/// its entries kept) left out by id. Each arm reads the page's end (`offset + limit`) and as
/// many more keys as the hidden set has entries of its kind that the filters match, which
/// suffices whatever their order; that can be thousands of keys for a member who may not see
/// many entries, nearly all of them past the page. `capped` first reads at most an eighth of
/// the page's end and 16 more per arm, and answers `None` when that could be wrong: when the
/// merge holds fewer visible keys than the page's end before the point where an arm read all
/// it was allowed.
async fn page_keys(
    conn: &mut Conn,
    q: &FeedQuery,
    mut w: Where,
    (kinds, ranges): ArmsOf<'_>,
    where_sql: &str,
    hidden: Option<&HiddenEntries>,
    capped: bool,
) -> Result<Option<Vec<i64>>, sqlx::Error> {
    let kept = hidden.and_then(|h| h.entries.as_deref());
    // The kept hidden entries the filters match, by the set's own kinds.
    let mut by_kind = vec![0_i64; hidden.map_or(0, |h| h.kinds.len())];
    if let Some(entries) = hidden.and_then(|h| activity_hidden::matching_entries(h, q)) {
        for e in entries {
            if let Some(n) = by_kind.get_mut(usize::from(e.kind)) {
                *n += 1;
            }
        }
    }
    let upto = q.offset.saturating_add(q.limit);
    let more = |kind: Option<&(String, String, String)>| -> i64 {
        let n = match (hidden, kind) {
            (None, _) => 0,
            (Some(_), None) => by_kind.iter().sum(),
            (Some(h), Some(k)) => h
                .kinds
                .iter()
                .position(|x| x == k)
                .and_then(|i| by_kind.get(i))
                .copied()
                .unwrap_or(0),
        };
        if capped { n.min(upto / 8 + 16) } else { n }
    };
    let (order, in_arm) = (order_by(q, "created_at", "id"), order_by(q, "a.created_at", "a.id"));
    let mut limited = Vec::new();
    let mut limits = Vec::new();
    for (arm_no, (i, arm)) in arms(q, &mut w, kinds, ranges, where_sql, Columns::Keys)
        .into_iter()
        .enumerate()
    {
        let limit = upto.saturating_add(more(kinds.and_then(|k| k.get(i))));
        let lim = w.bind(Arg::Int(limit));
        limited.push(format!(
            "(SELECT {arm_no} AS arm, k.* FROM ({arm} ORDER BY {in_arm} LIMIT {lim}) k)"
        ));
        limits.push(limit);
    }
    if limited.is_empty() {
        return Ok(Some(Vec::new()));
    }
    // The page's end, and every arm's extra keys (an upper bound of the hidden ones among them).
    let most = limits.iter().fold(upto, |most, l| most.saturating_add(l - upto));
    let most_p = w.bind(Arg::Int(most));
    let sql = format!(
        "SELECT arm, id FROM ({}) a ORDER BY {order} LIMIT {most_p}",
        limited.join(" UNION ALL ")
    );
    let keys = bind_args!(sqlx::query_as::<_, (i32, i64)>(&sql), &w.args)
        .fetch_all(&mut *conn)
        .await?;
    // The merge is exact up to the last key of any arm that read all it was allowed (its next
    // key could come anywhere after).
    let mut read = vec![0_i64; limits.len()];
    let mut last = vec![0_usize; limits.len()];
    for (at, (arm, _)) in keys.iter().enumerate() {
        let arm = usize::try_from(*arm).unwrap_or(0);
        if let Some(n) = read.get_mut(arm) {
            *n += 1;
            last[arm] = at;
        }
    }
    let full: Vec<usize> = (0..limits.len())
        .filter(|&a| read[a] == limits[a])
        .map(|a| last[a])
        .collect();
    let exact = full.iter().min().map_or(keys.len(), |at| at + 1);
    let everything = full.is_empty() && (keys.len() as i64) < most;
    let visible: Vec<i64> = keys[..exact]
        .iter()
        .map(|(_, id)| *id)
        .filter(|id| kept.is_none_or(|e| e.binary_search_by_key(id, |e| e.id).is_err()))
        .collect();
    if (visible.len() as i64) < upto && !everything && capped {
        return Ok(None);
    }
    Ok(Some(
        visible
            .into_iter()
            .skip(usize::try_from(q.offset).unwrap_or(usize::MAX))
            .take(usize::try_from(q.limit).unwrap_or(0))
            .collect(),
    ))
}
