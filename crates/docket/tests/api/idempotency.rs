//! `Idempotency-Key` on POST: replay, mismatch, races, per-token scope.

use reqwest::Method;
use serde_json::json;

use crate::support::TestApp;

on_both!(a_repeated_key_replays_the_first_response_without_doing_the_work_again);
async fn a_repeated_key_replays_the_first_response_without_doing_the_work_again(app: &TestApp) {
    let send = |body: serde_json::Value, key: &str| {
        app.send(
            app.request(Method::POST, "/organizations/acme/tasks")
                .header("Idempotency-Key", key)
                .json(&body),
        )
    };
    let first = send(json!({"title": "Once"}), "key-1").await.expect(201);
    assert!(first.header("idempotent-replayed").is_none());
    let again = send(json!({"title": "Once"}), "key-1").await.expect(201);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, first.body, "the stored body is replayed");
    let next = app
        .json(Method::POST, "/organizations/acme/tasks", json!({"title": "Next"}))
        .await
        .expect(201);
    assert_eq!(next.data()["increment_id"], 2, "the replay created nothing");

    // Same key, different request: 422 naming the key; nothing created.
    let r = send(json!({"title": "Other"}), "key-1").await;
    assert_eq!(
        r.expect_invalid("idempotency_key"),
        "The idempotency key has already been used with a different request."
    );
    let long = "k".repeat(256);
    send(json!({"title": "Long"}), &long)
        .await
        .expect_invalid("idempotency_key");
    // A first response that was a refusal is replayed too.
    let refused = send(json!({}), "key-2").await.expect(422);
    let replayed = send(json!({}), "key-2").await.expect(422);
    assert_eq!(
        (replayed.body.clone(), replayed.header("idempotent-replayed")),
        (refused.body.clone(), Some("true"))
    );
    // Keys belong to a token.
    let (_, other) = app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let r = app
        .send(
            app.request_as(&other, Method::POST, "/organizations/acme/tasks")
                .header("Idempotency-Key", "key-1")
                .json(&json!({"title": "Once"})),
        )
        .await
        .expect(201);
    assert!(r.header("idempotent-replayed").is_none());
    assert_eq!(r.data()["increment_id"], 3);
}

on_both!(racing_duplicates_with_one_key_create_one_task);
async fn racing_duplicates_with_one_key_create_one_task(app: &TestApp) {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let rb = app
            .request(Method::POST, "/organizations/acme/tasks")
            .header("Idempotency-Key", "race")
            .json(&json!({"title": "Raced", "owners": {"users": [1001]}}));
        set.spawn(async move {
            let r = rb.send().await.expect("sent");
            let replayed = r.headers().get("idempotent-replayed").is_some();
            (
                r.status().as_u16(),
                replayed,
                r.json::<serde_json::Value>().await.expect("json"),
            )
        });
    }
    let mut ids = Vec::new();
    let mut originals = 0;
    while let Some(done) = set.join_next().await {
        let (status, replayed, body) = done.expect("task");
        assert_eq!(status, 201, "{body}");
        originals += usize::from(!replayed);
        ids.push(body["data"]["id"].as_str().expect("id").to_string());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every response names the same task");
    assert_eq!(originals, 1, "exactly one request did the work");
    let r = app
        .json(Method::POST, "/organizations/acme/tasks", json!({"title": "After"}))
        .await
        .expect(201);
    assert_eq!(r.data()["increment_id"], 2, "exactly one task was created");
}
