//! Who sees what: assignee filters and archived tasks, top-secret tasks, the `me`, member and
//! guest lists, and unknown people or other organizations.

use super::*;

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
