//! The activity feed's exact totals, kept by the numbering (migration 0022).
//!
//! **Why.** Every feed page answers `meta.pagination.total`, the number of entries its filters
//! match. Counting them was a scan of up to all of the organization's entries (hundreds of
//! milliseconds at 1,000,000), cold for every new filter, viewer or cursor and after every write.
//! Instead the writers keep counts and a total is the sum of a few of them.
//!
//! **When counts change.** An entry becomes visible to readers when it is numbered
//! (`sql/activity.rs`): so the counts are added by the numbering step, in its transaction, from
//! exactly the entries it numbers. On SQLite the writer's transaction runs [`ADD_UNSEQUENCED`]
//! (the unsequenced entries with the ids the numbering is about to give them: the same
//! `base + row_number()` over `entry_key`) and then numbers them. On PostgreSQL the reader that
//! numbers does both in one statement ([`SEQUENCE_AND_ADD_PG`]: the `UPDATE … RETURNING` feeds
//! the upsert). `seed-demo` adds the numbered entries it writes ([`ADD_RANGE`]) and an import
//! rebuilds the table ([`REBUILD`], also the migration's backfill). Entries are never deleted
//! but with their organization, whose rows go by `ON DELETE CASCADE`. A reader sums the counts
//! in one statement, so what it adds up is one snapshot.
//!
//! **Grains.** `activity_tally` counts each entry at twelve grains (one upsert of
//! `INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE SET n = n + excluded.n`): by actor (the
//! member, or -1 for every actor) × by detail (1: source, type, verb and guest flag; 0: none of
//! them) × by time (day and id block; every day of a block; all time). The primary key leads
//! with (organization, actor, detail, day, block), so each filter reads one range of it:
//!
//! | filter                       | rows summed                                             |
//! |------------------------------|---------------------------------------------------------|
//! | none                         | 1 (all time)                                            |
//! | source, type, verb, guest    | the organization's combinations (tens)                  |
//! | `created_*` (whole UTC days) | (days + blocks in the window) × combinations            |
//! | `after`                      | blocks above the cursor's (× combinations if filtered)  |
//! | `actor_id` with any of those | the same, among that member's rows                      |
//!
//! **The cursor.** `after=X` counts the entries above X: the blocks (`id / 4096`, [`BLOCK`])
//! above X's block from the tally, plus an exact count of X's own block above X through the
//! `(org_id, id)` index (at most 4096 entries, with the other filters applied to them).
//!
//! **Visibility.** A member does not see the entries of the organization's top-secret tasks
//! they are not assigned to: their total is the everyone total less an exact count of the
//! matching entries of those few tasks, so the big number stays the same for every viewer. That
//! count reads `activity_org_task` alone (migration 0022 made it carry every column a filter
//! compares): at 1,000,000 entries with 1 % of the tasks top secret, about 200 tasks and 4,000
//! to 9,000 entries, 2 ms warm, where reading each entry's row took 50-70 ms.
//!
//! `search`, `field` and one object's entries (`entity_type`) are not tallied: they keep the
//! exact count, remembered between writes (`where_clause.rs`), which is cheap for objects (few
//! entries each) and as before for text.

use std::sync::LazyLock;

use docket_domain::activity::SOURCES;

use super::where_clause::{Arg, Where};
use crate::model::FeedQuery;

/// Entries per id block of the cursor's count.
pub(crate) const BLOCK: i64 = 4096;
/// Milliseconds per UTC day.
const DAY_MS: i64 = 86_400_000;

/// The twelve grains each entry is counted at: by actor (1) or not, time span (0 all time, 1
/// per block, 2 per day and block), detail (1) or not.
const GRAINS: &str = "g (by_actor, span, detail) AS (VALUES (0, 0, 0), (0, 0, 1), (0, 1, 0), (0, 1, 1), (0, 2, 0), \
     (0, 2, 1), (1, 0, 0), (1, 0, 1), (1, 1, 0), (1, 1, 1), (1, 2, 0), (1, 2, 1))";

/// The upsert that adds the entries of the statement's CTE `e` (`org_id, actor_id, day, block,
/// source, type, verb, guest, c`: `c` entries alike) at every grain of CTE `g`.
const UPSERT: &str = "INSERT INTO activity_tally (org_id, actor, detail, day, block, source, type, verb, guest, n)
SELECT org_id, actor, detail, day, block, source, type, verb, guest, CAST(SUM(c) AS BIGINT) FROM (
  SELECT e.org_id,
         CASE WHEN g.by_actor = 1 THEN e.actor_id ELSE -1 END AS actor,
         g.detail AS detail,
         CASE WHEN g.span = 2 THEN e.day ELSE -1 END AS day,
         CASE WHEN g.span >= 1 THEN e.block ELSE -1 END AS block,
         CASE WHEN g.detail = 1 THEN e.source ELSE '' END AS source,
         CASE WHEN g.detail = 1 THEN e.type ELSE '' END AS type,
         CASE WHEN g.detail = 1 THEN e.verb ELSE '' END AS verb,
         CASE WHEN g.detail = 1 THEN e.guest ELSE -1 END AS guest,
         e.c AS c
    FROM e CROSS JOIN g
   WHERE g.by_actor = 0 OR e.actor_id IS NOT NULL) x
 WHERE 1 = 1
 GROUP BY org_id, actor, detail, day, block, source, type, verb, guest
ON CONFLICT (org_id, actor, detail, day, block, source, type, verb, guest) DO UPDATE SET n = activity_tally.n + excluded.n";

/// The columns of CTE `e` (but `c`) from an `activity` row `a` whose id is `id`.
fn entry_columns(id: &str) -> String {
    format!(
        "a.org_id, a.actor_id, a.created_at / {DAY_MS}, ({id}) / {BLOCK}, a.source, a.type, a.verb,
                CASE WHEN a.actor_guest_id IS NULL THEN 0 ELSE 1 END"
    )
}

/// The CTE `e` of entries selected by `rest` (`FROM activity a …`), each counted `c` times.
fn entries(id: &str, c: &str, rest: &str) -> String {
    format!(
        "e (org_id, actor_id, day, block, source, type, verb, guest, c) AS (
        SELECT {}, {c} {rest})",
        entry_columns(id)
    )
}

/// SQLite, in the writer's transaction just before the numbering: adds the unsequenced entries,
/// with the ids the numbering gives them (`sql/activity.rs` `SEQUENCE_SQL`).
pub(crate) static ADD_UNSEQUENCED: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH b AS (SELECT COALESCE(MAX(id), 0) AS base FROM activity),
      {},
      {GRAINS}
{UPSERT}",
        entries(
            "(SELECT base FROM b) + ROW_NUMBER() OVER (ORDER BY a.entry_key)",
            "1",
            "FROM activity a WHERE a.id IS NULL"
        )
    )
});

/// PostgreSQL, under the numbering's lock: numbers every committed unsequenced entry (as
/// `SEQUENCE_SQL`) and adds them, in one statement; answers how many it numbered.
pub(crate) static SEQUENCE_AND_ADD_PG: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH b AS (SELECT COALESCE(MAX(id), 0) AS base FROM activity),
      s AS (SELECT entry_key, ROW_NUMBER() OVER (ORDER BY entry_key) AS rn FROM activity WHERE id IS NULL),
      e AS (UPDATE activity a SET id = (SELECT base FROM b) + s.rn FROM s WHERE a.entry_key = s.entry_key
            RETURNING a.org_id AS org_id, a.actor_id AS actor_id, a.created_at / {DAY_MS} AS day,
                      a.id / {BLOCK} AS block, a.source AS source, a.type AS type, a.verb AS verb,
                      CASE WHEN a.actor_guest_id IS NULL THEN 0 ELSE 1 END AS guest, 1 AS c),
      {GRAINS},
      t AS ({UPSERT})
    SELECT COUNT(*) FROM e"
    )
});

/// Adds the entries of organization `$1` numbered `$2 < id <= $3` (`seed-demo`'s, written
/// numbered).
pub(crate) static ADD_RANGE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH {},
      {GRAINS}
{UPSERT}",
        entries(
            "a.id",
            "1",
            "FROM activity a WHERE a.org_id = $1 AND a.id > $2 AND a.id <= $3"
        )
    )
});

/// Adds every numbered entry (into an empty table: an import's, the migration's backfill).
pub(crate) static REBUILD: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH {},
      {GRAINS}
{UPSERT}",
        entries(
            "a.id",
            "COUNT(*)",
            &format!(
                "FROM activity a WHERE a.id IS NOT NULL
          GROUP BY a.org_id, a.actor_id, a.created_at / {DAY_MS}, a.id / {BLOCK}, a.source, a.type, a.verb,
                   CASE WHEN a.actor_guest_id IS NULL THEN 0 ELSE 1 END"
            )
        )
    )
});

/// Whether the tally can count `q`: no text or object filter, and the values it compares are
/// ones the tally keeps (whole UTC days from 1970 on, a member id, the sources and no `''`).
pub(crate) fn answers(q: &FeedQuery) -> bool {
    q.search.is_none() && q.field.is_none() && q.entity.is_none() && kept_values(q)
}

/// Whether the values `q`'s tallied filters compare are ones the tally keeps.
fn kept_values(q: &FeedQuery) -> bool {
    let day = |t: Option<i64>| t.is_none_or(|t| t >= 0 && t % DAY_MS == 0);
    day(q.created_min)
        && day(q.created_max)
        && q.actor_id.is_none_or(|a| a >= 0)
        && q.after.is_none_or(|a| a >= 0)
        && q.source.as_deref().is_none_or(|s| SOURCES.contains(&s))
        && !q.types.iter().chain(&q.verbs).any(String::is_empty)
}

/// The sum of the tally rows of `q`'s filters (for `after`: the blocks above the cursor's), an
/// expression that binds into `w`; `org` is the organization's placeholder. Call only when
/// [`answers`] is true.
pub(crate) fn sum(q: &FeedQuery, w: &mut Where, org: &str) -> String {
    let mut c = vec![format!("t.org_id = {org}")];
    let actor = w.bind(Arg::Int(q.actor_id.unwrap_or(-1)));
    c.push(format!("t.actor = {actor}"));
    let detail = !q.types.is_empty() || !q.verbs.is_empty() || q.source.is_some() || q.guest_actor.is_some();
    c.push(format!("t.detail = {}", i32::from(detail)));
    let dated = q.created_min.is_some() || q.created_max.is_some();
    if dated {
        let from = w.bind(Arg::Int(q.created_min.unwrap_or(0) / DAY_MS));
        c.push(format!("t.day >= {from}"));
        if let Some(max) = q.created_max {
            let to = w.bind(Arg::Int(max / DAY_MS));
            c.push(format!("t.day < {to}"));
        }
    } else {
        c.push("t.day = -1".into());
    }
    match q.after {
        Some(after) => {
            let b = w.bind(Arg::Int(after / BLOCK));
            c.push(format!("t.block > {b}"));
        }
        None if !dated => c.push("t.block = -1".into()),
        None => {}
    }
    if detail {
        c.extend(detail_conditions(q, w));
    }
    format!(
        "(SELECT CAST(COALESCE(SUM(t.n), 0) AS BIGINT) FROM activity_tally t WHERE {})",
        c.join(" AND ")
    )
}

/// The conditions on the detail columns of `activity_tally t` that `q`'s type, verb, source and
/// guest filters make.
fn detail_conditions(q: &FeedQuery, w: &mut Where) -> Vec<String> {
    let mut c = Vec::new();
    for (col, values) in [("t.type", &q.types), ("t.verb", &q.verbs)] {
        if !values.is_empty() {
            let ph = w.bind_all(values.iter().map(|v| Arg::Text(v.clone())));
            c.push(format!("{col} IN ({ph})"));
        }
    }
    if let Some(source) = &q.source {
        let p = w.bind(Arg::Text(source.clone()));
        c.push(format!("t.source = {p}"));
    }
    if let Some(guest) = q.guest_actor {
        c.push(format!("t.guest = {}", i32::from(guest)));
    }
    c
}

/// Whether a page of `q` is read kind by kind ([`kinds`]): it filters by type, verb, source,
/// guest flag or actor, with values the tally keeps, and not by one object.
pub(crate) fn by_kind(q: &FeedQuery) -> bool {
    let filtered = !q.types.is_empty()
        || !q.verbs.is_empty()
        || q.source.is_some()
        || q.guest_actor.is_some()
        || q.actor_id.is_some();
    filtered && !q.nothing && q.entity.is_none() && kept_values(q)
}

/// The statement of the `(source, type, verb)` kinds of entry that `q`'s type, verb, source and
/// guest filters let through and that have entries (of `q`'s actor, when it names one): every
/// kind of entry has a row in the tally's all-time grain from its first entry on. Binds into
/// `w`; `org` is the organization's placeholder. For queries [`by_kind`] accepts.
pub(crate) fn kinds(q: &FeedQuery, w: &mut Where, org: &str) -> String {
    let actor = w.bind(Arg::Int(q.actor_id.unwrap_or(-1)));
    let mut c = vec![
        format!("t.org_id = {org}"),
        format!("t.actor = {actor}"),
        "t.detail = 1".into(),
        "t.day = -1".into(),
        "t.block = -1".into(),
        "t.n > 0".into(),
    ];
    c.extend(detail_conditions(q, w));
    format!(
        "SELECT DISTINCT t.source, t.type, t.verb FROM activity_tally t WHERE {} ORDER BY 1, 2, 3",
        c.join(" AND ")
    )
}

/// The statement of the id blocks holding entries made on the UTC days of `q`'s `created_*`
/// window, ascending (the tally's per-day grain); `None` without a window or with one before
/// 1970. Binds into `w`; `org` is the organization's placeholder.
pub(crate) fn window_blocks(q: &FeedQuery, w: &mut Where, org: &str) -> Option<String> {
    if q.created_min.is_none() && q.created_max.is_none() {
        return None;
    }
    let first = q.created_min.unwrap_or(0);
    let last = q.created_max.map_or(i64::MAX, |max| max.saturating_sub(1));
    if first < 0 || last < 0 {
        return None;
    }
    let from = w.bind(Arg::Int(first / DAY_MS));
    let to = w.bind(Arg::Int(last / DAY_MS));
    Some(format!(
        "SELECT DISTINCT t.block FROM activity_tally t
          WHERE t.org_id = {org} AND t.actor = -1 AND t.detail = 0 AND t.day >= {from} AND t.day <= {to}
          ORDER BY t.block"
    ))
}

/// The id ranges `[first, end)` of `blocks` (ascending), adjacent blocks joined, above `after`;
/// more than `most` become one, from the first to the last.
pub(crate) fn id_ranges(blocks: &[i64], after: Option<i64>, most: usize) -> Vec<(i64, i64)> {
    let mut ranges: Vec<(i64, i64)> = Vec::new();
    for &b in blocks {
        let (first, end) = (b.saturating_mul(BLOCK), block_end(b.saturating_mul(BLOCK)));
        match ranges.last_mut() {
            Some(last) if last.1 == first => last.1 = end,
            _ => ranges.push((first, end)),
        }
    }
    let from = after.map_or(i64::MIN, |a| a.saturating_add(1));
    let ranges: Vec<(i64, i64)> = ranges
        .into_iter()
        .filter_map(|(first, end)| (end > from).then_some((first.max(from), end)))
        .collect();
    match (ranges.first(), ranges.last()) {
        (Some(first), Some(last)) if ranges.len() > most => vec![(first.0, last.1)],
        _ => ranges,
    }
}

/// The first id of the block after the one that holds `after`.
pub(crate) fn block_end(after: i64) -> i64 {
    (after / BLOCK + 1).saturating_mul(BLOCK)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn squeeze(s: &str) -> String {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The migration's backfill is [`REBUILD`], on both backends.
    #[test]
    fn the_migration_backfills_with_the_rebuild_statement() {
        for dir in ["sqlite", "postgres"] {
            let path = format!(
                "{}/migrations/{dir}/0022_activity_tally.sql",
                env!("CARGO_MANIFEST_DIR")
            );
            let text = std::fs::read_to_string(&path).expect("migration 0022");
            assert!(
                squeeze(&text).contains(&squeeze(&REBUILD)),
                "{path} backfills with activity_tally::REBUILD"
            );
        }
    }

    #[test]
    fn the_tally_answers_whole_days_and_plain_filters_only() {
        let q = FeedQuery::default();
        assert!(answers(&q));
        assert!(!answers(&FeedQuery {
            search: Some("%a%".into()),
            ..q.clone()
        }));
        assert!(!answers(&FeedQuery {
            created_min: Some(DAY_MS + 1),
            ..q.clone()
        }));
        assert!(!answers(&FeedQuery {
            actor_id: Some(-1),
            ..q.clone()
        }));
        assert!(answers(&FeedQuery {
            created_max: Some(3 * DAY_MS),
            after: Some(5000),
            ..q
        }));
        assert_eq!(block_end(0), BLOCK);
        assert_eq!(block_end(BLOCK - 1), BLOCK);
        assert_eq!(block_end(BLOCK), 2 * BLOCK);
        assert_eq!(block_end(i64::MAX), i64::MAX, "any cursor the handler accepts");
    }

    #[test]
    fn window_blocks_become_id_ranges_past_the_cursor() {
        // Adjacent blocks join; a gap starts a new range.
        assert_eq!(
            id_ranges(&[0, 238, 239, 240], None, 4),
            [(0, BLOCK), (238 * BLOCK, 241 * BLOCK)]
        );
        // The cursor cuts into a range, and drops the ranges at or below it.
        assert_eq!(
            id_ranges(&[0, 238, 239], Some(238 * BLOCK + 5), 4),
            [(238 * BLOCK + 6, 240 * BLOCK)]
        );
        assert_eq!(id_ranges(&[0], Some(BLOCK - 1), 4), []);
        assert_eq!(id_ranges(&[0, 1], Some(i64::MAX), 4), []);
        assert_eq!(id_ranges(&[], None, 4), []);
        // Past `most` ranges, one from the first to the last (what it reads is a superset).
        assert_eq!(id_ranges(&[0, 2, 4], None, 2), [(0, 5 * BLOCK)]);
        assert_eq!(
            id_ranges(&[0, 2, 4], Some(BLOCK), 2),
            [(2 * BLOCK, 3 * BLOCK), (4 * BLOCK, 5 * BLOCK)]
        );
        // A window before its start or before 1970 reads no blocks from the tally.
        let q = FeedQuery::default();
        assert!(window_blocks(&q, &mut Where::default(), "$1").is_none());
        let before = FeedQuery {
            created_min: Some(-DAY_MS),
            ..q.clone()
        };
        assert!(window_blocks(&before, &mut Where::default(), "$1").is_none());
        let mut w = Where::default();
        let day = FeedQuery {
            created_min: Some(3 * DAY_MS),
            created_max: Some(4 * DAY_MS),
            ..q
        };
        assert!(window_blocks(&day, &mut w, "$1").is_some());
        assert!(
            matches!(w.args[..], [Arg::Int(3), Arg::Int(3)]),
            "[3 days, 4 days) is day 3 alone"
        );
    }
}
