//! T8/R13 completion and T9/R14 reopening: task types and labels, the checks of T8 in order,
//! `everyone_must_complete`, comments, run refresh, and the webhook outbox (§5.12), read back
//! through the API and the store.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::fixtures::{capture_ids, create_task, read_task, seed_members};

const COMPLETE: &str = "/organizations/acme/completed-tasks";

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

/// POST a completion as the admin.
async fn complete(app: &TestApp, body: Value) -> crate::support::Resp {
    app.json(Method::POST, COMPLETE, body).await
}

/// The outbox events of `acme` as (row, parsed payload).
async fn events(app: &TestApp) -> Vec<(docket_store::model::OutboxRow, Value)> {
    app.store()
        .outbox_events("acme")
        .await
        .expect("outbox")
        .into_iter()
        .map(|row| {
            let payload = serde_json::from_str(&row.payload).expect("payload is JSON");
            (row, payload)
        })
        .collect()
}

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

on_both!(reopen_clears_completion_and_a_new_completion_fires_again);
async fn reopen_clears_completion_and_a_new_completion_fires_again(app: &TestApp) {
    let light = seed_members(app).await;
    let t = create_task(app, json!({"title": "Ship it", "summary": "Release 1.2", "owners": {"users": [1005], "guests": ["client@partner.test"]},
        "webhook": "https://hooks.example/task", "task_type": "approval",
        "form_fields": [{"label": "Hours", "field_type": "number", "required": true}]})).await;
    let id = id_of(&t);
    let hours = capture_ids(&read_task(app, &id).await)["Hours"].clone();
    app.json(
        Method::PUT,
        &format!("/organizations/acme/tasks/{id}"),
        json!({"taskdata": {hours.clone(): "38"}}),
    )
    .await
    .expect(200);

    // Not completed yet: 422; light and not assigned: 403; unknown: 404.
    let r = app.call(Method::DELETE, &format!("{COMPLETE}/{id}")).await;
    assert_eq!(r.expect_invalid("task"), "The task is not completed.");
    app.call(Method::DELETE, &format!("{COMPLETE}/0123456789abcdef0123456789abcdef"))
        .await
        .expect(404);

    let r = complete(
        app,
        json!({"task_id": id, "is_approved": true, "override_user": 1005, "comment": "Shipped to prod"}),
    )
    .await
    .expect(200);
    assert_eq!(r.data()["status_label"], "approved");
    let ev = events(app).await;
    assert_eq!(ev.len(), 1);
    let (row, p) = &ev[0];
    // The dispatcher may already have tried (and failed) to deliver it: still pending.
    assert_eq!(
        (row.event.as_str(), row.url.as_str(), row.status.as_str()),
        ("task.completed", "https://hooks.example/task", "pending")
    );
    assert_eq!((row.task_id.as_str(), row.org_id.as_str()), (id.as_str(), "acme"));
    assert!(row.next_attempt_at >= row.created_at);
    assert_eq!(row.id.len(), 32);
    assert_eq!(p["event_id"], row.id.as_str());
    assert_eq!(p["event"], "task.completed");
    assert_eq!(p["organization_id"], "acme");
    let ann = json!({"id": 1005, "email": "ann@acme.test", "full_name": "First1005 Last1005"});
    let tt = &p["this_task"];
    assert_eq!(
        (tt["id"].as_str(), tt["title"].as_str(), tt["summary"].as_str()),
        (Some(id.as_str()), Some("Ship it"), Some("Release 1.2"))
    );
    assert_eq!(
        (
            tt["status"].as_str(),
            tt["status_label"].as_str(),
            tt["task_type"].as_str()
        ),
        (Some("completed"), Some("approved"), Some("approval"))
    );
    assert_eq!(
        (
            tt["is_approved"].clone(),
            tt["alias"].clone(),
            tt["run_id"].clone(),
            tt["position"].as_i64()
        ),
        (json!(true), Value::Null, Value::Null, Some(1))
    );
    assert_eq!(tt["is_oneoff_task"], true);
    assert_eq!(tt["completed_at"], r.data()["completed_at"]);
    assert_eq!(tt["deadline"], r.data()["deadline"]);
    assert_eq!(tt["completed_by"], ann);
    assert_eq!(tt["owners"]["users"], json!([ann]));
    assert_eq!(tt["owners"]["guests"], json!(["client@partner.test"]));
    assert_eq!(
        tt["captures"],
        json!({hours.clone(): {"alias": "hours", "label": "Hours", "value": 38}})
    );
    assert_eq!(tt["assets"], json!([]));
    assert_eq!(p["completer"], ann);
    assert_eq!(
        p["launcher"],
        json!({"id": 1001, "email": "bob@acme.test", "full_name": "Bob Stone"})
    );
    assert_eq!(
        (p["process"].clone(), p["process-tasks"].clone(), p["next_task"].clone()),
        (Value::Null, json!({}), json!([]))
    );
    assert_eq!(p["form-fields"], json!({"hours": 38}));
    let link = p["guest-links"]["client@partner.test"]["link_for_guest"]
        .as_str()
        .expect("guest link");
    assert!(link.contains("/guest/"), "{link}");
    // The comment was posted by the caller.
    let s = app
        .get(&format!("/organizations/acme/tasks/{id}?with=threads"))
        .await
        .expect(200);
    let threads = s.data()["threads"]["data"].as_array().expect("threads").clone();
    assert_eq!(threads.len(), 1);
    assert_eq!(
        (
            threads[0]["content"].as_str(),
            threads[0]["label"].as_str(),
            threads[0]["state"].as_str()
        ),
        (Some("Shipped to prod"), Some("comment"), Some("hide-for-guests"))
    );
    assert_eq!(
        (threads[0]["author_id"].as_i64(), threads[0]["resolve_id"].clone()),
        (Some(1001), Value::Null)
    );

    // Completing twice: 200, no second event, no second comment.
    complete(app, json!({"task_id": id, "is_approved": false, "comment": "again"}))
        .await
        .expect(200);
    assert_eq!(events(app).await.len(), 1);
    let s = app
        .get(&format!("/organizations/acme/tasks/{id}?with=threads"))
        .await
        .expect(200);
    assert_eq!(s.data()["threads"]["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(s.data()["status_label"], "approved");

    app.send(app.request_as(&light, Method::DELETE, &format!("{COMPLETE}/{id}")))
        .await
        .expect(403);
    let r = app.call(Method::DELETE, &format!("{COMPLETE}/{id}")).await.expect(200);
    let d = r.data();
    assert_eq!(
        (d["status"].as_str(), d["status_label"].as_str()),
        (Some("in-progress"), Some("in-progress"))
    );
    assert_eq!(
        (
            d["completed_at"].clone(),
            d["completer_id"].clone(),
            d["is_approved"].clone(),
            d["completer_guest"].clone()
        ),
        (Value::Null, Value::Null, Value::Null, Value::Null)
    );
    assert_eq!(d["taskdata"][&hours], 38, "values survive reopen");
    assert!(d.get("tasks_changed_by_rules").is_none());
    assert_eq!(events(app).await.len(), 1, "reopen fires nothing");

    complete(app, json!({"task_id": id, "is_approved": false}))
        .await
        .expect(200);
    let ev = events(app).await;
    assert_eq!(ev.len(), 2, "a new completion after a reopen fires again");
    assert_ne!(ev[0].0.id, ev[1].0.id);
    let labels: Vec<&str> = ev
        .iter()
        .filter_map(|(_, p)| p["this_task"]["status_label"].as_str())
        .collect();
    assert!(
        labels.contains(&"rejected") && labels.contains(&"approved"),
        "{labels:?}"
    );

    // Tasks without a webhook record nothing; PUT status completed records like T8.
    let plain = create_task(app, json!({"title": "No hook"})).await;
    complete(app, json!({"task_id": id_of(&plain)})).await.expect(200);
    assert_eq!(events(app).await.len(), 2);
    let hooked = create_task(app, json!({"title": "Hooked", "webhook": "https://hooks.example/put"})).await;
    app.json(
        Method::PUT,
        &format!("/organizations/acme/tasks/{}", id_of(&hooked)),
        json!({"status": "completed"}),
    )
    .await
    .expect(200);
    let ev = events(app).await;
    assert_eq!(ev.len(), 3);
    assert!(
        ev.iter()
            .any(|(row, p)| row.url == "https://hooks.example/put" && p["this_task"]["id"] == id_of(&hooked).as_str())
    );
}

on_both!(run_routes_complete_reopen_and_describe_the_process);
async fn run_routes_complete_reopen_and_describe_the_process(app: &TestApp) {
    let light = seed_members(app).await;
    let first = create_task(app, json!({"title": "Submit timesheet", "summary": "Hours for week 23",
        "owners": {"users": [1005, 1002], "guests": ["client@partner.test"]}, "separate_task_for_each_assignee": true,
        "webhook": "https://hooks.example/run", "form_fields": [{"label": "Hours", "field_type": "text", "required": false}]})).await;
    let run_id = first["run_id"].as_str().expect("run").to_string();
    let base = format!("/organizations/acme/runs/{run_id}/completed-tasks");
    let tasks = app
        .get(&format!("/organizations/acme/runs/{run_id}?with=tasks"))
        .await
        .expect(200)
        .data()["tasks"]["data"]
        .as_array()
        .expect("tasks")
        .clone();
    let ids: Vec<String> = tasks.iter().map(id_of).collect();
    assert_eq!(ids.len(), 3);
    let hours = capture_ids(&read_task(app, &ids[0]).await)["Hours"].clone();
    app.json(
        Method::PUT,
        &format!("/organizations/acme/runs/{run_id}/tasks/{}", ids[0]),
        json!({"taskdata": {hours.clone(): "38"}}),
    )
    .await
    .expect(200);
    let tag = app
        .json(
            Method::POST,
            "/organizations/acme/tags",
            json!({"title": "finance", "color": "#e74c3c"}),
        )
        .await;
    let tagged = if tag.status == 201 {
        app.json(
            Method::POST,
            "/organizations/acme/checklists/tags",
            json!({"tag_id": id_of(tag.data()), "tag_type": "private", "subject_type": "Run", "subject_id": run_id}),
        )
        .await
        .status
            == 201
    } else {
        false
    };

    let r = app
        .json(Method::POST, &base, json!({"task_id": ids[0]}))
        .await
        .expect(200);
    assert_eq!(r.data()["tasks_changed_by_rules"], json!({}));
    assert_eq!(
        (r.data()["status"].as_str(), r.data()["run_status"].as_str()),
        (Some("completed"), Some("active"))
    );
    let run = app.get(&format!("/organizations/acme/runs/{run_id}")).await.expect(200);
    assert_eq!(
        run.data()["progress"],
        json!({"complete": 1, "total": 3, "percent": 33.33})
    );

    let ev = events(app).await;
    assert_eq!(ev.len(), 1);
    let p = &ev[0].1;
    assert_eq!(p["this_task"]["run_id"], run_id.as_str());
    assert_eq!(p["launcher"]["id"], 1001, "the run owner");
    let proc = &p["process"];
    assert_eq!(
        (
            proc["id"].as_str(),
            proc["organization_id"].as_str(),
            proc["name"].as_str()
        ),
        (Some(run_id.as_str()), Some("acme"), Some("Submit timesheet"))
    );
    assert_eq!(
        (
            proc["summary"].as_str(),
            proc["status"].as_str(),
            proc["progress"].as_f64()
        ),
        (Some("Hours for week 23"), Some("active"), Some(33.33))
    );
    assert_eq!(proc["prerun"], json!({}));
    assert_eq!(proc["created_at"], run.data()["created_at"]);
    assert_eq!(
        proc["process_forms"][&ids[0]][&hours],
        json!({"alias": "hours", "label": "Hours", "value": "38"})
    );
    assert_eq!(proc["process_forms"].as_object().map(|m| m.len()), Some(3));
    if tagged {
        assert_eq!(proc["tags"][0]["title"], "finance");
        assert_eq!(proc["tags"][0]["color"], "#e74c3c");
    } else {
        assert_eq!(proc["tags"], json!([]));
    }
    let pt = p["process-tasks"].as_object().expect("process-tasks");
    assert_eq!(pt.len(), 3);
    assert!(ids.iter().all(|i| pt.get(i) == Some(&Value::String(i.clone()))));
    assert_eq!(
        p["form-fields"]["hours"], "38",
        "this task's answer wins over the other tasks' empty ones"
    );
    let next = &p["next_task"];
    assert_eq!(
        (next["id"].as_str(), next["position"].as_i64(), next["status"].as_str()),
        (Some(ids[1].as_str()), Some(2), Some("not-started"))
    );
    assert_eq!(next["owners"]["users"][0]["id"], 1002);
    assert_eq!(next["captures"].as_object().map(|m| m.len()), Some(1));

    // Completing the rest makes the run complete; the last event has no next task.
    for id in &ids[1..] {
        app.json(Method::POST, &base, json!({"task_id": id})).await.expect(200);
    }
    let run = app.get(&format!("/organizations/acme/runs/{run_id}")).await.expect(200);
    assert_eq!(
        (run.data()["status"].as_str(), run.data()["completed_at"].is_string()),
        (Some("complete"), true)
    );
    let ev = events(app).await;
    assert_eq!(ev.len(), 3);
    assert!(ev.iter().any(|(_, p)| p["next_task"] == json!([])
        && p["process"]["status"] == "complete"
        && p["process"]["progress"] == 100.0));

    // R14: reopen through the run; the run is active again.
    app.send(app.request_as(&light, Method::DELETE, &format!("{base}/{}", ids[1])))
        .await
        .expect(403);
    let r = app
        .call(Method::DELETE, &format!("{base}/{}", ids[1]))
        .await
        .expect(200);
    assert_eq!(r.data()["tasks_changed_by_rules"], json!({}));
    assert_eq!(
        (r.data()["status"].as_str(), r.data()["run_status"].as_str()),
        (Some("in-progress"), Some("active"))
    );
    let run = app.get(&format!("/organizations/acme/runs/{run_id}")).await.expect(200);
    assert_eq!(
        (run.data()["status"].as_str(), run.data()["completed_at"].clone()),
        (Some("active"), Value::Null)
    );
    let r = app.call(Method::DELETE, &format!("{base}/{}", ids[1])).await;
    assert_eq!(r.expect_invalid("task"), "The task is not completed.");
    // T9 refuses run tasks; R14 wants a task of that run.
    let r = app.call(Method::DELETE, &format!("{COMPLETE}/{}", ids[0])).await;
    assert!(
        r.expect_invalid("task_id")
            .starts_with("This task belongs to a process;")
    );
    let alone = create_task(app, json!({"title": "Alone"})).await;
    app.call(Method::DELETE, &format!("{base}/{}", id_of(&alone)))
        .await
        .expect(404);

    // An archived run refuses completion and reopening.
    let archived = app
        .call(Method::DELETE, &format!("/organizations/acme/runs/{run_id}"))
        .await;
    if archived.status == 200 {
        let r = app.json(Method::POST, &base, json!({"task_id": ids[1]})).await;
        assert_eq!(r.expect_invalid("run"), "The process is archived.");
        let r = app.call(Method::DELETE, &format!("{base}/{}", ids[0])).await;
        assert_eq!(r.expect_invalid("run"), "The process is archived.");
        assert_eq!(read_task(app, &ids[1]).await["status"], "in-progress");
        assert_eq!(events(app).await.len(), 3);
    } else {
        eprintln!(
            "run archiving (R4) is not available yet ({}); archived-run refusal not exercised",
            archived.status
        );
    }
}

on_both!(concurrent_writes_stay_consistent);
async fn concurrent_writes_stay_consistent(app: &TestApp) {
    seed_members(app).await;
    // Many simultaneous completions of one task: every answer is 200, one event.
    let t = create_task(app, json!({"title": "Race", "webhook": "https://hooks.example/race"})).await;
    let id = id_of(&t);
    let sends: Vec<_> = (0..8)
        .map(|_| tokio::spawn(app.request(Method::POST, COMPLETE).json(&json!({"task_id": id})).send()))
        .collect();
    for s in sends {
        assert_eq!(s.await.expect("joined").expect("sent").status().as_u16(), 200);
    }
    assert_eq!(events(app).await.len(), 1);

    // Simultaneous moves inside one run keep the positions 1…n.
    let first = create_task(
        app,
        json!({"title": "T0", "separate_task_for_each_assignee": true, "owners": {"users": [1001]}}),
    )
    .await;
    let run_id = first["run_id"].as_str().expect("run").to_string();
    let mut ids = vec![id_of(&first)];
    for i in 1..6 {
        ids.push(id_of(
            &create_task(app, json!({"title": format!("T{i}"), "run_id": run_id})).await,
        ));
    }
    let sends: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let path = format!("/organizations/acme/runs/{run_id}/tasks/{id}");
            tokio::spawn(app.request(Method::PUT, &path).json(&json!({"position": 6 - i})).send())
        })
        .collect();
    for s in sends {
        assert_eq!(s.await.expect("joined").expect("sent").status().as_u16(), 200);
    }
    let positions: Vec<i64> = crate::support::fixtures::run_titles(app, &run_id)
        .await
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(positions, [1, 2, 3, 4, 5, 6]);

    // Two assignees of an everyone-must-complete task completing at once: one completion.
    let (_, tess) = app.add_member("acme", 3003, "tess@acme.test", "standard").await;
    let emc = create_task(
        app,
        json!({"title": "Both", "owners": {"users": [1001, 3003]}, "everyone_must_complete": true,
        "webhook": "https://hooks.example/both"}),
    )
    .await;
    let a = tokio::spawn(
        app.request(Method::POST, COMPLETE)
            .json(&json!({"task_id": id_of(&emc)}))
            .send(),
    );
    let b = tokio::spawn(
        app.request_as(&tess, Method::POST, COMPLETE)
            .json(&json!({"task_id": id_of(&emc)}))
            .send(),
    );
    assert_eq!(a.await.expect("joined").expect("sent").status().as_u16(), 200);
    assert_eq!(b.await.expect("joined").expect("sent").status().as_u16(), 200);
    let s = read_task(app, &id_of(&emc)).await;
    assert_eq!(
        (s["status"].as_str(), s["completion_progress"].as_f64()),
        (Some("completed"), Some(100.0))
    );
    assert_eq!(events(app).await.len(), 2);
}
