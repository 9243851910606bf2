//! Captures (form fields) of template steps (CP1–CP5).

use reqwest::Method;
use serde_json::{Value, json};

use crate::steps::{add_rule, add_step, id, steps_path, template};
use crate::support::TestApp;
use crate::support::fixtures::exec_sql;

fn captures_path(app: &TestApp, tpl: &str, step: &str, rest: &str) -> String {
    steps_path(app, tpl, &format!("/{step}/captures{rest}"))
}

async fn add(app: &TestApp, tpl: &str, step: &str, body: Value) -> Value {
    app.json(Method::POST, &captures_path(app, tpl, step, ""), body)
        .await
        .expect(201)
        .data()
        .clone()
}

/// The labels of a step's captures, by position, with their positions.
async fn labels(app: &TestApp, tpl: &str, step: &str) -> Vec<(String, i64)> {
    let r = app.get(&steps_path(app, tpl, &format!("/{step}"))).await.expect(200);
    r.data()["captures"]
        .as_array()
        .expect("captures")
        .iter()
        .map(|c| {
            (
                c["label"].as_str().expect("label").to_string(),
                c["position"].as_i64().expect("position"),
            )
        })
        .collect()
}

fn pairs(items: &[(&str, i64)]) -> Vec<(String, i64)> {
    items.iter().map(|(l, p)| (l.to_string(), *p)).collect()
}

async fn captures_are_appended_updated_and_deleted(app: &TestApp) {
    let tpl = template(app).await;
    let s = id(&add_step(
        app,
        &tpl,
        json!({"title": "S", "captures": [{"label": "Name", "field_type": "text", "required": true}]}),
    )
    .await);
    let c = add(
        app,
        &tpl,
        &s,
        json!({"label": "Name", "field_type": "dropdown", "required": false, "position": 1,
               "options": ["Yes", {"text": "No", "id": 5}], "field_validation": "required|max:5", "guidance": "Pick"}),
    )
    .await;
    assert_eq!(c["position"], 2, "position is ignored: appended");
    assert_eq!(c["alias"], "name-2");
    assert_eq!(c["step_id"], s.as_str());
    assert_eq!(c["checklist_id"], tpl.as_str());
    assert_eq!(
        c["options"],
        json!([{"id": 6, "text": "Yes", "value": null}, {"id": 5, "text": "No", "value": null}])
    );
    assert_eq!(c["field_validation"], json!(["required", "max:5"]));
    for (k, v) in [
        ("columns", json!([])),
        ("settings", json!({})),
        ("default_value", json!(null)),
        ("collect_time", json!(false)),
        ("prefix", json!(null)),
    ] {
        assert_eq!(c[k], v, "{k}");
    }
    // GET of one capture is not a route.
    let one = captures_path(app, &tpl, &s, &format!("/{}", id(&c)));
    assert_eq!(app.get(&one).await.status, 405);
    assert_eq!(app.get(&captures_path(app, &tpl, &s, "")).await.status, 405);

    // The SDK's option edit: the stored capture minus id, options renumbered.
    let mut echo = c.clone();
    echo.as_object_mut().expect("object").remove("id");
    echo["options"] = json!([{"id": 1, "text": "No"}, {"id": 2, "text": "Maybe"}, {"id": 3, "text": "Yes"}]);
    let r = app.json(Method::PUT, &one, echo).await.expect(200);
    assert_eq!(r.data()["options"].as_array().map(Vec::len), Some(3));
    assert_eq!(r.data()["position"], 2, "an echoed position moves nothing");
    assert_eq!(r.data()["alias"], "name-2");
    let r = app
        .json(Method::PUT, &one, json!({"label": "Choice", "field_type": "radio"}))
        .await
        .expect(200);
    assert_eq!(
        r.data()["field_type"],
        "radio",
        "the existing options count for the new type"
    );
    assert_eq!(r.data()["guidance"], "Pick");
    let r = app.json(Method::PUT, &one, json!({"field_type": "table"})).await;
    assert_eq!(r.expect_invalid("columns"), "The columns field is required.");
    let r = app.json(Method::PUT, &one, json!({"position": 1})).await.expect(200);
    assert_eq!(r.data()["position"], 1);
    assert_eq!(labels(app, &tpl, &s).await, pairs(&[("Choice", 1), ("Name", 2)]));

    let r = app
        .json(
            Method::POST,
            &captures_path(app, &tpl, &s, ""),
            json!({"field_type": "hologram"}),
        )
        .await;
    assert_eq!(r.expect_invalid("label"), "The label field is required.");
    assert_eq!(r.expect_invalid("field_type"), "The selected field type is invalid.");
    assert_eq!(r.expect_invalid("required"), "The required field is required.");
    let r = app
        .json(Method::POST, &captures_path(app, &tpl, &s, ""), json!({"label": "D", "field_type": "dropdown", "required": true, "options": [{"id": 1, "text": "a"}, {"id": 1, "text": "b"}]}))
        .await;
    assert_eq!(
        r.expect_invalid("options.1.id"),
        "The options.1.id has already been taken."
    );

    // A field a rule references stays; others go and the rest are renumbered.
    add_rule(app, &tpl, &id(&c), &s).await;
    let r = app.call(Method::DELETE, &one).await;
    assert_eq!(
        r.expect_invalid("capture"),
        "Cannot delete this field because there are rules dependent on it."
    );
    exec_sql(app, "DELETE FROM automations").await;
    app.call(Method::DELETE, &one).await.expect(204);
    assert_eq!(labels(app, &tpl, &s).await, pairs(&[("Name", 1)]));
    app.call(Method::DELETE, &one).await.expect(404);
    let other = id(&add_step(app, &tpl, json!({"title": "Other"})).await);
    let name = app.get(&steps_path(app, &tpl, &format!("/{s}"))).await.data()["captures"][0]["id"].clone();
    let wrong_step = captures_path(app, &tpl, &other, &format!("/{}", name.as_str().expect("id")));
    app.json(Method::PUT, &wrong_step, json!({"label": "X"}))
        .await
        .expect(404);
}
on_both!(captures_are_appended_updated_and_deleted);

async fn captures_move_between_steps_and_reorder(app: &TestApp) {
    let tpl = template(app).await;
    let field = |l: &str| json!({"label": l, "field_type": "text", "required": false});
    let a = id(&add_step(
        app,
        &tpl,
        json!({"title": "A", "captures": [field("A1"), field("A2"), field("A3")]}),
    )
    .await);
    let b = id(&add_step(app, &tpl, json!({"title": "B", "captures": [field("B1")]})).await);
    let step_a = app.get(&steps_path(app, &tpl, &format!("/{a}"))).await.data().clone();
    let a2 = id(&step_a["captures"][1]);
    let a3 = id(&step_a["captures"][2]);

    let r = app
        .json(
            Method::PUT,
            &captures_path(app, &tpl, &a, &format!("/{a2}/move-out")),
            json!({"target_step_id": b, "position": 99}),
        )
        .await
        .expect(200);
    assert_eq!(r.data()["step_id"], b.as_str());
    assert_eq!(r.data()["id"], a2.as_str());
    assert_eq!(r.data()["position"], 2);
    assert_eq!(labels(app, &tpl, &a).await, pairs(&[("A1", 1), ("A3", 2)]));
    assert_eq!(labels(app, &tpl, &b).await, pairs(&[("B1", 1), ("A2", 2)]));
    let r = app
        .json(
            Method::PUT,
            &captures_path(app, &tpl, &b, &format!("/{a2}/move-out")),
            json!({"target_step_id": a}),
        )
        .await
        .expect(200);
    assert_eq!(r.data()["position"], 1, "default position 1");
    assert_eq!(labels(app, &tpl, &a).await, pairs(&[("A2", 1), ("A1", 2), ("A3", 3)]));
    let r = app
        .json(
            Method::PUT,
            &captures_path(app, &tpl, &a, &format!("/{a2}/move-out")),
            json!({"target_step_id": "nope"}),
        )
        .await;
    assert_eq!(
        r.expect_invalid("target_step_id"),
        "The selected target step id is invalid."
    );
    let r = app
        .json(
            Method::PUT,
            &captures_path(app, &tpl, &a, &format!("/{a2}/move-out")),
            json!({}),
        )
        .await;
    r.expect_invalid("target_step_id");

    let reorder = captures_path(app, &tpl, &a, "");
    let r = app
        .json(Method::PUT, &reorder, json!({"capture_id": a3, "position": 1}))
        .await
        .expect(200);
    let order: Vec<&str> = r
        .data()
        .as_array()
        .expect("list")
        .iter()
        .map(|c| c["label"].as_str().expect("label"))
        .collect();
    assert_eq!(order, ["A3", "A2", "A1"]);
    assert_eq!(r.data()[0]["position"], 1);
    let r = app
        .json(Method::PUT, &reorder, json!({"id": a3, "position": 10}))
        .await
        .expect(200);
    assert_eq!(r.data()[2]["id"], a3.as_str());
    let r = app
        .json(Method::PUT, &reorder, json!({"capture_id": "nope", "position": 1}))
        .await;
    assert_eq!(r.expect_invalid("capture_id"), "The selected capture id is invalid.");
    let r = app.json(Method::PUT, &reorder, json!({"capture_id": a3})).await;
    assert_eq!(r.expect_invalid("position"), "The position field is required.");
    exec_sql(
        app,
        &format!("UPDATE checklists SET archived_at = 5 WHERE id = '{tpl}'"),
    )
    .await;
    let r = app
        .json(Method::PUT, &reorder, json!({"capture_id": a3, "position": 1}))
        .await;
    assert_eq!(r.expect_invalid("checklist"), "The template is archived.");
    let r = app.json(Method::POST, &reorder, field("New")).await;
    assert_eq!(r.expect_invalid("checklist"), "The template is archived.");
}
on_both!(captures_move_between_steps_and_reorder);
