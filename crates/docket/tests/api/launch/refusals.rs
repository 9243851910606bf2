//! Refused launches: the order of checks, every field's 422, and a failing write leaving
//! nothing behind.

use serde_json::json;

use super::*;
use crate::support::Backend;
use crate::support::fixtures::count_rows;

on_both!(the_template_is_checked_first);
async fn the_template_is_checked_first(app: &TestApp) {
    let group = group(app).await;
    example_template(app, &group).await;
    let r = launch(app, json!({ "name": "No template", "roles": {"a": 1} })).await;
    assert_eq!(r.expect_invalid("checklist_id"), "The checklist id field is required.");
    assert!(r.body["errors"].get("roles").is_none(), "{}", r.text);
    let r = launch(app, json!({ "checklist_id": "0123456789abcdef0123456789abcdef" })).await;
    assert_eq!(
        r.expect_invalid("checklist_id"),
        "The selected checklist id is invalid."
    );
    launch(app, json!({ "checklist_id": 12 }))
        .await
        .expect_invalid("checklist_id");

    // Another organization's template is not one of this organization's.
    app.add_org("other", 2001).await;
    insert_template(app, "other", "ffff0000ffff0000ffff0000ffff0000", "Theirs", "", "").await;
    let r = launch(app, json!({ "checklist_id": "ffff0000ffff0000ffff0000ffff0000" })).await;
    assert_eq!(
        r.expect_invalid("checklist_id"),
        "The selected checklist id is invalid."
    );

    exec_sql(
        app,
        &format!("UPDATE checklists SET archived_at = 5 WHERE id = '{TEMPLATE}'"),
    )
    .await;
    let r = launch(app, json!({ "checklist_id": TEMPLATE, "prerun": { KICKOFF: "X" } })).await;
    assert_eq!(r.expect_invalid("checklist_id"), "The selected checklist is archived.");
}

on_both!(every_other_field_is_reported_at_once);
async fn every_other_field_is_reported_at_once(app: &TestApp) {
    let group = group(app).await;
    example_template(app, &group).await;
    let r = launch(
        app,
        json!({ "checklist_id": TEMPLATE, "name": "x".repeat(551), "owner_id": 4242,
                "prerun": { AMOUNT: "lots", "nope": 1 },
                "tasks": { "0000": {}, COLLECT: { "deadline": "soon", "owners": { "users": [999] } } },
                "roles": [{"role": "x"}], "users": [999], "groups": ["zz"], "folders": ["yy"],
                "parent_id": "0123456789abcdef0123456789abcdef" }),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let errors = r.body["errors"].as_object().unwrap();
    for key in [
        "name".to_string(),
        "owner_id".into(),
        format!("prerun.{AMOUNT}"),
        "prerun.nope".into(),
        format!("prerun.{KICKOFF}"),
        "tasks.0000".into(),
        format!("tasks.{COLLECT}.deadline"),
        format!("tasks.{COLLECT}.owners.users.0"),
        "roles".into(),
        "users.0".into(),
        "groups.0".into(),
        "folders.0".into(),
        "parent_id".into(),
    ] {
        assert!(errors.contains_key(&key), "{key} missing in {}", r.text);
    }
    assert_eq!(errors[&format!("prerun.{KICKOFF}")][0], "Customer name is required.");
    assert_eq!(errors["prerun.nope"][0], "No such kick-off field on this template.");
    assert_eq!(errors["tasks.0000"][0], "No such step on this template.");
    assert_eq!(errors["roles"][0], "Roles are not supported.");

    for bad in [json!([1]), json!("x")] {
        let r = launch(app, json!({ "checklist_id": TEMPLATE, "prerun": bad })).await;
        assert_eq!(
            r.expect_invalid("prerun"),
            "The prerun must be an object keyed by kick-off field id."
        );
    }
    let r = launch(
        app,
        json!({ "checklist_id": TEMPLATE, "prerun": { KICKOFF: "X" }, "tasks": [1] }),
    )
    .await;
    assert_eq!(
        r.expect_invalid("tasks"),
        "The tasks must be an object keyed by step id."
    );
    // Nothing was launched.
    let runs = "SELECT COUNT(*) FROM runs WHERE org_id = $1";
    assert_eq!(count_rows(app, runs, "acme").await, 0);
}

on_both!(light_members_launch_only_granted_templates);
async fn light_members_launch_only_granted_templates(app: &TestApp) {
    let group = group(app).await;
    example_template(app, &group).await;
    let (_, light) = app.add_member("acme", 12345, "joe@acme.test", "light").await;
    let body = json!({ "checklist_id": TEMPLATE, "prerun": { KICKOFF: "X" } });
    let as_light = |body: Value| app.send(app.request_as(&light, Method::POST, &app.org_path("/runs")).json(&body));
    let r = as_light(body.clone()).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.body["message"], "You don't have permission to launch this template.");
    // The template is checked before the permission, the other fields after it.
    as_light(json!({ "checklist_id": "nope" }))
        .await
        .expect_invalid("checklist_id");
    assert_eq!(
        as_light(json!({ "checklist_id": TEMPLATE, "prerun": [1] }))
            .await
            .status,
        403
    );

    exec_sql(
        app,
        &format!("UPDATE checklists SET user_ids = '[12345]' WHERE id = '{TEMPLATE}'"),
    )
    .await;
    let r = as_light(body.clone()).await.expect(201);
    assert_eq!(r.data()["started_by"], 12345);
    assert_eq!(r.data()["owner_id"], 12345);

    // Through a group the member belongs to.
    exec_sql(
        app,
        &format!("UPDATE checklists SET user_ids = '[]', group_ids = '[\"{group}\"]' WHERE id = '{TEMPLATE}'"),
    )
    .await;
    assert_eq!(as_light(body.clone()).await.status, 403);
    app.json(
        Method::PUT,
        &app.org_path(&format!("/groups/{group}")),
        json!({"members": [1005, 12345]}),
    )
    .await
    .expect(200);
    as_light(body).await.expect(201);
}

on_both!(a_failing_launch_writes_nothing, backend);
async fn a_failing_launch_writes_nothing(backend: Backend) {
    let running = TestApp::spawn(backend).await;
    let app = &running;
    let group = group(app).await;
    example_template(app, &group).await;
    // The database refuses the copy of the step's capture, late in the launch.
    match backend {
        Backend::Sqlite => {
            exec_sql(
                app,
                "CREATE TRIGGER refuse_capture BEFORE INSERT ON captures WHEN NEW.label = 'Contract'
                 BEGIN SELECT RAISE(ABORT, 'refused'); END",
            )
            .await
        }
        Backend::Postgres => {
            exec_sql(
                app,
                "CREATE FUNCTION refuse_capture() RETURNS trigger AS $$ BEGIN
                   IF NEW.label = 'Contract' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
            )
            .await;
            exec_sql(
                app,
                "CREATE TRIGGER refuse_capture BEFORE INSERT ON captures FOR EACH ROW EXECUTE FUNCTION refuse_capture()",
            )
            .await;
        }
    }
    let r = launch(
        app,
        json!({ "checklist_id": TEMPLATE, "prerun": { KICKOFF: "X" }, "tags": ["fresh"],
                "tasks": { COLLECT: { "owners": { "guests": ["someone@new.test"] } } } }),
    )
    .await;
    assert_eq!(r.status, 500, "{}", r.text);
    for (sql, key) in [
        ("SELECT COUNT(*) FROM runs WHERE org_id = $1", "acme"),
        ("SELECT COUNT(*) FROM tasks WHERE org_id = $1", "acme"),
        ("SELECT COUNT(*) FROM tags WHERE org_id = $1", "acme"),
        ("SELECT COUNT(*) FROM guests WHERE org_id = $1", "acme"),
        ("SELECT started_processes FROM checklists WHERE id = $1", TEMPLATE),
        ("SELECT run_seq FROM organizations WHERE id = $1", "acme"),
    ] {
        assert_eq!(count_rows(app, sql, key).await, 0, "{sql}");
    }
    running.stop().await;
}
