//! Every write that answers a task or a run sends its `ETag`: the one the next `GET` would
//! send, so a client can chain writes with `If-Match` without reading in between.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Resp, TestApp};

/// The response's `ETag`, checked against a fresh `GET` of `path`.
async fn etag_as_get(app: &TestApp, r: &Resp, path: &str, what: &str) -> String {
    let tag = r
        .header("etag")
        .unwrap_or_else(|| panic!("{what}: no ETag; {}", r.text))
        .to_string();
    let read = app.get(path).await.expect(200);
    assert_eq!(
        read.header("etag"),
        Some(tag.as_str()),
        "{what}: the ETag is the one a GET sends"
    );
    tag
}

/// A write sent with `If-Match: tag`, expected to answer 200 or 201.
async fn write(app: &TestApp, method: Method, path: &str, tag: &str, body: Option<Value>) -> Resp {
    let mut rb = app.request(method, path).header("If-Match", tag);
    if let Some(body) = body {
        rb = rb.json(&body);
    }
    let r = app.send(rb).await;
    assert!(r.status == 200 || r.status == 201, "{path}: {} {}", r.status, r.text);
    r
}

on_both!(writes_answering_a_task_send_its_etag);
async fn writes_answering_a_task_send_its_etag(app: &TestApp) {
    let r = app
        .json(Method::POST, &app.org_path("/tasks"), json!({"title": "Chained"}))
        .await
        .expect(201);
    let id = r.data()["id"].as_str().expect("id").to_string();
    let path = app.org_path(&format!("/tasks/{id}"));
    let mut tag = etag_as_get(app, &r, &path, "create").await;

    let r = write(app, Method::PUT, &path, &tag, Some(json!({"title": "Renamed"}))).await;
    tag = etag_as_get(app, &r, &path, "PUT task").await;
    let r = write(
        app,
        Method::POST,
        &app.org_path("/completed-tasks"),
        &tag,
        Some(json!({"task_id": id})),
    )
    .await;
    tag = etag_as_get(app, &r, &path, "complete").await;
    let r = write(
        app,
        Method::DELETE,
        &app.org_path(&format!("/completed-tasks/{id}")),
        &tag,
        None,
    )
    .await;
    tag = etag_as_get(app, &r, &path, "reopen").await;
    app.send(app.request(Method::DELETE, &path).header("If-Match", &tag))
        .await
        .expect(204);
    let r = write(app, Method::PUT, &format!("{path}/restore"), "*", None).await;
    tag = etag_as_get(app, &r, &path, "restore").await;
    write(app, Method::PUT, &path, &tag, Some(json!({"title": "After restore"}))).await;

    // The same on the run routes.
    let r = app
        .json(
            Method::POST,
            &app.org_path("/tasks"),
            json!({"title": "In a run", "separate_task_for_each_assignee": true, "owners": {"users": [1001]}}),
        )
        .await
        .expect(201);
    let (task, run) = (
        r.data()["id"].as_str().expect("id").to_string(),
        r.data()["run_id"].as_str().expect("run").to_string(),
    );
    let path = app.org_path(&format!("/runs/{run}/tasks/{task}"));
    let mut tag = etag_as_get(app, &r, &path, "create in a run").await;
    let r = write(
        app,
        Method::PUT,
        &path,
        &tag,
        Some(json!({"title": "Run task renamed"})),
    )
    .await;
    tag = etag_as_get(app, &r, &path, "PUT run task").await;
    let r = write(
        app,
        Method::POST,
        &app.org_path(&format!("/runs/{run}/completed-tasks")),
        &tag,
        Some(json!({"task_id": task})),
    )
    .await;
    tag = etag_as_get(app, &r, &path, "complete run task").await;
    let r = write(
        app,
        Method::DELETE,
        &app.org_path(&format!("/runs/{run}/completed-tasks/{task}")),
        &tag,
        None,
    )
    .await;
    tag = etag_as_get(app, &r, &path, "reopen run task").await;
    write(app, Method::PUT, &path, &tag, Some(json!({"title": "Chained again"}))).await;
}

on_both!(writes_answering_a_run_send_its_etag);
async fn writes_answering_a_run_send_its_etag(app: &TestApp) {
    let r = app
        .json(
            Method::POST,
            &app.org_path("/tasks"),
            json!({"title": "Run", "separate_task_for_each_assignee": true, "owners": {"users": [1001]}}),
        )
        .await
        .expect(201);
    let path = app.org_path(&format!("/runs/{}", r.data()["run_id"].as_str().expect("run")));
    let mut tag = app
        .get(&path)
        .await
        .expect(200)
        .header("etag")
        .expect("ETag on GET")
        .to_string();
    let r = write(app, Method::PUT, &path, &tag, Some(json!({"name": "Renamed"}))).await;
    tag = etag_as_get(app, &r, &path, "PUT run").await;
    let r = write(app, Method::POST, &format!("{path}/complete-prerun"), &tag, None).await;
    tag = etag_as_get(app, &r, &path, "complete prerun").await;
    let r = write(app, Method::DELETE, &format!("{path}/complete-prerun"), &tag, None).await;
    tag = etag_as_get(app, &r, &path, "reopen prerun").await;
    let r = write(app, Method::DELETE, &path, &tag, None).await;
    tag = etag_as_get(app, &r, &path, "archive run").await;
    let r = write(app, Method::PUT, &format!("{path}/activate"), &tag, None).await;
    tag = etag_as_get(app, &r, &path, "activate run").await;
    write(app, Method::PUT, &path, &tag, Some(json!({"name": "Chained"}))).await;
}
