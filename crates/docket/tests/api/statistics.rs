//! SQLite's planner statistics: the server analyzes the database when it starts (and every few
//! minutes), so the planner knows that `org_id` selects a whole organization and `run_id` a few
//! rows. Without them it served a run's tasks by walking the organization's index (2.3 s for
//! one count at 100,000 tasks). A SQLite-only behaviour: PostgreSQL's autovacuum keeps its own.

use reqwest::Method;
use serde_json::json;
use sqlx::Connection;

use crate::support::{Backend, TestApp, fixtures};

async fn plan(url: &str, sql: &str) -> String {
    let mut c = sqlx::SqliteConnection::connect(url).await.expect("sqlite");
    let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(&format!("EXPLAIN QUERY PLAN {sql}"))
        .fetch_all(&mut c)
        .await
        .expect("plan");
    c.close().await.expect("close");
    rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join(" / ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_server_finds_a_runs_tasks_through_the_run_index() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    fixtures::seed_members(&app).await;
    let mut run = String::new();
    for i in 0..20 {
        let body = json!({"title": format!("Ship order {i}"), "owners": {"users": [1002, 1005]},
            "separate_task_for_each_assignee": true});
        let r = app.json(Method::POST, &app.org_path("/tasks"), body).await.expect(201);
        run = r.data()["run"]["id"].as_str().expect("run id").to_string();
    }
    let url = app.store_url();
    let first = app;
    // A second server on the same file: its start analyzes the tables the first one filled.
    let app = TestApp::spawn_on(&url, Backend::Sqlite, |_| {}).await;

    let analyzed = fixtures::count_rows(&app, "SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = $1", "tasks").await;
    assert!(analyzed > 0, "the tasks table has statistics after a start");
    let used = plan(
        &url,
        &format!("SELECT COUNT(*) FROM tasks t WHERE t.org_id = 'acme' AND t.run_id = '{run}'"),
    )
    .await;
    assert!(
        used.contains("tasks_run"),
        "a run's tasks are counted through tasks_run, not: {used}"
    );
    // And the API answers from it: the run's two tasks.
    let r = app.get(&app.org_path(&format!("/runs/{run}/tasks"))).await.expect(200);
    assert_eq!(r.data().as_array().map(Vec::len), Some(2));
    app.stop().await;
    first.stop().await;
}
