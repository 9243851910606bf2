//! What a completion checks and records: each task type with its label, the checks of T8 in
//! order, required fields and open problems, and `everyone_must_complete`.

use super::*;

on_both!(each_task_type_completes_with_its_label);
async fn each_task_type_completes_with_its_label(app: &TestApp) {
    seed_members(app).await;
    let cases = [
        ("task", json!({"is_approved": false}), "completed", Value::Null),
        ("email", json!({}), "completed", Value::Null),
        ("approval", json!({"is_approved": true}), "approved", json!(true)),
        ("approval", json!({"is_approved": "0"}), "rejected", json!(false)),
        ("expiring", json!({}), "acknowledged", json!(true)),
        ("expiring", json!({"is_approved": false}), "expired", json!(false)),
        ("expiring_email", json!({}), "acknowledged", json!(true)),
        ("expiring_email", json!({"IsApproved": false}), "expired", json!(false)),
    ];
    for (task_type, extra, label, approved) in cases {
        let t = create_task(app, json!({"title": format!("A {task_type}"), "task_type": task_type})).await;
        let mut body = json!({"task_id": id_of(&t)});
        body.as_object_mut()
            .expect("object")
            .extend(extra.as_object().expect("object").clone());
        let r = complete(app, body).await;
        assert_eq!(r.status, 200, "{task_type}: {}", r.text);
        assert!(r.data().get("tasks_changed_by_rules").is_none());
        let s = read_task(app, &id_of(&t)).await;
        assert_eq!(
            (s["status"].as_str(), s["status_label"].as_str()),
            (Some("completed"), Some(label)),
            "{task_type}"
        );
        assert_eq!(s["is_approved"], approved, "{task_type}");
        assert_eq!(
            (s["completer_id"].as_i64(), s["completer_guest"].clone()),
            (Some(1001), Value::Null)
        );
        assert!(s["completed_at"].is_string());
        assert_eq!(r.data()["status_label"], label);
    }
    // An approval task needs the decision; nothing changes without it.
    let t = create_task(app, json!({"title": "Decide", "task_type": "approval"})).await;
    let r = complete(app, json!({"task_id": id_of(&t)})).await;
    assert_eq!(r.expect_invalid("is_approved"), "The is approved field is required.");
    assert_eq!(read_task(app, &id_of(&t)).await["status"], "not-started");
}

on_both!(completion_bodies_are_checked_in_order);
async fn completion_bodies_are_checked_in_order(app: &TestApp) {
    let light = seed_members(app).await;
    let r = complete(app, json!({})).await;
    assert_eq!(r.expect_invalid("task_id"), "The task id field is required.");
    let r = complete(app, json!({"task_id": "0123456789abcdef0123456789abcdef"})).await;
    assert_eq!(r.expect_invalid("task_id"), "The selected task id is invalid.");
    let t = create_task(app, json!({"title": "Plain"})).await;
    let r = complete(app, json!({"task_id": id_of(&t), "override_user": 999999})).await;
    assert_eq!(
        r.expect_invalid("override_user"),
        "The selected override user is invalid."
    );

    // A run task is completed through its run.
    let rt = create_task(
        app,
        json!({"title": "Run", "separate_task_for_each_assignee": true, "owners": {"users": [1005]}}),
    )
    .await;
    let run_id = rt["run_id"].as_str().expect("run").to_string();
    let r = complete(app, json!({"task_id": id_of(&rt)})).await;
    let msg = r.expect_invalid("task_id");
    assert!(
        msg.starts_with("This task belongs to a process; complete it through /runs/"),
        "{msg}"
    );
    // …and the run route wants a task of that run.
    let r = app
        .json(
            Method::POST,
            &format!("/organizations/acme/runs/{run_id}/completed-tasks"),
            json!({"task_id": id_of(&t)}),
        )
        .await;
    assert_eq!(r.expect_invalid("task_id"), "The selected task id is invalid.");
    app.json(
        Method::POST,
        "/organizations/acme/runs/0123456789abcdef0123456789abcdef/completed-tasks",
        json!({"task_id": id_of(&rt)}),
    )
    .await
    .expect(404);

    // Step 3: a light member must be assigned; can_complete_only_assignees binds the completer.
    let r = app
        .send(
            app.request_as(&light, Method::POST, COMPLETE)
                .json(&json!({"task_id": id_of(&t)})),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.body["message"], "Only assignees can complete this task.");
    let only = create_task(
        app,
        json!({"title": "Only", "owners": {"users": [1005, 12345]}, "can_complete_only_assignees": true}),
    )
    .await;
    let r = complete(app, json!({"task_id": id_of(&only)})).await;
    assert_eq!(
        (r.status, r.body["message"].as_str()),
        (403, Some("Only assignees can complete this task."))
    );
    assert_eq!(read_task(app, &id_of(&only)).await["status"], "not-started");
    // override_user: the completer is the assignee, the caller records it.
    let r = complete(app, json!({"task_id": id_of(&only), "override_user": "1005"}))
        .await
        .expect(200);
    assert_eq!(
        (r.data()["completer_id"].as_i64(), r.data()["status"].as_str()),
        (Some(1005), Some("completed"))
    );
    let only2 = create_task(
        app,
        json!({"title": "Only 2", "owners": {"users": [12345]}, "can_complete_only_assignees": true}),
    )
    .await;
    app.send(
        app.request_as(&light, Method::POST, COMPLETE)
            .json(&json!({"task_id": id_of(&only2), "override_user": 1001})),
    )
    .await
    .expect(403);
    let r = app
        .send(
            app.request_as(&light, Method::POST, COMPLETE)
                .json(&json!({"task_id": id_of(&only2)})),
        )
        .await
        .expect(200);
    assert_eq!(r.data()["completer_id"], 12345);

    // Step 4 before 5: an already completed approval task answers 200 without a decision.
    let a = create_task(app, json!({"title": "Approve", "task_type": "approval"})).await;
    let first = complete(app, json!({"task_id": id_of(&a), "is_approved": true}))
        .await
        .expect(200);
    let again = app
        .send(
            app.request_as(&light, Method::POST, COMPLETE)
                .json(&json!({"task_id": id_of(&a)})),
        )
        .await;
    assert_eq!(again.status, 403, "step 3 still comes first");
    let again = complete(app, json!({"task_id": id_of(&a), "override_user": 1002}))
        .await
        .expect(200);
    assert_eq!(again.data()["completed_at"], first.data()["completed_at"]);
    assert_eq!(again.data()["completer_id"], 1001, "unchanged");
    assert_eq!(again.data()["last_updated"], first.data()["last_updated"]);
}

on_both!(required_fields_and_open_problems_block_completion);
async fn required_fields_and_open_problems_block_completion(app: &TestApp) {
    seed_members(app).await;
    let t = create_task(
        app,
        json!({"title": "Form", "form_fields": [
            {"label": "Hours", "field_type": "number", "required": true},
            {"label": "Agree", "field_type": "checkbox", "required": true},
            {"label": "Tools", "field_type": "multiselect", "required": true, "options": ["a", "b"]},
            {"label": "Notes", "field_type": "text", "required": false}
        ]}),
    )
    .await;
    let id = id_of(&t);
    let f = capture_ids(&read_task(app, &id).await);
    let path = format!("/organizations/acme/tasks/{id}");
    app.json(
        Method::PUT,
        &path,
        json!({"taskdata": {f["Agree"].clone(): false, f["Tools"].clone(): [{"id": 1, "selected": false}]}}),
    )
    .await
    .expect(200);

    let r = complete(app, json!({"task_id": id, "comment": "done?"})).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        r.expect_invalid(&format!("taskdata.{}", f["Hours"])),
        "Hours is required."
    );
    assert_eq!(
        r.expect_invalid(&format!("taskdata.{}", f["Agree"])),
        "Agree is required."
    );
    assert_eq!(
        r.expect_invalid(&format!("taskdata.{}", f["Tools"])),
        "Tools is required."
    );
    assert!(r.body["errors"].get(format!("taskdata.{}", f["Notes"])).is_none());
    assert_eq!(r.body["message"], "Hours is required. (and 2 more errors)");
    let s = app
        .get(&format!("/organizations/acme/tasks/{id}?with=threads"))
        .await
        .expect(200);
    assert_eq!(
        (s.data()["status"].as_str(), s.data()["threads"]["data"].clone()),
        (Some("not-started"), json!([])),
        "nothing written"
    );

    app.json(
        Method::PUT,
        &path,
        json!({"taskdata": {f["Hours"].clone(): 0, f["Agree"].clone(): true, f["Tools"].clone(): [{"id": 2}]}}),
    )
    .await
    .expect(200);

    // An open problem blocks completion (when the comment routes are there to report one).
    let p = app
        .json(
            Method::POST,
            &format!("/organizations/acme/tasks/{id}/problem"),
            json!({"content": "Broken"}),
        )
        .await;
    if p.status == 201 {
        let r = complete(app, json!({"task_id": id})).await;
        assert_eq!(r.expect_invalid("task"), "This task has unresolved issues.");
        assert_eq!(read_task(app, &id).await["status"], "not-started");
        let thread = id_of(p.data());
        app.json(
            Method::POST,
            &format!("/organizations/acme/tasks/{id}/resolved-threads"),
            json!({"thread_id": thread}),
        )
        .await
        .expect(201);
    } else {
        eprintln!(
            "problem reporting (C4) is not available yet ({}); open-problem refusal not exercised",
            p.status
        );
    }
    let r = complete(app, json!({"task_id": id})).await.expect(200);
    assert_eq!(r.data()["status"], "completed");
}

on_both!(everyone_must_complete_records_each_assignee);
async fn everyone_must_complete_records_each_assignee(app: &TestApp) {
    seed_members(app).await;
    let (_, sam) = app.add_member("acme", 3002, "sam2@acme.test", "standard").await;
    let t = create_task(
        app,
        json!({"title": "All of us", "owners": {"users": [1001, 3002]}, "everyone_must_complete": true,
        "webhook": "https://hooks.example/emc"}),
    )
    .await;
    let id = id_of(&t);
    assert_eq!(t["completion_progress"], 0.0);

    let r = complete(app, json!({"task_id": id})).await.expect(200);
    let d = r.data();
    assert_eq!(
        (d["status"].as_str(), d["completion_progress"].as_f64()),
        (Some("in-progress"), Some(50.0))
    );
    assert_eq!(
        (d["completed_at"].clone(), d["completer_id"].clone()),
        (Value::Null, Value::Null)
    );
    assert_eq!(d["is_completable"], false, "the caller has completed their part");
    assert!(
        events(app).await.is_empty(),
        "no webhook before the task really completes"
    );
    // The same completer again: unchanged.
    let again = complete(app, json!({"task_id": id})).await.expect(200);
    assert_eq!(again.data()["last_updated"], r.data()["last_updated"]);
    assert_eq!(again.data()["completion_progress"], 50.0);

    let r = app
        .send(
            app.request_as(&sam, Method::POST, COMPLETE)
                .json(&json!({"task_id": id})),
        )
        .await
        .expect(200);
    let d = r.data();
    assert_eq!(
        (
            d["status"].as_str(),
            d["completion_progress"].as_f64(),
            d["completer_id"].as_i64()
        ),
        (Some("completed"), Some(100.0), Some(3002))
    );
    assert_eq!(events(app).await.len(), 1);

    // Reopen clears every record.
    let r = app.call(Method::DELETE, &format!("{COMPLETE}/{id}")).await.expect(200);
    assert_eq!(
        (r.data()["status"].as_str(), r.data()["completion_progress"].as_f64()),
        (Some("in-progress"), Some(0.0))
    );
    let r = complete(app, json!({"task_id": id})).await.expect(200);
    assert_eq!(r.data()["completion_progress"], 50.0);

    // A completer outside the set completes outright.
    let r = complete(app, json!({"task_id": id, "override_user": 1005}))
        .await
        .expect(200);
    assert_eq!(
        (r.data()["status"].as_str(), r.data()["completer_id"].as_i64()),
        (Some("completed"), Some(1005))
    );
    assert_eq!(events(app).await.len(), 2);

    // A set with a guest is not satisfied by its members alone.
    let g = create_task(app, json!({"title": "With guest", "owners": {"users": [1001], "guests": ["g@partner.test"]}, "everyone_must_complete": true})).await;
    let r = complete(app, json!({"task_id": id_of(&g)})).await.expect(200);
    assert_eq!(
        (r.data()["status"].as_str(), r.data()["completion_progress"].as_f64()),
        (Some("in-progress"), Some(50.0))
    );
    // …until the guest is removed from the owners; then a completion from outside does it.
    app.json(
        Method::PUT,
        &format!("/organizations/acme/tasks/{}", id_of(&g)),
        json!({"owners": {"users": [1001]}}),
    )
    .await
    .expect(200);
    assert_eq!(read_task(app, &id_of(&g)).await["completion_progress"], 100.0);
    let r = complete(app, json!({"task_id": id_of(&g), "override_user": 1002}))
        .await
        .expect(200);
    assert_eq!(r.data()["status"], "completed");
}
