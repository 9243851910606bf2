//! Steps of templates (ST1–ST7): shapes, partial updates, deadline anchors, refusals, clone and
//! reorder. Templates are inserted with SQL so these tests do not depend on the template routes.

mod crud;
mod rules;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::fixtures::exec_sql;

/// Inserts a template of `org` (next `increment_id`) and returns its id.
pub async fn template_in(app: &TestApp, org: &str, title: &str) -> String {
    let id = docket_domain::ids::new_id32();
    exec_sql(
        app,
        &format!("UPDATE organizations SET template_seq = template_seq + 1 WHERE id = '{org}'"),
    )
    .await;
    exec_sql(
        app,
        &format!(
            "INSERT INTO checklists (id, org_id, increment_id, title, alias, owner_id, created_by, created_at, last_updated)
             VALUES ('{id}', '{org}', (SELECT template_seq FROM organizations WHERE id = '{org}'), '{title}',
                     'tpl-{}', 1, 1, 0, 0)",
            &id[id.len() - 6..]
        ),
    )
    .await;
    id
}

/// A template of `acme`.
pub async fn template(app: &TestApp) -> String {
    template_in(app, "acme", "Onboarding").await
}

/// `…/checklists/{tpl}/steps` + `rest`.
pub fn steps_path(app: &TestApp, tpl: &str, rest: &str) -> String {
    app.org_path(&format!("/checklists/{tpl}/steps{rest}"))
}

/// Adds a step as the admin and returns its JSON.
pub async fn add_step(app: &TestApp, tpl: &str, body: Value) -> Value {
    app.json(Method::POST, &steps_path(app, tpl, ""), body)
        .await
        .expect(201)
        .data()
        .clone()
}

/// The id of a JSON object.
pub fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

/// The template's steps as (title, position), by position.
pub async fn step_titles(app: &TestApp, tpl: &str) -> Vec<(String, i64)> {
    let r = app.get(&steps_path(app, tpl, "?per_page=100")).await.expect(200);
    r.data()
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| {
            (
                s["title"].as_str().expect("title").to_string(),
                s["position"].as_i64().expect("position"),
            )
        })
        .collect()
}

/// Adds a rule row naming `refs` to the template (as the rules routes store it).
pub async fn add_rule(app: &TestApp, tpl: &str, conditionable: &str, target: &str) {
    let conditions = json!([{"id": "c1", "conditionable_id": conditionable, "conditionable_type": "Capture",
                             "operation": "is_empty", "statement": null, "logic": "and", "position": 1}]);
    let actions = json!([{"id": "a1", "action_type": "visibility", "action_verb": "show", "target_step_id": target,
                          "position": 1, "deadline": null}]);
    exec_sql(
        app,
        &format!(
            "INSERT INTO automations (id, org_id, checklist_id, seq, automated_alias, conditions, then_actions, created_at, last_updated)
             VALUES ('{}', 'acme', '{tpl}', 1, 'Rule 1', '{conditions}', '{actions}', 0, 0)",
            docket_domain::ids::new_id32()
        ),
    )
    .await;
}
