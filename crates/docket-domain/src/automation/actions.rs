//! Reading one action of a rule body: type and verb (inferred when the type has one verb, the
//! type inferred from the verb), the target step, and the pieces each type needs.

use serde_json::{Map, Value};

use super::{ACTION_VERBS, Action, ActionDeadline, Catalog, deadline};
use crate::input::{Fields, coerce_int};
use crate::validation::ValidationErrors;

/// Longest `alias_name`, in characters.
const ALIAS_NAME_MAX: usize = 300;

/// An action read from a body, with the raw `assignees` object the caller still has to resolve
/// to member ids, guest emails and group ids (problems under `then_actions.{i}.assignees…`).
#[derive(Debug, Clone, PartialEq)]
pub struct ReadAction {
    /// The action; `assignees` is `None` until the caller resolves `raw_assignees`.
    pub action: Action,
    /// The `assignees` object as sent, when it names anyone.
    pub raw_assignees: Option<Value>,
}

fn lower(v: Option<&Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_ascii_lowercase()),
        _ => None,
    }
}

fn verbs_of(kind: &str) -> Option<&'static [&'static str]> {
    ACTION_VERBS.iter().find(|(t, _)| *t == kind).map(|(_, v)| *v)
}

fn type_of_verb(verb: &str) -> Option<&'static str> {
    ACTION_VERBS.iter().find(|(_, v)| v.contains(&verb)).map(|(t, _)| *t)
}

/// Whether an `assignees` value names anyone: an object with a non-empty bucket.
fn names_anyone(v: &Value) -> bool {
    let Some(o) = v.as_object() else {
        return !v.is_null();
    };
    let f = Fields::new(o);
    ["users", "guests", "groups"].iter().any(|k| match f.get(k) {
        None | Some(Value::Null) => false,
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(_) => true,
    })
}

/// An absolute http(s) URL with a host and no whitespace.
pub(super) fn is_http_url(s: &str) -> bool {
    let t = s.trim();
    let rest = t.strip_prefix("https://").or_else(|| t.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !t.chars().any(char::is_whitespace) && t.len() <= 2000
    })
}

fn read_deadline(
    f: &Fields<'_>,
    at: &dyn Fn(&str) -> String,
    catalog: &Catalog,
    errors: &mut ValidationErrors,
) -> Option<ActionDeadline> {
    let needs = "The deadline needs value, unit and option.";
    let Some(Value::Object(o)) = f.get("deadline") else {
        errors.add(at("deadline"), needs);
        return None;
    };
    let d = Fields::new(o);
    let present = |k: &str| {
        d.get(k)
            .is_some_and(|v| !v.is_null() && v != &Value::String(String::new()))
    };
    if !(present("value") && present("unit") && present("option")) {
        errors.add(at("deadline"), needs);
        return None;
    }
    let value = d.get("value").and_then(coerce_int).filter(|v| *v >= 0 && *v <= 100_000);
    if value.is_none() {
        errors.add(at("deadline.value"), "The deadline.value must be an integer.");
    }
    let unit = lower(d.get("unit")).and_then(|u| deadline::unit(&u));
    if unit.is_none() {
        errors.add(at("deadline.unit"), "The selected deadline.unit is invalid.");
    }
    let option = match lower(d.get("option")).as_deref() {
        Some("from" | "after") => Some("from"),
        Some("before" | "prior_to" | "prior-to") => Some("before"),
        _ => None,
    };
    if option.is_none() {
        errors.add(at("deadline.option"), "The selected deadline.option is invalid.");
    }
    let step = match d.get("step") {
        None | Some(Value::Null) => Some(None),
        Some(Value::String(s)) if s.trim().is_empty() => Some(None),
        Some(Value::String(s)) => {
            let s = s.trim();
            let date_field = |fd: Option<&super::CatalogField>| {
                fd.is_some_and(|fd| matches!(fd.field_type.as_str(), "date" | "datetime"))
            };
            if s == "start_run"
                || catalog.has_step(s)
                || date_field(catalog.capture(s))
                || date_field(catalog.kickoff_field(s))
            {
                Some(Some(s.to_string()))
            } else {
                None
            }
        }
        Some(_) => None,
    };
    if step.is_none() {
        errors.add(at("deadline.step"), "The selected deadline.step is invalid.");
    }
    Some(ActionDeadline {
        value: value?,
        unit: unit?.to_string(),
        option: option?.to_string(),
        step: step?,
    })
}

/// Reads action `index` (already merged with its stored form on update). Problems go under
/// `then_actions.{index}.…`; `None` when there was one.
pub(super) fn read(
    obj: &Map<String, Value>,
    index: usize,
    id: String,
    catalog: &Catalog,
    errors: &mut ValidationErrors,
) -> Option<ReadAction> {
    let f = Fields::new(obj);
    let at = |k: &str| format!("then_actions.{index}.{k}");
    let before = errors.entries().len();

    let mut kind = lower(f.get("action_type"));
    let mut verb = lower(f.get("action_verb"));
    if kind.is_none()
        && let Some(v) = &verb
    {
        kind = type_of_verb(v).map(str::to_string);
    }
    let verbs = kind.as_deref().and_then(verbs_of);
    match verbs {
        None => errors.add(at("action_type"), "The selected action type is invalid."),
        Some(verbs) => {
            if verb.is_none() && verbs.len() == 1 {
                verb = Some(verbs[0].to_string());
            }
            if !verb.as_deref().is_some_and(|v| verbs.contains(&v)) {
                errors.add(
                    at("action_verb"),
                    format!("The action verb must be one of: {}.", verbs.join(", ")),
                );
            }
        }
    }
    let kind = kind.unwrap_or_default();
    let verb = verb.unwrap_or_default();

    let target = match f.get("target_step_id") {
        Some(Value::String(s)) if catalog.has_step(s.trim()) => s.trim().to_string(),
        _ => {
            errors.add(at("target_step_id"), "The selected target step id is invalid.");
            String::new()
        }
    };

    let mut action = Action {
        id,
        action_type: kind.clone(),
        action_verb: verb.clone(),
        target_step_id: target,
        position: index as i64 + 1,
        ..Action::default()
    };
    let mut raw_assignees = None;
    match kind.as_str() {
        "deadline" => action.deadline = read_deadline(&f, &at, catalog, errors),
        "assignment" if verb != "clear_assignees" => {
            let raw = f.get("assignees").filter(|v| names_anyone(v));
            if let Some(v) = raw {
                if v.is_object() {
                    raw_assignees = Some(v.clone());
                } else {
                    errors.add(at("assignees"), "The assignees must be an object.");
                }
            }
            let actionable = match f.get("actionable_id") {
                Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
                None | Some(Value::Null) | Some(Value::String(_)) => None,
                Some(_) => {
                    errors.add(at("actionable_id"), "The selected actionable id is invalid.");
                    None
                }
            };
            if let Some(a) = actionable {
                let is_form = |fd: Option<&super::CatalogField>| fd.is_some_and(|fd| fd.field_type == "assignees_form");
                if is_form(catalog.capture(&a)) {
                    action.actionable_type = Some("field".into());
                    action.actionable_id = Some(a);
                } else if is_form(catalog.kickoff_field(&a)) {
                    action.actionable_type = Some("kickoff".into());
                    action.actionable_id = Some(a);
                } else {
                    errors.add(at("actionable_id"), "The selected actionable id is invalid.");
                }
            } else if raw.is_none() {
                errors.add(at("assignees"), "The assignees field is required for this action.");
            }
        }
        "webhook" => {
            match f.get("webhook_url") {
                Some(Value::String(s)) if is_http_url(s) => action.webhook_url = Some(s.trim().to_string()),
                _ => errors.add(at("webhook_url"), "The webhook url must be a valid URL."),
            }
            match f.get("alias_name") {
                Some(Value::String(s)) if s.trim().chars().count() > ALIAS_NAME_MAX => errors.add(
                    at("alias_name"),
                    format!("The alias name may not be greater than {ALIAS_NAME_MAX} characters."),
                ),
                Some(Value::String(s)) if !s.trim().is_empty() => action.alias_name = Some(s.trim().to_string()),
                _ => errors.add(at("alias_name"), "The alias name field is required."),
            }
        }
        _ => {}
    }

    if errors.entries().len() != before {
        return None;
    }
    Some(ReadAction { action, raw_assignees })
}
