//! T1 `POST /organizations/{org}/tasks`: a standalone task, a new run with one task per
//! assignee, or tasks added to an existing run (spec T1, §5.1, §5.2). All or nothing.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use docket_domain::form_field::{self, FieldDef};
use docket_domain::input::{Patch, Reader};
use docket_domain::task::{TaskType, add_default_deadline};
use docket_domain::task_rules;
use docket_domain::{Actor, ValidationErrors};
use docket_store::model::{CreateTasks, Created, NewTaskSpec, OwnerSet, RunTarget, TagTarget};
use serde_json::{Map, Value, json};

use crate::error::{Error, Result};
use crate::http::extract::{Body, Ctx, Query};
use crate::http::runs::json::RunJson;
use crate::http::tasks::json;
use crate::service::refusals::{self, TaskWrite};
use crate::service::{owners, tags, tasks as service};

/// Reads the optional `webhook`: an absolute http(s) URL, `""`/`null` for none.
pub fn read_webhook(r: &mut Reader<'_, '_>) -> Patch<String> {
    match r.string(&["webhook"]) {
        Patch::Set(url) => {
            let t = url.trim();
            let valid = (t.starts_with("http://") || t.starts_with("https://"))
                && t.split("://")
                    .nth(1)
                    .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
                && !t.chars().any(char::is_whitespace);
            if valid {
                Patch::Set(t.to_string())
            } else {
                r.fail("webhook", "The webhook must be a valid URL.");
                Patch::Absent
            }
        }
        other => other,
    }
}

/// Reads `task_type` (T1 rules).
pub fn read_task_type(r: &mut Reader<'_, '_>) -> Patch<TaskType> {
    match r.string(&["task_type"]) {
        Patch::Set(s) => match TaskType::parse(&s) {
            Some(t) => Patch::Set(t),
            None => {
                r.fail("task_type", "The selected task type is invalid.");
                Patch::Absent
            }
        },
        other => other.map(|_| TaskType::Task),
    }
}

/// Reads `max_assignable` (an integer ≥ 0).
pub fn read_max_assignable(r: &mut Reader<'_, '_>) -> Patch<i64> {
    match r.int(&["max_assignable"]) {
        Patch::Set(n) if n < 0 => {
            r.fail("max_assignable", "The max assignable must be at least 0.");
            Patch::Absent
        }
        other => other,
    }
}

/// Creates a task, a run with one task per assignee, or a task in a run.
///
/// Without `run_id` and `separate_task_for_each_assignee`: one standalone task. With
/// `separate_task_for_each_assignee: true`: a new run with one task per assignee, answered with
/// the first task and the run as a bare object under `run`. With `run_id`: the task (or one per
/// assignee) joins that run, at `position` or last.
#[utoipa::path(
    post,
    path = "/organizations/{org}/tasks",
    operation_id = "create_task",
    tag = "tasks",
    params(("org" = String, Path, description = "Organization id"), crate::http::openapi::params::WithParams),
    request_body(content = crate::http::openapi::bodies::CreateTask, content_type = "application/json"),
    responses((status = 201, description = "The task; `run` is a bare Run when the task belongs to one", body = crate::http::openapi::Item<crate::http::tasks::json::TaskJson>))
)]
pub async fn create(ctx: Ctx, Body(body): Body) -> Result<Response> {
    let me = ctx.member()?;
    let org = ctx.state.store.organization(&me.org_id).await?.ok_or(Error::NotFound)?;
    let mut errors = ValidationErrors::new();
    let mut r = Reader::new(&body, &mut errors);

    let title = r.required_text(&["title", "name"], 600);
    let summary = r.string(&["summary", "description"]).set();
    // On create, `""` is refused like any value outside the five types (absent or `null`: `task`).
    let task_type = if matches!(r.value(&["task_type"]), Some(Value::String(s)) if s.is_empty()) {
        r.fail("task_type", "The selected task type is invalid.");
        TaskType::Task
    } else {
        read_task_type(&mut r).set().unwrap_or(TaskType::Task)
    };
    let owners_value = r.value(&["owners"]).cloned();
    let deadline = r.datetime(&["deadline"]).set();
    let started_at = r.datetime(&["started_at"]).set();
    let separate = r.bool(&["separate_task_for_each_assignee"]).set().unwrap_or(false);
    let run_id = r.string(&["run_id"]).set();
    let position = match r.int(&["position"]) {
        Patch::Set(p) if p < 1 => {
            r.fail("position", "The position must be at least 1.");
            None
        }
        p => p.set(),
    };
    let everyone_must_complete = r.bool(&["everyone_must_complete"]).set().unwrap_or(false);
    let is_soft_start_date = r.bool(&["is_soft_start_date"]).set().unwrap_or(false);
    let can_complete_only_assignees = r.bool(&["can_complete_only_assignees"]).set().unwrap_or(false);
    let prevent_guest_comment = r.bool(&["prevent_guest_comment"]).set().unwrap_or(false);
    let top_secret = r.bool(&["top_secret"]).set().unwrap_or(false);
    let max_assignable = read_max_assignable(&mut r).set().unwrap_or(0);
    let webhook = read_webhook(&mut r).set();
    let tags_raw = r.array(&["tags"]).set().cloned().unwrap_or_default();
    let form_fields_raw = r.array(&["form_fields"]).set().cloned().unwrap_or_default();

    let form_fields: Vec<FieldDef> = form_field::parse_definitions(&form_fields_raw, &mut errors);
    let owners = match owners_value {
        None | Some(Value::Null) => owners::Owners::default(),
        Some(v) => owners::resolve(&ctx.state, &me.org_id, &v, "owners", &mut errors).await?,
    };
    let tag_targets: Vec<TagTarget> = tags::resolve(&ctx.state, &me.org_id, &tags_raw, &mut errors).await?;

    let target = match &run_id {
        Some(id) => {
            let run = ctx.state.store.run(&me.org_id, id.trim(), ctx.now).await?;
            match run {
                None => errors.add("run_id", "The selected run id is invalid."),
                Some(r) if r.row.archived_at.is_some() => errors.add("run_id", "The selected process is archived."),
                Some(r) if r.row.can_add_oot == Some(false) => {
                    errors.add("run_id", "This process does not accept one-off tasks.")
                }
                Some(_) => {}
            }
            RunTarget::Existing {
                run_id: id.trim().to_string(),
                position,
            }
        }
        None if separate => RunTarget::NewRun,
        None => RunTarget::Standalone,
    };
    let owner_sets: Vec<OwnerSet> = if separate {
        let people = owners.per_person();
        if people.is_empty() && !errors.has("owners") && !errors.entries().iter().any(|(k, _)| k.starts_with("owners."))
        {
            errors.add(
                "owners",
                "At least one assignee is required to create a separate task for each assignee.",
            );
        }
        people
    } else {
        if let Err(refusal) = task_rules::check_max_assignable(max_assignable, owners.direct_count()) {
            refusals::add_to(&mut errors, TaskWrite::Update, refusal);
        }
        vec![owners.set.clone()]
    };
    let Some(title) = title else {
        return Err(Error::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }

    let now = ctx.now;
    let c = CreateTasks {
        org_id: me.org_id.clone(),
        starter_id: me.user_id,
        spec: NewTaskSpec {
            title,
            summary,
            task_type,
            started_at: started_at.unwrap_or(now),
            deadline: deadline
                .unwrap_or_else(|| add_default_deadline(now, &org.default_deadline_type, org.default_deadline_value)),
            everyone_must_complete,
            can_complete_only_assignees,
            max_assignable,
            webhook,
            prevent_guest_comment,
            top_secret,
            is_soft_start_date,
        },
        owners: owner_sets,
        form_fields,
        tags: tag_targets,
        target,
        now,
    };
    let created = service::create(&ctx.state, &c).await?;
    created_response(&ctx, &me, created).await
}

/// 201 with the first created task in item form (as written, or read back when the create could
/// not tell all of it) and, for run tasks, the bare run.
async fn created_response(ctx: &Ctx, me: &Actor, created: Created) -> Result<Response> {
    let run_id = created.run_id.as_deref();
    let tasks = match created.first {
        Some(task) => vec![task],
        None => ctx.state.store.tasks_by_ids(&me.org_id, &created.task_ids[..1]).await?,
    };
    let (id, version) = tasks
        .first()
        .map(|t| (t.row.id.clone(), t.row.version))
        .ok_or(Error::NotFound)?;
    let mut rendered = json::render(ctx, me, &tasks, &Query::default(), true).await?;
    let mut data =
        serde_json::to_value(rendered.pop().ok_or(Error::NotFound)?).map_err(|e| Error::Internal(e.to_string()))?;
    if let Some(run_id) = run_id {
        let run = ctx
            .state
            .store
            .run(&me.org_id, run_id, ctx.now)
            .await?
            .ok_or(Error::NotFound)?;
        if let Value::Object(m) = &mut data {
            m.insert(
                "run".into(),
                serde_json::to_value(RunJson::new(&run, ctx.now)).unwrap_or(Value::Null),
            );
        }
    }
    let mut body = Map::new();
    body.insert("data".into(), data);
    let response = (StatusCode::CREATED, axum::Json(json!(body))).into_response();
    Ok(crate::http::etag::with_etag(response, &id, version))
}
