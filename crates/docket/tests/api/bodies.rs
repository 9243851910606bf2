//! Request bodies outside the fields a route reads: a PUT or POST that uses no field still
//! reads its body under the rules of every body (empty is `{}`, malformed JSON or a non-object
//! is a 400), and a body nobody read ends its connection with `Connection: close`, so a pooled
//! client's next request does not fail.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::TestApp;

on_both!(routes_without_fields_refuse_a_malformed_body_like_every_other);
async fn routes_without_fields_refuse_a_malformed_body_like_every_other(app: &TestApp) {
    app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    app.json(
        Method::POST,
        &app.org_path("/guests"),
        json!({"email": "g@partner.example"}),
    )
    .await
    .expect(201);
    let task = app
        .json(Method::POST, &app.org_path("/tasks"), json!({"title": "Standalone"}))
        .await
        .expect(201);
    let task = task.data()["id"].as_str().unwrap().to_string();
    app.call(Method::DELETE, &app.org_path(&format!("/tasks/{task}")))
        .await
        .expect(204);
    let body = json!({"title": "Run", "owners": {"users": [1001]}, "separate_task_for_each_assignee": true});
    let r = app.json(Method::POST, &app.org_path("/tasks"), body).await.expect(201);
    let run = r.data()["run"]["id"].as_str().unwrap().to_string();
    app.call(Method::DELETE, &app.org_path(&format!("/runs/{run}")))
        .await
        .expect(200);

    // In the order that leaves each write possible: the run is activated before its kick-off
    // form is completed.
    let routes = [
        (Method::PUT, format!("/tasks/{task}/restore")),
        (Method::PUT, format!("/runs/{run}/activate")),
        (Method::POST, format!("/runs/{run}/complete-prerun")),
        (Method::PUT, "/guests/g%40partner.example/enable".to_string()),
        (Method::PUT, "/users/1002/enable".to_string()),
        (Method::PUT, "/users/1002/approve".to_string()),
    ];
    for (method, path) in &routes {
        let path = app.org_path(path);
        for (what, bad) in [("malformed JSON", "{\"oops\":"), ("a non-object", "[1, 2]")] {
            let r = app
                .send(
                    app.request(method.clone(), &path)
                        .header("Content-Type", "application/json")
                        .body(bad),
                )
                .await;
            assert_eq!(
                (r.status, r.body["code"].as_str()),
                (400, Some("BAD_REQUEST")),
                "{what} on {method} {path}: {}",
                r.text
            );
        }
        // What the SDK sends: no body, with `Content-Type: application/json`.
        let r = app
            .send(
                app.request(method.clone(), &path)
                    .header("Content-Type", "application/json"),
            )
            .await;
        assert_eq!(r.status, 200, "{method} {path}: {}", r.text);
    }
}

/// Sends `head` on a new connection, then (after a pause, so the server has answered before the
/// body is there) `body`; returns what the server sent until it closed or went quiet.
async fn raw_exchange(app: &TestApp, head: &str, body: &str) -> String {
    let mut s = TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap();
    s.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let _ = s.write_all(body.as_bytes()).await;
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_millis(1500), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

on_both!(an_unread_body_closes_the_connection_and_says_so);
async fn an_unread_body_closes_the_connection_and_says_so(app: &TestApp) {
    let auth = format!("Authorization: Bearer {}\r\nX-Tallyfy-Client: APIClient\r\n", app.token);
    let body = "{\"title\": \"Late\"}";
    let cases = [
        ("an unrouted POST", "POST /organizations/acme/no-such-thing", "404"),
        (
            "a known path with another method",
            "PATCH /organizations/acme/tasks",
            "405",
        ),
    ];
    for (what, line, status) in cases {
        let head = format!(
            "{line} HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let answer = raw_exchange(app, &head, body).await.to_ascii_lowercase();
        assert!(answer.starts_with(&format!("http/1.1 {status}")), "{what}: {answer}");
        assert!(answer.contains("\r\nconnection: close\r\n"), "{what}: {answer}");
    }

    // A body that was read keeps the connection open for the next request.
    let head = format!(
        "POST /organizations/acme/tasks HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let answer = raw_exchange(app, &head, body).await.to_ascii_lowercase();
    assert!(answer.starts_with("http/1.1 201"), "{answer}");
    assert!(!answer.contains("connection: close"), "{answer}");

    // A pooled client: its next request on the same client succeeds.
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let r = client
            .post(format!("{}/organizations/acme/no-such-thing", app.base))
            .bearer_auth(&app.token)
            .header("X-Tallyfy-Client", "APIClient")
            .body("{\"a\": 1}")
            .send()
            .await
            .expect("an unrouted POST is answered");
        assert_eq!(r.status(), 404);
        let r = client
            .get(format!("{}/organizations/acme/tasks", app.base))
            .bearer_auth(&app.token)
            .header("X-Tallyfy-Client", "APIClient")
            .send()
            .await
            .expect("the next request on the pooled client is answered");
        assert_eq!(r.status(), 200);
    }
}
