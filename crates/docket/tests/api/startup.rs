//! Start-up and storage behaviour: the bootstrap file at start, concurrent writers, readiness.

use reqwest::Method;
use serde_json::json;

use crate::support::{Backend, TestApp};

on_both!(bootstrap_file_is_loaded_at_start, backend);
async fn bootstrap_file_is_loaded_at_start(backend: Backend) {
    let file = std::env::temp_dir().join(format!("docket-start-{}.json", uuid::Uuid::new_v4().simple()));
    let doc = json!({
        "organizations": [{"id": "YOUR_ORGANIZATION_ID", "name": "Seeded"}],
        "users": [{"id": 12345, "email": "seed@example.com", "first_name": "Se", "last_name": "Ed",
                   "memberships": [{"organization": "YOUR_ORGANIZATION_ID", "role": "admin"}],
                   "tokens": ["YOUR_PERSONAL_ACCESS_TOKEN"]}]
    });
    std::fs::write(&file, doc.to_string()).expect("write bootstrap file");
    let path = file.clone();
    let app = TestApp::spawn_with(backend, move |c| c.bootstrap = Some(path)).await;
    let r = app
        .send(app.request_as(
            "YOUR_PERSONAL_ACCESS_TOKEN",
            Method::GET,
            "/api/organizations/YOUR_ORGANIZATION_ID/me",
        ))
        .await
        .expect(200);
    assert_eq!(
        (r.data()["id"].as_i64(), r.data()["full_name"].as_str()),
        (Some(12345), Some("Se Ed"))
    );
    app.stop().await;
    let _ = std::fs::remove_file(&file);
}

on_both!(concurrent_writers_all_succeed);
async fn concurrent_writers_all_succeed(app: &TestApp) {
    // 48 invitations at once: each is a multi-statement transaction; none may fail with a
    // busy or serialization error, and every one must be stored exactly once.
    let path = app.org_path("/users/invite");
    let mut set = tokio::task::JoinSet::new();
    for i in 0..48 {
        let body = json!({"email": format!("writer{i}@example.com"), "first_name": "W", "last_name": format!("{i}"), "role": "light"});
        let rb = app.request(Method::POST, &path).json(&body);
        set.spawn(async move {
            let r = rb.send().await.expect("sent");
            (r.status().as_u16(), r.json::<serde_json::Value>().await.expect("json"))
        });
    }
    let mut ids = Vec::new();
    while let Some(joined) = set.join_next().await {
        let (status, body) = joined.expect("task");
        assert_eq!(status, 200, "{body}");
        ids.push(body["data"]["id"].as_i64().expect("id"));
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 48, "every writer got its own user id");
    let r = app.get(&app.org_path("/users?per_page=1")).await.expect(200);
    assert_eq!(r.body["meta"]["pagination"]["total"], 49);
}

on_both!(racing_creates_naming_one_new_tag_share_it);
async fn racing_creates_naming_one_new_tag_share_it(app: &TestApp) {
    // 16 tasks at once, each tagged with the same title no tag has yet: all are created
    // (on PostgreSQL the losers of the race used to fail on the unique title) and one tag
    // is made.
    let mut set = tokio::task::JoinSet::new();
    for i in 0..16 {
        let rb = app
            .request(Method::POST, "/organizations/acme/tasks")
            .json(&json!({"title": format!("T{i}"), "tags": ["Brand new"]}));
        set.spawn(async move { rb.send().await.expect("sent").status().as_u16() });
    }
    while let Some(status) = set.join_next().await {
        assert_eq!(status.expect("task"), 201);
    }
    let r = app.get(&app.org_path("/tags")).await.expect(200);
    let titles: Vec<&str> = r
        .data()
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t["title"].as_str())
        .collect();
    assert_eq!(titles, ["Brand new"]);
}

/// The real binary: first start prints a token; SIGTERM lets a request that is in flight (its
/// body only half sent) finish with a full response, then the process exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_in_flight_requests_and_exits_cleanly() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Command, Stdio};

    let dir = std::env::temp_dir().join(format!("docket-sigterm-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        l.local_addr().expect("addr").port()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .current_dir(&dir)
        .env_remove("DOCKET_DATABASE_URL")
        .env_remove("DOCKET_BOOTSTRAP")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("docket starts");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let (mut org, mut token) = (String::new(), String::new());
    for _ in 0..3 {
        let mut line = String::new();
        out.read_line(&mut line).expect("first-start lines");
        if let Some(rest) = line.strip_prefix("First start: created organization ") {
            org = rest.split_whitespace().next().unwrap_or("").to_string();
        }
        if line.starts_with("Its API token") {
            token = line.trim().rsplit(' ').next().unwrap_or("").to_string();
        }
    }
    assert!(
        !org.is_empty() && token.len() == 64,
        "first start prints the org and a token"
    );

    // Wait until it serves.
    let mut stream = loop {
        if let Ok(s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            break s;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let body = r#"{"email":"late@example.com","first_name":"Late","last_name":"Request","role":"light"}"#;
    let head = format!(
        "POST /organizations/{org}/users/invite HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nX-Tallyfy-Client: APIClient\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("send head");
    stream.write_all(&body.as_bytes()[..10]).expect("send part of the body");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    std::thread::sleep(std::time::Duration::from_millis(300));
    stream
        .write_all(&body.as_bytes()[10..])
        .expect("send the rest after SIGTERM");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    assert!(
        response.starts_with("HTTP/1.1 200"),
        "the in-flight request finished: {response}"
    );
    assert!(response.contains("late@example.com"));
    let exit = child.wait().expect("exit");
    assert!(exit.success(), "exits 0 after draining");
    let _ = std::fs::remove_dir_all(&dir);
}
