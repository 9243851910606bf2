//! A guest's writes from their task page: the form fields, complete (approve or reject),
//! reopen, comment, report a problem and resolve one. Each asks its rule of
//! `docket_domain::task_rules::guest` first, then writes through the service in the guest's
//! [`ACTING`] scope (the store asks the rule again under the task's lock), and answers with a
//! redirect back to the page, or the page again with the refusal.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use docket_domain::ValidationErrors;
use docket_domain::input::Reader;
use docket_domain::task_rules::{Refusal, TaskFacts};
use docket_store::model::{ACTING, Acting, Guest, LifecycleCaller, NewThread, TaskCompletion, TaskRecord, TaskUpdate};
use serde_json::{Map, Value};

use super::{GONE, GuestView, open, viewer};
use crate::error::Error;
use crate::http::comments::CONTENT_MAX;
use crate::http::tasks::completion_events_of;
use crate::http::tasks::json::CaptureJson;
use crate::http::tasks::update::{Files, read_taskdata};
use crate::service::refusals::TaskWrite;
use crate::service::{comments, tasks as service};
use crate::state::AppState;
use crate::web::auth::presession_token;
use crate::web::client::{Answer, seg};
use crate::web::fields::{Problems, answers};
use crate::web::layout::{error, respond};
use crate::web::{form_pairs, session, value_of};

/// The caller of a guest's write.
fn caller(g: &Guest) -> LifecycleCaller {
    LifecycleCaller {
        user_id: 0,
        role: docket_domain::Role::Light,
        expected_version: None,
        guest_id: Some(g.id),
    }
}

/// A guest's write: the guest, their task and the form's pairs, CSRF checked (the
/// double-submit cookie); a link that opens nothing is the same 404 as the page.
pub(super) struct GuestPost {
    pub(super) state: AppState,
    pub(super) headers: HeaderMap,
    code: String,
    pub(super) g: Guest,
    pub(super) t: TaskRecord,
    pub(super) pairs: Vec<(String, String)>,
    csrf: String,
}

impl GuestPost {
    /// A url-encoded form (`body`) with its `_csrf`.
    pub(super) async fn open(
        state: AppState,
        headers: HeaderMap,
        code: String,
        task_id: &str,
        body: &Bytes,
    ) -> Result<GuestPost, Response> {
        let pairs = form_pairs(body);
        let sent = value_of(&pairs, "_csrf");
        GuestPost::check(state, headers, code, task_id, pairs, sent.as_deref()).await
    }

    /// [`GuestPost::open`], then the guest's `rule` (one of `task_rules`' guest rules) for the
    /// task: its refusal, as one of a `write`, is the page's answer.
    pub(super) async fn open_for(
        state: AppState,
        headers: HeaderMap,
        code: String,
        task_id: &str,
        body: &Bytes,
        write: TaskWrite,
        rule: impl FnOnce(&TaskFacts<'_>, i64) -> Result<(), Refusal>,
    ) -> Result<GuestPost, Response> {
        GuestPost::open(state, headers, code, task_id, body)
            .await?
            .may(write, rule)
            .await
    }

    /// This post if the guest's `rule` lets them, else the page's answer to its refusal.
    pub(super) async fn may(
        self,
        write: TaskWrite,
        rule: impl FnOnce(&TaskFacts<'_>, i64) -> Result<(), Refusal>,
    ) -> Result<GuestPost, Response> {
        match rule(&self.t.facts(), self.g.id) {
            Ok(()) => Ok(self),
            Err(refusal) => Err(self.refused(Error::from((write, refusal)), Problems::default()).await),
        }
    }

    /// The guest and task of the link, and the token `sent` with the form (an upload's first
    /// part) against the cookie's.
    pub(super) async fn check(
        state: AppState,
        headers: HeaderMap,
        code: String,
        task_id: &str,
        pairs: Vec<(String, String)>,
        sent: Option<&str>,
    ) -> Result<GuestPost, Response> {
        let (g, t) = open(&state, &code, task_id).await?;
        let (csrf, fresh) = presession_token(&headers);
        if fresh || !sent.is_some_and(|s| session::same(s, &csrf)) {
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
    pub(super) fn back(&self, done: &str) -> Response {
        let to = format!("/guest/{}/tasks/{}?done={done}", seg(&self.code), seg(&self.t.row.id));
        let mut r = Redirect::to(&to).into_response();
        *r.status_mut() = StatusCode::SEE_OTHER;
        r
    }

    /// The page again with the refusal `err` (the API's status and messages), or the 404 of a
    /// link that stopped opening the task.
    pub(super) async fn refused(&self, err: Error, mut problems: Problems) -> Response {
        let answer = Answer::read(err.into_response()).await;
        if answer.status == StatusCode::NOT_FOUND {
            return error(StatusCode::NOT_FOUND, GONE, None);
        }
        problems.absorb(&answer);
        self.again(answer.status, &problems).await
    }

    /// The page as it is now, with `problems`, answering `status`.
    pub(super) async fn again(&self, status: StatusCode, problems: &Problems) -> Response {
        let Ok((g, t)) = open(&self.state, &self.code, &self.t.row.id).await else {
            return error(StatusCode::NOT_FOUND, GONE, None);
        };
        let view = GuestView {
            state: &self.state,
            headers: &self.headers,
            code: &self.code,
            csrf: &self.csrf,
        };
        respond(status, view.render(&g, &t, problems, None).await)
    }

    /// Runs `write` as the guest: every store write inside records them as its actor.
    pub(super) async fn as_guest<F: std::future::Future>(&self, write: F) -> F::Output {
        ACTING.scope(Acting::Guest(self.g.id), write).await
    }

    /// Writes the form-field answers `data` (capture id → value, the API's `taskdata`),
    /// checked by the API's value rules; `files` says which files a `file` value may name.
    pub(super) async fn write_taskdata(&self, data: &Map<String, Value>, files: Files<'_>) -> Result<(), Error> {
        let mut errors = ValidationErrors::new();
        let (taskdata, file_values) =
            read_taskdata(&self.state, &self.g.org_id, &self.t, data, &mut errors, files).await?;
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        if taskdata.is_empty() {
            return Ok(());
        }
        let u = TaskUpdate {
            org_id: self.g.org_id.clone(),
            task_id: self.t.row.id.clone(),
            caller: caller(&self.g),
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
            events: completion_events_of(&self.state),
            now: self.state.clock.now(),
        };
        self.as_guest(service::update(&self.state, &u)).await.map(|_| ())
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
    let opened = GuestPost::open_for(state, headers, code, &task_id, &body, TaskWrite::Update, |f, g| {
        f.guest_may_edit(g)
    });
    let p = match opened.await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let defs: Vec<Value> =
        p.t.captures
            .iter()
            .map(|c| serde_json::to_value(CaptureJson::new(c)).unwrap_or(Value::Null))
            .collect();
    let data: Map<String, Value> = answers(&defs, &p.pairs);
    match p.write_taskdata(&data, Files::Refused).await {
        Ok(()) => p.back("saved"),
        Err(e) => {
            let sent = Problems {
                sent: data,
                ..Problems::default()
            };
            p.refused(e, sent).await
        }
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
    let opened = GuestPost::open_for(state, headers, code, &task_id, &body, TaskWrite::Reopen, |f, g| {
        f.guest_may_reopen(g)
    });
    let p = match opened.await {
        Ok(p) => p,
        Err(r) => return r,
    };
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
    match GuestPost::open(state, headers, code, &task_id, &body).await {
        Ok(p) => {
            let rule = p.t.facts().guest_may_comment(p.g.id);
            add_thread(p, "comment", rule, "commented").await
        }
        Err(r) => r,
    }
}

/// `POST …/problem`: the comment form's other button. The guest's problem marks the task
/// `problem: true` (it cannot be completed until the problem is resolved); refused (403) under
/// `prevent_guest_comment`, and on a completed task (422: it is reopened first).
pub async fn problem(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((code, task_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    match GuestPost::open(state, headers, code, &task_id, &body).await {
        Ok(p) => {
            let rule = p.t.facts().guest_may_report_problem(p.g.id);
            add_thread(p, "problem", rule, "problem").await
        }
        Err(r) => r,
    }
}

/// A comment or problem (`label`) by the guest, with the `content` of the form, when `rule`
/// (the guest's rule for it) lets them.
async fn add_thread(p: GuestPost, label: &str, rule: Result<(), Refusal>, done: &str) -> Response {
    let content = value_of(&p.pairs, "content").unwrap_or_default();
    let sent = content.clone();
    let kept = || Problems {
        comment: Some(sent.clone()),
        ..Problems::default()
    };
    if let Err(refusal) = rule {
        return p.refused(Error::from((TaskWrite::Update, refusal)), kept()).await;
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
        label: label.into(),
        state: "open".into(),
        author_id: 0,
        author_guest_id: Some(p.g.id),
        now: p.state.clock.now(),
    };
    match p
        .as_guest(comments::add(&p.state, &viewer(&p.g), &p.t.row.id, &new))
        .await
    {
        Ok(_) => p.back(done),
        Err(e) => p.refused(e, kept()).await,
    }
}

/// `POST …/resolve`: resolves the open problem `thread_id` (one the guest sees) with a
/// `resolve` comment by the guest, as the API's C5 does.
pub async fn resolve(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((code, task_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let opened = GuestPost::open_for(state, headers, code, &task_id, &body, TaskWrite::Update, |f, g| {
        f.guest_may_resolve_problem(g)
    });
    let p = match opened.await {
        Ok(p) => p,
        Err(r) => return r,
    };
    // The API's reading of `thread_id`; the store says whether it is an open problem the
    // guest sees.
    let mut errors = ValidationErrors::new();
    let thread = value_of(&p.pairs, "thread_id").unwrap_or_default();
    let body = Map::from_iter([("thread_id".to_string(), Value::String(thread))]);
    let read = Reader::new(&body, &mut errors).required_text(&["thread_id"], 64);
    let Some(thread_id) = read.filter(|id| errors.is_empty() && !id.contains('\0')) else {
        let invalid = Error::invalid("thread_id", "The selected thread id is invalid.");
        return p.refused(invalid, Problems::default()).await;
    };
    let new = NewThread {
        content: "Resolved".into(),
        label: "resolve".into(),
        state: "open".into(),
        author_id: 0,
        author_guest_id: Some(p.g.id),
        now: p.state.clock.now(),
    };
    let me = viewer(&p.g);
    let write = comments::resolve(&p.state, &me, &p.t.row.id, &thread_id, &new);
    match p.as_guest(write).await {
        Ok(_) => p.back("resolved"),
        Err(e) => p.refused(e, Problems::default()).await,
    }
}
