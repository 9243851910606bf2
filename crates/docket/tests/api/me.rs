//! The caller and their organizations (M1–M4).

use reqwest::Method;
use serde_json::json;

use crate::support::TestApp;

on_both!(me_in_org_returns_the_caller_with_role_and_status);
async fn me_in_org_returns_the_caller_with_role_and_status(app: &TestApp) {
    let r = app.get(&app.org_path("/me")).await.expect(200);
    let me = r.data();
    assert_eq!(me["id"], 1001);
    assert_eq!(me["email"], "bob@acme.test");
    assert_eq!(me["full_name"], "Bob Stone");
    assert_eq!(me["role"], "admin");
    assert_eq!(me["status"], "active");
    assert_eq!(me["active"], true);
    assert_eq!(me["timezone"], "UTC");
    assert_eq!(me["UTC_offset"], "+00:00");
    assert!(
        me["created_at"]
            .as_str()
            .is_some_and(|s| s.len() == 24 && s.ends_with('Z')),
        "{me}"
    );
    for key in [
        "profile_pic",
        "locale",
        "phone",
        "job_title",
        "last_login_at",
        "disabled_at",
        "invited_by",
    ] {
        assert!(me.get(key).is_some(), "key {key} missing");
    }
    let r = app.get(&app.org_path("/me?with=country")).await.expect(200);
    assert_eq!(r.data()["country"], json!({"data": null}));
}

on_both!(organization_has_every_documented_key_and_the_callers_role);
async fn organization_has_every_documented_key_and_the_callers_role(app: &TestApp) {
    let (_, light) = app.add_member("acme", 1005, "ann@acme.test", "light").await;
    let r = app
        .send(app.request_as(&light, Method::GET, "/organizations/acme"))
        .await
        .expect(200);
    let org = r.data();
    assert_eq!(org["id"], "acme");
    assert_eq!(org["name"], "Acme");
    assert_eq!(org["user_role"], "light");
    assert_eq!(org["users_count"], 2);
    assert_eq!(org["default_deadline"], json!({"type": "days", "value": 5}));
    assert_eq!(org["webhook_date_field_format"], "yyyy-MM-ddTHH:mm:ssZ");
    for key in [
        "industry",
        "created_on",
        "last_updated",
        "allow_user_invite",
        "allow_manage_groups",
        "cadence_days",
        "timezone",
        "auto_complete_task_months",
    ] {
        assert!(org.get(key).is_some(), "key {key} missing");
    }
    // Both prefixes and a trailing slash serve the same thing.
    let r2 = app
        .send(app.request_as(&light, Method::GET, "/api/organizations/acme/"))
        .await
        .expect(200);
    assert_eq!(r2.data()["id"], "acme");
}

on_both!(me_and_my_organizations_span_every_membership);
async fn me_and_my_organizations_span_every_membership(app: &TestApp) {
    let other_token = app.add_org("zeta", 2001).await;
    // Bob (1001) joins zeta as well, after acme.
    let p = docket_store::model::Provision {
        users: vec![docket_store::model::NewUser {
            id: Some(1001),
            email: "bob@acme.test".into(),
            username: String::new(),
            first_name: String::new(),
            last_name: String::new(),
            profile: None,
        }],
        memberships: vec![docket_store::model::NewMembership {
            org_id: "zeta".into(),
            user: 0,
            role: "standard".into(),
            status: "active".into(),
        }],
        now: 0,
        ..Default::default()
    };
    app.store().provision(&p).await.expect("join zeta");
    let r = app.get("/me").await.expect(200);
    assert_eq!(r.data()["id"], 1001);
    assert_eq!(r.data()["role"], "admin", "M3 describes the first organization joined");

    let r = app.get("/me/organizations?per_page=1").await.expect(200);
    assert_eq!(r.data().as_array().map(Vec::len), Some(1));
    assert_eq!(r.data()[0]["name"], "Acme");
    let p = &r.body["meta"]["pagination"];
    assert_eq!(
        (p["total"].as_i64(), p["total_pages"].as_i64(), p["count"].as_i64()),
        (Some(2), Some(2), Some(1))
    );
    let next = p["links"]["next"].as_str().expect("next link");
    assert!(
        next.starts_with(&app.base) && next.ends_with("/me/organizations?per_page=1&page=2"),
        "{next}"
    );
    assert_eq!(p["links"]["prev"], serde_json::Value::Null);
    let r = app.get("/api/me/organizations?per_page=1&page=2").await.expect(200);
    assert_eq!(r.data()[0]["name"], "Org zeta");
    assert_eq!(r.data()[0]["user_role"], "standard");
    let prev = r.body["meta"]["pagination"]["links"]["previous"]
        .as_str()
        .expect("previous");
    assert!(prev.contains("/api/me/organizations?per_page=1&page=1"), "{prev}");

    // The other org's admin sees only zeta.
    let r = app
        .send(app.request_as(&other_token, Method::GET, "/me/organizations"))
        .await
        .expect(200);
    assert_eq!(r.body["meta"]["pagination"]["total"], 1);
}
