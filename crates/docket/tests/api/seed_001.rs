//! Seed 001 ("empty process"): every sample body, against the fixture the samples assume
//! (organization `your-org-id`, token `your-access-token`, members with usernames
//! `user_123`, `user_456`, `user_789`, `userId1`…).

use docket_store::model::{NewMembership, NewOrg, NewToken, NewUser, Provision};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::TestApp;

const TOKEN: &str = "your-access-token";
const TASKS: &str = "/api/organizations/your-org-id/tasks";

async fn fixture(app: &TestApp) {
    let names = ["user_123", "user_456", "user_789", "userId1", "userId2", "userId3"];
    let mut p = Provision {
        orgs: vec![NewOrg {
            id: "your-org-id".into(),
            name: "Sample".into(),
            timezone: None,
            allow_user_invite: None,
            allow_manage_groups: None,
            default_deadline: None,
            profile: None,
            must_be_new: true,
        }],
        now: docket_domain::time::now_ms(),
        ..Default::default()
    };
    p.users.push(NewUser {
        id: Some(1001),
        email: "bob@acme.test".into(),
        username: "bob".into(),
        first_name: "Bob".into(),
        last_name: "Stone".into(),
        profile: None,
    });
    p.memberships.push(NewMembership {
        org_id: "your-org-id".into(),
        user: 0,
        role: "admin".into(),
        status: "active".into(),
    });
    p.tokens.push(NewToken {
        user: 0,
        hash: docket_domain::ids::token_hash(TOKEN),
    });
    for (i, name) in names.iter().enumerate() {
        p.users.push(NewUser {
            id: Some(3001 + i as i64),
            email: format!("{}@sample.example", name.to_lowercase()),
            username: (*name).into(),
            first_name: (*name).into(),
            last_name: "Sample".into(),
            profile: None,
        });
        p.memberships.push(NewMembership {
            org_id: "your-org-id".into(),
            user: i + 1,
            role: "standard".into(),
            status: "active".into(),
        });
    }
    app.store().provision(&p).await.expect("seed 001 fixture");
}

async fn post(app: &TestApp, body: Value) -> crate::support::Resp {
    app.send(app.request_as(TOKEN, Method::POST, TASKS).json(&body)).await
}

async fn run_tasks(app: &TestApp, run_id: &str) -> Vec<Value> {
    let r = app
        .send(app.request_as(
            TOKEN,
            Method::GET,
            &format!("/api/organizations/your-org-id/runs/{run_id}?with=tasks"),
        ))
        .await
        .expect(200);
    r.data()["tasks"]["data"].as_array().expect("tasks").clone()
}

fn users(tasks: &[Value]) -> Vec<Value> {
    tasks.iter().map(|t| t["owners"]["users"].clone()).collect()
}

on_both!(the_documented_body_with_every_field);
async fn the_documented_body_with_every_field(app: &TestApp) {
    fixture(app).await;
    let g = app
        .send(
            app.request_as(TOKEN, Method::POST, "/organizations/your-org-id/groups")
                .json(&json!({"name": "groupId1", "members": [3004]})),
        )
        .await
        .expect(201);
    let group = g.data()["id"].as_str().expect("group").to_string();
    let body = json!({ "title": "Task title", "summary": "Optional task description",
        "owners": { "users": ["userId1", "userId2", "userId3"], "guests": ["guest@example.com"], "groups": [group] },
        "separate_task_for_each_assignee": true, "task_type": "task", "deadline": "2025-03-14 17:00:00",
        "everyone_must_complete": false, "is_soft_start_date": true, "started_at": "2025-03-10 09:00:00",
        "prevent_guest_comment": false, "can_complete_only_assignees": false, "max_assignable": 0,
        "webhook": "https://your-webhook.com/endpoint", "tags": ["tagId1", "tagId2"], "top_secret": false,
        "form_fields": [ { "label": "Project Name", "field_type": "text", "required": true, "guidance": "Enter the project name", "position": 1 } ]});
    let r = post(app, body).await.expect(201);
    let run_id = r.data()["run"]["id"].as_str().expect("data.run.id").to_string();
    assert_eq!(r.data()["run"]["started_at"], "2025-03-10T09:00:00.000Z");
    let tasks = run_tasks(app, &run_id).await;
    // userId1 (3004) is reached directly and through the group: one task for them.
    assert_eq!(
        users(&tasks),
        vec![json!([3004]), json!([3005]), json!([3006]), json!([])]
    );
    assert_eq!(tasks[3]["owners"]["guests"], json!(["guest@example.com"]));
    for t in &tasks {
        assert_eq!(
            (t["webhook"].as_str(), t["is_soft_start_date"].as_bool()),
            (Some("https://your-webhook.com/endpoint"), Some(true))
        );
        assert_eq!(t["deadline"], "2025-03-14T17:00:00.000Z");
        assert_eq!(t["taskdata"].as_object().map(|m| m.len()), Some(1));
    }
    let r = app
        .send(app.request_as(
            TOKEN,
            Method::GET,
            &format!(
                "/organizations/your-org-id/tasks/{}?with=tags,form_fields",
                tasks[2]["id"].as_str().unwrap()
            ),
        ))
        .await
        .expect(200);
    let titles: Vec<&str> = r.data()["tags"]["data"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t["title"].as_str())
        .collect();
    assert_eq!(titles, ["tagId1", "tagId2"]);
    assert_eq!(r.data()["form_fields"]["data"][0]["guidance"], "Enter the project name");
}

on_both!(the_javascript_python_php_and_ruby_samples);
async fn the_javascript_python_php_and_ruby_samples(app: &TestApp) {
    fixture(app).await;
    // JavaScript: summary '' (read as none), no started_at.
    let r = post(app, json!({"title": "JS process", "summary": "", "owners": {"users": ["user_123"]}, "separate_task_for_each_assignee": true,
        "task_type": "task", "deadline": "2025-05-01 12:00:00", "everyone_must_complete": false, "is_soft_start_date": true})).await.expect(201);
    assert_eq!(r.data()["summary"], Value::Null);
    assert!(r.data()["run"]["id"].is_string());
    // Python usage: three usernames.
    let r = post(app, json!({"title": "Review Q4 Financial Report", "summary": "Review and provide feedback on the Q4 financial report",
        "owners": {"users": ["user_123", "user_456", "user_789"]}, "separate_task_for_each_assignee": true, "task_type": "task",
        "deadline": "2025-05-08 10:30:00", "everyone_must_complete": false, "is_soft_start_date": true})).await.expect(201);
    let run_id = r.data()["run"]["id"].as_str().expect("run").to_string();
    assert_eq!(
        users(&run_tasks(app, &run_id).await),
        vec![json!([3001]), json!([3002]), json!([3003])]
    );
    // PHP: two users, deadline in two weeks.
    let r = post(
        app,
        json!({"title": "Complete Compliance Checklist", "summary": "Complete your assigned compliance checklist items",
        "owners": {"users": ["user_123", "user_456"]}, "separate_task_for_each_assignee": true, "task_type": "task",
        "deadline": "2025-05-15 08:00:00", "everyone_must_complete": false, "is_soft_start_date": true}),
    )
    .await
    .expect(201);
    assert_eq!(run_tasks(app, r.data()["run"]["id"].as_str().unwrap()).await.len(), 2);
    // Ruby.
    let r = post(app, json!({"title": "Complete Security Training", "summary": "Complete the mandatory security training module",
        "owners": {"users": ["user_123", "user_456", "user_789"]}, "separate_task_for_each_assignee": true, "task_type": "task",
        "deadline": "2025-05-15 08:00:00", "everyone_must_complete": false, "is_soft_start_date": true})).await.expect(201);
    let tasks = run_tasks(app, r.data()["run"]["id"].as_str().unwrap()).await;
    assert!(
        tasks
            .iter()
            .all(|t| t["title"] == "Complete Security Training" && t["status"] == "not-started")
    );
    // The caller (1001) owns every run and is assigned to no task.
    let r = app
        .send(app.request_as(TOKEN, Method::GET, &format!("/organizations/your-org-id/runs/{run_id}")))
        .await
        .expect(200);
    assert_eq!(r.data()["owner_id"], 1001);
    assert!(!r.data()["collaborators"].as_array().expect("collaborators").is_empty());
}

on_both!(the_multi_stage_samples_grow_a_run_with_run_id_and_position);
async fn the_multi_stage_samples_grow_a_run_with_run_id_and_position(app: &TestApp) {
    fixture(app).await;
    let stages = [("Draft", "user_123"), ("Review", "user_456"), ("Approve", "user_789")];
    let r = post(app, json!({"title": stages[0].0, "summary": "stage 1", "owners": {"users": [stages[0].1]}, "separate_task_for_each_assignee": true,
        "task_type": "task", "deadline": "2025-06-01 17:00:00"})).await.expect(201);
    let run_id = r.data()["run"]["id"].as_str().expect("run").to_string();
    // JavaScript sends position i + 1; Python enumerates from 2: the same positions.
    for (i, (title, user)) in stages.iter().enumerate().skip(1) {
        let r = post(
            app,
            json!({"title": title, "summary": "", "owners": {"users": [user]}, "run_id": run_id, "task_type": "task",
            "deadline": "2025-06-02 17:00:00", "position": i + 1}),
        )
        .await
        .expect(201);
        assert_eq!(r.data()["position"], i as i64 + 1);
        assert_eq!(r.data()["run"]["id"], run_id.as_str());
    }
    let tasks = run_tasks(app, &run_id).await;
    let titles: Vec<&str> = tasks.iter().filter_map(|t| t["title"].as_str()).collect();
    assert_eq!(titles, ["Draft", "Review", "Approve"]);
    assert_eq!(users(&tasks), vec![json!([3001]), json!([3002]), json!([3003])]);
}
