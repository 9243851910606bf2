//! `kill -9` of the real `docket serve` binary while uploads stream in: no stored file is ever
//! a half file under its real name, no asset row lacks its bytes, every acknowledged upload
//! survives, and the restart sweeps what the kill left in `tmp/` and any bytes with no row. On
//! both databases with the local directory, and on PostgreSQL with the files in the database.

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use sha2::Digest;
use sqlx::Connection;

use docket::config::{Config, StorageBackend};
use docket::storage::Storage;

use super::{BOUNDARY, multipart};
use crate::support::Backend;
use crate::support::app::asset_dir_for;
use crate::support::fixtures::standalone;
use crate::support::storage::Setup;

struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(url: &str, assets: &std::path::Path, setup: &Setup) -> Server {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
            l.local_addr().expect("addr").port()
        };
        let child = Command::new(env!("CARGO_BIN_EXE_docket"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--database-url", url])
            .env("DOCKET_RATE_LIMIT", "0")
            .env("DOCKET_ASSET_DIR", assets)
            .envs(setup.env())
            .env_remove("DOCKET_BOOTSTRAP")
            .env_remove("DOCKET_CONFIG")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("docket starts");
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Ok(r) = client.get(format!("{base}/health")).send().await
                && r.status() == 200
            {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "docket did not start");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        Server { child, base }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn shas_of_rows(url: &str) -> BTreeSet<String> {
    let sql = "SELECT sha256 FROM assets";
    let rows: Vec<String> = if url.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
        sqlx::query_scalar(sql).fetch_all(&mut c).await.expect(sql)
    } else {
        let mut c = sqlx::SqliteConnection::connect(url).await.expect("connect");
        sqlx::query_scalar(sql).fetch_all(&mut c).await.expect(sql)
    };
    rows.into_iter().collect()
}

/// The keys of the storage of `setup` on database `url`, after checking that every stored
/// file's content hashes to its name (no half or wrong file under a real name).
async fn whole_files(url: &str, assets: &std::path::Path, setup: &Setup) -> BTreeSet<String> {
    let mut config = Config {
        database_url: url.to_string(),
        ..Config::default()
    };
    config.storage.dir = Some(assets.to_path_buf());
    setup.tune(&mut config);
    let storage = Storage::connect(&config).await.expect("storage");
    let keys = storage.keys().await.expect("keys");
    for key in &keys {
        let mut stream = storage.get(key, None).await.expect("read").expect("stored");
        let mut hasher = sha2::Sha256::new();
        while let Some(piece) = futures_util::StreamExt::next(&mut stream).await {
            hasher.update(piece.expect("bytes"));
        }
        assert_eq!(
            &hex::encode(hasher.finalize()),
            key,
            "a half or wrong file under a real name"
        );
    }
    keys.into_iter().collect()
}

on_both!(kill_9_during_uploads_leaves_no_half_files_and_no_orphan_rows, backend);
async fn kill_9_during_uploads_leaves_no_half_files_and_no_orphan_rows(backend: Backend) {
    kill_9_during_uploads(Setup::new(backend, StorageBackend::Local).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_uploads_into_the_database_leaves_nothing_half_postgres() {
    Backend::require_postgres();
    kill_9_during_uploads(Setup::new(Backend::Postgres, StorageBackend::Postgres).await).await;
}

async fn kill_9_during_uploads(setup: Setup) {
    let app = setup.spawn().await;
    let task = standalone(&app, "Uploads", json!({"users": [1001]})).await;
    let (url, token) = (app.store_url(), app.token.clone());
    let _db = app.stop_keeping_db().await;
    let assets = asset_dir_for(&url);
    let mut server = Server::start(&url, &assets, &setup).await;
    let acks = Arc::new(Mutex::new(Vec::<(String, Vec<u8>)>::new()));
    let mut set = tokio::task::JoinSet::new();
    for w in 0..4u8 {
        let (base, token, task, acks) = (server.base.clone(), token.clone(), task.clone(), acks.clone());
        set.spawn(async move {
            let client = reqwest::Client::new();
            for i in 0..10_000u32 {
                let mut bytes = vec![w; 600_000];
                bytes[..4].copy_from_slice(&i.to_le_bytes());
                let fields = [
                    ("uploaded_from", "ko_field"),
                    ("subject_type", "Task"),
                    ("subject_id", task.as_str()),
                ];
                let sent = client
                    .post(format!("{base}/organizations/acme/assets"))
                    .bearer_auth(&token)
                    .header("X-Tallyfy-Client", "APIClient")
                    .header("Content-Type", format!("multipart/form-data; boundary={BOUNDARY}"))
                    .body(multipart(&fields, Some(("part.zip", &bytes))))
                    .send()
                    .await;
                let Ok(r) = sent else { return };
                if r.status() != 200 {
                    return;
                }
                let Ok(body) = r.json::<serde_json::Value>().await else {
                    return;
                };
                let id = body["data"]["id"].as_str().expect("id").to_string();
                acks.lock().expect("lock").push((id, bytes));
            }
        });
    }
    let started = Instant::now();
    let dice = (uuid::Uuid::new_v4().as_u128() % 8) as usize;
    while acks.lock().expect("lock").len() < 6 + dice {
        assert!(started.elapsed() < Duration::from_secs(120), "uploads too slow");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("reaped");
    set.join_all().await;

    // Right after the kill: whatever is under a real name is whole, and every row has its bytes.
    let rows = shas_of_rows(&url).await;
    let stored = whole_files(&url, &assets, &setup).await;
    assert!(rows.is_subset(&stored), "asset rows without their bytes");

    // The restart sweeps tmp/ and bytes no row names; every acknowledged upload is intact.
    drop(server);
    let server = Server::start(&url, &assets, &setup).await;
    assert_eq!(std::fs::read_dir(assets.join("tmp")).map(|d| d.count()).unwrap_or(0), 0);
    assert_eq!(whole_files(&url, &assets, &setup).await, rows);
    let client = reqwest::Client::new();
    let acked = acks.lock().expect("lock").clone();
    assert!(acked.len() >= 6);
    for (id, bytes) in acked {
        let r = client
            .get(format!("{}/organizations/acme/file/{id}/dl", server.base))
            .bearer_auth(&token)
            .header("X-Tallyfy-Client", "APIClient")
            .send()
            .await
            .expect("download");
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.bytes().await.expect("bytes").as_ref(), bytes.as_slice());
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&assets);
}
