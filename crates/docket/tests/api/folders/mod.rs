//! Folders (F1–F7): the tree, runs and tasks filed in it, and what filing shows elsewhere (the
//! `folder` filters, `with=folders`, search results, deletes, export/import in `transfer.rs`).

mod crud;
mod filing;
mod objects;
mod tree;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Resp, TestApp};

/// Creates a folder as the admin (under `parent` when given) and returns its JSON.
pub async fn create(app: &TestApp, name: &str, parent: Option<&str>) -> Value {
    let mut body = json!({"name": name});
    if let Some(p) = parent {
        body["parent_id"] = json!(p);
    }
    app.json(Method::POST, &app.org_path("/folders"), body)
        .await
        .expect(201)
        .data()
        .clone()
}

/// `/organizations/acme/folders/{id}`.
pub fn folder_path(app: &TestApp, id: &str) -> String {
    app.org_path(&format!("/folders/{id}"))
}

/// A folder's id.
pub fn id_of(f: &Value) -> String {
    f["id"].as_str().expect("folder id").to_string()
}

/// (name, position) of each folder of a list response, in order.
pub fn names(r: &Resp) -> Vec<(String, i64)> {
    items(r.data())
}

/// (name, position) of each folder of an array.
pub fn items(v: &Value) -> Vec<(String, i64)> {
    v.as_array()
        .expect("folder array")
        .iter()
        .map(|f| {
            (
                f["name"].as_str().expect("name").to_string(),
                f["position"].as_i64().expect("position"),
            )
        })
        .collect()
}

/// `[(name, position)]` from literals.
pub fn expect(v: &[(&str, i64)]) -> Vec<(String, i64)> {
    v.iter().map(|(n, p)| (n.to_string(), *p)).collect()
}

/// Files a run or task: the response.
pub async fn file(app: &TestApp, folder: &str, subject_type: &str, subject: &str) -> Resp {
    app.json(
        Method::POST,
        &app.org_path("/folders/add-object"),
        json!({"folder_id": folder, "subject_type": subject_type, "subject_id": subject}),
    )
    .await
}
