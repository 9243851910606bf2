//! The JSON shape of a template form field definition: a kick-off field (`step_id` null) or a
//! step capture. Templates render `prerun` and steps render `captures` with it.

use docket_domain::time::format_ts;
use docket_store::model::TemplateFieldRow;
use serde::Serialize;
use serde_json::Value;

/// A kick-off field or step capture definition.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = TemplateField)]
pub struct TemplateFieldJson {
    id: String,
    timeline_id: String,
    checklist_id: String,
    step_id: Option<String>,
    alias: String,
    label: String,
    field_type: String,
    guidance: Option<String>,
    position: i64,
    required: bool,
    /// `[{"id", "text", "value"}]`; empty unless the type has choices.
    #[schema(value_type = Vec<Object>)]
    options: Value,
    /// `[{"id", "label"}]`; empty unless the type is `table`.
    #[schema(value_type = Vec<Object>)]
    columns: Value,
    default_value_enabled: bool,
    #[schema(value_type = Option<Object>)]
    default_value: Value,
    collect_time: bool,
    use_wysiwyg_editor: bool,
    field_validation: Vec<String>,
    prefix: Option<String>,
    suffix: Option<String>,
    #[schema(value_type = Object)]
    settings: Value,
    created_at: String,
    last_updated: String,
}

impl TemplateFieldJson {
    /// The shape of a stored field.
    pub fn new(f: &TemplateFieldRow) -> Self {
        let json = |s: &str, empty: Value| serde_json::from_str(s).unwrap_or(empty);
        TemplateFieldJson {
            id: f.id.clone(),
            timeline_id: f.id.clone(),
            checklist_id: f.checklist_id.clone(),
            step_id: f.step_id.clone(),
            alias: f.alias.clone(),
            label: f.label.clone(),
            field_type: f.field_type.clone(),
            guidance: f.guidance.clone(),
            position: f.position,
            required: f.required,
            options: json(&f.options, Value::Array(Vec::new())),
            columns: json(&f.field_columns, Value::Array(Vec::new())),
            default_value_enabled: f.default_value_enabled,
            default_value: f.default_value_value(),
            collect_time: f.collect_time,
            use_wysiwyg_editor: f.use_wysiwyg_editor,
            field_validation: f.field_validation_list(),
            prefix: f.prefix.clone(),
            suffix: f.suffix.clone(),
            settings: json(&f.settings, Value::Object(Default::default())),
            created_at: format_ts(f.created_at),
            last_updated: format_ts(f.last_updated),
        }
    }

    /// The field's id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// The shapes of stored fields, in the given order.
pub fn render(fields: &[TemplateFieldRow]) -> Vec<TemplateFieldJson> {
    fields.iter().map(TemplateFieldJson::new).collect()
}
