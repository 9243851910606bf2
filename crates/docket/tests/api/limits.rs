//! Limits against abuse: deep nesting, long lists and slow requests are refused with a 4xx.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Backend, TestApp};

on_both!(oversized_lists_and_deep_nesting_are_refused_before_any_work);
async fn oversized_lists_and_deep_nesting_are_refused_before_any_work(app: &TestApp) {
    let mut deep = json!("leaf");
    for _ in 0..40 {
        deep = json!([deep]);
    }
    let r = app
        .json(
            Method::POST,
            "/organizations/acme/tasks",
            json!({"title": "Deep", "extra": deep}),
        )
        .await
        .expect(400);
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("nested more than 32 levels"),
        "{}",
        r.text
    );

    let users: Vec<i64> = (0..501).collect();
    let r = app
        .json(
            Method::POST,
            "/organizations/acme/tasks",
            json!({"title": "Crowd", "owners": {"users": users}}),
        )
        .await;
    assert_eq!(
        r.expect_invalid("owners.users"),
        "The owners.users may not have more than 500 items."
    );
    let tags: Vec<String> = (0..101).map(|i| format!("t{i}")).collect();
    app.json(
        Method::POST,
        "/organizations/acme/tasks",
        json!({"title": "Tags", "tags": tags}),
    )
    .await
    .expect_invalid("tags");
    let fields: Vec<Value> = (0..101)
        .map(|i| json!({"label": format!("F{i}"), "field_type": "text", "required": false}))
        .collect();
    app.json(
        Method::POST,
        "/organizations/acme/tasks",
        json!({"title": "Fields", "form_fields": fields}),
    )
    .await
    .expect_invalid("form_fields");
    let options: Vec<String> = (0..501).map(|i| format!("o{i}")).collect();
    let r = app.json(Method::POST, "/organizations/acme/tasks", json!({"title": "Options", "form_fields": [{"label": "Pick", "field_type": "radio", "required": true, "options": options}]})).await;
    r.expect_invalid("form_fields.0.options");
    let sent: Vec<i64> = (0..1001).collect();
    let t = app
        .json(Method::POST, "/organizations/acme/tasks", json!({"title": "Talk"}))
        .await
        .expect(201);
    let path = format!("/organizations/acme/tasks/{}/comment", t.data()["id"].as_str().unwrap());
    app.json(Method::POST, &path, json!({"content": "hi", "sent_to": sent}))
        .await
        .expect_invalid("sent_to");
    // Nothing was created by the refused requests: only "Talk" exists.
    let r = app.get("/organizations/acme/tasks?per_page=1").await.expect(200);
    assert_eq!(r.body["meta"]["pagination"]["total"], 1);
}

on_both!(a_request_whose_body_never_arrives_times_out, backend);
async fn a_request_whose_body_never_arrives_times_out(backend: Backend) {
    use std::io::{Read, Write};
    let app = TestApp::spawn_with(backend, |c| c.request_timeout_secs = 1).await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let token = app.token.clone();
    let response = tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr).expect("connect");
        let head = format!(
            "POST /organizations/acme/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nX-Tallyfy-Client: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{{\"title\""
        );
        s.write_all(head.as_bytes()).expect("send");
        s.set_read_timeout(Some(std::time::Duration::from_secs(10))).expect("timeout");
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    })
    .await
    .expect("client");
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(response.contains("\"code\":\"REQUEST_TIMEOUT\""), "{response}");
    app.stop().await;
}

on_both!(nul_characters_are_refused_with_the_field_named);
async fn nul_characters_are_refused_with_the_field_named(app: &TestApp) {
    // PostgreSQL text cannot hold NUL; both backends refuse it the same way, never a 500.
    let r = app
        .json(Method::POST, "/organizations/acme/tasks", json!({"title": "a\u{0}b"}))
        .await;
    assert_eq!(r.expect_invalid("title"), "The title may not contain NUL characters.");
    let r = app
        .json(
            Method::POST,
            "/organizations/acme/tasks",
            json!({"title": "T", "owners": {"guests": ["x@y.example", "\u{0}"]}}),
        )
        .await;
    r.expect_invalid("owners.guests.1");
    let form = app
        .request(Method::POST, "/organizations/acme/tags")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("title=a%00b");
    app.send(form).await.expect_invalid("title");
    app.get("/organizations/acme/tasks?q=%00").await.expect_invalid("q");
    for path in [
        "/organizations/acme/tasks/%00",
        "/organizations/acme/tasks/%FF%FE",
        "/organizations/acme/runs/%00/tasks",
    ] {
        let r = app.get(path).await.expect(404);
        assert_eq!(r.body["code"], "RESOURCE_NOT_FOUND", "{path}: {}", r.text);
    }
    let r = app.get("/organizations/acme/tasks?per_page=1").await.expect(200);
    assert_eq!(r.body["meta"]["pagination"]["total"], 0, "nothing was created");
}

on_both!(oversized_headers_are_refused_with_431);
async fn oversized_headers_are_refused_with_431(app: &TestApp) {
    let path = app.org_path("/me");
    app.send(app.request(Method::GET, &path).header("X-Note", "n".repeat(16 * 1024)))
        .await
        .expect(200);
    let r = app
        .send(app.request(Method::GET, &path).header("X-Note", "n".repeat(40 * 1024)))
        .await
        .expect(431);
    assert_eq!(r.body["code"], "REQUEST_HEADER_FIELDS_TOO_LARGE", "{}", r.text);
    assert_eq!(r.body["message"], "Request headers too large.");
    // Many small headers add up the same way.
    let mut rb = app
        .request(Method::POST, "/organizations/acme/tasks")
        .json(&json!({"title": "Heavy"}));
    for i in 0..90 {
        rb = rb.header(format!("x-h{i}"), "v".repeat(400));
    }
    app.send(rb).await.expect(431);
    // Beyond hyper's own read buffer the connection still gets a 431 (without the envelope).
    let r = app
        .send(app.request(Method::GET, &path).header("X-Note", "n".repeat(600 * 1024)))
        .await;
    assert_eq!(r.status, 431);
    let r = app.get("/organizations/acme/tasks?per_page=1").await.expect(200);
    assert_eq!(
        r.body["meta"]["pagination"]["total"], 0,
        "the refused create did nothing"
    );
}
