//! AU1/AU2 bad input: every problem at once under its key path, nothing stored.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Template, create_rule, rule_path, rules_path, show_rule, template};
use crate::support::TestApp;
use crate::support::fixtures::count_rows;

async fn rule_count(app: &TestApp, t: &Template) -> i64 {
    count_rows(app, "SELECT COUNT(*) FROM automations WHERE checklist_id = $1", &t.id).await
}

/// POSTs `body` and returns the 422's `errors` object.
async fn errors_of(app: &TestApp, t: &Template, body: Value) -> Value {
    let r = app.json(Method::POST, &rules_path(app, t), body).await.expect(422);
    assert_eq!(r.body["code"], "VALIDATION_ERROR", "{}", r.text);
    r.body["errors"].clone()
}

fn first(errors: &Value, key: &str) -> String {
    errors[key][0]
        .as_str()
        .unwrap_or_else(|| panic!("no error under {key}: {errors}"))
        .to_string()
}

on_both!(every_problem_is_reported_under_its_key_path);
async fn every_problem_is_reported_under_its_key_path(app: &TestApp) {
    let t = template(app).await;
    let e = errors_of(
        app,
        &t,
        json!({
            "automated_alias": "x".repeat(301),
            "condition_logic": "xor",
            "conditions": [
                {"conditionable_type": "Step", "conditionable_id": t.steps[0], "operation": "equals"},
                {"conditionable_type": "robot", "conditionable_id": t.steps[0], "operation": "completed"},
                {"conditionable_type": "Capture", "conditionable_id": t.amount, "operation": "is_empty"},
                {"conditionable_type": "Prerun", "conditionable_id": t.amount, "operation": "equals"},
                {"conditionable_type": "Step", "conditionable_id": t.steps[0], "operation": "completed",
                 "statement": "someday", "logic": "nor"},
                "not an object"
            ],
            "then_actions": [
                {"action_type": "visibility", "target_step_id": t.steps[1]},
                {"action_type": "status", "action_verb": "show", "target_step_id": t.steps[1]},
                {"action_type": "teleport", "target_step_id": t.steps[1]},
                {"action_type": "visibility", "action_verb": "hide", "target_step_id": "missing"},
                {"action_type": "deadline", "target_step_id": t.steps[1], "deadline": {"value": 1}},
                {"action_type": "deadline", "target_step_id": t.steps[1],
                 "deadline": {"value": "soon", "unit": "eons", "option": "whenever", "step": t.text}},
                {"action_type": "assignment", "action_verb": "assign", "target_step_id": t.steps[1]},
                {"action_type": "assignment", "action_verb": "assign", "target_step_id": t.steps[1], "actionable_id": t.amount},
                {"action_type": "webhook", "target_step_id": t.steps[1], "webhook_url": "not a url"},
                {"action_type": "status", "target_step_id": t.steps[0]}
            ]
        }),
    )
    .await;
    let expected = [
        (
            "automated_alias",
            "The automated alias may not be greater than 300 characters.",
        ),
        ("condition_logic", "The selected condition logic is invalid."),
        ("conditions.0.operation", "The selected operation is invalid."),
        (
            "conditions.1.conditionable_type",
            "The selected conditionable type is invalid.",
        ),
        (
            "conditions.2.conditionable_id",
            "The selected conditionable id is invalid.",
        ),
        ("conditions.3.statement", "The statement field is required."),
        ("conditions.4.statement", "The selected statement is invalid."),
        ("conditions.4.logic", "The selected logic is invalid."),
        ("conditions.5", "The conditions.5 must be an object."),
        (
            "then_actions.0.action_verb",
            "The action verb must be one of: show, hide.",
        ),
        ("then_actions.1.action_verb", "The action verb must be one of: reopen."),
        ("then_actions.2.action_type", "The selected action type is invalid."),
        (
            "then_actions.3.target_step_id",
            "The selected target step id is invalid.",
        ),
        ("then_actions.4.deadline", "The deadline needs value, unit and option."),
        (
            "then_actions.5.deadline.value",
            "The deadline.value must be an integer.",
        ),
        ("then_actions.5.deadline.unit", "The selected deadline.unit is invalid."),
        (
            "then_actions.5.deadline.option",
            "The selected deadline.option is invalid.",
        ),
        ("then_actions.5.deadline.step", "The selected deadline.step is invalid."),
        (
            "then_actions.6.assignees",
            "The assignees field is required for this action.",
        ),
        ("then_actions.7.actionable_id", "The selected actionable id is invalid."),
        ("then_actions.8.webhook_url", "The webhook url must be a valid URL."),
        ("then_actions.8.alias_name", "The alias name field is required."),
    ];
    for (key, msg) in expected {
        assert_eq!(first(&e, key), msg, "{key}");
    }
    assert_eq!(rule_count(app, &t).await, 0);

    // The reopen refusal is reported once the rest is valid.
    let e = errors_of(
        app,
        &t,
        json!({"conditions": [{"conditionable_type": "Step", "conditionable_id": t.steps[0], "operation": "completed"}],
               "then_actions": [{"action_type": "visibility", "action_verb": "show", "target_step_id": t.steps[1]},
                                {"action_type": "status", "target_step_id": t.steps[0]}]}),
    )
    .await;
    assert_eq!(
        first(&e, "then_actions.1.target_step_id"),
        "A status action cannot reopen the step its own rule watches."
    );
    assert_eq!(rule_count(app, &t).await, 0);
}

on_both!(missing_or_malformed_lists_are_refused);
async fn missing_or_malformed_lists_are_refused(app: &TestApp) {
    let t = template(app).await;
    let e = errors_of(app, &t, json!({})).await;
    assert_eq!(first(&e, "conditions"), "The conditions field is required.");
    assert_eq!(first(&e, "then_actions"), "The then actions field is required.");
    let e = errors_of(app, &t, json!({"conditions": [], "then_actions": {"a": 1}})).await;
    assert_eq!(first(&e, "conditions"), "The conditions field is required.");
    assert_eq!(first(&e, "then_actions"), "The then actions must be an array.");
    let many: Vec<Value> = (0..101).map(|_| show_rule(&t)["conditions"][0].clone()).collect();
    let e = errors_of(
        app,
        &t,
        json!({"conditions": many, "then_actions": show_rule(&t)["then_actions"]}),
    )
    .await;
    assert_eq!(
        first(&e, "conditions"),
        "The conditions may not have more than 100 items."
    );
    // Odd bodies: not an object → 400; a form body reads like JSON.
    app.send(
        app.request(Method::POST, &rules_path(app, &t))
            .header("Content-Type", "application/json")
            .body("[1,2]"),
    )
    .await
    .expect(400);
    let form = format!(
        "conditions[0][conditionable_type]=Step&conditions[0][conditionable_id]={}&conditions[0][operation]=completed\
         &then_actions[0][action_type]=visibility&then_actions[0][action_verb]=hide&then_actions[0][target_step_id]={}",
        t.steps[0], t.steps[1]
    );
    let r = app
        .send(
            app.request(Method::POST, &rules_path(app, &t))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(form),
        )
        .await
        .expect(201);
    assert_eq!(r.data()["then_actions"][0]["action_verb"], "hide");
    assert_eq!(rule_count(app, &t).await, 1);
}

on_both!(updates_validate_like_creates_and_change_nothing_when_refused);
async fn updates_validate_like_creates_and_change_nothing_when_refused(app: &TestApp) {
    let t = template(app).await;
    let rule = create_rule(app, &t, show_rule(&t)).await;
    let id = rule["id"].as_str().expect("id");
    let path = rule_path(app, &t, id);
    let r = app.json(Method::PUT, &path, json!({"conditions": null})).await;
    assert_eq!(r.expect_invalid("conditions"), "The conditions field is required.");
    let cid = rule["conditions"][0]["id"].clone();
    let r = app
        .json(
            Method::PUT,
            &path,
            json!({"conditions": [{"id": cid, "operation": "equals"}],
                                         "then_actions": [{"action_type": "status", "target_step_id": t.steps[0]}]}),
        )
        .await;
    assert_eq!(
        r.expect_invalid("conditions.0.operation"),
        "The selected operation is invalid."
    );
    // A reopen of the watched step is refused against the stored conditions too.
    let r = app
        .json(
            Method::PUT,
            &path,
            json!({"then_actions": [{"action_type": "status", "target_step_id": t.steps[0]}]}),
        )
        .await;
    assert_eq!(
        r.expect_invalid("then_actions.0.target_step_id"),
        "A status action cannot reopen the step its own rule watches."
    );
    let n = count_rows(
        app,
        "SELECT COUNT(*) FROM automations WHERE id = $1 AND last_updated = created_at",
        id,
    )
    .await;
    assert_eq!(n, 1, "refused updates write nothing");
    // An empty body changes nothing but is a valid update.
    let r = app.call(Method::PUT, &path).await.expect(200);
    assert_eq!(r.data()["conditions"], rule["conditions"]);
    assert_eq!(r.data()["then_actions"], rule["then_actions"]);
}
