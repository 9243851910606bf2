//! A member's flows through plain form posts: sign in, the inbox, a task's fields with a bad
//! value and the API's message beside the field, completing, reopening, comments, problems,
//! a process page and the template list.

use reqwest::Method;
use serde_json::json;

use super::{Browser, PASSWORD, cheap, set_password, signed_in};
use crate::support::TestApp;
use crate::support::fixtures::capture_ids;

async fn form_task(app: &TestApp, title: &str) -> (String, String, String) {
    let r = app
        .json(
            Method::POST,
            &app.org_path("/tasks"),
            json!({
                "title": title,
                "owners": {"users": [app.admin_id]},
                "deadline": "2099-01-15 10:00:00",
                "form_fields": [
                    {"label": "Hours", "field_type": "number", "required": true},
                    {"label": "Outcome", "field_type": "dropdown", "required": false, "options": ["Won", "Lost"]}
                ]
            }),
        )
        .await
        .expect(201);
    let id = r.data()["id"].as_str().unwrap().to_string();
    let task = app
        .get(&app.org_path(&format!("/tasks/{id}?with=form_fields")))
        .await
        .expect(200);
    let ids = capture_ids(task.data());
    (id, ids["Hours"].clone(), ids["Outcome"].clone())
}

on_both!(a_member_signs_in_and_works_a_task, cheap);
async fn a_member_signs_in_and_works_a_task(app: &TestApp) {
    let (task, hours, outcome) = form_task(app, "Log the visit").await;
    // Not signed in: the pages send the browser to the sign-in form.
    let mut b = Browser::new(app);
    let first = b.get("/app/acme").await.expect_status(303);
    assert!(first.location().starts_with("/app/sign-in"), "{}", first.location());
    // A wrong password is refused with a message; the right one signs in.
    set_password(app, "bob@acme.test", PASSWORD).await;
    let wrong = b.sign_in("bob@acme.test", "not the password").await.expect_status(422);
    assert!(
        wrong.text.contains("The email or password is not right."),
        "{}",
        wrong.text
    );
    let ok = b.sign_in("bob@acme.test", PASSWORD).await.expect_status(303);
    assert_eq!(ok.location(), "/app");
    // One organization: /app goes straight to its inbox.
    assert_eq!(b.get("/app").await.expect_status(303).location(), "/app/acme");

    // The inbox: the task is upcoming (deadline in 2099), with counts per view.
    let inbox = b.get("/app/acme?view=upcoming").await.expect_status(200);
    assert!(inbox.text.contains("Log the visit"), "{}", inbox.text);
    assert!(inbox.text.contains(&format!("/app/acme/tasks/{task}")));
    let overdue = b.get("/app/acme?view=overdue").await.expect_status(200);
    assert!(!overdue.text.contains("Log the visit"));
    // Each tab's count is the same whether it is the shown view's (the list's own total) or
    // another's (a count of its own).
    for label in ["Due today", "Overdue", "Upcoming", "Completed"] {
        let (a, b) = (tab_count(&inbox.text, label), tab_count(&overdue.text, label));
        assert_eq!(a, b, "the {label} count differs between the views: {a} and {b}");
    }
    assert!(tab_count(&inbox.text, "Upcoming") >= 1);
    // Search narrows the list, through the API's own `q`.
    let none = b
        .get("/app/acme?view=upcoming&q=nothing-like-it")
        .await
        .expect_status(200);
    assert!(!none.text.contains("Log the visit") && none.text.contains("No tasks here."));

    // The task page shows the fields.
    let path = format!("/app/acme/tasks/{task}");
    let page = b.get(&path).await.expect_status(200);
    assert!(
        page.text.contains("Hours") && page.text.contains("Outcome"),
        "{}",
        page.text
    );
    assert!(page.text.contains("Thu 15 Jan 2099, 10:00 UTC"), "{}", page.text);

    // A bad value: 422, the API's own message beside the field, the sent value kept.
    let api_says = app
        .json(
            Method::PUT,
            &app.org_path(&format!("/tasks/{task}")),
            json!({"taskdata": {&hours: "lots"}}),
        )
        .await
        .expect_invalid(&format!("taskdata.{hours}"));
    let hours_key = format!("field.{hours}");
    let outcome_key = format!("field.{outcome}");
    let bad = b
        .submit(
            &path,
            &format!("{path}/fields"),
            &[(&hours_key, "lots"), (&outcome_key, "Won")],
        )
        .await
        .expect_status(422);
    assert!(bad.text.contains(&api_says), "{api_says} not in {}", bad.text);
    assert!(bad.text.contains(&format!("id=\"f-{hours}-error\"")), "{}", bad.text);
    assert!(bad.text.contains("value=\"lots\""));

    // Completing before the required field is answered: the API's refusal on the page.
    let early = b.submit(&path, &format!("{path}/complete"), &[]).await;
    assert_eq!(early.status, 422, "{}", early.text);
    assert!(early.text.contains("Hours"), "{}", early.text);

    // A good value is saved (303 back to the page), then the task completes.
    let saved = b
        .submit(
            &path,
            &format!("{path}/fields"),
            &[(&hours_key, "3.5"), (&outcome_key, "Won")],
        )
        .await
        .expect_status(303);
    assert!(saved.location().starts_with(&path));
    let stored = app.get(&app.org_path(&format!("/tasks/{task}"))).await.expect(200);
    assert_eq!(stored.data()["taskdata"][&outcome]["text"], "Won", "{}", stored.text);
    b.submit(&path, &format!("{path}/complete"), &[])
        .await
        .expect_status(303);
    let done = app.get(&app.org_path(&format!("/tasks/{task}"))).await.expect(200);
    assert_eq!(done.data()["status"], "completed");
    let page = b.get(&format!("{path}?done=completed")).await.expect_status(200);
    assert!(page.text.contains("Task completed.") && page.text.contains("Reopen"));
    // Reopen.
    b.submit(&path, &format!("{path}/reopen"), &[]).await.expect_status(303);
    let open = app.get(&app.org_path(&format!("/tasks/{task}"))).await.expect(200);
    assert_ne!(open.data()["status"], "completed");

    // A comment, then a problem and its resolution.
    b.submit(&path, &format!("{path}/comment"), &[("content", "Called the client")])
        .await
        .expect_status(303);
    b.submit(&path, &format!("{path}/problem"), &[("content", "Client is away")])
        .await
        .expect_status(303);
    let page = b.get(&path).await.expect_status(200);
    assert!(page.text.contains("Called the client") && page.text.contains("Client is away"));
    assert!(page.text.contains("open problem"), "{}", page.text);
    let thread = super::browser::field_value(&page.text, "thread_id").expect("a resolve form");
    b.submit(&path, &format!("{path}/resolve"), &[("thread_id", &thread)])
        .await
        .expect_status(303);
    let t = app.get(&app.org_path(&format!("/tasks/{task}"))).await.expect(200);
    assert_eq!(t.data()["problem"], false, "{}", t.text);
    // An empty comment: the API's message beside the comment box.
    let empty = b.submit(&path, &format!("{path}/comment"), &[("content", "")]).await;
    assert_eq!(empty.status, 422, "{}", empty.text);
    assert!(empty.text.contains("id=\"content-error\""), "{}", empty.text);

    // Sign out: the session ends.
    b.submit("/app/acme", "/app/sign-out", &[]).await.expect_status(303);
    assert_eq!(b.get("/app/acme").await.status, 303);
}

on_both!(a_process_page_and_the_templates, cheap);
async fn a_process_page_and_the_templates(app: &TestApp) {
    let body =
        json!({"title": "Onboard Kim", "owners": {"users": [app.admin_id]}, "separate_task_for_each_assignee": true});
    let r = app.json(Method::POST, &app.org_path("/tasks"), body).await.expect(201);
    let run = r.data()["run"]["id"].as_str().map(str::to_string);
    let mut b = signed_in(app).await;
    if let Some(run) = run {
        let page = b.get(&format!("/app/acme/runs/{run}")).await.expect_status(200);
        assert!(page.text.contains("Onboard Kim"), "{}", page.text);
        assert!(page.text.contains("<progress"), "{}", page.text);
    }
    let t = app
        .json(
            Method::POST,
            &app.org_path("/checklists"),
            json!({"title": "Monthly close"}),
        )
        .await
        .expect(201);
    assert!(t.data()["id"].is_string());
    let page = b.get("/app/acme/templates").await.expect_status(200);
    assert!(page.text.contains("Monthly close"), "{}", page.text);
    // A process id that does not exist: the API's 404 as a page.
    b.get("/app/acme/runs/nope").await.expect_status(404);
}

on_both!(a_password_link_sets_the_password_once, cheap);
async fn a_password_link_sets_the_password_once(app: &TestApp) {
    let link = docket::admin::password_link(
        app.store(),
        "bob@acme.test",
        "invite",
        &app.base,
        docket_domain::time::now_ms(),
    )
    .await
    .unwrap();
    let path = link.strip_prefix(&app.base).unwrap().to_string();
    let mut b = Browser::new(app);
    let short = b
        .submit(&path, &path, &[("password", "short"), ("confirm", "short")])
        .await;
    assert_eq!(short.status, 422, "{}", short.text);
    let new_pw = "a brand new password";
    let done = b
        .submit(&path, &path, &[("password", new_pw), ("confirm", new_pw)])
        .await
        .expect_status(303);
    assert!(done.set_cookie("docket_session").is_some());
    b.get("/app/acme").await.expect_status(200);
    // Used up.
    Browser::new(app).get(&path).await.expect_status(404);
    let mut c = Browser::new(app);
    c.sign_in("bob@acme.test", new_pw).await.expect_status(303);
}

on_both!(a_member_launches_a_template_from_its_kickoff_form, cheap);
async fn a_member_launches_a_template_from_its_kickoff_form(app: &TestApp) {
    let tpl = app
        .json(
            Method::POST,
            &app.org_path("/checklists"),
            json!({
                "title": "Client onboarding",
                "prerun": [
                    {"label": "Client name", "field_type": "text", "required": true},
                    {"label": "Plan", "field_type": "dropdown", "required": true, "options": ["Standard", "Enterprise"]}
                ],
                "steps": [{"title": "Collect documents"}]
            }),
        )
        .await
        .expect(201);
    let id = tpl.data()["id"].as_str().unwrap().to_string();
    let client = tpl.data()["prerun"][0]["id"].as_str().unwrap().to_string();
    let plan = tpl.data()["prerun"][1]["id"].as_str().unwrap().to_string();
    let mut b = signed_in(app).await;
    let list = b.get("/app/acme/templates").await.expect_status(200);
    let path = format!("/app/acme/templates/{id}/launch");
    assert!(list.text.contains(&path), "{}", list.text);
    let form = b.get(&path).await.expect_status(200);
    assert!(
        form.text.contains("Client name") && form.text.contains("Enterprise"),
        "{}",
        form.text
    );
    // A required kick-off field left empty: the API's 422, its message beside the field.
    let (client_key, plan_key) = (format!("field.{client}"), format!("field.{plan}"));
    let bad = b
        .submit(
            &path,
            &path,
            &[("name", "Globex"), (&client_key, ""), (&plan_key, "Standard")],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains(&format!("id=\"f-{client}-error\"")), "{}", bad.text);
    let ok = b
        .submit(
            &path,
            &path,
            &[
                ("name", "Globex"),
                (&client_key, "Globex Inc"),
                (&plan_key, "Enterprise"),
            ],
        )
        .await
        .expect_status(303);
    let run_page = ok.location().to_string();
    assert!(run_page.starts_with("/app/acme/runs/"), "{run_page}");
    let run_id = run_page.rsplit('/').next().unwrap();
    let run = app.get(&app.org_path(&format!("/runs/{run_id}"))).await.expect(200);
    assert_eq!(run.data()["name"], "Globex");
    assert_eq!(run.data()["prerun"][&client], "Globex Inc", "{}", run.text);
    let page = b.get(&run_page).await.expect_status(200);
    assert!(page.text.contains("Collect documents"), "{}", page.text);
}

/// The count shown on the inbox tab `label`.
fn tab_count(html: &str, label: &str) -> i64 {
    let at = html
        .find(&format!("{label}<span class=\"count\">"))
        .unwrap_or_else(|| panic!("no {label} tab: {html}"));
    let rest = &html[at + label.len() + "<span class=\"count\">".len()..];
    rest[..rest.find('<').expect("the count's end")]
        .parse()
        .expect("a count")
}
