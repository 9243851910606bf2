//! Guests' pages: the link in `taskUrls` (`/guest/{code}/tasks/{task_id}`) opens that task for
//! the guest whose code it carries, and only when they are one of its direct assignees; any
//! other combination is the same 404, so a link says nothing about tasks it does not open. A
//! disabled guest's links stop working. The code is a path segment that the request log never
//! writes (it logs the route template), and `Referrer-Policy: no-referrer` keeps it from other
//! sites.
//!
//! From the page a guest does what an assignee does, as themselves: fills the form fields
//! (the API's own value rules and messages, `http::tasks::update::read_taskdata`), completes
//! the task (approves or rejects an approval task), reopens it, and comments unless the task
//! has `prevent_guest_comment`. Each may-they rule is one function of
//! `docket_domain::task_rules` (`guest_may_edit`, `plan_guest_completion`, `guest_may_reopen`,
//! `guest_may_comment`) that this page asks first and the store asks again under the task's
//! lock. The writes run in the guest's [`ACTING`] scope, so the activity feed names the guest,
//! a completion records `completer_guest` and a comment its guest author. Plain HTML forms,
//! POST-redirect-GET; CSRF is a double-submit `docket_csrf` cookie (a guest has no session).
//! Files are shown, not uploaded, from this page.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use docket_domain::input::Reader;
use docket_domain::task::{TaskStatus, TaskType};
use docket_domain::task_rules::Refusal;
use docket_domain::time::format_ts;
use docket_domain::{Actor, Role, ValidationErrors};
use docket_store::model::{
    ACTING, Acting, Guest, LifecycleCaller, NewThread, TaskCompletion, TaskRecord, TaskUpdate, ThreadRow,
};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::Error;
use crate::http::comments::CONTENT_MAX;
use crate::http::tasks::completion_events_of;
use crate::http::tasks::json::{CaptureJson, TaskJson};
use crate::http::tasks::update::{Files, read_taskdata};
use crate::service::refusals::TaskWrite;
use crate::service::{comments, tasks as service};
use crate::state::AppState;
use crate::web::auth::{presession_token, with_csrf_cookie};
use crate::web::client::{Answer, seg};
use crate::web::fields::{FieldView, People, Problems, answers, field};
use crate::web::layout::{error, page, respond, when, zone};
use crate::web::task_page::{complete_form, reopen_form};
use crate::web::{form_pairs, session, value_of};

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
async fn open(state: &AppState, code: &str, task_id: &str) -> Result<(Guest, TaskRecord), Response> {
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
    let flash = match done.done.as_deref() {
        Some("saved") => Some("Saved."),
        Some("completed") => Some("Task completed."),
        Some("approved") => Some("Approved."),
        Some("rejected") => Some("Rejected."),
        Some("reopened") => Some("Task reopened."),
        Some("commented") => Some("Comment added."),
        _ => None,
    };
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
struct GuestView<'a> {
    state: &'a AppState,
    headers: &'a HeaderMap,
    code: &'a str,
    csrf: &'a str,
}

impl GuestView<'_> {
    /// The page of task `t` for guest `g`, with `problems` of a refused write.
    async fn render(&self, g: &Guest, t: &TaskRecord, problems: &Problems, flash: Option<&str>) -> Markup {
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
        let files_view = FieldView {
            read_only: true,
            people: None,
            org: None,
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
                div.card { @for f in &files { (field(f, problems, &files_view)) } }
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
                li {
                    div.meta {
                        @if c.label == "problem" { strong { "Problem" } " · " }
                        @if c.label == "resolve" { strong { "Resolved" } " · " }
                        "by " (author_name(c, g, &names)) " · " (when(Some(&format_ts(c.created_at)), tz))
                    }
                    p { (c.content) }
                }
            } }
            @if may_comment {
                form.card method="post" action={ (base) "/comment" } {
                    input type="hidden" name="_csrf" value=(csrf);
                    label for="content" { "Comment" }
                    textarea #content name="content" required aria-describedby=[problems.fields.get("content").map(|_| "content-error")] {
                        (problems.comment.as_deref().unwrap_or(""))
                    }
                    @if let Some(m) = problems.fields.get("content") { p.error #content-error { (m) } }
                    div.actions { button type="submit" { "Comment" } }
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
            .filter(|c| c.state != "hide-for-guests" || c.author_guest_id == Some(g.id))
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
fn viewer(g: &Guest) -> Actor {
    Actor {
        user_id: 0,
        org_id: g.org_id.clone(),
        role: Role::Light,
    }
}

/// The caller of a guest's write.
fn caller(g: &Guest) -> LifecycleCaller {
    LifecycleCaller {
        user_id: 0,
        role: Role::Light,
        expected_version: None,
        guest_id: Some(g.id),
    }
}

/// A guest's write form: the guest, their task and the form's pairs, CSRF checked (the
/// double-submit cookie); a link that opens nothing is the same 404 as the page.
struct GuestPost {
    state: AppState,
    headers: HeaderMap,
    code: String,
    g: Guest,
    t: TaskRecord,
    pairs: Vec<(String, String)>,
    csrf: String,
}

impl GuestPost {
    async fn open(
        state: AppState,
        headers: HeaderMap,
        code: String,
        task_id: &str,
        body: &Bytes,
    ) -> Result<GuestPost, Response> {
        let (g, t) = open(&state, &code, task_id).await?;
        let pairs = form_pairs(body);
        let (csrf, fresh) = presession_token(&headers);
        let sent = value_of(&pairs, "_csrf");
        if fresh || !sent.as_deref().is_some_and(|s| session::same(s, &csrf)) {
            let mut r = error(
                StatusCode::FORBIDDEN,
                "The form had expired. Reload the page and try again.",
                None,
            );
            if fresh {
                let c = session::set_cookie(
                    session::CSRF_COOKIE,
                    &csrf,
                    60 * 60 * 24,
                    session::secure(&state, &headers),
                );
                r.headers_mut().append(axum::http::header::SET_COOKIE, c);
            }
            return Err(r);
        }
        Ok(GuestPost {
            state,
            headers,
            code,
            g,
            t,
            pairs,
            csrf,
        })
    }

    /// The task page again (303, so a reload sends nothing twice), saying `done`.
    fn back(&self, done: &str) -> Response {
        let to = format!("/guest/{}/tasks/{}?done={done}", seg(&self.code), seg(&self.t.row.id));
        let mut r = Redirect::to(&to).into_response();
        *r.status_mut() = StatusCode::SEE_OTHER;
        r
    }

    /// The page again with the refusal `err` (the API's status and messages), or the 404 of a
    /// link that stopped opening the task.
    async fn refused(&self, err: Error, mut problems: Problems) -> Response {
        let answer = Answer::read(err.into_response()).await;
        let Ok((g, t)) = open(&self.state, &self.code, &self.t.row.id).await else {
            return error(StatusCode::NOT_FOUND, GONE, None);
        };
        if answer.status == StatusCode::NOT_FOUND {
            return error(StatusCode::NOT_FOUND, GONE, None);
        }
        problems.absorb(&answer);
        let view = GuestView {
            state: &self.state,
            headers: &self.headers,
            code: &self.code,
            csrf: &self.csrf,
        };
        respond(answer.status, view.render(&g, &t, &problems, None).await)
    }

    /// Runs `write` as the guest: every store write inside records them as its actor.
    async fn as_guest<F: std::future::Future>(&self, write: F) -> F::Output {
        ACTING.scope(Acting::Guest(self.g.id), write).await
    }
}

/// `POST /guest/{code}/tasks/{task_id}/fields`: the form's answers as `taskdata`, checked by
/// the API's value rules.
pub async fn save_fields(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((code, task_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let p = match GuestPost::open(state, headers, code, &task_id, &body).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if let Err(refusal) = p.t.facts().guest_may_edit(p.g.id) {
        return p
            .refused(Error::from((TaskWrite::Update, refusal)), Problems::default())
            .await;
    }
    let defs: Vec<Value> =
        p.t.captures
            .iter()
            .map(|c| serde_json::to_value(CaptureJson::new(c)).unwrap_or(Value::Null))
            .collect();
    let data: Map<String, Value> = answers(&defs, &p.pairs);
    let mut errors = ValidationErrors::new();
    let checked = read_taskdata(&p.state, &p.g.org_id, &p.t, &data, &mut errors, Files::Refused).await;
    let sent = Problems {
        sent: data.clone(),
        ..Problems::default()
    };
    let (taskdata, file_values) = match checked {
        Ok(_) if !errors.is_empty() => return p.refused(Error::Invalid(errors), sent).await,
        Ok(values) => values,
        Err(e) => return p.refused(e, sent).await,
    };
    let now = p.state.clock.now();
    let u = TaskUpdate {
        org_id: p.g.org_id.clone(),
        task_id: p.t.row.id.clone(),
        caller: caller(&p.g),
        title: None,
        summary: None,
        deadline: None,
        started_at: None,
        owners: None,
        taskdata,
        file_values,
        status: None,
        is_approved: None,
        task_type: None,
        webhook: None,
        prevent_guest_comment: None,
        top_secret: None,
        everyone_must_complete: None,
        can_complete_only_assignees: None,
        is_soft_start_date: None,
        max_assignable: None,
        position: None,
        tags: None,
        events: completion_events_of(&p.state),
        now,
    };
    if u.taskdata.is_empty() {
        return p.back("saved");
    }
    match p.as_guest(service::update(&p.state, &u)).await {
        Ok(_) => p.back("saved"),
        Err(e) => p.refused(e, sent).await,
    }
}

/// `POST …/complete`: completes the task as the guest; an approval task's form sends
/// `decision` (`approve` or `reject`).
pub async fn complete(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((code, task_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let p = match GuestPost::open(state, headers, code, &task_id, &body).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (is_approved, done) = match value_of(&p.pairs, "decision").as_deref() {
        Some("approve") => (Some(true), "approved"),
        Some("reject") => (Some(false), "rejected"),
        _ => (None, "completed"),
    };
    let assignees = p.t.assignee_users();
    if let Err(refusal) = p.t.facts().plan_guest_completion(p.g.id, is_approved, &assignees) {
        return p
            .refused(Error::from((TaskWrite::Complete, refusal)), Problems::default())
            .await;
    }
    let c = TaskCompletion {
        org_id: p.g.org_id.clone(),
        task_id: p.t.row.id.clone(),
        caller: caller(&p.g),
        completer_id: 0,
        is_approved,
        comment: None,
        events: completion_events_of(&p.state),
        now: p.state.clock.now(),
    };
    match p.as_guest(service::complete(&p.state, &c)).await {
        Ok(_) => p.back(done),
        Err(e) => p.refused(e, Problems::default()).await,
    }
}

/// `POST …/reopen`.
pub async fn reopen(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((code, task_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let p = match GuestPost::open(state, headers, code, &task_id, &body).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if let Err(refusal) = p.t.facts().guest_may_reopen(p.g.id) {
        return p
            .refused(Error::from((TaskWrite::Reopen, refusal)), Problems::default())
            .await;
    }
    let now = p.state.clock.now();
    let me = viewer(&p.g);
    let write = service::reopen(&p.state, &p.t.row.id, &me, caller(&p.g), now);
    match p.as_guest(write).await {
        Ok(_) => p.back("reopened"),
        Err(e) => p.refused(e, Problems::default()).await,
    }
}

/// `POST …/comment`: a comment by the guest (state `open`: guests see it), refused (403) when
/// the task has `prevent_guest_comment`.
pub async fn comment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((code, task_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let p = match GuestPost::open(state, headers, code, &task_id, &body).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let content = value_of(&p.pairs, "content").unwrap_or_default();
    let sent = content.clone();
    let kept = || Problems {
        comment: Some(sent.clone()),
        ..Problems::default()
    };
    if p.t.facts().guest_may_comment(p.g.id).is_err() {
        return p
            .refused(Error::from((TaskWrite::Update, Refusal::NotPermitted)), kept())
            .await;
    }
    // The API's own reading of `content` (C1): required, trimmed, its length limit.
    let mut errors = ValidationErrors::new();
    let body = Map::from_iter([("content".to_string(), Value::String(content))]);
    let read = Reader::new(&body, &mut errors).required_text(&["content"], CONTENT_MAX);
    let Some(content) = read.filter(|_| errors.is_empty()) else {
        return p.refused(Error::Invalid(errors), kept()).await;
    };
    let new = NewThread {
        content,
        label: "comment".into(),
        state: "open".into(),
        author_id: 0,
        author_guest_id: Some(p.g.id),
        now: p.state.clock.now(),
    };
    match p
        .as_guest(comments::add(&p.state, &viewer(&p.g), &p.t.row.id, &new))
        .await
    {
        Ok(_) => p.back("commented"),
        Err(e) => p.refused(e, kept()).await,
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
