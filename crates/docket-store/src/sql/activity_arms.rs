//! The arms of a filtered feed page (spec §4.9): one select of `activity a` per kind of entry
//! and id range, each reading one ordered range of an index, which `activity_feed.rs` merges
//! into a page (and PostgreSQL's `activity_keys.rs` reads keys first from) and counts the
//! cursor's block by. The kinds and ranges come from the tally (`activity_tally.rs`).

use super::activity_tally;
use super::where_clause::{Arg, Where, bind_args};
use super::{Db, IS_PG};
use crate::model::{FeedQuery, FeedSort};

type Conn = <Db as sqlx::Database>::Connection;

/// At most this many kinds of entry are read arm by arm ([`super::activity_feed::page`]); more
/// (not seen in practice) read the organization's order with the filters.
pub(super) const KIND_ARMS: usize = 120;
/// At most this many id ranges are read arm by arm ([`window_ranges`]); more are read as one.
const RANGE_ARMS: usize = 4;

/// The columns of a feed page.
pub(super) const PAGE_COLUMNS: &str = "a.id, a.org_id, a.verb, a.source, a.actor_id, a.actor_guest_id, a.type, a.auditable_type,
    a.auditable_id, a.parentable_type, a.parentable_id, a.description, a.title, a.field, a.old_value, a.body, a.created_at";

/// The kinds of entry a filtered page is read by, one arm each: `(source, type, verb)`.
type Kinds = Vec<(String, String, String)>;

/// What a page read in arms has one arm of: each kind (`None`: every kind) in each id range
/// (`None`: every id), as [`arms`] takes them.
pub(super) type ArmsOf<'a> = (Option<&'a [(String, String, String)]>, Option<&'a [(i64, i64)]>);

/// The kinds of entry `q` (one [`activity_tally::by_kind`] accepts) matches, from the tally.
pub(super) async fn kinds(conn: &mut Conn, q: &FeedQuery) -> Result<Kinds, sqlx::Error> {
    let mut w = Where::default();
    let org = w.bind(Arg::Text(q.org.clone()));
    let sql = activity_tally::kinds(q, &mut w, &org);
    bind_args!(sqlx::query_as::<_, (String, String, String)>(&sql), &w.args)
        .fetch_all(conn)
        .await
}

/// For a page in id order with a `created_*` window: the id ranges (`[first, end)`, ascending,
/// past the cursor) of the blocks the tally has entries of the window's days in. Ids mostly rise
/// with time, so this is one range, but not always (an import, entries dated back): one range
/// from the first block to the last could be the whole feed. `None`: no window.
pub(super) async fn window_ranges(conn: &mut Conn, q: &FeedQuery) -> Result<Option<Vec<(i64, i64)>>, sqlx::Error> {
    let mut w = Where::default();
    let org = w.bind(Arg::Text(q.org.clone()));
    let Some(sql) = activity_tally::window_blocks(q, &mut w, &org) else {
        return Ok(None);
    };
    let blocks = bind_args!(sqlx::query_scalar::<_, i64>(&sql), &w.args)
        .fetch_all(conn)
        .await?;
    Ok(Some(activity_tally::id_ranges(&blocks, q.after, RANGE_ARMS)))
}

/// One select of `activity a` for each kind of `kinds` (`None`: of any kind) and each id range
/// of `ranges` (`None`: every id), with the conditions `where_sql` (which must not compare the
/// kind's columns or the actor when `kinds` is given) and the arm's own; binds into `w`.
/// `columns`: what each selects. Each comes with the index in `kinds` of its kind (0 without
/// kinds). On SQLite an arm of one kind
/// names the index it reads (`activity_org_actor_*` with an actor, else `activity_org_kind_*`;
/// by id when counting or in an id order), so that the planner's sampled statistics cannot
/// send it down the organization's whole order.
pub(super) fn arms(
    q: &FeedQuery,
    w: &mut Where,
    kinds: Option<&[(String, String, String)]>,
    ranges: Option<&[(i64, i64)]>,
    where_sql: &str,
    columns: Columns,
) -> Vec<(usize, String)> {
    let actor = kinds.and(q.actor_id).map(|a| w.bind(Arg::Int(a)));
    let count = columns == Columns::Count;
    let by_id = count || q.after.is_some() || matches!(q.sort, FeedSort::IdAsc | FeedSort::IdDesc);
    let index = match (actor.is_some(), by_id) {
        (true, true) => "activity_org_actor_id",
        (true, false) => "activity_org_actor_created",
        (false, true) => "activity_org_kind_id",
        (false, false) => "activity_org_kind_created",
    };
    let from = match kinds.is_some() && !IS_PG {
        true => format!("activity a INDEXED BY {index}"),
        false => "activity a".to_string(),
    };
    let columns = match columns {
        Columns::Count => "COUNT(*)",
        Columns::Page => PAGE_COLUMNS,
        Columns::Keys => "a.id, a.created_at",
    };
    let actor = actor.map(|p| format!(" AND a.actor_id = {p}")).unwrap_or_default();
    let kinds: Vec<String> = match kinds {
        Some(kinds) => kinds
            .iter()
            .map(|(source, kind, verb)| {
                let (s, t, v) = (
                    w.bind(Arg::Text(source.clone())),
                    w.bind(Arg::Text(kind.clone())),
                    w.bind(Arg::Text(verb.clone())),
                );
                format!("{actor} AND a.source = {s} AND a.type = {t} AND a.verb = {v}")
            })
            .collect(),
        None => vec![String::new()],
    };
    let ranges: Vec<String> = match ranges {
        Some(ranges) => ranges
            .iter()
            .map(|(first, end)| {
                let (f, e) = (w.bind(Arg::Int(*first)), w.bind(Arg::Int(*end)));
                format!(" AND a.id >= {f} AND a.id < {e}")
            })
            .collect(),
        None => vec![String::new()],
    };
    let mut out = Vec::with_capacity(kinds.len() * ranges.len());
    for range in &ranges {
        for (i, kind) in kinds.iter().enumerate() {
            out.push((
                i,
                format!("SELECT {columns} FROM {from} WHERE {where_sql}{kind}{range}"),
            ));
        }
    }
    out
}

/// The distinct sources, types and verbs of `kinds`, by column. The kinds a query's filters let
/// through are every existing `(source, type, verb)` of a product of lists (one source or all,
/// the types, the verbs), so the product of these lists lets through exactly the same entries.
pub(super) fn kind_lists(kinds: &[(String, String, String)]) -> [(&'static str, Vec<&str>); 3] {
    let distinct = |pick: fn(&(String, String, String)) -> &str| {
        let mut v: Vec<&str> = kinds.iter().map(pick).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    [
        ("a.source", distinct(|k| &k.0)),
        ("a.type", distinct(|k| &k.1)),
        ("a.verb", distinct(|k| &k.2)),
    ]
}

/// What each arm of [`arms`] selects.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Columns {
    /// `COUNT(*)`.
    Count,
    /// The page's columns.
    Page,
    /// `id, created_at`: the keys of [`activity_keys::rows`].
    Keys,
}

#[cfg(test)]
mod tests {
    use super::kind_lists;

    fn kind(s: &str, t: &str, v: &str) -> (String, String, String) {
        (s.into(), t.into(), v.into())
    }

    #[test]
    fn kinds_become_the_lists_of_their_distinct_columns() {
        let kinds = [
            kind("Member", "Task", "updated"),
            kind("Member", "Task", "created"),
            kind("Webhook", "Task", "created"),
            kind("Member", "Comment", "created"),
        ];
        assert_eq!(
            kind_lists(&kinds),
            [
                ("a.source", vec!["Member", "Webhook"]),
                ("a.type", vec!["Comment", "Task"]),
                ("a.verb", vec!["created", "updated"]),
            ]
        );
        assert_eq!(kind_lists(&[]).map(|(_, v)| v.len()), [0, 0, 0]);
    }
}
