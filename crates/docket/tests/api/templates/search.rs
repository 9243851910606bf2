//! S1 on templates: `blueprint` (titles), `step` (step titles), `capture` (capture and kick-off
//! field labels), archived templates left out, `tags=true`, the filter fields of each bucket.

use reqwest::Method;
use serde_json::{Value, json};

use super::{create, path};
use crate::support::TestApp;
use crate::support::fixtures::exec_sql;

fn titles(bucket: &Value, key: &str) -> Vec<String> {
    bucket["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i[key].as_str().unwrap().to_string())
        .collect()
}

on_both!(search_finds_templates_steps_and_fields);
async fn search_finds_templates_steps_and_fields(app: &TestApp) {
    let a = create(
        app,
        json!({"title": "Quarterly review", "summary": "numbers", "tags": ["finance"],
               "prerun": [{"label": "Review period", "field_type": "text", "required": true}]}),
    )
    .await;
    let b = create(app, json!({"title": "Annual REVIEW", "type": "form", "icon": "fa-x"})).await;
    let gone = create(app, json!({"title": "Old review"})).await;
    app.call(Method::DELETE, &path(app, gone["id"].as_str().unwrap(), ""))
        .await
        .expect(200);
    let a_id = a["id"].as_str().unwrap();
    let now = 1_700_000_000_000i64;
    exec_sql(
        app,
        &format!(
            "INSERT INTO steps (id, org_id, checklist_id, position, title, alias, created_at, last_updated)
             VALUES ('5e1f0000000000000000000000000001', 'acme', '{a_id}', 1, 'Review the numbers', 'review-the-numbers', {now}, {now})"
        ),
    )
    .await;
    exec_sql(
        app,
        &format!(
            "INSERT INTO template_fields (id, org_id, checklist_id, step_id, alias, label, field_type, position, required, created_at, last_updated)
             VALUES ('d00d0000000000000000000000000001', 'acme', '{a_id}', '5e1f0000000000000000000000000001', 'reviewer-notes',
                     'Reviewer notes', 'textarea', 1, FALSE, {now}, {now})"
        ),
    )
    .await;

    // search_templates_by_name / search(on='blueprint'): newest first, archived left out.
    let r = app
        .get(&app.org_path("/search?on=blueprint&per_page=20&search=review"))
        .await
        .expect(200);
    let bp = &r.body["blueprint"];
    assert_eq!(titles(bp, "title"), vec!["Annual REVIEW", "Quarterly review"]);
    assert_eq!(bp["meta"]["pagination"]["total"], 2);
    let item = &bp["data"][0];
    assert_eq!(item["id"], b["id"]);
    assert_eq!(item["name"], "Annual REVIEW");
    assert_eq!(item["type"], "form");
    assert_eq!(item["status"], "active");
    assert_eq!(item["icon"], "fa-x");
    assert_eq!(item["increment_id"], 2);
    assert_eq!(item["organization_id"], "acme");
    assert_eq!(item["folders"], json!([]));
    assert!(item.get("tags").is_none());
    assert_eq!(bp["data"][1]["steps_count"], 1);
    // tags=true adds bare tags.
    let r = app
        .get(&app.org_path("/search?on=blueprint&search=quarterly&tags=true"))
        .await
        .expect(200);
    let tags = &r.body["blueprint"]["data"][0]["tags"];
    assert_eq!(tags.as_array().unwrap().len(), 1);
    assert_eq!(tags[0]["title"], "finance");

    // Steps and fields.
    let r = app
        .get(&app.org_path("/search?on=step,capture&search=review"))
        .await
        .expect(200);
    let step = &r.body["step"]["data"][0];
    assert_eq!(step["title"], "Review the numbers");
    assert_eq!(step["alias"], "review-the-numbers");
    assert_eq!(step["step_type"], "task");
    assert_eq!(step["position"], 1);
    assert_eq!(step["checklist_id"], a_id);
    assert_eq!(step["checklist_title"], "Quarterly review");
    let mut labels = titles(&r.body["capture"], "label");
    labels.sort();
    assert_eq!(labels, vec!["Review period", "Reviewer notes"]);
    let ko = r.body["capture"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["label"] == "Review period")
        .unwrap()
        .clone();
    assert!(ko["step_id"].is_null());
    assert_eq!(ko["field_type"], "text");
    assert_eq!(ko["checklist_title"], "Quarterly review");

    // Filters: blueprint by description, starter and date; capture by label.
    let r = app
        .get(&app.org_path("/search?on=blueprint&search=review&filter[field]=description&filter[value]=numbers"))
        .await
        .expect(200);
    assert_eq!(titles(&r.body["blueprint"], "title"), vec!["Quarterly review"]);
    let r = app
        .get(&app.org_path("/search?on=blueprint&search=review&filter[field]=starter&filter[value]=1001"))
        .await
        .expect(200);
    assert_eq!(r.body["blueprint"]["meta"]["pagination"]["total"], 2);
    let r = app
        .get(&app.org_path(
            "/search?on=capture&search=review&filter[field]=label&filter[operation]=<>&filter[value]=reviewer notes",
        ))
        .await
        .expect(200);
    assert_eq!(titles(&r.body["capture"], "label"), vec!["Review period"]);
    let r = app
        .get(&app.org_path("/search?on=step&search=review&filter[field]=label&filter[value]=x"))
        .await;
    r.expect_invalid("filter");
}
