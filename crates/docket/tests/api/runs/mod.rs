//! Run writes (R3 update, R4 archive, R5 activate, R6 permanent delete, R8 launch, R9/R10
//! kick-off) and R7, the tasks of a run with their filters, sorts and pages.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::fixtures::count_rows;
use crate::support::{Backend, Resp, TestApp};

mod edits;
mod lifecycle;
mod tasks;

/// 1002 standard, 1005 light, 1007 standard.
async fn seed(app: &TestApp) -> (String, String, String) {
    let (_, sam) = app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let (_, ann) = app.add_member("acme", 1005, "ann@acme.test", "light").await;
    let (_, kim) = app.add_member("acme", 1007, "kim@acme.test", "standard").await;
    (sam, ann, kim)
}

/// A fan-out run (one task per user) with `extra` merged into the create body; returns the
/// run id and its task ids by position.
async fn fan_out(app: &TestApp, title: &str, users: &[i64], extra: Value) -> (String, Vec<String>) {
    let mut body = json!({"title": title, "separate_task_for_each_assignee": true, "owners": {"users": users},
        "deadline": "2099-03-01T12:00:00Z"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let r = app
        .json(Method::POST, "/organizations/acme/tasks", body)
        .await
        .expect(201);
    let run_id = r.data()["run_id"].as_str().expect("run id").to_string();
    let ids = task_ids(
        &app.get(&format!("/organizations/acme/runs/{run_id}?with=tasks"))
            .await
            .expect(200)
            .data()["tasks"],
    );
    (run_id, ids)
}

/// Adds one task to a run (at the end); returns its id.
async fn add_task(app: &TestApp, run_id: &str, body: Value) -> String {
    let mut body = body;
    body["run_id"] = json!(run_id);
    let r = app
        .json(Method::POST, "/organizations/acme/tasks", body)
        .await
        .expect(201);
    r.data()["id"].as_str().expect("task id").to_string()
}

fn task_ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .expect("task list")
        .iter()
        .map(|t| t["id"].as_str().expect("id").to_string())
        .collect()
}

fn titles(r: &Resp) -> Vec<String> {
    r.data()
        .as_array()
        .expect("list")
        .iter()
        .map(|t| t["title"].as_str().expect("title").to_string())
        .collect()
}
