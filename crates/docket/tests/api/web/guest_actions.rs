//! A guest acts on their task from the link in `taskUrls`, without an account and without
//! JavaScript: fills form fields (the API's message beside a bad value), completes, reopens,
//! approves, comments; as themselves (`completer_guest`, the comment's guest author, the feed's
//! guest actor). CSRF, another guest's code, a disabled guest and `prevent_guest_comment` are
//! refused and change nothing; what a guest writes is escaped.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Browser, cheap};
use crate::support::TestApp;
use crate::support::fixtures::capture_ids;

/// A standalone task for `guest` made by the admin through the API: its id, its guest page's
/// path and the capture ids by label.
pub(super) async fn guest_task(
    app: &TestApp,
    guest: &str,
    extra: Value,
) -> (String, String, std::collections::HashMap<String, String>) {
    let mut body = json!({"title": "Sign the lease", "owners": {"guests": [guest]}});
    if let (Some(b), Some(x)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(x.clone());
    }
    let r = app.json(Method::POST, &app.org_path("/tasks"), body).await.expect(201);
    let id = r.data()["id"].as_str().unwrap().to_string();
    let url = r.data()["owners"]["taskUrls"][0].as_str().unwrap().to_string();
    let path = format!("/guest/{}", url.split("/guest/").nth(1).unwrap());
    let t = app
        .get(&app.org_path(&format!("/tasks/{id}?with=form_fields")))
        .await
        .expect(200);
    (id, path, capture_ids(t.data()))
}

/// The task as the admin reads it, with its form fields and comments.
pub(super) async fn task_json(app: &TestApp, id: &str) -> Value {
    app.get(&app.org_path(&format!("/tasks/{id}?with=form_fields,threads")))
        .await
        .expect(200)
        .data()
        .clone()
}

/// The guest's id (the API's guest shape).
pub(super) async fn guest_id(app: &TestApp, email: &str) -> i64 {
    app.get(&app.org_path(&format!("/guests/{email}")))
        .await
        .expect(200)
        .data()["id"]
        .as_i64()
        .unwrap()
}

fn value_of(task: &Value, capture: &str) -> Value {
    task["taskdata"][capture].clone()
}

on_both!(a_guest_fills_completes_reopens_and_comments_as_themselves, cheap);
async fn a_guest_fills_completes_reopens_and_comments_as_themselves(app: &TestApp) {
    let email = "lena@partner.test";
    let (task, path, ids) = guest_task(
        app,
        email,
        json!({"form_fields": [
            {"label": "Name", "field_type": "text", "required": true},
            {"label": "Size", "field_type": "dropdown", "required": false, "options": ["S", "M"]},
            {"label": "Mail", "field_type": "email", "required": false}
        ]}),
    )
    .await;
    let gid = guest_id(app, email).await;
    let (name, size, mail) = (&ids["Name"], &ids["Size"], &ids["Mail"]);
    let mut b = Browser::new(app);
    let page = b.get(&path).await.expect_status(200);
    // Every input has its label; the buttons are the member page's.
    for id in [name, size, mail] {
        assert!(page.text.contains(&format!("<label for=\"f-{id}\"")), "{}", page.text);
    }
    for button in [">Save</button>", ">Complete</button>", ">Comment</button>"] {
        assert!(page.text.contains(button), "{button}: {}", page.text);
    }
    assert!(page.set_cookie("docket_csrf").is_some(), "a double-submit cookie");

    // A bad value: the API's message beside that field, nothing stored.
    let (kn, ks, km) = (
        format!("field.{name}"),
        format!("field.{size}"),
        format!("field.{mail}"),
    );
    let bad = b
        .submit(
            &path,
            &format!("{path}/fields"),
            &[(&kn, "Lena"), (&ks, "M"), (&km, "not an address")],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains(&format!("id=\"f-{mail}-error\"")), "{}", bad.text);
    assert!(
        bad.text.contains("value=\"not an address\""),
        "the value sent is shown again"
    );
    assert_eq!(value_of(&task_json(app, &task).await, name), Value::Null);

    // Completing before the required field is answered: the API's message.
    let early = b.submit(&path, &format!("{path}/complete"), &[]).await;
    assert_eq!(early.status, 422, "{}", early.text);
    assert!(early.text.contains("Name is required."), "{}", early.text);

    let saved = b
        .submit(
            &path,
            &format!("{path}/fields"),
            &[(&kn, "Lena"), (&ks, "M"), (&km, "lena@partner.test")],
        )
        .await
        .expect_status(303);
    assert_eq!(saved.location(), format!("{path}?done=saved"));
    let t = task_json(app, &task).await;
    assert_eq!(value_of(&t, name), "Lena");
    assert_eq!(value_of(&t, size)["text"], "M");
    assert_eq!(value_of(&t, mail), "lena@partner.test");

    let done = b
        .submit(&path, &format!("{path}/complete"), &[])
        .await
        .expect_status(303);
    assert_eq!(done.location(), format!("{path}?done=completed"));
    let t = task_json(app, &task).await;
    assert_eq!(t["status"], "completed");
    assert_eq!(t["completer_guest"], email);
    assert_eq!(t["completer_id"], Value::Null);
    let page = b.get(done.location()).await.expect_status(200);
    assert!(page.text.contains(">Reopen</button>") && !page.text.contains(">Save</button>"));

    b.submit(&path, &format!("{path}/reopen"), &[]).await.expect_status(303);
    let t = task_json(app, &task).await;
    assert_eq!(t["status"], "in-progress");
    assert_eq!(t["completer_guest"], Value::Null);

    let said = b
        .submit(
            &path,
            &format!("{path}/comment"),
            &[("content", "Signed, see attached")],
        )
        .await
        .expect_status(303);
    assert_eq!(said.location(), format!("{path}?done=commented"));
    let t = task_json(app, &task).await;
    let c = &t["threads"]["data"][0];
    assert_eq!(c["content"], "Signed, see attached");
    assert_eq!(
        (c["author_type"].as_str(), c["author_id"].as_i64()),
        (Some("guest"), Some(gid))
    );
    let listed = b.get(&path).await.expect_status(200);
    assert!(listed.text.contains("Signed, see attached"), "{}", listed.text);

    // The feed names the guest as the actor of what they did.
    let feed = app
        .get(&app.org_path(&format!(
            "/activity-feeds?entity_type=task&entity_id={task}&per_page=50"
        )))
        .await
        .expect(200);
    let by_guest: Vec<&Value> = feed
        .data()
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["source"] == json!(["Guest"]))
        .collect();
    let verbs: Vec<&str> = by_guest.iter().filter_map(|e| e["verb"][0].as_str()).collect();
    for verb in ["updated", "completed", "re-opened", "commented"] {
        assert!(verbs.contains(&verb), "{verb} in {verbs:?}");
    }
    for e in &by_guest {
        assert_eq!(e["actor_type"], json!(["App\\Models\\Guest"]));
        assert_eq!(e["actor_id"], json!([gid]));
        assert_eq!(e["actor"][0]["email"], email);
    }
    // AF1's `actor_type` now tells guests and members apart.
    let guests_only = app
        .get(&app.org_path(&format!(
            "/activity-feeds?entity_type=task&entity_id={task}&actor_type=guest"
        )))
        .await
        .expect(200);
    assert_eq!(guests_only.data().as_array().unwrap().len(), by_guest.len());
    let members_only = app
        .get(&app.org_path(&format!(
            "/activity-feeds?entity_type=task&entity_id={task}&actor_type=user"
        )))
        .await
        .expect(200);
    assert!(
        members_only
            .data()
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor_type"] == json!(["App\\Models\\User"]))
    );
    assert!(
        !members_only.data().as_array().unwrap().is_empty(),
        "the admin's create"
    );
}

on_both!(a_guest_approves_or_rejects, cheap);
async fn a_guest_approves_or_rejects(app: &TestApp) {
    let (yes, path, _) = guest_task(app, "ivo@partner.test", json!({"task_type": "approval"})).await;
    let mut b = Browser::new(app);
    let page = b.get(&path).await.expect_status(200);
    assert!(
        page.text.contains(">Approve</button>") && page.text.contains(">Reject</button>"),
        "{}",
        page.text
    );
    let none = b.submit(&path, &format!("{path}/complete"), &[]).await;
    assert_eq!(none.status, 422, "{}", none.text);
    b.submit(&path, &format!("{path}/complete"), &[("decision", "reject")])
        .await
        .expect_status(303);
    let t = task_json(app, &yes).await;
    assert_eq!(
        (t["status"].as_str(), t["is_approved"].as_bool()),
        (Some("completed"), Some(false))
    );
    assert_eq!(t["completer_guest"], "ivo@partner.test");
}

on_both!(guest_writes_without_csrf_or_from_another_guest_change_nothing, cheap);
async fn guest_writes_without_csrf_or_from_another_guest_change_nothing(app: &TestApp) {
    let (task, path, ids) = guest_task(
        app,
        "mo@partner.test",
        json!({"form_fields": [{"label": "Name", "field_type": "text", "required": false}]}),
    )
    .await;
    let (_, other_path, _) = guest_task(app, "zed@partner.test", json!({})).await;
    let key = format!("field.{}", ids["Name"]);
    let mut b = Browser::new(app);
    let csrf = b.get(&path).await.expect_status(200).csrf();
    let before = task_json(app, &task).await;

    // No token, or a wrong one: 403, nothing changes.
    for action in ["fields", "complete", "comment"] {
        let r = b
            .post(&format!("{path}/{action}"), &[(key.as_str(), "X"), ("content", "hi")])
            .await;
        assert_eq!(r.status, 403, "{action}: {}", r.text);
        let r = b
            .post(
                &format!("{path}/{action}"),
                &[
                    ("_csrf", "0".repeat(64).as_str()),
                    (key.as_str(), "X"),
                    ("content", "hi"),
                ],
            )
            .await;
        assert_eq!(r.status, 403, "{action}");
    }
    // A token without its cookie (another browser): 403.
    let mut fresh = Browser::new(app);
    let r = fresh
        .post(&format!("{path}/complete"), &[("_csrf", csrf.as_str())])
        .await;
    assert_eq!(r.status, 403, "{}", r.text);

    // Another guest's code on this task: the same 404 as a made-up link, nothing changes.
    let other_code = other_path.split('/').nth(2).unwrap();
    let crossed = format!("/guest/{other_code}/tasks/{task}");
    for action in ["fields", "complete", "comment"] {
        let r = b
            .post(
                &format!("{crossed}/{action}"),
                &[("_csrf", csrf.as_str()), (key.as_str(), "X"), ("content", "hi")],
            )
            .await;
        assert_eq!(r.status, 404, "{action}: {}", r.text);
    }
    b.get(&crossed).await.expect_status(404);

    let after = task_json(app, &task).await;
    assert_eq!(after["status"], before["status"]);
    assert_eq!(after["taskdata"], before["taskdata"]);
    assert_eq!(after["threads"]["data"], json!([]));
    assert_eq!(after["last_updated"], before["last_updated"]);
}

on_both!(a_disabled_guest_cannot_act, cheap);
async fn a_disabled_guest_cannot_act(app: &TestApp) {
    let (task, path, _) = guest_task(app, "old@partner.test", json!({})).await;
    let mut b = Browser::new(app);
    let csrf = b.get(&path).await.expect_status(200).csrf();
    // A guest with open tasks cannot be disabled: the member completes it first.
    app.json(
        Method::POST,
        &app.org_path("/completed-tasks"),
        json!({"task_id": task}),
    )
    .await
    .expect(200);
    app.call(Method::DELETE, &app.org_path("/guests/old@partner.test/disable"))
        .await
        .expect(200);
    b.get(&path).await.expect_status(404);
    b.post(&format!("{path}/reopen"), &[("_csrf", csrf.as_str())])
        .await
        .expect_status(404);
    b.post(
        &format!("{path}/comment"),
        &[("_csrf", csrf.as_str()), ("content", "hi")],
    )
    .await
    .expect_status(404);
    let t = task_json(app, &task).await;
    assert_eq!(t["status"], "completed");
    assert_eq!(t["threads"]["data"], json!([]));
}

on_both!(prevent_guest_comment_hides_the_form_and_refuses_the_post, cheap);
async fn prevent_guest_comment_hides_the_form_and_refuses_the_post(app: &TestApp) {
    let (task, path, _) = guest_task(app, "quiet@partner.test", json!({"prevent_guest_comment": true})).await;
    let mut b = Browser::new(app);
    let page = b.get(&path).await.expect_status(200);
    assert!(
        !page.text.contains(">Comment</button>") && !page.text.contains("name=\"content\""),
        "{}",
        page.text
    );
    let r = b
        .submit(&path, &format!("{path}/comment"), &[("content", "let me in")])
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(task_json(app, &task).await["threads"]["data"], json!([]));
    // The other actions stay.
    b.submit(&path, &format!("{path}/complete"), &[])
        .await
        .expect_status(303);
}

on_both!(html_in_a_guests_comment_is_escaped, cheap);
async fn html_in_a_guests_comment_is_escaped(app: &TestApp) {
    let (task, path, _) = guest_task(app, "eve@partner.test", json!({})).await;
    let probe = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let mut b = Browser::new(app);
    b.submit(&path, &format!("{path}/comment"), &[("content", probe)])
        .await
        .expect_status(303);
    assert_eq!(task_json(app, &task).await["threads"]["data"][0]["content"], probe);
    let page = b.get(&path).await.expect_status(200);
    assert!(!page.text.contains(probe), "{}", page.text);
    assert!(
        page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{}",
        page.text
    );
    // The member's page shows it escaped too.
    let mut m = super::signed_in(app).await;
    let member = m.get(&format!("/app/acme/tasks/{task}")).await.expect_status(200);
    assert!(!member.text.contains(probe) && member.text.contains("&lt;script&gt;"));
}

on_both!(a_guest_completion_of_a_shared_task_waits_for_the_member, cheap);
async fn a_guest_completion_of_a_shared_task_waits_for_the_member(app: &TestApp) {
    let (task, path, _) = guest_task(
        app,
        "pat@partner.test",
        json!({"everyone_must_complete": true, "owners": {"users": [app.admin_id], "guests": ["pat@partner.test"]}}),
    )
    .await;
    let mut b = Browser::new(app);
    b.submit(&path, &format!("{path}/complete"), &[])
        .await
        .expect_status(303);
    let t = task_json(app, &task).await;
    assert_ne!(t["status"], "completed");
    assert_eq!(t["completion_progress"].as_f64(), Some(50.0));
    let page = b.get(&path).await.expect_status(200);
    assert!(
        page.text.contains("You have completed your part") && !page.text.contains(">Complete</button>"),
        "{}",
        page.text
    );
    // The member's completion is the last one: the task completes.
    app.json(
        Method::POST,
        &app.org_path("/completed-tasks"),
        json!({"task_id": task}),
    )
    .await
    .expect(200);
    assert_eq!(task_json(app, &task).await["status"], "completed");
}

on_both!(a_guests_writes_send_their_webhook_events, cheap);
async fn a_guests_writes_send_their_webhook_events(app: &TestApp) {
    app.json(
        Method::POST,
        &app.org_path("/users/1001/add-watcher"),
        json!({"object_type": "organization", "object_id": "acme", "webhook": "https://hooks.example/all"}),
    )
    .await
    .expect(201);
    let (task, path, _) = guest_task(app, "wes@partner.test", json!({})).await;
    let gid = guest_id(app, "wes@partner.test").await;
    let mut b = Browser::new(app);
    b.submit(&path, &format!("{path}/comment"), &[("content", "On it")])
        .await
        .expect_status(303);
    b.submit(&path, &format!("{path}/complete"), &[])
        .await
        .expect_status(303);
    let rows = app.store().outbox_events("acme").await.expect("outbox");
    let payload = |event: &str| -> Value {
        let row = rows
            .iter()
            .find(|r| r.task_id == task && r.event == event)
            .unwrap_or_else(|| panic!("{event} in {rows:#?}"));
        serde_json::from_str(&row.payload).expect("payload")
    };
    let comment = payload("task.comment_added");
    assert_eq!(comment["comment"]["author_type"], "guest");
    assert_eq!(comment["comment"]["author_id"], gid);
    assert_eq!(comment["actor"], Value::Null);
    let completed = payload("task.completed");
    assert_eq!(completed["this_task"]["id"], task.as_str(), "{completed}");
    assert_eq!(completed["this_task"]["status"], "completed", "{completed}");
}
