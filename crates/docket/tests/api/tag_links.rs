//! TG6/TG7 tag associations as the SDK's tag_process/untag_process use them, their refusals,
//! and what tags (TG5 delete, `with=statistics`) make of them.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::fixtures::{exec_sql, run_with_task, standalone};

async fn tag(app: &TestApp, title: &str) -> String {
    let r = app
        .json(
            Method::POST,
            &app.org_path("/tags"),
            json!({"title": title, "color": "#e74c3c"}),
        )
        .await
        .expect(201);
    r.data()["id"].as_str().expect("tag id").to_string()
}

async fn attach(app: &TestApp, body: Value) -> crate::support::Resp {
    app.json(Method::POST, &app.org_path("/checklists/tags"), body).await
}

/// The `tags` include of a run or task: (association id, tag id) pairs.
async fn tags_of(app: &TestApp, path: &str) -> Vec<(i64, String)> {
    let r = app.get(&format!("{path}?with=tags")).await.expect(200);
    r.data()["tags"]["data"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|l| {
            (
                l["id"].as_i64().expect("id"),
                l["tag_id"].as_str().expect("tag_id").to_string(),
            )
        })
        .collect()
}

async fn seed(app: &TestApp) {
    app.add_member("acme", 1005, "ann@acme.test", "standard").await;
}

on_both!(the_sdk_tags_and_untags_a_process);
async fn the_sdk_tags_and_untags_a_process(app: &TestApp) {
    seed(app).await;
    let finance = tag(app, "finance").await;
    let (run, _) = run_with_task(app, "Quarter close").await;
    let run_path = app.org_path(&format!("/runs/{run}"));

    // tag_process(org, process_id, tag_id, tag_type='private')
    let r = attach(
        app,
        json!({"subject_id": run, "subject_type": "Run", "tag_id": finance, "tag_type": "private"}),
    )
    .await
    .expect(201);
    let link = r.data().clone();
    let assoc = link["id"].as_i64().expect("integer association id");
    assert_eq!(
        (link["tag_id"].as_str(), link["title"].as_str(), link["color"].as_str()),
        (Some(finance.as_str()), Some("finance"), Some("#e74c3c"))
    );
    assert_eq!(
        (link["subject_id"].as_str(), link["subject_type"].as_str()),
        (Some(run.as_str()), Some("Run"))
    );
    assert_eq!(
        (link["type"].as_str(), link["auto_generated"].as_bool()),
        (Some("private"), Some(false))
    );
    assert!(
        link["created_at"]
            .as_str()
            .is_some_and(|t| t.ends_with(".000Z") || t.ends_with('Z'))
    );
    // Attaching again answers 200 with the same association.
    let r = attach(
        app,
        json!({"subject_id": run, "subject_type": "Run", "tag_id": finance, "tag_type": "private"}),
    )
    .await
    .expect(200);
    assert_eq!(r.data(), &link);
    assert_eq!(tags_of(app, &run_path).await, [(assoc, finance.clone())]);

    // untag_process: read the run's tags, find the entry by tag_id, delete by its id.
    let r = app.get(&format!("{run_path}?with=tags")).await.expect(200);
    let entry = r.data()["tags"]["data"]
        .as_array()
        .expect("tags")
        .iter()
        .find(|l| l["tag_id"] == finance.as_str())
        .expect("entry")
        .clone();
    let r = app
        .call(
            Method::DELETE,
            &app.org_path(&format!("/checklists/tags/{}", entry["id"])),
        )
        .await
        .expect(204);
    assert!(r.text.is_empty());
    assert!(tags_of(app, &run_path).await.is_empty());
    app.call(Method::DELETE, &app.org_path(&format!("/checklists/tags/{assoc}")))
        .await
        .expect(404);
    app.call(Method::DELETE, &app.org_path("/checklists/tags/not-a-number"))
        .await
        .expect(404);
    // The tag itself stays; attaching anew makes a new association.
    let r = attach(
        app,
        json!({"subject_id": run, "subject_type": "Run", "tag_id": finance, "tag_type": "private"}),
    )
    .await
    .expect(201);
    assert_ne!(r.data()["id"].as_i64(), Some(assoc));

    // Tasks take tags too (docket extension).
    let t = standalone(app, "Invoice", json!({})).await;
    let r = attach(
        app,
        json!({"subject_id": t, "subject_type": "Task", "tag_id": finance, "tag_type": "private"}),
    )
    .await
    .expect(201);
    assert_eq!(r.data()["subject_type"], "Task");
    assert_eq!(
        tags_of(app, &app.org_path(&format!("/tasks/{t}"))).await,
        [(r.data()["id"].as_i64().expect("association id"), finance.clone())]
    );
}

on_both!(attach_refusals_name_the_field_and_follow_the_role_matrix);
async fn attach_refusals_name_the_field_and_follow_the_role_matrix(app: &TestApp) {
    seed(app).await;
    let (_, light) = app.add_member("acme", 1006, "liz@acme.test", "light").await;
    let finance = tag(app, "finance").await;
    let (run, task) = run_with_task(app, "Run").await;

    let r = attach(app, json!({})).await;
    for field in ["tag_id", "tag_type", "subject_type", "subject_id"] {
        assert_eq!(
            r.expect_invalid(field),
            format!("The {} field is required.", field.replace('_', " "))
        );
    }
    let r = attach(
        app,
        json!({"subject_id": run, "subject_type": "Run", "tag_id": finance, "tag_type": "public"}),
    )
    .await;
    assert_eq!(r.expect_invalid("tag_id"), "The selected tag id is invalid.");
    let r = attach(
        app,
        json!({"subject_id": run, "subject_type": "Run", "tag_id": finance, "tag_type": "secret"}),
    )
    .await;
    assert_eq!(r.expect_invalid("tag_type"), "The selected tag type is invalid.");
    // tag_template with the id of a run.
    let r = attach(
        app,
        json!({"subject_id": run, "subject_type": "Checklist", "tag_id": finance, "tag_type": "private"}),
    )
    .await;
    assert_eq!(r.expect_invalid("subject_id"), "The selected subject id is invalid.");
    let r = attach(
        app,
        json!({"subject_id": run, "subject_type": "Folder", "tag_id": finance, "tag_type": "private"}),
    )
    .await;
    assert_eq!(
        r.expect_invalid("subject_type"),
        "The selected subject type is invalid."
    );
    // The id of a task given as a run, and unknown tags, runs and tasks.
    attach(
        app,
        json!({"subject_id": task, "subject_type": "Run", "tag_id": finance, "tag_type": "private"}),
    )
    .await
    .expect_invalid("subject_id");
    attach(
        app,
        json!({"subject_id": run, "subject_type": "Task", "tag_id": finance, "tag_type": "private"}),
    )
    .await
    .expect_invalid("subject_id");
    attach(app, json!({"subject_id": run, "subject_type": "Run", "tag_id": "0123456789abcdef0123456789abcdef", "tag_type": "private"})).await.expect_invalid("tag_id");
    // Another organization's tag.
    let other = app.add_org("other", 2001).await;
    let r = app
        .send(
            app.request_as(&other, Method::POST, "/organizations/other/tags")
                .json(&json!({"title": "theirs"})),
        )
        .await
        .expect(201);
    let theirs = r.data()["id"].as_str().expect("id").to_string();
    attach(
        app,
        json!({"subject_id": run, "subject_type": "Run", "tag_id": theirs, "tag_type": "private"}),
    )
    .await
    .expect_invalid("tag_id");
    let r = app
        .send(
            app.request_as(&other, Method::POST, "/organizations/other/checklists/tags")
                .json(&json!({"subject_id": run, "subject_type": "Run", "tag_id": theirs, "tag_type": "private"})),
        )
        .await;
    r.expect_invalid("subject_id");
    // Top-secret tasks the caller cannot see do not exist for them.
    let (_, sam) = app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let top = app
        .json(
            Method::POST,
            &app.org_path("/tasks"),
            json!({"title": "Top", "top_secret": true}),
        )
        .await
        .expect(201);
    let top = top.data()["id"].as_str().expect("id").to_string();
    let body = json!({"subject_id": top, "subject_type": "Task", "tag_id": finance, "tag_type": "private"});
    app.send(
        app.request_as(&sam, Method::POST, &app.org_path("/checklists/tags"))
            .json(&body),
    )
    .await
    .expect_invalid("subject_id");
    assert!(tags_of(app, &app.org_path(&format!("/runs/{run}"))).await.is_empty());

    // Light members may not attach or detach (403 before validation); standard members may.
    let body = json!({"subject_id": run, "subject_type": "Run", "tag_id": finance, "tag_type": "private"});
    let r = app
        .send(
            app.request_as(&light, Method::POST, &app.org_path("/checklists/tags"))
                .json(&json!({})),
        )
        .await
        .expect(403);
    assert_eq!(r.body["message"], "You don't have permission to do this.");
    let r = app
        .send(
            app.request_as(&sam, Method::POST, &app.org_path("/checklists/tags"))
                .json(&body),
        )
        .await
        .expect(201);
    let assoc = r.data()["id"].as_i64().expect("association id");
    let path = app.org_path(&format!("/checklists/tags/{assoc}"));
    app.send(app.request_as(&light, Method::DELETE, &path))
        .await
        .expect(403);
    // Another organization does not see the association.
    app.send(app.request_as(
        &other,
        Method::DELETE,
        &format!("/organizations/other/checklists/tags/{assoc}"),
    ))
    .await
    .expect(404);
    app.send(app.request_as(&sam, Method::DELETE, &path)).await.expect(204);
}

on_both!(deleting_a_tag_removes_its_associations);
async fn deleting_a_tag_removes_its_associations(app: &TestApp) {
    seed(app).await;
    let finance = tag(app, "finance").await;
    let keep = tag(app, "keep").await;
    let (run, task) = run_with_task(app, "Tagged").await;
    let run_path = app.org_path(&format!("/runs/{run}"));
    let task_path = app.org_path(&format!("/tasks/{task}"));
    let mut finance_links = Vec::new();
    for (kind, id) in [("Run", &run), ("Task", &task)] {
        for t in [&finance, &keep] {
            let r = attach(
                app,
                json!({"subject_id": id, "subject_type": kind, "tag_id": t, "tag_type": "private"}),
            )
            .await
            .expect(201);
            if t == &finance {
                finance_links.push(r.data()["id"].as_i64().expect("association id"));
            }
        }
    }
    assert_eq!(tags_of(app, &run_path).await.len(), 2);

    app.call(Method::DELETE, &app.org_path(&format!("/tags/{finance}")))
        .await
        .expect(204);
    let left: Vec<String> = tags_of(app, &run_path).await.into_iter().map(|(_, t)| t).collect();
    assert_eq!(left, std::slice::from_ref(&keep));
    let left: Vec<String> = tags_of(app, &task_path).await.into_iter().map(|(_, t)| t).collect();
    assert_eq!(left, std::slice::from_ref(&keep));
    for assoc in finance_links {
        app.call(Method::DELETE, &app.org_path(&format!("/checklists/tags/{assoc}")))
            .await
            .expect(404);
    }
    // A tag of the same title starts with no associations.
    let again = tag(app, "finance").await;
    let r = app
        .get(&app.org_path(&format!("/tags/{again}?with=statistics")))
        .await
        .expect(200);
    assert_eq!(r.data()["statistics"]["data"]["active_process"], 0);
}

on_both!(statistics_count_tagged_runs_by_archive_state);
async fn statistics_count_tagged_runs_by_archive_state(app: &TestApp) {
    seed(app).await;
    let finance = tag(app, "finance").await;
    let idle = tag(app, "idle").await;
    let (r1, t1) = run_with_task(app, "One").await;
    let (r2, _) = run_with_task(app, "Two").await;
    let (r3, _) = run_with_task(app, "Three").await;
    for run in [&r1, &r2, &r3] {
        attach(
            app,
            json!({"subject_id": run, "subject_type": "Run", "tag_id": finance, "tag_type": "private"}),
        )
        .await
        .expect(201);
    }
    // Task tags do not count as processes.
    attach(
        app,
        json!({"subject_id": t1, "subject_type": "Task", "tag_id": idle, "tag_type": "private"}),
    )
    .await
    .expect(201);
    exec_sql(
        app,
        &format!("UPDATE runs SET archived_at = 1, status = 'archived' WHERE id = '{r3}'"),
    )
    .await;

    let stats = |a: i64, b: i64| json!({"data": {"active_template": 0, "archived_template": 0, "active_process": a, "archived_process": b}});
    let r = app
        .get(&app.org_path(&format!("/tags/{finance}?with=statistics")))
        .await
        .expect(200);
    assert_eq!(r.data()["statistics"], stats(2, 1));
    let r = app.get(&app.org_path("/tags?with=statistics")).await.expect(200);
    let by_title: Vec<(String, Value)> = r
        .data()
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| (t["title"].as_str().expect("title").to_string(), t["statistics"].clone()))
        .collect();
    assert_eq!(
        by_title,
        [("finance".to_string(), stats(2, 1)), ("idle".to_string(), stats(0, 0))]
    );
}
