//! Fixtures several test files share: raw SQL on the test database (to arrange states no route
//! makes), tasks and runs made through the API, and the `docket` binary run as a command.

use std::collections::HashMap;
use std::process::Command;

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::Connection;

use super::{Backend, TestApp};

/// Runs one statement directly on the test database (to arrange states other routes own, such as
/// archived runs).
pub async fn exec_sql(app: &TestApp, sql: &str) {
    let url = app.store_url();
    match app.backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&url).await.expect("sqlite");
            sqlx::query(sql).execute(&mut c).await.expect("statement");
            c.close().await.expect("close");
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&url).await.expect("postgres");
            sqlx::query(sql).execute(&mut c).await.expect("statement");
            c.close().await.expect("close");
        }
    }
    // The server remembers list totals between writes it makes itself; this one it did not.
    app.store().forget_counts();
}

/// A standalone task; returns its id.
pub async fn standalone(app: &TestApp, title: &str, owners: Value) -> String {
    let r = app
        .json(
            Method::POST,
            &app.org_path("/tasks"),
            json!({"title": title, "owners": owners}),
        )
        .await
        .expect(201);
    r.data()["id"].as_str().expect("task id").to_string()
}

/// A run with one task assigned to 1005; returns (run id, task id).
pub async fn run_with_task(app: &TestApp, title: &str) -> (String, String) {
    let body = json!({"title": title, "owners": {"users": [1005]}, "separate_task_for_each_assignee": true});
    let r = app.json(Method::POST, &app.org_path("/tasks"), body).await.expect(201);
    let task = r.data()["id"].as_str().expect("task id").to_string();
    let run = r.data()["run"]["id"].as_str().expect("run id").to_string();
    (run, task)
}

/// Rows matching `sql` (one `$1` bound to `key`), read straight from the database.
pub async fn count_rows(app: &TestApp, sql: &str, key: &str) -> i64 {
    let url = app.store_url();
    match app.backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&url).await.expect("sqlite");
            sqlx::query_scalar::<_, i64>(sql)
                .bind(key)
                .fetch_one(&mut c)
                .await
                .expect("count")
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&url).await.expect("postgres");
            sqlx::query_scalar::<_, i64>(sql)
                .bind(key)
                .fetch_one(&mut c)
                .await
                .expect("count")
        }
    }
}

/// The text of each row of `sql` (one text column), bound to `key` as `$1`.
pub async fn text_rows(app: &TestApp, sql: &str, key: &str) -> Vec<String> {
    let url = app.store_url();
    match app.backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&url).await.expect("sqlite");
            sqlx::query_scalar::<_, String>(sql)
                .bind(key)
                .fetch_all(&mut c)
                .await
                .expect("rows")
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&url).await.expect("postgres");
            sqlx::query_scalar::<_, String>(sql)
                .bind(key)
                .fetch_all(&mut c)
                .await
                .expect("rows")
        }
    }
}

/// Members 1002 (standard), 1005 (standard, username `ann`) and 12345 (light); returns the
/// light member's token.
pub async fn seed_members(app: &TestApp) -> String {
    app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    app.add_member("acme", 1005, "ann@acme.test", "standard").await;
    app.add_member("acme", 12345, "joe@acme.test", "light").await.1
}

/// Creates a task as the admin and returns its data.
pub async fn create_task(app: &TestApp, body: Value) -> Value {
    app.json(Method::POST, "/organizations/acme/tasks", body)
        .await
        .expect(201)
        .data()
        .clone()
}

/// The task as stored, with its form fields and tags.
pub async fn read_task(app: &TestApp, id: &str) -> Value {
    app.get(&format!("/organizations/acme/tasks/{id}?with=form_fields,tags"))
        .await
        .expect(200)
        .data()
        .clone()
}

/// Capture ids by label.
pub fn capture_ids(task: &Value) -> HashMap<String, String> {
    task["form_fields"]["data"]
        .as_array()
        .expect("form_fields include")
        .iter()
        .map(|c| {
            (
                c["label"].as_str().expect("label").to_string(),
                c["id"].as_str().expect("id").to_string(),
            )
        })
        .collect()
}

/// Run task titles by position.
pub async fn run_titles(app: &TestApp, run_id: &str) -> Vec<(i64, String)> {
    let r = app
        .get(&format!("/organizations/acme/runs/{run_id}?with=tasks"))
        .await
        .expect(200);
    r.data()["tasks"]["data"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| {
            (
                t["position"].as_i64().expect("position"),
                t["title"].as_str().expect("title").to_string(),
            )
        })
        .collect()
}

/// Runs the binary; returns (exit code, stdout, stderr).
pub fn docket(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(args)
        .env_remove("DOCKET_DATABASE_URL")
        .env_remove("DOCKET_CONFIG")
        .env_remove("DOCKET_BOOTSTRAP")
        .output()
        .expect("docket runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
