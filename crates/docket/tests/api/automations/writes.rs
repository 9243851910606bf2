//! AU1–AU3: what is stored and emitted, sync by id, roles, archived templates, 404s and 405s.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Template, create_rule, rule_path, rules_path, show_rule, template, template_in};
use crate::support::TestApp;
use crate::support::fixtures::{count_rows, exec_sql, seed_members};

/// The rows of rule `id`.
async fn rows(app: &TestApp, id: &str) -> i64 {
    count_rows(app, "SELECT COUNT(*) FROM automations WHERE id = $1", id).await
}

/// The creation order of rule `id`.
async fn seq(app: &TestApp, id: &str) -> i64 {
    count_rows(app, "SELECT seq FROM automations WHERE id = $1", id).await
}

on_both!(a_rule_is_created_with_its_emitted_form_and_stored_in_creation_order);
async fn a_rule_is_created_with_its_emitted_form_and_stored_in_creation_order(app: &TestApp) {
    let t = template(app).await;
    let r = create_rule(app, &t, show_rule(&t)).await;
    let id = r["id"].as_str().expect("id").to_string();
    assert_eq!(id.len(), 32);
    assert_eq!(r["automated_alias"], "Show step 2");
    assert_eq!(
        (r["archived_at"].is_null(), r["created_at"] == r["last_updated"]),
        (true, true)
    );
    let c = &r["conditions"][0];
    assert_eq!(
        (
            c["conditionable_type"].as_str(),
            c["operation"].as_str(),
            c["statement"].as_str()
        ),
        (Some("Step"), Some("completed"), Some("any_time"))
    );
    assert_eq!((c["logic"].as_str(), c["position"].as_i64()), (Some("and"), Some(1)));
    assert!(c["column_contains_name"].is_null() && c["id"].as_str().is_some_and(|s| s.len() == 32));
    let a = &r["then_actions"][0];
    for key in [
        "deadline",
        "assignees",
        "actionable_id",
        "actionable_type",
        "webhook_url",
        "alias_name",
    ] {
        assert!(a.get(key).is_some_and(Value::is_null), "{key}: {a}");
    }
    assert_eq!(
        (a["target_step_id"].as_str(), a["position"].as_i64()),
        (Some(t.steps[1].as_str()), Some(1))
    );

    // The default alias counts the template's rules; rows keep creation order.
    let mut body = show_rule(&t);
    body.as_object_mut().expect("object").remove("automated_alias");
    let second = create_rule(app, &t, body.clone()).await;
    assert_eq!(second["automated_alias"], "Rule 2");
    let third = create_rule(app, &t, body).await;
    assert_eq!(third["automated_alias"], "Rule 3");
    assert_eq!(seq(app, &id).await, 1);
    assert_eq!(seq(app, third["id"].as_str().expect("id")).await, 3);

    // The template records who changed it.
    let touched = count_rows(
        app,
        "SELECT COUNT(*) FROM checklists WHERE id = $1 AND last_updated_by = 1001 AND last_updated > 1700000000000",
        &t.id,
    )
    .await;
    assert_eq!(touched, 1);
    // Both prefixes; `actions`, `alias` and PascalCase keys are accepted.
    let r = app
        .json(
            Method::POST,
            &format!("/api{}", rules_path(app, &t)),
            json!({"Alias": "Named", "Conditions": [{"ConditionableType": "kickoff", "ConditionableId": t.amount,
                   "Operation": "greater_than", "Statement": 10000}],
                   "actions": [{"action_type": "deadline", "target_step_id": t.steps[2],
                                "deadline": {"value": 2, "unit": "day", "option": "prior_to", "step": "start_run"}}]}),
        )
        .await
        .expect(201);
    let d = r.data();
    assert_eq!(d["automated_alias"], "Named");
    assert_eq!(d["conditions"][0]["conditionable_type"], "Prerun");
    assert_eq!(d["conditions"][0]["statement"], 10000);
    assert_eq!(
        d["then_actions"][0]["deadline"],
        json!({"value": 2, "unit": "days", "option": "before", "step": "start_run"})
    );
    assert_eq!(d["then_actions"][0]["action_verb"], "deadline");
}

on_both!(assignment_actions_resolve_people_and_fields);
async fn assignment_actions_resolve_people_and_fields(app: &TestApp) {
    seed_members(app).await;
    let t = template(app).await;
    let g = app
        .json(
            Method::POST,
            &app.org_path("/groups"),
            json!({"name": "Ops", "members": [1002]}),
        )
        .await
        .expect(201);
    let group = g.data()["id"].as_str().expect("group").to_string();
    let r = create_rule(
        app,
        &t,
        json!({"conditions": [{"conditionable_type": "Capture", "conditionable_id": t.text, "operation": "contains",
                               "statement": "urgent", "column_contains_name": null}],
               "then_actions": [
                   {"action_type": "assignment", "action_verb": "assign", "target_step_id": t.steps[2],
                    "assignees": {"users": ["ann@acme.test", 1002], "guests": ["Partner@Example.com"], "groups": [group]}},
                   {"action_type": "assignment", "action_verb": "assign_only", "target_step_id": t.steps[2],
                    "actionable_id": t.ko_people},
                   {"action_type": "assignment", "action_verb": "clear_assignees", "target_step_id": t.steps[1]},
                   {"action_type": "webhook", "target_step_id": t.steps[1], "webhook_url": "https://hooks.example.com/x",
                    "alias_name": "ping"}]}),
    )
    .await;
    let a = &r["then_actions"];
    assert_eq!(
        a[0]["assignees"],
        json!({"users": [1005, 1002], "guests": ["partner@example.com"], "groups": [group]})
    );
    assert_eq!(
        (a[1]["actionable_id"].as_str(), a[1]["actionable_type"].as_str()),
        (Some(t.ko_people.as_str()), Some("kickoff"))
    );
    assert!(a[1]["assignees"].is_null());
    assert!(a[2]["assignees"].is_null() && a[2]["actionable_id"].is_null());
    assert_eq!(
        (a[3]["action_verb"].as_str(), a[3]["alias_name"].as_str()),
        (Some("emit_webhook"), Some("ping"))
    );
    let positions: Vec<i64> = a
        .as_array()
        .expect("list")
        .iter()
        .map(|x| x["position"].as_i64().expect("position"))
        .collect();
    assert_eq!(positions, [1, 2, 3, 4]);

    let r = app
        .json(
            Method::POST,
            &rules_path(app, &t),
            json!({"conditions": [{"conditionable_type": "Step", "conditionable_id": t.steps[0], "operation": "completed"}],
                   "then_actions": [{"action_type": "assignment", "action_verb": "assign", "target_step_id": t.steps[2],
                                     "assignees": {"users": [4242], "groups": ["nope"]}}]}),
        )
        .await;
    assert_eq!(
        r.expect_invalid("then_actions.0.assignees.users.0"),
        "The selected then_actions.0.assignees.users.0 is invalid."
    );
    r.expect_invalid("then_actions.0.assignees.groups.0");
    assert_eq!(
        count_rows(app, "SELECT COUNT(*) FROM automations WHERE checklist_id = $1", &t.id).await,
        1
    );
}

on_both!(an_update_syncs_conditions_and_actions_by_id);
async fn an_update_syncs_conditions_and_actions_by_id(app: &TestApp) {
    let t = template(app).await;
    let mut body = show_rule(&t);
    body["conditions"]
        .as_array_mut()
        .expect("list")
        .push(json!({"conditionable_type": "Prerun", "conditionable_id": t.amount, "operation": "is_not_empty", "logic": "or"}));
    let stored = create_rule(app, &t, body).await;
    let rule = stored["id"].as_str().expect("id").to_string();
    let (c0, c1) = (
        stored["conditions"][0]["id"].clone(),
        stored["conditions"][1]["id"].clone(),
    );

    // The SDK's update: the stored rule merged with the change, every emitted key echoed.
    let mut merged = stored.clone();
    merged["automated_alias"] = json!("Renamed");
    let r = app
        .json(Method::PUT, &rule_path(app, &t, &rule), merged)
        .await
        .expect(200);
    let d = r.data().clone();
    assert_eq!(d["automated_alias"], "Renamed");
    assert_eq!(d["conditions"], stored["conditions"]);
    assert_eq!(d["then_actions"], stored["then_actions"]);
    assert_eq!(d["created_at"], stored["created_at"]);

    // Known ids update, unknown ids are created, unsent entries are deleted; order decides positions.
    let r = app
        .json(
            Method::PUT,
            &rule_path(app, &t, &rule),
            json!({"condition_logic": "OR", "conditions": [
                {"id": c1, "operation": "is_empty"},
                {"id": "new-one", "conditionable_type": "Step", "conditionable_id": t.steps[2], "operation": "not_assigned"}]}),
        )
        .await
        .expect(200);
    let conds = r.data()["conditions"].as_array().expect("list").clone();
    assert_eq!(conds.len(), 2);
    assert_eq!(
        (
            &conds[0]["id"],
            conds[0]["operation"].as_str(),
            conds[0]["position"].as_i64()
        ),
        (&c1, Some("is_empty"), Some(1))
    );
    assert_eq!(conds[0]["logic"], "or");
    assert_eq!(
        conds[1]["logic"], "or",
        "condition_logic fills a condition sent without logic"
    );
    assert!(conds.iter().all(|c| c["id"] != c0 && c["id"] != "new-one"));
    assert_eq!(r.data()["then_actions"], stored["then_actions"]);
    assert_eq!(r.data()["automated_alias"], "Renamed");

    // Read back through the stored row: what was answered is what is stored.
    let n = count_rows(
        app,
        "SELECT COUNT(*) FROM automations WHERE id = $1 AND conditions LIKE '%not_assigned%' AND automated_alias = 'Renamed'",
        &rule,
    )
    .await;
    assert_eq!(n, 1);

    // An empty list is refused; nothing changes.
    let r = app
        .json(Method::PUT, &rule_path(app, &t, &rule), json!({"then_actions": []}))
        .await;
    assert_eq!(r.expect_invalid("then_actions"), "The then actions field is required.");
    let n = count_rows(
        app,
        "SELECT COUNT(*) FROM automations WHERE id = $1 AND then_actions LIKE '%show%'",
        &rule,
    )
    .await;
    assert_eq!(n, 1);
}

on_both!(deletes_answer_204_and_unknown_rules_404);
async fn deletes_answer_204_and_unknown_rules_404(app: &TestApp) {
    let t = template(app).await;
    let rule = create_rule(app, &t, show_rule(&t)).await;
    let id = rule["id"].as_str().expect("id");
    let r = app.call(Method::DELETE, &rule_path(app, &t, id)).await.expect(204);
    assert!(r.text.is_empty());
    assert_eq!(rows(app, id).await, 0);
    app.call(Method::DELETE, &rule_path(app, &t, id)).await.expect(404);
    app.json(Method::PUT, &rule_path(app, &t, id), show_rule(&t))
        .await
        .expect(404);
    // Unknown template.
    let other = Template {
        id: "0123456789abcdef0123456789abcdef".into(),
        ..template_in(app, "acme", 2).await
    };
    app.json(Method::POST, &rules_path(app, &other), show_rule(&t))
        .await
        .expect(404);
}

on_both!(reads_on_rule_paths_are_405);
async fn reads_on_rule_paths_are_405(app: &TestApp) {
    let t = template(app).await;
    let rule = create_rule(app, &t, show_rule(&t)).await;
    let r = app.get(&rules_path(app, &t)).await.expect(405);
    assert_eq!(r.header("allow"), Some("POST"));
    let r = app
        .get(&rule_path(app, &t, rule["id"].as_str().expect("id")))
        .await
        .expect(405);
    let allow = r.header("allow").expect("allow").to_string();
    assert!(
        allow.contains("PUT") && allow.contains("DELETE") && !allow.contains("GET"),
        "{allow}"
    );
}

on_both!(light_members_are_refused_and_other_organizations_see_nothing);
async fn light_members_are_refused_and_other_organizations_see_nothing(app: &TestApp) {
    let light = seed_members(app).await;
    let t = template(app).await;
    let rule = create_rule(app, &t, show_rule(&t)).await;
    let id = rule["id"].as_str().expect("id");
    for (method, path, body) in [
        (Method::POST, rules_path(app, &t), show_rule(&t)),
        (Method::PUT, rule_path(app, &t, id), json!({"automated_alias": "x"})),
        (Method::DELETE, rule_path(app, &t, id), json!({})),
    ] {
        let r = app
            .send(app.request_as(&light, method.clone(), &path).json(&body))
            .await
            .expect(403);
        assert_eq!(r.body["code"], "FORBIDDEN", "{method} {path}");
    }
    // A standard member may.
    let (_, sam) = app.add_member("acme", 1010, "std@acme.test", "standard").await;
    app.send(
        app.request_as(&sam, Method::POST, &rules_path(app, &t))
            .json(&show_rule(&t)),
    )
    .await
    .expect(201);

    // Another organization's template is not found, even by its admin through their own org.
    let other_token = app.add_org("globex", 2001).await;
    let g = template_in(app, "globex", 7).await;
    app.json(Method::POST, &rules_path(app, &g), show_rule(&g))
        .await
        .expect(404);
    let path = format!("/organizations/globex/checklists/{}/automated-actions", t.id);
    app.send(app.request_as(&other_token, Method::POST, &path).json(&show_rule(&t)))
        .await
        .expect(404);
}

on_both!(archived_templates_refuse_rule_writes);
async fn archived_templates_refuse_rule_writes(app: &TestApp) {
    let t = template(app).await;
    let rule = create_rule(app, &t, show_rule(&t)).await;
    let id = rule["id"].as_str().expect("id");
    exec_sql(
        app,
        &format!(
            "UPDATE checklists SET archived_at = 1700000000001 WHERE id = '{}'",
            t.id
        ),
    )
    .await;
    for (method, path, body) in [
        (Method::POST, rules_path(app, &t), show_rule(&t)),
        (Method::PUT, rule_path(app, &t, id), json!({"automated_alias": "x"})),
        (Method::DELETE, rule_path(app, &t, id), json!({})),
    ] {
        let r = app.json(method, &path, body).await;
        assert_eq!(r.expect_invalid("checklist"), "The template is archived.");
    }
    assert_eq!(rows(app, id).await, 1);
}
