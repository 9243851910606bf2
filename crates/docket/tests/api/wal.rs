//! SQLite's write-ahead log stays bounded under sustained writes: the background checkpointer
//! copies it, and the writer's own checkpoint lets the log start afresh (without the latter it
//! grows by every commit, 900 MB in ten seconds of creates at full speed).

use reqwest::Method;
use serde_json::json;

use crate::support::{Backend, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_stays_small_however_many_creates_come_in() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.rate_limit = 0).await;
    app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let url = app.store_url();
    let path = url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .expect("path")
        .to_string();
    let wal = format!("{path}-wal");
    let mut largest = 0;
    for i in 0..1600 {
        let body = json!({"title": format!("Task {i}"), "owners": {"users": [1002]}});
        app.json(Method::POST, "/organizations/acme/tasks", body)
            .await
            .expect(201);
        if i % 100 == 99 {
            largest = largest.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
        }
    }
    // 1,600 creates write about 80 MB of log pages; a checkpointed log restarts at the writer's
    // threshold of 10,000 pages (40 MiB) at the latest.
    assert!(largest > 0, "the database is in WAL mode");
    assert!(largest < 48 << 20, "the log reached {largest} bytes");
    app.stop().await;
}
