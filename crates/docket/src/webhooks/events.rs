//! The payloads of the webhook events besides `task.completed` (spec §5.5), rendered from the
//! snapshot the store read in the transaction of the change (`docket_store::model::EventSnapshot`).
//! The store calls [`render`] through the renderer [`install`] registers.

use docket_domain::webhook_event as ev;
use docket_store::model::{EventRender, EventSnapshot, install_event_render};
use serde_json::{Map, Value, json};

use super::payload::{guest_links, person, person_opt, process, template, this_task};
use crate::config::Config;
use crate::http::comments::CommentJson;
use crate::http::runs::json::RunJson;
use crate::http::runs::kickoff;

/// Registers [`render`] with the store, with guest links starting at the configured public URL
/// (else `http://` and the listen address, as completion events do).
pub fn install(config: &Config) {
    let public_base = match &config.public_url {
        Some(u) => u.trim_end_matches('/').to_string(),
        None => format!("http://{}", config.listen),
    };
    install_event_render(EventRender { public_base, render });
}

/// The payload JSON text of `s`.
pub fn render(s: &EventSnapshot) -> String {
    let mut out = match s.event {
        ev::PROCESS_LAUNCHED | ev::PROCESS_COMPLETED => process_event(s),
        _ => task_event(s),
    };
    out.insert("event".into(), json!(s.event));
    out.insert("event_id".into(), json!(s.event_id));
    out.insert("organization_id".into(), json!(s.org_id));
    Value::Object(out).to_string()
}

/// `process.*`: the Run as R2 emits it, with `process-tasks`, `ko-form-fields`, `guest-links`,
/// `launcher` and `template`.
fn process_event(s: &EventSnapshot) -> Map<String, Value> {
    let mut out = match s
        .run_record
        .as_ref()
        .map(|r| serde_json::to_value(RunJson::new(r, s.now)))
    {
        Some(Ok(Value::Object(run))) => run,
        _ => Map::new(),
    };
    let process_tasks: Map<String, Value> = s
        .run_tasks
        .iter()
        .map(|t| {
            let key = t
                .row
                .alias
                .clone()
                .filter(|a| !a.is_empty())
                .unwrap_or_else(|| t.row.id.clone());
            (key, json!(t.row.id))
        })
        .collect();
    let ko_fields: Map<String, Value> = match &s.run_record {
        Some(r) => kickoff::with_values(&r.row)
            .into_iter()
            .filter_map(|f| {
                let alias = f.get("alias").and_then(Value::as_str)?.to_string();
                Some((alias, f.get("value").cloned().unwrap_or(Value::Null)))
            })
            .collect(),
        None => Map::new(),
    };
    out.insert("process-tasks".into(), Value::Object(process_tasks));
    out.insert("ko-form-fields".into(), Value::Object(ko_fields));
    out.insert("guest-links".into(), guest_links(&s.public_base, &s.run_tasks));
    out.insert(
        "launcher".into(),
        person_opt(&s.people, s.run_record.as_ref().map(|r| r.row.started_by)),
    );
    out.insert("template".into(), template(s.template.as_ref()));
    out
}

/// `task.*` and `automation.webhook`: `this_task` (without `completed_by`), `process`,
/// `template`, and the event's own keys (`assigned` and `actor`; `comment`, `issue` and
/// `actor`; `alias_name` and `automation`).
fn task_event(s: &EventSnapshot) -> Map<String, Value> {
    let people = &s.people;
    let mut out = Map::new();
    let mut task = s.task.as_ref().map(|t| this_task(people, t)).unwrap_or_default();
    task.remove("completed_by");
    out.insert("this_task".into(), Value::Object(task));
    match s.event {
        ev::TASK_ASSIGNED => {
            let groups: Vec<Value> = s
                .added
                .groups
                .iter()
                .map(|id| {
                    let name = s.group_names.iter().find(|(g, _)| g == id).map(|(_, n)| n.clone());
                    json!({"id": id, "name": name})
                })
                .collect();
            out.insert(
                "assigned".into(),
                json!({
                    "users": s.added.users.iter().map(|u| person(people, *u)).collect::<Vec<_>>(),
                    "guests": s.added.guests,
                    "groups": groups,
                }),
            );
            out.insert("actor".into(), person_opt(people, s.actor));
        }
        ev::AUTOMATION_WEBHOOK => {
            if let Some(a) = &s.automation {
                out.insert("alias_name".into(), json!(a.alias_name));
                out.insert(
                    "automation".into(),
                    json!({"id": a.id, "automated_alias": a.automated_alias}),
                );
            }
        }
        _ => {
            let members: Vec<i64> = people.iter().map(|p| p.id).collect();
            let comment = |t: &docket_store::model::ThreadRow| {
                serde_json::to_value(CommentJson::new(t, &members)).unwrap_or(Value::Null)
            };
            out.insert("comment".into(), s.comment.as_ref().map_or(Value::Null, comment));
            out.insert("issue".into(), s.issue.as_ref().map_or(Value::Null, comment));
            out.insert("actor".into(), person_opt(people, s.actor));
        }
    }
    out.insert("process".into(), process(&s.org_id, s.run.as_ref(), &s.run_tasks));
    out.insert("template".into(), template(s.template.as_ref()));
    out
}
