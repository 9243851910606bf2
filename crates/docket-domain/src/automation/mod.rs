//! Automation rules of a template ("automated actions"): their definition as stored and emitted,
//! the reading of a create or update body against the template's catalog (`definition`), and
//! the rule engine that evaluates a launched run's rules against its state (`evaluate`).
//!
//! A rule is stored in exactly the form it is emitted: `conditions` and `then_actions` as JSON
//! arrays of [`Condition`] and [`Action`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

mod actions;
mod conditions;
pub mod deadline;
pub mod definition;
pub mod evaluate;
pub mod items;

#[cfg(test)]
mod tests;

/// One condition of a rule, in its emitted form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Condition {
    /// id32.
    pub id: String,
    /// The step, step capture or kick-off field the condition looks at.
    pub conditionable_id: String,
    /// `Step`, `Capture` or `Prerun`.
    pub conditionable_type: String,
    /// The operation (see [`STEP_OPERATIONS`], [`FIELD_OPERATIONS`]).
    pub operation: String,
    /// A time clause for Step operations; the compared value for field operations.
    pub statement: Value,
    /// `and` or `or`: how this condition joins the result of the conditions before it.
    pub logic: String,
    /// 1-based order.
    pub position: i64,
    /// The table column `contains` looks in.
    pub column_contains_name: Option<String>,
}

impl Default for Condition {
    fn default() -> Self {
        Condition {
            id: String::new(),
            conditionable_id: String::new(),
            conditionable_type: String::new(),
            operation: String::new(),
            statement: Value::Null,
            logic: String::from("and"),
            position: 0,
            column_contains_name: None,
        }
    }
}

/// The deadline piece of a `deadline` action: anchor ± value·unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ActionDeadline {
    /// ≥ 0.
    pub value: i64,
    /// `minutes`, `hours`, `days`, `weeks` or `months`.
    pub unit: String,
    /// `from` (after the anchor) or `before`.
    pub option: String,
    /// The anchor: `None` = the target task's current deadline, `start_run`, a step id, or a
    /// date/datetime capture or kick-off field id.
    pub step: Option<String>,
}

/// The people an assignment action names, as stored: member ids, guest emails, group ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Assignees {
    /// Member ids.
    pub users: Vec<i64>,
    /// Guest emails.
    pub guests: Vec<String>,
    /// Group ids.
    pub groups: Vec<String>,
}

impl Assignees {
    /// Whether no bucket has an entry.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.guests.is_empty() && self.groups.is_empty()
    }

    /// Entries over all buckets (what `max_assignable` caps).
    pub fn len(&self) -> usize {
        self.users.len() + self.guests.len() + self.groups.len()
    }
}

/// One action of a rule, in its emitted form (every key always present).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Action {
    /// id32.
    pub id: String,
    /// `visibility`, `deadline`, `assignment`, `status` or `webhook`.
    pub action_type: String,
    /// A verb of the type (see [`ACTION_VERBS`]).
    pub action_verb: String,
    /// The step whose task the action changes.
    pub target_step_id: String,
    /// 1-based order.
    pub position: i64,
    /// For `deadline` actions.
    pub deadline: Option<ActionDeadline>,
    /// For assignment actions: the listed people.
    pub assignees: Option<Assignees>,
    /// For assignment actions: an `assignees_form` capture or kick-off field.
    pub actionable_id: Option<String>,
    /// `field` (a step capture) or `kickoff` (a kick-off field), with `actionable_id`.
    pub actionable_type: Option<String>,
    /// For `emit_webhook`.
    pub webhook_url: Option<String>,
    /// For `emit_webhook`.
    pub alias_name: Option<String>,
}

/// A rule's definition: alias, conditions and actions (the id and timestamps belong to its row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct RuleDef {
    /// The rule's name.
    pub automated_alias: String,
    /// In `position` order.
    pub conditions: Vec<Condition>,
    /// In `position` order.
    pub then_actions: Vec<Action>,
}

impl RuleDef {
    /// Rewrites every reference of the rule (condition subjects, action targets, deadline
    /// anchors, assignee fields) that is a key of `map` (an old id) to its value (the new id):
    /// how an imported rule follows the new ids of the steps and fields it names. Other
    /// references are left as they are.
    pub fn remap_ids(&mut self, map: &std::collections::HashMap<String, String>) {
        let swap = |s: &mut String| {
            if let Some(new) = map.get(s.as_str()) {
                s.clone_from(new);
            }
        };
        for c in &mut self.conditions {
            swap(&mut c.conditionable_id);
        }
        for a in &mut self.then_actions {
            swap(&mut a.target_step_id);
            if let Some(step) = a.deadline.as_mut().and_then(|d| d.step.as_mut()) {
                swap(step);
            }
            if let Some(id) = a.actionable_id.as_mut() {
                swap(id);
            }
        }
    }
}

/// A rule as a launched run evaluates it: its id and definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Rule {
    /// The rule's id (the key of its remembered result).
    pub id: String,
    /// Alias, conditions, actions.
    #[serde(flatten)]
    pub def: RuleDef,
}

/// The operations of `Step` conditions.
pub const STEP_OPERATIONS: &[&str] = &[
    "completed",
    "reopened",
    "approved",
    "rejected",
    "acknowledged",
    "expired",
    "not_assigned",
];

/// The operations of `Capture` and `Prerun` conditions.
pub const FIELD_OPERATIONS: &[&str] = &[
    "equals",
    "not_equals",
    "contains",
    "not_contains",
    "equals_any",
    "greater_than",
    "less_than",
    "is_empty",
    "is_not_empty",
];

/// The time clauses of Step conditions, as emitted.
pub const TIME_CLAUSES: &[&str] = &["any_time", "on-time", "early_24", "late_24"];

/// Each action type with its verbs.
pub const ACTION_VERBS: &[(&str, &[&str])] = &[
    ("visibility", &["show", "hide"]),
    ("deadline", &["deadline"]),
    ("assignment", &["assign", "assign_only", "unassign", "clear_assignees"]),
    ("status", &["reopen"]),
    ("webhook", &["emit_webhook"]),
];

/// A form field of the template, as rules see it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CatalogField {
    /// The field id.
    pub id: String,
    /// Its `field_type`.
    pub field_type: String,
    /// Its step; `None` for a kick-off field.
    pub step_id: Option<String>,
}

/// What a rule of a template may name: its steps, step captures and kick-off fields.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Catalog {
    /// Step ids.
    pub steps: Vec<String>,
    /// Step captures.
    pub captures: Vec<CatalogField>,
    /// Kick-off fields.
    pub kickoff: Vec<CatalogField>,
}

impl Catalog {
    /// Whether `id` is a step of the template.
    pub fn has_step(&self, id: &str) -> bool {
        self.steps.iter().any(|s| s == id)
    }

    /// The step capture `id`.
    pub fn capture(&self, id: &str) -> Option<&CatalogField> {
        self.captures.iter().find(|f| f.id == id)
    }

    /// The kick-off field `id`.
    pub fn kickoff_field(&self, id: &str) -> Option<&CatalogField> {
        self.kickoff.iter().find(|f| f.id == id)
    }
}

#[cfg(test)]
mod remap_tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn remap_ids_rewrites_only_the_references() {
        let mut def = RuleDef {
            automated_alias: "old-step".into(),
            conditions: vec![Condition {
                conditionable_id: "old-step".into(),
                statement: Value::from("old-step"),
                ..Condition::default()
            }],
            then_actions: vec![Action {
                target_step_id: "old-step".into(),
                deadline: Some(ActionDeadline {
                    step: Some("old-field".into()),
                    ..ActionDeadline::default()
                }),
                actionable_id: Some("other".into()),
                ..Action::default()
            }],
        };
        let map = HashMap::from([
            ("old-step".to_string(), "new-step".to_string()),
            ("old-field".to_string(), "new-field".to_string()),
        ]);
        def.remap_ids(&map);
        assert_eq!(def.conditions[0].conditionable_id, "new-step");
        assert_eq!(def.conditions[0].statement, Value::from("old-step"));
        assert_eq!(def.automated_alias, "old-step");
        assert_eq!(def.then_actions[0].target_step_id, "new-step");
        assert_eq!(
            def.then_actions[0].deadline.as_ref().unwrap().step.as_deref(),
            Some("new-field")
        );
        assert_eq!(def.then_actions[0].actionable_id.as_deref(), Some("other"));
    }
}
