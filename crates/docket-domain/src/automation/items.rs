//! Field conditions: a stored value turned into text items, and the operations on them.
//! Comparisons trim and ignore case.

use serde_json::Value;

use crate::form_field;

/// How a field is read: its type and, for tables, the labels of its columns in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldShape {
    /// The `field_type`.
    pub field_type: String,
    /// Column labels of a `table` field, in column order.
    pub columns: Vec<String>,
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The text items of a stored value. `column` restricts a table to the column with that label.
pub fn text_items(shape: &FieldShape, value: &Value, column: Option<&str>) -> Vec<String> {
    match shape.field_type.as_str() {
        "assignees_form" => Vec::new(),
        "dropdown" => match value {
            Value::Object(o) => o.get("text").and_then(scalar_text).into_iter().collect(),
            other => scalar_text(other).into_iter().collect(),
        },
        "multiselect" => match value {
            Value::Array(items) => items
                .iter()
                .filter_map(|i| match i {
                    Value::Object(o) if o.get("selected") != Some(&Value::Bool(false)) => {
                        o.get("text").and_then(scalar_text)
                    }
                    Value::Object(_) => None,
                    other => scalar_text(other),
                })
                .collect(),
            other => scalar_text(other).into_iter().collect(),
        },
        "table" => table_items(shape, value, column),
        "file" => match value {
            Value::Array(items) => items
                .iter()
                .filter_map(|i| match i {
                    Value::Object(o) => o.get("filename").or_else(|| o.get("name")).and_then(scalar_text),
                    other => scalar_text(other),
                })
                .collect(),
            other => scalar_text(other).into_iter().collect(),
        },
        _ => match value {
            Value::Array(items) => items.iter().filter_map(scalar_text).collect(),
            other => scalar_text(other).into_iter().collect(),
        },
    }
}

/// Every cell of a table value (an array of cells, each a scalar or an array of scalars, one
/// per column), or only the cells of the named column.
fn table_items(shape: &FieldShape, value: &Value, column: Option<&str>) -> Vec<String> {
    let Value::Array(cells) = value else {
        return scalar_text(value).into_iter().collect();
    };
    let wanted = column.map(|c| c.trim().to_lowercase());
    let mut out = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        if let Some(w) = &wanted {
            let label = shape.columns.get(i).map(|l| l.trim().to_lowercase());
            if label.as_deref() != Some(w.as_str()) {
                continue;
            }
        }
        match cell {
            Value::Array(a) => out.extend(a.iter().filter_map(scalar_text)),
            other => out.extend(scalar_text(other)),
        }
    }
    out
}

fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

fn number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

/// The candidates of an `equals_any` statement: an array's entries, or a comma list.
fn candidates(statement: &Value) -> Vec<String> {
    match statement {
        Value::Array(a) => a.iter().filter_map(scalar_text).collect(),
        other => scalar_text(other)
            .map(|s| s.split(',').map(str::to_string).collect())
            .unwrap_or_default(),
    }
}

/// Whether field operation `op` holds for `value` (`None` = the field has no value) against
/// `statement`. Unknown operations are false.
pub fn field_holds(
    op: &str,
    shape: &FieldShape,
    value: Option<&Value>,
    statement: &Value,
    column: Option<&str>,
) -> bool {
    let answered = value.is_some_and(|v| !v.is_null() && form_field::is_answered(&shape.field_type, v) && !blank(v));
    match op {
        "is_empty" => return !answered,
        "is_not_empty" => return answered,
        _ => {}
    }
    let items: Vec<String> = match value {
        Some(v) => text_items(shape, v, column).iter().map(|s| norm(s)).collect(),
        None => Vec::new(),
    };
    let stmt = scalar_text(statement).map(|s| norm(&s)).unwrap_or_default();
    match op {
        "equals" => items.contains(&stmt),
        "not_equals" => !items.contains(&stmt),
        "contains" => items.iter().any(|i| i.contains(&stmt)),
        "not_contains" => !items.iter().any(|i| i.contains(&stmt)),
        "equals_any" => {
            let cands: Vec<String> = candidates(statement)
                .iter()
                .map(|c| norm(c))
                .filter(|c| !c.is_empty())
                .collect();
            items.iter().any(|i| cands.contains(i))
        }
        "greater_than" | "less_than" => {
            let Some(s) = number(&stmt) else {
                return false;
            };
            items
                .iter()
                .filter_map(|i| number(i))
                .any(|n| if op == "greater_than" { n > s } else { n < s })
        }
        _ => false,
    }
}

/// A value that is present but carries nothing: a blank string, an empty array or object.
fn blank(v: &Value) -> bool {
    match v {
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.values().all(|x| {
            x.is_null() || x.as_array().is_some_and(Vec::is_empty) || x.as_str().is_some_and(|s| s.trim().is_empty())
        }),
        _ => false,
    }
}
