//! Refusals (404, 422 per parameter), pagination, and the request shapes of the SDK and seed 004.

#[allow(unused_imports)]
use super::*;

on_both!(invalid_parameters_are_422s_naming_each_one);
async fn invalid_parameters_are_422s_naming_each_one(app: &TestApp) {
    members(app).await;
    task(
        app,
        "Ours",
        json!({"owners": {"users": [1002], "guests": ["g@partner.test"]}}),
    )
    .await;
    for base in [
        "/organizations/acme/tasks",
        "/organizations/acme/me/tasks",
        "/organizations/acme/users/1002/tasks",
        "/organizations/acme/guests/g%40partner.test/tasks",
    ] {
        let r = app.get(&format!(
            "{base}?status=active,bogus&owners=1002,abc&guests=not-an-email&created=2025-13-01&is_oneoff=maybe&unassigned=perhaps&archived=sometimes&sort=sideways&page=0&per_page=x&without_pagination=nah&deadline_start_range=soon&deadline_end_range=15/06/2099&deadline_before=2099-06-15T10:00:00Z&deadline_after=tomorrow"
        )).await;
        assert_eq!(r.expect_invalid("status"), "The selected status is invalid.", "{base}");
        assert_eq!(
            r.expect_invalid("owners"),
            "The owners must be a comma-separated list of member ids."
        );
        assert_eq!(
            r.expect_invalid("guests"),
            "The guests must be a comma-separated list of email addresses."
        );
        assert_eq!(
            r.expect_invalid("created"),
            "The created must be a date (YYYY-MM-DD) or a range of dates (YYYY-MM-DD:YYYY-MM-DD)."
        );
        assert_eq!(
            r.expect_invalid("is_oneoff"),
            "The is oneoff field must be true or false."
        );
        assert_eq!(
            r.expect_invalid("unassigned"),
            "The unassigned field must be true or false."
        );
        assert_eq!(r.expect_invalid("archived"), "The selected archived is invalid.");
        assert_eq!(r.expect_invalid("sort"), "The selected sort is invalid.");
        r.expect_invalid("page");
        r.expect_invalid("per_page");
        r.expect_invalid("without_pagination");
        for key in [
            "deadline_start_range",
            "deadline_end_range",
            "deadline_before",
            "deadline_after",
        ] {
            assert_eq!(
                r.expect_invalid(key),
                format!("The {} is not a valid date.", key.replace('_', " "))
            );
        }
        let errors = r.body["errors"].as_object().expect("errors").len();
        assert_eq!(errors, 15);
        assert_eq!(
            r.body["message"],
            format!(
                "The page must be an integer of at least 1. (and {} more errors)",
                errors - 1
            )
        );
        // deadline_on decides alone.
        let r = app
            .get(&format!("{base}?deadline_on=2099-6-15&deadline_before=garbage"))
            .await;
        assert_eq!(r.expect_invalid("deadline_on"), "The deadline on is not a valid date.");
        assert!(r.body["errors"].get("deadline_before").is_none());
        // One at a time, each alone.
        for (query, key) in [
            ("status=auto-skipped", "status"),
            ("status=ALL,overdue,x", "status"),
            ("owners=1.5", "owners"),
            ("owners=me", "owners"),
            ("guests=a@b.test,@x", "guests"),
            ("created=2025-01-01:", "created"),
            ("created=2025-01-01..2025-01-02", "created"),
            ("created=20250101", "created"),
            ("sort_by=deadline,title", "sort_by"),
            ("sort=DEADLINE", "sort"),
            ("per_page=-1", "per_page"),
            ("page=1.5", "page"),
            ("archived=maybe", "archived"),
        ] {
            let r = app.get(&format!("{base}?{query}")).await;
            r.expect_invalid(key);
            assert_eq!(
                r.body["errors"].as_object().map(|e| e.len()),
                Some(1),
                "{base}?{query}: {}",
                r.text
            );
        }
    }
}

on_both!(pages_report_their_meta_and_link_to_their_neighbours);
async fn pages_report_their_meta_and_link_to_their_neighbours(app: &TestApp) {
    members(app).await;
    let base_ms = docket_domain::time::now_ms();
    for i in 1..=12 {
        task(
            app,
            &format!("Task {i:02}"),
            json!({"deadline": format_ts(base_ms + i * DAY)}),
        )
        .await;
    }
    let r = app.get(&format!("/api{TASKS}?status=all&q=task+0")).await.expect(200);
    assert_eq!(titles(&r).len(), 9);
    let r = app.get(&format!("/api{TASKS}?status=all")).await.expect(200);
    assert_eq!(titles(&r).len(), 10);
    let p = pagination(&r);
    assert_eq!(
        (
            p["total"].as_i64(),
            p["count"].as_i64(),
            p["per_page"].as_i64(),
            p["current_page"].as_i64(),
            p["total_pages"].as_i64()
        ),
        (Some(12), Some(10), Some(10), Some(1), Some(2))
    );
    assert_eq!(p["links"]["next"], format!("{}/api{TASKS}?status=all&page=2", app.base));
    assert_eq!(
        (p["links"]["prev"].clone(), p["links"]["previous"].clone()),
        (Value::Null, Value::Null)
    );

    let r = app.get(&format!("{TASKS}?status=all&page=2")).await.expect(200);
    assert_eq!(titles(&r), ["Task 11", "Task 12"]);
    let p = pagination(&r);
    assert_eq!((p["count"].as_i64(), p["current_page"].as_i64()), (Some(2), Some(2)));
    assert_eq!(p["links"]["prev"], format!("{}{TASKS}?status=all&page=1", app.base));
    assert_eq!(p["links"]["previous"], p["links"]["prev"]);
    assert_eq!(p["links"]["next"], Value::Null);

    let r = app
        .get(&format!("{TASKS}?per_page=5&page=2&sort=-deadline&q=Task"))
        .await
        .expect(200);
    assert_eq!(titles(&r), ["Task 07", "Task 06", "Task 05", "Task 04", "Task 03"]);
    let p = pagination(&r);
    assert_eq!(
        (p["total"].as_i64(), p["per_page"].as_i64(), p["total_pages"].as_i64()),
        (Some(12), Some(5), Some(3))
    );
    assert_eq!(
        p["links"]["next"],
        format!("{}{TASKS}?per_page=5&sort=-deadline&q=Task&page=3", app.base)
    );
    assert_eq!(
        p["links"]["prev"],
        format!("{}{TASKS}?per_page=5&sort=-deadline&q=Task&page=1", app.base)
    );

    // A page past the end: no items, true numbers, a way back.
    let r = app.get(&format!("{TASKS}?per_page=5&page=9")).await.expect(200);
    assert!(titles(&r).is_empty());
    let p = pagination(&r);
    assert_eq!(
        (
            p["total"].as_i64(),
            p["count"].as_i64(),
            p["current_page"].as_i64(),
            p["total_pages"].as_i64()
        ),
        (Some(12), Some(0), Some(9), Some(3))
    );
    assert_eq!(p["links"]["next"], Value::Null);
    assert_eq!(p["links"]["prev"], format!("{}{TASKS}?per_page=5&page=3", app.base));

    // without_pagination: everything on one page.
    let r = app
        .get(&format!("{TASKS}?without_pagination=true&per_page=2&page=4"))
        .await
        .expect(200);
    assert_eq!(titles(&r).len(), 12);
    let p = pagination(&r);
    assert_eq!(
        (
            p["total"].as_i64(),
            p["count"].as_i64(),
            p["per_page"].as_i64(),
            p["current_page"].as_i64(),
            p["total_pages"].as_i64()
        ),
        (Some(12), Some(12), Some(12), Some(1), Some(1))
    );
    assert_eq!(p["links"], json!({"next": null, "prev": null, "previous": null}));
    let r = app
        .get(&format!("{TASKS}?without_pagination=1&status=complete"))
        .await
        .expect(200);
    let p = pagination(&r);
    assert_eq!(
        (
            p["total"].as_i64(),
            p["count"].as_i64(),
            p["per_page"].as_i64(),
            p["total_pages"].as_i64()
        ),
        (Some(0), Some(0), Some(1), Some(1))
    );
    let r = app
        .get(&format!("{TASKS}?without_pagination=false&per_page=4"))
        .await
        .expect(200);
    assert_eq!((titles(&r).len(), pagination(&r)["total_pages"].as_i64()), (4, Some(3)));
    // per_page is clamped to 1000; the last value of a repeated key wins.
    let r = app.get(&format!("{TASKS}?per_page=5000")).await.expect(200);
    assert_eq!(
        (titles(&r).len(), pagination(&r)["per_page"].as_i64()),
        (12, Some(1000))
    );
    let r = app.get(&format!("{TASKS}?per_page=2&per_page=3")).await.expect(200);
    assert_eq!(titles(&r).len(), 3);
    // The assigned lists page the same way.
    let r = app
        .get("/organizations/acme/users/1002/tasks?per_page=1")
        .await
        .expect(200);
    assert_eq!((total(&r), pagination(&r)["total_pages"].as_i64()), (0, Some(1)));
}

on_both!(the_sdk_requests_get_what_they_read);
async fn the_sdk_requests_get_what_they_read(app: &TestApp) {
    let (sam, _, _) = members(app).await;
    let ops = group(app, "Ops", &[1002], &["grp@partner.test"]).await;
    let soon = |d: i64| json!(format_ts(docket_domain::time::now_ms() + d * DAY));
    let first = task(
        app,
        "First",
        json!({"owners": {"users": [1002]}, "deadline": soon(3), "tags": ["Finance"]}),
    )
    .await;
    let (run_id, _) = run_of(app, "Second", 1002, json!({"deadline": soon(1)})).await;
    let third = task(
        app,
        "Third",
        json!({"owners": {"groups": [ops], "guests": ["gina@partner.test"]}, "deadline": soon(2)}),
    )
    .await;
    set_status(app, &third, "completed").await;
    app.json(
        Method::POST,
        &format!("{TASKS}/{first}/comment"),
        json!({"content": "Hello"}),
    )
    .await
    .expect(201);
    app.json(
        Method::POST,
        &format!("{TASKS}/{first}/comment"),
        json!({"content": "Again"}),
    )
    .await
    .expect(201);

    // get_my_tasks(org): page=1&per_page=100&status=all.
    let r = get_as(app, &sam, "/organizations/acme/me/tasks?page=1&per_page=100&status=all")
        .await
        .expect(200);
    assert_eq!(titles(&r), ["Second", "Third", "First"]);
    let p = pagination(&r);
    assert_eq!(
        (
            p["total"].as_i64(),
            p["count"].as_i64(),
            p["per_page"].as_i64(),
            p["current_page"].as_i64(),
            p["total_pages"].as_i64()
        ),
        (Some(3), Some(3), Some(100), Some(1), Some(1))
    );
    assert_eq!(
        (p["links"]["next"].clone(), p["links"]["prev"].clone()),
        (Value::Null, Value::Null)
    );
    for t in r.data().as_array().expect("list") {
        for key in [
            "id",
            "increment_id",
            "title",
            "original_title",
            "allow_guest_owners",
            "run_id",
            "checklist_id",
            "linked_step_id",
            "step_id",
            "alias",
            "taskdata",
            "owners",
            "is_completable",
            "status",
            "status_label",
            "task_type",
            "is_approved",
            "position",
            "started_at",
            "deadline",
            "created_at",
            "last_updated",
            "archived_at",
            "completed_at",
            "starter_id",
            "completer_id",
            "is_oneoff_task",
            "everyone_must_complete",
            "completion_progress",
            "has_deadline_dependent_child_tasks",
            "can_complete_only_assignees",
            "max_assignable",
            "webhook",
            "prevent_guest_comment",
            "stage_id",
            "problem",
            "blueprint_position",
            "is_soft_start_date",
            "send_chromeless",
            "run_status",
            "completer_guest",
            "top_secret",
        ] {
            assert!(t.get(key).is_some(), "{key} missing from {t}");
        }
    }
    assert_eq!(r.data()[0]["is_completable"], true);

    // get_user_tasks(org, user_id): sort_by=newest&status=all&with=…
    let with = "with=run,threads_count,step,tags,folders,member_watchers.watcher";
    let r = app
        .get(&format!(
            "/organizations/acme/users/1002/tasks?page=1&per_page=100&sort_by=newest&status=all&{with}"
        ))
        .await
        .expect(200);
    assert_eq!(titles(&r), ["Third", "Second", "First"]);
    let [third_json, second_json, first_json] = [&r.data()[0], &r.data()[1], &r.data()[2]];
    assert_eq!(second_json["run"]["data"]["id"], run_id.as_str());
    assert_eq!(second_json["run"]["data"]["name"], "Second");
    assert_eq!(first_json["run"], json!({"data": null}));
    assert_eq!(
        (
            first_json["threads_count"].as_i64(),
            second_json["threads_count"].as_i64()
        ),
        (Some(2), Some(0))
    );
    assert_eq!(first_json["step"], json!({"data": null}));
    assert_eq!(first_json["tags"]["data"][0]["title"], "Finance");
    assert_eq!(first_json["tags"]["data"][0]["subject_type"], "Task");
    assert_eq!(second_json["tags"], json!({"data": []}));
    for t in [third_json, second_json, first_json] {
        assert_eq!(t["folders"], json!({"data": []}));
        assert_eq!(t["member_watchers"], json!({"data": []}));
        assert!(t.get("summary").is_none());
    }
    assert_eq!(third_json["status"], "completed");

    // get_guest_tasks(org, guest_id): the guest_code from the guest's link.
    let (code, _) = guest_handles(app, "gina@partner.test").await;
    let r = app
        .get(&format!(
            "/organizations/acme/guests/{code}/tasks?page=1&per_page=100&sort_by=newest&status=all&{with}"
        ))
        .await
        .expect(200);
    assert_eq!(titles(&r), ["Third"]);
    assert_eq!(r.data()[0]["owners"]["guests"], json!(["gina@partner.test"]));
    assert!(
        r.data()[0]["owners"]["taskUrls"][0]
            .as_str()
            .is_some_and(|u| u.contains(&code))
    );
    let r = app
        .get(&format!(
            "/organizations/acme/guests/grp%40partner.test/tasks?page=1&per_page=100&sort_by=newest&status=all&{with}"
        ))
        .await
        .expect(200);
    assert_eq!(titles(&r), ["Third"], "through the group");
    // The SDK's defaults are status=all; without it the default is active.
    let r = app
        .get(&format!("/organizations/acme/guests/{code}/tasks"))
        .await
        .expect(200);
    assert_eq!(total(&r), 0);
}

on_both!(the_seed_004_samples_and_their_encodings, |c| c.now = Some(NOW));
async fn the_seed_004_samples_and_their_encodings(app: &TestApp) {
    members(app).await;
    let client = tag(app, "Client Work").await;
    let d = |n: i64| json!(ts(NOW + n * HOUR));
    task(
        app,
        "Late one",
        json!({"deadline": d(-48), "started_at": ts(NOW - 9 * DAY)}),
    )
    .await;
    task(
        app,
        "Late two",
        json!({"deadline": d(-24), "started_at": ts(NOW - 9 * DAY), "owners": {"users": [1002]}}),
    )
    .await;
    task(
        app,
        "Quarterly report",
        json!({"deadline": d(12), "started_at": ts(NOW - DAY), "owners": {"users": [1005]}, "tags": ["Client Work"]}),
    )
    .await;
    task(
        app,
        "Open loose end",
        json!({"deadline": d(36), "started_at": ts(NOW - DAY)}),
    )
    .await;
    task(
        app,
        "Not yet",
        json!({"deadline": d(900), "started_at": ts(NOW + 30 * DAY)}),
    )
    .await;
    let (run_id, _) = run_of(
        app,
        "Onboarding run",
        1002,
        json!({"deadline": d(60), "started_at": ts(NOW - DAY)}),
    )
    .await;
    tag_run(app, &run_id, &client).await;

    // Both base URL forms of the seed: go.tallyfy.com/api/… and api.tallyfy.com/….
    for prefix in ["", "/api"] {
        let path = format!("{prefix}{TASKS}");
        // JavaScript: new URLSearchParams({status: 'active', per_page: '20'}).
        let r = app.get(&format!("{path}?status=active&per_page=20")).await.expect(200);
        assert_eq!(
            titles(&r),
            [
                "Late one",
                "Late two",
                "Quarterly report",
                "Open loose end",
                "Onboarding run"
            ]
        );
        assert_eq!(pagination(&r)["per_page"], 20);
        // Python requests: params={'status': 'overdue', 'per_page': 15, 'sort': '-deadline'}.
        let r = app
            .get(&format!("{path}?status=overdue&per_page=15&sort=-deadline"))
            .await
            .expect(200);
        assert_eq!(titles(&r), ["Late two", "Late one"]);
        assert_eq!(pagination(&r)["per_page"], 15);
        // Java: Map.of(...) in any order, URLEncoder; Go: url.Values.Encode() sorts the keys.
        for query in [
            "status=active&per_page=10&unassigned=true",
            "unassigned=true&status=active&per_page=10",
            "per_page=5&status=active&unassigned=true",
        ] {
            let r = app.get(&format!("{path}?{query}")).await.expect(200);
            assert_eq!(titles(&r), ["Late one", "Open loose end"], "{query}");
            assert!(r.data()[0]["owners"]["users"].as_array().is_some_and(Vec::is_empty));
        }
        // The documented includes (with=run,run.checklist,step,threads,assets,form_fields,tags).
        let r = app
            .get(&format!(
                "{path}?q=onboarding&with=run,run.checklist,step,threads,assets,form_fields,tags"
            ))
            .await
            .expect(200);
        let t = &r.data()[0];
        assert_eq!(t["run"]["data"]["id"], run_id.as_str());
        assert!(t["run"]["data"]["checklist"]["data"].is_object(), "{t}");
        assert_eq!(
            (
                t["step"].clone(),
                t["threads"].clone(),
                t["assets"].clone(),
                t["form_fields"].clone()
            ),
            (
                json!({"data": null}),
                json!({"data": []}),
                json!({"data": []}),
                json!({"data": []})
            )
        );
        assert_eq!(t["tags"], json!({"data": []}), "the tag is on the run, not the task");
    }

    // Encodings: spaces as %20 or +, commas and colons as %2C / %3A, @ as %40.
    let same = [
        ("q=quarterly%20report", "q=quarterly+report"),
        ("tag=client%20work", "tag=Client+Work"),
        ("owners=1002,1005", "owners=1002%2C1005"),
        ("status=overdue,due_soon", "status=overdue%2Cdue_soon"),
        ("created=2030-01-01:2030-01-01", "created=2030-01-01%3A2030-01-01"),
        (
            "deadline_end_range=2030-01-01%2012:00:00",
            "deadline_end_range=2030-01-01+12%3A00%3A00",
        ),
        (
            "deadline_start_range=2029-12-31T00:00:00Z",
            "deadline_start_range=2029-12-31T00%3A00%3A00Z",
        ),
        ("guests=x%40partner.test", "guests=x@partner.test"),
    ];
    for (a, b) in same {
        let one = list(app, &format!("{TASKS}?{a}")).await;
        assert_eq!(one, list(app, &format!("{TASKS}?{b}")).await, "{a} vs {b}");
        assert_eq!(one, list(app, &format!("/api{TASKS}?{b}")).await, "/api {b}");
    }
    assert_eq!(
        list(app, &format!("{TASKS}?q=quarterly+report")).await,
        ["Quarterly report"]
    );
    assert_eq!(
        list(app, &format!("{TASKS}?tag=Client+Work")).await,
        ["Quarterly report", "Onboarding run"]
    );
    assert_eq!(
        list(app, &format!("{TASKS}?owners=1002%2C1005")).await,
        ["Late two", "Quarterly report", "Onboarding run"]
    );
    assert_eq!(
        list(app, &format!("{TASKS}?status=overdue%2Cdue_soon")).await,
        ["Late one", "Late two", "Quarterly report"]
    );
    assert_eq!(
        list(app, &format!("{TASKS}?deadline_end_range=2030-01-01+12%3A00%3A00")).await,
        ["Late one", "Late two", "Quarterly report"]
    );
    assert_eq!(
        list(
            app,
            &format!("{TASKS}?deadline_start_range=2029-12-31T00%3A00%3A00Z&deadline_end_range=2030-01-01")
        )
        .await,
        ["Late two", "Quarterly report"]
    );
    // A literal + travels as %2B.
    task(app, "C++ review", json!({"deadline": d(1000)})).await;
    assert_eq!(list(app, &format!("{TASKS}?q=c%2B%2B")).await, ["C++ review"]);
    assert!(
        list(app, &format!("{TASKS}?q=c+%2B%2B")).await.is_empty(),
        "+ is a space"
    );
}
