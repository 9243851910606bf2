//! Steps of templates: the input rules of a step body (create and partial update), its
//! deadline and start date, the deadline anchors (another step of the same template, no loops)
//! and `max_assignable` against the step's own assignees. Assignee buckets and tags need the
//! store to resolve; the caller fills them into a [`StepPatch`] before [`StepPatch::apply`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::input::{Fields, Patch, Reader, coerce_int};
use crate::role::Role;
use crate::validation::ValidationErrors;

/// Longest step title, in characters.
pub const TITLE_MAX: usize = 600;
/// Every accepted `step_type`.
pub const STEP_TYPES: &[&str] = &["task", "approval", "expiring", "email", "expiring_email"];
/// Deadline and start-date units, as emitted.
pub const UNITS: &[&str] = &["minutes", "hours", "days", "weeks", "months"];
/// The anchor meaning "the launch time".
pub const START_RUN: &str = "start_run";
/// A template write on an archived template.
pub const ARCHIVED: &str = "The template is archived.";
/// Deadline anchors that depend on each other.
pub const LOOP: &str = "These step deadlines depend on each other in a loop.";

/// Whether a member of `role` may change templates and what is inside them (steps, captures,
/// kick-off fields, rules): admins and standard members.
pub fn can_edit_templates(role: Role) -> bool {
    role != Role::Light
}

/// A step's deadline rule: `value` `unit`s `from` (after) or `prior_to` (before) the anchor
/// `step` (`start_run` or a step id of the same template).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepDeadline {
    /// ≥ 0.
    pub value: i64,
    /// One of [`UNITS`].
    pub unit: String,
    /// `from` or `prior_to`.
    pub option: String,
    /// `start_run` or a step id.
    pub step: String,
}

/// A step's start-date offset from the launch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepStartDate {
    /// ≥ 0.
    pub value: i64,
    /// One of [`UNITS`].
    pub unit: String,
}

/// A complete step definition (everything but identity, alias, position and times).
#[derive(Debug, Clone, PartialEq)]
pub struct StepDef {
    /// 1–600 characters.
    pub title: String,
    /// Instructions (HTML as given).
    pub summary: Option<String>,
    /// One of [`STEP_TYPES`].
    pub step_type: String,
    /// Member ids.
    pub assignees: Vec<i64>,
    /// Guest emails.
    pub guests: Vec<String>,
    /// Group ids.
    pub groups: Vec<String>,
    /// Assign the launcher when launch leaves the task without assignees.
    pub assign_run_starter: bool,
    /// Deadline rule.
    pub deadline: Option<StepDeadline>,
    /// Start offset.
    pub start_date: Option<StepStartDate>,
    /// While true the start date is ignored at launch.
    pub is_soft_start_date: bool,
    /// 0 = unlimited.
    pub max_assignable: i64,
    /// Copied to tasks.
    pub allow_guest_owners: bool,
    /// Copied to tasks.
    pub can_complete_only_assignees: bool,
    /// Copied to tasks.
    pub everyone_must_complete: bool,
    /// Copied to tasks.
    pub prevent_guest_comment: bool,
    /// Copied to tasks.
    pub top_secret: bool,
    /// Stored only.
    pub send_chromeless: bool,
    /// Stored only.
    pub skip_start_process: bool,
    /// Stored only.
    pub role_changes_every_time: bool,
    /// URL copied to launched tasks.
    pub webhook: Option<String>,
    /// Tag ids.
    pub tags: Vec<String>,
    /// `{"id", "default_name_format", "tasks_within_process"}`, stored only.
    pub bp_to_launch: Option<Value>,
}

impl Default for StepDef {
    /// The defaults of a new step.
    fn default() -> Self {
        StepDef {
            title: String::new(),
            summary: None,
            step_type: "task".into(),
            assignees: Vec::new(),
            guests: Vec::new(),
            groups: Vec::new(),
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
            tags: Vec::new(),
            bp_to_launch: None,
        }
    }
}

/// The boolean keys of a step, in emitted order.
pub const FLAGS: &[&str] = &[
    "assign_run_starter",
    "is_soft_start_date",
    "allow_guest_owners",
    "can_complete_only_assignees",
    "everyone_must_complete",
    "prevent_guest_comment",
    "top_secret",
    "send_chromeless",
    "skip_start_process",
    "role_changes_every_time",
];

impl StepDef {
    fn flag_mut(&mut self, name: &str) -> Option<&mut bool> {
        Some(match name {
            "assign_run_starter" => &mut self.assign_run_starter,
            "is_soft_start_date" => &mut self.is_soft_start_date,
            "allow_guest_owners" => &mut self.allow_guest_owners,
            "can_complete_only_assignees" => &mut self.can_complete_only_assignees,
            "everyone_must_complete" => &mut self.everyone_must_complete,
            "prevent_guest_comment" => &mut self.prevent_guest_comment,
            "top_secret" => &mut self.top_secret,
            "send_chromeless" => &mut self.send_chromeless,
            "skip_start_process" => &mut self.skip_start_process,
            "role_changes_every_time" => &mut self.role_changes_every_time,
            _ => return None,
        })
    }

    /// Direct assignees: members, guests and groups named on the step.
    pub fn direct_count(&self) -> usize {
        self.assignees.len() + self.guests.len() + self.groups.len()
    }
}

/// What a step body sent. The assignee buckets and `tags` are filled by the caller after
/// resolving them (`None`: not sent, keep the current list).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepPatch {
    /// New title.
    pub title: Option<String>,
    /// New summary (`Some(None)` clears).
    pub summary: Option<Option<String>>,
    /// New type.
    pub step_type: Option<String>,
    /// Flags sent, by name (see [`FLAGS`]).
    pub flags: Vec<(&'static str, bool)>,
    /// New deadline (`Some(None)` clears).
    pub deadline: Option<Option<StepDeadline>>,
    /// New start date (`Some(None)` clears).
    pub start_date: Option<Option<StepStartDate>>,
    /// New `max_assignable`.
    pub max_assignable: Option<i64>,
    /// New webhook (`Some(None)` clears).
    pub webhook: Option<Option<String>>,
    /// New `bp_to_launch` (`Some(None)` clears).
    pub bp_to_launch: Option<Option<Value>>,
    /// Position asked for (ST4 moves the step; ignored on create).
    pub position: Option<i64>,
    /// Replacement member ids.
    pub assignees: Option<Vec<i64>>,
    /// Replacement guest emails.
    pub guests: Option<Vec<String>>,
    /// Replacement group ids.
    pub groups: Option<Vec<String>>,
    /// Replacement tag ids.
    pub tags: Option<Vec<String>>,
}

/// Reads the scalar keys of a step body (not the buckets, tags or captures). `create` makes
/// `title` required. Errors use the body's own keys.
pub fn parse(body: &Map<String, Value>, create: bool, errors: &mut ValidationErrors) -> StepPatch {
    let mut r = Reader::new(body, errors);
    let mut p = StepPatch::default();
    if create {
        p.title = r.required_text(&["title"], TITLE_MAX);
    } else if r.has(&["title"]) {
        match r.text(&["title"], TITLE_MAX) {
            Patch::Set(t) => p.title = Some(t),
            Patch::Null => r.fail("title", "The title field is required."),
            Patch::Absent => {}
        }
    }
    p.summary = match r.string(&["summary", "description"]) {
        Patch::Set(s) => Some(Some(s)),
        Patch::Null => Some(None),
        Patch::Absent => None,
    };
    match r.value(&["step_type", "task_type"]) {
        None => {}
        Some(Value::Null) => p.step_type = create.then(|| "task".into()),
        Some(Value::String(s)) if STEP_TYPES.contains(&s.trim().to_ascii_lowercase().as_str()) => {
            p.step_type = Some(s.trim().to_ascii_lowercase());
        }
        Some(_) => r.fail("step_type", "The selected step type is invalid."),
    }
    for name in FLAGS {
        match r.bool(&[name]) {
            Patch::Set(b) => p.flags.push((name, b)),
            Patch::Null | Patch::Absent => {}
        }
    }
    if let Some(v) = r.value(&["deadline"]) {
        p.deadline = match v {
            Value::Null => Some(None),
            Value::Object(o) => deadline(o, r.errors()).map(Some),
            _ => {
                r.fail("deadline", "The deadline must be an object.");
                None
            }
        };
    }
    if let Some(v) = r.value(&["start_date"]) {
        p.start_date = match v {
            Value::Null => Some(None),
            Value::Object(o) => start_date(o, r.errors()).map(Some),
            _ => {
                r.fail("start_date", "The start date must be an object.");
                None
            }
        };
    }
    match r.int(&["max_assignable"]) {
        Patch::Set(n) if n < 0 => r.fail("max_assignable", "The max assignable must be at least 0."),
        Patch::Set(n) => p.max_assignable = Some(n),
        Patch::Null => p.max_assignable = Some(0),
        Patch::Absent => {}
    }
    match r.string(&["webhook"]) {
        Patch::Set(s) if is_http_url(&s) => p.webhook = Some(Some(s.trim().to_string())),
        Patch::Set(_) => r.fail("webhook", "The webhook must be a valid URL."),
        Patch::Null => p.webhook = Some(None),
        Patch::Absent => {}
    }
    if let Some(v) = r.value(&["bp_to_launch"]) {
        p.bp_to_launch = match v {
            Value::Null => Some(None),
            Value::String(s) if s.trim().is_empty() => Some(None),
            Value::String(s) => Some(Some(
                json!({"id": s.trim(), "default_name_format": null, "tasks_within_process": null}),
            )),
            Value::Object(o) => {
                let f = Fields::new(o);
                let get = |k: &str| f.get(k).cloned().unwrap_or(Value::Null);
                Some(Some(
                    json!({"id": get("id"), "default_name_format": get("default_name_format"),
                                 "tasks_within_process": get("tasks_within_process")}),
                ))
            }
            _ => {
                r.fail("bp_to_launch", "The bp to launch must be a template id or an object.");
                None
            }
        };
    }
    match r.value(&["roles"]) {
        None | Some(Value::Null) => {}
        Some(Value::Array(a)) if a.is_empty() => {}
        Some(_) => r.fail("roles", "Roles are not supported."),
    }
    if !create {
        match r.int(&["position"]) {
            Patch::Set(n) if n < 1 => r.fail("position", "The position must be at least 1."),
            Patch::Set(n) => p.position = Some(n),
            _ => {}
        }
    }
    p
}

/// A unit in any case, singular or plural → its plural form.
pub fn unit(s: &str) -> Option<&'static str> {
    let t = s.trim().to_ascii_lowercase();
    UNITS
        .iter()
        .copied()
        .find(|u| *u == t || u.strip_suffix('s') == Some(t.as_str()))
}

fn non_negative(v: Option<&Value>) -> Option<i64> {
    v.and_then(coerce_int).filter(|n| *n >= 0)
}

/// Reads a StepDeadline object; errors under `deadline.*`.
fn deadline(o: &Map<String, Value>, errors: &mut ValidationErrors) -> Option<StepDeadline> {
    let f = Fields::new(o);
    let value = non_negative(f.get("value"));
    if value.is_none() {
        errors.add("deadline.value", "The deadline.value must be an integer.");
    }
    let unit = f.get("unit").and_then(Value::as_str).and_then(unit);
    if unit.is_none() {
        errors.add("deadline.unit", "The selected deadline.unit is invalid.");
    }
    let option = match f.get("option") {
        None | Some(Value::Null) => Some("from"),
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "from" | "after" => Some("from"),
            "prior_to" | "before" => Some("prior_to"),
            _ => None,
        },
        Some(_) => None,
    };
    if option.is_none() {
        errors.add("deadline.option", "The selected deadline.option is invalid.");
    }
    let step = match f.get("step") {
        None | Some(Value::Null) => Some(START_RUN.to_string()),
        Some(Value::String(s)) if s.trim().is_empty() => Some(START_RUN.to_string()),
        Some(Value::String(s)) => Some(s.trim().to_string()),
        Some(_) => None,
    };
    if step.is_none() {
        errors.add("deadline.step", "The selected deadline.step is invalid.");
    }
    Some(StepDeadline {
        value: value?,
        unit: unit?.to_string(),
        option: option?.to_string(),
        step: step?,
    })
}

/// Reads a StepStartDate object; errors under `start_date.*`.
fn start_date(o: &Map<String, Value>, errors: &mut ValidationErrors) -> Option<StepStartDate> {
    let f = Fields::new(o);
    let value = non_negative(f.get("value"));
    if value.is_none() {
        errors.add("start_date.value", "The start_date.value must be an integer.");
    }
    let unit = f.get("unit").and_then(Value::as_str).and_then(unit);
    if unit.is_none() {
        errors.add("start_date.unit", "The selected start_date.unit is invalid.");
    }
    Some(StepStartDate {
        value: value?,
        unit: unit?.to_string(),
    })
}

fn is_http_url(s: &str) -> bool {
    let t = s.trim();
    let rest = t.strip_prefix("https://").or_else(|| t.strip_prefix("http://"));
    rest.is_some_and(|r| !r.split(['/', '?', '#']).next().unwrap_or("").is_empty() && !t.contains(char::is_whitespace))
}

impl StepPatch {
    /// `current` with this patch applied.
    pub fn apply(&self, current: &StepDef) -> StepDef {
        let mut d = current.clone();
        if let Some(t) = &self.title {
            d.title = t.clone();
        }
        if let Some(s) = &self.summary {
            d.summary = s.clone();
        }
        if let Some(t) = &self.step_type {
            d.step_type = t.clone();
        }
        for (name, b) in &self.flags {
            if let Some(f) = d.flag_mut(name) {
                *f = *b;
            }
        }
        if let Some(x) = &self.deadline {
            d.deadline = x.clone();
        }
        if let Some(x) = &self.start_date {
            d.start_date = x.clone();
        }
        if let Some(n) = self.max_assignable {
            d.max_assignable = n;
        }
        if let Some(x) = &self.webhook {
            d.webhook = x.clone();
        }
        if let Some(x) = &self.bp_to_launch {
            d.bp_to_launch = x.clone();
        }
        if let Some(x) = &self.assignees {
            d.assignees = x.clone();
        }
        if let Some(x) = &self.guests {
            d.guests = x.clone();
        }
        if let Some(x) = &self.groups {
            d.groups = x.clone();
        }
        if let Some(x) = &self.tags {
            d.tags = x.clone();
        }
        d
    }
}

/// The rules of a whole step: a positive `max_assignable` caps the direct assignees.
pub fn check(def: &StepDef, errors: &mut ValidationErrors) {
    if def.max_assignable > 0 && def.direct_count() as i64 > def.max_assignable {
        errors.add(
            "assignees",
            format!("The step may not have more than {} assignees.", def.max_assignable),
        );
    }
}

/// Why a deadline anchor is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnchorProblem {
    /// Not `start_run` and not another step of the template.
    Invalid,
    /// Following anchors from this step comes back to it.
    Loop,
}

impl AnchorProblem {
    /// The 422 message (key `deadline.step`).
    pub fn message(self) -> &'static str {
        match self {
            AnchorProblem::Invalid => "The selected deadline.step is invalid.",
            AnchorProblem::Loop => LOOP,
        }
    }
}

/// Checks the deadline anchor of step `id` given every step of the template as (id, anchor)
/// with `id`'s own entry replaced by `anchor` (a new step is added). The anchor must be
/// `start_run` or another step of the template, and following anchors must not loop.
pub fn check_anchor(id: &str, anchor: Option<&str>, steps: &[(String, Option<String>)]) -> Result<(), AnchorProblem> {
    let Some(anchor) = anchor.filter(|a| *a != START_RUN) else {
        return Ok(());
    };
    if anchor == id || !steps.iter().any(|(s, _)| s == anchor) {
        return Err(AnchorProblem::Invalid);
    }
    let next = |s: &str| -> Option<String> {
        if s == id {
            return Some(anchor.to_string());
        }
        steps
            .iter()
            .find(|(x, _)| x == s)
            .and_then(|(_, a)| a.clone())
            .filter(|a| a != START_RUN)
    };
    let mut at = anchor.to_string();
    for _ in 0..=steps.len() {
        if at == id {
            return Err(AnchorProblem::Loop);
        }
        match next(&at) {
            Some(n) => at = n,
            None => return Ok(()),
        }
    }
    Err(AnchorProblem::Loop)
}

/// Where an item asked to move to `wanted` (1-based) lands among `len` items: clamped to 1…len.
pub fn clamp_position(wanted: i64, len: usize) -> usize {
    (wanted.max(1) as usize).min(len.max(1))
}

/// `ids` with `id` moved to 1-based position `to` (clamped); unchanged if `id` is absent.
pub fn moved(ids: &[String], id: &str, to: i64) -> Vec<String> {
    let mut out: Vec<String> = ids.iter().filter(|x| *x != id).cloned().collect();
    if out.len() == ids.len() {
        return out;
    }
    let at = clamp_position(to, out.len() + 1) - 1;
    out.insert(at, id.to_string());
    out
}

#[cfg(test)]
mod tests;
