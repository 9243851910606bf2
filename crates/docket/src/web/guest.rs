//! Guests' pages: the link in `taskUrls` (`/guest/{code}/tasks/{task_id}`) opens that task for
//! the guest whose code it carries, and only when they are one of its direct assignees; any
//! other combination is the same 404, so a link says nothing about tasks it does not open. A
//! disabled guest's links stop working. The code is a path segment that the request log never
//! writes (it logs the route template), and `Referrer-Policy: no-referrer` keeps it from other
//! sites. Read-only in this version: guests complete tasks through a member for now.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use docket_domain::{Actor, Role};
use docket_store::model::{Guest, TaskRecord};
use maud::html;
use serde_json::Value;

use crate::http::tasks::json::{CaptureJson, TaskJson};
use crate::state::AppState;
use crate::web::layout::{error, page, respond, when, zone};

const GONE: &str = "This link does not open anything. Ask the person who sent it for a new one.";

async fn guest(state: &AppState, code: &str) -> Option<Guest> {
    let valid = code.len() == 40 && code.bytes().all(|b| b.is_ascii_alphanumeric());
    if !valid {
        return None;
    }
    let g = state.store.guest_by_code(code).await.ok().flatten()?;
    g.disabled_at.is_none().then_some(g)
}

/// `GET /guest/{code}`: the guest's greeting.
pub async fn index(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let Some(g) = guest(&state, &code).await else {
        return error(StatusCode::NOT_FOUND, GONE, None);
    };
    let body = html! {
        div.card.narrow {
            h1 { "Hello " (g.first_name.as_deref().unwrap_or(&g.email)) }
            p { "Open a task from the link you received for it." }
        }
    };
    respond(StatusCode::OK, page("Your tasks", None, body))
}

/// The task `task_id` of the guest's organization, when the guest is a direct assignee.
async fn guest_task(state: &AppState, g: &Guest, task_id: &str) -> Option<TaskRecord> {
    let t = state.store.task(&g.org_id, task_id).await.ok().flatten()?;
    let archived = t.row.archived_at.is_some() && t.row.run_id.is_none();
    (!archived && t.guests.iter().any(|r| r.id == g.id && r.guest_code == g.guest_code)).then_some(t)
}

/// `GET /guest/{code}/tasks/{task_id}`: the task as its guest sees it.
pub async fn task(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((code, task_id)): Path<(String, String)>,
) -> Response {
    let Some(g) = guest(&state, &code).await else {
        return error(StatusCode::NOT_FOUND, GONE, None);
    };
    let Some(t) = guest_task(&state, &g, &task_id).await else {
        return error(StatusCode::NOT_FOUND, GONE, None);
    };
    // The API's shapes of the task and its fields, as a light member would see them (the
    // caller only decides `is_completable`, which the guest page does not show).
    let viewer = Actor {
        user_id: 0,
        org_id: g.org_id.clone(),
        role: Role::Light,
    };
    let base = crate::http::extract::public_base(&state, &headers);
    let json = serde_json::to_value(TaskJson::new(&t, &viewer, &base, true)).unwrap_or(Value::Null);
    let fields: Vec<Value> = t
        .captures
        .iter()
        .map(|c| serde_json::to_value(CaptureJson::of_step(c, t.row.step_id.as_deref())).unwrap_or(Value::Null))
        .collect();
    let (tz, whose) = guest_zone(&state, &g).await;
    let body = html! {
        h1 { (json["title"].as_str().unwrap_or("")) }
        div.card {
            dl.facts {
                dt { "Status" } dd { (json["status_label"].as_str().or(json["status"].as_str()).unwrap_or("")) }
                dt { "Deadline" } dd { (when(json["deadline"].as_str(), tz)) }
                @if json["status"].as_str() == Some("completed") {
                    dt { "Completed" } dd { (when(json["completed_at"].as_str(), tz)) }
                }
            }
            @if let Some(s) = json["summary"].as_str().filter(|s| !s.is_empty()) { p { (s) } }
        }
        @if !fields.is_empty() {
            h2 { "Form" }
            div.card { dl.facts { @for f in &fields {
                dt { (f["label"].as_str().unwrap_or("")) }
                dd { (shown(&f["value"])) }
            } } }
        }
        p.hint { "Times are in " (whose) " time zone (" (tz.name()) ")." }
    };
    respond(
        StatusCode::OK,
        page(json["title"].as_str().unwrap_or("Task"), None, body),
    )
}

/// The time zone a guest's page uses: the guest's own (`details.timezone`) when it names a
/// zone, else the organization's, else UTC; and whose it is.
async fn guest_zone(state: &AppState, g: &Guest) -> (chrono_tz::Tz, &'static str) {
    let own = serde_json::from_str::<Value>(&g.details)
        .ok()
        .and_then(|d| d["timezone"].as_str().and_then(|z| z.parse::<chrono_tz::Tz>().ok()));
    if let Some(tz) = own {
        return (tz, "your");
    }
    let org_tz = state
        .store
        .organization(&g.org_id)
        .await
        .ok()
        .flatten()
        .map(|o| o.timezone);
    (zone(org_tz.as_deref()), "the organization's")
}

fn shown(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        Value::Object(o) => o
            .get("text")
            .or_else(|| o.get("filename"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.get("text")
                    .or_else(|| i.get("filename"))
                    .and_then(Value::as_str)
                    .map_or_else(|| shown(i), str::to_string)
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}
