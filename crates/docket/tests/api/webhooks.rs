//! Webhook delivery (spec §5.12) and the delivery log (§1.14): signed POSTs with a stable event
//! id, retries after failures, private targets refused, redirects not followed, nothing lost
//! across a restart, and one delivery per attempt with two dispatchers on one database.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::support::{Backend, TestApp};

/// One request the receiver saw.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    headers: HeaderMap,
    body: String,
}

#[derive(Default)]
struct ReceiverState {
    seen: Vec<Seen>,
    /// Answer 500 to this many more requests.
    fail_next: usize,
    /// Answer 500 to everything while set.
    failing: bool,
}

/// A tiny HTTP receiver on 127.0.0.1:0 that records requests. `/redirect` answers 302 to
/// `/hook`; every other path answers 200 unless told to fail.
#[derive(Clone)]
struct Receiver {
    base: String,
    state: Arc<Mutex<ReceiverState>>,
}

impl Receiver {
    async fn start() -> Receiver {
        let state = Arc::new(Mutex::new(ReceiverState::default()));
        let shared = state.clone();
        let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: String| {
            let shared = shared.clone();
            async move { answer(&shared, uri, headers, body) }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { base, state }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    fn fail_next(&self, n: usize) {
        self.state.lock().unwrap().fail_next = n;
    }

    fn set_failing(&self, failing: bool) {
        self.state.lock().unwrap().failing = failing;
    }
}

fn answer(state: &Mutex<ReceiverState>, uri: Uri, headers: HeaderMap, body: String) -> Response {
    let mut s = state.lock().unwrap();
    let path = uri.path().to_string();
    s.seen.push(Seen {
        path: path.clone(),
        headers,
        body,
    });
    if path == "/redirect" {
        return (StatusCode::FOUND, [("location", "/hook")], "").into_response();
    }
    if s.failing {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    if s.fail_next > 0 {
        s.fail_next -= 1;
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    StatusCode::OK.into_response()
}

/// A server that may deliver to 127.0.0.1, retrying after 50 ms.
async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, tune).await
}

fn tune(c: &mut docket::config::Config) {
    c.webhook_allow_private = true;
    c.webhook_retry_base_ms = 50;
}

/// Creates a standalone task with `webhook` and completes it; returns the task id.
async fn complete_with_webhook(app: &TestApp, webhook: &str, title: &str) -> String {
    let r = app
        .json(
            Method::POST,
            "/organizations/acme/tasks",
            json!({"title": title, "webhook": webhook}),
        )
        .await;
    assert!(r.status < 300, "create: {}", r.text);
    let task_id = r.data()["id"].as_str().expect("task id").to_string();
    app.json(
        Method::POST,
        "/organizations/acme/completed-tasks",
        json!({"task_id": task_id}),
    )
    .await
    .expect(200);
    task_id
}

/// Polls `check` every 25 ms for up to 10 s; panics with `what` when it never holds.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if check().await {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The log entry of the only event of `task_id`.
async fn event_of(app: &TestApp, task_id: &str) -> Value {
    let r = app
        .get(&format!("/organizations/acme/webhook-events?task_id={task_id}"))
        .await
        .expect(200);
    let items = r.data().as_array().expect("list").clone();
    assert_eq!(items.len(), 1, "{}", r.text);
    items[0].clone()
}

/// An event with its attempts.
async fn detail(app: &TestApp, event_id: &str) -> Value {
    app.get(&format!("/organizations/acme/webhook-events/{event_id}"))
        .await
        .expect(200)
        .data()
        .clone()
}

/// Checks `X-Docket-Signature` of `seen` against `secret`.
fn assert_signed(seen: &Seen, secret: &str) {
    let header = seen.headers["x-docket-signature"].to_str().expect("ascii");
    let (t, v1) = header
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
        .unwrap_or_else(|| panic!("malformed signature header {header}"));
    let t: i64 = t.parse().expect("t is unix seconds");
    let now = docket_domain::time::now_ms() / 1000;
    assert!((now - 300..=now + 5).contains(&t), "t={t} is not recent");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{t}.{}", seen.body).as_bytes());
    assert_eq!(
        v1,
        hex::encode(mac.finalize().into_bytes()),
        "signature does not verify"
    );
}

async fn secret(app: &TestApp) -> String {
    app.store()
        .webhook_secret("acme", None)
        .await
        .expect("secret")
        .expect("org")
}

on_both!(delivers_signed_and_retries_until_success, backend);
async fn delivers_signed_and_retries_until_success(backend: Backend) {
    let app = spawn(backend).await;
    let rx = Receiver::start().await;
    rx.fail_next(2);
    let task_id = complete_with_webhook(&app, &rx.url("/hook"), "Signed").await;
    eventually("delivered after two 500s", || async {
        event_of(&app, &task_id).await["status"] == "delivered"
    })
    .await;

    let event = event_of(&app, &task_id).await;
    let event_id = event["id"].as_str().expect("id").to_string();
    assert_eq!(event["attempt_count"], 3);
    assert_eq!(event["url"], rx.url("/hook"));
    assert!(event["delivered_at"].is_string());

    let seen = rx.seen();
    assert_eq!(seen.len(), 3, "two failures and one success");
    let secret = secret(&app).await;
    for s in &seen {
        assert_eq!(s.path, "/hook");
        assert_eq!(s.headers["content-type"], "application/json");
        assert_eq!(s.headers["x-tallyfy-orgid"], "acme");
        assert_eq!(s.headers["user-agent"], "docket-webhook");
        assert_eq!(s.headers["x-docket-event-id"], event_id.as_str());
        let body: Value = serde_json::from_str(&s.body).expect("JSON body");
        assert_eq!(body["event_id"], event_id.as_str());
        assert_eq!(body["event"], "task.completed");
        assert_eq!(body["this_task"]["id"], task_id.as_str());
        assert_signed(s, &secret);
    }
    assert!(
        seen.windows(2).all(|w| w[0].body == w[1].body),
        "every attempt sends the same body"
    );

    // The log shows every attempt.
    let d = detail(&app, &event_id).await;
    let attempts = d["attempts"].as_array().expect("attempts");
    let codes: Vec<Value> = attempts.iter().map(|a| a["status_code"].clone()).collect();
    assert_eq!(codes, vec![json!(500), json!(500), json!(200)], "{d}");
    assert_eq!(attempts[0]["attempt"], 1);
    assert_eq!(attempts[0]["error"], "HTTP 500");
    assert!(attempts[2]["error"].is_null());
    assert!(
        attempts
            .iter()
            .all(|a| a["at"].is_string() && a["duration_ms"].is_i64())
    );
    assert_eq!(d["payload"]["event_id"], event_id.as_str());

    // Filters, validation, permissions, 404.
    let r = app
        .get("/organizations/acme/webhook-events?status=delivered")
        .await
        .expect(200);
    assert_eq!(r.body["meta"]["pagination"]["total"], 1);
    let r = app
        .get("/organizations/acme/webhook-events?status=pending")
        .await
        .expect(200);
    assert_eq!(r.body["meta"]["pagination"]["total"], 0);
    app.get("/organizations/acme/webhook-events?status=bogus")
        .await
        .expect_invalid("status");
    app.get("/organizations/acme/webhook-events/0123456789abcdef0123456789abcdef")
        .await
        .expect(404);
    app.call(
        Method::POST,
        "/organizations/acme/webhook-events/0123456789abcdef0123456789abcdef/redeliver",
    )
    .await
    .expect(404);
    let (_, standard) = app.add_member("acme", 2001, "std@acme.test", "standard").await;
    for (method, path) in [
        (Method::GET, "/organizations/acme/webhook-events".to_string()),
        (Method::GET, format!("/organizations/acme/webhook-events/{event_id}")),
        (
            Method::POST,
            format!("/organizations/acme/webhook-events/{event_id}/redeliver"),
        ),
    ] {
        app.send(app.request_as(&standard, method, &path)).await.expect(403);
    }

    // Redelivery queues one more attempt with the same id.
    let r = app
        .call(
            Method::POST,
            &format!("/organizations/acme/webhook-events/{event_id}/redeliver"),
        )
        .await
        .expect(202);
    assert_eq!(r.data()["id"], event_id.as_str());
    eventually("redelivered", || async {
        rx.seen().len() == 4 && detail(&app, &event_id).await["attempt_count"] == 4
    })
    .await;
    let d = detail(&app, &event_id).await;
    assert_eq!(d["status"], "delivered");
    assert_eq!(d["attempts"].as_array().expect("attempts").len(), 4);
    let last = rx.seen().pop().expect("fourth request");
    assert_eq!(last.headers["x-docket-event-id"], event_id.as_str());
    assert_signed(&last, &secret);
    app.stop().await;
}

on_both!(private_targets_are_refused, backend);
async fn private_targets_are_refused(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.webhook_retry_base_ms = 50).await;
    let rx = Receiver::start().await;
    let by_ip = complete_with_webhook(&app, &rx.url("/hook"), "Loopback").await;
    let port = rx.base.rsplit(':').next().expect("port").to_string();
    let by_name = complete_with_webhook(&app, &format!("http://localhost:{port}/hook"), "Localhost").await;
    for task_id in [&by_ip, &by_name] {
        eventually("a refused attempt is logged", || async {
            event_of(&app, task_id).await["attempt_count"].as_i64().unwrap_or(0) >= 1
        })
        .await;
        let event = event_of(&app, task_id).await;
        assert_eq!(event["status"], "pending", "refusals are retried like any failure");
        let error = event["last_error"].as_str().expect("last_error");
        assert!(error.contains("refused"), "{error}");
        let d = detail(&app, event["id"].as_str().expect("id")).await;
        let first = &d["attempts"][0];
        assert!(first["status_code"].is_null(), "{d}");
        assert!(first["error"].as_str().expect("error").contains("non-public"), "{d}");
    }
    assert!(rx.seen().is_empty(), "nothing was sent");
    app.stop().await;
}

on_both!(redirects_are_not_followed, backend);
async fn redirects_are_not_followed(backend: Backend) {
    let app = spawn(backend).await;
    let rx = Receiver::start().await;
    let task_id = complete_with_webhook(&app, &rx.url("/redirect"), "Redirected").await;
    eventually("two attempts", || async {
        event_of(&app, &task_id).await["attempt_count"].as_i64().unwrap_or(0) >= 2
    })
    .await;
    let event = event_of(&app, &task_id).await;
    assert_eq!(event["status"], "pending");
    assert_eq!(event["last_error"], "HTTP 302");
    let d = detail(&app, event["id"].as_str().expect("id")).await;
    assert_eq!(d["attempts"][0]["status_code"], 302);
    let seen = rx.seen();
    assert!(!seen.is_empty());
    assert!(seen.iter().all(|s| s.path == "/redirect"), "the redirect was followed");
    app.stop().await;
}

on_both!(a_restart_loses_nothing, backend);
async fn a_restart_loses_nothing(backend: Backend) {
    let first = spawn(backend).await;
    let rx = Receiver::start().await;
    rx.set_failing(true);
    let task_id = complete_with_webhook(&first, &rx.url("/hook"), "Restarted").await;
    eventually("a failed attempt", || async {
        event_of(&first, &task_id).await["attempt_count"].as_i64().unwrap_or(0) >= 1
    })
    .await;
    let url = first.store_url();
    let db = first.stop_keeping_db().await;
    let before = rx.seen().len();
    rx.set_failing(false);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(rx.seen().len(), before, "a stopped server delivers nothing");

    let second = TestApp::spawn_on(&url, backend, tune).await;
    eventually("delivered after the restart", || async {
        event_of(&second, &task_id).await["status"] == "delivered"
    })
    .await;
    let event = event_of(&second, &task_id).await;
    let event_id = event["id"].as_str().expect("id");
    let d = detail(&second, event_id).await;
    let attempts = d["attempts"].as_array().expect("attempts");
    assert_eq!(attempts.len() as i64, d["attempt_count"].as_i64().expect("count"));
    let numbers: Vec<i64> = attempts.iter().map(|a| a["attempt"].as_i64().expect("n")).collect();
    assert_eq!(
        numbers,
        (1..=attempts.len() as i64).collect::<Vec<_>>(),
        "no attempt lost or repeated"
    );
    assert_eq!(attempts.last().expect("last")["status_code"], 200);
    let seen = rx.seen();
    assert_eq!(seen.len(), attempts.len());
    assert!(seen.iter().all(|s| s.headers["x-docket-event-id"] == event_id));
    second.stop().await;
    drop(db);
}

/// Tests that only PostgreSQL can run (`postgres` in their path, so they can be left out).
mod postgres {
    use super::*;

    /// A SQLite file belongs to one docket process (its single writer).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_dispatchers_deliver_each_event_once() {
        Backend::require_postgres();
        super::two_dispatchers_once(Backend::Postgres).await;
    }
}

async fn two_dispatchers_once(backend: Backend) {
    let first = spawn(backend).await;
    let second = TestApp::spawn_on(&first.store_url(), backend, tune).await;
    let rx = Receiver::start().await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let app = if i % 2 == 0 { &first } else { &second };
        tasks.push(complete_with_webhook(app, &rx.url("/hook"), &format!("Twice {i}")).await);
    }
    eventually("all delivered", || async {
        let r = first
            .get("/organizations/acme/webhook-events?status=delivered&per_page=50")
            .await;
        r.body["meta"]["pagination"]["total"] == 12
    })
    .await;
    // Give a duplicate the time to show up, if there were one.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let seen = rx.seen();
    let mut ids: Vec<String> = seen
        .iter()
        .map(|s| s.headers["x-docket-event-id"].to_str().expect("id").to_string())
        .collect();
    assert_eq!(ids.len(), 12, "one request per event");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12);
    let r = first
        .get("/organizations/acme/webhook-events?per_page=50")
        .await
        .expect(200);
    assert!(
        r.data()
            .as_array()
            .expect("list")
            .iter()
            .all(|e| e["attempt_count"] == 1),
        "{}",
        r.text
    );
    second.stop().await;
    first.stop().await;
}
