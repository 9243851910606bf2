//! What the feed hides from a member (spec §4.9: the entries about a top-secret task only for
//! its assignees). Read once and remembered by the store between writes (`api/activity.rs`), so
//! that a member's page tests its entries against a bound set instead of working the set out in
//! every statement, and a member's total subtracts the hidden entries without counting them.

use sqlx::Pool;

use super::activity::sequence;
use super::{Db, IS_PG};
use crate::model::HiddenEntries;

/// Most entry ids of hidden tasks kept per member (8 bytes each); past it the totals count them.
pub(crate) const ENTRIES_KEPT: usize = 100_000;

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

/// The set of the ids in the JSON array bound at placeholder `p`, as a subquery's select.
pub(crate) fn id_set(p: &str) -> String {
    if IS_PG {
        format!("SELECT jsonb_array_elements_text(CAST({p} AS jsonb)) AS value")
    } else {
        format!("SELECT value FROM json_each({p})")
    }
}

/// What member `viewer` may not see of `org`'s feed, as of now (entries committed so far are
/// numbered first, so that every hidden entry has its id). One statement with one row: the
/// tasks, their ids as JSON, and their entries' ids (comma-separated, unordered; reached
/// through `activity_org_task`, one range per task, since in id order SQLite would rather walk
/// the whole `(org_id, id)` index).
pub(crate) async fn read(pool: &Pool<Db>, org: &str, viewer: i64) -> Result<HiddenEntries, sqlx::Error> {
    sequence(pool).await?;
    let (tasks_json, entries) = if IS_PG {
        (
            "COALESCE(CAST(json_agg(id) AS TEXT), '[]')",
            "string_agg(CAST(id AS TEXT), ',')",
        )
    } else {
        ("json_group_array(id)", "group_concat(id)")
    };
    let sql = format!(
        "WITH h AS MATERIALIZED ({})
         SELECT (SELECT COUNT(*) FROM h), (SELECT {tasks_json} FROM h),
                (SELECT {entries} FROM (SELECT a.id FROM h CROSS JOIN activity a
                                         WHERE a.org_id = $1 AND a.task_id = h.id AND +a.id IS NOT NULL
                                         LIMIT $3) e)",
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
    let mut ids: Vec<i64> = entries
        .as_deref()
        .unwrap_or("")
        .split(',')
        .filter_map(|id| id.parse().ok())
        .collect();
    let entries = (ids.len() <= ENTRIES_KEPT).then(|| {
        ids.sort_unstable();
        ids.shrink_to_fit();
        ids
    });
    Ok(HiddenEntries {
        tasks: tasks as usize,
        tasks_json,
        entries,
    })
}
