//! The task page's actions end to end through plain form posts (JavaScript off): approve and
//! reject, a process's task, every form-field type (table, assignees, files included) with the
//! API's message beside the field, file upload and download, the acting member in the
//! activity feed, CSRF on every form, escaping of what users wrote, times in the guest's zone.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Browser, cheap, signed_in};
use crate::support::TestApp;
use crate::support::fixtures::{capture_ids, count_rows, run_with_task, seed_members};

async fn task_with(app: &TestApp, body: Value) -> (String, std::collections::HashMap<String, String>) {
    let r = app.json(Method::POST, &app.org_path("/tasks"), body).await.expect(201);
    let id = r.data()["id"].as_str().unwrap().to_string();
    let t = app
        .get(&app.org_path(&format!("/tasks/{id}?with=form_fields")))
        .await
        .expect(200);
    let ids = if t.data()["form_fields"]["data"].is_array() {
        capture_ids(t.data())
    } else {
        Default::default()
    };
    (id, ids)
}

fn refs(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

async fn task_json(app: &TestApp, id: &str) -> Value {
    app.get(&app.org_path(&format!("/tasks/{id}")))
        .await
        .expect(200)
        .data()
        .clone()
}

on_both!(an_approval_is_approved_or_rejected_from_the_page, cheap);
async fn an_approval_is_approved_or_rejected_from_the_page(app: &TestApp) {
    let body = |title: &str| json!({"title": title, "task_type": "approval", "owners": {"users": [app.admin_id]}});
    let (yes, _) = task_with(app, body("Approve the budget")).await;
    let (no, _) = task_with(app, body("Approve the trip")).await;
    let mut b = signed_in(app).await;
    let path = format!("/app/acme/tasks/{yes}");
    let page = b.get(&path).await.expect_status(200);
    assert!(
        page.text.contains("value=\"approve\"") && page.text.contains("value=\"reject\""),
        "{}",
        page.text
    );
    // Without a decision: the API's 422 on the page, nothing changes.
    let none = b.submit(&path, &format!("{path}/complete"), &[]).await;
    assert_eq!(none.status, 422, "{}", none.text);
    assert!(none.text.contains("is approved"), "{}", none.text);
    assert_ne!(task_json(app, &yes).await["status"], "completed");

    let done = b
        .submit(&path, &format!("{path}/complete"), &[("decision", "approve")])
        .await
        .expect_status(303);
    assert_eq!(done.location(), format!("{path}?done=approved"));
    let t = task_json(app, &yes).await;
    assert_eq!(
        (t["status"].as_str(), t["is_approved"].as_bool()),
        (Some("completed"), Some(true))
    );
    assert_eq!(t["status_label"], "approved");
    let page = b.get(done.location()).await.expect_status(200);
    assert!(
        page.text.contains("Approved.") && page.text.contains("Reopen"),
        "{}",
        page.text
    );

    let npath = format!("/app/acme/tasks/{no}");
    b.submit(&npath, &format!("{npath}/complete"), &[("decision", "reject")])
        .await
        .expect_status(303);
    let t = task_json(app, &no).await;
    assert_eq!(
        (t["status"].as_str(), t["is_approved"].as_bool()),
        (Some("completed"), Some(false))
    );
    assert_eq!(t["status_label"], "rejected");
}

on_both!(a_completion_from_the_page_names_the_member_in_the_feed, cheap);
async fn a_completion_from_the_page_names_the_member_in_the_feed(app: &TestApp) {
    let (task, _) = task_with(app, json!({"title": "Feed me", "owners": {"users": [app.admin_id]}})).await;
    let mut b = signed_in(app).await;
    let path = format!("/app/acme/tasks/{task}");
    b.submit(&path, &format!("{path}/comment"), &[("content", "On it")])
        .await
        .expect_status(303);
    b.submit(&path, &format!("{path}/complete"), &[])
        .await
        .expect_status(303);
    let feed = app
        .get(&app.org_path(&format!(
            "/activity-feeds?entity_type=task&entity_id={task}&sort=id&per_page=100"
        )))
        .await
        .expect(200);
    let entries = feed.data().as_array().unwrap().clone();
    for verb in ["completed", "commented"] {
        let e = entries
            .iter()
            .find(|e| e["verb"] == json!([verb]) || e["verb"] == verb)
            .unwrap_or_else(|| panic!("no {verb} entry: {}", feed.text));
        assert_eq!(e["actor_id"], json!([app.admin_id]), "{verb}: {e}");
        assert_eq!(e["actor"][0]["email"], "bob@acme.test", "{verb}: {e}");
    }
}

on_both!(a_process_task_completes_and_reopens_through_its_process, cheap);
async fn a_process_task_completes_and_reopens_through_its_process(app: &TestApp) {
    seed_members(app).await;
    let (_run, task) = run_with_task(app, "Pack the boxes").await;
    let mut b = signed_in(app).await;
    let path = format!("/app/acme/tasks/{task}");
    b.submit(&path, &format!("{path}/complete"), &[])
        .await
        .expect_status(303);
    assert_eq!(task_json(app, &task).await["status"], "completed");
    b.submit(&path, &format!("{path}/reopen"), &[]).await.expect_status(303);
    assert_ne!(task_json(app, &task).await["status"], "completed");
}

on_both!(every_field_type_is_edited_on_the_page, cheap);
async fn every_field_type_is_edited_on_the_page(app: &TestApp) {
    app.json(
        Method::POST,
        &app.org_path("/groups"),
        json!({"name": "Movers", "members": [app.admin_id]}),
    )
    .await
    .expect(201);
    let (task, ids) = task_with(
        app,
        json!({
            "title": "Fill everything",
            "owners": {"users": [app.admin_id]},
            "form_fields": [
                {"label": "Name", "field_type": "text", "required": false},
                {"label": "Notes", "field_type": "textarea", "required": false},
                {"label": "Size", "field_type": "dropdown", "required": false, "options": ["S", "M"]},
                {"label": "Colour", "field_type": "radio", "required": false, "options": ["Red", "Blue"]},
                {"label": "Extras", "field_type": "multiselect", "required": false, "options": ["Box", "Tape", "Rope"]},
                {"label": "When", "field_type": "date", "required": false},
                {"label": "Mail", "field_type": "email", "required": false},
                {"label": "Signed", "field_type": "checkbox", "required": false},
                {"label": "Items", "field_type": "table", "required": false, "columns": ["Item", "Count"]},
                {"label": "Helpers", "field_type": "assignees_form", "required": false}
            ]
        }),
    )
    .await;
    let mut b = signed_in(app).await;
    let path = format!("/app/acme/tasks/{task}");
    let page = b.get(&path).await.expect_status(200);
    let items = &ids["Items"];
    let helpers = &ids["Helpers"];
    // The table has an empty row to fill; the assignees field offers members and groups.
    assert!(
        page.text.contains(&format!("name=\"field.{items}.0.1\"")),
        "{}",
        page.text
    );
    assert!(page.text.contains("Movers"), "{}", page.text);
    assert!(
        page.text
            .contains(&format!("name=\"field.{helpers}.users\" value=\"{}\"", app.admin_id)),
        "{}",
        page.text
    );
    let k = |label: &str| format!("field.{}", ids[label]);
    let (row0a, row0b, row1a, row1b) = (
        format!("field.{items}.0.0"),
        format!("field.{items}.0.1"),
        format!("field.{items}.1.0"),
        format!("field.{items}.1.1"),
    );
    let users = format!("field.{helpers}.users");
    let guests = format!("field.{helpers}.guests");
    let admin = app.admin_id.to_string();
    let mut form: Vec<(String, String)> = vec![
        (k("Name"), "Kim".into()),
        (k("Notes"), "Two lines\nof notes".into()),
        (k("Size"), "M".into()),
        (k("Colour"), "Blue".into()),
        (k("Extras"), String::new()),
        (k("Extras"), "Box".into()),
        (k("Extras"), "Rope".into()),
        (k("When"), "2099-03-04".into()),
        (k("Mail"), "not an address".into()),
        (k("Signed"), "false".into()),
        (k("Signed"), "true".into()),
        (row0a.clone(), "Boxes".into()),
        (row0b.clone(), "12".into()),
        (row1a.clone(), "Tape".into()),
        (row1b.clone(), "3".into()),
        (users.clone(), String::new()),
        (users.clone(), admin.clone()),
        (guests.clone(), "mover@partner.test".into()),
    ];
    // A bad email: the API's 422, its message beside the email field, the other values kept.
    let bad = b.submit(&path, &format!("{path}/fields"), &refs(&form)).await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    let mail = &ids["Mail"];
    assert!(bad.text.contains(&format!("id=\"f-{mail}-error\"")), "{}", bad.text);
    assert!(bad.text.contains("value=\"Tape\""), "{}", bad.text);
    assert!(bad.text.contains("value=\"mover@partner.test\""), "{}", bad.text);
    let stored = app.get(&app.org_path(&format!("/tasks/{task}"))).await.expect(200);
    assert!(stored.data()["taskdata"][&ids["Name"]].is_null(), "{}", stored.text);

    form.retain(|(key, _)| *key != k("Mail"));
    form.push((k("Mail"), "kim@partner.test".into()));
    let ok = b
        .submit(&path, &format!("{path}/fields"), &refs(&form))
        .await
        .expect_status(303);
    assert_eq!(ok.location(), format!("{path}?done=saved"));
    let t = app.get(&app.org_path(&format!("/tasks/{task}"))).await.expect(200);
    let d = &t.data()["taskdata"];
    assert_eq!(d[&ids["Name"]], "Kim", "{}", t.text);
    assert_eq!(d[&ids["Notes"]], "Two lines\nof notes");
    assert_eq!(d[&ids["Size"]]["text"], "M");
    assert_eq!(d[&ids["Colour"]], "Blue");
    let extras: Vec<&str> = d[&ids["Extras"]]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["selected"] != false)
        .filter_map(|e| e["text"].as_str())
        .collect();
    assert_eq!(extras, ["Box", "Rope"]);
    assert!(
        d[&ids["When"]].as_str().unwrap().starts_with("2099-03-04"),
        "{}",
        t.text
    );
    assert_eq!(d[&ids["Mail"]], "kim@partner.test");
    assert_eq!(d[&ids["Signed"]], true);
    assert_eq!(d[items], json!([["Boxes", "Tape"], ["12", "3"]]), "{}", t.text);
    assert_eq!(d[helpers]["users"], json!([app.admin_id]), "{}", t.text);
    assert_eq!(d[helpers]["guests"], json!(["mover@partner.test"]), "{}", t.text);

    // The page shows what is stored: the table's rows and a fresh empty one.
    let page = b.get(&path).await.expect_status(200);
    assert!(page.text.contains("value=\"Tape\"") && page.text.contains(&format!("name=\"field.{items}.2.0\"")));
    // A bad guest email in the assignees field: the message beside that field.
    let bad_guest = b
        .submit(
            &path,
            &format!("{path}/fields"),
            &[(users.as_str(), ""), (guests.as_str(), "nobody-at-all")],
        )
        .await;
    assert_eq!(bad_guest.status, 422, "{}", bad_guest.text);
    assert!(
        bad_guest.text.contains(&format!("id=\"f-{helpers}-error\"")),
        "{}",
        bad_guest.text
    );
    // Emptying the table clears it.
    b.submit(
        &path,
        &format!("{path}/fields"),
        &[(row0a.as_str(), ""), (row0b.as_str(), ""), (row1a.as_str(), " ")],
    )
    .await
    .expect_status(303);
    let t = app.get(&app.org_path(&format!("/tasks/{task}"))).await.expect(200);
    assert!(t.data()["taskdata"][items].is_null(), "{}", t.text);
}

on_both!(a_file_is_uploaded_downloaded_and_removed_on_the_page, cheap);
async fn a_file_is_uploaded_downloaded_and_removed_on_the_page(app: &TestApp) {
    let (task, ids) = task_with(
        app,
        json!({
            "title": "Send the contract",
            "owners": {"users": [app.admin_id]},
            "form_fields": [{"label": "Contract", "field_type": "file", "required": true}]
        }),
    )
    .await;
    let field = ids["Contract"].clone();
    let mut b = signed_in(app).await;
    let path = format!("/app/acme/tasks/{task}");
    let upload = format!("{path}/files/{field}");
    let page = b.get(&path).await.expect_status(200);
    assert!(page.text.contains(&format!("action=\"{upload}\"")), "{}", page.text);
    assert!(page.text.contains("enctype=\"multipart/form-data\""));
    let csrf = page.csrf();
    let assets = "SELECT COUNT(*) FROM assets WHERE subject_id = $1";

    // Without the token (or with a wrong one), nothing is stored.
    for fields in [vec![], vec![("_csrf", "0123456789abcdef")]] {
        let r = b
            .post_multipart(&upload, &fields, Some(("contract.txt", b"signed")))
            .await;
        assert_eq!(r.status, 403, "{}", r.text);
    }
    assert_eq!(count_rows(app, assets, &task).await, 0);
    // A type the API refuses: its message beside the field.
    let bad = b
        .post_multipart(&upload, &[("_csrf", &csrf)], Some(("run.exe", b"MZ")))
        .await;
    assert!(bad.status == 422, "{}: {}", bad.status, bad.text);
    assert!(bad.text.contains(&format!("id=\"f-{field}-error\"")), "{}", bad.text);
    assert!(bad.text.contains("must be a file of type"), "{}", bad.text);
    assert_eq!(count_rows(app, assets, &task).await, 0);
    // No file chosen.
    let empty = b.post_multipart(&upload, &[("_csrf", &csrf)], None).await;
    assert_eq!(empty.status, 422, "{}", empty.text);

    // An upload: stored through the API, named in the field, listed with a download link.
    let name = "<img src=x onerror=alert(1)>.txt";
    let ok = b
        .post_multipart(&upload, &[("_csrf", &csrf)], Some((name, b"signed copy\n")))
        .await
        .expect_status(303);
    assert_eq!(ok.location(), format!("{path}?done=uploaded"));
    let t = app.get(&app.org_path(&format!("/tasks/{task}"))).await.expect(200);
    let value = t.data()["taskdata"][&field].clone();
    let asset = value[0]["id"].as_str().expect("an asset id in the field").to_string();
    assert_eq!(value[0]["filename"], name, "{}", t.text);
    let page = b.get(&path).await.expect_status(200);
    let link = format!("/app/acme/files/{asset}");
    assert!(page.text.contains(&link), "{}", page.text);
    assert!(
        page.text.contains("&lt;img src=x onerror=alert(1)&gt;.txt"),
        "{}",
        page.text
    );
    assert!(!page.text.contains("<img src=x"), "{}", page.text);
    let got = b.get(&link).await.expect_status(200);
    assert_eq!(got.text, "signed copy\n");
    assert!(
        got.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"),
        "{:?}",
        got.headers
    );
    // The required file field is answered: the task completes.
    b.submit(&path, &format!("{path}/complete"), &[])
        .await
        .expect_status(303);
    b.submit(&path, &format!("{path}/reopen"), &[]).await.expect_status(303);

    // Removing needs the token too; with it the field is empty again.
    let remove = format!("{upload}/remove");
    b.post(&remove, &[("index", "0")]).await.expect_status(403);
    b.submit(&path, &remove, &[("index", "0")]).await.expect_status(303);
    let t = app.get(&app.org_path(&format!("/tasks/{task}"))).await.expect(200);
    assert!(t.data()["taskdata"][&field].is_null(), "{}", t.text);
    // Another organization's file, or none: the API's 404.
    b.get("/app/acme/files/nope").await.expect_status(404);
}

on_both!(every_task_form_refuses_a_post_without_its_token, cheap);
async fn every_task_form_refuses_a_post_without_its_token(app: &TestApp) {
    let (task, ids) = task_with(
        app,
        json!({
            "title": "Guarded",
            "task_type": "approval",
            "owners": {"users": [app.admin_id]},
            "form_fields": [{"label": "Note", "field_type": "text", "required": false}]
        }),
    )
    .await;
    let note = format!("field.{}", ids["Note"]);
    let mut b = signed_in(app).await;
    let path = format!("/app/acme/tasks/{task}");
    for (action, form) in [
        ("fields", vec![(note.as_str(), "forged")]),
        ("complete", vec![("decision", "approve")]),
        ("reopen", vec![]),
        ("comment", vec![("content", "forged")]),
        ("problem", vec![("content", "forged")]),
        ("resolve", vec![("thread_id", "x")]),
    ] {
        let r = b.post(&format!("{path}/{action}"), &form).await;
        assert_eq!(r.status, 403, "{action}: {}", r.text);
    }
    let t = app
        .get(&app.org_path(&format!("/tasks/{task}?with=threads")))
        .await
        .expect(200);
    assert_ne!(t.data()["status"], "completed");
    assert!(t.data()["taskdata"][&ids["Note"]].is_null(), "{}", t.text);
    assert_eq!(t.data()["threads"]["data"].as_array().map(Vec::len), Some(0));
}

on_both!(html_in_table_cells_and_comments_is_escaped, cheap);
async fn html_in_table_cells_and_comments_is_escaped(app: &TestApp) {
    let probe = "<script>alert(1)</script>";
    let (task, ids) = task_with(
        app,
        json!({
            "title": "Escape",
            "owners": {"users": [app.admin_id]},
            "form_fields": [
                {"label": "Grid", "field_type": "table", "required": false, "columns": ["A"]},
                {"label": "Pick", "field_type": "multiselect", "required": false, "options": [probe, "ok"]}
            ]
        }),
    )
    .await;
    let mut b = signed_in(app).await;
    let path = format!("/app/acme/tasks/{task}");
    let cell = format!("field.{}.0.0", ids["Grid"]);
    let pick = format!("field.{}", ids["Pick"]);
    b.submit(
        &path,
        &format!("{path}/fields"),
        &[(cell.as_str(), probe), (pick.as_str(), probe)],
    )
    .await
    .expect_status(303);
    b.submit(&path, &format!("{path}/comment"), &[("content", probe)])
        .await
        .expect_status(303);
    let page = b.get(&path).await.expect_status(200);
    assert!(!page.text.contains(probe), "{}", page.text);
    assert!(
        page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{}",
        page.text
    );
}

on_both!(a_guest_page_shows_times_in_the_guests_zone, cheap);
async fn a_guest_page_shows_times_in_the_guests_zone(app: &TestApp) {
    app.json(
        Method::POST,
        &app.org_path("/guests"),
        json!({"email": "tokyo@partner.test", "timezone": "Asia/Tokyo"}),
    )
    .await
    .expect(201);
    let mut urls = Vec::new();
    for guest in ["tokyo@partner.test", "plain@partner.test"] {
        let r = app
            .json(
                Method::POST,
                &app.org_path("/tasks"),
                json!({"title": "Sign", "owners": {"guests": [guest]}, "deadline": "2099-01-15 10:00:00"}),
            )
            .await
            .expect(201);
        let url = r.data()["owners"]["taskUrls"][0].as_str().unwrap().to_string();
        urls.push(format!("/guest/{}", url.split("/guest/").nth(1).unwrap()));
    }
    let mut b = Browser::new(app);
    let tokyo = b.get(&urls[0]).await.expect_status(200);
    assert!(tokyo.text.contains("Thu 15 Jan 2099, 19:00 JST"), "{}", tokyo.text);
    assert!(tokyo.text.contains("Asia/Tokyo"));
    let plain = b.get(&urls[1]).await.expect_status(200);
    assert!(plain.text.contains("Thu 15 Jan 2099, 10:00 UTC"), "{}", plain.text);
}

on_both!(a_members_pages_show_times_in_their_zone_and_counts, cheap);
async fn a_members_pages_show_times_in_their_zone_and_counts(app: &TestApp) {
    use docket_store::model::{NewMembership, NewUser, Provision};
    let p = Provision {
        users: vec![NewUser {
            id: Some(1007),
            email: "paris@acme.test".into(),
            username: "paris".into(),
            first_name: "Pia".into(),
            last_name: "Paris".into(),
            profile: Some(r#"{"timezone": "Europe/Paris"}"#.into()),
        }],
        memberships: vec![NewMembership {
            org_id: "acme".into(),
            user: 0,
            role: "standard".into(),
            status: "active".into(),
        }],
        now: docket_domain::time::now_ms(),
        ..Default::default()
    };
    app.store().provision(&p).await.expect("provision");
    super::set_password(app, "paris@acme.test", super::PASSWORD).await;
    let mut ids = Vec::new();
    for title in ["Visit Lyon", "Visit Nice"] {
        let (id, _) = task_with(
            app,
            json!({"title": title, "owners": {"users": [1007]}, "deadline": "2099-01-15 10:00:00"}),
        )
        .await;
        ids.push(id);
    }
    let mut b = Browser::new(app);
    b.sign_in("paris@acme.test", super::PASSWORD).await.expect_status(303);
    let page = b.get(&format!("/app/acme/tasks/{}", ids[0])).await.expect_status(200);
    assert!(page.text.contains("Thu 15 Jan 2099, 11:00 CET"), "{}", page.text);
    // The assignee by name.
    assert!(page.text.contains("Pia Paris"), "{}", page.text);
    // Counts per view: two upcoming, none elsewhere; one completed after a completion.
    let path = format!("/app/acme/tasks/{}", ids[1]);
    b.submit(&path, &format!("{path}/complete"), &[])
        .await
        .expect_status(303);
    let inbox = b.get("/app/acme?view=upcoming").await.expect_status(200);
    let counts: Vec<&str> = inbox
        .text
        .split("<span class=\"count\">")
        .skip(1)
        .filter_map(|s| s.split('<').next())
        .collect();
    assert_eq!(counts, ["0", "0", "1", "1"], "{}", inbox.text);
    assert!(inbox.text.contains("Visit Lyon") && !inbox.text.contains("Visit Nice"));
}
