//! The rows of a batch of launches (`launch.rs::write_in`), each kind written for the whole
//! batch by one statement: the runs, their tasks, the assignees, the form fields and the tag
//! links.

use std::collections::HashMap;

use sqlx::QueryBuilder;

use super::Db;
use super::tasks::ensure_tag;
use crate::model::{LaunchField, LaunchRun, LaunchTask, TagTarget, WatcherTarget};
use crate::task_insert::{COLUMN_COUNT, Rows, insert_sql};

type Conn = <Db as sqlx::Database>::Connection;

/// Rows per multi-row statement (under SQLite's 32,766 bound values with the widest row).
const ROWS_PER_STATEMENT: usize = 1000;
const _: () = assert!(ROWS_PER_STATEMENT * COLUMN_COUNT <= 32766);

/// A launch of a batch that passed its checks, with what the batch's shared statements give it.
pub(crate) struct Accepted<'a> {
    pub(crate) l: &'a LaunchRun,
    pub(crate) watchers: &'a [WatcherTarget],
    pub(crate) run_id: String,
    pub(crate) run_number: i64,
    pub(crate) task_ids: Vec<String>,
    pub(crate) first_task_number: i64,
}

/// The runs of `launches`.
pub(crate) async fn insert_runs(conn: &mut Conn, launches: &[Accepted<'_>]) -> Result<(), sqlx::Error> {
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
pub(crate) async fn insert_tasks(conn: &mut Conn, launches: &[Accepted<'_>]) -> Result<(), sqlx::Error> {
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

/// A list as the run's JSON columns store it.
pub(crate) fn json_list<T: serde::Serialize>(items: &[T]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

/// The assignee rows of every task of `launches`: one statement per kind.
pub(crate) async fn write_owners(
    conn: &mut Conn,
    launches: &[Accepted<'_>],
    guest_ids: &HashMap<(&str, &str), i64>,
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
                .filter_map(|e| guest_ids.get(&(a.l.org_id.as_str(), e.as_str())).copied())
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
pub(crate) async fn write_captures(conn: &mut Conn, launches: &[Accepted<'_>]) -> Result<(), sqlx::Error> {
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
pub(crate) async fn write_tags(conn: &mut Conn, launches: &[Accepted<'_>]) -> Result<(), sqlx::Error> {
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
