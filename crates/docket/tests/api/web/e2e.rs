//! A person using the pages in a real browser: `tests/e2e/pages.py` (Playwright for Python,
//! headless Chromium) signs in, finds a task in the inbox, fills a field of every type, sees a
//! validation message, completes the task, comments, launches a template, completes another
//! task with the keyboard alone, and, as a guest, answers, comments on and completes a task
//! from the link in the guest's email (received here by the SMTP sink). axe-core checks every
//! page (no serious or critical violation) and each page is photographed at 1280×800 and
//! 390×844 into `target/screenshots/{backend}/`. This file makes the data, runs the script with
//! the Python named by `DOCKET_TEST_E2E_PYTHON` (`scripts/test` prepares one) and checks
//! through the API what the pages wrote. Without that Python, or without Chromium
//! (`DOCKET_TEST_CHROMIUM`, else `/usr/bin/chromium`), the test fails; leave it out with
//! `-- --skip e2e::`.

use std::process::Command;
use std::time::Instant;

use docket::config::{Config, SmtpTls};
use reqwest::Method;
use serde_json::{Value, json};

use super::{PASSWORD, cheap, set_password};
use crate::email::smtp::SmtpSink;
use crate::support::fixtures::capture_ids;
use crate::support::{Backend, TestApp};

const TASK: &str = "Deliver the boxes";
const KEYBOARD_TASK: &str = "File the purchase order";
const TEMPLATE: &str = "Client onboarding";
const GUEST_TASK: &str = "Sign the delivery note";

/// An RFC 3339 time `hours` from now.
fn in_hours(hours: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(hours)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn create_task(app: &TestApp, body: Value) -> (String, std::collections::HashMap<String, String>) {
    let r = app.json(Method::POST, &app.org_path("/tasks"), body).await.expect(201);
    let id = r.data()["id"].as_str().unwrap().to_string();
    let t = app
        .get(&app.org_path(&format!("/tasks/{id}?with=form_fields")))
        .await
        .expect(200);
    (id, capture_ids(t.data()))
}

async fn task_json(app: &TestApp, id: &str) -> Value {
    app.get(&app.org_path(&format!("/tasks/{id}?with=threads")))
        .await
        .expect(200)
        .data()
        .clone()
}

/// Runs `tests/e2e/pages.py` against `app`; its output, or a failure with it.
fn run_pages(app: &TestApp, guest_url: &str) -> String {
    let Some(python) = std::env::var("DOCKET_TEST_E2E_PYTHON")
        .ok()
        .filter(|p| !p.trim().is_empty())
    else {
        panic!(
            "DOCKET_TEST_E2E_PYTHON is not set, so the browser tests cannot run; set it (scripts/test \
             prepares one) or leave them out with `-- --skip e2e::`"
        );
    };
    let chromium = std::env::var("DOCKET_TEST_CHROMIUM")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "no Chromium at {chromium} for the browser tests (scripts/test installs Debian's `chromium`); \
         set DOCKET_TEST_CHROMIUM or leave them out with `-- --skip e2e::`"
    );
    let root = format!("{}/../..", env!("CARGO_MANIFEST_DIR"));
    let backend = match app.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let shots = format!("{root}/target/screenshots/{backend}");
    let out = Command::new(python)
        .arg(format!("{root}/tests/e2e/pages.py"))
        .env("DOCKET_BASE_URL", &app.base)
        .env("DOCKET_ORG", &app.org)
        .env("DOCKET_E2E_EMAIL", "bob@acme.test")
        .env("DOCKET_E2E_PASSWORD", PASSWORD)
        .env("DOCKET_E2E_TASK", TASK)
        .env("DOCKET_E2E_KEYBOARD_TASK", KEYBOARD_TASK)
        .env("DOCKET_E2E_TEMPLATE", TEMPLATE)
        .env("DOCKET_E2E_GUEST_URL", guest_url)
        .env("DOCKET_E2E_SCREENSHOTS", &shots)
        .env("DOCKET_TEST_CHROMIUM", &chromium)
        .output()
        .expect("python runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "tests/e2e/pages.py failed:\n{text}");
    text
}

on_both!(a_person_works_the_pages_in_a_browser, backend);
async fn a_person_works_the_pages_in_a_browser(backend: Backend) {
    let sink = SmtpSink::start().await;
    let smtp_port = sink.addr.port();
    // Mail through the sink; no `public_url`, so links name the address the server listens on.
    let app = TestApp::spawn_with(backend, move |c: &mut Config| {
        cheap(c);
        c.email.smtp_host = Some("127.0.0.1".into());
        c.email.smtp_port = smtp_port;
        c.email.smtp_tls = SmtpTls::None;
        c.email.poll_ms = 50;
        c.email.timeout_secs = 5;
    })
    .await;
    set_password(&app, "bob@acme.test", PASSWORD).await;
    let me = json!({"users": [app.admin_id]});

    // The inbox: the task to work among others, due in a few days, and one overdue.
    let (task, ids) = create_task(
        &app,
        json!({
            "title": TASK,
            "owners": me,
            "deadline": in_hours(72),
            "summary": "Twelve boxes to the Novak office; fill in the delivery details.",
            "form_fields": [
                {"label": "Name", "field_type": "text", "required": false},
                {"label": "Notes", "field_type": "textarea", "required": false},
                {"label": "Contact email", "field_type": "email", "required": false},
                {"label": "Website", "field_type": "url", "required": false},
                {"label": "Hours", "field_type": "number", "required": false},
                {"label": "Visit date", "field_type": "date", "required": false},
                {"label": "Start time", "field_type": "time", "required": false},
                {"label": "Handover", "field_type": "datetime", "required": false},
                {"label": "Signed", "field_type": "checkbox", "required": false},
                {"label": "Colour", "field_type": "radio", "required": false, "options": ["Red", "Blue"]},
                {"label": "Size", "field_type": "dropdown", "required": false, "options": ["S", "M", "L"]},
                {"label": "Extras", "field_type": "multiselect", "required": false, "options": ["Box", "Tape", "Rope"]},
                {"label": "Items", "field_type": "table", "required": false, "columns": ["Item", "Count"]},
                {"label": "Helpers", "field_type": "assignees_form", "required": false},
                {"label": "Contract", "field_type": "file", "required": false}
            ]
        }),
    )
    .await;
    let (keyboard, kids) = create_task(
        &app,
        json!({
            "title": KEYBOARD_TASK,
            "owners": me,
            "deadline": in_hours(96),
            "form_fields": [
                {"label": "Reference", "field_type": "text", "required": true},
                {"label": "Checked", "field_type": "checkbox", "required": false}
            ]
        }),
    )
    .await;
    for (title, hours) in [
        ("Renew the office lease", 120),
        ("Book the auditor", 240),
        ("Send the invoices", -30),
    ] {
        create_task(&app, json!({"title": title, "owners": me, "deadline": in_hours(hours)})).await;
    }
    app.json(
        Method::POST,
        &app.org_path("/checklists"),
        json!({
            "title": TEMPLATE,
            "prerun": [
                {"label": "Client name", "field_type": "text", "required": true},
                {"label": "Plan", "field_type": "dropdown", "required": true, "options": ["Standard", "Enterprise"]}
            ],
            "steps": [{"title": "Collect documents"}, {"title": "Sign the contract"}]
        }),
    )
    .await
    .expect(201);

    // A guest is assigned a task; the link comes in their email.
    let (guest_task, gids) = create_task(
        &app,
        json!({
            "title": GUEST_TASK,
            "owners": {"users": [app.admin_id], "guests": ["gil@partner.test"]},
            "deadline": in_hours(48),
            "form_fields": [{"label": "Delivery reference", "field_type": "text", "required": false}]
        }),
    )
    .await;
    let mail = sink.wait_for("gil@partner.test", 1).await;
    assert_eq!(mail[0].subject(), format!("Assigned to you: {GUEST_TASK}"));
    let body = mail[0].body();
    let guest_url = body
        .split_whitespace()
        .find(|w| w.starts_with(&format!("{}/guest/", app.base)))
        .unwrap_or_else(|| panic!("no guest link in the mail: {body}"))
        .to_string();
    assert!(guest_url.ends_with(&format!("/tasks/{guest_task}")), "{guest_url}");

    let started = Instant::now();
    let app_ref = &app;
    let out = tokio::task::block_in_place(|| run_pages(app_ref, &guest_url));
    println!("{out}\nthe browser run took {:.1} s", started.elapsed().as_secs_f64());

    // What the pages wrote, read back through the API.
    let t = task_json(&app, &task).await;
    assert_eq!(t["status"], "completed", "{t}");
    let d = &t["taskdata"];
    let v = |label: &str| &d[&ids[label]];
    assert_eq!(v("Name"), "Kim Novak", "{t}");
    assert_eq!(v("Notes"), "Two lines\nof notes");
    assert_eq!(v("Contact email"), "kim@partner.example");
    assert_eq!(v("Website"), "https://partner.example/kim");
    assert_eq!(v("Hours").to_string().trim_matches('"'), "3.5", "{t}");
    assert!(v("Visit date").as_str().unwrap().starts_with("2099-03-04"), "{t}");
    assert!(v("Start time").as_str().unwrap().starts_with("14:30"), "{t}");
    assert!(v("Handover").as_str().unwrap().starts_with("2099-03-05"), "{t}");
    assert_eq!(v("Signed"), true);
    assert_eq!(v("Colour"), "Blue");
    assert_eq!(v("Size")["text"], "M");
    let extras: Vec<&str> = v("Extras")
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["selected"] != false)
        .filter_map(|e| e["text"].as_str())
        .collect();
    assert_eq!(extras, ["Box", "Rope"], "{t}");
    assert_eq!(v("Items"), &json!([["Boxes"], ["12"]]), "{t}");
    assert_eq!(v("Helpers")["users"], json!([app.admin_id]), "{t}");
    assert_eq!(v("Helpers")["guests"], json!(["mover@partner.test"]), "{t}");
    assert_eq!(v("Contract")[0]["filename"], "delivery-note.txt", "{t}");
    let comments: Vec<&str> = t["threads"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["content"].as_str())
        .collect();
    assert_eq!(comments, ["Delivered the boxes to Kim."], "{t}");

    let k = task_json(&app, &keyboard).await;
    assert_eq!(k["status"], "completed", "{k}");
    assert_eq!(k["taskdata"][&kids["Reference"]], "PO-4471", "{k}");
    assert_eq!(k["taskdata"][&kids["Checked"]], true, "{k}");

    let runs = app.get(&app.org_path("/runs?per_page=100")).await.expect(200);
    let run = runs
        .data()
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Onboarding Globex")
        .unwrap_or_else(|| panic!("no launched process: {}", runs.text))
        .clone();
    assert_eq!(run["checklist_title"], TEMPLATE, "{run}");
    let prerun = run["prerun"].as_object().unwrap();
    assert!(prerun.values().any(|v| v == "Globex Inc"), "{run}");

    let g = task_json(&app, &guest_task).await;
    assert_eq!(g["status"], "completed", "{g}");
    assert_eq!(g["completer_guest"], "gil@partner.test", "{g}");
    let reference = &gids["Delivery reference"];
    assert_eq!(g["taskdata"][reference], "DN-2231", "{g}");
    let said: Vec<(&str, &str)> = g["threads"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| Some((c["content"].as_str()?, c["author_type"].as_str()?)))
        .collect();
    assert_eq!(said, [("Signed and sent back.", "guest")], "{g}");
    app.stop().await;
}
