//! Automation rules of templates (AU1–AU3). Templates, steps and fields are arranged with SQL.

mod bad_input;
mod engine;
mod sdk_drive;
mod writes;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::fixtures::exec_sql;

/// A template arranged with SQL: three steps, captures on the first two, two kick-off fields.
pub struct Template {
    pub id: String,
    pub steps: [String; 3],
    /// text capture of step 1.
    pub text: String,
    /// date capture of step 1.
    pub date: String,
    /// assignees_form capture of step 2.
    pub people: String,
    /// number kick-off field.
    pub amount: String,
    /// assignees_form kick-off field.
    pub ko_people: String,
}

fn hex(prefix: &str, n: usize) -> String {
    format!("{prefix}{n:0>width$}", width = 32 - prefix.len())
}

/// Creates a template of `org` numbered `n` (1, 2, …: ids and aliases derive from it).
pub async fn template_in(app: &TestApp, org: &str, n: usize) -> Template {
    let id = hex(&format!("c{n}"), 0);
    let now = 1_700_000_000_000_i64;
    exec_sql(
        app,
        &format!("UPDATE organizations SET template_seq = template_seq + 1 WHERE id = '{org}'"),
    )
    .await;
    exec_sql(
        app,
        &format!(
            "INSERT INTO checklists (id, org_id, increment_id, title, alias, owner_id, created_by, created_at, last_updated)
             SELECT '{id}', '{org}', template_seq, 'Template {n}', 'template-{n}', 1001, 1001, {now}, {now}
               FROM organizations WHERE id = '{org}'"
        ),
    )
    .await;
    let steps = [1, 2, 3].map(|i| hex(&format!("5{n}"), i));
    for (i, s) in steps.iter().enumerate() {
        exec_sql(
            app,
            &format!(
                "INSERT INTO steps (id, org_id, checklist_id, position, title, alias, created_at, last_updated)
                 VALUES ('{s}', '{org}', '{id}', {p}, 'Step {p}', 'step-{p}', {now}, {now})",
                p = i + 1
            ),
        )
        .await;
    }
    let field = |fid: &str, step: Option<&str>, ty: &str, pos: usize| {
        let step = step.map_or("NULL".to_string(), |s| format!("'{s}'"));
        format!(
            "INSERT INTO template_fields (id, org_id, checklist_id, step_id, alias, label, field_type, position, required,
                                          created_at, last_updated)
             VALUES ('{fid}', '{org}', '{id}', {step}, '{fid}', 'Field {fid}', '{ty}', {pos}, FALSE, {now}, {now})"
        )
    };
    let t = Template {
        text: hex(&format!("d{n}"), 1),
        date: hex(&format!("d{n}"), 2),
        people: hex(&format!("d{n}"), 3),
        amount: hex(&format!("e{n}"), 1),
        ko_people: hex(&format!("e{n}"), 2),
        id: id.clone(),
        steps: steps.clone(),
    };
    for sql in [
        field(&t.text, Some(&steps[0]), "text", 1),
        field(&t.date, Some(&steps[0]), "date", 2),
        field(&t.people, Some(&steps[1]), "assignees_form", 1),
        field(&t.amount, None, "number", 1),
        field(&t.ko_people, None, "assignees_form", 2),
    ] {
        exec_sql(app, &sql).await;
    }
    t
}

/// A template of `acme`.
pub async fn template(app: &TestApp) -> Template {
    template_in(app, "acme", 1).await
}

pub fn rules_path(app: &TestApp, t: &Template) -> String {
    app.org_path(&format!("/checklists/{}/automated-actions", t.id))
}

pub fn rule_path(app: &TestApp, t: &Template, rule: &str) -> String {
    app.org_path(&format!("/checklists/{}/automated-actions/{rule}", t.id))
}

/// "When step 1 is completed, show step 2."
pub fn show_rule(t: &Template) -> Value {
    json!({
        "automated_alias": "Show step 2",
        "conditions": [{"conditionable_type": "Step", "conditionable_id": t.steps[0], "operation": "completed"}],
        "then_actions": [{"action_type": "visibility", "action_verb": "show", "target_step_id": t.steps[1]}]
    })
}

/// Creates a rule as the admin; returns its JSON.
pub async fn create_rule(app: &TestApp, t: &Template, body: Value) -> Value {
    app.json(Method::POST, &rules_path(app, t), body)
        .await
        .expect(201)
        .data()
        .clone()
}
