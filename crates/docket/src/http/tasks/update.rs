//! T4 `PUT /organizations/{org}/tasks/{task_id}` and R12 `PUT …/runs/{run_id}/tasks/{task_id}`:
//! partial update of any task, with the status transitions of §2.3 (a reopening status on a
//! completed task reopens it first; `completed` completes it with T8's rules). All or nothing.

use axum::extract::Path;
use axum::response::Response;
use docket_domain::form_field::{check_value, stored_def};
use docket_domain::input::{Patch, Reader};
use docket_domain::run::RunStatus;
use docket_domain::task::TaskStatus;
use docket_domain::task_rules::{self, Refusal};
use docket_domain::{Actor, ValidationErrors};
use docket_store::model::{TaskRecord, TaskUpdate};
use serde_json::{Map, Value, json};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::extract::{Body, Ctx, Query};
use crate::http::file_values;
use crate::http::tasks::create::{read_max_assignable, read_task_type, read_webhook};
use crate::http::tasks::{caller, completion_events, respond, visible_run_task, visible_task};
use crate::service::refusals::{self, TaskWrite};
use crate::service::{owners, tags, tasks as service};
use crate::state::AppState;

/// The routes of this module, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(update_task))
        .routes(routes!(update_run_task))
}

/// The keys T4 reads; a body with none of them is a no-op.
const FIELDS: &[&str] = &[
    "title",
    "name",
    "summary",
    "description",
    "deadline",
    "started_at",
    "owners",
    "taskdata",
    "status",
    "is_approved",
    "task_type",
    "webhook",
    "prevent_guest_comment",
    "top_secret",
    "everyone_must_complete",
    "can_complete_only_assignees",
    "is_soft_start_date",
    "max_assignable",
    "position",
    "tags",
];

/// Changes a task: only the fields sent.
///
/// `owners` replaces the assignees (a list left out of it is emptied). A completed task accepts
/// only `status` `in-progress` or `not-started`, which reopen it first; `status: completed`
/// completes the task as the completion route does.
#[utoipa::path(
    put,
    path = "/organizations/{org}/tasks/{task_id}",
    operation_id = "update_task",
    tag = "tasks",
    params(("org" = String, Path, description = "Organization id"), ("task_id" = String, Path, description = "Task id"), crate::http::openapi::params::WithParams),
    request_body(content = crate::http::openapi::bodies::UpdateTask, content_type = "application/json"),
    responses((status = 200, description = "The task", body = crate::http::openapi::Item<crate::http::tasks::json::TaskJson>))
)]
async fn update_task(
    ctx: Ctx,
    Path((_org, task_id)): Path<(String, String)>,
    query: Query,
    Body(body): Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let task = visible_task(&ctx, &me, &task_id).await?;
    update(&ctx, &me, task, &body).await?;
    respond(&ctx, &me, &task_id, &query, None).await
}

/// Changes a task of this run, as the task update does.
#[utoipa::path(
    put,
    path = "/organizations/{org}/runs/{run_id}/tasks/{task_id}",
    operation_id = "update_run_task",
    tag = "tasks",
    params(("org" = String, Path, description = "Organization id"), ("run_id" = String, Path, description = "Run id"), ("task_id" = String, Path, description = "Task id"), crate::http::openapi::params::WithParams),
    request_body(content = crate::http::openapi::bodies::UpdateTask, content_type = "application/json"),
    responses((status = 200, description = "The task", body = crate::http::openapi::Item<crate::http::tasks::json::TaskJson>))
)]
async fn update_run_task(
    ctx: Ctx,
    Path((_org, run_id, task_id)): Path<(String, String, String)>,
    query: Query,
    Body(body): Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let (_, task) = visible_run_task(&ctx, &me, &run_id, &task_id).await?;
    update(&ctx, &me, task, &body).await?;
    respond(&ctx, &me, &task_id, &query, None).await
}

/// Checks and applies one update of `task` (read before; the store re-checks the state rules
/// of `task_rules` under lock).
async fn update(ctx: &Ctx, me: &Actor, task: TaskRecord, body: &Map<String, Value>) -> Result<()> {
    let refused = |r: Refusal| Error::from((TaskWrite::Update, r));
    if !task.facts().can_edit(me.caller()) {
        return Err(refused(Refusal::NotPermitted));
    }
    let probe = docket_domain::input::Fields::new(body);
    if !FIELDS.iter().any(|k| probe.get(k).is_some()) {
        // An empty body (or only unknown keys) is a no-op, also on a completed task.
        return Ok(());
    }
    if task.row.run_id.is_some()
        && (task.row.archived_at.is_some() || task.row.run_status.as_deref() == Some(RunStatus::Archived.as_str()))
    {
        return Err(refused(Refusal::RunArchived));
    }

    let mut errors = ValidationErrors::new();
    let mut r = Reader::new(body, &mut errors);
    let status = match r.string(&["status"]) {
        Patch::Set(s) => match TaskStatus::parse(&s) {
            Some(st) => Some(st),
            None => {
                r.fail("status", "The selected status is invalid.");
                None
            }
        },
        Patch::Null => {
            r.fail("status", "The selected status is invalid.");
            None
        }
        Patch::Absent => None,
    };
    // Step 1: a completed task takes only a reopening status.
    task_rules::status_change(task.row.status, status).map_err(refused)?;

    let title = match r.text(&["title", "name"], 600) {
        Patch::Set(t) => Some(t),
        Patch::Null => {
            r.fail("title", "The title field is required.");
            None
        }
        Patch::Absent => None,
    };
    let summary = match r.string(&["summary", "description"]) {
        Patch::Set(s) => Some(Some(s)),
        Patch::Null => Some(None),
        Patch::Absent => None,
    };
    let deadline = required_date(&mut r, "deadline");
    let started_at = required_date(&mut r, "started_at");
    let is_approved = r.bool(&["is_approved"]).set();
    let task_type = read_task_type(&mut r).set();
    let webhook = match read_webhook(&mut r) {
        Patch::Set(url) => Some(Some(url)),
        Patch::Null => Some(None),
        Patch::Absent => None,
    };
    let prevent_guest_comment = r.bool(&["prevent_guest_comment"]).set();
    let top_secret = r.bool(&["top_secret"]).set();
    let everyone_must_complete = r.bool(&["everyone_must_complete"]).set();
    let can_complete_only_assignees = r.bool(&["can_complete_only_assignees"]).set();
    let is_soft_start_date = r.bool(&["is_soft_start_date"]).set();
    let max_assignable = read_max_assignable(&mut r).set();
    let position = match r.int(&["position"]) {
        Patch::Set(p) if p < 1 => {
            r.fail("position", "The position must be at least 1.");
            None
        }
        p => p.set(),
    };
    let tags_raw: Option<Vec<Value>> = match r.array(&["tags"]) {
        Patch::Set(a) => Some(a.clone()),
        Patch::Null => Some(Vec::new()),
        Patch::Absent => None,
    };
    let taskdata_raw = r.object(&["taskdata"]).set().cloned();
    let owners_value = r.value(&["owners"]).cloned();

    let org = me.org_id.as_str();
    let owners = match owners_value {
        None | Some(Value::Null) => None,
        Some(v) => Some(owners::resolve(&ctx.state, org, &v, "owners", &mut errors).await?),
    };
    let tag_targets = match &tags_raw {
        Some(items) => Some(tags::resolve(&ctx.state, org, items, &mut errors).await?),
        None => None,
    };
    let (taskdata, file_values) = match &taskdata_raw {
        Some(map) => read_taskdata(&ctx.state, org, &task, map, &mut errors, Files::Member(ctx, me)).await?,
        None => (Vec::new(), Vec::new()),
    };
    let direct = match &owners {
        Some(o) => o.direct_count(),
        None => task.direct_assignees(),
    };
    if !errors.has("max_assignable")
        && let Err(refusal) =
            task_rules::check_max_assignable(max_assignable.unwrap_or(task.row.max_assignable), direct)
    {
        refusals::add_to(&mut errors, TaskWrite::Update, refusal);
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }

    let u = TaskUpdate {
        org_id: me.org_id.clone(),
        task_id: task.row.id.clone(),
        caller: caller(ctx, me, &task.row.id)?,
        title,
        summary,
        deadline,
        started_at,
        owners: owners.map(|o| o.set),
        taskdata,
        file_values,
        status,
        is_approved,
        task_type,
        webhook,
        prevent_guest_comment,
        top_secret,
        everyone_must_complete,
        can_complete_only_assignees,
        is_soft_start_date,
        max_assignable,
        position,
        tags: tag_targets,
        events: completion_events(ctx),
        now: ctx.now,
    };
    service::update(&ctx.state, &u).await?;
    Ok(())
}

/// A date-time that may be changed but not cleared.
fn required_date(r: &mut Reader<'_, '_>, key: &str) -> Option<i64> {
    match r.datetime(&[key]) {
        Patch::Set(ms) => Some(ms),
        Patch::Null => {
            let label = key.replace('_', " ");
            r.fail(key, format!("The {label} is not a valid date."));
            None
        }
        Patch::Absent => None,
    }
}

/// Who may name files in a `taskdata` write.
pub(crate) enum Files<'a> {
    /// A member: assets they may see (the request's context and the member).
    Member(&'a Ctx, &'a Actor),
    /// A guest's form of answers, which carries no `file` values: one is refused.
    Refused,
    /// A guest's file upload or removal: files of the task (the public base URL of the links).
    Guest(&'a str),
}

/// Checks `taskdata` of task `task` of `org` against the task's captures (§2.5): keys are
/// capture ids compared after lower-casing; values are normalized per type; `assignees_form`
/// values are resolved like `owners`; `file` values must name assets the member may see (the
/// second list holds them, for the store to check again as it writes). Problems go under
/// `taskdata.{key}`. The guest page checks its answers with the same function.
pub(crate) async fn read_taskdata(
    state: &AppState,
    org: &str,
    task: &TaskRecord,
    map: &Map<String, Value>,
    errors: &mut ValidationErrors,
    file_check: Files<'_>,
) -> Result<TaskdataValues> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    let mut files: Vec<(String, Value)> = Vec::new();
    for (key, value) in map {
        let path = format!("taskdata.{key}");
        let wanted = key.trim().to_lowercase();
        let Some(capture) = task.captures.iter().find(|c| c.id.to_lowercase() == wanted) else {
            errors.add(path, "No such form field on this task.");
            continue;
        };
        let def = stored_def(
            &capture.label,
            &capture.field_type,
            capture.required,
            &capture.options,
            &capture.field_columns,
        );
        let stored = match check_value(&def, value) {
            Err(message) => {
                errors.add(path, message);
                continue;
            }
            Ok(None) => None,
            Ok(Some(v)) if capture.field_type == "assignees_form" => {
                let mut inner = ValidationErrors::new();
                let resolved = owners::resolve(state, org, &v, &path, &mut inner).await?;
                if !inner.is_empty() {
                    for (_, messages) in inner.entries() {
                        for m in messages {
                            errors.add(path.clone(), m.clone());
                        }
                    }
                    continue;
                }
                let set = resolved.set;
                if set.users.is_empty() && set.guests.is_empty() && set.groups.is_empty() {
                    None
                } else {
                    Some(json!({"users": set.users, "guests": set.guests, "groups": set.groups}).to_string())
                }
            }
            Ok(Some(v)) if capture.field_type == "file" => {
                let checked = match &file_check {
                    Files::Member(ctx, me) => file_values::resolve_file_value(ctx, me, &v).await?,
                    Files::Refused => Err("Files cannot be added from this page.".to_string()),
                    Files::Guest(base) => file_values::resolve_guest_file_value(state, base, task, &v).await?,
                };
                match checked {
                    Ok(v) => {
                        files.retain(|(key, _)| *key != format!("taskdata.{}", capture.id));
                        files.push((format!("taskdata.{}", capture.id), v.clone()));
                        Some(v.to_string())
                    }
                    Err(message) => {
                        errors.add(path, message);
                        continue;
                    }
                }
            }
            Ok(Some(v)) => Some(v.to_string()),
        };
        out.retain(|(id, _)| *id != capture.id);
        out.push((capture.id.clone(), stored));
    }
    Ok((out, files))
}

/// The values of `taskdata` to write (capture id → stored JSON, `None` clears), and the `file`
/// values among them by their error key.
pub(crate) type TaskdataValues = (Vec<(String, Option<String>)>, Vec<(String, Value)>);
