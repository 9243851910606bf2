//! What the feed hides from a member (spec §4.9: the entries about a top-secret task only for
//! its assignees). Read once and remembered by the store between writes (`api/activity.rs`), so
//! that a member's page tests its entries against a bound set instead of working the set out in
//! every statement, and a member's total subtracts the hidden entries without counting them.

use sqlx::Pool;

use super::activity::sequence;
use super::{Db, IS_PG};
use crate::model::{FeedQuery, HiddenEntries, HiddenEntry};

/// Most entries of hidden tasks kept per member (32 bytes each: at most 0.8 MB per member, 51 MB
/// for the 64 members the store remembers); past it the totals count them.
pub(crate) const ENTRIES_KEPT: usize = 25_000;
const _: () = assert!(std::mem::size_of::<HiddenEntry>() == 32);

/// The organization's top-secret tasks that member `viewer` is not assigned to (directly or by
/// a group), `org` and `viewer` being placeholders. Few: read through `tasks_org_top_secret`.
pub(crate) fn hidden_tasks(org: &str, viewer: &str) -> String {
    format!(
        "SELECT t.id FROM tasks t WHERE t.org_id = {org} AND t.top_secret
            AND NOT EXISTS (SELECT 1 FROM task_users x WHERE x.task_id = t.id AND x.user_id = {viewer})
            AND NOT EXISTS (SELECT 1 FROM task_groups x JOIN group_members m ON m.group_id = x.group_id
                             WHERE x.task_id = t.id AND m.user_id = {viewer})"
    )
}

/// The select of task `a.task_id` when it is one of those [`hidden_tasks`] names (`org` and
/// `viewer` being placeholders): a test of one row. On SQLite through the small index of the
/// organization's top-secret tasks (`tasks_org_top_secret`, a few pages that stay cached), not
/// the primary key: that read a page of the key and one of the table for every entry of a
/// page, nearly always from outside the connection's cache at a million entries.
pub(crate) fn hidden_task(org: &str, viewer: &str) -> String {
    let tasks = if IS_PG {
        "tasks t"
    } else {
        "tasks t INDEXED BY tasks_org_top_secret"
    };
    format!(
        "SELECT 1 FROM {tasks} WHERE t.org_id = {org} AND t.id = a.task_id AND t.top_secret
            AND NOT EXISTS (SELECT 1 FROM task_users x WHERE x.task_id = t.id AND x.user_id = {viewer})
            AND NOT EXISTS (SELECT 1 FROM task_groups x JOIN group_members m ON m.group_id = x.group_id
                             WHERE x.task_id = t.id AND m.user_id = {viewer})"
    )
}

/// What member `viewer` may not see of `org`'s feed, as of now (entries committed so far are
/// numbered first, so that every hidden entry has its id). One statement with one row: the
/// tasks, their ids as JSON, and their entries (each `id created_at actor guest source type
/// verb`, the fields split by U+001F, the entries by U+001E, unordered), read from
/// `activity_org_task` alone (it carries every one of those columns), one range per task, since
/// in id order SQLite would rather walk the whole `(org_id, id)` index.
pub(crate) async fn read(pool: &Pool<Db>, org: &str, viewer: i64) -> Result<HiddenEntries, sqlx::Error> {
    sequence(pool).await?;
    let fields = [
        "a.id",
        "a.created_at",
        "COALESCE(a.actor_id, -1)",
        "CASE WHEN a.actor_guest_id IS NULL THEN 0 ELSE 1 END",
        "a.source",
        "a.type",
        "a.verb",
    ];
    let (tasks_json, entries) = if IS_PG {
        (
            "COALESCE(CAST(json_agg(id) AS TEXT), '[]')".to_string(),
            format!("string_agg(concat_ws(chr(31), {}), chr(30))", fields.join(", ")),
        )
    } else {
        (
            "json_group_array(id)".to_string(),
            format!("group_concat({}, char(30))", fields.join(" || char(31) || ")),
        )
    };
    let sql = format!(
        "WITH h AS MATERIALIZED ({})
         SELECT (SELECT COUNT(*) FROM h), (SELECT {tasks_json} FROM h),
                (SELECT {entries} FROM (SELECT a.id, a.created_at, a.actor_id, a.actor_guest_id, a.source, a.type, a.verb
                                         FROM h CROSS JOIN activity a
                                         WHERE a.org_id = $1 AND a.task_id = h.id AND +a.id IS NOT NULL
                                         LIMIT $3) a)",
        hidden_tasks("$1", "$2")
    );
    let (tasks, tasks_json, entries): (i64, String, Option<String>) = sqlx::query_as(&sql)
        .bind(org)
        .bind(viewer)
        .bind(ENTRIES_KEPT as i64 + 1)
        .fetch_one(pool)
        .await?;
    if tasks == 0 {
        return Ok(HiddenEntries::default());
    }
    let mut kinds: Vec<(String, String, String)> = Vec::new();
    let mut kept: Vec<HiddenEntry> = Vec::new();
    for record in entries
        .as_deref()
        .unwrap_or("")
        .split('\u{1e}')
        .filter(|r| !r.is_empty())
    {
        let f: Vec<&str> = record.split('\u{1f}').collect();
        let [id, created_at, actor, guest, source, kind, verb] = f[..] else {
            continue;
        };
        let kind = (source.to_string(), kind.to_string(), verb.to_string());
        let index = match kinds.iter().position(|k| *k == kind) {
            Some(i) => i,
            None => {
                kinds.push(kind);
                kinds.len() - 1
            }
        };
        kept.push(HiddenEntry {
            id: id.parse().unwrap_or_default(),
            created_at: created_at.parse().unwrap_or_default(),
            actor: actor.parse().unwrap_or(-1),
            guest: guest == "1",
            kind: u16::try_from(index).unwrap_or(u16::MAX),
        });
    }
    let entries = (kept.len() <= ENTRIES_KEPT && kinds.len() < usize::from(u16::MAX)).then(|| {
        kept.sort_unstable_by_key(|e| e.id);
        kept.shrink_to_fit();
        kept
    });
    Ok(HiddenEntries {
        tasks: tasks as usize,
        tasks_json,
        entries,
        kinds,
    })
}

/// How many of the entries hidden from a member `q` matches (past its cursor), from the kept
/// entries: for queries the tally answers (`activity_tally::answers`), whose filters are all
/// here. `None` when the entries were too many to keep.
pub(crate) fn matching(hidden: &HiddenEntries, q: &FeedQuery) -> Option<i64> {
    Some(matching_entries(hidden, q)?.count() as i64)
}

/// The kept entries hidden from a member that `q`'s tallied filters match (past its cursor);
/// `None` when the entries were too many to keep.
pub(crate) fn matching_entries<'a>(
    hidden: &'a HiddenEntries,
    q: &'a FeedQuery,
) -> Option<impl Iterator<Item = &'a HiddenEntry> + 'a> {
    let entries = hidden.entries.as_ref()?;
    let from = entries.partition_point(|e| q.after.is_some_and(|after| e.id <= after));
    let kind_ok: Vec<bool> = hidden
        .kinds
        .iter()
        .map(|(source, kind, verb)| {
            q.source.as_ref().is_none_or(|s| s == source)
                && (q.types.is_empty() || q.types.contains(kind))
                && (q.verbs.is_empty() || q.verbs.contains(verb))
        })
        .collect();
    Some(entries[from..].iter().filter(move |e| {
        kind_ok.get(usize::from(e.kind)).copied().unwrap_or(false)
            && q.actor_id.is_none_or(|a| e.actor == a)
            && q.guest_actor.is_none_or(|g| e.guest == g)
            && q.created_min.is_none_or(|min| e.created_at >= min)
            && q.created_max.is_none_or(|max| e.created_at < max)
    }))
}
