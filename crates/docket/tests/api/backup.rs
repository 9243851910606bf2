//! `docket backup` (issue 6): a consistent online copy of a SQLite database made while writers
//! keep creating tasks through the API; refusals with clear errors.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use sqlx::{Connection, Row};

use crate::support::fixtures::docket;
use crate::support::{Backend, TestApp};

const WRITERS: usize = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_under_write_load_is_consistent_and_has_every_acknowledged_task() {
    let app = Arc::new(TestApp::spawn_with(Backend::Sqlite, |c| c.rate_limit = 0).await);
    let url = app.store_url();
    // Some bulk first, so that the copy takes a while.
    let (code, _, err) = docket(&[
        "admin",
        "seed-demo",
        "--org",
        "bulk",
        "--tasks",
        "3000",
        "--json",
        "--database-url",
        &url,
    ]);
    assert_eq!(code, 0, "{err}");

    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let failed = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = tokio::task::JoinSet::new();
    for w in 0..WRITERS {
        let (app, acked, failed, stop) = (app.clone(), acked.clone(), failed.clone(), stop.clone());
        writers.spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let r = app
                    .json(
                        Method::POST,
                        "/organizations/acme/tasks",
                        json!({"title": format!("w{w}-{n}"), "tags": ["load"]}),
                    )
                    .await;
                if r.status == 201 {
                    acked.lock().unwrap().push(r.data()["id"].as_str().unwrap().to_string());
                } else {
                    failed.lock().unwrap().push(format!("{}: {}", r.status, r.text));
                }
            }
        });
    }
    let started = Instant::now();
    while acked.lock().unwrap().len() < 20 {
        assert!(started.elapsed() < Duration::from_secs(60), "writers too slow");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    let file = std::env::temp_dir()
        .join("docket-tests")
        .join(format!("{}-backup.db", uuid::Uuid::new_v4().simple()));
    let before: Vec<String> = acked.lock().unwrap().clone();
    let path = file.to_str().unwrap().to_string();
    let (code, out, err) = {
        let (path, url) = (path.clone(), url.clone());
        tokio::task::spawn_blocking(move || docket(&["backup", "--to", &path, "--database-url", &url]))
            .await
            .unwrap()
    };
    let during = acked.lock().unwrap().len() - before.len();
    assert_eq!(code, 0, "backup failed: {err}");
    assert!(out.contains("backed up"), "{out}");
    eprintln!(
        "backup: {} tasks acknowledged before it started, {during} while it ran",
        before.len()
    );
    // The writers keep going after it, too.
    let mark = acked.lock().unwrap().len();
    while acked.lock().unwrap().len() < mark + 10 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "writers stalled after the backup"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stop.store(true, Ordering::Relaxed);
    while writers.join_next().await.is_some() {}
    let failed = failed.lock().unwrap().clone();
    assert!(failed.is_empty(), "writes failed during the backup: {failed:?}");

    // The copy opens, is intact, and holds every task acknowledged before the backup began.
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{path}?mode=ro"))
        .await
        .unwrap();
    let check: String = sqlx::query("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get(0);
    assert_eq!(check, "ok");
    let ids: std::collections::HashSet<String> = sqlx::query_scalar("SELECT id FROM tasks")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .collect();
    let missing: Vec<&String> = before.iter().filter(|id| !ids.contains(*id)).collect();
    assert!(
        missing.is_empty(),
        "acknowledged before the backup, missing from it: {missing:?}"
    );
    assert!(ids.len() >= 3000 + before.len());
    let orphans: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tag_links l WHERE l.subject_type = 'Task' AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = l.subject_id)").fetch_one(&mut conn).await.unwrap();
    assert_eq!(orphans, 0, "no half-written task in the copy");
    conn.close().await.unwrap();

    // A server started on the copy serves those tasks.
    let restored = TestApp::spawn_on(&format!("sqlite://{path}"), Backend::Sqlite, |_| {}).await;
    restored
        .get(&format!("/organizations/acme/tasks/{}", before[0]))
        .await
        .expect(200);
    restored.stop().await;

    // An existing file is never overwritten; PostgreSQL is pointed to pg_dump.
    let (code, _, err) = docket(&["backup", "--to", &path, "--database-url", &url]);
    assert_eq!(code, 1);
    assert!(err.contains("already exists"), "{err}");
    let (code, _, err) = docket(&[
        "backup",
        "--to",
        &format!("{path}.pg"),
        "--database-url",
        "postgres://nobody@127.0.0.1:1/none",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("pg_dump"), "{err}");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
    match Arc::try_unwrap(app) {
        Ok(app) => app.stop().await,
        Err(_) => panic!("writers still hold the app"),
    }
}
