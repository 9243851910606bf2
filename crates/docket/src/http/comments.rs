//! Comments and problems on tasks (C1–C5) and the Comment JSON shape (spec §2.9).
//!
//! Every write works on a visible task (404 otherwise, archived standalone tasks included) and
//! is refused with 422 `run` when the task's run is archived. The store re-derives the task's
//! `problem` flag and its run's status in the same transaction as the thread change.

use std::collections::HashMap;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use docket_domain::input::{Patch, Reader, label};
use docket_domain::time::{format_opt, format_ts};
use docket_domain::{Actor, ValidationErrors};
use docket_store::model::{NewThread, TaskRecord, ThreadEdit, ThreadRow};
use serde::Serialize;
use serde_json::{Map, Value};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Body, Ctx};
use crate::http::tasks::visible_task;
use crate::service::comments as service;
use crate::state::AppState;

/// Thread labels.
const LABELS: [&str; 5] = ["comment", "problem", "resolve", "improvement", "advice"];
/// Thread states; the first is the default.
const STATES: [&str; 3] = ["hide-for-guests", "open", "collapsed"];
/// Longest comment body, in characters.
pub(crate) const CONTENT_MAX: usize = 65_535;

/// The routes of this module, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_comment))
        .routes(routes!(edit_comment, delete_comment))
        .routes(routes!(report_problem))
        .routes(routes!(resolve_problem))
}

/// The Comment shape.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Comment)]
pub struct CommentJson {
    id: String,
    task_id: String,
    run_id: Option<String>,
    content: String,
    label: String,
    state: String,
    /// The member who wrote it, or the guest's id when a guest did (`author_type` `guest`).
    author_id: i64,
    /// `user`, or `guest` for a guest's comment from their link.
    author_type: &'static str,
    created_at: String,
    updated_at: String,
    archived_at: Option<String>,
    resolve_id: Option<String>,
    sent_to: Vec<i64>,
}

impl CommentJson {
    /// The shape of `t`; `sent_to` keeps the mentions of `members` (the organization's).
    pub fn new(t: &ThreadRow, members: &[i64]) -> Self {
        CommentJson {
            id: t.id.clone(),
            task_id: t.task_id.clone(),
            run_id: t.run_id.clone(),
            content: t.content.clone(),
            label: t.label.clone(),
            state: t.state.clone(),
            author_id: t.author_guest_id.unwrap_or(t.author_id),
            author_type: if t.author_guest_id.is_some() { "guest" } else { "user" },
            created_at: format_ts(t.created_at),
            updated_at: format_ts(t.updated_at),
            archived_at: format_opt(None),
            resolve_id: t.resolve_id.clone(),
            sent_to: mentions(&t.content)
                .into_iter()
                .filter(|id| members.contains(id))
                .collect(),
        }
    }
}

/// Member ids mentioned as `@[id]` in `content`, ascending, without duplicates (not yet
/// filtered to members).
pub fn mentions(content: &str) -> Vec<i64> {
    let mut out = Vec::new();
    let mut rest = content;
    while let Some(start) = rest.find("@[") {
        rest = &rest[start + 2..];
        if let Some(end) = rest.find(']')
            && let Ok(id) = rest[..end].parse::<i64>()
        {
            out.push(id);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Renders threads; `sent_to` keeps only mentions of members of the organization.
pub async fn render(ctx: &Ctx, org: &str, threads: &[ThreadRow]) -> Result<Vec<CommentJson>> {
    let mut mentioned: Vec<i64> = threads.iter().flat_map(|t| mentions(&t.content)).collect();
    mentioned.sort_unstable();
    mentioned.dedup();
    let members: Vec<i64> = ctx
        .state
        .store
        .members_by_ids(org, &mentioned)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    Ok(threads.iter().map(|t| CommentJson::new(t, &members)).collect())
}

/// The threads of each task, rendered, keyed by task id.
pub async fn of_tasks(
    ctx: &Ctx,
    org: &str,
    task_ids: &[String],
) -> Result<HashMap<String, Vec<(ThreadRow, CommentJson)>>> {
    let threads = ctx.state.store.threads_of_tasks(org, task_ids).await?;
    let rendered = render(ctx, org, &threads).await?;
    let mut out: HashMap<String, Vec<(ThreadRow, CommentJson)>> = HashMap::new();
    for (row, json) in threads.into_iter().zip(rendered) {
        out.entry(row.task_id.clone()).or_default().push((row, json));
    }
    Ok(out)
}

/// Reads an optional choice among `allowed` (ignoring case); `None` when absent, empty or invalid
/// (the last reported).
fn read_choice(r: &mut Reader<'_, '_>, key: &str, allowed: &[&str]) -> Option<String> {
    match r.text(&[key], 64) {
        Patch::Set(v) => {
            let v = v.to_ascii_lowercase();
            if allowed.contains(&v.as_str()) {
                Some(v)
            } else {
                r.fail(key, format!("The selected {} is invalid.", label(key)));
                None
            }
        }
        _ => None,
    }
}

/// Reads `sent_to`: member ids of the organization (a scalar counts as a one-item list),
/// duplicates dropped, in the order given; every other entry is a 422 on `sent_to.{i}`.
async fn read_sent_to(
    ctx: &Ctx,
    org: &str,
    body: &Map<String, Value>,
    errors: &mut ValidationErrors,
) -> Result<Vec<i64>> {
    let key = "sent_to";
    let entries: Vec<Value> = match Reader::new(body, errors).value(&[key]) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(Vec::new()),
        Some(Value::Array(a)) => a.clone(),
        Some(other) => vec![other.clone()],
    };
    crate::service::members::resolve_ids(&ctx.state, org, key, &entries, errors).await
}

/// `content` with `@[id]` appended, space-separated, for each of `sent_to` it does not mention.
pub fn with_mentions(content: &str, sent_to: &[i64]) -> String {
    let already = mentions(content);
    let mut out = content.to_string();
    for id in sent_to.iter().filter(|id| !already.contains(id)) {
        out.push_str(&format!(" @[{id}]"));
    }
    out
}

/// One stored thread as the response of a write.
async fn respond(ctx: &Ctx, org: &str, status: StatusCode, row: ThreadRow) -> Result<Response> {
    let mut items = render(ctx, org, std::slice::from_ref(&row)).await?;
    Ok(envelope::item(status, items.pop()))
}

/// The task of the path, its thread `comment_id` (404 when it is not on that task), and the
/// author-or-admin check (403).
async fn own_thread(ctx: &Ctx, me: &Actor, task_id: &str, comment_id: &str) -> Result<(TaskRecord, ThreadRow)> {
    let task = visible_task(ctx, me, task_id).await?;
    let thread = ctx
        .state
        .store
        .thread(&me.org_id, comment_id)
        .await?
        .filter(|t| t.task_id == task.row.id)
        .ok_or(Error::NotFound)?;
    if thread.author_id != me.user_id && !me.is_admin() {
        return Err(Error::no_permission());
    }
    Ok((task, thread))
}

/// Adds a comment to a task; `label: problem` reports a problem, `sent_to` mentions members.
#[utoipa::path(
    post,
    path = "/organizations/{org}/tasks/{task_id}/comment",
    operation_id = "add_comment",
    tag = "comments",
    params(("org" = String, Path, description = "Organization id"), ("task_id" = String, Path, description = "Task id")),
    request_body(content = crate::http::openapi::bodies::CommentInput, content_type = "application/json"),
    responses((status = 201, description = "The comment", body = crate::http::openapi::Item<CommentJson>))
)]
async fn add_comment(ctx: Ctx, Path((_org, task_id)): Path<(String, String)>, Body(body): Body) -> Result<Response> {
    let me = ctx.member()?;
    let task = visible_task(&ctx, &me, &task_id).await?;
    let mut errors = ValidationErrors::new();
    let mut r = Reader::new(&body, &mut errors);
    let content = r.required_text(&["content"], CONTENT_MAX);
    let label = read_choice(&mut r, "label", &LABELS).unwrap_or_else(|| LABELS[0].into());
    let state = read_choice(&mut r, "state", &STATES).unwrap_or_else(|| STATES[0].into());
    let sent_to = read_sent_to(&ctx, &me.org_id, &body, &mut errors).await?;
    let Some(content) = content.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let new = NewThread {
        content: with_mentions(&content, &sent_to),
        label,
        state,
        author_id: me.user_id,
        author_guest_id: None,
        now: ctx.now,
    };
    let row = service::add(&ctx.state, &me, &task.row.id, &new).await?;
    respond(&ctx, &me.org_id, StatusCode::CREATED, row).await
}

/// Edits a comment (its author or an admin).
#[utoipa::path(
    put,
    path = "/organizations/{org}/tasks/{task_id}/comment/{comment_id}",
    operation_id = "edit_comment",
    tag = "comments",
    params(("org" = String, Path, description = "Organization id"), ("task_id" = String, Path, description = "Task id"), ("comment_id" = String, Path, description = "Comment (thread) id")),
    request_body(content = crate::http::openapi::bodies::CommentInput, content_type = "application/json"),
    responses((status = 200, description = "The comment", body = crate::http::openapi::Item<CommentJson>))
)]
async fn edit_comment(
    ctx: Ctx,
    Path((_org, task_id, comment_id)): Path<(String, String, String)>,
    Body(body): Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let (task, thread) = own_thread(&ctx, &me, &task_id, &comment_id).await?;
    let mut errors = ValidationErrors::new();
    let mut r = Reader::new(&body, &mut errors);
    let content = r.required_text(&["content"], CONTENT_MAX);
    let label = read_choice(&mut r, "label", &LABELS);
    let state = read_choice(&mut r, "state", &STATES);
    let sent_to = read_sent_to(&ctx, &me.org_id, &body, &mut errors).await?;
    let Some(content) = content.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let edit = ThreadEdit {
        content: with_mentions(&content, &sent_to),
        label,
        state,
        now: ctx.now,
    };
    let row = service::edit(&ctx.state, &me, &task.row.id, &thread.id, &edit).await?;
    respond(&ctx, &me.org_id, StatusCode::OK, row).await
}

/// Deletes a comment (its author or an admin).
#[utoipa::path(
    delete,
    path = "/organizations/{org}/tasks/{task_id}/comment/{comment_id}",
    operation_id = "delete_comment",
    tag = "comments",
    params(("org" = String, Path, description = "Organization id"), ("task_id" = String, Path, description = "Task id"), ("comment_id" = String, Path, description = "Comment (thread) id")),
    responses((status = 204, description = "Deleted"))
)]
async fn delete_comment(
    ctx: Ctx,
    Path((_org, task_id, comment_id)): Path<(String, String, String)>,
) -> Result<Response> {
    let me = ctx.member()?;
    let (task, thread) = own_thread(&ctx, &me, &task_id, &comment_id).await?;
    service::delete(&ctx.state, &me, &task.row.id, &thread.id, ctx.now).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Reports a problem: the task shows `problem: true` and cannot be completed until it is resolved.
#[utoipa::path(
    post,
    path = "/organizations/{org}/tasks/{task_id}/problem",
    operation_id = "report_problem",
    tag = "comments",
    params(("org" = String, Path, description = "Organization id"), ("task_id" = String, Path, description = "Task id")),
    request_body(content = crate::http::openapi::bodies::ProblemInput, content_type = "application/json"),
    responses((status = 201, description = "The problem thread", body = crate::http::openapi::Item<CommentJson>))
)]
async fn report_problem(ctx: Ctx, Path((_org, task_id)): Path<(String, String)>, Body(body): Body) -> Result<Response> {
    let me = ctx.member()?;
    let task = visible_task(&ctx, &me, &task_id).await?;
    let mut errors = ValidationErrors::new();
    let mut r = Reader::new(&body, &mut errors);
    let content = r.required_text(&["content"], CONTENT_MAX);
    let state = read_choice(&mut r, "state", &STATES).unwrap_or_else(|| STATES[0].into());
    let Some(content) = content.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let new = NewThread {
        content,
        label: "problem".into(),
        state,
        author_id: me.user_id,
        author_guest_id: None,
        now: ctx.now,
    };
    let row = service::add(&ctx.state, &me, &task.row.id, &new).await?;
    respond(&ctx, &me.org_id, StatusCode::CREATED, row).await
}

/// Resolves an open problem of the task (`thread_id`) with a `resolve` comment.
#[utoipa::path(
    post,
    path = "/organizations/{org}/tasks/{task_id}/resolved-threads",
    operation_id = "resolve_problem",
    tag = "comments",
    params(("org" = String, Path, description = "Organization id"), ("task_id" = String, Path, description = "Task id")),
    request_body(content = crate::http::openapi::bodies::ResolveInput, content_type = "application/json"),
    responses((status = 201, description = "The resolve thread", body = crate::http::openapi::Item<CommentJson>))
)]
async fn resolve_problem(
    ctx: Ctx,
    Path((_org, task_id)): Path<(String, String)>,
    Body(body): Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let task = visible_task(&ctx, &me, &task_id).await?;
    let mut errors = ValidationErrors::new();
    let mut r = Reader::new(&body, &mut errors);
    let thread_id = r.required_text(&["thread_id"], 64);
    let content = match r.text(&["content"], CONTENT_MAX) {
        Patch::Set(c) => c,
        _ => "Resolved".to_string(),
    };
    let state = read_choice(&mut r, "state", &STATES).unwrap_or_else(|| STATES[0].into());
    let Some(thread_id) = thread_id.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let new = NewThread {
        content,
        label: "resolve".into(),
        state,
        author_id: me.user_id,
        author_guest_id: None,
        now: ctx.now,
    };
    let row = service::resolve(&ctx.state, &me, &task.row.id, &thread_id, &new).await?;
    respond(&ctx, &me.org_id, StatusCode::CREATED, row).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sent_to_ids_not_yet_mentioned_are_appended() {
        assert_eq!(
            with_mentions("Please check", &[1005, 1002]),
            "Please check @[1005] @[1002]"
        );
        assert_eq!(with_mentions("Hi @[1005]", &[1005, 1002]), "Hi @[1005] @[1002]");
        assert_eq!(with_mentions("Hi", &[]), "Hi");
    }

    #[test]
    fn mentions_are_parsed_sorted_and_deduplicated() {
        assert_eq!(
            mentions("hi @[1005] and @[1001] again @[1005] @[x] @[12"),
            vec![1001, 1005]
        );
        assert!(mentions("no mentions").is_empty());
    }
}
