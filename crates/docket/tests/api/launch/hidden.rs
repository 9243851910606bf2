//! Tasks hidden by an automation (`auto-skipped`, written here with SQL): not completable, no
//! status changes, left out of progress, due date and the condition filters.

use serde_json::json;

use super::*;

on_both!(hidden_tasks_are_refused_and_left_out_of_the_run);
async fn hidden_tasks_are_refused_and_left_out_of_the_run(app: &TestApp) {
    let group = group(app).await;
    example_template(app, &group).await;
    let r = launch(
        app,
        json!({ "checklist_id": TEMPLATE, "started_at": "2025-06-02T09:00:00Z", "prerun": { KICKOFF: "X" } }),
    )
    .await
    .expect(201);
    let run_id = r.data()["id"].as_str().unwrap().to_string();
    let tasks = run_tasks(app, &run_id).await;
    let review = tasks[1]["id"].as_str().unwrap().to_string();
    exec_sql(
        app,
        &format!("UPDATE tasks SET status = 'auto-skipped', skipped_status = 'not-started' WHERE id = '{review}'"),
    )
    .await;

    let r = app.get(&app.org_path(&format!("/tasks/{review}"))).await.expect(200);
    assert_eq!(r.data()["status"], "auto-skipped");
    assert_eq!(r.data()["status_label"], "auto-skipped");
    assert_eq!(r.data()["is_completable"], false);

    let hidden = "This task is hidden by an automation and cannot be completed.";
    let r = app
        .json(
            Method::POST,
            &app.org_path(&format!("/runs/{run_id}/completed-tasks")),
            json!({"task_id": review, "is_approved": true}),
        )
        .await;
    assert_eq!(r.expect_invalid("task"), hidden);
    let r = app
        .json(
            Method::PUT,
            &app.org_path(&format!("/tasks/{review}")),
            json!({"status": "in-progress"}),
        )
        .await;
    assert_eq!(r.expect_invalid("task"), hidden);
    // Other fields may still be written.
    app.json(
        Method::PUT,
        &app.org_path(&format!("/tasks/{review}")),
        json!({"title": "Renamed"}),
    )
    .await
    .expect(200);

    let r = app.get(&app.org_path(&format!("/runs/{run_id}"))).await.expect(200);
    assert_eq!(r.data()["progress"]["total"], 1);
    assert_eq!(r.data()["whole_progress"]["total"], 2);
    assert_eq!(r.data()["due_date"], "2025-06-04T09:00:00.000Z");

    // The condition filters never list it; `status=all` does.
    for (q, expected) in [
        ("status=incomplete", false),
        ("status=not-started", false),
        ("status=overdue", false),
        ("status=all", true),
    ] {
        let r = app
            .get(&app.org_path(&format!("/runs/{run_id}/tasks?{q}")))
            .await
            .expect(200);
        let listed = r.data().as_array().unwrap().iter().any(|t| t["id"] == review.as_str());
        assert_eq!(listed, expected, "{q}");
    }

    // Completing the only visible task completes the run.
    let collect = tasks[0]["id"].as_str().unwrap();
    app.json(
        Method::PUT,
        &app.org_path(&format!("/tasks/{collect}")),
        json!({"taskdata": {CONTRACT: "signed"}}),
    )
    .await
    .expect(200);
    app.json(
        Method::POST,
        &app.org_path(&format!("/runs/{run_id}/completed-tasks")),
        json!({"task_id": collect}),
    )
    .await
    .expect(200);
    let r = app.get(&app.org_path(&format!("/runs/{run_id}"))).await.expect(200);
    assert_eq!(r.data()["status"], "complete");
    assert_eq!(
        r.data()["whole_progress"],
        json!({"complete": 1, "total": 2, "percent": 50.0})
    );
}
