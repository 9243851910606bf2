//! T4/R12 updates: every seed 003 body on both routes, owners replacement, `taskdata` per type,
//! status transitions, position moves, `max_assignable`, tags, and the refusals — each checked
//! by reading the task back.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::TestApp;

/// Members 1002 (standard), 1005 (standard, username `ann`) and 12345 (light); returns the
/// light member's token.
pub(crate) async fn seed_members(app: &TestApp) -> String {
    app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    app.add_member("acme", 1005, "ann@acme.test", "standard").await;
    app.add_member("acme", 12345, "joe@acme.test", "light").await.1
}

/// Creates a task as the admin and returns its data.
pub(crate) async fn create(app: &TestApp, body: Value) -> Value {
    app.json(Method::POST, "/organizations/acme/tasks", body)
        .await
        .expect(201)
        .data()
        .clone()
}

/// The task as stored, with its form fields and tags.
pub(crate) async fn read(app: &TestApp, id: &str) -> Value {
    app.get(&format!("/organizations/acme/tasks/{id}?with=form_fields,tags"))
        .await
        .expect(200)
        .data()
        .clone()
}

/// Capture ids by label.
pub(crate) fn capture_ids(task: &Value) -> HashMap<String, String> {
    task["form_fields"]["data"]
        .as_array()
        .expect("form_fields include")
        .iter()
        .map(|c| {
            (
                c["label"].as_str().expect("label").to_string(),
                c["id"].as_str().expect("id").to_string(),
            )
        })
        .collect()
}

/// Run task titles by position.
pub(crate) async fn run_titles(app: &TestApp, run_id: &str) -> Vec<(i64, String)> {
    let r = app
        .get(&format!("/organizations/acme/runs/{run_id}?with=tasks"))
        .await
        .expect(200);
    r.data()["tasks"]["data"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| {
            (
                t["position"].as_i64().expect("position"),
                t["title"].as_str().expect("title").to_string(),
            )
        })
        .collect()
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

/// The form fields the seed 003 bodies write to.
fn seed_fields() -> Value {
    json!([
        {"label": "Text", "field_type": "text", "required": false},
        {"label": "Choice", "field_type": "dropdown", "required": false,
         "options": [{"id": 1, "text": "Selected Option A"}, {"id": 2, "text": "Selected Option B"}, {"id": 3, "text": "Selected Option C"}]},
        {"label": "Radio", "field_type": "radio", "required": false, "options": ["Option A", "Option B"]},
        {"label": "Amount", "field_type": "number", "required": false}
    ])
}

/// A named request body and what it must leave stored (JSON pointer → value).
type Case = (&'static str, Value, Vec<(String, Value)>);

/// Every request body of seed 003 (the commented-out variants too), with the sample field ids
/// replaced by real capture ids, and what each must leave stored.
fn seed_bodies(f: &HashMap<String, String>) -> Vec<Case> {
    let (text, choice, radio, amount) = (&f["Text"], &f["Choice"], &f["Radio"], &f["Amount"]);
    let td = |id: &str| format!("/taskdata/{id}");
    vec![
        (
            "owners example",
            json!({"owners": {"users": [1001, 1002], "groups": [], "guests": ["new.client@example.com"]}}),
            vec![
                ("/owners/users".into(), json!([1001, 1002])),
                ("/owners/guests".into(), json!(["new.client@example.com"])),
                ("/owners/groups".into(), json!([])),
            ],
        ),
        (
            "JavaScript",
            json!({"deadline": "2024-07-01T09:00:00Z", "taskdata": {text: "Updated value from JS"},
                   "owners": {"users": [1005], "groups": [], "guests": []}}),
            vec![
                ("/deadline".into(), json!("2024-07-01T09:00:00.000Z")),
                (td(text), json!("Updated value from JS")),
                ("/owners/users".into(), json!([1005])),
                ("/owners/guests".into(), json!([])),
                ("/owners/taskUrls".into(), json!([])),
            ],
        ),
        (
            "Python",
            json!({"summary": "Task summary updated via Python.",
                   "taskdata": {choice: {"id": 3, "text": "Selected Option C", "value": null}}}),
            vec![
                ("/summary".into(), json!("Task summary updated via Python.")),
                (td(choice), json!({"id": 3, "text": "Selected Option C", "value": null})),
                // Partial: the JavaScript sample's values stay.
                (td(text), json!("Updated value from JS")),
                ("/owners/users".into(), json!([1005])),
                ("/deadline".into(), json!("2024-07-01T09:00:00.000Z")),
            ],
        ),
        (
            "Java",
            json!({"summary": "Updated via Java HttpClient", "taskdata": {text: "Java value"}}),
            vec![
                ("/summary".into(), json!("Updated via Java HttpClient")),
                (td(text), json!("Java value")),
            ],
        ),
        (
            "Java (Jackson variant)",
            json!({"deadline": "2024-07-10T12:00:00Z", "taskdata": {text: "new value"}, "owners": {"users": [1001]}}),
            vec![
                ("/deadline".into(), json!("2024-07-10T12:00:00.000Z")),
                (td(text), json!("new value")),
                ("/owners/users".into(), json!([1001])),
            ],
        ),
        (
            "Go",
            json!({"title": "Go Updated Task Title", "taskdata": {radio: "Option B"}}),
            vec![
                ("/title".into(), json!("Go Updated Task Title")),
                (td(radio), json!("Option B")),
                ("/owners/users".into(), json!([1001])),
            ],
        ),
        (
            "Go (owners variant)",
            json!({"owners": {"users": [1005]}}),
            vec![
                ("/owners/users".into(), json!([1005])),
                ("/owners/groups".into(), json!([])),
            ],
        ),
        (
            "C++",
            json!({"summary": "C++ Updated Summary", "taskdata": {text: "Value set by C++"}}),
            vec![
                ("/summary".into(), json!("C++ Updated Summary")),
                (td(text), json!("Value set by C++")),
            ],
        ),
        (
            "C# (usage example)",
            json!({"Summary": "C# updated summary.", "TaskData": {amount: 123.45}}),
            vec![
                ("/summary".into(), json!("C# updated summary.")),
                (td(amount), json!(123.45)),
            ],
        ),
        (
            "C# (every payload property)",
            json!({"Title": "C# Title", "Summary": "From C#", "Deadline": "2024-08-01T10:00:00Z",
                   "Owners": {"Users": [1002], "Guests": ["CSharp.Client@Example.com"], "Groups": []},
                   "TaskData": {text: "C# text"}}),
            vec![
                ("/title".into(), json!("C# Title")),
                ("/summary".into(), json!("From C#")),
                ("/deadline".into(), json!("2024-08-01T10:00:00.000Z")),
                ("/owners/users".into(), json!([1002])),
                ("/owners/guests".into(), json!(["csharp.client@example.com"])),
                (td(text), json!("C# text")),
            ],
        ),
        (
            "string user ids",
            json!({"owners": {"users": ["1005", "1002", "ann"]}}),
            vec![
                ("/owners/users".into(), json!([1005, 1002])),
                ("/owners/guests".into(), json!([])),
            ],
        ),
    ]
}

dual_test! {
    async fn the_seed_003_bodies_update_on_both_routes(app: &TestApp) {
        seed_members(app).await;
        let standalone = create(app, json!({"title": "One-off", "form_fields": seed_fields()})).await;
        let in_run = create(app, json!({"title": "Run task", "separate_task_for_each_assignee": true,
            "owners": {"users": [1001]}, "form_fields": seed_fields()})).await;
        let run_id = in_run["run_id"].as_str().expect("run").to_string();
        let targets = [
            (id_of(&standalone), format!("/api/organizations/acme/tasks/{}", id_of(&standalone))),
            (id_of(&in_run), format!("/api/organizations/acme/runs/{run_id}/tasks/{}", id_of(&in_run))),
        ];
        for (task_id, path) in &targets {
            let fields = capture_ids(&read(app, task_id).await);
            for (name, body, expected) in seed_bodies(&fields) {
                let r = app.json(Method::PUT, path, body).await;
                assert_eq!(r.status, 200, "{name} on {path}: {}", r.text);
                assert_eq!(r.data()["id"], task_id.as_str(), "{name}");
                let stored = read(app, task_id).await;
                for (pointer, value) in &expected {
                    assert_eq!(stored.pointer(pointer), Some(value), "{name} on {path}: {pointer} in {stored}");
                    assert_eq!(r.data().pointer(pointer), Some(value), "{name}: response {pointer}");
                }
                // Updates never change the status (the seed's "active" is not a status).
                assert_eq!(stored["status"], "not-started", "{name}");
                assert!(stored.get("tasks_changed_by_rules").is_none());
            }
            // The guest named by the owners example became a guest of the organization.
            app.get("/organizations/acme/guests/new.client%40example.com").await.expect(200);
        }
        // A run task is also updated through the organization route.
        let path = format!("/organizations/acme/tasks/{}", id_of(&in_run));
        app.json(Method::PUT, &path, json!({"title": "Via org route"})).await.expect(200);
        assert_eq!(read(app, &id_of(&in_run)).await["title"], "Via org route");
    }
}

dual_test! {
    async fn php_style_form_bodies_update_like_json(app: &TestApp) {
        seed_members(app).await;
        let t = create(app, json!({"title": "Form", "form_fields": seed_fields()})).await;
        let id = id_of(&t);
        let fields = capture_ids(&read(app, &id).await);
        let body = format!(
            "summary=From+PHP&owners%5Busers%5D%5B%5D=1002&owners%5Busers%5D%5B%5D=1005&owners%5Bguests%5D%5B0%5D=php%40example.com&taskdata%5B{}%5D=Form+value&taskdata%5B{}%5D=2&is_soft_start_date=on",
            fields["Text"], fields["Amount"]
        );
        let rb = app
            .request(Method::PUT, &format!("/organizations/acme/tasks/{id}"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body);
        app.send(rb).await.expect(200);
        let stored = read(app, &id).await;
        assert_eq!(stored["summary"], "From PHP");
        assert_eq!(stored["owners"]["users"], json!([1002, 1005]));
        assert_eq!(stored["owners"]["guests"], json!(["php@example.com"]));
        assert_eq!(stored["taskdata"][&fields["Text"]], "Form value");
        assert_eq!(stored["taskdata"][&fields["Amount"]], 2);
        assert_eq!(stored["is_soft_start_date"], true);
    }
}

dual_test! {
    async fn owners_replace_bucket_by_bucket(app: &TestApp) {
        seed_members(app).await;
        let g = app.json(Method::POST, "/organizations/acme/groups", json!({"name": "Ops", "members": [1002]})).await.expect(201);
        let group = id_of(g.data());
        let t = create(app, json!({"title": "Owned", "owners": {"users": [1002], "guests": ["a@partner.test"], "groups": [group]}})).await;
        let id = id_of(&t);
        let path = format!("/organizations/acme/tasks/{id}");

        // A present bucket replaces; absent buckets of a present owners object are emptied.
        app.json(Method::PUT, &path, json!({"owners": {"users": [1005]}})).await.expect(200);
        let s = read(app, &id).await;
        assert_eq!(s["owners"], json!({"users": [1005], "guests": [], "groups": [], "taskUrls": []}));

        // owners null or absent: untouched.
        app.json(Method::PUT, &path, json!({"owners": null, "title": "Still owned"})).await.expect(200);
        app.json(Method::PUT, &path, json!({"summary": "s"})).await.expect(200);
        let s = read(app, &id).await;
        assert_eq!(s["owners"]["users"], json!([1005]));
        assert_eq!(s["title"], "Still owned");

        // Guests are created, lower-cased; groups by id; a scalar is one entry; duplicates drop.
        app.json(Method::PUT, &path, json!({"owners": {"users": [], "guests": ["New@Guest.test", "new@guest.test"], "groups": group}})).await.expect(200);
        let s = read(app, &id).await;
        assert_eq!(s["owners"]["users"], json!([]));
        assert_eq!(s["owners"]["guests"], json!(["new@guest.test"]));
        assert_eq!(s["owners"]["groups"], json!([group]));
        assert_eq!(s["owners"]["taskUrls"].as_array().map(Vec::len), Some(1));
        app.get("/organizations/acme/guests/new%40guest.test").await.expect(200);
        app.json(Method::PUT, &path, json!({"owners": {"users": {"id": 1005}, "guests": [], "groups": []}})).await.expect(200);
        assert_eq!(read(app, &id).await["owners"]["users"], json!([1005]));

        // Refusals name the entry and change nothing.
        let r = app.json(Method::PUT, &path, json!({"owners": {"users": [1002, 999999]}, "title": "Nope"})).await;
        assert_eq!(r.expect_invalid("owners.users.1"), "The selected owners.users.1 is invalid.");
        let r = app.json(Method::PUT, &path, json!({"owners": {"guests": ["bob@acme.test", "not-an-email"]}})).await;
        r.expect_invalid("owners.guests.0");
        r.expect_invalid("owners.guests.1");
        let r = app.json(Method::PUT, &path, json!({"owners": {"groups": ["0123456789abcdef0123456789abcdef"]}})).await;
        r.expect_invalid("owners.groups.0");
        let r = app.json(Method::PUT, &path, json!({"owners": ["1002"]})).await;
        r.expect_invalid("owners");
        let s = read(app, &id).await;
        assert_eq!(s["owners"]["users"], json!([1005]));
        assert_eq!(s["title"], "Still owned");
    }
}

/// One field of every type.
fn all_types() -> Value {
    json!([
        {"label": "Text", "field_type": "text", "required": false},
        {"label": "Notes", "field_type": "textarea", "required": false},
        {"label": "Mail", "field_type": "email", "required": false},
        {"label": "Link", "field_type": "url", "required": false},
        {"label": "Hours", "field_type": "number", "required": false},
        {"label": "Day", "field_type": "date", "required": false},
        {"label": "When", "field_type": "datetime", "required": false},
        {"label": "Clock", "field_type": "time", "required": false},
        {"label": "Agree", "field_type": "checkbox", "required": false},
        {"label": "Answer", "field_type": "radio", "required": false, "options": ["Yes", "No"]},
        {"label": "Pick", "field_type": "dropdown", "required": false, "options": ["A", "B"]},
        {"label": "Many", "field_type": "multiselect", "required": false, "options": ["a", "b", "c"]},
        {"label": "Grid", "field_type": "table", "required": false, "columns": ["Item", "Qty"]},
        {"label": "People", "field_type": "assignees_form", "required": false},
        {"label": "Files", "field_type": "file", "required": false}
    ])
}

dual_test! {
    async fn taskdata_is_checked_and_normalized_per_type(app: &TestApp) {
        seed_members(app).await;
        let t = create(app, json!({"title": "Form", "form_fields": all_types()})).await;
        let id = id_of(&t);
        let path = format!("/organizations/acme/tasks/{id}");
        let f = capture_ids(&read(app, &id).await);
        assert_eq!(t["taskdata"].as_object().map(|m| m.len()), Some(15));
        assert!(t["taskdata"].as_object().expect("taskdata").values().all(Value::is_null));

        let accepted = [
            ("Text", json!("hello"), json!("hello")),
            ("Notes", json!("line 1\nline 2"), json!("line 1\nline 2")),
            ("Mail", json!("x@y.test"), json!("x@y.test")),
            ("Link", json!("https://example.com/a?b=1"), json!("https://example.com/a?b=1")),
            ("Hours", json!("38"), json!(38)),
            ("Day", json!("2024-07-15"), json!("2024-07-15")),
            ("When", json!("2024-07-15 17:00:00"), json!("2024-07-15 17:00:00")),
            ("Clock", json!("09:30"), json!("09:30")),
            ("Agree", json!("yes"), json!(true)),
            ("Answer", json!("Yes"), json!("Yes")),
            ("Pick", json!("B"), json!({"id": 2, "text": "B", "value": null})),
            ("Many", json!([{"id": 1, "selected": true}, {"text": "c", "selected": false}]),
                json!([{"id": 1, "text": "a", "value": null, "selected": true}, {"id": 3, "text": "c", "value": null, "selected": false}])),
            ("Grid", json!(["Widget", [3, 4]]), json!(["Widget", [3, 4]])),
            ("People", json!({"users": ["1005", "sam@acme.test"], "guests": ["Form@Guest.test"]}),
                json!({"users": [1005, 1002], "guests": ["form@guest.test"], "groups": []})),
            ("Files", json!([{"id": "f1", "filename": "a.pdf"}]), json!([{"id": "f1", "filename": "a.pdf"}])),
        ];
        let body: serde_json::Map<String, Value> = accepted.iter().map(|(l, v, _)| (f[*l].clone(), v.clone())).collect();
        let r = app.json(Method::PUT, &path, json!({"taskdata": body})).await.expect(200);
        let stored = read(app, &id).await;
        for (label, _, want) in &accepted {
            assert_eq!(&stored["taskdata"][&f[*label]], want, "{label}");
            assert_eq!(&r.data()["taskdata"][&f[*label]], want, "{label} in the response");
        }
        let people = stored["form_fields"]["data"].as_array().expect("ff").iter().find(|c| c["label"] == "People").expect("people").clone();
        assert_eq!(people["value"], people["field_value"]);
        assert_eq!(stored["status"], "not-started", "saving taskdata does not change status");

        // Every wrong shape is reported under its own key, all at once; nothing is written.
        let refused = [
            ("Text", json!({"a": 1})),
            ("Notes", json!(5)),
            ("Mail", json!("nope")),
            ("Link", json!("ftp://example.com")),
            ("Hours", json!("lots")),
            ("Day", json!("July")),
            ("When", json!("later")),
            ("Clock", json!("25:00")),
            ("Agree", json!("maybe")),
            ("Answer", json!("yes")),
            ("Pick", json!({"id": 1, "text": "B"})),
            ("Many", json!([{"id": 9}])),
            ("Grid", json!(["only one"])),
            ("People", json!({"users": [424242]})),
            ("Files", json!([{"filename": "x.pdf"}])),
        ];
        let mut body: serde_json::Map<String, Value> = refused.iter().map(|(l, v)| (f[*l].clone(), v.clone())).collect();
        body.insert("0123456789abcdef0123456789abcdef".into(), json!("x"));
        let r = app.json(Method::PUT, &path, json!({"taskdata": body, "title": "Changed"})).await;
        assert_eq!(r.status, 422, "{}", r.text);
        for (label, _) in &refused {
            r.expect_invalid(&format!("taskdata.{}", f[*label]));
        }
        assert_eq!(r.expect_invalid("taskdata.0123456789abcdef0123456789abcdef"), "No such form field on this task.");
        assert_eq!(r.expect_invalid(&format!("taskdata.{}", f["Answer"])), "Invalid radio choice selected.");
        assert_eq!(r.expect_invalid(&format!("taskdata.{}", f["Pick"])), "Invalid dropdown choice selected.");
        assert_eq!(r.expect_invalid(&format!("taskdata.{}", f["Many"])), "Invalid multiselect choice selected.");
        assert_eq!(r.expect_invalid(&format!("taskdata.{}", f["Grid"])), "Number of columns does not match required columns");
        assert!(r.expect_invalid(&format!("taskdata.{}", f["People"])).contains("users.0"));
        let after = read(app, &id).await;
        assert_eq!(after["taskdata"], stored["taskdata"]);
        assert_eq!(after["title"], "Form");

        // Empty values clear; 0 and false are real values for number and checkbox.
        let clear = json!({
            f["Text"].clone(): null, f["Notes"].clone(): "", f["Many"].clone(): [], f["Mail"].clone(): false,
            f["Hours"].clone(): 0, f["Agree"].clone(): false, f["People"].clone(): {"users": []}
        });
        app.json(Method::PUT, &path, json!({"taskdata": clear})).await.expect(200);
        let s = read(app, &id).await;
        for label in ["Text", "Notes", "Many", "Mail", "People"] {
            assert_eq!(s["taskdata"][&f[label]], Value::Null, "{label} cleared");
        }
        assert_eq!(s["taskdata"][&f["Hours"]], json!(0));
        assert_eq!(s["taskdata"][&f["Agree"]], json!(false));
        assert_eq!(s["taskdata"][&f["Day"]], "2024-07-15", "untouched keys keep their values");

        // Capture ids are compared after lower-casing; C# sends TaskData.
        app.json(Method::PUT, &path, json!({"TaskData": {f["Text"].to_uppercase(): "upper"}})).await.expect(200);
        assert_eq!(read(app, &id).await["taskdata"][&f["Text"]], "upper");
        // Another task's capture id is not a field of this task.
        let other = create(app, json!({"title": "Other", "form_fields": [{"label": "X", "field_type": "text", "required": false}]})).await;
        let other_field = capture_ids(&read(app, &id_of(&other)).await)["X"].clone();
        let r = app.json(Method::PUT, &path, json!({"taskdata": {other_field.clone(): "x"}})).await;
        assert_eq!(r.expect_invalid(&format!("taskdata.{other_field}")), "No such form field on this task.");
    }
}

dual_test! {
    async fn status_transitions_follow_the_model(app: &TestApp) {
        seed_members(app).await;
        let t = create(app, json!({"title": "Flow", "owners": {"users": [1001]}})).await;
        let id = id_of(&t);
        let path = format!("/organizations/acme/tasks/{id}");
        let state = |v: &Value| (v["status"].as_str().map(str::to_string), v["status_label"].as_str().map(str::to_string));

        let r = app.json(Method::PUT, &path, json!({"status": "in-progress"})).await.expect(200);
        assert_eq!(state(r.data()), (Some("in-progress".into()), Some("in-progress".into())));
        app.json(Method::PUT, &path, json!({"Status": "not-started"})).await.expect(200);
        assert_eq!(read(app, &id).await["status"], "not-started");
        for bad in ["auto-skipped", "done", "active"] {
            let r = app.json(Method::PUT, &path, json!({"status": bad})).await;
            assert_eq!(r.expect_invalid("status"), "The selected status is invalid.");
        }

        let r = app.json(Method::PUT, &path, json!({"status": "completed"})).await.expect(200);
        assert_eq!(state(r.data()), (Some("completed".into()), Some("completed".into())));
        let s = read(app, &id).await;
        assert_eq!((s["completer_id"].as_i64(), s["is_approved"].clone()), (Some(1001), Value::Null));
        assert!(s["completed_at"].is_string());
        assert_eq!(s["is_completable"], false);

        // A completed task takes only a reopening status; an empty body is a no-op.
        for body in [json!({"title": "x"}), json!({"status": "completed"}), json!({"taskdata": {}}), json!({"status": "bogus"})] {
            let r = app.json(Method::PUT, &path, body).await;
            assert_eq!(r.expect_invalid("task"), "Completed tasks cannot be updated.");
        }
        let r = app.json(Method::PUT, &path, json!({})).await.expect(200);
        assert_eq!(r.data()["status"], "completed");
        app.send(app.request(Method::PUT, &path)).await.expect(200);
        app.json(Method::PUT, &path, json!({"unknown_key": 1})).await.expect(200);
        assert_eq!(read(app, &id).await["title"], "Flow");

        // not-started on a completed task reopens first, then sets it, with the other fields.
        let r = app.json(Method::PUT, &path, json!({"status": "not-started", "title": "Reopened"})).await.expect(200);
        let d = r.data();
        assert_eq!(state(d), (Some("not-started".into()), Some("not-started".into())));
        assert_eq!((d["completed_at"].clone(), d["completer_id"].clone(), d["title"].as_str()), (Value::Null, Value::Null, Some("Reopened")));
        app.json(Method::PUT, &path, json!({"status": "completed"})).await.expect(200);
        let r = app.json(Method::PUT, &path, json!({"status": "in-progress"})).await.expect(200);
        assert_eq!(state(r.data()), (Some("in-progress".into()), Some("in-progress".into())));
        assert_eq!(read(app, &id).await["completed_at"], Value::Null);

        // status: completed applies T8's rules: approval decision, required fields.
        let a = create(app, json!({"title": "Approve", "task_type": "approval",
            "form_fields": [{"label": "Reason", "field_type": "text", "required": true}]})).await;
        let a_id = id_of(&a);
        let a_path = format!("/organizations/acme/tasks/{a_id}");
        let reason = capture_ids(&read(app, &a_id).await)["Reason"].clone();
        let r = app.json(Method::PUT, &a_path, json!({"status": "completed", "title": "Renamed"})).await;
        assert_eq!(r.expect_invalid("is_approved"), "The is approved field is required.");
        let r = app.json(Method::PUT, &a_path, json!({"status": "completed", "is_approved": false, "title": "Renamed"})).await;
        assert_eq!(r.expect_invalid(&format!("taskdata.{reason}")), "Reason is required.");
        let s = read(app, &a_id).await;
        assert_eq!((s["title"].as_str(), s["status"].as_str()), (Some("Approve"), Some("not-started")), "nothing half-written");
        // Answers given in the same request count.
        let r = app.json(Method::PUT, &a_path, json!({"status": "completed", "is_approved": "false", "taskdata": {reason.clone(): "Too costly"}})).await.expect(200);
        assert_eq!(state(r.data()), (Some("completed".into()), Some("rejected".into())));
        assert_eq!(r.data()["is_approved"], false);
        assert_eq!(r.data()["taskdata"][&reason], "Too costly");
    }
}

dual_test! {
    async fn run_tasks_refresh_the_run_and_move_within_it(app: &TestApp) {
        seed_members(app).await;
        let first = create(app, json!({"title": "A", "separate_task_for_each_assignee": true, "owners": {"users": [1001]}})).await;
        let run_id = first["run_id"].as_str().expect("run").to_string();
        let mut ids = vec![id_of(&first)];
        for title in ["B", "C", "D"] {
            ids.push(id_of(&create(app, json!({"title": title, "run_id": run_id})).await));
        }
        let titles = |v: Vec<(i64, String)>| v.into_iter().map(|(p, t)| format!("{p}{t}")).collect::<Vec<_>>();
        assert_eq!(titles(run_titles(app, &run_id).await), ["1A", "2B", "3C", "4D"]);

        let run_path = |id: &str| format!("/organizations/acme/runs/{run_id}/tasks/{id}");
        let r = app.json(Method::PUT, &run_path(&ids[3]), json!({"position": 1})).await.expect(200);
        assert_eq!(r.data()["position"], 1);
        assert_eq!(titles(run_titles(app, &run_id).await), ["1D", "2A", "3B", "4C"]);
        app.json(Method::PUT, &run_path(&ids[3]), json!({"position": "99"})).await.expect(200);
        assert_eq!(titles(run_titles(app, &run_id).await), ["1A", "2B", "3C", "4D"]);
        app.json(Method::PUT, &format!("/organizations/acme/tasks/{}", ids[1]), json!({"position": 3})).await.expect(200);
        assert_eq!(titles(run_titles(app, &run_id).await), ["1A", "2C", "3B", "4D"]);
        let r = app.json(Method::PUT, &run_path(&ids[1]), json!({"position": 0})).await;
        assert_eq!(r.expect_invalid("position"), "The position must be at least 1.");

        // A standalone task ignores position.
        let s = create(app, json!({"title": "Alone"})).await;
        app.json(Method::PUT, &format!("/organizations/acme/tasks/{}", id_of(&s)), json!({"position": 5})).await.expect(200);
        assert_eq!(read(app, &id_of(&s)).await["position"], 1);

        // The run's status follows its tasks' completions and reopenings.
        for id in &ids {
            app.json(Method::PUT, &run_path(id), json!({"status": "completed"})).await.expect(200);
        }
        let run = app.get(&format!("/organizations/acme/runs/{run_id}")).await.expect(200);
        assert_eq!(run.data()["status"], "complete");
        assert!(run.data()["completed_at"].is_string());
        assert_eq!(run.data()["progress"], json!({"complete": 4, "total": 4, "percent": 100.0}));
        let r = app.json(Method::PUT, &run_path(&ids[2]), json!({"status": "in-progress"})).await.expect(200);
        assert_eq!(r.data()["run_status"], "active");
        let run = app.get(&format!("/organizations/acme/runs/{run_id}")).await.expect(200);
        assert_eq!((run.data()["status"].as_str(), run.data()["completed_at"].clone()), (Some("active"), Value::Null));

        // R12 needs the task to belong to that run.
        app.json(Method::PUT, &format!("/organizations/acme/runs/{run_id}/tasks/{}", id_of(&s)), json!({"title": "x"})).await.expect(404);
        app.json(Method::PUT, &format!("/organizations/acme/runs/0123456789abcdef0123456789abcdef/tasks/{}", ids[0]), json!({"title": "x"})).await.expect(404);
        app.json(Method::PUT, "/organizations/acme/tasks/0123456789abcdef0123456789abcdef", json!({"title": "x"})).await.expect(404);
    }
}

dual_test! {
    async fn fields_flags_tags_and_max_assignable(app: &TestApp) {
        seed_members(app).await;
        let t = create(app, json!({"title": "Flags", "owners": {"users": [1001, 1002]}, "tags": ["alpha", "beta"]})).await;
        let id = id_of(&t);
        let path = format!("/organizations/acme/tasks/{id}");
        let before = read(app, &id).await;
        tokio::time::sleep(Duration::from_millis(5)).await;

        let r = app.json(Method::PUT, &path, json!({
            "name": "Alias title", "description": "Alias summary", "started_at": "2024-01-02",
            "webhook": "https://hooks.example/done", "prevent_guest_comment": "yes", "top_secret": true,
            "everyone_must_complete": 1, "can_complete_only_assignees": "true", "is_soft_start_date": "on",
            "task_type": "expiring_email", "max_assignable": "2", "tags": ["beta", "Gamma"]
        })).await.expect(200);
        let s = read(app, &id).await;
        assert_eq!(r.data()["title"], s["title"]);
        assert_eq!((s["title"].as_str(), s["summary"].as_str()), (Some("Alias title"), Some("Alias summary")));
        assert_eq!(s["original_title"], "Flags");
        assert_eq!(s["started_at"], "2024-01-02T00:00:00.000Z");
        assert_eq!(s["webhook"], "https://hooks.example/done");
        for flag in ["prevent_guest_comment", "top_secret", "everyone_must_complete", "can_complete_only_assignees", "is_soft_start_date"] {
            assert_eq!(s[flag], true, "{flag}");
        }
        assert_eq!((s["task_type"].as_str(), s["max_assignable"].as_i64()), (Some("expiring_email"), Some(2)));
        assert_eq!(s["completion_progress"], 0.0);
        assert_ne!(s["last_updated"], before["last_updated"], "last_updated moves");
        assert_eq!(s["created_at"], before["created_at"]);
        let links = s["tags"]["data"].as_array().expect("tags").clone();
        let titles: Vec<&str> = links.iter().filter_map(|l| l["title"].as_str()).collect();
        assert_eq!(titles, ["beta", "Gamma"]);
        let beta_before = before["tags"]["data"].as_array().expect("tags").iter().find(|l| l["title"] == "beta").expect("beta")["id"].clone();
        assert_eq!(links[0]["id"], beta_before, "a kept tag keeps its association");
        let tags = app.get("/organizations/acme/tags").await.expect(200);
        assert_eq!(tags.body["meta"]["pagination"]["total"], 3, "Gamma was created; alpha still exists");

        // Clearing nullable fields; member/guest alias task types.
        app.json(Method::PUT, &path, json!({"webhook": "", "summary": null, "tags": [], "task_type": "member"})).await.expect(200);
        let s = read(app, &id).await;
        assert_eq!((s["webhook"].clone(), s["summary"].clone(), s["task_type"].as_str()), (Value::Null, Value::Null, Some("task")));
        assert_eq!(s["tags"]["data"], json!([]));

        // max_assignable against the resulting owners and value.
        let r = app.json(Method::PUT, &path, json!({"max_assignable": 1})).await;
        assert_eq!(r.expect_invalid("owners"), "The task may not have more than 1 assignees.");
        // Checked while the body is read, so it is reported with the other field errors (the
        // store's check under the row lock refuses a racing change on its own).
        let r = app.json(Method::PUT, &path, json!({"max_assignable": 1, "title": "  "})).await;
        assert_eq!(r.expect_invalid("owners"), "The task may not have more than 1 assignees.");
        assert_eq!(r.expect_invalid("title"), "The title field is required.");
        let r = app.json(Method::PUT, &path, json!({"owners": {"users": [1001, 1002], "guests": ["x@partner.test"]}})).await;
        assert_eq!(r.expect_invalid("owners"), "The task may not have more than 2 assignees.");
        let r = app.json(Method::PUT, &path, json!({"max_assignable": -1})).await;
        r.expect_invalid("max_assignable");
        app.json(Method::PUT, &path, json!({"max_assignable": 3, "owners": {"users": [1001, 1002], "guests": ["x@partner.test"]}})).await.expect(200);
        app.json(Method::PUT, &path, json!({"max_assignable": 0, "owners": {"users": [1001, 1002, 1005], "guests": ["x@partner.test"]}})).await.expect(200);
        assert_eq!(read(app, &id).await["owners"]["users"], json!([1001, 1002, 1005]));

        // Every field error at once; nothing written.
        let r = app.json(Method::PUT, &path, json!({
            "title": "  ", "deadline": "soon", "started_at": null, "task_type": "chore", "webhook": "nope",
            "position": 0, "max_assignable": -2, "owners": {"users": [777]}, "taskdata": {"zz": 1}, "top_secret": "maybe",
            "tags": [""]
        })).await;
        for key in ["title", "deadline", "started_at", "task_type", "webhook", "position", "max_assignable", "owners.users.0", "taskdata.zz", "top_secret", "tags.0"] {
            r.expect_invalid(key);
        }
        assert_eq!(r.expect_invalid("title"), "The title field is required.");
        assert_eq!(r.expect_invalid("webhook"), "The webhook must be a valid URL.");
        assert_eq!(r.expect_invalid("task_type"), "The selected task type is invalid.");
        let s = read(app, &id).await;
        assert_eq!((s["title"].as_str(), s["owners"]["users"].clone()), (Some("Alias title"), json!([1001, 1002, 1005])));
    }
}

dual_test! {
    async fn permissions_visibility_and_archived_runs(app: &TestApp) {
        let light = seed_members(app).await;
        let (_, tess) = app.add_member("acme", 2002, "tess@acme.test", "standard").await;
        let t = create(app, json!({"title": "Mine", "owners": {"users": [1001]}})).await;
        let id = id_of(&t);
        let path = format!("/organizations/acme/tasks/{id}");

        // A light member not assigned: 403 (also before validation); assigned: allowed.
        let r = app.send(app.request_as(&light, Method::PUT, &path).json(&json!({"title": "Light"}))).await;
        assert_eq!(r.status, 403, "{}", r.text);
        assert_eq!(r.body["code"], "FORBIDDEN");
        let r = app.send(app.request_as(&light, Method::PUT, &path).json(&json!({"title": ""}))).await;
        assert_eq!(r.status, 403);
        app.json(Method::PUT, &path, json!({"owners": {"users": [12345]}})).await.expect(200);
        let r = app.send(app.request_as(&light, Method::PUT, &path).json(&json!({"title": "Light"}))).await.expect(200);
        assert_eq!(r.data()["title"], "Light");
        // Unassigning themselves is their last edit.
        app.send(app.request_as(&light, Method::PUT, &path).json(&json!({"owners": {"users": [1001]}}))).await.expect(200);
        app.send(app.request_as(&light, Method::PUT, &path).json(&json!({"title": "Again"}))).await.expect(403);

        // Top-secret tasks are invisible to non-assignees: 404.
        app.json(Method::PUT, &path, json!({"top_secret": true})).await.expect(200);
        app.send(app.request_as(&tess, Method::PUT, &path).json(&json!({"title": "Seen?"}))).await.expect(404);
        assert_eq!(read(app, &id).await["title"], "Light");

        // A task of an archived run refuses updates; it can still be read.
        let rt = create(app, json!({"title": "In run", "separate_task_for_each_assignee": true, "owners": {"users": [1001]}})).await;
        let run_id = rt["run_id"].as_str().expect("run").to_string();
        let archived = app.call(Method::DELETE, &format!("/organizations/acme/runs/{run_id}")).await;
        if archived.status == 200 {
            for p in [format!("/organizations/acme/tasks/{}", id_of(&rt)), format!("/organizations/acme/runs/{run_id}/tasks/{}", id_of(&rt))] {
                let r = app.json(Method::PUT, &p, json!({"title": "Nope"})).await;
                assert_eq!(r.expect_invalid("run"), "The process this task belongs to is archived.");
            }
            assert_eq!(read(app, &id_of(&rt)).await["title"], "In run");
        } else {
            eprintln!("run archiving (R4) is not available yet ({}); archived-run refusal not exercised", archived.status);
        }
    }
}
