//! R4 archive, R5 activate and R6 permanent delete.

use super::*;

on_both!(archiving_a_run_archives_its_tasks_and_activating_gives_everything_back);
async fn archiving_a_run_archives_its_tasks_and_activating_gives_everything_back(app: &TestApp) {
    seed(app).await;
    let (run_id, ids) = fan_out(app, "Audit", &[1002, 1005], json!({})).await;
    let path = format!("/organizations/acme/runs/{run_id}");
    // A problem on one task: the run's status is `problem`.
    app.json(
        Method::POST,
        &format!("/organizations/acme/tasks/{}/problem", ids[0]),
        json!({"content": "Blocked"}),
    )
    .await
    .expect(201);
    assert_eq!(app.get(&path).await.expect(200).data()["status"], "problem");

    // archive_process: DELETE without a body.
    let r = app.call(Method::DELETE, &path).await.expect(200);
    let archived_at = r.data()["archived_at"].as_str().expect("archived_at").to_string();
    assert_eq!(
        (r.data()["status"].as_str(), r.data()["id"].as_str()),
        (Some("archived"), Some(run_id.as_str()))
    );
    let r = app.get(&format!("{path}?with=tasks")).await.expect(200);
    assert_eq!(r.data()["status"], "archived");
    for t in r.data()["tasks"]["data"].as_array().expect("tasks") {
        assert_eq!(
            (t["archived_at"].as_str(), t["run_status"].as_str()),
            (Some(archived_at.as_str()), Some("archived"))
        );
        assert_eq!(t["is_completable"], false);
    }
    // The tasks stay readable on both task routes.
    for id in &ids {
        let t = app.get(&format!("/organizations/acme/tasks/{id}")).await.expect(200);
        assert_eq!(
            (t.data()["archived_at"].as_str(), t.data()["run_status"].as_str()),
            (Some(archived_at.as_str()), Some("archived"))
        );
        app.get(&format!("{path}/tasks/{id}")).await.expect(200);
    }
    // Writes to the run are refused; archiving again changes nothing.
    let r = app.json(Method::PUT, &path, json!({"name": "Renamed"})).await;
    assert_eq!(r.expect_invalid("run"), "The process is archived.");
    assert_eq!(
        app.json(Method::PUT, &path, json!({})).await.expect(200).data()["name"],
        "Audit"
    );
    app.call(Method::POST, &format!("{path}/complete-prerun"))
        .await
        .expect_invalid("run");
    let r = app.call(Method::DELETE, &path).await.expect(200);
    assert_eq!(
        (r.data()["archived_at"].as_str(), r.data()["status"].as_str()),
        (Some(archived_at.as_str()), Some("archived"))
    );
    app.json(
        Method::POST,
        "/organizations/acme/tasks",
        json!({"title": "Late", "run_id": run_id}),
    )
    .await
    .expect_invalid("run_id");
    // Archived tasks drop out of nothing here: R7 still lists them.
    assert_eq!(
        app.get(&format!("{path}/tasks")).await.expect(200).body["meta"]["pagination"]["total"],
        2
    );

    // reactivate_process: PUT with no body but the JSON Content-Type.
    let r = app
        .send(
            app.request(Method::PUT, &format!("/api{path}/activate"))
                .header("Content-Type", "application/json"),
        )
        .await
        .expect(200);
    assert_eq!(
        (r.data()["status"].as_str(), r.data()["archived_at"].clone()),
        (Some("problem"), Value::Null)
    );
    let r = app.get(&format!("{path}?with=tasks")).await.expect(200);
    for t in r.data()["tasks"]["data"].as_array().expect("tasks") {
        assert_eq!(
            (t["archived_at"].clone(), t["run_status"].as_str()),
            (Value::Null, Some("problem"))
        );
    }
    let t = app
        .get(&format!("/organizations/acme/tasks/{}", ids[1]))
        .await
        .expect(200);
    assert_eq!(
        (t.data()["archived_at"].clone(), t.data()["is_completable"].as_bool()),
        (Value::Null, Some(true))
    );
    // Activating an active run is a no-op; writes work again.
    let before = app.get(&path).await.expect(200);
    let r = app.call(Method::PUT, &format!("{path}/activate")).await.expect(200);
    assert_eq!(r.data()["last_updated"], before.data()["last_updated"]);
    app.json(Method::PUT, &path, json!({"name": "Audit 2"}))
        .await
        .expect(200);
    app.json(
        Method::POST,
        "/organizations/acme/tasks",
        json!({"title": "Late", "run_id": run_id}),
    )
    .await
    .expect(201);
}

on_both!(permanent_delete_needs_an_archived_run_and_removes_everything);
async fn permanent_delete_needs_an_archived_run_and_removes_everything(app: &TestApp) {
    let (sam, _, _) = seed(app).await;
    let form = json!([{"label": "Amount", "field_type": "number", "required": false}]);
    let (run_id, ids) = fan_out(
        app,
        "Doomed",
        &[1002, 1005],
        json!({"form_fields": form, "tags": ["finance"]}),
    )
    .await;
    let (keep_id, keep_tasks) = fan_out(app, "Kept", &[1002], json!({"tags": ["finance"]})).await;
    let path = format!("/organizations/acme/runs/{run_id}");
    let tag = app.get("/organizations/acme/tags").await.expect(200).data()[0]["id"]
        .as_str()
        .expect("tag")
        .to_string();
    app.json(
        Method::POST,
        "/organizations/acme/checklists/tags",
        json!({"tag_id": tag, "tag_type": "private", "subject_type": "Run", "subject_id": run_id}),
    )
    .await
    .expect(201);
    app.json(
        Method::POST,
        &format!("/organizations/acme/tasks/{}/comment", ids[0]),
        json!({"content": "Note"}),
    )
    .await
    .expect(201);
    let task_links = "SELECT COUNT(*) FROM tag_links WHERE subject_type = 'Task' AND subject_id IN (SELECT id FROM tasks WHERE run_id = $1)";
    assert_eq!(count_rows(app, task_links, &run_id).await, 2);
    assert_eq!(
        count_rows(app, "SELECT COUNT(*) FROM tag_links WHERE subject_id = $1", &run_id).await,
        1
    );
    assert_eq!(
        count_rows(app, "SELECT COUNT(*) FROM threads WHERE task_id = $1", &ids[0]).await,
        1
    );
    assert_eq!(
        count_rows(
            app,
            "SELECT COUNT(*) FROM captures c JOIN tasks t ON t.id = c.task_id WHERE t.run_id = $1",
            &run_id
        )
        .await,
        2
    );

    // The run must be archived first; only admins delete.
    let r = app.call(Method::DELETE, &format!("{path}/delete")).await;
    assert_eq!(r.expect_invalid("run"), "Archive the process before deleting it.");
    app.get(&path).await.expect(200);
    app.call(Method::DELETE, &path).await.expect(200);
    app.send(app.request_as(&sam, Method::DELETE, &format!("{path}/delete")))
        .await
        .expect(403);
    let r = app
        .call(Method::DELETE, &format!("/api{path}/delete"))
        .await
        .expect(204);
    assert!(r.text.is_empty(), "204 has no body: {}", r.text);

    app.get(&path).await.expect(404);
    app.get(&format!("{path}/tasks")).await.expect(404);
    app.call(Method::PUT, &format!("{path}/activate")).await.expect(404);
    app.call(Method::DELETE, &format!("{path}/delete")).await.expect(404);
    for id in &ids {
        app.get(&format!("/organizations/acme/tasks/{id}")).await.expect(404);
        for table in [
            "captures",
            "threads",
            "task_users",
            "task_guests",
            "task_groups",
            "task_completions",
        ] {
            assert_eq!(
                count_rows(app, &format!("SELECT COUNT(*) FROM {table} WHERE task_id = $1"), id).await,
                0,
                "{table}"
            );
        }
        assert_eq!(
            count_rows(app, "SELECT COUNT(*) FROM tag_links WHERE subject_id = $1", id).await,
            0
        );
    }
    assert_eq!(
        count_rows(app, "SELECT COUNT(*) FROM tasks WHERE run_id = $1", &run_id).await,
        0
    );
    assert_eq!(
        count_rows(app, "SELECT COUNT(*) FROM tag_links WHERE subject_id = $1", &run_id).await,
        0
    );
    assert_eq!(
        count_rows(app, "SELECT COUNT(*) FROM runs WHERE id = $1", &run_id).await,
        0
    );

    // The tag itself and the other run are untouched.
    app.get(&format!("/organizations/acme/tags/{tag}")).await.expect(200);
    let r = app
        .get(&format!("/organizations/acme/runs/{keep_id}?with=tasks,tags"))
        .await
        .expect(200);
    assert_eq!(task_ids(&r.data()["tasks"]), keep_tasks);
    let t = app
        .get(&format!("/organizations/acme/tasks/{}?with=tags", keep_tasks[0]))
        .await
        .expect(200);
    assert_eq!(t.data()["tags"]["data"][0]["tag_id"], tag.as_str());
    // Numbers are never reused.
    let r = app
        .json(
            Method::POST,
            "/organizations/acme/tasks",
            json!({"title": "Next", "separate_task_for_each_assignee": true, "owners": {"users": [1002]}}),
        )
        .await
        .expect(201);
    assert_eq!(r.data()["run"]["increment_id"], 3);
}
