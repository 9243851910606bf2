//! Runs (processes): loading with their task aggregates, and re-deriving the stored status.

use docket_domain::run::{RunProgress, RunStatus};
use sqlx::Pool;

use super::Db;
use super::tasks::placeholders;
use crate::model::{RunRecord, RunRow, RunStats};

type Conn = <Db as sqlx::Database>::Connection;

const RUN_COLS: &str = "r.id, r.org_id, r.increment_id, r.name, r.summary, r.owner_id, r.started_by, r.starred,
    r.is_public, r.user_ids, r.group_ids, r.status, r.prerun_completed_at, r.prerun_completed_by, r.started_at,
    r.created_at, r.last_updated, r.completed_at, r.archived_at, r.version,
    COALESCE(r.checklist_id, o.misc_template_id) AS checklist_id, r.checklist_title, r.run_type, r.prerun,
    r.kickoff_fields, r.can_add_oot, r.parent_id";

/// Loads runs of `org` by id, in the order of `run_ids`, with aggregates as of `now`.
pub(crate) async fn load(
    pool: &Pool<Db>,
    org: &str,
    run_ids: &[String],
    now: i64,
) -> Result<Vec<RunRecord>, sqlx::Error> {
    if run_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut conn = pool.acquire().await?;
    load_in(&mut conn, org, run_ids, now).await
}

/// [`load`] inside a transaction (the runs an event reports).
pub(crate) async fn load_in(
    conn: &mut Conn,
    org: &str,
    run_ids: &[String],
    now: i64,
) -> Result<Vec<RunRecord>, sqlx::Error> {
    if run_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ph = placeholders(2, run_ids.len());
    let sql = format!(
        "SELECT {RUN_COLS} FROM runs r JOIN organizations o ON o.id = r.org_id WHERE r.org_id = $1 AND r.id IN ({ph})"
    );
    let mut q = sqlx::query_as::<_, RunRow>(&sql).bind(org);
    for id in run_ids {
        q = q.bind(id);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let ph = placeholders(3, rows.len().max(1));
    let sql = format!(
        "SELECT run_id,
                COALESCE(SUM(CASE WHEN status <> 'auto-skipped' THEN 1 ELSE 0 END), 0) AS total,
                COUNT(*) AS whole_total,
                COALESCE(SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), 0) AS complete,
                MAX(CASE WHEN status <> 'auto-skipped' THEN deadline END) AS due_date,
                COALESCE(SUM(CASE WHEN status NOT IN ('completed', 'auto-skipped') AND deadline < $1 THEN 1 ELSE 0 END), 0) AS late_tasks,
                COALESCE(SUM(CASE WHEN status NOT IN ('completed', 'auto-skipped') AND deadline >= $1 AND deadline < $2 THEN 1 ELSE 0 END), 0) AS due_soon
           FROM tasks WHERE run_id IN ({ph}) GROUP BY run_id"
    );
    let mut q = sqlx::query_as::<_, RunStats>(&sql).bind(now).bind(now + 86_400_000);
    for r in &rows {
        q = q.bind(&r.id);
    }
    let stats = if rows.is_empty() {
        Vec::new()
    } else {
        q.fetch_all(&mut *conn).await?
    };
    let sql = format!(
        "SELECT DISTINCT t.run_id, tu.user_id FROM task_users tu JOIN tasks t ON t.id = tu.task_id
          WHERE t.run_id IN ({})",
        placeholders(1, rows.len().max(1))
    );
    let mut q = sqlx::query_as::<_, (String, i64)>(&sql);
    for r in &rows {
        q = q.bind(&r.id);
    }
    let assigned = if rows.is_empty() {
        Vec::new()
    } else {
        q.fetch_all(&mut *conn).await?
    };
    let mut out: Vec<RunRecord> = Vec::with_capacity(rows.len());
    for id in run_ids {
        let Some(row) = rows.iter().find(|r| &r.id == id).cloned() else {
            continue;
        };
        let stats = stats
            .iter()
            .find(|s| &s.run_id == id)
            .cloned()
            .unwrap_or_else(|| RunStats {
                run_id: id.clone(),
                ..Default::default()
            });
        let mut collaborators: Vec<i64> = assigned.iter().filter(|(r, _)| r == id).map(|(_, u)| *u).collect();
        collaborators.push(row.owner_id);
        collaborators.sort_unstable();
        collaborators.dedup();
        out.push(RunRecord {
            row,
            stats,
            collaborators,
        });
    }
    Ok(out)
}

/// Re-derives a run's stored `status` and `completed_at` from its tasks (spec §2.6, §5.11), and
/// bumps `last_updated` and `version` when either changes.
pub(crate) async fn refresh(conn: &mut Conn, run_id: &str, now: i64) -> Result<(), sqlx::Error> {
    let Some((archived_at, status, completed_at)) = sqlx::query_as::<_, (Option<i64>, String, Option<i64>)>(
        "SELECT archived_at, status, completed_at FROM runs WHERE id = $1",
    )
    .bind(run_id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(());
    };
    let (total, done, problems): (i64, i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN status <> 'auto-skipped' THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN problem AND status <> 'auto-skipped' THEN 1 ELSE 0 END), 0)
           FROM tasks WHERE run_id = $1",
    )
    .bind(run_id)
    .fetch_one(&mut *conn)
    .await?;
    let progress = RunProgress {
        archived: archived_at.is_some(),
        total,
        done,
        problems,
    };
    let new_status = progress.status();
    let new_completed_at = progress.completed_at(completed_at, now);
    if RunStatus::parse(&status) != Some(new_status) || new_completed_at != completed_at {
        sqlx::query(
            "UPDATE runs SET status = $2, completed_at = $3, last_updated = $4, version = version + 1 WHERE id = $1",
        )
        .bind(run_id)
        .bind(new_status.as_str())
        .bind(new_completed_at)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        super::activity::run_status(conn, run_id, &status, new_status.as_str(), now).await?;
        if docket_domain::webhook_event::run_completed(RunStatus::parse(&status), new_status) {
            super::events::process_completed(conn, run_id, now).await?;
        }
    }
    Ok(())
}

/// Loads runs through a pool (for the `Store` seam).
pub(crate) async fn get(
    pool: &Pool<Db>,
    org: &str,
    run_ids: &[String],
    now: i64,
) -> Result<Vec<RunRecord>, sqlx::Error> {
    load(pool, org, run_ids, now).await
}
