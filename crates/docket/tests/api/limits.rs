//! Limits against abuse: deep nesting, long lists and slow requests are refused with a 4xx.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Backend, TestApp};

dual_test! {
    async fn oversized_lists_and_deep_nesting_are_refused_before_any_work(app: &TestApp) {
        let mut deep = json!("leaf");
        for _ in 0..40 {
            deep = json!([deep]);
        }
        let r = app.json(Method::POST, "/organizations/acme/tasks", json!({"title": "Deep", "extra": deep})).await.expect(400);
        assert!(r.body["message"].as_str().unwrap().contains("nested more than 32 levels"), "{}", r.text);

        let users: Vec<i64> = (0..501).collect();
        let r = app.json(Method::POST, "/organizations/acme/tasks", json!({"title": "Crowd", "owners": {"users": users}})).await;
        assert_eq!(r.expect_invalid("owners.users"), "The owners.users may not have more than 500 items.");
        let tags: Vec<String> = (0..101).map(|i| format!("t{i}")).collect();
        app.json(Method::POST, "/organizations/acme/tasks", json!({"title": "Tags", "tags": tags})).await.expect_invalid("tags");
        let fields: Vec<Value> = (0..101).map(|i| json!({"label": format!("F{i}"), "field_type": "text", "required": false})).collect();
        app.json(Method::POST, "/organizations/acme/tasks", json!({"title": "Fields", "form_fields": fields})).await.expect_invalid("form_fields");
        let options: Vec<String> = (0..501).map(|i| format!("o{i}")).collect();
        let r = app.json(Method::POST, "/organizations/acme/tasks", json!({"title": "Options", "form_fields": [{"label": "Pick", "field_type": "radio", "required": true, "options": options}]})).await;
        r.expect_invalid("form_fields.0.options");
        let sent: Vec<i64> = (0..1001).collect();
        let t = app.json(Method::POST, "/organizations/acme/tasks", json!({"title": "Talk"})).await.expect(201);
        let path = format!("/organizations/acme/tasks/{}/comment", t.data()["id"].as_str().unwrap());
        app.json(Method::POST, &path, json!({"content": "hi", "sent_to": sent})).await.expect_invalid("sent_to");
        // Nothing was created by the refused requests: only "Talk" exists.
        let r = app.get("/organizations/acme/tasks?per_page=1").await.expect(200);
        assert_eq!(r.body["meta"]["pagination"]["total"], 1);
    }
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_whose_body_never_arrives_times_out_sqlite() {
    a_request_whose_body_never_arrives_times_out(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_whose_body_never_arrives_times_out_postgres() {
    if Backend::postgres_available("a_request_whose_body_never_arrives_times_out") {
        a_request_whose_body_never_arrives_times_out(Backend::Postgres).await;
    }
}
