//! A guest's profile: created and read back by email, code and id, the refusals naming the
//! field, partial updates, and who may write.

use super::*;

on_both!(a_created_guest_reads_back_by_email_code_and_id);
async fn a_created_guest_reads_back_by_email_code_and_id(app: &TestApp) {
    let body = json!({"email": " Jane@Example.com ", "first_name": "Jane", "last_name": "Roe", "phone": "+1 555 0100",
                      "company_name": "Partner Ltd", "company_url": "https://partner.example", "timezone": "Europe/Berlin",
                      "external_sync_source": "Salesforce", "external_date_creation": "2024-07-15", "status": "lead"});
    let g = create(app, body).await;
    assert_eq!(g["email"], "jane@example.com");
    assert_eq!(
        (g["first_name"].as_str(), g["last_name"].as_str()),
        (Some("Jane"), Some("Roe"))
    );
    let id = g["id"].as_i64().expect("integer id");
    let link = g["link"].as_str().expect("link");
    let code = link
        .strip_prefix(&format!("{}/guest/", app.base))
        .expect("link under the public base");
    assert!(
        code.len() == 40 && code.bytes().all(|b| b.is_ascii_alphanumeric()),
        "{code}"
    );
    for key in ["last_accessed_at", "last_known_ip", "last_known_country", "deleted_at"] {
        assert_eq!(g[key], Value::Null, "{key}");
    }
    assert!(g.get("stats").is_none(), "stats only with=stats");
    let d = &g["details"];
    assert_eq!(d.as_object().map(|o| o.len()), Some(23), "every details key: {d}");
    assert_eq!(
        (
            d["first_name"].as_str(),
            d["phone_1"].as_str(),
            d["company_name"].as_str()
        ),
        (Some("Jane"), Some("+1 555 0100"), Some("Partner Ltd"))
    );
    assert_eq!(
        (
            d["external_sync_source"].as_str(),
            d["timezone"].as_str(),
            d["status"].as_str()
        ),
        (Some("salesforce"), Some("Europe/Berlin"), Some("lead"))
    );
    assert_eq!(d["external_date_creation"], "2024-07-15T00:00:00.000Z");
    assert_eq!(
        (
            d["phone_2"].clone(),
            d["disabled_at"].clone(),
            d["associated_members"].clone()
        ),
        (Value::Null, Value::Null, Value::Null)
    );

    // The SDK percent-encodes the email; any case of it finds the guest, as do code and id.
    for key in [
        "jane%40example.com",
        "JANE%40Example.COM",
        "jane@example.com",
        code,
        &id.to_string(),
    ] {
        let r = app.get(&app.org_path(&format!("/guests/{key}"))).await.expect(200);
        assert_eq!(r.data()["id"], id, "{key}");
        assert_eq!(r.data()["link"], link, "{key}");
    }
    let r = app
        .get(&app.org_path("/guests/jane%40example.com?with=stats"))
        .await
        .expect(200);
    assert_eq!(
        r.data()["stats"],
        json!({"assigned_tasks": 0, "tasks_completed": 0, "last_task_completed_at": null,
                                         "one_off_tasks_completed": 0, "last_one_off_task_completed_at": null})
    );
    for missing in ["nobody%40example.com", "999999", "x"] {
        app.get(&app.org_path(&format!("/guests/{missing}"))).await.expect(404);
    }
    let r = app
        .get("/api/organizations/acme/guests/jane%40example.com")
        .await
        .expect(200);
    assert_eq!(r.data()["link"], link, "links carry no /api prefix");
}

on_both!(guest_create_refusals_name_the_field);
async fn guest_create_refusals_name_the_field(app: &TestApp) {
    create(app, json!({"email": "jane@example.com"})).await;
    let long = "x".repeat(201);
    let cases = [
        ("no email", json!({}), "email", "The email field is required."),
        (
            "bad email",
            json!({"email": "nope"}),
            "email",
            "The email must be a valid email address.",
        ),
        (
            "a member's email",
            json!({"email": "Bob@Acme.test"}),
            "email",
            "The email belongs to a member of the organization.",
        ),
        (
            "a guest already",
            json!({"email": "JANE@example.com"}),
            "email",
            "The email has already been taken.",
        ),
        (
            "email not a string",
            json!({"email": 42}),
            "email",
            "The email must be a string.",
        ),
        (
            "long first name",
            json!({"email": "a@x.test", "first_name": long}),
            "first_name",
            "The first name may not be greater than 200 characters.",
        ),
        (
            "first name not a string",
            json!({"email": "a@x.test", "first_name": 7}),
            "first_name",
            "The first name must be a string.",
        ),
        (
            "long phone",
            json!({"email": "a@x.test", "phone": "1".repeat(21)}),
            "phone_1",
            "The phone 1 may not be greater than 20 characters.",
        ),
        (
            "long phone 2",
            json!({"email": "a@x.test", "phone_2": "1".repeat(21)}),
            "phone_2",
            "The phone 2 may not be greater than 20 characters.",
        ),
        (
            "relative url",
            json!({"email": "a@x.test", "company_url": "partner.example"}),
            "company_url",
            "The company url must be a valid URL.",
        ),
        (
            "bad image url",
            json!({"email": "a@x.test", "image_url": "/x.png"}),
            "image_url",
            "The image url must be a valid URL.",
        ),
        (
            "unknown timezone",
            json!({"email": "a@x.test", "timezone": "Mars/Olympus"}),
            "timezone",
            "The selected timezone is invalid.",
        ),
        (
            "other sync source",
            json!({"email": "a@x.test", "external_sync_source": "hubspot"}),
            "external_sync_source",
            "The selected external sync source is invalid.",
        ),
        (
            "bad date",
            json!({"email": "a@x.test", "external_date_creation": "yesterday"}),
            "external_date_creation",
            "The external date creation is not a valid date.",
        ),
    ];
    for (what, body, field, message) in cases {
        let r = app.json(Method::POST, &app.org_path("/guests"), body).await;
        assert_eq!(r.expect_invalid(field), message, "{what}");
    }
    // Every problem is reported at once, and nothing was created.
    let body = json!({"email": "bad", "last_name": "y".repeat(201), "contact_url": "x", "timezone": "Nowhere"});
    let r = app.json(Method::POST, &app.org_path("/guests"), body).await;
    assert_eq!(r.body["errors"].as_object().map(|e| e.len()), Some(4), "{}", r.text);
    assert_eq!(
        r.body["message"],
        "The email must be a valid email address. (and 3 more errors)"
    );
    let r = app.get(&app.org_path("/guests")).await.expect(200);
    assert_eq!(r.body["meta"]["pagination"]["total"], 1);
}

on_both!(guest_writes_follow_the_role_matrix_and_stay_in_their_organization);
async fn guest_writes_follow_the_role_matrix_and_stay_in_their_organization(app: &TestApp) {
    let (_, light) = app.add_member("acme", 1005, "x@acme.test", "light").await;
    let (_, standard) = app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    create(app, json!({"email": "jane@example.com"})).await;
    let jane = app.org_path("/guests/jane%40example.com");
    let writes = [
        (
            Method::POST,
            app.org_path("/guests"),
            json!({"email": "new@example.com"}),
        ),
        (Method::PUT, jane.clone(), json!({"first_name": "J"})),
        (Method::DELETE, format!("{jane}/disable"), json!({})),
        (Method::PUT, format!("{jane}/enable"), json!({})),
        (Method::DELETE, jane.clone(), json!({})),
    ];
    for (method, path, body) in &writes {
        let r = app.send(app.request_as(&light, method.clone(), path).json(body)).await;
        assert_eq!(
            (r.status, r.body["message"].as_str()),
            (403, Some("You don't have permission to do this.")),
            "{method} {path}"
        );
    }
    // Light members read; an unknown guest is a 404 before the role check.
    app.send(app.request_as(&light, Method::GET, &jane)).await.expect(200);
    app.send(app.request_as(&light, Method::GET, &app.org_path("/guests")))
        .await
        .expect(200);
    let r = app
        .send(
            app.request_as(&light, Method::PUT, &app.org_path("/guests/ghost%40example.com"))
                .json(&json!({})),
        )
        .await;
    assert_eq!(r.status, 404);
    // Standard members manage guests.
    let r = app
        .send(
            app.request_as(&standard, Method::PUT, &jane)
                .json(&json!({"first_name": "Janet"})),
        )
        .await
        .expect(200);
    assert_eq!(r.data()["first_name"], "Janet");
    app.send(
        app.request_as(&standard, Method::POST, &app.org_path("/guests"))
            .json(&json!({"email": "n@example.com"})),
    )
    .await
    .expect(201);

    // Another organization's guest is invisible here, by email, code or id.
    let zeta = app.add_org("zeta", 2001).await;
    let r = app
        .send(
            app.request_as(&zeta, Method::POST, "/organizations/zeta/guests")
                .json(&json!({"email": "z@example.com"})),
        )
        .await
        .expect(201);
    let (zid, zlink) = (
        r.data()["id"].as_i64().expect("id"),
        r.data()["link"].as_str().expect("link").to_string(),
    );
    let zcode = zlink.rsplit('/').next().expect("code");
    for key in ["z%40example.com".to_string(), zcode.to_string(), zid.to_string()] {
        app.get(&app.org_path(&format!("/guests/{key}"))).await.expect(404);
        app.call(Method::DELETE, &app.org_path(&format!("/guests/{key}")))
            .await
            .expect(404);
    }
    // The same email may be a guest of both organizations.
    create(app, json!({"email": "z@example.com"})).await;
    let r = app
        .send(app.request_as(&zeta, Method::GET, "/organizations/acme/guests"))
        .await;
    assert_eq!(r.status, 403);
}

on_both!(guest_updates_are_partial_and_never_change_the_email);
async fn guest_updates_are_partial_and_never_change_the_email(app: &TestApp) {
    app.add_member("acme", 1005, "x@acme.test", "light").await;
    let g = create(
        app,
        json!({"email": "jane@example.com", "first_name": "Jane", "last_name": "Roe", "company_name": "Old"}),
    )
    .await;
    let path = app.org_path("/guests/jane%40example.com");
    let r = app
        .json(
            Method::PUT,
            &path,
            json!({"first_name": "Janet", "phone": "123", "email": "other@example.com"}),
        )
        .await
        .expect(200);
    let u = r.data();
    assert_eq!(
        (u["email"].as_str(), u["first_name"].as_str(), u["last_name"].as_str()),
        (Some("jane@example.com"), Some("Janet"), Some("Roe"))
    );
    assert_eq!(
        (u["details"]["phone_1"].as_str(), u["details"]["company_name"].as_str()),
        (Some("123"), Some("Old"))
    );
    assert_eq!(
        (u["id"].clone(), u["link"].clone()),
        (g["id"].clone(), g["link"].clone())
    );

    // null and "" clear; associated_members replaces, drops duplicates, [] empties.
    let r = app
        .json(
            Method::PUT,
            &path,
            json!({"last_name": null, "company_name": "", "associated_members": [1001, "1005", 1001]}),
        )
        .await
        .expect(200);
    assert_eq!(
        (
            r.data()["last_name"].clone(),
            r.data()["details"]["company_name"].clone()
        ),
        (Value::Null, Value::Null)
    );
    assert_eq!(r.data()["details"]["associated_members"], json!([1001, 1005]));
    let r = app
        .json(Method::PUT, &path, json!({"associated_members": [1001, 999, "abc"]}))
        .await;
    assert_eq!(
        r.expect_invalid("associated_members.1"),
        "The selected associated_members.1 is invalid."
    );
    r.expect_invalid("associated_members.2");
    let r = app
        .json(
            Method::PUT,
            &path,
            json!({"timezone": "Atlantis", "phone_2": "9".repeat(30)}),
        )
        .await;
    r.expect_invalid("timezone");
    r.expect_invalid("phone_2");
    let r = app.get(&path).await.expect(200);
    assert_eq!(
        r.data()["details"]["associated_members"],
        json!([1001, 1005]),
        "refused updates change nothing"
    );
    let r = app
        .json(Method::PUT, &path, json!({"associated_members": []}))
        .await
        .expect(200);
    assert_eq!(r.data()["details"]["associated_members"], json!([]));

    // A form body, as PHP clients send it.
    let form = "first_name=Form&company_name=Acme+Partners&associated_members%5B%5D=1005";
    app.send(
        app.request(Method::PUT, &path)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form),
    )
    .await
    .expect(200);
    let r = app
        .get(&app.org_path(&format!("/guests/{}", g["id"])))
        .await
        .expect(200);
    let d = r.data();
    assert_eq!(
        (d["first_name"].as_str(), d["details"]["first_name"].as_str()),
        (Some("Form"), Some("Form"))
    );
    assert_eq!(d["details"]["company_name"], "Acme Partners");
    assert_eq!(d["details"]["associated_members"], json!([1005]));
    assert_eq!(d["details"]["phone_1"], "123");
    // An empty body changes nothing.
    let r = app
        .send(
            app.request(Method::PUT, &path)
                .header("Content-Type", "application/json"),
        )
        .await
        .expect(200);
    assert_eq!(r.data()["first_name"], "Form");
}

on_both!(guest_lists_search_sort_and_paginate_consistently);
async fn guest_lists_search_sort_and_paginate_consistently(app: &TestApp) {
    create(app, json!({"email": "b@example.com", "first_name": "Amy"})).await;
    create(app, json!({"email": "c@example.com", "last_name": "Zed"})).await;
    create(app, json!({"email": "a@example.com"})).await;
    let emails = |r: &crate::support::Resp| -> Vec<String> {
        r.data()
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|g| g["email"].as_str().map(str::to_string))
            .collect()
    };
    let r = app.get(&app.org_path("/guests")).await.expect(200);
    assert_eq!(
        emails(&r),
        ["b@example.com", "c@example.com", "a@example.com"],
        "oldest first"
    );
    let p = &r.body["meta"]["pagination"];
    assert_eq!(
        (p["per_page"].as_i64(), p["total"].as_i64(), p["count"].as_i64()),
        (Some(1000), Some(3), Some(3))
    );
    let r = app.get(&app.org_path("/guests?sort=-email")).await.expect(200);
    assert_eq!(emails(&r), ["c@example.com", "b@example.com", "a@example.com"]);
    let r = app.get(&app.org_path("/guests?sort=-created_at")).await.expect(200);
    assert_eq!(emails(&r), ["a@example.com", "c@example.com", "b@example.com"]);
    let r = app.get(&app.org_path("/guests?q=AMY")).await.expect(200);
    assert_eq!(emails(&r), ["b@example.com"]);
    let r = app.get(&app.org_path("/guests?q=zed")).await.expect(200);
    assert_eq!(emails(&r), ["c@example.com"]);
    let r = app.get(&app.org_path("/guests?q=a%40ex")).await.expect(200);
    assert_eq!(emails(&r), ["a@example.com"]);
    let r = app.get(&app.org_path("/guests?q=%25")).await.expect(200);
    assert_eq!(r.body["meta"]["pagination"]["total"], 0, "wildcards are literal");

    let r = app
        .get(&app.org_path("/guests?sort=email&per_page=2&page=2&with=stats"))
        .await
        .expect(200);
    assert_eq!(emails(&r), ["c@example.com"]);
    assert_eq!(r.data()[0]["stats"]["assigned_tasks"], 0);
    let p = &r.body["meta"]["pagination"];
    assert_eq!(
        (
            p["total"].as_i64(),
            p["count"].as_i64(),
            p["per_page"].as_i64(),
            p["current_page"].as_i64(),
            p["total_pages"].as_i64()
        ),
        (Some(3), Some(1), Some(2), Some(2), Some(2))
    );
    assert_eq!(p["links"]["next"], Value::Null);
    assert!(
        p["links"]["prev"]
            .as_str()
            .is_some_and(|l| l.contains("page=1") && l.contains("sort=email")),
        "{p}"
    );
    let r = app
        .get(&app.org_path("/guests?without_pagination=true"))
        .await
        .expect(200);
    let p = &r.body["meta"]["pagination"];
    assert_eq!((p["per_page"].as_i64(), p["total_pages"].as_i64()), (Some(3), Some(1)));
    let r = app.get(&app.org_path("/guests?page=5")).await.expect(200);
    assert_eq!(r.data(), &json!([]));
    app.get(&app.org_path("/guests?sort=phone"))
        .await
        .expect_invalid("sort");
    app.get(&app.org_path("/guests?page=0")).await.expect_invalid("page");

    let r = app.get(&app.org_path("/guests-list")).await.expect(200);
    assert!(r.body.get("meta").is_none());
    assert_eq!(emails(&r), ["b@example.com", "c@example.com", "a@example.com"]);
    let first = r.data()[0].as_object().expect("object");
    let keys: Vec<&str> = first.keys().map(String::as_str).collect();
    assert_eq!(keys, ["id", "email", "first_name", "last_name", "link"]);
    assert_eq!(first["first_name"], "Amy");
}
