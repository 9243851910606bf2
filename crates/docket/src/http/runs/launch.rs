//! R8 `POST /organizations/{org}/runs`: launch a run from a template. Checks in order: the
//! template (422) → a light member's launch rights (403) → every other field at once (422) →
//! the launch, written in one transaction.

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use docket_domain::form_field;
use docket_domain::launch::{
    self as rules, Assignees, KickoffField, LaunchBody, StepPlanInput, TaskOverride, TaskPlan,
};
use docket_domain::schedule::{StartOffset, StepDeadline};
use docket_domain::task::{TaskType, add_default_deadline};
use docket_domain::{Actor, Role, ValidationErrors, input};
use docket_store::model::{LaunchRefusal, LaunchRun, LaunchStep, LaunchTask, Organization, TemplateSnapshot};
use serde_json::{Map, Value, json};

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Body, Ctx, Query};
use crate::http::runs::kickoff;
use crate::service::{members, owners, tags};

/// The 403 of a light member the template does not grant launch rights.
const NO_LAUNCH_RIGHTS: &str = "You don't have permission to launch this template.";

/// Launches a run from a template: one task per step, kick-off values, per-step overrides.
#[utoipa::path(
    post,
    path = "/organizations/{org}/runs",
    operation_id = "launch_run",
    tag = "runs",
    params(("org" = String, Path, description = "Organization id"), crate::http::openapi::params::WithParams),
    request_body(content = crate::http::openapi::bodies::LaunchRun, content_type = "application/json"),
    responses((status = 201, description = "The launched run", body = crate::http::openapi::Item<crate::http::runs::json::RunJson>))
)]
pub(super) async fn launch(ctx: Ctx, query: Query, Body(body): Body) -> Result<Response> {
    let me = ctx.member()?;
    let snap = template(&ctx, &me, &body).await?;
    if me.role == Role::Light {
        let users: Vec<i64> = serde_json::from_str(&snap.checklist.user_ids).unwrap_or_default();
        let groups: Vec<String> = serde_json::from_str(&snap.checklist.group_ids).unwrap_or_default();
        let mine: Vec<String> = if groups.is_empty() {
            Vec::new()
        } else {
            let of_me = ctx.state.store.groups_of_members(&me.org_id, &[me.user_id]).await?;
            of_me.into_iter().map(|g| g.id).collect()
        };
        if !rules::may_launch(me.role, me.user_id, &users, &groups, &mine) {
            return Err(Error::Forbidden(NO_LAUNCH_RIGHTS.into()));
        }
    }
    let org = ctx.state.store.organization(&me.org_id).await?.ok_or(Error::NotFound)?;
    let launch = read(&ctx, &me, &org, &snap, &body).await?;
    let run = match ctx.state.store.launch_run(launch).await? {
        Ok(run) => run,
        Err(LaunchRefusal::TemplateGone) => return Err(Error::invalid("checklist_id", ARCHIVED)),
        Err(LaunchRefusal::UnknownFile(key)) => {
            return Err(Error::invalid(key, docket_domain::file_value::INVALID_FILE));
        }
    };
    let mut items = super::render(&ctx, &me, std::slice::from_ref(&run), &query).await?;
    Ok(crate::http::etag::with_etag(
        envelope::item(StatusCode::CREATED, items.pop()),
        &run.row.id,
        run.row.version,
    ))
}

const ARCHIVED: &str = "The selected checklist is archived.";

/// The template named by `checklist_id`: a template of the organization that is not archived.
async fn template(ctx: &Ctx, me: &Actor, body: &Map<String, Value>) -> Result<Arc<TemplateSnapshot>> {
    let invalid = || Error::invalid("checklist_id", "The selected checklist id is invalid.");
    let id = match input::Fields::new(body).get("checklist_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(s.trim().to_string()),
        Some(_) => return Err(invalid()),
    };
    let Some(id) = id else {
        return Err(Error::invalid("checklist_id", "The checklist id field is required."));
    };
    let snap = ctx
        .state
        .store
        .template_snapshot(&me.org_id, &id)
        .await?
        .ok_or_else(invalid)?;
    if snap.checklist.archived_at.is_some() {
        return Err(Error::invalid("checklist_id", ARCHIVED));
    }
    Ok(snap)
}

/// The template's kick-off fields as value checks read them.
fn kickoff_fields(snap: &TemplateSnapshot) -> Vec<KickoffField> {
    snap.kickoff
        .iter()
        .map(|f| KickoffField {
            id: f.id.clone(),
            def: form_field::stored_def(&f.label, &f.field_type, f.required, &f.options, &f.field_columns),
        })
        .collect()
}

/// The ids of a list field that name existing rows (`known`); a 422 per other entry.
fn known_ids(key: &str, entries: &[Value], known: &[String], errors: &mut ValidationErrors) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, v) in entries.iter().enumerate() {
        let id = match v {
            Value::Object(o) => input::Fields::new(o).get("id").and_then(Value::as_str),
            other => other.as_str(),
        };
        match id.map(str::trim).filter(|id| known.iter().any(|k| k == id)) {
            Some(id) if !out.iter().any(|x| x == id) => out.push(id.to_string()),
            Some(_) => {}
            None => errors.add(format!("{key}.{i}"), format!("The selected {key}.{i} is invalid.")),
        }
    }
    out
}

/// The string ids among `entries` (or their `id`), to look up in one query.
fn candidate_ids(entries: &[Value]) -> Vec<String> {
    entries
        .iter()
        .filter_map(|v| match v {
            Value::Object(o) => input::Fields::new(o).get("id").and_then(Value::as_str),
            other => other.as_str(),
        })
        .map(|s| s.trim().to_string())
        .collect()
}

/// The steps as the plan reads them; assignees that are no longer members or groups of the
/// organization are left out.
async fn step_inputs(ctx: &Ctx, org: &str, steps: &[LaunchStep]) -> Result<Vec<StepPlanInput>> {
    let parsed: Vec<(Vec<i64>, Vec<String>, Vec<String>)> = steps
        .iter()
        .map(|s| {
            (
                serde_json::from_str(&s.assignees).unwrap_or_default(),
                serde_json::from_str(&s.guests).unwrap_or_default(),
                serde_json::from_str(&s.groups).unwrap_or_default(),
            )
        })
        .collect();
    let mut users: Vec<i64> = parsed.iter().flat_map(|p| p.0.iter().copied()).collect();
    users.sort_unstable();
    users.dedup();
    let members: Vec<i64> = if users.is_empty() {
        Vec::new()
    } else {
        let found = ctx.state.store.members_by_ids(org, &users).await?;
        found.into_iter().map(|m| m.id).collect()
    };
    let mut groups: Vec<String> = parsed.iter().flat_map(|p| p.2.iter().cloned()).collect();
    groups.sort();
    groups.dedup();
    let groups = ctx.state.store.existing_group_ids(org, &groups).await?;
    Ok(steps
        .iter()
        .zip(parsed)
        .map(|(s, (u, g, gr))| StepPlanInput {
            id: s.id.clone(),
            deadline: s
                .deadline
                .as_deref()
                .and_then(parse_json)
                .and_then(|v| StepDeadline::from_json(&v)),
            start_date: s
                .start_date
                .as_deref()
                .and_then(parse_json)
                .and_then(|v| StartOffset::from_json(&v)),
            is_soft_start_date: s.is_soft_start_date,
            assign_run_starter: s.assign_run_starter,
            max_assignable: s.max_assignable,
            owners: Assignees {
                users: u.into_iter().filter(|id| members.contains(id)).collect(),
                guests: g,
                groups: gr.into_iter().filter(|id| groups.contains(id)).collect(),
            },
        })
        .collect())
}

fn parse_json(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

/// Reads and checks the body against the template and builds the launch (422 with every
/// problem at once).
async fn read(
    ctx: &Ctx,
    me: &Actor,
    org: &Organization,
    snap: &TemplateSnapshot,
    body: &Map<String, Value>,
) -> Result<LaunchRun> {
    let state = &ctx.state;
    let org_id = me.org_id.as_str();
    let mut errors = ValidationErrors::new();
    let kickoff = kickoff_fields(snap);
    let step_ids: Vec<&str> = snap.steps.iter().map(|s| s.id.as_str()).collect();
    let mut b: LaunchBody = rules::read_body(body, &kickoff, &step_ids, &mut errors);
    let file_values = kickoff::resolve_files(ctx, me, &kickoff, &mut b.prerun, &mut errors).await?;

    let owner_id = match b.owner_id {
        Some(id) if state.store.member(org_id, id).await?.is_some() => id,
        Some(_) => {
            errors.add("owner_id", "The selected owner id is invalid.");
            me.user_id
        }
        None => me.user_id,
    };
    let users = if b.users.is_empty() {
        Vec::new()
    } else {
        members::resolve_ids(state, org_id, "users", &b.users, &mut errors).await?
    };
    let known = state
        .store
        .existing_group_ids(org_id, &candidate_ids(&b.groups))
        .await?;
    let groups = known_ids("groups", &b.groups, &known, &mut errors);
    let known = state
        .store
        .existing_folder_ids(org_id, &candidate_ids(&b.folders))
        .await?;
    let folders = known_ids("folders", &b.folders, &known, &mut errors);
    if let Some(parent) = &b.parent_id
        && state
            .store
            .existing_run_ids(org_id, std::slice::from_ref(parent))
            .await?
            .is_empty()
    {
        errors.add("parent_id", "The selected parent id is invalid.");
    }
    let run_tags = tags::resolve(state, org_id, &b.tags, &mut errors).await?;

    let mut overrides: HashMap<String, TaskOverride> = HashMap::new();
    for (step, raw) in &b.tasks {
        let owners = match &raw.owners {
            Some(v) => {
                let prefix = format!("tasks.{step}.owners");
                let resolved = owners::resolve(state, org_id, v, &prefix, &mut errors).await?;
                Some(Assignees {
                    users: resolved.set.users,
                    guests: resolved.set.guests,
                    groups: resolved.set.groups,
                })
            }
            None => None,
        };
        overrides.insert(
            step.clone(),
            TaskOverride {
                owners,
                deadline: raw.deadline,
                started_at: raw.started_at,
                max_assignable: raw.max_assignable,
            },
        );
    }
    let inputs = step_inputs(ctx, org_id, &snap.steps).await?;
    let start = b.started_at.unwrap_or(ctx.now);
    let fallback = |s| add_default_deadline(s, &org.default_deadline_type, org.default_deadline_value);
    let plans = rules::plan(&inputs, &overrides, start, me.user_id, fallback, &mut errors);
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }

    let mut step_tag_ids: Vec<String> = snap
        .steps
        .iter()
        .flat_map(|s| serde_json::from_str::<Vec<String>>(&s.tags).unwrap_or_default())
        .collect();
    step_tag_ids.sort();
    step_tag_ids.dedup();
    let live_tags = state.store.existing_tag_ids(org_id, &step_tag_ids).await?;
    let tasks = snap
        .steps
        .iter()
        .zip(plans)
        .map(|(s, plan)| task(snap, s, plan, &live_tags))
        .collect();
    let c = &snap.checklist;
    Ok(LaunchRun {
        org_id: org_id.to_string(),
        checklist_id: c.id.clone(),
        checklist_title: c.title.clone(),
        run_type: c.template_type.clone(),
        name: b.name.unwrap_or_else(|| rules::default_name(&c.title, ctx.now)),
        summary: b.summary,
        owner_id,
        started_by: me.user_id,
        started_at: start,
        now: ctx.now,
        users,
        groups,
        parent_id: b.parent_id,
        is_public: b.is_public,
        starred: b.starred,
        prerun: Value::Object(b.prerun).to_string(),
        file_values,
        kickoff_fields: kickoff::snapshot(&snap.kickoff),
        rules: rules_snapshot(snap),
        template_webhook: c.webhook.clone(),
        can_add_oot: c.can_add_oot,
        launch_extra: json!({
            "assign_someone_else": b.assign_someone_else,
            "publicly_hidden_fields": b.publicly_hidden_fields,
        })
        .to_string(),
        tags: run_tags,
        folders,
        tasks,
    })
}

/// The task of step `s` as planned.
fn task(snap: &TemplateSnapshot, s: &LaunchStep, plan: TaskPlan, live_tags: &[String]) -> LaunchTask {
    let tags: Vec<String> = serde_json::from_str::<Vec<String>>(&s.tags)
        .unwrap_or_default()
        .into_iter()
        .filter(|t| live_tags.contains(t))
        .collect();
    LaunchTask {
        step_id: s.id.clone(),
        blueprint_position: s.position,
        title: s.title.clone(),
        summary: s.summary.clone(),
        alias: s.alias.clone(),
        task_type: TaskType::parse(&s.step_type).unwrap_or(TaskType::Task),
        started_at: plan.started_at,
        deadline: plan.deadline,
        everyone_must_complete: s.everyone_must_complete,
        can_complete_only_assignees: s.can_complete_only_assignees,
        max_assignable: plan.max_assignable,
        webhook: s.webhook.clone(),
        prevent_guest_comment: s.prevent_guest_comment,
        top_secret: s.top_secret,
        is_soft_start_date: s.is_soft_start_date,
        allow_guest_owners: s.allow_guest_owners,
        owners: plan.owners,
        tags,
        captures: snap
            .captures
            .iter()
            .filter(|f| f.step_id.as_deref() == Some(s.id.as_str()))
            .cloned()
            .collect(),
    }
}

/// The template's rules in their emitted form, as the run keeps them.
fn rules_snapshot(snap: &TemplateSnapshot) -> String {
    let rules: Vec<Value> = snap
        .rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "automated_alias": r.automated_alias,
                "conditions": parse_json(&r.conditions).unwrap_or_else(|| json!([])),
                "then_actions": parse_json(&r.then_actions).unwrap_or_else(|| json!([])),
                "created_at": docket_domain::time::format_ts(r.created_at),
                "last_updated": docket_domain::time::format_ts(r.last_updated),
                "archived_at": null,
            })
        })
        .collect();
    Value::Array(rules).to_string()
}
