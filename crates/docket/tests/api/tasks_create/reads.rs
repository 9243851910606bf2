//! T3/R11 reads: the run include, top-secret tasks, the seed 002 includes, and the create's
//! answer equal to a read.

use super::*;

on_both!(reads_include_run_and_hide_top_secret_tasks);
async fn reads_include_run_and_hide_top_secret_tasks(app: &TestApp) {
    seed_members(app).await;
    let (_, light) = app.add_member("acme", 1010, "light@acme.test", "light").await;
    let r = app
        .json(
            Method::POST,
            "/organizations/acme/tasks",
            json!({"title": "Secret", "top_secret": true, "owners": {"users": [1002]}}),
        )
        .await
        .expect(201);
    let id = r.data()["id"].as_str().expect("id").to_string();
    let r = app
        .send(app.request_as(&light, Method::GET, &format!("/organizations/acme/tasks/{id}")))
        .await;
    assert_eq!(r.status, 404, "invisible to non-assignees");
    let r = app
        .get(&format!("/organizations/acme/tasks/{id}?with=run"))
        .await
        .expect(200);
    assert_eq!(r.data()["run"], json!({"data": null}));
    assert!(r.data()["summary"].is_null() && r.data().get("summary").is_some());
    app.get("/organizations/acme/tasks/0123456789abcdef0123456789abcdef")
        .await
        .expect(404);
    let r = app
        .json(
            Method::POST,
            "/organizations/acme/tasks",
            json!({"title": "Run", "separate_task_for_each_assignee": true, "owners": {"users": [1002]}}),
        )
        .await
        .expect(201);
    let (task, run) = (
        r.data()["id"].as_str().unwrap().to_string(),
        r.data()["run_id"].as_str().unwrap().to_string(),
    );
    let r = app
        .get(&format!("/organizations/acme/tasks/{task}?with=run.checklist"))
        .await
        .expect(200);
    assert_eq!(r.data()["run"]["data"]["id"], run.as_str());
    assert_eq!(r.data()["run"]["data"]["checklist"]["data"]["is_system"], true);
    app.get(&format!("/organizations/acme/runs/{run}/tasks/{id}"))
        .await
        .expect(404);
    app.get(&format!("/organizations/acme/runs/nope/tasks/{task}"))
        .await
        .expect(404);
}

on_both!(the_seed_002_reads_return_every_requested_include);
async fn the_seed_002_reads_return_every_requested_include(app: &TestApp) {
    seed_members(app).await;
    let body = json!({"title": "Review Proposal", "summary": "Review the proposal document attached.", "separate_task_for_each_assignee": true,
        "owners": {"users": [1005]}, "tags": ["proposals"], "form_fields": [{"label": "Verdict", "field_type": "text", "required": false}]});
    let r = app
        .json(Method::POST, "/organizations/acme/tasks", body)
        .await
        .expect(201);
    let id = r.data()["id"].as_str().expect("id").to_string();
    // JavaScript, Python, Go, C++ and C# send `run,step,form_fields,tags`; Java URL-encodes the commas.
    for query in [
        "with=run,step,form_fields,tags",
        "with=run%2Cstep%2Cform_fields",
        "with=run",
        "with=step",
        "with=form_fields",
    ] {
        let r = app
            .get(&format!("/api/organizations/acme/tasks/{id}?{query}"))
            .await
            .expect(200);
        let t = r.data();
        assert_eq!(t["summary"], "Review the proposal document attached.");
        if query.contains("run") {
            assert_eq!(t["run"]["data"]["id"], t["run_id"], "{query}");
            assert_eq!(t["run"]["data"]["progress"]["total"], 1);
        }
        if query.contains("step") {
            assert_eq!(t["step"], json!({"data": null}), "{query}");
        }
        if query.contains("form_fields") {
            assert_eq!(t["form_fields"]["data"][0]["label"], "Verdict", "{query}");
            assert_eq!(t["form_fields"]["data"][0]["value"], Value::Null);
        }
        if query.contains("tags") {
            assert_eq!(t["tags"]["data"][0]["title"], "proposals", "{query}");
        } else {
            assert!(t.get("tags").is_none(), "{query}: tags only on request");
        }
    }
    // Unknown include names are ignored.
    app.get(&format!("/organizations/acme/tasks/{id}?with=bogus,run.nothing"))
        .await
        .expect(200);
}

on_both!(the_created_task_is_answered_exactly_as_a_read_of_it);
async fn the_created_task_is_answered_exactly_as_a_read_of_it(app: &TestApp) {
    seed_members(app).await;
    let ops = app
        .json(
            Method::POST,
            "/organizations/acme/groups",
            json!({"name": "Ops", "members": [1005]}),
        )
        .await
        .expect(201);
    let ops = ops.data()["id"].as_str().expect("group id").to_string();
    let fields = json!([
        {"label": "Second", "field_type": "text", "required": false, "position": 2},
        {"label": "Hours", "field_type": "number", "required": true, "guidance": "Whole hours", "position": 1},
        {"label": "Pick", "field_type": "dropdown", "options": ["Ann", {"text": "Bob", "id": 5}], "required": false, "default_value_enabled": true, "default_value": "Ann"},
        {"label": "Same place", "field_type": "text", "required": true, "position": 2}
    ]);
    let bodies = [
        json!({"title": "Bare"}),
        json!({"title": "Members", "summary": "Two of them", "owners": {"users": [1005, 1002]}, "deadline": "2031-01-02T03:04:05Z",
               "task_type": "approval", "everyone_must_complete": true, "max_assignable": 3, "top_secret": true,
               "is_soft_start_date": true, "prevent_guest_comment": true, "can_complete_only_assignees": true,
               "webhook": "https://hooks.example/t", "started_at": "2030-12-01T00:00:00Z"}),
        json!({"title": "Fields", "owners": {"users": [1002]}, "form_fields": fields, "tags": ["one"]}),
        json!({"title": "Guest", "owners": {"users": [1002], "guests": ["Client@Partner.example"]}}),
        json!({"title": "Group", "owners": {"groups": [ops]}}),
        json!({"title": "Fan-out", "separate_task_for_each_assignee": true, "owners": {"users": [1002, 1005]}}),
    ];
    for body in bodies {
        let created = app
            .json(Method::POST, "/organizations/acme/tasks", body.clone())
            .await
            .expect(201);
        let id = created.data()["id"].as_str().expect("id").to_string();
        let read = app.get(&format!("/organizations/acme/tasks/{id}")).await.expect(200);
        let mut data = created.data().clone();
        // A created run task also carries its bare run.
        if let Some(m) = data.as_object_mut() {
            m.remove("run");
        }
        assert_eq!(data, *read.data(), "{body}");
    }
}
