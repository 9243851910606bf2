//! Members (U1–U8).

use reqwest::Method;
use serde_json::json;

use crate::support::TestApp;
use crate::support::fixtures::exec_sql;

on_both!(invite_creates_an_invited_member_that_lists_and_reads_back);
async fn invite_creates_an_invited_member_that_lists_and_reads_back(app: &TestApp) {
    let body = json!({"email": "New.Person@Example.com", "first_name": "New", "last_name": "Person", "role": "standard", "message": "Welcome"});
    let r = app
        .json(Method::POST, &app.org_path("/users/invite"), body)
        .await
        .expect(200);
    let u = r.data().clone();
    assert_eq!(u["email"], "new.person@example.com");
    assert_eq!(
        (u["status"].as_str(), u["active"].as_bool(), u["role"].as_str()),
        (Some("invited"), Some(false), Some("standard"))
    );
    assert_eq!(u["invited_by"], 1001);
    assert!(u["approved_at"].is_string());
    let id = u["id"].as_i64().expect("integer id");
    assert!(id > 1001, "new ids stay above provisioned ones");

    let r = app.get(&app.org_path(&format!("/users/{id}"))).await.expect(200);
    assert_eq!(r.data()["full_name"], "New Person");
    let r = app.get(&app.org_path("/users?q=PERS")).await.expect(200);
    assert_eq!(r.data().as_array().map(Vec::len), Some(1));
    assert_eq!(r.body["meta"]["pagination"]["per_page"], 1000);
    let r = app.get(&app.org_path("/users-list")).await.expect(200);
    assert!(r.body.get("meta").is_none());
    let ids: Vec<i64> = r
        .data()
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|u| u["id"].as_i64())
        .collect();
    assert_eq!(ids, vec![1001, id]);
    assert_eq!(r.data()[1].as_object().map(|o| o.len()), Some(9));

    // Inviting an active member is refused.
    app.add_member("acme", 2002, "sam@acme.test", "standard").await;
    let again = json!({"email": "SAM@acme.test", "first_name": "N", "last_name": "P", "role": "light"});
    let msg = app
        .json(Method::POST, &app.org_path("/users/invite"), again)
        .await
        .expect_invalid("email");
    assert_eq!(msg, "The email has already been taken.");
}

on_both!(inviting_again_a_member_who_has_not_accepted_resends_the_invitation);
async fn inviting_again_a_member_who_has_not_accepted_resends_the_invitation(app: &TestApp) {
    let path = app.org_path("/users/invite");
    let first = json!({"email": "pending@example.com", "first_name": "Pen", "last_name": "Ding", "role": "standard"});
    let u = app.json(Method::POST, &path, first).await.expect(200).data().clone();
    let id = u["id"].as_i64().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    // What the SDK's resend_invitation sends: placeholder names, role light, a reminder.
    let (_, sam) = app.add_member("acme", 2002, "sam@acme.test", "standard").await;
    let resend = json!({"email": "Pending@Example.com", "first_name": "User", "last_name": "Invite", "role": "light",
                        "message": "This is a reminder to join Tallyfy"});
    let r = app
        .send(app.request_as(&sam, Method::POST, &path).json(&resend))
        .await
        .expect(200);
    let again = r.data().clone();
    assert_eq!(again["id"].as_i64(), Some(id), "the same member");
    assert_eq!(
        (
            again["status"].as_str(),
            again["first_name"].as_str(),
            again["last_name"].as_str(),
            again["role"].as_str()
        ),
        (Some("invited"), Some("Pen"), Some("Ding"), Some("standard")),
        "name and role are kept"
    );
    assert_eq!(again["invited_by"], 2002, "the invitation is re-sent by the caller");
    assert!(
        again["approved_at"].as_str() > u["approved_at"].as_str(),
        "re-dated: {} after {}",
        again["approved_at"],
        u["approved_at"]
    );
    let r = app.get(&app.org_path(&format!("/users/{id}"))).await.expect(200);
    assert_eq!(r.data()["invited_by"], 2002);
    let r = app.get(&app.org_path("/users?q=pending")).await.expect(200);
    assert_eq!(r.data().as_array().map(Vec::len), Some(1), "no second member");

    // Every field is still checked first.
    let bad = json!({"email": "pending@example.com", "first_name": "", "last_name": "Invite", "role": "light"});
    app.json(Method::POST, &path, bad).await.expect_invalid("first_name");
    // A standard member may not re-send an admin's invitation; a light member nothing.
    let admin = json!({"email": "boss@example.com", "first_name": "B", "last_name": "Oss", "role": "admin"});
    app.json(Method::POST, &path, admin).await.expect(200);
    let resend_boss =
        json!({"email": "boss@example.com", "first_name": "User", "last_name": "Invite", "role": "light"});
    let r = app
        .send(app.request_as(&sam, Method::POST, &path).json(&resend_boss))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    app.json(Method::POST, &path, resend_boss).await.expect(200);
    let (_, lee) = app.add_member("acme", 2005, "lee@acme.test", "light").await;
    let r = app.send(app.request_as(&lee, Method::POST, &path).json(&resend)).await;
    assert_eq!(r.status, 403);

    // Once they have accepted, inviting again is refused.
    exec_sql(
        app,
        &format!("UPDATE memberships SET status = 'active' WHERE user_id = {id}"),
    )
    .await;
    let msg = app.json(Method::POST, &path, resend).await.expect_invalid("email");
    assert_eq!(msg, "The email has already been taken.");
}

on_both!(invite_reports_every_field_problem_at_once);
async fn invite_reports_every_field_problem_at_once(app: &TestApp) {
    let body = json!({"email": "not-an-email", "first_name": "https://spam.example", "last_name": "x".repeat(33), "role": "owner"});
    let r = app.json(Method::POST, &app.org_path("/users/invite"), body).await;
    for field in ["email", "first_name", "last_name", "role"] {
        r.expect_invalid(field);
    }
    assert_eq!(
        r.body["message"],
        "The email must be a valid email address. (and 3 more errors)"
    );
    let r = app.json(Method::POST, &app.org_path("/users/invite"), json!({})).await;
    assert_eq!(r.expect_invalid("email"), "The email field is required.");
    assert_eq!(r.expect_invalid("role"), "The role field is required.");
}

on_both!(invite_permissions_follow_the_role_matrix);
async fn invite_permissions_follow_the_role_matrix(app: &TestApp) {
    let (_, standard) = app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let (_, light) = app.add_member("acme", 1005, "lee@acme.test", "light").await;
    let path = app.org_path("/users/invite");
    let body = |role: &str, email: &str| json!({"email": email, "first_name": "A", "last_name": "B", "role": role});
    let r = app
        .send(
            app.request_as(&light, Method::POST, &path)
                .json(&body("light", "a@x.test")),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.body["code"], "FORBIDDEN");
    let r = app
        .send(
            app.request_as(&standard, Method::POST, &path)
                .json(&body("admin", "b@x.test")),
        )
        .await;
    assert_eq!(r.status, 403, "standard members cannot invite admins");
    app.send(
        app.request_as(&standard, Method::POST, &path)
            .json(&body("light", "c@x.test")),
    )
    .await
    .expect(200);
}

on_both!(role_changes_keep_an_administrator);
async fn role_changes_keep_an_administrator(app: &TestApp) {
    let (id, standard) = app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let r = app
        .json(
            Method::PUT,
            &app.org_path(&format!("/users/{id}/role")),
            json!({"role": "admin"}),
        )
        .await
        .expect(200);
    assert_eq!(r.data()["role"], "admin");
    // Standard members may not change roles.
    let r = app
        .send(
            app.request_as(&standard, Method::PUT, &app.org_path("/users/1001/role"))
                .json(&json!({"role": "light"})),
        )
        .await;
    assert_eq!(r.status, 200, "1002 is an admin now");
    // 1001 is light now and may not change roles; 1002 is the only admin left.
    let r = app
        .json(
            Method::PUT,
            &app.org_path(&format!("/users/{id}/role")),
            json!({"role": "standard"}),
        )
        .await;
    assert_eq!(r.status, 403);
    let as_1002 = |body: serde_json::Value, path: String| {
        app.send(app.request_as(&standard, Method::PUT, &app.org_path(&path)).json(&body))
    };
    let r = as_1002(json!({"role": "standard"}), format!("/users/{id}/role")).await;
    assert_eq!(
        r.expect_invalid("role"),
        "The organization must keep at least one administrator."
    );
    let r = as_1002(json!({"role": "boss"}), format!("/users/{id}/role")).await;
    assert_eq!(r.expect_invalid("role"), "The selected role is invalid.");
    as_1002(json!({"role": "light"}), "/users/999999/role".into())
        .await
        .expect(404);
    as_1002(json!({"role": "light"}), "/users/abc/role".into())
        .await
        .expect(404);
    let r = app.get(&app.org_path("/users/1001")).await.expect(200);
    assert_eq!(r.data()["role"], "light");
}

on_both!(a_disabled_member_loses_access_until_enabled);
async fn a_disabled_member_loses_access_until_enabled(app: &TestApp) {
    let (id, token) = app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    app.send(app.request_as(&token, Method::GET, &app.org_path("/me")))
        .await
        .expect(200);
    let r = app
        .call(Method::DELETE, &app.org_path(&format!("/users/{id}/disable")))
        .await
        .expect(200);
    assert_eq!(
        (r.data()["status"].as_str(), r.data()["disabled_by"].as_i64()),
        (Some("disabled"), Some(1001))
    );
    let r = app
        .send(app.request_as(&token, Method::GET, &app.org_path("/me")))
        .await;
    assert_eq!(
        (r.status, r.body["message"].as_str()),
        (403, Some("You don't have access to this organization."))
    );
    // Enable, as the SDK sends it: no body but a JSON content type.
    let r = app
        .send(
            app.request(Method::PUT, &app.org_path(&format!("/users/{id}/enable")))
                .header("Content-Type", "application/json"),
        )
        .await
        .expect(200);
    assert_eq!(r.data()["status"], "active");
    assert_eq!(r.data()["reactivated_by"], 1001);
    app.send(app.request_as(&token, Method::GET, &app.org_path("/me")))
        .await
        .expect(200);
    let r = app
        .call(Method::PUT, &app.org_path(&format!("/users/{id}/approve")))
        .await
        .expect(200);
    assert!(r.data()["approved_at"].is_string());
    // Nobody disables themself; standard members disable nobody.
    let r = app.call(Method::DELETE, &app.org_path("/users/1001/disable")).await;
    r.expect_invalid("user");
    let r = app
        .send(app.request_as(&token, Method::DELETE, &app.org_path("/users/1001/disable")))
        .await;
    assert_eq!(r.status, 403);
}

on_both!(users_sort_and_paginate_consistently);
async fn users_sort_and_paginate_consistently(app: &TestApp) {
    app.add_member("acme", 1003, "carol@acme.test", "light").await;
    app.add_member("acme", 1002, "alice@acme.test", "standard").await;
    let r = app.get(&app.org_path("/users?sort=-email")).await.expect(200);
    let emails: Vec<&str> = r
        .data()
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|u| u["email"].as_str())
        .collect();
    assert_eq!(emails, ["carol@acme.test", "bob@acme.test", "alice@acme.test"]);
    let r = app.get(&app.org_path("/users?per_page=2&page=2")).await.expect(200);
    assert_eq!(r.data()[0]["id"], 1003);
    let p = &r.body["meta"]["pagination"];
    assert_eq!(
        (p["total"].as_i64(), p["count"].as_i64(), p["total_pages"].as_i64()),
        (Some(3), Some(1), Some(2))
    );
    let r = app.get(&app.org_path("/users?page=9")).await.expect(200);
    assert_eq!(r.data(), &json!([]));
    app.get(&app.org_path("/users?sort=shoe_size"))
        .await
        .expect_invalid("sort");
    app.get(&app.org_path("/users?per_page=0"))
        .await
        .expect_invalid("per_page");
    let r = app
        .get(&app.org_path("/users?without_pagination=true"))
        .await
        .expect(200);
    let p = &r.body["meta"]["pagination"];
    assert_eq!((p["per_page"].as_i64(), p["total_pages"].as_i64()), (Some(3), Some(1)));
}
