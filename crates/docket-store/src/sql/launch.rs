//! Launching a run from a template: the template read as a launch copies it, and the write of
//! the run, its tasks, their assignees, form fields and tags, the run's folders and the
//! template's launch count in one transaction, each kind of row in one batched statement.

use std::collections::HashMap;

use docket_domain::ids;
use docket_domain::run::RunStatus;
use sqlx::{Pool, QueryBuilder};

use super::tasks::{ensure_tag, placeholders};
use super::{Db, counters, events, guests, rule_pass};
use crate::StoreError;
use crate::model::{
    IdKind, LaunchChecklist, LaunchField, LaunchRefusal, LaunchRule, LaunchRun, LaunchStep, LaunchWritten, RunRecord,
    RunRow, RunStats, TagTarget, TemplateSnapshot, WatcherTarget,
};
use crate::task_insert::{COLUMN_COUNT, Rows, insert_sql};

type Conn = <Db as sqlx::Database>::Connection;

/// Rows per multi-row statement (under SQLite's 32,766 bound values with the widest row).
const ROWS_PER_STATEMENT: usize = 1000;
const _: () = assert!(ROWS_PER_STATEMENT * COLUMN_COUNT <= 32766);

use super::template_fields::FIELD_COLS;

/// The template `checklist_id` of `org` with its steps, fields and rules; `None` when there is
/// no such template.
pub(crate) async fn snapshot(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
) -> Result<Option<TemplateSnapshot>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let checklist: Option<LaunchChecklist> = sqlx::query_as(
        "SELECT id, title, template_type, webhook, can_add_oot, user_ids, group_ids, archived_at
           FROM checklists WHERE id = $1 AND org_id = $2",
    )
    .bind(checklist_id)
    .bind(org)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(checklist) = checklist else {
        return Ok(None);
    };
    let steps: Vec<LaunchStep> = sqlx::query_as(
        "SELECT id, position, title, alias, summary, step_type, assignees, guests, groups, assign_run_starter,
                deadline, start_date, is_soft_start_date, max_assignable, allow_guest_owners,
                can_complete_only_assignees, everyone_must_complete, prevent_guest_comment, top_secret, webhook, tags
           FROM steps WHERE checklist_id = $1 ORDER BY position, id",
    )
    .bind(checklist_id)
    .fetch_all(&mut *conn)
    .await?;
    let fields: Vec<LaunchField> = sqlx::query_as(&format!(
        "SELECT {FIELD_COLS} FROM template_fields WHERE checklist_id = $1 ORDER BY position, id"
    ))
    .bind(checklist_id)
    .fetch_all(&mut *conn)
    .await?;
    let rules: Vec<LaunchRule> = sqlx::query_as(
        "SELECT id, automated_alias, conditions, then_actions, created_at, last_updated
           FROM automations WHERE checklist_id = $1 ORDER BY seq, id",
    )
    .bind(checklist_id)
    .fetch_all(&mut *conn)
    .await?;
    let (kickoff, captures): (Vec<LaunchField>, Vec<LaunchField>) =
        fields.into_iter().partition(|f| f.step_id.is_none());
    Ok(Some(TemplateSnapshot {
        checklist,
        steps,
        kickoff,
        captures,
        rules,
    }))
}

/// Which of `ids` name rows of `kind` in `org`.
pub(crate) async fn existing(
    pool: &Pool<Db>,
    kind: IdKind,
    org: &str,
    ids: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let table = match kind {
        IdKind::Tag => "tags",
        IdKind::Group => "org_groups",
        IdKind::Folder => "folders",
        IdKind::Run => "runs",
    };
    let sql = format!(
        "SELECT id FROM {table} WHERE org_id = $1 AND id IN ({})",
        placeholders(2, ids.len())
    );
    let mut q = sqlx::query_scalar::<_, String>(&sql).bind(org);
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(pool).await
}

#[allow(
    dead_code,
    reason = "on SQLite launches are written in batches (launch_commit.rs), with write_in"
)]
/// Writes the launch `l` in a transaction of its own; the new run as written, or a refusal when
/// the template was archived or deleted since it was read (nothing is written then).
pub(crate) async fn write(
    pool: &Pool<Db>,
    l: &LaunchRun,
    watchers: &[WatcherTarget],
) -> Result<Result<LaunchWritten, LaunchRefusal>, StoreError> {
    let mut tx = pool.begin().await?;
    let written = write_in(&mut tx, l, watchers).await?;
    if written.is_ok() {
        tx.commit().await?;
    }
    Ok(written)
}

/// Counts the launch on its template, which must still be live: `false` (nothing changed) when
/// it was archived or deleted since it was read.
async fn count_on_template(conn: &mut Conn, l: &LaunchRun) -> Result<bool, sqlx::Error> {
    let counted = sqlx::query(
        "UPDATE checklists SET started_processes = started_processes + 1
          WHERE id = $1 AND org_id = $2 AND archived_at IS NULL",
    )
    .bind(&l.checklist_id)
    .bind(&l.org_id)
    .execute(&mut *conn)
    .await?;
    Ok(counted.rows_affected() > 0)
}

/// Writes the launch `l` inside the transaction open on `conn`; the caller commits (several
/// launches may share one transaction on SQLite, see `launch_commit.rs`). On a refusal nothing
/// was written. `watchers` are the organization's watchers (the store's memo) for its events.
pub(crate) async fn write_in(
    conn: &mut Conn,
    l: &LaunchRun,
    watchers: &[WatcherTarget],
) -> Result<Result<LaunchWritten, LaunchRefusal>, sqlx::Error> {
    let now = l.now;
    if let Some(key) = super::assets::first_unknown_file(conn, &l.org_id, &l.file_values).await? {
        return Ok(Err(LaunchRefusal::UnknownFile(key)));
    }
    if !count_on_template(conn, l).await? {
        return Ok(Err(LaunchRefusal::TemplateGone));
    }
    let tx = conn;
    let n = l.tasks.len() as i64;
    let (run_seq, task_seq): (i64, i64) = sqlx::query_as(
        "UPDATE organizations SET run_seq = run_seq + 1, task_seq = task_seq + $2 WHERE id = $1
         RETURNING run_seq, task_seq",
    )
    .bind(&l.org_id)
    .bind(n)
    .fetch_one(&mut *tx)
    .await?;

    let mut emails: Vec<String> = Vec::new();
    for e in l.tasks.iter().flat_map(|t| t.owners.guests.iter()) {
        if !emails.contains(e) {
            emails.push(e.clone());
        }
    }
    let guest_ids: HashMap<String, i64> = if emails.is_empty() {
        HashMap::new()
    } else {
        let ids = guests::ensure(&mut *tx, &l.org_id, &emails, now).await?;
        emails.into_iter().zip(ids).collect()
    };

    let run_id = ids::new_id32();
    sqlx::query(
        "INSERT INTO runs (id, org_id, increment_id, name, summary, owner_id, started_by, starred, is_public,
             user_ids, group_ids, status, prerun_completed_at, prerun_completed_by, started_at, created_at,
             last_updated, checklist_id, checklist_title, run_type, prerun, kickoff_fields, rules, template_webhook,
             can_add_oot, parent_id, launch_extra)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'active', $12, $7, $13, $12, $12, $14, $15, $16,
             $17, $18, $19, $20, $21, $22, $23)",
    )
    .bind(&run_id)
    .bind(&l.org_id)
    .bind(run_seq)
    .bind(&l.name)
    .bind(&l.summary)
    .bind(l.owner_id)
    .bind(l.started_by)
    .bind(l.starred)
    .bind(l.is_public)
    .bind(json_list(&l.users))
    .bind(json_list(&l.groups))
    .bind(now)
    .bind(l.started_at)
    .bind(&l.checklist_id)
    .bind(&l.checklist_title)
    .bind(&l.run_type)
    .bind(&l.prerun)
    .bind(&l.kickoff_fields)
    .bind(&l.rules)
    .bind(&l.template_webhook)
    .bind(l.can_add_oot)
    .bind(&l.parent_id)
    .bind(&l.launch_extra)
    .execute(&mut *tx)
    .await?;

    let task_ids: Vec<String> = l.tasks.iter().map(|_| ids::new_id32()).collect();
    let first_number = task_seq - n + 1;
    let numbered: Vec<(usize, &crate::model::LaunchTask)> = l.tasks.iter().enumerate().collect();
    for chunk in numbered.chunks(ROWS_PER_STATEMENT) {
        let sql = insert_sql(Rows::Bound(chunk.len()), None);
        let mut q = sqlx::query(&sql);
        for (i, t) in chunk {
            // Every column of the task insert, in its order (`task_insert::COLUMNS`).
            q = q
                .bind(&task_ids[*i])
                .bind(&l.org_id)
                .bind(first_number + *i as i64)
                .bind(&run_id)
                .bind(*i as i64 + 1)
                .bind(&t.title)
                .bind(&t.title)
                .bind(&t.summary)
                .bind(t.task_type.as_str())
                .bind("not-started")
                .bind(None::<bool>)
                .bind(t.started_at)
                .bind(t.deadline)
                .bind(now)
                .bind(now)
                .bind(None::<i64>)
                .bind(None::<i64>)
                .bind(l.started_by)
                .bind(t.everyone_must_complete)
                .bind(t.can_complete_only_assignees)
                .bind(t.max_assignable)
                .bind(&t.webhook)
                .bind(t.prevent_guest_comment)
                .bind(t.top_secret)
                .bind(false)
                .bind(t.is_soft_start_date)
                .bind(&t.step_id)
                .bind(&l.checklist_id)
                .bind(&t.alias)
                .bind(t.blueprint_position)
                .bind(t.allow_guest_owners);
        }
        q.execute(&mut *tx).await?;
    }

    write_owners(&mut *tx, l, &task_ids, &guest_ids).await?;
    write_captures(&mut *tx, l, &task_ids).await?;
    write_tags(&mut *tx, l, &run_id, &task_ids).await?;
    super::activity::launched(&mut *tx, &run_id, now).await?;
    for folder in &l.folders {
        let id = counters::next(&mut *tx, "folder_object_id").await?;
        sqlx::query(
            "INSERT INTO folder_objects (id, org_id, folder_id, subject_type, subject_id, created_at)
             SELECT $1, $2, id, 'Run', $4, $5 FROM folders WHERE id = $3 AND org_id = $2",
        )
        .bind(id)
        .bind(&l.org_id)
        .bind(folder)
        .bind(&run_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    // The launch pass of the run's rules: may hide tasks, move deadlines, change assignees. A
    // template without rules leaves nothing to pass.
    let changed_by_rules = if l.rules == "[]" {
        false
    } else {
        !rule_pass::apply_at_launch(&mut *tx, &l.org_id, &run_id, now)
            .await?
            .is_empty()
    };
    events::launched(
        &mut *tx,
        &l.org_id,
        &run_id,
        l.template_webhook.as_deref(),
        watchers,
        now,
    )
    .await?;
    Ok(Ok(LaunchWritten {
        run: as_written(l, run_id, run_seq),
        changed_by_rules,
    }))
}

/// The run of `l` as [`write`] wrote it, numbered `increment_id`, with the aggregates a load
/// at the launch instant derives when no rule changed a task (none is completed or hidden).
fn as_written(l: &LaunchRun, run_id: String, increment_id: i64) -> RunRecord {
    let now = l.now;
    let day = 86_400_000;
    let deadlines = l.tasks.iter().map(|t| t.deadline);
    let stats = RunStats {
        run_id: run_id.clone(),
        total: l.tasks.len() as i64,
        whole_total: l.tasks.len() as i64,
        complete: 0,
        due_date: deadlines.clone().max(),
        late_tasks: deadlines.clone().filter(|d| *d < now).count() as i64,
        due_soon: deadlines.filter(|d| *d >= now && *d < now + day).count() as i64,
    };
    let mut collaborators: Vec<i64> = l.tasks.iter().flat_map(|t| t.owners.users.iter().copied()).collect();
    collaborators.push(l.owner_id);
    collaborators.sort_unstable();
    collaborators.dedup();
    RunRecord {
        row: RunRow {
            id: run_id,
            org_id: l.org_id.clone(),
            increment_id,
            name: l.name.clone(),
            summary: l.summary.clone(),
            owner_id: l.owner_id,
            started_by: l.started_by,
            starred: l.starred,
            is_public: l.is_public,
            user_ids: json_list(&l.users),
            group_ids: json_list(&l.groups),
            status: RunStatus::Active,
            prerun_completed_at: Some(now),
            prerun_completed_by: Some(l.started_by),
            started_at: l.started_at,
            created_at: now,
            last_updated: now,
            completed_at: None,
            archived_at: None,
            version: 1,
            checklist_id: l.checklist_id.clone(),
            checklist_title: Some(l.checklist_title.clone()),
            run_type: l.run_type.clone(),
            prerun: l.prerun.clone(),
            kickoff_fields: l.kickoff_fields.clone(),
            can_add_oot: Some(l.can_add_oot),
            parent_id: l.parent_id.clone(),
        },
        stats,
        collaborators,
    }
}

/// A list as the run's JSON columns store it.
fn json_list<T: serde::Serialize>(items: &[T]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

/// The assignee rows of every task: one statement per kind.
async fn write_owners(
    conn: &mut Conn,
    l: &LaunchRun,
    task_ids: &[String],
    guest_ids: &HashMap<String, i64>,
) -> Result<(), sqlx::Error> {
    let users: Vec<(&str, i64, i64)> = l
        .tasks
        .iter()
        .zip(task_ids)
        .flat_map(|(t, id)| {
            t.owners
                .users
                .iter()
                .enumerate()
                .map(move |(i, u)| (id.as_str(), *u, i as i64))
        })
        .collect();
    for chunk in users.chunks(ROWS_PER_STATEMENT * 5) {
        let mut q = QueryBuilder::<Db>::new("INSERT INTO task_users (task_id, user_id, position) ");
        q.push_values(chunk, |mut row, (t, u, p)| {
            row.push_bind(*t).push_bind(*u).push_bind(*p);
        });
        q.build().execute(&mut *conn).await?;
    }
    let guests: Vec<(&str, i64, i64)> = l
        .tasks
        .iter()
        .zip(task_ids)
        .flat_map(|(t, id)| {
            t.owners
                .guests
                .iter()
                .filter_map(|e| guest_ids.get(e).copied())
                .enumerate()
                .map(move |(i, g)| (id.as_str(), g, i as i64))
        })
        .collect();
    for chunk in guests.chunks(ROWS_PER_STATEMENT * 5) {
        let mut q = QueryBuilder::<Db>::new("INSERT INTO task_guests (task_id, guest_id, position) ");
        q.push_values(chunk, |mut row, (t, g, p)| {
            row.push_bind(*t).push_bind(*g).push_bind(*p);
        });
        q.build().execute(&mut *conn).await?;
    }
    let groups: Vec<(&str, &str, i64)> = l
        .tasks
        .iter()
        .zip(task_ids)
        .flat_map(|(t, id)| {
            t.owners
                .groups
                .iter()
                .enumerate()
                .map(move |(i, g)| (id.as_str(), g.as_str(), i as i64))
        })
        .collect();
    for chunk in groups.chunks(ROWS_PER_STATEMENT * 5) {
        let mut q = QueryBuilder::<Db>::new("INSERT INTO task_groups (task_id, group_id, position) ");
        q.push_values(chunk, |mut row, (t, g, p)| {
            row.push_bind(*t).push_bind(*g).push_bind(*p);
        });
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Every step capture copied onto its task with its template id, unanswered.
async fn write_captures(conn: &mut Conn, l: &LaunchRun, task_ids: &[String]) -> Result<(), sqlx::Error> {
    let rows: Vec<(&str, &LaunchField)> = l
        .tasks
        .iter()
        .zip(task_ids)
        .flat_map(|(t, id)| t.captures.iter().map(move |c| (id.as_str(), c)))
        .collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO captures (id, task_id, label, alias, field_type, guidance, position, required, options,
                 field_columns, default_value_enabled, default_value, value, created_at, last_updated) ",
        );
        q.push_values(chunk, |mut row, (task_id, c)| {
            row.push_bind(&c.id)
                .push_bind(*task_id)
                .push_bind(&c.label)
                .push_bind(&c.alias)
                .push_bind(&c.field_type)
                .push_bind(&c.guidance)
                .push_bind(c.position)
                .push_bind(c.required)
                .push_bind(&c.options)
                .push_bind(&c.field_columns)
                .push_bind(c.default_value_enabled)
                .push_bind(&c.default_value)
                .push_bind(None::<String>)
                .push_bind(l.now)
                .push_bind(l.now);
        });
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// The run's tags (titles created as needed) and each task's step tags, numbered from the
/// association counter in one move.
async fn write_tags(conn: &mut Conn, l: &LaunchRun, run_id: &str, task_ids: &[String]) -> Result<(), sqlx::Error> {
    let mut links: Vec<(String, &'static str, &str)> = Vec::new();
    for t in &l.tags {
        let id = match t {
            TagTarget::Id(id) => id.clone(),
            TagTarget::Title(title) => ensure_tag(&mut *conn, &l.org_id, title, l.now).await?,
        };
        if !links.iter().any(|(tag, _, _)| tag == &id) {
            links.push((id, "Run", run_id));
        }
    }
    for (t, id) in l.tasks.iter().zip(task_ids) {
        let mut seen: Vec<&String> = Vec::new();
        for tag in &t.tags {
            if !seen.contains(&tag) {
                seen.push(tag);
                links.push((tag.clone(), "Task", id.as_str()));
            }
        }
    }
    if links.is_empty() {
        return Ok(());
    }
    let n = links.len() as i64;
    let last: i64 = sqlx::query_scalar("UPDATE counters SET value = value + $2 WHERE name = $1 RETURNING value")
        .bind("tag_link_id")
        .bind(n)
        .fetch_one(&mut *conn)
        .await?;
    let numbered: Vec<(i64, &(String, &'static str, &str))> = links
        .iter()
        .enumerate()
        .map(|(i, link)| (last - n + 1 + i as i64, link))
        .collect();
    for chunk in numbered.chunks(ROWS_PER_STATEMENT) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO tag_links (id, org_id, tag_id, subject_type, subject_id, created_at) ",
        );
        q.push_values(chunk, |mut row, (id, (tag, kind, subject))| {
            row.push_bind(*id)
                .push_bind(&l.org_id)
                .push_bind(tag)
                .push_bind(*kind)
                .push_bind(*subject)
                .push_bind(l.now);
        });
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}
