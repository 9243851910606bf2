//! R1 `GET /organizations/{org}/runs`: every parameter alone and combined, every sort, the
//! 422s, pagination, visibility, and the query the SDK's get_organization_runs sends.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::fixtures::exec_sql;
use crate::support::{Backend, Resp, TestApp};

mod filters;
mod kept_deadlines;
mod ordering;
mod requests;

/// A fan-out run (one task per user) with `extra` merged into the create body, created with
/// `token`; returns the run id and its first task id.
async fn fan_out_as(app: &TestApp, token: &str, name: &str, users: &[i64], extra: Value) -> (String, String) {
    let mut body = json!({"title": name, "separate_task_for_each_assignee": true, "owners": {"users": users},
        "deadline": "2099-03-01T12:00:00Z"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let r = app
        .send(
            app.request_as(token, Method::POST, "/organizations/acme/tasks")
                .json(&body),
        )
        .await
        .expect(201);
    (
        r.data()["run_id"].as_str().expect("run id").to_string(),
        r.data()["id"].as_str().expect("task id").to_string(),
    )
}

async fn fan_out(app: &TestApp, name: &str, users: &[i64], extra: Value) -> (String, String) {
    fan_out_as(app, &app.token, name, users, extra).await
}

/// The ids of every task of a run, by position.
async fn run_tasks(app: &TestApp, run: &str) -> Vec<String> {
    let r = app
        .get(&format!("/organizations/acme/runs/{run}/tasks?without_pagination=true"))
        .await
        .expect(200);
    r.data()
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| t["id"].as_str().expect("id").to_string())
        .collect()
}

async fn group(app: &TestApp, name: &str, members: &[i64]) -> String {
    let r = app
        .json(
            Method::POST,
            "/organizations/acme/groups",
            json!({"name": name, "members": members}),
        )
        .await
        .expect(201);
    r.data()["id"].as_str().expect("group id").to_string()
}

async fn tag(app: &TestApp, title: &str) -> String {
    let r = app
        .json(
            Method::POST,
            "/organizations/acme/tags",
            json!({"title": title, "color": "#3498db"}),
        )
        .await
        .expect(201);
    r.data()["id"].as_str().expect("tag id").to_string()
}

async fn tag_run(app: &TestApp, tag_id: &str, run: &str) {
    app.json(
        Method::POST,
        "/organizations/acme/checklists/tags",
        json!({"tag_id": tag_id, "tag_type": "private", "subject_type": "Run", "subject_id": run}),
    )
    .await
    .expect(201);
}

fn names(r: &Resp) -> Vec<String> {
    r.data()
        .as_array()
        .unwrap_or_else(|| panic!("a list: {}", r.text))
        .iter()
        .map(|t| t["name"].as_str().expect("name").to_string())
        .collect()
}

/// The names R1 lists for `query`, as the admin.
async fn list(app: &TestApp, query: &str) -> Vec<String> {
    names(&app.get(&format!("/organizations/acme/runs?{query}")).await.expect(200))
}

/// The names R1 lists for `query`, as `token`.
async fn list_as(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let r = app
        .send(app.request_as(token, Method::GET, &format!("/organizations/acme/runs?{query}")))
        .await
        .expect(200);
    names(&r)
}

/// The runs of the parameter tests, by name.
struct Fixture {
    alpha: String,
    beta: String,
    gamma: String,
    delta: String,
    zeta: String,
    g1: String,
    g2: String,
    finance: String,
    ops: String,
    misc: String,
    ann: String,
}

/// Six runs, created in this order (so `-created_at` lists them newest first):
/// * `Alpha close`: task for 1002, tagged `finance`, starred, a form field; due 2099-01-05.
/// * `Beta audit`: tasks for 1005 and 1007, both completed (status complete), tagged `ops`;
///   due 2099-01-03.
/// * `Gamma review`: task for 1002 plus a task for group G1 (member 1005) with a problem
///   (status problem); due 2099-01-04.
/// * `delta plan`: task for 1007 with an improvement comment; owner 1005; run-level group G2;
///   due 2099-01-01.
/// * `Epsilon archive`: task for 1002; archived.
/// * `Zeta late`: task for 1002, due 2020-01-01 (delayed).
///
/// 1002 standard, 1005 light (`ann`), 1007 standard.
async fn fixture(app: &TestApp) -> Fixture {
    app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let (_, ann) = app.add_member("acme", 1005, "ann@acme.test", "light").await;
    app.add_member("acme", 1007, "kim@acme.test", "standard").await;
    let g1 = group(app, "Reviewers", &[1005]).await;
    let g2 = group(app, "Planners", &[1002]).await;
    let finance = tag(app, "finance").await;
    let ops = tag(app, "ops").await;

    let form = json!([{"label": "Amount", "field_type": "text", "required": false}]);
    let (alpha, _) = fan_out(
        app,
        "Alpha close",
        &[1002],
        json!({"deadline": "2099-01-05T00:00:00Z", "form_fields": form}),
    )
    .await;
    tag_run(app, &finance, &alpha).await;
    app.json(
        Method::PUT,
        &format!("/organizations/acme/runs/{alpha}"),
        json!({"starred": true}),
    )
    .await
    .expect(200);

    let (beta, _) = fan_out(
        app,
        "Beta audit",
        &[1005, 1007],
        json!({"deadline": "2099-01-03T00:00:00Z"}),
    )
    .await;
    for task in run_tasks(app, &beta).await {
        app.json(
            Method::POST,
            &format!("/organizations/acme/runs/{beta}/completed-tasks"),
            json!({"task_id": task}),
        )
        .await
        .expect(200);
    }
    tag_run(app, &ops, &beta).await;

    let (gamma, _) = fan_out(
        app,
        "Gamma review",
        &[1002],
        json!({"deadline": "2099-01-04T00:00:00Z"}),
    )
    .await;
    let r = app
        .json(
            Method::POST,
            "/organizations/acme/tasks",
            json!({"title": "Group check", "run_id": gamma, "owners": {"groups": [g1]}, "deadline": "2099-01-02T00:00:00Z"}),
        )
        .await
        .expect(201);
    let group_task = r.data()["id"].as_str().expect("task").to_string();
    app.json(
        Method::POST,
        &format!("/organizations/acme/tasks/{group_task}/problem"),
        json!({"content": "Blocked"}),
    )
    .await
    .expect(201);

    let (delta, delta_task) = fan_out(app, "delta plan", &[1007], json!({"deadline": "2099-01-01T00:00:00Z"})).await;
    app.json(
        Method::POST,
        &format!("/organizations/acme/tasks/{delta_task}/comment"),
        json!({"content": "Could be faster", "label": "improvement"}),
    )
    .await
    .expect(201);
    app.json(
        Method::PUT,
        &format!("/organizations/acme/runs/{delta}"),
        json!({"owner_id": 1005, "groups": [g2]}),
    )
    .await
    .expect(200);

    let (epsilon, _) = fan_out(app, "Epsilon archive", &[1002], json!({})).await;
    app.call(Method::DELETE, &format!("/organizations/acme/runs/{epsilon}"))
        .await
        .expect(200);

    let (zeta, _) = fan_out(
        app,
        "Zeta late",
        &[1002],
        json!({"deadline": "2020-01-01T00:00:00Z", "started_at": "2019-12-01"}),
    )
    .await;

    let misc = app
        .get(&format!("/organizations/acme/runs/{alpha}"))
        .await
        .expect(200)
        .data()["checklist_id"]
        .as_str()
        .expect("checklist id")
        .to_string();
    let states: Vec<(String, String)> = app
        .get("/organizations/acme/runs?archived=true")
        .await
        .expect(200)
        .data()
        .as_array()
        .expect("runs")
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("Zeta late", "active"),
        ("Epsilon archive", "archived"),
        ("delta plan", "active"),
        ("Gamma review", "problem"),
        ("Beta audit", "complete"),
        ("Alpha close", "active"),
    ];
    assert_eq!(
        states,
        expected.map(|(n, s)| (n.to_string(), s.to_string())),
        "the fixture's statuses"
    );
    Fixture {
        alpha,
        beta,
        gamma,
        delta,
        zeta,
        g1,
        g2,
        finance,
        ops,
        misc,
        ann,
    }
}

const ALL: [&str; 5] = ["Zeta late", "delta plan", "Gamma review", "Beta audit", "Alpha close"];
