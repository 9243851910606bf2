//! Lists of member ids named in a body (`members`, `associated_members`, `sent_to`, run
//! `users`): each entry an integer or digit string naming a member of the organization, a 422
//! per bad entry under `{key}.{i}`, duplicates dropped, order kept.

use std::collections::HashSet;

use docket_domain::input::coerce_int;
use docket_domain::{ValidationErrors, limits};
use serde_json::Value;

use crate::error::Result;
use crate::state::AppState;

/// The entries of a list field: an array, or a single value read as a one-item list.
pub fn entries(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

/// Resolves `entries` of field `key` to member ids of `org`.
pub async fn resolve_ids(
    state: &AppState,
    org: &str,
    key: &str,
    entries: &[Value],
    errors: &mut ValidationErrors,
) -> Result<Vec<i64>> {
    if !limits::within(errors, key, entries.len(), limits::MAX_MEMBER_IDS) {
        return Ok(Vec::new());
    }
    let parsed: Vec<Option<i64>> = entries.iter().map(|v| coerce_int(v).filter(|i| *i > 0)).collect();
    let candidates: Vec<i64> = parsed.iter().flatten().copied().collect();
    let known: HashSet<i64> = state
        .store
        .members_by_ids(org, &candidates)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let mut ids = Vec::new();
    for (i, id) in parsed.into_iter().enumerate() {
        match id.filter(|id| known.contains(id)) {
            Some(id) if !ids.contains(&id) => ids.push(id),
            Some(_) => {}
            None => errors.add(format!("{key}.{i}"), format!("The selected {key}.{i} is invalid.")),
        }
    }
    Ok(ids)
}
