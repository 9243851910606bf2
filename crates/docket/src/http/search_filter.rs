//! The structured `filter` of S1, read from its folded query keys: an object is a condition
//! (`{type: field, field, operation, value}`), an array a group (`[{type: boolean, value:
//! AND|OR}, …]`); each field must be one every searched type supports.

use docket_domain::input;
use docket_domain::time::{end_of_day, parse_date, start_of_day};
use docket_store::query::{CompareOp, FilterValue, SearchField, SearchFilter};
use serde_json::{Map, Value};

/// How deep filter groups may nest.
const MAX_FILTER_DEPTH: usize = 8;

/// The comparison words and their operations.
const OPERATIONS: &[(&str, CompareOp)] = &[
    ("=", CompareOp::Eq),
    ("<>", CompareOp::Ne),
    ("!=", CompareOp::Ne),
    ("<", CompareOp::Lt),
    (">", CompareOp::Gt),
    ("<=", CompareOp::Le),
    (">=", CompareOp::Ge),
];

/// The message of a filter that cannot be read.
pub(super) fn malformed() -> String {
    "The filter is malformed.".into()
}

/// One node: an object is a condition, an array a group.
pub(super) fn node(v: &Value, allowed: &[&[(&str, SearchField)]], depth: usize) -> Result<SearchFilter, String> {
    if depth > MAX_FILTER_DEPTH {
        return Err("The filter is nested too deeply.".into());
    }
    match v {
        Value::Object(m) => condition(m, allowed),
        Value::Array(items) => group(items, allowed, depth),
        _ => Err(malformed()),
    }
}

/// A group: element 0 is `{type: boolean, value: AND|OR}`, the rest conditions or groups.
fn group(items: &[Value], allowed: &[&[(&str, SearchField)]], depth: usize) -> Result<SearchFilter, String> {
    let Some((head, rest)) = items.split_first() else {
        return Err(malformed());
    };
    let head = head.as_object().ok_or_else(malformed)?;
    let kind = head.get("type").and_then(Value::as_str).map(str::trim).unwrap_or("");
    if !kind.eq_ignore_ascii_case("boolean") {
        return Err("The first element of a filter group must be of type boolean.".into());
    }
    let any = match head.get("value").and_then(Value::as_str).map(str::trim) {
        Some(v) if v.eq_ignore_ascii_case("and") => false,
        Some(v) if v.eq_ignore_ascii_case("or") => true,
        _ => return Err("The boolean value of a filter group must be AND or OR.".into()),
    };
    if rest.is_empty() {
        return Err("A filter group needs at least one condition.".into());
    }
    let items = rest
        .iter()
        .map(|i| node(i, allowed, depth + 1))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SearchFilter::Group { any, items })
}

/// A condition: `{type: field, field, operation, value}` (`type` defaults to `field`,
/// `operation` to `=`).
fn condition(m: &Map<String, Value>, allowed: &[&[(&str, SearchField)]]) -> Result<SearchFilter, String> {
    let text = |key: &str| -> Result<Option<&str>, String> {
        match m.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(malformed()),
        }
    };
    let kind = text("type")?
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("field");
    if !kind.eq_ignore_ascii_case("field") {
        return Err("The filter type must be field (or boolean as the first element of a group).".into());
    }
    let Some(name) = text("field")?.map(str::trim).filter(|s| !s.is_empty()) else {
        return Err("The filter field is required.".into());
    };
    let op_word = text("operation")?
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("=");
    let Some((_, op)) = OPERATIONS.iter().find(|(w, _)| *w == op_word) else {
        return Err("The filter operation must be one of =, <>, !=, <, >, <=, >=.".into());
    };
    let Some(raw) = text("value")? else {
        return Err("The filter value is required.".into());
    };
    let lower = name.to_ascii_lowercase();
    let mut field = None;
    for list in allowed {
        match list.iter().find(|(n, _)| *n == lower) {
            Some((_, f)) => field = Some(*f),
            None => {
                let names: Vec<&str> = list.iter().map(|(n, _)| *n).collect();
                return Err(format!(
                    "The field {name} is not supported. Allowed fields: {}.",
                    names.join(", ")
                ));
            }
        }
    }
    let field = field.ok_or_else(malformed)?;
    let value = match field {
        SearchField::Title | SearchField::Description => FilterValue::Text(raw.to_string()),
        SearchField::Starter => {
            FilterValue::Int(input::parse_int(raw).ok_or("The filter value for starter must be a member id.")?)
        }
        SearchField::Date => {
            let day = parse_date(raw).ok_or("The filter value for date must be a date (YYYY-MM-DD).")?;
            FilterValue::Day {
                start: start_of_day(day),
                end: end_of_day(day),
            }
        }
    };
    Ok(SearchFilter::Compare { field, op: *op, value })
}
