//! F6, F7: filing runs and tasks in folders, and unfiling them.

use reqwest::Method;
use serde_json::json;

use super::{create, file, folder_path, id_of};
use crate::support::TestApp;
use crate::support::fixtures::{run_with_task, seed_members, standalone};

on_both!(runs_and_tasks_are_filed_once_per_folder_and_unfiled_by_id);
async fn runs_and_tasks_are_filed_once_per_folder_and_unfiled_by_id(app: &TestApp) {
    seed_members(app).await;
    let f = id_of(&create(app, "Filed", None).await);
    let g = id_of(&create(app, "Also", None).await);
    let (run, task) = run_with_task(app, "Quarterly").await;

    let r = file(app, &f, "Run", &run).await.expect(201);
    let o = r.data().clone();
    assert_eq!(
        (
            o["folder_id"].as_str(),
            o["subject_id"].as_str(),
            o["subject_type"].as_str()
        ),
        (Some(f.as_str()), Some(run.as_str()), Some("Run"))
    );
    let first = o["id"].as_i64().expect("integer id");
    assert!(first >= 1);
    assert!(o["created_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert_eq!(
        o.as_object().map(|m| m.len()),
        Some(5),
        "exactly the FolderObject keys: {o}"
    );

    // The same subject again: 200 with the same object.
    let r = file(app, &f, "run", &run).await.expect(200);
    assert_eq!(r.data(), &o);
    // In another folder too, and a task: new objects from the same sequence.
    let r = file(app, &g, "Run", &run).await.expect(201);
    assert_eq!(r.data()["id"].as_i64(), Some(first + 1));
    let r = file(app, &f, "Task", &task).await.expect(201);
    let task_object = r.data()["id"].as_i64().unwrap();
    assert_eq!(task_object, first + 2);
    assert_eq!(app.get(&folder_path(app, &f)).await.expect(200).data()["total"], 2);

    // F7: by integer id; 404 once gone, for other shapes and for another organization.
    let path = |id: &str| app.org_path(&format!("/folders-objects/{id}"));
    app.call(Method::DELETE, &path(&first.to_string())).await.expect(204);
    app.call(Method::DELETE, &path(&first.to_string())).await.expect(404);
    app.call(Method::DELETE, &path("abc")).await.expect(404);
    app.call(Method::DELETE, &path("99999")).await.expect(404);
    assert_eq!(app.get(&folder_path(app, &f)).await.expect(200).data()["total"], 1);
    let other = app.add_org("globex", 3001).await;
    let r = app
        .send(app.request_as(
            &other,
            Method::DELETE,
            &format!("/organizations/globex/folders-objects/{task_object}"),
        ))
        .await;
    assert_eq!(r.status, 404);
    // Filing again after unfiling makes a new object.
    let r = file(app, &f, "Run", &run).await.expect(201);
    assert_eq!(r.data()["id"].as_i64(), Some(first + 3));
}

on_both!(filing_refuses_unknown_folders_subjects_and_types);
async fn filing_refuses_unknown_folders_subjects_and_types(app: &TestApp) {
    let light = seed_members(app).await;
    let f = id_of(&create(app, "Filed", None).await);
    let (run, _task) = run_with_task(app, "Quarterly").await;
    let nobody = "0123456789abcdef0123456789abcdef";

    let r = app
        .json(Method::POST, &app.org_path("/folders/add-object"), json!({}))
        .await;
    for field in ["folder_id", "subject_type", "subject_id"] {
        assert!(r.expect_invalid(field).ends_with("field is required."));
    }
    assert_eq!(
        file(app, nobody, "Run", &run).await.expect_invalid("folder_id"),
        "The selected folder id is invalid."
    );
    for kind in ["Checklist", "checklist", "Group", "3"] {
        assert_eq!(
            file(app, &f, kind, &run).await.expect_invalid("subject_type"),
            "The selected subject type is invalid."
        );
    }
    assert_eq!(
        file(app, &f, "Run", nobody).await.expect_invalid("subject_id"),
        "The selected subject id is invalid."
    );
    // A run id is no task id.
    file(app, &f, "Task", &run).await.expect_invalid("subject_id");
    // Subjects of another organization are unknown here.
    let other = app.add_org("globex", 3001).await;
    let r = app
        .send(
            app.request_as(&other, Method::POST, "/organizations/globex/tasks")
                .json(&json!({"title": "Theirs", "owners": {"users": [3001]}})),
        )
        .await
        .expect(201);
    let theirs = r.data()["id"].as_str().unwrap().to_string();
    file(app, &f, "Task", &theirs).await.expect_invalid("subject_id");

    // A task the caller cannot see is unknown to them (a standard member, not assigned, on a
    // top-secret task).
    let secret = standalone(app, "Secret", json!({"users": [1005]})).await;
    app.json(
        Method::PUT,
        &app.org_path(&format!("/tasks/{secret}")),
        json!({"top_secret": true}),
    )
    .await
    .expect(200);
    let (_, sam) = app.add_member("acme", 1003, "kim@acme.test", "standard").await;
    let r = app
        .send(
            app.request_as(&sam, Method::POST, &app.org_path("/folders/add-object"))
                .json(&json!({"folder_id": f, "subject_type": "Task", "subject_id": secret})),
        )
        .await;
    r.expect_invalid("subject_id");
    file(app, &f, "Task", &secret).await.expect(201);

    // Light members: 403 on both writes.
    let r = app
        .send(
            app.request_as(&light, Method::POST, &app.org_path("/folders/add-object"))
                .json(&json!({"folder_id": f, "subject_type": "Run", "subject_id": run})),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let o = file(app, &f, "Run", &run).await.expect(201).data()["id"]
        .as_i64()
        .unwrap();
    let r = app
        .send(app.request_as(&light, Method::DELETE, &app.org_path(&format!("/folders-objects/{o}"))))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(app.get(&folder_path(app, &f)).await.expect(200).data()["total"], 2);
}
