//! Templates ("checklists"): the rules of a create or update body (the contract's CL2/CL4), the
//! default alias, and the list parameters' fixed vocabularies. Store-dependent checks (members,
//! groups, folders, tags, alias uniqueness) are the caller's; this module reads the shape.

use serde_json::{Map, Value};

use crate::input::{Patch, Reader};
use crate::role::Role;
use crate::validation::ValidationErrors;

/// Longest title, in characters.
pub const TITLE_MAX: usize = 250;
/// Longest summary, in characters.
pub const SUMMARY_MAX: usize = 2000;
/// Longest `default_process_name_format`, in characters.
pub const NAME_FORMAT_MAX: usize = 550;
/// Longest alias, in characters.
pub const ALIAS_MAX: usize = 250;
/// Longest free text docket accepts in the other string fields (guidance may be HTML).
const TEXT_MAX: usize = 100_000;

/// The template types; all launch alike.
pub const TYPES: [&str; 3] = ["procedure", "form", "document"];

/// The optional texts of a template (column name = key), and the longest value of each.
pub const TEXTS: [(&str, usize); 9] = [
    ("summary", SUMMARY_MAX),
    ("guidance", TEXT_MAX),
    ("icon", TEXT_MAX),
    ("kickoff_title", TEXT_MAX),
    ("kickoff_description", TEXT_MAX),
    ("default_process_name_format", NAME_FORMAT_MAX),
    ("webhook", TEXT_MAX),
    ("explanation_video", TEXT_MAX),
    ("public_cover", TEXT_MAX),
];

/// The texts that must be absolute http(s) URLs.
pub const URL_TEXTS: [&str; 3] = ["webhook", "explanation_video", "public_cover"];

/// The stored-and-echoed booleans (column name = key), all `false` by default.
pub const FLAGS: [&str; 11] = [
    "starred",
    "is_public",
    "is_featured",
    "is_pinned",
    "is_public_kickoff",
    "auto_naming",
    "folderize_process",
    "tag_process",
    "allow_launcher_change_name",
    "folder_changeable_by_launcher",
    "can_add_oot",
];

/// The message of an archived template's writes.
pub const ARCHIVED: &str = "The template is archived.";
/// The message of a taken alias.
pub const ALIAS_TAKEN: &str = "The alias has already been taken.";

/// A template create or update body, read. Lists that name other objects are kept raw for the
/// caller to resolve (members, groups, tags, kick-off fields, steps).
#[derive(Debug)]
pub struct TemplateInput {
    /// Trimmed, 1–250 characters; required on create.
    pub title: Option<String>,
    /// One of [`TYPES`].
    pub template_type: Option<String>,
    /// The texts of [`TEXTS`] that were sent: `None` clears.
    pub texts: Vec<(&'static str, Option<String>)>,
    /// The flags of [`FLAGS`] that were sent.
    pub flags: Vec<(&'static str, bool)>,
    /// A valid alias, when sent.
    pub alias: Option<String>,
    /// The owner, when sent (membership is the caller's check).
    pub owner_id: Option<i64>,
    /// `folder_id`: `Null` unfiles.
    pub folder_id: Patch<String>,
    /// `default_folder`: `Null` clears.
    pub default_folder: Patch<String>,
    /// `users`, raw.
    pub users: Option<Vec<Value>>,
    /// `groups`, raw.
    pub groups: Option<Vec<Value>>,
    /// `tags`, raw.
    pub tags: Option<Vec<Value>>,
    /// `prerun` (kick-off field definitions), raw.
    pub prerun: Option<Vec<Value>>,
    /// `steps` (create only), raw.
    pub steps: Option<Vec<Value>>,
    /// `automated_actions` (create only), raw.
    pub automated_actions: Option<Vec<Value>>,
}

/// Whether a member with `role` may create and change templates (and what they hold): admin
/// and standard members; light members read only.
pub fn can_edit(role: Role) -> bool {
    role != Role::Light
}

/// Whether a member with `role` may delete a template permanently: admins only.
pub fn can_delete(role: Role) -> bool {
    role == Role::Admin
}

/// Whether `s` is an absolute http(s) URL with a host and no whitespace.
pub fn is_http_url(s: &str) -> bool {
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty()
    }) && !s.chars().any(char::is_whitespace)
}

/// Whether `s` is a valid alias: 1–250 characters of `[a-z0-9_-]`.
pub fn is_valid_alias(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= ALIAS_MAX
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// The alias a template is created with: `slug(title)-` and the first 6 characters of its id.
/// The slug is shortened so the alias stays within [`ALIAS_MAX`].
pub fn default_alias(title: &str, id: &str) -> String {
    let suffix: String = id.chars().take(6).collect();
    let mut base = crate::alias::slug(title, crate::alias::TEMPLATE);
    base.truncate(ALIAS_MAX - suffix.len() - 1);
    let base = base.trim_end_matches('-');
    format!("{base}-{suffix}")
}

/// The title of a clone: the given one, else `"{title} (copy)"`, cut to [`TITLE_MAX`].
pub fn clone_title(source: &str) -> String {
    let full = format!("{source} (copy)");
    if full.chars().count() <= TITLE_MAX {
        full
    } else {
        full.chars().take(TITLE_MAX).collect()
    }
}

/// Reads a template body. `create`: `title` is required; else only the keys sent are read
/// (`title`, when present, follows the create rule). Every problem goes into `errors`.
pub fn read(body: &Map<String, Value>, create: bool, errors: &mut ValidationErrors) -> TemplateInput {
    let mut r = Reader::new(body, errors);
    let mut out = TemplateInput {
        title: if create || r.has(&["title"]) {
            r.required_text(&["title"], TITLE_MAX)
        } else {
            None
        },
        template_type: None,
        texts: Vec::new(),
        flags: Vec::new(),
        alias: None,
        owner_id: None,
        folder_id: Patch::Absent,
        default_folder: Patch::Absent,
        users: None,
        groups: None,
        tags: None,
        prerun: None,
        steps: None,
        automated_actions: None,
    };
    match r.string(&["type", "template_type"]) {
        Patch::Set(t) => {
            let t = t.trim().to_ascii_lowercase();
            if TYPES.contains(&t.as_str()) {
                out.template_type = Some(t);
            } else {
                r.fail("type", "The selected type is invalid.");
            }
        }
        Patch::Null if !create => r.fail("type", "The selected type is invalid."),
        _ => {}
    }
    for (key, max) in TEXTS {
        match r.text(&[key], max) {
            Patch::Absent => {}
            Patch::Null => out.texts.push((key, None)),
            Patch::Set(v) => {
                if URL_TEXTS.contains(&key) && !is_http_url(&v) {
                    r.fail(key, format!("The {} must be a valid URL.", crate::input::label(key)));
                } else {
                    out.texts.push((key, Some(v)));
                }
            }
        }
    }
    for key in FLAGS {
        if let Patch::Set(b) = r.bool(&[key]) {
            out.flags.push((key, b));
        }
    }
    if r.bool(&["dual_version_enabled"]) == Patch::Set(true) {
        r.fail("dual_version_enabled", "Dual-version templates are not supported.");
    }
    match r.string(&["alias"]) {
        Patch::Set(a) if is_valid_alias(a.trim()) => out.alias = Some(a.trim().to_string()),
        Patch::Set(_) | Patch::Null => r.fail("alias", "The alias format is invalid."),
        Patch::Absent => {}
    }
    match r.int(&["owner_id"]) {
        Patch::Set(id) => out.owner_id = Some(id),
        Patch::Null => r.fail("owner_id", "The selected owner id is invalid."),
        Patch::Absent => {}
    }
    out.folder_id = read_id(&mut r, "folder_id", "The selected folder id is invalid.");
    out.default_folder = read_id(&mut r, "default_folder", "The selected default folder is invalid.");
    out.users = read_list(&mut r, "users");
    out.groups = read_list(&mut r, "groups");
    out.tags = read_list(&mut r, "tags");
    out.prerun = read_list(&mut r, "prerun");
    if create {
        out.steps = read_list(&mut r, "steps");
        out.automated_actions = read_list(&mut r, "automated_actions");
    }
    out
}

/// A folder id field: a non-empty string, or `null`/`""` for none.
fn read_id(r: &mut Reader<'_, '_>, key: &'static str, invalid: &str) -> Patch<String> {
    match r.value(&[key]) {
        None => Patch::Absent,
        Some(Value::Null) => Patch::Null,
        Some(Value::String(s)) if s.trim().is_empty() => Patch::Null,
        Some(Value::String(s)) => Patch::Set(s.trim().to_string()),
        Some(_) => {
            r.fail(key, invalid.to_string());
            Patch::Absent
        }
    }
}

/// A list field: an array (`null` reads as empty); anything else is an error.
fn read_list(r: &mut Reader<'_, '_>, key: &'static str) -> Option<Vec<Value>> {
    match r.array(&[key]) {
        Patch::Set(a) => Some(a.clone()),
        Patch::Null => Some(Vec::new()),
        Patch::Absent => None,
    }
}

/// The archived filter of the template list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchivedFilter {
    /// Active templates only (the default).
    Exclude,
    /// Active and archived.
    Include,
    /// Archived only.
    Only,
}

/// Reads `status` and `archived` of the list into one filter: `status` wins when both are sent.
pub fn archived_filter(status: Option<&str>, archived: Option<&str>, errors: &mut ValidationErrors) -> ArchivedFilter {
    let from_archived = match archived.map(|a| a.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") => ArchivedFilter::Exclude,
        Some("only") => ArchivedFilter::Only,
        Some(v) => match crate::input::parse_bool(v) {
            Some(true) => ArchivedFilter::Include,
            Some(false) => ArchivedFilter::Exclude,
            None => {
                errors.add("archived", "The selected archived is invalid.");
                ArchivedFilter::Exclude
            }
        },
    };
    match status.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") => from_archived,
        Some("active") => ArchivedFilter::Exclude,
        Some("archived") => ArchivedFilter::Only,
        Some("all") => ArchivedFilter::Include,
        Some(_) => {
            errors.add("status", "The selected status is invalid.");
            from_archived
        }
    }
}

/// Reads the `type` list filter: a comma list of [`TYPES`].
pub fn type_filter(raw: Option<&str>, errors: &mut ValidationErrors) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in raw.unwrap_or("").split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let t = t.to_ascii_lowercase();
        if !TYPES.contains(&t.as_str()) {
            errors.add("type", "The selected type is invalid.");
        } else if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// Rewrites every string of `v` that is a key of `map` (an old id) to its value (the new id),
/// at any depth: how a copied rule or step deadline follows the copies of what it names.
pub fn remap_ids(v: &mut Value, map: &std::collections::HashMap<String, String>) {
    match v {
        Value::String(s) => {
            if let Some(new) = map.get(s.as_str()) {
                *s = new.clone();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| remap_ids(i, map)),
        Value::Object(o) => o.values_mut().for_each(|i| remap_ids(i, map)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn read_ok(v: Value, create: bool) -> TemplateInput {
        let mut e = ValidationErrors::new();
        let out = read(&body(v), create, &mut e);
        assert!(e.is_empty(), "{e:?}");
        out
    }

    fn read_err(v: Value, create: bool) -> ValidationErrors {
        let mut e = ValidationErrors::new();
        read(&body(v), create, &mut e);
        e
    }

    #[test]
    fn title_is_required_trimmed_and_bounded() {
        assert!(read_err(json!({}), true).has("title"));
        assert!(read_err(json!({"title": "   "}), true).has("title"));
        assert!(read_err(json!({"title": "x".repeat(251)}), true).has("title"));
        assert_eq!(
            read_ok(json!({"title": "  Onboard  "}), true).title.as_deref(),
            Some("Onboard")
        );
        assert!(read_ok(json!({}), false).title.is_none());
        assert!(read_err(json!({"title": ""}), false).has("title"));
    }

    #[test]
    fn type_summary_and_urls() {
        assert_eq!(
            read_ok(json!({"title": "a", "type": "Form"}), true)
                .template_type
                .as_deref(),
            Some("form")
        );
        assert!(read_err(json!({"title": "a", "type": "checklist"}), true).has("type"));
        assert!(read_err(json!({"title": "a", "summary": "s".repeat(2001)}), true).has("summary"));
        let e = read_err(
            json!({"title": "a", "webhook": "ftp://x", "public_cover": "nope"}),
            true,
        );
        assert!(e.has("webhook") && e.has("public_cover"));
        let i = read_ok(
            json!({"title": "a", "webhook": "https://h.example/x", "guidance": null}),
            true,
        );
        assert_eq!(
            i.texts,
            vec![("guidance", None), ("webhook", Some("https://h.example/x".into()))]
        );
    }

    #[test]
    fn flags_alias_owner_and_dual_version() {
        let i = read_ok(json!({"title": "a", "starred": "yes", "can_add_oot": 0}), true);
        assert_eq!(i.flags, vec![("starred", true), ("can_add_oot", false)]);
        assert!(read_err(json!({"title": "a", "dual_version_enabled": true}), true).has("dual_version_enabled"));
        assert!(
            read_ok(json!({"title": "a", "dual_version_enabled": false}), true)
                .flags
                .is_empty()
        );
        assert!(read_err(json!({"alias": "Bad Alias"}), false).has("alias"));
        assert_eq!(
            read_ok(json!({"alias": "ok_alias-2"}), false).alias.as_deref(),
            Some("ok_alias-2")
        );
        assert!(read_err(json!({"owner_id": "abc"}), false).has("owner_id"));
        assert!(read_err(json!({"starred": "maybe"}), false).has("starred"));
    }

    #[test]
    fn lists_and_folders() {
        let i = read_ok(
            json!({"users": [1], "groups": null, "folder_id": null, "steps": []}),
            false,
        );
        assert_eq!(i.users, Some(vec![json!(1)]));
        assert_eq!(i.groups, Some(vec![]));
        assert_eq!(i.folder_id, Patch::Null);
        assert!(i.steps.is_none(), "steps are read on create only");
        assert!(read_err(json!({"tags": "x"}), false).has("tags"));
        assert!(read_err(json!({"folder_id": 5}), false).has("folder_id"));
    }

    #[test]
    fn remapping_follows_copies_at_any_depth() {
        let map: std::collections::HashMap<String, String> =
            [("old1".to_string(), "new1".to_string()), ("old2".into(), "new2".into())].into();
        let mut v = json!([{"conditionable_id": "old1", "statement": "old1x"},
                           {"target_step_id": "old2", "deadline": {"step": "old1"}, "n": 3}]);
        remap_ids(&mut v, &map);
        assert_eq!(
            v,
            json!([{"conditionable_id": "new1", "statement": "old1x"},
                             {"target_step_id": "new2", "deadline": {"step": "new1"}, "n": 3}])
        );
    }

    #[test]
    fn roles() {
        assert!(can_edit(Role::Admin) && can_edit(Role::Standard) && !can_edit(Role::Light));
        assert!(can_delete(Role::Admin) && !can_delete(Role::Standard) && !can_delete(Role::Light));
    }

    #[test]
    fn aliases() {
        assert_eq!(default_alias("!!!", "abcdef0123"), "template-abcdef");
        assert_eq!(
            default_alias("Client Onboarding", "abcdef0123"),
            "client-onboarding-abcdef"
        );
        let long = default_alias(&"x".repeat(300), "abcdef0123");
        assert_eq!(long.len(), ALIAS_MAX);
        assert!(is_valid_alias(&long));
        assert!(!is_valid_alias("") && !is_valid_alias("A") && !is_valid_alias(&"a".repeat(251)));
        assert_eq!(clone_title("T"), "T (copy)");
        assert_eq!(clone_title(&"t".repeat(250)).chars().count(), TITLE_MAX);
    }

    #[test]
    fn list_filters() {
        let mut e = ValidationErrors::new();
        assert_eq!(archived_filter(None, None, &mut e), ArchivedFilter::Exclude);
        assert_eq!(archived_filter(None, Some("only"), &mut e), ArchivedFilter::Only);
        assert_eq!(archived_filter(None, Some("true"), &mut e), ArchivedFilter::Include);
        assert_eq!(
            archived_filter(Some("archived"), Some("false"), &mut e),
            ArchivedFilter::Only
        );
        assert_eq!(archived_filter(Some("all"), None, &mut e), ArchivedFilter::Include);
        assert!(e.is_empty());
        archived_filter(Some("gone"), Some("x"), &mut e);
        assert!(e.has("status") && e.has("archived"));
        let mut e = ValidationErrors::new();
        assert_eq!(
            type_filter(Some("form, procedure,form"), &mut e),
            vec!["form", "procedure"]
        );
        assert!(e.is_empty());
        type_filter(Some("blueprint"), &mut e);
        assert!(e.has("type"));
    }
}
