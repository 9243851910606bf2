//! The file storage backends under test: `Setup` (a database backend and a storage backend),
//! and a local S3-compatible server, moto, for the `s3` backend.
//!
//! moto runs once per test binary, started on first use with the Python named by
//! `DOCKET_TEST_MOTO_PYTHON` (`scripts/test` prepares `target/moto-venv` with `moto[server]`)
//! on a free port of 127.0.0.1; it exits when the test binary does (it waits on a pipe from
//! it). Each test gets a bucket of its own. Without `DOCKET_TEST_MOTO_PYTHON` an `s3` test
//! **fails**; leave them out with `-- --skip s3::` (every one has `s3::` in its path).

use std::io::BufRead;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};

use docket::config::{Config, S3Config, Secret, StorageBackend};

use super::{Backend, TestApp};

/// A database backend and a file storage backend to start docket with.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The database.
    pub db: Backend,
    /// The file storage.
    pub storage: StorageBackend,
    /// The bucket of the `s3` backend.
    pub s3: Option<S3Config>,
}

impl Setup {
    /// `storage` on `db` (for `s3`: a fresh bucket on the test's moto).
    pub async fn new(db: Backend, storage: StorageBackend) -> Setup {
        let s3 = match storage {
            StorageBackend::S3 => Some(bucket().await),
            _ => None,
        };
        Setup { db, storage, s3 }
    }

    /// Sets the storage of `config` to this one.
    pub fn tune(&self, config: &mut Config) {
        config.storage.backend = self.storage;
        if let Some(s3) = &self.s3 {
            config.storage.s3 = s3.clone();
        }
    }

    /// docket on a fresh database of `db` with this storage.
    pub async fn spawn(&self) -> TestApp {
        TestApp::spawn_with(self.db, |c| self.tune(c)).await
    }

    /// The environment that gives the `docket` binary this storage.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let name = match self.storage {
            StorageBackend::Local => "local",
            StorageBackend::Postgres => "postgres",
            StorageBackend::S3 => "s3",
        };
        let mut env = vec![("DOCKET_STORAGE", name.to_string())];
        if let Some(s3) = &self.s3 {
            let get = |v: &Option<String>| v.clone().unwrap_or_default();
            env.extend([
                ("DOCKET_STORAGE_S3_BUCKET", get(&s3.bucket)),
                ("DOCKET_STORAGE_S3_ENDPOINT", get(&s3.endpoint)),
                ("DOCKET_STORAGE_S3_REGION", get(&s3.region)),
                ("DOCKET_STORAGE_S3_ACCESS_KEY_ID", get(&s3.access_key_id)),
                (
                    "DOCKET_STORAGE_S3_SECRET_ACCESS_KEY",
                    s3.secret_access_key.clone().map(|s| s.0).unwrap_or_default(),
                ),
            ]);
        }
        env
    }
}

/// The keys stored by `app`'s storage.
pub async fn stored_keys(app: &TestApp) -> Vec<String> {
    app.state().storage.keys().await.expect("storage keys")
}

/// Uploads `app`'s storage has begun and not finished or cleaned up (temporary files, open
/// upload transactions, temporary objects, and on moto unfinished multipart uploads).
pub async fn unfinished(app: &TestApp) -> usize {
    let staged = app.state().storage.unfinished().await.expect("unfinished uploads");
    let multipart = match &app.state().config.storage.s3.bucket {
        Some(bucket) if app.state().storage.kind() == StorageBackend::S3 => multipart_uploads(bucket).await,
        _ => 0,
    };
    staged + multipart
}

/// The moto server of this test binary.
struct Moto {
    endpoint: String,
    _child: Child,
    /// Held open: moto exits when it closes (with the test binary).
    _stdin: ChildStdin,
}

static MOTO: OnceLock<Mutex<Option<Moto>>> = OnceLock::new();

/// Starts moto in a thread of a Python process that lives until its standard input closes.
const MOTO_SCRIPT: &str = r#"
import sys
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=int(sys.argv[1]), verbose=False)
server.start()
print("ready", flush=True)
sys.stdin.read()
server.stop()
"#;

fn start_moto() -> Moto {
    let Some(python) = std::env::var("DOCKET_TEST_MOTO_PYTHON")
        .ok()
        .filter(|p| !p.trim().is_empty())
    else {
        panic!(
            "DOCKET_TEST_MOTO_PYTHON is not set, so this S3 test cannot run; set it to a Python with \
             moto[server] (scripts/test prepares target/moto-venv) or leave these tests out with \
             `-- --skip s3::`"
        );
    };
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        l.local_addr().expect("addr").port()
    };
    let mut child = Command::new(&python)
        .args(["-c", MOTO_SCRIPT, &port.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start moto with {python}: {e}"));
    let stdout = child.stdout.take().expect("moto stdout");
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("moto answers");
    assert_eq!(line.trim(), "ready", "moto did not start");
    let stdin = child.stdin.take().expect("moto stdin");
    Moto {
        endpoint: format!("http://127.0.0.1:{port}"),
        _child: child,
        _stdin: stdin,
    }
}

/// moto's address, starting it on first use.
fn moto_endpoint() -> String {
    let cell = MOTO.get_or_init(|| Mutex::new(None));
    let mut moto = cell.lock().unwrap_or_else(|e| e.into_inner());
    if moto.is_none() {
        *moto = Some(tokio::task::block_in_place(start_moto));
    }
    moto.as_ref().map(|m| m.endpoint.clone()).unwrap_or_default()
}

/// A fresh, empty bucket on moto, as the `s3` backend's settings.
pub async fn bucket() -> S3Config {
    let endpoint = moto_endpoint();
    let name = format!("docket-{}", uuid::Uuid::new_v4().simple());
    let r = client()
        .put(format!("{endpoint}/{name}"))
        .send()
        .await
        .expect("moto answers");
    assert!(r.status().is_success(), "cannot create bucket {name}: {}", r.status());
    S3Config {
        bucket: Some(name),
        endpoint: Some(endpoint),
        region: Some("us-east-1".into()),
        access_key_id: Some("docket-test".into()),
        secret_access_key: Some(Secret("docket-test-secret".into())),
        path_style: Some(true),
        prefix: None,
    }
}

/// A client for moto (reqwest is built without a bundled TLS provider: ring, as in docket).
fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// Multipart uploads begun and neither completed nor aborted in `bucket` on moto.
pub async fn multipart_uploads(bucket: &str) -> usize {
    let body = client()
        .get(format!("{}/{bucket}?uploads", moto_endpoint()))
        .send()
        .await
        .expect("moto answers")
        .text()
        .await
        .expect("listing");
    body.matches("<UploadId>").count()
}
