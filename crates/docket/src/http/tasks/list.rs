//! The organization-wide task lists with every parameter of spec §4.0: T2 (all tasks), T10 (the
//! caller's), T11 (a member's) and T12 (a guest's). "Assigned to" is direct or through a group
//! (§5.5), evaluated against current group membership; top-secret tasks the caller may not see
//! are neither listed nor counted. Items are in list form (`summary` only with `with=summary`).

use axum::extract::Path;
use axum::response::Response;
use docket_domain::Actor;
use docket_store::query::TaskAssignee;

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Ctx, Query, user_id_segment};
use crate::http::task_filters::{self, ASSIGNED_TASKS, ListSpec, ORG_TASKS};
use crate::http::tasks::json;

/// T2 `GET /organizations/{org}/tasks`.
pub async fn org_tasks(ctx: Ctx, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    respond(&ctx, &me, &query, &ORG_TASKS, None).await
}

/// T10 `GET /organizations/{org}/me/tasks`.
pub async fn my_tasks(ctx: Ctx, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let assignee = TaskAssignee::Member(me.user_id);
    respond(&ctx, &me, &query, &ASSIGNED_TASKS, Some(assignee)).await
}

/// T11 `GET /organizations/{org}/users/{user_id}/tasks`: `{user_id}` must be the digits of a
/// member of the organization (any status), else 404.
pub async fn user_tasks(ctx: Ctx, Path((_, user_id)): Path<(String, String)>, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let id = user_id_segment(&user_id)?;
    let member = ctx.state.store.member(&me.org_id, id).await?.ok_or(Error::NotFound)?;
    let assignee = TaskAssignee::Member(member.id);
    respond(&ctx, &me, &query, &ASSIGNED_TASKS, Some(assignee)).await
}

/// T12 `GET /organizations/{org}/guests/{guest}/tasks`: `{guest}` is a guest of the
/// organization by `guest_code`, email or integer id, else 404.
pub async fn guest_tasks(ctx: Ctx, Path((_, key)): Path<(String, String)>, query: Query) -> Result<Response> {
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
    let (tasks, total) = ctx.state.store.task_list(&me.org_id, &q).await?;
    let items = json::render(ctx, me, &tasks, &with_parents(query), false).await?;
    Ok(envelope::list(ctx, &page, total, items))
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
