//! R3 update, R8 launch, R9/R10 kick-off: what changes, who may change it, and other
//! organizations' runs not found.

use super::*;

on_both!(update_process_changes_the_given_fields_and_nothing_else);
async fn update_process_changes_the_given_fields_and_nothing_else(app: &TestApp) {
    seed(app).await;
    app.add_org("beta", 2001).await;
    let (run_id, _) = fan_out(app, "Quarterly close", &[1002], json!({"summary": "Start"})).await;
    let path = format!("/organizations/acme/runs/{run_id}");

    // The SDK's update_process sends exactly the keys it was given.
    let r = app
        .json(
            Method::PUT,
            &format!("/api{path}"),
            json!({"name": "Q3 close", "summary": "Books", "starred": true}),
        )
        .await
        .expect(200);
    assert_eq!(
        (
            r.data()["name"].as_str(),
            r.data()["summary"].as_str(),
            r.data()["starred"].as_bool()
        ),
        (Some("Q3 close"), Some("Books"), Some(true))
    );
    let r = app.get(&path).await.expect(200);
    let d = r.data();
    assert_eq!(
        (d["name"].as_str(), d["summary"].as_str(), d["starred"].as_bool()),
        (Some("Q3 close"), Some("Books"), Some(true))
    );
    assert_eq!(
        (
            d["owner_id"].as_i64(),
            d["is_public"].as_bool(),
            d["users"].clone(),
            d["groups"].clone()
        ),
        (Some(1001), Some(false), json!([]), json!([]))
    );
    assert_eq!(
        (d["status"].as_str(), d["progress"]["total"].as_i64()),
        (Some("active"), Some(1))
    );

    // Owner, visibility and the run-level assignment (lists replace; duplicates dropped);
    // prerun is accepted and ignored.
    let g = app
        .json(
            Method::POST,
            "/organizations/acme/groups",
            json!({"name": "Ops", "members": [1005]}),
        )
        .await
        .expect(201);
    let gid = g.data()["id"].as_str().expect("group").to_string();
    let body = json!({"owner_id": "1002", "is_public": true, "users": [1005, "1002", {"id": 1005}], "groups": [gid], "prerun": {"kick": "off"}});
    app.json(Method::PUT, &path, body).await.expect(200);
    let d = app.get(&path).await.expect(200).data().clone();
    assert_eq!(
        (d["owner_id"].as_i64(), d["is_public"].as_bool()),
        (Some(1002), Some(true))
    );
    assert_eq!(
        (d["users"].clone(), d["groups"].clone()),
        (json!([1005, 1002]), json!([gid]))
    );
    assert_eq!(
        (d["name"].as_str(), d["started_by"].as_i64(), d["prerun"].clone()),
        (Some("Q3 close"), Some(1001), json!({}))
    );
    assert_eq!(d["collaborators"], json!([1002]), "owner plus task assignees");
    app.json(
        Method::PUT,
        &path,
        json!({"users": [1002], "summary": null, "starred": false}),
    )
    .await
    .expect(200);
    let d = app.get(&path).await.expect(200).data().clone();
    assert_eq!(
        (
            d["users"].clone(),
            d["groups"].clone(),
            d["summary"].clone(),
            d["starred"].as_bool()
        ),
        (json!([1002]), json!([gid]), Value::Null, Some(false))
    );
    app.json(Method::PUT, &path, json!({"groups": []})).await.expect(200);
    assert_eq!(app.get(&path).await.expect(200).data()["groups"], json!([]));

    // 550 characters is the longest name.
    let long = "n".repeat(550);
    app.json(Method::PUT, &path, json!({"name": long})).await.expect(200);
    assert_eq!(app.get(&path).await.expect(200).data()["name"], long.as_str());

    // An empty body (JSON or none at all) is a no-op that returns the run.
    let before = app.get(&path).await.expect(200);
    let r = app.json(Method::PUT, &path, json!({})).await.expect(200);
    assert_eq!(r.data()["last_updated"], before.data()["last_updated"]);
    let r = app.call(Method::PUT, &path).await.expect(200);
    assert_eq!(r.data()["name"], long.as_str());
    let r = app
        .json(Method::PUT, &path, json!({"prerun": {"a": 1}}))
        .await
        .expect(200);
    assert_eq!(r.data()["last_updated"], before.data()["last_updated"]);

    // Every invalid field at once, nothing stored.
    let body = json!({"name": "x".repeat(551), "starred": "maybe", "owner_id": 2001, "users": [1005, 4242], "groups": ["nope"], "is_public": null});
    let r = app.json(Method::PUT, &path, body).await;
    for key in ["name", "starred", "owner_id", "users.1", "groups.0", "is_public"] {
        r.expect_invalid(key);
    }
    assert!(r.body["errors"].get("users.0").is_none(), "{}", r.text);
    assert_eq!(r.expect_invalid("owner_id"), "The selected owner id is invalid.");
    assert_eq!(app.get(&path).await.expect(200).data()["name"], long.as_str());
    assert_eq!(
        app.json(Method::PUT, &path, json!({"name": "   "}))
            .await
            .expect_invalid("name"),
        "The name field is required."
    );
    app.json(Method::PUT, &path, json!({"owner_id": "abc"}))
        .await
        .expect_invalid("owner_id");
    app.json(Method::PUT, &path, json!({"users": 1005}))
        .await
        .expect_invalid("users");
    let d = app.get(&path).await.expect(200).data().clone();
    assert_eq!(
        (d["owner_id"].as_i64(), d["users"].clone()),
        (Some(1002), json!([1002]))
    );
}

on_both!(light_members_change_only_the_runs_they_own);
async fn light_members_change_only_the_runs_they_own(app: &TestApp) {
    let (sam, ann, _) = seed(app).await;
    let (run_id, _) = fan_out(app, "Owned by the admin", &[1005], json!({})).await;
    let path = format!("/organizations/acme/runs/{run_id}");
    // Permission is checked before validation.
    for (method, p) in [
        (Method::PUT, path.clone()),
        (Method::DELETE, path.clone()),
        (Method::PUT, format!("{path}/activate")),
        (Method::POST, format!("{path}/complete-prerun")),
        (Method::DELETE, format!("{path}/complete-prerun")),
    ] {
        let r = app
            .send(app.request_as(&ann, method, &p).json(&json!({"name": ""})))
            .await
            .expect(403);
        assert_eq!(r.body["code"], "FORBIDDEN");
    }
    // Reading is open to every member.
    app.send(app.request_as(&ann, Method::GET, &format!("{path}/tasks")))
        .await
        .expect(200);
    assert_eq!(app.get(&path).await.expect(200).data()["status"], "active");
    // Standard members may edit any run.
    let r = app
        .send(
            app.request_as(&sam, Method::PUT, &path)
                .json(&json!({"owner_id": 1005})),
        )
        .await
        .expect(200);
    assert_eq!(r.data()["owner_id"], 1005);
    // Now the light member owns it.
    let r = app
        .send(app.request_as(&ann, Method::PUT, &path).json(&json!({"name": "Mine"})))
        .await
        .expect(200);
    assert_eq!(r.data()["name"], "Mine");
    app.send(app.request_as(&ann, Method::DELETE, &path)).await.expect(200);
    // Permanent deletion is for admins only, owners and standard members included.
    app.send(app.request_as(&ann, Method::DELETE, &format!("{path}/delete")))
        .await
        .expect(403);
    app.send(app.request_as(&sam, Method::DELETE, &format!("{path}/delete")))
        .await
        .expect(403);
    let r = app
        .send(app.request_as(&ann, Method::PUT, &format!("{path}/activate")))
        .await
        .expect(200);
    assert_eq!(
        (r.data()["status"].as_str(), r.data()["archived_at"].clone()),
        (Some("active"), Value::Null)
    );
    assert_eq!(app.get(&path).await.expect(200).data()["name"], "Mine");
}

on_both!(launches_without_a_template_of_the_organization_are_refused);
async fn launches_without_a_template_of_the_organization_are_refused(app: &TestApp) {
    let r = app
        .json(
            Method::POST,
            "/organizations/acme/runs",
            json!({"name": "From template"}),
        )
        .await;
    assert_eq!(r.expect_invalid("checklist_id"), "The checklist id field is required.");
    assert_eq!(r.body["message"], "The checklist id field is required.");
    // launch_process sends name and checklist_id; the MISC template cannot be launched either.
    let r = app
        .json(
            Method::POST,
            "/api/organizations/acme/runs",
            json!({"name": "X", "checklist_id": "0123456789abcdef0123456789abcdef"}),
        )
        .await;
    assert_eq!(
        r.expect_invalid("checklist_id"),
        "The selected checklist id is invalid."
    );
    let (run_id, _) = fan_out(app, "Any", &[1001], json!({})).await;
    let misc = app
        .get(&format!("/organizations/acme/runs/{run_id}"))
        .await
        .expect(200)
        .data()["checklist_id"]
        .clone();
    app.json(Method::POST, "/organizations/acme/runs", json!({"checklist_id": misc}))
        .await
        .expect_invalid("checklist_id");
    app.json(Method::POST, "/organizations/acme/runs", json!({"checklist_id": ""}))
        .await
        .expect_invalid("checklist_id");
    app.call(Method::POST, "/organizations/acme/runs")
        .await
        .expect_invalid("checklist_id");
    // The order of checks: a malformed body is a 400, an unknown organization a 404.
    app.send(
        app.request(Method::POST, "/organizations/acme/runs")
            .header("Content-Type", "application/json")
            .body("{"),
    )
    .await
    .expect(400);
    app.json(Method::POST, "/organizations/nope/runs", json!({}))
        .await
        .expect(404);
}

on_both!(the_kick_off_form_is_completed_and_reopened);
async fn the_kick_off_form_is_completed_and_reopened(app: &TestApp) {
    let (sam, _, _) = seed(app).await;
    let (run_id, _) = fan_out(app, "Kick-off", &[1002], json!({})).await;
    let path = format!("/organizations/acme/runs/{run_id}");
    let d = app.get(&path).await.expect(200).data().clone();
    assert_eq!(
        (d["prerun_status"].as_str(), d["prerun_completed_by"].as_i64()),
        (Some("complete"), Some(1001))
    );
    assert!(d["prerun_completed_at"].is_string());

    // reopen_kickoff_form, then complete_kickoff_form (POST without a body) by another member.
    let r = app
        .call(Method::DELETE, &format!("{path}/complete-prerun"))
        .await
        .expect(200);
    assert_eq!(
        (
            r.data()["prerun_completed_at"].clone(),
            r.data()["prerun_completed_by"].clone(),
            r.data()["prerun_status"].as_str()
        ),
        (Value::Null, Value::Null, Some("incomplete"))
    );
    let d = app.get(&path).await.expect(200).data().clone();
    assert_eq!(
        (d["prerun_completed_at"].clone(), d["prerun_status"].as_str()),
        (Value::Null, Some("incomplete"))
    );
    app.call(Method::DELETE, &format!("{path}/complete-prerun"))
        .await
        .expect(200);
    let r = app
        .send(
            app.request_as(&sam, Method::POST, &format!("/api{path}/complete-prerun"))
                .header("Content-Type", "application/json"),
        )
        .await
        .expect(200);
    let at = r.data()["prerun_completed_at"].as_str().expect("completed").to_string();
    assert_eq!(
        (
            r.data()["prerun_completed_by"].as_i64(),
            r.data()["prerun_status"].as_str()
        ),
        (Some(1002), Some("complete"))
    );
    // Completing again changes nothing.
    let r = app
        .call(Method::POST, &format!("{path}/complete-prerun"))
        .await
        .expect(200);
    assert_eq!(
        (
            r.data()["prerun_completed_at"].as_str(),
            r.data()["prerun_completed_by"].as_i64()
        ),
        (Some(at.as_str()), Some(1002))
    );
    let d = app.get(&path).await.expect(200).data().clone();
    assert_eq!(
        (d["prerun_completed_at"].as_str(), d["prerun_completed_by"].as_i64()),
        (Some(at.as_str()), Some(1002))
    );
    assert_eq!(d["status"], "active", "the kick-off does not change the status");
}

on_both!(another_organizations_runs_are_not_found);
async fn another_organizations_runs_are_not_found(app: &TestApp) {
    let beta = app.add_org("beta", 2001).await;
    let r = app
        .send(
            app.request_as(&beta, Method::POST, "/organizations/beta/tasks").json(
                &json!({"title": "Theirs", "separate_task_for_each_assignee": true, "owners": {"users": [2001]}}),
            ),
        )
        .await
        .expect(201);
    let theirs = r.data()["run_id"].as_str().expect("run").to_string();
    let base = format!("/organizations/acme/runs/{theirs}");
    for (method, p) in [
        (Method::GET, base.clone()),
        (Method::PUT, base.clone()),
        (Method::DELETE, base.clone()),
        (Method::PUT, format!("{base}/activate")),
        (Method::DELETE, format!("{base}/delete")),
        (Method::GET, format!("{base}/tasks")),
        (Method::POST, format!("{base}/complete-prerun")),
        (Method::DELETE, format!("{base}/complete-prerun")),
    ] {
        let r = app
            .send(app.request(method.clone(), &p).json(&json!({"name": "Hijack"})))
            .await;
        assert_eq!(r.status, 404, "{method} {p}: {}", r.text);
        assert_eq!(r.body["code"], "RESOURCE_NOT_FOUND");
    }
    // Untouched in its own organization.
    let r = app
        .send(app.request_as(&beta, Method::GET, &format!("/organizations/beta/runs/{theirs}")))
        .await
        .expect(200);
    assert_eq!(
        (r.data()["name"].as_str(), r.data()["status"].as_str()),
        (Some("Theirs"), Some("active"))
    );
    // A non-member addressing acme is refused before the run is looked up.
    let (mine, _) = fan_out(app, "Mine", &[1001], json!({})).await;
    app.send(app.request_as(&beta, Method::DELETE, &format!("/organizations/acme/runs/{mine}")))
        .await
        .expect(403);
    app.send(app.request_as(&beta, Method::GET, &format!("/organizations/acme/runs/{mine}/tasks")))
        .await
        .expect(403);
    app.call(
        Method::DELETE,
        "/organizations/acme/runs/0123456789abcdef0123456789abcdef",
    )
    .await
    .expect(404);
}
