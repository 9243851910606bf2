//! R1 `GET /organizations/{org}/runs`: every parameter alone and combined, every sort, the
//! 422s, pagination, visibility, and the query the SDK's get_organization_runs sends.

use reqwest::Method;
use serde_json::{Value, json};

use crate::comments::exec_sql;
use crate::support::{Backend, Resp, TestApp};

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

dual_test! {
    async fn each_parameter_alone_narrows_the_list(app: &TestApp) {
        let f = fixture(app).await;
        // Defaults: archived excluded, newest first.
        assert_eq!(list(app, "").await, ALL);
        let r = app.get("/api/organizations/acme/runs").await.expect(200);
        assert_eq!(names(&r), ALL);
        let d = &r.data()[4];
        assert_eq!((d["id"].as_str(), d["type"].as_str(), d["checklist_title"].as_str()), (Some(f.alpha.as_str()), Some("procedure"), Some("MISC")));
        assert!(d.get("tags").is_none() && d.get("tasks").is_none() && d.get("form_fields_values").is_none());

        // q: name contains, ignoring case; wildcards are literal.
        assert_eq!(list(app, "q=AUDIT").await, ["Beta audit"]);
        assert_eq!(list(app, "q=a").await, ALL);
        assert_eq!(list(app, "q=%25").await, Vec::<String>::new());
        assert_eq!(list(app, "q=_").await, Vec::<String>::new());
        assert_eq!(list(app, "q=").await, ALL);

        // status: each word, aliases, OR-ed lists.
        assert_eq!(list(app, "status=active").await, ["Zeta late", "delta plan", "Gamma review", "Alpha close"]);
        assert_eq!(list(app, "status=complete").await, ["Beta audit"]);
        assert_eq!(list(app, "status=completed").await, ["Beta audit"]);
        assert_eq!(list(app, "status=problem").await, ["Gamma review"]);
        assert_eq!(list(app, "status=issue").await, ["Gamma review"]);
        assert_eq!(list(app, "status=improvement").await, ["delta plan"]);
        assert_eq!(list(app, "status=delayed").await, ["Zeta late"]);
        assert_eq!(list(app, "status=archived").await, ["Epsilon archive"]);
        assert_eq!(list(app, "status=starred").await, ["Alpha close"]);
        assert_eq!(list(app, "status=Problem,%20starred,").await, ["Gamma review", "Alpha close"]);
        assert_eq!(list(app, "status=complete,archived").await, ["Epsilon archive", "Beta audit"]);

        // task_status.
        assert_eq!(list(app, "task_status=all").await, ALL);
        assert_eq!(list(app, "task_status=in-progress").await, ["Zeta late", "delta plan", "Gamma review", "Alpha close"]);
        assert_eq!(list(app, "task_status=completed").await, ["Beta audit"]);

        // owners: the run owner, or an assignee directly or through a group.
        assert_eq!(list(app, "owners=1002").await, ["Zeta late", "Gamma review", "Alpha close"]);
        assert_eq!(list(app, "owners=1005").await, ["delta plan", "Gamma review", "Beta audit"]);
        assert_eq!(list(app, "owners=1001").await, ["Zeta late", "Gamma review", "Beta audit", "Alpha close"]);
        assert_eq!(list(app, "owners=1007,4242").await, ["delta plan", "Beta audit"]);
        assert_eq!(list(app, "owners=4242").await, Vec::<String>::new());

        // groups: assigned to a task, or in the run's groups.
        assert_eq!(list(app, &format!("groups={}", f.g1)).await, ["Gamma review"]);
        assert_eq!(list(app, &format!("groups={}", f.g2)).await, ["delta plan"]);
        assert_eq!(list(app, &format!("groups={},{}", f.g1, f.g2)).await, ["delta plan", "Gamma review"]);
        assert_eq!(list(app, "groups=0123456789abcdef0123456789abcdef").await, Vec::<String>::new());
        assert_eq!(list(app, "groups=%25").await, Vec::<String>::new());

        // checklist_id / blueprint_id: every run comes from the MISC template.
        assert_eq!(list(app, &format!("checklist_id={}", f.misc)).await, ALL);
        assert_eq!(list(app, &format!("blueprint_id={}", f.misc)).await, ALL);
        assert_eq!(list(app, "checklist_id=0123456789abcdef0123456789abcdef").await, Vec::<String>::new());
        assert_eq!(list(app, "blueprint_id=nope").await, Vec::<String>::new());

        // folder: no run is filed in any folder.
        assert_eq!(list(app, "folder=0123456789abcdef0123456789abcdef").await, Vec::<String>::new());
        assert_eq!(list(app, "folder=").await, ALL);

        // tag (id or title, ignoring case), tag_ids (any), untagged.
        assert_eq!(list(app, &format!("tag={}", f.finance)).await, ["Alpha close"]);
        assert_eq!(list(app, "tag=FINANCE").await, ["Alpha close"]);
        assert_eq!(list(app, "tag=nothing").await, Vec::<String>::new());
        assert_eq!(list(app, &format!("tag_ids={},{}", f.finance, f.ops)).await, ["Beta audit", "Alpha close"]);
        assert_eq!(list(app, &format!("tag_ids={}", f.ops)).await, ["Beta audit"]);
        assert_eq!(list(app, "tag_ids=finance").await, Vec::<String>::new());
        assert_eq!(list(app, "untagged=true").await, ["Zeta late", "delta plan", "Gamma review"]);
        assert_eq!(list(app, "untagged=0").await, ALL);

        // starred.
        assert_eq!(list(app, "starred=true").await, ["Alpha close"]);
        assert_eq!(list(app, "starred=no").await, ["Zeta late", "delta plan", "Gamma review", "Beta audit"]);

        // type: every docket run is a procedure.
        assert_eq!(list(app, "type=procedure").await, ALL);
        assert_eq!(list(app, "type=form").await, Vec::<String>::new());
        assert_eq!(list(app, "type=document").await, Vec::<String>::new());

        // archived.
        assert_eq!(list(app, "archived=true").await.len(), 6);
        assert_eq!(list(app, "archived=only").await, ["Epsilon archive"]);
        assert_eq!(list(app, "archived=false").await, ALL);
        assert_eq!(list(app, "archived=only&status=archived").await, ["Epsilon archive"]);
        assert_eq!(list(app, "archived=false&status=archived").await, Vec::<String>::new());

        // A run that carries a delayed task also shows it.
        let z = app.get("/organizations/acme/runs?status=delayed").await.expect(200);
        assert_eq!((z.data()[0]["id"].as_str(), z.data()[0]["late_tasks"].as_i64(), z.data()[0]["due_date_passed"].as_bool()), (Some(f.zeta.as_str()), Some(1), Some(true)));
    }
}

dual_test! {
    async fn parameters_combine_with_and(app: &TestApp) {
        let f = fixture(app).await;
        assert_eq!(list(app, "status=active&owners=1002&untagged=true").await, ["Zeta late", "Gamma review"]);
        assert_eq!(list(app, "tag=finance&starred=true&task_status=in-progress").await, ["Alpha close"]);
        assert_eq!(list(app, "tag=finance&starred=false").await, Vec::<String>::new());
        assert_eq!(list(app, "archived=true&status=archived,complete&sort=name").await, ["Beta audit", "Epsilon archive"]);
        assert_eq!(list(app, "archived=true&owners=1002&q=e").await, ["Zeta late", "Epsilon archive", "Gamma review", "Alpha close"]);
        assert_eq!(list(app, "archived=only&owners=1002&q=e").await, ["Epsilon archive"]);
        assert_eq!(list(app, &format!("groups={},{}&status=problem", f.g1, f.g2)).await, ["Gamma review"]);
        assert_eq!(list(app, &format!("groups={}&owners=1005&status=improvement&type=procedure&checklist_id={}", f.g2, f.misc)).await, ["delta plan"]);
        assert_eq!(list(app, "status=delayed,complete&task_status=completed").await, ["Beta audit"]);
        assert_eq!(list(app, "status=active&q=close&sort=-name").await, ["Alpha close"]);
        assert_eq!(list(app, "status=active&folder=x").await, Vec::<String>::new());
        assert_eq!(list(app, &format!("tag_ids={},{}&untagged=true", f.finance, f.ops)).await, Vec::<String>::new());
    }
}

dual_test! {
    async fn every_sort_orders_the_runs(app: &TestApp) {
        let f = fixture(app).await;
        // Distinct timestamps in an order unlike the creation order.
        for (run, created, updated, started) in [(&f.alpha, 5000, 1, 3), (&f.beta, 3000, 5, 1), (&f.gamma, 4000, 2, 5), (&f.delta, 1000, 4, 2), (&f.zeta, 2000, 3, 4)] {
            exec_sql(app, &format!("UPDATE runs SET created_at = {created}, last_updated = {updated}, started_at = {started} WHERE id = '{run}'")).await;
        }
        let by = |q: &'static str| list(app, q);
        assert_eq!(by("sort=created_at").await, ["delta plan", "Zeta late", "Beta audit", "Gamma review", "Alpha close"]);
        assert_eq!(by("sort=-created_at").await, ["Alpha close", "Gamma review", "Beta audit", "Zeta late", "delta plan"]);
        assert_eq!(by("").await, ["Alpha close", "Gamma review", "Beta audit", "Zeta late", "delta plan"]);
        assert_eq!(by("sort=last_updated").await, ["Alpha close", "Gamma review", "Zeta late", "delta plan", "Beta audit"]);
        assert_eq!(by("sort=-last_updated").await, ["Beta audit", "delta plan", "Zeta late", "Gamma review", "Alpha close"]);
        assert_eq!(by("sort=started_at").await, ["Beta audit", "delta plan", "Alpha close", "Zeta late", "Gamma review"]);
        assert_eq!(by("sort_by=-started_at").await, ["Gamma review", "Zeta late", "Alpha close", "delta plan", "Beta audit"]);
        // Names ignore case.
        assert_eq!(by("sort=name").await, ["Alpha close", "Beta audit", "delta plan", "Gamma review", "Zeta late"]);
        assert_eq!(by("sort=-name").await, ["Zeta late", "Gamma review", "delta plan", "Beta audit", "Alpha close"]);
        // due_date is the latest task deadline.
        assert_eq!(by("sort=due_date").await, ["Zeta late", "delta plan", "Beta audit", "Gamma review", "Alpha close"]);
        assert_eq!(by("sort=-due_date").await, ["Alpha close", "Gamma review", "Beta audit", "delta plan", "Zeta late"]);
        let r = app.get("/organizations/acme/runs?sort=due_date&per_page=1").await.expect(200);
        assert_eq!(r.data()[0]["due_date"], "2020-01-01T00:00:00.000Z");
        // Equal keys fall back to increment_id in the sort's direction.
        exec_sql(app, "UPDATE runs SET created_at = 7").await;
        assert_eq!(by("sort=created_at").await, ["Alpha close", "Beta audit", "Gamma review", "delta plan", "Zeta late"]);
        assert_eq!(by("sort=-created_at").await, ALL);
    }
}

dual_test! {
    async fn invalid_parameters_are_422s_naming_them(app: &TestApp) {
        fixture(app).await;
        let bad = |q: &'static str| async move { app.get(&format!("/organizations/acme/runs?{q}")).await };
        assert_eq!(bad("status=done").await.expect_invalid("status"), "The selected status is invalid.");
        assert_eq!(bad("status=active,all").await.expect_invalid("status"), "The selected status is invalid.");
        assert_eq!(bad("task_status=open").await.expect_invalid("task_status"), "The selected task status is invalid.");
        bad("owners=1002,bob").await.expect_invalid("owners");
        assert_eq!(bad("starred=maybe").await.expect_invalid("starred"), "The starred field must be true or false.");
        assert_eq!(bad("untagged=2").await.expect_invalid("untagged"), "The untagged field must be true or false.");
        bad("form_fields_values=maybe").await.expect_invalid("form_fields_values");
        bad("without_pagination=sometimes").await.expect_invalid("without_pagination");
        bad("archived=maybe").await.expect_invalid("archived");
        bad("type=checklist").await.expect_invalid("type");
        assert_eq!(bad("sort=newest").await.expect_invalid("sort"), "The selected sort is invalid.");
        bad("sort_by=title").await.expect_invalid("sort_by");
        bad("page=0").await.expect_invalid("page");
        bad("page=x").await.expect_invalid("page");
        bad("per_page=0").await.expect_invalid("per_page");
        bad("per_page=-5").await.expect_invalid("per_page");
        // Every problem at once.
        let r = bad("status=x&sort=y&starred=z&per_page=q").await;
        for key in ["status", "sort", "starred", "per_page"] {
            r.expect_invalid(key);
        }
        assert!(r.body["message"].as_str().is_some_and(|m| m.ends_with("(and 3 more errors)")), "{}", r.text);
    }
}

dual_test! {
    async fn pages_and_their_meta(app: &TestApp) {
        fixture(app).await;
        let r = app.get("/organizations/acme/runs?per_page=2").await.expect(200);
        assert_eq!(names(&r), ["Zeta late", "delta plan"]);
        let p = &r.body["meta"]["pagination"];
        assert_eq!((p["total"].as_i64(), p["count"].as_i64(), p["per_page"].as_i64(), p["current_page"].as_i64(), p["total_pages"].as_i64()), (Some(5), Some(2), Some(2), Some(1), Some(3)));
        assert!(p["links"]["next"].as_str().is_some_and(|l| l.ends_with("/organizations/acme/runs?per_page=2&page=2")), "{p}");
        assert_eq!((p["links"]["prev"].clone(), p["links"]["previous"].clone()), (Value::Null, Value::Null));
        let r = app.get("/organizations/acme/runs?per_page=2&page=3").await.expect(200);
        assert_eq!(names(&r), ["Alpha close"]);
        let p = &r.body["meta"]["pagination"];
        assert_eq!((p["count"].as_i64(), p["current_page"].as_i64(), p["links"]["next"].clone()), (Some(1), Some(3), Value::Null));
        assert!(p["links"]["prev"].as_str().is_some_and(|l| l.ends_with("page=2")));
        let r = app.get("/organizations/acme/runs?per_page=2&page=9").await.expect(200);
        assert_eq!(names(&r), Vec::<String>::new());
        let p = &r.body["meta"]["pagination"];
        assert_eq!((p["total"].as_i64(), p["count"].as_i64(), p["total_pages"].as_i64()), (Some(5), Some(0), Some(3)));
        // Default page size 10; without_pagination returns everything on one page.
        let r = app.get("/organizations/acme/runs").await.expect(200);
        assert_eq!(r.body["meta"]["pagination"]["per_page"], 10);
        let r = app.get("/organizations/acme/runs?without_pagination=true&per_page=1&archived=true").await.expect(200);
        assert_eq!(names(&r).len(), 6);
        let p = &r.body["meta"]["pagination"];
        assert_eq!((p["total"].as_i64(), p["count"].as_i64(), p["per_page"].as_i64(), p["total_pages"].as_i64()), (Some(6), Some(6), Some(6), Some(1)));
        // A filtered total.
        let r = app.get("/organizations/acme/runs?status=active&per_page=3&page=2").await.expect(200);
        assert_eq!(names(&r), ["Alpha close"]);
        assert_eq!(r.body["meta"]["pagination"]["total"], 4);
    }
}

dual_test! {
    async fn includes_and_form_field_values(app: &TestApp) {
        let f = fixture(app).await;
        let r = app.get("/organizations/acme/runs?q=alpha&with=tags,checklist,tasks,next_task,form_fields,assets&form_fields_values=true").await.expect(200);
        let d = &r.data()[0];
        assert_eq!(d["tags"]["data"][0]["tag_id"], f.finance.as_str());
        assert_eq!(d["checklist"]["data"]["id"], f.misc.as_str());
        assert_eq!(d["tasks"]["data"].as_array().map(Vec::len), Some(1));
        assert_eq!(d["next_task"]["data"][0]["id"], d["tasks"]["data"][0]["id"]);
        let capture = d["form_fields"]["data"][0]["id"].as_str().expect("capture").to_string();
        assert_eq!(d["form_fields_values"].as_object().map(|m| m.keys().cloned().collect::<Vec<_>>()), Some(vec![capture.clone()]));
        assert_eq!(d["form_fields_values"][&capture], Value::Null);
        assert_eq!(d["assets"], json!({"data": []}));
        let r = app.get("/organizations/acme/runs?q=alpha&form_fields_values=false&with=nonsense").await.expect(200);
        assert!(r.data()[0].get("form_fields_values").is_none() && r.data()[0].get("nonsense").is_none());
    }
}

dual_test! {
    async fn task_based_filters_respect_top_secret_visibility(app: &TestApp) {
        let f = fixture(app).await;
        let (_, secret_task) = fan_out(app, "Secret plan", &[1007], json!({"top_secret": true})).await;
        app.json(Method::POST, &format!("/organizations/acme/tasks/{secret_task}/comment"), json!({"content": "Idea", "label": "improvement"})).await.expect(201);
        // Every member sees every run.
        assert_eq!(list_as(app, &f.ann, "").await.len(), 6);
        // The admin sees the secret task's assignee and comment; ann does not.
        assert_eq!(list(app, "owners=1007").await, ["Secret plan", "delta plan", "Beta audit"]);
        assert_eq!(list_as(app, &f.ann, "owners=1007").await, ["delta plan", "Beta audit"]);
        assert_eq!(list(app, "status=improvement").await, ["Secret plan", "delta plan"]);
        assert_eq!(list_as(app, &f.ann, "status=improvement").await, ["delta plan"]);
        // ann reaches the group task of Gamma review through G1.
        assert_eq!(list_as(app, &f.ann, &format!("groups={}", f.g1)).await, ["Gamma review"]);
        // The secret run's tasks are left out of ann's includes.
        let r = app.send(app.request_as(&f.ann, Method::GET, "/organizations/acme/runs?q=secret&with=tasks")).await.expect(200);
        assert_eq!(r.data()[0]["tasks"]["data"], json!([]));
        // Another organization's runs never appear.
        let beta = app.add_org("beta", 2001).await;
        let r = app.send(app.request_as(&beta, Method::GET, "/organizations/beta/runs")).await.expect(200);
        assert_eq!(names(&r), Vec::<String>::new());
        app.send(app.request_as(&beta, Method::GET, "/organizations/acme/runs")).await.expect(403);
        app.get("/organizations/nowhere/runs").await.expect(404);
    }
}

dual_test! {
    async fn the_sdk_get_organization_runs_query(app: &TestApp) {
        let f = fixture(app).await;
        // get_organization_runs(org, per_page=25, page=1, with_data=..., form_fields_values=True,
        // owners='1002', task_status='in-progress', status='active', checklist_id=..., starred=True,
        // run_type='procedure', tag='finance', sort='-created_at', archived=False)
        let q = format!(
            "with=checklist%2Ctasks%2Ctags&form_fields_values=true&owners=1002&task_status=in-progress&status=active&checklist_id={}&starred=true&type=procedure&tag=finance&sort=-created_at&archived=false&per_page=25&page=1",
            f.misc
        );
        let r = app.get(&format!("/api/organizations/acme/runs?{q}")).await.expect(200);
        assert_eq!(names(&r), ["Alpha close"]);
        let d = &r.data()[0];
        // What Run.from_dict reads.
        for key in ["id", "increment_id", "checklist_id", "checklist_title", "assign_someone_else", "name", "summary", "status", "started_by",
                    "prerun", "prerun_completed_at", "prerun_completed_by", "prerun_length", "starred", "created_at", "due_date", "owner_id",
                    "started_at", "last_updated", "completed_at", "late_tasks", "archived_at", "due_date_passed", "collaborators", "due_soon",
                    "max_task_deadline", "tags"] {
            assert!(d.get(key).is_some(), "missing {key}: {d}");
        }
        assert!(d["progress"].is_object() && d["whole_progress"].is_object());
        assert_eq!(d["progress"], json!({"complete": 0, "total": 1, "percent": 0.0}));
        let p = &r.body["meta"]["pagination"];
        assert_eq!((p["total"].as_i64(), p["per_page"].as_i64(), p["current_page"].as_i64()), (Some(1), Some(25), Some(1)));
        // With groups and a folder, as the SDK passes them through.
        let r = app.get(&format!("/organizations/acme/runs?groups={}&status=active&per_page=25&page=1", f.g1)).await.expect(200);
        assert_eq!(names(&r), ["Gamma review"]);
        let r = app.get("/organizations/acme/runs?folder=0123456789abcdef0123456789abcdef&per_page=25&page=1").await.expect(200);
        assert_eq!((names(&r).len(), r.body["meta"]["pagination"]["total"].as_i64()), (0, Some(0)));
        // The facade's plain call.
        let r = app.get("/organizations/acme/runs?per_page=25&page=1").await.expect(200);
        assert_eq!(names(&r), ALL);
        let r = app.get("/organizations/acme/runs?per_page=100&page=1&archived=true&sort=-created_at").await.expect(200);
        assert_eq!(names(&r).len(), 6);
    }
}

/// 2030-01-01T00:00:00Z.
const NOW: i64 = 1_893_456_000_000;

/// `delayed` against a fixed clock: late tasks, or a passed due date on a run that is not
/// complete.
async fn delayed_follows_the_clock(backend: Backend) {
    let owned = TestApp::spawn_with(backend, |c| c.now = Some(NOW)).await;
    let app = &owned;
    app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    // One second past its deadline.
    fan_out(app, "Late", &[1002], json!({"deadline": "2029-12-31T23:59:59Z"})).await;
    // Due exactly now: not late yet.
    fan_out(app, "Due now", &[1002], json!({"deadline": "2030-01-01T00:00:00Z"})).await;
    // Complete with a past deadline: not delayed.
    let (done, done_task) = fan_out(app, "Done late", &[1002], json!({"deadline": "2029-06-01T00:00:00Z"})).await;
    app.json(
        Method::POST,
        &format!("/organizations/acme/runs/{done}/completed-tasks"),
        json!({"task_id": done_task}),
    )
    .await
    .expect(200);
    // Completed, past its due date, then a problem: no late task, but due_date_passed.
    let (stuck, stuck_task) = fan_out(app, "Stuck", &[1002], json!({"deadline": "2029-06-01T00:00:00Z"})).await;
    app.json(
        Method::POST,
        &format!("/organizations/acme/runs/{stuck}/completed-tasks"),
        json!({"task_id": stuck_task}),
    )
    .await
    .expect(200);
    app.json(
        Method::POST,
        &format!("/organizations/acme/tasks/{stuck_task}/problem"),
        json!({"content": "Wrong numbers"}),
    )
    .await
    .expect(201);
    // A late task among future ones.
    let (mixed, _) = fan_out(app, "Mixed", &[1002], json!({"deadline": "2031-01-01T00:00:00Z"})).await;
    app.json(
        Method::POST,
        "/organizations/acme/tasks",
        json!({"title": "Old step", "run_id": mixed, "deadline": "2029-01-01T00:00:00Z"}),
    )
    .await
    .expect(201);

    let r = app
        .get("/organizations/acme/runs?status=delayed&with=tasks")
        .await
        .expect(200);
    assert_eq!(names(&r), ["Mixed", "Stuck", "Late"]);
    let facts: Vec<(i64, bool)> = r
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["late_tasks"].as_i64().unwrap(),
                x["due_date_passed"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(facts, [(1, false), (0, true), (1, true)]);
    assert_eq!(list(app, "status=complete").await, ["Done late"]);
    assert_eq!(
        list(app, "status=delayed,complete").await,
        ["Mixed", "Stuck", "Done late", "Late"]
    );
    assert_eq!(
        list(app, "status=active&task_status=in-progress").await,
        ["Mixed", "Due now", "Late"]
    );
    owned.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delayed_follows_the_clock_sqlite() {
    delayed_follows_the_clock(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delayed_follows_the_clock_postgres() {
    if Backend::postgres_available("delayed_follows_the_clock") {
        delayed_follows_the_clock(Backend::Postgres).await;
    }
}
