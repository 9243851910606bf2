//! Every seed 003 body on both routes, and PHP-style form bodies read like JSON.

use super::*;

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

on_both!(the_seed_003_bodies_update_on_both_routes);
async fn the_seed_003_bodies_update_on_both_routes(app: &TestApp) {
    seed_members(app).await;
    let standalone = create_task(app, json!({"title": "One-off", "form_fields": seed_fields()})).await;
    let in_run = create_task(
        app,
        json!({"title": "Run task", "separate_task_for_each_assignee": true,
        "owners": {"users": [1001]}, "form_fields": seed_fields()}),
    )
    .await;
    let run_id = in_run["run_id"].as_str().expect("run").to_string();
    let targets = [
        (
            id_of(&standalone),
            format!("/api/organizations/acme/tasks/{}", id_of(&standalone)),
        ),
        (
            id_of(&in_run),
            format!("/api/organizations/acme/runs/{run_id}/tasks/{}", id_of(&in_run)),
        ),
    ];
    for (task_id, path) in &targets {
        let fields = capture_ids(&read_task(app, task_id).await);
        for (name, body, expected) in seed_bodies(&fields) {
            let r = app.json(Method::PUT, path, body).await;
            assert_eq!(r.status, 200, "{name} on {path}: {}", r.text);
            assert_eq!(r.data()["id"], task_id.as_str(), "{name}");
            let stored = read_task(app, task_id).await;
            for (pointer, value) in &expected {
                assert_eq!(
                    stored.pointer(pointer),
                    Some(value),
                    "{name} on {path}: {pointer} in {stored}"
                );
                assert_eq!(r.data().pointer(pointer), Some(value), "{name}: response {pointer}");
            }
            // Updates never change the status (the seed's "active" is not a status).
            assert_eq!(stored["status"], "not-started", "{name}");
            assert!(stored.get("tasks_changed_by_rules").is_none());
        }
        // The guest named by the owners example became a guest of the organization.
        app.get("/organizations/acme/guests/new.client%40example.com")
            .await
            .expect(200);
    }
    // A run task is also updated through the organization route.
    let path = format!("/organizations/acme/tasks/{}", id_of(&in_run));
    app.json(Method::PUT, &path, json!({"title": "Via org route"}))
        .await
        .expect(200);
    assert_eq!(read_task(app, &id_of(&in_run)).await["title"], "Via org route");
}

on_both!(php_style_form_bodies_update_like_json);
async fn php_style_form_bodies_update_like_json(app: &TestApp) {
    seed_members(app).await;
    let t = create_task(app, json!({"title": "Form", "form_fields": seed_fields()})).await;
    let id = id_of(&t);
    let fields = capture_ids(&read_task(app, &id).await);
    let body = format!(
        "summary=From+PHP&owners%5Busers%5D%5B%5D=1002&owners%5Busers%5D%5B%5D=1005&owners%5Bguests%5D%5B0%5D=php%40example.com&taskdata%5B{}%5D=Form+value&taskdata%5B{}%5D=2&is_soft_start_date=on",
        fields["Text"], fields["Amount"]
    );
    let rb = app
        .request(Method::PUT, &format!("/organizations/acme/tasks/{id}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body);
    app.send(rb).await.expect(200);
    let stored = read_task(app, &id).await;
    assert_eq!(stored["summary"], "From PHP");
    assert_eq!(stored["owners"]["users"], json!([1002, 1005]));
    assert_eq!(stored["owners"]["guests"], json!(["php@example.com"]));
    assert_eq!(stored["taskdata"][&fields["Text"]], "Form value");
    assert_eq!(stored["taskdata"][&fields["Amount"]], 2);
    assert_eq!(stored["is_soft_start_date"], true);
}
