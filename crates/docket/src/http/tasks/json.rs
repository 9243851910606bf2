//! The Task JSON shape (spec §2.1–2.4), the Capture shape (§2.5), and task includes.

use std::collections::HashMap;

use docket_domain::time::{format_opt, format_ts};
use docket_domain::{Actor, task};
use docket_store::model::{CaptureRow, StepWithCaptures, TaskRecord};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::Result;
use crate::http::comments;
use crate::http::envelope::{include_many, include_one};
use crate::http::extract::{Ctx, Query};
use crate::http::guests::guest_link;
use crate::http::runs::json::{RunJson, checklist_include};
use crate::http::steps::json::StepJson;
use crate::http::tag_links::TagLinkJson;

/// A task's assignees: member ids, guest emails, group ids, and a link per guest.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Owners)]
pub struct OwnersJson {
    users: Vec<i64>,
    guests: Vec<String>,
    groups: Vec<String>,
    #[serde(rename = "taskUrls")]
    task_urls: Vec<String>,
}

/// The Task shape. `summary` is present on item responses and with `with=summary`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Task)]
pub struct TaskJson {
    id: String,
    increment_id: i64,
    title: String,
    original_title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<Option<String>>,
    alias: Option<String>,
    run_id: Option<String>,
    checklist_id: Option<String>,
    step_id: Option<String>,
    linked_step_id: Option<String>,
    stage_id: Option<String>,
    position: i64,
    blueprint_position: Option<i64>,
    status: String,
    status_label: &'static str,
    task_type: String,
    is_oneoff_task: bool,
    is_completable: bool,
    is_approved: Option<bool>,
    owners: OwnersJson,
    taskdata: Map<String, Value>,
    started_at: String,
    deadline: String,
    created_at: String,
    last_updated: String,
    completed_at: Option<String>,
    archived_at: Option<String>,
    starter_id: Option<i64>,
    completer_id: Option<i64>,
    completer_guest: Option<String>,
    everyone_must_complete: bool,
    completion_progress: Option<f64>,
    can_complete_only_assignees: bool,
    max_assignable: i64,
    has_deadline_dependent_child_tasks: bool,
    allow_guest_owners: bool,
    webhook: Option<String>,
    prevent_guest_comment: bool,
    top_secret: bool,
    problem: bool,
    is_soft_start_date: bool,
    send_chromeless: Option<bool>,
    run_status: Option<String>,
    #[serde(flatten)]
    pub includes: Map<String, Value>,
}

/// A stored JSON value (text) as a value; `NULL` as `null`.
pub fn stored_json(text: Option<&str>) -> Value {
    text.and_then(|t| serde_json::from_str(t).ok()).unwrap_or(Value::Null)
}

/// The `taskdata` of a task: every capture id, `null` when unanswered.
pub fn taskdata(captures: &[CaptureRow]) -> Map<String, Value> {
    captures
        .iter()
        .map(|c| (c.id.clone(), stored_json(c.value.as_deref())))
        .collect()
}

/// `completion_progress` for everyone-must-complete tasks: recorded members and guests of the current
/// assignee set over the set's size (members and guests), as a percentage.
pub fn completion_progress(t: &TaskRecord) -> Option<f64> {
    if !t.row.everyone_must_complete {
        return None;
    }
    let users = t.assignee_users();
    let guests = t.assignee_guests();
    let size = users.len() + guests.len();
    let done = users.iter().filter(|u| t.completions.contains(u)).count()
        + guests.iter().filter(|g| t.guest_completions.contains(&g.id)).count();
    Some(task::percent(done as i64, size as i64))
}

impl TaskJson {
    /// The shape of `t` as `actor` sees it; `item` adds `summary`.
    pub fn new(t: &TaskRecord, actor: &Actor, base: &str, item: bool) -> Self {
        let r = &t.row;
        TaskJson {
            id: r.id.clone(),
            increment_id: r.increment_id,
            title: r.title.clone(),
            original_title: r.original_title.clone(),
            summary: item.then(|| r.summary.clone()),
            alias: r.alias.clone(),
            run_id: r.run_id.clone(),
            checklist_id: r.checklist_id.clone(),
            step_id: r.step_id.clone(),
            linked_step_id: None,
            stage_id: None,
            position: r.position,
            blueprint_position: r.blueprint_position,
            status: r.status.as_str().to_string(),
            status_label: r.status.label(r.task_type, r.is_approved),
            task_type: r.task_type.as_str().to_string(),
            is_oneoff_task: r.step_id.is_none(),
            is_completable: t.facts().is_completable(actor.caller()),
            is_approved: r.is_approved,
            owners: OwnersJson {
                users: t.users.clone(),
                guests: t.guests.iter().map(|g| g.email.clone()).collect(),
                groups: t.groups.clone(),
                task_urls: t
                    .guests
                    .iter()
                    .map(|g| format!("{}/tasks/{}", guest_link(base, &g.guest_code), r.id))
                    .collect(),
            },
            taskdata: taskdata(&t.captures),
            started_at: format_ts(r.started_at),
            deadline: format_ts(r.deadline),
            created_at: format_ts(r.created_at),
            last_updated: format_ts(r.last_updated),
            completed_at: format_opt(r.completed_at),
            archived_at: format_opt(r.archived_at),
            starter_id: r.starter_id,
            completer_id: r.completer_id,
            completer_guest: r.completer_guest.clone(),
            everyone_must_complete: r.everyone_must_complete,
            completion_progress: completion_progress(t),
            can_complete_only_assignees: r.can_complete_only_assignees,
            max_assignable: r.max_assignable,
            has_deadline_dependent_child_tasks: false,
            allow_guest_owners: r.step_id.is_some() && r.allow_guest_owners,
            webhook: r.webhook.clone(),
            prevent_guest_comment: r.prevent_guest_comment,
            top_secret: r.top_secret,
            problem: r.problem,
            is_soft_start_date: r.is_soft_start_date,
            send_chromeless: None,
            run_status: r.run_status.clone(),
            includes: Map::new(),
        }
    }

    /// The task's id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// The Capture shape (form field definition with its answer).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Capture)]
pub struct CaptureJson {
    id: String,
    task_id: String,
    step_id: Option<String>,
    alias: String,
    label: String,
    field_type: String,
    guidance: Option<String>,
    position: i64,
    required: bool,
    options: Value,
    columns: Value,
    default_value_enabled: bool,
    default_value: Value,
    value: Value,
    field_value: Value,
    created_at: String,
    last_updated: String,
}

impl CaptureJson {
    /// The shape of a stored capture of a task without a step.
    pub fn new(c: &CaptureRow) -> Self {
        Self::of_step(c, None)
    }

    /// The shape of a stored capture of a task launched from `step_id`.
    pub fn of_step(c: &CaptureRow, step_id: Option<&str>) -> Self {
        let value = stored_json(c.value.as_deref());
        CaptureJson {
            id: c.id.clone(),
            task_id: c.task_id.clone(),
            step_id: step_id.map(str::to_string),
            alias: c.alias.clone(),
            label: c.label.clone(),
            field_type: c.field_type.clone(),
            guidance: c.guidance.clone(),
            position: c.position,
            required: c.required,
            options: stored_json(Some(&c.options)),
            columns: stored_json(Some(&c.field_columns)),
            default_value_enabled: c.default_value_enabled,
            default_value: stored_json(c.default_value.as_deref()),
            field_value: value.clone(),
            value,
            created_at: format_ts(c.created_at),
            last_updated: format_ts(c.last_updated),
        }
    }
}

/// Includes that are accepted and always empty on tasks.
const EMPTY_TASK_INCLUDES: &[&str] = &[
    "activities",
    "roles",
    "member_watchers",
    "guest_watchers",
    "selected_text_comment",
];

/// The current steps of the templates that `tasks` were launched from (the `step` include).
async fn steps_of(ctx: &Ctx, org: &str, tasks: &[TaskRecord]) -> Result<Vec<StepWithCaptures>> {
    let mut templates: Vec<&str> = tasks
        .iter()
        .filter(|t| t.row.step_id.is_some())
        .filter_map(|t| t.row.checklist_id.as_deref())
        .collect();
    templates.sort_unstable();
    templates.dedup();
    let mut out = Vec::new();
    for id in templates {
        out.extend(ctx.state.store.template_steps(org, id).await?);
    }
    Ok(out)
}

/// Renders tasks as `actor` sees them, with the includes `query` asks for. `item` is the
/// single-task form (always with `summary`).
pub async fn render(
    ctx: &Ctx,
    actor: &Actor,
    tasks: &[TaskRecord],
    query: &Query,
    item: bool,
) -> Result<Vec<TaskJson>> {
    let with_summary = item || query.with("summary");
    let mut out: Vec<TaskJson> = tasks
        .iter()
        .map(|t| TaskJson::new(t, actor, &ctx.base, with_summary))
        .collect();
    let ids: Vec<String> = tasks.iter().map(|t| t.row.id.clone()).collect();

    let with_run = query.with("run") || query.with("run.checklist");
    if with_run {
        let mut run_ids: Vec<String> = tasks.iter().filter_map(|t| t.row.run_id.clone()).collect();
        run_ids.sort();
        run_ids.dedup();
        let records = ctx.state.store.runs_by_ids(&actor.org_id, &run_ids, ctx.now).await?;
        let mut rendered: HashMap<String, RunJson> = records
            .iter()
            .map(|r| (r.row.id.clone(), RunJson::new(r, ctx.now)))
            .collect();
        if query.with("run.checklist") {
            let launched: Vec<String> = records
                .iter()
                .filter(|x| x.row.is_launched())
                .map(|x| x.row.checklist_id.clone())
                .collect();
            let templates = crate::http::runs::json::templates_json(ctx, &actor.org_id, &launched).await?;
            for r in rendered.values_mut() {
                let Some(record) = records.iter().find(|x| x.row.id == r.id()) else {
                    continue;
                };
                let checklist = if record.row.is_launched() {
                    let found = templates.iter().find(|(id, _)| *id == record.row.checklist_id);
                    include_one(found.map(|(_, t)| t.clone()))
                } else {
                    checklist_include(&record.row.checklist_id)
                };
                r.includes.insert("checklist".into(), checklist);
            }
        }
        for (t, json) in tasks.iter().zip(out.iter_mut()) {
            let run = t.row.run_id.as_ref().and_then(|id| rendered.get(id)).cloned();
            json.includes.insert("run".into(), include_one(run));
        }
    }
    if query.with("ko-form-fields") || query.with("ko_form_fields") {
        let mut run_ids: Vec<String> = tasks.iter().filter_map(|t| t.row.run_id.clone()).collect();
        run_ids.sort();
        run_ids.dedup();
        let runs = ctx.state.store.runs_by_ids(&actor.org_id, &run_ids, ctx.now).await?;
        for (t, json) in tasks.iter().zip(out.iter_mut()) {
            let fields = runs
                .iter()
                .find(|r| Some(&r.row.id) == t.row.run_id.as_ref() && r.row.is_launched())
                .map(|r| crate::http::runs::kickoff::with_values(&r.row))
                .unwrap_or_default();
            json.includes.insert("ko-form-fields".into(), include_many(fields));
        }
    }
    let threads = if ["threads", "comments", "issues", "threads_count"]
        .iter()
        .any(|w| query.with(w))
    {
        comments::of_tasks(ctx, &actor.org_id, &ids).await?
    } else {
        HashMap::new()
    };
    let tags = if query.with("tags") {
        ctx.state.store.tag_links_of(&actor.org_id, "Task", &ids).await?
    } else {
        Vec::new()
    };
    let mut folders = if query.with("folders") {
        crate::http::folders::filed(ctx, &actor.org_id, "Task", &ids).await?
    } else {
        HashMap::new()
    };
    let steps = if query.with("step") {
        steps_of(ctx, &actor.org_id, tasks).await?
    } else {
        Vec::new()
    };
    let mut assets = if query.with("assets") {
        crate::http::file_values::include_of(ctx, &actor.org_id, "Task", &ids).await?
    } else {
        HashMap::new()
    };
    for (t, json) in tasks.iter().zip(out.iter_mut()) {
        if query.with("assets") {
            let mine = assets.remove(&t.row.id).unwrap_or_default();
            json.includes.insert("assets".into(), include_many(mine));
        }
        if query.with("folders") {
            let mine = folders.remove(&t.row.id).unwrap_or_default();
            json.includes.insert("folders".into(), include_many(mine));
        }
        let mine = threads.get(&t.row.id).map(Vec::as_slice).unwrap_or(&[]);
        if query.with("threads") || query.with("comments") {
            let all: Vec<_> = mine.iter().map(|(_, c)| c.clone()).collect();
            json.includes.insert(
                if query.with("threads") { "threads" } else { "comments" }.into(),
                include_many(all),
            );
        }
        if query.with("issues") {
            let open: Vec<_> = mine
                .iter()
                .filter(|(row, _)| row.label == "problem" && row.resolve_id.is_none())
                .map(|(_, c)| c.clone())
                .collect();
            json.includes.insert("issues".into(), include_many(open));
        }
        if query.with("threads_count") {
            json.includes.insert("threads_count".into(), Value::from(mine.len()));
        }
        if query.with("step") {
            let step = t
                .row
                .step_id
                .as_deref()
                .and_then(|id| steps.iter().find(|s| s.step.id == id));
            json.includes
                .insert("step".into(), include_one(step.map(StepJson::new)));
        }
        if query.with("form_fields") {
            let step = t.row.step_id.as_deref();
            json.includes.insert(
                "form_fields".into(),
                include_many(t.captures.iter().map(|c| CaptureJson::of_step(c, step)).collect()),
            );
        }
        if query.with("tags") {
            let links: Vec<TagLinkJson> = tags
                .iter()
                .filter(|l| l.subject_id == t.row.id)
                .map(TagLinkJson::new)
                .collect();
            json.includes.insert("tags".into(), include_many(links));
        }
        for name in EMPTY_TASK_INCLUDES {
            if query.with(name) {
                json.includes.insert((*name).into(), include_many(Vec::<Value>::new()));
            }
        }
    }
    Ok(out)
}
