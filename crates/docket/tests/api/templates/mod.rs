//! Templates (CL1–CL11): create, read, update, list, archive, restore, delete, clone, publish,
//! kick-off fields, and tags and search on templates.

mod crud;
mod import_rules;
mod kickoff;
mod lifecycle;
mod list;
mod search;
mod tags;
mod with_steps;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::TestApp;

/// Creates a template as the admin and returns its data.
pub async fn create(app: &TestApp, body: Value) -> Value {
    app.json(Method::POST, &app.org_path("/checklists"), body)
        .await
        .expect(201)
        .data()
        .clone()
}

/// A template titled `title`; returns its id.
pub async fn template(app: &TestApp, title: &str) -> String {
    create(app, json!({"title": title})).await["id"]
        .as_str()
        .expect("template id")
        .to_string()
}

/// `/organizations/acme/checklists/{id}` + `rest`.
pub fn path(app: &TestApp, id: &str, rest: &str) -> String {
    app.org_path(&format!("/checklists/{id}{rest}"))
}
