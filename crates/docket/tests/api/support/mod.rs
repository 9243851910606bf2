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
// Shared helpers: not every test binary module uses every one of them.
#![allow(dead_code, unused_imports)]

pub mod app;
pub mod backend;
pub mod fixtures;

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
