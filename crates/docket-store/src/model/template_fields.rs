//! Form field definitions of templates as stored: kick-off fields (`step_id` `None`) and step
//! captures, one row type for both (table `template_fields`).

use docket_domain::form_field::{FieldColumn, FieldOption};
use docket_domain::template_field::TemplateFieldDef;
use serde_json::{Map, Value};
use sqlx::FromRow;

/// A template field row. JSON columns (`options`, `field_columns`, `field_validation`,
/// `settings`, `default_value`) are kept as stored text; [`TemplateFieldRow::def`] parses them.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct TemplateFieldRow {
    /// 32-hex id.
    pub id: String,
    /// Organization.
    pub org_id: String,
    /// Owning template.
    pub checklist_id: String,
    /// Owning step; `None` for a kick-off field.
    pub step_id: Option<String>,
    /// Unique within the template across kick-off fields and captures; never changes.
    pub alias: String,
    /// Label.
    pub label: String,
    /// Field type.
    pub field_type: String,
    /// Help text.
    pub guidance: Option<String>,
    /// 1-based, contiguous within the step (or the kick-off form).
    pub position: i64,
    /// Must be answered.
    pub required: bool,
    /// JSON array of `{id, text, value}`.
    pub options: String,
    /// JSON array of `{id, label}`.
    pub field_columns: String,
    /// Whether a default is configured.
    pub default_value_enabled: bool,
    /// JSON of the default value, `None` for null.
    pub default_value: Option<String>,
    /// Stored flag.
    pub collect_time: bool,
    /// Stored flag.
    pub use_wysiwyg_editor: bool,
    /// JSON array of strings.
    pub field_validation: String,
    /// Shown before the value.
    pub prefix: Option<String>,
    /// Shown after the value.
    pub suffix: Option<String>,
    /// JSON object.
    pub settings: String,
    /// Creation (ms).
    pub created_at: i64,
    /// Last change (ms).
    pub last_updated: i64,
}

/// Where a new field goes and what identifies it; with a definition it makes a row
/// ([`TemplateFieldRow::new`]).
#[derive(Debug, Clone)]
pub struct FieldPlace<'a> {
    /// The new field's id.
    pub id: String,
    /// Organization.
    pub org_id: &'a str,
    /// Template.
    pub checklist_id: &'a str,
    /// Step, or `None` for a kick-off field.
    pub step_id: Option<&'a str>,
    /// Its alias (already made unique within the template).
    pub alias: String,
    /// Its position.
    pub position: i64,
    /// Time of the write.
    pub now: i64,
}

impl TemplateFieldRow {
    /// The row of a new field.
    pub fn new(place: FieldPlace<'_>, def: &TemplateFieldDef) -> Self {
        let mut row = TemplateFieldRow {
            id: place.id,
            org_id: place.org_id.to_string(),
            checklist_id: place.checklist_id.to_string(),
            step_id: place.step_id.map(str::to_string),
            alias: place.alias,
            label: String::new(),
            field_type: String::new(),
            guidance: None,
            position: place.position,
            required: false,
            options: "[]".into(),
            field_columns: "[]".into(),
            default_value_enabled: false,
            default_value: None,
            collect_time: false,
            use_wysiwyg_editor: false,
            field_validation: "[]".into(),
            prefix: None,
            suffix: None,
            settings: "{}".into(),
            created_at: place.now,
            last_updated: place.now,
        };
        row.set_def(def);
        row
    }

    /// Writes `def` into the definition columns (identity, position and times untouched).
    pub fn set_def(&mut self, def: &TemplateFieldDef) {
        self.label = def.label.clone();
        self.field_type = def.field_type.clone();
        self.guidance = def.guidance.clone();
        self.required = def.required;
        self.options = def.options_json();
        self.field_columns = def.columns_json();
        self.default_value_enabled = def.default_value_enabled;
        self.default_value = def.default_value_json();
        self.collect_time = def.collect_time;
        self.use_wysiwyg_editor = def.use_wysiwyg_editor;
        self.field_validation = def.field_validation_json();
        self.prefix = def.prefix.clone();
        self.suffix = def.suffix.clone();
        self.settings = def.settings_json();
    }

    /// The stored definition (unreadable JSON reads as empty).
    pub fn def(&self) -> TemplateFieldDef {
        TemplateFieldDef {
            label: self.label.clone(),
            field_type: self.field_type.clone(),
            guidance: self.guidance.clone(),
            required: self.required,
            options: self.options_list(),
            columns: self.columns_list(),
            default_value_enabled: self.default_value_enabled,
            default_value: self.default_value_value(),
            collect_time: self.collect_time,
            use_wysiwyg_editor: self.use_wysiwyg_editor,
            field_validation: serde_json::from_str(&self.field_validation).unwrap_or_default(),
            prefix: self.prefix.clone(),
            suffix: self.suffix.clone(),
            settings: self.settings_map(),
        }
    }

    /// Options as values.
    pub fn options_list(&self) -> Vec<FieldOption> {
        serde_json::from_str(&self.options).unwrap_or_default()
    }

    /// Columns as values.
    pub fn columns_list(&self) -> Vec<FieldColumn> {
        serde_json::from_str(&self.field_columns).unwrap_or_default()
    }

    /// The default value (`Null` when none).
    pub fn default_value_value(&self) -> Value {
        self.default_value
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or(Value::Null)
    }

    /// Validation names.
    pub fn field_validation_list(&self) -> Vec<String> {
        serde_json::from_str(&self.field_validation).unwrap_or_default()
    }

    /// The settings object.
    pub fn settings_map(&self) -> Map<String, Value> {
        serde_json::from_str(&self.settings).unwrap_or_default()
    }
}

/// The ids a template's rules depend on (see `sql/rule_refs.rs`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleRefs {
    /// `conditions[*].conditionable_id`: steps, captures, kick-off fields.
    pub conditions: std::collections::HashSet<String>,
    /// `then_actions[*].target_step_id`: steps.
    pub targets: std::collections::HashSet<String>,
    /// `then_actions[*].actionable_id`: captures or kick-off fields.
    pub actionables: std::collections::HashSet<String>,
    /// `then_actions[*].deadline.step`: deadline anchors (steps).
    pub deadline_steps: std::collections::HashSet<String>,
}

impl RuleRefs {
    /// Adds the references of one rule from its `conditions` and `then_actions` arrays (any
    /// other value adds nothing).
    pub fn add_rule(&mut self, conditions: &Value, then_actions: &Value) {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
        for c in conditions.as_array().into_iter().flatten() {
            self.conditions.extend(text(c.get("conditionable_id")));
        }
        for a in then_actions.as_array().into_iter().flatten() {
            self.targets.extend(text(a.get("target_step_id")));
            self.actionables.extend(text(a.get("actionable_id")));
            self.deadline_steps
                .extend(text(a.get("deadline").and_then(|d| d.get("step"))));
        }
    }

    /// Whether any rule names `id` anywhere.
    pub fn mentions(&self, id: &str) -> bool {
        self.conditions.contains(id)
            || self.targets.contains(id)
            || self.actionables.contains(id)
            || self.deadline_steps.contains(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rule_references_cover_conditions_targets_actionables_and_deadline_anchors() {
        let mut refs = RuleRefs::default();
        refs.add_rule(
            &json!([{"conditionable_id": "cap1"}, {"conditionable_id": null}]),
            &json!([{"target_step_id": "s1", "actionable_id": "ko1", "deadline": {"step": "s2"}},
                    {"target_step_id": "s3", "deadline": null}]),
        );
        refs.add_rule(&json!("not an array"), &json!({}));
        for id in ["cap1", "s1", "ko1", "s2", "s3"] {
            assert!(refs.mentions(id), "{id}");
        }
        assert!(!refs.mentions("other"));
        assert_eq!(refs.deadline_steps.len(), 1);
    }

    #[test]
    fn a_row_round_trips_its_definition() {
        let mut errors = docket_domain::ValidationErrors::new();
        let def = docket_domain::template_field::parse_new_value(
            &json!({"label": "Pick", "field_type": "radio", "required": true, "options": ["a", "b"],
                    "default_value": {"x": 1}, "field_validation": "a|b", "settings": {"k": true}, "prefix": "$"}),
            "",
            &mut errors,
        )
        .expect("valid");
        let row = TemplateFieldRow::new(
            FieldPlace {
                id: "f1".into(),
                org_id: "acme",
                checklist_id: "t1",
                step_id: Some("s1"),
                alias: "pick".into(),
                position: 3,
                now: 7,
            },
            &def,
        );
        assert_eq!(row.def(), def);
        assert_eq!(
            (row.position, row.created_at, row.step_id.as_deref()),
            (3, 7, Some("s1"))
        );
        assert_eq!(row.default_value.as_deref(), Some(r#"{"x":1}"#));
    }
}
