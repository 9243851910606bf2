//! Run writes: R3 update, R4 archive, R5 activate, R6 permanent delete, R9/R10 kick-off.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use docket_domain::input::{Patch, Reader, coerce_int};
use docket_domain::{Actor, Role, ValidationErrors, input, launch};
use docket_store::model::{ArchiveRefusal, RunPatch, RunRecord};
use serde_json::{Map, Value};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Body, Ctx, Query};
use crate::http::runs::{kickoff, path_run};
use crate::service::refusals::run_refused;
use crate::service::runs as service;
use crate::state::AppState;

/// Longest run name an update accepts, in characters.
const NAME_MAX: usize = 550;

/// The routes of this module, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(update_run, archive_run))
        .routes(routes!(activate_run))
        .routes(routes!(delete_run))
        .routes(routes!(complete_prerun, reopen_prerun))
}

/// Update / archive / activate a run: admin and standard members, light members only on runs
/// they own (spec §1.11).
fn check_may_edit(actor: &Actor, run: &RunRecord) -> Result<()> {
    if actor.role == Role::Light && run.row.owner_id != actor.user_id {
        return Err(Error::no_permission());
    }
    Ok(())
}

/// 200 with the run as stored now, with the includes `query` asks for.
async fn run_response(ctx: &Ctx, actor: &Actor, run_id: &str, query: &Query) -> Result<Response> {
    let run = path_run(ctx, actor, run_id).await?;
    let mut items = super::render(ctx, actor, std::slice::from_ref(&run), query).await?;
    Ok(crate::http::etag::with_etag(
        envelope::ok(items.pop()),
        &run.row.id,
        run.row.version,
    ))
}

/// The raw values of a run update's list fields, read before the store lookups.
enum ListInput {
    Absent,
    Clear,
    Items(Vec<Value>),
}

fn list_input(r: &mut Reader<'_, '_>, key: &str) -> ListInput {
    match r.array(&[key]) {
        Patch::Absent => ListInput::Absent,
        Patch::Null => ListInput::Clear,
        Patch::Set(items) => ListInput::Items(items.clone()),
    }
}

/// An entry of `users`/`groups`: a scalar, or an object carrying `id`.
fn entry_id(v: &Value) -> Value {
    match v {
        Value::Object(o) => input::Fields::new(o).get("id").cloned().unwrap_or(Value::Null),
        other => other.clone(),
    }
}

/// Reads a run update body into a patch; every problem goes into `errors`.
async fn read_patch(
    ctx: &Ctx,
    me: &Actor,
    run: &RunRecord,
    body: &Map<String, Value>,
    errors: &mut ValidationErrors,
) -> Result<RunPatch> {
    let org = me.org_id.as_str();
    let mut patch = RunPatch {
        now: ctx.now,
        ..Default::default()
    };
    let mut r = Reader::new(body, errors);
    match r.text(&["name"], NAME_MAX) {
        Patch::Set(name) => patch.name = Some(name),
        Patch::Null => r.fail("name", "The name field is required."),
        Patch::Absent => {}
    }
    match r.string(&["summary"]) {
        Patch::Set(s) => patch.summary = Some(Some(s)),
        Patch::Null => patch.summary = Some(None),
        Patch::Absent => {}
    }
    for (key, slot) in [("starred", &mut patch.starred), ("is_public", &mut patch.is_public)] {
        match r.bool(&[key]) {
            Patch::Set(b) => *slot = Some(b),
            Patch::Null => r.fail(key, format!("The {} field must be true or false.", input::label(key))),
            Patch::Absent => {}
        }
    }
    let owner = r.int(&["owner_id"]);
    let users = list_input(&mut r, "users");
    let groups = list_input(&mut r, "groups");
    // `prerun`: kick-off values of a launched run; accepted and ignored on MISC runs.
    let prerun = r.value(&["prerun"]).cloned();
    if run.row.is_launched() && prerun.is_some() {
        let mut changes = prerun_changes(&run.row, prerun.as_ref(), errors);
        let fields = kickoff::definitions(&run.row);
        patch.file_values = kickoff::resolve_files(ctx, me, &fields, &mut changes, errors).await?;
        patch.prerun = Some(changes);
    }

    match owner {
        Patch::Set(id) if ctx.state.store.member(org, id).await?.is_some() => patch.owner_id = Some(id),
        Patch::Set(_) | Patch::Null => errors.add("owner_id", "The selected owner id is invalid."),
        Patch::Absent => {}
    }
    match users {
        ListInput::Absent => {}
        ListInput::Clear => patch.users = Some(Vec::new()),
        ListInput::Items(items) => {
            let mut ids: Vec<i64> = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let member = match coerce_int(&entry_id(item)) {
                    Some(id) => ctx.state.store.member(org, id).await?.map(|m| m.id),
                    None => None,
                };
                match member {
                    Some(id) if !ids.contains(&id) => ids.push(id),
                    Some(_) => {}
                    None => errors.add(format!("users.{i}"), format!("The selected users.{i} is invalid.")),
                }
            }
            patch.users = Some(ids);
        }
    }
    match groups {
        ListInput::Absent => {}
        ListInput::Clear => patch.groups = Some(Vec::new()),
        ListInput::Items(items) => {
            let mut ids: Vec<String> = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let group = match entry_id(item).as_str().map(str::trim) {
                    Some(id) if !id.is_empty() => ctx.state.store.group(org, id).await?.map(|g| g.id),
                    _ => None,
                };
                match group {
                    Some(id) if !ids.contains(&id) => ids.push(id),
                    Some(_) => {}
                    None => errors.add(format!("groups.{i}"), format!("The selected groups.{i} is invalid.")),
                }
            }
            patch.groups = Some(ids);
        }
    }
    Ok(patch)
}

/// The kick-off values a run update sets: keys checked against the run's launch-time fields,
/// values by their type, and every required field still answered afterwards.
fn prerun_changes(
    row: &docket_store::model::RunRow,
    value: Option<&Value>,
    errors: &mut ValidationErrors,
) -> Map<String, Value> {
    let fields = kickoff::definitions(row);
    let current = kickoff::values(row);
    let merged = launch::apply_prerun(value, &fields, current.clone(), errors);
    merged.into_iter().filter(|(k, v)| current.get(k) != Some(v)).collect()
}

fn is_noop(p: &RunPatch) -> bool {
    p.prerun.as_ref().is_none_or(Map::is_empty)
        && p.name.is_none()
        && p.summary.is_none()
        && p.starred.is_none()
        && p.owner_id.is_none()
        && p.is_public.is_none()
        && p.users.is_none()
        && p.groups.is_none()
}

/// Changes a run: only the fields sent (light members: only runs they own).
#[utoipa::path(
    put,
    path = "/organizations/{org}/runs/{run_id}",
    operation_id = "update_run",
    tag = "runs",
    params(("org" = String, Path, description = "Organization id"), ("run_id" = String, Path, description = "Run id"), crate::http::openapi::params::WithParams),
    request_body(content = crate::http::openapi::bodies::UpdateRun, content_type = "application/json"),
    responses((status = 200, description = "The run", body = crate::http::openapi::Item<crate::http::runs::json::RunJson>))
)]
async fn update_run(
    ctx: Ctx,
    Path((_org, run_id)): Path<(String, String)>,
    query: Query,
    Body(body): Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let run = path_run(&ctx, &me, &run_id).await?;
    check_may_edit(&me, &run)?;
    let mut errors = ValidationErrors::new();
    let mut patch = read_patch(&ctx, &me, &run, &body, &mut errors).await?;
    patch.expected_version = crate::http::etag::required_version(ctx.if_match.as_deref(), &run_id)?;
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if !is_noop(&patch) {
        if run.row.archived_at.is_some() {
            return Err(run_refused(ArchiveRefusal::Archived));
        }
        service::update(&ctx.state, &me, &run.row.id, &patch).await?;
    }
    run_response(&ctx, &me, &run.row.id, &query).await
}

/// Archives a run with its tasks (200 with the run).
#[utoipa::path(
    delete,
    path = "/organizations/{org}/runs/{run_id}",
    operation_id = "archive_run",
    tag = "runs",
    params(("org" = String, Path, description = "Organization id"), ("run_id" = String, Path, description = "Run id"), crate::http::openapi::params::WithParams),
    responses((status = 200, description = "The archived run", body = crate::http::openapi::Item<crate::http::runs::json::RunJson>))
)]
async fn archive_run(ctx: Ctx, Path((_org, run_id)): Path<(String, String)>, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let run = path_run(&ctx, &me, &run_id).await?;
    check_may_edit(&me, &run)?;
    service::archive(&ctx.state, &me, &run.row.id, ctx.now).await?;
    run_response(&ctx, &me, &run.row.id, &query).await
}

/// Un-archives a run and its tasks (no body needed).
#[utoipa::path(
    put,
    path = "/organizations/{org}/runs/{run_id}/activate",
    operation_id = "activate_run",
    tag = "runs",
    params(("org" = String, Path, description = "Organization id"), ("run_id" = String, Path, description = "Run id"), crate::http::openapi::params::WithParams),
    responses((status = 200, description = "The run", body = crate::http::openapi::Item<crate::http::runs::json::RunJson>))
)]
async fn activate_run(
    ctx: Ctx,
    Path((_org, run_id)): Path<(String, String)>,
    query: Query,
    _body: Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let run = path_run(&ctx, &me, &run_id).await?;
    check_may_edit(&me, &run)?;
    service::activate(&ctx.state, &me, &run.row.id, ctx.now).await?;
    run_response(&ctx, &me, &run.row.id, &query).await
}

/// Deletes an archived run with its tasks for good (admins only), with the files uploaded to the
/// run and its tasks.
#[utoipa::path(
    delete,
    path = "/organizations/{org}/runs/{run_id}/delete",
    operation_id = "delete_run",
    tag = "runs",
    params(("org" = String, Path, description = "Organization id"), ("run_id" = String, Path, description = "Run id")),
    responses((status = 204, description = "Deleted"))
)]
async fn delete_run(ctx: Ctx, Path((_org, run_id)): Path<(String, String)>) -> Result<Response> {
    let me = ctx.member()?;
    let run = path_run(&ctx, &me, &run_id).await?;
    if !me.is_admin() {
        return Err(Error::no_permission());
    }
    if run.row.archived_at.is_none() {
        return Err(run_refused(ArchiveRefusal::NotArchived));
    }
    service::delete(&ctx.state, &me, &run.row.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Marks the run's kick-off form as completed (no body needed).
#[utoipa::path(
    post,
    path = "/organizations/{org}/runs/{run_id}/complete-prerun",
    operation_id = "complete_prerun",
    tag = "runs",
    params(("org" = String, Path, description = "Organization id"), ("run_id" = String, Path, description = "Run id"), crate::http::openapi::params::WithParams),
    responses((status = 200, description = "The run", body = crate::http::openapi::Item<crate::http::runs::json::RunJson>))
)]
async fn complete_prerun(
    ctx: Ctx,
    Path((_org, run_id)): Path<(String, String)>,
    query: Query,
    _body: Body,
) -> Result<Response> {
    set_prerun(ctx, run_id, query, true).await
}

/// Marks the run's kick-off form as not completed.
#[utoipa::path(
    delete,
    path = "/organizations/{org}/runs/{run_id}/complete-prerun",
    operation_id = "reopen_prerun",
    tag = "runs",
    params(("org" = String, Path, description = "Organization id"), ("run_id" = String, Path, description = "Run id"), crate::http::openapi::params::WithParams),
    responses((status = 200, description = "The run", body = crate::http::openapi::Item<crate::http::runs::json::RunJson>))
)]
async fn reopen_prerun(ctx: Ctx, Path((_org, run_id)): Path<(String, String)>, query: Query) -> Result<Response> {
    set_prerun(ctx, run_id, query, false).await
}

/// The kick-off routes: the rules of a run update (owner-only for light members, not on archived runs).
async fn set_prerun(ctx: Ctx, run_id: String, query: Query, complete: bool) -> Result<Response> {
    let me = ctx.member()?;
    let run = path_run(&ctx, &me, &run_id).await?;
    check_may_edit(&me, &run)?;
    if run.row.archived_at.is_some() {
        return Err(run_refused(ArchiveRefusal::Archived));
    }
    service::set_prerun(&ctx.state, &me, &run.row.id, complete, ctx.now).await?;
    run_response(&ctx, &me, &run.row.id, &query).await
}
