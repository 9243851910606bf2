//! Form fields on the pages: one input per field type with the API's validation message
//! beside it, and the posted form read back into the values the API takes (`taskdata` of a
//! task, `prerun` of a launch). The values are the API's own shapes (its field-value rules
//! decide); the page only translates inputs to them.
//!
//! Input names: `field.{id}` for one value (repeated for a multiselect), `field.{id}.{row}.{col}`
//! for a table's cells, `field.{id}.users|groups|guests` for an assignees field. File fields
//! are not part of these forms: the task page gives each its own upload form (`task_files`).

use std::collections::BTreeMap;
use std::collections::HashMap;

use maud::{Markup, html};
use serde_json::{Map, Value, json};

use crate::web::client::{Answer, seg};

/// Field types edited in the fields form.
const EDITABLE: &[&str] = &[
    "text",
    "textarea",
    "email",
    "url",
    "number",
    "date",
    "time",
    "datetime",
    "checkbox",
    "radio",
    "dropdown",
    "multiselect",
    "table",
    "assignees_form",
];

/// What a failed write leaves on the page.
#[derive(Debug, Default)]
pub struct Problems {
    /// A sentence for the top of the page.
    pub message: Option<String>,
    /// Messages by field id.
    pub fields: HashMap<String, String>,
    /// The values sent, by field id (shown again instead of the stored ones).
    pub sent: Map<String, Value>,
    /// The comment text sent.
    pub comment: Option<String>,
}

impl Problems {
    /// The API's refusal: its message and the first message per field (`taskdata.{id}…` and
    /// `prerun.{id}…` under the field's id).
    pub fn from_answer(a: &Answer) -> Problems {
        let mut p = Problems {
            message: Some(a.message()),
            ..Problems::default()
        };
        p.absorb(a);
        p
    }

    /// Adds the API's message and field messages of `a`.
    pub fn absorb(&mut self, a: &Answer) {
        self.message = Some(a.message());
        for (key, msg) in a.field_errors() {
            let id = match key.strip_prefix("taskdata.").or_else(|| key.strip_prefix("prerun.")) {
                Some(rest) => rest.split('.').next().unwrap_or(rest).to_string(),
                None => key,
            };
            self.fields.entry(id).or_insert(msg);
        }
    }
}

/// Members and groups of the organization, for assignees fields.
#[derive(Debug, Default)]
pub struct People {
    /// (id, name) of each member.
    pub members: Vec<(i64, String)>,
    /// (id, name) of each group.
    pub groups: Vec<(String, String)>,
}

impl People {
    /// From the API's `users-list` and `groups` answers.
    pub fn from_answers(users: &Answer, groups: &Answer) -> People {
        let members = users
            .data()
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|u| {
                let name = u["full_name"]
                    .as_str()
                    .filter(|s| !s.trim().is_empty())
                    .or(u["email"].as_str())
                    .unwrap_or("");
                Some((u["id"].as_i64()?, name.to_string()))
            })
            .collect();
        let groups = groups
            .data()
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|g| {
                Some((
                    g["id"].as_str()?.to_string(),
                    g["name"].as_str().unwrap_or("").to_string(),
                ))
            })
            .collect();
        People { members, groups }
    }

    /// A member's name (`member {id}` for one not listed).
    pub fn member_name(&self, id: i64) -> String {
        self.members
            .iter()
            .find(|(i, _)| *i == id)
            .map_or_else(|| format!("member {id}"), |(_, n)| n.clone())
    }

    /// A group's name (`group {id}` for one not listed).
    pub fn group_name(&self, id: &str) -> String {
        self.groups
            .iter()
            .find(|(i, _)| i == id)
            .map_or_else(|| format!("group {id}"), |(_, n)| n.clone())
    }
}

/// How fields are shown: read-only (a completed task), and what an assignees field offers.
pub struct FieldView<'a> {
    /// Values shown, not edited.
    pub read_only: bool,
    /// The organization's members and groups (assignees fields).
    pub people: Option<&'a People>,
    /// The organization of the page (file download links), `None` where files have no links.
    pub org: Option<&'a str>,
}

/// The text of a stored value (for the read-only fields and the initial inputs).
fn value_texts(v: &Value) -> Vec<String> {
    match v {
        Value::Null => vec![],
        Value::String(s) => vec![s.clone()],
        Value::Bool(b) => vec![b.to_string()],
        Value::Number(n) => vec![n.to_string()],
        Value::Object(o) => vec![o.get("text").and_then(Value::as_str).unwrap_or("").to_string()],
        Value::Array(items) => items
            .iter()
            .filter(|i| i.get("selected").and_then(Value::as_bool) != Some(false))
            .map(scalar_text)
            .collect(),
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Object(o) => o
            .get("text")
            .or_else(|| o.get("filename"))
            .or_else(|| o.get("name"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string()),
        other => other.to_string(),
    }
}

fn option_texts(f: &Value) -> Vec<String> {
    f["options"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| {
            o.as_str()
                .map(str::to_string)
                .or_else(|| o["text"].as_str().map(str::to_string))
        })
        .collect()
}

fn column_labels(f: &Value) -> Vec<String> {
    f["columns"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            c.as_str()
                .or_else(|| c["label"].as_str())
                .or_else(|| c["text"].as_str())
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

/// A table value as cells by column (a scalar entry is a one-row column).
fn table_cells(v: &Value, columns: usize) -> Vec<Vec<String>> {
    let entries = v.as_array().cloned().unwrap_or_default();
    (0..columns)
        .map(|c| match entries.get(c) {
            Some(Value::Array(cells)) => cells.iter().map(scalar_text).collect(),
            Some(Value::Null) | None => Vec::new(),
            Some(other) => vec![scalar_text(other)],
        })
        .collect()
}

/// The entries of a file field's value: (asset id if any, display name).
pub fn file_entries(v: &Value) -> Vec<(Option<String>, String)> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let id = e["id"]
                .as_str()
                .map(str::to_string)
                .or_else(|| e["id"].as_i64().map(|n| n.to_string()));
            let name = e["filename"]
                .as_str()
                .or_else(|| e["name"].as_str())
                .or_else(|| e["url"].as_str())
                .or_else(|| e["full_url"].as_str())
                .unwrap_or("file")
                .to_string();
            (id, name)
        })
        .collect()
}

/// The list of a file field's files, each with a download link when it names an asset (a
/// member's page of organization `org`).
pub fn file_list(v: &Value, org: Option<&str>) -> Markup {
    let downloads = org.map(|o| format!("/app/{}/files", seg(o)));
    file_links(v, downloads.as_deref())
}

/// The list of a file field's files, each asset downloading from `{downloads}/{asset id}`
/// (a member's or a guest's page); without `downloads`, names only.
pub fn file_links(v: &Value, downloads: Option<&str>) -> Markup {
    let files = file_entries(v);
    html! {
        @if files.is_empty() { p { span.hint { "No files" } } } @else {
            ul.files { @for (id, name) in &files {
                li { @match (id, downloads) {
                    (Some(id), Some(d)) => a href={ (d) "/" (seg(id)) } download hx-boost="false" { (name) },
                    _ => span { (name) },
                } }
            } }
        }
    }
}

/// One form field: label, input of its type, the API's message beside it.
pub fn field(f: &Value, problems: &Problems, view: &FieldView) -> Markup {
    let id = f["id"].as_str().unwrap_or("");
    let kind = f["field_type"].as_str().unwrap_or("text");
    let name = format!("field.{id}");
    let dom = format!("f-{id}");
    let err_id = format!("f-{id}-error");
    let problem = problems.fields.get(id);
    let value = problems.sent.get(id).unwrap_or(&f["value"]);
    let values = value_texts(value);
    let first = values.first().cloned().unwrap_or_default();
    let required = f["required"].as_bool() == Some(true);
    let described = problem.map(|_| err_id.clone());
    let invalid = problem.map(|_| "true");
    let editable = !view.read_only && EDITABLE.contains(&kind);
    let label = f["label"].as_str().unwrap_or("");
    html! {
        div.field.(if problem.is_some() { "field-invalid" } else { "" }) {
            @if kind == "file" {
                fieldset {
                    legend { (label) @if required { " *" } }
                    (file_list(value, view.org))
                    @if !view.read_only { p.hint { "Files are added once the process is launched." } }
                }
            } @else if kind == "table" {
                fieldset {
                    legend { (label) @if required { " *" } }
                    (table(id, f, value, editable, described.as_deref()))
                }
            } @else if kind == "assignees_form" {
                fieldset {
                    legend { (label) @if required { " *" } }
                    (assignees(id, value, editable, view.people, described.as_deref()))
                }
            } @else if matches!(kind, "radio" | "multiselect" | "checkbox") || !editable {
                fieldset {
                    legend { (label) @if required { " *" } }
                    @if !editable {
                        p { @if values.is_empty() { span.hint { "No answer" } } @else { (values.join(", ")) } }
                    } @else if kind == "checkbox" {
                        input type="hidden" name=(name) value="false";
                        input #(dom) type="checkbox" name=(name) value="true" checked[first == "true"]
                            aria-invalid=[invalid] aria-describedby=[described.as_deref()];
                        label.inline for=(dom) { "Yes" }
                    } @else {
                        @if kind == "multiselect" { input type="hidden" name=(name) value=""; }
                        @for (i, o) in option_texts(f).iter().enumerate() {
                            @let oid = format!("{dom}-{i}");
                            input #(oid) type=(if kind == "radio" { "radio" } else { "checkbox" }) name=(name) value=(o)
                                checked[values.contains(o)] aria-describedby=[described.as_deref()];
                            label.inline for=(oid) { (o) }
                        }
                    }
                }
            } @else {
                label for=(dom) { (label) @if required { " *" } }
                @match kind {
                    "textarea" => textarea #(dom) name=(name) aria-invalid=[invalid] aria-describedby=[described.as_deref()] { (first) },
                    "dropdown" => select #(dom) name=(name) aria-invalid=[invalid] aria-describedby=[described.as_deref()] {
                        option value="" { "—" }
                        @for o in option_texts(f) { option value=(o) selected[first == o] { (o) } }
                    },
                    _ => input #(dom) type=(input_type(kind)) name=(name) value=(input_value(kind, &first))
                        step=[(kind == "number").then_some("any")]
                        aria-invalid=[invalid] aria-describedby=[described.as_deref()];
                }
            }
            @if let Some(g) = f["guidance"].as_str().filter(|g| !g.is_empty()) { p.hint { (g) } }
            @if let Some(m) = problem { p.error #(err_id) { (m) } }
        }
    }
}

/// A table field: one row of inputs per stored row, plus an empty row to add one (without
/// JavaScript a form adds one row per save).
fn table(id: &str, f: &Value, value: &Value, editable: bool, described: Option<&str>) -> Markup {
    let labels = column_labels(f);
    let cells = table_cells(value, labels.len());
    let stored_rows = cells.iter().map(Vec::len).max().unwrap_or(0);
    let rows = if editable { stored_rows + 1 } else { stored_rows };
    html! {
        @if rows == 0 { p { span.hint { "No answer" } } } @else {
            table.grid aria-describedby=[described] {
                thead { tr { @for l in &labels { th scope="col" { (l) } } } }
                tbody { @for r in 0..rows {
                    tr { @for (c, l) in labels.iter().enumerate() {
                        @let text = cells.get(c).and_then(|col| col.get(r)).map(String::as_str).unwrap_or("");
                        td { @if editable {
                            input type="text" name={ "field." (id) "." (r) "." (c) } value=(text)
                                aria-label={ (l) ", row " (r + 1) };
                        } @else { (text) } }
                    } }
                } }
            }
        }
    }
}

/// An assignees field: members and groups to tick, guests' emails (comma separated).
fn assignees(id: &str, value: &Value, editable: bool, people: Option<&People>, described: Option<&str>) -> Markup {
    let users: Vec<i64> = value["users"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| u.as_i64().or_else(|| u.as_str()?.parse().ok()))
        .collect();
    let groups: Vec<String> = value["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .map(scalar_text)
        .collect();
    let guests: Vec<String> = value["guests"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|g| g["email"].as_str().map_or_else(|| scalar_text(g), str::to_string))
        .collect();
    let empty = People::default();
    let people = people.unwrap_or(&empty);
    if !editable {
        let mut all: Vec<String> = users.iter().map(|u| people.member_name(*u)).collect();
        all.extend(groups.iter().map(|g| people.group_name(g)));
        all.extend(guests.iter().cloned());
        return html! { p { @if all.is_empty() { span.hint { "No answer" } } @else { (all.join(", ")) } } };
    }
    let dom = format!("f-{id}");
    html! {
        input type="hidden" name={ "field." (id) ".users" } value="";
        @if !people.members.is_empty() {
            p.hint { "Members" }
            @for (uid, n) in &people.members {
                @let oid = format!("{dom}-u{uid}");
                input #(oid) type="checkbox" name={ "field." (id) ".users" } value=(uid) checked[users.contains(uid)]
                    aria-describedby=[described];
                label.inline for=(oid) { (n) }
            }
        }
        @if !people.groups.is_empty() {
            p.hint { "Groups" }
            @for (gid, n) in &people.groups {
                @let oid = format!("{dom}-g{gid}");
                input #(oid) type="checkbox" name={ "field." (id) ".groups" } value=(gid) checked[groups.contains(gid)]
                    aria-describedby=[described];
                label.inline for=(oid) { (n) }
            }
        }
        label for={ (dom) "-guests" } { "Guests (email addresses, separated by commas)" }
        input id={ (dom) "-guests" } type="text" name={ "field." (id) ".guests" } value=(guests.join(", "))
            aria-describedby=[described];
    }
}

fn input_type(kind: &str) -> &'static str {
    match kind {
        "email" => "email",
        "url" => "url",
        "number" => "text",
        "date" => "date",
        "time" => "time",
        "datetime" => "datetime-local",
        _ => "text",
    }
}

/// A stored value as the input of its type wants it (dates as `YYYY-MM-DD`, date-times as
/// `YYYY-MM-DDTHH:MM`).
fn input_value(kind: &str, v: &str) -> String {
    match kind {
        "date" if v.len() >= 10 && v.is_char_boundary(10) => v[..10].to_string(),
        "datetime" if v.len() >= 16 && v.is_char_boundary(16) => v[..16].to_string(),
        _ => v.to_string(),
    }
}

/// The form's answers for the editable fields of `defs` (the API's field shapes), keyed by
/// field id as `taskdata` and `prerun` take them. A field the form did not carry is left out.
pub fn answers(defs: &[Value], pairs: &[(String, String)]) -> Map<String, Value> {
    let mut data = Map::new();
    for f in defs {
        let (Some(id), Some(kind)) = (f["id"].as_str(), f["field_type"].as_str()) else {
            continue;
        };
        if !EDITABLE.contains(&kind) {
            continue;
        }
        let prefix = format!("field.{id}");
        let own: Vec<(&str, &str)> = pairs
            .iter()
            .filter_map(|(k, v)| {
                let rest = k.strip_prefix(&prefix)?;
                if rest.is_empty() {
                    Some(("", v.as_str()))
                } else {
                    rest.strip_prefix('.').map(|sub| (sub, v.as_str()))
                }
            })
            .collect();
        if own.is_empty() {
            continue;
        }
        let plain: Vec<&str> = own.iter().filter(|(s, _)| s.is_empty()).map(|(_, v)| *v).collect();
        let last = plain.last().copied().unwrap_or("").to_string();
        let v = match kind {
            "multiselect" => Value::Array(
                plain
                    .iter()
                    .filter(|s| !s.is_empty())
                    .map(|s| json!({"text": s}))
                    .collect(),
            ),
            "checkbox" => Value::Bool(last == "true"),
            "datetime" if last.len() == 16 => Value::String(format!("{last}:00")),
            "table" => table_value(column_labels(f).len(), &own),
            "assignees_form" => assignees_value(&own),
            _ => Value::String(last),
        };
        data.insert(id.to_string(), v);
    }
    data
}

/// Cells `{row}.{col}` as the API's table value: one array per column of the rows that have
/// any text; no such row clears the answer.
fn table_value(columns: usize, own: &[(&str, &str)]) -> Value {
    let mut rows: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (sub, v) in own {
        let Some((r, c)) = sub.split_once('.') else { continue };
        let (Ok(r), Ok(c)) = (r.parse::<usize>(), c.parse::<usize>()) else {
            continue;
        };
        if c >= columns || r > 10_000 {
            continue;
        }
        let row = rows.entry(r).or_insert_with(|| vec![String::new(); columns]);
        row[c] = v.trim().to_string();
    }
    let kept: Vec<Vec<String>> = rows
        .into_values()
        .filter(|row| row.iter().any(|c| !c.is_empty()))
        .collect();
    if kept.is_empty() {
        return Value::Null;
    }
    Value::Array(
        (0..columns)
            .map(|c| Value::Array(kept.iter().map(|row| Value::String(row[c].clone())).collect()))
            .collect(),
    )
}

/// `users`, `groups` and `guests` inputs as the API's assignees value; nothing chosen clears it.
fn assignees_value(own: &[(&str, &str)]) -> Value {
    let (mut users, mut groups, mut guests) = (Vec::new(), Vec::new(), Vec::new());
    for (sub, v) in own {
        let v = v.trim();
        match *sub {
            "users" if !v.is_empty() => users.push(
                v.parse::<i64>()
                    .map_or_else(|_| Value::String(v.to_string()), Value::from),
            ),
            "groups" if !v.is_empty() => groups.push(Value::String(v.to_string())),
            "guests" => guests.extend(
                v.split([',', ';', ' ', '\n'])
                    .map(str::trim)
                    .filter(|g| !g.is_empty())
                    .map(|g| Value::String(g.to_string())),
            ),
            _ => {}
        }
    }
    if users.is_empty() && groups.is_empty() && guests.is_empty() {
        return Value::Null;
    }
    json!({"users": users, "groups": groups, "guests": guests})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_table_is_read_by_column_without_empty_rows() {
        let f = json!({"id": "t", "field_type": "table", "columns": [{"label": "A"}, {"label": "B"}]});
        let got = answers(
            &[f],
            &pairs(&[
                ("field.t.0.0", "a1"),
                ("field.t.0.1", "b1"),
                ("field.t.1.0", ""),
                ("field.t.1.1", " "),
                ("field.t.2.1", "b3"),
                ("field.t.2.9", "ignored"),
            ]),
        );
        assert_eq!(got["t"], json!([["a1", ""], ["b1", "b3"]]));
    }

    #[test]
    fn assignees_are_ids_groups_and_emails() {
        let f = json!({"id": "a", "field_type": "assignees_form"});
        let got = answers(
            std::slice::from_ref(&f),
            &pairs(&[
                ("field.a.users", ""),
                ("field.a.users", "1001"),
                ("field.a.groups", "g1"),
                ("field.a.guests", "x@p.test, y@p.test"),
            ]),
        );
        assert_eq!(
            got["a"],
            json!({"users": [1001], "groups": ["g1"], "guests": ["x@p.test", "y@p.test"]})
        );
        let none = answers(&[f], &pairs(&[("field.a.users", ""), ("field.a.guests", "")]));
        assert_eq!(none["a"], Value::Null);
    }

    #[test]
    fn a_field_id_prefix_names_no_other_field() {
        let defs = [
            json!({"id": "ab", "field_type": "text"}),
            json!({"id": "abc", "field_type": "text"}),
        ];
        let got = answers(&defs, &pairs(&[("field.abc", "x")]));
        assert!(!got.contains_key("ab"));
        assert_eq!(got["abc"], "x");
    }
}
