//! The template objects a launched run and its tasks show: `with=step` on tasks (the step as
//! the template has it now, `null` once deleted) and `with=checklist` on runs and on a task's
//! run (the full template shape).

use serde_json::json;

use super::*;

/// Launches the example template; returns the run id.
async fn launched(app: &TestApp) -> String {
    let group = group(app).await;
    example_template(app, &group).await;
    let r = launch(
        app,
        json!({ "checklist_id": TEMPLATE, "prerun": { KICKOFF: "Initech" } }),
    )
    .await
    .expect(201);
    r.data()["id"].as_str().unwrap().to_string()
}

on_both!(a_launched_task_shows_its_current_step);
async fn a_launched_task_shows_its_current_step(app: &TestApp) {
    let run_id = launched(app).await;
    let tasks = run_tasks(app, &run_id).await;
    let task_id = tasks[0]["id"].as_str().unwrap().to_string();
    let path = app.org_path(&format!("/tasks/{task_id}?with=step"));
    let step_path = app.org_path(&format!("/checklists/{TEMPLATE}/steps/{COLLECT}"));
    let direct = app.get(&step_path).await.expect(200);
    let r = app.get(&path).await.expect(200);
    assert_eq!(r.data()["step"]["data"], *direct.data());
    assert_eq!(r.data()["step"]["data"]["id"], COLLECT);
    assert_eq!(r.data()["step"]["data"]["captures"][0]["id"], CONTRACT);
    // The template's step as it is now.
    app.json(Method::PUT, &step_path, json!({"title": "Collect papers"}))
        .await
        .expect(200);
    let r = app.get(&path).await.expect(200);
    assert_eq!(r.data()["step"]["data"]["title"], "Collect papers");
    assert_eq!(r.data()["title"], "Collect documents");
    // A run's task list renders every task's step.
    let r = app
        .get(&app.org_path(&format!("/runs/{run_id}/tasks?with=step")))
        .await
        .expect(200);
    let steps: Vec<_> = r
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["step"]["data"]["id"].clone())
        .collect();
    assert_eq!(steps, [json!(COLLECT), json!(REVIEW)]);
    // Deleted: null.
    let review_path = app.org_path(&format!("/checklists/{TEMPLATE}/steps/{REVIEW}"));
    app.call(Method::DELETE, &review_path).await.expect(204);
    let review_task = app.org_path(&format!("/tasks/{}?with=step", tasks[1]["id"].as_str().unwrap()));
    let r = app.get(&review_task).await.expect(200);
    assert_eq!(r.data()["step"], json!({"data": null}));
    assert_eq!(r.data()["step_id"], REVIEW);
    let r = app.get(&path).await.expect(200);
    assert_eq!(r.data()["step"]["data"]["id"], COLLECT);
}

on_both!(a_launched_run_shows_its_template_in_full);
async fn a_launched_run_shows_its_template_in_full(app: &TestApp) {
    let run_id = launched(app).await;
    let template = app
        .get(&app.org_path(&format!("/checklists/{TEMPLATE}")))
        .await
        .expect(200)
        .data()
        .clone();
    let r = app
        .get(&app.org_path(&format!("/runs/{run_id}?with=checklist")))
        .await
        .expect(200);
    let checklist = &r.data()["checklist"]["data"];
    assert_eq!(*checklist, template);
    assert_eq!(checklist["prerun"].as_array().map(Vec::len), Some(2));
    assert_eq!(checklist["automated_actions"], json!([]));
    assert_eq!(checklist["steps_count"], 2);
    // The same on a task's run.
    let tasks = run_tasks(app, &run_id).await;
    let r = app
        .get(&app.org_path(&format!(
            "/tasks/{}?with=run,run.checklist",
            tasks[0]["id"].as_str().unwrap()
        )))
        .await
        .expect(200);
    assert_eq!(r.data()["run"]["data"]["checklist"]["data"], template);
}
