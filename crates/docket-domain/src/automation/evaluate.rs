//! The rule engine: a pure function from a launched run's rules, its state and each rule's last
//! result to the new results, each step's visibility and the changes the rules make.
//!
//! One pass: every rule's conditions are evaluated (left to right, each joined by its own
//! `logic`); visibility is derived as a level (a step with a show rule is visible only while one
//! of them holds; a true hide rule hides it; completed tasks always stay visible); then, for each
//! rule whose result turned from false to true, its other actions run in position order on the
//! working state. Passes repeat while a pass changed the state, at most [`MAX_PASSES`].

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::items::{FieldShape, field_holds};
use super::{Action, Assignees, Condition, Rule, deadline};
use crate::input::coerce_int;
use crate::time::{self, Millis};

/// Most passes per request.
pub const MAX_PASSES: usize = 10;
/// The status of a task hidden by a rule.
pub const AUTO_SKIPPED: &str = "auto-skipped";
const DAY_MS: i64 = 86_400_000;

/// A launched task as rules see and change it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TaskState {
    /// The task id.
    pub task_id: String,
    /// `not-started`, `in-progress`, `completed` or `auto-skipped`.
    pub status: String,
    /// The status kept aside while hidden.
    pub skipped_status: Option<String>,
    /// When completed.
    pub completed_at: Option<Millis>,
    /// The deadline.
    pub deadline: Option<Millis>,
    /// The approval / acknowledgement decision of a completed task.
    pub is_approved: Option<bool>,
    /// Whether the task was ever reopened.
    pub was_reopened: bool,
    /// Its owners.
    pub owners: Assignees,
    /// 0 = unlimited.
    pub max_assignable: i64,
    /// Its form field values by field id.
    pub taskdata: Map<String, Value>,
}

impl TaskState {
    /// Whether a rule hides the task now.
    pub fn is_hidden(&self) -> bool {
        self.status == AUTO_SKIPPED
    }
}

/// A launched run as rules see it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunState {
    /// The `start_run` anchor.
    pub started_at: Millis,
    /// The run's tasks launched from steps, by step id.
    pub tasks: BTreeMap<String, TaskState>,
    /// Kick-off values by field id.
    pub prerun: Map<String, Value>,
    /// Every kick-off field and capture of the run, by id.
    pub fields: BTreeMap<String, FieldShape>,
}

impl RunState {
    /// The value of field `id`: a kick-off value, else the task value of the capture.
    fn field_value(&self, id: &str, kickoff: bool) -> Option<&Value> {
        if kickoff {
            return self.prerun.get(id).filter(|v| !v.is_null());
        }
        self.tasks
            .values()
            .find_map(|t| t.taskdata.get(id))
            .filter(|v| !v.is_null())
    }
}

/// What changed on one task over the whole evaluation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TaskChange {
    /// The step of the task.
    pub step_id: String,
    /// The task.
    pub task_id: String,
    /// The new status, when it changed (`auto-skipped` = hidden).
    pub status: Option<String>,
    /// The status kept aside (set while hidden, cleared otherwise), when `status` changed.
    pub skipped_status: Option<String>,
    /// The new deadline, when it changed.
    pub deadline: Option<Millis>,
    /// The new owners, when they changed.
    pub owners: Option<Assignees>,
    /// Owners added by rules (for `task.assigned`).
    pub added: Assignees,
    /// Whether a rule reopened the task (completion cleared, `was_reopened` set).
    pub reopened: bool,
}

/// An `emit_webhook` action that ran.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEmit {
    /// The rule.
    pub rule_id: String,
    /// The rule's alias.
    pub automated_alias: String,
    /// The target step and its task.
    pub step_id: String,
    /// The target task.
    pub task_id: String,
    /// Where to send it.
    pub webhook_url: String,
    /// The action's `alias_name`.
    pub alias_name: String,
}

/// The result of an evaluation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcome {
    /// Each rule's result, by rule id (what the run remembers for the next evaluation).
    pub results: BTreeMap<String, bool>,
    /// Each step's visibility.
    pub visible: BTreeMap<String, bool>,
    /// The state after every change.
    pub state: RunState,
    /// The tasks that changed, by step order of `state.tasks`.
    pub changes: Vec<TaskChange>,
    /// Webhooks to queue, in the order their actions ran.
    pub webhooks: Vec<WebhookEmit>,
}

/// Whether a time clause holds for a completed task (compared with its deadline). Without a
/// deadline a task is on time and neither early nor late.
fn time_clause(clause: &str, t: &TaskState) -> bool {
    if clause == "any_time" {
        return true;
    }
    match (t.completed_at, t.deadline) {
        (Some(done), Some(due)) => match clause {
            "on-time" => done <= due,
            "early_24" => done <= due - DAY_MS,
            "late_24" => done > due + DAY_MS,
            _ => false,
        },
        (Some(_), None) => clause == "on-time",
        (None, _) => false,
    }
}

/// Whether condition `c` holds in `state`.
pub fn condition_holds(c: &Condition, state: &RunState) -> bool {
    match c.conditionable_type.as_str() {
        "Step" => {
            let Some(t) = state.tasks.get(&c.conditionable_id).filter(|t| !t.is_hidden()) else {
                return false;
            };
            let clause = c.statement.as_str().unwrap_or("any_time");
            let completed = t.status == "completed";
            match c.operation.as_str() {
                "completed" => completed && time_clause(clause, t),
                "approved" | "acknowledged" => completed && t.is_approved == Some(true) && time_clause(clause, t),
                "rejected" | "expired" => completed && t.is_approved == Some(false) && time_clause(clause, t),
                "reopened" => t.was_reopened && !completed,
                "not_assigned" => t.owners.is_empty(),
                _ => false,
            }
        }
        kind @ ("Capture" | "Prerun") => {
            let Some(shape) = state.fields.get(&c.conditionable_id) else {
                return false;
            };
            let value = state.field_value(&c.conditionable_id, kind == "Prerun");
            field_holds(
                &c.operation,
                shape,
                value,
                &c.statement,
                c.column_contains_name.as_deref(),
            )
        }
        _ => false,
    }
}

/// A rule's result: condition 1, then each next condition joined by its own `logic`.
pub fn rule_holds(rule: &Rule, state: &RunState) -> bool {
    let mut conditions: Vec<&Condition> = rule.def.conditions.iter().collect();
    conditions.sort_by_key(|c| c.position);
    let mut iter = conditions.into_iter();
    let Some(first) = iter.next() else {
        return false;
    };
    let mut result = condition_holds(first, state);
    for c in iter {
        let v = condition_holds(c, state);
        result = if c.logic == "or" { result || v } else { result && v };
    }
    result
}

/// Each step's visibility given the rules' results.
fn visibility(rules: &[Rule], results: &BTreeMap<String, bool>, state: &RunState) -> BTreeMap<String, bool> {
    let mut out = BTreeMap::new();
    for (step, task) in &state.tasks {
        let mut has_show = false;
        let (mut shown, mut hidden) = (false, false);
        for rule in rules {
            let holds = results.get(&rule.id).copied().unwrap_or(false);
            for a in &rule.def.then_actions {
                if a.action_type != "visibility" || &a.target_step_id != step {
                    continue;
                }
                match a.action_verb.as_str() {
                    "show" => {
                        has_show = true;
                        shown |= holds;
                    }
                    "hide" => hidden |= holds,
                    _ => {}
                }
            }
        }
        let visible = task.status == "completed" || ((!has_show || shown) && !hidden);
        out.insert(step.clone(), visible);
    }
    out
}

/// Sets each task's hidden status per `visible`; whether anything changed.
fn apply_visibility(visible: &BTreeMap<String, bool>, state: &mut RunState) -> bool {
    let mut changed = false;
    for (step, task) in state.tasks.iter_mut() {
        let show = visible.get(step).copied().unwrap_or(true);
        if !show && !task.is_hidden() && task.status != "completed" {
            task.skipped_status = Some(std::mem::take(&mut task.status));
            task.status = AUTO_SKIPPED.into();
            changed = true;
        } else if show && task.is_hidden() {
            task.status = task.skipped_status.take().unwrap_or_else(|| "not-started".into());
            changed = true;
        }
    }
    changed
}

/// The people of an `assignees_form` value.
fn people_of(v: &Value) -> Assignees {
    let Some(o) = v.as_object() else {
        return Assignees::default();
    };
    let list = |k: &str| -> Vec<Value> {
        match o.get(k) {
            Some(Value::Array(a)) => a.clone(),
            Some(Value::Null) | None => Vec::new(),
            Some(other) => vec![other.clone()],
        }
    };
    let id_of = |v: &Value| match v {
        Value::Object(m) => m.get("id").cloned().unwrap_or(Value::Null),
        other => other.clone(),
    };
    let text_of = |v: &Value, key: &str| match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(m) => m.get(key).and_then(Value::as_str).map(str::to_string),
        _ => None,
    };
    Assignees {
        users: list("users").iter().filter_map(|v| coerce_int(&id_of(v))).collect(),
        guests: list("guests").iter().filter_map(|v| text_of(v, "email")).collect(),
        groups: list("groups").iter().filter_map(|v| text_of(v, "id")).collect(),
    }
}

fn union(into: &mut Assignees, add: &Assignees) {
    for u in &add.users {
        if !into.users.contains(u) {
            into.users.push(*u);
        }
    }
    for g in &add.guests {
        if !into.guests.contains(g) {
            into.guests.push(g.clone());
        }
    }
    for g in &add.groups {
        if !into.groups.contains(g) {
            into.groups.push(g.clone());
        }
    }
}

fn minus(from: &Assignees, drop: &Assignees) -> Assignees {
    Assignees {
        users: from.users.iter().filter(|u| !drop.users.contains(u)).copied().collect(),
        guests: from
            .guests
            .iter()
            .filter(|g| !drop.guests.contains(g))
            .cloned()
            .collect(),
        groups: from
            .groups
            .iter()
            .filter(|g| !drop.groups.contains(g))
            .cloned()
            .collect(),
    }
}

/// The anchor of a deadline action: see [`super::ActionDeadline::step`].
fn anchor(a: &Action, target: &TaskState, state: &RunState) -> Option<Millis> {
    let d = a.deadline.as_ref()?;
    match d.step.as_deref() {
        None => target.deadline,
        Some("start_run") => Some(state.started_at),
        Some(id) => match state.tasks.get(id) {
            Some(t) => t.deadline,
            None => {
                let kickoff = state.prerun.contains_key(id);
                match state.field_value(id, kickoff)? {
                    Value::String(s) => time::parse_datetime(s),
                    _ => None,
                }
            }
        },
    }
}

/// Runs one action on the working state; whether it changed anything.
fn run_action(rule: &Rule, a: &Action, state: &mut RunState, webhooks: &mut Vec<WebhookEmit>) -> bool {
    let Some(target) = state.tasks.get(&a.target_step_id) else {
        return false;
    };
    let completed = target.status == "completed";
    match a.action_verb.as_str() {
        "deadline" => {
            if completed {
                return false;
            }
            let (Some(at), Some(d)) = (anchor(a, target, state), a.deadline.as_ref()) else {
                return false;
            };
            let Some(new) = deadline::shift(at, d.value, &d.unit, d.option != "from") else {
                return false;
            };
            let Some(t) = state.tasks.get_mut(&a.target_step_id) else {
                return false;
            };
            let changed = t.deadline != Some(new);
            t.deadline = Some(new);
            changed
        }
        verb @ ("assign" | "assign_only" | "unassign" | "clear_assignees") => {
            if completed {
                return false;
            }
            let from_field = a.actionable_id.as_deref().map(|id| {
                let kickoff = a.actionable_type.as_deref() == Some("kickoff");
                state.field_value(id, kickoff).map(people_of).unwrap_or_default()
            });
            let listed = match from_field {
                Some(p) if !p.is_empty() => p,
                _ => a.assignees.clone().unwrap_or_default(),
            };
            let current = target.owners.clone();
            let next = match verb {
                "assign" => {
                    let mut n = current.clone();
                    union(&mut n, &listed);
                    n
                }
                "assign_only" => listed,
                "unassign" => minus(&current, &listed),
                _ => Assignees::default(),
            };
            if target.max_assignable > 0 && next.len() as i64 > target.max_assignable && next.len() > current.len() {
                return false;
            }
            if next == current {
                return false;
            }
            if let Some(t) = state.tasks.get_mut(&a.target_step_id) {
                t.owners = next;
            }
            true
        }
        "reopen" => {
            if !completed {
                return false;
            }
            if let Some(t) = state.tasks.get_mut(&a.target_step_id) {
                t.status = "in-progress".into();
                t.completed_at = None;
                t.is_approved = None;
                t.was_reopened = true;
            }
            true
        }
        "emit_webhook" => {
            webhooks.push(WebhookEmit {
                rule_id: rule.id.clone(),
                automated_alias: rule.def.automated_alias.clone(),
                step_id: a.target_step_id.clone(),
                task_id: target.task_id.clone(),
                webhook_url: a.webhook_url.clone().unwrap_or_default(),
                alias_name: a.alias_name.clone().unwrap_or_default(),
            });
            false
        }
        _ => false,
    }
}

/// Evaluates `rules` (in creation order) on `state`, given each rule's last result `previous`
/// (absent = false). See the module documentation.
pub fn evaluate(rules: &[Rule], state: &RunState, previous: &BTreeMap<String, bool>) -> Outcome {
    let initial = state.clone();
    let mut state = state.clone();
    let mut results: BTreeMap<String, bool> = rules
        .iter()
        .map(|r| (r.id.clone(), previous.get(&r.id).copied().unwrap_or(false)))
        .collect();
    let mut visible = BTreeMap::new();
    let mut webhooks = Vec::new();
    for _ in 0..MAX_PASSES {
        let now: BTreeMap<String, bool> = rules.iter().map(|r| (r.id.clone(), rule_holds(r, &state))).collect();
        visible = visibility(rules, &now, &state);
        let mut changed = apply_visibility(&visible, &mut state);
        for rule in rules {
            let was = results.get(&rule.id).copied().unwrap_or(false);
            if now.get(&rule.id).copied().unwrap_or(false) && !was {
                let mut actions: Vec<&Action> = rule
                    .def
                    .then_actions
                    .iter()
                    .filter(|a| a.action_type != "visibility")
                    .collect();
                actions.sort_by_key(|a| a.position);
                for a in actions {
                    changed |= run_action(rule, a, &mut state, &mut webhooks);
                }
            }
        }
        results = now;
        if !changed {
            break;
        }
    }
    let changes = diff(&initial, &state);
    Outcome {
        results,
        visible,
        state,
        changes,
        webhooks,
    }
}

/// The per-task differences between two states.
fn diff(before: &RunState, after: &RunState) -> Vec<TaskChange> {
    let mut out = Vec::new();
    for (step, new) in &after.tasks {
        let Some(old) = before.tasks.get(step) else {
            continue;
        };
        let mut c = TaskChange {
            step_id: step.clone(),
            task_id: new.task_id.clone(),
            ..TaskChange::default()
        };
        if old.status != new.status {
            c.status = Some(new.status.clone());
            c.skipped_status = new.skipped_status.clone();
        }
        if old.deadline != new.deadline {
            c.deadline = new.deadline;
        }
        if old.owners != new.owners {
            c.owners = Some(new.owners.clone());
            c.added = minus(&new.owners, &old.owners);
        }
        c.reopened = old.status == "completed" && new.status != "completed";
        if c.status.is_some() || c.deadline.is_some() || c.owners.is_some() || c.reopened {
            out.push(c);
        }
    }
    out
}
