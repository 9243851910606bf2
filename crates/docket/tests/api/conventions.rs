//! The HTTP conventions of spec §1 on the identity routes: the error envelope and the order of
//! checks (table-driven), both prefixes, bodies (JSON, form with brackets, empty), key matching.

use reqwest::Method;
use serde_json::json;

use crate::support::TestApp;

struct Case {
    what: &'static str,
    method: Method,
    path: String,
    token: Option<String>,
    client_header: bool,
    content_type: Option<&'static str>,
    body: Option<Vec<u8>>,
    status: u16,
    code: &'static str,
}

fn case(what: &'static str, method: Method, path: String, status: u16, code: &'static str) -> Case {
    Case {
        what,
        method,
        path,
        token: None,
        client_header: true,
        content_type: None,
        body: None,
        status,
        code,
    }
}

on_both!(every_refusal_uses_the_error_envelope_with_the_right_status);
async fn every_refusal_uses_the_error_envelope_with_the_right_status(app: &TestApp) {
    let zeta_token = app.add_org("zeta", 2001).await;
    let invite = app.org_path("/users/invite");
    let oversized = {
        let mut b = br#"{"email":"a@b.test","first_name":"A","last_name":"B","role":"light","message":""#.to_vec();
        b.extend(std::iter::repeat_n(b'x', 1024 * 1024 + 10));
        b.extend(br#""}"#);
        b
    };
    let cases = vec![
        Case {
            body: Some(b"{\"email\": ".to_vec()),
            content_type: Some("application/json"),
            ..case("malformed JSON", Method::POST, invite.clone(), 400, "BAD_REQUEST")
        },
        Case {
            body: Some(b"[1, 2]".to_vec()),
            content_type: Some("application/json"),
            ..case("non-object JSON", Method::POST, invite.clone(), 400, "BAD_REQUEST")
        },
        Case {
            body: Some(b"\xff\xfe".to_vec()),
            content_type: Some("application/json"),
            ..case("invalid UTF-8", Method::POST, invite.clone(), 400, "BAD_REQUEST")
        },
        Case {
            body: Some(br#"{"email": 42, "first_name": ["A"], "last_name": {"x": 1}, "role": true}"#.to_vec()),
            content_type: Some("application/json"),
            ..case("wrong types", Method::POST, invite.clone(), 422, "VALIDATION_ERROR")
        },
        Case {
            body: Some(oversized),
            content_type: Some("application/json"),
            ..case("oversized body", Method::POST, invite.clone(), 413, "PAYLOAD_TOO_LARGE")
        },
        case(
            "unknown organization",
            Method::GET,
            "/organizations/nope/users".into(),
            404,
            "RESOURCE_NOT_FOUND",
        ),
        case(
            "foreign organization",
            Method::GET,
            "/organizations/zeta/users".into(),
            403,
            "FORBIDDEN",
        ),
        case(
            "another org's user id",
            Method::GET,
            app.org_path("/users/2001"),
            404,
            "RESOURCE_NOT_FOUND",
        ),
        case(
            "non-numeric user id",
            Method::GET,
            app.org_path("/users/bob"),
            404,
            "RESOURCE_NOT_FOUND",
        ),
        Case {
            token: Some(String::new()),
            ..case(
                "missing token",
                Method::GET,
                app.org_path("/me"),
                401,
                "UNAUTHENTICATED",
            )
        },
        Case {
            token: Some("wrong-token".into()),
            ..case("wrong token", Method::GET, app.org_path("/me"), 401, "UNAUTHENTICATED")
        },
        Case {
            client_header: false,
            ..case(
                "missing X-Tallyfy-Client",
                Method::GET,
                app.org_path("/me"),
                401,
                "UNAUTHENTICATED",
            )
        },
        case(
            "unknown route",
            Method::GET,
            app.org_path("/snippets"),
            404,
            "ENDPOINT_NOT_FOUND",
        ),
        case(
            "unknown route under /api",
            Method::GET,
            "/api/nothing/here".into(),
            404,
            "ENDPOINT_NOT_FOUND",
        ),
        case(
            "wrong method",
            Method::PATCH,
            app.org_path("/users"),
            405,
            "METHOD_NOT_ALLOWED",
        ),
    ];
    for c in cases {
        let mut rb = app.bare(c.method.clone(), &c.path);
        match &c.token {
            None => rb = rb.bearer_auth(&app.token),
            Some(t) if !t.is_empty() => rb = rb.bearer_auth(t),
            Some(_) => {}
        }
        if c.client_header {
            rb = rb.header("X-Tallyfy-Client", "APIClient");
        }
        if let Some(ct) = c.content_type {
            rb = rb.header("Content-Type", ct);
        }
        if let Some(b) = c.body {
            rb = rb.body(b);
        }
        let r = app.send(rb).await;
        assert_eq!(r.status, c.status, "{}: {}", c.what, r.text);
        assert_eq!(r.body["error"], true, "{}: {}", c.what, r.text);
        assert_eq!(r.body["code"], c.code, "{}: {}", c.what, r.text);
        assert!(
            r.body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{}: {}",
            c.what,
            r.text
        );
        assert_eq!(r.header("content-type"), Some("application/json"), "{}", c.what);
        if c.status == 422 {
            let errors = r.body["errors"].as_object().expect("errors object");
            assert_eq!(errors.len(), 4, "{}: every field reported: {}", c.what, r.text);
        } else {
            assert!(r.body.get("errors").is_none(), "{}: errors only on 422", c.what);
        }
        if c.status == 405 {
            assert!(
                r.header("allow").is_some_and(|a| a.contains("GET")),
                "{}: Allow header",
                c.what
            );
        }
        if c.status == 401 {
            assert_eq!(r.header("www-authenticate"), Some("Bearer"));
        }
    }
    // The other organization's admin is fine in their own org.
    app.send(app.request_as(&zeta_token, Method::GET, "/organizations/zeta/users"))
        .await
        .expect(200);
}

on_both!(the_scheme_word_is_case_insensitive_and_whitespace_is_trimmed);
async fn the_scheme_word_is_case_insensitive_and_whitespace_is_trimmed(app: &TestApp) {
    let r = app
        .send(
            app.bare(Method::GET, &app.org_path("/me"))
                .header("Authorization", format!("bEaReR   {}  ", app.token))
                .header("X-Tallyfy-Client", "TallyfySDK"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .send(
            app.bare(Method::GET, &app.org_path("/me"))
                .header("Authorization", format!("Basic {}", app.token))
                .header("X-Tallyfy-Client", "x"),
        )
        .await;
    assert_eq!(r.status, 401);
}

on_both!(form_bodies_and_pascal_case_keys_read_like_json);
async fn form_bodies_and_pascal_case_keys_read_like_json(app: &TestApp) {
    let form = "Email=form%40example.com&FirstName=Form&last_name=Body&ROLE=light&extra%5Bnested%5D%5B%5D=1";
    let r = app
        .send(
            app.request(Method::POST, &app.org_path("/users/invite"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(form),
        )
        .await
        .expect(200);
    assert_eq!(
        (
            r.data()["email"].as_str(),
            r.data()["first_name"].as_str(),
            r.data()["role"].as_str()
        ),
        (Some("form@example.com"), Some("Form"), Some("light"))
    );
    let r = app
        .json(
            Method::POST,
            &app.org_path("/users/invite"),
            json!({"EMAIL": "pascal@example.com", "First_Name": "P", "LastName": "C", "Role": "standard"}),
        )
        .await
        .expect(200);
    assert_eq!(r.data()["last_name"], "C");
    let r = app
        .send(
            app.request(Method::POST, &app.org_path("/users/invite"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body("a[b=1"),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = app
        .send(
            app.request(Method::POST, &app.org_path("/users/invite"))
                .header("Content-Type", "multipart/form-data; boundary=x")
                .body("--x--"),
        )
        .await;
    assert_eq!(r.status, 400);
}

on_both!(health_and_ready_need_no_credentials);
async fn health_and_ready_need_no_credentials(app: &TestApp) {
    let r = app.send(app.bare(Method::GET, "/health")).await.expect(200);
    assert_eq!(r.body, json!({"status": "ok"}));
    app.send(app.bare(Method::GET, "/ready")).await.expect(200);
}

on_both!(the_largest_page_number_is_an_empty_page_on_every_list);
async fn the_largest_page_number_is_an_empty_page_on_every_list(app: &TestApp) {
    // Found by schemathesis: `page=i64::MAX` overflowed while computing the next page.
    let page = "page=9223372036854775807&per_page=1";
    for path in [
        "/tasks",
        "/runs",
        "/tags",
        "/groups",
        "/guests",
        "/users",
        "/webhook-events",
    ] {
        let r = app.get(&app.org_path(&format!("{path}?{page}"))).await.expect(200);
        assert_eq!(r.data(), &json!([]), "{path}");
        assert_eq!(r.body["meta"]["pagination"]["links"]["next"], json!(null), "{path}");
    }
    let r = app
        .get(&app.org_path(&format!("/search?search=x&on=process,task&tags=true&{page}")))
        .await
        .expect(200);
    assert_eq!(r.body["process"]["data"], json!([]));
    assert_eq!(r.body["task"]["meta"]["pagination"]["links"]["next"], json!(null));
}
