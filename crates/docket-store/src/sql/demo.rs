//! Demo data (`docket admin seed-demo`): multi-row inserts, a few thousand rows per statement,
//! one transaction per batch; then the run statuses and the organization's sequences are
//! brought in line in bulk.

use sqlx::{Pool, QueryBuilder};

use super::Db;
use crate::model::{DemoBatch, DemoEntry, DemoSubject};
use crate::task_insert::{COLUMN_COUNT, Rows, insert_sql};

/// Rows per `INSERT` statement (a task binds [`COLUMN_COUNT`] values, which keeps a statement
/// under SQLite's 32766 and PostgreSQL's 65535 bind limits: checked below). Not more: binding
/// costs time in the square of a statement's parameters on SQLite (sqlx looks up each one's
/// name, `sqlite3_bind_parameter_name`, a linear search), which at 1,000 rows (31,000
/// parameters) was 84 % of a seed's CPU time and held it near 200 tasks/s.
const ROWS_PER_STATEMENT: usize = 100;
const _: () = assert!(ROWS_PER_STATEMENT * COLUMN_COUNT <= 32766);

/// Writes one batch in one transaction.
pub(crate) async fn insert_batch(pool: &Pool<Db>, b: &DemoBatch) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    for chunk in b.runs.chunks(ROWS_PER_STATEMENT) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO runs (id, org_id, increment_id, name, owner_id, started_by, status, prerun_completed_at,
                 prerun_completed_by, started_at, created_at, last_updated) ",
        );
        q.push_values(chunk, |mut row, r| {
            row.push_bind(&r.id)
                .push_bind(&b.org_id)
                .push_bind(r.increment_id)
                .push_bind(&r.name)
                .push_bind(r.owner_id)
                .push_bind(r.owner_id)
                .push_bind("active")
                .push_bind(r.created_at)
                .push_bind(r.owner_id)
                .push_bind(r.created_at)
                .push_bind(r.created_at)
                .push_bind(r.created_at);
        });
        q.build().execute(&mut *tx).await?;
    }
    for chunk in b.tasks.chunks(ROWS_PER_STATEMENT) {
        let sql = insert_sql(Rows::Bound(chunk.len()), None);
        let mut q = sqlx::query(&sql);
        for t in chunk {
            // Every column of the task insert, in its order (`task_insert::COLUMNS`).
            q = q
                .bind(&t.id)
                .bind(&b.org_id)
                .bind(t.increment_id)
                .bind(&t.run_id)
                .bind(t.position)
                .bind(&t.title)
                .bind(&t.title)
                .bind(None::<String>)
                .bind(t.task_type.as_str())
                .bind(t.status.as_str())
                .bind(t.is_approved)
                .bind(t.started_at)
                .bind(t.deadline)
                .bind(t.created_at)
                .bind(t.created_at)
                .bind(t.completed.map(|c| c.0))
                .bind(t.completed.map(|c| c.1))
                .bind(t.starter_id)
                .bind(false)
                .bind(false)
                .bind(0i64)
                .bind(None::<String>)
                .bind(false)
                .bind(t.top_secret)
                .bind(t.problem)
                .bind(false)
                .bind(None::<String>)
                .bind(None::<String>)
                .bind(None::<String>)
                .bind(None::<i64>)
                .bind(true);
        }
        q.execute(&mut *tx).await?;
    }
    let users: Vec<(&str, i64, i64)> = b
        .tasks
        .iter()
        .flat_map(|t| {
            t.users
                .iter()
                .enumerate()
                .map(move |(i, u)| (t.id.as_str(), *u, i as i64))
        })
        .collect();
    for chunk in users.chunks(ROWS_PER_STATEMENT * 5) {
        let mut q = QueryBuilder::<Db>::new("INSERT INTO task_users (task_id, user_id, position) ");
        q.push_values(chunk, |mut row, (t, u, p)| {
            row.push_bind(*t).push_bind(*u).push_bind(*p);
        });
        q.build().execute(&mut *tx).await?;
    }
    let guests: Vec<(&str, i64, i64)> = b
        .tasks
        .iter()
        .flat_map(|t| {
            t.guests
                .iter()
                .enumerate()
                .map(move |(i, g)| (t.id.as_str(), *g, i as i64))
        })
        .collect();
    for chunk in guests.chunks(ROWS_PER_STATEMENT * 5) {
        let mut q = QueryBuilder::<Db>::new("INSERT INTO task_guests (task_id, guest_id, position) ");
        q.push_values(chunk, |mut row, (t, g, p)| {
            row.push_bind(*t).push_bind(*g).push_bind(*p);
        });
        q.build().execute(&mut *tx).await?;
    }
    let groups: Vec<(&str, &str, i64)> = b
        .tasks
        .iter()
        .flat_map(|t| {
            t.groups
                .iter()
                .enumerate()
                .map(move |(i, g)| (t.id.as_str(), g.as_str(), i as i64))
        })
        .collect();
    for chunk in groups.chunks(ROWS_PER_STATEMENT * 5) {
        let mut q = QueryBuilder::<Db>::new("INSERT INTO task_groups (task_id, group_id, position) ");
        q.push_values(chunk, |mut row, (t, g, p)| {
            row.push_bind(*t).push_bind(*g).push_bind(*p);
        });
        q.build().execute(&mut *tx).await?;
    }
    let tags: Vec<(&str, &str)> = b
        .tasks
        .iter()
        .flat_map(|t| t.tags.iter().map(move |g| (t.id.as_str(), g.as_str())))
        .collect();
    if !tags.is_empty() {
        let first: i64 =
            sqlx::query_scalar("UPDATE counters SET value = value + $1 WHERE name = 'tag_link_id' RETURNING value")
                .bind(tags.len() as i64)
                .fetch_one(&mut *tx)
                .await?;
        let base = first - tags.len() as i64;
        let numbered: Vec<(i64, &str, &str)> = tags
            .iter()
            .enumerate()
            .map(|(i, (t, g))| (base + 1 + i as i64, *t, *g))
            .collect();
        for chunk in numbered.chunks(ROWS_PER_STATEMENT * 3) {
            let mut q = QueryBuilder::<Db>::new(
                "INSERT INTO tag_links (id, org_id, tag_id, subject_type, subject_id, created_at) ",
            );
            q.push_values(chunk, |mut row, (id, t, g)| {
                row.push_bind(*id)
                    .push_bind(&b.org_id)
                    .push_bind(*g)
                    .push_bind("Task")
                    .push_bind(*t)
                    .push_bind(0_i64);
            });
            q.build().execute(&mut *tx).await?;
        }
    }
    tx.commit().await
}

/// Re-derives every run status of `org` from its tasks, raises the organization's task and
/// run sequences to at least the given values, and folds its kept counts (PostgreSQL).
pub(crate) async fn finish(
    pool: &Pool<Db>,
    org: &str,
    task_seq: i64,
    run_seq: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE runs SET
             status = CASE
                 WHEN archived_at IS NOT NULL THEN 'archived'
                 WHEN EXISTS (SELECT 1 FROM tasks t WHERE t.run_id = runs.id AND t.problem) THEN 'problem'
                 WHEN EXISTS (SELECT 1 FROM tasks t WHERE t.run_id = runs.id)
                  AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.run_id = runs.id AND t.status <> 'completed') THEN 'complete'
                 ELSE 'active' END,
             completed_at = CASE
                 WHEN EXISTS (SELECT 1 FROM tasks t WHERE t.run_id = runs.id)
                  AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.run_id = runs.id AND t.status <> 'completed') THEN $2
                 ELSE NULL END
         WHERE org_id = $1",
    )
    .bind(org)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE organizations SET
             task_seq = CASE WHEN task_seq < $2 THEN $2 ELSE task_seq END,
             run_seq = CASE WHEN run_seq < $3 THEN $3 ELSE run_seq END
         WHERE id = $1",
    )
    .bind(org)
    .bind(task_seq)
    .bind(run_seq)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    super::task_totals::fold_all(pool, org).await
}

/// The organization's current task and run sequences.
pub(crate) async fn sequences(pool: &Pool<Db>, org: &str) -> Result<Option<(i64, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT task_seq, run_seq FROM organizations WHERE id = $1")
        .bind(org)
        .fetch_optional(pool)
        .await
}

/// Activity entries bind 20 values each (few rows per statement: see [`ROWS_PER_STATEMENT`]).
const ENTRIES_PER_STATEMENT: usize = 100;
const _: () = assert!(ENTRIES_PER_STATEMENT * 20 <= 32766);

/// Writes generated activity entries of `org` in one transaction, numbered after the largest
/// id so far in the order given, and adds them to the feed's counts; moves the e-mail notifier's cursor past them (generated history
/// is never mailed, nor the entries before it that the notifier had not passed yet). Returns the
/// last id.
pub(crate) async fn insert_activity(pool: &Pool<Db>, org: &str, entries: &[DemoEntry]) -> Result<i64, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let base: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM activity")
        .fetch_one(&mut *tx)
        .await?;
    for (n, chunk) in entries.chunks(ENTRIES_PER_STATEMENT).enumerate() {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO activity (entry_key, id, org_id, verb, source, actor_id, type, auditable_type, auditable_id,
                 parentable_type, parentable_id, description, title, field, old_value, body, run_id, task_id,
                 checklist_id, created_at) ",
        );
        let first = base + 1 + (n * ENTRIES_PER_STATEMENT) as i64;
        q.push_values(chunk.iter().enumerate(), |mut row, (i, e)| {
            let id = first + i as i64;
            row.push_bind(format!("demo:{id:016x}"))
                .push_bind(id)
                .push_bind(org)
                .push_bind(e.verb)
                .push_bind(e.source)
                .push_bind(e.actor_id)
                .push_bind(e.kind)
                .push_bind(e.auditable_type)
                .push_bind(&e.auditable_id)
                .push_bind(e.parentable_type)
                .push_bind(&e.parentable_id)
                .push_bind(&e.description)
                .push_bind(&e.title)
                .push_bind(&e.field)
                .push_bind(&e.old_value)
                .push_bind(&e.body)
                .push_bind(&e.run_id)
                .push_bind(&e.task_id)
                .push_bind(&e.checklist_id)
                .push_bind(e.created_at);
        });
        q.build().execute(&mut *tx).await?;
    }
    let last = base + entries.len() as i64;
    // Counted as the numbering counts the entries it numbers (`activity_tally.rs`).
    sqlx::query(&super::activity_tally::ADD_RANGE)
        .bind(org)
        .bind(base)
        .bind(last)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE email_cursor SET after_id = $1 WHERE name = 'notifier' AND after_id < $1")
        .bind(last)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(last)
}

/// Up to `limit` live tasks of `org` drawn at random, with their runs, for generated activity.
pub(crate) async fn activity_subjects(pool: &Pool<Db>, org: &str, limit: i64) -> Result<Vec<DemoSubject>, sqlx::Error> {
    sqlx::query_as(
        "SELECT t.id AS task_id, t.title, t.run_id, r.name AS run_name, r.checklist_id
           FROM tasks t LEFT JOIN runs r ON r.id = t.run_id
          WHERE t.org_id = $1 AND t.archived_at IS NULL
          ORDER BY random() LIMIT $2",
    )
    .bind(org)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// The templates of `org`: `(id, title)`.
pub(crate) async fn templates(pool: &Pool<Db>, org: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, title FROM checklists WHERE org_id = $1 ORDER BY id")
        .bind(org)
        .fetch_all(pool)
        .await
}
