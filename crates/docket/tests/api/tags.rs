//! Tags (TG1–TG5).

use std::collections::HashSet;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Resp, TestApp};

/// Creates a tag as the admin and returns its JSON.
async fn create(app: &TestApp, body: Value) -> Value {
    app.json(Method::POST, &app.org_path("/tags"), body)
        .await
        .expect(201)
        .data()
        .clone()
}

fn tag_path(app: &TestApp, id: &str) -> String {
    app.org_path(&format!("/tags/{id}"))
}

fn id_of(tag: &Value) -> String {
    tag["id"].as_str().expect("tag id").to_string()
}

/// The titles of a list response, in order.
fn titles(r: &Resp) -> Vec<String> {
    r.data()
        .as_array()
        .expect("list")
        .iter()
        .map(|t| t["title"].as_str().expect("title").to_string())
        .collect()
}

on_both!(tags_are_created_read_back_listed_updated_and_deleted);
async fn tags_are_created_read_back_listed_updated_and_deleted(app: &TestApp) {
    let t = create(app, json!({"title": "  Finance  ", "color": "#e74c3c"})).await;
    let id = id_of(&t);
    assert!(
        id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
        "id32: {id}"
    );
    assert_eq!(
        (t["title"].as_str(), t["color"].as_str(), t["type"].as_str()),
        (Some("Finance"), Some("#e74c3c"), Some("private"))
    );
    assert_eq!(
        (t["auto_generated"].as_bool(), t["deleted_at"].is_null()),
        (Some(false), true)
    );
    let created_at = t["created_at"].as_str().expect("created_at");
    assert!(created_at.len() == 24 && created_at.ends_with('Z'), "{created_at}");
    assert_eq!(
        t.as_object().map(|o| o.len()),
        Some(7),
        "exactly the keys of §2.10: {t}"
    );

    // Read back, under both prefixes.
    let r = app.get(&tag_path(app, &id)).await.expect(200);
    assert_eq!(r.data(), &t);
    let r = app.get(&format!("/api{}", tag_path(app, &id))).await.expect(200);
    assert_eq!(r.data(), &t);
    let r = app.get(&app.org_path("/tags")).await.expect(200);
    assert_eq!(r.data(), &json!([t.clone()]));
    assert_eq!(r.body["meta"]["pagination"]["total"], 1);

    // A partial update changes only what it names.
    let r = app
        .json(Method::PUT, &tag_path(app, &id), json!({"title": "Budget"}))
        .await
        .expect(200);
    assert_eq!(
        (r.data()["title"].as_str(), r.data()["color"].as_str()),
        (Some("Budget"), Some("#e74c3c"))
    );
    assert_eq!(r.data()["created_at"], t["created_at"]);
    let r = app.get(&tag_path(app, &id)).await.expect(200);
    assert_eq!(
        (r.data()["title"].as_str(), r.data()["color"].as_str()),
        (Some("Budget"), Some("#e74c3c"))
    );
    let r = app
        .json(Method::PUT, &tag_path(app, &id), json!({"Color": "#00FF7f"}))
        .await
        .expect(200);
    assert_eq!(
        (r.data()["title"].as_str(), r.data()["color"].as_str()),
        (Some("Budget"), Some("#00FF7f"))
    );
    // `null` clears the color; an empty body changes nothing.
    app.json(Method::PUT, &tag_path(app, &id), json!({"color": null}))
        .await
        .expect(200);
    let r = app.get(&tag_path(app, &id)).await.expect(200);
    assert_eq!(
        (r.data()["title"].as_str(), r.data()["color"].is_null()),
        (Some("Budget"), true)
    );
    app.call(Method::PUT, &tag_path(app, &id)).await.expect(200);
    let r = app.get(&tag_path(app, &id)).await.expect(200);
    assert_eq!(
        (r.data()["title"].as_str(), r.data()["color"].is_null()),
        (Some("Budget"), true)
    );

    // PascalCase keys and a form body read like JSON; a tag without a color has `null`.
    let u = create(app, json!({"Title": "Urgent"})).await;
    assert!(u["color"].is_null());
    let form = app
        .request(Method::POST, &app.org_path("/tags"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("title=Ops&color=%23123abc");
    let r = app.send(form).await.expect(201);
    assert_eq!(r.data()["color"], "#123abc");

    // Deleted: gone from reads and lists; deleting again still answers 204.
    let r = app.call(Method::DELETE, &tag_path(app, &id)).await.expect(204);
    assert!(r.text.is_empty());
    app.get(&tag_path(app, &id)).await.expect(404);
    let r = app.get(&app.org_path("/tags")).await.expect(200);
    assert_eq!(titles(&r), ["Ops", "Urgent"]);
    app.call(Method::DELETE, &tag_path(app, &id)).await.expect(204);
    // The title is free again.
    create(app, json!({"title": "budget"})).await;
}

on_both!(titles_are_unique_in_an_organization_ignoring_case);
async fn titles_are_unique_in_an_organization_ignoring_case(app: &TestApp) {
    let finance = create(app, json!({"title": "Finance"})).await;
    let msg = app
        .json(Method::POST, &app.org_path("/tags"), json!({"title": " FINANCE "}))
        .await
        .expect_invalid("title");
    assert_eq!(msg, "The title has already been taken.");
    let other = create(app, json!({"title": "Other"})).await;
    let r = app
        .json(Method::PUT, &tag_path(app, &id_of(&other)), json!({"title": "finance"}))
        .await;
    assert_eq!(r.expect_invalid("title"), "The title has already been taken.");
    let r = app.get(&tag_path(app, &id_of(&other))).await.expect(200);
    assert_eq!(r.data()["title"], "Other");
    // A tag may change the case of its own title.
    app.json(
        Method::PUT,
        &tag_path(app, &id_of(&finance)),
        json!({"title": "FINANCE"}),
    )
    .await
    .expect(200);
    let r = app.get(&tag_path(app, &id_of(&finance))).await.expect(200);
    assert_eq!(r.data()["title"], "FINANCE");
    let r = app.get(&app.org_path("/tags")).await.expect(200);
    assert_eq!(titles(&r), ["FINANCE", "Other"]);

    // Another organization may use the same title.
    let zeta = app.add_org("zeta", 2001).await;
    let r = app
        .send(
            app.request_as(&zeta, Method::POST, "/organizations/zeta/tags")
                .json(&json!({"title": "finance"})),
        )
        .await;
    assert_eq!(r.expect(201).data()["title"], "finance");

    // Racing creates of one title: the constraint decides, and the losers get the same 422.
    let body = json!({"title": "Race"});
    let path = app.org_path("/tags");
    let (a, b, c, d) = tokio::join!(
        app.json(Method::POST, &path, body.clone()),
        app.json(Method::POST, &path, json!({"title": "RACE"})),
        app.json(Method::POST, &path, json!({"title": "race"})),
        app.json(Method::POST, &path, body.clone()),
    );
    let all = [a, b, c, d];
    assert_eq!(
        all.iter().filter(|r| r.status == 201).count(),
        1,
        "{:?}",
        all.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    for r in all.iter().filter(|r| r.status != 201) {
        assert_eq!(r.expect_invalid("title"), "The title has already been taken.");
    }
    let r = app.get(&app.org_path("/tags?q=race")).await.expect(200);
    assert_eq!(r.body["meta"]["pagination"]["total"], 1);
}

on_both!(invalid_fields_are_reported_together_and_change_nothing);
async fn invalid_fields_are_reported_together_and_change_nothing(app: &TestApp) {
    let path = app.org_path("/tags");
    let r = app
        .json(Method::POST, &path, json!({"title": "x".repeat(31), "color": "red"}))
        .await;
    assert_eq!(
        r.expect_invalid("title"),
        "The title may not be greater than 30 characters."
    );
    assert_eq!(
        r.expect_invalid("color"),
        "The color must be a hex color of the form #rrggbb."
    );
    assert_eq!(
        r.body["message"],
        "The title may not be greater than 30 characters. (and 1 more error)"
    );
    let r = app.json(Method::POST, &path, json!({"title": 42, "color": 7})).await;
    assert_eq!(r.expect_invalid("title"), "The title must be a string.");
    assert_eq!(r.expect_invalid("color"), "The color must be a string.");
    let r = app.json(Method::POST, &path, json!({"color": "#fff"})).await;
    assert_eq!(r.expect_invalid("title"), "The title field is required.");
    r.expect_invalid("color");
    assert_eq!(
        app.json(Method::POST, &path, json!({"title": "   "}))
            .await
            .expect_invalid("title"),
        "The title field is required."
    );
    for bad in [
        "#12345", "#1234567", "123456#", "#GGGGGG", "e74c3c", "#e74c3", "##e74c3",
    ] {
        app.json(Method::POST, &path, json!({"title": "T", "color": bad}))
            .await
            .expect_invalid("color");
    }
    let r = app.get(&path).await.expect(200);
    assert_eq!(
        r.body["meta"]["pagination"]["total"], 0,
        "no failed create stored anything"
    );

    // The limits are inclusive and count characters, not bytes.
    let thirty = "é".repeat(30);
    let t = create(app, json!({"title": thirty, "color": "#ABCdef"})).await;
    assert_eq!(
        (t["title"].as_str(), t["color"].as_str()),
        (Some(thirty.as_str()), Some("#ABCdef"))
    );

    let id = id_of(&t);
    let r = app.json(Method::PUT, &tag_path(app, &id), json!({"title": null})).await;
    assert_eq!(r.expect_invalid("title"), "The title field is required.");
    let r = app
        .json(
            Method::PUT,
            &tag_path(app, &id),
            json!({"title": "y".repeat(31), "color": "#zzzzzz"}),
        )
        .await;
    r.expect_invalid("title");
    r.expect_invalid("color");
    let r = app
        .json(Method::PUT, &tag_path(app, &id), json!({"title": ["A"], "color": true}))
        .await;
    r.expect_invalid("title");
    r.expect_invalid("color");
    let r = app.get(&tag_path(app, &id)).await.expect(200);
    assert_eq!(
        (r.data()["title"].as_str(), r.data()["color"].as_str()),
        (Some(thirty.as_str()), Some("#ABCdef"))
    );
}

on_both!(light_members_read_tags_but_only_admins_and_standard_members_write);
async fn light_members_read_tags_but_only_admins_and_standard_members_write(app: &TestApp) {
    let (_, light) = app.add_member("acme", 1005, "lee@acme.test", "light").await;
    let (_, standard) = app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let t = create(app, json!({"title": "Finance"})).await;
    let path = tag_path(app, &id_of(&t));
    let as_light = |method: Method, p: &str| app.request_as(&light, method, p);

    let r = app
        .send(as_light(Method::POST, &app.org_path("/tags")).json(&json!({"title": "Mine"})))
        .await;
    assert_eq!((r.status, r.body["code"].as_str()), (403, Some("FORBIDDEN")));
    assert_eq!(r.body["message"], "You don't have permission to do this.");
    let r = app
        .send(as_light(Method::PUT, &path).json(&json!({"title": "Renamed"})))
        .await;
    assert_eq!(r.status, 403);
    let r = app.send(as_light(Method::DELETE, &path)).await;
    assert_eq!(r.status, 403);
    // Permission comes before validation.
    let r = app
        .send(as_light(Method::POST, &app.org_path("/tags")).json(&json!({"title": 5})))
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .send(as_light(Method::PUT, &path).json(&json!({"color": "red"})))
        .await;
    assert_eq!(r.status, 403);

    let r = app.send(as_light(Method::GET, &path)).await.expect(200);
    assert_eq!(
        r.data()["title"],
        "Finance",
        "the light member's writes changed nothing"
    );
    let r = app
        .send(as_light(Method::GET, &app.org_path("/tags")))
        .await
        .expect(200);
    assert_eq!(titles(&r), ["Finance"]);

    let as_standard = |method: Method, p: &str| app.request_as(&standard, method, p);
    let r = app
        .send(as_standard(Method::POST, &app.org_path("/tags")).json(&json!({"title": "Ops"})))
        .await
        .expect(201);
    let ops = tag_path(app, &id_of(r.data()));
    app.send(as_standard(Method::PUT, &path).json(&json!({"color": "#000000"})))
        .await
        .expect(200);
    app.send(as_standard(Method::DELETE, &ops)).await.expect(204);
    let r = app.get(&app.org_path("/tags")).await.expect(200);
    assert_eq!(titles(&r), ["Finance"]);
    assert_eq!(r.data()[0]["color"], "#000000");
}

on_both!(another_organizations_tags_are_not_found_and_not_deleted);
async fn another_organizations_tags_are_not_found_and_not_deleted(app: &TestApp) {
    let zeta = app.add_org("zeta", 2001).await;
    let r = app
        .send(
            app.request_as(&zeta, Method::POST, "/organizations/zeta/tags")
                .json(&json!({"title": "Secret"})),
        )
        .await;
    let zeta_id = id_of(r.expect(201).data());
    let foreign = tag_path(app, &zeta_id);

    let r = app.get(&foreign).await;
    assert_eq!((r.status, r.body["code"].as_str()), (404, Some("RESOURCE_NOT_FOUND")));
    app.json(Method::PUT, &foreign, json!({"title": "Mine"}))
        .await
        .expect(404);
    app.call(Method::DELETE, &foreign).await.expect(204);
    let r = app.get(&app.org_path("/tags")).await.expect(200);
    assert_eq!(r.data(), &json!([]));
    let r = app
        .send(app.request_as(&zeta, Method::GET, &format!("/organizations/zeta/tags/{zeta_id}")))
        .await
        .expect(200);
    assert_eq!(r.data()["title"], "Secret", "acme's delete did not reach zeta's tag");
    // Not a member of zeta.
    let r = app.get("/organizations/zeta/tags").await;
    assert_eq!((r.status, r.body["code"].as_str()), (403, Some("FORBIDDEN")));
    app.get("/organizations/nope/tags").await.expect(404);

    // The tag is checked before the role, and both before the body.
    let (_, light) = app.add_member("acme", 1005, "lee@acme.test", "light").await;
    let missing = tag_path(app, "0123456789abcdef0123456789abcdef");
    let r = app
        .send(app.request_as(&light, Method::PUT, &missing).json(&json!({"title": 5})))
        .await;
    assert_eq!(r.status, 404);
    app.json(Method::PUT, &missing, json!({"title": 5})).await.expect(404);
}

on_both!(the_sdk_page_walk_collects_every_tag);
async fn the_sdk_page_walk_collects_every_tag(app: &TestApp) {
    for i in 0..23 {
        create(app, json!({"title": format!("tag {i:02}")})).await;
    }
    // As the SDK walks: from page 1 to total_pages, then compare what it collected with total.
    let (mut seen, mut page, mut total_pages) = (Vec::new(), 1, 1);
    while page <= total_pages {
        let r = app
            .get(&app.org_path(&format!("/tags?page={page}&per_page=10")))
            .await
            .expect(200);
        let p = r.body["meta"]["pagination"].clone();
        assert_eq!(
            (p["total"].as_i64(), p["per_page"].as_i64(), p["current_page"].as_i64()),
            (Some(23), Some(10), Some(page))
        );
        assert_eq!(p["count"].as_u64(), r.data().as_array().map(|a| a.len() as u64));
        total_pages = p["total_pages"].as_i64().expect("total_pages");
        seen.extend(r.data().as_array().expect("list").iter().map(id_of));
        page += 1;
    }
    assert_eq!(total_pages, 3);
    assert_eq!(seen.len(), 23);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 23, "no tag on two pages");

    let r = app.get(&app.org_path("/tags?page=3&per_page=10")).await.expect(200);
    let p = &r.body["meta"]["pagination"];
    assert_eq!((p["count"].as_i64(), p["links"]["next"].is_null()), (Some(3), true));
    assert!(
        p["links"]["prev"]
            .as_str()
            .is_some_and(|l| l.ends_with("/organizations/acme/tags?per_page=10&page=2")),
        "{p}"
    );
    let r = app.get(&app.org_path("/tags")).await.expect(200);
    let p = &r.body["meta"]["pagination"];
    assert_eq!(
        (p["per_page"].as_i64(), p["count"].as_i64(), p["total_pages"].as_i64()),
        (Some(10), Some(10), Some(3))
    );
    let r = app.get(&app.org_path("/tags?page=1&per_page=100")).await.expect(200);
    assert_eq!(
        (
            r.data().as_array().map(Vec::len),
            r.body["meta"]["pagination"]["total_pages"].as_i64()
        ),
        (Some(23), Some(1))
    );
    let r = app.get(&app.org_path("/tags?page=4&per_page=10")).await.expect(200);
    assert_eq!(
        (r.data(), r.body["meta"]["pagination"]["total"].as_i64()),
        (&json!([]), Some(23))
    );
    let r = app
        .get(&app.org_path("/tags?without_pagination=true"))
        .await
        .expect(200);
    let p = &r.body["meta"]["pagination"];
    assert_eq!(
        (
            r.data().as_array().map(Vec::len),
            p["per_page"].as_i64(),
            p["total_pages"].as_i64()
        ),
        (Some(23), Some(23), Some(1))
    );
    app.get(&app.org_path("/tags?per_page=0"))
        .await
        .expect_invalid("per_page");
}

on_both!(tags_sort_by_title_or_creation_and_filter);
async fn tags_sort_by_title_or_creation_and_filter(app: &TestApp) {
    for title in ["banana", "Apple", "cherry", "100%"] {
        create(app, json!({"title": title})).await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let order =
        |q: &'static str| async move { titles(&app.get(&app.org_path(&format!("/tags{q}"))).await.expect(200)) };
    assert_eq!(order("").await, ["100%", "Apple", "banana", "cherry"]);
    assert_eq!(order("?sort=title").await, ["100%", "Apple", "banana", "cherry"]);
    assert_eq!(order("?sort=-title").await, ["cherry", "banana", "Apple", "100%"]);
    assert_eq!(order("?sort=created_at").await, ["banana", "Apple", "cherry", "100%"]);
    assert_eq!(order("?sort=-created_at").await, ["100%", "cherry", "Apple", "banana"]);
    assert_eq!(order("?sort_by=-title").await, ["cherry", "banana", "Apple", "100%"]);
    assert_eq!(order("?per_page=2&page=2&sort=-title").await, ["Apple", "100%"]);

    // q: title contains, ignoring case; LIKE wildcards are literal.
    assert_eq!(order("?q=AN").await, ["banana"]);
    assert_eq!(order("?q=p").await, ["Apple"]);
    assert_eq!(order("?q=%25").await, ["100%"]);
    assert_eq!(order("?q=_").await, Vec::<String>::new());
    // auto_generated: docket has no auto-generated tags; `all` and `status` change nothing.
    let r = app
        .get(&app.org_path("/tags?auto_generated=true&all=true"))
        .await
        .expect(200);
    assert_eq!(
        (r.data(), r.body["meta"]["pagination"]["total"].as_i64()),
        (&json!([]), Some(0))
    );
    assert_eq!(order("?auto_generated=false").await.len(), 4);
    assert_eq!(order("?all=true&status=archived").await.len(), 4);

    let r = app
        .get(&app.org_path("/tags?sort=color&auto_generated=maybe&page=0"))
        .await;
    assert_eq!(r.expect_invalid("sort"), "The selected sort is invalid.");
    r.expect_invalid("auto_generated");
    r.expect_invalid("page");
}

on_both!(statistics_are_included_only_on_request);
async fn statistics_are_included_only_on_request(app: &TestApp) {
    let t = create(app, json!({"title": "Finance"})).await;
    assert!(t.get("statistics").is_none());
    let stats =
        json!({"data": {"active_template": 0, "archived_template": 0, "active_process": 0, "archived_process": 0}});
    let r = app
        .get(&format!("{}?with=statistics", tag_path(app, &id_of(&t))))
        .await
        .expect(200);
    assert_eq!(r.data()["statistics"], stats);
    let r = app
        .get(&app.org_path("/tags?with=statistics,unknown"))
        .await
        .expect(200);
    assert_eq!(r.data()[0]["statistics"], stats);
    let r = app.get(&app.org_path("/tags")).await.expect(200);
    assert!(r.data()[0].get("statistics").is_none());
}

on_both!(deleting_a_missing_tag_answers_204);
async fn deleting_a_missing_tag_answers_204(app: &TestApp) {
    let r = app
        .call(Method::DELETE, &tag_path(app, "does-not-exist"))
        .await
        .expect(204);
    assert!(r.text.is_empty());
    // As the SDK sends it: a JSON content type and no body.
    let rb = app
        .request(Method::DELETE, &tag_path(app, "0123456789abcdef0123456789abcdef"))
        .header("Content-Type", "application/json");
    app.send(rb).await.expect(204);
}
