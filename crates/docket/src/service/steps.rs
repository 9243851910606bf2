//! Steps and captures of templates: resolving a step body's assignee buckets and tags (members
//! by id, email or username; guests by email, created when the step is saved; groups by id;
//! tags by id or title), and the one mapping of step and capture refusals to errors.

use docket_domain::step::{ARCHIVED, StepPatch};
use docket_domain::{ValidationErrors, email, input, limits};
use docket_store::model::{StepRefusal, TagTarget};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::state::AppState;

/// A bucket as a list: an array, a single scalar/object as one entry, `null` as none.
fn entries(v: &Value) -> Vec<&Value> {
    match v {
        Value::Null => Vec::new(),
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    }
}

/// Reads `assignees`, `guests`, `groups` (each replaces its list when present) into `patch`
/// and returns the `tags` to set (`None` when absent). Problems go under `assignees.{i}`,
/// `guests.{i}`, `groups.{i}`, `tags.{i}`.
pub async fn resolve_buckets(
    state: &AppState,
    org: &str,
    body: &Map<String, Value>,
    patch: &mut StepPatch,
    errors: &mut ValidationErrors,
) -> Result<Option<Vec<TagTarget>>> {
    let fields = input::Fields::new(body);
    if let Some(v) = fields.get_any(&["assignees", "users"]) {
        let bucket = entries(v);
        let mut out: Vec<i64> = Vec::new();
        if limits::within(errors, "assignees", bucket.len(), limits::MAX_OWNERS) {
            for (i, entry) in bucket.into_iter().enumerate() {
                let raw = match entry {
                    Value::Object(o) => input::Fields::new(o).get("id").cloned().unwrap_or(Value::Null),
                    other => other.clone(),
                };
                let member = match (&raw, input::coerce_int(&raw)) {
                    (_, Some(id)) => state.store.member(org, id).await?.map(|m| m.id),
                    (Value::String(s), None) if !s.trim().is_empty() => {
                        state.store.find_member(org, s.trim()).await?.map(|m| m.id)
                    }
                    _ => None,
                };
                match member {
                    Some(id) if !out.contains(&id) => out.push(id),
                    Some(_) => {}
                    None => errors.add(
                        format!("assignees.{i}"),
                        format!("The selected assignees.{i} is invalid."),
                    ),
                }
            }
        }
        patch.assignees = Some(out);
    }
    if let Some(v) = fields.get("guests") {
        let bucket = entries(v);
        let mut out: Vec<String> = Vec::new();
        if limits::within(errors, "guests", bucket.len(), limits::MAX_OWNERS) {
            for (i, entry) in bucket.into_iter().enumerate() {
                let key = format!("guests.{i}");
                let raw = match entry {
                    Value::Object(o) => input::Fields::new(o).get("email").cloned().unwrap_or(Value::Null),
                    other => other.clone(),
                };
                let Some(addr) = raw.as_str().map(email::normalize).filter(|e| email::is_valid(e)) else {
                    errors.add(key.clone(), format!("The {key} must be a valid email address."));
                    continue;
                };
                if state
                    .store
                    .find_member(org, &addr)
                    .await?
                    .is_some_and(|m| m.email == addr)
                {
                    errors.add(
                        key.clone(),
                        format!("The {key} belongs to a member; assign members through assignees."),
                    );
                    continue;
                }
                if !out.contains(&addr) {
                    out.push(addr);
                }
            }
        }
        patch.guests = Some(out);
    }
    if let Some(v) = fields.get("groups") {
        let bucket = entries(v);
        let mut out: Vec<String> = Vec::new();
        if limits::within(errors, "groups", bucket.len(), limits::MAX_OWNERS) {
            for (i, entry) in bucket.into_iter().enumerate() {
                let raw = match entry {
                    Value::Object(o) => input::Fields::new(o).get("id").cloned().unwrap_or(Value::Null),
                    other => other.clone(),
                };
                let group = match raw.as_str() {
                    Some(id) if !id.trim().is_empty() => state.store.group(org, id.trim()).await?,
                    _ => None,
                };
                match group {
                    Some(g) if !out.contains(&g.id) => out.push(g.id),
                    Some(_) => {}
                    None => errors.add(format!("groups.{i}"), format!("The selected groups.{i} is invalid.")),
                }
            }
        }
        patch.groups = Some(out);
    }
    match fields.get("tags") {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(Vec::new())),
        Some(v) => {
            let items: Vec<Value> = entries(v).into_iter().cloned().collect();
            Ok(Some(super::tags::resolve(state, org, &items, errors).await?))
        }
    }
}

/// What a refused step write answers.
pub fn step_refusal(r: StepRefusal) -> Error {
    match r {
        StepRefusal::RulesDepend => Error::invalid(
            "step",
            "Cannot delete this step because there are rules dependent on it.",
        ),
        other => refusal(other),
    }
}

/// What a refused capture write answers.
pub fn capture_refusal(r: StepRefusal) -> Error {
    match r {
        StepRefusal::RulesDepend => Error::invalid(
            "capture",
            "Cannot delete this field because there are rules dependent on it.",
        ),
        other => refusal(other),
    }
}

fn refusal(r: StepRefusal) -> Error {
    match r {
        StepRefusal::Archived => Error::invalid("checklist", ARCHIVED),
        StepRefusal::Anchor(p) => Error::invalid("deadline.step", p.message()),
        StepRefusal::Invalid(errors) => Error::Invalid(errors),
        StepRefusal::RulesDepend => {
            Error::invalid("step", "Cannot delete this because there are rules dependent on it.")
        }
        StepRefusal::DeadlinesDepend => Error::invalid(
            "step",
            "Cannot delete this step because other steps have deadlines that depend on it.",
        ),
        StepRefusal::TargetStep => Error::invalid("target_step_id", "The selected target step id is invalid."),
        StepRefusal::CaptureId => Error::invalid("capture_id", "The selected capture id is invalid."),
    }
}
