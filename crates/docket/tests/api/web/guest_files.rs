//! A guest adds files to their task's file fields from their link, without JavaScript: the
//! upload is stored, named in the field (the API's `taskdata`), listed with a download link,
//! recorded with the guest as its uploader (the asset's `uploaded_by_type`, the feed's actor);
//! the guest downloads and removes it. Refused, storing nothing: without the token, another
//! guest's link, a completed task, a type the API refuses, no file, a file over the limit.

use reqwest::Method;
use serde_json::{Value, json};

use super::guest_actions::{guest_id, guest_task, task_json};
use super::{Browser, cheap};
use crate::support::TestApp;
use crate::support::fixtures::count_rows;

const ASSETS: &str = "SELECT COUNT(*) FROM assets WHERE subject_id = $1";

/// A task for `guest` with one required file field `Scan`: its id, page path and the field's id.
async fn file_task(app: &TestApp, guest: &str) -> (String, String, String) {
    let (task, path, ids) = guest_task(
        app,
        guest,
        json!({"form_fields": [{"label": "Scan", "field_type": "file", "required": true}]}),
    )
    .await;
    (task, path, ids["Scan"].clone())
}

on_both!(a_guest_uploads_downloads_and_removes_a_file, cheap);
async fn a_guest_uploads_downloads_and_removes_a_file(app: &TestApp) {
    let email = "uma@partner.test";
    let (task, path, field) = file_task(app, email).await;
    let gid = guest_id(app, email).await;
    let upload = format!("{path}/files/{field}");
    let mut b = Browser::new(app);
    let page = b.get(&path).await.expect_status(200);
    assert!(page.text.contains(&format!("action=\"{upload}\"")), "{}", page.text);
    assert!(page.text.contains("enctype=\"multipart/form-data\""), "{}", page.text);
    let csrf = page.csrf();

    let name = "<img src=x onerror=alert(1)> lease.txt";
    let ok = b
        .post_multipart(&upload, &[("_csrf", &csrf)], Some((name, b"signed by Uma\n")))
        .await
        .expect_status(303);
    assert_eq!(ok.location(), format!("{path}?done=uploaded"));

    // The API's task names the file in the field, and lists it among the task's assets.
    let t = app
        .get(&app.org_path(&format!("/tasks/{task}?with=assets")))
        .await
        .expect(200);
    let value = t.data()["taskdata"][&field].clone();
    let asset = value[0]["id"].as_str().expect("an asset id in the field").to_string();
    assert_eq!(value[0]["filename"], name, "{}", t.text);
    assert_eq!(value[0]["subject"]["id"], task.as_str(), "{}", t.text);
    let listed = t.data()["assets"]["data"].as_array().cloned().unwrap_or_default();
    assert!(listed.iter().any(|a| a["id"] == asset.as_str()), "{}", t.text);
    // The guest is its uploader.
    let a = app.get(&app.org_path(&format!("/assets/{asset}"))).await.expect(200);
    assert_eq!(
        (a.data()["uploaded_by_type"].as_str(), a.data()["uploaded_by"].as_i64()),
        (Some("guest"), Some(gid)),
        "{}",
        a.text
    );
    assert_eq!(a.data()["uploaded_from"], field.as_str());

    // The page lists it (escaped) with its download link; the guest downloads it.
    let page = b.get(ok.location()).await.expect_status(200);
    assert!(page.text.contains("File added."), "{}", page.text);
    let link = format!("{path}/files/{asset}");
    assert!(page.text.contains(&format!("href=\"{link}\"")), "{}", page.text);
    assert!(
        page.text.contains("&lt;img src=x onerror=alert(1)&gt; lease.txt"),
        "{}",
        page.text
    );
    assert!(!page.text.contains("<img src=x"), "{}", page.text);
    let got = b.get(&link).await.expect_status(200);
    assert_eq!(got.text, "signed by Uma\n");
    assert!(
        got.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"),
        "{:?}",
        got.headers
    );
    // A file the task does not name (or none) is not the guest's to download.
    b.get(&format!("{path}/files/{}", "f".repeat(32)))
        .await
        .expect_status(404);
    let (_, other_path, other_field) = file_task(app, "vic@partner.test").await;
    let mut v = Browser::new(app);
    let vcsrf = v.get(&other_path).await.expect_status(200).csrf();
    v.post_multipart(
        &format!("{other_path}/files/{other_field}"),
        &[("_csrf", &vcsrf)],
        Some(("other.txt", b"not Uma's")),
    )
    .await
    .expect_status(303);
    let other_task = other_path.rsplit('/').next().unwrap();
    let other_asset = task_json(app, other_task).await["taskdata"][&other_field][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    b.get(&format!("{path}/files/{other_asset}")).await.expect_status(404);

    // The feed names the guest as the uploader.
    let feed = app
        .get(&app.org_path(&format!(
            "/activity-feeds?entity_type=task&entity_id={task}&per_page=50"
        )))
        .await
        .expect(200);
    let uploaded = feed
        .data()
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["verb"] == json!(["uploaded"]))
        .cloned()
        .unwrap_or_else(|| panic!("an upload entry in {}", feed.text));
    assert_eq!(uploaded["source"], json!(["Guest"]), "{uploaded}");
    assert_eq!(uploaded["actor_id"], json!([gid]), "{uploaded}");

    // The required file field is answered: the guest completes; a completed task lists its
    // files without the forms.
    b.submit(&path, &format!("{path}/complete"), &[])
        .await
        .expect_status(303);
    let page = b.get(&path).await.expect_status(200);
    assert!(page.text.contains(&format!("href=\"{link}\"")), "{}", page.text);
    assert!(
        !page.text.contains(&format!("action=\"{upload}\"")) && !page.text.contains(">Remove</button>"),
        "{}",
        page.text
    );
    b.submit(&path, &format!("{path}/reopen"), &[]).await.expect_status(303);

    // Removing needs the token; with it the field is empty again.
    let remove = format!("{upload}/remove");
    b.post(&remove, &[("index", "0")]).await.expect_status(403);
    assert_eq!(task_json(app, &task).await["taskdata"][&field][0]["id"], asset.as_str());
    let gone = b.submit(&path, &remove, &[("index", "0")]).await.expect_status(303);
    assert_eq!(gone.location(), format!("{path}?done=removed"));
    assert!(task_json(app, &task).await["taskdata"][&field].is_null());
}

on_both!(guest_uploads_that_may_not_happen_store_nothing, cheap);
async fn guest_uploads_that_may_not_happen_store_nothing(app: &TestApp) {
    let (task, path, field) = file_task(app, "wyn@partner.test").await;
    let (_, other_path, _) = file_task(app, "xia@partner.test").await;
    let upload = format!("{path}/files/{field}");
    let mut b = Browser::new(app);
    let csrf = b.get(&path).await.expect_status(200).csrf();
    let file = Some(("scan.txt", b"bytes".as_slice()));

    // Without the token, or with a wrong one: 403.
    for fields in [vec![], vec![("_csrf", "0".repeat(64))]] {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = b.post_multipart(&upload, &fields, file).await;
        assert_eq!(r.status, 403, "{}", r.text);
    }
    // Another guest's link to this task: the page's 404.
    let other_code = other_path.split('/').nth(2).unwrap();
    let crossed = format!("/guest/{other_code}/tasks/{task}/files/{field}");
    let r = b.post_multipart(&crossed, &[("_csrf", &csrf)], file).await;
    assert_eq!(r.status, 404, "{}", r.text);
    // No such file field.
    let r = b
        .post_multipart(&format!("{path}/files/nope"), &[("_csrf", &csrf)], file)
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    // A type the API refuses, or no file: the message beside the field.
    let bad = b
        .post_multipart(&upload, &[("_csrf", &csrf)], Some(("run.exe", b"MZ")))
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains(&format!("id=\"f-{field}-error\"")), "{}", bad.text);
    assert!(bad.text.contains("must be a file of type"), "{}", bad.text);
    let empty = b.post_multipart(&upload, &[("_csrf", &csrf)], None).await;
    assert_eq!(empty.status, 422, "{}", empty.text);
    assert!(empty.text.contains("Choose a file first."), "{}", empty.text);
    assert_eq!(count_rows(app, ASSETS, &task).await, 0);

    // A completed task takes no files until it is reopened: no form, and a post is refused.
    let (done, done_path, ids) = guest_task(
        app,
        "wyn@partner.test",
        json!({"form_fields": [{"label": "Extra", "field_type": "file", "required": false}]}),
    )
    .await;
    app.json(
        Method::POST,
        &app.org_path("/completed-tasks"),
        json!({"task_id": done}),
    )
    .await
    .expect(200);
    let page = b.get(&done_path).await.expect_status(200);
    assert!(!page.text.contains("enctype=\"multipart/form-data\""), "{}", page.text);
    let r = b
        .post_multipart(
            &format!("{done_path}/files/{}", ids["Extra"]),
            &[("_csrf", &csrf)],
            file,
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("Completed tasks cannot be updated."), "{}", r.text);
    assert_eq!(count_rows(app, ASSETS, &done).await, 0);
    assert_eq!(count_rows(app, ASSETS, &task).await, 0);
    assert!(task_json(app, &task).await["taskdata"][&field].is_null());
}

/// A small upload limit (1 KiB).
fn small_uploads(c: &mut docket::config::Config) {
    cheap(c);
    c.storage.max_upload_bytes = 1024;
}

on_both!(
    an_upload_over_the_limit_is_refused_on_the_page_and_kept_nowhere,
    small_uploads
);
async fn an_upload_over_the_limit_is_refused_on_the_page_and_kept_nowhere(app: &TestApp) {
    let (task, path, field) = file_task(app, "yan@partner.test").await;
    let mut b = Browser::new(app);
    let csrf = b.get(&path).await.expect_status(200).csrf();
    let big = vec![b'x'; 4096];
    let r = b
        .post_multipart(
            &format!("{path}/files/{field}"),
            &[("_csrf", &csrf)],
            Some(("big.txt", &big)),
        )
        .await;
    assert_eq!(r.status, 413, "{}", r.text);
    assert!(r.text.contains(&format!("id=\"f-{field}-error\"")), "{}", r.text);
    assert!(r.text.contains("may not be greater than 1 kilobytes"), "{}", r.text);
    assert_eq!(count_rows(app, ASSETS, &task).await, 0);
    assert_eq!(task_json(app, &task).await["taskdata"][&field], Value::Null);
    // A file within the limit goes in.
    let mut b = Browser::new(app);
    let csrf = b.get(&path).await.expect_status(200).csrf();
    b.post_multipart(
        &format!("{path}/files/{field}"),
        &[("_csrf", &csrf)],
        Some(("small.txt", b"ok")),
    )
    .await
    .expect_status(303);
    assert_eq!(count_rows(app, ASSETS, &task).await, 1);
}
