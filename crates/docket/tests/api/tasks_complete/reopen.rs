//! Reopening: completion cleared and a new completion firing again, and concurrent completes
//! and reopens staying consistent.

use super::*;

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
