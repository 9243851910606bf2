//! The webhook outbox (spec §5.12): a `task.completed` event is written in the same
//! transaction as the completion that caused it, with its payload built from the state that
//! transaction holds. Delivery reads the rows later.

use docket_domain::time::{format_opt, format_ts};
use docket_domain::{ids, task};
use serde_json::{Map, Value, json};
use sqlx::Pool;

use super::Db;
use super::lifecycle::load_in;
use super::tasks::load_in as load_many_in;
use super::tasks::placeholders;
use crate::model::{OutboxRow, TaskRecord};

type Conn = <Db as sqlx::Database>::Connection;

/// Records a `task.completed` event for task `task_id` if its `webhook` is set; returns the
/// event id. Call after the completion and the run refresh, inside their transaction.
pub(crate) async fn record_completion(
    conn: &mut Conn,
    org: &str,
    task_id: &str,
    public_base: &str,
    now: i64,
) -> Result<Option<String>, sqlx::Error> {
    let Some(t) = load_in(&mut *conn, org, task_id).await? else {
        return Ok(None);
    };
    let Some(url) = t.row.webhook.clone() else {
        return Ok(None);
    };
    let event_id = ids::new_id32();
    let mut payload = completion_payload(&mut *conn, org, &t, public_base).await?;
    payload.insert("event_id".into(), Value::String(event_id.clone()));
    sqlx::query(
        "INSERT INTO outbox (id, org_id, task_id, event, url, payload, status, attempts, next_attempt_at, created_at)
         VALUES ($1, $2, $3, 'task.completed', $4, $5, 'pending', 0, $6, $6)",
    )
    .bind(&event_id)
    .bind(org)
    .bind(task_id)
    .bind(&url)
    .bind(Value::Object(payload).to_string())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(Some(event_id))
}

/// The events of `org`, oldest first.
pub(crate) async fn of_org(pool: &Pool<Db>, org: &str) -> Result<Vec<OutboxRow>, sqlx::Error> {
    sqlx::query_as::<_, OutboxRow>(
        "SELECT id, org_id, task_id, event, url, payload, status, attempts, next_attempt_at, last_error, created_at,
                delivered_at
           FROM outbox WHERE org_id = $1 ORDER BY created_at, id",
    )
    .bind(org)
    .fetch_all(pool)
    .await
}

/// `{id, email, full_name}` of members, by id.
struct People(Vec<(i64, String, String, String)>);

impl People {
    async fn load(conn: &mut Conn, ids: &[i64]) -> Result<People, sqlx::Error> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(People(Vec::new()));
        }
        let sql = format!(
            "SELECT id, email, first_name, last_name FROM users WHERE id IN ({})",
            placeholders(1, ids.len())
        );
        let mut q = sqlx::query_as::<_, (i64, String, String, String)>(&sql);
        for id in &ids {
            q = q.bind(id);
        }
        Ok(People(q.fetch_all(&mut *conn).await?))
    }

    fn get(&self, id: i64) -> Value {
        match self.0.iter().find(|(i, _, _, _)| *i == id) {
            Some((id, email, first, last)) => json!({
                "id": id,
                "email": email,
                "full_name": format!("{first} {last}").trim(),
            }),
            None => json!({"id": id, "email": null, "full_name": null}),
        }
    }

    fn opt(&self, id: Option<i64>) -> Value {
        id.map_or(Value::Null, |id| self.get(id))
    }
}

/// `{capture_id: {alias, label, value}}` of a task.
fn captures(t: &TaskRecord) -> Value {
    Value::Object(
        t.captures
            .iter()
            .map(|c| {
                let value = c
                    .value
                    .as_deref()
                    .and_then(|v| serde_json::from_str(v).ok())
                    .unwrap_or(Value::Null);
                (
                    c.id.clone(),
                    json!({"alias": c.alias, "label": c.label, "value": value}),
                )
            })
            .collect(),
    )
}

/// Adds `alias → value` of a task's captures to `into`; an earlier answer is never replaced,
/// an earlier `null` is.
fn add_form_fields(t: &TaskRecord, into: &mut Map<String, Value>) {
    for c in &t.captures {
        let value = c
            .value
            .as_deref()
            .and_then(|v| serde_json::from_str(v).ok())
            .unwrap_or(Value::Null);
        match into.get(&c.alias) {
            Some(existing) if !existing.is_null() => {}
            Some(_) if value.is_null() => {}
            _ => {
                into.insert(c.alias.clone(), value);
            }
        }
    }
}

/// The payload of spec §5.12 for a task that has just been completed (without `event_id`).
async fn completion_payload(
    conn: &mut Conn,
    org: &str,
    t: &TaskRecord,
    public_base: &str,
) -> Result<Map<String, Value>, sqlx::Error> {
    let r = &t.row;
    let run: Option<(String, String, Option<String>, String, i64, i64)> = match &r.run_id {
        Some(run_id) => {
            sqlx::query_as("SELECT id, name, summary, status, created_at, owner_id FROM runs WHERE id = $1")
                .bind(run_id)
                .fetch_optional(&mut *conn)
                .await?
        }
        None => None,
    };
    let run_tasks: Vec<TaskRecord> = match &run {
        Some((run_id, ..)) => {
            let ids: Vec<String> =
                sqlx::query_scalar("SELECT id FROM tasks WHERE run_id = $1 ORDER BY position, created_at, id")
                    .bind(run_id)
                    .fetch_all(&mut *conn)
                    .await?;
            load_many_in(&mut *conn, org, &ids).await?
        }
        None => Vec::new(),
    };
    let next = run_tasks
        .iter()
        .find(|x| x.row.status != "completed" && x.row.status != "auto-skipped");
    let launcher_id = match &run {
        Some((.., owner_id)) => Some(*owner_id),
        None => r.starter_id,
    };
    let mut wanted: Vec<i64> = t.users.clone();
    wanted.extend(r.completer_id);
    wanted.extend(launcher_id);
    if let Some(n) = next {
        wanted.extend(n.users.iter().copied());
    }
    let people = People::load(&mut *conn, &wanted).await?;

    let owners_of = |x: &TaskRecord| {
        json!({
            "users": x.users.iter().map(|u| people.get(*u)).collect::<Vec<_>>(),
            "guests": x.guests.iter().map(|g| g.email.clone()).collect::<Vec<_>>(),
            "groups": x.groups.clone(),
        })
    };
    let this_task = json!({
        "id": r.id,
        "title": r.title,
        "alias": null,
        "status": r.status,
        "status_label": task::status_label(&r.status, &r.task_type, r.is_approved),
        "task_type": r.task_type,
        "summary": r.summary,
        "deadline": format_ts(r.deadline),
        "position": r.position,
        "run_id": r.run_id,
        "is_oneoff_task": true,
        "is_approved": r.is_approved,
        "completed_at": format_opt(r.completed_at),
        "completed_by": people.opt(r.completer_id),
        "owners": owners_of(t),
        "captures": captures(t),
        "assets": [],
    });

    let mut form_fields = Map::new();
    add_form_fields(t, &mut form_fields);
    for x in &run_tasks {
        add_form_fields(x, &mut form_fields);
    }
    let mut guest_links = Map::new();
    for g in t.assignee_guests() {
        guest_links.insert(
            g.email.clone(),
            json!({"link_for_guest": format!("{}/guest/{}", public_base.trim_end_matches('/'), g.guest_code)}),
        );
    }

    let (process, process_tasks, next_task) = match &run {
        Some((run_id, name, summary, status, created_at, _)) => {
            let tags: Vec<(String, String, Option<String>)> = sqlx::query_as(
                "SELECT g.id, g.title, g.color FROM tag_links l JOIN tags g ON g.id = l.tag_id
                  WHERE l.subject_type = 'Run' AND l.subject_id = $1 ORDER BY l.created_at, l.id",
            )
            .bind(run_id)
            .fetch_all(&mut *conn)
            .await?;
            let complete = run_tasks.iter().filter(|x| x.row.status == "completed").count() as i64;
            let forms: Map<String, Value> = run_tasks.iter().map(|x| (x.row.id.clone(), captures(x))).collect();
            let process = json!({
                "id": run_id,
                "organization_id": org,
                "name": name,
                "summary": summary,
                "status": status,
                "progress": task::percent(complete, run_tasks.len() as i64),
                "created_at": format_ts(*created_at),
                "prerun": {},
                "process_forms": forms,
                "tags": tags.iter().map(|(id, title, color)| json!({"id": id, "title": title, "color": color})).collect::<Vec<_>>(),
            });
            let process_tasks: Map<String, Value> = run_tasks
                .iter()
                .map(|x| (x.row.id.clone(), Value::String(x.row.id.clone())))
                .collect();
            let next_task = match next {
                Some(n) => json!({
                    "id": n.row.id,
                    "title": n.row.title,
                    "status": n.row.status,
                    "position": n.row.position,
                    "deadline": format_ts(n.row.deadline),
                    "owners": owners_of(n),
                    "captures": captures(n),
                }),
                None => json!([]),
            };
            (process, Value::Object(process_tasks), next_task)
        }
        None => (Value::Null, json!({}), json!([])),
    };

    let mut out = Map::new();
    out.insert("event".into(), json!("task.completed"));
    out.insert("organization_id".into(), json!(org));
    out.insert("this_task".into(), this_task);
    out.insert("completer".into(), people.opt(r.completer_id));
    out.insert("launcher".into(), people.opt(launcher_id));
    out.insert("process".into(), process);
    out.insert("process-tasks".into(), process_tasks);
    out.insert("form-fields".into(), Value::Object(form_fields));
    out.insert("guest-links".into(), Value::Object(guest_links));
    out.insert("next_task".into(), next_task);
    Ok(out)
}
