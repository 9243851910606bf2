//! Limits against abuse: how large the lists and how deep the nesting of a request body may be.
//! Anything larger is refused with a 4xx naming the field, before any work is done.

use crate::validation::ValidationErrors;

/// Deepest nesting of objects and arrays in a body.
pub const MAX_DEPTH: usize = 32;
/// Entries per `owners` bucket (`users`, `guests`, `groups`).
pub const MAX_OWNERS: usize = 500;
/// Entries of `tags` on a task.
pub const MAX_TAGS: usize = 100;
/// Entries of `form_fields` on a create.
pub const MAX_FORM_FIELDS: usize = 100;
/// Options or columns of one form field.
pub const MAX_CHOICES: usize = 500;
/// Member ids in lists such as `members`, `associated_members`, `sent_to`, run `users`.
pub const MAX_MEMBER_IDS: usize = 1000;
/// Entries of one `file` form value.
pub const MAX_FILES: usize = 100;

/// Records an error on `field` and returns false when `len` exceeds `max`.
pub fn within(errors: &mut ValidationErrors, field: &str, len: usize, max: usize) -> bool {
    if len > max {
        errors.add(field, format!("The {field} may not have more than {max} items."));
        return false;
    }
    true
}

/// The nesting depth of a JSON value (a scalar is 0, `[]` and `{}` are 1).
pub fn depth(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        serde_json::Value::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// The dotted path (`owners.guests.0`) of the first key or string in `map` that contains a NUL
/// character, which PostgreSQL cannot store in text; such input is refused on both backends.
pub fn nul_field(map: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    fn walk(v: &serde_json::Value, path: &str) -> Option<String> {
        match v {
            serde_json::Value::String(s) if s.contains('\0') => Some(path.to_string()),
            serde_json::Value::Array(a) => a.iter().enumerate().find_map(|(i, x)| walk(x, &format!("{path}.{i}"))),
            serde_json::Value::Object(o) => in_map(o, &format!("{path}.")),
            _ => None,
        }
    }
    fn in_map(o: &serde_json::Map<String, serde_json::Value>, prefix: &str) -> Option<String> {
        o.iter().find_map(|(k, v)| {
            let path = format!("{prefix}{}", k.replace('\0', "\\0"));
            if k.contains('\0') { Some(path) } else { walk(v, &path) }
        })
    }
    in_map(map, "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nul_characters_are_found_with_their_path() {
        let map = |v: serde_json::Value| v.as_object().cloned().unwrap_or_default();
        assert_eq!(nul_field(&map(json!({"title": "ok", "owners": {"users": [1]}}))), None);
        assert_eq!(nul_field(&map(json!({"title": "a\u{0}b"}))).as_deref(), Some("title"));
        assert_eq!(
            nul_field(&map(json!({"owners": {"guests": ["x@y.z", "\u{0}"]}}))).as_deref(),
            Some("owners.guests.1")
        );
        assert_eq!(nul_field(&map(json!({"a\u{0}": 1}))).as_deref(), Some("a\\0"));
    }

    #[test]
    fn depth_and_lengths() {
        assert_eq!(depth(&json!(1)), 0);
        assert_eq!(depth(&json!({"a": [1, {"b": []}]})), 4);
        let mut e = ValidationErrors::new();
        assert!(within(&mut e, "tags", 100, MAX_TAGS));
        assert!(!within(&mut e, "tags", 101, MAX_TAGS));
        assert_eq!(e.entries()[0].1[0], "The tags may not have more than 100 items.");
    }
}
