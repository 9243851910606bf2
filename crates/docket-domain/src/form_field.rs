//! Form fields ("captures") on one-off tasks: definitions as given on create, and the per-type
//! value rules of `taskdata` (spec §2.5).

use serde_json::{Map, Value, json};

use crate::input::{Reader, coerce_bool, coerce_int};
use crate::validation::ValidationErrors;
use crate::{email, time};

/// Every accepted `field_type`.
pub const FIELD_TYPES: &[&str] = &[
    "text",
    "textarea",
    "radio",
    "dropdown",
    "multiselect",
    "number",
    "email",
    "url",
    "date",
    "time",
    "datetime",
    "checkbox",
    "file",
    "table",
    "assignees_form",
];

/// One choice of a radio/dropdown/multiselect field.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FieldOption {
    /// Unique within the field.
    pub id: i64,
    /// Display text; what a radio value must equal.
    pub text: String,
    /// Optional machine value.
    pub value: Value,
}

/// One column of a table field.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FieldColumn {
    /// Unique within the field.
    pub id: i64,
    /// Display label.
    pub label: String,
}

/// A validated field definition.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    /// Display label, 1–600 chars.
    pub label: String,
    /// Slug of the label.
    pub alias: String,
    /// One of [`FIELD_TYPES`].
    pub field_type: String,
    /// Help text.
    pub guidance: Option<String>,
    /// 1-based order.
    pub position: i64,
    /// Must be answered before completion.
    pub required: bool,
    /// Choices (radio, dropdown, multiselect).
    pub options: Vec<FieldOption>,
    /// Columns (table).
    pub columns: Vec<FieldColumn>,
    /// Whether a default is configured.
    pub default_value_enabled: bool,
    /// The default (not applied automatically).
    pub default_value: Value,
}

/// The alias of a label: lower-case, runs of non-alphanumerics become one `-`.
pub fn slug(label: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in label.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Reads `form_fields` of a create body; errors go under `form_fields.{i}.{key}`.
pub fn parse_definitions(items: &[Value], errors: &mut ValidationErrors) -> Vec<FieldDef> {
    let mut out = Vec::new();
    if !crate::limits::within(errors, "form_fields", items.len(), crate::limits::MAX_FORM_FIELDS) {
        return out;
    }
    for (i, item) in items.iter().enumerate() {
        let prefix = format!("form_fields.{i}");
        let Some(obj) = item.as_object() else {
            errors.add(prefix, "The form field must be an object.");
            continue;
        };
        let mut r = Reader::nested(obj, prefix.clone(), errors);
        let label = r.required_text(&["label"], 600);
        let field_type = match r.required_text(&["field_type"], 40) {
            Some(t) if FIELD_TYPES.contains(&t.to_ascii_lowercase().as_str()) => Some(t.to_ascii_lowercase()),
            Some(_) => {
                r.fail("field_type", "The selected field type is invalid.");
                None
            }
            None => None,
        };
        let required = match r.bool(&["required"]).set() {
            Some(b) => Some(b),
            None => {
                let path = r.path("required");
                if !r.errors().has(&path) {
                    r.fail("required", format!("The {prefix}.required field is required."));
                }
                None
            }
        };
        let guidance = r.string(&["guidance"]).set();
        let position = match r.int(&["position"]) {
            crate::input::Patch::Set(p) if p < 1 => {
                r.fail("position", "The position must be at least 1.");
                None
            }
            p => p.set(),
        };
        let default_value_enabled = r.bool(&["default_value_enabled"]).set().unwrap_or(false);
        let default_value = r.value(&["default_value"]).cloned().unwrap_or(Value::Null);
        let options_raw = r.value(&["options"]).cloned();
        let columns_raw = r.value(&["columns"]).cloned();
        let ft = field_type.clone().unwrap_or_default();
        let options = if matches!(ft.as_str(), "radio" | "dropdown" | "multiselect") {
            parse_choices(
                options_raw.as_ref(),
                &format!("{prefix}.options"),
                &["text", "label", "value"],
                errors,
            )
            .into_iter()
            .map(|(id, text, value)| FieldOption { id, text, value })
            .collect()
        } else {
            Vec::new()
        };
        let columns = if ft == "table" {
            parse_choices(
                columns_raw.as_ref(),
                &format!("{prefix}.columns"),
                &["label", "text"],
                errors,
            )
            .into_iter()
            .map(|(id, label, _)| FieldColumn { id, label })
            .collect()
        } else {
            Vec::new()
        };
        if let (Some(label), Some(field_type), Some(required)) = (label, field_type, required) {
            out.push(FieldDef {
                alias: slug(&label),
                label,
                field_type,
                guidance,
                position: position.unwrap_or(i as i64 + 1),
                required,
                options,
                columns,
                default_value_enabled,
                default_value,
            });
        }
    }
    out
}

/// Options or columns: strings or objects with one of `text_keys` and an optional integer `id`;
/// missing ids are numbered after the largest given one; ids must be unique.
fn parse_choices(
    raw: Option<&Value>,
    path: &str,
    text_keys: &[&str],
    errors: &mut ValidationErrors,
) -> Vec<(i64, String, Value)> {
    let Some(Value::Array(items)) = raw else {
        errors.add(path, format!("The {path} field is required."));
        return Vec::new();
    };
    if items.is_empty() {
        errors.add(path, format!("The {path} field is required."));
        return Vec::new();
    }
    if !crate::limits::within(errors, path, items.len(), crate::limits::MAX_CHOICES) {
        return Vec::new();
    }
    let mut parsed: Vec<(Option<i64>, String, Value)> = Vec::new();
    for (j, item) in items.iter().enumerate() {
        let at = format!("{path}.{j}");
        match item {
            Value::String(s) if !s.trim().is_empty() => parsed.push((None, s.trim().to_string(), Value::Null)),
            Value::Object(o) => {
                let f = crate::input::Fields::new(o);
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
                            errors.add(format!("{at}.id"), "The id must be a positive integer.");
                            continue;
                        }
                    },
                };
                match text {
                    Some(t) => parsed.push((id, t, f.get("value").cloned().unwrap_or(Value::Null))),
                    None => errors.add(
                        format!("{at}.{}", text_keys[0]),
                        format!("The {at}.{} field is required.", text_keys[0]),
                    ),
                }
            }
            _ => errors.add(at, "Each entry must be a non-empty string or an object."),
        }
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
            errors.add(format!("{path}.{j}.id"), "The ids must be unique within the field.");
        }
        out.push((id, text, value));
    }
    out
}

/// Whether `v` is an "empty" answer for `field_type`: it clears the value.
pub fn is_empty_value(field_type: &str, v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Bool(false) => !matches!(field_type, "checkbox"),
        Value::Number(n) => n.as_f64() == Some(0.0) && !matches!(field_type, "number" | "checkbox"),
        _ => false,
    }
}

/// Checks an answer against its field: `Ok(None)` clears it, `Ok(Some(v))` stores `v` (the
/// normalized form), `Err(message)` is a 422 on `taskdata.{id}`. `assignees_form` values are
/// only checked for shape here; the caller resolves them like `owners`. So are `file` values:
/// the caller checks the assets they name with [`crate::file_value::resolve`].
pub fn check_value(def: &FieldDef, v: &Value) -> Result<Option<Value>, String> {
    let ft = def.field_type.as_str();
    if is_empty_value(ft, v) {
        return Ok(None);
    }
    let bad = |what: &str| Err(format!("The value must be {what}."));
    let stored = match ft {
        "text" => match v {
            Value::String(s) if s.chars().count() > 200 => return bad("at most 200 characters"),
            Value::String(_) | Value::Number(_) | Value::Bool(_) => v.clone(),
            _ => return bad("a string, number or boolean"),
        },
        "textarea" => match v {
            Value::String(s) if s.chars().count() > 30_000 => return bad("at most 30000 characters"),
            Value::String(_) => v.clone(),
            _ => return bad("a string"),
        },
        "email" => match v {
            Value::String(s) if email::is_valid(s.trim()) => v.clone(),
            _ => return bad("a valid email address"),
        },
        "url" => match v {
            Value::String(s) if is_http_url(s) => v.clone(),
            _ => return bad("an absolute http or https URL"),
        },
        "number" => match v {
            Value::Number(_) => v.clone(),
            Value::String(s) => match s.trim().parse::<f64>() {
                Ok(n) if n.is_finite() => number_value(s.trim(), n),
                _ => return bad("a number"),
            },
            _ => return bad("a number"),
        },
        "date" | "datetime" => match v {
            Value::String(s) if time::parse_datetime(s).is_some() => v.clone(),
            _ => return bad("a valid date"),
        },
        "time" => match v {
            Value::String(s) if is_clock_time(s) => v.clone(),
            _ => return bad("a time HH:MM or HH:MM:SS"),
        },
        "checkbox" => match coerce_bool(v) {
            Some(b) => Value::Bool(b),
            None => return bad("true or false"),
        },
        "radio" => match v {
            Value::String(s) if def.options.iter().any(|o| &o.text == s) => v.clone(),
            _ => return Err("Invalid radio choice selected.".into()),
        },
        "dropdown" => match find_option(def, v) {
            Some(o) => json!({"id": o.id, "text": o.text, "value": o.value}),
            None => return Err("Invalid dropdown choice selected.".into()),
        },
        "multiselect" => {
            let Value::Array(items) = v else {
                return Err("Invalid multiselect choice selected.".into());
            };
            let mut out = Vec::new();
            for item in items {
                let option =
                    find_option(def, item).ok_or_else(|| String::from("Invalid multiselect choice selected."))?;
                let selected = match item.get("selected") {
                    None | Some(Value::Null) => true,
                    Some(s) => coerce_bool(s).ok_or_else(|| String::from("Invalid multiselect choice selected."))?,
                };
                out.push(json!({"id": option.id, "text": option.text, "value": option.value, "selected": selected}));
            }
            Value::Array(out)
        }
        "table" => {
            let Value::Array(cells) = v else {
                return bad("an array with one entry per column");
            };
            if cells.len() != def.columns.len() {
                return Err("Number of columns does not match required columns".into());
            }
            let scalar = |c: &Value| matches!(c, Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null);
            if !cells
                .iter()
                .all(|c| scalar(c) || c.as_array().is_some_and(|a| a.iter().all(scalar)))
            {
                return bad("an array of scalars or arrays of scalars");
            }
            v.clone()
        }
        "assignees_form" => match v {
            Value::Object(o)
                if o.values()
                    .all(|b| b.is_array() || b.is_null() || b.is_string() || b.is_number()) =>
            {
                v.clone()
            }
            _ => return bad("an object with users, guests and groups"),
        },
        "file" => crate::file_value::check_shape(v)?,
        _ => return bad("valid"),
    };
    Ok(Some(stored))
}

fn number_value(text: &str, n: f64) -> Value {
    if let Ok(i) = text.parse::<i64>() {
        return json!(i);
    }
    serde_json::Number::from_f64(n)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

fn is_http_url(s: &str) -> bool {
    let t = s.trim();
    let rest = t.strip_prefix("https://").or_else(|| t.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !t.chars().any(char::is_whitespace)
    })
}

fn is_clock_time(s: &str) -> bool {
    let parts: Vec<&str> = s.trim().split(':').collect();
    let num = |p: &str, max: u32| {
        p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u32>().is_ok_and(|n| n <= max)
    };
    match parts.as_slice() {
        [h, m] => num(h, 23) && num(m, 59),
        [h, m, sec] => num(h, 23) && num(m, 59) && num(sec, 59),
        _ => false,
    }
}

/// The option a dropdown/multiselect entry names: an object with `id` and/or `text` (both must
/// agree), a bare text, or a bare id.
fn find_option<'a>(def: &'a FieldDef, v: &Value) -> Option<&'a FieldOption> {
    match v {
        Value::String(s) => def.options.iter().find(|o| &o.text == s),
        Value::Number(_) => coerce_int(v).and_then(|id| def.options.iter().find(|o| o.id == id)),
        Value::Object(o) => {
            let id = o.get("id").filter(|x| !x.is_null()).map(coerce_int);
            let text = o
                .get("text")
                .filter(|x| !x.is_null())
                .map(|t| t.as_str().map(str::to_string));
            match (id, text) {
                (Some(Some(id)), Some(Some(text))) => def.options.iter().find(|x| x.id == id && x.text == text),
                (Some(Some(id)), None) => def.options.iter().find(|x| x.id == id),
                (None, Some(Some(text))) => def.options.iter().find(|x| x.text == text),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether a stored value answers the field (for the required-field check at completion).
pub fn is_answered(field_type: &str, value: &Value) -> bool {
    match field_type {
        "multiselect" => value
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x.get("selected") == Some(&Value::Bool(true)))),
        "checkbox" => value == &Value::Bool(true),
        _ => !value.is_null(),
    }
}

/// Options as stored (a JSON array).
pub fn options_json(options: &[FieldOption]) -> String {
    serde_json::to_string(options).unwrap_or_else(|_| "[]".into())
}

/// Columns as stored (a JSON array).
pub fn columns_json(columns: &[FieldColumn]) -> String {
    serde_json::to_string(columns).unwrap_or_else(|_| "[]".into())
}

/// Rebuilds a definition from stored columns (for value checks on update).
#[allow(clippy::too_many_arguments)]
pub fn stored_def(label: &str, field_type: &str, required: bool, options: &str, columns: &str) -> FieldDef {
    FieldDef {
        label: label.to_string(),
        alias: slug(label),
        field_type: field_type.to_string(),
        guidance: None,
        position: 1,
        required,
        options: serde_json::from_str(options).unwrap_or_default(),
        columns: serde_json::from_str(columns).unwrap_or_default(),
        default_value_enabled: false,
        default_value: Value::Null,
    }
}

/// An empty JSON object, for callers building `taskdata`.
pub fn empty_object() -> Map<String, Value> {
    Map::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defs(v: Value) -> (Vec<FieldDef>, ValidationErrors) {
        let mut errors = ValidationErrors::new();
        let d = parse_definitions(v.as_array().expect("array"), &mut errors);
        (d, errors)
    }

    #[test]
    fn definitions_are_validated_with_indexed_keys() {
        let (d, e) = defs(json!([
            {"label": "Hours", "field_type": "number", "required": true},
            {"label": "Pick", "field_type": "dropdown", "required": "false", "options": ["A", {"text": "B", "id": 7}, {"label": "C"}]},
            {"label": "Grid", "field_type": "table", "required": false, "columns": ["Item", {"label": "Qty"}]}
        ]));
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(d[0].alias, "hours");
        assert_eq!(d[1].options.iter().map(|o| o.id).collect::<Vec<_>>(), [8, 7, 9]);
        assert_eq!(d[2].columns.len(), 2);
        assert_eq!(d[2].position, 3);

        let (_, e) = defs(json!([
            {"field_type": "radio", "required": true},
            {"label": "X", "field_type": "hologram"},
            {"label": "Y", "field_type": "multiselect", "required": true, "options": []},
            {"label": "Z", "field_type": "radio", "required": true, "options": [{"text": "a", "id": 1}, {"text": "b", "id": 1}]}
        ]));
        for key in [
            "form_fields.0.label",
            "form_fields.0.options",
            "form_fields.1.field_type",
            "form_fields.1.required",
            "form_fields.2.options",
            "form_fields.3.options.1.id",
        ] {
            assert!(e.has(key), "missing {key}: {e:?}");
        }
    }

    fn field(ft: &str, extra: Value) -> FieldDef {
        let mut v = json!({"label": "F", "field_type": ft, "required": false});
        if let (Some(o), Some(x)) = (v.as_object_mut(), extra.as_object()) {
            o.extend(x.clone());
        }
        let (mut d, e) = defs(json!([v]));
        assert!(e.is_empty(), "{e:?}");
        d.remove(0)
    }

    #[test]
    fn values_are_checked_and_normalized_per_type() {
        let dd = field("dropdown", json!({"options": ["Yes", "No"]}));
        assert_eq!(
            check_value(&dd, &json!("No")),
            Ok(Some(json!({"id": 2, "text": "No", "value": null})))
        );
        assert_eq!(
            check_value(&dd, &json!({"id": 1, "text": "Yes"})),
            Ok(Some(json!({"id": 1, "text": "Yes", "value": null})))
        );
        assert!(check_value(&dd, &json!({"id": 1, "text": "No"})).is_err());
        let ms = field("multiselect", json!({"options": ["a", "b"]}));
        assert_eq!(
            check_value(&ms, &json!([{"id": 2}, {"text": "a", "selected": false}])),
            Ok(Some(
                json!([{"id": 2, "text": "b", "value": null, "selected": true}, {"id": 1, "text": "a", "value": null, "selected": false}])
            ))
        );
        let num = field("number", json!({}));
        assert_eq!(check_value(&num, &json!("38")), Ok(Some(json!(38))));
        assert_eq!(check_value(&num, &json!(0)), Ok(Some(json!(0))));
        assert!(check_value(&num, &json!("lots")).is_err());
        let cb = field("checkbox", json!({}));
        assert_eq!(check_value(&cb, &json!("yes")), Ok(Some(json!(true))));
        assert_eq!(check_value(&cb, &json!(false)), Ok(Some(json!(false))));
        let text = field("text", json!({}));
        assert_eq!(check_value(&text, &json!(false)), Ok(None));
        assert!(check_value(&text, &json!({"a": 1})).is_err());
        let ta = field("textarea", json!({}));
        assert!(check_value(&ta, &json!(5)).is_err());
        let radio = field("radio", json!({"options": ["Yes"]}));
        assert_eq!(
            check_value(&radio, &json!("yes")),
            Err("Invalid radio choice selected.".into())
        );
        let table = field("table", json!({"columns": ["a", "b"]}));
        assert_eq!(
            check_value(&table, &json!(["x"])),
            Err("Number of columns does not match required columns".into())
        );
        assert!(check_value(&table, &json!(["x", ["y", 1]])).is_ok());
        assert!(check_value(&field("time", json!({})), &json!("25:00")).is_err());
        assert!(check_value(&field("time", json!({})), &json!("09:30:15")).is_ok());
        assert!(check_value(&field("url", json!({})), &json!("ftp://x")).is_err());
        assert!(check_value(&field("date", json!({})), &json!("2024-07-15")).is_ok());
        assert!(check_value(&field("file", json!({})), &json!([{"filename": "a"}])).is_err());
    }

    #[test]
    fn answered_means_what_the_spec_says() {
        assert!(!is_answered("checkbox", &json!(false)));
        assert!(is_answered("checkbox", &json!(true)));
        assert!(!is_answered("multiselect", &json!([{"id": 1, "selected": false}])));
        assert!(is_answered("text", &json!("x")));
        assert_eq!(slug("Total hours (week)"), "total-hours-week");
    }
}
