//! The rule engine in launched runs: the launch pass, and passes after kick-off values (R3),
//! task data and owners (T4/R12), completion (R13) and reopening (R14), in the same request.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Template, create_rule, template};
use crate::support::TestApp;
use crate::support::fixtures::{count_rows, seed_members};

/// Launches `t` with `prerun`; returns the run id and its tasks (all of them, by position).
async fn launch(app: &TestApp, t: &Template, prerun: Value) -> (String, Vec<Value>) {
    let r = app
        .json(
            Method::POST,
            &app.org_path("/runs"),
            json!({"checklist_id": t.id, "started_at": "2025-06-02T09:00:00Z", "prerun": prerun}),
        )
        .await
        .expect(201);
    let run = r.data()["id"].as_str().expect("run").to_string();
    let tasks = tasks(app, &run).await;
    (run, tasks)
}

async fn tasks(app: &TestApp, run: &str) -> Vec<Value> {
    let r = app
        .get(&app.org_path(&format!("/runs/{run}/tasks?status=all&with=form_fields")))
        .await
        .expect(200);
    r.data().as_array().expect("tasks").clone()
}

fn id(task: &Value) -> String {
    task["id"].as_str().expect("id").to_string()
}

fn statuses(tasks: &[Value]) -> Vec<String> {
    tasks
        .iter()
        .map(|t| t["status"].as_str().expect("status").to_string())
        .collect()
}

async fn complete(app: &TestApp, run: &str, task: &str) -> Value {
    app.json(
        Method::POST,
        &app.org_path(&format!("/runs/{run}/completed-tasks")),
        json!({"task_id": task}),
    )
    .await
    .expect(200)
    .body["data"]
        .clone()
}

on_both!(show_rules_hide_at_launch_and_completion_reveals);
async fn show_rules_hide_at_launch_and_completion_reveals(app: &TestApp) {
    let t = template(app).await;
    create_rule(app, &t, super::show_rule(&t)).await;
    let (run, ts) = launch(app, &t, json!({})).await;
    assert_eq!(statuses(&ts), ["not-started", "auto-skipped", "not-started"]);
    let r = app.get(&app.org_path(&format!("/runs/{run}"))).await.expect(200);
    assert_eq!(r.data()["progress"]["total"], 2, "the hidden task is left out");

    // Completing step 1 shows step 2 again, in the same request.
    let data = complete(app, &run, &id(&ts[0])).await;
    let changed = &data["tasks_changed_by_rules"];
    assert_eq!(changed, &json!({ id(&ts[1]): {"status": "not-started"} }));
    assert_eq!(
        statuses(&tasks(app, &run).await),
        ["completed", "not-started", "not-started"]
    );

    // Reopening step 1 hides step 2 again (visibility is a level).
    let r = app
        .call(
            Method::DELETE,
            &app.org_path(&format!("/runs/{run}/completed-tasks/{}", id(&ts[0]))),
        )
        .await
        .expect(200);
    assert_eq!(
        r.data()["tasks_changed_by_rules"],
        json!({ id(&ts[1]): {"status": "auto-skipped"} })
    );
    assert_eq!(
        statuses(&tasks(app, &run).await),
        ["in-progress", "auto-skipped", "not-started"]
    );
    // Nothing changed by rules: an empty object.
    let r = app
        .json(
            Method::POST,
            &app.org_path(&format!("/runs/{run}/completed-tasks")),
            json!({"task_id": id(&ts[2])}),
        )
        .await
        .expect(200);
    assert_eq!(r.data()["tasks_changed_by_rules"], json!({}));
}

on_both!(kickoff_values_and_task_data_drive_rules);
async fn kickoff_values_and_task_data_drive_rules(app: &TestApp) {
    let t = template(app).await;
    // Hide step 3 while the amount is over 10000; show step 2 when step 1's text says "urgent".
    create_rule(
        app,
        &t,
        json!({"conditions": [{"conditionable_type": "Prerun", "conditionable_id": t.amount, "operation": "greater_than",
                               "statement": "10000"}],
               "then_actions": [{"action_type": "visibility", "action_verb": "hide", "target_step_id": t.steps[2]}]}),
    )
    .await;
    create_rule(
        app,
        &t,
        json!({"conditions": [{"conditionable_type": "Capture", "conditionable_id": t.text, "operation": "contains",
                               "statement": "URGENT"}],
               "then_actions": [{"action_type": "visibility", "action_verb": "show", "target_step_id": t.steps[1]}]}),
    )
    .await;
    let (run, ts) = launch(app, &t, json!({ t.amount.clone(): 20000 })).await;
    assert_eq!(statuses(&ts), ["not-started", "auto-skipped", "auto-skipped"]);

    // R3: the amount drops; step 3 comes back.
    app.json(
        Method::PUT,
        &app.org_path(&format!("/runs/{run}")),
        json!({"prerun": { t.amount.clone(): 5 }}),
    )
    .await
    .expect(200);
    assert_eq!(
        statuses(&tasks(app, &run).await),
        ["not-started", "auto-skipped", "not-started"]
    );

    // T4 task data: step 2 shows.
    app.json(
        Method::PUT,
        &app.org_path(&format!("/tasks/{}", id(&ts[0]))),
        json!({"taskdata": { t.text.clone(): "this is urgent" }}),
    )
    .await
    .expect(200);
    assert_eq!(
        statuses(&tasks(app, &run).await),
        ["not-started", "not-started", "not-started"]
    );
    // A task that was in progress before hiding returns to that status.
    app.json(
        Method::PUT,
        &app.org_path(&format!("/tasks/{}", id(&ts[1]))),
        json!({"status": "in-progress"}),
    )
    .await
    .expect(200);
    app.json(
        Method::PUT,
        &app.org_path(&format!("/tasks/{}", id(&ts[0]))),
        json!({"taskdata": { t.text.clone(): "calm" }}),
    )
    .await
    .expect(200);
    let skipped = count_rows(
        app,
        "SELECT COUNT(*) FROM tasks WHERE id = $1 AND status = 'auto-skipped' AND skipped_status = 'in-progress'",
        &id(&ts[1]),
    )
    .await;
    assert_eq!(skipped, 1);
    app.json(
        Method::PUT,
        &app.org_path(&format!("/tasks/{}", id(&ts[0]))),
        json!({"taskdata": { t.text.clone(): "urgent again" }}),
    )
    .await
    .expect(200);
    assert_eq!(
        statuses(&tasks(app, &run).await),
        ["not-started", "in-progress", "not-started"]
    );
}

on_both!(edge_actions_run_once_when_their_rule_turns_true);
async fn edge_actions_run_once_when_their_rule_turns_true(app: &TestApp) {
    seed_members(app).await;
    let t = template(app).await;
    create_rule(
        app,
        &t,
        json!({"conditions": [{"conditionable_type": "Step", "conditionable_id": t.steps[0], "operation": "completed"}],
               "then_actions": [
                   {"action_type": "deadline", "target_step_id": t.steps[2],
                    "deadline": {"value": 1, "unit": "month", "option": "from", "step": "start_run"}},
                   {"action_type": "assignment", "action_verb": "assign_only", "target_step_id": t.steps[2],
                    "assignees": {"users": [1005]}},
                   {"action_type": "webhook", "target_step_id": t.steps[2], "webhook_url": "https://hooks.example.com/r",
                    "alias_name": "step one done"}]}),
    )
    .await;
    let (run, ts) = launch(app, &t, json!({})).await;
    assert_eq!(
        ts[2]["owners"]["users"],
        json!([1001]),
        "the launcher, before any rule ran"
    );

    let data = complete(app, &run, &id(&ts[0])).await;
    let change = &data["tasks_changed_by_rules"][id(&ts[2])];
    assert_eq!(change["deadline"], "2025-07-02T09:00:00.000Z");
    assert_eq!(change["owners"]["users"], json!([1005]));
    let after = tasks(app, &run).await;
    assert_eq!(after[2]["deadline"], "2025-07-02T09:00:00.000Z");
    assert_eq!(after[2]["owners"]["users"], json!([1005]));
    let hooks = count_rows(
        app,
        "SELECT COUNT(*) FROM outbox WHERE event = 'automation.webhook' AND url = $1",
        "https://hooks.example.com/r",
    )
    .await;
    assert_eq!(hooks, 1);

    // Moved back by hand, the deadline stays: the rule is still true, nothing fires again.
    app.json(
        Method::PUT,
        &app.org_path(&format!("/tasks/{}", id(&ts[2]))),
        json!({"deadline": "2025-06-10T09:00:00Z"}),
    )
    .await
    .expect(200);
    assert_eq!(tasks(app, &run).await[2]["deadline"], "2025-06-10T09:00:00.000Z");
    // Reopened and completed again: false then true, so the actions run again.
    app.call(
        Method::DELETE,
        &app.org_path(&format!("/runs/{run}/completed-tasks/{}", id(&ts[0]))),
    )
    .await
    .expect(200);
    complete(app, &run, &id(&ts[0])).await;
    assert_eq!(tasks(app, &run).await[2]["deadline"], "2025-07-02T09:00:00.000Z");
    let hooks = count_rows(
        app,
        "SELECT COUNT(*) FROM outbox WHERE event = 'automation.webhook' AND url = $1",
        "https://hooks.example.com/r",
    )
    .await;
    assert_eq!(hooks, 2);
}

on_both!(reopen_actions_and_the_reopened_condition);
async fn reopen_actions_and_the_reopened_condition(app: &TestApp) {
    let t = template(app).await;
    // Completing step 2 reopens step 1; step 1 reopened shows nothing but hides step 3.
    create_rule(
        app,
        &t,
        json!({"conditions": [{"conditionable_type": "Step", "conditionable_id": t.steps[1], "operation": "completed"}],
               "then_actions": [{"action_type": "status", "target_step_id": t.steps[0]}]}),
    )
    .await;
    create_rule(
        app,
        &t,
        json!({"conditions": [{"conditionable_type": "Step", "conditionable_id": t.steps[0], "operation": "reopened"}],
               "then_actions": [{"action_type": "visibility", "action_verb": "hide", "target_step_id": t.steps[2]}]}),
    )
    .await;
    let (run, ts) = launch(app, &t, json!({})).await;
    complete(app, &run, &id(&ts[0])).await;
    let data = complete(app, &run, &id(&ts[1])).await;
    let changed = data["tasks_changed_by_rules"].as_object().expect("object").clone();
    assert_eq!(changed[&id(&ts[0])], json!({"status": "in-progress"}));
    assert_eq!(changed[&id(&ts[2])], json!({"status": "auto-skipped"}));
    let after = tasks(app, &run).await;
    assert_eq!(statuses(&after), ["in-progress", "completed", "auto-skipped"]);
    assert!(after[0]["completed_at"].is_null());
}

on_both!(runs_keep_the_rules_they_were_launched_with);
async fn runs_keep_the_rules_they_were_launched_with(app: &TestApp) {
    let t = template(app).await;
    let rule = create_rule(app, &t, super::show_rule(&t)).await;
    let (run, ts) = launch(app, &t, json!({})).await;
    // Deleting the rule, and adding another, changes nothing in the launched run.
    app.call(
        Method::DELETE,
        &super::rule_path(app, &t, rule["id"].as_str().expect("id")),
    )
    .await
    .expect(204);
    create_rule(
        app,
        &t,
        json!({"conditions": [{"conditionable_type": "Step", "conditionable_id": t.steps[0], "operation": "completed"}],
               "then_actions": [{"action_type": "visibility", "action_verb": "hide", "target_step_id": t.steps[2]}]}),
    )
    .await;
    complete(app, &run, &id(&ts[0])).await;
    assert_eq!(
        statuses(&tasks(app, &run).await),
        ["completed", "not-started", "not-started"]
    );
    // A new launch sees the current rules.
    let (run2, ts2) = launch(app, &t, json!({})).await;
    assert_eq!(statuses(&ts2), ["not-started", "not-started", "not-started"]);
    complete(app, &run2, &id(&ts2[0])).await;
    assert_eq!(
        statuses(&tasks(app, &run2).await),
        ["completed", "not-started", "auto-skipped"]
    );
}
