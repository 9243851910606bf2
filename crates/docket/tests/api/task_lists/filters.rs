//! The list defaults, every §4.0 parameter, the derived conditions of §2.4 on a fixed clock,
//! every sort with its tie-break, visibility and assignee scoping.

#[allow(unused_imports)]
use super::*;

on_both!(the_organization_list_has_its_defaults_and_list_form, |c| c.now =
    Some(NOW));
async fn the_organization_list_has_its_defaults_and_list_form(app: &TestApp) {
    members(app).await;
    task(
        app,
        "Soon",
        json!({"deadline": ts(NOW + 2 * DAY), "summary": "Soon summary", "owners": {"users": [1002]}}),
    )
    .await;
    let done = task(app, "Done", json!({"deadline": ts(NOW - DAY)})).await;
    set_status(app, &done, "completed").await;
    let gone = task(app, "Archived", json!({"deadline": ts(NOW + DAY)})).await;
    archive_task(app, &gone).await;
    let (run_id, _) = run_of(app, "Quarterly review", 1005, json!({"deadline": ts(NOW + 3 * DAY)})).await;
    create(
        app,
        "Collect numbers",
        json!({"run_id": run_id, "deadline": ts(NOW + 4 * DAY)}),
    )
    .await;

    // No status filter (completed tasks are listed), archived excluded, by deadline.
    let r = app.get(TASKS).await.expect(200);
    assert_eq!(titles(&r), ["Done", "Soon", "Quarterly review", "Collect numbers"]);
    let p = pagination(&r);
    assert_eq!(
        (
            p["total"].as_i64(),
            p["count"].as_i64(),
            p["per_page"].as_i64(),
            p["current_page"].as_i64(),
            p["total_pages"].as_i64()
        ),
        (Some(4), Some(4), Some(10), Some(1), Some(1))
    );
    assert_eq!(p["links"], json!({"next": null, "prev": null, "previous": null}));
    assert_eq!(r.data()[0]["status"], "completed");
    // List form: every Task key but summary.
    let soon = &r.data()[1];
    assert!(soon.get("summary").is_none(), "{soon}");
    assert_eq!(
        (
            soon["run_id"].clone(),
            soon["position"].as_i64(),
            soon["is_oneoff_task"].as_bool()
        ),
        (Value::Null, Some(1), Some(true))
    );
    assert_eq!(
        soon["owners"],
        json!({"users": [1002], "guests": [], "groups": [], "taskUrls": []})
    );
    assert_eq!(soon["deadline"], ts(NOW + 2 * DAY));
    assert!(soon.get("run").is_none() && soon.get("threads_count").is_none());
    let quarterly = &r.data()[2];
    assert_eq!(
        (quarterly["run_id"].as_str(), quarterly["run_status"].as_str()),
        (Some(run_id.as_str()), Some("active"))
    );
    assert_eq!(r.data()[3]["position"], 2);
    // with=summary adds it; the /api prefix answers the same.
    let r = app.get(&format!("/api{TASKS}?with=summary")).await.expect(200);
    assert_eq!(r.data()[1]["summary"], "Soon summary");
    assert_eq!(r.data()[0]["summary"], Value::Null);
    // The item routes beneath are untouched.
    app.get(&format!("{TASKS}/{gone}")).await.expect(404);
    let r = app.json(Method::PUT, TASKS, json!({})).await;
    assert_eq!(r.status, 405);
}

on_both!(every_status_value_follows_the_derived_conditions, |c| c.now = Some(NOW));
async fn every_status_value_follows_the_derived_conditions(app: &TestApp) {
    let (sam, _, _) = members(app).await;
    let sam_owns = json!({"users": [1002]});
    for (title, started, deadline, soft) in [
        ("Overdue", NOW - 30 * DAY, NOW - DAY, false),
        ("Due soon", NOW - DAY, NOW + 12 * HOUR, false),
        ("At now", NOW, NOW, false),
        ("Edge", NOW - DAY, NOW + DAY, false),
        ("Future start", NOW + 31 * DAY, NOW + 59 * DAY, false),
        ("Soft start", NOW + 31 * DAY, NOW + 60 * DAY, true),
    ] {
        task(app, title, json!({"started_at": ts(started), "deadline": ts(deadline), "is_soft_start_date": soft, "owners": sam_owns})).await;
    }
    let done = task(
        app,
        "Done",
        json!({"started_at": ts(NOW - 9 * DAY), "deadline": ts(NOW - 2 * DAY), "owners": sam_owns}),
    )
    .await;
    set_status(app, &done, "completed").await;
    let working = task(
        app,
        "Working",
        json!({"started_at": ts(NOW - DAY), "deadline": ts(NOW + 5 * DAY), "owners": sam_owns}),
    )
    .await;
    set_status(app, &working, "in-progress").await;
    let edge = app
        .get(TASKS)
        .await
        .expect(200)
        .data()
        .as_array()
        .expect("list")
        .iter()
        .find(|t| t["title"] == "Edge")
        .map(id_of)
        .expect("edge");
    report_problem(app, &edge).await;

    let all = [
        "Done",
        "Overdue",
        "At now",
        "Due soon",
        "Edge",
        "Working",
        "Future start",
        "Soft start",
    ];
    let active = ["Overdue", "At now", "Due soon", "Edge", "Working", "Soft start"];
    let not_started = ["Overdue", "At now", "Due soon", "Edge", "Future start", "Soft start"];
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("", all.to_vec()),
        ("status=all", all.to_vec()),
        ("status=active,all", all.to_vec()),
        ("status=", all.to_vec()),
        ("status=active", active.to_vec()),
        ("status=active_visible", active.to_vec()),
        ("status=incomplete", all[1..].to_vec()),
        ("status=complete", vec!["Done"]),
        ("status=completed", vec!["Done"]),
        ("status=inprogress", vec!["Working"]),
        ("status=in-progress", vec!["Working"]),
        ("status=not-started", not_started.to_vec()),
        ("status=overdue", vec!["Overdue"]),
        ("status=due_soon", vec!["At now", "Due soon"]),
        ("status=due-soon", vec!["At now", "Due soon"]),
        ("status=hasproblem", vec!["Edge"]),
        ("status=problem", vec!["Edge"]),
        ("status=problem,overdue", vec!["Overdue", "Edge"]),
        ("status=Overdue,%20COMPLETE%20", vec!["Done", "Overdue"]),
        (
            "status=complete,inprogress,due_soon",
            vec!["Done", "At now", "Due soon", "Working"],
        ),
        ("status=overdue,,due_soon", vec!["Overdue", "At now", "Due soon"]),
    ];
    for (query, expected) in &cases {
        assert_eq!(list(app, &format!("{TASKS}?{query}")).await, *expected, "T2 {query}");
    }
    // The assigned lists default to active and take the same values.
    for path in ["/organizations/acme/me/tasks", "/organizations/acme/users/1002/tasks"] {
        let r = get_as(app, &sam, path).await.expect(200);
        assert_eq!(titles(&r), active, "{path}");
        assert_eq!(total(&r), 6);
        for (query, expected) in &cases {
            let want: Vec<&str> = if query.is_empty() || *query == "status=" {
                active.to_vec()
            } else {
                expected.clone()
            };
            assert_eq!(
                titles(&get_as(app, &sam, &format!("{path}?{query}")).await.expect(200)),
                want,
                "{path}?{query}"
            );
        }
    }
    // A status combines with the other filters by AND.
    assert_eq!(
        list(app, &format!("{TASKS}?status=active&deadline_before=2030-01-01")).await,
        ["Overdue"]
    );
    assert_eq!(
        list(app, &format!("{TASKS}?status=not-started&q=start")).await,
        ["Future start", "Soft start"]
    );
    assert_eq!(
        list(app, &format!("{TASKS}?status=active&q=start")).await,
        ["Soft start"]
    );
    // auto-skipped is not a filter value.
    assert_eq!(
        app.get(&format!("{TASKS}?status=auto-skipped"))
            .await
            .expect_invalid("status"),
        "The selected status is invalid."
    );
}

on_both!(text_tag_folder_role_created_and_one_off_filters, |c| c.now = Some(NOW));
async fn text_tag_folder_role_created_and_one_off_filters(app: &TestApp) {
    members(app).await;
    let finance = tag(app, "Finance").await;
    let ops = tag(app, "Ops Team").await;
    let report = task(
        app,
        "Quarterly REPORT draft",
        json!({"deadline": ts(NOW + DAY), "tags": ["finance"]}),
    )
    .await;
    let budget = task(app, "Budget 50% review", json!({"deadline": ts(NOW + 2 * DAY)})).await;
    let plan = task(app, "Plan a_b test", json!({"deadline": ts(NOW + 3 * DAY)})).await;
    let (run_id, onboarding) = run_of(app, "Client Onboarding", 1002, json!({"deadline": ts(NOW + 4 * DAY)})).await;
    let welcome = id_of(
        &create(
            app,
            "Send welcome pack",
            json!({"run_id": run_id, "deadline": ts(NOW + 5 * DAY), "tags": [finance]}),
        )
        .await,
    );
    tag_run(app, &run_id, &ops).await;

    // q: title or run name contains, ignoring case; LIKE wildcards are literal.
    let q = |s: &str| {
        let path = format!("{TASKS}?q={s}");
        async move { list(app, &path).await }
    };
    assert_eq!(q("report").await, ["Quarterly REPORT draft"]);
    assert_eq!(q("Report%20Draft").await, ["Quarterly REPORT draft"]);
    assert_eq!(q("report+draft").await, ["Quarterly REPORT draft"]);
    assert_eq!(
        q("onboarding").await,
        ["Client Onboarding", "Send welcome pack"],
        "the run's name"
    );
    assert_eq!(q("WELCOME").await, ["Send welcome pack"]);
    assert_eq!(q("50%25").await, ["Budget 50% review"]);
    assert_eq!(q("%25").await, ["Budget 50% review"]);
    assert_eq!(q("a_b").await, ["Plan a_b test"]);
    assert_eq!(q("_").await, ["Plan a_b test"]);
    assert!(q("nothing-like-this").await.is_empty());
    assert_eq!(q("").await.len(), 5, "a blank q is no filter");

    // tag: id or title (any case); on the task or on its run; unknown matches nothing.
    let t = |s: &str| {
        let path = format!("{TASKS}?tag={s}");
        async move { list(app, &path).await }
    };
    assert_eq!(t("Finance").await, ["Quarterly REPORT draft", "Send welcome pack"]);
    assert_eq!(t("FINANCE").await, ["Quarterly REPORT draft", "Send welcome pack"]);
    assert_eq!(t(&finance).await, ["Quarterly REPORT draft", "Send welcome pack"]);
    assert_eq!(
        t("ops%20team").await,
        ["Client Onboarding", "Send welcome pack"],
        "the run carries it"
    );
    assert_eq!(t("Ops+Team").await, ["Client Onboarding", "Send welcome pack"]);
    assert_eq!(t(&ops).await, ["Client Onboarding", "Send welcome pack"]);
    let r = app.get(&format!("{TASKS}?tag=unknown")).await.expect(200);
    assert_eq!((titles(&r).len(), total(&r)), (0, 0));
    assert!(t("0123456789abcdef0123456789abcdef").await.is_empty());
    assert!(t("Ops").await.is_empty(), "titles match whole, not as a prefix");
    // Another organization's tag of the same title does not match.
    let other = app.add_org("other", 2001).await;
    let r = app
        .send(
            app.request_as(&other, Method::POST, "/organizations/other/tags")
                .json(&json!({"title": "Audit"})),
        )
        .await
        .expect(201);
    let theirs = id_of(r.data());
    assert!(t(&theirs).await.is_empty());
    assert!(t("audit").await.is_empty());

    // folder: docket has no folders, so nothing is in one; roles: nothing is assigned to a role.
    let r = app
        .get(&format!("{TASKS}?folder=0123456789abcdef0123456789abcdef"))
        .await
        .expect(200);
    assert_eq!((titles(&r).len(), total(&r)), (0, 0));
    assert!(
        list(app, &format!("{TASKS}?roles=0123456789abcdef0123456789abcdef"))
            .await
            .is_empty()
    );
    assert!(list(app, &format!("{TASKS}?roles=a,b")).await.is_empty());
    assert_eq!(
        list(app, &format!("{TASKS}?roles=&folder=")).await.len(),
        5,
        "blank values are no filter"
    );
    // is_oneoff: every docket task is a one-off task.
    assert_eq!(list(app, &format!("{TASKS}?is_oneoff=true")).await.len(), 5);
    assert_eq!(list(app, &format!("{TASKS}?is_oneoff=YES")).await.len(), 5);
    assert!(list(app, &format!("{TASKS}?is_oneoff=false")).await.is_empty());
    assert!(list(app, &format!("{TASKS}?is_oneoff=0")).await.is_empty());

    // created: a UTC day or an inclusive range of days.
    set_column(app, &report, "created_at", NOW - 2 * DAY + 10 * HOUR).await; // 2029-12-30 10:00
    set_column(app, &budget, "created_at", NOW - 1).await; // 2029-12-31 23:59:59.999
    set_column(app, &plan, "created_at", NOW - DAY).await; // 2029-12-31 00:00
    // onboarding and welcome: 2030-01-01 00:00 (the clock).
    let c = |s: &str| {
        let path = format!("{TASKS}?created={s}");
        async move { list(app, &path).await }
    };
    assert_eq!(c("2029-12-31").await, ["Budget 50% review", "Plan a_b test"]);
    assert_eq!(c("2029-12-30").await, ["Quarterly REPORT draft"]);
    assert_eq!(c("2030-01-01").await, ["Client Onboarding", "Send welcome pack"]);
    assert_eq!(
        c("2029-12-30:2029-12-31").await,
        ["Quarterly REPORT draft", "Budget 50% review", "Plan a_b test"]
    );
    assert_eq!(c("2029-12-30%3A2030-01-01").await.len(), 5);
    assert!(c("2029-12-29").await.is_empty());
    assert!(c("2030-01-01:2029-12-30").await.is_empty(), "an empty range");

    // Combinations.
    assert_eq!(
        list(app, &format!("{TASKS}?q=onboarding&tag=finance")).await,
        ["Send welcome pack"]
    );
    assert_eq!(
        list(app, &format!("{TASKS}?tag=finance&created=2029-12-30")).await,
        ["Quarterly REPORT draft"]
    );
    assert_eq!(
        list(app, &format!("{TASKS}?tag=ops%20team&owners=1002&is_oneoff=true")).await,
        ["Client Onboarding"]
    );
    assert!(
        list(app, &format!("{TASKS}?q=report&created=2030-01-01"))
            .await
            .is_empty()
    );
    let _ = (onboarding, welcome);
}

on_both!(assignee_filters_and_archived_tasks);
async fn assignee_filters_and_archived_tasks(app: &TestApp) {
    members(app).await;
    let ops = group(app, "Ops", &[1005], &["grp@partner.test"]).await;
    let soon = |d: i64| json!(format_ts(docket_domain::time::now_ms() + d * DAY));
    task(
        app,
        "Sam direct",
        json!({"owners": {"users": [1002]}, "deadline": soon(1)}),
    )
    .await;
    task(
        app,
        "Ops group",
        json!({"owners": {"groups": [ops]}, "deadline": soon(2)}),
    )
    .await;
    task(
        app,
        "Guest direct",
        json!({"owners": {"guests": ["Gina@Partner.test"]}, "deadline": soon(3)}),
    )
    .await;
    task(app, "Nobody", json!({"deadline": soon(4)})).await;
    let gone = task(
        app,
        "Archived one-off",
        json!({"owners": {"users": [1002]}, "deadline": soon(5)}),
    )
    .await;
    archive_task(app, &gone).await;
    let (run_id, _) = run_of(app, "Archived run", 1005, json!({"deadline": soon(6)})).await;
    app.call(Method::DELETE, &format!("/organizations/acme/runs/{run_id}"))
        .await
        .expect(200);

    let l = |q: &str| {
        let path = format!("{TASKS}?{q}");
        async move { list(app, &path).await }
    };
    assert_eq!(l("").await, ["Sam direct", "Ops group", "Guest direct", "Nobody"]);
    assert_eq!(l("owners=1002").await, ["Sam direct"]);
    assert_eq!(l("owners=1005").await, ["Ops group"], "through the group");
    assert_eq!(l("owners=1002,1005").await, ["Sam direct", "Ops group"]);
    assert_eq!(l("owners=%201002%20,,1005").await, ["Sam direct", "Ops group"]);
    assert!(l("owners=1001").await.is_empty());
    assert!(l("owners=999999").await.is_empty());
    assert_eq!(l("guests=gina%40partner.test").await, ["Guest direct"]);
    assert_eq!(l("guests=GINA@Partner.Test").await, ["Guest direct"]);
    assert_eq!(
        l("guests=grp@partner.test").await,
        ["Ops group"],
        "a guest of the group"
    );
    assert_eq!(
        l("guests=grp@partner.test,gina@partner.test").await,
        ["Ops group", "Guest direct"]
    );
    assert!(l("guests=nobody@partner.test").await.is_empty());
    assert_eq!(l(&format!("groups={ops}")).await, ["Ops group"]);
    assert!(l("groups=0123456789abcdef0123456789abcdef").await.is_empty());
    assert_eq!(l("unassigned=true").await, ["Nobody"]);
    assert_eq!(l("unassigned=false").await.len(), 4);
    assert!(l("unassigned=true&owners=1002").await.is_empty());
    // owners AND guests.
    assert_eq!(l("owners=1005&guests=grp@partner.test").await, ["Ops group"]);
    assert!(l("owners=1002&guests=gina@partner.test").await.is_empty());

    // archived: true adds archived one-offs and tasks of archived runs; only: just those.
    assert_eq!(l("archived=only").await, ["Archived one-off", "Archived run"]);
    assert_eq!(l("archived=ONLY").await, ["Archived one-off", "Archived run"]);
    assert_eq!(l("archived=true").await.len(), 6);
    assert_eq!(l("archived=1").await.len(), 6);
    assert_eq!(l("archived=false").await.len(), 4);
    assert_eq!(l("archived=true&owners=1005").await, ["Ops group", "Archived run"]);
    assert_eq!(l("archived=only&owners=1002").await, ["Archived one-off"]);
    let r = app.get(&format!("{TASKS}?archived=only")).await.expect(200);
    assert!(
        r.data()
            .as_array()
            .expect("list")
            .iter()
            .all(|t| t["archived_at"].is_string())
    );
    assert_eq!(r.data()[1]["run_status"], "archived");
}

on_both!(every_sort_orders_and_breaks_ties_by_increment_id, |c| c.now = Some(NOW));
async fn every_sort_orders_and_breaks_ties_by_increment_id(app: &TestApp) {
    members(app).await;
    let d = |n: i64| json!(ts(NOW + n * DAY));
    let beta = task(app, "beta", json!({"deadline": d(2)})).await; // 1
    let alpha_upper = task(app, "Alpha", json!({"deadline": d(1)})).await; // 2
    let alpha = task(app, "alpha", json!({"deadline": d(1)})).await; // 3
    let gamma = task(app, "Gamma", json!({"deadline": d(3)})).await; // 4
    let delta = task(app, "delta", json!({"deadline": d(0)})).await; // 5
    let (run_id, _) = run_of(app, "Run first", 1002, json!({"deadline": d(5)})).await; // 6, position 1
    let epsilon = id_of(&create(app, "Epsilon", json!({"run_id": run_id, "deadline": d(1)})).await); // 7, position 2
    for (id, created) in [
        (&beta, NOW - 3 * HOUR),
        (&alpha_upper, NOW - HOUR),
        (&alpha, NOW - HOUR),
        (&gamma, NOW - 2 * HOUR),
    ] {
        set_column(app, id, "created_at", created).await;
    }
    for id in [&alpha, &gamma, &delta] {
        set_status(app, id, "completed").await;
    }
    set_column(app, &alpha, "completed_at", NOW - HOUR).await;
    set_column(app, &delta, "completed_at", NOW - HOUR).await;
    set_column(app, &gamma, "completed_at", NOW - 5 * HOUR).await;
    report_problem(app, &beta).await;
    report_problem(app, &epsilon).await;

    let by_deadline = ["delta", "Alpha", "alpha", "Epsilon", "beta", "Gamma", "Run first"];
    for (sort, expected) in [
        ("deadline", by_deadline.to_vec()),
        (
            "-deadline",
            vec!["Run first", "Gamma", "beta", "Alpha", "alpha", "Epsilon", "delta"],
        ),
        (
            "oldest",
            vec!["beta", "Gamma", "Alpha", "alpha", "delta", "Run first", "Epsilon"],
        ),
        (
            "created_at",
            vec!["beta", "Gamma", "Alpha", "alpha", "delta", "Run first", "Epsilon"],
        ),
        (
            "newest",
            vec!["Epsilon", "Run first", "delta", "alpha", "Alpha", "Gamma", "beta"],
        ),
        (
            "-created_at",
            vec!["Epsilon", "Run first", "delta", "alpha", "Alpha", "Gamma", "beta"],
        ),
        (
            "completed_newest",
            vec!["alpha", "delta", "Gamma", "beta", "Alpha", "Run first", "Epsilon"],
        ),
        (
            "problems",
            vec!["Epsilon", "beta", "delta", "Alpha", "alpha", "Gamma", "Run first"],
        ),
        (
            "position",
            vec!["beta", "Alpha", "alpha", "Gamma", "delta", "Run first", "Epsilon"],
        ),
        (
            "-position",
            vec!["Epsilon", "beta", "Alpha", "alpha", "Gamma", "delta", "Run first"],
        ),
        (
            "title",
            vec!["Alpha", "alpha", "beta", "delta", "Epsilon", "Gamma", "Run first"],
        ),
        (
            "-title",
            vec!["Run first", "Gamma", "Epsilon", "delta", "beta", "Alpha", "alpha"],
        ),
    ] {
        assert_eq!(
            list(app, &format!("{TASKS}?sort={sort}")).await,
            expected,
            "sort={sort}"
        );
        assert_eq!(
            list(app, &format!("{TASKS}?sort_by={sort}")).await,
            expected,
            "sort_by={sort}"
        );
        // Pages cut the same order.
        let r = app
            .get(&format!("{TASKS}?sort={sort}&per_page=3&page=2"))
            .await
            .expect(200);
        assert_eq!(titles(&r), expected[3..6].to_vec(), "page 2 of sort={sort}");
    }
    assert_eq!(list(app, TASKS).await, by_deadline, "deadline is the default");
    assert_eq!(
        list(app, &format!("{TASKS}?sort=title&sort_by=-title")).await[0],
        "Alpha",
        "sort wins over sort_by"
    );
    assert_eq!(list(app, &format!("{TASKS}?sort=")).await, by_deadline);
    // The assigned lists sort the same way.
    let r = app
        .get("/organizations/acme/users/1002/tasks?sort=-position&status=all")
        .await
        .expect(200);
    assert_eq!(titles(&r), ["Run first"]);
    assert_eq!(
        app.get(&format!("{TASKS}?sort=sideways")).await.expect_invalid("sort"),
        "The selected sort is invalid."
    );
    assert_eq!(
        app.get(&format!("{TASKS}?sort_by=Title"))
            .await
            .expect_invalid("sort_by"),
        "The selected sort by is invalid."
    );
}

on_both!(top_secret_tasks_are_neither_listed_nor_counted);
async fn top_secret_tasks_are_neither_listed_nor_counted(app: &TestApp) {
    let (sam, ann, kim) = members(app).await;
    let ops = group(app, "Ops", &[1005], &[]).await;
    let soon = |d: i64| json!(format_ts(docket_domain::time::now_ms() + d * DAY));
    task(app, "Open", json!({"owners": {"users": [1007]}, "deadline": soon(1)})).await;
    task(
        app,
        "Secret",
        json!({"top_secret": true, "owners": {"users": [1002]}, "deadline": soon(2)}),
    )
    .await;
    task(
        app,
        "Group secret",
        json!({"top_secret": true, "owners": {"groups": [ops]}, "deadline": soon(3)}),
    )
    .await;
    task(
        app,
        "Guest secret",
        json!({"top_secret": true, "owners": {"guests": ["gina@partner.test"]}, "deadline": soon(4)}),
    )
    .await;

    let seen = |token: String, path: &'static str| async move {
        let r = get_as(app, &token, path).await.expect(200);
        (titles(&r), total(&r))
    };
    let all = vec![
        "Open".to_string(),
        "Secret".into(),
        "Group secret".into(),
        "Guest secret".into(),
    ];
    assert_eq!(seen(app.token.clone(), TASKS).await, (all, 4), "admins see everything");
    assert_eq!(
        seen(sam.clone(), TASKS).await,
        (vec!["Open".to_string(), "Secret".into()], 2)
    );
    assert_eq!(
        seen(ann.clone(), TASKS).await,
        (vec!["Open".to_string(), "Group secret".into()], 2)
    );
    assert_eq!(seen(kim.clone(), TASKS).await, (vec!["Open".to_string()], 1));
    // Counts and pages agree with what is visible.
    let r = get_as(app, &sam, &format!("{TASKS}?per_page=1&page=2"))
        .await
        .expect(200);
    assert_eq!(
        (titles(&r), total(&r), pagination(&r)["total_pages"].as_i64()),
        (vec!["Secret".to_string()], 2, Some(2))
    );
    assert_eq!(
        seen(
            kim.clone(),
            "/organizations/acme/tasks?status=all&archived=true&without_pagination=true"
        )
        .await
        .1,
        1
    );

    // Someone else's secret task stays hidden on T11 and T12 too.
    assert_eq!(
        seen(kim.clone(), "/organizations/acme/users/1002/tasks?status=all").await,
        (vec![], 0)
    );
    assert_eq!(
        seen(sam.clone(), "/organizations/acme/users/1002/tasks?status=all").await,
        (vec!["Secret".to_string()], 1)
    );
    assert_eq!(
        seen(app.token.clone(), "/organizations/acme/users/1002/tasks?status=all")
            .await
            .1,
        1
    );
    assert_eq!(
        seen(kim.clone(), "/organizations/acme/guests/gina%40partner.test/tasks")
            .await
            .1,
        0
    );
    assert_eq!(
        seen(
            app.token.clone(),
            "/organizations/acme/guests/gina%40partner.test/tasks"
        )
        .await,
        (vec!["Guest secret".to_string()], 1)
    );
    assert_eq!(
        seen(ann.clone(), "/organizations/acme/me/tasks").await,
        (vec!["Group secret".to_string()], 1)
    );
    // Filters cannot reveal them either.
    assert_eq!(
        seen(
            kim.clone(),
            "/organizations/acme/tasks?owners=1002,1005&guests=gina@partner.test"
        )
        .await
        .1,
        0
    );

    // Group membership is read at request time.
    app.json(
        Method::PUT,
        &format!("/organizations/acme/groups/{ops}"),
        json!({"name": "Ops", "members": [1007]}),
    )
    .await
    .expect(200);
    assert_eq!(seen(ann.clone(), TASKS).await, (vec!["Open".to_string()], 1));
    assert_eq!(seen(ann.clone(), "/organizations/acme/me/tasks").await.1, 0);
    assert_eq!(
        seen(kim.clone(), TASKS).await,
        (vec!["Open".to_string(), "Group secret".into()], 2)
    );
}

on_both!(me_user_and_guest_lists_hold_what_is_assigned_directly_or_through_groups);
async fn me_user_and_guest_lists_hold_what_is_assigned_directly_or_through_groups(app: &TestApp) {
    let (sam, ann, kim) = members(app).await;
    let ops = group(app, "Ops", &[1005], &["grp@partner.test"]).await;
    let two = group(app, "Two", &[1002], &[]).await;
    let soon = |d: i64| json!(format_ts(docket_domain::time::now_ms() + d * DAY));
    task(
        app,
        "Sam direct",
        json!({"owners": {"users": [1002]}, "deadline": soon(1)}),
    )
    .await;
    task(
        app,
        "Ops group",
        json!({"owners": {"groups": [ops]}, "deadline": soon(2)}),
    )
    .await;
    task(
        app,
        "Sam and Ops",
        json!({"owners": {"users": [1002], "groups": [ops]}, "deadline": soon(3)}),
    )
    .await;
    task(
        app,
        "Guest direct",
        json!({"owners": {"guests": ["gina@partner.test"]}, "deadline": soon(4)}),
    )
    .await;
    task(
        app,
        "Two group",
        json!({"owners": {"groups": [two]}, "deadline": soon(5)}),
    )
    .await;
    let done = task(
        app,
        "Sam done",
        json!({"owners": {"users": [1002]}, "deadline": soon(6)}),
    )
    .await;
    set_status(app, &done, "completed").await;
    task(
        app,
        "Sam later",
        json!({"owners": {"users": [1002]}, "started_at": "2099-01-01", "deadline": "2099-02-01"}),
    )
    .await;
    let gone = task(
        app,
        "Sam archived",
        json!({"owners": {"users": [1002]}, "deadline": soon(7)}),
    )
    .await;
    archive_task(app, &gone).await;
    let (run_id, _) = run_of(app, "Run for Sam", 1002, json!({"deadline": soon(8)})).await;

    // T10: the caller's tasks, active by default.
    let me = "/organizations/acme/me/tasks";
    let r = get_as(app, &sam, me).await.expect(200);
    assert_eq!(titles(&r), ["Sam direct", "Sam and Ops", "Two group", "Run for Sam"]);
    assert_eq!(r.data()[3]["run_id"], run_id.as_str());
    assert_eq!(
        titles(&get_as(app, &sam, &format!("{me}?status=all")).await.expect(200)),
        [
            "Sam direct",
            "Sam and Ops",
            "Two group",
            "Sam done",
            "Run for Sam",
            "Sam later"
        ]
    );
    assert_eq!(
        titles(
            &get_as(app, &sam, &format!("{me}?status=all&archived=only"))
                .await
                .expect(200)
        ),
        ["Sam archived"]
    );
    assert_eq!(
        titles(&get_as(app, &sam, &format!("{me}?status=complete")).await.expect(200)),
        ["Sam done"]
    );
    assert_eq!(
        titles(&get_as(app, &ann, me).await.expect(200)),
        ["Ops group", "Sam and Ops"]
    );
    assert!(titles(&get_as(app, &kim, me).await.expect(200)).is_empty());
    assert!(
        titles(&app.get(me).await.expect(200)).is_empty(),
        "the admin is assigned nothing"
    );
    // Other filters narrow the caller's tasks.
    assert_eq!(
        titles(&get_as(app, &sam, &format!("{me}?owners=1005")).await.expect(200)),
        ["Sam and Ops"]
    );
    assert_eq!(
        titles(&get_as(app, &sam, &format!("{me}?groups={two}")).await.expect(200)),
        ["Two group"]
    );
    assert_eq!(
        titles(
            &get_as(app, &sam, &format!("{me}?q=ops&sort=-deadline"))
                .await
                .expect(200)
        ),
        ["Sam and Ops"]
    );

    // T11: any member's tasks, for any caller.
    let user = |id: &str| format!("/organizations/acme/users/{id}/tasks");
    assert_eq!(list(app, &user("1005")).await, ["Ops group", "Sam and Ops"]);
    assert_eq!(
        titles(&get_as(app, &kim, &user("1002")).await.expect(200)),
        ["Sam direct", "Sam and Ops", "Two group", "Run for Sam"]
    );
    assert_eq!(
        list(app, &format!("/api{}?status=all&sort=title", user("1002"))).await,
        [
            "Run for Sam",
            "Sam and Ops",
            "Sam direct",
            "Sam done",
            "Sam later",
            "Two group"
        ]
    );
    assert!(list(app, &user("1001")).await.is_empty());

    // T12: by email (any case, encoded or not), guest_code or integer id; directly or through a group.
    let (gina_code, gina_id) = guest_handles(app, "gina@partner.test").await;
    let (grp_code, grp_id) = guest_handles(app, "grp@partner.test").await;
    let guest = |key: &str| format!("/organizations/acme/guests/{key}/tasks");
    for key in [
        "gina@partner.test".to_string(),
        "gina%40partner.test".into(),
        "GINA%40Partner.Test".into(),
        gina_code.clone(),
        gina_id.to_string(),
    ] {
        assert_eq!(list(app, &guest(&key)).await, ["Guest direct"], "{key}");
    }
    for key in [grp_code.clone(), grp_id.to_string(), "grp%40partner.test".into()] {
        assert_eq!(list(app, &guest(&key)).await, ["Ops group", "Sam and Ops"], "{key}");
    }
    assert_eq!(
        titles(&get_as(app, &ann, &guest(&gina_code)).await.expect(200)),
        ["Guest direct"]
    );

    // Group membership changes take effect at once.
    app.json(
        Method::PUT,
        &format!("/organizations/acme/groups/{ops}"),
        json!({"name": "Ops", "members": [1007], "guests": []}),
    )
    .await
    .expect(200);
    assert!(titles(&get_as(app, &ann, me).await.expect(200)).is_empty());
    assert_eq!(
        titles(&get_as(app, &kim, me).await.expect(200)),
        ["Ops group", "Sam and Ops"]
    );
    assert_eq!(list(app, &user("1007")).await, ["Ops group", "Sam and Ops"]);
    assert!(list(app, &user("1005")).await.is_empty());
    assert!(list(app, &guest(&grp_code)).await.is_empty());
    app.json(
        Method::PUT,
        &format!("/organizations/acme/groups/{two}"),
        json!({"name": "Two", "members": [], "guests": ["gina@partner.test"]}),
    )
    .await
    .expect(200);
    assert_eq!(list(app, &guest(&gina_code)).await, ["Guest direct", "Two group"]);
    assert_eq!(
        titles(&get_as(app, &sam, me).await.expect(200)),
        ["Sam direct", "Sam and Ops", "Run for Sam"]
    );
    app.call(Method::DELETE, &format!("/organizations/acme/groups/{two}"))
        .await
        .expect(204);
    assert_eq!(list(app, &guest(&gina_code)).await, ["Guest direct"]);
}

on_both!(unknown_people_and_other_organizations_are_not_found);
async fn unknown_people_and_other_organizations_are_not_found(app: &TestApp) {
    let (sam, _, _) = members(app).await;
    let other = app.add_org("other", 2001).await;
    app.send(
        app.request_as(&other, Method::POST, "/organizations/other/guests")
            .json(&json!({"email": "theirs@partner.test"})),
    )
    .await
    .expect(201);
    let r = app
        .send(app.request_as(&other, Method::GET, "/organizations/other/guests/theirs%40partner.test"))
        .await
        .expect(200);
    let their_code = r.data()["link"]
        .as_str()
        .and_then(|l| l.rsplit('/').next())
        .expect("code")
        .to_string();
    let their_id = r.data()["id"].as_i64().expect("id");
    task(app, "Ours", json!({"owners": {"guests": ["ours@partner.test"]}})).await;

    for path in [
        "/organizations/acme/users/9999/tasks",
        "/organizations/acme/users/2001/tasks", // a member of another organization
        "/organizations/acme/users/abc/tasks",
        "/organizations/acme/users/10x2/tasks",
        "/organizations/acme/users/-1002/tasks",
        "/organizations/acme/users/1002.0/tasks",
        "/organizations/acme/users/invite/tasks",
        "/organizations/acme/guests/nobody%40partner.test/tasks",
        "/organizations/acme/guests/theirs%40partner.test/tasks",
        "/organizations/acme/guests/999999/tasks",
        "/organizations/nope/tasks",
        "/organizations/nope/me/tasks",
        "/organizations/nope/users/1002/tasks",
        "/organizations/nope/guests/ours%40partner.test/tasks",
    ] {
        let r = app.get(path).await;
        assert_eq!(
            (r.status, r.body["code"].as_str()),
            (404, Some("RESOURCE_NOT_FOUND")),
            "{path}: {}",
            r.text
        );
    }
    app.get(&format!("/organizations/acme/guests/{their_code}/tasks"))
        .await
        .expect(404);
    app.get(&format!("/organizations/acme/guests/{their_id}/tasks"))
        .await
        .expect(404);
    // The path is checked before the parameters.
    app.get("/organizations/acme/users/9999/tasks?status=bogus")
        .await
        .expect(404);
    app.get("/organizations/acme/guests/nobody%40partner.test/tasks?sort=bogus")
        .await
        .expect(404);
    // Not a member of the organization: 403 on every list.
    for path in [
        "/organizations/other/tasks",
        "/organizations/other/me/tasks",
        "/organizations/other/users/2001/tasks",
        "/organizations/other/guests/theirs%40partner.test/tasks",
    ] {
        let r = get_as(app, &sam, path).await;
        assert_eq!(r.status, 403, "{path}: {}", r.text);
    }
    // Without credentials: 401.
    assert_eq!(app.send(app.bare(Method::GET, TASKS)).await.status, 401);
    // Known ones answer.
    app.get("/organizations/acme/users/1002/tasks").await.expect(200);
    app.get("/organizations/acme/guests/ours%40partner.test/tasks")
        .await
        .expect(200);
    let r = app
        .send(app.request_as(
            &other,
            Method::GET,
            "/organizations/other/guests/theirs%40partner.test/tasks",
        ))
        .await
        .expect(200);
    assert_eq!(total(&r), 0);
}
