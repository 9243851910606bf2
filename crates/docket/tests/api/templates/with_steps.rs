//! Templates with steps made through the step routes: the bare `steps` include, `steps_count`,
//! CL10's step captures, `last_updated_by` moved by a step write, and a clone's copies.

use reqwest::Method;
use serde_json::json;

use super::{create, path};
use crate::support::TestApp;

on_both!(steps_show_in_the_template_and_its_copies);
async fn steps_show_in_the_template_and_its_copies(app: &TestApp) {
    let (_, std) = app.add_member("acme", 1003, "std@acme.test", "standard").await;
    let t = create(
        app,
        json!({"title": "With steps", "prerun": [{"label": "Ko", "field_type": "text", "required": false}]}),
    )
    .await;
    let id = t["id"].as_str().unwrap().to_string();
    let first = app
        .json(
            Method::POST,
            &path(app, &id, "/steps"),
            json!({"title": "Collect", "captures": [{"label": "Contract", "field_type": "file", "required": true}]}),
        )
        .await
        .expect(201);
    let first_id = first.data()["id"].as_str().unwrap().to_string();
    let second = app
        .send(
            app.request_as(&std, Method::POST, &path(app, &id, "/steps"))
                .json(&json!({
                    "title": "Review",
                    "deadline": {"value": 2, "unit": "days", "option": "from", "step": first_id}
                })),
        )
        .await
        .expect(201);
    let second_id = second.data()["id"].as_str().unwrap().to_string();

    let r = app
        .get(&path(app, &id, "?with=steps,automated_actions,prerun,tags"))
        .await
        .expect(200);
    let d = r.data();
    assert_eq!(d["steps_count"], 2);
    assert_eq!(d["last_updated_by"], 1003);
    let steps = d["steps"].as_array().expect("steps is a bare array");
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0]["title"], "Collect");
    assert_eq!(steps[0]["captures"][0]["label"], "Contract");
    assert_eq!(steps[1]["deadline"]["step"], first_id.as_str());
    assert_eq!(d["prerun"].as_array().unwrap().len(), 1);
    assert_eq!(d["tags"], json!({"data": []}));
    // Without the include there are no steps.
    let r = app.get(&path(app, &id, "")).await.expect(200);
    assert!(r.data().get("steps").is_none());

    // CL10: step captures by step position, kick-off fields apart.
    let r = app.get(&path(app, &id, "/form-fields")).await.expect(200);
    assert_eq!(r.data()["form_fields"][0]["label"], "Contract");
    assert_eq!(r.data()["form_fields"][0]["step_id"], first_id.as_str());
    assert_eq!(r.data()["ko_form_fields"][0]["label"], "Ko");

    // A clone copies steps and captures with new ids; the deadline anchor follows the copy.
    let c = app
        .json(Method::POST, &path(app, &id, "/clone"), json!({"title": "Copy"}))
        .await
        .expect(201);
    let cid = c.data()["id"].as_str().unwrap().to_string();
    let r = app.get(&path(app, &cid, "?with=steps")).await.expect(200);
    let copied = r.data()["steps"].as_array().unwrap().clone();
    assert_eq!(copied.len(), 2);
    assert_ne!(copied[0]["id"], first_id.as_str());
    assert_ne!(copied[1]["id"], second_id.as_str());
    assert_eq!(copied[0]["alias"], steps[0]["alias"]);
    assert_eq!(copied[0]["checklist_id"], cid.as_str());
    assert_eq!(copied[1]["deadline"]["step"], copied[0]["id"]);
    assert_eq!(copied[0]["captures"][0]["label"], "Contract");
    assert_ne!(copied[0]["captures"][0]["id"], steps[0]["captures"][0]["id"]);
    assert_eq!(copied[0]["captures"][0]["step_id"], copied[0]["id"]);
    // The copy's steps are its own: deleting one leaves the source alone.
    let copied_second = copied[1]["id"].as_str().unwrap();
    app.call(Method::DELETE, &path(app, &cid, &format!("/steps/{copied_second}")))
        .await
        .expect(204);
    let src = app.get(&path(app, &id, "")).await.expect(200);
    assert_eq!(src.data()["steps_count"], 2);

    // Permanent delete takes the steps along.
    app.call(Method::DELETE, &path(app, &cid, "")).await.expect(200);
    app.call(Method::DELETE, &path(app, &cid, "/delete")).await.expect(200);
    assert_eq!(app.get(&path(app, &cid, "/steps")).await.status, 404);
}

on_both!(create_makes_nested_steps_in_order);
async fn create_makes_nested_steps_in_order(app: &TestApp) {
    app.add_member("acme", 1005, "ann@acme.test", "standard").await;
    let t = app
        .json(
            Method::POST,
            &app.org_path("/checklists?with=steps"),
            json!({"title": "Imported", "steps": [
                {"id": "old-1", "title": "Intake", "assignees": [1005], "tags": ["intake"],
                 "captures": [{"label": "Name", "field_type": "text", "required": true}]},
                {"title": "Intake", "step_type": "approval",
                 "deadline": {"value": 1, "unit": "day", "option": "from", "step": "old-1"}}
            ]}),
        )
        .await
        .expect(201);
    let d = t.data();
    assert_eq!(d["steps_count"], 2);
    let steps = d["steps"].as_array().unwrap();
    assert_eq!(steps[0]["alias"], "intake");
    assert_eq!(steps[1]["alias"], "intake-2");
    assert_ne!(steps[0]["id"], "old-1");
    assert_eq!(steps[0]["assignees"], json!([1005]));
    assert_eq!(steps[0]["captures"][0]["label"], "Name");
    assert_eq!(steps[1]["step_type"], "approval");
    assert_eq!(steps[1]["deadline"]["step"], steps[0]["id"]);
    assert_eq!(steps[1]["deadline"]["unit"], "days");

    // Problems name the entry; nothing is created.
    let url = app.org_path("/checklists");
    let r = app
        .json(
            Method::POST,
            &url,
            json!({"title": "Bad", "steps": [
                {"title": "A", "captures": [{"label": "x", "field_type": "dial", "required": true}]},
                {"summary": "no title", "assignees": [4242]},
                "nope"
            ]}),
        )
        .await;
    r.expect_invalid("steps.0.captures.0.field_type");
    assert_eq!(r.expect_invalid("steps.1.title"), "The title field is required.");
    r.expect_invalid("steps.1.assignees.0");
    r.expect_invalid("steps.2");
    let r = app
        .json(
            Method::POST,
            &url,
            json!({"title": "Bad anchor", "steps": [
                {"title": "A", "deadline": {"value": 1, "unit": "days", "option": "from", "step": "later"}},
                {"id": "later", "title": "B"}
            ]}),
        )
        .await;
    r.expect_invalid("steps.0.deadline.step");
    let list = app.get(&app.org_path("/checklists")).await.expect(200);
    assert_eq!(list.data().as_array().unwrap().len(), 1);
}
