//! Files beyond their own routes: `file` form values must name files of the organization the
//! writer sees (task `taskdata`, launch and run `prerun`), the `assets` include, permanent
//! deletes taking their files along, and `Idempotency-Key` on uploads.

use reqwest::Method;
use serde_json::{Value, json};

use super::{BOUNDARY, asset_rows, sha256_hex, stored_files, upload_as, upload_to_task};
use crate::support::TestApp;
use crate::support::fixtures::{run_with_task, seed_members, standalone};

/// A one-off task with one `file` field; returns (task id, field id).
async fn task_with_file_field(app: &TestApp, token: &str, org: &str, owners: Value) -> (String, String) {
    let body = json!({"title": "Send the scan", "owners": owners,
                      "form_fields": [{"label": "Scan", "field_type": "file", "required": false}]});
    let r = app
        .send(
            app.request_as(token, Method::POST, &format!("/organizations/{org}/tasks"))
                .json(&body),
        )
        .await
        .expect(201);
    let task = r.data()["id"].as_str().expect("task id").to_string();
    let r = app
        .send(app.request_as(
            token,
            Method::GET,
            &format!("/organizations/{org}/tasks/{task}?with=form_fields"),
        ))
        .await
        .expect(200);
    let field = r.data()["form_fields"]["data"][0]["id"]
        .as_str()
        .expect("field id")
        .to_string();
    (task, field)
}

fn id_of(r: &crate::support::Resp) -> String {
    r.data()["id"].as_str().expect("id").to_string()
}

on_both!(file_values_name_files_of_the_organization_the_writer_sees);
async fn file_values_name_files_of_the_organization_the_writer_sees(app: &TestApp) {
    let (_, sam) = app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let globex = app.add_org("globex", 2001).await;
    let (task, field) = task_with_file_field(app, &app.token, "acme", json!({"users": [1001, 1002]})).await;
    let mine = id_of(&upload_to_task(app, &task, "scan.pdf", b"%PDF scan").await.expect(200));
    // A file of another organization, uploaded to a task there.
    let (theirs_task, _) = task_with_file_field(app, &globex, "globex", json!({"users": [2001]})).await;
    let fields = [
        ("uploaded_from", "ko_field"),
        ("subject_type", "Task"),
        ("subject_id", theirs_task.as_str()),
    ];
    let r = app
        .send(
            app.request_as(&globex, Method::POST, "/organizations/globex/assets")
                .header("Content-Type", format!("multipart/form-data; boundary={BOUNDARY}"))
                .body(super::multipart(&fields, Some(("theirs.pdf", b"%PDF theirs")))),
        )
        .await
        .expect(200);
    let theirs = id_of(&r);
    // A top-secret task's file, which a standard member does not see.
    let secret = app
        .json(
            Method::POST,
            &app.org_path("/tasks"),
            json!({"title": "Secret", "owners": {"users": [1001]}, "top_secret": true}),
        )
        .await
        .expect(201);
    let hidden = id_of(
        &upload_to_task(app, &id_of(&secret), "secret.pdf", b"%PDF secret")
            .await
            .expect(200),
    );

    let path = app.org_path(&format!("/tasks/{task}"));
    let key = format!("taskdata.{field}");
    for (who, id, why) in [
        (&app.token, theirs.as_str(), "another organization's file"),
        (&app.token, "0123456789abcdef0123456789abcdef", "no such file"),
        (&sam, hidden.as_str(), "a file of a task the writer cannot see"),
    ] {
        let body =
            json!({"taskdata": {field.clone(): [{"id": id, "filename": "x.pdf", "url": "https://e.test/x.pdf"}]}});
        let r = app.send(app.request_as(who, Method::PUT, &path).json(&body)).await;
        assert_eq!(r.expect_invalid(&key), "The selected file is invalid.", "{why}");
    }
    let r = app
        .json(Method::PUT, &path, json!({"taskdata": {field.clone(): "scan.pdf"}}))
        .await;
    assert_eq!(r.expect_invalid(&key), "The file value must be a list of file objects.");
    let r = app
        .json(
            Method::PUT,
            &path,
            json!({"taskdata": {field.clone(): [{"id": mine, "source": "ftp"}]}}),
        )
        .await;
    assert_eq!(r.expect_invalid(&key), "The selected source is invalid.");
    let stored = app.get(&path).await.expect(200);
    assert_eq!(stored.data()["taskdata"][&field], Value::Null, "nothing was written");

    // Our own file: stored with the file's keys; a link is stored as sent.
    let body = json!({"taskdata": {field.clone(): [{"id": mine, "filename": "renamed.pdf", "note": "kept"},
                                                   {"url": "https://e.test/docs/terms.pdf"}]}});
    let r = app
        .send(app.request_as(&sam, Method::PUT, &path).json(&body))
        .await
        .expect(200);
    let value = &r.data()["taskdata"][&field];
    assert_eq!(value[0]["id"], mine.as_str());
    assert_eq!(value[0]["filename"], "scan.pdf");
    assert_eq!(value[0]["note"], "kept");
    assert_eq!(value[0]["subject"], json!({"id": task, "type": "Task"}));
    assert_eq!(value[0]["url"], format!("organizations/acme/file/{mine}/dl"));
    assert_eq!(
        value[1],
        json!({"url": "https://e.test/docs/terms.pdf", "source": "url", "filename": "terms.pdf"})
    );

    // The task's `assets` include lists the files uploaded to it.
    let r = app.get(&format!("{path}?with=assets")).await.expect(200);
    let listed: Vec<&str> = r.data()["assets"]["data"]
        .as_array()
        .expect("assets")
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert_eq!(listed, [mine.as_str()]);
}

/// A template with one `file` kick-off field and one step; returns (template, kick-off field).
async fn template_with_file_kickoff(app: &TestApp) -> (String, String) {
    let t = app
        .json(
            Method::POST,
            &app.org_path("/checklists"),
            json!({"title": "Onboarding",
                   "prerun": [{"label": "Passport", "field_type": "file", "required": false}],
                   "steps": [{"title": "Collect"}]}),
        )
        .await;
    assert!(t.status == 200 || t.status == 201, "{}", t.text);
    let template = id_of(&t);
    let full = app
        .get(&app.org_path(&format!("/checklists/{template}?with=prerun")))
        .await
        .expect(200);
    let kickoff = full.data()["prerun"]["data"][0]["id"]
        .as_str()
        .or_else(|| full.data()["prerun"][0]["id"].as_str())
        .unwrap_or_else(|| panic!("no kick-off field: {}", full.text))
        .to_string();
    (template, kickoff)
}

on_both!(kick_off_file_values_are_checked_at_launch_and_on_update);
async fn kick_off_file_values_are_checked_at_launch_and_on_update(app: &TestApp) {
    let globex = app.add_org("globex", 2001).await;
    let (template, kickoff) = template_with_file_kickoff(app).await;
    let fields = [
        ("uploaded_from", "ko_field"),
        ("subject_type", "Checklist"),
        ("subject_id", template.as_str()),
    ];
    let on_template = id_of(
        &upload_as(app, &app.token, "/assets", &fields, Some(("passport.png", b"png")))
            .await
            .expect(200),
    );
    let (theirs_task, _) = task_with_file_field(app, &globex, "globex", json!({"users": [2001]})).await;
    let fields = [
        ("uploaded_from", "ko_field"),
        ("subject_type", "Task"),
        ("subject_id", theirs_task.as_str()),
    ];
    let theirs = id_of(
        &app.send(
            app.request_as(&globex, Method::POST, "/organizations/globex/file")
                .header("Content-Type", format!("multipart/form-data; boundary={BOUNDARY}"))
                .body(super::multipart(&fields, Some(("theirs.png", b"theirs")))),
        )
        .await
        .expect(200),
    );
    let key = format!("prerun.{kickoff}");

    let launch = |id: &str| json!({"checklist_id": template, "name": "Onboarding Globex", "prerun": {kickoff.clone(): [{"id": id}]}});
    let r = app.json(Method::POST, &app.org_path("/runs"), launch(&theirs)).await;
    assert_eq!(r.expect_invalid(&key), "The selected file is invalid.");
    let r = app
        .json(Method::POST, &app.org_path("/runs"), launch(&on_template))
        .await
        .expect(201);
    let run = id_of(&r);
    assert_eq!(r.data()["prerun"][&kickoff][0]["filename"], "passport.png");
    assert_eq!(
        r.data()["prerun"][&kickoff][0]["subject"],
        json!({"id": template, "type": "Checklist"})
    );

    let path = app.org_path(&format!("/runs/{run}"));
    let r = app
        .json(
            Method::PUT,
            &path,
            json!({"prerun": {kickoff.clone(): [{"id": theirs}]}}),
        )
        .await;
    assert_eq!(r.expect_invalid(&key), "The selected file is invalid.");
    let r = app.get(&path).await.expect(200);
    assert_eq!(r.data()["prerun"][&kickoff][0]["id"], on_template.as_str(), "unchanged");

    // A file uploaded to the run: the run's `assets` include; the template's lists its own.
    let fields = [
        ("uploaded_from", kickoff.as_str()),
        ("subject_type", "Run"),
        ("subject_id", run.as_str()),
    ];
    let on_run = id_of(
        &upload_as(app, &app.token, "/assets", &fields, Some(("visa.png", b"visa")))
            .await
            .expect(200),
    );
    let r = app
        .json(
            Method::PUT,
            &path,
            json!({"prerun": {kickoff.clone(): [{"id": on_run}]}}),
        )
        .await
        .expect(200);
    assert_eq!(r.data()["prerun"][&kickoff][0]["filename"], "visa.png");
    let r = app.get(&format!("{path}?with=assets")).await.expect(200);
    assert_eq!(r.data()["assets"]["data"][0]["id"], on_run.as_str(), "{}", r.text);
    assert_eq!(r.data()["assets"]["data"].as_array().map(Vec::len), Some(1));
    let r = app
        .get(&app.org_path(&format!("/checklists/{template}?with=assets")))
        .await
        .expect(200);
    assert_eq!(r.data()["assets"]["data"][0]["id"], on_template.as_str(), "{}", r.text);
}

/// GET `/file/{id}/dl`: status and bytes.
async fn download(app: &TestApp, id: &str) -> (u16, Vec<u8>) {
    let r = app
        .request(Method::GET, &app.org_path(&format!("/file/{id}/dl")))
        .send()
        .await
        .expect("sent");
    let status = r.status().as_u16();
    (status, r.bytes().await.expect("body").to_vec())
}

on_both!(permanent_deletes_take_their_files_along);
async fn permanent_deletes_take_their_files_along(app: &TestApp) {
    let dir = app.asset_dir();
    // Two tasks with the same bytes, one with bytes of its own.
    let doomed = standalone(app, "Doomed", json!({"users": [1001]})).await;
    let keeper = standalone(app, "Keeper", json!({"users": [1001]})).await;
    let shared_a = id_of(&upload_to_task(app, &doomed, "a.txt", b"shared bytes").await.expect(200));
    let own = id_of(
        &upload_to_task(app, &doomed, "own.txt", b"only the doomed task")
            .await
            .expect(200),
    );
    let shared_b = id_of(&upload_to_task(app, &keeper, "b.txt", b"shared bytes").await.expect(200));

    app.call(Method::DELETE, &app.org_path(&format!("/tasks/{doomed}/delete")))
        .await
        .expect(204);
    assert_eq!(download(app, &shared_a).await.0, 404);
    assert_eq!(download(app, &own).await.0, 404);
    assert_eq!(app.get(&app.org_path(&format!("/assets/{own}"))).await.status, 404);
    assert_eq!(download(app, &shared_b).await, (200, b"shared bytes".to_vec()));
    let files = stored_files(&dir);
    assert!(files.contains(&sha256_hex(b"shared bytes")), "{files:?}");
    assert!(!files.contains(&sha256_hex(b"only the doomed task")), "{files:?}");
    assert_eq!(asset_rows(app).await, 1);

    // A run: its own files and its tasks' files.
    seed_members(app).await;
    let (run, run_task) = run_with_task(app, "Doomed run").await;
    let fields = [
        ("uploaded_from", "ko_field"),
        ("subject_type", "Run"),
        ("subject_id", run.as_str()),
    ];
    let on_run = id_of(
        &upload_as(app, &app.token, "/assets", &fields, Some(("run.txt", b"run bytes")))
            .await
            .expect(200),
    );
    let on_task = id_of(
        &upload_to_task(app, &run_task, "t.txt", b"run task bytes")
            .await
            .expect(200),
    );
    app.call(Method::DELETE, &app.org_path(&format!("/runs/{run}")))
        .await
        .expect(200);
    assert_eq!(download(app, &on_run).await.0, 200, "archiving keeps the files");
    let r = app
        .call(Method::DELETE, &app.org_path(&format!("/runs/{run}/delete")))
        .await;
    assert!(r.status == 200 || r.status == 204, "{}", r.text);
    assert_eq!(download(app, &on_run).await.0, 404);
    assert_eq!(download(app, &on_task).await.0, 404);
    let files = stored_files(&dir);
    assert!(!files.contains(&sha256_hex(b"run bytes")), "{files:?}");
    assert!(!files.contains(&sha256_hex(b"run task bytes")), "{files:?}");

    // A template.
    let t = app
        .json(
            Method::POST,
            &app.org_path("/checklists"),
            json!({"title": "Doomed template"}),
        )
        .await;
    assert!(t.status == 200 || t.status == 201, "{}", t.text);
    let template = id_of(&t);
    let fields = [
        ("uploaded_from", "ko_field"),
        ("subject_type", "Checklist"),
        ("subject_id", template.as_str()),
    ];
    let on_template = id_of(
        &upload_as(
            app,
            &app.token,
            "/assets",
            &fields,
            Some(("form.pdf", b"template bytes")),
        )
        .await
        .expect(200),
    );
    app.call(Method::DELETE, &app.org_path(&format!("/checklists/{template}")))
        .await
        .expect(200);
    app.call(Method::DELETE, &app.org_path(&format!("/checklists/{template}/delete")))
        .await
        .expect(200);
    assert_eq!(download(app, &on_template).await.0, 404);
    assert!(!stored_files(&dir).contains(&sha256_hex(b"template bytes")));
    assert_eq!(asset_rows(app).await, 1, "only the keeper's file is left");
    assert_eq!(download(app, &shared_b).await, (200, b"shared bytes".to_vec()));
}

/// An upload to task `task` under `key`, framed with `boundary`.
async fn upload_with_key(app: &TestApp, key: &str, boundary: &str, task: &str, bytes: &[u8]) -> crate::support::Resp {
    let fields = [
        ("uploaded_from", "ko_field"),
        ("subject_type", "Task"),
        ("subject_id", task),
    ];
    // The test files are ASCII, so the body can be framed anew as text.
    let body = String::from_utf8(super::multipart(&fields, Some(("scan.pdf", bytes))))
        .expect("an ASCII body")
        .replace(BOUNDARY, boundary);
    app.send(
        app.request(Method::POST, &app.org_path("/assets"))
            .header("Content-Type", format!("multipart/form-data; boundary={boundary}"))
            .header("Idempotency-Key", key)
            .body(body),
    )
    .await
}

on_both!(an_upload_retried_under_its_idempotency_key_is_stored_once);
async fn an_upload_retried_under_its_idempotency_key_is_stored_once(app: &TestApp) {
    let task = standalone(app, "Scan", json!({"users": [1001]})).await;
    let first = upload_with_key(app, "upload-1", "boundaryAAAA1111", &task, b"%PDF first")
        .await
        .expect(200);
    assert_eq!(first.header("idempotent-replayed"), None);
    // The retry comes with a new multipart boundary, as clients make one per request.
    let again = upload_with_key(app, "upload-1", "boundaryBBBB2222", &task, b"%PDF first")
        .await
        .expect(200);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.data()["id"], first.data()["id"]);
    assert_eq!(asset_rows(app).await, 1);
    // Another file under the same key is refused, and stores nothing.
    let other = upload_with_key(app, "upload-1", "boundaryAAAA1111", &task, b"%PDF second").await;
    assert_eq!(
        other.expect_invalid("idempotency_key"),
        "The idempotency key has already been used with a different request."
    );
    assert_eq!(asset_rows(app).await, 1);
    assert!(!stored_files(&app.asset_dir()).contains(&sha256_hex(b"%PDF second")));
    // A new key is a new upload.
    let second = upload_with_key(app, "upload-2", "boundaryAAAA1111", &task, b"%PDF first")
        .await
        .expect(200);
    assert_ne!(second.data()["id"], first.data()["id"]);
    assert_eq!(asset_rows(app).await, 2);
    assert_eq!(
        download(app, first.data()["id"].as_str().expect("id")).await,
        (200, b"%PDF first".to_vec())
    );
}
