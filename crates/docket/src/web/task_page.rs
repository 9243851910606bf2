//! The task page: details, assignees, deadline, every form field with the API's validation
//! message beside it, complete / reopen, comments, report and resolve a problem. Every write
//! is the API's (in-process, as the member); a refusal re-renders the page with the API's
//! messages (422), a success redirects back (303, so a reload sends nothing twice).

use std::collections::HashMap;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::state::AppState;
use crate::web::client::{Answer, Api, seg};
use crate::web::layout::{error, page, respond, when};
use crate::web::pages::OrgPage;
use crate::web::{form_pairs, value_of};

/// Field types edited on the page; the others (`table`, `file`, `assignees_form`) are shown.
const EDITABLE: &[&str] = &[
    "text",
    "textarea",
    "email",
    "url",
    "number",
    "date",
    "time",
    "datetime",
    "checkbox",
    "radio",
    "dropdown",
    "multiselect",
];

/// What a page shows after a write: `?done=`.
#[derive(Debug, Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

/// What a failed write leaves on the page.
#[derive(Debug, Default)]
pub struct Problems {
    /// A sentence for the top of the page.
    pub message: Option<String>,
    /// Messages by field id.
    pub fields: HashMap<String, String>,
    /// What was sent, by field id (shown again instead of the stored value).
    pub sent: HashMap<String, Vec<String>>,
    /// The comment text sent.
    pub comment: Option<String>,
}

impl Problems {
    /// The API's refusal: its message and the first message per field.
    pub fn from_answer(a: &Answer) -> Problems {
        let mut p = Problems {
            message: Some(a.message()),
            ..Problems::default()
        };
        for (key, msg) in a.field_errors() {
            if let Some(rest) = key.strip_prefix("taskdata.").or_else(|| key.strip_prefix("prerun.")) {
                let id = rest.split('.').next().unwrap_or(rest).to_string();
                p.fields.entry(id).or_insert(msg);
            } else {
                p.fields.entry(key).or_insert(msg);
            }
        }
        p
    }
}

async fn load(p: &OrgPage, task_id: &str) -> Answer {
    p.get(&p.api_path(&format!("/tasks/{}?with=form_fields,threads,run", seg(task_id))))
        .await
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
    let flash = match done.done.as_deref() {
        Some("saved") => Some("Saved."),
        Some("completed") => Some("Task completed."),
        Some("reopened") => Some("Task reopened."),
        Some("commented") => Some("Comment added."),
        Some("problem") => Some("Problem reported."),
        Some("resolved") => Some("Problem resolved."),
        _ => None,
    };
    respond(StatusCode::OK, render(&p, task.data(), &Problems::default(), flash))
}

/// The page of `task` (the API's task with `form_fields`, `threads` and `run`).
pub fn render(p: &OrgPage, task: &Value, problems: &Problems, flash: Option<&str>) -> Markup {
    let tz = p.nav.tz;
    let base = format!("/app/{}/tasks/{}", seg(&p.org), seg(task["id"].as_str().unwrap_or("")));
    let completed = task["status"].as_str() == Some("completed");
    let fields = task["form_fields"]["data"].as_array().cloned().unwrap_or_default();
    let threads = task["threads"]["data"].as_array().cloned().unwrap_or_default();
    let csrf = &p.nav.csrf;
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
                dt { "Assignees" } dd { (assignees(task)) }
                @if completed { dt { "Completed" } dd { (when(task["completed_at"].as_str(), tz)) } }
                @if task["problem"].as_bool() == Some(true) { dt { "Problem" } dd { span.status.problem { "open problem" } } }
            }
            @if let Some(s) = task["summary"].as_str().filter(|s| !s.is_empty()) { p { (s) } }
        }
        @if !fields.is_empty() {
            h2 { "Form" }
            form.card method="post" action={ (base) "/fields" } novalidate {
                input type="hidden" name="_csrf" value=(csrf);
                @for f in &fields { (field(f, problems, completed)) }
                @if !completed { div.actions { button type="submit" { "Save" } } }
            }
        }
        div.actions {
            @if completed {
                form method="post" action={ (base) "/reopen" } {
                    input type="hidden" name="_csrf" value=(csrf);
                    button.secondary type="submit" { "Reopen" }
                }
            } @else {
                form method="post" action={ (base) "/complete" } {
                    input type="hidden" name="_csrf" value=(csrf);
                    button type="submit" { "Complete" }
                }
            }
        }
        h2 { "Comments" }
        ul.comments { @for c in &threads {
            @let label = c["label"].as_str().unwrap_or("comment");
            li.(if label == "problem" { "problem" } else { "" }) {
                div.meta {
                    @if label == "problem" { strong { "Problem" } " · " }
                    @if label == "resolve" { strong { "Resolved" } " · " }
                    "by member " (c["author_id"]) " · " (when(c["created_at"].as_str(), tz))
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

fn assignees(task: &Value) -> String {
    let o = &task["owners"];
    let mut out: Vec<String> = Vec::new();
    for u in o["users"].as_array().into_iter().flatten() {
        out.push(format!("member {u}"));
    }
    for g in o["guests"].as_array().into_iter().flatten() {
        out.push(g.as_str().unwrap_or("").to_string());
    }
    for g in o["groups"].as_array().into_iter().flatten() {
        out.push(format!("group {}", g.as_str().unwrap_or("")));
    }
    if out.is_empty() {
        "nobody".into()
    } else {
        out.join(", ")
    }
}

/// The text of a stored value (for the read-only fields and the initial inputs).
fn value_texts(f: &Value) -> Vec<String> {
    let v = &f["value"];
    match v {
        Value::Null => vec![],
        Value::String(s) => vec![s.clone()],
        Value::Bool(b) => vec![b.to_string()],
        Value::Number(n) => vec![n.to_string()],
        Value::Object(o) => vec![o.get("text").and_then(Value::as_str).unwrap_or("").to_string()],
        Value::Array(items) => items
            .iter()
            .filter(|i| i.get("selected").and_then(Value::as_bool) != Some(false))
            .map(|i| match i {
                Value::String(s) => s.clone(),
                Value::Object(o) => o
                    .get("text")
                    .or_else(|| o.get("name"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| i.to_string()),
                other => other.to_string(),
            })
            .collect(),
    }
}

fn option_texts(f: &Value) -> Vec<String> {
    f["options"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| {
            o.as_str()
                .map(str::to_string)
                .or_else(|| o["text"].as_str().map(str::to_string))
        })
        .collect()
}

/// One form field: label, input of its type, the API's message beside it.
pub fn field(f: &Value, problems: &Problems, read_only: bool) -> Markup {
    let id = f["id"].as_str().unwrap_or("");
    let kind = f["field_type"].as_str().unwrap_or("text");
    let name = format!("field.{id}");
    let dom = format!("f-{id}");
    let err_id = format!("f-{id}-error");
    let problem = problems.fields.get(id);
    let values = problems.sent.get(id).cloned().unwrap_or_else(|| value_texts(f));
    let first = values.first().cloned().unwrap_or_default();
    let required = f["required"].as_bool() == Some(true);
    let described = problem.map(|_| err_id.clone());
    let editable = !read_only && EDITABLE.contains(&kind);
    html! {
        div.field.(if problem.is_some() { "field-invalid" } else { "" }) {
            @if matches!(kind, "radio" | "multiselect" | "checkbox") || !editable {
                fieldset {
                    legend { (f["label"].as_str().unwrap_or("")) @if required { " *" } }
                    @if !editable {
                        p { @if values.is_empty() { span.hint { "No answer" } } @else { (values.join(", ")) } }
                        @if !read_only { p.hint { "This field type is edited through the API for now." } }
                    } @else if kind == "checkbox" {
                        input type="hidden" name=(name) value="false";
                        input #(dom) type="checkbox" name=(name) value="true" checked[first == "true"]
                            aria-invalid=[problem.map(|_| "true")] aria-describedby=[described.as_deref()];
                        label.inline for=(dom) { "Yes" }
                    } @else {
                        @if kind == "multiselect" { input type="hidden" name=(name) value=""; }
                        @for (i, o) in option_texts(f).iter().enumerate() {
                            @let oid = format!("{dom}-{i}");
                            input #(oid) type=(if kind == "radio" { "radio" } else { "checkbox" }) name=(name) value=(o)
                                checked[values.contains(o)] aria-describedby=[described.as_deref()];
                            label.inline for=(oid) { (o) }
                        }
                    }
                }
            } @else {
                label for=(dom) { (f["label"].as_str().unwrap_or("")) @if required { " *" } }
                @match kind {
                    "textarea" => textarea #(dom) name=(name) aria-invalid=[problem.map(|_| "true")] aria-describedby=[described.as_deref()] { (first) },
                    "dropdown" => select #(dom) name=(name) aria-invalid=[problem.map(|_| "true")] aria-describedby=[described.as_deref()] {
                        option value="" { "—" }
                        @for o in option_texts(f) { option value=(o) selected[first == o] { (o) } }
                    },
                    _ => input #(dom) type=(input_type(kind)) name=(name) value=(input_value(kind, &first))
                        step=[(kind == "number").then_some("any")]
                        aria-invalid=[problem.map(|_| "true")] aria-describedby=[described.as_deref()];
                }
            }
            @if let Some(g) = f["guidance"].as_str().filter(|g| !g.is_empty()) { p.hint { (g) } }
            @if let Some(m) = problem { p.error #(err_id) { (m) } }
        }
    }
}

fn input_type(kind: &str) -> &'static str {
    match kind {
        "email" => "email",
        "url" => "url",
        "number" => "text",
        "date" => "date",
        "time" => "time",
        "datetime" => "datetime-local",
        _ => "text",
    }
}

/// A stored value as the input of its type wants it (dates as `YYYY-MM-DD`, date-times as
/// `YYYY-MM-DDTHH:MM`).
fn input_value(kind: &str, v: &str) -> String {
    match kind {
        "date" if v.len() >= 10 => v[..10].to_string(),
        "datetime" if v.len() >= 16 => v[..16].to_string(),
        _ => v.to_string(),
    }
}

/// The form's answers as the API's `taskdata`, for the editable fields of `task`.
fn taskdata(task: &Value, pairs: &[(String, String)]) -> (Map<String, Value>, HashMap<String, Vec<String>>) {
    let defs = task["form_fields"]["data"].as_array().cloned().unwrap_or_default();
    answers(&defs, pairs)
}

/// The form's answers for the editable fields of `defs` (the API's field shapes), keyed by
/// field id as `taskdata` and `prerun` take them, and what was sent per field.
pub fn answers(defs: &[Value], pairs: &[(String, String)]) -> (Map<String, Value>, HashMap<String, Vec<String>>) {
    let mut sent: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in pairs {
        if let Some(id) = k.strip_prefix("field.") {
            sent.entry(id.to_string()).or_default().push(v.clone());
        }
    }
    let mut data = Map::new();
    for f in defs {
        let (Some(id), Some(kind)) = (f["id"].as_str(), f["field_type"].as_str()) else {
            continue;
        };
        let Some(values) = sent.get(id) else { continue };
        if !EDITABLE.contains(&kind) {
            continue;
        }
        let last = values.last().cloned().unwrap_or_default();
        let v = match kind {
            "multiselect" => Value::Array(
                values
                    .iter()
                    .filter(|s| !s.is_empty())
                    .map(|s| json!({"text": s}))
                    .collect(),
            ),
            "checkbox" => Value::Bool(last == "true"),
            "datetime" if last.len() == 16 => Value::String(format!("{last}:00")),
            _ => Value::String(last),
        };
        data.insert(id.to_string(), v);
    }
    let shown = sent
        .into_iter()
        .map(|(k, v)| {
            let v: Vec<String> = v.into_iter().filter(|s| !s.is_empty()).collect();
            (k, v)
        })
        .collect();
    (data, shown)
}

/// A write's form: the page and its pairs, CSRF checked.
async fn open_post(
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

fn back(org: &str, task_id: &str, done: &str) -> Response {
    let mut r = Redirect::to(&format!("/app/{}/tasks/{}?done={done}", seg(org), seg(task_id))).into_response();
    *r.status_mut() = StatusCode::SEE_OTHER;
    r
}

/// The page again with the API's refusal (its status: 422, 404, …).
async fn refused(p: &OrgPage, task_id: &str, answer: &Answer, mut problems: Problems) -> Response {
    let fresh = Problems::from_answer(answer);
    problems.message = fresh.message;
    problems.fields.extend(fresh.fields);
    let task = load(p, task_id).await;
    if !task.ok() {
        return p.refused(&task);
    }
    respond(answer.status, render(p, task.data(), &problems, None))
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
    let (data, sent) = taskdata(task.data(), &pairs);
    let a = p
        .send(
            Method::PUT,
            &p.api_path(&format!("/tasks/{}", seg(&task_id))),
            &json!({"taskdata": data}),
        )
        .await;
    if !a.ok() {
        let problems = Problems {
            sent,
            ..Problems::default()
        };
        return refused(&p, &task_id, &a, problems).await;
    }
    back(&org, &task_id, "saved")
}

/// `POST …/complete`: `POST /organizations/{org}/completed-tasks`.
pub async fn complete(
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
    let a = p
        .send(
            Method::POST,
            &p.api_path("/completed-tasks"),
            &json!({"task_id": task_id}),
        )
        .await;
    if !a.ok() {
        return refused(&p, &task_id, &a, Problems::default()).await;
    }
    back(&org, &task_id, "completed")
}

/// `POST …/reopen`: `DELETE /organizations/{org}/completed-tasks/{task_id}`.
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
    let path = p.api_path(&format!("/completed-tasks/{}", seg(&task_id)));
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
