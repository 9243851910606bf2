//! The list defaults, the derived status conditions of §2.4 on a fixed clock, and the text,
//! tag, folder, role, created and one-off filters.

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

    // folder: an unknown folder holds nothing; roles: nothing is assigned to a role.
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
