//! R7, the tasks of a run: filters, sorts, pages, visibility and the derived conditions.

use super::*;

/// A run of four tasks with distinct deadlines and assignees: Base (1002, 2099-03-01 12:00),
/// Past (nobody, 2020-01-10), Guest (a guest, 2099-05-01 08:00), Group (group Ops = 1005,
/// 2099-06-15 10:00). Returns (run id, group id).
async fn filter_fixture(app: &TestApp) -> (String, String) {
    seed(app).await;
    let g = app
        .json(
            Method::POST,
            "/organizations/acme/groups",
            json!({"name": "Ops", "members": [1005]}),
        )
        .await
        .expect(201);
    let gid = g.data()["id"].as_str().expect("group").to_string();
    let (run_id, _) = fan_out(app, "Base", &[1002], json!({"summary": "Base summary"})).await;
    add_task(
        app,
        &run_id,
        json!({"title": "Past", "deadline": "2020-01-10T09:00:00Z", "started_at": "2020-01-01T09:00:00Z"}),
    )
    .await;
    add_task(
        app,
        &run_id,
        json!({"title": "Guest", "deadline": "2099-05-01T08:00:00Z", "owners": {"guests": ["Client@Partner.example"]}}),
    )
    .await;
    add_task(
        app,
        &run_id,
        json!({"title": "Group", "deadline": "2099-06-15T10:00:00Z", "owners": {"groups": [gid]}}),
    )
    .await;
    (run_id, gid)
}

on_both!(run_tasks_filter_by_status_assignee_and_deadline);
async fn run_tasks_filter_by_status_assignee_and_deadline(app: &TestApp) {
    let (run_id, gid) = filter_fixture(app).await;
    let path = format!("/organizations/acme/runs/{run_id}/tasks");
    let list = |q: String| {
        let p = format!("{path}?{q}");
        async move { app.get(&p).await.expect(200) }
    };
    let r = list(String::new()).await;
    assert_eq!(titles(&r), ["Base", "Past", "Guest", "Group"]);
    let positions: Vec<i64> = r
        .data()
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|t| t["position"].as_i64())
        .collect();
    assert_eq!(positions, [1, 2, 3, 4]);
    assert!(r.data()[0].get("summary").is_none(), "list items carry no summary");
    assert_eq!(r.data()[0]["run_id"], run_id.as_str());
    assert_eq!(r.body["meta"]["pagination"]["per_page"], 10);

    // status (§2.4 conditions, OR-ed).
    assert_eq!(titles(&list("status=overdue".into()).await), ["Past"]);
    assert_eq!(
        titles(&list("status=overdue,not-started".into()).await),
        ["Base", "Past", "Guest", "Group"]
    );
    assert_eq!(titles(&list("status=all".into()).await).len(), 4);
    assert_eq!(titles(&list("status=incomplete".into()).await).len(), 4);
    assert_eq!(titles(&list("status=active".into()).await).len(), 4);
    assert!(titles(&list("status=complete".into()).await).is_empty());
    assert!(titles(&list("status=in-progress,hasproblem,due_soon".into()).await).is_empty());
    // Assignees: members directly or through a group, guests by email, groups by id.
    assert_eq!(titles(&list("owners=1002".into()).await), ["Base"]);
    assert_eq!(titles(&list("owners=1005".into()).await), ["Group"]);
    assert_eq!(titles(&list("owners=1002,1005".into()).await), ["Base", "Group"]);
    assert_eq!(titles(&list("guests=client%40partner.example".into()).await), ["Guest"]);
    assert_eq!(
        titles(&list("guests=CLIENT@partner.example,x@y.example".into()).await),
        ["Guest"]
    );
    assert_eq!(titles(&list(format!("groups={gid}")).await), ["Group"]);
    assert!(titles(&list("groups=0123456789abcdef0123456789abcdef".into()).await).is_empty());
    assert_eq!(titles(&list("unassigned=true".into()).await), ["Past"]);
    assert_eq!(titles(&list("unassigned=false".into()).await).len(), 4);
    assert!(titles(&list("status=overdue&owners=1002".into()).await).is_empty());
    // Deadlines: date-only bounds cover whole UTC days; full date-times are instants.
    assert_eq!(
        titles(&list("deadline_start_range=2099-01-01".into()).await),
        ["Base", "Guest", "Group"]
    );
    assert_eq!(
        titles(&list("deadline_start_range=2099-05-01T08:00:01Z".into()).await),
        ["Group"]
    );
    assert_eq!(
        titles(&list("deadline_end_range=2099-05-01".into()).await),
        ["Base", "Past", "Guest"]
    );
    assert_eq!(
        titles(&list("deadline_end_range=2099-05-01T08:00:00Z".into()).await),
        ["Base", "Past", "Guest"]
    );
    assert_eq!(
        titles(&list("deadline_end_range=2099-05-01 07:59:59".into()).await),
        ["Base", "Past"]
    );
    assert_eq!(
        titles(&list("deadline_start_range=2099-01-01&deadline_end_range=2099-05-31".into()).await),
        ["Base", "Guest"]
    );
    assert_eq!(titles(&list("deadline_on=2099-06-15".into()).await), ["Group"]);
    assert_eq!(
        titles(&list("deadline_on=2099-06-15&deadline_end_range=2000-01-01&deadline_before=2000-01-01".into()).await),
        ["Group"],
        "deadline_on overrides the rest"
    );
    assert_eq!(
        titles(&list("deadline_before=2099-05-01".into()).await),
        ["Base", "Past"]
    );
    assert_eq!(
        titles(&list("deadline_before=2099-06-15".into()).await),
        ["Base", "Past", "Guest"]
    );
    assert_eq!(titles(&list("deadline_after=2099-05-01".into()).await), ["Group"]);
    assert_eq!(
        titles(&list("deadline_after=2099-04-30".into()).await),
        ["Guest", "Group"]
    );

    // Invalid values: 422 naming each parameter, all at once.
    let r = app.get(&format!("{path}?status=bogus&owners=1002,abc&guests=not-an-email&unassigned=maybe&page=0&per_page=x&without_pagination=perhaps")).await;
    assert_eq!(r.expect_invalid("status"), "The selected status is invalid.");
    for key in [
        "owners",
        "guests",
        "unassigned",
        "page",
        "per_page",
        "without_pagination",
    ] {
        r.expect_invalid(key);
    }
    for key in [
        "deadline_start_range",
        "deadline_end_range",
        "deadline_on",
        "deadline_before",
        "deadline_after",
    ] {
        let r = app.get(&format!("{path}?{key}=15/06/2099")).await;
        assert_eq!(
            r.expect_invalid(key),
            format!("The {} is not a valid date.", key.replace('_', " "))
        );
    }
    app.get(&format!("{path}?deadline_after=2099-06-15T10:00:00Z"))
        .await
        .expect_invalid("deadline_after");
    app.get(&format!("{path}?status=auto-skipped"))
        .await
        .expect_invalid("status");
}

on_both!(run_tasks_sort_page_and_accept_the_sdk_parameters);
async fn run_tasks_sort_page_and_accept_the_sdk_parameters(app: &TestApp) {
    let (run_id, _) = filter_fixture(app).await;
    let path = format!("/organizations/acme/runs/{run_id}/tasks");
    assert_eq!(
        titles(&app.get(&format!("{path}?sort=position")).await.expect(200)),
        ["Base", "Past", "Guest", "Group"]
    );
    assert_eq!(
        titles(&app.get(&format!("{path}?sort=-position")).await.expect(200)),
        ["Group", "Guest", "Past", "Base"]
    );
    assert_eq!(
        titles(&app.get(&format!("{path}?sort=deadline")).await.expect(200)),
        ["Past", "Base", "Guest", "Group"]
    );
    assert_eq!(
        titles(&app.get(&format!("{path}?sort=-deadline")).await.expect(200)),
        ["Group", "Guest", "Base", "Past"]
    );
    assert_eq!(
        titles(&app.get(&format!("{path}?sort_by=-deadline")).await.expect(200)),
        ["Group", "Guest", "Base", "Past"]
    );
    assert_eq!(
        app.get(&format!("{path}?sort=title")).await.expect_invalid("sort"),
        "The selected sort is invalid."
    );
    app.get(&format!("{path}?sort=sideways")).await.expect_invalid("sort");

    // Pages.
    let r = app.get(&format!("{path}?per_page=3&page=2")).await.expect(200);
    assert_eq!(titles(&r), ["Group"]);
    let p = &r.body["meta"]["pagination"];
    assert_eq!(
        (
            p["total"].as_i64(),
            p["count"].as_i64(),
            p["per_page"].as_i64(),
            p["current_page"].as_i64(),
            p["total_pages"].as_i64()
        ),
        (Some(4), Some(1), Some(3), Some(2), Some(2))
    );
    assert!(p["links"]["prev"].as_str().expect("prev").contains("page=1"));
    assert_eq!(p["links"]["next"], Value::Null);
    let r = app.get(&format!("{path}?per_page=3")).await.expect(200);
    assert_eq!(titles(&r), ["Base", "Past", "Guest"]);
    assert!(
        r.body["meta"]["pagination"]["links"]["next"]
            .as_str()
            .expect("next")
            .contains("page=2")
    );
    let r = app.get(&format!("{path}?per_page=3&page=9")).await.expect(200);
    assert!(titles(&r).is_empty());
    assert_eq!(r.body["meta"]["pagination"]["total"], 4);

    // The TallyfySDK.get_tasks_for_process facade: without_pagination=true, no page/per_page,
    // currentTask and replace_page passed through.
    let r = app.get(&format!("{path}?status=all&sort=position&currentTask=abc&replace_page=2&without_pagination=true&with=run,threads_count")).await.expect(200);
    assert_eq!(titles(&r).len(), 4);
    let p = &r.body["meta"]["pagination"];
    assert_eq!(
        (
            p["total"].as_i64(),
            p["per_page"].as_i64(),
            p["current_page"].as_i64(),
            p["total_pages"].as_i64()
        ),
        (Some(4), Some(4), Some(1), Some(1))
    );
    for t in r.data().as_array().expect("list") {
        assert_eq!(t["run"]["data"]["id"], run_id.as_str());
        assert_eq!(t["threads_count"], 0);
    }
    // The sdk.tasks form: page, per_page and every filter, absent values omitted.
    let r = app.get(&format!("/api{path}?status=active&sort=deadline&owners=1002,1005&page=1&per_page=100&without_pagination=false&deadline_start_range=2099-01-01&unassigned=false&with=summary")).await.expect(200);
    assert_eq!(titles(&r), ["Base", "Group"]);
    assert_eq!(r.data()[0]["summary"], "Base summary");
    assert_eq!(r.body["meta"]["pagination"]["per_page"], 100);
    app.get("/organizations/acme/runs/0123456789abcdef0123456789abcdef/tasks")
        .await
        .expect(404);
}

on_both!(run_tasks_hide_top_secret_tasks_and_list_archived_runs);
async fn run_tasks_hide_top_secret_tasks_and_list_archived_runs(app: &TestApp) {
    let (sam, ann, kim) = seed(app).await;
    let g = app
        .json(
            Method::POST,
            "/organizations/acme/groups",
            json!({"name": "Ops", "members": [1005]}),
        )
        .await
        .expect(201);
    let gid = g.data()["id"].as_str().expect("group").to_string();
    let (run_id, _) = fan_out(app, "Open", &[1007], json!({})).await;
    add_task(
        app,
        &run_id,
        json!({"title": "Secret", "top_secret": true, "owners": {"users": [1002]}}),
    )
    .await;
    add_task(
        app,
        &run_id,
        json!({"title": "Group secret", "top_secret": true, "owners": {"groups": [gid]}}),
    )
    .await;
    let path = format!("/organizations/acme/runs/{run_id}/tasks");
    let as_ = |token: &str| app.send(app.request_as(token, Method::GET, &path));
    assert_eq!(
        titles(&app.get(&path).await.expect(200)),
        ["Open", "Secret", "Group secret"]
    );
    let r = as_(&sam).await.expect(200);
    assert_eq!(
        (titles(&r), r.body["meta"]["pagination"]["total"].as_i64()),
        (vec!["Open".to_string(), "Secret".to_string()], Some(2))
    );
    assert_eq!(titles(&as_(&ann).await.expect(200)), ["Open", "Group secret"]);
    assert_eq!(titles(&as_(&kim).await.expect(200)), ["Open"]);
    let r = app
        .send(app.request_as(&kim, Method::GET, &format!("{path}?status=not-started&sort=-position")))
        .await
        .expect(200);
    assert_eq!(titles(&r), ["Open"]);

    // Tasks of an archived run are listed, with their archive stamp.
    app.call(Method::DELETE, &format!("/organizations/acme/runs/{run_id}"))
        .await
        .expect(200);
    let r = app.get(&path).await.expect(200);
    assert_eq!(titles(&r).len(), 3);
    for t in r.data().as_array().expect("list") {
        assert!(t["archived_at"].is_string());
        assert_eq!(t["run_status"], "archived");
    }
    assert_eq!(titles(&as_(&kim).await.expect(200)), ["Open"]);
}

/// 2030-01-01T00:00:00Z.
const NOW: i64 = 1_893_456_000_000;

on_both!(derived_conditions_follow_the_clock, backend);
/// The derived conditions against a fixed clock.
async fn derived_conditions_follow_the_clock(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.now = Some(NOW)).await;
    app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let (run_id, _) = fan_out(
        &app,
        "Overdue",
        &[1002],
        json!({"deadline": "2029-12-31T00:00:00Z", "started_at": "2029-12-01"}),
    )
    .await;
    for (title, started, deadline, soft) in [
        ("Due soon", "2029-12-01", "2030-01-01T12:00:00Z", false),
        ("Future start", "2030-02-01", "2030-03-01T00:00:00Z", false),
        ("Soft start", "2030-02-01", "2030-03-01T00:00:00Z", true),
        ("Edge", "2029-12-01", "2030-01-02T00:00:00Z", false),
        ("At now", "2030-01-01T00:00:00Z", "2030-01-01T00:00:00Z", false),
    ] {
        add_task(
            &app,
            &run_id,
            json!({"title": title, "started_at": started, "deadline": deadline, "is_soft_start_date": soft}),
        )
        .await;
    }
    let path = format!("/organizations/acme/runs/{run_id}/tasks");
    let get = |q: &str| {
        let p = format!("{path}?{q}");
        let app = &app;
        async move { titles(&app.get(&p).await.expect(200)) }
    };
    assert_eq!(get("status=overdue").await, ["Overdue"]);
    assert_eq!(get("status=due_soon").await, ["Due soon", "At now"]);
    assert_eq!(get("status=due-soon,overdue").await, ["Overdue", "Due soon", "At now"]);
    assert_eq!(
        get("status=active").await,
        ["Overdue", "Due soon", "Soft start", "Edge", "At now"]
    );
    assert_eq!(
        get("status=active_visible&sort=-deadline").await,
        ["Soft start", "Edge", "Due soon", "At now", "Overdue"]
    );
    assert_eq!(get("status=incomplete").await.len(), 6);
    // A problem: status=hasproblem (alias problem).
    let ids = task_ids(
        &app.get(&format!("/organizations/acme/runs/{run_id}?with=tasks"))
            .await
            .expect(200)
            .data()["tasks"],
    );
    app.json(
        Method::POST,
        &format!("/organizations/acme/tasks/{}/problem", ids[4]),
        json!({"content": "Stuck"}),
    )
    .await
    .expect(201);
    assert_eq!(get("status=hasproblem").await, ["Edge"]);
    assert_eq!(get("status=problem,overdue").await, ["Overdue", "Edge"]);
    app.stop().await;
}
