//! The JSON payload of a `task.completed` event (spec §5.12), rendered from the snapshot the
//! store read in the completion's transaction (see `docket_store::model::CompletionEvents`),
//! and the parts the other events share with it (`this_task`, `process`, `template`, people).

use docket_domain::task::{TaskStatus, percent};
use docket_domain::time::{format_opt, format_ts};
use docket_store::model::{CompletionEvents, CompletionSnapshot, Person, RunSnapshot, TaskRecord, TemplateRef};
use serde_json::{Map, Value, json};

/// The event renderer handed to the store, with the base of guest links.
pub fn completion_events(public_base: String) -> CompletionEvents {
    CompletionEvents {
        public_base,
        render: render_completion,
    }
}

/// `{id, email, full_name}` of member `id` (nulls when unknown).
pub(crate) fn person(people: &[Person], id: i64) -> Value {
    match people.iter().find(|p| p.id == id) {
        Some(p) => json!({
            "id": p.id,
            "email": p.email,
            "full_name": format!("{} {}", p.first_name, p.last_name).trim(),
        }),
        None => json!({"id": id, "email": null, "full_name": null}),
    }
}

/// [`person`] of an optional member (`null` when none).
pub(crate) fn person_opt(people: &[Person], id: Option<i64>) -> Value {
    id.map_or(Value::Null, |id| person(people, id))
}

/// A capture's stored answer as a value (`null` when unanswered).
fn answer(value: Option<&str>) -> Value {
    value.and_then(|v| serde_json::from_str(v).ok()).unwrap_or(Value::Null)
}

/// `{capture_id: {alias, label, value}}` of a task.
pub(crate) fn captures(t: &TaskRecord) -> Value {
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

/// The owners of a task: `{users: [UserRef], guests: [email], groups: [id]}`.
pub(crate) fn owners(people: &[Person], x: &TaskRecord) -> Value {
    json!({
        "users": x.users.iter().map(|u| person(people, *u)).collect::<Vec<_>>(),
        "guests": x.guests.iter().map(|g| g.email.clone()).collect::<Vec<_>>(),
        "groups": x.groups.clone(),
    })
}

/// `this_task` of spec §5.12 (events other than `task.completed` leave out `completed_by`).
pub(crate) fn this_task(people: &[Person], t: &TaskRecord) -> Map<String, Value> {
    let r = &t.row;
    let mut out = Map::new();
    out.insert("id".into(), json!(r.id));
    out.insert("title".into(), json!(r.title));
    out.insert("alias".into(), json!(r.alias));
    out.insert("status".into(), json!(r.status.as_str()));
    out.insert("status_label".into(), json!(r.status.label(r.task_type, r.is_approved)));
    out.insert("task_type".into(), json!(r.task_type.as_str()));
    out.insert("summary".into(), json!(r.summary));
    out.insert("deadline".into(), json!(format_ts(r.deadline)));
    out.insert("position".into(), json!(r.position));
    out.insert("run_id".into(), json!(r.run_id));
    out.insert("is_oneoff_task".into(), json!(r.step_id.is_none()));
    out.insert("is_approved".into(), json!(r.is_approved));
    out.insert("completed_at".into(), json!(format_opt(r.completed_at)));
    out.insert("completed_by".into(), person_opt(people, r.completer_id));
    out.insert("owners".into(), owners(people, t));
    out.insert("captures".into(), captures(t));
    out.insert("assets".into(), json!([]));
    out
}

/// `process` of spec §5.12: the run of a task event (`null` for standalone tasks).
pub(crate) fn process(org: &str, run: Option<&RunSnapshot>, run_tasks: &[TaskRecord]) -> Value {
    let Some(run) = run else {
        return Value::Null;
    };
    let complete = run_tasks
        .iter()
        .filter(|x| x.row.status == TaskStatus::Completed)
        .count() as i64;
    let forms: Map<String, Value> = run_tasks.iter().map(|x| (x.row.id.clone(), captures(x))).collect();
    json!({
        "id": run.id,
        "organization_id": org,
        "name": run.name,
        "summary": run.summary,
        "status": run.status,
        "progress": percent(complete, run_tasks.len() as i64),
        "created_at": format_ts(run.created_at),
        "prerun": {},
        "process_forms": forms,
        "tags": run.tags.iter().map(|(id, title, color)| json!({"id": id, "title": title, "color": color})).collect::<Vec<_>>(),
    })
}

/// `template` of spec §5.5: `{id, title, alias, summary}`, `null` for standalone tasks and
/// MISC runs.
pub(crate) fn template(t: Option<&TemplateRef>) -> Value {
    match t {
        Some(t) => json!({"id": t.id, "title": t.title, "alias": t.alias, "summary": t.summary}),
        None => Value::Null,
    }
}

/// `guest-links` of spec §5.12: each guest of `tasks` → its link.
pub(crate) fn guest_links<'a>(base: &str, tasks: impl IntoIterator<Item = &'a TaskRecord>) -> Value {
    let mut links = Map::new();
    for t in tasks {
        for g in t.assignee_guests() {
            links.insert(
                g.email.clone(),
                json!({"link_for_guest": format!("{}/guest/{}", base.trim_end_matches('/'), g.guest_code)}),
            );
        }
    }
    Value::Object(links)
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
    let mut form_fields = Map::new();
    add_form_fields(t, &mut form_fields);
    for x in &s.run_tasks {
        add_form_fields(x, &mut form_fields);
    }
    let (process_tasks, next_task) = match &s.run {
        Some(_) => {
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
                    "owners": owners(people, n),
                    "captures": captures(n),
                }),
                None => json!([]),
            };
            (Value::Object(process_tasks), next_task)
        }
        None => (json!({}), json!([])),
    };

    let mut out = Map::new();
    out.insert("event".into(), json!("task.completed"));
    out.insert("organization_id".into(), json!(s.org_id));
    out.insert("this_task".into(), Value::Object(this_task(people, t)));
    out.insert("completer".into(), person_opt(people, r.completer_id));
    out.insert("launcher".into(), person_opt(people, launcher_id));
    out.insert("process".into(), process(&s.org_id, s.run.as_ref(), &s.run_tasks));
    out.insert("process-tasks".into(), process_tasks);
    out.insert("form-fields".into(), Value::Object(form_fields));
    out.insert("guest-links".into(), guest_links(&s.public_base, [t]));
    out.insert("next_task".into(), next_task);
    out.insert("template".into(), template(s.template.as_ref()));
    out.insert("event_id".into(), Value::String(s.event_id.clone()));
    Value::Object(out).to_string()
}
