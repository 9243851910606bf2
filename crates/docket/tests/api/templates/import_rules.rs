//! CL2 `automated_actions`: rules created with the template, after its steps and fields, and the
//! import round trip (a template read with its steps and rules, posted back as a new template:
//! the copy's rules name the copy's steps and fields).

use reqwest::Method;
use serde_json::{Value, json};

use crate::automations::{Template, create_rule, show_rule, template};
use crate::support::TestApp;

/// Every rule reference of `rules`: condition subjects, action targets, deadline anchors and
/// assignee fields, in order.
fn references(rules: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for rule in rules.as_array().unwrap() {
        for c in rule["conditions"].as_array().unwrap() {
            out.push(c["conditionable_id"].clone());
        }
        for a in rule["then_actions"].as_array().unwrap() {
            out.push(a["target_step_id"].clone());
            out.push(a["deadline"]["step"].clone());
            out.push(a["actionable_id"].clone());
        }
    }
    out
}

/// Old id → new id of the template's steps, captures and kick-off fields, matched by position.
fn id_pairs(source: &Value, copy: &Value) -> Vec<(Value, Value)> {
    let mut out = Vec::new();
    let (s, c) = (source["steps"].as_array().unwrap(), copy["steps"].as_array().unwrap());
    assert_eq!(s.len(), c.len());
    for (a, b) in s.iter().zip(c) {
        out.push((a["id"].clone(), b["id"].clone()));
        let (ca, cb) = (a["captures"].as_array().unwrap(), b["captures"].as_array().unwrap());
        assert_eq!(ca.len(), cb.len());
        out.extend(ca.iter().zip(cb).map(|(x, y)| (x["id"].clone(), y["id"].clone())));
    }
    let (pa, pb) = (source["prerun"].as_array().unwrap(), copy["prerun"].as_array().unwrap());
    assert_eq!(pa.len(), pb.len());
    out.extend(pa.iter().zip(pb).map(|(x, y)| (x["id"].clone(), y["id"].clone())));
    out
}

/// The fixture template with two rules naming steps, a capture, kick-off fields, a date anchor
/// and an assignee field.
async fn template_with_rules(app: &TestApp) -> Template {
    let t = template(app).await;
    create_rule(app, &t, show_rule(&t)).await;
    create_rule(
        app,
        &t,
        json!({"automated_alias": "Big ones",
               "conditions": [
                   {"conditionable_type": "Prerun", "conditionable_id": t.amount, "operation": "greater_than", "statement": "100"},
                   {"conditionable_type": "Capture", "conditionable_id": t.text, "operation": "contains", "statement": "x", "logic": "or"}],
               "then_actions": [
                   {"action_type": "deadline", "target_step_id": t.steps[2],
                    "deadline": {"value": 2, "unit": "days", "option": "from", "step": t.date}},
                   {"action_type": "assignment", "action_verb": "assign", "target_step_id": t.steps[2],
                    "actionable_id": t.people},
                   {"action_type": "assignment", "action_verb": "assign_only", "target_step_id": t.steps[1],
                    "actionable_id": t.ko_people}]}),
    )
    .await;
    t
}

on_both!(a_template_read_back_and_posted_again_keeps_its_rules_on_the_copy);
async fn a_template_read_back_and_posted_again_keeps_its_rules_on_the_copy(app: &TestApp) {
    let t = template_with_rules(app).await;
    let source = app
        .get(&app.org_path(&format!("/checklists/{}?with=steps", t.id)))
        .await
        .expect(200)
        .data()
        .clone();
    let mut body = source.clone();
    body["title"] = json!("Imported copy");
    body.as_object_mut().unwrap().remove("alias");
    let copy = app
        .json(Method::POST, &app.org_path("/checklists?with=steps"), body)
        .await
        .expect(201)
        .data()
        .clone();
    assert_ne!(copy["id"], source["id"]);
    let pairs = id_pairs(&source, &copy);
    assert!(pairs.iter().all(|(a, b)| a != b), "the copy has new ids");
    let map = |v: &Value| {
        pairs
            .iter()
            .find(|(old, _)| old == v)
            .map_or_else(|| v.clone(), |(_, new)| new.clone())
    };
    // The copy's rules, in order, name the copy's objects where the source's named the source's.
    let (src_rules, copy_rules) = (&source["automated_actions"], &copy["automated_actions"]);
    assert_eq!(copy_rules.as_array().unwrap().len(), 2);
    let want: Vec<Value> = references(src_rules).iter().map(map).collect();
    let got = references(copy_rules);
    assert_eq!(got, want);
    assert!(got.contains(&copy["steps"][2]["id"]) && got.contains(&copy["prerun"][1]["id"]));
    assert_eq!(
        (
            copy_rules[0]["automated_alias"].as_str(),
            copy_rules[1]["automated_alias"].as_str()
        ),
        (Some("Show step 2"), Some("Big ones"))
    );
    assert_eq!(copy_rules[1]["conditions"][1]["logic"], "or");
    assert_eq!(copy_rules[1]["then_actions"][2]["actionable_type"], "kickoff");
    assert_ne!(copy_rules[0]["id"], src_rules[0]["id"]);
    // Read back, the copy is what the create answered; the source is unchanged.
    let again = app
        .get(&app.org_path(&format!("/checklists/{}?with=steps", copy["id"].as_str().unwrap())))
        .await
        .expect(200);
    assert_eq!(again.data()["automated_actions"], *copy_rules);
    let src_again = app
        .get(&app.org_path(&format!("/checklists/{}?with=steps", t.id)))
        .await
        .expect(200);
    assert_eq!(src_again.data()["automated_actions"], *src_rules);
    // The copy's rules work on its runs: step 2 is hidden until step 1 is completed.
    let run = app
        .json(
            Method::POST,
            &app.org_path("/runs"),
            json!({"checklist_id": copy["id"], "name": "Imported run"}),
        )
        .await
        .expect(201);
    let run_id = run.data()["id"].as_str().unwrap();
    let status_of = |step: usize| {
        let copy = copy.clone();
        async move {
            let tasks = app
                .get(&app.org_path(&format!("/runs/{run_id}/tasks?status=all")))
                .await
                .expect(200);
            let task = tasks
                .data()
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["step_id"] == copy["steps"][step]["id"])
                .cloned()
                .expect("a task of the copy's step");
            (task["id"].as_str().unwrap().to_string(), task["status"].clone())
        }
    };
    let (first, _) = status_of(0).await;
    assert_eq!(status_of(1).await.1, "auto-skipped");
    app.json(
        Method::POST,
        &app.org_path(&format!("/runs/{run_id}/completed-tasks")),
        json!({"task_id": first}),
    )
    .await
    .expect(200);
    assert_ne!(status_of(1).await.1, "auto-skipped");
}

on_both!(rules_of_a_create_are_read_against_the_body);
async fn rules_of_a_create_are_read_against_the_body(app: &TestApp) {
    let url = app.org_path("/checklists");
    let count = || async {
        app.get(&app.org_path("/checklists")).await.expect(200).body["meta"]["pagination"]["total"].clone()
    };
    let before = count().await;
    // A reference to an id no entry carries: 422 under its key path, nothing created.
    let r = app
        .json(
            Method::POST,
            &url,
            json!({"title": "Broken import",
                   "prerun": [{"id": "ko-1", "label": "Amount", "field_type": "number", "required": false}],
                   "steps": [{"id": "s-1", "title": "One"}, {"id": "s-2", "title": "Two"}],
                   "automated_actions": [
                       {"conditions": [{"conditionable_type": "Step", "conditionable_id": "s-1", "operation": "completed"}],
                        "then_actions": [{"action_type": "visibility", "action_verb": "show", "target_step_id": "s-2"}]},
                       {"conditions": [{"conditionable_type": "Prerun", "conditionable_id": "ko-1", "operation": "is_empty"},
                                       {"conditionable_type": "Step", "conditionable_id": "s-9", "operation": "completed"}],
                        "then_actions": [{"action_type": "visibility", "action_verb": "hide", "target_step_id": "s-3"}]},
                       "not a rule"]}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let errors = r.body["errors"].as_object().unwrap();
    let mut keys: Vec<&str> = errors.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "automated_actions.1.conditions.1.conditionable_id",
            "automated_actions.1.then_actions.0.target_step_id",
            "automated_actions.2"
        ]
    );
    assert_eq!(count().await, before);
    // Entries without ids are created; rules may name only entries that carry one; the default
    // alias counts the rules before it.
    let t = app
        .json(
            Method::POST,
            &app.org_path("/checklists?with=steps"),
            json!({"title": "Fresh",
                   "steps": [{"title": "One", "id": "a"}, {"title": "Two", "id": "b",
                              "captures": [{"id": "when", "label": "When", "field_type": "date", "required": false}]}],
                   "automated_actions": [
                       {"conditions": [{"conditionable_type": "step", "conditionable_id": "a", "operation": "completed"}],
                        "actions": [{"action_type": "deadline", "target_step_id": "b",
                                     "deadline": {"value": 1, "unit": "day", "option": "before", "step": "when"}}]}]}),
        )
        .await
        .expect(201);
    let d = t.data();
    let rule = &d["automated_actions"][0];
    assert_eq!(rule["automated_alias"], "Rule 1");
    assert_eq!(rule["conditions"][0]["conditionable_id"], d["steps"][0]["id"]);
    assert_eq!(rule["conditions"][0]["conditionable_type"], "Step");
    assert_eq!(rule["then_actions"][0]["target_step_id"], d["steps"][1]["id"]);
    assert_eq!(
        rule["then_actions"][0]["deadline"]["step"],
        d["steps"][1]["captures"][0]["id"]
    );
    assert_eq!(rule["then_actions"][0]["deadline"]["option"], "before");
}
