//! Disabling, enabling and removing a guest, and its tasks: what blocks a disable, the task
//! stats, and removal taking it off tasks and groups.

use super::*;

on_both!(disabling_and_enabling_records_who_and_when);
async fn disabling_and_enabling_records_who_and_when(app: &TestApp) {
    create(app, json!({"email": "jane@example.com"})).await;
    let path = app.org_path("/guests/jane%40example.com");
    let r = app.call(Method::DELETE, &format!("{path}/disable")).await.expect(200);
    let d = r.data()["details"].clone();
    assert!(d["disabled_at"].is_string(), "{d}");
    assert_eq!(d["disabled_by"], 1001);
    // Disabling again changes nothing; disabled guests are still listed.
    let r = app.call(Method::DELETE, &format!("{path}/disable")).await.expect(200);
    assert_eq!(r.data()["details"]["disabled_at"], d["disabled_at"]);
    let r = app.get(&app.org_path("/guests")).await.expect(200);
    assert_eq!(r.data()[0]["details"]["disabled_at"], d["disabled_at"]);
    // Enable as the SDK sends it: no body but a JSON content type.
    let r = app
        .send(
            app.request(Method::PUT, &format!("{path}/enable"))
                .header("Content-Type", "application/json"),
        )
        .await
        .expect(200);
    let d = &r.data()["details"];
    assert_eq!(
        (d["disabled_at"].clone(), d["disabled_by"].clone()),
        (Value::Null, Value::Null)
    );
    assert!(d["reactivated_at"].is_string());
    assert_eq!(d["reactivated_by"], 1001);
    let r = app.get(&path).await.expect(200);
    assert_eq!(r.data()["details"]["reactivated_by"], 1001);
    app.call(Method::DELETE, &app.org_path("/guests/ghost%40example.com/disable"))
        .await
        .expect(404);
}

on_both!(removing_a_guest_takes_it_out_of_groups_and_the_organization);
async fn removing_a_guest_takes_it_out_of_groups_and_the_organization(app: &TestApp) {
    let g = create(app, json!({"email": "jane@example.com", "first_name": "Jane"})).await;
    create(app, json!({"email": "kim@example.com"})).await;
    let r = app
        .json(
            Method::POST,
            &app.org_path("/groups"),
            json!({"name": "Partners", "guests": ["jane@example.com", "kim@example.com"]}),
        )
        .await
        .expect(201);
    let group = r.data()["id"].as_str().expect("group id").to_string();
    let code = g["link"]
        .as_str()
        .and_then(|l| l.rsplit('/').next())
        .expect("code")
        .to_string();

    let r = app
        .call(Method::DELETE, &app.org_path(&format!("/guests/{code}")))
        .await
        .expect(200);
    assert_eq!(
        (r.data()["email"].as_str(), r.data()["first_name"].as_str()),
        (Some("jane@example.com"), Some("Jane"))
    );
    app.get(&app.org_path("/guests/jane%40example.com")).await.expect(404);
    app.call(Method::DELETE, &app.org_path(&format!("/guests/{code}")))
        .await
        .expect(404);
    let r = app.get(&app.org_path(&format!("/groups/{group}"))).await.expect(200);
    assert_eq!(r.data()["guests"], json!(["kim@example.com"]));
    let r = app.get(&app.org_path("/guests-list")).await.expect(200);
    assert_eq!(r.data().as_array().map(Vec::len), Some(1));

    // The address may come back; it gets a new id and code.
    let again = create(app, json!({"email": "jane@example.com"})).await;
    assert_ne!(again["id"], g["id"]);
    assert_ne!(again["link"], g["link"]);
    assert_eq!(again["first_name"], Value::Null);
}

/// A standalone task with these owners; returns its id.
async fn task_for(app: &TestApp, title: &str, owners: Value) -> String {
    let r = app
        .json(
            Method::POST,
            &app.org_path("/tasks"),
            json!({"title": title, "owners": owners}),
        )
        .await
        .expect(201);
    r.data()["id"].as_str().expect("task id").to_string()
}

on_both!(a_guest_with_incomplete_tasks_cannot_be_disabled);
async fn a_guest_with_incomplete_tasks_cannot_be_disabled(app: &TestApp) {
    let t = task_for(app, "Sign contract", json!({"guests": ["jane@example.com"]})).await;
    let disable = app.org_path("/guests/jane%40example.com/disable");
    let r = app.call(Method::DELETE, &disable).await.expect(403);
    assert_eq!(
        (r.body["code"].as_str(), r.body["message"].as_str()),
        (Some("FORBIDDEN"), Some("Cannot disable guest with incomplete tasks."))
    );
    let r = app.get(&app.org_path("/guests/jane%40example.com")).await.expect(200);
    assert_eq!(r.data()["details"]["disabled_at"], Value::Null);
    // Completed and archived tasks do not hold the guest.
    crate::support::fixtures::exec_sql(
        app,
        &format!("UPDATE tasks SET status = 'completed', completed_at = 1 WHERE id = '{t}'"),
    )
    .await;
    let r = app.call(Method::DELETE, &disable).await.expect(200);
    assert!(r.data()["details"]["disabled_at"].is_string());
    let a = task_for(app, "Archived", json!({"guests": ["kim@example.com"]})).await;
    crate::support::fixtures::exec_sql(app, &format!("UPDATE tasks SET archived_at = 1 WHERE id = '{a}'")).await;
    app.call(Method::DELETE, &app.org_path("/guests/kim%40example.com/disable"))
        .await
        .expect(200);
    // Only direct assignment counts, not a group's.
    create(app, json!({"email": "lee@example.com"})).await;
    let g = app
        .json(
            Method::POST,
            &app.org_path("/groups"),
            json!({"name": "Partners", "guests": ["lee@example.com"]}),
        )
        .await
        .expect(201);
    task_for(app, "Group task", json!({"groups": [g.data()["id"]]})).await;
    app.call(Method::DELETE, &app.org_path("/guests/lee%40example.com/disable"))
        .await
        .expect(200);
    // Tasks of a run count as well.
    let body =
        json!({"title": "Run", "owners": {"guests": ["max@example.com"]}, "separate_task_for_each_assignee": true});
    app.json(Method::POST, &app.org_path("/tasks"), body).await.expect(201);
    app.call(Method::DELETE, &app.org_path("/guests/max%40example.com/disable"))
        .await
        .expect(403);
}

on_both!(guest_stats_count_the_tasks_it_is_directly_assigned);
async fn guest_stats_count_the_tasks_it_is_directly_assigned(app: &TestApp) {
    let done = task_for(app, "Done", json!({"guests": ["jane@example.com"]})).await;
    let older = task_for(
        app,
        "Done earlier",
        json!({"guests": ["jane@example.com", "kim@example.com"]}),
    )
    .await;
    task_for(app, "Open", json!({"guests": ["jane@example.com"]})).await;
    let gone = task_for(app, "Archived", json!({"guests": ["jane@example.com"]})).await;
    let body =
        json!({"title": "Run", "owners": {"guests": ["jane@example.com"]}, "separate_task_for_each_assignee": true});
    app.json(Method::POST, &app.org_path("/tasks"), body).await.expect(201);
    // 2024-06-01T12:00:00Z and a day before.
    crate::support::fixtures::exec_sql(
        app,
        &format!("UPDATE tasks SET status = 'completed', completed_at = 1717243200000 WHERE id = '{done}'"),
    )
    .await;
    crate::support::fixtures::exec_sql(
        app,
        &format!("UPDATE tasks SET status = 'completed', completed_at = 1717156800000 WHERE id = '{older}'"),
    )
    .await;
    crate::support::fixtures::exec_sql(app, &format!("UPDATE tasks SET archived_at = 1 WHERE id = '{gone}'")).await;

    let r = app
        .get(&app.org_path("/guests/jane%40example.com?with=stats"))
        .await
        .expect(200);
    assert_eq!(
        r.data()["stats"],
        json!({"assigned_tasks": 4, "tasks_completed": 2, "last_task_completed_at": "2024-06-01T12:00:00.000Z",
        "one_off_tasks_completed": 2, "last_one_off_task_completed_at": "2024-06-01T12:00:00.000Z"})
    );
    let r = app
        .get(&app.org_path("/guests?with=stats&sort=email"))
        .await
        .expect(200);
    let stats: Vec<(Value, Value, Value)> = r
        .data()
        .as_array()
        .expect("guests")
        .iter()
        .map(|g| {
            (
                g["email"].clone(),
                g["stats"]["assigned_tasks"].clone(),
                g["stats"]["last_task_completed_at"].clone(),
            )
        })
        .collect();
    assert_eq!(
        stats,
        [
            (json!("jane@example.com"), json!(4), json!("2024-06-01T12:00:00.000Z")),
            (json!("kim@example.com"), json!(1), json!("2024-05-31T12:00:00.000Z")),
        ]
    );
    create(app, json!({"email": "new@example.com"})).await;
    let r = app
        .get(&app.org_path("/guests/new%40example.com?with=stats"))
        .await
        .expect(200);
    assert_eq!(
        r.data()["stats"],
        json!({"assigned_tasks": 0, "tasks_completed": 0, "last_task_completed_at": null,
        "one_off_tasks_completed": 0, "last_one_off_task_completed_at": null})
    );
}

on_both!(removing_a_guest_takes_it_off_every_task);
async fn removing_a_guest_takes_it_off_every_task(app: &TestApp) {
    let t = task_for(
        app,
        "Shared",
        json!({"users": [1001], "guests": ["jane@example.com", "kim@example.com"]}),
    )
    .await;
    let body =
        json!({"title": "Run", "owners": {"guests": ["jane@example.com"]}, "separate_task_for_each_assignee": true});
    let r = app.json(Method::POST, &app.org_path("/tasks"), body).await.expect(201);
    let run_task = r.data()["id"].as_str().expect("id").to_string();
    let before = app
        .get(&app.org_path(&format!("/tasks/{t}")))
        .await
        .expect(200)
        .data()
        .clone();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    app.call(Method::DELETE, &app.org_path("/guests/jane%40example.com"))
        .await
        .expect(200);
    let after = app
        .get(&app.org_path(&format!("/tasks/{t}")))
        .await
        .expect(200)
        .data()
        .clone();
    assert_eq!(after["owners"]["users"], json!([1001]));
    assert_eq!(after["owners"]["guests"], json!(["kim@example.com"]));
    assert_eq!(after["owners"]["taskUrls"].as_array().map(Vec::len), Some(1));
    assert_ne!(after["last_updated"], before["last_updated"], "the owners changed");
    let r = app.get(&app.org_path(&format!("/tasks/{run_task}"))).await.expect(200);
    assert_eq!(r.data()["owners"]["guests"], json!([]));
    // The address may be assigned again: a new guest, on the task only when assigned anew.
    create(app, json!({"email": "jane@example.com"})).await;
    let r = app.get(&app.org_path(&format!("/tasks/{t}"))).await.expect(200);
    assert_eq!(r.data()["owners"]["guests"], json!(["kim@example.com"]));
}
