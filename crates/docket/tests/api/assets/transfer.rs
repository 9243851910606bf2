//! Files travel with `docket export`/`import` (any database backend to any, and any storage
//! backend to any) and `docket backup`.

use std::process::Command;

use reqwest::Method;
use serde_json::json;

use docket::config::StorageBackend;

use super::{stored_files, upload_to_task};
use crate::support::app::asset_dir_for;
use crate::support::backend::TestDb;
use crate::support::fixtures::standalone;
use crate::support::storage::{Setup, stored_keys};
use crate::support::{Backend, TestApp};

/// Runs the binary with the storage directory `assets`; returns (exit code, output).
fn docket_with(assets: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(args)
        .env_remove("DOCKET_DATABASE_URL")
        .env_remove("DOCKET_CONFIG")
        .env_remove("DOCKET_BOOTSTRAP")
        .env("DOCKET_ASSET_DIR", assets)
        .output()
        .expect("docket runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

on_both!(an_organization_with_files_moves_from_sqlite, backend);
async fn an_organization_with_files_moves_from_sqlite(target: Backend) {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let task = standalone(&app, "Contracts", json!({"users": [1001]})).await;
    let one: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    let a = upload_to_task(&app, &task, "one.pdf", &one).await.expect(200);
    let b = upload_to_task(&app, &task, "same.pdf", &one).await.expect(200);
    let c = upload_to_task(&app, &task, "two.txt", b"second file").await.expect(200);
    let ids: Vec<String> = [&a, &b, &c]
        .iter()
        .map(|r| r.data()["id"].as_str().expect("id").to_string())
        .collect();

    let work = std::env::temp_dir().join(format!("docket-files-move-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&work).expect("work dir");
    let export = work.join("acme.jsonl");
    let url = app.store_url();
    let (code, out) = docket_with(
        &app.asset_dir(),
        &[
            "export",
            "--to",
            export.to_str().expect("utf-8"),
            "--database-url",
            &url,
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("copied 2 stored files"), "{out}");
    // A backup of the SQLite file takes its files along too.
    let backup = work.join("backup.db");
    let (code, out) = docket_with(
        &app.asset_dir(),
        &[
            "backup",
            "--to",
            backup.to_str().expect("utf-8"),
            "--database-url",
            &url,
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(stored_files(&work.join("backup.db.files")).len(), 2);

    let db = TestDb::create(target).await;
    let (code, out) = docket_with(
        &asset_dir_for(&db.url),
        &[
            "import",
            "--from",
            export.to_str().expect("utf-8"),
            "--database-url",
            &db.url,
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("copied 2 stored files"), "{out}");
    let moved = TestApp::spawn_on(&db.url, target, |_| {}).await;
    for (id, want) in ids
        .iter()
        .zip([one.as_slice(), one.as_slice(), b"second file".as_slice()])
    {
        let before = app.get(&app.org_path(&format!("/assets/{id}"))).await.expect(200);
        let after = moved.get(&moved.org_path(&format!("/assets/{id}"))).await.expect(200);
        for key in ["filename", "size", "mime_type", "subject", "uploaded_at", "uploaded_by"] {
            assert_eq!(before.data()[key], after.data()[key], "{key} of {id}");
        }
        let r = moved
            .request(Method::GET, &moved.org_path(&format!("/file/{id}/dl")))
            .send()
            .await
            .expect("download");
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.bytes().await.expect("bytes").as_ref(), want);
    }
    // An import whose files are missing fails and says which.
    std::fs::remove_dir_all(work.join("acme.jsonl.files")).expect("remove files");
    let db2 = TestDb::create(target).await;
    let (code, out) = docket_with(
        &asset_dir_for(&db2.url),
        &[
            "import",
            "--from",
            export.to_str().expect("utf-8"),
            "--database-url",
            &db2.url,
        ],
    );
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("acme.jsonl.files has no file"), "{out}");
    moved.stop().await;
    app.stop().await;
    let _ = std::fs::remove_dir_all(&work);
    drop((db, db2));
}

/// Runs the binary with the file storage of `setup`; returns (exit code, output).
fn docket_on(setup: &Setup, assets: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(args)
        .env_remove("DOCKET_DATABASE_URL")
        .env_remove("DOCKET_CONFIG")
        .env_remove("DOCKET_BOOTSTRAP")
        .env("DOCKET_ASSET_DIR", assets)
        .envs(setup.env())
        .output()
        .expect("docket runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// Downloads asset `id` from `app`.
async fn bytes_of(app: &TestApp, id: &str) -> Vec<u8> {
    let r = app
        .request(Method::GET, &app.org_path(&format!("/file/{id}/dl")))
        .send()
        .await
        .expect("download");
    assert_eq!(r.status().as_u16(), 200);
    r.bytes().await.expect("bytes").to_vec()
}

/// Exports `from` (storage `setup_from`), imports into a fresh database of `db` with storage
/// `setup_to`, and checks every file of `files` (asset id, bytes) there; returns the export.
async fn move_files(
    from: &TestApp,
    setup_from: &Setup,
    setup_to: &Setup,
    files: &[(String, Vec<u8>)],
    work: &std::path::Path,
) -> (TestApp, TestDb) {
    let export = work.join("acme.jsonl");
    let url = from.store_url();
    let (code, out) = docket_on(
        setup_from,
        &asset_dir_for(&url),
        &[
            "export",
            "--to",
            export.to_str().expect("utf-8"),
            "--database-url",
            &url,
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("copied {} stored files", files.len())), "{out}");
    let db = TestDb::create(setup_to.db).await;
    let (code, out) = docket_on(
        setup_to,
        &asset_dir_for(&db.url),
        &[
            "import",
            "--from",
            export.to_str().expect("utf-8"),
            "--database-url",
            &db.url,
        ],
    );
    assert_eq!(code, 0, "{out}");
    let moved = TestApp::spawn_on(&db.url, setup_to.db, |c| setup_to.tune(c)).await;
    for (id, want) in files {
        assert!(bytes_of(&moved, id).await == *want, "asset {id} differs after the move");
    }
    (moved, db)
}

mod postgres {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn files_kept_in_the_database_move_with_export_and_import() {
        Backend::require_postgres();
        let setup = Setup::new(Backend::Postgres, StorageBackend::Postgres).await;
        let app = setup.spawn().await;
        let task = standalone(&app, "Contracts", json!({"users": [1001]})).await;
        let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
        let a = upload_to_task(&app, &task, "big.pdf", &big).await.expect(200);
        let b = upload_to_task(&app, &task, "small.txt", b"small").await.expect(200);
        let files = vec![
            (a.data()["id"].as_str().expect("id").to_string(), big),
            (b.data()["id"].as_str().expect("id").to_string(), b"small".to_vec()),
        ];
        let work = std::env::temp_dir().join(format!("docket-files-pg-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&work).expect("work dir");
        // Out of the database and into another one's (the import migrates before the files go
        // in).
        let (moved, _db) = move_files(&app, &setup, &setup, &files, &work).await;
        assert_eq!(stored_keys(&moved).await.len(), 2);
        // Files in PostgreSQL need a PostgreSQL database: a clear refusal otherwise.
        let sqlite = TestDb::create(Backend::Sqlite).await;
        let export = work.join("acme.jsonl");
        let (code, out) = docket_on(
            &setup,
            &asset_dir_for(&sqlite.url),
            &[
                "import",
                "--from",
                export.to_str().expect("utf-8"),
                "--database-url",
                &sqlite.url,
            ],
        );
        assert_ne!(code, 0, "{out}");
        assert!(out.contains("the database is not PostgreSQL"), "{out}");
        moved.stop().await;
        app.stop().await;
        let _ = std::fs::remove_dir_all(&work);
    }
}

mod s3 {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn files_move_into_a_bucket_and_out_again() {
        let local = Setup::new(Backend::Sqlite, StorageBackend::Local).await;
        let app = local.spawn().await;
        let task = standalone(&app, "Contracts", json!({"users": [1001]})).await;
        let big: Vec<u8> = (0..6_000_000u32).map(|i| (i % 253) as u8).collect();
        let a = upload_to_task(&app, &task, "big.pdf", &big).await.expect(200);
        let b = upload_to_task(&app, &task, "small.txt", b"small").await.expect(200);
        let files = vec![
            (a.data()["id"].as_str().expect("id").to_string(), big),
            (b.data()["id"].as_str().expect("id").to_string(), b"small".to_vec()),
        ];
        let work = std::env::temp_dir().join(format!("docket-files-s3-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(work.join("in")).expect("work dir");
        std::fs::create_dir_all(work.join("out")).expect("work dir");
        let bucket = Setup::new(Backend::Sqlite, StorageBackend::S3).await;
        let (in_bucket, _in_db) = move_files(&app, &local, &bucket, &files, &work.join("in")).await;
        assert_eq!(stored_keys(&in_bucket).await.len(), 2);
        // And from the bucket to a local directory again.
        let (back, _back_db) = move_files(&in_bucket, &bucket, &local, &files, &work.join("out")).await;
        back.stop().await;
        in_bucket.stop().await;
        app.stop().await;
        let _ = std::fs::remove_dir_all(&work);
    }
}
