//! Reading a rule body (AU1 create, AU2 partial update) against the template's catalog.
//!
//! On update, `conditions` and `then_actions`, when sent, are synchronised by id: an entry with
//! the id of a stored entry updates it (the stored entry with the sent keys laid over it), an
//! entry without a known id is created, stored entries not sent are deleted. A list sent empty
//! is refused as on create. Positions follow the order of the list.

use serde_json::{Map, Value};

pub use super::actions::ReadAction;
use super::{Catalog, Condition, RuleDef, actions, conditions};
use crate::ids;
use crate::input::{Fields, Reader};
use crate::validation::ValidationErrors;

/// Longest `automated_alias`, in characters.
pub const ALIAS_MAX: usize = 300;
/// Most conditions, and most actions, of one rule.
pub const MAX_ENTRIES: usize = 100;

/// A rule read from a body. `def.then_actions[i].assignees` is still `None` where
/// `pending_assignees` holds `(i, raw)`: the caller resolves `raw` (a `{users, guests, groups}`
/// object, problems under `then_actions.{i}.assignees`) and stores the result there.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// The rule as it will be stored and emitted.
    pub def: RuleDef,
    /// Assignees objects to resolve, by action index.
    pub pending_assignees: Vec<(usize, Value)>,
}

/// Reads an AU1 body. `rule_count` is the number of rules the template has (for the default
/// alias `Rule {n}`).
pub fn parse_create(
    body: &Map<String, Value>,
    catalog: &Catalog,
    rule_count: usize,
    errors: &mut ValidationErrors,
) -> Option<Draft> {
    let empty = RuleDef::default();
    let default_alias = format!("Rule {}", rule_count + 1);
    read(body, &empty, catalog, Some(default_alias), errors)
}

/// Reads an AU2 body against the stored rule `stored`.
pub fn parse_update(
    body: &Map<String, Value>,
    stored: &RuleDef,
    catalog: &Catalog,
    errors: &mut ValidationErrors,
) -> Option<Draft> {
    read(body, stored, catalog, None, errors)
}

fn normalized(k: &str) -> String {
    k.chars()
        .filter(|c| *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// `stored` with every key of `sent` laid over it (keys matched ignoring case and `_`).
fn overlay(stored: Option<Map<String, Value>>, sent: &Map<String, Value>) -> Map<String, Value> {
    let mut out = stored.unwrap_or_default();
    for (k, v) in sent {
        let n = normalized(k);
        out.retain(|sk, _| normalized(sk) != n);
        out.insert(k.clone(), v.clone());
    }
    out
}

/// The id a sent entry keeps: its `id` when it names a stored entry.
fn known_id<'a>(entry: &Map<String, Value>, stored_ids: &'a [String]) -> Option<&'a String> {
    match Fields::new(entry).get("id") {
        Some(Value::String(s)) => stored_ids.iter().find(|id| *id == s.trim()),
        _ => None,
    }
}

/// The list under `keys` when sent: `None` absent; refused (recorded) when not a non-empty
/// array of at most [`MAX_ENTRIES`] entries.
fn list<'a>(r: &mut Reader<'a, '_>, keys: &[&str], label: &str, required: bool) -> Option<Option<&'a Vec<Value>>> {
    let key = keys[0];
    let required_msg = format!("The {label} field is required.");
    match r.value(keys) {
        None if required => {
            r.fail(key, required_msg);
            None
        }
        None => Some(None),
        Some(Value::Array(a)) if a.is_empty() => {
            r.fail(key, required_msg);
            None
        }
        Some(Value::Array(a)) if a.len() > MAX_ENTRIES => {
            r.fail(key, format!("The {label} may not have more than {MAX_ENTRIES} items."));
            None
        }
        Some(Value::Array(a)) => Some(Some(a)),
        Some(Value::Null) => {
            r.fail(key, required_msg);
            None
        }
        Some(_) => {
            r.fail(key, format!("The {label} must be an array."));
            None
        }
    }
}

fn read(
    body: &Map<String, Value>,
    stored: &RuleDef,
    catalog: &Catalog,
    default_alias: Option<String>,
    errors: &mut ValidationErrors,
) -> Option<Draft> {
    let creating = default_alias.is_some();
    let mut r = Reader::new(body, errors);
    let alias = match r.text(&["automated_alias", "alias"], ALIAS_MAX) {
        crate::input::Patch::Set(s) => Some(s),
        _ => default_alias,
    };
    let logic_default = match r.value(&["condition_logic"]) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => match conditions::logic(s) {
            Some(l) => Some(l),
            None => {
                r.fail("condition_logic", "The selected condition logic is invalid.");
                None
            }
        },
        Some(_) => {
            r.fail("condition_logic", "The selected condition logic is invalid.");
            None
        }
    };
    let sent_conditions = list(&mut r, &["conditions"], "conditions", creating);
    let sent_actions = list(&mut r, &["then_actions", "actions"], "then actions", creating);

    let mut def = stored.clone();
    if let Some(a) = alias {
        def.automated_alias = a;
    }

    if let Some(Some(entries)) = sent_conditions {
        let stored_ids: Vec<String> = stored.conditions.iter().map(|c| c.id.clone()).collect();
        let mut out: Vec<Condition> = Vec::new();
        let mut used: Vec<String> = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            let Some(obj) = entry.as_object() else {
                errors.add(
                    format!("conditions.{i}"),
                    format!("The conditions.{i} must be an object."),
                );
                continue;
            };
            let mut sent = obj.clone();
            if let Some(l) = logic_default
                && Fields::new(obj).get("logic").is_none_or(Value::is_null)
            {
                sent.retain(|k, _| normalized(k) != "logic");
                sent.insert("logic".into(), Value::String(l.into()));
            }
            let id = known_id(obj, &stored_ids).filter(|id| !used.contains(id)).cloned();
            let base = id.as_ref().and_then(|id| {
                let c = stored.conditions.iter().find(|c| &c.id == id)?;
                serde_json::to_value(c).ok()?.as_object().cloned()
            });
            let merged = overlay(base, &sent);
            let id = match id {
                Some(id) => {
                    used.push(id.clone());
                    id
                }
                None => ids::new_id32(),
            };
            if let Some(c) = conditions::read(&merged, i, id, catalog, errors) {
                out.push(c);
            }
        }
        def.conditions = out;
    }

    let mut pending_assignees = Vec::new();
    if let Some(Some(entries)) = sent_actions {
        let stored_ids: Vec<String> = stored.then_actions.iter().map(|a| a.id.clone()).collect();
        let mut out = Vec::new();
        let mut used: Vec<String> = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            let Some(obj) = entry.as_object() else {
                errors.add(
                    format!("then_actions.{i}"),
                    format!("The then_actions.{i} must be an object."),
                );
                continue;
            };
            let id = known_id(obj, &stored_ids).filter(|id| !used.contains(id)).cloned();
            let base = id.as_ref().and_then(|id| {
                let a = stored.then_actions.iter().find(|a| &a.id == id)?;
                serde_json::to_value(a).ok()?.as_object().cloned()
            });
            let merged = overlay(base, obj);
            let id = match id {
                Some(id) => {
                    used.push(id.clone());
                    id
                }
                None => ids::new_id32(),
            };
            if let Some(ReadAction { action, raw_assignees }) = actions::read(&merged, i, id, catalog, errors) {
                if let Some(raw) = raw_assignees {
                    pending_assignees.push((i, raw));
                }
                out.push(action);
            }
        }
        def.then_actions = out;
    }

    // A status action may not reopen the step its own rule watches.
    let watched: Vec<&str> = def
        .conditions
        .iter()
        .filter(|c| c.conditionable_type == "Step")
        .map(|c| c.conditionable_id.as_str())
        .collect();
    for a in &def.then_actions {
        if a.action_verb == "reopen" && watched.contains(&a.target_step_id.as_str()) {
            errors.add(
                format!("then_actions.{}.target_step_id", a.position - 1),
                "A status action cannot reopen the step its own rule watches.",
            );
        }
    }

    if !errors.is_empty() {
        return None;
    }
    Some(Draft { def, pending_assignees })
}
