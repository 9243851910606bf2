//! F1–F5: creating, reading, listing, changing and deleting folders; bad input; roles.

use reqwest::Method;
use serde_json::json;

use super::{create, expect, folder_path, id_of, names};
use crate::support::TestApp;
use crate::support::fixtures::seed_members;

on_both!(folders_are_created_read_back_renamed_and_deleted);
async fn folders_are_created_read_back_renamed_and_deleted(app: &TestApp) {
    let f = create(app, "  Finance  ", None).await;
    let id = id_of(&f);
    assert!(
        id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
        "id32: {id}"
    );
    assert_eq!(
        (
            f["name"].as_str(),
            f["parent_id"].is_null(),
            f["folder_type"].as_str(),
            f["position"].as_i64(),
            f["total"].as_i64()
        ),
        (Some("Finance"), true, Some("checklist"), Some(1), Some(0))
    );
    let created_at = f["created_at"].as_str().expect("created_at");
    assert!(created_at.len() == 24 && created_at.ends_with('Z'), "{created_at}");
    assert_eq!(f["last_updated"], f["created_at"]);
    assert_eq!(f.as_object().map(|o| o.len()), Some(8), "exactly the Folder keys: {f}");

    // Read back, under both prefixes.
    assert_eq!(app.get(&folder_path(app, &id)).await.expect(200).data(), &f);
    assert_eq!(
        app.get(&format!("/api{}", folder_path(app, &id)))
            .await
            .expect(200)
            .data(),
        &f
    );

    // A second folder is appended; a run folder keeps its label.
    let r = app
        .json(
            Method::POST,
            &app.org_path("/folders"),
            json!({"name": "Ops", "folder_type": "Run", "parent_id": null}),
        )
        .await
        .expect(201);
    assert_eq!(
        (r.data()["position"].as_i64(), r.data()["folder_type"].as_str()),
        (Some(2), Some("run"))
    );

    // Rename: `name` is required on every update; the rest stays.
    let r = app
        .json(Method::PUT, &folder_path(app, &id), json!({"name": "Budget"}))
        .await
        .expect(200);
    assert_eq!(
        (
            r.data()["name"].as_str(),
            r.data()["position"].as_i64(),
            r.data()["folder_type"].as_str()
        ),
        (Some("Budget"), Some(1), Some("checklist"))
    );
    assert_eq!(r.data()["created_at"], f["created_at"]);
    let r = app
        .json(Method::PUT, &folder_path(app, &id), json!({"folder_type": "run"}))
        .await;
    assert_eq!(r.expect_invalid("name"), "The name field is required.");

    // Delete: 204, then 404 everywhere; the other folder moves up.
    app.call(Method::DELETE, &folder_path(app, &id)).await.expect(204);
    app.get(&folder_path(app, &id)).await.expect(404);
    app.call(Method::DELETE, &folder_path(app, &id)).await.expect(404);
    app.json(Method::PUT, &folder_path(app, &id), json!({"name": "x"}))
        .await
        .expect(404);
    let r = app.get(&app.org_path("/folders")).await.expect(200);
    assert_eq!(names(&r), expect(&[("Ops", 1)]));
}

on_both!(bad_folder_input_is_refused_naming_the_field);
async fn bad_folder_input_is_refused_naming_the_field(app: &TestApp) {
    let post = |body| app.json(Method::POST, "/organizations/acme/folders", body);
    assert_eq!(
        post(json!({})).await.expect_invalid("name"),
        "The name field is required."
    );
    assert_eq!(
        post(json!({"name": "   "})).await.expect_invalid("name"),
        "The name field is required."
    );
    assert_eq!(
        post(json!({"name": "x".repeat(33)})).await.expect_invalid("name"),
        "The name may not be greater than 32 characters."
    );
    post(json!({"name": "é".repeat(32)})).await.expect(201);
    assert_eq!(
        post(json!({"name": 5})).await.expect_invalid("name"),
        "The name must be a string."
    );
    assert_eq!(
        post(json!({"name": "a", "parent_id": "0123456789abcdef0123456789abcdef"}))
            .await
            .expect_invalid("parent_id"),
        "The selected parent id is invalid."
    );
    assert_eq!(
        post(json!({"name": "a", "folder_type": "process"}))
            .await
            .expect_invalid("folder_type"),
        "The selected folder type is invalid."
    );
    // Every problem at once.
    let r = post(json!({"name": "", "folder_type": 3, "parent_id": {}})).await;
    r.expect_invalid("name");
    r.expect_invalid("folder_type");
    r.expect_invalid("parent_id");
    // A malformed body is a 400.
    let r = app
        .send(
            app.request(Method::POST, "/organizations/acme/folders")
                .header("Content-Type", "application/json")
                .body("{"),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);

    // A folder of another organization is no parent here, and not visible.
    let other = app.add_org("globex", 3001).await;
    let theirs = app
        .send(
            app.request_as(&other, Method::POST, "/organizations/globex/folders")
                .json(&json!({"name": "Theirs"})),
        )
        .await
        .expect(201);
    let theirs = theirs.data()["id"].as_str().unwrap().to_string();
    post(json!({"name": "a", "parent_id": theirs}))
        .await
        .expect_invalid("parent_id");
    app.get(&folder_path(app, &theirs)).await.expect(404);
    app.call(Method::DELETE, &folder_path(app, &theirs)).await.expect(404);
    app.get("/organizations/nowhere/folders").await.expect(404);

    // Updates: position at least 1, an unknown parent, an unknown type.
    let f = id_of(&create(app, "Mine", None).await);
    let path = folder_path(app, &f);
    let put = |body| app.json(Method::PUT, &path, body);
    assert_eq!(
        put(json!({"name": "a", "position": 0}))
            .await
            .expect_invalid("position"),
        "The position must be at least 1."
    );
    put(json!({"name": "a", "position": "x"}))
        .await
        .expect_invalid("position");
    put(json!({"name": "a", "parent_id": theirs}))
        .await
        .expect_invalid("parent_id");
    put(json!({"name": "a", "folder_type": "x"}))
        .await
        .expect_invalid("folder_type");
    assert_eq!(
        app.get(&folder_path(app, &f)).await.expect(200).data()["name"],
        "Mine",
        "a refused update changes nothing"
    );

    // List parameters.
    for (query, field) in [
        ("folder_type=template", "folder_type"),
        ("sort=title", "sort"),
        ("pagination=maybe", "pagination"),
        ("page=0", "page"),
        ("per_page=x", "per_page"),
    ] {
        app.get(&format!("/organizations/acme/folders?{query}"))
            .await
            .expect_invalid(field);
    }
}

on_both!(light_members_read_folders_and_cannot_change_them);
async fn light_members_read_folders_and_cannot_change_them(app: &TestApp) {
    let light = seed_members(app).await;
    let (_, sam) = app.add_member("acme", 1003, "kim@acme.test", "standard").await;
    let f = id_of(&create(app, "Shared", None).await);
    let as_light = |m: Method, p: String| app.request_as(&light, m, &p);

    let r = app
        .send(as_light(Method::GET, app.org_path("/folders?with=children")))
        .await
        .expect(200);
    assert_eq!(r.data()[0]["id"], f.as_str());
    app.send(as_light(Method::GET, folder_path(app, &f))).await.expect(200);
    for (method, path, body) in [
        (Method::POST, app.org_path("/folders"), json!({"name": "x"})),
        (Method::PUT, folder_path(app, &f), json!({"name": "x"})),
        (Method::DELETE, folder_path(app, &f), json!({})),
    ] {
        let r = app.send(as_light(method.clone(), path.clone()).json(&body)).await;
        assert_eq!(
            (r.status, r.body["code"].as_str()),
            (403, Some("FORBIDDEN")),
            "{method} {path}"
        );
    }
    // An unknown folder is a 404 before the role is looked at.
    let r = app
        .send(as_light(Method::PUT, folder_path(app, "0123456789abcdef0123456789abcdef")).json(&json!({"name": "x"})))
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(
        app.get(&folder_path(app, &f)).await.expect(200).data()["name"],
        "Shared"
    );

    // A standard member may do everything.
    let r = app
        .send(
            app.request_as(&sam, Method::POST, &app.org_path("/folders"))
                .json(&json!({"name": "Sam's", "parent_id": f})),
        )
        .await
        .expect(201);
    let child = r.data()["id"].as_str().unwrap().to_string();
    app.send(
        app.request_as(&sam, Method::PUT, &folder_path(app, &child))
            .json(&json!({"name": "Kim's"})),
    )
    .await
    .expect(200);
    app.send(app.request_as(&sam, Method::DELETE, &folder_path(app, &child)))
        .await
        .expect(204);

    // A stranger's token: 403 in an organization they are not a member of.
    let other = app.add_org("globex", 3001).await;
    let r = app
        .send(app.request_as(&other, Method::GET, &app.org_path("/folders")))
        .await;
    assert_eq!(r.status, 403);
}
