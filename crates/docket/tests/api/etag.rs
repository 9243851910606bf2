//! `ETag` on reads and `If-Match` on writes: no lost updates.

use reqwest::Method;
use serde_json::json;

use crate::support::TestApp;

on_both!(a_stale_if_match_is_refused_and_changes_nothing);
async fn a_stale_if_match_is_refused_and_changes_nothing(app: &TestApp) {
    let r = app
        .json(Method::POST, "/organizations/acme/tasks", json!({"title": "Versioned"}))
        .await
        .expect(201);
    let id = r.data()["id"].as_str().expect("id").to_string();
    let path = format!("/organizations/acme/tasks/{id}");
    let first = app.get(&path).await.expect(200);
    let etag = first.header("etag").expect("ETag on GET").to_string();
    assert_eq!(
        app.get(&path).await.header("etag"),
        Some(etag.as_str()),
        "unchanged task, same ETag"
    );

    let put = |title: &str, tag: &str| {
        app.send(
            app.request(Method::PUT, &path)
                .header("If-Match", tag)
                .json(&json!({"title": title})),
        )
    };
    put("First edit", &etag).await.expect(200);
    let fresh = app.get(&path).await.header("etag").expect("etag").to_string();
    assert_ne!(fresh, etag, "every change moves the ETag");
    let r = put("Lost update", &etag).await.expect(412);
    assert_eq!(r.body["code"], "PRECONDITION_FAILED");
    assert_eq!(
        app.get(&path).await.data()["title"],
        "First edit",
        "the refused write changed nothing"
    );
    // A tag of another resource never matches; `*` always does; no header keeps the old behaviour.
    put("Other", "\"0123-1\"").await.expect(412);
    put("Star", "*").await.expect(200);
    app.json(Method::PUT, &path, json!({"title": "No header"}))
        .await
        .expect(200);
    // Completion routes check it too.
    let stale = fresh;
    let r = app
        .send(
            app.request(Method::POST, "/organizations/acme/completed-tasks")
                .header("If-Match", &stale)
                .json(&json!({"task_id": id})),
        )
        .await;
    assert_eq!(r.status, 412);
    let now = app.get(&path).await.header("etag").expect("etag").to_string();
    app.send(
        app.request(Method::POST, "/organizations/acme/completed-tasks")
            .header("If-Match", &now)
            .json(&json!({"task_id": id})),
    )
    .await
    .expect(200);
}

on_both!(concurrent_puts_with_one_if_match_let_exactly_one_win);
async fn concurrent_puts_with_one_if_match_let_exactly_one_win(app: &TestApp) {
    let r = app
        .json(Method::POST, "/organizations/acme/tasks", json!({"title": "Contended"}))
        .await
        .expect(201);
    let id = r.data()["id"].as_str().expect("id").to_string();
    let path = format!("/organizations/acme/tasks/{id}");
    let etag = app.get(&path).await.header("etag").expect("etag").to_string();
    let mut set = tokio::task::JoinSet::new();
    for i in 0..8 {
        let rb = app
            .request(Method::PUT, &path)
            .header("If-Match", &etag)
            .json(&json!({"title": format!("Writer {i}")}));
        set.spawn(async move { rb.send().await.expect("sent").status().as_u16() });
    }
    let mut statuses = Vec::new();
    while let Some(s) = set.join_next().await {
        statuses.push(s.expect("task"));
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412, 412, 412, 412, 412, 412, 412]);
}

on_both!(run_updates_honour_if_match);
async fn run_updates_honour_if_match(app: &TestApp) {
    let r = app
        .json(
            Method::POST,
            "/organizations/acme/tasks",
            json!({"title": "Run", "separate_task_for_each_assignee": true, "owners": {"users": [1001]}}),
        )
        .await
        .expect(201);
    let path = format!("/organizations/acme/runs/{}", r.data()["run_id"].as_str().expect("run"));
    let etag = app.get(&path).await.header("etag").expect("ETag on a run").to_string();
    app.send(
        app.request(Method::PUT, &path)
            .header("If-Match", &etag)
            .json(&json!({"name": "Renamed"})),
    )
    .await
    .expect(200);
    let r = app
        .send(
            app.request(Method::PUT, &path)
                .header("If-Match", &etag)
                .json(&json!({"name": "Stale"})),
        )
        .await;
    assert_eq!(r.status, 412);
    assert_eq!(app.get(&path).await.data()["name"], "Renamed");
}
