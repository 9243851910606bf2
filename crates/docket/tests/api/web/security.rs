//! What the pages refuse or never show: forms without their CSRF token, a planted session id,
//! another organization's task, another guest's task, HTML in user text (escaped), framing,
//! inline script; and the cookies' attributes, the sign-in rate limit, revocation.

use reqwest::Method;
use serde_json::json;

use super::{Browser, PASSWORD, cheap, set_password, signed_in};
use crate::support::TestApp;

on_both!(a_form_without_its_csrf_token_is_refused, cheap);
async fn a_form_without_its_csrf_token_is_refused(app: &TestApp) {
    let task = crate::support::fixtures::standalone(app, "Guarded", json!({"users": [app.admin_id]})).await;
    let mut b = signed_in(app).await;
    let path = format!("/app/acme/tasks/{task}");
    for token in [None, Some("0123456789abcdef")] {
        let mut form = vec![("content", "forged")];
        if let Some(t) = token {
            form.push(("_csrf", t));
        }
        let r = b.post(&format!("{path}/comment"), &form).await;
        assert_eq!(r.status, 403, "{}", r.text);
        b.post(&format!("{path}/complete"), &form).await.expect_status(403);
    }
    // Nothing was written.
    let t = app
        .get(&app.org_path(&format!("/tasks/{task}?with=threads")))
        .await
        .expect(200);
    assert_eq!(
        t.data()["threads"]["data"].as_array().map(Vec::len),
        Some(0),
        "{}",
        t.text
    );
    assert_ne!(t.data()["status"], "completed");
    // Sign-out and sign-in need their tokens too.
    b.post("/app/sign-out", &[]).await.expect_status(403);
    b.get("/app/acme").await.expect_status(200);
    let mut fresh = Browser::new(app);
    let r = fresh
        .post("/app/sign-in", &[("email", "bob@acme.test"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert!(r.set_cookie("docket_session").is_none());
}

on_both!(a_session_id_is_new_at_every_sign_in, cheap);
async fn a_session_id_is_new_at_every_sign_in(app: &TestApp) {
    set_password(app, "bob@acme.test", PASSWORD).await;
    let mut b = Browser::new(app);
    // An attacker plants an id before sign-in: it is not kept, and never works.
    let planted = "f".repeat(64);
    b.cookies.insert("docket_session".into(), planted.clone());
    let first = b.sign_in("bob@acme.test", PASSWORD).await.expect_status(303);
    let id1 = b.cookies["docket_session"].clone();
    assert_ne!(id1, planted);
    assert!(first.set_cookie("docket_session").is_some());
    let mut attacker = Browser::new(app);
    attacker.cookies.insert("docket_session".into(), planted);
    attacker.get("/app/acme").await.expect_status(303);
    // Signing in again gives another id and ends the one the browser came with.
    b.sign_in("bob@acme.test", PASSWORD).await.expect_status(303);
    let id2 = b.cookies["docket_session"].clone();
    assert_ne!(id1, id2);
    let mut old = Browser::new(app);
    old.cookies.insert("docket_session".into(), id1);
    old.get("/app/acme").await.expect_status(303);
    b.get("/app/acme").await.expect_status(200);
}

on_both!(cookies_are_httponly_lax_and_secure_behind_https, cheap);
async fn cookies_are_httponly_lax_and_secure_behind_https(app: &TestApp) {
    set_password(app, "bob@acme.test", PASSWORD).await;
    let mut plain = Browser::new(app);
    let r = plain.sign_in("bob@acme.test", PASSWORD).await.expect_status(303);
    let c = r.set_cookie("docket_session").unwrap();
    assert!(
        c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Path=/"),
        "{c}"
    );
    assert!(!c.contains("Secure"), "{c}");
    let mut tls = Browser::new(app);
    tls.extra.push(("x-forwarded-proto".into(), "https".into()));
    let r = tls.sign_in("bob@acme.test", PASSWORD).await.expect_status(303);
    let c = r.set_cookie("docket_session").unwrap();
    assert!(
        c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("; Secure"),
        "{c}"
    );
}

on_both!(every_page_forbids_framing_and_inline_script, cheap);
async fn every_page_forbids_framing_and_inline_script(app: &TestApp) {
    let task = crate::support::fixtures::standalone(app, "Headers", json!({"users": [app.admin_id]})).await;
    let mut b = signed_in(app).await;
    for path in [
        "/app/sign-in".to_string(),
        "/app/acme".into(),
        format!("/app/acme/tasks/{task}"),
        "/app/acme/templates".into(),
        "/app/acme/tasks/missing".into(),
        "/guest/nope/tasks/nope".into(),
    ] {
        let r = b.get(&path).await;
        let csp = r
            .headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{path}: {csp}"
        );
        assert_eq!(r.headers.get("x-frame-options").unwrap(), "DENY", "{path}");
        assert_eq!(r.headers.get("referrer-policy").unwrap(), "no-referrer", "{path}");
        assert!(
            !r.text.contains("<script>") && !r.text.contains(" style="),
            "{path}: inline code"
        );
    }
    // The assets: content-hashed names, cached for a year; the API's unknown paths stay JSON.
    let page = b.get("/app/sign-in").await;
    let css = page
        .text
        .split("href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    assert!(css.starts_with("/app/static/app.") && css.ends_with(".css"), "{css}");
    let r = b.get(&css).await.expect_status(200);
    assert!(r.headers["cache-control"].to_str().unwrap().contains("immutable"));
    assert!(r.text.contains(":root"));
    let js = page
        .text
        .split("src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    assert!(js.starts_with("/app/static/htmx.") && js.ends_with(".js"), "{js}");
    b.get(&js).await.expect_status(200);
    b.get("/app/static/app.0000000000000000.css").await.expect_status(404);
    for path in ["/nope", "/api/nope", "/organizations/acme/nope"] {
        let r = app.get(path).await;
        assert_eq!(r.status, 404, "{path}");
        assert!(r.body["message"].is_string(), "{path}: {}", r.text);
    }
}

on_both!(another_organizations_task_is_not_found, cheap);
async fn another_organizations_task_is_not_found(app: &TestApp) {
    let other_token = app.add_org("other", 2001).await;
    let r = app
        .send(
            app.request_as(&other_token, Method::POST, "/organizations/other/tasks")
                .json(&json!({"title": "Other secret", "owners": {"users": [2001]}})),
        )
        .await
        .expect(201);
    let theirs = r.data()["id"].as_str().unwrap().to_string();
    let mut b = signed_in(app).await;
    let r = b.get(&format!("/app/acme/tasks/{theirs}")).await.expect_status(404);
    assert!(!r.text.contains("Other secret"));
    let r = b.get(&format!("/app/other/tasks/{theirs}")).await;
    assert!(r.status == 403 || r.status == 404, "{}", r.status);
    assert!(!r.text.contains("Other secret"));
    let csrf = b.get("/app/acme").await.csrf();
    let w = b
        .post(
            &format!("/app/acme/tasks/{theirs}/comment"),
            &[("_csrf", &csrf), ("content", "hi")],
        )
        .await;
    assert_eq!(w.status, 404, "{}", w.text);
    // A member's page answers what the API answers that member (a light member and a task
    // assigned to somebody else).
    let (_, ann_token) = app.add_member("acme", 1005, "ann@acme.test", "light").await;
    let task = crate::support::fixtures::standalone(app, "Admin only", json!({"users": [app.admin_id]})).await;
    set_password(app, "ann@acme.test", PASSWORD).await;
    let mut ann = Browser::new(app);
    ann.sign_in("ann@acme.test", PASSWORD).await.expect_status(303);
    let api = app
        .send(app.request_as(&ann_token, Method::GET, &app.org_path(&format!("/tasks/{task}"))))
        .await;
    let page = ann.get(&format!("/app/acme/tasks/{task}")).await;
    assert_eq!(page.status, api.status, "{}", page.text);
}

on_both!(a_guest_link_opens_only_that_guests_tasks, cheap);
async fn a_guest_link_opens_only_that_guests_tasks(app: &TestApp) {
    let mut urls = Vec::new();
    for (title, guest) in [("For Ada", "ada@partner.test"), ("For Cy", "cy@partner.test")] {
        let r = app
            .json(
                Method::POST,
                &app.org_path("/tasks"),
                json!({"title": title, "owners": {"guests": [guest]}}),
            )
            .await
            .expect(201);
        let url = r.data()["owners"]["taskUrls"][0].as_str().unwrap().to_string();
        urls.push((r.data()["id"].as_str().unwrap().to_string(), url));
    }
    let path_of = |u: &str| format!("/guest/{}", u.split("/guest/").nth(1).unwrap());
    let mut b = Browser::new(app);
    let ada = b.get(&path_of(&urls[0].1)).await.expect_status(200);
    assert!(ada.text.contains("For Ada"));
    let cy = b.get(&path_of(&urls[1].1)).await.expect_status(200);
    assert!(cy.text.contains("For Cy"));
    // Ada's code with Cy's task id: the same 404 as a made-up code.
    let ada_code = urls[0]
        .1
        .split("/guest/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let crossed = b
        .get(&format!("/guest/{ada_code}/tasks/{}", urls[1].0))
        .await
        .expect_status(404);
    assert!(!crossed.text.contains("For Cy"));
    let made_up = b
        .get(&format!("/guest/{}/tasks/{}", "A".repeat(40), urls[0].0))
        .await
        .expect_status(404);
    assert_eq!(crossed.text, made_up.text);
    b.get(&format!("/guest/{ada_code}")).await.expect_status(200);
    // A disabled guest's link stops working (a guest with open tasks cannot be disabled).
    app.json(
        Method::POST,
        &app.org_path("/completed-tasks"),
        json!({"task_id": urls[0].0}),
    )
    .await
    .expect(200);
    b.get(&path_of(&urls[0].1)).await.expect_status(200);
    app.call(Method::DELETE, &app.org_path("/guests/ada@partner.test/disable"))
        .await
        .expect(200);
    b.get(&path_of(&urls[0].1)).await.expect_status(404);
}

on_both!(html_in_user_text_is_escaped, cheap);
async fn html_in_user_text_is_escaped(app: &TestApp) {
    let probe = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let r = app
        .json(
            Method::POST,
            &app.org_path("/tasks"),
            json!({
                "title": probe,
                "summary": probe,
                "owners": {"users": [app.admin_id], "guests": ["eve@partner.test"]},
                "deadline": "2099-01-15 10:00:00",
                "form_fields": [{"label": probe, "field_type": "text", "required": false}]
            }),
        )
        .await
        .expect(201);
    let task = r.data()["id"].as_str().unwrap().to_string();
    let guest_url = r.data()["owners"]["taskUrls"][0].as_str().unwrap().to_string();
    let t = app
        .get(&app.org_path(&format!("/tasks/{task}?with=form_fields")))
        .await
        .expect(200);
    let field = t.data()["form_fields"]["data"][0]["id"].as_str().unwrap().to_string();
    app.json(
        Method::PUT,
        &app.org_path(&format!("/tasks/{task}")),
        json!({"taskdata": {&field: probe}}),
    )
    .await
    .expect(200);
    app.json(
        Method::POST,
        &app.org_path(&format!("/tasks/{task}/comment")),
        json!({"content": probe}),
    )
    .await
    .expect(201);
    let mut b = signed_in(app).await;
    let guest_path = format!("/guest/{}", guest_url.split("/guest/").nth(1).unwrap());
    for path in [
        format!("/app/acme/tasks/{task}"),
        "/app/acme?view=upcoming".into(),
        guest_path,
    ] {
        let page = b.get(&path).await.expect_status(200);
        assert!(
            page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{path}: {}",
            page.text
        );
        assert!(!page.text.contains("<script>alert(1)"), "{path}");
        assert!(!page.text.contains("<img src=x"), "{path}");
    }
}

on_both!(sign_in_attempts_are_limited, |c| {
    cheap(c);
    c.web.signin_limit = 3;
});
async fn sign_in_attempts_are_limited(app: &TestApp) {
    set_password(app, "bob@acme.test", PASSWORD).await;
    let mut b = Browser::new(app);
    for _ in 0..3 {
        b.sign_in("bob@acme.test", "wrong password").await.expect_status(422);
    }
    // Even the right password waits now.
    let r = b.sign_in("bob@acme.test", PASSWORD).await.expect_status(429);
    assert!(r.set_cookie("docket_session").is_none());
    assert_eq!(r.headers["retry-after"], "900");
}

on_both!(an_admin_revokes_a_members_sessions, cheap);
async fn an_admin_revokes_a_members_sessions(app: &TestApp) {
    let mut b = signed_in(app).await;
    b.get("/app/acme").await.expect_status(200);
    let out = docket::admin::run(
        app.store(),
        docket::admin::AdminCommand::RevokeSessions {
            email: "bob@acme.test".into(),
            json: true,
            db: Default::default(),
        },
        docket_domain::time::now_ms(),
    )
    .await
    .unwrap();
    assert!(out.contains("\"sessions_ended\":1"), "{out}");
    b.get("/app/acme").await.expect_status(303);
}

on_both!(a_member_disabled_everywhere_cannot_sign_in_with_a_password, cheap);
async fn a_member_disabled_everywhere_cannot_sign_in_with_a_password(app: &TestApp) {
    let (ann, _) = app.add_member("acme", 2001, "ann@acme.test", "standard").await;
    set_password(app, "ann@acme.test", PASSWORD).await;
    app.call(Method::DELETE, &app.org_path(&format!("/users/{ann}/disable")))
        .await
        .expect(200);
    let mut b = Browser::new(app);
    let r = b.sign_in("ann@acme.test", PASSWORD).await;
    assert_eq!(r.status, 422, "the right password of a disabled member: {}", r.text);
    assert!(r.text.contains("The email or password is not right."), "{}", r.text);
    assert!(
        r.set_cookie("docket_session").is_none(),
        "no session for a disabled member"
    );
    // Enabled again, the same password signs in.
    app.call(Method::PUT, &app.org_path(&format!("/users/{ann}/enable")))
        .await
        .expect(200);
    let r = b.sign_in("ann@acme.test", PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert!(r.set_cookie("docket_session").is_some());
}
