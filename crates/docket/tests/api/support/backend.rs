//! A fresh database per test: a temporary SQLite file, or a PostgreSQL database created for the
//! test and dropped when it ends (also when it panics).

use sqlx::Connection;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A temporary SQLite file.
    Sqlite,
    /// A database on the server of `DOCKET_TEST_POSTGRES_URL`.
    Postgres,
}

impl Backend {
    /// Fails the calling test unless `DOCKET_TEST_POSTGRES_URL` is set: a PostgreSQL test that
    /// cannot run must not pass. Skip them with `-- --skip postgres` instead.
    #[track_caller]
    pub fn require_postgres() {
        if std::env::var("DOCKET_TEST_POSTGRES_URL").is_ok_and(|v| !v.trim().is_empty()) {
            return;
        }
        panic!(
            "DOCKET_TEST_POSTGRES_URL is not set, so this PostgreSQL test cannot run; set it \
             (scripts/test finds or starts a server) or leave these tests out with `-- --skip postgres`"
        );
    }
}

/// A database that exists for one test.
pub struct TestDb {
    /// Its URL.
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    /// Creates a fresh, empty database (PostgreSQL: on the server of `DOCKET_TEST_POSTGRES_URL`).
    pub async fn create(backend: Backend) -> TestDb {
        let admin_url = match backend {
            Backend::Sqlite => String::new(),
            Backend::Postgres => std::env::var("DOCKET_TEST_POSTGRES_URL").expect("DOCKET_TEST_POSTGRES_URL"),
        };
        Self::create_on(backend, &admin_url).await
    }

    /// Creates a fresh, empty database; PostgreSQL: on the server of `admin_url`.
    pub async fn create_on(backend: Backend, admin_url: &str) -> TestDb {
        let name = format!("docket_test_{}", uuid::Uuid::new_v4().simple());
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join("docket-tests");
                std::fs::create_dir_all(&dir).expect("temp dir");
                let path = dir.join(format!("{name}.db"));
                TestDb {
                    url: format!("sqlite://{}", path.display()),
                    cleanup: Cleanup::File(path),
                }
            }
            Backend::Postgres => {
                let admin_url = admin_url.to_string();
                let mut conn = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("DOCKET_TEST_POSTGRES_URL does not answer: {e}"));
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create database");
                let _ = conn.close().await;
                let url = match admin_url.rfind('/') {
                    Some(i) if admin_url[..i].ends_with(|c: char| c != '/') => format!("{}/{name}", &admin_url[..i]),
                    _ => format!("{}/{name}", admin_url.trim_end_matches('/')),
                };
                TestDb {
                    url,
                    cleanup: Cleanup::Postgres { admin_url, name },
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop may run inside a runtime or during a panic: use a thread of its own.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("runtime");
                    rt.block_on(async {
                        if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&mut conn)
                                .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}
