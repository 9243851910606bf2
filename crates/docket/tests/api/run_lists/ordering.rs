//! Every sort, pagination and its meta, and the includes.

use super::*;

on_both!(every_sort_orders_the_runs);
async fn every_sort_orders_the_runs(app: &TestApp) {
    let f = fixture(app).await;
    // Distinct timestamps in an order unlike the creation order.
    for (run, created, updated, started) in [
        (&f.alpha, 5000, 1, 3),
        (&f.beta, 3000, 5, 1),
        (&f.gamma, 4000, 2, 5),
        (&f.delta, 1000, 4, 2),
        (&f.zeta, 2000, 3, 4),
    ] {
        exec_sql(app, &format!("UPDATE runs SET created_at = {created}, last_updated = {updated}, started_at = {started} WHERE id = '{run}'")).await;
    }
    let by = |q: &'static str| list(app, q);
    assert_eq!(
        by("sort=created_at").await,
        ["delta plan", "Zeta late", "Beta audit", "Gamma review", "Alpha close"]
    );
    assert_eq!(
        by("sort=-created_at").await,
        ["Alpha close", "Gamma review", "Beta audit", "Zeta late", "delta plan"]
    );
    assert_eq!(
        by("").await,
        ["Alpha close", "Gamma review", "Beta audit", "Zeta late", "delta plan"]
    );
    assert_eq!(
        by("sort=last_updated").await,
        ["Alpha close", "Gamma review", "Zeta late", "delta plan", "Beta audit"]
    );
    assert_eq!(
        by("sort=-last_updated").await,
        ["Beta audit", "delta plan", "Zeta late", "Gamma review", "Alpha close"]
    );
    assert_eq!(
        by("sort=started_at").await,
        ["Beta audit", "delta plan", "Alpha close", "Zeta late", "Gamma review"]
    );
    assert_eq!(
        by("sort_by=-started_at").await,
        ["Gamma review", "Zeta late", "Alpha close", "delta plan", "Beta audit"]
    );
    // Names ignore case.
    assert_eq!(
        by("sort=name").await,
        ["Alpha close", "Beta audit", "delta plan", "Gamma review", "Zeta late"]
    );
    assert_eq!(
        by("sort=-name").await,
        ["Zeta late", "Gamma review", "delta plan", "Beta audit", "Alpha close"]
    );
    // due_date is the latest task deadline.
    assert_eq!(
        by("sort=due_date").await,
        ["Zeta late", "delta plan", "Beta audit", "Gamma review", "Alpha close"]
    );
    assert_eq!(
        by("sort=-due_date").await,
        ["Alpha close", "Gamma review", "Beta audit", "delta plan", "Zeta late"]
    );
    let r = app
        .get("/organizations/acme/runs?sort=due_date&per_page=1")
        .await
        .expect(200);
    assert_eq!(r.data()[0]["due_date"], "2020-01-01T00:00:00.000Z");
    // Equal keys fall back to increment_id in the sort's direction.
    exec_sql(app, "UPDATE runs SET created_at = 7").await;
    assert_eq!(
        by("sort=created_at").await,
        ["Alpha close", "Beta audit", "Gamma review", "delta plan", "Zeta late"]
    );
    assert_eq!(by("sort=-created_at").await, ALL);
}

on_both!(every_sort_orders_runs_walked_in_sort_order, backend);
/// The same orders when no list is small enough to be sorted after filtering
/// (`list_drive_max` = 0): SQLite then walks the sort indexes (`run_list.rs::list`), where
/// above it was told to sort the matches.
async fn every_sort_orders_runs_walked_in_sort_order(backend: Backend) {
    let owned = TestApp::spawn_with(backend, |c| c.list_drive_max = 0).await;
    every_sort_orders_the_runs(&owned).await;
    owned.stop().await;
}

on_both!(pages_and_their_meta);
async fn pages_and_their_meta(app: &TestApp) {
    fixture(app).await;
    let r = app.get("/organizations/acme/runs?per_page=2").await.expect(200);
    assert_eq!(names(&r), ["Zeta late", "delta plan"]);
    let p = &r.body["meta"]["pagination"];
    assert_eq!(
        (
            p["total"].as_i64(),
            p["count"].as_i64(),
            p["per_page"].as_i64(),
            p["current_page"].as_i64(),
            p["total_pages"].as_i64()
        ),
        (Some(5), Some(2), Some(2), Some(1), Some(3))
    );
    assert!(
        p["links"]["next"]
            .as_str()
            .is_some_and(|l| l.ends_with("/organizations/acme/runs?per_page=2&page=2")),
        "{p}"
    );
    assert_eq!(
        (p["links"]["prev"].clone(), p["links"]["previous"].clone()),
        (Value::Null, Value::Null)
    );
    let r = app.get("/organizations/acme/runs?per_page=2&page=3").await.expect(200);
    assert_eq!(names(&r), ["Alpha close"]);
    let p = &r.body["meta"]["pagination"];
    assert_eq!(
        (
            p["count"].as_i64(),
            p["current_page"].as_i64(),
            p["links"]["next"].clone()
        ),
        (Some(1), Some(3), Value::Null)
    );
    assert!(p["links"]["prev"].as_str().is_some_and(|l| l.ends_with("page=2")));
    let r = app.get("/organizations/acme/runs?per_page=2&page=9").await.expect(200);
    assert_eq!(names(&r), Vec::<String>::new());
    let p = &r.body["meta"]["pagination"];
    assert_eq!(
        (p["total"].as_i64(), p["count"].as_i64(), p["total_pages"].as_i64()),
        (Some(5), Some(0), Some(3))
    );
    // Default page size 10; without_pagination returns everything on one page.
    let r = app.get("/organizations/acme/runs").await.expect(200);
    assert_eq!(r.body["meta"]["pagination"]["per_page"], 10);
    let r = app
        .get("/organizations/acme/runs?without_pagination=true&per_page=1&archived=true")
        .await
        .expect(200);
    assert_eq!(names(&r).len(), 6);
    let p = &r.body["meta"]["pagination"];
    assert_eq!(
        (
            p["total"].as_i64(),
            p["count"].as_i64(),
            p["per_page"].as_i64(),
            p["total_pages"].as_i64()
        ),
        (Some(6), Some(6), Some(6), Some(1))
    );
    // A filtered total.
    let r = app
        .get("/organizations/acme/runs?status=active&per_page=3&page=2")
        .await
        .expect(200);
    assert_eq!(names(&r), ["Alpha close"]);
    assert_eq!(r.body["meta"]["pagination"]["total"], 4);
}

on_both!(includes_and_form_field_values);
async fn includes_and_form_field_values(app: &TestApp) {
    let f = fixture(app).await;
    let r = app.get("/organizations/acme/runs?q=alpha&with=tags,checklist,tasks,next_task,form_fields,assets&form_fields_values=true").await.expect(200);
    let d = &r.data()[0];
    assert_eq!(d["tags"]["data"][0]["tag_id"], f.finance.as_str());
    assert_eq!(d["checklist"]["data"]["id"], f.misc.as_str());
    assert_eq!(d["tasks"]["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(d["next_task"]["data"][0]["id"], d["tasks"]["data"][0]["id"]);
    let capture = d["form_fields"]["data"][0]["id"].as_str().expect("capture").to_string();
    assert_eq!(
        d["form_fields_values"]
            .as_object()
            .map(|m| m.keys().cloned().collect::<Vec<_>>()),
        Some(vec![capture.clone()])
    );
    assert_eq!(d["form_fields_values"][&capture], Value::Null);
    assert_eq!(d["assets"], json!({"data": []}));
    let r = app
        .get("/organizations/acme/runs?q=alpha&form_fields_values=false&with=nonsense")
        .await
        .expect(200);
    assert!(r.data()[0].get("form_fields_values").is_none() && r.data()[0].get("nonsense").is_none());
}
