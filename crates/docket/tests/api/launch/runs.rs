//! Writes on launched runs: R3 `prerun`, and T1 into a run that takes no one-off tasks.

use serde_json::json;

use super::*;

on_both!(prerun_updates_are_partial_and_keep_required_fields);
async fn prerun_updates_are_partial_and_keep_required_fields(app: &TestApp) {
    let group = group(app).await;
    example_template(app, &group).await;
    let r = launch(
        app,
        json!({ "checklist_id": TEMPLATE, "prerun": { KICKOFF: "Globex" } }),
    )
    .await
    .expect(201);
    let run_id = r.data()["id"].as_str().unwrap().to_string();
    let path = app.org_path(&format!("/runs/{run_id}"));
    let r = app
        .json(Method::PUT, &path, json!({"prerun": { AMOUNT: 7 }}))
        .await
        .expect(200);
    assert_eq!(r.data()["prerun"], json!({ KICKOFF: "Globex", AMOUNT: 7 }));
    let r = app.json(Method::PUT, &path, json!({"prerun": { KICKOFF: "" }})).await;
    assert_eq!(
        r.expect_invalid(&format!("prerun.{KICKOFF}")),
        "Customer name is required."
    );
    let r = app
        .json(Method::PUT, &path, json!({"prerun": { "nope": 1, AMOUNT: "many" }}))
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body["errors"].get("prerun.nope").is_some());
    assert!(r.body["errors"].get(format!("prerun.{AMOUNT}")).is_some());
    let r = app
        .json(Method::PUT, &path, json!({"prerun": { AMOUNT: null }}))
        .await
        .expect(200);
    assert_eq!(r.data()["prerun"], json!({ KICKOFF: "Globex", AMOUNT: null }));
    // Later template edits do not change what the run checks against.
    exec_sql(
        app,
        &format!("UPDATE template_fields SET required = FALSE WHERE id = '{KICKOFF}'"),
    )
    .await;
    app.json(Method::PUT, &path, json!({"prerun": { KICKOFF: null }}))
        .await
        .expect_invalid(&format!("prerun.{KICKOFF}"));
}

on_both!(one_off_tasks_join_only_runs_that_take_them);
async fn one_off_tasks_join_only_runs_that_take_them(app: &TestApp) {
    let group = group(app).await;
    example_template(app, &group).await;
    let r = launch(app, json!({ "checklist_id": TEMPLATE, "prerun": { KICKOFF: "X" } }))
        .await
        .expect(201);
    let run_id = r.data()["id"].as_str().unwrap().to_string();
    let r = app
        .json(
            Method::POST,
            &app.org_path("/tasks"),
            json!({"title": "Extra", "run_id": run_id}),
        )
        .await;
    assert_eq!(
        r.expect_invalid("run_id"),
        "This process does not accept one-off tasks."
    );

    exec_sql(
        app,
        &format!("UPDATE checklists SET can_add_oot = TRUE WHERE id = '{TEMPLATE}'"),
    )
    .await;
    let r = launch(app, json!({ "checklist_id": TEMPLATE, "prerun": { KICKOFF: "X" } }))
        .await
        .expect(201);
    assert_eq!(r.data()["can_add_oot"], true);
    let run_id = r.data()["id"].as_str().unwrap().to_string();
    let r = app
        .json(
            Method::POST,
            &app.org_path("/tasks"),
            json!({"title": "Extra", "run_id": run_id}),
        )
        .await
        .expect(201);
    assert_eq!(r.data()["is_oneoff_task"], true);
    assert_eq!(r.data()["checklist_id"], TEMPLATE);
    assert_eq!(r.data()["step_id"], json!(null));
    let tasks = run_tasks(app, &run_id).await;
    assert_eq!(tasks.len(), 3);
}
