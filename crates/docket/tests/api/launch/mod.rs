//! R8 launches from a template and the run/task amendments of launched runs. Templates are
//! written with SQL here (the rows their own routes write), so these tests do not depend on the
//! template routes.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::fixtures::exec_sql;
use crate::support::{Resp, TestApp};

mod batches;
mod hidden;
mod includes;
mod launches;
mod refusals;
mod runs;
#[path = "sdk_drive.rs"]
mod sdk;

/// The template of the contract's example.
pub const TEMPLATE: &str = "c0ffee00112233445566778899aabbcc";
/// Its kick-off field "Customer name" (text, required).
pub const KICKOFF: &str = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6";
/// Its optional kick-off field "Amount" (number).
pub const AMOUNT: &str = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d7";
/// Step 1 "Collect documents": 2 days from launch, group-assigned, one capture.
pub const COLLECT: &str = "5e1f00112233445566778899aabbccdd";
/// Its capture "Contract" (text, required).
pub const CONTRACT: &str = "d00d00112233445566778899aabbccdd";
/// Step 2 "Review": 1 day after step 1, no assignees.
pub const REVIEW: &str = "c3d4c3d4c3d4c3d4c3d4c3d4c3d4c3d4";

/// A template row of `org` (its number taken from the organization's template sequence).
pub async fn insert_template(app: &TestApp, org: &str, id: &str, title: &str, extra_cols: &str, extra_vals: &str) {
    exec_sql(
        app,
        &format!("UPDATE organizations SET template_seq = template_seq + 1 WHERE id = '{org}'"),
    )
    .await;
    exec_sql(
        app,
        &format!(
            "INSERT INTO checklists (id, org_id, increment_id, title, alias, owner_id, created_by, created_at,
                 last_updated{extra_cols})
             SELECT '{id}', '{org}', template_seq, '{title}', 'alias-{id}', 1001, 1001, 1, 1{extra_vals}
               FROM organizations WHERE id = '{org}'"
        ),
    )
    .await;
}

/// A step of template `checklist` with `cols`/`vals` beyond the required columns.
pub async fn insert_step(app: &TestApp, checklist: &str, id: &str, position: i64, title: &str, cols: &str, vals: &str) {
    let alias = title.to_lowercase().replace(' ', "-");
    exec_sql(
        app,
        &format!(
            "INSERT INTO steps (id, org_id, checklist_id, position, title, alias, created_at, last_updated{cols})
             VALUES ('{id}', 'acme', '{checklist}', {position}, '{title}', '{alias}', 1, 1{vals})"
        ),
    )
    .await;
}

/// A form field of template `checklist`: a kick-off field (`step` NULL) or a step capture.
#[allow(clippy::too_many_arguments)]
pub async fn insert_field(
    app: &TestApp,
    checklist: &str,
    step: Option<&str>,
    id: &str,
    label: &str,
    field_type: &str,
    required: bool,
    position: i64,
) {
    let step = step.map(|s| format!("'{s}'")).unwrap_or_else(|| "NULL".into());
    let alias = label.to_lowercase().replace(' ', "-");
    exec_sql(
        app,
        &format!(
            "INSERT INTO template_fields (id, org_id, checklist_id, step_id, alias, label, field_type, position, required,
                 created_at, last_updated)
             VALUES ('{id}', 'acme', '{checklist}', {step}, '{alias}', '{label}', '{field_type}', {position},
                 {required}, 1, 1)"
        ),
    )
    .await;
}

/// The contract's example template, with its steps assigned to group `group`; returns nothing
/// (the ids are the constants above).
pub async fn example_template(app: &TestApp, group: &str) {
    insert_template(app, "acme", TEMPLATE, "Client onboarding", "", "").await;
    insert_field(app, TEMPLATE, None, KICKOFF, "Customer name", "text", true, 1).await;
    insert_field(app, TEMPLATE, None, AMOUNT, "Amount", "number", false, 2).await;
    insert_step(
        app,
        TEMPLATE,
        COLLECT,
        1,
        "Collect documents",
        ", groups, deadline, tags",
        &format!(", '[\"{group}\"]', '{{\"value\": 2, \"unit\": \"days\", \"option\": \"from\", \"step\": \"start_run\"}}', '[]'"),
    )
    .await;
    insert_field(app, TEMPLATE, Some(COLLECT), CONTRACT, "Contract", "text", true, 1).await;
    insert_step(
        app,
        TEMPLATE,
        REVIEW,
        2,
        "Review",
        ", deadline, step_type",
        &format!(", '{{\"value\": 1, \"unit\": \"day\", \"option\": \"from\", \"step\": \"{COLLECT}\"}}', 'approval'"),
    )
    .await;
}

/// A group of the organization with member 1005; returns its id.
pub async fn group(app: &TestApp) -> String {
    app.add_member("acme", 1005, "ann@acme.test", "standard").await;
    let r = app
        .json(
            Method::POST,
            &app.org_path("/groups"),
            json!({"name": "Legal", "members": [1005]}),
        )
        .await
        .expect(201);
    r.data()["id"].as_str().unwrap().to_string()
}

/// POST /runs with `body`.
pub async fn launch(app: &TestApp, body: Value) -> Resp {
    app.json(Method::POST, &app.org_path("/runs"), body).await
}

/// The tasks of run `run_id`, by position.
pub async fn run_tasks(app: &TestApp, run_id: &str) -> Vec<Value> {
    let r = app
        .get(&app.org_path(&format!("/runs/{run_id}/tasks?with=form_fields")))
        .await
        .expect(200);
    r.data().as_array().unwrap().clone()
}
