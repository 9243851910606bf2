//! CL5 archive, CL6 restore, CL7 permanent delete, CL8 clone, CL9 publish.

use reqwest::Method;
use serde_json::json;

use super::{create, path, template};
use crate::support::TestApp;
use crate::support::fixtures::{count_rows, exec_sql, seed_members};

on_both!(archive_restore_and_writes_on_archived_templates);
async fn archive_restore_and_writes_on_archived_templates(app: &TestApp) {
    let id = template(app, "T").await;
    let r = app.call(Method::DELETE, &path(app, &id, "")).await.expect(200);
    assert_eq!(
        r.body,
        json!({"message": "The template was archived.", "deleted_references": []})
    );
    // Again: unchanged.
    app.call(Method::DELETE, &path(app, &id, "")).await.expect(200);
    let got = app.get(&path(app, &id, "")).await.expect(200);
    assert_eq!(got.data()["status"], "archived");
    assert!(got.data()["archived_at"].is_string());
    for (m, p) in [
        (Method::PUT, path(app, &id, "")),
        (Method::PUT, path(app, &id, "/publish")),
    ] {
        let r = app.json(m, &p, json!({"title": "x"})).await;
        assert_eq!(r.expect_invalid("checklist"), "The template is archived.");
    }
    // An archived template may be cloned; the clone is active.
    let copy = app
        .json(Method::POST, &path(app, &id, "/clone"), json!({}))
        .await
        .expect(201);
    assert_eq!(copy.data()["status"], "active");
    let r = app
        .json(Method::PUT, &path(app, &id, "/restore"), json!({}))
        .await
        .expect(200);
    assert_eq!(r.data()["status"], "active");
    assert!(r.data()["archived_at"].is_null());
    app.json(Method::PUT, &path(app, &id, "/restore"), json!({}))
        .await
        .expect(200);
    let r = app
        .json(Method::PUT, &path(app, &id, "/publish"), json!({}))
        .await
        .expect(200);
    assert_eq!(r.data()["is_published_state"], true);
}

on_both!(permanent_delete_is_for_admins_on_archived_templates);
async fn permanent_delete_is_for_admins_on_archived_templates(app: &TestApp) {
    seed_members(app).await;
    let (_, std) = app.add_member("acme", 1003, "std@acme.test", "standard").await;
    let t = create(app, json!({"title": "Gone", "tags": ["x"]})).await;
    let id = t["id"].as_str().unwrap().to_string();
    let r = app.call(Method::DELETE, &path(app, &id, "/delete")).await;
    assert_eq!(
        r.expect_invalid("checklist"),
        "Archive the template before deleting it."
    );
    app.call(Method::DELETE, &path(app, &id, "")).await.expect(200);
    let r = app
        .send(app.request_as(&std, Method::DELETE, &path(app, &id, "/delete")))
        .await;
    assert_eq!(r.status, 403);
    let r = app.call(Method::DELETE, &path(app, &id, "/delete")).await.expect(200);
    assert_eq!(
        r.body,
        json!({"message": "The template was deleted.", "deleted_references": []})
    );
    assert_eq!(app.get(&path(app, &id, "")).await.status, 404);
    assert_eq!(
        count_rows(app, "SELECT COUNT(*) FROM tag_links WHERE subject_id = $1", &id).await,
        0
    );
    assert_eq!(app.call(Method::DELETE, &path(app, &id, "/delete")).await.status, 404);
}

on_both!(clone_copies_the_template_and_renews_references);
async fn clone_copies_the_template_and_renews_references(app: &TestApp) {
    seed_members(app).await;
    let t = create(
        app,
        json!({"title": "Source", "summary": "S", "starred": true, "users": [1002], "tags": ["t1"]}),
    )
    .await;
    let id = t["id"].as_str().unwrap().to_string();
    // Arrange a step, a capture, a kick-off field and a rule naming them, as stored rows.
    let now = 1_700_000_000_000i64;
    let (step, cap, ko) = (
        "5e1f0000000000000000000000000001",
        "d00d0000000000000000000000000001",
        "ab000000000000000000000000000001",
    );
    exec_sql(
        app,
        &format!(
            "INSERT INTO steps (id, org_id, checklist_id, position, title, alias, deadline, created_at, last_updated)
             VALUES ('{step}', 'acme', '{id}', 1, 'Step', 'step', '{{\"value\":1,\"unit\":\"days\",\"option\":\"from\",\"step\":\"start_run\"}}', {now}, {now})"
        ),
    )
    .await;
    for (fid, sid, label) in [(cap, format!("'{step}'"), "Cap"), (ko, "NULL".to_string(), "Ko")] {
        exec_sql(
            app,
            &format!(
                "INSERT INTO template_fields (id, org_id, checklist_id, step_id, alias, label, field_type, position, required, created_at, last_updated)
                 VALUES ('{fid}', 'acme', '{id}', {sid}, '{}', '{label}', 'text', 1, FALSE, {now}, {now})",
                label.to_lowercase()
            ),
        )
        .await;
    }
    exec_sql(
        app,
        &format!(
            "INSERT INTO automations (id, org_id, checklist_id, seq, automated_alias, conditions, then_actions, created_at, last_updated)
             VALUES ('ru000000000000000000000000000001', 'acme', '{id}', 1, 'Rule 1',
                     '[{{\"id\":\"c1\",\"conditionable_id\":\"{ko}\",\"conditionable_type\":\"Prerun\",\"operation\":\"is_empty\"}}]',
                     '[{{\"id\":\"a1\",\"action_type\":\"visibility\",\"action_verb\":\"hide\",\"target_step_id\":\"{step}\"}}]', {now}, {now})"
        ),
    )
    .await;

    // The SDK's form body.
    let r = app
        .send(
            app.request(Method::POST, &path(app, &id, "/clone"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("tenant=acme&title=Copy+of+source"),
        )
        .await
        .expect(201);
    let c = r.data().clone();
    let cid = c["id"].as_str().unwrap();
    assert_ne!(cid, id);
    assert_eq!(c["title"], "Copy of source");
    assert_eq!(c["alias"], format!("copy-of-source-{}", &cid[..6]));
    assert_eq!(c["summary"], "S");
    assert_eq!(c["starred"], true);
    assert_eq!(c["users"], json!([1002]));
    assert_eq!(c["increment_id"], 2);
    assert_eq!(c["steps_count"], 1);
    assert_eq!(c["started_processes"], 0);
    let rules = c["automated_actions"].as_array().unwrap();
    assert_eq!(rules.len(), 1);
    let cond = &rules[0]["conditions"][0];
    let action = &rules[0]["then_actions"][0];
    assert_ne!(cond["id"], "c1");
    assert_ne!(cond["conditionable_id"], ko);
    assert_ne!(action["target_step_id"], step);
    let new_step = action["target_step_id"].as_str().unwrap();
    assert_eq!(
        count_rows(app, "SELECT COUNT(*) FROM steps WHERE id = $1", new_step).await,
        1
    );
    let new_ko = cond["conditionable_id"].as_str().unwrap();
    assert_eq!(
        count_rows(
            app,
            "SELECT COUNT(*) FROM template_fields WHERE step_id IS NULL AND id = $1",
            new_ko
        )
        .await,
        1
    );
    assert_eq!(
        count_rows(app, "SELECT COUNT(*) FROM template_fields WHERE checklist_id = $1", cid).await,
        2
    );
    let tags = app.get(&path(app, cid, "?with=tags")).await.expect(200);
    assert_eq!(tags.data()["tags"]["data"][0]["title"], "t1");
    // The source is untouched.
    let src = app.get(&path(app, &id, "")).await.expect(200);
    assert_eq!(
        src.data()["automated_actions"][0]["conditions"][0]["conditionable_id"],
        ko
    );

    // JSON bodies, the default title, and the tenant rule.
    let r = app
        .json(Method::POST, &path(app, &id, "/clone"), json!({}))
        .await
        .expect(201);
    assert_eq!(r.data()["title"], "Source (copy)");
    let r = app
        .json(Method::POST, &path(app, &id, "/clone"), json!({"tenant": "globex"}))
        .await;
    assert_eq!(
        r.expect_invalid("tenant"),
        "Cloning between organizations is not supported."
    );
    let r = app
        .json(Method::POST, &path(app, &id, "/clone"), json!({"title": " "}))
        .await;
    assert_eq!(r.expect_invalid("title"), "The title field is required.");
}
