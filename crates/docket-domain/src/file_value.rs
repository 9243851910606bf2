//! Values of `file` form fields (task `taskdata`, run `prerun`): a list of file entries, each
//! naming an uploaded asset of the organization by its `id`, or an external link by `url` /
//! `full_url`. An entry with an `id` must name an asset the writer may see; it is stored with
//! the asset's own keys. The rule ([`check_refs`]) is called by the handler before a write and
//! by the store inside the write's transaction (an asset may be deleted in between).

use serde_json::{Map, Value};

/// A value that is not a list of objects.
pub const NOT_A_LIST: &str = "The file value must be a list of file objects.";
/// An entry naming no asset (of the organization, visible to the writer) and no link.
pub const INVALID_FILE: &str = "The selected file is invalid.";
/// A `source` other than `local` or `url`.
pub const INVALID_SOURCE: &str = "The selected source is invalid.";

/// What a file entry naming an asset is stored as: the asset's keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetRef {
    /// The asset id.
    pub id: String,
    /// Its file name.
    pub filename: String,
    /// `organizations/{org}/file/{id}/dl`.
    pub url: String,
    /// The same, absolute.
    pub full_url: String,
    /// `ko_field` or a form-field id.
    pub uploaded_from: String,
    /// Upload time, wire format.
    pub uploaded_at: String,
    /// Step of the run's template, if the upload named one.
    pub step_id: Option<String>,
    /// `local` or `url`.
    pub source: String,
    /// `Checklist`, `Run` or `Task`.
    pub subject_type: String,
    /// The template, run or task.
    pub subject_id: String,
}

/// The asset id an entry names, if it carries one (a string, or a number as text).
fn entry_id(entry: &Map<String, Value>) -> Option<String> {
    match entry.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// A non-empty string under `key`.
fn text<'a>(entry: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    entry
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Checks the shape of a (non-empty) file value: a list of objects, each naming an asset by
/// `id` or a link by `url`/`full_url`, with a valid `source`. Links are completed (`source`
/// `url`, `filename` the URL's last path segment); entries with an id are left for
/// [`resolve`].
pub fn check_shape(v: &Value) -> Result<Value, String> {
    let Value::Array(items) = v else {
        return Err(NOT_A_LIST.into());
    };
    if items.len() > crate::limits::MAX_FILES {
        return Err(format!(
            "The file value may not have more than {} items.",
            crate::limits::MAX_FILES
        ));
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Value::Object(entry) = item else {
            return Err(NOT_A_LIST.into());
        };
        match entry.get("source") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s == "local" || s == "url" => {}
            Some(_) => return Err(INVALID_SOURCE.into()),
        }
        if entry_id(entry).is_some() {
            out.push(item.clone());
            continue;
        }
        let Some(link) = text(entry, "url").or_else(|| text(entry, "full_url")) else {
            return Err(INVALID_FILE.into());
        };
        let mut link_entry = entry.clone();
        if !matches!(entry.get("source"), Some(Value::String(_))) {
            link_entry.insert("source".into(), Value::from("url"));
        }
        if text(entry, "filename").is_none() {
            let path = link.split(['?', '#']).next().unwrap_or(link);
            let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or(path);
            link_entry.insert("filename".into(), Value::from(last));
        }
        out.push(Value::Object(link_entry));
    }
    Ok(Value::Array(out))
}

/// The asset ids a file value names, in order, without repeats.
pub fn asset_ids(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for entry in v.as_array().into_iter().flatten().filter_map(Value::as_object) {
        if let Some(id) = entry_id(entry)
            && !out.contains(&id)
        {
            out.push(id);
        }
    }
    out
}

/// The rule: every entry of `v` that carries an `id` names an asset `known` accepts (one of the
/// organization's assets the writer may see). `Err` holds the message for the field.
pub fn check_refs(v: &Value, known: impl Fn(&str) -> bool) -> Result<(), String> {
    if asset_ids(v).iter().all(|id| known(id)) {
        Ok(())
    } else {
        Err(INVALID_FILE.into())
    }
}

/// Checks `v` (already through [`check_shape`]) with [`check_refs`] against `assets`, and
/// rewrites each entry naming an asset with the asset's keys (other keys sent are kept).
pub fn resolve(v: &Value, assets: &[AssetRef]) -> Result<Value, String> {
    let find = |id: &str| assets.iter().find(|a| a.id == id);
    check_refs(v, |id| find(id).is_some())?;
    let items = v.as_array().cloned().unwrap_or_default();
    let out = items
        .into_iter()
        .map(|item| {
            let Value::Object(mut entry) = item else {
                return item;
            };
            if let Some(asset) = entry_id(&entry).as_deref().and_then(find) {
                for (key, value) in [
                    ("id", Value::from(asset.id.clone())),
                    ("filename", Value::from(asset.filename.clone())),
                    ("version", Value::from(1)),
                    ("url", Value::from(asset.url.clone())),
                    ("full_url", Value::from(asset.full_url.clone())),
                    ("uploaded_from", Value::from(asset.uploaded_from.clone())),
                    ("uploaded_at", Value::from(asset.uploaded_at.clone())),
                    ("step_id", asset.step_id.clone().map_or(Value::Null, Value::from)),
                    ("source", Value::from(asset.source.clone())),
                    (
                        "subject",
                        serde_json::json!({"id": asset.subject_id, "type": asset.subject_type}),
                    ),
                ] {
                    entry.insert(key.into(), value);
                }
            }
            Value::Object(entry)
        })
        .collect();
    Ok(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn asset(id: &str) -> AssetRef {
        AssetRef {
            id: id.into(),
            filename: "a.pdf".into(),
            url: format!("organizations/o/file/{id}/dl"),
            full_url: format!("http://x/organizations/o/file/{id}/dl"),
            uploaded_from: "ko_field".into(),
            uploaded_at: "2025-01-01T00:00:00.000Z".into(),
            step_id: None,
            source: "local".into(),
            subject_type: "Task".into(),
            subject_id: "t1".into(),
        }
    }

    #[test]
    fn shapes_are_checked_and_links_completed() {
        assert_eq!(check_shape(&json!("x")), Err(NOT_A_LIST.into()));
        assert_eq!(check_shape(&json!(["x"])), Err(NOT_A_LIST.into()));
        assert_eq!(check_shape(&json!([{"filename": "a"}])), Err(INVALID_FILE.into()));
        assert_eq!(
            check_shape(&json!([{"id": "a1", "source": "s3"}])),
            Err(INVALID_SOURCE.into())
        );
        assert_eq!(
            check_shape(&json!([{"url": "https://e.test/docs/r.pdf?x=1"}])),
            Ok(json!([{"url": "https://e.test/docs/r.pdf?x=1", "source": "url", "filename": "r.pdf"}]))
        );
        assert_eq!(check_shape(&json!([{"id": "a1"}])), Ok(json!([{"id": "a1"}])));
    }

    #[test]
    fn ids_must_name_known_assets_and_take_their_keys() {
        let v = json!([{"id": "a1", "filename": "mine", "note": "kept"}, {"url": "https://e.test/x"}]);
        assert_eq!(asset_ids(&v), ["a1"]);
        assert_eq!(check_refs(&v, |_| false), Err(INVALID_FILE.into()));
        assert_eq!(resolve(&v, &[asset("a2")]), Err(INVALID_FILE.into()));
        let got = resolve(&v, &[asset("a1")]).expect("known");
        assert_eq!(got[0]["filename"], "a.pdf");
        assert_eq!(got[0]["note"], "kept");
        assert_eq!(got[0]["subject"], json!({"id": "t1", "type": "Task"}));
        assert_eq!(got[1], json!({"url": "https://e.test/x"}));
    }
}
