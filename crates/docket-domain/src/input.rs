//! Reading request bodies and query strings the way spec §1.3 and §1.4 say: documented keys
//! matched ignoring ASCII case and `_`, aliases, the boolean/integer coercions, `""` read as
//! `null`, and PHP bracket notation for form bodies. Every problem is recorded in a shared
//! [`ValidationErrors`] so that a 422 reports them all at once.

use serde_json::{Map, Value};

use crate::time::{self, Millis};
use crate::validation::ValidationErrors;

/// A field of a partial write: absent, explicitly cleared, or given a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Patch<T> {
    /// The key was not sent (or its value was invalid and has been reported).
    Absent,
    /// The key was sent as `null` (or `""` for a string).
    Null,
    /// The key was sent with this value.
    Set(T),
}

impl<T> Patch<T> {
    /// The value, if one was set.
    pub fn set(self) -> Option<T> {
        match self {
            Patch::Set(v) => Some(v),
            _ => None,
        }
    }

    /// Whether the key was sent at all (`null` included).
    pub fn is_present(&self) -> bool {
        !matches!(self, Patch::Absent)
    }

    /// Maps the set value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Patch::Absent => Patch::Absent,
            Patch::Null => Patch::Null,
            Patch::Set(v) => Patch::Set(f(v)),
        }
    }
}

/// The human label of a field path in messages: `first_name` → `first name`.
pub fn label(path: &str) -> String {
    path.replace('_', " ")
}

fn normalize_key(k: &str) -> String {
    k.chars()
        .filter(|c| *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A JSON object of a request, read through documented key names.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    /// Wraps an object.
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Self { map }
    }

    /// The value of a documented key: the exact spelling wins, else the first key equal to it
    /// ignoring ASCII case and `_`.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        if let Some(v) = self.map.get(key) {
            return Some(v);
        }
        let want = normalize_key(key);
        self.map.iter().find(|(k, _)| normalize_key(k) == want).map(|(_, v)| v)
    }

    /// The value of the first of `keys` that is present (list the canonical name first).
    pub fn get_any(&self, keys: &[&str]) -> Option<&'a Value> {
        keys.iter().find_map(|k| self.get(k))
    }

    /// The underlying object.
    pub fn raw(&self) -> &'a Map<String, Value> {
        self.map
    }
}

/// Reads typed fields from an object, recording every problem under its dot path.
pub struct Reader<'a, 'e> {
    fields: Fields<'a>,
    prefix: String,
    errors: &'e mut ValidationErrors,
}

impl<'a, 'e> Reader<'a, 'e> {
    /// A reader over a top-level object.
    pub fn new(map: &'a Map<String, Value>, errors: &'e mut ValidationErrors) -> Self {
        Self {
            fields: Fields::new(map),
            prefix: String::new(),
            errors,
        }
    }

    /// A reader over a nested object whose keys are reported under `prefix.` .
    pub fn nested(map: &'a Map<String, Value>, prefix: impl Into<String>, errors: &'e mut ValidationErrors) -> Self {
        let mut prefix = prefix.into();
        if !prefix.is_empty() {
            prefix.push('.');
        }
        Self {
            fields: Fields::new(map),
            prefix,
            errors,
        }
    }

    /// The underlying fields.
    pub fn fields(&self) -> Fields<'a> {
        self.fields
    }

    /// The error sink, for checks the reader does not know.
    pub fn errors(&mut self) -> &mut ValidationErrors {
        self.errors
    }

    /// The dot path of `key` under this reader.
    pub fn path(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }

    /// Records an error on `key`.
    pub fn fail(&mut self, key: &str, message: impl Into<String>) {
        let p = self.path(key);
        self.errors.add(p, message);
    }

    /// The raw value of the first present key of `keys` (canonical first).
    pub fn value(&self, keys: &[&str]) -> Option<&'a Value> {
        self.fields.get_any(keys)
    }

    /// Whether any of `keys` is present.
    pub fn has(&self, keys: &[&str]) -> bool {
        self.value(keys).is_some()
    }

    /// A string field; `""` reads as `Null`; a non-string is an error.
    pub fn string(&mut self, keys: &[&str]) -> Patch<String> {
        match self.value(keys) {
            None => Patch::Absent,
            Some(Value::Null) => Patch::Null,
            Some(Value::String(s)) if s.is_empty() => Patch::Null,
            Some(Value::String(s)) => Patch::Set(s.clone()),
            Some(_) => {
                let k = keys[0];
                self.fail(k, format!("The {} must be a string.", label(&self.path(k))));
                Patch::Absent
            }
        }
    }

    /// A trimmed string of at most `max` characters; whitespace-only reads as `Null`.
    pub fn text(&mut self, keys: &[&str], max: usize) -> Patch<String> {
        let k = keys[0];
        match self.string(keys) {
            Patch::Set(s) => {
                let t = s.trim();
                if t.is_empty() {
                    Patch::Null
                } else if t.chars().count() > max {
                    self.fail(
                        k,
                        format!("The {} may not be greater than {max} characters.", label(&self.path(k))),
                    );
                    Patch::Absent
                } else {
                    Patch::Set(t.to_string())
                }
            }
            other => other,
        }
    }

    /// A required trimmed string of 1..=`max` characters.
    pub fn required_text(&mut self, keys: &[&str], max: usize) -> Option<String> {
        let k = keys[0];
        let had_error = self.errors.has(&self.path(k));
        match self.text(keys, max) {
            Patch::Set(s) => Some(s),
            Patch::Null | Patch::Absent => {
                if !had_error && !self.errors.has(&self.path(k)) {
                    self.fail(k, format!("The {} field is required.", label(&self.path(k))));
                }
                None
            }
        }
    }

    /// A boolean with the coercions of §1.3.
    pub fn bool(&mut self, keys: &[&str]) -> Patch<bool> {
        match self.value(keys) {
            None => Patch::Absent,
            Some(Value::Null) => Patch::Null,
            Some(v) => match coerce_bool(v) {
                Some(b) => Patch::Set(b),
                None => {
                    let k = keys[0];
                    self.fail(k, format!("The {} field must be true or false.", label(&self.path(k))));
                    Patch::Absent
                }
            },
        }
    }

    /// An integer with the coercions of §1.3.
    pub fn int(&mut self, keys: &[&str]) -> Patch<i64> {
        match self.value(keys) {
            None => Patch::Absent,
            Some(Value::Null) => Patch::Null,
            Some(Value::String(s)) if s.trim().is_empty() => Patch::Null,
            Some(v) => match coerce_int(v) {
                Some(i) => Patch::Set(i),
                None => {
                    let k = keys[0];
                    self.fail(k, format!("The {} must be an integer.", label(&self.path(k))));
                    Patch::Absent
                }
            },
        }
    }

    /// A date-time in a §1.6 input form.
    pub fn datetime(&mut self, keys: &[&str]) -> Patch<Millis> {
        let k = keys[0];
        match self.value(keys) {
            None => Patch::Absent,
            Some(Value::Null) => Patch::Null,
            Some(Value::String(s)) if s.trim().is_empty() => Patch::Null,
            Some(Value::String(s)) => match time::parse_datetime(s) {
                Some(ms) => Patch::Set(ms),
                None => {
                    self.fail(k, format!("The {} is not a valid date.", label(&self.path(k))));
                    Patch::Absent
                }
            },
            Some(_) => {
                self.fail(k, format!("The {} is not a valid date.", label(&self.path(k))));
                Patch::Absent
            }
        }
    }

    /// An array; a non-array is an error.
    pub fn array(&mut self, keys: &[&str]) -> Patch<&'a Vec<Value>> {
        match self.value(keys) {
            None => Patch::Absent,
            Some(Value::Null) => Patch::Null,
            Some(Value::Array(a)) => Patch::Set(a),
            Some(_) => {
                let k = keys[0];
                self.fail(k, format!("The {} must be an array.", label(&self.path(k))));
                Patch::Absent
            }
        }
    }

    /// An object; a non-object is an error.
    pub fn object(&mut self, keys: &[&str]) -> Patch<&'a Map<String, Value>> {
        match self.value(keys) {
            None => Patch::Absent,
            Some(Value::Null) => Patch::Null,
            Some(Value::Object(o)) => Patch::Set(o),
            Some(_) => {
                let k = keys[0];
                self.fail(k, format!("The {} must be an object.", label(&self.path(k))));
                Patch::Absent
            }
        }
    }
}

/// The boolean coercion of §1.3: `true`/`false`, `1`/`0`, and the strings `true false 1 0 yes no
/// on off` in any case.
pub fn coerce_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        Value::String(s) => parse_bool(s),
        _ => None,
    }
}

/// Parses a boolean word (query strings and form values).
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// The integer coercion of §1.3: JSON integers and strings of decimal digits, optionally signed.
pub fn coerce_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => parse_int(s),
        _ => None,
    }
}

/// Parses a string of decimal digits with an optional sign.
pub fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// Folds `application/x-www-form-urlencoded` pairs with PHP bracket keys (`a[b][]=1`,
/// `a[0][c]=2`) into the JSON structure a JSON body would have. Leaves stay strings. Objects
/// whose keys are all decimal indices become arrays in index order. Returns `None` when a key
/// is malformed or two keys disagree on a node's shape.
pub fn fold_pairs<I, K, V>(pairs: I) -> Option<Map<String, Value>>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: Into<String>,
{
    let mut root = Value::Object(Map::new());
    for (key, value) in pairs {
        let path = split_brackets(key.as_ref())?;
        insert_path(&mut root, &path, Value::String(value.into()))?;
    }
    match arrays_from_indices(root) {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

fn split_brackets(key: &str) -> Option<Vec<Option<String>>> {
    let (head, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if head.is_empty() {
        return None;
    }
    let mut parts = vec![Some(head.to_string())];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let close = inner.find(']')?;
        let seg = &inner[..close];
        parts.push(if seg.is_empty() { None } else { Some(seg.to_string()) });
        rest = &inner[close + 1..];
    }
    Some(parts)
}

fn insert_path(node: &mut Value, path: &[Option<String>], leaf: Value) -> Option<()> {
    let (first, rest) = path.split_first()?;
    match first {
        // `[]` appends to an array.
        None => {
            let arr = match node {
                Value::Array(a) => a,
                Value::Object(o) if o.is_empty() => {
                    *node = Value::Array(Vec::new());
                    node.as_array_mut()?
                }
                _ => return None,
            };
            if rest.is_empty() {
                arr.push(leaf);
            } else {
                let mut child = Value::Object(Map::new());
                insert_path(&mut child, rest, leaf)?;
                arr.push(child);
            }
            Some(())
        }
        Some(k) => {
            let obj = node.as_object_mut()?;
            if rest.is_empty() {
                obj.insert(k.clone(), leaf);
                return Some(());
            }
            let child = obj.entry(k.clone()).or_insert_with(|| Value::Object(Map::new()));
            if !(child.is_object() || child.is_array()) {
                *child = Value::Object(Map::new());
            }
            insert_path(child, rest, leaf)
        }
    }
}

fn arrays_from_indices(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let all_indices = !m.is_empty() && m.keys().all(|k| k.parse::<usize>().is_ok());
            if all_indices {
                let mut items: Vec<(usize, Value)> = m
                    .into_iter()
                    .filter_map(|(k, v)| k.parse::<usize>().ok().map(|i| (i, arrays_from_indices(v))))
                    .collect();
                items.sort_by_key(|(i, _)| *i);
                Value::Array(items.into_iter().map(|(_, v)| v).collect())
            } else {
                Value::Object(m.into_iter().map(|(k, v)| (k, arrays_from_indices(v))).collect())
            }
        }
        Value::Array(a) => Value::Array(a.into_iter().map(arrays_from_indices).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("object")
    }

    #[test]
    fn keys_match_ignoring_case_and_underscores_with_exact_spelling_first() {
        let m = obj(json!({"Title": "A", "TaskData": {}, "max_assignable": 1, "MaxAssignable": 2}));
        let f = Fields::new(&m);
        assert_eq!(f.get("title"), Some(&json!("A")));
        assert!(f.get("taskdata").is_some());
        assert_eq!(f.get("max_assignable"), Some(&json!(1)));
        assert_eq!(f.get_any(&["summary", "description"]), None);
    }

    #[test]
    fn coercions_follow_the_spec() {
        let m = obj(json!({"a": "yes", "b": 0, "c": "12", "d": "-3", "e": "x", "f": 1.5, "g": "", "h": 7}));
        let mut errors = ValidationErrors::new();
        let mut r = Reader::new(&m, &mut errors);
        assert_eq!(r.bool(&["a"]), Patch::Set(true));
        assert_eq!(r.bool(&["b"]), Patch::Set(false));
        assert_eq!(r.int(&["c"]), Patch::Set(12));
        assert_eq!(r.int(&["d"]), Patch::Set(-3));
        assert_eq!(r.int(&["e"]), Patch::Absent);
        assert_eq!(r.int(&["f"]), Patch::Absent);
        assert_eq!(r.string(&["g"]), Patch::Null);
        assert_eq!(r.string(&["h"]), Patch::Absent);
        assert_eq!(r.string(&["zz"]), Patch::Absent);
        let keys: Vec<&str> = errors.entries().iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["e", "f", "h"]);
        assert_eq!(errors.entries()[2].1[0], "The h must be a string.");
    }

    #[test]
    fn required_text_reports_missing_and_too_long() {
        let m = obj(json!({"title": "   ", "name": "x".repeat(5)}));
        let mut errors = ValidationErrors::new();
        let mut r = Reader::new(&m, &mut errors);
        assert_eq!(r.required_text(&["title"], 10), None);
        assert_eq!(r.required_text(&["name"], 3), None);
        assert_eq!(r.required_text(&["first_name"], 3), None);
        assert_eq!(errors.entries()[0].1[0], "The title field is required.");
        assert_eq!(
            errors.entries()[1].1[0],
            "The name may not be greater than 3 characters."
        );
        assert_eq!(errors.entries()[2].1[0], "The first name field is required.");
    }

    #[test]
    fn form_brackets_fold_into_json_structure() {
        let pairs = vec![
            ("title", "T"),
            ("owners[users][]", "1001"),
            ("owners[users][]", "1002"),
            ("owners[guests][0]", "a@b.com"),
            ("taskdata[abc]", "x"),
            ("form_fields[1][label]", "B"),
            ("form_fields[0][label]", "A"),
        ];
        let m = fold_pairs(pairs).expect("folds");
        assert_eq!(
            Value::Object(m),
            json!({"title": "T", "owners": {"users": ["1001", "1002"], "guests": ["a@b.com"]},
                   "taskdata": {"abc": "x"}, "form_fields": [{"label": "A"}, {"label": "B"}]})
        );
        assert!(fold_pairs(vec![("[x]", "1")]).is_none());
        assert!(fold_pairs(vec![("a[b", "1")]).is_none());
    }
}
