//! The rate limit (spec §1.10) with a tiny configured limit.

use reqwest::Method;
use serde_json::json;

use crate::support::{Backend, TestApp};

async fn rate_limit_counts_down_and_refuses_without_effect(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.rate_limit = 5).await;
    let path = app.org_path("/users/invite");
    let mut remaining = Vec::new();
    for i in 0..4 {
        let r = app.get(&app.org_path("/me")).await;
        assert_eq!(r.header("x-ratelimit-limit"), Some("5"), "request {i}");
        remaining.push(r.header("x-ratelimit-remaining").unwrap_or("").to_string());
    }
    assert_eq!(remaining, ["4", "3", "2", "1"]);
    // Failures count too: an unknown organization is the fifth request.
    let r = app.get("/organizations/nope/me").await.expect(404);
    assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
    // Over the limit: 429 with the envelope and Retry-After, and the write is not applied.
    let body = json!({"email": "late@example.com", "first_name": "L", "last_name": "R", "role": "light"});
    let r = app.json(Method::POST, &path, body).await.expect(429);
    assert_eq!(r.body["code"], "RATE_LIMIT_EXCEEDED");
    assert_eq!(
        r.body["message"],
        "You've reached the limit of 5 requests per minute. Please try again later."
    );
    let retry: u64 = r
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
    let found = app
        .store()
        .find_member("acme", "late@example.com")
        .await
        .expect("store");
    assert!(found.is_none(), "a refused request changes nothing");
    // Another token has its own budget; health checks are never limited.
    let (_, other) = app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let r = app
        .send(app.request_as(&other, Method::GET, &app.org_path("/me")))
        .await
        .expect(200);
    assert_eq!(r.header("x-ratelimit-remaining"), Some("4"));
    for _ in 0..10 {
        app.send(app.bare(Method::GET, "/health")).await.expect(200);
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_counts_down_and_refuses_without_effect_sqlite() {
    rate_limit_counts_down_and_refuses_without_effect(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_counts_down_and_refuses_without_effect_postgres() {
    if Backend::postgres_available("rate_limit_counts_down_and_refuses_without_effect") {
        rate_limit_counts_down_and_refuses_without_effect(Backend::Postgres).await;
    }
}
