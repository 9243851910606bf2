//! Test support: `TestApp` (the real server on port 0 over a fresh database) and the
//! `dual_test!` macro that runs each test on both backends.
// Shared helpers: not every test binary module uses every one of them.
#![allow(dead_code, unused_imports)]

pub mod app;
pub mod backend;

pub use app::{Resp, TestApp};
pub use backend::Backend;

/// Declares a test once and runs it twice: `<name>::sqlite` on a fresh SQLite file and
/// `<name>::postgres` on a fresh PostgreSQL database (skipped with a notice when
/// `DOCKET_TEST_POSTGRES_URL` is unset, unless `CI` is set, where that is a failure).
macro_rules! dual_test {
    ($(#[$meta:meta])* async fn $name:ident($app:ident : &$ty:ty) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($app: &$ty) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::support::TestApp::spawn($crate::support::Backend::Sqlite).await;
                run(&app).await;
                app.stop().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if !$crate::support::Backend::postgres_available(concat!(module_path!())) {
                    return;
                }
                let app = $crate::support::TestApp::spawn($crate::support::Backend::Postgres).await;
                run(&app).await;
                app.stop().await;
            }
        }
    };
}
