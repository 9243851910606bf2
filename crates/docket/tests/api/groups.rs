//! Groups (GR1–GR5), and the `with=groups` include of users.

use docket_domain::ids;
use docket_store::model::{NewMembership, NewOrg, NewToken, NewUser, Provision};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Resp, TestApp};

/// Creates a group as the admin and returns it.
async fn create(app: &TestApp, body: Value) -> Value {
    app.json(Method::POST, &app.org_path("/groups"), body)
        .await
        .expect(201)
        .data()
        .clone()
}

fn names(r: &Resp) -> Vec<String> {
    r.data()
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|g| g["name"].as_str().map(str::to_string))
        .collect()
}

/// Provisions organization `org` with `allow_manage_groups: false` and a standard member; returns
/// the member's token.
async fn strict_org_with_standard_member(app: &TestApp, org: &str, user_id: i64) -> String {
    let token = ids::new_token();
    let p = Provision {
        orgs: vec![NewOrg {
            id: org.into(),
            name: "Strict".into(),
            timezone: None,
            allow_user_invite: None,
            allow_manage_groups: Some(false),
            default_deadline: None,
            profile: None,
            must_be_new: true,
        }],
        users: vec![NewUser {
            id: Some(user_id),
            email: format!("std@{org}.test"),
            username: String::new(),
            first_name: "Std".into(),
            last_name: "Member".into(),
            profile: None,
        }],
        memberships: vec![NewMembership {
            org_id: org.into(),
            user: 0,
            role: "standard".into(),
            status: "active".into(),
        }],
        tokens: vec![NewToken {
            user: 0,
            hash: ids::token_hash(&token),
        }],
        now: docket_domain::time::now_ms(),
    };
    app.store().provision(&p).await.expect("provision strict org");
    token
}

on_both!(a_group_is_created_with_members_and_new_guests_in_one_go);
async fn a_group_is_created_with_members_and_new_guests_in_one_go(app: &TestApp) {
    app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    app.json(
        Method::POST,
        &app.org_path("/guests"),
        json!({"email": "known@partner.test", "first_name": "Known"}),
    )
    .await
    .expect(201);
    let body = json!({"name": "Finance Team", "description": "Money", "members": [1002, "1001", 1002],
                      "guests": ["New@Partner.test", "known@partner.test", "new@partner.test"]});
    let g = create(app, body).await;
    let id = g["id"].as_str().expect("id").to_string();
    assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    assert_eq!(
        (g["name"].as_str(), g["description"].as_str()),
        (Some("Finance Team"), Some("Money"))
    );
    assert_eq!(g["members"], json!([1002, 1001]), "given order, duplicates dropped");
    assert_eq!(g["guests"], json!(["new@partner.test", "known@partner.test"]));
    assert_eq!((g["logo"].clone(), g["deleted_at"].clone()), (Value::Null, Value::Null));
    assert_eq!(g["updated_at"], g["last_updated"]);
    assert!(g["created_at"].is_string());
    assert!(g.get("users").is_none(), "users only with=users");

    // The unknown address became a guest of the organization, without names.
    let r = app.get(&app.org_path("/guests/new%40partner.test")).await.expect(200);
    assert_eq!(
        (r.data()["first_name"].clone(), r.data()["last_name"].clone()),
        (Value::Null, Value::Null)
    );
    let r = app.get(&app.org_path("/guests")).await.expect(200);
    assert_eq!(r.body["meta"]["pagination"]["total"], 2);

    let r = app
        .get(&app.org_path(&format!("/groups/{id}?with=users")))
        .await
        .expect(200);
    assert_eq!(r.data()["members"], json!([1002, 1001]));
    let users = r.data()["users"]["data"].as_array().expect("users include");
    let ids: Vec<i64> = users.iter().filter_map(|u| u["id"].as_i64()).collect();
    assert_eq!(ids, [1002, 1001]);
    assert_eq!(users[1]["email"], "bob@acme.test");
    assert!(users[0].get("groups").is_none());

    // A form body with bracket arrays reads like JSON.
    let form = "name=Form+Team&members%5B%5D=1002&guests%5B0%5D=form%40partner.test";
    let r = app
        .send(
            app.request(Method::POST, &app.org_path("/groups"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(form),
        )
        .await
        .expect(201);
    assert_eq!(
        (r.data()["members"].clone(), r.data()["guests"].clone()),
        (json!([1002]), json!(["form@partner.test"]))
    );
    assert_eq!(r.data()["description"], Value::Null);
}

on_both!(group_refusals_name_the_field_and_create_nothing);
async fn group_refusals_name_the_field_and_create_nothing(app: &TestApp) {
    app.add_org("zeta", 2001).await;
    create(app, json!({"name": "Team"})).await;
    let cases = [
        ("no name", json!({}), "name", "The name field is required."),
        (
            "blank name",
            json!({"name": "  "}),
            "name",
            "The name field is required.",
        ),
        (
            "long name",
            json!({"name": "n".repeat(201)}),
            "name",
            "The name may not be greater than 200 characters.",
        ),
        (
            "name taken in another case",
            json!({"name": "TEAM"}),
            "name",
            "The name has already been taken.",
        ),
        (
            "name not a string",
            json!({"name": 5}),
            "name",
            "The name must be a string.",
        ),
        (
            "description not a string",
            json!({"name": "A", "description": ["x"]}),
            "description",
            "The description must be a string.",
        ),
        (
            "unknown member",
            json!({"name": "A", "members": [999]}),
            "members.0",
            "The selected members.0 is invalid.",
        ),
        (
            "member of another org",
            json!({"name": "A", "members": [1001, 2001]}),
            "members.1",
            "The selected members.1 is invalid.",
        ),
        (
            "member not an id",
            json!({"name": "A", "members": ["bob"]}),
            "members.0",
            "The selected members.0 is invalid.",
        ),
        (
            "guest not an email",
            json!({"name": "A", "guests": ["not-an-email"]}),
            "guests.0",
            "The guests.0 must be a valid email address.",
        ),
        (
            "guest not a string",
            json!({"name": "A", "guests": [1]}),
            "guests.0",
            "The guests.0 must be a valid email address.",
        ),
        (
            "guest is a member",
            json!({"name": "A", "guests": ["ok@partner.test", "BOB@acme.test"]}),
            "guests.1",
            "The guests.1 belongs to a member; add members through members.",
        ),
    ];
    for (what, body, field, message) in cases {
        let r = app.json(Method::POST, &app.org_path("/groups"), body).await;
        assert_eq!(r.expect_invalid(field), message, "{what}");
    }
    let body = json!({"name": "", "members": [999], "guests": ["fresh@partner.test", "bad"]});
    let r = app.json(Method::POST, &app.org_path("/groups"), body).await;
    assert_eq!(r.body["errors"].as_object().map(|e| e.len()), Some(3), "{}", r.text);
    // Nothing was created: no group, no guest.
    let r = app.get(&app.org_path("/groups")).await.expect(200);
    assert_eq!(names(&r), ["Team"]);
    app.get(&app.org_path("/guests/fresh%40partner.test")).await.expect(404);
    app.get(&app.org_path("/guests/ok%40partner.test")).await.expect(404);
}

on_both!(group_updates_are_partial_and_lists_replace);
async fn group_updates_are_partial_and_lists_replace(app: &TestApp) {
    app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    create(app, json!({"name": "Other"})).await;
    let g = create(
        app,
        json!({"name": "Team", "description": "Old", "members": [1001], "guests": ["a@partner.test"]}),
    )
    .await;
    let path = app.org_path(&format!("/groups/{}", g["id"].as_str().expect("id")));

    let r = app
        .json(Method::PUT, &path, json!({"description": "New"}))
        .await
        .expect(200);
    let u = r.data();
    assert_eq!(
        (u["name"].as_str(), u["description"].as_str()),
        (Some("Team"), Some("New"))
    );
    assert_eq!(
        (u["members"].clone(), u["guests"].clone()),
        (json!([1001]), json!(["a@partner.test"]))
    );
    assert_eq!(u["created_at"], g["created_at"]);

    let r = app
        .json(Method::PUT, &path, json!({"members": [1002, 1001]}))
        .await
        .expect(200);
    assert_eq!(
        (r.data()["members"].clone(), r.data()["guests"].clone()),
        (json!([1002, 1001]), json!(["a@partner.test"]))
    );
    let r = app
        .json(Method::PUT, &path, json!({"guests": ["b@partner.test"], "members": []}))
        .await
        .expect(200);
    assert_eq!(
        (r.data()["members"].clone(), r.data()["guests"].clone()),
        (json!([]), json!(["b@partner.test"]))
    );
    // Replaced guests stay guests of the organization.
    app.get(&app.org_path("/guests/a%40partner.test")).await.expect(200);
    // Renaming to a different case of its own name is fine; to another group's name is not.
    let r = app.json(Method::PUT, &path, json!({"name": "TEAM"})).await.expect(200);
    assert_eq!(r.data()["name"], "TEAM");

    let cases = [
        (
            "null description",
            json!({"description": null}),
            "description",
            "The description field is required.",
        ),
        (
            "empty description",
            json!({"description": ""}),
            "description",
            "The description field is required.",
        ),
        (
            "null name",
            json!({"name": null}),
            "name",
            "The name field is required.",
        ),
        (
            "taken name",
            json!({"name": "other"}),
            "name",
            "The name has already been taken.",
        ),
        (
            "unknown member",
            json!({"members": [1001, 4242]}),
            "members.1",
            "The selected members.1 is invalid.",
        ),
        (
            "bad guest",
            json!({"guests": ["x@"]}),
            "guests.0",
            "The guests.0 must be a valid email address.",
        ),
    ];
    for (what, body, field, message) in cases {
        let r = app.json(Method::PUT, &path, body).await;
        assert_eq!(r.expect_invalid(field), message, "{what}");
    }
    // The SDK's update: the current values filled in, description omitted.
    let body = json!({"name": "Team", "members": [1001], "guests": []});
    app.json(Method::PUT, &path, body).await.expect(200);
    let r = app.get(&path).await.expect(200);
    let u = r.data();
    assert_eq!(
        (u["name"].as_str(), u["description"].as_str()),
        (Some("Team"), Some("New"))
    );
    assert_eq!((u["members"].clone(), u["guests"].clone()), (json!([1001]), json!([])));
    app.json(
        Method::PUT,
        &app.org_path("/groups/0123456789abcdef0123456789abcdef"),
        json!({"name": "X"}),
    )
    .await
    .expect(404);
}

on_both!(group_writes_follow_the_role_matrix);
async fn group_writes_follow_the_role_matrix(app: &TestApp) {
    let (_, light) = app.add_member("acme", 1005, "x@acme.test", "light").await;
    let (_, standard) = app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let g = create(app, json!({"name": "Team"})).await;
    let path = app.org_path(&format!("/groups/{}", g["id"].as_str().expect("id")));
    let writes = [
        (Method::POST, app.org_path("/groups"), json!({"name": "Mine"})),
        (Method::PUT, path.clone(), json!({"name": "Mine"})),
        (Method::DELETE, path.clone(), json!({})),
    ];
    for (method, p, body) in &writes {
        let r = app.send(app.request_as(&light, method.clone(), p).json(body)).await;
        assert_eq!(
            (r.status, r.body["message"].as_str()),
            (403, Some("You don't have permission to do this.")),
            "{method} {p}"
        );
    }
    // 404 comes before 403; light members read.
    let missing = app.org_path("/groups/ffffffffffffffffffffffffffffffff");
    let r = app.send(app.request_as(&light, Method::DELETE, &missing)).await;
    assert_eq!(r.status, 404);
    app.send(app.request_as(&light, Method::GET, &path)).await.expect(200);
    app.send(app.request_as(&light, Method::GET, &app.org_path("/groups")))
        .await
        .expect(200);
    // Standard members manage groups while the organization allows it.
    app.send(
        app.request_as(&standard, Method::PUT, &path)
            .json(&json!({"name": "Renamed"})),
    )
    .await
    .expect(200);
    let r = app.get(&path).await.expect(200);
    assert_eq!(r.data()["name"], "Renamed");

    let strict = strict_org_with_standard_member(app, "strict", 3001).await;
    let r = app
        .send(
            app.request_as(&strict, Method::POST, "/organizations/strict/groups")
                .json(&json!({"name": "No"})),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = app
        .send(
            app.request_as(&strict, Method::POST, "/organizations/strict/groups")
                .json(&json!({})),
        )
        .await;
    assert_eq!(r.status, 403, "403 before 422");
    app.send(app.request_as(&strict, Method::GET, "/organizations/strict/groups"))
        .await
        .expect(200);

    // Another organization's group is a 404 here.
    let zeta = app.add_org("zeta", 2001).await;
    let r = app
        .send(
            app.request_as(&zeta, Method::POST, "/organizations/zeta/groups")
                .json(&json!({"name": "Team"})),
        )
        .await
        .expect(201);
    let zpath = app.org_path(&format!("/groups/{}", r.data()["id"].as_str().expect("id")));
    app.get(&zpath).await.expect(404);
    app.call(Method::DELETE, &zpath).await.expect(404);
    app.json(Method::PUT, &zpath, json!({"name": "Mine"})).await.expect(404);
}

on_both!(deleting_a_group_keeps_its_members_and_guests);
async fn deleting_a_group_keeps_its_members_and_guests(app: &TestApp) {
    let g = create(
        app,
        json!({"name": "Team", "members": [1001], "guests": ["a@partner.test"]}),
    )
    .await;
    let path = app.org_path(&format!("/groups/{}", g["id"].as_str().expect("id")));
    let r = app.call(Method::DELETE, &path).await.expect(204);
    assert!(r.text.is_empty());
    app.get(&path).await.expect(404);
    app.call(Method::DELETE, &path).await.expect(404);
    app.get(&app.org_path("/guests/a%40partner.test")).await.expect(200);
    app.get(&app.org_path("/users/1001")).await.expect(200);
    let r = app.get(&app.org_path("/groups")).await.expect(200);
    assert_eq!(r.body["meta"]["pagination"]["total"], 0);
    // The name is free again.
    create(app, json!({"name": "team"})).await;
}

on_both!(group_lists_search_sort_and_paginate_consistently);
async fn group_lists_search_sort_and_paginate_consistently(app: &TestApp) {
    create(app, json!({"name": "Charlie", "description": "third"})).await;
    create(app, json!({"name": "alpha", "description": "The FIRST one"})).await;
    create(app, json!({"name": "Bravo"})).await;
    let r = app.get(&app.org_path("/groups?sort_by=name")).await.expect(200);
    assert_eq!(names(&r), ["alpha", "Bravo", "Charlie"], "case-insensitive");
    assert_eq!(r.body["meta"]["pagination"]["per_page"], 10);
    let r = app
        .get(&app.org_path("/groups?sort_by=name&sort=desc"))
        .await
        .expect(200);
    assert_eq!(names(&r), ["Charlie", "Bravo", "alpha"]);
    let r = app.get(&app.org_path("/groups?sort=-name")).await.expect(200);
    assert_eq!(names(&r), ["Charlie", "Bravo", "alpha"]);
    let r = app.get(&app.org_path("/groups?q=BRAV")).await.expect(200);
    assert_eq!(names(&r), ["Bravo"]);
    let r = app.get(&app.org_path("/groups?q=first")).await.expect(200);
    assert_eq!(names(&r), ["alpha"], "q searches descriptions too");
    app.get(&app.org_path("/groups?sort_by=size"))
        .await
        .expect_invalid("sort_by");
    app.get(&app.org_path("/groups?sort=sideways"))
        .await
        .expect_invalid("sort");

    // Default order is creation; updated_at follows the last change.
    let r = app.get(&app.org_path("/groups")).await.expect(200);
    let created: Vec<String> = r
        .data()
        .as_array()
        .expect("list")
        .iter()
        .map(|g| g["created_at"].as_str().expect("ts").to_string())
        .collect();
    let mut sorted = created.clone();
    sorted.sort();
    assert_eq!(created, sorted);

    // Walk the pages as the SDK does: stop at total_pages, then check the total.
    let mut seen = Vec::new();
    let mut page = 1;
    loop {
        let r = app
            .get(&app.org_path(&format!("/groups?sort_by=name&per_page=2&page={page}")))
            .await
            .expect(200);
        let p = r.body["meta"]["pagination"].clone();
        assert_eq!(p["count"].as_u64(), r.data().as_array().map(|a| a.len() as u64));
        seen.extend(names(&r));
        if p["current_page"].as_i64() >= p["total_pages"].as_i64() {
            assert_eq!(p["total"].as_u64(), Some(seen.len() as u64));
            assert_eq!(p["links"]["next"], Value::Null);
            break;
        }
        page += 1;
    }
    assert_eq!(seen, ["alpha", "Bravo", "Charlie"]);
    let r = app
        .get(&app.org_path("/groups?without_pagination=1&with=users"))
        .await
        .expect(200);
    assert_eq!(r.body["meta"]["pagination"]["per_page"], 3);
    assert_eq!(r.data()[0]["users"], json!({"data": []}));
}

on_both!(users_with_groups_include_each_members_groups);
async fn users_with_groups_include_each_members_groups(app: &TestApp) {
    app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    app.add_member("acme", 1003, "kim@acme.test", "light").await;
    create(app, json!({"name": "A", "members": [1001]})).await;
    create(
        app,
        json!({"name": "B", "members": [1002, 1001], "guests": ["g@partner.test"]}),
    )
    .await;
    let r = app.get(&app.org_path("/users?with=groups")).await.expect(200);
    let groups_of = |u: &Value| -> Vec<String> {
        u["groups"]["data"]
            .as_array()
            .expect("groups include")
            .iter()
            .filter_map(|g| g["name"].as_str().map(str::to_string))
            .collect()
    };
    let users = r.data().as_array().expect("list");
    assert_eq!(groups_of(&users[0]), ["A", "B"]);
    assert_eq!(groups_of(&users[1]), ["B"]);
    assert!(groups_of(&users[2]).is_empty());
    assert_eq!(users[1]["groups"]["data"][0]["guests"], json!(["g@partner.test"]));
    let r = app.get(&app.org_path("/users/1002?with=groups")).await.expect(200);
    assert_eq!(groups_of(r.data()), ["B"]);
    let r = app.get(&app.org_path("/me?with=groups")).await.expect(200);
    assert_eq!(groups_of(r.data()), ["A", "B"]);
    let r = app.get(&app.org_path("/users/1002")).await.expect(200);
    assert!(r.data().get("groups").is_none());
}
