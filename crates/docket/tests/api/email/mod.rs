//! Email notifications (docs/email.md), received by an SMTP server inside the test
//! ([`smtp::SmtpSink`]): assignments, comments and problems to the assignees who chose
//! `instant`, the daily digest to those who chose `daily`, nothing to `off`, a guest's mail with
//! their guest link, a refused delivery retried and sent once, nothing sent twice across a
//! restart, and `docket admin test-email`.

pub mod smtp;

use std::net::SocketAddr;
use std::time::Duration;

use docket::config::{Config, SmtpTls};
use reqwest::Method;
use serde_json::{Value, json};
use smtp::SmtpSink;

use crate::support::fixtures::count_rows;
use crate::support::{Backend, TestApp};

const BASE: &str = "https://docket.test";

/// Mail through the sink at `addr`, polled quickly, retried after 100 ms, digests due at once.
fn mail_via(addr: SocketAddr) -> impl FnOnce(&mut Config) + Clone {
    move |c: &mut Config| {
        c.email.smtp_host = Some("127.0.0.1".into());
        c.email.smtp_port = addr.port();
        c.email.smtp_tls = SmtpTls::None;
        c.email.poll_ms = 50;
        c.email.retry_base_ms = 100;
        c.email.digest_hour = 0;
        c.email.timeout_secs = 5;
        c.public_url = Some(BASE.into());
    }
}

async fn set_choice(app: &TestApp, token: &str, choice: &str) -> Value {
    let r = app
        .send(
            app.request_as(token, Method::PUT, &app.org_path("/me"))
                .json(&json!({"email_notifications": choice})),
        )
        .await
        .expect(200);
    r.data().clone()
}

async fn create_task(app: &TestApp, body: Value) -> Value {
    app.json(Method::POST, &app.org_path("/tasks"), body)
        .await
        .expect(201)
        .data()
        .clone()
}

/// Waits until the notifier has nothing pending and no mail arrived for a while.
async fn settle(app: &TestApp) {
    for _ in 0..200 {
        let pending = count_rows(app, "SELECT COUNT(*) FROM email_outbox WHERE status = $1", "pending").await;
        if pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
}

on_both!(
    assignees_hear_of_assignments_comments_and_problems_as_they_chose,
    backend
);
async fn assignees_hear_of_assignments_comments_and_problems_as_they_chose(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(backend, mail_via(sink.addr)).await;
    let (ann, ann_token) = app.add_member("acme", 2001, "ann@acme.test", "standard").await;
    let (cat, cat_token) = app.add_member("acme", 2002, "cat@acme.test", "standard").await;
    let (dan, dan_token) = app.add_member("acme", 2003, "dan@acme.test", "standard").await;
    // The default is instant; each member chooses for themself.
    let me = app
        .send(app.request_as(&ann_token, Method::GET, &app.org_path("/me")))
        .await
        .expect(200);
    assert_eq!(me.data()["email_notifications"], "instant");
    assert_eq!(set_choice(&app, &dan_token, "OFF").await["email_notifications"], "off");
    // Cat chooses the digest once her task exists (so that no digest is written before it).
    set_choice(&app, &cat_token, "off").await;

    // Bob (the admin) assigns himself, the three members and a guest; due within the day.
    let deadline = chrono::Utc::now() + chrono::Duration::hours(3);
    let task = create_task(
        &app,
        json!({"title": "Order paper", "owners": {"users": [app.admin_id, ann, cat, dan], "guests": ["gil@partner.test"]},
               "deadline": deadline.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)}),
    )
    .await;
    let task_id = task["id"].as_str().unwrap().to_string();
    let guest_url = task["owners"]["taskUrls"][0].as_str().unwrap().to_string();
    assert!(guest_url.starts_with(&format!("{BASE}/guest/")), "{guest_url}");
    assert_eq!(
        set_choice(&app, &cat_token, "daily").await["email_notifications"],
        "daily"
    );

    let mail = sink.wait_for("ann@acme.test", 1).await;
    assert_eq!(mail[0].subject(), "Assigned to you: Order paper");
    assert!(
        mail[0].body().contains(&format!("{BASE}/app/acme/tasks/{task_id}")),
        "{}",
        mail[0].body()
    );
    assert!(mail[0].body().contains("Bob Stone assigned you"), "{}", mail[0].body());
    let guest_mail = sink.wait_for("gil@partner.test", 1).await;
    assert!(guest_mail[0].body().contains(&guest_url), "{}", guest_mail[0].body());

    // Ann comments: Bob (an assignee) hears of it, Ann does not.
    app.send(
        app.request_as(
            &ann_token,
            Method::POST,
            &app.org_path(&format!("/tasks/{task_id}/comment")),
        )
        .json(&json!({"content": "Which size?"})),
    )
    .await
    .expect(201);
    let bob_mail = sink.wait_for("bob@acme.test", 1).await;
    assert_eq!(bob_mail[0].subject(), "New comment on Order paper");
    assert!(bob_mail[0].body().contains("> Which size?"), "{}", bob_mail[0].body());
    assert!(
        bob_mail[0].body().contains("First2001 Last2001 commented"),
        "{}",
        bob_mail[0].body()
    );

    // Bob reports a problem: Ann hears of it, Bob does not.
    app.json(
        Method::POST,
        &app.org_path(&format!("/tasks/{task_id}/problem")),
        json!({"content": "The supplier is closed"}),
    )
    .await
    .expect(201);
    let ann_mail = sink.wait_for("ann@acme.test", 2).await;
    assert_eq!(ann_mail[1].subject(), "Problem reported on Order paper");
    assert!(
        ann_mail[1].body().contains("> The supplier is closed"),
        "{}",
        ann_mail[1].body()
    );

    // The guest heard of all three, with their link each time.
    let guest_mail = sink.wait_for("gil@partner.test", 3).await;
    for m in &guest_mail {
        assert!(m.body().contains(&guest_url), "{}", m.body());
    }

    // Cat (daily) gets the digest listing the task, and nothing else; Dan (off) nothing.
    let cat_mail = sink.wait_for("cat@acme.test", 1).await;
    assert_eq!(cat_mail[0].subject(), "Your tasks: 0 overdue, 1 due soon");
    assert!(
        cat_mail[0].body().contains(&format!("{BASE}/app/acme/tasks/{task_id}")),
        "{}",
        cat_mail[0].body()
    );
    settle(&app).await;
    assert_eq!(sink.to("cat@acme.test").len(), 1, "one digest, no instant mail");
    assert!(sink.to("dan@acme.test").is_empty(), "off: nothing");
    assert_eq!(
        sink.to("ann@acme.test").len(),
        2,
        "assigned and the problem; not her own comment"
    );
    assert_eq!(
        sink.to("bob@acme.test").len(),
        1,
        "the comment only: he assigned and reported himself"
    );
    assert_eq!(sink.to("gil@partner.test").len(), 3);
    // No secret in any job: the guest's code is read when the mail is sent.
    let code = guest_url.split("/guest/").nth(1).unwrap().split('/').next().unwrap();
    let with_code = count_rows(
        &app,
        "SELECT COUNT(*) FROM email_outbox WHERE payload LIKE '%' || $1 || '%'",
        code,
    )
    .await;
    assert_eq!(with_code, 0);
    app.stop().await;
}

on_both!(a_guests_comment_from_their_page_is_mailed_to_the_others, backend);
async fn a_guests_comment_from_their_page_is_mailed_to_the_others(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(backend, mail_via(sink.addr)).await;
    let task = create_task(
        &app,
        json!({"title": "Sign here", "owners": {"users": [app.admin_id], "guests": ["gil@partner.test"]}}),
    )
    .await;
    sink.wait_for("gil@partner.test", 1).await;
    let url = task["owners"]["taskUrls"][0].as_str().unwrap();
    let path = format!("/guest/{}", url.split("/guest/").nth(1).unwrap());
    let mut b = crate::web::Browser::new(&app);
    b.submit(&path, &format!("{path}/comment"), &[("content", "Done on my side")])
        .await
        .expect_status(303);
    // Bob (an assignee) hears of it, named by the guest's email; the guest does not.
    let bob = sink.wait_for("bob@acme.test", 1).await;
    assert_eq!(bob[0].subject(), "New comment on Sign here");
    assert!(bob[0].body().contains("> Done on my side"), "{}", bob[0].body());
    assert!(
        bob[0].body().contains("gil@partner.test commented"),
        "{}",
        bob[0].body()
    );
    settle(&app).await;
    assert_eq!(sink.to("gil@partner.test").len(), 1, "only the assignment");
}

on_both!(the_email_choice_is_checked, backend);
async fn the_email_choice_is_checked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let r = app
        .json(
            Method::PUT,
            &app.org_path("/me"),
            json!({"email_notifications": "weekly"}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    r.expect_invalid("email_notifications");
    let r = app.json(Method::PUT, &app.org_path("/me"), json!({})).await;
    assert_eq!(r.status, 422, "{}", r.text);
    r.expect_invalid("email_notifications");
    let r = app
        .json(Method::PUT, &app.org_path("/me"), json!({"email_notifications": 3}))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    app.stop().await;
}

on_both!(without_smtp_nothing_is_queued, backend);
async fn without_smtp_nothing_is_queued(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (ann, _) = app.add_member("acme", 2001, "ann@acme.test", "standard").await;
    create_task(&app, json!({"title": "Quiet", "owners": {"users": [ann]}})).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let jobs = count_rows(&app, "SELECT COUNT(*) FROM email_outbox WHERE kind <> $1", "none").await;
    assert_eq!(jobs, 0);
    app.stop().await;
}

on_both!(a_refused_mail_is_retried_and_delivered_once, backend);
async fn a_refused_mail_is_retried_and_delivered_once(backend: Backend) {
    let sink = SmtpSink::start().await;
    sink.refuse_next(2);
    let app = TestApp::spawn_with(backend, mail_via(sink.addr)).await;
    let (ann, _) = app.add_member("acme", 2001, "ann@acme.test", "standard").await;
    create_task(&app, json!({"title": "Call the printer", "owners": {"users": [ann]}})).await;
    let got = sink.wait_for("ann@acme.test", 1).await;
    assert_eq!(got[0].subject(), "Assigned to you: Call the printer");
    settle(&app).await;
    assert_eq!(sink.refused(), 2);
    assert_eq!(sink.to("ann@acme.test").len(), 1, "delivered once");
    let attempts = count_rows(&app, "SELECT MAX(attempts) FROM email_outbox WHERE status = $1", "sent").await;
    assert_eq!(attempts, 3, "two refusals, then accepted");
    let recorded = count_rows(&app, "SELECT COUNT(*) FROM email_attempts WHERE error LIKE $1", "%451%").await;
    assert_eq!(recorded, 2, "each refusal is recorded with the server's reply");
    app.stop().await;
}

on_both!(a_restarted_notifier_sends_nothing_twice, backend);
async fn a_restarted_notifier_sends_nothing_twice(backend: Backend) {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(backend, mail_via(sink.addr)).await;
    let (ann, _) = app.add_member("acme", 2001, "ann@acme.test", "standard").await;
    create_task(&app, json!({"title": "First", "owners": {"users": [ann]}})).await;
    sink.wait_for("ann@acme.test", 1).await;
    settle(&app).await;
    let url = app.store_url();
    let _db = app.stop_keeping_db().await;
    let app = TestApp::spawn_on(&url, backend, mail_via(sink.addr)).await;
    create_task(&app, json!({"title": "Second", "owners": {"users": [ann]}})).await;
    let got = sink.wait_for("ann@acme.test", 2).await;
    settle(&app).await;
    let subjects: Vec<String> = sink.to("ann@acme.test").iter().map(|m| m.subject()).collect();
    assert_eq!(
        subjects,
        ["Assigned to you: First", "Assigned to you: Second"],
        "{got:?}"
    );
    if backend == Backend::Postgres {
        // Two nodes follow the same activity (the cursor row is held by one at a time; jobs
        // are claimed with SKIP LOCKED): each of ten assignments is mailed once.
        let other = TestApp::spawn_on(&url, backend, mail_via(sink.addr)).await;
        for i in 0..10 {
            let node = if i % 2 == 0 { &app } else { &other };
            create_task(
                node,
                json!({"title": format!("Shared {i}"), "owners": {"users": [ann]}}),
            )
            .await;
        }
        sink.wait_for("ann@acme.test", 12).await;
        settle(&app).await;
        assert_eq!(sink.to("ann@acme.test").len(), 12, "each once");
        other.stop().await;
    }
    app.stop().await;
}

/// Runs `docket admin test-email` (the real binary) with `env`.
async fn test_email(env: Vec<(&'static str, String)>) -> std::process::Output {
    tokio::task::spawn_blocking(move || {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_docket"));
        cmd.args(["admin", "test-email", "--to", "ops@acme.test", "--json"]);
        for k in [
            "DOCKET_SMTP_HOST",
            "DOCKET_SMTP_PORT",
            "DOCKET_SMTP_TLS",
            "DOCKET_CONFIG",
        ] {
            cmd.env_remove(k);
        }
        cmd.envs(env).output().expect("docket runs")
    })
    .await
    .expect("joined")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_test_email_sends_through_the_configured_server() {
    let sink = SmtpSink::start().await;
    let out = test_email(vec![
        ("DOCKET_SMTP_HOST", "127.0.0.1".into()),
        ("DOCKET_SMTP_PORT", sink.addr.port().to_string()),
        ("DOCKET_SMTP_TLS", "none".into()),
    ])
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(printed, json!({"sent": true, "to": "ops@acme.test"}));
    let got = sink.to("ops@acme.test");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].subject(), "docket test message");

    // A server that refuses: exit 1 with its reply. No server configured: exit 1, saying so.
    sink.refuse_next(1);
    let out = test_email(vec![
        ("DOCKET_SMTP_HOST", "127.0.0.1".into()),
        ("DOCKET_SMTP_PORT", sink.addr.port().to_string()),
        ("DOCKET_SMTP_TLS", "none".into()),
    ])
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("451"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = test_email(vec![]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("DOCKET_SMTP_HOST"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
