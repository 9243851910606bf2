//! A member's lists (`owners=`, T10, T11) read `member_tasks`, which the database keeps from
//! assignments, group memberships and tasks: every change to those shows in the next list.

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
