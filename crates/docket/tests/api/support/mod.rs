//! Test support: `TestApp` (the real server on port 0 over a fresh database), the fixtures
//! several test files share (`fixtures`), and the `on_both!` macro that runs a test on both
//! backends.
//!
//! # One test, two backends
//!
//! A test is a plain `async fn` (so rustfmt formats it), followed by one line naming it:
//!
//! ```ignore
//! on_both!(lists_tasks);
//! async fn lists_tasks(app: &TestApp) { … }
//! ```
//!
//! `on_both!(name)` adds `name::sqlite` and `name::postgres`, each starting docket on a fresh
//! database of that backend and calling `name(&app)`. Two variants:
//!
//! - `on_both!(name, |c| c.now = Some(NOW))`: the server's `Config` is adjusted first (a fixed
//!   clock, a rate limit, …).
//! - `on_both!(name, backend)`: `async fn name(backend: Backend)` starts what it needs itself
//!   (several servers, a server restarted on the same database, …).
//!
//! # Halves that cannot run are reported as not run, never as passed
//!
//! Every test needing PostgreSQL has `postgres` in its path (`name::postgres`, a `mod postgres`
//! of PostgreSQL-only tests, or a name ending in `_postgres`) and starts with
//! [`Backend::require_postgres`], which **fails** the test when `DOCKET_TEST_POSTGRES_URL` is not
//! set; no other test has `postgres` in its path. Likewise the drives with the Python SDK
//! (`sdk::…`) fail without `DOCKET_TEST_PYTHON`. Nothing is skipped silently: without
//! PostgreSQL, run `cargo test -p docket --test api -- --skip postgres`, and cargo counts those
//! tests as "filtered out". `scripts/test` does that itself when it finds no PostgreSQL (or no
//! SDK), and says so; on CI (`CI` set) it never leaves anything out, so a missing PostgreSQL or
//! SDK fails the run. Those filters match substrings of test paths: name no other module `sdk`
//! and no other test `postgres`.
//!
//! # Every file storage backend
//!
//! `on_every_storage!(name)` runs `async fn name(app: &TestApp)` on each storage backend
//! (`storage.rs`): `name::sqlite` and `name::postgres` with the local directory,
//! `name::postgres_blobs` with the files in PostgreSQL, and `name::s3::sqlite` and
//! `name::s3::postgres` with an S3 bucket on moto. The `s3` tests fail without moto
//! (`DOCKET_TEST_MOTO_PYTHON`); leave them out with `-- --skip s3::`, as `scripts/test` does
//! when it cannot install moto (never on CI). Name no other module `s3`.
// Shared helpers: not every test binary module uses every one of them.
#![allow(dead_code, unused_imports)]

pub mod app;
pub mod backend;
pub mod fixtures;
pub mod rng;
pub mod storage;

pub use app::{Resp, TestApp};
pub use backend::Backend;

/// Declares the tests `<name>::sqlite` and `<name>::postgres` for the plain `async fn <name>`
/// next to it (see the module documentation for the variants).
macro_rules! on_both {
    ($name:ident) => {
        on_both!($name, |_| {});
    };
    ($name:ident, backend) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::support::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::support::Backend::require_postgres();
                super::$name($crate::support::Backend::Postgres).await;
            }
        }
    };
    ($name:ident, $tune:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::support::TestApp::spawn_with($crate::support::Backend::Sqlite, $tune).await;
                super::$name(&app).await;
                app.stop().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::support::Backend::require_postgres();
                let app = $crate::support::TestApp::spawn_with($crate::support::Backend::Postgres, $tune).await;
                super::$name(&app).await;
                app.stop().await;
            }
        }
    };
}

/// Declares `<name>` on every file storage backend (see the module documentation).
macro_rules! on_every_storage {
    ($name:ident) => {
        on_every_storage!($name, |_| {});
    };
    ($name:ident, $tune:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            use docket::config::StorageBackend as Storage;

            use $crate::support::Backend;
            use $crate::support::storage::Setup;

            pub(super) async fn run(db: Backend, storage: Storage) {
                let setup = Setup::new(db, storage).await;
                let tune: fn(&mut docket::config::Config) = $tune;
                let app = $crate::support::TestApp::spawn_with(db, |c| {
                    setup.tune(c);
                    tune(c);
                })
                .await;
                super::$name(&app).await;
                app.stop().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(Backend::Sqlite, Storage::Local).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                Backend::require_postgres();
                run(Backend::Postgres, Storage::Local).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres_blobs() {
                Backend::require_postgres();
                run(Backend::Postgres, Storage::Postgres).await;
            }

            mod s3 {
                use super::{Backend, Storage, run};

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run(Backend::Sqlite, Storage::S3).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    Backend::require_postgres();
                    run(Backend::Postgres, Storage::S3).await;
                }
            }
        }
    };
}
