//! Organization webhook watchers (W1–W3, spec §4.10): admins only, validation, the same URL
//! twice, and delivery of `task.completed` to every watcher besides the task's own `webhook`
//! (one event id shared by both deliveries, spec §5.5).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, Uri};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::fixtures::seed_members;

/// Records `(path, X-Docket-Event-Id, body)` of every POST it receives; answers 200.
async fn receiver() -> (String, Arc<Mutex<Vec<(String, String, Value)>>>) {
    let seen: Arc<Mutex<Vec<(String, String, Value)>>> = Arc::default();
    let shared = seen.clone();
    let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: String| {
        let shared = shared.clone();
        async move {
            let id = headers
                .get("x-docket-event-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let body = serde_json::from_str(&body).unwrap_or(Value::Null);
            shared.lock().unwrap().push((uri.path().to_string(), id, body));
            "ok"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, seen)
}

/// One delivery a [`hits`] receiver got.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The path it was POSTed to.
    pub path: String,
    /// `X-Docket-Event-Id`.
    pub event_id: String,
    /// `X-Docket-Signature`, if any.
    pub signature: Option<String>,
    /// The payload.
    pub body: Value,
}

/// A receiver like [`receiver`] that keeps the signature header too.
pub async fn hits() -> (String, Arc<Mutex<Vec<Hit>>>) {
    let seen: Arc<Mutex<Vec<Hit>>> = Arc::default();
    let shared = seen.clone();
    let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: String| {
        let shared = shared.clone();
        async move {
            let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
            shared.lock().unwrap().push(Hit {
                path: uri.path().to_string(),
                event_id: header("x-docket-event-id").unwrap_or_default(),
                signature: header("x-docket-signature"),
                body: serde_json::from_str(&body).unwrap_or(Value::Null),
            });
            "ok"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, seen)
}

pub fn tune(c: &mut docket::config::Config) {
    c.webhook_allow_private = true;
}

on_both!(admins_manage_watchers, tune);
async fn admins_manage_watchers(app: &TestApp) {
    let light = seed_members(app).await;
    let (_, standard) = app.add_member("acme", 1010, "kim@acme.test", "standard").await;
    let add = |body: Value| {
        let path = app.org_path("/users/1005/add-watcher");
        async move { app.json(Method::POST, &path, body).await }
    };
    let body = json!({"object_type": "organization", "object_id": "acme", "notification_type": "webhook",
                      "webhook": "https://hooks.example/a"});
    let first = add(body.clone()).await.expect(201);
    let w = first.data().clone();
    assert_eq!(w["user_id"], 1005);
    assert_eq!(w["object_type"], "organization");
    assert_eq!(w["object_id"], "acme");
    assert_eq!(w["notification_type"], "webhook");
    assert_eq!(w["frequency"], "electric");
    assert_eq!(w["webhook"], "https://hooks.example/a");
    // The same URL again: the existing watcher, 200.
    let again = add(body).await.expect(200);
    assert_eq!(again.data()["id"], w["id"]);
    let second = add(json!({"object_type": "organization", "object_id": "acme", "webhook": "https://hooks.example/b"}))
        .await
        .expect(201);
    assert!(second.data()["id"].as_i64() > w["id"].as_i64());

    let list = app
        .get(&app.org_path("/watchers?notification=webhook"))
        .await
        .expect(200);
    let urls: Vec<&str> = list
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["webhook"].as_str().unwrap())
        .collect();
    assert_eq!(urls, ["https://hooks.example/a", "https://hooks.example/b"]);
    assert!(list.body.get("meta").is_none());

    // Validation, in the contract's words.
    let bad = |body: Value| add(body);
    assert_eq!(
        bad(json!({"object_type": "task", "object_id": "acme", "webhook": "https://x.example"}))
            .await
            .expect_invalid("object_type"),
        "The selected object type is invalid."
    );
    assert_eq!(
        bad(json!({"object_type": "organization", "object_id": "other", "webhook": "https://x.example"}))
            .await
            .expect_invalid("object_id"),
        "The selected object id is invalid."
    );
    assert_eq!(
        bad(json!({"object_type": "organization", "object_id": "acme", "webhook": "ftp://x"}))
            .await
            .expect_invalid("webhook"),
        "The webhook must be a valid URL."
    );
    app.json(
        Method::POST,
        &app.org_path("/users/999999/add-watcher"),
        json!({"object_type": "organization", "object_id": "acme", "webhook": "https://x.example"}),
    )
    .await
    .expect(404);
    // Admins only.
    for token in [&light, &standard] {
        app.send(app.request_as(token, Method::GET, &app.org_path("/watchers")))
            .await
            .expect(403);
        let id = w["id"].as_i64().unwrap();
        app.send(app.request_as(token, Method::DELETE, &app.org_path(&format!("/remove-watcher/{id}"))))
            .await
            .expect(403);
    }
    let id = w["id"].as_i64().unwrap();
    app.call(Method::DELETE, &app.org_path(&format!("/remove-watcher/{id}")))
        .await
        .expect(204);
    app.call(Method::DELETE, &app.org_path(&format!("/remove-watcher/{id}")))
        .await
        .expect(404);
    let list = app.get(&app.org_path("/watchers")).await.expect(200);
    assert_eq!(list.data().as_array().unwrap().len(), 1);
}

on_both!(a_watcher_receives_every_completion, tune);
async fn a_watcher_receives_every_completion(app: &TestApp) {
    let (base, seen) = receiver().await;
    app.json(
        Method::POST,
        &app.org_path("/users/1001/add-watcher"),
        json!({"object_type": "organization", "object_id": "acme", "webhook": format!("{base}/watcher")}),
    )
    .await
    .expect(201);
    // A task with its own webhook, and one without: the watcher gets both, the task's URL its own.
    for (title, webhook) in [("With hook", Some(format!("{base}/task"))), ("Plain", None)] {
        let mut body = json!({"title": title});
        if let Some(w) = webhook {
            body["webhook"] = json!(w);
        }
        let t = app.json(Method::POST, &app.org_path("/tasks"), body).await.expect(201);
        let id = t.data()["id"].as_str().unwrap().to_string();
        app.json(Method::POST, &app.org_path("/completed-tasks"), json!({"task_id": id}))
            .await
            .expect(200);
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while seen.lock().unwrap().len() < 3 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "deliveries: {:?}",
            seen.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), 3, "{got:?}");
    let to = |path: &str| got.iter().filter(|(p, _, _)| p == path).cloned().collect::<Vec<_>>();
    let task = to("/task");
    let watcher = to("/watcher");
    assert_eq!(task.len(), 1);
    assert_eq!(watcher.len(), 2);
    // The task's own delivery and the watcher's copy are one event: same id, same payload.
    let same = watcher
        .iter()
        .find(|(_, id, _)| *id == task[0].1)
        .expect("the watcher got the task's event");
    assert_eq!(same.2, task[0].2);
    assert_eq!(same.2["event"], "task.completed");
    assert_eq!(same.2["event_id"], task[0].1.as_str());
    let titles: Vec<&str> = watcher
        .iter()
        .map(|(_, _, b)| b["this_task"]["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"Plain") && titles.contains(&"With hook"), "{titles:?}");
}
