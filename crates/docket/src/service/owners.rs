//! Assignees named in a body (spec §5.5): members by id, digit string, `{id}`, email or username;
//! guests by email (new emails become guests); groups by id. Every bad entry is reported under
//! its own key (`owners.users.1`); duplicates are dropped, order kept.

use docket_domain::{ValidationErrors, email, input, limits};
use docket_store::model::OwnerSet;
use serde_json::Value;

use crate::error::Result;
use crate::state::AppState;

/// A resolved owners object, with the groups' people for fan-out expansion.
#[derive(Debug, Clone, Default)]
pub struct Owners {
    /// Member ids, guest emails and group ids as stored.
    pub set: OwnerSet,
    /// For each group of `set.groups`: its member ids (ascending) and guest emails.
    pub group_people: Vec<(Vec<i64>, Vec<String>)>,
}

impl Owners {
    /// Direct entries (users + guests + groups), what `max_assignable` caps.
    pub fn direct_count(&self) -> usize {
        self.set.users.len() + self.set.guests.len() + self.set.groups.len()
    }

    /// One owner set per person, in the order of §5.1: users, guests, then each group's
    /// members and guests; a person reached twice counts once.
    pub fn per_person(&self) -> Vec<OwnerSet> {
        let mut users: Vec<i64> = Vec::new();
        let mut guests: Vec<String> = Vec::new();
        let mut order: Vec<OwnerSet> = Vec::new();
        let mut add_user = |u: i64, order: &mut Vec<OwnerSet>| {
            if !users.contains(&u) {
                users.push(u);
                order.push(OwnerSet {
                    users: vec![u],
                    ..Default::default()
                });
            }
        };
        for u in &self.set.users {
            add_user(*u, &mut order);
        }
        let mut add_guest = |g: &String, order: &mut Vec<OwnerSet>| {
            if !guests.contains(g) {
                guests.push(g.clone());
                order.push(OwnerSet {
                    guests: vec![g.clone()],
                    ..Default::default()
                });
            }
        };
        for g in &self.set.guests {
            add_guest(g, &mut order);
        }
        for (members, group_guests) in &self.group_people {
            for u in members {
                add_user(*u, &mut order);
            }
            for g in group_guests {
                add_guest(g, &mut order);
            }
        }
        order
    }
}

/// A bucket as a list: an array, a single scalar/object as one entry, `null` as none.
fn entries(v: Option<&Value>) -> Vec<&Value> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.iter().collect(),
        Some(other) => vec![other],
    }
}

/// Resolves an `owners` value; problems go into `errors` under `prefix.users.{i}` etc.
pub async fn resolve(
    state: &AppState,
    org: &str,
    value: &Value,
    prefix: &str,
    errors: &mut ValidationErrors,
) -> Result<Owners> {
    let Some(obj) = value.as_object() else {
        errors.add(prefix, format!("The {prefix} must be an object."));
        return Ok(Owners::default());
    };
    let fields = input::Fields::new(obj);
    let mut out = Owners::default();

    let bucket = entries(fields.get("users"));
    let bucket = if limits::within(errors, &format!("{prefix}.users"), bucket.len(), limits::MAX_OWNERS) {
        bucket
    } else {
        Vec::new()
    };
    for (i, entry) in bucket.into_iter().enumerate() {
        let key = format!("{prefix}.users.{i}");
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
            Some(id) if !out.set.users.contains(&id) => out.set.users.push(id),
            Some(_) => {}
            None => errors.add(key.clone(), format!("The selected {key} is invalid.")),
        }
    }

    let bucket = entries(fields.get("guests"));
    let bucket = if limits::within(errors, &format!("{prefix}.guests"), bucket.len(), limits::MAX_OWNERS) {
        bucket
    } else {
        Vec::new()
    };
    for (i, entry) in bucket.into_iter().enumerate() {
        let key = format!("{prefix}.guests.{i}");
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
                format!("The {key} belongs to a member; assign members through {prefix}.users."),
            );
            continue;
        }
        if !out.set.guests.contains(&addr) {
            out.set.guests.push(addr);
        }
    }

    let bucket = entries(fields.get("groups"));
    let bucket = if limits::within(errors, &format!("{prefix}.groups"), bucket.len(), limits::MAX_OWNERS) {
        bucket
    } else {
        Vec::new()
    };
    for (i, entry) in bucket.into_iter().enumerate() {
        let key = format!("{prefix}.groups.{i}");
        let raw = match entry {
            Value::Object(o) => input::Fields::new(o).get("id").cloned().unwrap_or(Value::Null),
            other => other.clone(),
        };
        let group = match raw.as_str() {
            Some(id) => state.store.group(org, id.trim()).await?,
            None => None,
        };
        match group {
            Some(g) if !out.set.groups.contains(&g.id) => {
                let mut members = g.members.clone();
                members.sort_unstable();
                out.group_people.push((members, g.guests.clone()));
                out.set.groups.push(g.id);
            }
            Some(_) => {}
            None => errors.add(key.clone(), format!("The selected {key} is invalid.")),
        }
    }
    Ok(out)
}
