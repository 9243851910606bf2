//! A member's lists (`owners=`, T10, T11) read `member_tasks`, which the database keeps from
//! assignments, group memberships and tasks: every change to those shows in the next list,
//! searches (`q`) included.

use super::*;

on_both!(member_lists_follow_every_change_to_assignments_groups_and_tasks);
async fn member_lists_follow_every_change_to_assignments_groups_and_tasks(app: &TestApp) {
    let (_, ann, _) = members(app).await;
    let ops = group(app, "Ops", &[1005], &[]).await;
    let soon = |d: i64| json!(format_ts(docket_domain::time::now_ms() + d * DAY));
    let direct = task(
        app,
        "Ann direct",
        json!({"owners": {"users": [1005]}, "deadline": soon(1)}),
    )
    .await;
    task(
        app,
        "Ops group",
        json!({"owners": {"groups": [ops]}, "deadline": soon(2)}),
    )
    .await;
    let both = task(
        app,
        "Both",
        json!({"owners": {"users": [1005], "groups": [ops]}, "deadline": soon(3)}),
    )
    .await;
    task(
        app,
        "Sam only",
        json!({"owners": {"users": [1002]}, "deadline": soon(4)}),
    )
    .await;
    let owned = |who: i64| async move { list(app, &format!("{TASKS}?owners={who}&status=all")).await };
    assert_eq!(owned(1005).await, ["Ann direct", "Ops group", "Both"]);
    assert!(owned(1007).await.is_empty());

    // Group membership: kim joins and ann leaves; ann keeps what she holds directly.
    app.json(
        Method::PUT,
        &format!("/organizations/acme/groups/{ops}"),
        json!({"name": "Ops", "members": [1007]}),
    )
    .await
    .expect(200);
    assert_eq!(owned(1005).await, ["Ann direct", "Both"]);
    assert_eq!(owned(1007).await, ["Ops group", "Both"]);
    assert_eq!(
        list(app, "/organizations/acme/users/1007/tasks?status=all").await,
        ["Ops group", "Both"]
    );

    // Reassignment: "Both" loses its group, so kim loses it too.
    app.json(
        Method::PUT,
        &format!("{TASKS}/{both}"),
        json!({"owners": {"users": [1005], "groups": []}}),
    )
    .await
    .expect(200);
    assert_eq!(owned(1007).await, ["Ops group"]);
    assert_eq!(owned(1005).await, ["Ann direct", "Both"]);

    // Task columns: a later deadline reorders; a completed task is no longer active.
    app.json(Method::PUT, &format!("{TASKS}/{direct}"), json!({"deadline": soon(9)}))
        .await
        .expect(200);
    assert_eq!(owned(1005).await, ["Both", "Ann direct"]);
    set_status(app, &both, "completed").await;
    let r = app.get(&format!("{TASKS}?owners=1005&status=active")).await.expect(200);
    assert_eq!((titles(&r), total(&r)), (vec!["Ann direct".to_string()], 1));
    let r = get_as(app, &ann, "/organizations/acme/me/tasks?status=completed")
        .await
        .expect(200);
    assert_eq!((titles(&r), total(&r)), (vec!["Both".to_string()], 1));

    // A deleted group takes its tasks off its members' lists.
    let r = app
        .call(Method::DELETE, &format!("/organizations/acme/groups/{ops}"))
        .await;
    assert!(r.status < 300, "delete group: {}", r.text);
    assert!(owned(1007).await.is_empty());

    // Archived tasks leave the default list and stay in the archived one.
    archive_task(app, &direct).await;
    assert_eq!(owned(1005).await, ["Both"]);
    assert_eq!(
        list(app, &format!("{TASKS}?owners=1005&status=all&archived=true")).await,
        ["Both", "Ann direct"]
    );
    // Other sorts read the same rows.
    assert_eq!(
        list(
            app,
            &format!("{TASKS}?owners=1005&status=all&archived=true&sort=-deadline")
        )
        .await,
        ["Ann direct", "Both"]
    );
    assert_eq!(
        list(app, &format!("{TASKS}?owners=1005&status=all&archived=true&sort=title")).await,
        ["Ann direct", "Both"]
    );
}

on_both!(a_members_search_follows_titles_and_assignments);
async fn a_members_search_follows_titles_and_assignments(app: &TestApp) {
    let (_, ann, _) = members(app).await;
    let ops = group(app, "Ops", &[1005], &[]).await;
    let soon = |d: i64| json!(format_ts(docket_domain::time::now_ms() + d * DAY));
    let direct = task(
        app,
        "Quarterly report",
        json!({"owners": {"users": [1005]}, "deadline": soon(1)}),
    )
    .await;
    let grouped = task(
        app,
        "Report to the board",
        json!({"owners": {"groups": [ops]}, "deadline": soon(2)}),
    )
    .await;
    task(
        app,
        "Sam's report",
        json!({"owners": {"users": [1002]}, "deadline": soon(3)}),
    )
    .await;
    let (run_id, _) = run_of(app, "Invoice run", 1005, json!({"deadline": soon(4)})).await;
    let search = |q: &'static str| {
        let ann = ann.clone();
        async move {
            let r = get_as(app, &ann, &format!("/organizations/acme/me/tasks?status=all&q={q}"))
                .await
                .expect(200);
            let owned = list(app, &format!("{TASKS}?owners=1005&status=all&q={q}")).await;
            assert_eq!(titles(&r), owned, "me/tasks and owners= agree for q={q}");
            assert_eq!(total(&r), owned.len() as i64, "the total counts the matches of q={q}");
            owned
        }
    };
    assert_eq!(search("REPORT").await, ["Quarterly report", "Report to the board"]);
    assert_eq!(search("board").await, ["Report to the board"], "through the group");
    assert_eq!(search("invoice").await, ["Invoice run"]);

    // A renamed task is found by its new title only.
    app.json(
        Method::PUT,
        &format!("{TASKS}/{direct}"),
        json!({"title": "Annual summary"}),
    )
    .await
    .expect(200);
    assert_eq!(search("report").await, ["Report to the board"]);
    assert_eq!(search("annual").await, ["Annual summary"]);
    // A run's name matches its tasks, by its current name.
    assert!(search("payroll").await.is_empty());
    app.json(
        Method::PUT,
        &format!("/organizations/acme/runs/{run_id}"),
        json!({"name": "Payroll run"}),
    )
    .await
    .expect(200);
    assert_eq!(search("payroll").await, ["Invoice run"], "through the run's name");

    // Leaving the group takes its task out of her search; joining another member's task adds it.
    app.json(
        Method::PUT,
        &format!("/organizations/acme/groups/{ops}"),
        json!({"name": "Ops", "members": [1007]}),
    )
    .await
    .expect(200);
    assert!(search("board").await.is_empty());
    app.json(
        Method::PUT,
        &format!("{TASKS}/{grouped}"),
        json!({"owners": {"users": [1005], "groups": [ops]}}),
    )
    .await
    .expect(200);
    assert_eq!(search("board").await, ["Report to the board"]);
}
