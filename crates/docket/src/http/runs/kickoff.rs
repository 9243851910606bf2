//! A launched run's kick-off form: the field definitions it copied at launch (in the
//! KickoffField shape), and its values.

use docket_domain::form_field;
use docket_domain::launch::KickoffField;
use docket_store::model::{LaunchField, RunRow};
use serde_json::{Map, Value};

use crate::http::template_fields::TemplateFieldJson;

/// A kick-off field definition in the KickoffField shape (the template field's own).
pub fn field_json(f: &LaunchField) -> Value {
    serde_json::to_value(TemplateFieldJson::new(f)).unwrap_or(Value::Null)
}

/// The definitions a launch copies onto its run (a JSON array).
pub fn snapshot(fields: &[LaunchField]) -> String {
    Value::Array(fields.iter().map(field_json).collect()).to_string()
}

/// The run's kick-off values (field id → value).
pub fn values(row: &RunRow) -> Map<String, Value> {
    serde_json::from_str(&row.prerun).unwrap_or_default()
}

fn stored_fields(row: &RunRow) -> Vec<Value> {
    serde_json::from_str(&row.kickoff_fields).unwrap_or_default()
}

/// Number of kick-off fields the run copied.
pub fn count(row: &RunRow) -> i64 {
    stored_fields(row).len() as i64
}

/// The run's kick-off fields, each with its `value`.
pub fn with_values(row: &RunRow) -> Vec<Value> {
    let values = values(row);
    stored_fields(row)
        .into_iter()
        .map(|mut f| {
            let value = f
                .get("id")
                .and_then(Value::as_str)
                .and_then(|id| values.get(id).cloned())
                .unwrap_or(Value::Null);
            if let Value::Object(m) = &mut f {
                m.insert("value".into(), value);
            }
            f
        })
        .collect()
}

/// The run's kick-off field definitions, as value checks read them.
pub fn definitions(row: &RunRow) -> Vec<KickoffField> {
    stored_fields(row)
        .iter()
        .filter_map(|f| {
            let text = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
            let id = text("id");
            if id.is_empty() {
                return None;
            }
            let list = |k: &str| f.get(k).map(Value::to_string).unwrap_or_else(|| "[]".into());
            let required = f.get("required").and_then(Value::as_bool).unwrap_or(false);
            let def = form_field::stored_def(
                &text("label"),
                &text("field_type"),
                required,
                &list("options"),
                &list("columns"),
            );
            Some(KickoffField { id, def })
        })
        .collect()
}

/// Checks the `file` values among kick-off `values` (`prerun` of a launch or a run update):
/// each asset they name must be one of the organization's that `me` may see (422 under
/// `prerun.{id}` otherwise); entries are filled from the assets. Returns the `file` values by
/// their key, for the store to check again as it writes.
pub async fn resolve_files(
    ctx: &crate::http::extract::Ctx,
    me: &docket_domain::Actor,
    fields: &[KickoffField],
    values: &mut Map<String, Value>,
    errors: &mut docket_domain::ValidationErrors,
) -> crate::error::Result<Vec<(String, Value)>> {
    let mut out = Vec::new();
    for f in fields.iter().filter(|f| f.def.field_type == "file") {
        let Some(v) = values.get(&f.id).filter(|v| !v.is_null()).cloned() else {
            continue;
        };
        let key = format!("prerun.{}", f.id);
        match crate::http::file_values::resolve_file_value(ctx, me, &v).await? {
            Ok(resolved) => {
                values.insert(f.id.clone(), resolved.clone());
                out.push((key, resolved));
            }
            Err(message) => errors.add(key, message),
        }
    }
    Ok(out)
}
