//! Launching a run from a template: the rules of the launch body (name, kick-off values,
//! per-step overrides, flags) and the plan of the run's tasks (dates, assignees, the cap on
//! assignees). Lookups that need the database (members, groups, folders, tags, the parent run)
//! are the caller's; the raw values are handed back for it.

mod plan;

use std::collections::HashMap;

use serde_json::{Map, Value};

pub use plan::{StepPlanInput, TaskOverride, TaskPlan, plan};

use crate::form_field::{self, FieldDef};
use crate::input::{Patch, Reader};
use crate::role::Role;
use crate::time::Millis;
use crate::validation::ValidationErrors;

/// Longest run name, in characters.
pub const NAME_MAX: usize = 550;

/// The message of a `prerun` that is not an object.
pub const PRERUN_NOT_OBJECT: &str = "The prerun must be an object keyed by kick-off field id.";

/// A kick-off field of the template (or of a run's launch-time copy).
#[derive(Debug, Clone)]
pub struct KickoffField {
    /// Its id (the key of `prerun`).
    pub id: String,
    /// Its definition (label, type, required, options, columns).
    pub def: FieldDef,
}

/// The assignees of a task: member ids, guest emails, group ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assignees {
    /// Member ids.
    pub users: Vec<i64>,
    /// Lower-cased guest emails.
    pub guests: Vec<String>,
    /// Group ids.
    pub groups: Vec<String>,
}

impl Assignees {
    /// Direct entries, what `max_assignable` caps.
    pub fn count(&self) -> usize {
        self.users.len() + self.guests.len() + self.groups.len()
    }

    /// Nobody.
    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }
}

/// Whether a member of `role` may launch a template that grants launch to `users` and
/// `groups`: admins and standard members always; light members when named or in a named group.
pub fn may_launch(role: Role, user_id: i64, users: &[i64], groups: &[String], my_groups: &[String]) -> bool {
    role != Role::Light || users.contains(&user_id) || groups.iter().any(|g| my_groups.contains(g))
}

/// `"{title} - {YYYY-MM-DD}"` of the UTC day of `now`.
pub fn default_name(title: &str, now: Millis) -> String {
    let day = crate::time::format_ts(now);
    let name = format!("{title} - {}", &day[..10]);
    name.chars().take(NAME_MAX).collect()
}

/// A step's override as sent, before its owners are resolved.
#[derive(Debug, Clone, Default)]
pub struct RawOverride {
    /// The `owners` object, to resolve (errors under `tasks.{step}.owners…`).
    pub owners: Option<Value>,
    /// An absolute deadline.
    pub deadline: Option<Millis>,
    /// An absolute start.
    pub started_at: Option<Millis>,
    /// The task's cap on assignees.
    pub max_assignable: Option<i64>,
}

/// A launch body as read, with what still needs the database left raw.
#[derive(Debug, Clone, Default)]
pub struct LaunchBody {
    /// The name, `None` for the default.
    pub name: Option<String>,
    /// Summary.
    pub summary: Option<String>,
    /// Owner id to check (default: the caller).
    pub owner_id: Option<i64>,
    /// Start of the run, `None` for now.
    pub started_at: Option<Millis>,
    /// Every kick-off field id → its value (`null` when unanswered).
    pub prerun: Map<String, Value>,
    /// Overrides by step id (ids as the template spells them).
    pub tasks: HashMap<String, RawOverride>,
    /// Tag ids or titles.
    pub tags: Vec<Value>,
    /// Run-level members.
    pub users: Vec<Value>,
    /// Run-level groups.
    pub groups: Vec<Value>,
    /// Folders to file the run in.
    pub folders: Vec<Value>,
    /// Parent run id.
    pub parent_id: Option<String>,
    /// Flags.
    pub is_public: bool,
    /// Flags.
    pub starred: bool,
    /// Flags.
    pub assign_someone_else: bool,
    /// Stored only.
    pub publicly_hidden_fields: Vec<Value>,
}

/// A list field: an array, `null`/absent as empty, anything else one entry.
fn list(r: &mut Reader<'_, '_>, key: &str) -> Vec<Value> {
    match r.value(&[key]) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(other) => vec![other.clone()],
    }
}

/// Reads a launch body (everything but `checklist_id`) against the template's kick-off fields
/// and step ids; every problem goes into `errors`.
pub fn read_body(
    body: &Map<String, Value>,
    kickoff: &[KickoffField],
    step_ids: &[&str],
    errors: &mut ValidationErrors,
) -> LaunchBody {
    let mut out = LaunchBody::default();
    let mut r = Reader::new(body, errors);
    out.name = r.text(&["name"], NAME_MAX).set();
    out.summary = r.string(&["summary", "description"]).set();
    out.owner_id = r.int(&["owner_id"]).set();
    out.started_at = r.datetime(&["started_at"]).set();
    let prerun = r.value(&["prerun"]).cloned();
    let tasks = r.value(&["tasks"]).cloned();
    out.tags = list(&mut r, "tags");
    out.users = list(&mut r, "users");
    out.groups = list(&mut r, "groups");
    out.folders = list(&mut r, "folders");
    out.publicly_hidden_fields = list(&mut r, "publicly_hidden_fields");
    out.parent_id = match r.value(&["parent_id"]) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(s.trim().to_string()),
        Some(_) => {
            r.fail("parent_id", "The selected parent id is invalid.");
            None
        }
    };
    out.is_public = r.bool(&["is_public"]).set().unwrap_or(false);
    out.starred = r.bool(&["starred"]).set().unwrap_or(false);
    out.assign_someone_else = r.bool(&["assign_someone_else"]).set().unwrap_or(false);
    let roles_given = match r.value(&["roles"]) {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    };
    if roles_given {
        r.fail("roles", "Roles are not supported.");
    }
    let base: Map<String, Value> = kickoff.iter().map(|f| (f.id.clone(), Value::Null)).collect();
    out.prerun = apply_prerun(prerun.as_ref(), kickoff, base, errors);
    out.tasks = read_overrides(tasks.as_ref(), step_ids, errors);
    out
}

/// Applies the kick-off values of `value` (a `prerun` body field) to `current` (every field id
/// → its value): keys must name fields of `kickoff`, values follow their field type (empty
/// values clear), and afterwards every required field must be answered.
pub fn apply_prerun(
    value: Option<&Value>,
    kickoff: &[KickoffField],
    mut current: Map<String, Value>,
    errors: &mut ValidationErrors,
) -> Map<String, Value> {
    let sent = match value {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) if a.is_empty() => None,
        Some(Value::Object(o)) => Some(o),
        Some(_) => {
            errors.add("prerun", PRERUN_NOT_OBJECT);
            return current;
        }
    };
    let mut bad: Vec<String> = Vec::new();
    for (key, v) in sent.into_iter().flatten() {
        let Some(field) = kickoff.iter().find(|f| f.id.eq_ignore_ascii_case(key.trim())) else {
            errors.add(format!("prerun.{key}"), "No such kick-off field on this template.");
            continue;
        };
        match form_field::check_value(&field.def, v) {
            Ok(stored) => {
                current.insert(field.id.clone(), stored.unwrap_or(Value::Null));
            }
            Err(message) => {
                errors.add(format!("prerun.{}", field.id), message);
                bad.push(field.id.clone());
            }
        }
    }
    for f in kickoff {
        let answered = current
            .get(&f.id)
            .is_some_and(|v| form_field::is_answered(&f.def.field_type, v));
        if f.def.required && !answered && !bad.contains(&f.id) {
            errors.add(format!("prerun.{}", f.id), format!("{} is required.", f.def.label));
        }
    }
    current
}

/// Reads `tasks`: an object keyed by step id, each value an object of overrides.
fn read_overrides(
    value: Option<&Value>,
    step_ids: &[&str],
    errors: &mut ValidationErrors,
) -> HashMap<String, RawOverride> {
    let mut out = HashMap::new();
    let map = match value {
        None | Some(Value::Null) => return out,
        Some(Value::Array(a)) if a.is_empty() => return out,
        Some(Value::Object(o)) => o,
        Some(_) => {
            errors.add("tasks", "The tasks must be an object keyed by step id.");
            return out;
        }
    };
    for (key, v) in map {
        let Some(step) = step_ids.iter().find(|s| s.eq_ignore_ascii_case(key.trim())) else {
            errors.add(format!("tasks.{key}"), "No such step on this template.");
            continue;
        };
        let prefix = format!("tasks.{step}");
        let obj = match v {
            Value::Object(o) => o,
            Value::Null => continue,
            Value::Array(a) if a.is_empty() => continue,
            _ => {
                errors.add(prefix.clone(), format!("The {prefix} must be an object."));
                continue;
            }
        };
        let mut r = Reader::nested(obj, prefix.clone(), errors);
        let owners = match r.value(&["owners"]) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.clone()),
        };
        let deadline = r.datetime(&["deadline"]).set();
        let started_at = r.datetime(&["started_at"]).set();
        let max_assignable = match r.int(&["max_assignable"]) {
            Patch::Set(n) if n < 0 => {
                r.fail("max_assignable", "The max assignable must be at least 0.");
                None
            }
            p => p.set(),
        };
        out.insert(
            (*step).to_string(),
            RawOverride {
                owners,
                deadline,
                started_at,
                max_assignable,
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_datetime;
    use serde_json::json;

    fn text_field(id: &str, label: &str, required: bool) -> KickoffField {
        KickoffField {
            id: id.into(),
            def: form_field::stored_def(label, "text", required, "[]", "[]"),
        }
    }

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn kickoff_values_are_checked_keyed_and_required() {
        let fields = [
            text_field("aa", "Customer name", true),
            KickoffField {
                id: "bb".into(),
                def: form_field::stored_def("Amount", "number", false, "[]", "[]"),
            },
        ];
        let mut errors = ValidationErrors::new();
        let got = read_body(&body(json!({"prerun": {"aa": "Globex"}})), &fields, &[], &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(Value::Object(got.prerun), json!({"aa": "Globex", "bb": null}));

        let mut errors = ValidationErrors::new();
        read_body(
            &body(json!({"prerun": {"bb": "many", "zz": 1}})),
            &fields,
            &[],
            &mut errors,
        );
        assert!(errors.has("prerun.bb"));
        assert!(errors.has("prerun.zz"));
        assert_eq!(
            errors
                .entries()
                .iter()
                .find(|(k, _)| k == "prerun.aa")
                .map(|(_, m)| m[0].clone()),
            Some("Customer name is required.".into())
        );

        for bad in [json!([1]), json!("x"), json!(3)] {
            let mut errors = ValidationErrors::new();
            read_body(&body(json!({"prerun": bad})), &fields[1..], &[], &mut errors);
            assert_eq!(errors.entries()[0].1[0], PRERUN_NOT_OBJECT);
        }
        let mut errors = ValidationErrors::new();
        read_body(&body(json!({"prerun": []})), &fields[1..], &[], &mut errors);
        assert!(errors.is_empty());

        // A partial update keeps what it does not name and refuses clearing a required field.
        let current = body(json!({"aa": "Globex", "bb": 3}));
        let mut errors = ValidationErrors::new();
        let got = apply_prerun(Some(&json!({"bb": 4})), &fields, current.clone(), &mut errors);
        assert!(errors.is_empty());
        assert_eq!(Value::Object(got), json!({"aa": "Globex", "bb": 4}));
        let mut errors = ValidationErrors::new();
        apply_prerun(Some(&json!({"aa": ""})), &fields, current, &mut errors);
        assert!(errors.has("prerun.aa"));
    }

    #[test]
    fn overrides_roles_and_flags() {
        let mut errors = ValidationErrors::new();
        let got = read_body(
            &body(json!({
                "name": "  Onboarding  ", "Owner_Id": "7", "is_public": "yes",
                "tasks": {"s1": {"deadline": "2025-06-09", "max_assignable": 2, "position": 4, "owners": {"users": [1]}},
                          "nope": {}},
                "roles": {"r": 1}, "tags": "urgent", "parent_id": ""
            })),
            &[],
            &["s1", "s2"],
            &mut errors,
        );
        assert_eq!(got.name.as_deref(), Some("Onboarding"));
        assert_eq!(got.owner_id, Some(7));
        assert!(got.is_public);
        assert_eq!(got.tags, vec![json!("urgent")]);
        assert!(got.parent_id.is_none());
        let o = &got.tasks["s1"];
        assert_eq!(o.max_assignable, Some(2));
        assert!(o.deadline.is_some() && o.owners.is_some());
        assert!(errors.has("tasks.nope"));
        assert!(errors.has("roles"));

        let mut errors = ValidationErrors::new();
        read_body(
            &body(json!({"tasks": {"s1": {"deadline": "soon", "max_assignable": -1}}, "roles": []})),
            &[],
            &["s1"],
            &mut errors,
        );
        assert!(errors.has("tasks.s1.deadline"));
        assert!(errors.has("tasks.s1.max_assignable"));
        assert!(!errors.has("roles"));
        let mut errors = ValidationErrors::new();
        read_body(&body(json!({"tasks": [1]})), &[], &["s1"], &mut errors);
        assert!(errors.has("tasks"));
    }

    #[test]
    fn light_members_launch_only_when_granted() {
        assert!(may_launch(Role::Standard, 1, &[], &[], &[]));
        assert!(!may_launch(Role::Light, 1, &[2], &["g".into()], &[]));
        assert!(may_launch(Role::Light, 1, &[1], &[], &[]));
        assert!(may_launch(Role::Light, 1, &[], &["g".into()], &["g".into()]));
        assert_eq!(
            default_name("Client onboarding", parse_datetime("2025-06-02T23:59:00Z").unwrap()),
            "Client onboarding - 2025-06-02"
        );
    }
}
