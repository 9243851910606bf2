//! Form field definitions of templates: a kick-off field (on the template) or a capture (on a
//! step). One reading serves both kinds, every place they are written from (a capture create or
//! update, a template's `prerun` list, a step's nested `captures`), with errors under a key
//! prefix the caller gives (`""`, `prerun.2`, `captures.0`), e.g. `prerun.2.options`.
//!
//! Creating: [`parse_new`]. Updating: [`parse_patch`], then [`FieldPatch::apply`] to the stored
//! definition; the options/columns rule is checked against the resulting type, so a type change
//! may rely on the options the field already has.

use serde_json::{Map, Value};

use crate::form_field::{FIELD_TYPES, FieldColumn, FieldOption};
use crate::input::{Fields, Patch, Reader, coerce_int};
use crate::limits::MAX_CHOICES;
use crate::validation::ValidationErrors;

/// Longest label, in characters.
pub const LABEL_MAX: usize = 600;

/// A complete, valid definition: everything a field stores except its identity (id, alias,
/// template, step), its position and its timestamps.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateFieldDef {
    /// 1–600 characters.
    pub label: String,
    /// One of [`FIELD_TYPES`], lower-case.
    pub field_type: String,
    /// Help text.
    pub guidance: Option<String>,
    /// Must be answered.
    pub required: bool,
    /// Choices; non-empty only for `radio` (≥ 2), `dropdown`, `multiselect` (≥ 1).
    pub options: Vec<FieldOption>,
    /// Columns; non-empty only for `table` (≥ 1).
    pub columns: Vec<FieldColumn>,
    /// Whether a default is configured.
    pub default_value_enabled: bool,
    /// The default (stored, never applied automatically); `Null` when none.
    pub default_value: Value,
    /// Stored flag.
    pub collect_time: bool,
    /// Stored flag.
    pub use_wysiwyg_editor: bool,
    /// Validation names, stored, not enforced.
    pub field_validation: Vec<String>,
    /// Shown before the value.
    pub prefix: Option<String>,
    /// Shown after the value.
    pub suffix: Option<String>,
    /// Free-form settings object.
    pub settings: Map<String, Value>,
}

impl TemplateFieldDef {
    /// Options as stored (a JSON array of `{id, text, value}`).
    pub fn options_json(&self) -> String {
        crate::form_field::options_json(&self.options)
    }

    /// Columns as stored (a JSON array of `{id, label}`).
    pub fn columns_json(&self) -> String {
        crate::form_field::columns_json(&self.columns)
    }

    /// `default_value` as stored: JSON text, or `None` for `null`.
    pub fn default_value_json(&self) -> Option<String> {
        (!self.default_value.is_null()).then(|| self.default_value.to_string())
    }

    /// `field_validation` as stored (a JSON array of strings).
    pub fn field_validation_json(&self) -> String {
        serde_json::to_string(&self.field_validation).unwrap_or_else(|_| "[]".into())
    }

    /// `settings` as stored (a JSON object).
    pub fn settings_json(&self) -> String {
        Value::Object(self.settings.clone()).to_string()
    }

    fn blank() -> Self {
        TemplateFieldDef {
            label: String::new(),
            field_type: String::new(),
            guidance: None,
            required: false,
            options: Vec::new(),
            columns: Vec::new(),
            default_value_enabled: false,
            default_value: Value::Null,
            collect_time: false,
            use_wysiwyg_editor: false,
            field_validation: Vec::new(),
            prefix: None,
            suffix: None,
            settings: Map::new(),
        }
    }
}

/// What one write body sent for a field: each key absent (`None`) or its new value. Raw
/// `options`/`columns` are kept until the type is known ([`FieldPatch::apply`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldPatch {
    /// New label.
    pub label: Option<String>,
    /// New type.
    pub field_type: Option<String>,
    /// New `required`.
    pub required: Option<bool>,
    /// New guidance (`Some(None)` clears it).
    pub guidance: Option<Option<String>>,
    /// Options as sent (`Null` when sent as `null`).
    pub options: Option<Value>,
    /// Columns as sent.
    pub columns: Option<Value>,
    /// New `default_value_enabled`.
    pub default_value_enabled: Option<bool>,
    /// New default value (`Null` clears it).
    pub default_value: Option<Value>,
    /// New `collect_time`.
    pub collect_time: Option<bool>,
    /// New `use_wysiwyg_editor`.
    pub use_wysiwyg_editor: Option<bool>,
    /// New validation names.
    pub field_validation: Option<Vec<String>>,
    /// New prefix (`Some(None)` clears it).
    pub prefix: Option<Option<String>>,
    /// New suffix (`Some(None)` clears it).
    pub suffix: Option<Option<String>>,
    /// New settings.
    pub settings: Option<Map<String, Value>>,
}

/// `prefix.key`, or `key` under the empty prefix.
pub fn key(prefix: &str, k: &str) -> String {
    if prefix.is_empty() {
        k.to_string()
    } else {
        format!("{prefix}.{k}")
    }
}

/// Reads a field definition for creating it. `label`, `field_type` and `required` are required;
/// `position`, `id`, `alias` and the other read-only keys are not read here (see [`entry_id`],
/// [`entry_position`]). `None` when anything is wrong (recorded under `prefix`).
pub fn parse_new(obj: &Map<String, Value>, prefix: &str, errors: &mut ValidationErrors) -> Option<TemplateFieldDef> {
    let before = errors.entries().len();
    let patch = parse_patch(obj, prefix, errors);
    let f = Fields::new(obj);
    if patch.label.is_none() && !errors.has(&key(prefix, "label")) {
        errors.add(key(prefix, "label"), "The label field is required.");
    }
    if patch.field_type.is_none() && !errors.has(&key(prefix, "field_type")) {
        let msg = if f.get("field_type").is_some_and(|v| !v.is_null()) {
            "The selected field type is invalid."
        } else {
            "The field type field is required."
        };
        errors.add(key(prefix, "field_type"), msg);
    }
    if patch.required.is_none() && !errors.has(&key(prefix, "required")) {
        errors.add(key(prefix, "required"), "The required field is required.");
    }
    let mut base = TemplateFieldDef::blank();
    // With an unknown type the options rule has nothing to go by: skip it.
    if patch.field_type.is_none() {
        base.field_type = "text".into();
    }
    let def = patch.apply(&base, prefix, errors);
    (errors.entries().len() == before).then_some(def)
}

/// [`parse_new`] of a value that must be an object (entries of `prerun` or `captures`).
pub fn parse_new_value(v: &Value, prefix: &str, errors: &mut ValidationErrors) -> Option<TemplateFieldDef> {
    match v.as_object() {
        Some(obj) => parse_new(obj, prefix, errors),
        None => {
            errors.add(prefix, "The form field must be an object.");
            None
        }
    }
}

/// The `id` an entry carries (a list entry of an existing field, or an imported one), if any.
pub fn entry_id(obj: &Map<String, Value>) -> Option<String> {
    match Fields::new(obj).get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

/// The integer `position` an entry carries, if any (a sort key for ordered lists).
pub fn entry_position(obj: &Map<String, Value>) -> Option<i64> {
    Fields::new(obj).get("position").and_then(coerce_int)
}

/// Reads the keys of a definition that were sent, each checked on its own (the options and
/// columns rule waits for [`FieldPatch::apply`]).
pub fn parse_patch(obj: &Map<String, Value>, prefix: &str, errors: &mut ValidationErrors) -> FieldPatch {
    // Messages name the field's own key (`The label field is required.`); keys carry the prefix.
    let mut local = ValidationErrors::new();
    let mut r = Reader::new(obj, &mut local);
    let mut p = FieldPatch::default();
    if r.has(&["label"]) {
        match r.text(&["label"], LABEL_MAX) {
            Patch::Set(s) => p.label = Some(s),
            Patch::Null => r.fail("label", "The label field is required."),
            Patch::Absent => {}
        }
    }
    match r.value(&["field_type"]) {
        None => {}
        Some(Value::String(s)) if FIELD_TYPES.contains(&s.trim().to_ascii_lowercase().as_str()) => {
            p.field_type = Some(s.trim().to_ascii_lowercase());
        }
        Some(Value::Null) => r.fail("field_type", "The field type field is required."),
        Some(_) => r.fail("field_type", "The selected field type is invalid."),
    }
    match r.bool(&["required"]) {
        Patch::Set(b) => p.required = Some(b),
        Patch::Null => r.fail("required", "The required field is required."),
        Patch::Absent => {}
    }
    p.guidance = opt_string(&mut r, "guidance");
    p.prefix = opt_string(&mut r, "prefix");
    p.suffix = opt_string(&mut r, "suffix");
    p.options = r.value(&["options"]).cloned();
    p.columns = r.value(&["columns"]).cloned();
    p.default_value_enabled = flag(&mut r, "default_value_enabled");
    p.collect_time = flag(&mut r, "collect_time");
    p.use_wysiwyg_editor = flag(&mut r, "use_wysiwyg_editor");
    p.default_value = r.value(&["default_value"]).cloned();
    p.field_validation = match r.value(&["field_validation"]) {
        None => None,
        Some(Value::Null) => Some(Vec::new()),
        Some(Value::String(s)) => Some(split_validation(s)),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .flat_map(split_validation)
                .collect(),
        ),
        Some(_) => {
            r.fail(
                "field_validation",
                "The field validation must be a string or an array of strings.",
            );
            None
        }
    };
    p.settings = match r.value(&["settings"]) {
        None => None,
        Some(Value::Null) => Some(Map::new()),
        Some(Value::Object(o)) => Some(o.clone()),
        Some(_) => {
            r.fail("settings", "The settings must be an object.");
            None
        }
    };
    for (k, msgs) in local.entries() {
        for m in msgs {
            errors.add(key(prefix, k), m.clone());
        }
    }
    p
}

fn opt_string(r: &mut Reader<'_, '_>, k: &str) -> Option<Option<String>> {
    match r.string(&[k]) {
        Patch::Set(s) => Some(Some(s)),
        Patch::Null => Some(None),
        Patch::Absent => None,
    }
}

fn flag(r: &mut Reader<'_, '_>, k: &str) -> Option<bool> {
    match r.bool(&[k]) {
        Patch::Set(b) => Some(b),
        Patch::Null => Some(false),
        Patch::Absent => None,
    }
}

/// `"a|b"` → `["a", "b"]` (blank parts dropped).
fn split_validation(s: &str) -> Vec<String> {
    s.split('|')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

impl FieldPatch {
    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        self == &FieldPatch::default()
    }

    /// The definition `current` becomes under this patch. The options rule (`radio` ≥ 2,
    /// `dropdown`/`multiselect` ≥ 1) and the columns rule (`table` ≥ 1) are checked against the
    /// resulting type, with the sent list or else the current one; other types keep no options
    /// or columns. Errors go under `prefix`.
    pub fn apply(&self, current: &TemplateFieldDef, prefix: &str, errors: &mut ValidationErrors) -> TemplateFieldDef {
        let mut d = current.clone();
        if let Some(l) = &self.label {
            d.label = l.clone();
        }
        if let Some(t) = &self.field_type {
            d.field_type = t.clone();
        }
        if let Some(b) = self.required {
            d.required = b;
        }
        if let Some(g) = &self.guidance {
            d.guidance = g.clone();
        }
        if let Some(x) = &self.prefix {
            d.prefix = x.clone();
        }
        if let Some(x) = &self.suffix {
            d.suffix = x.clone();
        }
        if let Some(b) = self.default_value_enabled {
            d.default_value_enabled = b;
        }
        if let Some(v) = &self.default_value {
            d.default_value = v.clone();
        }
        if let Some(b) = self.collect_time {
            d.collect_time = b;
        }
        if let Some(b) = self.use_wysiwyg_editor {
            d.use_wysiwyg_editor = b;
        }
        if let Some(v) = &self.field_validation {
            d.field_validation = v.clone();
        }
        if let Some(s) = &self.settings {
            d.settings = s.clone();
        }
        let min_options = match d.field_type.as_str() {
            "radio" => 2,
            "dropdown" | "multiselect" => 1,
            _ => 0,
        };
        if min_options == 0 {
            d.options.clear();
        } else {
            if let Some(raw) = &self.options {
                d.options = choices(raw, prefix, "options", &["text", "label", "value"], errors)
                    .into_iter()
                    .map(|(id, text, value)| FieldOption { id, text, value })
                    .collect();
            }
            let path = key(prefix, "options");
            if !errors.entries().iter().any(|(k, _)| k.starts_with(&path)) {
                if d.options.is_empty() {
                    errors.add(path, "The options field is required.");
                } else if d.options.len() < min_options {
                    errors.add(path, format!("The options must have at least {min_options} items."));
                }
            }
        }
        if d.field_type == "table" {
            if let Some(raw) = &self.columns {
                d.columns = choices(raw, prefix, "columns", &["label", "text"], errors)
                    .into_iter()
                    .map(|(id, label, _)| FieldColumn { id, label })
                    .collect();
            }
            let path = key(prefix, "columns");
            if d.columns.is_empty() && !errors.entries().iter().any(|(k, _)| k.starts_with(&path)) {
                errors.add(path, "The columns field is required.");
            }
        } else {
            d.columns.clear();
        }
        d
    }
}

/// Options or columns as sent: `null`/absent → none; each entry a non-empty string or an
/// object with one of `text_keys` and an optional positive integer `id`. Missing ids are
/// numbered `max(given id) + 1` onwards in order; a repeated id is an error.
fn choices(
    raw: &Value,
    prefix: &str,
    name: &str,
    text_keys: &[&str],
    errors: &mut ValidationErrors,
) -> Vec<(i64, String, Value)> {
    let items = match raw {
        Value::Null => return Vec::new(),
        Value::Array(items) => items,
        _ => {
            errors.add(key(prefix, name), format!("The {name} must be an array."));
            return Vec::new();
        }
    };
    let path = key(prefix, name);
    if !crate::limits::within(errors, &path, items.len(), MAX_CHOICES) {
        return Vec::new();
    }
    let mut parsed: Vec<(Option<i64>, String, Value)> = Vec::new();
    let mut bad = false;
    for (j, item) in items.iter().enumerate() {
        match item {
            Value::String(s) if !s.trim().is_empty() => parsed.push((None, s.trim().to_string(), Value::Null)),
            Value::Object(o) => {
                let f = Fields::new(o);
                let text = text_keys.iter().find_map(|k| match f.get(k) {
                    Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
                    Some(Value::Number(n)) => Some(n.to_string()),
                    _ => None,
                });
                let id = match f.get("id") {
                    None | Some(Value::Null) => None,
                    Some(v) => match coerce_int(v) {
                        Some(id) if id >= 1 => Some(id),
                        _ => {
                            errors.add(
                                format!("{path}.{j}.id"),
                                format!("The {name}.{j}.id must be a positive integer."),
                            );
                            bad = true;
                            continue;
                        }
                    },
                };
                match text {
                    Some(t) => parsed.push((id, t, f.get("value").cloned().unwrap_or(Value::Null))),
                    None => {
                        errors.add(
                            format!("{path}.{j}.{}", text_keys[0]),
                            format!("The {name}.{j}.{} field is required.", text_keys[0]),
                        );
                        bad = true;
                    }
                }
            }
            _ => {
                errors.add(
                    format!("{path}.{j}"),
                    format!("The {name}.{j} must be a non-empty string or an object."),
                );
                bad = true;
            }
        }
    }
    if bad {
        return Vec::new();
    }
    let mut next = parsed.iter().filter_map(|(id, _, _)| *id).max().unwrap_or(0);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (j, (id, text, value)) in parsed.into_iter().enumerate() {
        let id = id.unwrap_or_else(|| {
            next += 1;
            next
        });
        if !seen.insert(id) {
            errors.add(
                format!("{path}.{j}.id"),
                format!("The {name}.{j}.id has already been taken."),
            );
        }
        out.push((id, text, value));
    }
    out
}

#[cfg(test)]
mod tests;
