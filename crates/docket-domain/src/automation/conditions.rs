//! Reading one condition of a rule body: type spellings, the conditionable against the
//! template's catalog, operations per type, statements and time clauses, and `logic`.

use serde_json::{Map, Value};

use super::{Catalog, Condition, FIELD_OPERATIONS, STEP_OPERATIONS};
use crate::input::Fields;
use crate::validation::ValidationErrors;

/// The emitted `conditionable_type` of an accepted spelling (case-insensitive).
pub(super) fn conditionable_type(raw: &str) -> Option<&'static str> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "step" => Some("Step"),
        "capture" | "field" | "form_field" | "formfield" => Some("Capture"),
        "prerun" | "kickoff" | "kickoff_field" | "kickofffield" => Some("Prerun"),
        _ => None,
    }
}

/// The emitted time clause of a Step condition's statement; `null`/absent/blank is `any_time`.
fn time_clause(v: Option<&Value>) -> Option<&'static str> {
    let s = match v {
        None | Some(Value::Null) => return Some("any_time"),
        Some(Value::String(s)) => s.trim().to_ascii_lowercase(),
        Some(_) => return None,
    };
    match s.as_str() {
        "" | "any_time" | "any-time" | "anytime" => Some("any_time"),
        "on-time" | "on_time" | "ontime" => Some("on-time"),
        "early_24" | "early-24" => Some("early_24"),
        "late_24" | "late-24" => Some("late_24"),
        _ => None,
    }
}

/// `and` / `or` (any case).
pub(super) fn logic(raw: &str) -> Option<&'static str> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "and" => Some("and"),
        "or" => Some("or"),
        _ => None,
    }
}

/// Whether `v` is a usable compared value: a non-blank string, a number or a boolean; for
/// `equals_any` also a non-empty array of those.
fn compared_value(v: &Value, many: bool) -> bool {
    match v {
        Value::String(s) => !s.trim().is_empty(),
        Value::Number(_) | Value::Bool(_) => true,
        Value::Array(a) if many => {
            !a.is_empty()
                && a.iter()
                    .all(|x| matches!(x, Value::String(_) | Value::Number(_) | Value::Bool(_)))
        }
        _ => false,
    }
}

/// Reads condition `index` (already merged with its stored form on update). Problems go under
/// `conditions.{index}.…`; `None` when there was one.
pub(super) fn read(
    obj: &Map<String, Value>,
    index: usize,
    id: String,
    catalog: &Catalog,
    errors: &mut ValidationErrors,
) -> Option<Condition> {
    let f = Fields::new(obj);
    let at = |k: &str| format!("conditions.{index}.{k}");
    let before = errors.entries().len();

    let kind = match f.get("conditionable_type") {
        Some(Value::String(s)) => conditionable_type(s),
        _ => None,
    };
    if kind.is_none() {
        errors.add(at("conditionable_type"), "The selected conditionable type is invalid.");
    }

    let target = match f.get("conditionable_id") {
        Some(Value::String(s)) => s.trim().to_string(),
        _ => String::new(),
    };
    if let Some(kind) = kind {
        let known = match kind {
            "Step" => catalog.has_step(&target),
            "Capture" => catalog.capture(&target).is_some(),
            _ => catalog.kickoff_field(&target).is_some(),
        };
        if !known {
            errors.add(at("conditionable_id"), "The selected conditionable id is invalid.");
        }
    }

    let operation = match f.get("operation") {
        Some(Value::String(s)) => s.trim().to_ascii_lowercase(),
        _ => String::new(),
    };
    let allowed: &[&str] = match kind {
        Some("Step") => STEP_OPERATIONS,
        Some(_) => FIELD_OPERATIONS,
        None => &[],
    };
    let operation_ok = allowed.contains(&operation.as_str());
    if kind.is_some() && !operation_ok {
        errors.add(at("operation"), "The selected operation is invalid.");
    }

    let raw_statement = f.get("statement");
    let statement = match kind {
        Some("Step") => match time_clause(raw_statement) {
            Some(c) => Value::String(c.into()),
            None => {
                errors.add(at("statement"), "The selected statement is invalid.");
                Value::Null
            }
        },
        Some(_) if operation_ok => match operation.as_str() {
            "is_empty" | "is_not_empty" => Value::Null,
            op => match raw_statement {
                Some(v) if compared_value(v, op == "equals_any") => v.clone(),
                None | Some(Value::Null) => {
                    errors.add(at("statement"), "The statement field is required.");
                    Value::Null
                }
                Some(Value::String(s)) if s.trim().is_empty() => {
                    errors.add(at("statement"), "The statement field is required.");
                    Value::Null
                }
                Some(_) => {
                    errors.add(at("statement"), "The selected statement is invalid.");
                    Value::Null
                }
            },
        },
        _ => Value::Null,
    };

    let logic = match f.get("logic") {
        None | Some(Value::Null) => "and",
        Some(Value::String(s)) if s.trim().is_empty() => "and",
        Some(Value::String(s)) => logic(s).unwrap_or_else(|| {
            errors.add(at("logic"), "The selected logic is invalid.");
            "and"
        }),
        Some(_) => {
            errors.add(at("logic"), "The selected logic is invalid.");
            "and"
        }
    };

    let column = match f.get("column_contains_name") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) if s.chars().count() <= 600 => Some(s.trim().to_string()),
        Some(Value::String(_)) => {
            errors.add(
                at("column_contains_name"),
                "The column contains name may not be greater than 600 characters.",
            );
            None
        }
        Some(_) => {
            errors.add(at("column_contains_name"), "The column contains name must be a string.");
            None
        }
    };

    if errors.entries().len() != before {
        return None;
    }
    Some(Condition {
        id,
        conditionable_id: target,
        conditionable_type: kind.unwrap_or_default().to_string(),
        operation,
        statement,
        logic: logic.to_string(),
        position: index as i64 + 1,
        column_contains_name: column,
    })
}
