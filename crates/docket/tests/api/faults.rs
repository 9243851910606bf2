//! Database faults answer what they are: a full disk 507 (and `/ready` 503) until space is
//! back, without a restart; a database that is restarting or read-only 503 with `Retry-After`.
//! Never a 500, and no acknowledged write is lost.

use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use sqlx::Connection;

use crate::support::{Backend, TestApp};

/// A tmpfs of `size` mounted on a fresh directory, unmounted on drop.
struct SmallDisk {
    dir: PathBuf,
}

impl SmallDisk {
    /// `None` (with the reason printed) where mounting is not possible: not root, or no
    /// permission in this container. On CI (which runs as root) that fails the test instead.
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = std::env::temp_dir().join(format!("docket-full-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("mount point");
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .output();
        let on_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
        match out {
            Ok(o) if o.status.success() => Some(SmallDisk { dir }),
            Ok(o) if on_ci => panic!(
                "CI runs as root and must mount a tmpfs: {}",
                String::from_utf8_lossy(&o.stderr)
            ),
            Err(e) if on_ci => panic!("CI must be able to run mount: {e}"),
            Ok(o) => {
                eprintln!(
                    "NOTICE: skipping the full-disk test: cannot mount a tmpfs (needs root): {}",
                    String::from_utf8_lossy(&o.stderr).trim()
                );
                None
            }
            Err(e) => {
                eprintln!("NOTICE: skipping the full-disk test: cannot run mount: {e}");
                None
            }
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// Creates tasks from `writers` concurrent clients until every writer has seen `refusals`
/// answers in a row that are not 201, and returns the ids acknowledged with 201 and every
/// other status seen.
async fn write_until_refused(app: &TestApp, writers: usize, refusals: usize, pad: usize) -> (Vec<String>, Vec<u16>) {
    let acked = Arc::new(Mutex::new(Vec::new()));
    let other = Arc::new(Mutex::new(Vec::new()));
    let client = reqwest::Client::new();
    let url = format!("{}/organizations/acme/tasks", app.base);
    let mut handles = Vec::new();
    for w in 0..writers {
        let (acked, other, client, url, token) = (
            acked.clone(),
            other.clone(),
            client.clone(),
            url.clone(),
            app.token.clone(),
        );
        handles.push(tokio::spawn(async move {
            let mut refused = 0;
            let started = Instant::now();
            let mut i = 0;
            while refused < refusals {
                assert!(started.elapsed() < Duration::from_secs(60), "the disk never filled");
                i += 1;
                let body = json!({"title": format!("w{w} n{i}"), "summary": "x".repeat(pad)});
                let r = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("X-Tallyfy-Client", "t")
                    .json(&body)
                    .send()
                    .await
                    .expect("answered");
                let status = r.status().as_u16();
                let v: serde_json::Value = r.json().await.unwrap_or_default();
                if status == 201 {
                    refused = 0;
                    acked
                        .lock()
                        .unwrap()
                        .push(v["data"]["id"].as_str().unwrap().to_string());
                } else {
                    refused += 1;
                    assert_eq!(status, 507, "a full disk answers 507, never anything else: {v}");
                    assert_eq!(v["code"], "INSUFFICIENT_STORAGE", "{v}");
                    assert!(v["message"].as_str().unwrap().contains("storage is full"), "{v}");
                    other.lock().unwrap().push(status);
                }
            }
        }));
    }
    for h in handles {
        h.await.expect("writer");
    }
    let acked = acked.lock().unwrap().clone();
    let other = other.lock().unwrap().clone();
    (acked, other)
}

async fn ready_status(app: &TestApp) -> u16 {
    reqwest::get(format!("{}/ready", app.base))
        .await
        .expect("ready")
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_answers_507_and_recovers_without_a_restart_sqlite() {
    let Some(disk) = SmallDisk::mount("5m") else { return };
    // A filler the test deletes to give space back.
    let filler = disk.dir.join("filler");
    std::fs::write(&filler, vec![7u8; 1536 * 1024]).expect("filler");
    let db = disk.dir.join("docket.db");
    let url = format!("sqlite://{}", db.display());
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.database_url = url.clone();
        c.rate_limit = 0;
    })
    .await;
    assert_eq!(ready_status(&app).await, 200);

    let (acked, refused) = write_until_refused(&app, 4, 5, 2000).await;
    assert!(
        !acked.is_empty() && !refused.is_empty(),
        "{} acknowledged, {} refused",
        acked.len(),
        refused.len()
    );
    eprintln!("full disk: {} acknowledged, {} refused", acked.len(), refused.len());
    assert_eq!(ready_status(&app).await, 503, "not ready while writes cannot succeed");
    // Reads still work.
    app.get("/organizations/acme/tasks?per_page=1").await.expect(200);

    // Space comes back: ready again and writes accepted, without a restart.
    std::fs::remove_file(&filler).expect("free space");
    assert_eq!(ready_status(&app).await, 200);
    let r = app
        .json(Method::POST, "/organizations/acme/tasks", json!({"title": "After"}))
        .await
        .expect(201);
    let after = r.data()["id"].as_str().unwrap().to_string();
    app.stop().await;

    // Nothing acknowledged was lost, and the file is sound.
    let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("open");
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .expect("check");
    assert_eq!(check, "ok");
    for id in acked.iter().chain([&after]) {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM tasks WHERE id = ?")
            .bind(id)
            .fetch_one(&mut conn)
            .await
            .expect("count");
        assert_eq!(n, 1, "acknowledged task {id} is stored");
    }
    let _ = conn.close().await;
    drop(disk);
}

/// Runs `sql` on the PostgreSQL server as the test's administrator.
async fn pg_admin(sql: &str) {
    let admin = std::env::var("DOCKET_TEST_POSTGRES_URL").expect("admin url");
    let mut conn = sqlx::PgConnection::connect(&admin).await.expect("admin connects");
    sqlx::query(sql).execute(&mut conn).await.expect(sql);
    let _ = conn.close().await;
}

fn db_name(url: &str) -> &str {
    url.rsplit('/').next().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarting_or_read_only_database_answers_503_postgres() {
    Backend::require_postgres();
    let app = TestApp::spawn_with(Backend::Postgres, |c| c.rate_limit = 0).await;
    let name = db_name(&app.store_url()).to_string();
    let terminate = format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    );
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let statuses = Arc::new(Mutex::new(Vec::<u16>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (acked, statuses, stop) = (acked.clone(), statuses.clone(), stop.clone());
        let (base, token) = (app.base.clone(), app.token.clone());
        writers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                i += 1;
                let r = client
                    .post(format!("{base}/organizations/acme/tasks"))
                    .bearer_auth(&token)
                    .header("X-Tallyfy-Client", "t")
                    .json(&json!({"title": format!("w{w} n{i}")}))
                    .send()
                    .await
                    .expect("answered");
                let status = r.status().as_u16();
                let retry_after = r.headers().get("retry-after").cloned();
                let v: serde_json::Value = r.json().await.unwrap_or_default();
                match status {
                    201 => acked
                        .lock()
                        .unwrap()
                        .push(v["data"]["id"].as_str().unwrap().to_string()),
                    503 => {
                        assert_eq!(v["code"], "SERVICE_UNAVAILABLE", "{v}");
                        assert!(retry_after.is_some(), "503 carries Retry-After");
                    }
                    other => panic!("a database fault answered {other}, not 503: {v}"),
                }
                statuses.lock().unwrap().push(status);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Connections dropped under the writers (what a restart does to them).
    pg_admin(&terminate).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Read-only from now on for new connections; the old ones are ended so the pool reconnects.
    pg_admin(&format!("ALTER DATABASE {name} SET default_transaction_read_only = on")).await;
    pg_admin(&terminate).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let r = app
        .json(Method::POST, "/organizations/acme/tasks", json!({"title": "Refused"}))
        .await
        .expect(503);
    assert!(r.header("retry-after").is_some(), "{:?}", r.headers);
    assert_eq!(ready_status(&app).await, 503, "a read-only database is not ready");
    app.get("/organizations/acme/tasks?per_page=1").await.expect(200);
    // Writable again: accepted again.
    pg_admin(&format!(
        "ALTER DATABASE {name} SET default_transaction_read_only = off"
    ))
    .await;
    pg_admin(&terminate).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in writers {
        w.await.expect("writer");
    }
    assert_eq!(ready_status(&app).await, 200);
    let r = app
        .json(Method::POST, "/organizations/acme/tasks", json!({"title": "After"}))
        .await
        .expect(201);
    let statuses = statuses.lock().unwrap().clone();
    assert!(statuses.contains(&503), "the faults were seen by the writers");
    let mut acked = acked.lock().unwrap().clone();
    acked.push(r.data()["id"].as_str().unwrap().to_string());
    let store_url = app.store_url();
    let mut conn = sqlx::PgConnection::connect(&store_url).await.expect("connect");
    for id in &acked {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM tasks WHERE id = $1")
            .bind(id)
            .fetch_one(&mut conn)
            .await
            .expect("count");
        assert_eq!(n, 1, "acknowledged task {id} is stored");
    }
    let _ = conn.close().await;
    app.stop().await;
}
