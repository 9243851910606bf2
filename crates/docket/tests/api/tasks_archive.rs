//! Standalone task removal: T5 archive, T6 permanent delete, T7 restore, and the refusals for
//! tasks that belong to a run.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::fixtures::count_rows;

const IN_RUN: &str =
    "This task belongs to a process. Tasks in a process can only be removed by archiving or deleting the process.";

/// 1002 standard, 1005 light, 1006 light; returns their tokens.
async fn seed(app: &TestApp) -> (String, String, String) {
    let (_, sam) = app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let (_, ann) = app.add_member("acme", 1005, "ann@acme.test", "light").await;
    let (_, lou) = app.add_member("acme", 1006, "lou@acme.test", "light").await;
    (sam, ann, lou)
}

async fn standalone(app: &TestApp, body: Value) -> String {
    let r = app
        .json(Method::POST, "/organizations/acme/tasks", body)
        .await
        .expect(201);
    r.data()["id"].as_str().expect("task id").to_string()
}

fn task_path(id: &str) -> String {
    format!("/organizations/acme/tasks/{id}")
}

on_both!(an_archived_task_is_gone_until_restored);
async fn an_archived_task_is_gone_until_restored(app: &TestApp) {
    let id = standalone(
        app,
        json!({"title": "Tidy up", "summary": "Desk", "owners": {"users": [1001]}}),
    )
    .await;
    let path = task_path(&id);
    let created = app.get(&path).await.expect(200);

    // delete_standalone_task: DELETE with the JSON Content-Type and no body → 204, empty.
    let r = app
        .send(
            app.request(Method::DELETE, &format!("/api{path}"))
                .header("Content-Type", "application/json"),
        )
        .await
        .expect(204);
    assert!(r.text.is_empty(), "{}", r.text);
    app.get(&path).await.expect(404);
    app.call(Method::DELETE, &path).await.expect(404);
    app.json(Method::POST, &format!("{path}/comment"), json!({"content": "Hello?"}))
        .await
        .expect(404);
    assert_eq!(
        count_rows(
            app,
            "SELECT COUNT(*) FROM tasks WHERE id = $1 AND archived_at IS NOT NULL",
            &id
        )
        .await,
        1
    );

    // Restore: 200 with the task in item form.
    let r = app.call(Method::PUT, &format!("{path}/restore")).await.expect(200);
    let d = r.data();
    assert_eq!(
        (d["id"].as_str(), d["archived_at"].clone(), d["summary"].as_str()),
        (Some(id.as_str()), Value::Null, Some("Desk"))
    );
    assert_eq!(
        (d["title"].as_str(), d["owners"]["users"].clone(), d["status"].as_str()),
        (Some("Tidy up"), json!([1001]), Some("not-started"))
    );
    assert_eq!(d["created_at"], created.data()["created_at"]);
    let r = app.get(&path).await.expect(200);
    assert_eq!(
        (r.data()["archived_at"].clone(), r.data()["is_completable"].as_bool()),
        (Value::Null, Some(true))
    );
    // Restoring a task that is not archived returns it unchanged.
    let before = app.get(&path).await.expect(200);
    let r = app
        .json(Method::PUT, &format!("{path}/restore"), json!({}))
        .await
        .expect(200);
    assert_eq!(r.data()["last_updated"], before.data()["last_updated"]);
    // It can be archived again.
    app.call(Method::DELETE, &path).await.expect(204);
    app.get(&path).await.expect(404);
    app.call(Method::PUT, &format!("{path}/restore")).await.expect(200);
    app.call(
        Method::PUT,
        "/organizations/acme/tasks/0123456789abcdef0123456789abcdef/restore",
    )
    .await
    .expect(404);
}

on_both!(permanent_delete_removes_the_task_and_everything_attached);
async fn permanent_delete_removes_the_task_and_everything_attached(app: &TestApp) {
    let (sam, _, _) = seed(app).await;
    let form = json!([{"label": "Notes", "field_type": "text", "required": false}, {"label": "Ok", "field_type": "checkbox", "required": true}]);
    let id = standalone(app, json!({"title": "Doomed", "owners": {"users": [1002], "guests": ["g@partner.example"]}, "form_fields": form, "tags": ["cleanup"], "everyone_must_complete": true})).await;
    let other = standalone(app, json!({"title": "Kept", "tags": ["cleanup"]})).await;
    let path = task_path(&id);
    app.json(Method::POST, &format!("{path}/comment"), json!({"content": "First"}))
        .await
        .expect(201);
    app.json(Method::POST, &format!("{path}/problem"), json!({"content": "Broken"}))
        .await
        .expect(201);
    for (table, n) in [("captures", 2), ("threads", 2), ("task_users", 1), ("task_guests", 1)] {
        assert_eq!(
            count_rows(app, &format!("SELECT COUNT(*) FROM {table} WHERE task_id = $1"), &id).await,
            n,
            "{table}"
        );
    }
    assert_eq!(
        count_rows(app, "SELECT COUNT(*) FROM tag_links WHERE subject_id = $1", &id).await,
        1
    );

    // Admins only; standard members are refused even as assignees.
    let r = app
        .send(app.request_as(&sam, Method::DELETE, &format!("{path}/delete")))
        .await
        .expect(403);
    assert_eq!(r.body["code"], "FORBIDDEN");
    app.get(&path).await.expect(200);
    let r = app
        .call(Method::DELETE, &format!("/api{path}/delete"))
        .await
        .expect(204);
    assert!(r.text.is_empty());
    app.get(&path).await.expect(404);
    app.call(Method::PUT, &format!("{path}/restore")).await.expect(404);
    app.call(Method::DELETE, &format!("{path}/delete")).await.expect(404);
    for table in [
        "captures",
        "threads",
        "task_users",
        "task_guests",
        "task_groups",
        "task_completions",
    ] {
        assert_eq!(
            count_rows(app, &format!("SELECT COUNT(*) FROM {table} WHERE task_id = $1"), &id).await,
            0,
            "{table}"
        );
    }
    assert_eq!(
        count_rows(app, "SELECT COUNT(*) FROM tag_links WHERE subject_id = $1", &id).await,
        0
    );
    assert_eq!(
        count_rows(app, "SELECT COUNT(*) FROM tasks WHERE id = $1", &id).await,
        0
    );
    // The guest, the tag and the other task stay.
    app.get("/organizations/acme/guests/g%40partner.example")
        .await
        .expect(200);
    let r = app.get(&format!("{}?with=tags", task_path(&other))).await.expect(200);
    assert_eq!(r.data()["tags"]["data"][0]["title"], "cleanup");

    // An archived standalone task can be deleted too.
    let archived = standalone(app, json!({"title": "Old"})).await;
    app.call(Method::DELETE, &task_path(&archived)).await.expect(204);
    app.call(Method::DELETE, &format!("{}/delete", task_path(&archived)))
        .await
        .expect(204);
    app.call(Method::PUT, &format!("{}/restore", task_path(&archived)))
        .await
        .expect(404);
    assert_eq!(
        count_rows(app, "SELECT COUNT(*) FROM tasks WHERE id = $1", &archived).await,
        0
    );
    // Increment ids are not reused.
    let r = app
        .json(Method::POST, "/organizations/acme/tasks", json!({"title": "Next"}))
        .await
        .expect(201);
    assert_eq!(r.data()["increment_id"], 4);
}

on_both!(tasks_of_a_run_are_removed_only_with_their_run);
async fn tasks_of_a_run_are_removed_only_with_their_run(app: &TestApp) {
    seed(app).await;
    let r = app
        .json(
            Method::POST,
            "/organizations/acme/tasks",
            json!({"title": "Each", "separate_task_for_each_assignee": true, "owners": {"users": [1002, 1005]}}),
        )
        .await
        .expect(201);
    let (task, run_id) = (
        r.data()["id"].as_str().expect("task").to_string(),
        r.data()["run_id"].as_str().expect("run").to_string(),
    );
    let path = task_path(&task);
    assert_eq!(app.call(Method::DELETE, &path).await.expect_invalid("task"), IN_RUN);
    assert_eq!(
        app.call(Method::DELETE, &format!("{path}/delete"))
            .await
            .expect_invalid("task"),
        IN_RUN
    );
    let msg = app
        .call(Method::PUT, &format!("{path}/restore"))
        .await
        .expect_invalid("task");
    assert!(msg.starts_with("This task belongs to a process."), "{msg}");
    let r = app.get(&path).await.expect(200);
    assert_eq!(
        (r.data()["archived_at"].clone(), r.data()["run_id"].as_str()),
        (Value::Null, Some(run_id.as_str()))
    );
    let r = app.get(&format!("/organizations/acme/runs/{run_id}")).await.expect(200);
    assert_eq!(
        (r.data()["progress"]["total"].as_i64(), r.data()["status"].as_str()),
        (Some(2), Some("active"))
    );

    // Also once the run is archived: the task stays readable and its run decides.
    app.call(Method::DELETE, &format!("/organizations/acme/runs/{run_id}"))
        .await
        .expect(200);
    app.call(Method::DELETE, &path).await.expect_invalid("task");
    app.call(Method::DELETE, &format!("{path}/delete"))
        .await
        .expect_invalid("task");
    app.call(Method::PUT, &format!("{path}/restore"))
        .await
        .expect_invalid("task");
    let r = app.get(&path).await.expect(200);
    assert!(r.data()["archived_at"].is_string());
    assert_eq!(r.data()["run_status"], "archived");
}

on_both!(archiving_and_restoring_follow_the_role_matrix);
async fn archiving_and_restoring_follow_the_role_matrix(app: &TestApp) {
    let (sam, ann, lou) = seed(app).await;
    let g = app
        .json(
            Method::POST,
            "/organizations/acme/groups",
            json!({"name": "Crew", "members": [1006]}),
        )
        .await
        .expect(201);
    let gid = g.data()["id"].as_str().expect("group").to_string();
    let ann_task = standalone(app, json!({"title": "Ann's", "owners": {"users": [1005]}})).await;
    let crew_task = standalone(app, json!({"title": "Crew's", "owners": {"groups": [gid]}})).await;
    let nobodys = standalone(app, json!({"title": "Nobody's"})).await;

    // A light member not assigned: 403 (archive, restore); permission comes before the state rule.
    app.send(app.request_as(&lou, Method::DELETE, &task_path(&ann_task)))
        .await
        .expect(403);
    app.send(app.request_as(&ann, Method::DELETE, &task_path(&nobodys)))
        .await
        .expect(403);
    app.get(&task_path(&ann_task)).await.expect(200);
    // Assigned light members, directly or through a group.
    app.send(app.request_as(&ann, Method::DELETE, &task_path(&ann_task)))
        .await
        .expect(204);
    app.send(app.request_as(&lou, Method::DELETE, &task_path(&crew_task)))
        .await
        .expect(204);
    app.send(app.request_as(&lou, Method::PUT, &format!("{}/restore", task_path(&ann_task))))
        .await
        .expect(403);
    let r = app
        .send(app.request_as(&ann, Method::PUT, &format!("{}/restore", task_path(&ann_task))))
        .await
        .expect(200);
    assert_eq!(r.data()["archived_at"], Value::Null);
    // Standard members archive and restore any task.
    app.send(app.request_as(&sam, Method::DELETE, &task_path(&nobodys)))
        .await
        .expect(204);
    app.send(app.request_as(&sam, Method::PUT, &format!("{}/restore", task_path(&nobodys))))
        .await
        .expect(200);
    app.send(app.request_as(&sam, Method::PUT, &format!("{}/restore", task_path(&crew_task))))
        .await
        .expect(200);
    for id in [&ann_task, &crew_task, &nobodys] {
        assert_eq!(
            app.get(&task_path(id)).await.expect(200).data()["archived_at"],
            Value::Null
        );
    }
    // Light members never delete permanently.
    app.send(app.request_as(&ann, Method::DELETE, &format!("{}/delete", task_path(&ann_task))))
        .await
        .expect(403);

    // A top-secret task is invisible to members who are neither admins nor assignees.
    let secret = standalone(
        app,
        json!({"title": "Secret", "top_secret": true, "owners": {"users": [1005]}}),
    )
    .await;
    for (method, suffix) in [
        (Method::DELETE, ""),
        (Method::DELETE, "/delete"),
        (Method::PUT, "/restore"),
    ] {
        app.send(app.request_as(&sam, method, &format!("{}{suffix}", task_path(&secret))))
            .await
            .expect(404);
    }
    app.send(app.request_as(&ann, Method::DELETE, &task_path(&secret)))
        .await
        .expect(204);
    app.send(app.request_as(&sam, Method::PUT, &format!("{}/restore", task_path(&secret))))
        .await
        .expect(404);
    let r = app
        .send(app.request_as(&ann, Method::PUT, &format!("{}/restore", task_path(&secret))))
        .await
        .expect(200);
    assert_eq!(r.data()["top_secret"], true);
}

on_both!(another_organizations_tasks_are_not_found);
async fn another_organizations_tasks_are_not_found(app: &TestApp) {
    let beta = app.add_org("beta", 2001).await;
    let r = app
        .send(
            app.request_as(&beta, Method::POST, "/organizations/beta/tasks")
                .json(&json!({"title": "Theirs"})),
        )
        .await
        .expect(201);
    let theirs = r.data()["id"].as_str().expect("task").to_string();
    for (method, suffix) in [
        (Method::DELETE, ""),
        (Method::DELETE, "/delete"),
        (Method::PUT, "/restore"),
    ] {
        let r = app.call(method, &format!("{}{suffix}", task_path(&theirs))).await;
        assert_eq!(
            (r.status, r.body["code"].as_str()),
            (404, Some("RESOURCE_NOT_FOUND")),
            "{}",
            r.text
        );
    }
    let r = app
        .send(app.request_as(&beta, Method::GET, &format!("/organizations/beta/tasks/{theirs}")))
        .await
        .expect(200);
    assert_eq!(r.data()["archived_at"], Value::Null);
    // A non-member is refused at the organization.
    let mine = standalone(app, json!({"title": "Mine"})).await;
    app.send(app.request_as(&beta, Method::DELETE, &task_path(&mine)))
        .await
        .expect(403);
    app.send(app.request_as(&beta, Method::DELETE, &format!("{}/delete", task_path(&mine))))
        .await
        .expect(403);
    app.get(&task_path(&mine)).await.expect(200);
}
