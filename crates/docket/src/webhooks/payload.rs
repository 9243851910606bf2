//! The JSON payload of a `task.completed` event (spec §5.12), rendered from the snapshot the
//! store read in the completion's transaction (see `docket_store::model::CompletionEvents`).

use docket_domain::task::{TaskStatus, percent};
use docket_domain::time::{format_opt, format_ts};
use docket_store::model::{CompletionEvents, CompletionSnapshot, Person, TaskRecord};
use serde_json::{Map, Value, json};

/// The event renderer handed to the store, with the base of guest links.
pub fn completion_events(public_base: String) -> CompletionEvents {
    CompletionEvents {
        public_base,
        render: render_completion,
    }
}

/// `{id, email, full_name}` of member `id` (nulls when unknown).
fn person(people: &[Person], id: i64) -> Value {
    match people.iter().find(|p| p.id == id) {
        Some(p) => json!({
            "id": p.id,
            "email": p.email,
            "full_name": format!("{} {}", p.first_name, p.last_name).trim(),
        }),
        None => json!({"id": id, "email": null, "full_name": null}),
    }
}

fn person_opt(people: &[Person], id: Option<i64>) -> Value {
    id.map_or(Value::Null, |id| person(people, id))
}

/// A capture's stored answer as a value (`null` when unanswered).
fn answer(value: Option<&str>) -> Value {
    value.and_then(|v| serde_json::from_str(v).ok()).unwrap_or(Value::Null)
}

/// `{capture_id: {alias, label, value}}` of a task.
fn captures(t: &TaskRecord) -> Value {
    Value::Object(
        t.captures
            .iter()
            .map(|c| {
                (
                    c.id.clone(),
                    json!({"alias": c.alias, "label": c.label, "value": answer(c.value.as_deref())}),
                )
            })
            .collect(),
    )
}

/// Adds `alias → value` of a task's captures to `into`; an earlier answer is never replaced,
/// an earlier `null` is.
fn add_form_fields(t: &TaskRecord, into: &mut Map<String, Value>) {
    for c in &t.captures {
        let value = answer(c.value.as_deref());
        match into.get(&c.alias) {
            Some(existing) if !existing.is_null() => {}
            Some(_) if value.is_null() => {}
            _ => {
                into.insert(c.alias.clone(), value);
            }
        }
    }
}

/// The payload of spec §5.12 for the task of `s`, which has just been completed.
pub fn render_completion(s: &CompletionSnapshot) -> String {
    let t = &s.task;
    let r = &t.row;
    let people = &s.people;
    let next = s.run_tasks.iter().find(|x| x.row.status != TaskStatus::Completed);
    let launcher_id = match &s.run {
        Some(run) => Some(run.owner_id),
        None => r.starter_id,
    };
    let owners_of = |x: &TaskRecord| {
        json!({
            "users": x.users.iter().map(|u| person(people, *u)).collect::<Vec<_>>(),
            "guests": x.guests.iter().map(|g| g.email.clone()).collect::<Vec<_>>(),
            "groups": x.groups.clone(),
        })
    };
    let this_task = json!({
        "id": r.id,
        "title": r.title,
        "alias": null,
        "status": r.status.as_str(),
        "status_label": r.status.label(r.task_type, r.is_approved),
        "task_type": r.task_type.as_str(),
        "summary": r.summary,
        "deadline": format_ts(r.deadline),
        "position": r.position,
        "run_id": r.run_id,
        "is_oneoff_task": true,
        "is_approved": r.is_approved,
        "completed_at": format_opt(r.completed_at),
        "completed_by": person_opt(people, r.completer_id),
        "owners": owners_of(t),
        "captures": captures(t),
        "assets": [],
    });

    let mut form_fields = Map::new();
    add_form_fields(t, &mut form_fields);
    for x in &s.run_tasks {
        add_form_fields(x, &mut form_fields);
    }
    let mut guest_links = Map::new();
    for g in t.assignee_guests() {
        guest_links.insert(
            g.email.clone(),
            json!({"link_for_guest": format!("{}/guest/{}", s.public_base.trim_end_matches('/'), g.guest_code)}),
        );
    }

    let (process, process_tasks, next_task) = match &s.run {
        Some(run) => {
            let complete = s
                .run_tasks
                .iter()
                .filter(|x| x.row.status == TaskStatus::Completed)
                .count() as i64;
            let forms: Map<String, Value> = s.run_tasks.iter().map(|x| (x.row.id.clone(), captures(x))).collect();
            let process = json!({
                "id": run.id,
                "organization_id": s.org_id,
                "name": run.name,
                "summary": run.summary,
                "status": run.status,
                "progress": percent(complete, s.run_tasks.len() as i64),
                "created_at": format_ts(run.created_at),
                "prerun": {},
                "process_forms": forms,
                "tags": run.tags.iter().map(|(id, title, color)| json!({"id": id, "title": title, "color": color})).collect::<Vec<_>>(),
            });
            let process_tasks: Map<String, Value> = s
                .run_tasks
                .iter()
                .map(|x| (x.row.id.clone(), Value::String(x.row.id.clone())))
                .collect();
            let next_task = match next {
                Some(n) => json!({
                    "id": n.row.id,
                    "title": n.row.title,
                    "status": n.row.status.as_str(),
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
    out.insert("organization_id".into(), json!(s.org_id));
    out.insert("this_task".into(), this_task);
    out.insert("completer".into(), person_opt(people, r.completer_id));
    out.insert("launcher".into(), person_opt(people, launcher_id));
    out.insert("process".into(), process);
    out.insert("process-tasks".into(), process_tasks);
    out.insert("form-fields".into(), Value::Object(form_fields));
    out.insert("guest-links".into(), Value::Object(guest_links));
    out.insert("next_task".into(), next_task);
    out.insert("event_id".into(), Value::String(s.event_id.clone()));
    Value::Object(out).to_string()
}
