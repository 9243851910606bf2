//! S1 `GET /organizations/{org}/search`: result types and their order, pages, `tags=true`, the
//! structured filter in every form, the 422s, visibility and archiving, and the SDK's searches.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::fixtures::exec_sql;
use crate::support::{Resp, TestApp};

mod filters;
mod results;
mod sdk_queries;
mod text_index;

/// 2030-01-01T10:00:00Z; the fixture's items are created one day apart from here.
const DAY1: i64 = 1_893_492_000_000;
const DAY: i64 = 86_400_000;

/// A search as `token` with `pairs` form-encoded into the query string.
async fn search_as(app: &TestApp, token: &str, pairs: &[(&str, &str)]) -> Resp {
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    app.send(app.request_as(token, Method::GET, &format!("/organizations/acme/search?{query}")))
        .await
}

async fn search(app: &TestApp, pairs: &[(&str, &str)]) -> Resp {
    search_as(app, &app.token, pairs).await
}

/// The `name` (process) or `title` (task) of each item of bucket `on`.
fn found(r: &Resp, on: &str) -> Vec<String> {
    let key = if on == "process" { "name" } else { "title" };
    r.body[on]["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no {on} bucket: {}", r.text))
        .iter()
        .map(|i| i[key].as_str().expect("name").to_string())
        .collect()
}

/// The process names found for `pairs` plus `search=e&on=process`.
async fn processes(app: &TestApp, pairs: &[(&str, &str)]) -> Vec<String> {
    let mut all = vec![("search", "e"), ("on", "process")];
    all.extend_from_slice(pairs);
    found(&search(app, &all).await.expect(200), "process")
}

/// A fan-out run created by `token`; returns (run id, task id).
async fn run_as(app: &TestApp, token: &str, name: &str, user: i64, extra: Value) -> (String, String) {
    let mut body = json!({"title": name, "separate_task_for_each_assignee": true, "owners": {"users": [user]}});
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
        r.data()["run_id"].as_str().expect("run").to_string(),
        r.data()["id"].as_str().expect("task").to_string(),
    )
}

struct Fixture {
    sam: String,
    ann: String,
    kim: String,
    quarterly_close: String,
    finance: String,
    books: String,
}

/// Members 1002 `sam` (standard), 1005 `ann` (light), 1007 `kim` (standard), and:
/// * runs `Quarterly close` (admin, summary "Year end books", task for 1002, tagged finance;
///   day 1), `Quarterly review` (sam, summary "Numbers check", task for 1005; day 2),
///   `Annual close` (sam, task for 1007; day 3), `Secret close` (admin, top-secret task for
///   1007; day 4), `Quarterly archive` (archived);
/// * standalone tasks `Close the books` (admin, a guest, tag urgent; day 5) and `Archived close`
///   (archived).
async fn fixture(app: &TestApp) -> Fixture {
    let (_, sam) = app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let (_, ann) = app.add_member("acme", 1005, "ann@acme.test", "light").await;
    let (_, kim) = app.add_member("acme", 1007, "kim@acme.test", "standard").await;
    let admin = app.token.clone();
    let r = app
        .json(
            Method::POST,
            "/organizations/acme/tags",
            json!({"title": "finance", "color": "#2ecc71"}),
        )
        .await
        .expect(201);
    let finance = r.data()["id"].as_str().expect("tag").to_string();

    let mut made = Vec::new();
    for (token, name, user, extra) in [
        (&admin, "Quarterly close", 1002, json!({"summary": "Year end books"})),
        (&sam, "Quarterly review", 1005, json!({"summary": "Numbers check"})),
        (&sam, "Annual close", 1007, json!({})),
        (&admin, "Secret close", 1007, json!({"top_secret": true})),
    ] {
        made.push(run_as(app, token, name, user, extra).await);
    }
    let (archived_run, _) = run_as(app, &admin, "Quarterly archive", 1002, json!({})).await;
    app.call(Method::DELETE, &format!("/organizations/acme/runs/{archived_run}"))
        .await
        .expect(200);
    app.json(
        Method::POST,
        "/organizations/acme/checklists/tags",
        json!({"tag_id": finance, "tag_type": "private", "subject_type": "Run", "subject_id": made[0].0}),
    )
    .await
    .expect(201);
    let r = app
        .json(
            Method::POST,
            "/organizations/acme/tasks",
            json!({"title": "Close the books", "owners": {"guests": ["client@partner.test"]}, "tags": ["urgent"]}),
        )
        .await
        .expect(201);
    let books = r.data()["id"].as_str().expect("task").to_string();
    let r = app
        .json(
            Method::POST,
            "/organizations/acme/tasks",
            json!({"title": "Archived close"}),
        )
        .await
        .expect(201);
    let gone = r.data()["id"].as_str().expect("task").to_string();
    app.call(Method::DELETE, &format!("/organizations/acme/tasks/{gone}"))
        .await
        .expect(204);

    // Creation days 1…5.
    for (i, (run, task)) in made.iter().enumerate() {
        let at = DAY1 + DAY * i as i64;
        exec_sql(app, &format!("UPDATE runs SET created_at = {at} WHERE id = '{run}'")).await;
        exec_sql(app, &format!("UPDATE tasks SET created_at = {at} WHERE id = '{task}'")).await;
    }
    let at = DAY1 + DAY * 4;
    exec_sql(app, &format!("UPDATE tasks SET created_at = {at} WHERE id = '{books}'")).await;
    Fixture {
        sam,
        ann,
        kim,
        quarterly_close: made[0].0.clone(),
        finance,
        books,
    }
}
