//! Steps of templates as stored, and the inputs and refusals of step and capture writes.

use docket_domain::ValidationErrors;
use docket_domain::step::{AnchorProblem, StepDeadline, StepDef, StepPatch, StepStartDate};
use docket_domain::template_field::TemplateFieldDef;
use serde_json::Value;
use sqlx::FromRow;

use super::{TagTarget, TemplateFieldRow};

/// A step row. JSON columns (`assignees`, `guests`, `groups`, `tags`, `deadline`, `start_date`,
/// `bp_to_launch`) are kept as stored text; [`StepRow::def`] parses them.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct StepRow {
    /// 32-hex id.
    pub id: String,
    /// Organization.
    pub org_id: String,
    /// Template.
    pub checklist_id: String,
    /// 1-based, contiguous within the template.
    pub position: i64,
    /// Title.
    pub title: String,
    /// Unique within the template; never changes.
    pub alias: String,
    /// Instructions.
    pub summary: Option<String>,
    /// Step type.
    pub step_type: String,
    /// JSON array of member ids.
    pub assignees: String,
    /// JSON array of guest emails.
    pub guests: String,
    /// JSON array of group ids.
    pub groups: String,
    /// Flag.
    pub assign_run_starter: bool,
    /// JSON StepDeadline or `None`.
    pub deadline: Option<String>,
    /// JSON StepStartDate or `None`.
    pub start_date: Option<String>,
    /// Flag.
    pub is_soft_start_date: bool,
    /// 0 = unlimited.
    pub max_assignable: i64,
    /// Flag.
    pub allow_guest_owners: bool,
    /// Flag.
    pub can_complete_only_assignees: bool,
    /// Flag.
    pub everyone_must_complete: bool,
    /// Flag.
    pub prevent_guest_comment: bool,
    /// Flag.
    pub top_secret: bool,
    /// Flag.
    pub send_chromeless: bool,
    /// Flag.
    pub skip_start_process: bool,
    /// Flag.
    pub role_changes_every_time: bool,
    /// URL.
    pub webhook: Option<String>,
    /// JSON array of tag ids.
    pub tags: String,
    /// JSON object or `None`.
    pub bp_to_launch: Option<String>,
    /// Creation (ms).
    pub created_at: i64,
    /// Last change (ms).
    pub last_updated: i64,
}

fn list<T: serde::de::DeserializeOwned>(s: &str) -> Vec<T> {
    serde_json::from_str(s).unwrap_or_default()
}

fn opt<T: serde::de::DeserializeOwned>(s: Option<&str>) -> Option<T> {
    s.and_then(|s| serde_json::from_str(s).ok())
}

impl StepRow {
    /// The stored definition.
    pub fn def(&self) -> StepDef {
        StepDef {
            title: self.title.clone(),
            summary: self.summary.clone(),
            step_type: self.step_type.clone(),
            assignees: list(&self.assignees),
            guests: list(&self.guests),
            groups: list(&self.groups),
            assign_run_starter: self.assign_run_starter,
            deadline: self.deadline_rule(),
            start_date: opt::<StepStartDate>(self.start_date.as_deref()),
            is_soft_start_date: self.is_soft_start_date,
            max_assignable: self.max_assignable,
            allow_guest_owners: self.allow_guest_owners,
            can_complete_only_assignees: self.can_complete_only_assignees,
            everyone_must_complete: self.everyone_must_complete,
            prevent_guest_comment: self.prevent_guest_comment,
            top_secret: self.top_secret,
            send_chromeless: self.send_chromeless,
            skip_start_process: self.skip_start_process,
            role_changes_every_time: self.role_changes_every_time,
            webhook: self.webhook.clone(),
            tags: list(&self.tags),
            bp_to_launch: opt::<Value>(self.bp_to_launch.as_deref()),
        }
    }

    /// The deadline rule, if any.
    pub fn deadline_rule(&self) -> Option<StepDeadline> {
        opt(self.deadline.as_deref())
    }

    /// The anchor of the deadline (`start_run` or a step id), if the step has a deadline.
    pub fn anchor(&self) -> Option<String> {
        self.deadline_rule().map(|d| d.step)
    }

    /// Writes `def` into the definition columns (identity, alias, position, times untouched).
    pub fn set_def(&mut self, d: &StepDef) {
        self.title = d.title.clone();
        self.summary = d.summary.clone();
        self.step_type = d.step_type.clone();
        self.assignees = text(&d.assignees);
        self.guests = text(&d.guests);
        self.groups = text(&d.groups);
        self.assign_run_starter = d.assign_run_starter;
        self.deadline = d.deadline.as_ref().map(text);
        self.start_date = d.start_date.as_ref().map(text);
        self.is_soft_start_date = d.is_soft_start_date;
        self.max_assignable = d.max_assignable;
        self.allow_guest_owners = d.allow_guest_owners;
        self.can_complete_only_assignees = d.can_complete_only_assignees;
        self.everyone_must_complete = d.everyone_must_complete;
        self.prevent_guest_comment = d.prevent_guest_comment;
        self.top_secret = d.top_secret;
        self.send_chromeless = d.send_chromeless;
        self.skip_start_process = d.skip_start_process;
        self.role_changes_every_time = d.role_changes_every_time;
        self.webhook = d.webhook.clone();
        self.tags = text(&d.tags);
        self.bp_to_launch = d.bp_to_launch.as_ref().map(text);
    }

    /// A new row for `def` (JSON columns filled from it).
    pub fn new(
        id: String,
        org_id: &str,
        checklist_id: &str,
        alias: String,
        position: i64,
        def: &StepDef,
        now: i64,
    ) -> Self {
        let mut row = StepRow {
            id,
            org_id: org_id.to_string(),
            checklist_id: checklist_id.to_string(),
            position,
            title: String::new(),
            alias,
            summary: None,
            step_type: String::new(),
            assignees: "[]".into(),
            guests: "[]".into(),
            groups: "[]".into(),
            assign_run_starter: true,
            deadline: None,
            start_date: None,
            is_soft_start_date: true,
            max_assignable: 0,
            allow_guest_owners: true,
            can_complete_only_assignees: false,
            everyone_must_complete: false,
            prevent_guest_comment: false,
            top_secret: false,
            send_chromeless: false,
            skip_start_process: false,
            role_changes_every_time: false,
            webhook: None,
            tags: "[]".into(),
            bp_to_launch: None,
            created_at: now,
            last_updated: now,
        };
        row.set_def(def);
        row
    }
}

/// A value as stored JSON text.
fn text<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// A step with its captures (by position).
#[derive(Debug, Clone, PartialEq)]
pub struct StepWithCaptures {
    /// The step.
    pub step: StepRow,
    /// Its captures.
    pub captures: Vec<TemplateFieldRow>,
}

/// A step create (ST2) or update (ST4): the scalar keys and resolved buckets as a patch, the
/// tags to find or create, and (create only) the captures to add in order.
#[derive(Debug, Clone, Default)]
pub struct StepWrite {
    /// What was sent (on create, applied to the defaults).
    pub patch: StepPatch,
    /// Replacement tags (`None`: keep).
    pub tags: Option<Vec<TagTarget>>,
    /// Captures to create (ST2).
    pub captures: Vec<TemplateFieldDef>,
    /// The member writing (the template's `last_updated_by`).
    pub user_id: i64,
    /// Time of the write.
    pub now: i64,
}

/// Why a step or capture write was refused inside its transaction (a vanished template, step or
/// capture is `StoreError::NotFound`).
#[derive(Debug, Clone, PartialEq)]
pub enum StepRefusal {
    /// The template is archived.
    Archived,
    /// The deadline anchor is not another step, or anchors loop.
    Anchor(AnchorProblem),
    /// The resulting definition breaks a rule (the errors).
    Invalid(ValidationErrors),
    /// A rule names the step (ST5) or the capture (CP3).
    RulesDepend,
    /// Another step's deadline is anchored on the step (ST5).
    DeadlinesDepend,
    /// CP4's `target_step_id` is not a step of the template.
    TargetStep,
    /// CP5's `capture_id` is not a capture of the step.
    CaptureId,
}
