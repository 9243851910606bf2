//! Fair share: one token flooding an expensive list is answered 429 with `Retry-After` once its
//! queue is full, while another token's requests keep succeeding.

use reqwest::Method;
use serde_json::json;

use crate::support::TestApp;

on_both!(a_flooding_token_gets_429_and_another_is_still_served, |c| {
    c.fair_share_per_token = 1;
    c.fair_share_queue = 1;
    c.fair_share_global = 4;
    c.rate_limit = 0;
    c.cache_ms = 0;
});
async fn a_flooding_token_gets_429_and_another_is_still_served(app: &TestApp) {
    let (_, other) = app.add_member("acme", 1002, "sam@acme.test", "admin").await;
    for i in 0..60 {
        app.json(
            Method::POST,
            "/organizations/acme/tasks",
            json!({"title": format!("Task {i}"), "summary": "s".repeat(400)}),
        )
        .await
        .expect(201);
    }
    // The flood: 40 concurrent pages of 100 tasks sorted by title, each on its own connection.
    let path = "/organizations/acme/tasks?per_page=100&sort=title";
    let mut flood = Vec::new();
    for _ in 0..40 {
        let rb = reqwest::Client::new()
            .get(format!("{}{path}", app.base))
            .bearer_auth(&app.token)
            .header("X-Tallyfy-Client", "t");
        flood.push(tokio::spawn(async move { rb.send().await.expect("answered") }));
    }
    // Meanwhile the other token's lists are served.
    for _ in 0..5 {
        let r = app.send(app.request_as(&other, Method::GET, path)).await.expect(200);
        assert_eq!(r.body["meta"]["pagination"]["total"], 60);
    }
    let (mut ok, mut refused) = (0, 0);
    for h in flood {
        let r = h.await.expect("flood request");
        match r.status().as_u16() {
            200 => ok += 1,
            429 => {
                refused += 1;
                assert_eq!(r.headers()["retry-after"], "1");
                let v: serde_json::Value = r.json().await.expect("envelope");
                assert_eq!(v["code"], "RATE_LIMIT_EXCEEDED", "{v}");
                assert_eq!(v["error"], true);
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(ok >= 1 && refused >= 1, "{ok} served, {refused} refused");
    // Single reads and writes are not bounded: the flooding token's task reads still pass.
    app.get("/organizations/acme/me").await.expect(200);
}
