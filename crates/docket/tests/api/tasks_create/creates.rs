//! What a create makes: the seed 000 and 001 bodies, fan-out runs (groups expanded, people
//! once), form fields per task, and the refusals of the T1 table.

use super::*;

on_both!(the_seed_000_bodies_create_standalone_tasks);
async fn the_seed_000_bodies_create_standalone_tasks(app: &TestApp) {
    seed_members(app).await;
    let path = "/api/organizations/acme/tasks";
    // Minimal body (Java sample).
    let r = app
        .json(Method::POST, path, json!({"name": "Java One-Off: Simple Task"}))
        .await
        .expect(201);
    let t = r.data();
    assert_eq!(
        (t["title"].as_str(), t["original_title"].as_str()),
        (Some("Java One-Off: Simple Task"), Some("Java One-Off: Simple Task"))
    );
    assert_eq!(
        (
            t["run_id"].clone(),
            t["position"].as_i64(),
            t["is_oneoff_task"].as_bool()
        ),
        (Value::Null, Some(1), Some(true))
    );
    assert_eq!(
        (
            t["status"].as_str(),
            t["status_label"].as_str(),
            t["task_type"].as_str()
        ),
        (Some("not-started"), Some("not-started"), Some("task"))
    );
    assert_eq!(
        t["owners"],
        json!({"users": [], "guests": [], "groups": [], "taskUrls": []})
    );
    assert_eq!(t["starter_id"], 1001);
    assert_eq!(t["summary"], Value::Null);
    assert!(t.get("run").is_none());
    let created = t["created_at"].as_str().expect("created_at").to_string();
    let deadline = t["deadline"].as_str().expect("deadline");
    let days = (docket_domain::time::parse_datetime(deadline).unwrap()
        - docket_domain::time::parse_datetime(&created).unwrap())
        / 86_400_000;
    assert_eq!(days, 5, "default deadline is creation + 5 days");
    assert_eq!(t["increment_id"], 1);

    // Comprehensive body with tag titles, which become tags.
    let body = json!({"name": "Prepare Q3 Report", "description": "Gather data and prepare the quarterly report slides.",
        "owners": {"users": [1001, 1002], "groups": [], "guests": []}, "deadline": "2024-07-15T17:00:00Z", "tags": ["reporting", "finance"]});
    let r = app.json(Method::POST, path, body).await.expect(201);
    let id = r.data()["id"].as_str().expect("id").to_string();
    assert_eq!(
        r.data()["summary"],
        "Gather data and prepare the quarterly report slides."
    );
    assert_eq!(r.data()["deadline"], "2024-07-15T17:00:00.000Z");
    assert_eq!(r.data()["owners"]["users"], json!([1001, 1002]));
    assert_eq!(r.data()["increment_id"], 2);
    let r = app
        .get(&format!("/organizations/acme/tasks/{id}?with=tags"))
        .await
        .expect(200);
    let titles: Vec<&str> = r.data()["tags"]["data"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|l| l["title"].as_str())
        .collect();
    assert_eq!(titles, ["reporting", "finance"]);
    assert_eq!(r.data()["tags"]["data"][0]["subject_type"], "Task");
    let tags = app.get("/organizations/acme/tags").await.expect(200);
    assert_eq!(tags.body["meta"]["pagination"]["total"], 2);

    // JS, Python and Go samples.
    let r = app.json(Method::POST, path, json!({"name": "JS One-Off Task: Review Budget", "description": "Review the draft budget spreadsheet.", "owners": {"users": [12345]}, "deadline": "2024-06-10T12:00:00Z"})).await.expect(201);
    assert_eq!(r.data()["owners"]["users"], json!([12345]));
    let r = app.json(Method::POST, path, json!({"name": "Python One-Off Task: Plan Meeting", "description": "Schedule and plan the project kickoff meeting.", "owners": {"users": [1001], "guests": [], "groups": []}, "tags": ["planning", "kickoff"]})).await.expect(201);
    assert_eq!(r.data()["title"], "Python One-Off Task: Plan Meeting");
    let r = app.json(Method::POST, path, json!({"name": "Go One-Off Task: Send Update", "owners": {"users": [1005]}, "deadline": "2024-06-30T10:00:00Z", "tags": ["go_api", "updates"]})).await.expect(201);
    assert_eq!(r.data()["deadline"], "2024-06-30T10:00:00.000Z");
    // The C++ sample (users as a JSON array built element by element) and the C# PascalCase sample.
    let r = app.json(Method::POST, path, json!({"name": "C++ Task: Prepare Presentation", "owners": {"users": [12345]}, "deadline": "2024-07-20T17:00:00Z", "tags": ["presentations"]})).await.expect(201);
    assert_eq!(r.data()["owners"]["users"], json!([12345]));
    let r = app.json(Method::POST, path, json!({"Name": "C# task", "Description": "From C#", "Owners": {"Users": [1002], "Guests": ["Client@Partner.example"], "Groups": []}, "Deadline": "2024-07-01T09:00:00Z", "Tags": ["csharp"]})).await.expect(201);
    let t = r.data();
    assert_eq!(
        (t["title"].as_str(), t["summary"].as_str()),
        (Some("C# task"), Some("From C#"))
    );
    assert_eq!(t["owners"]["guests"], json!(["client@partner.example"]));
    let url = t["owners"]["taskUrls"][0].as_str().expect("task url");
    assert!(
        url.starts_with(&format!("{}/guest/", app.base))
            && url.ends_with(&format!("/tasks/{}", t["id"].as_str().unwrap())),
        "{url}"
    );
    // The guest was created.
    app.get("/organizations/acme/guests/client%40partner.example")
        .await
        .expect(200);
}

on_both!(the_seed_001_fan_out_makes_a_run_with_one_task_per_assignee);
async fn the_seed_001_fan_out_makes_a_run_with_one_task_per_assignee(app: &TestApp) {
    seed_members(app).await;
    let body = json!({"title": "Submit timesheet", "summary": "Hours for week 23",
        "owners": {"users": ["1005"], "guests": ["client@partner.example"], "groups": []},
        "separate_task_for_each_assignee": true, "task_type": "task",
        "deadline": "2025-06-06 17:00:00", "started_at": "2025-06-02 09:00:00", "is_soft_start_date": true});
    let r = app
        .json(Method::POST, "/api/organizations/acme/tasks", body)
        .await
        .expect(201);
    let t = r.data();
    assert_eq!(
        (t["position"].as_i64(), t["owners"]["users"].clone()),
        (Some(1), json!([1005]))
    );
    assert_eq!(
        (t["deadline"].as_str(), t["started_at"].as_str()),
        (Some("2025-06-06T17:00:00.000Z"), Some("2025-06-02T09:00:00.000Z"))
    );
    let run = &t["run"];
    assert!(run.get("data").is_none(), "the create response carries a bare run");
    let run_id = run["id"].as_str().expect("run id").to_string();
    assert_eq!(t["run_id"], run_id.as_str());
    assert_eq!(
        (
            run["name"].as_str(),
            run["status"].as_str(),
            run["checklist_title"].as_str()
        ),
        (Some("Submit timesheet"), Some("active"), Some("MISC"))
    );
    assert_eq!(
        (run["owner_id"].as_i64(), run["started_by"].as_i64()),
        (Some(1001), Some(1001))
    );
    assert_eq!(run["progress"], json!({"complete": 0, "total": 2, "percent": 0.0}));
    assert_eq!(run["started_at"], "2025-06-02T09:00:00.000Z");
    assert_eq!(t["checklist_id"], run["checklist_id"]);
    assert_eq!(t["run_status"], "active");

    let r = app
        .get(&format!("/organizations/acme/runs/{run_id}?with=tasks"))
        .await
        .expect(200);
    let tasks = r.data()["tasks"]["data"].as_array().expect("tasks").clone();
    assert_eq!(tasks.len(), 2);
    assert_eq!(tasks[1]["owners"]["guests"], json!(["client@partner.example"]));
    assert_eq!(tasks[1]["position"], 2);
    assert!(
        tasks.iter().all(|t| t["owners"]["users"] != json!([1001])),
        "the caller is not assigned"
    );
    assert_eq!(r.data()["collaborators"], json!([1001, 1005]));

    // Grow the run with run_id, at position 1 and at the end.
    let r = app
        .json(
            Method::POST,
            "/organizations/acme/tasks",
            json!({"title": "First", "run_id": run_id, "position": 1, "owners": {"users": [1002]}}),
        )
        .await
        .expect(201);
    assert_eq!(
        (
            r.data()["position"].as_i64(),
            r.data()["run"]["progress"]["total"].as_i64()
        ),
        (Some(1), Some(3))
    );
    let r = app
        .json(
            Method::POST,
            "/organizations/acme/tasks",
            json!({"title": "Last", "run_id": run_id, "position": 99}),
        )
        .await
        .expect(201);
    assert_eq!(r.data()["position"], 4);
    let r = app
        .get(&format!("/organizations/acme/runs/{run_id}?with=tasks"))
        .await
        .expect(200);
    let titles: Vec<&str> = r.data()["tasks"]["data"]
        .as_array()
        .expect("tasks")
        .iter()
        .filter_map(|t| t["title"].as_str())
        .collect();
    assert_eq!(titles, ["First", "Submit timesheet", "Submit timesheet", "Last"]);
    let positions: Vec<i64> = r.data()["tasks"]["data"]
        .as_array()
        .expect("tasks")
        .iter()
        .filter_map(|t| t["position"].as_i64())
        .collect();
    assert_eq!(positions, [1, 2, 3, 4]);

    // Fan-out into the existing run inserts a block.
    let r = app.json(Method::POST, "/organizations/acme/tasks", json!({"title": "Pair", "run_id": run_id, "position": 2, "separate_task_for_each_assignee": true, "owners": {"users": [1002, 1005]}})).await.expect(201);
    assert_eq!(r.data()["position"], 2);
    let r = app
        .get(&format!(
            "/organizations/acme/runs/{run_id}/tasks/{}",
            r.data()["id"].as_str().unwrap()
        ))
        .await
        .expect(200);
    assert_eq!(r.data()["owners"]["users"], json!([1002]));
    let r = app
        .get(&format!("/organizations/acme/runs/{run_id}?with=tasks"))
        .await
        .expect(200);
    let titles: Vec<&str> = r.data()["tasks"]["data"]
        .as_array()
        .expect("tasks")
        .iter()
        .filter_map(|t| t["title"].as_str())
        .collect();
    assert_eq!(
        titles,
        ["First", "Pair", "Pair", "Submit timesheet", "Submit timesheet", "Last"]
    );
}

on_both!(fan_out_expands_groups_and_drops_duplicate_people);
async fn fan_out_expands_groups_and_drops_duplicate_people(app: &TestApp) {
    seed_members(app).await;
    let g = app
        .json(
            Method::POST,
            "/organizations/acme/groups",
            json!({"name": "Ops", "members": [1005, 1002], "guests": ["g@partner.example"]}),
        )
        .await
        .expect(201);
    let group_id = g.data()["id"].as_str().expect("group").to_string();
    let body = json!({"title": "Each", "separate_task_for_each_assignee": true,
        "owners": {"users": [1005], "guests": [], "groups": [group_id]}});
    let r = app
        .json(Method::POST, "/organizations/acme/tasks", body)
        .await
        .expect(201);
    let run_id = r.data()["run_id"].as_str().expect("run").to_string();
    let r = app
        .get(&format!("/organizations/acme/runs/{run_id}?with=tasks"))
        .await
        .expect(200);
    let owners: Vec<Value> = r.data()["tasks"]["data"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| t["owners"].clone())
        .collect();
    assert_eq!(owners.len(), 3, "1005, then the group's 1002 and its guest; 1005 once");
    assert_eq!(owners[0]["users"], json!([1005]));
    assert_eq!(owners[1]["users"], json!([1002]));
    assert_eq!(owners[2]["guests"], json!(["g@partner.example"]));
    assert!(owners.iter().all(|o| o["groups"] == json!([])));
}

on_both!(create_refusals_name_the_field_and_create_nothing);
async fn create_refusals_name_the_field_and_create_nothing(app: &TestApp) {
    seed_members(app).await;
    let path = "/organizations/acme/tasks";
    let cases: Vec<(Value, &[&str])> = vec![
        (json!({}), &["title"]),
        (json!({"title": "   "}), &["title"]),
        (json!({"title": 42}), &["title"]),
        (json!({"title": "x".repeat(601)}), &["title"]),
        (json!({"title": "T", "task_type": "chore"}), &["task_type"]),
        (json!({"title": "T", "task_type": ""}), &["task_type"]),
        (json!({"title": "T", "deadline": "next tuesday"}), &["deadline"]),
        (
            json!({"title": "T", "owners": {"users": [999999, "nobody"]}}),
            &["owners.users.0", "owners.users.1"],
        ),
        (
            json!({"title": "T", "owners": {"guests": ["not-an-email", "sam@acme.test"]}}),
            &["owners.guests.0", "owners.guests.1"],
        ),
        (
            json!({"title": "T", "owners": {"groups": ["0000"]}}),
            &["owners.groups.0"],
        ),
        (json!({"title": "T", "owners": "bob"}), &["owners"]),
        (
            json!({"title": "T", "separate_task_for_each_assignee": true}),
            &["owners"],
        ),
        (json!({"title": "T", "run_id": "nope"}), &["run_id"]),
        (json!({"title": "T", "webhook": "not a url"}), &["webhook"]),
        (json!({"title": "T", "max_assignable": -1}), &["max_assignable"]),
        (
            json!({"title": "T", "max_assignable": 1, "owners": {"users": [1001, 1002]}}),
            &["owners"],
        ),
        (json!({"title": "T", "tags": ["x".repeat(31)]}), &["tags.0"]),
        (
            json!({"title": "T", "everyone_must_complete": "perhaps"}),
            &["everyone_must_complete"],
        ),
        (
            json!({"title": "T", "position": 0, "form_fields": [{"label": "F", "field_type": "radio", "required": true}]}),
            &["position", "form_fields.0.options"],
        ),
    ];
    for (body, fields) in cases {
        let r = app.json(Method::POST, path, body.clone()).await;
        for f in fields {
            r.expect_invalid(f);
        }
        assert_eq!(
            r.body["errors"].as_object().map(|e| e.len()),
            Some(fields.len()),
            "{body}: {}",
            r.text
        );
    }
    // Nothing was created: no task, no guest, no tag, no run.
    let tags = app.get("/organizations/acme/tags").await.expect(200);
    assert_eq!(tags.body["meta"]["pagination"]["total"], 0);
    let guests = app.get("/organizations/acme/guests").await.expect(200);
    assert_eq!(guests.body["meta"]["pagination"]["total"], 0);
    let r = app
        .json(Method::POST, path, json!({"title": "After"}))
        .await
        .expect(201);
    assert_eq!(r.data()["increment_id"], 1, "no earlier create consumed a number");
}

on_both!(form_fields_are_created_per_task_and_included);
async fn form_fields_are_created_per_task_and_included(app: &TestApp) {
    seed_members(app).await;
    let body = json!({"title": "With fields", "separate_task_for_each_assignee": true, "owners": {"users": [1002, 1005]},
    "form_fields": [
        {"label": "Hours", "field_type": "number", "required": true, "guidance": "Whole hours"},
        {"label": "Approved by", "field_type": "dropdown", "required": false, "options": ["Ann", {"text": "Bob", "id": 5}]}
    ]});
    let r = app
        .json(Method::POST, "/organizations/acme/tasks", body)
        .await
        .expect(201);
    let first = r.data()["id"].as_str().expect("id").to_string();
    let data = r.data()["taskdata"].as_object().expect("taskdata").clone();
    assert_eq!(data.len(), 2);
    assert!(data.values().all(Value::is_null));
    let r = app
        .get(&format!(
            "/organizations/acme/tasks/{first}?with=form_fields,step,assets,threads_count"
        ))
        .await
        .expect(200);
    let ff = r.data()["form_fields"]["data"].as_array().expect("form fields").clone();
    assert_eq!(
        (
            ff[0]["label"].as_str(),
            ff[0]["alias"].as_str(),
            ff[0]["position"].as_i64()
        ),
        (Some("Hours"), Some("hours"), Some(1))
    );
    assert_eq!(
        ff[1]["options"],
        json!([{"id": 6, "text": "Ann", "value": null}, {"id": 5, "text": "Bob", "value": null}])
    );
    assert_eq!(
        (
            r.data()["step"].clone(),
            r.data()["assets"].clone(),
            r.data()["threads_count"].clone()
        ),
        (json!({"data": null}), json!({"data": []}), json!(0))
    );
    let run_id = r.data()["run_id"].as_str().expect("run").to_string();
    let r = app
        .get(&format!("/organizations/acme/runs/{run_id}?with=form_fields,checklist"))
        .await
        .expect(200);
    let ids: Vec<&str> = r.data()["form_fields"]["data"]
        .as_array()
        .expect("ff")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 4, "each task has its own captures");
    assert_eq!(r.data()["checklist"]["data"]["title"], "MISC");
}
