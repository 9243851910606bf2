//! How the query is read: invalid parameters are 422s naming them, and the query the SDK's
//! get_organization_runs sends.

use super::*;

on_both!(invalid_parameters_are_422s_naming_them);
async fn invalid_parameters_are_422s_naming_them(app: &TestApp) {
    fixture(app).await;
    let bad = |q: &'static str| async move { app.get(&format!("/organizations/acme/runs?{q}")).await };
    assert_eq!(
        bad("status=done").await.expect_invalid("status"),
        "The selected status is invalid."
    );
    assert_eq!(
        bad("status=active,all").await.expect_invalid("status"),
        "The selected status is invalid."
    );
    assert_eq!(
        bad("task_status=open").await.expect_invalid("task_status"),
        "The selected task status is invalid."
    );
    bad("owners=1002,bob").await.expect_invalid("owners");
    assert_eq!(
        bad("starred=maybe").await.expect_invalid("starred"),
        "The starred field must be true or false."
    );
    assert_eq!(
        bad("untagged=2").await.expect_invalid("untagged"),
        "The untagged field must be true or false."
    );
    bad("form_fields_values=maybe")
        .await
        .expect_invalid("form_fields_values");
    bad("without_pagination=sometimes")
        .await
        .expect_invalid("without_pagination");
    bad("archived=maybe").await.expect_invalid("archived");
    bad("type=checklist").await.expect_invalid("type");
    assert_eq!(
        bad("sort=newest").await.expect_invalid("sort"),
        "The selected sort is invalid."
    );
    bad("sort_by=title").await.expect_invalid("sort_by");
    bad("page=0").await.expect_invalid("page");
    bad("page=x").await.expect_invalid("page");
    bad("per_page=0").await.expect_invalid("per_page");
    bad("per_page=-5").await.expect_invalid("per_page");
    // Every problem at once.
    let r = bad("status=x&sort=y&starred=z&per_page=q").await;
    for key in ["status", "sort", "starred", "per_page"] {
        r.expect_invalid(key);
    }
    assert!(
        r.body["message"]
            .as_str()
            .is_some_and(|m| m.ends_with("(and 3 more errors)")),
        "{}",
        r.text
    );
}

on_both!(the_sdk_get_organization_runs_query);
async fn the_sdk_get_organization_runs_query(app: &TestApp) {
    let f = fixture(app).await;
    // get_organization_runs(org, per_page=25, page=1, with_data=..., form_fields_values=True,
    // owners='1002', task_status='in-progress', status='active', checklist_id=..., starred=True,
    // run_type='procedure', tag='finance', sort='-created_at', archived=False)
    let q = format!(
        "with=checklist%2Ctasks%2Ctags&form_fields_values=true&owners=1002&task_status=in-progress&status=active&checklist_id={}&starred=true&type=procedure&tag=finance&sort=-created_at&archived=false&per_page=25&page=1",
        f.misc
    );
    let r = app.get(&format!("/api/organizations/acme/runs?{q}")).await.expect(200);
    assert_eq!(names(&r), ["Alpha close"]);
    let d = &r.data()[0];
    // What Run.from_dict reads.
    for key in [
        "id",
        "increment_id",
        "checklist_id",
        "checklist_title",
        "assign_someone_else",
        "name",
        "summary",
        "status",
        "started_by",
        "prerun",
        "prerun_completed_at",
        "prerun_completed_by",
        "prerun_length",
        "starred",
        "created_at",
        "due_date",
        "owner_id",
        "started_at",
        "last_updated",
        "completed_at",
        "late_tasks",
        "archived_at",
        "due_date_passed",
        "collaborators",
        "due_soon",
        "max_task_deadline",
        "tags",
    ] {
        assert!(d.get(key).is_some(), "missing {key}: {d}");
    }
    assert!(d["progress"].is_object() && d["whole_progress"].is_object());
    assert_eq!(d["progress"], json!({"complete": 0, "total": 1, "percent": 0.0}));
    let p = &r.body["meta"]["pagination"];
    assert_eq!(
        (p["total"].as_i64(), p["per_page"].as_i64(), p["current_page"].as_i64()),
        (Some(1), Some(25), Some(1))
    );
    // With groups and a folder, as the SDK passes them through.
    let r = app
        .get(&format!(
            "/organizations/acme/runs?groups={}&status=active&per_page=25&page=1",
            f.g1
        ))
        .await
        .expect(200);
    assert_eq!(names(&r), ["Gamma review"]);
    let r = app
        .get("/organizations/acme/runs?folder=0123456789abcdef0123456789abcdef&per_page=25&page=1")
        .await
        .expect(200);
    assert_eq!(
        (names(&r).len(), r.body["meta"]["pagination"]["total"].as_i64()),
        (0, Some(0))
    );
    // The facade's plain call.
    let r = app.get("/organizations/acme/runs?per_page=25&page=1").await.expect(200);
    assert_eq!(names(&r), ALL);
    let r = app
        .get("/organizations/acme/runs?per_page=100&page=1&archived=true&sort=-created_at")
        .await
        .expect(200);
    assert_eq!(names(&r).len(), 6);
}
