//! CL2 create, CL3 read and CL4 update: the Template shape, defaults, validation naming the
//! field, the references a body names, and the role rules.

use reqwest::Method;
use serde_json::json;

use super::{create, path, template};
use crate::support::TestApp;
use crate::support::fixtures::{count_rows, seed_members};

on_both!(creates_a_template_with_every_default);
async fn creates_a_template_with_every_default(app: &TestApp) {
    let t = create(app, json!({"title": "  Client Onboarding  "})).await;
    let id = t["id"].as_str().unwrap();
    assert_eq!(id.len(), 32);
    assert_eq!(t["timeline_id"], t["id"]);
    assert_eq!(t["title"], "Client Onboarding");
    assert_eq!(t["alias"], format!("client-onboarding-{}", &id[..6]));
    assert_eq!(t["type"], "procedure");
    assert_eq!(t["status"], "active");
    assert_eq!(t["increment_id"], 1);
    assert_eq!(t["organization_id"], "acme");
    assert_eq!(t["owner_id"], 1001);
    assert_eq!(t["created_by"], 1001);
    assert_eq!(t["last_updated_by"], 1001);
    assert_eq!(t["dual_version_enabled"], false);
    assert_eq!(t["is_published_state"], true);
    for flag in [
        "starred",
        "is_public",
        "is_featured",
        "is_pinned",
        "can_add_oot",
        "auto_naming",
    ] {
        assert_eq!(t[flag], false, "{flag}");
    }
    for bare in [
        "prerun",
        "automated_actions",
        "industry_tags",
        "topic_tags",
        "users",
        "groups",
    ] {
        assert_eq!(t[bare], json!([]), "{bare}");
    }
    assert_eq!(t["steps_count"], 0);
    assert_eq!(t["started_processes"], 0);
    assert!(t["summary"].is_null() && t["folder_id"].is_null() && t["archived_at"].is_null());
    assert!(t["ko_form_blueprint_id"].is_null() && t["kickoff_sharing_user_id"].is_null());
    assert!(t.get("steps").is_none() && t.get("tags").is_none());
    // The second template takes the next number.
    let second = create(app, json!({"title": "Second"})).await;
    assert_eq!(second["increment_id"], 2);

    let got = app.get(&path(app, id, "")).await.expect(200);
    assert_eq!(got.data()["title"], "Client Onboarding");
    assert_eq!(got.data()["alias"], t["alias"]);
}

on_both!(create_stores_and_echoes_every_field);
async fn create_stores_and_echoes_every_field(app: &TestApp) {
    seed_members(app).await;
    let g = app
        .json(Method::POST, &app.org_path("/groups"), json!({"name": "Ops"}))
        .await
        .expect(201);
    let group = g.data()["id"].as_str().unwrap().to_string();
    let t = create(
        app,
        json!({"title": "Form", "type": "form", "summary": "S", "guidance": "<p>G</p>", "icon": "fa-star",
               "kickoff_title": "KT", "kickoff_description": "KD", "default_process_name_format": "{date}",
               "webhook": "https://hooks.example/t", "explanation_video": "https://video.example/v",
               "public_cover": "http://img.example/c.png", "alias": "my_form-1", "owner_id": 1002,
               "starred": true, "is_public": "1", "is_pinned": "yes", "can_add_oot": true,
               "dual_version_enabled": false, "users": [12345, "1005"], "groups": [group],
               "tags": ["finance"], "id": "ignored", "steps_count": 9}),
    )
    .await;
    assert_eq!(t["type"], "form");
    assert_eq!(t["summary"], "S");
    assert_eq!(t["guidance"], "<p>G</p>");
    assert_eq!(t["kickoff_title"], "KT");
    assert_eq!(t["default_process_name_format"], "{date}");
    assert_eq!(t["webhook"], "https://hooks.example/t");
    assert_eq!(t["public_cover"], "http://img.example/c.png");
    assert_eq!(t["alias"], "my_form-1");
    assert_eq!(t["owner_id"], 1002);
    assert_eq!(t["created_by"], 1001);
    assert_eq!(
        (t["starred"].clone(), t["is_public"].clone(), t["is_pinned"].clone()),
        (json!(true), json!(true), json!(true))
    );
    assert_eq!(t["can_add_oot"], true);
    assert_eq!(t["users"], json!([12345, 1005]));
    assert_eq!(t["groups"], json!([group]));
    assert_ne!(t["id"], "ignored");
    assert_eq!(t["steps_count"], 0);
    let id = t["id"].as_str().unwrap();
    let with = app.get(&path(app, id, "?with=tags,folder,stages")).await.expect(200);
    let tags = with.data()["tags"]["data"].as_array().unwrap().clone();
    assert_eq!(tags.len(), 1);
    assert_eq!(tags[0]["title"], "finance");
    assert_eq!(tags[0]["subject_type"], "Checklist");
    assert_eq!(tags[0]["subject_id"], id);
    assert!(tags[0]["id"].is_i64());
    assert_eq!(with.data()["folder"], json!({"data": null}));
    assert_eq!(with.data()["stages"], json!({"data": []}));
}

on_both!(create_refuses_bad_input_naming_each_field);
async fn create_refuses_bad_input_naming_each_field(app: &TestApp) {
    let url = app.org_path("/checklists");
    let r = app.json(Method::POST, &url, json!({})).await;
    assert_eq!(r.expect_invalid("title"), "The title field is required.");
    let r = app.json(Method::POST, &url, json!({"title": "x".repeat(251)})).await;
    assert_eq!(
        r.expect_invalid("title"),
        "The title may not be greater than 250 characters."
    );
    let r = app
        .json(
            Method::POST,
            &url,
            json!({"title": "T", "type": "checklist", "summary": "s".repeat(2001), "webhook": "nope",
                   "alias": "Not Valid", "owner_id": 999, "dual_version_enabled": true, "users": [1001, 777],
                   "groups": ["nope"], "folder_id": "nope", "starred": "maybe", "tags": [""]}),
        )
        .await;
    assert_eq!(r.expect_invalid("type"), "The selected type is invalid.");
    r.expect_invalid("summary");
    assert_eq!(r.expect_invalid("webhook"), "The webhook must be a valid URL.");
    assert_eq!(r.expect_invalid("alias"), "The alias format is invalid.");
    assert_eq!(r.expect_invalid("owner_id"), "The selected owner id is invalid.");
    assert_eq!(
        r.expect_invalid("dual_version_enabled"),
        "Dual-version templates are not supported."
    );
    assert_eq!(r.expect_invalid("users.1"), "The selected users.1 is invalid.");
    assert_eq!(r.expect_invalid("groups.0"), "The selected groups.0 is invalid.");
    assert_eq!(r.expect_invalid("folder_id"), "The selected folder id is invalid.");
    r.expect_invalid("starred");
    r.expect_invalid("tags.0");
    // Nothing was written.
    assert_eq!(
        count_rows(app, "SELECT COUNT(*) FROM checklists WHERE org_id = $1", "acme").await,
        0
    );
    // A taken alias.
    create(app, json!({"title": "A", "alias": "taken"})).await;
    let r = app
        .json(Method::POST, &url, json!({"title": "B", "alias": "taken"}))
        .await;
    assert_eq!(r.expect_invalid("alias"), "The alias has already been taken.");
    // A malformed body is a 400.
    let r = app
        .send(
            app.request(Method::POST, &url)
                .header("content-type", "application/json")
                .body("{"),
        )
        .await;
    assert_eq!(r.status, 400);
}

on_both!(update_changes_only_what_is_sent);
async fn update_changes_only_what_is_sent(app: &TestApp) {
    seed_members(app).await;
    let t = create(
        app,
        json!({"title": "Old", "summary": "keep", "users": [1002], "tags": ["a", "b"], "starred": true}),
    )
    .await;
    let id = t["id"].as_str().unwrap();
    let r = app
        .json(
            Method::PUT,
            &path(app, id, ""),
            json!({"type": "document", "users": [1005], "tags": ["b", "c"], "is_featured": true, "alias": "new-alias",
                   "guidance": "G", "steps": [{"title": "ignored"}], "automated_actions": [{"x": 1}]}),
        )
        .await
        .expect(200);
    let u = r.data();
    assert_eq!(u["title"], "Old");
    assert_eq!(u["summary"], "keep");
    assert_eq!(u["type"], "document");
    assert_eq!(u["starred"], true);
    assert_eq!(u["is_featured"], true);
    assert_eq!(u["alias"], "new-alias");
    assert_eq!(u["users"], json!([1005]));
    assert_eq!(u["steps_count"], 0);
    assert_eq!(u["automated_actions"], json!([]));
    let tags = app.get(&path(app, id, "?with=tags")).await.expect(200);
    let titles: Vec<&str> = tags.data()["tags"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, vec!["b", "c"]);
    // Clearing and the title rule.
    let r = app
        .json(
            Method::PUT,
            &path(app, id, ""),
            json!({"summary": null, "title": " New "}),
        )
        .await
        .expect(200);
    assert!(r.data()["summary"].is_null());
    assert_eq!(r.data()["title"], "New");
    let r = app.json(Method::PUT, &path(app, id, ""), json!({"title": ""})).await;
    assert_eq!(r.expect_invalid("title"), "The title field is required.");
    // A standard member's change moves last_updated_by.
    let (_, sam) = app.add_member("acme", 1003, "std@acme.test", "standard").await;
    let r = app
        .send(
            app.request_as(&sam, Method::PUT, &path(app, id, ""))
                .json(&json!({"starred": false})),
        )
        .await
        .expect(200);
    assert_eq!(r.data()["last_updated_by"], 1003);
    assert_eq!(r.data()["created_by"], 1001);
    // Another template's alias.
    create(app, json!({"title": "Other", "alias": "other"})).await;
    let r = app
        .json(Method::PUT, &path(app, id, ""), json!({"alias": "other"}))
        .await;
    assert_eq!(r.expect_invalid("alias"), "The alias has already been taken.");
}

on_both!(light_members_read_but_do_not_write);
async fn light_members_read_but_do_not_write(app: &TestApp) {
    let light = seed_members(app).await;
    let id = template(app, "T").await;
    let as_light = |m: Method, p: String| app.request_as(&light, m, &p);
    app.send(as_light(Method::GET, path(app, &id, ""))).await.expect(200);
    app.send(as_light(Method::GET, app.org_path("/checklists")))
        .await
        .expect(200);
    for (m, p) in [
        (Method::POST, app.org_path("/checklists")),
        (Method::PUT, path(app, &id, "")),
        (Method::DELETE, path(app, &id, "")),
        (Method::PUT, path(app, &id, "/restore")),
        (Method::POST, path(app, &id, "/clone")),
        (Method::PUT, path(app, &id, "/publish")),
        (Method::DELETE, path(app, &id, "/delete")),
    ] {
        let r = app
            .send(as_light(m.clone(), p.clone()).json(&json!({"title": "x"})))
            .await;
        assert_eq!(r.status, 403, "{m} {p}: {}", r.text);
        assert_eq!(r.body["code"], "FORBIDDEN");
    }
}

on_both!(unknown_and_foreign_templates_are_404);
async fn unknown_and_foreign_templates_are_404(app: &TestApp) {
    let other = app.add_org("globex", 2001).await;
    let theirs = app
        .send(
            app.request_as(&other, Method::POST, "/organizations/globex/checklists")
                .json(&json!({"title": "Theirs"})),
        )
        .await
        .expect(201);
    let theirs = theirs.data()["id"].as_str().unwrap().to_string();
    for p in [
        path(app, &theirs, ""),
        path(app, "0123456789abcdef0123456789abcdef", ""),
    ] {
        assert_eq!(app.get(&p).await.status, 404);
        assert_eq!(app.json(Method::PUT, &p, json!({"title": "x"})).await.status, 404);
        assert_eq!(app.call(Method::DELETE, &p).await.status, 404);
    }
    // Sequences are per organization.
    let mine = create(app, json!({"title": "Mine"})).await;
    assert_eq!(mine["increment_id"], 1);
    // The same path under /api.
    let id = mine["id"].as_str().unwrap();
    app.get(&format!("/api/organizations/acme/checklists/{id}"))
        .await
        .expect(200);
    // The MISC template stays hidden.
    let task = app
        .json(
            Method::POST,
            &app.org_path("/tasks"),
            json!({"title": "Fan", "owners": {"users": [1001]}, "separate_task_for_each_assignee": true}),
        )
        .await
        .expect(201);
    let run = task.data()["run_id"].as_str().unwrap().to_string();
    let r = app.get(&app.org_path(&format!("/runs/{run}"))).await.expect(200);
    let misc = r.data()["checklist_id"].as_str().unwrap().to_string();
    assert_eq!(app.get(&path(app, &misc, "")).await.status, 404);
    let listed = app.get(&app.org_path("/checklists?status=all")).await.expect(200);
    assert_eq!(listed.data().as_array().unwrap().len(), 1);
    // A literal segment wins over the id.
    let r = app.get(&app.org_path("/checklists/tags")).await;
    assert_eq!(r.status, 405);
}
