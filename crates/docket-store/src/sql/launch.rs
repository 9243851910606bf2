//! Launching a run from a template: the template read as a launch copies it, and the write of
//! the run, its tasks, their assignees, form fields and tags, the run's folders and the
//! template's launch count in one transaction, each kind of row in one batched statement.

use std::collections::HashMap;

use docket_domain::ids;
use docket_domain::run::RunStatus;
use sqlx::{Pool, QueryBuilder};

use super::tasks::{ensure_tag, placeholders};
use super::{Db, counters, events, guests, rule_pass};
use crate::model::{ACTING, Acting, LaunchTask};
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

/// A launch of a batch that passed its checks, with what the batch's shared statements give it.
struct Accepted<'a> {
    l: &'a LaunchRun,
    watchers: &'a [WatcherTarget],
    run_id: String,
    run_number: i64,
    task_ids: Vec<String>,
    first_task_number: i64,
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
async fn ensure_guests(
    conn: &mut Conn,
    launches: &[Accepted<'_>],
) -> Result<HashMap<(String, String), i64>, sqlx::Error> {
    let mut ids = HashMap::new();
    for (org, members) in grouped(launches, |a| &a.l.org_id) {
        let mut emails: Vec<String> = Vec::new();
        for e in members
            .iter()
            .flat_map(|a| a.l.tasks.iter().flat_map(|t| t.owners.guests.iter()))
        {
            if !emails.contains(e) {
                emails.push(e.clone());
            }
        }
        if emails.is_empty() {
            continue;
        }
        let now = members[0].l.now;
        let made = guests::ensure(&mut *conn, org, &emails, now).await?;
        ids.extend(emails.into_iter().zip(made).map(|(e, id)| ((org.clone(), e), id)));
    }
    Ok(ids)
}

/// The runs of `launches`.
async fn insert_runs(conn: &mut Conn, launches: &[Accepted<'_>]) -> Result<(), sqlx::Error> {
    for chunk in launches.chunks(ROWS_PER_STATEMENT) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO runs (id, org_id, increment_id, name, summary, owner_id, started_by, starred, is_public,
                 user_ids, group_ids, status, prerun_completed_at, prerun_completed_by, started_at, created_at,
                 last_updated, checklist_id, checklist_title, run_type, prerun, kickoff_fields, rules, template_webhook,
                 can_add_oot, parent_id, launch_extra) ",
        );
        q.push_values(chunk, |mut row, a| {
            let l = a.l;
            row.push_bind(&a.run_id)
                .push_bind(&l.org_id)
                .push_bind(a.run_number)
                .push_bind(&l.name)
                .push_bind(&l.summary)
                .push_bind(l.owner_id)
                .push_bind(l.started_by)
                .push_bind(l.starred)
                .push_bind(l.is_public)
                .push_bind(json_list(&l.users))
                .push_bind(json_list(&l.groups))
                .push("'active'")
                .push_bind(l.now)
                .push_bind(l.started_by)
                .push_bind(l.started_at)
                .push_bind(l.now)
                .push_bind(l.now)
                .push_bind(&l.checklist_id)
                .push_bind(&l.checklist_title)
                .push_bind(&l.run_type)
                .push_bind(&l.prerun)
                .push_bind(&l.kickoff_fields)
                .push_bind(&l.rules)
                .push_bind(&l.template_webhook)
                .push_bind(l.can_add_oot)
                .push_bind(&l.parent_id)
                .push_bind(&l.launch_extra);
        });
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// The tasks of `launches`, numbered in step order from each launch's first number.
async fn insert_tasks(conn: &mut Conn, launches: &[Accepted<'_>]) -> Result<(), sqlx::Error> {
    let rows: Vec<(&Accepted, usize, &LaunchTask)> = launches
        .iter()
        .flat_map(|a| a.l.tasks.iter().enumerate().map(move |(i, t)| (a, i, t)))
        .collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = insert_sql(Rows::Bound(chunk.len()), None);
        let mut q = sqlx::query(&sql);
        for (a, i, t) in chunk {
            let l = a.l;
            // Every column of the task insert, in its order (`task_insert::COLUMNS`).
            q = q
                .bind(&a.task_ids[*i])
                .bind(&l.org_id)
                .bind(a.first_task_number + *i as i64)
                .bind(&a.run_id)
                .bind(*i as i64 + 1)
                .bind(&t.title)
                .bind(&t.title)
                .bind(&t.summary)
                .bind(t.task_type.as_str())
                .bind("not-started")
                .bind(None::<bool>)
                .bind(t.started_at)
                .bind(t.deadline)
                .bind(l.now)
                .bind(l.now)
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
        q.execute(&mut *conn).await?;
    }
    Ok(())
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

/// A list as the run's JSON columns store it.
fn json_list<T: serde::Serialize>(items: &[T]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

/// The assignee rows of every task of `launches`: one statement per kind.
async fn write_owners(
    conn: &mut Conn,
    launches: &[Accepted<'_>],
    guest_ids: &HashMap<(String, String), i64>,
) -> Result<(), sqlx::Error> {
    let tasks = || {
        launches.iter().flat_map(|a| {
            a.l.tasks
                .iter()
                .zip(&a.task_ids)
                .map(move |(t, id)| (a, t, id.as_str()))
        })
    };
    let users: Vec<(&str, i64, i64)> = tasks()
        .flat_map(|(_, t, id)| t.owners.users.iter().enumerate().map(move |(i, u)| (id, *u, i as i64)))
        .collect();
    for chunk in users.chunks(ROWS_PER_STATEMENT * 5) {
        let mut q = QueryBuilder::<Db>::new("INSERT INTO task_users (task_id, user_id, position) ");
        q.push_values(chunk, |mut row, (t, u, p)| {
            row.push_bind(*t).push_bind(*u).push_bind(*p);
        });
        q.build().execute(&mut *conn).await?;
    }
    let guests: Vec<(&str, i64, i64)> = tasks()
        .flat_map(|(a, t, id)| {
            t.owners
                .guests
                .iter()
                .filter_map(|e| guest_ids.get(&(a.l.org_id.clone(), e.clone())).copied())
                .enumerate()
                .map(move |(i, g)| (id, g, i as i64))
        })
        .collect();
    for chunk in guests.chunks(ROWS_PER_STATEMENT * 5) {
        let mut q = QueryBuilder::<Db>::new("INSERT INTO task_guests (task_id, guest_id, position) ");
        q.push_values(chunk, |mut row, (t, g, p)| {
            row.push_bind(*t).push_bind(*g).push_bind(*p);
        });
        q.build().execute(&mut *conn).await?;
    }
    let groups: Vec<(&str, &str, i64)> = tasks()
        .flat_map(|(_, t, id)| {
            t.owners
                .groups
                .iter()
                .enumerate()
                .map(move |(i, g)| (id, g.as_str(), i as i64))
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

/// Every step capture of `launches` copied onto its task with its template id, unanswered.
async fn write_captures(conn: &mut Conn, launches: &[Accepted<'_>]) -> Result<(), sqlx::Error> {
    let rows: Vec<(&str, &LaunchField, i64)> = launches
        .iter()
        .flat_map(|a| {
            a.l.tasks
                .iter()
                .zip(&a.task_ids)
                .flat_map(move |(t, id)| t.captures.iter().map(move |c| (id.as_str(), c, a.l.now)))
        })
        .collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO captures (id, task_id, label, alias, field_type, guidance, position, required, options,
                 field_columns, default_value_enabled, default_value, value, created_at, last_updated) ",
        );
        q.push_values(chunk, |mut row, (task_id, c, now)| {
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
                .push_bind(*now)
                .push_bind(*now);
        });
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// A tag link to write: tag, subject type, subject, organization, instant.
type TagLink<'a> = (String, &'static str, &'a str, &'a str, i64);

/// The tag links of `launches`: each run's tags (titles created as needed) and each task's step
/// tags, numbered from the association counter in one move.
async fn write_tags(conn: &mut Conn, launches: &[Accepted<'_>]) -> Result<(), sqlx::Error> {
    let mut links: Vec<TagLink> = Vec::new();
    for a in launches {
        let l = a.l;
        let mut run_tags: Vec<String> = Vec::new();
        for t in &l.tags {
            let id = match t {
                TagTarget::Id(id) => id.clone(),
                TagTarget::Title(title) => ensure_tag(&mut *conn, &l.org_id, title, l.now).await?,
            };
            if !run_tags.contains(&id) {
                run_tags.push(id);
            }
        }
        links.extend(
            run_tags
                .into_iter()
                .map(|tag| (tag, "Run", a.run_id.as_str(), l.org_id.as_str(), l.now)),
        );
        for (t, id) in l.tasks.iter().zip(&a.task_ids) {
            let mut seen: Vec<&String> = Vec::new();
            for tag in &t.tags {
                if !seen.contains(&tag) {
                    seen.push(tag);
                    links.push((tag.clone(), "Task", id.as_str(), l.org_id.as_str(), l.now));
                }
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
    let numbered: Vec<(i64, &TagLink)> = links
        .iter()
        .enumerate()
        .map(|(i, link)| (last - n + 1 + i as i64, link))
        .collect();
    for chunk in numbered.chunks(ROWS_PER_STATEMENT) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO tag_links (id, org_id, tag_id, subject_type, subject_id, created_at) ",
        );
        q.push_values(chunk, |mut row, (id, (tag, kind, subject, org, now))| {
            row.push_bind(*id)
                .push_bind(*org)
                .push_bind(tag)
                .push_bind(*kind)
                .push_bind(*subject)
                .push_bind(*now);
        });
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}
