//! The fuzz generator: the malformed inputs it draws (random JSON of
//! every type, wrong types in known fields, huge strings and arrays, deep nesting, invalid
//! UTF-8, odd content types, form bodies with odd brackets).

use serde_json::{Map, Value, json};

pub use crate::support::rng::Rng;

/// Field names the write routes read, so that random bodies reach their validation.
pub const FIELDS: &[&str] = &[
    "title",
    "name",
    "summary",
    "description",
    "owners",
    "users",
    "guests",
    "groups",
    "deadline",
    "started_at",
    "task_type",
    "separate_task_for_each_assignee",
    "everyone_must_complete",
    "can_complete_only_assignees",
    "max_assignable",
    "webhook",
    "prevent_guest_comment",
    "top_secret",
    "is_soft_start_date",
    "tags",
    "form_fields",
    "label",
    "field_type",
    "required",
    "guidance",
    "options",
    "columns",
    "default_value_enabled",
    "default_value",
    "position",
    "run_id",
    "taskdata",
    "task_id",
    "is_approved",
    "override_user",
    "comment",
    "content",
    "sent_to",
    "thread_id",
    "email",
    "first_name",
    "last_name",
    "role",
    "message",
    "details",
    "phone",
    "phone_1",
    "company_name",
    "timezone",
    "external_sync_source",
    "external_date_creation",
    "members",
    "color",
    "tag_id",
    "tag_type",
    "subject_type",
    "subject_id",
    "checklist_id",
    "owner_id",
    "starred",
    "is_public",
    "status",
    "text",
    "id",
    "value",
    "Title",
    "TaskData",
    "Owners",
    "type",
    "alias",
    "prerun",
    "folder_id",
    "tenant",
    "dual_version_enabled",
];

const STRINGS: &[&str] = &[
    "",
    " ",
    "x",
    "1001",
    "-1",
    "0",
    "1e3",
    "true",
    "no",
    "null",
    "[]",
    "{}",
    "not-started",
    "task",
    "approval",
    "expiring",
    "email",
    "text",
    "radio",
    "dropdown",
    "multiselect",
    "table",
    "date",
    "file",
    "admin",
    "standard",
    "light",
    "Task",
    "Run",
    "2024-07-01T09:00:00Z",
    "2024-13-45 25:61:61",
    "2024-02-30",
    "9999-12-31T23:59:59.999Z",
    "0000-01-01",
    "yesterday",
    "a@b.co",
    "someone@example.com",
    "not an email",
    "@",
    "http://",
    "https://example.com/hook",
    "javascript:alert(1)",
    "ftp://x",
    "http://127.0.0.1:1/",
    "' OR 1=1 --",
    "%_\\",
    "<script>alert(1)</script>",
    "é",
    "😀",
    "\u{0}",
    "\u{202e}rtl",
    "\u{feff}",
    "line\nbreak",
    "\t",
    "#ff0000",
    "red",
    "#GGGGGG",
    "UTC",
    "Mars/Olympus",
    "0123456789abcdef0123456789abcdef",
    "../../etc/passwd",
    "*",
];

const INTS: &[i64] = &[
    0,
    1,
    -1,
    2,
    1001,
    1002,
    9_007_199_254_740_993,
    i64::MAX,
    i64::MIN,
    100_000,
];

/// A random JSON value, at most `depth` levels deep.
pub fn value(rng: &mut Rng, depth: u32) -> Value {
    let kind = if depth == 0 { rng.below(6) } else { rng.below(9) };
    match kind {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => json!(*rng.pick(INTS)),
        3 => match rng.below(5) {
            0 => json!(u64::MAX),
            1 => json!(1.5),
            2 => json!(-0.0),
            3 => json!(1e308),
            _ => json!(rng.next() as i64),
        },
        4 | 5 => Value::String(string(rng)),
        6 => Value::Array((0..rng.below(4)).map(|_| value(rng, depth - 1)).collect()),
        7 => Value::Object(object(rng, depth - 1)),
        _ => match rng.below(3) {
            0 => Value::Array(
                (0..*rng.pick(&[101_usize, 501, 1001, 5000]))
                    .map(|_| json!(rng.below(2000)))
                    .collect(),
            ),
            1 => Value::Array((0..rng.below(300)).map(|_| Value::String(string(rng))).collect()),
            _ => json!([{"users": [1001], "guests": ["x@y.z"], "groups": []}]),
        },
    }
}

/// A random string: a tricky word, a long run, or random characters.
pub fn string(rng: &mut Rng) -> String {
    match rng.below(10) {
        0 => "x".repeat(*rng.pick(&[256, 601, 5_000, 70_000, 300_000])),
        1 => "😀".repeat(rng.below(400) + 1),
        2 => (0..rng.below(40))
            .map(|_| char::from_u32(rng.below(0x2_0000) as u32).unwrap_or('?'))
            .collect(),
        _ => (*rng.pick(STRINGS)).to_string(),
    }
}

/// A random object whose keys are mostly known field names.
pub fn object(rng: &mut Rng, depth: u32) -> Map<String, Value> {
    let mut map = Map::new();
    for _ in 0..rng.below(6) + 1 {
        let key = if rng.chance(85) {
            (*rng.pick(FIELDS)).to_string()
        } else {
            string(rng)
        };
        map.insert(key, value(rng, depth));
    }
    map
}

/// `v` wrapped in `levels` arrays or objects.
pub fn nested(rng: &mut Rng, levels: usize) -> Value {
    let mut v = Value::String("leaf".into());
    for _ in 0..levels {
        v = if rng.chance(50) {
            json!([v])
        } else {
            json!({ (*rng.pick(FIELDS)): v })
        };
    }
    v
}

/// `base` with one field replaced by a value of a random (usually wrong) type, removed, or
/// nested deeper; the most useful shape: everything else valid, one field wrong.
pub fn mutate(rng: &mut Rng, base: &Value) -> Value {
    let mut out = base.clone();
    let Some(map) = out.as_object_mut() else {
        return out;
    };
    let keys: Vec<String> = map.keys().cloned().collect();
    let key = if keys.is_empty() || rng.chance(20) {
        (*rng.pick(FIELDS)).to_string()
    } else {
        rng.pick(&keys).clone()
    };
    match rng.below(6) {
        0 => {
            map.remove(&key);
        }
        1 => {
            // One level down, when the field holds an object or an array of objects.
            let replacement = value(rng, 2);
            match map.get_mut(&key) {
                Some(Value::Object(inner)) if !inner.is_empty() => {
                    let k = rng.pick(&inner.keys().cloned().collect::<Vec<_>>()).clone();
                    inner.insert(k, replacement);
                }
                Some(Value::Array(items)) if !items.is_empty() => {
                    let i = rng.below(items.len());
                    match &mut items[i] {
                        Value::Object(inner) if !inner.is_empty() => {
                            let k = rng.pick(&inner.keys().cloned().collect::<Vec<_>>()).clone();
                            inner.insert(k, replacement);
                        }
                        slot => *slot = replacement,
                    }
                }
                _ => {
                    map.insert(key, replacement);
                }
            }
        }
        2 => {
            let levels = *rng.pick(&[5, 31, 33, 64, 200]);
            map.insert(key, nested(rng, levels));
        }
        _ => {
            map.insert(key, value(rng, 3));
        }
    }
    out
}

/// A request body and the `Content-Type` it is sent with (`None`: no header).
pub struct Payload {
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";

/// A body for a route whose valid body looks like `base`.
pub fn payload(rng: &mut Rng, base: &Value) -> Payload {
    let (content_type, bytes) = match rng.below(12) {
        0..=3 => (
            Some(JSON.into()),
            serde_json::to_vec(&mutate(rng, base)).unwrap_or_default(),
        ),
        4 => (
            Some(JSON.into()),
            serde_json::to_vec(&Value::Object(object(rng, 3))).unwrap_or_default(),
        ),
        5 => (Some(JSON.into()), raw_json(rng, base)),
        6 => (Some(JSON.into()), invalid_utf8(rng, base)),
        7 | 8 => (Some(FORM.into()), form(rng)),
        9 => (None, serde_json::to_vec(&mutate(rng, base)).unwrap_or_default()),
        10 => {
            let ct = rng.pick(&[
                "text/plain",
                "multipart/form-data; boundary=xyz",
                "application/json; charset=utf-16",
                "APPLICATION/JSON",
                "application/x-www-form-urlencoded; charset=latin1",
                "application/xml",
                "application/json, text/plain",
                ";;;",
                "*/*",
            ]);
            let body = if rng.chance(50) {
                serde_json::to_vec(&mutate(rng, base)).unwrap_or_default()
            } else {
                form(rng)
            };
            ((*ct).to_string().into(), body)
        }
        _ => (
            Some(FORM.into()),
            serde_json::to_vec(&mutate(rng, base)).unwrap_or_default(),
        ),
    };
    Payload { content_type, bytes }
}

/// JSON-ish bytes: truncated, non-object tops, duplicate keys, non-standard literals.
fn raw_json(rng: &mut Rng, base: &Value) -> Vec<u8> {
    let text = serde_json::to_string(&mutate(rng, base)).unwrap_or_default();
    let s = match rng.below(9) {
        // Cut mid-way, possibly inside a multi-byte character.
        0 => return text.as_bytes()[..text.len() / 2].to_vec(),
        1 => (*rng.pick(&["[]", "1", "\"s\"", "null", "true", "[{}]", "{", "}", "{\"a\":}", "{,}"])).to_string(),
        2 => r#"{"title": 1, "title": "dup", "Title": [], "TITLE": {}}"#.to_string(),
        3 => r#"{"title": NaN, "max_assignable": Infinity, "position": 1e999999}"#.to_string(),
        4 => format!("\u{feff}{text}"),
        5 => format!("{text}{text}"),
        6 => format!("{text} trailing"),
        7 => "[".repeat(rng.below(2000) + 100),
        _ => r#"{"title": "\ud800", "summary": "\udfff\u0000"}"#.to_string(),
    };
    s.into_bytes()
}

/// A JSON body with invalid UTF-8 bytes inside (or instead of) a string.
fn invalid_utf8(rng: &mut Rng, base: &Value) -> Vec<u8> {
    let bad: &[u8] = rng.pick::<&[u8]>(&[
        &[0xff][..],
        &[0xc3, 0x28],
        &[0xe2, 0x82],
        &[0xf0, 0x28, 0x8c, 0xbc],
        &[0xed, 0xa0, 0x80],
        &[0x80],
    ]);
    let mut bytes = serde_json::to_vec(&mutate(rng, base)).unwrap_or_default();
    match bytes.iter().position(|b| *b == b'"').filter(|_| rng.chance(70)) {
        // Right after the first quote: inside a key (or a string value).
        Some(i) => {
            let tail = bytes.split_off(i + 1);
            bytes.extend_from_slice(bad);
            bytes.extend_from_slice(&tail);
        }
        None => {
            bytes = b"{\"title\": \"".to_vec();
            bytes.extend_from_slice(bad);
            bytes.extend_from_slice(b"\"}");
        }
    }
    bytes
}

/// A form body: bracket keys, odd brackets, bad percent-escapes, invalid UTF-8.
fn form(rng: &mut Rng) -> Vec<u8> {
    const SUFFIXES: &[&str] = &[
        "",
        "",
        "[]",
        "[0]",
        "[1]",
        "[users][]",
        "[guests][0]",
        "[groups][]",
        "[x][y][z]",
        "[[",
        "]]",
        "[",
        "]",
        "[]]",
        "[[]",
        "][",
        "[][]",
        "[a]b",
        "[999999999999999999999]",
        "[-1]",
        "[0][label]",
        "[0][options][]",
        "[%ff]",
    ];
    let mut parts = Vec::new();
    for _ in 0..rng.below(8) + 1 {
        let mut key = if rng.chance(90) {
            (*rng.pick(FIELDS)).to_string()
        } else {
            (*rng.pick(&["", "[", "]", "[]", "=", "%", "%zz", "%ff%fe", "&"])).to_string()
        };
        for _ in 0..rng.below(3) {
            let suffix = *rng.pick(SUFFIXES);
            key.push_str(suffix);
        }
        if rng.chance(3) {
            key.push_str(&"[a]".repeat(rng.below(200) + 30));
        }
        let value = match rng.below(6) {
            0 => "%ff%fe%fd".to_string(),
            1 => "%".to_string(),
            2 => "a%zzb".to_string(),
            _ => form_encode(&string(rng)),
        };
        parts.push(if rng.chance(10) { key } else { format!("{key}={value}") });
    }
    let mut out = parts.join(if rng.chance(10) { "&&" } else { "&" }).into_bytes();
    if rng.chance(10) {
        out.extend_from_slice(&[b'&', b't', b'=', 0xff, 0xfe]);
    }
    out
}

fn form_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Sometimes a path segment is replaced by garbage.
pub fn odd_segment(rng: &mut Rng) -> String {
    (*rng.pick(&[
        "%ff%fe",
        "..",
        "%2e%2e",
        "0",
        "-1",
        "99999999999999999999999",
        "%00",
        "%E2%80%AE",
        "a%20b",
        "😀",
        "null",
    ]))
    .to_string()
}

/// Query parameters the list and read routes take.
const PARAMS: &[&str] = &[
    "page",
    "per_page",
    "sort",
    "sort_by",
    "with",
    "status",
    "owners",
    "groups",
    "guests",
    "q",
    "search",
    "tag",
    "folder",
    "roles",
    "without_pagination",
    "deadline_start_range",
    "deadline_end_range",
    "created_start_range",
    "created_end_range",
    "archived",
    "unassigned",
    "starred",
    "task_type",
    "run_id",
    "task_id",
    "type",
    "filter[status]",
    "filter[0][field]",
    "filter[0][value]",
    "filter[and][0][title][like]",
    "role",
    "is_oneoff",
];

/// A query string (with its `?`) of known parameters with odd values.
pub fn query(rng: &mut Rng) -> String {
    let mut parts = Vec::new();
    for _ in 0..rng.below(6) + 1 {
        let mut key = (*rng.pick(PARAMS)).to_string();
        if rng.chance(10) {
            let suffix = *rng.pick(&["[]", "[", "]]", "[x][y]", "%ff", "%00"]);
            key.push_str(suffix);
        }
        let value = match rng.below(8) {
            0 => (*rng.pick(&[
                "%ff%fe",
                "%00",
                "%",
                "-1",
                "0",
                "99999999999999999999",
                "1e3",
                ",,,",
                "-deadline,title",
            ]))
            .to_string(),
            1 => (*rng.pick(&[
                "run,step,form_fields,tags,threads,assets",
                "run.checklist",
                "x",
                "form_fields%2Ctags",
            ]))
            .to_string(),
            2 => (*rng.pick(&[
                "all",
                "active",
                "complete",
                "overdue",
                "due_soon",
                "not-started",
                "-created_at",
                "title",
            ]))
            .to_string(),
            _ => form_encode(&string(rng)),
        };
        parts.push(format!("{key}={value}"));
    }
    // Kept under 8 KiB: hyper drops a connection whose request line passes its 64 KiB URI limit
    // before docket sees it (too-long headers are fuzzed elsewhere, in limits.rs).
    let mut q = format!("?{}", parts.join("&"));
    q.truncate(8 * 1024);
    q
}
