//! A guest reports a problem on their task and resolves one, from their link: the task shows
//! `problem: true` over the API (and cannot be completed) until it is resolved; the feed, the
//! webhook events and the comments name the guest. The guest resolves the problems they see
//! (theirs, or a member's shown to guests), not those hidden from guests;
//! `prevent_guest_comment` stops both, and a completed task takes no new problem.

use reqwest::Method;
use serde_json::{Value, json};

use super::guest_actions::{guest_id, guest_task, task_json};
use super::{Browser, cheap};
use crate::support::TestApp;

/// The first thread of `task` labelled `label`.
fn thread(task: &Value, label: &str) -> Value {
    task["threads"]["data"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["label"] == label)
        .cloned()
        .unwrap_or_else(|| panic!("a {label} thread in {task}"))
}

/// A problem the admin reports on `task` through the API, with `state`: its id.
async fn member_problem(app: &TestApp, task: &str, state: &str, content: &str) -> String {
    let r = app
        .json(
            Method::POST,
            &app.org_path(&format!("/tasks/{task}/problem")),
            json!({"content": content, "state": state}),
        )
        .await
        .expect(201);
    r.data()["id"].as_str().unwrap().to_string()
}

on_both!(a_guest_reports_a_problem_and_resolves_it_as_themselves, cheap);
async fn a_guest_reports_a_problem_and_resolves_it_as_themselves(app: &TestApp) {
    app.json(
        Method::POST,
        &app.org_path("/users/1001/add-watcher"),
        json!({"object_type": "organization", "object_id": "acme", "webhook": "https://hooks.example/all"}),
    )
    .await
    .expect(201);
    let email = "pia@partner.test";
    let (task, path, _) = guest_task(app, email, json!({})).await;
    let gid = guest_id(app, email).await;
    let mut b = Browser::new(app);
    let page = b.get(&path).await.expect_status(200);
    assert!(
        page.text.contains(&format!("formaction=\"{path}/problem\""))
            && page.text.contains(">Report a problem</button>"),
        "{}",
        page.text
    );

    let reported = b
        .submit(
            &path,
            &format!("{path}/problem"),
            &[("content", "The lease is the wrong one")],
        )
        .await
        .expect_status(303);
    assert_eq!(reported.location(), format!("{path}?done=problem"));
    let t = task_json(app, &task).await;
    assert_eq!(t["problem"], true, "{t}");
    let p = thread(&t, "problem");
    assert_eq!(p["content"], "The lease is the wrong one");
    assert_eq!(
        (p["author_type"].as_str(), p["author_id"].as_i64()),
        (Some("guest"), Some(gid))
    );
    // The page shows it with a Resolve button; the open problem holds up a completion.
    let page = b.get(reported.location()).await.expect_status(200);
    assert!(
        page.text.contains("Problem reported.") && page.text.contains("open problem"),
        "{}",
        page.text
    );
    assert!(
        page.text.contains(&format!("value=\"{}\"", p["id"].as_str().unwrap())),
        "{}",
        page.text
    );
    let held = b.submit(&path, &format!("{path}/complete"), &[]).await;
    assert_eq!(held.status, 422, "{}", held.text);
    assert!(held.text.contains("unresolved issues"), "{}", held.text);

    // Resolving needs the token; with it the task is free again.
    let problem_id = p["id"].as_str().unwrap().to_string();
    b.post(&format!("{path}/resolve"), &[("thread_id", problem_id.as_str())])
        .await
        .expect_status(403);
    assert_eq!(task_json(app, &task).await["problem"], true);
    let resolved = b
        .submit(&path, &format!("{path}/resolve"), &[("thread_id", problem_id.as_str())])
        .await
        .expect_status(303);
    assert_eq!(resolved.location(), format!("{path}?done=resolved"));
    let t = task_json(app, &task).await;
    assert_eq!(t["problem"], false, "{t}");
    let r = thread(&t, "resolve");
    assert_eq!(
        (r["author_type"].as_str(), r["author_id"].as_i64()),
        (Some("guest"), Some(gid))
    );
    // Resolving it again: the API's message.
    let again = b
        .submit(&path, &format!("{path}/resolve"), &[("thread_id", problem_id.as_str())])
        .await;
    assert_eq!(again.status, 422, "{}", again.text);
    b.submit(&path, &format!("{path}/complete"), &[])
        .await
        .expect_status(303);

    // The feed names the guest as the actor of both.
    let feed = app
        .get(&app.org_path(&format!(
            "/activity-feeds?entity_type=task&entity_id={task}&per_page=50"
        )))
        .await
        .expect(200);
    for verb in ["issue-reported", "issue-resolved"] {
        let e = feed
            .data()
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["verb"] == json!([verb]))
            .unwrap_or_else(|| panic!("{verb} in {}", feed.text));
        assert_eq!(e["source"], json!(["Guest"]), "{e}");
        assert_eq!(e["actor_type"], json!(["App\\Models\\Guest"]), "{e}");
        assert_eq!(e["actor_id"], json!([gid]), "{e}");
    }
    // The webhook events a member's problem sends, with the guest as the author.
    let rows = app.store().outbox_events("acme").await.expect("outbox");
    for event in ["task.issue_raised", "task.issue_resolved"] {
        let row = rows
            .iter()
            .find(|r| r.task_id == task && r.event == event)
            .unwrap_or_else(|| panic!("{event} in {rows:#?}"));
        let payload: Value = serde_json::from_str(&row.payload).expect("payload");
        assert_eq!(payload["comment"]["author_type"], "guest", "{payload}");
        assert_eq!(payload["comment"]["author_id"], gid, "{payload}");
    }
}

on_both!(a_guest_resolves_the_problems_they_see_only, cheap);
async fn a_guest_resolves_the_problems_they_see_only(app: &TestApp) {
    let (task, path, _) = guest_task(app, "ray@partner.test", json!({})).await;
    let shown = member_problem(app, &task, "open", "Send the signed copy").await;
    let hidden = member_problem(app, &task, "hide-for-guests", "Internal: check the deposit").await;
    let mut b = Browser::new(app);
    let page = b.get(&path).await.expect_status(200);
    assert!(page.text.contains("Send the signed copy"), "{}", page.text);
    assert!(page.text.contains(&format!("value=\"{shown}\"")), "{}", page.text);
    assert!(
        !page.text.contains("check the deposit") && !page.text.contains(&hidden),
        "{}",
        page.text
    );
    // A problem hidden from guests (or none such) is not one the guest resolves.
    for id in [hidden.as_str(), "nope", ""] {
        let r = b.submit(&path, &format!("{path}/resolve"), &[("thread_id", id)]).await;
        assert_eq!(r.status, 422, "{id}: {}", r.text);
    }
    b.submit(&path, &format!("{path}/resolve"), &[("thread_id", shown.as_str())])
        .await
        .expect_status(303);
    let t = task_json(app, &task).await;
    assert_eq!(t["problem"], true, "the hidden problem is still open: {t}");
    let by_id = |id: &str| -> Value {
        t["threads"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .cloned()
            .unwrap()
    };
    assert!(by_id(&shown)["resolve_id"].is_string(), "{t}");
    assert!(by_id(&hidden)["resolve_id"].is_null(), "{t}");
}

on_both!(prevent_guest_comment_and_completion_stop_a_guests_problems, cheap);
async fn prevent_guest_comment_and_completion_stop_a_guests_problems(app: &TestApp) {
    let (quiet, path, _) = guest_task(app, "sol@partner.test", json!({"prevent_guest_comment": true})).await;
    let member_problem = member_problem(app, &quiet, "open", "Wrong address").await;
    let mut b = Browser::new(app);
    let page = b.get(&path).await.expect_status(200);
    assert!(
        !page.text.contains("Report a problem") && !page.text.contains(">Resolve</button>"),
        "{}",
        page.text
    );
    let r = b
        .submit(&path, &format!("{path}/problem"), &[("content", "let me report")])
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = b
        .submit(
            &path,
            &format!("{path}/resolve"),
            &[("thread_id", member_problem.as_str())],
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let t = task_json(app, &quiet).await;
    assert_eq!(t["problem"], true);
    assert_eq!(t["threads"]["data"].as_array().map(Vec::len), Some(1), "{t}");

    // A completed task takes no new problem from the guest (they reopen it first).
    let (done, done_path, _) = guest_task(app, "sol@partner.test", json!({})).await;
    app.json(
        Method::POST,
        &app.org_path("/completed-tasks"),
        json!({"task_id": done}),
    )
    .await
    .expect(200);
    let page = b.get(&done_path).await.expect_status(200);
    assert!(!page.text.contains("Report a problem"), "{}", page.text);
    let r = b
        .submit(&done_path, &format!("{done_path}/problem"), &[("content", "too late")])
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("too late"), "the text is kept: {}", r.text);
    let t = task_json(app, &done).await;
    assert_eq!(
        (t["problem"].as_bool(), t["status"].as_str()),
        (Some(false), Some("completed"))
    );
    assert_eq!(t["threads"]["data"], json!([]));
    // Without the token: 403.
    b.post(&format!("{done_path}/problem"), &[("content", "x")])
        .await
        .expect_status(403);
}
