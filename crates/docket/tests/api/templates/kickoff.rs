//! Kick-off fields: CL2 `prerun` (created in order), CL4 `prerun` (the complete list: update by
//! id, create, delete the rest unless a rule depends on one), CL10 and CL11.

use reqwest::Method;
use serde_json::{Value, json};

use super::{create, path};
use crate::support::TestApp;
use crate::support::fixtures::{exec_sql, seed_members};

fn labels(t: &Value) -> Vec<(String, i64)> {
    t["prerun"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["label"].as_str().unwrap().to_string(),
                f["position"].as_i64().unwrap(),
            )
        })
        .collect()
}

on_both!(create_makes_kickoff_fields_in_order);
async fn create_makes_kickoff_fields_in_order(app: &TestApp) {
    let t = create(
        app,
        json!({"title": "KO", "prerun": [
            {"id": "ignored", "label": "Client name", "field_type": "text", "required": true},
            {"label": "Tier", "field_type": "dropdown", "required": false, "options": ["Gold", {"text": "Silver"}]},
            {"label": "Client name", "field_type": "textarea", "required": false, "field_validation": "a|b"}
        ]}),
    )
    .await;
    assert_eq!(
        labels(&t),
        vec![("Client name".into(), 1), ("Tier".into(), 2), ("Client name".into(), 3)]
    );
    let f = &t["prerun"];
    assert_ne!(f[0]["id"], "ignored");
    assert_eq!(f[0]["timeline_id"], f[0]["id"]);
    assert_eq!(f[0]["checklist_id"], t["id"]);
    assert!(f[0]["step_id"].is_null());
    assert_eq!(f[0]["alias"], "client-name");
    assert_eq!(f[2]["alias"], "client-name-2");
    assert_eq!(
        f[1]["options"],
        json!([{"id": 1, "text": "Gold", "value": null}, {"id": 2, "text": "Silver", "value": null}])
    );
    assert_eq!(f[2]["field_validation"], json!(["a", "b"]));
    let id = t["id"].as_str().unwrap();

    // CL10: one item with the kick-off fields (and no step captures yet).
    let r = app.get(&path(app, id, "/form-fields")).await.expect(200);
    assert_eq!(r.data()["id"], id);
    assert_eq!(r.data()["title"], "KO");
    assert_eq!(r.data()["form_fields"], json!([]));
    assert_eq!(r.data()["ko_form_fields"].as_array().unwrap().len(), 3);

    // Bad definitions name their key path; nothing is created.
    let r = app
        .json(
            Method::POST,
            &app.org_path("/checklists"),
            json!({"title": "Bad", "prerun": [
                {"label": "ok", "field_type": "text", "required": true},
                {"field_type": "radio", "required": true, "options": ["one"]},
                "nope"
            ]}),
        )
        .await;
    assert_eq!(r.expect_invalid("prerun.1.label"), "The label field is required.");
    r.expect_invalid("prerun.1.options");
    r.expect_invalid("prerun.2");
    let list = app.get(&app.org_path("/checklists")).await.expect(200);
    assert_eq!(list.data().as_array().unwrap().len(), 1);
}

on_both!(update_replaces_the_kickoff_list);
async fn update_replaces_the_kickoff_list(app: &TestApp) {
    let t = create(
        app,
        json!({"title": "KO", "prerun": [
            {"label": "A", "field_type": "text", "required": true},
            {"label": "B", "field_type": "text", "required": true},
            {"label": "C", "field_type": "text", "required": true}
        ]}),
    )
    .await;
    let id = t["id"].as_str().unwrap().to_string();
    let (a, b, c) = (
        t["prerun"][0]["id"].clone(),
        t["prerun"][1]["id"].clone(),
        t["prerun"][2]["id"].clone(),
    );
    // C first (renamed, partial), a new field, A; B is dropped. `value` is ignored.
    let r = app
        .json(
            Method::PUT,
            &path(app, &id, ""),
            json!({"prerun": [
                {"id": c, "label": "C2", "value": "x"},
                {"label": "New", "field_type": "number", "required": false},
                {"id": a}
            ]}),
        )
        .await
        .expect(200);
    let u = r.data();
    assert_eq!(labels(u), vec![("C2".into(), 1), ("New".into(), 2), ("A".into(), 3)]);
    assert_eq!(u["prerun"][0]["id"], c);
    assert_eq!(u["prerun"][0]["alias"], "c", "aliases never change");
    assert_eq!(u["prerun"][0]["required"], true);
    assert_eq!(u["prerun"][2]["id"], a);
    assert!(u["prerun"].as_array().unwrap().iter().all(|f| f["id"] != b));
    // Positions sent are a sort key.
    let r = app
        .json(
            Method::PUT,
            &path(app, &id, ""),
            json!({"prerun": [{"id": a, "position": 2}, {"id": c, "position": 1}]}),
        )
        .await
        .expect(200);
    assert_eq!(labels(r.data()), vec![("C2".into(), 1), ("A".into(), 2)]);
    // The same field twice.
    let r = app
        .json(
            Method::PUT,
            &path(app, &id, ""),
            json!({"prerun": [{"id": a}, {"id": a}]}),
        )
        .await;
    assert_eq!(
        r.expect_invalid("prerun.1.id"),
        "The same kick-off field is listed twice."
    );
    // A bad entry names its path.
    let r = app
        .json(
            Method::PUT,
            &path(app, &id, ""),
            json!({"prerun": [{"id": a, "field_type": "dial"}]}),
        )
        .await;
    assert_eq!(
        r.expect_invalid("prerun.0.field_type"),
        "The selected field type is invalid."
    );

    // A rule depending on A blocks its deletion, by CL4 and by CL11.
    let a = a.as_str().unwrap();
    exec_sql(
        app,
        &format!(
            "INSERT INTO automations (id, org_id, checklist_id, seq, automated_alias, conditions, then_actions, created_at, last_updated)
             VALUES ('ru000000000000000000000000000001', 'acme', '{id}', 1, 'Rule 1',
                     '[{{\"id\":\"c1\",\"conditionable_id\":\"{a}\",\"conditionable_type\":\"Prerun\",\"operation\":\"is_empty\"}}]',
                     '[]', 1, 1)"
        ),
    )
    .await;
    let r = app
        .json(Method::PUT, &path(app, &id, ""), json!({"prerun": [{"id": c}]}))
        .await;
    assert_eq!(
        r.expect_invalid("prerun"),
        "Cannot delete this field because there are rules dependent on it."
    );
    let r = app
        .call(Method::DELETE, &path(app, &id, &format!("/preruns/{a}")))
        .await;
    r.expect_invalid("prerun");
    // The rule shows on the template.
    let got = app.get(&path(app, &id, "")).await.expect(200);
    assert_eq!(got.data()["automated_actions"][0]["automated_alias"], "Rule 1");
    assert_eq!(
        got.data()["automated_actions"][0]["conditions"][0]["conditionable_id"],
        a
    );
    assert!(got.data()["automated_actions"][0]["archived_at"].is_null());
    assert_eq!(labels(got.data()).len(), 2);
}

on_both!(delete_one_kickoff_field);
async fn delete_one_kickoff_field(app: &TestApp) {
    let light = seed_members(app).await;
    let t = create(
        app,
        json!({"title": "KO", "prerun": [
            {"label": "A", "field_type": "text", "required": true},
            {"label": "B", "field_type": "text", "required": true}
        ]}),
    )
    .await;
    let id = t["id"].as_str().unwrap().to_string();
    let a = t["prerun"][0]["id"].as_str().unwrap().to_string();
    let p = path(app, &id, &format!("/preruns/{a}"));
    assert_eq!(app.send(app.request_as(&light, Method::DELETE, &p)).await.status, 403);
    assert_eq!(
        app.call(
            Method::DELETE,
            &path(app, &id, "/preruns/0123456789abcdef0123456789abcdef")
        )
        .await
        .status,
        404
    );
    app.call(Method::DELETE, &p).await.expect(204);
    assert_eq!(app.call(Method::DELETE, &p).await.status, 404);
    let got = app.get(&path(app, &id, "")).await.expect(200);
    assert_eq!(labels(got.data()), vec![("B".to_string(), 1)]);
    // Archived templates refuse it.
    let b = got.data()["prerun"][0]["id"].as_str().unwrap().to_string();
    app.call(Method::DELETE, &path(app, &id, "")).await.expect(200);
    let r = app
        .call(Method::DELETE, &path(app, &id, &format!("/preruns/{b}")))
        .await;
    assert_eq!(r.expect_invalid("checklist"), "The template is archived.");
    // CL10 still reads archived templates.
    app.get(&path(app, &id, "/form-fields")).await.expect(200);
}
