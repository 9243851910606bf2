//! `task.assigned` of creates and owner updates, the comment events, `event_types` filtering,
//! and that a refused write sends nothing.

use reqwest::Method;
use serde_json::json;

use super::*;
use crate::support::fixtures::seed_members;
use crate::watchers::{hits, tune};

on_both!(task_writes_send_assigned_and_comment_events, tune);
async fn task_writes_send_assigned_and_comment_events(app: &TestApp) {
    seed_members(app).await;
    let (base, seen) = hits().await;
    watch(app, &format!("{base}/all"), json!([])).await;
    watch(
        app,
        &format!("{base}/issues"),
        json!(["task.issue_raised", "task.issue_resolved", "task.issue_raised"]),
    )
    .await;
    let task_path = |id: &str| app.org_path(&format!("/tasks/{id}"));

    // A create with assignees; an owners update adding a member and a guest; the same owners
    // again add nobody.
    let created = app
        .json(
            Method::POST,
            &app.org_path("/tasks"),
            json!({"title": "Ship it", "owners": {"users": [1005]}}),
        )
        .await
        .expect(201);
    let id = created.data()["id"].as_str().unwrap().to_string();
    let owners = json!({"owners": {"users": [1005, 1002], "guests": ["pat@partner.test"]}});
    for _ in 0..2 {
        app.json(Method::PUT, &task_path(&id), owners.clone()).await.expect(200);
    }

    // A refused write sends nothing: an approval task cannot be completed without a decision,
    // so its owners change is not kept either.
    let approval = app
        .json(
            Method::POST,
            &app.org_path("/tasks"),
            json!({"title": "Approve", "task_type": "approval"}),
        )
        .await
        .expect(201);
    let approval_id = approval.data()["id"].as_str().unwrap().to_string();
    let before = outbox_len(app).await;
    app.json(
        Method::PUT,
        &task_path(&approval_id),
        json!({"owners": {"users": [1002]}, "status": "completed"}),
    )
    .await
    .expect_invalid("is_approved");
    assert_eq!(outbox_len(app).await, before);
    let kept = app.get(&task_path(&approval_id)).await.expect(200);
    assert_eq!(kept.data()["owners"]["users"], json!([]));

    // Comments: a comment, a problem, its resolution.
    let comments = format!("{}/comment", task_path(&id));
    app.json(Method::POST, &comments, json!({"content": "Looks good @[1002]"}))
        .await
        .expect(201);
    let problem = app
        .json(
            Method::POST,
            &format!("{}/problem", task_path(&id)),
            json!({"content": "Blocked"}),
        )
        .await
        .expect(201);
    let problem_id = problem.data()["id"].as_str().unwrap().to_string();
    app.json(
        Method::POST,
        &format!("{}/resolved-threads", task_path(&id)),
        json!({"thread_id": problem_id, "content": "Fixed"}),
    )
    .await
    .expect(201);

    let got = wait_for(&seen, 7).await;
    assert_envelope(&got);
    assert_eq!(
        events_at(&got, "/all"),
        [
            "task.assigned",
            "task.assigned",
            "task.comment_added",
            "task.issue_raised",
            "task.issue_resolved"
        ],
        "{got:#?}"
    );
    assert_eq!(
        events_at(&got, "/issues"),
        ["task.issue_raised", "task.issue_resolved"],
        "{got:#?}"
    );
    assert!(
        got.iter().all(|h| h.body["this_task"]["id"] == id.as_str()),
        "only the first task's events: {got:#?}"
    );
    let mut assigned = of(&got, "/all", "task.assigned");
    assigned.sort_by_key(|h| h.body["assigned"]["users"][0]["id"].as_i64());
    let a = &assigned[1].body;
    assert_eq!(a["assigned"]["users"][0]["id"], 1005);
    assert_eq!(a["assigned"]["users"].as_array().unwrap().len(), 1);
    assert_eq!(a["assigned"]["guests"], json!([]));
    assert_eq!(a["this_task"]["title"], "Ship it");
    assert_eq!(a["actor"]["id"], 1001);
    assert_eq!(a["process"], json!(null));
    assert_eq!(a["template"], json!(null));
    let a = &assigned[0].body;
    assert_eq!(a["assigned"]["users"].as_array().unwrap().len(), 1, "{a}");
    assert_eq!(a["assigned"]["users"][0]["id"], 1002);
    assert_eq!(a["assigned"]["guests"], json!(["pat@partner.test"]));
    assert_eq!(a["this_task"]["owners"]["guests"], json!(["pat@partner.test"]));

    let c = &of(&got, "/all", "task.comment_added")[0].body;
    assert_eq!(c["comment"]["content"], "Looks good @[1002]");
    assert_eq!(c["comment"]["label"], "comment");
    assert_eq!(c["comment"]["sent_to"], json!([1002]));
    assert_eq!(c["issue"], json!(null));
    assert_eq!(c["actor"]["email"], "bob@acme.test");
    let raised = of(&got, "/all", "task.issue_raised");
    assert_eq!(raised[0].body["comment"]["id"], problem_id.as_str());
    assert_eq!(raised[0].body["comment"]["label"], "problem");
    // The watcher of issues got the same events as the watcher of everything.
    assert_eq!(raised[0].event_id, of(&got, "/issues", "task.issue_raised")[0].event_id);
    let resolved = &of(&got, "/all", "task.issue_resolved")[0].body;
    assert_eq!(resolved["comment"]["label"], "resolve");
    assert_eq!(resolved["comment"]["content"], "Fixed");
    assert_eq!(resolved["issue"]["id"], problem_id.as_str());
}

on_both!(unknown_event_types_are_refused, tune);
async fn unknown_event_types_are_refused(app: &TestApp) {
    let add = |types: serde_json::Value| {
        let path = app.org_path("/users/1001/add-watcher");
        let body = json!({"object_type": "organization", "object_id": "acme", "webhook": "https://hooks.example/t",
                          "event_types": types});
        async move { app.json(Method::POST, &path, body).await }
    };
    for (types, why) in [
        (json!(["task.completed", "task.deleted"]), "an unknown name"),
        (json!([7]), "not a name"),
        (json!("task.completed"), "not a list"),
    ] {
        add(types).await.expect_invalid("event_types");
        let list = app.get(&app.org_path("/watchers")).await.expect(200);
        assert_eq!(list.data(), &json!([]), "nothing subscribed for {why}");
    }
    let w = add(json!(["task.completed", "automation.webhook"])).await.expect(201);
    assert_eq!(w.data()["event_types"], json!(["task.completed", "automation.webhook"]));
    let list = app.get(&app.org_path("/watchers")).await.expect(200);
    assert_eq!(
        list.data()[0]["event_types"],
        json!(["task.completed", "automation.webhook"])
    );
}
