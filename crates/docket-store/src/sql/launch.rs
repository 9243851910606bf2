//! Launching a run from a template: the template read as a launch copies it, and the write of
//! the run, its tasks, their assignees, form fields and tags, the run's folders and the
//! template's launch count in one transaction, each kind of row in one batched statement.

use std::collections::HashMap;

use docket_domain::ids;
use docket_domain::run::RunStatus;
use sqlx::Pool;

use super::tasks::placeholders;
use super::{Db, counters, events, guests, rule_pass};
use crate::model::{ACTING, Acting};
use crate::model::{
    IdKind, LaunchChecklist, LaunchField, LaunchRefusal, LaunchRule, LaunchRun, LaunchStep, LaunchWritten, RunRecord,
    RunRow, RunStats, TemplateSnapshot, WatcherTarget,
};

type Conn = <Db as sqlx::Database>::Connection;

use super::launch_rows::{Accepted, insert_runs, insert_tasks, json_list, write_captures, write_owners, write_tags};
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

/// Counts `n` launches on template `checklist_id` of `org`, which must still be live: `false`
/// (nothing changed) when it was archived or deleted since it was read.
async fn count_on_template(conn: &mut Conn, org: &str, checklist_id: &str, n: usize) -> Result<bool, sqlx::Error> {
    let counted = sqlx::query(
        "UPDATE checklists SET started_processes = started_processes + $3
          WHERE id = $1 AND org_id = $2 AND archived_at IS NULL",
    )
    .bind(checklist_id)
    .bind(org)
    .bind(n as i64)
    .execute(&mut *conn)
    .await?;
    Ok(counted.rows_affected() > 0)
}

/// The items of `items` grouped by `key`, groups in the order of their keys, items in their
/// order. The rows a batch locks (templates, organizations) are locked in key order, so that
/// two processes' batches cannot each hold a row the other waits for.
fn grouped<T, K: Ord>(items: &[T], key: impl Fn(&T) -> K) -> Vec<(K, Vec<&T>)> {
    let mut groups: Vec<(K, Vec<&T>)> = Vec::new();
    for item in items {
        let k = key(item);
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, members)) => members.push(item),
            None => groups.push((k, vec![item])),
        }
    }
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    groups
}

/// Writes `launches` (each with its organization's watchers, the store's memo, for its events)
/// inside the transaction open on `conn`; the caller commits (the launches waiting for the
/// writer share one transaction, see `launch_commit.rs`). Each launch's answer, in order: the
/// run as written, or a refusal (its template archived or deleted since it was read, a file
/// value naming no file), for which nothing was written.
///
/// Each kind of row is written for the whole batch by one statement (the runs, their tasks,
/// the assignees, form fields and tag links), the numbers of each organization taken in one
/// move, so that a batch costs about as many statements as one launch: on PostgreSQL each is a
/// round trip, on SQLite a hop to the writer's thread.
pub(crate) async fn write_in(
    conn: &mut Conn,
    launches: &[(&LaunchRun, &[WatcherTarget])],
) -> Result<Vec<Result<LaunchWritten, LaunchRefusal>>, sqlx::Error> {
    let mut refused: Vec<Option<LaunchRefusal>> = Vec::with_capacity(launches.len());
    for (l, _) in launches {
        let unknown = super::assets::first_unknown_file(conn, &l.org_id, &l.file_values).await?;
        refused.push(unknown.map(LaunchRefusal::UnknownFile));
    }
    let checked: Vec<usize> = (0..launches.len()).filter(|i| refused[*i].is_none()).collect();
    for ((org, template), members) in grouped(&checked, |i| (&launches[*i].0.org_id, &launches[*i].0.checklist_id)) {
        if !count_on_template(conn, org, template, members.len()).await? {
            for i in members {
                refused[*i] = Some(LaunchRefusal::TemplateGone);
            }
        }
    }
    let accepted: Vec<(&LaunchRun, &[WatcherTarget])> = launches
        .iter()
        .zip(&refused)
        .filter(|(_, r)| r.is_none())
        .map(|(l, _)| *l)
        .collect();
    let accepted = number(conn, &accepted).await?;
    let guest_ids = ensure_guests(conn, &accepted).await?;
    insert_runs(conn, &accepted).await?;
    insert_tasks(conn, &accepted).await?;
    write_owners(conn, &accepted, &guest_ids).await?;
    write_captures(conn, &accepted).await?;
    write_tags(conn, &accepted).await?;

    let mut written = Vec::with_capacity(accepted.len());
    for a in accepted {
        // Each launch's own entries, folders, rules and events record its launcher.
        let acting = Acting::Member(a.l.started_by);
        let changed_by_rules = ACTING.scope(acting, after_rows(conn, &a)).await?;
        written.push(LaunchWritten {
            run: as_written(a.l, a.run_id, a.run_number),
            changed_by_rules,
        });
    }
    let mut written = written.into_iter();
    Ok(refused
        .into_iter()
        .map(|r| match r {
            Some(refusal) => Err(refusal),
            None => written.next().map(Ok).unwrap_or(Err(LaunchRefusal::TemplateGone)),
        })
        .collect())
}

/// Numbers `launches` (already checked): each organization's runs and tasks counted on by one
/// update of its row, in the batch's order, and new ids for each run and task.
async fn number<'a>(
    conn: &mut Conn,
    launches: &[(&'a LaunchRun, &'a [WatcherTarget])],
) -> Result<Vec<Accepted<'a>>, sqlx::Error> {
    let mut numbers: Vec<(i64, i64)> = vec![(0, 0); launches.len()];
    let indexed: Vec<usize> = (0..launches.len()).collect();
    for (org, members) in grouped(&indexed, |i| &launches[*i].0.org_id) {
        let tasks: i64 = members.iter().map(|i| launches[**i].0.tasks.len() as i64).sum();
        let (run_seq, task_seq): (i64, i64) = sqlx::query_as(
            "UPDATE organizations SET run_seq = run_seq + $3, task_seq = task_seq + $2 WHERE id = $1
             RETURNING run_seq, task_seq",
        )
        .bind(org)
        .bind(tasks)
        .bind(members.len() as i64)
        .fetch_one(&mut *conn)
        .await?;
        let (mut next_run, mut next_task) = (run_seq - members.len() as i64 + 1, task_seq - tasks + 1);
        for i in members {
            numbers[*i] = (next_run, next_task);
            next_run += 1;
            next_task += launches[*i].0.tasks.len() as i64;
        }
    }
    Ok(launches
        .iter()
        .zip(numbers)
        .map(|((l, watchers), (run_number, first_task_number))| Accepted {
            l,
            watchers,
            run_id: ids::new_id32(),
            run_number,
            task_ids: l.tasks.iter().map(|_| ids::new_id32()).collect(),
            first_task_number,
        })
        .collect())
}

/// The guest ids of every guest assignee of `launches`, by organization and email, made as
/// needed.
async fn ensure_guests<'a>(
    conn: &mut Conn,
    launches: &[Accepted<'a>],
) -> Result<HashMap<(&'a str, &'a str), i64>, sqlx::Error> {
    let mut ids = HashMap::new();
    for (org, members) in grouped(launches, |a| a.l.org_id.as_str()) {
        let mut emails: Vec<&'a str> = Vec::new();
        for e in members
            .iter()
            .flat_map(|a| a.l.tasks.iter().flat_map(|t| t.owners.guests.iter()))
        {
            if !emails.contains(&e.as_str()) {
                emails.push(e);
            }
        }
        if emails.is_empty() {
            continue;
        }
        let owned: Vec<String> = emails.iter().map(|e| e.to_string()).collect();
        let made = guests::ensure(&mut *conn, org, &owned, members[0].l.now).await?;
        ids.extend(emails.into_iter().zip(made).map(|(e, id)| ((org, e), id)));
    }
    Ok(ids)
}

/// What follows a launch's rows, for each launch of a batch: its feed entries, its folders, the
/// launch pass of its rules and its events. Whether the rules changed a task.
async fn after_rows(conn: &mut Conn, a: &Accepted<'_>) -> Result<bool, sqlx::Error> {
    let l = a.l;
    super::activity::launched(&mut *conn, &a.run_id, l.now).await?;
    for folder in &l.folders {
        let id = counters::next(&mut *conn, "folder_object_id").await?;
        sqlx::query(
            "INSERT INTO folder_objects (id, org_id, folder_id, subject_type, subject_id, created_at)
             SELECT $1, $2, id, 'Run', $4, $5 FROM folders WHERE id = $3 AND org_id = $2",
        )
        .bind(id)
        .bind(&l.org_id)
        .bind(folder)
        .bind(&a.run_id)
        .bind(l.now)
        .execute(&mut *conn)
        .await?;
    }
    // The launch pass of the run's rules: may hide tasks, move deadlines, change assignees. A
    // template without rules leaves nothing to pass.
    let changed_by_rules = if l.rules == "[]" {
        false
    } else {
        !rule_pass::apply_at_launch(&mut *conn, &l.org_id, &a.run_id, l.now)
            .await?
            .is_empty()
    };
    events::launched(
        &mut *conn,
        &l.org_id,
        &a.run_id,
        l.template_webhook.as_deref(),
        a.watchers,
        l.now,
    )
    .await?;
    Ok(changed_by_rules)
}

/// The run of `l` as [`write_in`] wrote it, numbered `increment_id`, with the aggregates a load
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
