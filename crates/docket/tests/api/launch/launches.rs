//! Successful launches: the contract's worked example, overrides, defaults and what a launch
//! writes.

use serde_json::json;

use super::*;
use crate::support::fixtures::count_rows;

on_both!(the_worked_example_launches_two_anchored_tasks);
async fn the_worked_example_launches_two_anchored_tasks(app: &TestApp) {
    let group = group(app).await;
    example_template(app, &group).await;
    let r = launch(
        app,
        json!({ "checklist_id": TEMPLATE, "name": "Onboarding - Globex", "started_at": "2025-06-02T09:00:00Z",
                "prerun": { KICKOFF: "Globex" },
                "tasks": { COLLECT: { "owners": { "users": [1005] } } } }),
    )
    .await
    .expect(201);
    let run = r.data();
    assert_eq!(run["name"], "Onboarding - Globex");
    assert_eq!(run["checklist_id"], TEMPLATE);
    assert_eq!(run["checklist_title"], "Client onboarding");
    assert_eq!(run["type"], "procedure");
    assert_eq!(run["status"], "active");
    assert_eq!(run["owner_id"], 1001);
    assert_eq!(run["started_by"], 1001);
    assert_eq!(run["prerun"], json!({ KICKOFF: "Globex", AMOUNT: null }));
    assert_eq!(run["prerun_status"], "complete");
    assert_eq!(run["prerun_completed_by"], 1001);
    assert_eq!(run["prerun_length"], 2);
    assert_eq!(run["progress"], json!({"complete": 0, "total": 2, "percent": 0.0}));
    assert_eq!(run["whole_progress"]["total"], 2);
    assert_eq!(run["started_at"], "2025-06-02T09:00:00.000Z");
    assert_eq!(run["due_date"], "2025-06-05T09:00:00.000Z");
    assert_eq!(run["can_add_oot"], false);
    assert_eq!(run["parent_id"], json!(null));
    let run_id = run["id"].as_str().unwrap();

    let tasks = run_tasks(app, run_id).await;
    assert_eq!(tasks.len(), 2);
    let (collect, review) = (&tasks[0], &tasks[1]);
    assert_eq!(collect["title"], "Collect documents");
    assert_eq!(collect["owners"]["users"], json!([1005]));
    assert_eq!(collect["owners"]["groups"], json!([]));
    assert_eq!(collect["deadline"], "2025-06-04T09:00:00.000Z");
    assert_eq!(collect["started_at"], "2025-06-02T09:00:00.000Z");
    assert_eq!(collect["alias"], "collect-documents");
    assert_eq!(collect["step_id"], COLLECT);
    assert_eq!(collect["checklist_id"], TEMPLATE);
    assert_eq!(collect["blueprint_position"], 1);
    assert_eq!(collect["is_oneoff_task"], false);
    assert_eq!(collect["allow_guest_owners"], true);
    assert_eq!(collect["status"], "not-started");
    assert_eq!(collect["taskdata"], json!({ CONTRACT: null }));
    let field = &collect["form_fields"]["data"][0];
    assert_eq!(
        (field["id"].as_str(), field["step_id"].as_str()),
        (Some(CONTRACT), Some(COLLECT))
    );
    assert_eq!(field["label"], "Contract");
    assert_eq!(review["owners"]["users"], json!([1001]));
    assert_eq!(review["deadline"], "2025-06-05T09:00:00.000Z");
    assert_eq!(review["task_type"], "approval");
    assert_eq!(review["position"], 2);

    let launched = "SELECT started_processes FROM checklists WHERE id = $1";
    assert_eq!(count_rows(app, launched, TEMPLATE).await, 1);
    // The step's group was replaced by the override: no group row for the task.
    let groups = "SELECT COUNT(*) FROM task_groups g JOIN tasks t ON t.id = g.task_id WHERE t.run_id = $1";
    assert_eq!(count_rows(app, groups, run_id).await, 0);
}

on_both!(defaults_step_assignees_and_includes);
async fn defaults_step_assignees_and_includes(app: &TestApp) {
    let group = group(app).await;
    example_template(app, &group).await;
    let r = launch(
        app,
        json!({ "checklist_id": TEMPLATE, "prerun": { KICKOFF: "Initech", AMOUNT: "12.5" } }),
    )
    .await
    .expect(201);
    let run = r.data().clone();
    let today = &docket_domain::time::format_ts(docket_domain::time::now_ms())[..10];
    assert_eq!(run["name"], format!("Client onboarding - {today}"));
    assert_eq!(run["prerun"][AMOUNT], json!(12.5));
    let run_id = run["id"].as_str().unwrap();
    let tasks = run_tasks(app, run_id).await;
    // No override: the step's group is assigned and the launcher is not.
    assert_eq!(tasks[0]["owners"]["groups"], json!([group]));
    assert_eq!(tasks[0]["owners"]["users"], json!([]));

    let r = app
        .get(&app.org_path(&format!("/runs/{run_id}?with=checklist,ko_form_fields")))
        .await
        .expect(200);
    let checklist = &r.data()["checklist"]["data"];
    assert_eq!(checklist["id"], TEMPLATE);
    assert_eq!(checklist["title"], "Client onboarding");
    assert_eq!(checklist["started_processes"], 1);
    let ko = r.data()["ko_form_fields"]["data"].as_array().unwrap().clone();
    assert_eq!(ko.len(), 2);
    assert_eq!(
        (ko[0]["id"].as_str(), ko[0]["value"].as_str()),
        (Some(KICKOFF), Some("Initech"))
    );
    assert_eq!(ko[0]["label"], "Customer name");
    assert_eq!(ko[0]["required"], true);

    let task_id = tasks[1]["id"].as_str().unwrap();
    let r = app
        .get(&app.org_path(&format!("/tasks/{task_id}?with=ko-form-fields")))
        .await
        .expect(200);
    assert_eq!(r.data()["ko-form-fields"]["data"][1]["value"], json!(12.5));

    let r = app
        .get(&app.org_path(&format!("/runs/{run_id}/form-fields")))
        .await
        .expect(200);
    assert_eq!(r.data()["id"], run_id);
    assert_eq!(r.data()["form_fields"][0]["id"], CONTRACT);
    assert_eq!(r.data()["ko_form_fields"].as_array().map(Vec::len), Some(2));
}

/// A folder runs are filed in.
const FOLDER: &str = "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0";

on_both!(overrides_move_dependent_deadlines_and_set_the_cap);
async fn overrides_move_dependent_deadlines_and_set_the_cap(app: &TestApp) {
    let group = group(app).await;
    example_template(app, &group).await;
    app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    exec_sql(
        app,
        &format!(
            "INSERT INTO folders (id, org_id, name, folder_type, position, created_at, last_updated)
             VALUES ('{FOLDER}', 'acme', 'Clients', 'run', 1, 1, 1)"
        ),
    )
    .await;
    let tag = app
        .json(Method::POST, &app.org_path("/tags"), json!({"title": "paperwork"}))
        .await
        .expect(201);
    let tag = tag.data()["id"].as_str().unwrap().to_string();
    // A step tag that no longer exists is left out.
    exec_sql(
        app,
        &format!("UPDATE steps SET tags = '[\"{tag}\", \"0000000000000000000000000000dead\"]' WHERE id = '{COLLECT}'"),
    )
    .await;
    let r = launch(
        app,
        json!({ "checklist_id": TEMPLATE, "started_at": "2025-06-02T09:00:00Z", "prerun": { KICKOFF: "X" },
                "tasks": { COLLECT: { "deadline": "2025-07-01T00:00:00Z", "started_at": "2025-06-10T00:00:00Z",
                                      "max_assignable": 2, "position": 9,
                                      "owners": { "users": [1005, 1002], "guests": ["new@guest.test"] } } } }),
    )
    .await;
    // Three direct assignees over a cap of 2.
    assert_eq!(
        r.expect_invalid(&format!("tasks.{COLLECT}.owners")),
        "The task may not have more than 2 assignees."
    );
    let r = launch(
        app,
        json!({ "checklist_id": TEMPLATE, "started_at": "2025-06-02T09:00:00Z", "prerun": { KICKOFF: "X" },
                "tasks": { COLLECT: { "deadline": "2025-07-01T00:00:00Z", "started_at": "2025-06-10T00:00:00Z",
                                      "max_assignable": 3,
                                      "owners": { "users": [1005, 1002], "guests": ["new@guest.test"] } } },
                "tags": ["launched"], "users": [1002], "starred": true, "folders": [FOLDER, FOLDER] }),
    )
    .await
    .expect(201);
    let run = r.data().clone();
    let filed = "SELECT COUNT(*) FROM folder_objects WHERE subject_type = 'Run' AND subject_id = $1";
    assert_eq!(count_rows(app, filed, run["id"].as_str().unwrap()).await, 1);
    assert_eq!(run["users"], json!([1002]));
    assert_eq!(run["starred"], true);
    assert_eq!(run["due_date"], "2025-07-02T00:00:00.000Z");
    let tasks = run_tasks(app, run["id"].as_str().unwrap()).await;
    assert_eq!(tasks[0]["deadline"], "2025-07-01T00:00:00.000Z");
    assert_eq!(tasks[0]["started_at"], "2025-06-10T00:00:00.000Z");
    assert_eq!(tasks[0]["max_assignable"], 3);
    assert_eq!(tasks[0]["owners"]["guests"], json!(["new@guest.test"]));
    assert_eq!(tasks[1]["deadline"], "2025-07-02T00:00:00.000Z");
    let collect = tasks[0]["id"].as_str().unwrap();
    let r = app
        .get(&app.org_path(&format!("/tasks/{collect}?with=tags")))
        .await
        .expect(200);
    let links = r.data()["tags"]["data"].as_array().unwrap().clone();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0]["tag_id"], tag.as_str());
    let r = app
        .get(&app.org_path(&format!("/runs/{}?with=tags", run["id"].as_str().unwrap())))
        .await
        .expect(200);
    assert_eq!(r.data()["tags"]["data"][0]["title"], "launched");
}

on_both!(launched_runs_keep_their_copy_when_the_template_changes);
async fn launched_runs_keep_their_copy_when_the_template_changes(app: &TestApp) {
    let group = group(app).await;
    example_template(app, &group).await;
    let r = launch(
        app,
        json!({ "checklist_id": TEMPLATE, "prerun": { KICKOFF: "Globex" } }),
    )
    .await
    .expect(201);
    let run_id = r.data()["id"].as_str().unwrap().to_string();
    exec_sql(
        app,
        &format!("UPDATE steps SET title = 'Changed' WHERE id = '{COLLECT}'"),
    )
    .await;
    exec_sql(
        app,
        &format!("UPDATE template_fields SET label = 'Renamed' WHERE checklist_id = '{TEMPLATE}'"),
    )
    .await;
    exec_sql(
        app,
        &format!("UPDATE checklists SET title = 'New title' WHERE id = '{TEMPLATE}'"),
    )
    .await;
    exec_sql(app, &format!("DELETE FROM steps WHERE id = '{REVIEW}'")).await;
    let tasks = run_tasks(app, &run_id).await;
    assert_eq!(tasks.len(), 2);
    assert_eq!(tasks[0]["title"], "Collect documents");
    assert_eq!(tasks[0]["form_fields"]["data"][0]["label"], "Contract");
    assert_eq!(tasks[1]["step_id"], REVIEW);
    let r = app
        .get(&app.org_path(&format!("/runs/{run_id}?with=checklist,ko_form_fields")))
        .await
        .expect(200);
    assert_eq!(r.data()["checklist_title"], "Client onboarding");
    assert_eq!(r.data()["ko_form_fields"]["data"][0]["label"], "Customer name");
    // The include shows the template as it is now, and null once it is gone.
    assert_eq!(r.data()["checklist"]["data"]["title"], "New title");
    exec_sql(app, &format!("DELETE FROM checklists WHERE id = '{TEMPLATE}'")).await;
    let r = app
        .get(&app.org_path(&format!("/runs/{run_id}?with=checklist")))
        .await
        .expect(200);
    assert_eq!(r.data()["checklist"], json!({"data": null}));
    assert_eq!(r.data()["checklist_id"], TEMPLATE);
    // A deleted template cannot be launched.
    launch(
        app,
        json!({ "checklist_id": TEMPLATE, "prerun": { KICKOFF: "Globex" } }),
    )
    .await
    .expect_invalid("checklist_id");
}

on_both!(a_long_template_launches_every_step_in_order);
async fn a_long_template_launches_every_step_in_order(app: &TestApp) {
    insert_template(app, "acme", TEMPLATE, "Long", "", "").await;
    // 200 steps, each due one day after the one before; every step has one capture.
    exec_sql(
        app,
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
             INSERT INTO steps (id, org_id, checklist_id, position, title, alias, deadline, created_at, last_updated)
             SELECT 's' || i, 'acme', '{TEMPLATE}', i, 'Step ' || i, 'step-' || i,
                    CASE WHEN i = 1 THEN '{{\"value\": 1, \"unit\": \"days\"}}'
                         ELSE '{{\"value\": 1, \"unit\": \"days\", \"step\": \"s' || (i - 1) || '\"}}' END, 1, 1
               FROM n"
        ),
    )
    .await;
    exec_sql(
        app,
        &format!(
            "INSERT INTO template_fields (id, org_id, checklist_id, step_id, alias, label, field_type, position,
                 required, created_at, last_updated)
             SELECT 'f' || position, 'acme', '{TEMPLATE}', id, 'field-' || position, 'Field', 'text', 1, FALSE, 1, 1
               FROM steps WHERE checklist_id = '{TEMPLATE}'"
        ),
    )
    .await;
    let r = launch(
        app,
        json!({ "checklist_id": TEMPLATE, "started_at": "2025-01-01T00:00:00Z" }),
    )
    .await
    .expect(201);
    assert_eq!(r.data()["progress"]["total"], 200);
    assert_eq!(r.data()["due_date"], "2025-07-20T00:00:00.000Z");
    let run_id = r.data()["id"].as_str().unwrap();
    let mut tasks = Vec::new();
    for page in [1, 2] {
        let path = format!("/runs/{run_id}/tasks?per_page=100&page={page}");
        let r = app.get(&app.org_path(&path)).await.expect(200);
        tasks.extend(r.data().as_array().unwrap().clone());
    }
    assert_eq!(tasks.len(), 200);
    for (i, t) in tasks.iter().enumerate() {
        let n = i + 1;
        assert_eq!(t["position"], n);
        assert_eq!(t["step_id"], format!("s{n}"));
        assert_eq!(t["owners"]["users"], json!([1001]));
        assert_eq!(t["taskdata"], json!({ format!("f{n}"): null }));
    }
    let numbers: Vec<i64> = tasks.iter().map(|t| t["increment_id"].as_i64().unwrap()).collect();
    assert!(numbers.windows(2).all(|w| w[1] == w[0] + 1), "{numbers:?}");
}

on_both!(the_answer_is_the_run_as_read_back);
async fn the_answer_is_the_run_as_read_back(app: &TestApp) {
    let group = group(app).await;
    example_template(app, &group).await;
    app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let now = docket_domain::time::now_ms();
    let soon = docket_domain::time::format_ts(now + 3_600_000);
    // One task late, one due within a day; users, guests and groups assigned; run-level people.
    for body in [
        json!({ "checklist_id": TEMPLATE, "started_at": "2020-01-01T00:00:00Z", "prerun": { KICKOFF: "Late" },
                "tasks": { COLLECT: { "owners": { "users": [1002, 1005], "guests": ["x@guest.test"], "groups": [group] } },
                           REVIEW: { "deadline": soon } },
                "users": [1005], "groups": [group], "summary": "s", "owner_id": 1002, "is_public": true }),
        json!({ "checklist_id": TEMPLATE, "prerun": { KICKOFF: "Plain", AMOUNT: 3 }, "parent_id": null }),
    ] {
        let posted = launch(app, body).await.expect(201);
        let id = posted.data()["id"].as_str().unwrap().to_string();
        let read = app.get(&app.org_path(&format!("/runs/{id}"))).await.expect(200);
        assert_eq!(posted.data(), read.data());
        assert_eq!(posted.header("etag"), read.header("etag"));
    }
}
