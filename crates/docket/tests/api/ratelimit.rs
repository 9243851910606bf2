//! The rate limit (spec §1.10) with a tiny configured limit.

use reqwest::Method;
use serde_json::json;

use crate::support::{Backend, TestApp};

on_both!(rate_limit_counts_down_and_refuses_without_effect, backend);
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

/// Tests that only PostgreSQL can run (`postgres` in their path, so they can be left out).
mod postgres {
    use super::*;

    /// The `X-RateLimit-Remaining` of one request, or 0 for a 429 (checked to be one).
    async fn remaining_after(app: &TestApp, token: &str) -> (u16, String) {
        let r = app.send(app.request_as(token, Method::GET, &app.org_path("/me"))).await;
        (r.status, r.header("x-ratelimit-remaining").unwrap_or("").to_string())
    }

    /// Two docket processes on one PostgreSQL database draw on one budget per token: 6 requests
    /// to one and 4 to the other use up a limit of 10, and the 11th is refused by either, with
    /// `Remaining` counting down exactly across both and `Retry-After` on the refusals.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_processes_on_one_postgres_share_one_budget() {
        Backend::require_postgres();
        let a = TestApp::spawn_with(Backend::Postgres, |c| c.rate_limit = 10).await;
        let b = TestApp::spawn_on(&a.store_url(), Backend::Postgres, |c| c.rate_limit = 10).await;
        let token = a.token.clone();
        let mut seen = Vec::new();
        for _ in 0..6 {
            seen.push(remaining_after(&a, &token).await);
        }
        for _ in 0..4 {
            seen.push(remaining_after(&b, &token).await);
        }
        let expected: Vec<(u16, String)> = (0..10).rev().map(|n| (200, n.to_string())).collect();
        assert_eq!(seen, expected, "one budget, counted down across both processes");
        for app in [&a, &b] {
            let body = json!({"email": "late@example.com", "first_name": "L", "last_name": "R", "role": "light"});
            let r = app
                .send(
                    app.request_as(&token, Method::POST, &app.org_path("/users/invite"))
                        .json(&body),
                )
                .await
                .expect(429);
            assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
            let retry: u64 = r
                .header("retry-after")
                .and_then(|v| v.parse().ok())
                .expect("Retry-After");
            assert!((1..=60).contains(&retry), "{retry}");
        }
        assert!(
            a.store()
                .find_member("acme", "late@example.com")
                .await
                .expect("store")
                .is_none(),
            "the refused writes changed nothing"
        );
        // The second process's own token has a budget of its own, and the refusals did not count.
        assert_eq!(remaining_after(&b, &b.token.clone()).await, (200, "9".into()));
        b.stop().await;
        a.stop().await;
    }

    /// Racing requests through two processes: exactly `limit` get through, and the `Remaining`
    /// values they see are each of limit-1 … 0 once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn racing_requests_on_two_processes_never_overspend_the_budget() {
        Backend::require_postgres();
        let a = TestApp::spawn_with(Backend::Postgres, |c| c.rate_limit = 10).await;
        let b = TestApp::spawn_on(&a.store_url(), Backend::Postgres, |c| c.rate_limit = 10).await;
        let mut set = tokio::task::JoinSet::new();
        for i in 0..24 {
            let app = if i % 2 == 0 { &a } else { &b };
            let rb = app.request_as(&a.token, Method::GET, &app.org_path("/me"));
            set.spawn(async move {
                let r = rb.send().await.expect("sent");
                let remaining = r
                    .headers()
                    .get("x-ratelimit-remaining")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                (r.status().as_u16(), remaining)
            });
        }
        let mut allowed = Vec::new();
        let mut refused = 0;
        while let Some(joined) = set.join_next().await {
            match joined.expect("task") {
                (200, Some(n)) => allowed.push(n.parse::<u32>().expect("number")),
                (429, Some(n)) if n == "0" => refused += 1,
                other => panic!("unexpected answer {other:?}"),
            }
        }
        allowed.sort_unstable();
        assert_eq!(allowed, (0..10).collect::<Vec<u32>>());
        assert_eq!(refused, 14);
        b.stop().await;
        a.stop().await;
    }

    /// `rate_limit.store = "memory"` opts out: each process then counts on its own.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_memory_store_gives_each_process_its_own_budget() {
        Backend::require_postgres();
        use docket::config::RateLimitStore;
        let a = TestApp::spawn_with(Backend::Postgres, |c| {
            c.rate_limit = 10;
            c.rate_limit_store = RateLimitStore::Memory;
        })
        .await;
        let b = TestApp::spawn_on(&a.store_url(), Backend::Postgres, |c| {
            c.rate_limit = 10;
            c.rate_limit_store = RateLimitStore::Memory;
        })
        .await;
        let token = a.token.clone();
        for _ in 0..6 {
            remaining_after(&a, &token).await;
        }
        assert_eq!(remaining_after(&a, &token).await, (200, "3".into()));
        assert_eq!(remaining_after(&b, &token).await, (200, "9".into()));
        b.stop().await;
        a.stop().await;
    }

    /// The shared log's window on PostgreSQL, at chosen instants: a rolling 60 s window (not a
    /// bucket), refusals not counted, a slot freed exactly when the oldest request is 60 s old.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_shared_window_rolls_exactly() {
        Backend::require_postgres();
        let app = TestApp::spawn(Backend::Postgres).await;
        let store = app.store();
        let t0 = 1_000_000_i64;
        let hit = |at: i64| store.rate_limit_hit("k", 3, 60_000, Some(at));
        let first = hit(t0).await.expect("hit");
        assert_eq!((first.allowed, first.used), (true, 1));
        assert_eq!(hit(t0 + 59_000).await.expect("hit").used, 2);
        assert_eq!(hit(t0 + 59_000).await.expect("hit").used, 3);
        let refused = hit(t0 + 59_500).await.expect("hit");
        assert_eq!((refused.allowed, refused.used, refused.oldest), (false, 3, t0));
        assert!(
            !hit(t0 + 59_999).await.expect("hit").allowed,
            "the refusals did not count"
        );
        let freed = hit(t0 + 60_000).await.expect("hit");
        assert_eq!(
            (freed.allowed, freed.used),
            (true, 3),
            "the t0 request has left the window"
        );
        let refused = hit(t0 + 62_000).await.expect("hit");
        assert_eq!((refused.allowed, refused.oldest), (false, t0 + 59_000));
        // Other buckets are independent.
        assert!(
            store
                .rate_limit_hit("other", 3, 60_000, Some(t0))
                .await
                .expect("hit")
                .allowed
        );
        // Pruning by the database clock drops every row of these long-gone instants, idle
        // buckets' too, so the window is empty again.
        assert_eq!(store.prune_rate_limit(60_000).await.expect("prune"), 4);
        assert_eq!(hit(t0 + 62_000).await.expect("hit").used, 1);
        app.stop().await;
    }
}
