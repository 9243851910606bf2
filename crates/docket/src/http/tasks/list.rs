//! The organization-wide task lists with every parameter of spec §4.0: T2 (all tasks), T10 (the
//! caller's), T11 (a member's) and T12 (a guest's). "Assigned to" is direct or through a group
//! (§5.5), evaluated against current group membership; top-secret tasks the caller may not see
//! are neither listed nor counted. Items are in list form (`summary` only with `with=summary`).

use axum::body::{Body, Bytes};
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use docket_domain::Actor;
use docket_domain::page::{PageInfo, PageRequest};
use docket_store::query::{TaskAssignee, TaskQuery};

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Ctx, Query};
use crate::http::params::user_id_segment;
use crate::http::task_filters::{self, ASSIGNED_TASKS, ListSpec, ORG_TASKS};
use crate::http::tasks::json;

/// Lists the organization's tasks, filtered and paged; no status filter unless given.
#[utoipa::path(
    get,
    path = "/organizations/{org}/tasks",
    operation_id = "list_tasks",
    tag = "tasks",
    params(("org" = String, Path, description = "Organization id"), crate::http::task_filters::TaskListParams, crate::http::openapi::params::WithParams, crate::http::openapi::params::PageParams),
    responses((status = 200, description = "Tasks of the organization", body = crate::http::openapi::Page<crate::http::tasks::json::TaskJson>))
)]
pub async fn org_tasks(ctx: Ctx, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    respond(&ctx, &me, &query, &ORG_TASKS, None).await
}

/// Lists the caller's tasks (directly or through a group); `status` defaults to `active`.
#[utoipa::path(
    get,
    path = "/organizations/{org}/me/tasks",
    operation_id = "list_my_tasks",
    tag = "tasks",
    params(("org" = String, Path, description = "Organization id"), crate::http::task_filters::TaskListParams, crate::http::openapi::params::WithParams, crate::http::openapi::params::PageParams),
    responses((status = 200, description = "Tasks assigned to the caller", body = crate::http::openapi::Page<crate::http::tasks::json::TaskJson>))
)]
pub async fn my_tasks(ctx: Ctx, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let assignee = TaskAssignee::Member(me.user_id);
    respond(&ctx, &me, &query, &ASSIGNED_TASKS, Some(assignee)).await
}

/// Lists a member's tasks (directly or through a group); `status` defaults to `active`.
///
/// `{user_id}` must be a member of the organization (any status), else 404.
#[utoipa::path(
    get,
    path = "/organizations/{org}/users/{user_id}/tasks",
    operation_id = "list_user_tasks",
    tag = "tasks",
    params(("org" = String, Path, description = "Organization id"), ("user_id" = i64, Path, description = "Member id"), crate::http::task_filters::TaskListParams, crate::http::openapi::params::WithParams, crate::http::openapi::params::PageParams),
    responses((status = 200, description = "Tasks assigned to the member", body = crate::http::openapi::Page<crate::http::tasks::json::TaskJson>))
)]
pub async fn user_tasks(ctx: Ctx, Path((_org, user_id)): Path<(String, String)>, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let id = user_id_segment(&user_id)?;
    let member = ctx.state.store.member(&me.org_id, id).await?.ok_or(Error::NotFound)?;
    let assignee = TaskAssignee::Member(member.id);
    respond(&ctx, &me, &query, &ASSIGNED_TASKS, Some(assignee)).await
}

/// Lists a guest's tasks (directly or through a group); `status` defaults to `active`.
///
/// `{guest}` is a guest of the organization by `guest_code`, email or integer id, else 404.
#[utoipa::path(
    get,
    path = "/organizations/{org}/guests/{guest}/tasks",
    operation_id = "list_guest_tasks",
    tag = "tasks",
    params(("org" = String, Path, description = "Organization id"), ("guest" = String, Path, description = "Guest email"), crate::http::task_filters::TaskListParams, crate::http::openapi::params::WithParams, crate::http::openapi::params::PageParams),
    responses((status = 200, description = "Tasks assigned to the guest", body = crate::http::openapi::Page<crate::http::tasks::json::TaskJson>))
)]
pub async fn guest_tasks(ctx: Ctx, Path((_org, key)): Path<(String, String)>, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let guest = ctx
        .state
        .store
        .find_guest(&me.org_id, &key)
        .await?
        .ok_or(Error::NotFound)?;
    let assignee = TaskAssignee::Guest(guest.id);
    respond(&ctx, &me, &query, &ASSIGNED_TASKS, Some(assignee)).await
}

/// Parses the §4.0 parameters of `spec` (422 for invalid ones), narrows to `assignee`, and
/// answers one page.
async fn respond(
    ctx: &Ctx,
    me: &Actor,
    query: &Query,
    spec: &ListSpec,
    assignee: Option<TaskAssignee>,
) -> Result<Response> {
    let (mut q, page) = task_filters::parse(query, me, ctx.now, spec)?;
    q.assignee = assignee;
    let query = with_parents(query);
    if page.all {
        return Ok(stream_all(ctx.clone(), me.clone(), query, q, page));
    }
    let (tasks, total) = ctx.state.store.task_list(&me.org_id, &q).await?;
    let items = json::render(ctx, me, &tasks, &query, false).await?;
    Ok(envelope::list(ctx, &page, total, items))
}

/// Tasks per batch of a `without_pagination` stream.
const STREAM_BATCH: usize = 500;

/// `without_pagination=true` at any size: every match of `q` as one page, streamed from the
/// database to the socket batch by batch, so memory stays flat however many match. The
/// pagination meta comes last, counting what was sent (`total = count = per_page`, §1.8). A
/// database error after the first bytes can only cut the response short, which the client
/// sees as a broken body; it is logged.
pub(crate) fn stream_all(ctx: Ctx, me: Actor, query: Query, q: TaskQuery, page: PageRequest) -> Response {
    enum Stage {
        Open,
        Items,
        Done,
    }
    struct Stream {
        rx: tokio::sync::mpsc::Receiver<docket_store::StoreResult<Vec<docket_store::model::TaskRecord>>>,
        ctx: Ctx,
        me: Actor,
        query: Query,
        page: PageRequest,
        sent: i64,
        stage: Stage,
    }
    fn cut(e: impl std::fmt::Display) -> std::io::Error {
        tracing::error!(error = %e, "without_pagination stream cut short");
        std::io::Error::other("the task list could not be completed")
    }

    let (tx, rx) = tokio::sync::mpsc::channel(2);
    let store = ctx.state.store.clone();
    let org = me.org_id.clone();
    tokio::spawn(async move { store.task_list_stream(&org, &q, STREAM_BATCH, tx).await });
    let start = Stream {
        rx,
        ctx,
        me,
        query,
        page,
        sent: 0,
        stage: Stage::Open,
    };
    let body = futures_util::stream::unfold(start, |mut s| async move {
        let chunk = match s.stage {
            Stage::Done => return None,
            Stage::Open => {
                s.stage = Stage::Items;
                Ok(Bytes::from_static(b"{\"data\":["))
            }
            Stage::Items => match s.rx.recv().await {
                Some(Ok(records)) => match json::render(&s.ctx, &s.me, &records, &s.query, false).await {
                    Ok(items) => {
                        let mut buf = Vec::with_capacity(items.len() * 1024);
                        for item in &items {
                            if s.sent > 0 {
                                buf.push(b',');
                            }
                            if let Err(e) = serde_json::to_writer(&mut buf, item) {
                                s.stage = Stage::Done;
                                return Some((Err(cut(e)), s));
                            }
                            s.sent += 1;
                        }
                        Ok(Bytes::from(buf))
                    }
                    Err(e) => {
                        s.stage = Stage::Done;
                        Err(cut(e))
                    }
                },
                Some(Err(e)) => {
                    s.stage = Stage::Done;
                    Err(cut(e))
                }
                None => {
                    s.stage = Stage::Done;
                    let info = PageInfo::new(&s.page, s.sent, s.sent);
                    let meta = serde_json::json!({ "pagination": envelope::pagination(&s.ctx, &info) });
                    Ok(Bytes::from(format!("],\"meta\":{meta}}}")))
                }
            },
        };
        Some((chunk, s))
    });
    ([(header::CONTENT_TYPE, "application/json")], Body::from_stream(body)).into_response()
}

/// `query` with the parent of every dotted `with` name added, as Fractal does: the SDK's
/// `with=…,member_watchers.watcher` embeds `member_watchers`.
fn with_parents(query: &Query) -> Query {
    let mut names = query.list("with");
    let parents: Vec<String> = names
        .iter()
        .filter_map(|n| n.split_once('.').map(|(p, _)| p.to_string()))
        .collect();
    for p in parents {
        if !names.contains(&p) {
            names.push(p);
        }
    }
    let mut out = query.clone();
    out.0.retain(|(k, _)| k != "with");
    out.0.push(("with".into(), names.join(",")));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_includes_bring_their_parents() {
        let q = Query(vec![
            ("with".into(), "old".into()),
            ("with".into(), "run,member_watchers.watcher,run.checklist".into()),
        ]);
        let out = with_parents(&q);
        assert_eq!(
            out.list("with"),
            ["run", "member_watchers.watcher", "run.checklist", "member_watchers"]
        );
        assert!(out.with("member_watchers"));
    }
}
