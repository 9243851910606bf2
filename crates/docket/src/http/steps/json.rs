//! The Step JSON shape: every key of a template step, its deadline and start date as objects
//! (or `null`), and its captures as a bare array by position. Templates render `with=steps`
//! with [`render`].

use docket_domain::time::format_ts;
use docket_store::model::StepWithCaptures;
use serde::Serialize;
use serde_json::{Value, json};

use crate::http::template_fields::TemplateFieldJson;

/// A step of a template.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Step)]
pub struct StepJson {
    id: String,
    timeline_id: String,
    checklist_id: String,
    title: String,
    alias: String,
    summary: Option<String>,
    step_type: String,
    position: i64,
    assignees: Vec<i64>,
    guests: Vec<String>,
    groups: Vec<String>,
    assign_run_starter: bool,
    /// `{"value", "unit", "option", "step"}` or `null`.
    #[schema(value_type = Option<Object>)]
    deadline: Value,
    /// `{"value", "unit"}` or `null`.
    #[schema(value_type = Option<Object>)]
    start_date: Value,
    is_soft_start_date: bool,
    max_assignable: i64,
    allow_guest_owners: bool,
    can_complete_only_assignees: bool,
    everyone_must_complete: bool,
    prevent_guest_comment: bool,
    top_secret: bool,
    send_chromeless: bool,
    skip_start_process: bool,
    role_changes_every_time: bool,
    webhook: Option<String>,
    tags: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    roles: Vec<Value>,
    /// `{"id", "default_name_format", "tasks_within_process"}` or `null`.
    #[schema(value_type = Option<Object>)]
    bp_to_launch: Value,
    captures: Vec<TemplateFieldJson>,
    created_at: String,
    last_updated: String,
    archived_at: Option<String>,
}

impl StepJson {
    /// The shape of a stored step with its captures.
    pub fn new(s: &StepWithCaptures) -> Self {
        let row = &s.step;
        let def = row.def();
        StepJson {
            id: row.id.clone(),
            timeline_id: row.id.clone(),
            checklist_id: row.checklist_id.clone(),
            title: def.title,
            alias: row.alias.clone(),
            summary: def.summary,
            step_type: def.step_type,
            position: row.position,
            assignees: def.assignees,
            guests: def.guests,
            groups: def.groups,
            assign_run_starter: def.assign_run_starter,
            deadline: def.deadline.map_or(
                Value::Null,
                |d| json!({"value": d.value, "unit": d.unit, "option": d.option, "step": d.step}),
            ),
            start_date: def
                .start_date
                .map_or(Value::Null, |d| json!({"value": d.value, "unit": d.unit})),
            is_soft_start_date: def.is_soft_start_date,
            max_assignable: def.max_assignable,
            allow_guest_owners: def.allow_guest_owners,
            can_complete_only_assignees: def.can_complete_only_assignees,
            everyone_must_complete: def.everyone_must_complete,
            prevent_guest_comment: def.prevent_guest_comment,
            top_secret: def.top_secret,
            send_chromeless: def.send_chromeless,
            skip_start_process: def.skip_start_process,
            role_changes_every_time: def.role_changes_every_time,
            webhook: def.webhook,
            tags: def.tags,
            roles: Vec::new(),
            bp_to_launch: def.bp_to_launch.unwrap_or(Value::Null),
            captures: s.captures.iter().map(TemplateFieldJson::new).collect(),
            created_at: format_ts(row.created_at),
            last_updated: format_ts(row.last_updated),
            archived_at: None,
        }
    }
}

/// The shapes of steps, in the given order (what a template's `with=steps` emits, bare).
pub fn render(steps: &[StepWithCaptures]) -> Vec<StepJson> {
    steps.iter().map(StepJson::new).collect()
}
