//! CL1: the template list, its filters, sorts and pagination.

use reqwest::Method;
use serde_json::{Value, json};

use super::{create, path};
use crate::support::TestApp;
use crate::support::fixtures::{exec_sql, seed_members};

async fn titles(app: &TestApp, query: &str) -> Vec<String> {
    let r = app.get(&app.org_path(&format!("/checklists{query}"))).await.expect(200);
    r.data()
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect()
}

on_both!(lists_with_filters_and_sorts);
async fn lists_with_filters_and_sorts(app: &TestApp) {
    seed_members(app).await;
    let a = create(
        app,
        json!({"title": "Alpha onboarding", "type": "form", "starred": true, "tags": ["hr"]}),
    )
    .await;
    let b = create(app, json!({"title": "Beta review", "owner_id": 1002})).await;
    let c = create(
        app,
        json!({"title": "Gamma Onboarding", "type": "document", "is_pinned": true}),
    )
    .await;
    let (a, b, c) = (
        a["id"].as_str().unwrap(),
        b["id"].as_str().unwrap(),
        c["id"].as_str().unwrap(),
    );
    // Default order: pinned first, then most recently updated.
    app.json(Method::PUT, &path(app, a, ""), json!({"summary": "touched"}))
        .await
        .expect(200);
    assert_eq!(
        titles(app, "").await,
        vec!["Gamma Onboarding", "Alpha onboarding", "Beta review"]
    );
    assert_eq!(
        titles(app, "?sort=title").await,
        vec!["Alpha onboarding", "Beta review", "Gamma Onboarding"]
    );
    assert_eq!(
        titles(app, "?sort=-title").await,
        vec!["Gamma Onboarding", "Beta review", "Alpha onboarding"]
    );
    assert_eq!(
        titles(app, "?sort_by=created_at").await,
        vec!["Alpha onboarding", "Beta review", "Gamma Onboarding"]
    );
    assert_eq!(titles(app, "?sort=-updated").await[0], "Alpha onboarding");
    assert_eq!(
        titles(app, "?q=ONBOARD&sort=title").await,
        vec!["Alpha onboarding", "Gamma Onboarding"]
    );
    assert_eq!(
        titles(app, "?type=form,document&sort=title").await,
        vec!["Alpha onboarding", "Gamma Onboarding"]
    );
    assert_eq!(titles(app, "?starred=true").await, vec!["Alpha onboarding"]);
    assert_eq!(
        titles(app, "?starred=false&sort=title").await,
        vec!["Beta review", "Gamma Onboarding"]
    );
    assert_eq!(titles(app, "?owner_id=1002").await, vec!["Beta review"]);
    assert_eq!(titles(app, "?tag=hr").await, vec!["Alpha onboarding"]);
    assert_eq!(titles(app, "?tag=nothing").await, Vec::<String>::new());
    // Archived ones.
    app.call(Method::DELETE, &path(app, b, "")).await.expect(200);
    assert_eq!(
        titles(app, "?sort=title").await,
        vec!["Alpha onboarding", "Gamma Onboarding"]
    );
    assert_eq!(titles(app, "?archived=only").await, vec!["Beta review"]);
    assert_eq!(titles(app, "?status=archived").await, vec!["Beta review"]);
    assert_eq!(titles(app, "?archived=true&sort=title").await.len(), 3);
    assert_eq!(titles(app, "?status=all").await.len(), 3);
    // Folders: direct filing only.
    let now = 1_700_000_000_000i64;
    exec_sql(
        app,
        &format!(
            "INSERT INTO folders (id, org_id, parent_id, name, folder_type, position, created_at, last_updated)
             VALUES ('f1000000000000000000000000000001', 'acme', NULL, 'HR', 'checklist', 1, {now}, {now})"
        ),
    )
    .await;
    let r = app
        .json(
            Method::PUT,
            &path(app, c, ""),
            json!({"title": "Gamma Onboarding", "folder_id": "f1000000000000000000000000000001"}),
        )
        .await
        .expect(200);
    assert_eq!(r.data()["folder_id"], "f1000000000000000000000000000001");
    assert_eq!(
        titles(app, "?folder=f1000000000000000000000000000001").await,
        vec!["Gamma Onboarding"]
    );
    assert_eq!(
        titles(app, "?folder=other,f1000000000000000000000000000001").await,
        vec!["Gamma Onboarding"]
    );
    let r = app.get(&path(app, c, "?with=folder")).await.expect(200);
    assert_eq!(r.data()["folder"]["data"]["name"], "HR");
    assert_eq!(r.data()["folder"]["data"]["total"], 1);
    let r = app
        .json(Method::PUT, &path(app, c, ""), json!({"folder_id": null}))
        .await
        .expect(200);
    assert!(r.data()["folder_id"].is_null());
    assert_eq!(
        titles(app, "?folder=f1000000000000000000000000000001").await,
        Vec::<String>::new()
    );
}

on_both!(list_pages_and_refuses_bad_parameters);
async fn list_pages_and_refuses_bad_parameters(app: &TestApp) {
    for i in 0..3 {
        create(app, json!({"title": format!("T{i}")})).await;
    }
    let r = app
        .get(&app.org_path("/checklists?per_page=2&page=2&sort=title"))
        .await
        .expect(200);
    assert_eq!(r.data().as_array().unwrap().len(), 1);
    let p = &r.body["meta"]["pagination"];
    assert_eq!(
        (p["total"].clone(), p["total_pages"].clone(), p["current_page"].clone()),
        (json!(3), json!(2), json!(2))
    );
    let r = app
        .get(&app.org_path("/checklists?per_page=100&page=1"))
        .await
        .expect(200);
    assert_eq!(r.body["meta"]["pagination"]["count"], 3);
    for (q, key) in [
        ("type=blueprint", "type"),
        ("status=gone", "status"),
        ("archived=maybe", "archived"),
        ("sort=priority", "sort"),
        ("starred=perhaps", "starred"),
        ("owner_id=abc", "owner_id"),
    ] {
        let r = app.get(&app.org_path(&format!("/checklists?{q}"))).await;
        r.expect_invalid(key);
    }
    // Items carry the whole shape.
    let r = app.get(&app.org_path("/checklists?with=tags")).await.expect(200);
    let first: &Value = &r.data()[0];
    assert_eq!(first["prerun"], json!([]));
    assert_eq!(first["tags"], json!({"data": []}));
}
