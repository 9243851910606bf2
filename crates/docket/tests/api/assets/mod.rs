//! Files (AS1–AS7): uploads streamed to storage, downloads with `Range`, deletes, and who may
//! see what. Every test runs on both database backends; those about the bytes also on every
//! storage backend (`on_every_storage!`: a local directory, PostgreSQL, S3 on moto).

use std::path::Path;
use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::fixtures::{count_rows, standalone};
use crate::support::storage::{stored_keys, unfinished};
use crate::support::{Resp, TestApp};

mod crash;
mod storage;
mod transfer;
mod values;

const BOUNDARY: &str = "docketboundary7MA4YWxkTrZu0gW";

/// A `multipart/form-data` body: text parts, then (when given) the file part `name`.
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    if let Some((filename, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"name\"; filename=\"{filename}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Uploads `bytes` as `filename` to a subject, as `token`, on `route` (`/assets` or `/file`).
pub async fn upload_as(
    app: &TestApp,
    token: &str,
    route: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> Resp {
    let rb = app
        .request_as(token, Method::POST, &app.org_path(route))
        .header("Content-Type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(multipart(fields, file));
    app.send(rb).await
}

/// Uploads `bytes` as `filename` to task `task` as the admin.
pub async fn upload_to_task(app: &TestApp, task: &str, filename: &str, bytes: &[u8]) -> Resp {
    let fields = [
        ("uploaded_from", "ko_field"),
        ("subject_type", "Task"),
        ("subject_id", task),
    ];
    upload_as(app, &app.token, "/assets", &fields, Some((filename, bytes))).await
}

/// The raw bytes and headers of a GET.
async fn fetch(
    app: &TestApp,
    token: &str,
    path: &str,
    range: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut rb = app.request_as(token, Method::GET, path);
    if let Some(r) = range {
        rb = rb.header("Range", r);
    }
    let r = rb.send().await.expect("sent");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.bytes().await.expect("body").to_vec())
}

/// Stored files (not temporary ones) under the storage directory.
pub fn stored_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.len() == 2 && e.path().is_dir() {
            for f in std::fs::read_dir(e.path()).expect("read").flatten() {
                out.push(f.file_name().to_string_lossy().to_string());
            }
        }
    }
    out.sort();
    out
}

async fn asset_rows(app: &TestApp) -> i64 {
    count_rows(app, "SELECT COUNT(*) FROM assets WHERE org_id = $1", "acme").await
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

on_every_storage!(binary_files_round_trip_with_ranges_and_deletes);
async fn binary_files_round_trip_with_ranges_and_deletes(app: &TestApp) {
    let task = standalone(app, "Collect the contract", json!({"users": [1001]})).await;
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let r = upload_to_task(app, &task, "contract.pdf", &bytes).await.expect(200);
    let a = r.data().clone();
    let id = a["id"].as_str().expect("id").to_string();
    assert_eq!(id.len(), 32);
    assert_eq!(a["filename"], "contract.pdf");
    assert_eq!(a["version"], 1);
    assert_eq!(a["uploaded_from"], "ko_field");
    assert_eq!(a["source"], "local");
    assert_eq!(a["uploaded_to_s3"], false);
    assert_eq!(a["subject"], json!({"id": task, "type": "Task"}));
    assert_eq!(a["size"], 70_000);
    assert_eq!(a["mime_type"], "application/pdf");
    assert_eq!(a["uploaded_by"], 1001);
    assert_eq!(a["url"], format!("organizations/acme/file/{id}/dl"));
    assert_eq!(a["full_url"], format!("{}/organizations/acme/file/{id}/dl", app.base));
    // Stored once, under its SHA-256, and nothing left in the temporary place.
    assert_eq!(stored_keys(app).await, vec![sha256_hex(&bytes)]);
    assert_eq!(unfinished(app).await, 0);

    let got = app.get(&app.org_path(&format!("/assets/{id}"))).await.expect(200);
    assert_eq!(got.data(), &a);

    let (status, h, body) = fetch(app, &app.token, &app.org_path(&format!("/file/{id}/dl")), None).await;
    assert_eq!(status, 200);
    assert_eq!(body, bytes);
    assert_eq!(h["content-type"], "application/octet-stream");
    assert_eq!(h["content-length"], "70000");
    assert_eq!(h["accept-ranges"], "bytes");
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap_or("")
            .starts_with("attachment; filename=\"contract.pdf\"")
    );
    // Under /api too, inline with the file's type.
    let (status, h, body) = fetch(
        app,
        &app.token,
        &format!("/api{}", app.org_path(&format!("/file/{id}"))),
        None,
    )
    .await;
    assert_eq!((status, body.len()), (200, 70_000));
    assert_eq!(h["content-type"], "application/pdf");
    assert!(h["content-disposition"].to_str().unwrap_or("").starts_with("inline;"));

    // Ranges: first-last, open-ended, suffix; outside the file is a 416 in the envelope.
    let dl = app.org_path(&format!("/file/{id}/dl"));
    let (status, h, body) = fetch(app, &app.token, &dl, Some("bytes=10-19")).await;
    assert_eq!((status, body.as_slice()), (206, &bytes[10..20]));
    assert_eq!(h["content-range"], "bytes 10-19/70000");
    assert_eq!(h["content-length"], "10");
    let (status, _, body) = fetch(app, &app.token, &dl, Some("bytes=69990-")).await;
    assert_eq!((status, body.as_slice()), (206, &bytes[69_990..]));
    let (status, h, body) = fetch(app, &app.token, &dl, Some("bytes=-5")).await;
    assert_eq!((status, body.as_slice()), (206, &bytes[69_995..]));
    assert_eq!(h["content-range"], "bytes 69995-69999/70000");
    let (status, h, body) = fetch(app, &app.token, &dl, Some("bytes=70000-")).await;
    assert_eq!(status, 416);
    assert_eq!(h["content-range"], "bytes */70000");
    let err: serde_json::Value = serde_json::from_slice(&body).expect("envelope");
    assert_eq!(err["code"], "RANGE_NOT_SATISFIABLE");

    // The same content uploaded again (through /file) is a new asset sharing the stored bytes.
    let second = upload_as(
        app,
        &app.token,
        "/file",
        &[
            ("uploaded_from", "ko_field"),
            ("subject_type", "Task"),
            ("subject_id", &task),
        ],
        Some(("copy.pdf", &bytes)),
    )
    .await
    .expect(200);
    let id2 = second.data()["id"].as_str().expect("id").to_string();
    assert_ne!(id, id2);
    assert_eq!(stored_keys(app).await.len(), 1);
    assert_eq!(unfinished(app).await, 0);

    // Deleting one keeps the bytes the other needs; deleting both removes them.
    app.call(Method::DELETE, &app.org_path(&format!("/assets/{id}")))
        .await
        .expect(204);
    app.get(&app.org_path(&format!("/assets/{id}"))).await.expect(404);
    let (status, _, body) = fetch(app, &app.token, &dl, None).await;
    assert_eq!(status, 404);
    let err: serde_json::Value = serde_json::from_slice(&body).expect("envelope");
    assert_eq!(err["code"], "RESOURCE_NOT_FOUND");
    let (status, _, body) = fetch(app, &app.token, &app.org_path(&format!("/file/{id2}/dl")), None).await;
    assert_eq!((status, body.len()), (200, 70_000));
    app.call(Method::DELETE, &app.org_path(&format!("/file/{id2}")))
        .await
        .expect(204);
    app.call(Method::DELETE, &app.org_path(&format!("/file/{id2}")))
        .await
        .expect(404);
    assert!(stored_keys(app).await.is_empty());
    assert_eq!(asset_rows(app).await, 0);
}

on_every_storage!(the_size_limit_holds_at_and_over_it, |c| c.storage.max_upload_bytes =
    1000);
async fn the_size_limit_holds_at_and_over_it(app: &TestApp) {
    let task = standalone(app, "Limits", json!({"users": [1001]})).await;
    let at = vec![7u8; 1000];
    let r = upload_to_task(app, &task, "at.txt", &at).await.expect(200);
    assert_eq!(r.data()["size"], 1000);
    let over = vec![8u8; 1001];
    let r = upload_to_task(app, &task, "over.txt", &over).await.expect(413);
    assert_eq!(r.body["code"], "PAYLOAD_TOO_LARGE");
    assert_eq!(
        r.body["errors"]["name"][0],
        "The name may not be greater than 0 kilobytes."
    );
    // A body announcing far more than the limit is refused before it is read.
    let big = vec![9u8; 400_000];
    let r = upload_to_task(app, &task, "big.txt", &big).await;
    assert_eq!(r.status, 413, "{}", r.text);
    assert_eq!(r.body["code"], "PAYLOAD_TOO_LARGE");
    // Empty: refused, nothing stored.
    let r = upload_to_task(app, &task, "empty.txt", b"").await;
    assert_eq!(r.expect_invalid("name"), "The name field is required.");
    assert_eq!(stored_keys(app).await, vec![sha256_hex(&at)]);
    assert_eq!(unfinished(app).await, 0);
    assert_eq!(asset_rows(app).await, 1);
}

on_both!(uploads_check_their_parts);
async fn uploads_check_their_parts(app: &TestApp) {
    let task = standalone(app, "Parts", json!({"users": [1001]})).await;
    // Path components and control characters leave the name; the header stays safe.
    let r = upload_to_task(app, &task, "../../etc/pass\twd.txt", b"secret")
        .await
        .expect(200);
    assert_eq!(r.data()["filename"], "passwd.txt");
    let id = r.data()["id"].as_str().expect("id").to_string();
    let (_, h, _) = fetch(app, &app.token, &app.org_path(&format!("/file/{id}/dl")), None).await;
    assert_eq!(
        h["content-disposition"],
        "attachment; filename=\"passwd.txt\"; filename*=UTF-8''passwd.txt"
    );
    let r = upload_to_task(app, &task, "..", b"x").await;
    assert_eq!(r.expect_invalid("name"), "The name must be a file.");
    // A type not on the list.
    let r = upload_to_task(app, &task, "tool.exe", b"MZ").await;
    assert!(
        r.expect_invalid("name")
            .starts_with("The name must be a file of type: xlsx, xls,")
    );
    // Not multipart at all.
    let r = app
        .json(Method::POST, &app.org_path("/assets"), json!({"name": "x.txt"}))
        .await;
    assert!(r.expect_invalid("name").starts_with("The name field is required."));
    // Missing and wrong parts, all named at once.
    let r = upload_as(
        app,
        &app.token,
        "/assets",
        &[("subject_type", "Folder")],
        Some(("a.txt", b"a")),
    )
    .await;
    assert_eq!(
        r.expect_invalid("subject_type"),
        "The selected subject type is invalid."
    );
    assert_eq!(r.expect_invalid("subject_id"), "The subject id field is required.");
    assert_eq!(
        r.expect_invalid("uploaded_from"),
        "The uploaded from field is required."
    );
    let fields = [
        ("uploaded_from", "no-such-field"),
        ("subject_type", "Task"),
        ("subject_id", task.as_str()),
        ("step_id", "abc"),
        ("source", "ftp"),
    ];
    let r = upload_as(app, &app.token, "/assets", &fields, Some(("a.txt", b"a"))).await;
    assert_eq!(
        r.expect_invalid("uploaded_from"),
        "The selected uploaded from is invalid."
    );
    assert_eq!(r.expect_invalid("step_id"), "The step id field is prohibited.");
    assert_eq!(r.expect_invalid("source"), "The selected source is invalid.");
    let fields = [
        ("uploaded_from", "ko_field"),
        ("subject_type", "Run"),
        ("subject_id", "0123456789abcdef0123456789abcdef"),
    ];
    let r = upload_as(app, &app.token, "/assets", &fields, Some(("a.txt", b"a"))).await;
    assert_eq!(r.expect_invalid("subject_id"), "The selected subject id is invalid.");
    // Only the one good upload left anything behind.
    assert_eq!(stored_keys(app).await, vec![sha256_hex(b"secret")]);
    assert_eq!(asset_rows(app).await, 1);
}

on_both!(templates_and_runs_take_files_too);
async fn templates_and_runs_take_files_too(app: &TestApp) {
    let t = app
        .json(Method::POST, &app.org_path("/checklists"), json!({"title": "Intake"}))
        .await;
    assert!(t.status == 200 || t.status == 201, "{}", t.text);
    let template = t.data()["id"].as_str().expect("template id").to_string();
    let fields = [
        ("uploaded_from", "ko_field"),
        ("subject_type", "Checklist"),
        ("subject_id", template.as_str()),
    ];
    let r = upload_as(app, &app.token, "/assets", &fields, Some(("form.docx", b"PK")))
        .await
        .expect(200);
    assert_eq!(r.data()["subject"], json!({"id": template, "type": "Checklist"}));
    assert_eq!(
        r.data()["mime_type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let (status, body) = {
        let task_body =
            json!({"title": "In a run", "owners": {"users": [1001]}, "separate_task_for_each_assignee": true});
        let r = app
            .json(Method::POST, &app.org_path("/tasks"), task_body)
            .await
            .expect(201);
        (r.status, r.data()["run"]["id"].as_str().map(str::to_string))
    };
    assert_eq!(status, 201);
    let run = body.expect("run id");
    let fields = [
        ("uploaded_from", "ko_field"),
        ("subject_type", "run"),
        ("subject_id", run.as_str()),
        ("checklist_id", template.as_str()),
    ];
    let r = upload_as(app, &app.token, "/assets", &fields, Some(("a.png", b"png"))).await;
    assert_eq!(
        r.expect_invalid("checklist_id"),
        "The selected checklist id is invalid."
    );
    let fields = [
        ("uploaded_from", "ko_field"),
        ("subject_type", "run"),
        ("subject_id", run.as_str()),
        ("system", "crm"),
    ];
    let r = upload_as(app, &app.token, "/assets", &fields, Some(("a.png", b"png")))
        .await
        .expect(200);
    assert_eq!(r.data()["subject"], json!({"id": run, "type": "Run"}));
    assert_eq!(r.data()["system"], "crm");
}

on_both!(files_are_visible_exactly_to_who_sees_their_subject);
async fn files_are_visible_exactly_to_who_sees_their_subject(app: &TestApp) {
    let (_, sam) = app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let (_, lee) = app.add_member("acme", 1003, "lee@acme.test", "light").await;
    let other_admin = app.add_org("globex", 2001).await;
    let open = standalone(app, "Open task", json!({"users": [1001]})).await;
    let secret = app
        .json(
            Method::POST,
            &app.org_path("/tasks"),
            json!({"title": "Secret", "owners": {"users": [1001]}, "top_secret": true}),
        )
        .await
        .expect(201);
    let secret = secret.data()["id"].as_str().expect("id").to_string();
    let a_open = upload_to_task(app, &open, "open.txt", b"open").await.expect(200);
    let a_open = a_open.data()["id"].as_str().expect("id").to_string();
    let a_secret = upload_to_task(app, &secret, "secret.txt", b"secret").await.expect(200);
    let a_secret = a_secret.data()["id"].as_str().expect("id").to_string();

    // Another organization: its own path is 404 for our ids, ours is 403 for its admin.
    let r = app
        .send(app.request_as(
            &other_admin,
            Method::GET,
            &format!("/organizations/globex/assets/{a_open}"),
        ))
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let (status, _, _) = fetch(
        app,
        &other_admin,
        &format!("/organizations/globex/file/{a_open}/dl"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let r = app
        .send(app.request_as(&other_admin, Method::GET, &app.org_path(&format!("/assets/{a_open}"))))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    // Nor can it upload to our task from its organization.
    let fields = [
        ("uploaded_from", "ko_field"),
        ("subject_type", "Task"),
        ("subject_id", open.as_str()),
    ];
    let r = app
        .send(
            app.request_as(&other_admin, Method::POST, "/organizations/globex/assets")
                .header("Content-Type", format!("multipart/form-data; boundary={BOUNDARY}"))
                .body(multipart(&fields, Some(("x.txt", b"x")))),
        )
        .await;
    assert_eq!(r.expect_invalid("subject_id"), "The selected subject id is invalid.");

    // A standard member sees the open task's file, not the top-secret task's.
    let (status, _, body) = fetch(app, &sam, &app.org_path(&format!("/file/{a_open}/dl")), None).await;
    assert_eq!((status, body.as_slice()), (200, b"open".as_slice()));
    let (status, _, _) = fetch(app, &sam, &app.org_path(&format!("/file/{a_secret}/dl")), None).await;
    assert_eq!(status, 404);
    let r = app
        .send(app.request_as(&sam, Method::GET, &app.org_path(&format!("/assets/{a_secret}"))))
        .await;
    assert_eq!(r.status, 404);
    // Nor may they delete a file someone else uploaded.
    let r = app
        .send(app.request_as(&sam, Method::DELETE, &app.org_path(&format!("/assets/{a_open}"))))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    // A light member may upload only to tasks they may update.
    let fields = [
        ("uploaded_from", "ko_field"),
        ("subject_type", "Task"),
        ("subject_id", open.as_str()),
    ];
    let r = upload_as(app, &lee, "/assets", &fields, Some(("l.txt", b"l"))).await;
    assert_eq!(r.status, 403, "{}", r.text);
    let mine = standalone(app, "Lee's task", json!({"users": [1003]})).await;
    let fields = [
        ("uploaded_from", "ko_field"),
        ("subject_type", "Task"),
        ("subject_id", mine.as_str()),
    ];
    let r = upload_as(app, &lee, "/assets", &fields, Some(("l.txt", b"l")))
        .await
        .expect(200);
    let lees = r.data()["id"].as_str().expect("id").to_string();
    // The uploader may delete their own file.
    let r = app
        .send(app.request_as(&lee, Method::DELETE, &app.org_path(&format!("/file/{lees}"))))
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(asset_rows(app).await, 2);
}

on_every_storage!(an_upload_that_stops_halfway_leaves_nothing);
async fn an_upload_that_stops_halfway_leaves_nothing(app: &TestApp) {
    let task = standalone(app, "Halfway", json!({"users": [1001]})).await;
    let fields = [
        ("uploaded_from", "ko_field"),
        ("subject_type", "Task"),
        ("subject_id", task.as_str()),
    ];
    // 12 MiB, of which 8 are sent: past the first chunk rows (PostgreSQL) and the first
    // multipart part (S3).
    let body = multipart(&fields, Some(("half.pdf", &vec![1u8; 12 << 20])));
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut conn = tokio::net::TcpStream::connect(&addr).await.expect("connect");
    let head = format!(
        "POST /organizations/acme/assets HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         X-Tallyfy-Client: APIClient\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n\
         Content-Length: {}\r\n\r\n",
        app.token,
        body.len()
    );
    conn.write_all(head.as_bytes()).await.expect("head");
    conn.write_all(&body[..8 << 20]).await.expect("most of the body");
    conn.flush().await.expect("flush");
    // Wait until the server has begun storing it, then go away.
    let mut begun = false;
    for _ in 0..200 {
        if unfinished(app).await > 0 {
            begun = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(begun, "the upload never showed in the temporary place");
    drop(conn);
    // The temporary copy goes, and no row or stored file appears.
    let mut left = usize::MAX;
    for _ in 0..400 {
        left = unfinished(app).await;
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(left, 0, "a temporary copy outlived the broken upload");
    assert!(stored_keys(app).await.is_empty());
    assert_eq!(asset_rows(app).await, 0);
    // The server is fine afterwards, and so is a body that breaks its multipart framing.
    let mut conn = tokio::net::TcpStream::connect(&addr).await.expect("connect");
    let cut = &body[..1000];
    let head = format!(
        "POST /organizations/acme/assets HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         X-Tallyfy-Client: APIClient\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        app.token,
        cut.len()
    );
    conn.write_all(head.as_bytes()).await.expect("head");
    conn.write_all(cut).await.expect("body");
    let mut answer = String::new();
    conn.read_to_string(&mut answer).await.expect("answer");
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("\"code\":\"BAD_REQUEST\""), "{answer}");
    assert_eq!(unfinished(app).await, 0);
    assert_eq!(asset_rows(app).await, 0);
    upload_to_task(app, &task, "after.txt", b"fine").await.expect(200);
}
