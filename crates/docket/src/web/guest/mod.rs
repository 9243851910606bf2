//! Guests' pages: the link in `taskUrls` (`/guest/{code}/tasks/{task_id}`) opens that task for
//! the guest whose code it carries, and only when they are one of its direct assignees; any
//! other combination is the same 404, so a link says nothing about tasks it does not open. A
//! disabled guest's links stop working. The code is a path segment that the request log never
//! writes (it logs the route template), and `Referrer-Policy: no-referrer` keeps it from other
//! sites.
//!
//! From the page a guest does what an assignee does, as themselves: fills the form fields
//! (the API's own value rules and messages, `http::tasks::update::read_taskdata`), adds files
//! to the `file` fields and removes them ([`files`]), completes the task (approves or rejects
//! an approval task), reopens it, comments, reports a problem and resolves one ([`actions`]).
//! Each may-they rule is one function of `docket_domain::task_rules::guest` (`guest_may_edit`,
//! `plan_guest_completion`, `guest_may_reopen`, `guest_may_comment`,
//! `guest_may_report_problem`, `guest_may_resolve_problem`) that this page asks first (to show
//! a form, and before a write) and the store asks again under the task's lock. The writes run
//! in the guest's [`ACTING`](docket_store::model::ACTING) scope, so the activity feed, the
//! webhook events and the emails name the guest: a completion records `completer_guest`, a
//! comment or problem its guest author, an upload its guest uploader. Plain HTML forms,
//! POST-redirect-GET (an upload is `multipart/form-data`); CSRF is a double-submit
//! `docket_csrf` cookie (a guest has no session).

pub mod actions;
pub mod files;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use docket_domain::task::{TaskStatus, TaskType};
use docket_domain::task_rules::guest::guest_sees_thread;
use docket_domain::time::format_ts;
use docket_domain::{Actor, Role};
use docket_store::model::{Guest, TaskRecord, ThreadRow};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;

use crate::http::tasks::json::{CaptureJson, TaskJson};
use crate::state::AppState;
use crate::web::auth::{presession_token, with_csrf_cookie};
use crate::web::client::seg;
use crate::web::fields::{FieldView, People, Problems, field};
use crate::web::layout::{error, page, respond, when, zone};
use crate::web::task_files::{FileForms, section};
use crate::web::task_page::{complete_form, flash, reopen_form};

/// The answer of a link that opens nothing.
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

/// The guest of `code` and their task `task_id`, else the 404 every other pair gets.
pub(super) async fn open(state: &AppState, code: &str, task_id: &str) -> Result<(Guest, TaskRecord), Response> {
    let gone = || error(StatusCode::NOT_FOUND, GONE, None);
    let g = guest(state, code).await.ok_or_else(gone)?;
    let t = guest_task(state, &g, task_id).await.ok_or_else(gone)?;
    Ok((g, t))
}

/// What the page shows after a write: `?done=`.
#[derive(Debug, Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

/// `GET /guest/{code}/tasks/{task_id}`: the task as its guest sees it, with the forms.
pub async fn task(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((code, task_id)): Path<(String, String)>,
    Query(done): Query<Done>,
) -> Response {
    let (g, t) = match open(&state, &code, &task_id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let flash = flash(done.done.as_deref());
    let (csrf, fresh) = presession_token(&headers);
    let view = GuestView {
        state: &state,
        headers: &headers,
        code: &code,
        csrf: &csrf,
    };
    let body = view.render(&g, &t, &Problems::default(), flash).await;
    with_csrf_cookie(&state, &headers, &csrf, fresh, StatusCode::OK, body)
}

/// What renders a guest's page.
pub(super) struct GuestView<'a> {
    pub(super) state: &'a AppState,
    pub(super) headers: &'a HeaderMap,
    pub(super) code: &'a str,
    pub(super) csrf: &'a str,
}

impl GuestView<'_> {
    /// The page of task `t` for guest `g`, with `problems` of a refused write.
    pub(super) async fn render(&self, g: &Guest, t: &TaskRecord, problems: &Problems, flash: Option<&str>) -> Markup {
        let state = self.state;
        // The API's shapes of the task and its fields, as a light member would see them (the
        // guest's own rules decide the buttons).
        let viewer = viewer(g);
        let base_url = crate::http::extract::public_base(state, self.headers);
        let json = serde_json::to_value(TaskJson::new(t, &viewer, &base_url, true)).unwrap_or(Value::Null);
        let fields: Vec<Value> = t
            .captures
            .iter()
            .map(|c| serde_json::to_value(CaptureJson::of_step(c, t.row.step_id.as_deref())).unwrap_or(Value::Null))
            .collect();
        let (files, others): (Vec<Value>, Vec<Value>) = fields
            .into_iter()
            .partition(|f| f["field_type"].as_str() == Some("file"));
        let facts = t.facts();
        let completed = t.row.status == TaskStatus::Completed;
        let editable = facts.guest_may_edit(g.id).is_ok();
        let approval = t.row.task_type == TaskType::Approval;
        let may_comment = facts.guest_may_comment(g.id).is_ok();
        let may_report = facts.guest_may_report_problem(g.id).is_ok();
        let may_resolve = facts.guest_may_resolve_problem(g.id).is_ok();
        let threads = self.visible_threads(g, t).await;
        let names = self.author_names(g, &threads).await;
        let people = self.people(t).await;
        let (tz, whose) = guest_zone(state, g).await;
        let base = format!("/guest/{}/tasks/{}", seg(self.code), seg(&t.row.id));
        let csrf = self.csrf;
        let fields_view = FieldView {
            read_only: !editable,
            people: Some(&people),
            org: None,
        };
        let downloads = format!("{base}/files");
        let forms = FileForms {
            base: &base,
            csrf,
            downloads: &downloads,
            read_only: !editable,
        };
        let body = html! {
            h1 { (json["title"].as_str().unwrap_or("")) }
            @if let Some(f) = flash { p.flash.good role="status" { (f) } }
            @if let Some(m) = &problems.message { p.flash.bad role="alert" { (m) } }
            div.card {
                dl.facts {
                    dt { "Status" } dd { (json["status_label"].as_str().or(json["status"].as_str()).unwrap_or("")) }
                    dt { "Deadline" } dd { (when(json["deadline"].as_str(), tz)) }
                    @if completed {
                        dt { "Completed" } dd { (when(json["completed_at"].as_str(), tz)) }
                    }
                    @if json["problem"].as_bool() == Some(true) {
                        dt { "Problem" } dd { span.status.problem { "open problem" } }
                    }
                }
                @if let Some(s) = json["summary"].as_str().filter(|s| !s.is_empty()) { p { (s) } }
            }
            @if !others.is_empty() {
                h2 { "Form" }
                form.card method="post" action={ (base) "/fields" } novalidate {
                    input type="hidden" name="_csrf" value=(csrf);
                    @for f in &others { (field(f, problems, &fields_view)) }
                    @if editable { div.actions { button type="submit" { "Save" } } }
                }
            }
            @if !files.is_empty() {
                h2 { "Files" }
                @for f in &files { (section(&forms, f, problems)) }
            }
            div.actions {
                @if completed {
                    @if facts.guest_may_reopen(g.id).is_ok() {
                        (reopen_form(&base, csrf))
                    }
                } @else if !facts.is_completable_by_guest(g.id) {
                    @if t.guest_completions.contains(&g.id) {
                        p.hint { "You have completed your part; the task waits for the other assignees." }
                    }
                } @else {
                    (complete_form(&base, csrf, approval))
                }
            }
            h2 { "Comments" }
            @if threads.is_empty() { p.hint { "No comments yet." } }
            ul.comments { @for c in &threads {
                li.(if c.label == "problem" { "problem" } else { "" }) {
                    div.meta {
                        @if c.label == "problem" { strong { "Problem" } " · " }
                        @if c.label == "resolve" { strong { "Resolved" } " · " }
                        "by " (author_name(c, g, &names)) " · " (when(Some(&format_ts(c.created_at)), tz))
                    }
                    p { (c.content) }
                    @if may_resolve && c.label == "problem" && c.resolve_id.is_none() {
                        form method="post" action={ (base) "/resolve" } {
                            input type="hidden" name="_csrf" value=(csrf);
                            input type="hidden" name="thread_id" value=(c.id);
                            button.secondary type="submit" { "Resolve" }
                        }
                    }
                }
            } }
            @if may_comment {
                form.card method="post" action={ (base) "/comment" } {
                    input type="hidden" name="_csrf" value=(csrf);
                    label for="content" { @if may_report { "Comment or problem" } @else { "Comment" } }
                    textarea #content name="content" required aria-describedby=[problems.fields.get("content").map(|_| "content-error")] {
                        (problems.comment.as_deref().unwrap_or(""))
                    }
                    @if let Some(m) = problems.fields.get("content") { p.error #content-error { (m) } }
                    div.actions {
                        button type="submit" { "Comment" }
                        @if may_report {
                            button.secondary type="submit" formaction={ (base) "/problem" } { "Report a problem" }
                        }
                    }
                }
            }
            p.hint { "Times are in " (whose) " time zone (" (tz.name()) ")." }
        };
        page(json["title"].as_str().unwrap_or("Task"), None, body)
    }

    /// The task's comments a guest sees: those not hidden from guests, and their own.
    async fn visible_threads(&self, g: &Guest, t: &TaskRecord) -> Vec<ThreadRow> {
        let all = self
            .state
            .store
            .threads_of_tasks(&g.org_id, std::slice::from_ref(&t.row.id))
            .await
            .unwrap_or_default();
        all.into_iter()
            .filter(|c| guest_sees_thread(&c.state, c.author_guest_id, g.id))
            .collect()
    }

    /// The names of the comments' authors: members by id, guests by id.
    async fn author_names(&self, g: &Guest, threads: &[ThreadRow]) -> Names {
        let mut members: Vec<i64> = threads
            .iter()
            .filter(|c| c.author_guest_id.is_none())
            .map(|c| c.author_id)
            .collect();
        members.sort_unstable();
        members.dedup();
        let mut guests: Vec<i64> = threads.iter().filter_map(|c| c.author_guest_id).collect();
        guests.sort_unstable();
        guests.dedup();
        let store = &self.state.store;
        Names {
            members: store
                .members_by_ids(&g.org_id, &members)
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|m| {
                    let name = format!("{} {}", m.first_name, m.last_name).trim().to_string();
                    (m.id, if name.is_empty() { m.email } else { name })
                })
                .collect(),
            guests: store
                .guests_by_ids(&g.org_id, &guests)
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|x| (x.id, x.email))
                .collect(),
        }
    }

    /// What an assignees field offers a guest: the members and groups it names now (a guest
    /// does not browse the organization's directory; they keep or untick those, and add
    /// guests by email).
    async fn people(&self, t: &TaskRecord) -> People {
        let mut users: Vec<i64> = Vec::new();
        let mut groups: Vec<String> = Vec::new();
        for c in t.captures.iter().filter(|c| c.field_type == "assignees_form") {
            let v: Value = c
                .value
                .as_deref()
                .and_then(|v| serde_json::from_str(v).ok())
                .unwrap_or(Value::Null);
            users.extend(v["users"].as_array().into_iter().flatten().filter_map(Value::as_i64));
            groups.extend(
                v["groups"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|g| g.as_str().map(str::to_string)),
            );
        }
        if users.is_empty() && groups.is_empty() {
            return People::default();
        }
        users.sort_unstable();
        users.dedup();
        groups.sort();
        groups.dedup();
        let store = &self.state.store;
        let org = &t.row.org_id;
        let members = store
            .members_by_ids(org, &users)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|m| {
                let name = format!("{} {}", m.first_name, m.last_name).trim().to_string();
                (m.id, if name.is_empty() { m.email } else { name })
            })
            .collect();
        let mut named = Vec::new();
        for id in groups {
            if let Ok(Some(grp)) = store.group(org, &id).await {
                named.push((id, grp.name));
            }
        }
        People { members, groups: named }
    }
}

/// Names of comment authors.
struct Names {
    members: Vec<(i64, String)>,
    guests: Vec<(i64, String)>,
}

fn author_name(c: &ThreadRow, me: &Guest, names: &Names) -> String {
    match c.author_guest_id {
        Some(id) if id == me.id => "you".to_string(),
        Some(id) => names
            .guests
            .iter()
            .find(|(g, _)| *g == id)
            .map_or_else(|| "a guest".to_string(), |(_, e)| e.clone()),
        None => names
            .members
            .iter()
            .find(|(m, _)| *m == c.author_id)
            .map_or_else(|| "a member".to_string(), |(_, n)| n.clone()),
    }
}

/// The API's task shapes are rendered for a member; a guest's page renders them as a light
/// member who is nobody (`user_id` 0) would see them.
pub(super) fn viewer(g: &Guest) -> Actor {
    Actor {
        user_id: 0,
        org_id: g.org_id.clone(),
        role: Role::Light,
    }
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
