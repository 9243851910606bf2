//! Observability (issue 6): `GET /metrics` counts requests by route template and status, the
//! rate limit's refusals and webhook outcomes; `X-Request-Id` on every response; one JSON log
//! line per request carrying its id and never a token or a form value.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Backend, TestApp};

/// The value of the sample `name{labels}` in Prometheus text (0 when absent).
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .map_or(0.0, |v| v.trim().parse().expect("a number"))
}

async fn metrics(app: &TestApp) -> String {
    let r = app.send(app.bare(Method::GET, "/metrics")).await.expect(200);
    assert!(
        r.header("content-type").is_some_and(|c| c.starts_with("text/plain")),
        "{:?}",
        r.headers
    );
    r.text
}

async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

on_both!(metrics_count_requests_by_route_template_and_status);
async fn metrics_count_requests_by_route_template_and_status(app: &TestApp) {
    let before = metrics(app).await;
    let me = r#"docket_http_requests_total{method="GET",route="/organizations/{org}/me",status="200"}"#;
    let task = r#"docket_http_requests_total{method="GET",route="/organizations/{org}/tasks/{task_id}",status="404"}"#;
    let unauth = r#"docket_http_requests_total{method="GET",route="/organizations/{org}/me",status="401"}"#;
    for _ in 0..3 {
        app.get("/organizations/acme/me").await.expect(200);
    }
    app.get("/organizations/acme/tasks/0123456789abcdef0123456789abcdef")
        .await
        .expect(404);
    app.send(app.request_as("not-a-token", Method::GET, "/organizations/acme/me"))
        .await
        .expect(401);
    app.get("/no/such/route").await.expect(404);

    let after = metrics(app).await;
    assert_eq!(sample(&after, me) - sample(&before, me), 3.0, "{after}");
    assert_eq!(sample(&after, task) - sample(&before, task), 1.0, "{after}");
    assert_eq!(sample(&after, unauth) - sample(&before, unauth), 1.0, "{after}");
    assert!(
        sample(
            &after,
            r#"docket_http_requests_total{method="GET",route="unmatched",status="404"}"#
        ) >= 1.0,
        "{after}"
    );
    // Route templates only: no id of a path and no raw unknown path.
    assert!(!after.contains("0123456789abcdef"), "{after}");
    assert!(!after.contains("/no/such/route"), "{after}");
    assert!(!after.contains("acme"), "{after}");
    // Latency histograms with buckets, pools, the webhook queue, the rate-limit counter.
    assert!(
        sample(
            &after,
            r#"docket_http_request_duration_seconds_count{method="GET",route="/organizations/{org}/me"}"#
        ) >= 3.0,
        "{after}"
    );
    assert!(
        after.contains(
            r#"docket_http_request_duration_seconds_bucket{method="GET",route="/organizations/{org}/me",le="0.005"}"#
        ),
        "{after}"
    );
    let pool = if app.backend == Backend::Sqlite { "read" } else { "main" };
    assert!(
        sample(&after, &format!(r#"docket_db_pool_max_connections{{pool="{pool}"}}"#)) >= 1.0,
        "{after}"
    );
    assert!(
        sample(&after, &format!(r#"docket_db_pool_connections{{pool="{pool}"}}"#)) >= 1.0,
        "{after}"
    );
    assert!(after.contains("docket_webhook_queue_depth 0"), "{after}");
    assert!(after.contains("docket_rate_limit_rejections_total 0"), "{after}");
    assert!(after.contains("# HELP docket_http_requests_total"), "{after}");
}

on_both!(every_response_carries_a_request_id);
async fn every_response_carries_a_request_id(app: &TestApp) {
    let responses = [
        app.get("/organizations/acme/me").await,
        app.send(app.bare(Method::GET, "/organizations/acme/me")).await,
        app.get("/nowhere").await,
        app.send(app.request(Method::DELETE, "/organizations/acme/me")).await,
        app.send(app.bare(Method::GET, "/health")).await,
        app.json(Method::POST, "/organizations/acme/tasks", json!({"title": ""}))
            .await,
    ];
    let mut ids: Vec<String> = Vec::new();
    for r in &responses {
        let id = r
            .header("x-request-id")
            .unwrap_or_else(|| panic!("no X-Request-Id on {}: {:?}", r.status, r.headers));
        assert!(
            id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
            "generated id {id}"
        );
        ids.push(id.to_string());
    }
    assert_eq!(
        responses.iter().map(|r| r.status).collect::<Vec<_>>(),
        [200, 401, 404, 405, 200, 422]
    );
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), responses.len(), "ids are unique");

    let sent = app
        .send(
            app.request(Method::GET, "/organizations/acme/me")
                .header("X-Request-Id", "trace-42.a_b"),
        )
        .await
        .expect(200);
    assert_eq!(sent.header("x-request-id"), Some("trace-42.a_b"), "a sane id is echoed");
    for bad in ["has space".to_string(), "x".repeat(129)] {
        let r = app
            .send(
                app.request(Method::GET, "/organizations/acme/me")
                    .header("X-Request-Id", bad.as_str()),
            )
            .await
            .expect(200);
        let id = r.header("x-request-id").expect("replaced");
        assert_ne!(id, bad);
        assert_eq!(id.len(), 32);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_refusals_and_webhook_outcomes_are_counted() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.rate_limit = 5;
        c.webhook_allow_private = true;
        c.webhook_retry_base_ms = 60_000;
    })
    .await;
    // A receiver that answers 200, and a port nothing listens on.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let app = axum::Router::new().fallback(|| async { "ok" });
        let _ = axum::serve(listener, app).await;
    });
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/hook", l.local_addr().unwrap())
    };
    for (title, url) in [("Delivered", &hook), ("Undeliverable", &dead)] {
        let t = app
            .json(
                Method::POST,
                "/organizations/acme/tasks",
                json!({"title": title, "webhook": url}),
            )
            .await
            .expect(201);
        let id = t.data()["id"].as_str().unwrap().to_string();
        app.json(
            Method::POST,
            "/organizations/acme/completed-tasks",
            json!({"task_id": id}),
        )
        .await
        .expect(200);
    }
    eventually("both webhook attempts counted", async || {
        let m = metrics(&app).await;
        sample(&m, r#"docket_webhook_deliveries_total{outcome="delivered"}"#) == 1.0
            && sample(&m, r#"docket_webhook_deliveries_total{outcome="failed_will_retry"}"#) == 1.0
    })
    .await;
    let m = metrics(&app).await;
    assert_eq!(
        sample(&m, "docket_webhook_queue_depth"),
        1.0,
        "the failed one waits for its retry: {m}"
    );
    assert!(
        sample(&m, "docket_webhook_delivery_duration_seconds_count") >= 2.0,
        "{m}"
    );

    // Four requests were made with the token; the fifth fits, the sixth and seventh are refused.
    app.get("/organizations/acme/me").await.expect(200);
    app.get("/organizations/acme/me").await.expect(429);
    app.get("/organizations/acme/me").await.expect(429);
    let m = metrics(&app).await;
    assert_eq!(sample(&m, "docket_rate_limit_rejections_total"), 2.0, "{m}");
    assert_eq!(
        sample(
            &m,
            r#"docket_http_requests_total{method="GET",route="/organizations/{org}/me",status="429"}"#
        ),
        2.0,
        "{m}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_metrics_token_closes_the_endpoint_to_others() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.metrics_token = Some("scrape-secret".into())).await;
    app.send(app.bare(Method::GET, "/metrics")).await.expect(401);
    app.send(app.bare(Method::GET, "/metrics").bearer_auth("wrong"))
        .await
        .expect(401);
    let r = app
        .send(app.bare(Method::GET, "/metrics").bearer_auth("scrape-secret"))
        .await
        .expect(200);
    assert!(r.text.contains("docket_http_requests_total"), "{}", r.text);
    app.stop().await;
}

/// The real binary with `DOCKET_LOG_FORMAT=json`: every request logs one line with its id;
/// the token, the query string and the values sent never appear.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_request_ids_and_no_secrets() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (url, token) = (app.store_url(), app.token.clone());
    let _db = app.stop_keeping_db().await;
    let dir = std::env::temp_dir().join(format!("docket-logs-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let log_path = dir.join("stderr.log");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &url,
        ])
        .current_dir(&dir)
        .env("DOCKET_LOG_FORMAT", "json")
        .env_remove("RUST_LOG")
        .env_remove("DOCKET_CONFIG")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .expect("docket starts");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    while client.get(format!("{base}/health")).send().await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(60), "docket did not start");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let secret_value = "form-value-7c1e-do-not-log";
    let send = |method: Method, path: &str, body: Option<Value>| {
        let mut rb = client
            .request(method, format!("{base}{path}"))
            .bearer_auth(&token)
            .header("X-Tallyfy-Client", "APIClient")
            .header("X-Request-Id", format!("logtest-{}", path.len()));
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        async move {
            let r = rb.send().await.expect("sent");
            (
                r.status().as_u16(),
                r.headers().get("x-request-id").map(|v| v.to_str().unwrap().to_string()),
                r.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let (status, _, task) = send(
        Method::POST,
        "/organizations/acme/tasks",
        Some(json!({"title": "Logged", "form_fields": [{"label": "Secret", "field_type": "text", "required": false}]})),
    )
    .await;
    assert_eq!(status, 201, "{task}");
    let task_id = task["data"]["id"].as_str().unwrap().to_string();
    let (status, _, fields) = send(
        Method::GET,
        &format!("/organizations/acme/tasks/{task_id}?with=form_fields"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let field_id = fields["data"]["form_fields"]["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _, body) = send(
        Method::PUT,
        &format!("/organizations/acme/tasks/{task_id}"),
        Some(json!({"taskdata": {field_id: secret_value}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = send(
        Method::POST,
        &format!("/organizations/acme/tasks/{task_id}/comment"),
        Some(json!({"content": secret_value})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let search = format!("/organizations/acme/tasks?q={secret_value}&api_key={token}");
    let (status, echoed, _) = send(Method::GET, &search, None).await;
    assert_eq!(status, 200);
    let search_id = echoed.expect("request id");

    // Stop (SIGTERM) so that every line is flushed.
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let _ = child.wait();
    let logs = std::fs::read_to_string(&log_path).unwrap();
    assert!(!logs.contains(&token), "the token is never logged:\n{logs}");
    assert!(
        !logs.contains(secret_value),
        "form values and bodies are never logged:\n{logs}"
    );
    assert!(!logs.contains("api_key"), "query strings are never logged:\n{logs}");
    assert!(
        !logs.contains(&task_id),
        "paths with ids are logged as templates:\n{logs}"
    );
    let lines: Vec<Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let requests: Vec<&Value> = lines.iter().filter(|l| l["message"] == "request").collect();
    assert!(requests.len() >= 6, "one line per request:\n{logs}");
    let search_line = requests
        .iter()
        .find(|l| l["span"]["request_id"] == search_id.as_str())
        .unwrap_or_else(|| panic!("no line with request id {search_id}:\n{logs}"));
    assert_eq!(search_line["span"]["route"], "/organizations/{org}/tasks");
    assert_eq!(search_line["span"]["method"], "GET");
    assert_eq!(search_line["status"], 200);
    assert!(search_line["latency_ms"].is_number());
    assert!(
        requests
            .iter()
            .all(|l| l["span"]["request_id"].as_str().is_some_and(|id| !id.is_empty()))
    );
    let _ = std::fs::remove_dir_all(&dir);
}
