//! What every storage backend promises beyond a small round trip: large files across the
//! PostgreSQL chunk rows and the S3 multipart parts, ranges across their boundaries, shared
//! content, and the start-up sweep of bytes no row names.

use bytes::Bytes;
use reqwest::Method;
use serde_json::json;

use super::{sha256_hex, upload_to_task};
use crate::support::TestApp;
use crate::support::fixtures::standalone;
use crate::support::storage::{stored_keys, unfinished};

/// A GET's status and body.
async fn download(app: &TestApp, path: &str, range: Option<&str>) -> (u16, Vec<u8>) {
    let mut rb = app.request(Method::GET, path);
    if let Some(r) = range {
        rb = rb.header("Range", r);
    }
    let r = rb.send().await.expect("sent");
    let status = r.status().as_u16();
    (status, r.bytes().await.expect("body").to_vec())
}

on_every_storage!(large_files_cross_chunk_and_part_boundaries);
async fn large_files_cross_chunk_and_part_boundaries(app: &TestApp) {
    let task = standalone(app, "Large files", json!({"users": [1001]})).await;
    // 11 MiB and 3 bytes: 12 chunk rows of 1 MiB (PostgreSQL), 3 parts of 5 MiB (S3).
    let size: usize = (11 << 20) + 3;
    let bytes: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
    let r = upload_to_task(app, &task, "scan.pdf", &bytes).await.expect(200);
    assert_eq!(r.data()["size"], size);
    let id = r.data()["id"].as_str().expect("id").to_string();
    let dl = app.org_path(&format!("/file/{id}/dl"));
    let (status, body) = download(app, &dl, None).await;
    assert_eq!(status, 200);
    assert!(body == bytes, "the download differs from the upload");
    let mib: usize = 1 << 20;
    for (first, last) in [
        (mib - 3, mib + 2),           // across the first chunk boundary
        (5 * mib - 1, 5 * mib),       // across the first part boundary
        (3 * mib, 3 * mib + 2 * mib), // whole chunks and then some
        (11 * mib, size - 1),         // the short last chunk
        (0, 0),                       // one byte
    ] {
        let (status, body) = download(app, &dl, Some(&format!("bytes={first}-{last}"))).await;
        assert_eq!(status, 206, "bytes={first}-{last}");
        assert!(body == bytes[first..=last], "bytes={first}-{last} differ");
    }
    // The same content again shares the stored file, and leaves no temporary copy.
    let again = upload_to_task(app, &task, "copy.pdf", &bytes).await.expect(200);
    assert_eq!(stored_keys(app).await, vec![sha256_hex(&bytes)]);
    assert_eq!(unfinished(app).await, 0);
    let id2 = again.data()["id"].as_str().expect("id").to_string();
    app.call(Method::DELETE, &app.org_path(&format!("/assets/{id}")))
        .await
        .expect(204);
    let (status, body) = download(app, &app.org_path(&format!("/file/{id2}/dl")), Some("bytes=-4")).await;
    assert_eq!((status, body.as_slice()), (206, &bytes[size - 4..]));
    app.call(Method::DELETE, &app.org_path(&format!("/assets/{id2}")))
        .await
        .expect(204);
    assert!(stored_keys(app).await.is_empty());
}

on_every_storage!(the_start_up_sweep_removes_only_bytes_no_row_names);
async fn the_start_up_sweep_removes_only_bytes_no_row_names(app: &TestApp) {
    let task = standalone(app, "Sweep", json!({"users": [1001]})).await;
    let r = upload_to_task(app, &task, "kept.txt", b"kept bytes").await.expect(200);
    let id = r.data()["id"].as_str().expect("id").to_string();
    // Bytes stored without a row: what an upload that stopped between the two leaves.
    let orphan = app
        .state()
        .storage
        .put(
            futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"no row"))]),
            1000,
        )
        .await
        .expect("stored");
    drop(orphan);
    let mut both = vec![sha256_hex(b"kept bytes"), sha256_hex(b"no row")];
    both.sort();
    assert_eq!(stored_keys(app).await, both);
    // A second server on the same database and storage sweeps at start.
    let storage = app.state().config.storage.clone();
    let second = TestApp::spawn_on(&app.store_url(), app.backend, |c| c.storage = storage).await;
    assert_eq!(stored_keys(app).await, vec![sha256_hex(b"kept bytes")]);
    let (status, body) = download(&second, &second.org_path(&format!("/file/{id}/dl")), None).await;
    assert_eq!((status, body.as_slice()), (200, b"kept bytes".as_slice()));
    second.stop().await;
}
