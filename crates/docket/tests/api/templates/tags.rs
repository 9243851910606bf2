//! Tags on templates: TG6/TG7 with `subject_type: Checklist`, the `tags` include the SDK's
//! untag_template reads, TG1 statistics, TG5 removing template associations, and CL1 `tag`.

use reqwest::Method;
use serde_json::json;

use super::{path, template};
use crate::support::TestApp;
use crate::support::fixtures::{count_rows, seed_members};

async fn new_tag(app: &TestApp, title: &str) -> String {
    let r = app
        .json(Method::POST, &app.org_path("/tags"), json!({"title": title}))
        .await
        .expect(201);
    r.data()["id"].as_str().unwrap().to_string()
}

on_both!(templates_are_tagged_untagged_and_counted);
async fn templates_are_tagged_untagged_and_counted(app: &TestApp) {
    let light = seed_members(app).await;
    let tag = new_tag(app, "finance").await;
    let a = template(app, "A").await;
    let b = template(app, "B").await;
    let attach = |subject: &str| json!({"subject_id": subject, "subject_type": "Checklist", "tag_id": tag, "tag_type": "private"});
    let r = app
        .json(Method::POST, &app.org_path("/checklists/tags"), attach(&a))
        .await
        .expect(201);
    assert_eq!(r.data()["subject_type"], "Checklist");
    assert_eq!(r.data()["subject_id"], a.as_str());
    // Again: the same association, 200.
    let again = app
        .json(Method::POST, &app.org_path("/checklists/tags"), attach(&a))
        .await
        .expect(200);
    assert_eq!(again.data()["id"], r.data()["id"]);
    // Archived templates may be tagged.
    app.call(Method::DELETE, &path(app, &b, "")).await.expect(200);
    app.json(Method::POST, &app.org_path("/checklists/tags"), attach(&b))
        .await
        .expect(201);
    // Light members may not.
    let r = app
        .send(
            app.request_as(&light, Method::POST, &app.org_path("/checklists/tags"))
                .json(&attach(&a)),
        )
        .await;
    assert_eq!(r.status, 403);

    let stats = app
        .get(&app.org_path(&format!("/tags/{tag}?with=statistics")))
        .await
        .expect(200);
    let s = &stats.data()["statistics"]["data"];
    assert_eq!(
        (s["active_template"].clone(), s["archived_template"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(s["active_process"], 0);
    let listed = app.get(&app.org_path("/checklists?tag=finance")).await.expect(200);
    assert_eq!(listed.data().as_array().unwrap().len(), 1);

    // untag_template: read the include, delete the association by its id.
    let got = app.get(&path(app, &a, "?with=tags")).await.expect(200);
    let link = &got.data()["tags"]["data"][0];
    assert_eq!(link["tag_id"], tag.as_str());
    let assoc = link["id"].as_i64().unwrap();
    app.call(Method::DELETE, &app.org_path(&format!("/checklists/tags/{assoc}")))
        .await
        .expect(204);
    let got = app.get(&path(app, &a, "?with=tags")).await.expect(200);
    assert_eq!(got.data()["tags"]["data"], json!([]));

    // TG5: deleting the tag removes the template associations.
    app.call(Method::DELETE, &app.org_path(&format!("/tags/{tag}")))
        .await
        .expect(204);
    assert_eq!(
        count_rows(app, "SELECT COUNT(*) FROM tag_links WHERE subject_id = $1", &b).await,
        0
    );
}
