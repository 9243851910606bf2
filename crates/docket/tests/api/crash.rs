//! Crash safety: `kill -9` of the real `docket serve` binary under 16 concurrent writers loses
//! no acknowledged write, and after a restart on the same database nothing is duplicated or
//! half-applied. And the other way to stop: SIGTERM lets a webhook delivery in flight finish
//! and be recorded. Run on both backends.
//!
//! Writers create three shapes of write, each several rows in one transaction: a task with
//! owners, tags and three form fields; a fan-out run with one task per assignee (a user, another
//! user and a new guest); and a task that is then completed. Every request carries an
//! `Idempotency-Key`; after the restart each writer re-sends the request that was in flight
//! when the server died, which must never create a second copy.

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sqlx::Connection;

use crate::support::{Backend, TestApp};

const WRITERS: usize = 16;

/// `docket serve` as a child process on a free port.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(url: &str, log: &std::path::Path) -> Server {
        Self::start_with(url, log, &[]).await
    }

    async fn start_with(url: &str, log: &std::path::Path, env: &[(&str, &str)]) -> Server {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
            l.local_addr().expect("addr").port()
        };
        let dir = log.parent().expect("log dir");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_docket"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--database-url", url])
            .current_dir(dir)
            .env("DOCKET_RATE_LIMIT", "0")
            .env("DOCKET_REQUEST_TIMEOUT", "3")
            .env_remove("DOCKET_BOOTSTRAP")
            .env_remove("DOCKET_CONFIG")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("docket starts");
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Ok(r) = client.get(format!("{base}/health")).send().await
                && r.status() == 200
            {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "docket did not start");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        Server { child, base }
    }

    /// SIGKILL: no signal handler runs, no connection is closed cleanly.
    fn kill_9(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Server {
    /// SIGTERM, then waits for the exit.
    fn term(&mut self) -> std::process::ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success());
        self.child.wait().expect("exit")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An acknowledged (2xx) write.
#[derive(Debug, Clone)]
struct Ack {
    title: String,
    kind: usize,
    task_id: String,
    run_id: Option<String>,
    completed: bool,
}

/// The request a writer had in flight when the server died.
#[derive(Debug, Clone)]
struct InFlight {
    path: String,
    key: String,
    body: Value,
}

fn create_body(writer: usize, title: &str, kind: usize) -> Value {
    match kind {
        0 => json!({"title": title, "owners": {"users": [1001, 1002]}, "tags": ["crash", format!("w{writer}")],
        "form_fields": [
            {"label": "Hours", "field_type": "text", "required": true},
            {"label": "Notes", "field_type": "textarea", "required": false},
            {"label": "Pick", "field_type": "dropdown", "required": false, "options": ["a", "b", "c"]}
        ]}),
        1 => json!({"title": title, "separate_task_for_each_assignee": true,
            "owners": {"users": [1001, 1002], "guests": [format!("{title}@partner.example")]}}),
        _ => json!({"title": title}),
    }
}

/// One writer: creates until the server stops answering; returns what it had in flight.
async fn writer(
    client: reqwest::Client,
    base: String,
    token: String,
    w: usize,
    acks: Arc<Mutex<Vec<Ack>>>,
    wrong: Arc<Mutex<Vec<String>>>,
) -> Option<InFlight> {
    for n in 0.. {
        let kind = (w + n) % 3;
        let title = format!("w{w}-n{n}-k{kind}");
        let mut pending = vec![InFlight {
            path: "/organizations/acme/tasks".into(),
            key: title.clone(),
            body: create_body(w, &title, kind),
        }];
        while let Some(req) = pending.pop() {
            let sent = client
                .post(format!("{base}{}", req.path))
                .bearer_auth(&token)
                .header("X-Tallyfy-Client", "APIClient")
                .header("Idempotency-Key", &req.key)
                .json(&req.body)
                .send()
                .await;
            let Ok(r) = sent else { return Some(req) };
            let status = r.status().as_u16();
            let Ok(body) = r.json::<Value>().await else {
                return Some(req);
            };
            if !(200..300).contains(&status) {
                wrong
                    .lock()
                    .expect("lock")
                    .push(format!("{} -> {status}: {body}", req.key));
                return None;
            }
            let mut acks = acks.lock().expect("lock");
            if req.path.ends_with("/completed-tasks") {
                if let Some(a) = acks.iter_mut().find(|a| a.title == title) {
                    a.completed = true;
                }
                continue;
            }
            let task_id = body["data"]["id"].as_str().unwrap_or_default().to_string();
            let run_id = body["data"]["run_id"].as_str().map(str::to_string);
            acks.push(Ack {
                title: title.clone(),
                kind,
                task_id: task_id.clone(),
                run_id,
                completed: false,
            });
            if kind == 2 {
                pending.push(InFlight {
                    path: "/organizations/acme/completed-tasks".into(),
                    key: format!("{title}-done"),
                    body: json!({"task_id": task_id}),
                });
            }
        }
    }
    None
}

/// One number from the database (both dialects).
async fn scalar(url: &str, sql: &str) -> i64 {
    if url.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
        sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut c).await.expect(sql)
    } else {
        let mut c = sqlx::SqliteConnection::connect(url).await.expect("connect");
        sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut c).await.expect(sql)
    }
}

on_both!(kill_9_under_16_writers_loses_no_acknowledged_write, backend);
async fn kill_9_under_16_writers_loses_no_acknowledged_write(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let (url, token) = (app.store_url(), app.token.clone());
    let _db = app.stop_keeping_db().await;
    let dir = std::env::temp_dir().join(format!("docket-crash-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let log = dir.join("docket.log");

    // A random moment: after 24 to 71 acknowledged writes, plus up to 40 ms.
    let dice = uuid::Uuid::new_v4().as_u128();
    let (after_acks, extra_ms) = (24 + (dice % 48) as usize, ((dice >> 8) % 40) as u64);
    eprintln!("crash ({backend:?}): SIGKILL after {after_acks} acknowledged writes + {extra_ms} ms");

    let mut server = Server::start(&url, &log).await;
    let client = reqwest::Client::new();
    let acks = Arc::new(Mutex::new(Vec::<Ack>::new()));
    let wrong = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut set = tokio::task::JoinSet::new();
    for w in 0..WRITERS {
        set.spawn(writer(
            client.clone(),
            server.base.clone(),
            token.clone(),
            w,
            acks.clone(),
            wrong.clone(),
        ));
    }
    let started = Instant::now();
    while acks.lock().expect("lock").len() < after_acks {
        assert!(started.elapsed() < Duration::from_secs(60), "writers too slow");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    tokio::time::sleep(Duration::from_millis(extra_ms)).await;
    server.kill_9();
    let killed_at = Instant::now();
    let mut in_flight = Vec::new();
    while let Some(joined) = set.join_next().await {
        in_flight.extend(joined.expect("writer"));
    }
    let wrong = wrong.lock().expect("lock").clone();
    assert!(wrong.is_empty(), "writes refused before the crash: {wrong:?}");
    let acks = acks.lock().expect("lock").clone();
    eprintln!(
        "crash ({backend:?}): {} acknowledged, {} in flight",
        acks.len(),
        in_flight.len()
    );

    // Restart on the same database.
    let server = Server::start(&url, &log).await;
    let get = |path: String| {
        let rb = client
            .get(format!("{}{path}", server.base))
            .bearer_auth(&token)
            .header("X-Tallyfy-Client", "APIClient");
        async move {
            let r = rb.send().await.expect("sent");
            (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    for a in &acks {
        let (status, t) = get(format!("/organizations/acme/tasks/{}?with=form_fields,tags", a.task_id)).await;
        assert_eq!(status, 200, "acknowledged {a:?} is gone: {t}");
        let t = &t["data"];
        assert_eq!(t["title"], a.title.as_str(), "{a:?}");
        match a.kind {
            0 => {
                assert_eq!(t["form_fields"]["data"].as_array().map(Vec::len), Some(3), "{a:?}: {t}");
                assert_eq!(t["owners"]["users"], json!([1001, 1002]), "{a:?}");
                assert_eq!(t["tags"]["data"].as_array().map(Vec::len), Some(2), "{a:?}: {t}");
            }
            1 => {
                let run = a.run_id.clone().expect("a fan-out makes a run");
                let (status, r) = get(format!("/organizations/acme/runs/{run}?with=tasks")).await;
                assert_eq!(status, 200, "{a:?}");
                assert_eq!(
                    r["data"]["tasks"]["data"].as_array().map(Vec::len),
                    Some(3),
                    "{a:?}: {r}"
                );
            }
            _ if a.completed => assert_eq!(t["status"], "completed", "{a:?}"),
            _ => {}
        }
    }

    // Re-sent in-flight requests never make a second copy: each is done once (201, or replayed),
    // or, when the crash fell between claiming the key and recording the answer, refused with
    // a 409 that says so (once the request timeout has passed since the crash, the claim is
    // known to be interrupted) rather than risk doing the work twice.
    let since_kill = killed_at.elapsed();
    tokio::time::sleep(Duration::from_millis(3_700).saturating_sub(since_kill)).await;
    let mut resent = tokio::task::JoinSet::new();
    for req in in_flight.clone() {
        let rb = client
            .post(format!("{}{}", server.base, req.path))
            .bearer_auth(&token)
            .header("X-Tallyfy-Client", "APIClient")
            .header("Idempotency-Key", &req.key)
            .json(&req.body);
        resent.spawn(async move {
            let r = rb.send().await.expect("sent");
            (req.key, r.status().as_u16(), r.text().await.unwrap_or_default())
        });
    }
    let mut outcomes = std::collections::BTreeMap::<u16, usize>::new();
    while let Some(joined) = resent.join_next().await {
        let (key, status, body) = joined.expect("re-send");
        match status {
            200 | 201 => {}
            409 => assert!(
                body.contains("was interrupted before it answered"),
                "re-sent {key}: {body}"
            ),
            _ => panic!("re-sent {key}: {status} {body}"),
        }
        *outcomes.entry(status).or_default() += 1;
    }
    eprintln!("crash ({backend:?}): re-sent in-flight requests answered {outcomes:?}");

    // The store is consistent: no duplicates, no orphans, no half-applied write.
    let checks = [
        (
            "duplicate task numbers",
            "SELECT COUNT(*) FROM (SELECT increment_id FROM tasks GROUP BY org_id, increment_id HAVING COUNT(*) > 1) d",
        ),
        (
            "duplicate run numbers",
            "SELECT COUNT(*) FROM (SELECT increment_id FROM runs GROUP BY org_id, increment_id HAVING COUNT(*) > 1) d",
        ),
        (
            "duplicate tasks",
            "SELECT COUNT(*) FROM (SELECT title FROM tasks WHERE run_id IS NULL GROUP BY title HAVING COUNT(*) > 1) d",
        ),
        (
            "duplicate runs",
            "SELECT COUNT(*) FROM (SELECT name FROM runs GROUP BY name HAVING COUNT(*) > 1) d",
        ),
        (
            "orphan captures",
            "SELECT COUNT(*) FROM captures c WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = c.task_id)",
        ),
        (
            "orphan assignees",
            "SELECT COUNT(*) FROM task_users x WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = x.task_id)",
        ),
        (
            "orphan tag links",
            "SELECT COUNT(*) FROM tag_links l WHERE l.subject_type = 'Task' AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = l.subject_id)",
        ),
        (
            "tasks of missing runs",
            "SELECT COUNT(*) FROM tasks t WHERE t.run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = t.run_id)",
        ),
        (
            "half-written tasks",
            "SELECT COUNT(*) FROM tasks t WHERE t.title LIKE '%-k0' AND ((SELECT COUNT(*) FROM captures c WHERE c.task_id = t.id) <> 3 OR (SELECT COUNT(*) FROM task_users u WHERE u.task_id = t.id) <> 2 OR (SELECT COUNT(*) FROM tag_links l WHERE l.subject_id = t.id) <> 2)",
        ),
        (
            "half-written runs",
            "SELECT COUNT(*) FROM runs r WHERE r.name LIKE '%-k1' AND (SELECT COUNT(*) FROM tasks t WHERE t.run_id = r.id) <> 3",
        ),
        (
            "completions without a completed task",
            "SELECT COUNT(*) FROM tasks t WHERE t.completed_at IS NOT NULL AND t.status <> 'completed'",
        ),
    ];
    for (what, sql) in checks {
        assert_eq!(scalar(&url, sql).await, 0, "{what}");
    }
    let tasks = scalar(&url, "SELECT COUNT(*) FROM tasks").await;
    assert!(
        tasks as usize >= acks.len(),
        "at least every acknowledged task is stored"
    );
    // And the restarted server takes new writes, numbered after everything before the crash.
    let max = scalar(&url, "SELECT MAX(increment_id) FROM tasks").await;
    let r = client
        .post(format!("{}/organizations/acme/tasks", server.base))
        .bearer_auth(&token)
        .header("X-Tallyfy-Client", "APIClient")
        .json(&json!({"title": "After the crash"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 201);
    let t: Value = r.json().await.expect("json");
    assert!(t["data"]["increment_id"].as_i64().expect("number") > max);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A webhook receiver that takes 1.5 s to answer; counts requests begun and answered.
async fn slow_receiver() -> (String, Arc<Mutex<(usize, usize)>>) {
    let counts = Arc::new(Mutex::new((0, 0)));
    let shared = counts.clone();
    let app = axum::Router::new().fallback(move || {
        let shared = shared.clone();
        async move {
            shared.lock().expect("lock").0 += 1;
            tokio::time::sleep(Duration::from_millis(1500)).await;
            shared.lock().expect("lock").1 += 1;
            "ok"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, counts)
}

on_both!(sigterm_lets_a_delivery_in_flight_finish, backend);
async fn sigterm_lets_a_delivery_in_flight_finish(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (url, token) = (app.store_url(), app.token.clone());
    let _db = app.stop_keeping_db().await;
    let dir = std::env::temp_dir().join(format!("docket-term-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let log = dir.join("docket.log");
    let (hook, counts) = slow_receiver().await;
    let env = [
        ("DOCKET_WEBHOOK_ALLOW_PRIVATE", "1"),
        ("DOCKET_WEBHOOK_RETRY_BASE_MS", "50"),
    ];
    let mut server = Server::start_with(&url, &log, &env).await;
    let client = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        client
            .post(format!("{}{path}", server.base))
            .bearer_auth(&token)
            .header("X-Tallyfy-Client", "APIClient")
            .json(&body)
            .send()
    };
    let r = post("/organizations/acme/tasks", json!({"title": "Hooked", "webhook": hook}))
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 201);
    let task: Value = r.json().await.expect("json");
    let r = post(
        "/organizations/acme/completed-tasks",
        json!({"task_id": task["data"]["id"]}),
    )
    .await
    .expect("sent");
    assert_eq!(r.status().as_u16(), 200);
    let started = Instant::now();
    while counts.lock().expect("lock").0 == 0 {
        assert!(started.elapsed() < Duration::from_secs(20), "the delivery never began");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // SIGTERM while the receiver is still answering: docket waits for it, then exits 0.
    let exit = tokio::task::block_in_place(|| server.term());
    assert!(exit.success(), "exits 0 after draining: {exit:?}");
    assert_eq!(
        *counts.lock().expect("lock"),
        (1, 1),
        "the delivery in flight was answered before the exit"
    );

    // The attempt was recorded: after a restart the event is delivered, once, and not re-sent.
    let server = Server::start(&url, &log).await;
    let r = client
        .get(format!("{}/organizations/acme/webhook-events", server.base))
        .bearer_auth(&token)
        .header("X-Tallyfy-Client", "APIClient")
        .send()
        .await
        .expect("sent");
    let events: Value = r.json().await.expect("json");
    assert_eq!(events["data"][0]["status"], "delivered", "{events}");
    assert_eq!(events["data"][0]["attempt_count"], 1, "{events}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(counts.lock().expect("lock").0, 1, "nothing re-sent after the restart");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
