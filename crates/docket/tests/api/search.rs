//! S1 `GET /organizations/{org}/search`: result types and their order, pages, `tags=true`, the
//! structured filter in every form, the 422s, visibility and archiving, and the SDK's searches.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::fixtures::exec_sql;
use crate::support::{Resp, TestApp};

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

on_both!(result_types_come_back_in_the_requested_order);
async fn result_types_come_back_in_the_requested_order(app: &TestApp) {
    fixture(app).await;
    let keys = |r: &Resp| r.body.as_object().expect("object").keys().cloned().collect::<Vec<_>>();
    // Default: process only.
    let r = search(app, &[("search", "close")]).await.expect(200);
    assert_eq!(keys(&r), ["process"]);
    assert_eq!(
        found(&r, "process"),
        ["Secret close", "Annual close", "Quarterly close"]
    );
    let r = search(app, &[("search", "close"), ("on", "")]).await.expect(200);
    assert_eq!(keys(&r), ["process"]);
    let r = search(app, &[("search", "close"), ("on", "task")]).await.expect(200);
    assert_eq!(keys(&r), ["task"]);
    assert_eq!(
        found(&r, "task"),
        ["Close the books", "Secret close", "Annual close", "Quarterly close"]
    );
    let r = search(app, &[("search", "close"), ("on", "task,process")])
        .await
        .expect(200);
    assert_eq!(keys(&r), ["task", "process"]);
    assert_eq!((found(&r, "task").len(), found(&r, "process").len()), (4, 3));
    let r = search(app, &[("search", "close"), ("on", "process, task,process")])
        .await
        .expect(200);
    assert_eq!(keys(&r), ["process", "task"]);
    // Every type; the ones docket has nothing of are empty lists with their meta.
    let r = search(
        app,
        &[
            ("search", "close"),
            ("on", "blueprint,process,task,snippet,capture,step"),
        ],
    )
    .await
    .expect(200);
    assert_eq!(keys(&r), ["blueprint", "process", "task", "snippet", "capture", "step"]);
    for empty in ["blueprint", "snippet", "capture", "step"] {
        assert_eq!(r.body[empty]["data"], json!([]), "{empty}");
        assert_eq!(
            r.body[empty]["meta"]["pagination"],
            json!({"total": 0, "count": 0, "per_page": 20, "current_page": 1, "total_pages": 1,
            "links": {"next": null, "prev": null, "previous": null}})
        );
    }
    let r = search(app, &[("search", "close"), ("on", "Step,BLUEPRINT")])
        .await
        .expect(200);
    assert_eq!(keys(&r), ["step", "blueprint"]);
    // q is an alias of search.
    let r = search(app, &[("q", "review"), ("on", "process")]).await.expect(200);
    assert_eq!(found(&r, "process"), ["Quarterly review"]);
    // Wildcards are literal.
    let r = search(app, &[("search", "%"), ("on", "process,task")])
        .await
        .expect(200);
    assert_eq!(
        (
            r.body["process"]["meta"]["pagination"]["total"].as_i64(),
            r.body["task"]["meta"]["pagination"]["total"].as_i64()
        ),
        (Some(0), Some(0))
    );
    // Unknown organization, outsiders.
    app.get("/organizations/nowhere/search?search=x").await.expect(404);
}

on_both!(items_have_the_search_result_shapes);
async fn items_have_the_search_result_shapes(app: &TestApp) {
    let f = fixture(app).await;
    let r = search(app, &[("search", "QUARTERLY CLOSE"), ("on", "process,task")])
        .await
        .expect(200);
    let p = r.body["process"]["data"][0].as_object().expect("process item").clone();
    let mut keys: Vec<&str> = p.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "checklist_id",
            "checklist_title",
            "created_at",
            "due_date_passed",
            "due_soon",
            "folders",
            "id",
            "increment_id",
            "name",
            "organization_id",
            "status",
            "title",
            "type"
        ]
    );
    assert_eq!(
        (p["id"].as_str(), p["name"].as_str(), p["title"].as_str()),
        (
            Some(f.quarterly_close.as_str()),
            Some("Quarterly close"),
            Some("Quarterly close")
        )
    );
    assert_eq!(
        (
            p["status"].as_str(),
            p["type"].as_str(),
            p["checklist_title"].as_str(),
            p["organization_id"].as_str()
        ),
        (Some("active"), Some("procedure"), Some("MISC"), Some("acme"))
    );
    assert_eq!(
        (
            p["created_at"].as_str(),
            p["folders"].clone(),
            p["due_date_passed"].as_bool(),
            p["due_soon"].as_bool()
        ),
        (Some("2030-01-01T10:00:00.000Z"), json!([]), Some(false), Some(false))
    );
    let run = app
        .get(&format!("/organizations/acme/runs/{}", f.quarterly_close))
        .await
        .expect(200);
    assert_eq!(
        (p["increment_id"].clone(), p["checklist_id"].clone()),
        (run.data()["increment_id"].clone(), run.data()["checklist_id"].clone())
    );

    let t = r.body["task"]["data"][0].as_object().expect("task item").clone();
    let mut keys: Vec<&str> = t.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "created_at",
            "deadline",
            "folders",
            "id",
            "increment_id",
            "is_oneoff_task",
            "owners",
            "position",
            "run_id",
            "starter_id",
            "status",
            "status_label",
            "title"
        ]
    );
    assert_eq!(
        (
            t["title"].as_str(),
            t["run_id"].as_str(),
            t["position"].as_i64(),
            t["starter_id"].as_i64()
        ),
        (
            Some("Quarterly close"),
            Some(f.quarterly_close.as_str()),
            Some(1),
            Some(1001)
        )
    );
    assert_eq!(
        (
            t["status"].as_str(),
            t["status_label"].as_str(),
            t["is_oneoff_task"].as_bool()
        ),
        (Some("not-started"), Some("not-started"), Some(true))
    );
    assert_eq!(
        t["owners"],
        json!({"users": [1002], "guests": [], "groups": [], "taskUrls": []})
    );

    // A standalone task with a guest: run_id null, one task URL per guest.
    let r = search(app, &[("search", "books"), ("on", "task")]).await.expect(200);
    let t = &r.body["task"]["data"][0];
    assert_eq!(
        (t["id"].as_str(), t["run_id"].clone()),
        (Some(f.books.as_str()), Value::Null)
    );
    assert_eq!(t["owners"]["guests"], json!(["client@partner.test"]));
    let url = t["owners"]["taskUrls"][0].as_str().expect("task url");
    assert!(
        url.contains("/guest/") && url.ends_with(&format!("/tasks/{}", f.books)),
        "{url}"
    );
    let full = app
        .get(&format!("/organizations/acme/tasks/{}", f.books))
        .await
        .expect(200);
    assert_eq!(t["owners"], full.data()["owners"]);
    assert_eq!(t["deadline"], full.data()["deadline"]);
}

on_both!(pages_are_per_bucket_with_a_clamped_size);
async fn pages_are_per_bucket_with_a_clamped_size(app: &TestApp) {
    fixture(app).await;
    let r = search(app, &[("search", "close"), ("on", "process,task"), ("per_page", "1")])
        .await
        .expect(200);
    assert_eq!(
        (found(&r, "process"), found(&r, "task")),
        (vec!["Secret close".to_string()], vec!["Close the books".to_string()])
    );
    let p = &r.body["process"]["meta"]["pagination"];
    assert_eq!(
        (
            p["total"].as_i64(),
            p["count"].as_i64(),
            p["per_page"].as_i64(),
            p["current_page"].as_i64(),
            p["total_pages"].as_i64()
        ),
        (Some(3), Some(1), Some(1), Some(1), Some(3))
    );
    assert!(
        p["links"]["next"]
            .as_str()
            .is_some_and(|l| l.contains("/organizations/acme/search?") && l.ends_with("&page=2")),
        "{p}"
    );
    assert_eq!(r.body["task"]["meta"]["pagination"]["total_pages"], 4);
    let r = search(
        app,
        &[
            ("search", "close"),
            ("on", "process,task"),
            ("per_page", "1"),
            ("page", "3"),
        ],
    )
    .await
    .expect(200);
    assert_eq!(
        (found(&r, "process"), found(&r, "task")),
        (vec!["Quarterly close".to_string()], vec!["Annual close".to_string()])
    );
    assert!(
        r.body["process"]["meta"]["pagination"]["links"]["prev"]
            .as_str()
            .is_some_and(|l| l.ends_with("page=2"))
    );
    let r = search(
        app,
        &[
            ("search", "close"),
            ("on", "process,task"),
            ("per_page", "2"),
            ("page", "5"),
        ],
    )
    .await
    .expect(200);
    assert_eq!(
        (
            found(&r, "process").len(),
            r.body["task"]["meta"]["pagination"]["total"].as_i64()
        ),
        (0, Some(4))
    );
    // Default 20; above 100 is clamped; below 1 is refused.
    let r = search(app, &[("search", "close")]).await.expect(200);
    assert_eq!(r.body["process"]["meta"]["pagination"]["per_page"], 20);
    let r = search(app, &[("search", "close"), ("per_page", "500"), ("on", "task,step")])
        .await
        .expect(200);
    assert_eq!(
        (
            r.body["task"]["meta"]["pagination"]["per_page"].as_i64(),
            r.body["step"]["meta"]["pagination"]["per_page"].as_i64()
        ),
        (Some(100), Some(100))
    );
    assert_eq!(
        search(app, &[("search", "close"), ("per_page", "100")])
            .await
            .expect(200)
            .body["process"]["meta"]["pagination"]["per_page"],
        100
    );
    search(app, &[("search", "close"), ("per_page", "0")])
        .await
        .expect_invalid("per_page");
    search(app, &[("search", "close"), ("per_page", "ten")])
        .await
        .expect_invalid("per_page");
    search(app, &[("search", "close"), ("page", "0")])
        .await
        .expect_invalid("page");
}

on_both!(tags_true_adds_bare_tag_arrays);
async fn tags_true_adds_bare_tag_arrays(app: &TestApp) {
    let f = fixture(app).await;
    let r = search(app, &[("search", "close"), ("on", "process,task"), ("tags", "true")])
        .await
        .expect(200);
    let process = r.body["process"]["data"].as_array().expect("process").clone();
    assert_eq!(
        process[2]["tags"],
        json!([{"id": f.finance, "title": "finance", "color": "#2ecc71"}])
    );
    assert_eq!(
        (process[0]["tags"].clone(), process[1]["tags"].clone()),
        (json!([]), json!([]))
    );
    let tasks = r.body["task"]["data"].as_array().expect("tasks").clone();
    let urgent = &tasks[0]["tags"];
    assert_eq!(
        (
            urgent[0]["title"].as_str(),
            urgent[0]["color"].clone(),
            urgent.as_array().map(Vec::len)
        ),
        (Some("urgent"), Value::Null, Some(1))
    );
    assert!(urgent[0]["id"].as_str().is_some_and(|id| id.len() == 32));
    assert_eq!(tasks[1]["tags"], json!([]));
    // Absent or false: no tags key at all.
    for flag in [None, Some("false"), Some("0")] {
        let mut pairs = vec![("search", "close"), ("on", "process,task")];
        if let Some(v) = flag {
            pairs.push(("tags", v));
        }
        let r = search(app, &pairs).await.expect(200);
        assert!(
            r.body["process"]["data"][0].get("tags").is_none() && r.body["task"]["data"][0].get("tags").is_none(),
            "{}",
            r.text
        );
    }
    assert_eq!(
        search(app, &[("search", "close"), ("tags", "maybe")])
            .await
            .expect_invalid("tags"),
        "The tags field must be true or false."
    );
}

on_both!(archived_and_invisible_items_never_appear);
async fn archived_and_invisible_items_never_appear(app: &TestApp) {
    let f = fixture(app).await;
    // Archived runs, their tasks and archived standalone tasks are left out.
    let r = search(app, &[("search", "archive"), ("on", "process,task")])
        .await
        .expect(200);
    assert_eq!(
        (found(&r, "process"), found(&r, "task")),
        (Vec::<String>::new(), Vec::<String>::new())
    );
    let r = search(app, &[("search", "quarterly"), ("on", "process,task")])
        .await
        .expect(200);
    assert_eq!(found(&r, "process"), ["Quarterly review", "Quarterly close"]);
    assert_eq!(found(&r, "task"), ["Quarterly review", "Quarterly close"]);
    // The top-secret task: admins and its assignee see it; others do not, not even in counts.
    let all = ["Close the books", "Secret close", "Annual close", "Quarterly close"];
    let r = search_as(app, &f.kim, &[("search", "close"), ("on", "task")])
        .await
        .expect(200);
    assert_eq!(found(&r, "task"), all);
    for token in [&f.ann, &f.sam] {
        let r = search_as(app, token, &[("search", "close"), ("on", "task,process")])
            .await
            .expect(200);
        assert_eq!(
            found(&r, "task"),
            ["Close the books", "Annual close", "Quarterly close"]
        );
        assert_eq!(r.body["task"]["meta"]["pagination"]["total"], 3);
        // The run itself is visible to every member.
        assert_eq!(
            found(&r, "process"),
            ["Secret close", "Annual close", "Quarterly close"]
        );
        let r = search_as(
            app,
            token,
            &[("search", "close"), ("on", "task"), ("per_page", "1"), ("page", "2")],
        )
        .await
        .expect(200);
        assert_eq!(
            (
                found(&r, "task"),
                r.body["task"]["meta"]["pagination"]["total_pages"].as_i64()
            ),
            (vec!["Annual close".to_string()], Some(3))
        );
    }
    // Another organization's items never appear.
    let beta = app.add_org("beta", 2001).await;
    let r = app
        .send(app.request_as(
            &beta,
            Method::GET,
            "/organizations/beta/search?search=close&on=process,task",
        ))
        .await
        .expect(200);
    assert_eq!((found(&r, "process").len(), found(&r, "task").len()), (0, 0));
    app.send(app.request_as(&beta, Method::GET, "/organizations/acme/search?search=close"))
        .await
        .expect(403);
}

on_both!(a_single_filter_condition_with_each_operation);
async fn a_single_filter_condition_with_each_operation(app: &TestApp) {
    fixture(app).await;
    let all = ["Secret close", "Annual close", "Quarterly review", "Quarterly close"];
    assert_eq!(processes(app, &[]).await, all);
    let cond = |field: &'static str, op: &'static str, value: &'static str| {
        [
            ("filter[type]", "field"),
            ("filter[field]", field),
            ("filter[operation]", op),
            ("filter[value]", value),
        ]
    };
    // title: case-insensitive, every operation.
    assert_eq!(
        processes(app, &cond("title", "=", "QUARTERLY close")).await,
        ["Quarterly close"]
    );
    assert_eq!(
        processes(app, &cond("title", "<>", "quarterly close")).await,
        ["Secret close", "Annual close", "Quarterly review"]
    );
    assert_eq!(
        processes(app, &cond("title", "!=", "Quarterly Close")).await,
        ["Secret close", "Annual close", "Quarterly review"]
    );
    assert_eq!(processes(app, &cond("title", "<", "B")).await, ["Annual close"]);
    assert_eq!(
        processes(app, &cond("title", ">", "quarterly close")).await,
        ["Secret close", "Quarterly review"]
    );
    assert_eq!(
        processes(app, &cond("title", "<=", "Quarterly Close")).await,
        ["Annual close", "Quarterly close"]
    );
    assert_eq!(
        processes(app, &cond("title", ">=", "secret close")).await,
        ["Secret close"]
    );
    // description (the run summary; none compares as empty text).
    assert_eq!(
        processes(app, &cond("description", "=", "year END books")).await,
        ["Quarterly close"]
    );
    assert_eq!(
        processes(app, &cond("description", "<>", "year end books")).await,
        ["Secret close", "Annual close", "Quarterly review"]
    );
    assert_eq!(
        processes(app, &cond("description", "=", "")).await,
        ["Secret close", "Annual close"]
    );
    assert_eq!(
        processes(app, &cond("description", ">", "o")).await,
        ["Quarterly close"]
    );
    // starter.
    assert_eq!(
        processes(app, &cond("starter", "=", "1002")).await,
        ["Annual close", "Quarterly review"]
    );
    assert_eq!(
        processes(app, &cond("starter", "!=", "1002")).await,
        ["Secret close", "Quarterly close"]
    );
    assert_eq!(
        processes(app, &cond("starter", "<", "1002")).await,
        ["Secret close", "Quarterly close"]
    );
    assert_eq!(
        processes(app, &cond("starter", ">", "1001")).await,
        ["Annual close", "Quarterly review"]
    );
    assert_eq!(
        processes(app, &cond("starter", "<=", "1001")).await,
        ["Secret close", "Quarterly close"]
    );
    assert_eq!(
        processes(app, &cond("starter", ">=", "1003")).await,
        Vec::<String>::new()
    );
    // date: the UTC day of created_at.
    assert_eq!(
        processes(app, &cond("date", "=", "2030-01-02")).await,
        ["Quarterly review"]
    );
    assert_eq!(
        processes(app, &cond("date", "<>", "2030-01-02")).await,
        ["Secret close", "Annual close", "Quarterly close"]
    );
    assert_eq!(
        processes(app, &cond("date", "<", "2030-01-02")).await,
        ["Quarterly close"]
    );
    assert_eq!(
        processes(app, &cond("date", "<=", "2030-01-02")).await,
        ["Quarterly review", "Quarterly close"]
    );
    assert_eq!(
        processes(app, &cond("date", ">", "2030-01-02")).await,
        ["Secret close", "Annual close"]
    );
    assert_eq!(
        processes(app, &cond("date", ">=", "2030-01-02")).await,
        ["Secret close", "Annual close", "Quarterly review"]
    );
    // type and operation default to field and =; field names ignore case.
    assert_eq!(
        processes(app, &[("filter[field]", "Title"), ("filter[value]", "annual close")]).await,
        ["Annual close"]
    );
    // The filter narrows the text search, never widens it.
    let r = search(
        app,
        &[
            ("search", "review"),
            ("filter[field]", "title"),
            ("filter[value]", "annual close"),
        ],
    )
    .await
    .expect(200);
    assert_eq!(found(&r, "process"), Vec::<String>::new());
    // Task fields: title and starter.
    let r = search(
        app,
        &[
            ("search", "e"),
            ("on", "task"),
            ("filter[field]", "starter"),
            ("filter[value]", "1002"),
        ],
    )
    .await
    .expect(200);
    assert_eq!(found(&r, "task"), ["Annual close", "Quarterly review"]);
    let r = search(
        app,
        &[
            ("search", "close"),
            ("on", "task"),
            ("filter[field]", "title"),
            ("filter[operation]", ">="),
            ("filter[value]", "Quarterly"),
        ],
    )
    .await
    .expect(200);
    assert_eq!(found(&r, "task"), ["Secret close", "Quarterly close"]);
    // One filter applied to both buckets; pagination counts the filtered items.
    let r = search(
        app,
        &[
            ("search", "close"),
            ("on", "process,task"),
            ("filter[field]", "starter"),
            ("filter[operation]", "<>"),
            ("filter[value]", "1002"),
        ],
    )
    .await
    .expect(200);
    assert_eq!(found(&r, "process"), ["Secret close", "Quarterly close"]);
    assert_eq!(
        found(&r, "task"),
        ["Close the books", "Secret close", "Quarterly close"]
    );
    assert_eq!(
        (
            r.body["process"]["meta"]["pagination"]["total"].as_i64(),
            r.body["task"]["meta"]["pagination"]["total"].as_i64()
        ),
        (Some(2), Some(3))
    );
}

on_both!(filter_groups_and_nested_groups);
async fn filter_groups_and_nested_groups(app: &TestApp) {
    fixture(app).await;
    // OR of two conditions.
    let or = [
        ("filter[0][type]", "boolean"),
        ("filter[0][value]", "OR"),
        ("filter[1][type]", "field"),
        ("filter[1][field]", "title"),
        ("filter[1][operation]", "="),
        ("filter[1][value]", "annual close"),
        ("filter[2][type]", "field"),
        ("filter[2][field]", "title"),
        ("filter[2][operation]", "="),
        ("filter[2][value]", "quarterly review"),
    ];
    assert_eq!(processes(app, &or).await, ["Annual close", "Quarterly review"]);
    // AND of two conditions (lower-case words are accepted).
    let and = [
        ("filter[0][type]", "boolean"),
        ("filter[0][value]", "and"),
        ("filter[1][field]", "starter"),
        ("filter[1][value]", "1002"),
        ("filter[2][field]", "date"),
        ("filter[2][operation]", ">="),
        ("filter[2][value]", "2030-01-03"),
    ];
    assert_eq!(processes(app, &and).await, ["Annual close"]);
    // A group of one.
    let one = [
        ("filter[0][type]", "boolean"),
        ("filter[0][value]", "AND"),
        ("filter[1][field]", "title"),
        ("filter[1][operation]", "!="),
        ("filter[1][value]", "secret close"),
    ];
    assert_eq!(
        processes(app, &one).await,
        ["Annual close", "Quarterly review", "Quarterly close"]
    );
    // OR(title = secret close, AND(starter = 1002, date = 2030-01-02)).
    let nested = [
        ("filter[0][type]", "boolean"),
        ("filter[0][value]", "OR"),
        ("filter[1][field]", "title"),
        ("filter[1][value]", "secret close"),
        ("filter[2][0][type]", "boolean"),
        ("filter[2][0][value]", "AND"),
        ("filter[2][1][field]", "starter"),
        ("filter[2][1][operation]", "="),
        ("filter[2][1][value]", "1002"),
        ("filter[2][2][field]", "date"),
        ("filter[2][2][operation]", "="),
        ("filter[2][2][value]", "2030-01-02"),
    ];
    assert_eq!(processes(app, &nested).await, ["Secret close", "Quarterly review"]);
    // AND(description <> "", OR(date < 2030-01-02, AND(starter >= 1002, title > "q"))).
    let deep = [
        ("filter[0][type]", "boolean"),
        ("filter[0][value]", "AND"),
        ("filter[1][field]", "description"),
        ("filter[1][operation]", "<>"),
        ("filter[1][value]", ""),
        ("filter[2][0][type]", "boolean"),
        ("filter[2][0][value]", "OR"),
        ("filter[2][1][field]", "date"),
        ("filter[2][1][operation]", "<"),
        ("filter[2][1][value]", "2030-01-02"),
        ("filter[2][2][0][type]", "boolean"),
        ("filter[2][2][0][value]", "AND"),
        ("filter[2][2][1][field]", "starter"),
        ("filter[2][2][1][operation]", ">="),
        ("filter[2][2][1][value]", "1002"),
        ("filter[2][2][2][field]", "title"),
        ("filter[2][2][2][operation]", ">"),
        ("filter[2][2][2][value]", "q"),
    ];
    assert_eq!(processes(app, &deep).await, ["Quarterly review", "Quarterly close"]);
    // Groups on the task bucket.
    let r = search(
        app,
        &[
            ("search", "close"),
            ("on", "task"),
            ("filter[0][type]", "boolean"),
            ("filter[0][value]", "OR"),
            ("filter[1][field]", "starter"),
            ("filter[1][value]", "1002"),
            ("filter[2][field]", "title"),
            ("filter[2][value]", "close the books"),
        ],
    )
    .await
    .expect(200);
    assert_eq!(found(&r, "task"), ["Close the books", "Annual close"]);
}

on_both!(bad_filters_and_parameters_are_422s);
async fn bad_filters_and_parameters_are_422s(app: &TestApp) {
    fixture(app).await;
    // search is required.
    for pairs in [
        vec![("on", "process")],
        vec![("search", "")],
        vec![("search", "   ")],
        vec![("q", "")],
    ] {
        assert_eq!(
            search(app, &pairs).await.expect_invalid("search"),
            "The search field is required."
        );
    }
    assert_eq!(
        search(app, &[("search", "x"), ("on", "process,folders")])
            .await
            .expect_invalid("on"),
        "The selected on is invalid."
    );
    search(app, &[("search", "x"), ("on", "runs")])
        .await
        .expect_invalid("on");
    // Unsupported fields, with each type's list.
    let r = search(
        app,
        &[
            ("search", "x"),
            ("on", "task"),
            ("filter[field]", "date"),
            ("filter[value]", "2030-01-01"),
        ],
    )
    .await;
    assert_eq!(
        r.expect_invalid("filter"),
        "The field date is not supported. Allowed fields: title, starter."
    );
    let r = search(
        app,
        &[
            ("search", "x"),
            ("on", "process,task"),
            ("filter[field]", "description"),
            ("filter[value]", "a"),
        ],
    )
    .await;
    assert_eq!(
        r.expect_invalid("filter"),
        "The field description is not supported. Allowed fields: title, starter."
    );
    let r = search(
        app,
        &[("search", "x"), ("filter[field]", "color"), ("filter[value]", "red")],
    )
    .await;
    assert_eq!(
        r.expect_invalid("filter"),
        "The field color is not supported. Allowed fields: title, description, starter, date."
    );
    assert_eq!(
        r.body["message"],
        "The field color is not supported. Allowed fields: title, description, starter, date."
    );
    let nested_bad = [
        ("search", "x"),
        ("filter[0][type]", "boolean"),
        ("filter[0][value]", "OR"),
        ("filter[1][field]", "title"),
        ("filter[1][value]", "a"),
        ("filter[2][0][type]", "boolean"),
        ("filter[2][0][value]", "AND"),
        ("filter[2][1][field]", "owner"),
        ("filter[2][1][value]", "1"),
    ];
    assert!(
        search(app, &nested_bad)
            .await
            .expect_invalid("filter")
            .starts_with("The field owner is not supported.")
    );
    // Malformed filters.
    let malformed: Vec<Vec<(&str, &str)>> = vec![
        vec![("filter", "title=x")],
        vec![("filter[field]", "title")],
        vec![("filter[value]", "x")],
        vec![
            ("filter[field]", "title"),
            ("filter[operation]", "LIKE"),
            ("filter[value]", "x"),
        ],
        vec![("filter[type]", "boolean"), ("filter[value]", "AND")],
        vec![
            ("filter[type]", "range"),
            ("filter[field]", "title"),
            ("filter[value]", "x"),
        ],
        vec![("filter[0][type]", "boolean"), ("filter[0][value]", "AND")],
        vec![
            ("filter[0][type]", "boolean"),
            ("filter[0][value]", "XOR"),
            ("filter[1][field]", "title"),
            ("filter[1][value]", "x"),
        ],
        vec![
            ("filter[0][field]", "title"),
            ("filter[0][value]", "x"),
            ("filter[1][field]", "title"),
            ("filter[1][value]", "y"),
        ],
        vec![("filter[field]", "starter"), ("filter[value]", "sam")],
        vec![("filter[field]", "date"), ("filter[value]", "01/02/2030")],
        vec![("filter[field][]", "title"), ("filter[value]", "x")],
        vec![("filter[field]", "title"), ("filter[value][a]", "x")],
        vec![("filter[field", "title")],
    ];
    for pairs in malformed {
        let mut all = vec![("search", "x")];
        all.extend(pairs.iter().copied());
        let r = search(app, &all).await;
        r.expect_invalid("filter");
    }
    // Every problem at once.
    let r = search(
        app,
        &[
            ("search", ""),
            ("on", "nope"),
            ("per_page", "0"),
            ("tags", "x"),
            ("filter[field]", "x"),
            ("filter[value]", "y"),
        ],
    )
    .await;
    for key in ["search", "on", "per_page", "tags", "filter"] {
        r.expect_invalid(key);
    }
    // Values that look like SQL are only ever compared.
    let r = search(
        app,
        &[
            ("search", "' OR 1=1 --"),
            ("on", "process,task"),
            ("filter[field]", "title"),
            ("filter[value]", "x' OR '1'='1"),
        ],
    )
    .await
    .expect(200);
    assert_eq!((found(&r, "process").len(), found(&r, "task").len()), (0, 0));
}

on_both!(the_sdk_searches);
async fn the_sdk_searches(app: &TestApp) {
    let f = fixture(app).await;
    run_as(app, &app.token, "Quarterly close follow-up", 1002, json!({})).await;
    // search_processes_by_name(org, "quarterly close"): on=process&per_page=20&search=<name>,
    // then an exact case-insensitive name match in process.data.
    let r = app
        .get("/api/organizations/acme/search?on=process&per_page=20&search=quarterly%20close")
        .await
        .expect(200);
    let items = r.body["process"]["data"].as_array().expect("process").clone();
    assert_eq!(items.len(), 2);
    let exact: Vec<&Value> = items
        .iter()
        .filter(|i| {
            i["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case("quarterly close"))
        })
        .collect();
    assert_eq!(exact.len(), 1);
    assert_eq!(exact[0]["id"], f.quarterly_close.as_str());
    assert_eq!(r.body["process"]["meta"]["pagination"]["per_page"], 20);
    // get_tasks_for_process(org, process_name=...): the search, then the run's tasks.
    let id = exact[0]["id"].as_str().expect("id");
    let tasks = app
        .get(&format!("/organizations/acme/runs/{id}/tasks?without_pagination=true"))
        .await
        .expect(200);
    assert_eq!(tasks.data()[0]["title"], "Quarterly close");
    // The Java/Go samples encode spaces as +.
    let r = app
        .get("/organizations/acme/search?on=process&per_page=20&search=Quarterly+Close+follow-up")
        .await
        .expect(200);
    assert_eq!(found(&r, "process"), ["Quarterly close follow-up"]);
    // search(org, q, on='task', page=1, per_page=20, tags=True).
    let r = app
        .get("/organizations/acme/search?on=task&page=1&per_page=20&search=books&tags=true")
        .await
        .expect(200);
    assert_eq!(
        (
            found(&r, "task"),
            r.body["task"]["data"][0]["tags"][0]["title"].as_str()
        ),
        (vec!["Close the books".to_string()], Some("urgent"))
    );
    // search_all(org, q, types=[blueprint, process, task, snippet]).
    let r = app
        .get("/organizations/acme/search?on=blueprint%2Cprocess%2Ctask%2Csnippet&page=1&per_page=20&search=review")
        .await
        .expect(200);
    assert_eq!(
        r.body.as_object().expect("object").keys().collect::<Vec<_>>(),
        ["blueprint", "process", "task", "snippet"]
    );
    assert_eq!(
        (found(&r, "process"), found(&r, "task")),
        (
            vec!["Quarterly review".to_string()],
            vec!["Quarterly review".to_string()]
        )
    );
    // search_templates_by_name: nothing to find.
    let r = app
        .get("/organizations/acme/search?on=blueprint&per_page=20&search=Quarterly")
        .await
        .expect(200);
    assert_eq!(r.body["blueprint"]["data"], json!([]));
    // A search with the SDK's filter_ dict, folded from bracketed keys.
    let r = app.get("/organizations/acme/search?on=process&page=1&per_page=20&search=quarterly&filter%5Btype%5D=field&filter%5Bfield%5D=starter&filter%5Boperation%5D=%3D&filter%5Bvalue%5D=1002").await.expect(200);
    assert_eq!(found(&r, "process"), ["Quarterly review"]);
}
