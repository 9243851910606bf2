//! The task page: details, assignees, deadline, every form field with the API's validation
//! message beside it, complete / reopen, comments, report and resolve a problem. Every write
//! is the API's (in-process, as the member); a refusal re-renders the page with the API's
//! messages (422), a success redirects back (303, so a reload sends nothing twice).

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::state::AppState;
use crate::web::client::{Answer, Api, seg};
use crate::web::fields::{FieldView, People, Problems, answers, field};
use crate::web::layout::{error, page, respond, when};
use crate::web::pages::OrgPage;
use crate::web::task_files::{FileForms, section};
use crate::web::{form_pairs, value_of};

/// What a page shows after a write: `?done=`.
#[derive(Debug, Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

/// The task with what the page shows of it.
pub async fn load(p: &OrgPage, task_id: &str) -> Answer {
    p.get(&p.api_path(&format!("/tasks/{}?with=form_fields,threads,run", seg(task_id))))
        .await
}

/// The organization's members and groups: names for the assignees, the comments' authors and
/// the assignees fields.
pub async fn people_for(p: &OrgPage) -> People {
    let users = p.get(&p.api_path("/users-list")).await;
    let groups = p.get(&p.api_path("/groups?per_page=100")).await;
    People::from_answers(&users, &groups)
}

/// The organization's members and groups, when one of `defs` is an assignees field.
pub async fn people_of(p: &OrgPage, defs: &[Value]) -> Option<People> {
    if !defs.iter().any(|f| f["field_type"].as_str() == Some("assignees_form")) {
        return None;
    }
    Some(people_for(p).await)
}

/// The message a task page shows after the write `done` names (its redirect's `?done=`): the
/// member's and the guest's page alike.
pub fn flash(done: Option<&str>) -> Option<&'static str> {
    match done {
        Some("saved") => Some("Saved."),
        Some("completed") => Some("Task completed."),
        Some("approved") => Some("Approved."),
        Some("rejected") => Some("Rejected."),
        Some("reopened") => Some("Task reopened."),
        Some("commented") => Some("Comment added."),
        Some("problem") => Some("Problem reported."),
        Some("resolved") => Some("Problem resolved."),
        Some("uploaded") => Some("File added."),
        Some("removed") => Some("File removed."),
        _ => None,
    }
}

/// The page of a task as the member sees it now, with `problems` and the answer's `status`.
pub async fn page_again(p: &OrgPage, task_id: &str, status: StatusCode, problems: &Problems) -> Response {
    let task = load(p, task_id).await;
    if !task.ok() {
        return p.refused(&task);
    }
    let people = people_for(p).await;
    respond(status, render(p, task.data(), problems, None, &people))
}

/// `GET /app/{org}/tasks/{task_id}`.
pub async fn show(
    State(state): State<AppState>,
    Extension(api): Extension<Api>,
    headers: HeaderMap,
    uri: Uri,
    Path((org, task_id)): Path<(String, String)>,
    Query(done): Query<Done>,
) -> Response {
    let p = match OrgPage::open(&state, api, headers, &org, &uri).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let task = load(&p, &task_id).await;
    if !task.ok() {
        return p.refused(&task);
    }
    let flash = flash(done.done.as_deref());
    let people = people_for(&p).await;
    respond(
        StatusCode::OK,
        render(&p, task.data(), &Problems::default(), flash, &people),
    )
}

/// The form that completes the task at `base` (a member's or a guest's page): Approve and
/// Reject for an approval task, else Complete.
pub(super) fn complete_form(base: &str, csrf: &str, approval: bool) -> Markup {
    html! {
        form method="post" action={ (base) "/complete" } {
            input type="hidden" name="_csrf" value=(csrf);
            @if approval {
                button type="submit" name="decision" value="approve" { "Approve" }
                button.secondary type="submit" name="decision" value="reject" { "Reject" }
            } @else {
                button type="submit" { "Complete" }
            }
        }
    }
}

/// The form that reopens the completed task at `base`.
pub(super) fn reopen_form(base: &str, csrf: &str) -> Markup {
    html! {
        form method="post" action={ (base) "/reopen" } {
            input type="hidden" name="_csrf" value=(csrf);
            button.secondary type="submit" { "Reopen" }
        }
    }
}

/// The page of `task` (the API's task with `form_fields`, `threads` and `run`).
pub fn render(p: &OrgPage, task: &Value, problems: &Problems, flash: Option<&str>, people: &People) -> Markup {
    let tz = p.nav.tz;
    let base = format!("/app/{}/tasks/{}", seg(&p.org), seg(task["id"].as_str().unwrap_or("")));
    let completed = task["status"].as_str() == Some("completed");
    let approval = task["task_type"].as_str() == Some("approval");
    let fields = task["form_fields"]["data"].as_array().cloned().unwrap_or_default();
    let (files, others): (Vec<Value>, Vec<Value>) = fields
        .into_iter()
        .partition(|f| f["field_type"].as_str() == Some("file"));
    let threads = task["threads"]["data"].as_array().cloned().unwrap_or_default();
    let csrf = &p.nav.csrf;
    let view = FieldView {
        read_only: completed,
        people: Some(people),
        org: Some(&p.org),
    };
    let downloads = format!("/app/{}/files", seg(&p.org));
    let forms = FileForms {
        base: &base,
        csrf,
        downloads: &downloads,
        read_only: completed,
    };
    let body = html! {
        @if let Some(run) = task["run"]["data"].as_object() {
            p.hint { "Process: " a href={ "/app/" (seg(&p.org)) "/runs/" (seg(run.get("id").and_then(Value::as_str).unwrap_or(""))) } {
                (run.get("name").and_then(Value::as_str).unwrap_or("")) } }
        }
        h1 { (task["title"].as_str().unwrap_or("")) }
        @if let Some(f) = flash { p.flash.good role="status" { (f) } }
        @if let Some(m) = &problems.message { p.flash.bad role="alert" { (m) } }
        div.card {
            dl.facts {
                dt { "Status" } dd { (task["status_label"].as_str().or(task["status"].as_str()).unwrap_or("")) }
                dt { "Deadline" } dd { (when(task["deadline"].as_str(), tz)) }
                dt { "Assignees" } dd { (assignees(task, people)) }
                @if completed { dt { "Completed" } dd { (when(task["completed_at"].as_str(), tz)) } }
                @if task["problem"].as_bool() == Some(true) { dt { "Problem" } dd { span.status.problem { "open problem" } } }
            }
            @if let Some(s) = task["summary"].as_str().filter(|s| !s.is_empty()) { p { (s) } }
        }
        @if !others.is_empty() {
            h2 { "Form" }
            form.card method="post" action={ (base) "/fields" } novalidate {
                input type="hidden" name="_csrf" value=(csrf);
                @for f in &others { (field(f, problems, &view)) }
                @if !completed { div.actions { button type="submit" { "Save" } } }
            }
        }
        @if !files.is_empty() {
            h2 { "Files" }
            @for f in &files { (section(&forms, f, problems)) }
        }
        div.actions {
            @if completed {
                (reopen_form(&base, csrf))
            } @else {
                (complete_form(&base, csrf, approval))
            }
        }
        h2 { "Comments" }
        ul.comments { @for c in &threads {
            @let label = c["label"].as_str().unwrap_or("comment");
            li.(if label == "problem" { "problem" } else { "" }) {
                div.meta {
                    @if label == "problem" { strong { "Problem" } " · " }
                    @if label == "resolve" { strong { "Resolved" } " · " }
                    "by " (c["author_id"].as_i64().map_or_else(|| "someone".to_string(), |u| people.member_name(u))) " · " (when(c["created_at"].as_str(), tz))
                }
                p { (c["content"].as_str().unwrap_or("")) }
                @if label == "problem" && !threads.iter().any(|r| r["resolve_id"] == c["id"]) {
                    form method="post" action={ (base) "/resolve" } {
                        input type="hidden" name="_csrf" value=(csrf);
                        input type="hidden" name="thread_id" value=(c["id"].as_str().unwrap_or(""));
                        button.secondary type="submit" { "Resolve" }
                    }
                }
            }
        } }
        form.card method="post" action={ (base) "/comment" } {
            input type="hidden" name="_csrf" value=(csrf);
            label for="content" { "Comment or problem" }
            textarea #content name="content" required aria-describedby=[problems.fields.get("content").map(|_| "content-error")] {
                (problems.comment.as_deref().unwrap_or(""))
            }
            @if let Some(m) = problems.fields.get("content") { p.error #content-error { (m) } }
            div.actions {
                button type="submit" { "Add comment" }
                button.secondary type="submit" formaction={ (base) "/problem" } { "Report a problem" }
            }
        }
    };
    page(task["title"].as_str().unwrap_or("Task"), Some(&p.nav), body)
}

fn assignees(task: &Value, people: &People) -> String {
    let o = &task["owners"];
    let mut out: Vec<String> = Vec::new();
    for u in o["users"].as_array().into_iter().flatten() {
        out.push(u.as_i64().map_or_else(|| u.to_string(), |u| people.member_name(u)));
    }
    for g in o["guests"].as_array().into_iter().flatten() {
        out.push(g.as_str().unwrap_or("").to_string());
    }
    for g in o["groups"].as_array().into_iter().flatten() {
        out.push(people.group_name(g.as_str().unwrap_or("")));
    }
    if out.is_empty() {
        "nobody".into()
    } else {
        out.join(", ")
    }
}

/// A write's form: the page and its pairs, CSRF checked.
pub async fn open_post(
    state: &AppState,
    api: Api,
    headers: HeaderMap,
    uri: &Uri,
    org: &str,
    body: &Bytes,
) -> Result<(OrgPage, Vec<(String, String)>), Response> {
    let p = OrgPage::open(state, api, headers, org, uri).await?;
    let pairs = form_pairs(body);
    if !p.member.csrf_ok(value_of(&pairs, "_csrf").as_deref()) {
        return Err(error(
            StatusCode::FORBIDDEN,
            "The form had expired. Reload the page and try again.",
            Some(&p.nav),
        ));
    }
    Ok((p, pairs))
}

/// The task page again after a write (303, so a reload sends nothing twice), saying `done`.
pub fn back(org: &str, task_id: &str, done: &str) -> Response {
    let mut r = Redirect::to(&format!("/app/{}/tasks/{}?done={done}", seg(org), seg(task_id))).into_response();
    *r.status_mut() = StatusCode::SEE_OTHER;
    r
}

/// The page again with the API's refusal (its status: 422, 404, …).
async fn refused(p: &OrgPage, task_id: &str, answer: &Answer, mut problems: Problems) -> Response {
    problems.absorb(answer);
    page_again(p, task_id, answer.status, &problems).await
}

/// `POST /app/{org}/tasks/{task_id}/fields`: `taskdata` through `PUT …/tasks/{id}`.
pub async fn save_fields(
    State(state): State<AppState>,
    Extension(api): Extension<Api>,
    headers: HeaderMap,
    uri: Uri,
    Path((org, task_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let (p, pairs) = match open_post(&state, api, headers, &uri, &org, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let task = load(&p, &task_id).await;
    if !task.ok() {
        return p.refused(&task);
    }
    let defs = task.data()["form_fields"]["data"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let data = answers(&defs, &pairs);
    let a = p
        .send(
            Method::PUT,
            &p.api_path(&format!("/tasks/{}", seg(&task_id))),
            &json!({"taskdata": data}),
        )
        .await;
    if !a.ok() {
        let problems = Problems {
            sent: data,
            ..Problems::default()
        };
        return refused(&p, &task_id, &a, problems).await;
    }
    back(&org, &task_id, "saved")
}

/// The API's completion route of `task`: a task of a process through its process.
fn completion_path(p: &OrgPage, task: &Value) -> String {
    match task["run_id"].as_str().filter(|r| !r.is_empty()) {
        Some(run) => p.api_path(&format!("/runs/{}/completed-tasks", seg(run))),
        None => p.api_path("/completed-tasks"),
    }
}

/// `POST …/complete`: `POST …/completed-tasks` (a process's own route for its tasks); an
/// approval task's form sends `decision` (`approve` or `reject`) as `is_approved`.
pub async fn complete(
    State(state): State<AppState>,
    Extension(api): Extension<Api>,
    headers: HeaderMap,
    uri: Uri,
    Path((org, task_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let (p, pairs) = match open_post(&state, api, headers, &uri, &org, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let task = p.get(&p.api_path(&format!("/tasks/{}", seg(&task_id)))).await;
    if !task.ok() {
        return p.refused(&task);
    }
    let mut payload = json!({"task_id": task_id});
    let decision = value_of(&pairs, "decision");
    let done = match decision.as_deref() {
        Some("approve") => {
            payload["is_approved"] = Value::Bool(true);
            "approved"
        }
        Some("reject") => {
            payload["is_approved"] = Value::Bool(false);
            "rejected"
        }
        _ => "completed",
    };
    let a = p.send(Method::POST, &completion_path(&p, task.data()), &payload).await;
    if !a.ok() {
        return refused(&p, &task_id, &a, Problems::default()).await;
    }
    back(&org, &task_id, done)
}

/// `POST …/reopen`: `DELETE …/completed-tasks/{task_id}`.
pub async fn reopen(
    State(state): State<AppState>,
    Extension(api): Extension<Api>,
    headers: HeaderMap,
    uri: Uri,
    Path((org, task_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let (p, _) = match open_post(&state, api, headers, &uri, &org, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let task = p.get(&p.api_path(&format!("/tasks/{}", seg(&task_id)))).await;
    if !task.ok() {
        return p.refused(&task);
    }
    let path = format!("{}/{}", completion_path(&p, task.data()), seg(&task_id));
    let a = p
        .api
        .call(&p.member.who(), Method::DELETE, &path, None, &p.headers)
        .await;
    if !a.ok() {
        return refused(&p, &task_id, &a, Problems::default()).await;
    }
    back(&org, &task_id, "reopened")
}

/// A comment, problem or resolution: the request's parts and which.
struct ThreadWrite {
    state: AppState,
    api: Api,
    headers: HeaderMap,
    uri: Uri,
    org: String,
    task_id: String,
    body: Bytes,
}

async fn thread_write(w: ThreadWrite, kind: &str) -> Response {
    let ThreadWrite {
        state,
        api,
        headers,
        uri,
        org,
        task_id,
        body,
    } = w;
    let (p, pairs) = match open_post(&state, api, headers, &uri, &org, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let content = value_of(&pairs, "content").unwrap_or_default();
    let (path, payload, done) = match kind {
        "problem" => ("problem", json!({"content": content}), "problem"),
        "resolve" => (
            "resolved-threads",
            json!({"thread_id": value_of(&pairs, "thread_id").unwrap_or_default()}),
            "resolved",
        ),
        _ => ("comment", json!({"content": content}), "commented"),
    };
    let a = p
        .send(
            Method::POST,
            &p.api_path(&format!("/tasks/{}/{path}", seg(&task_id))),
            &payload,
        )
        .await;
    if !a.ok() {
        let problems = Problems {
            comment: Some(content),
            ..Problems::default()
        };
        return refused(&p, &task_id, &a, problems).await;
    }
    back(&org, &task_id, done)
}

/// `POST …/comment`.
pub async fn comment(
    State(state): State<AppState>,
    Extension(api): Extension<Api>,
    headers: HeaderMap,
    uri: Uri,
    Path((org, task_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let w = ThreadWrite {
        state,
        api,
        headers,
        uri,
        org,
        task_id,
        body,
    };
    thread_write(w, "comment").await
}

/// `POST …/problem`: the comment form's other button.
pub async fn problem(
    State(state): State<AppState>,
    Extension(api): Extension<Api>,
    headers: HeaderMap,
    uri: Uri,
    Path((org, task_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let w = ThreadWrite {
        state,
        api,
        headers,
        uri,
        org,
        task_id,
        body,
    };
    thread_write(w, "problem").await
}

/// `POST …/resolve`.
pub async fn resolve(
    State(state): State<AppState>,
    Extension(api): Extension<Api>,
    headers: HeaderMap,
    uri: Uri,
    Path((org, task_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let w = ThreadWrite {
        state,
        api,
        headers,
        uri,
        org,
        task_id,
        body,
    };
    thread_write(w, "resolve").await
}
