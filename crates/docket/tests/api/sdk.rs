//! The official Tallyfy Python SDK (PyPI `tallyfy` 3.1.0) driving docket: `tests/sdk/*.py`,
//! run with the Python named by `DOCKET_TEST_PYTHON` (`scripts/test` prepares one). Without it
//! a drive fails; leave the drives out with `-- --skip sdk::` (see `support`).

use std::process::Command;

use crate::support::TestApp;

#[path = "sdk_templates.rs"]
mod templates;

#[path = "sdk_form_fields.rs"]
mod form_fields;

#[path = "assets/sdk_drive.rs"]
mod files;

/// Runs `tests/sdk/<script>` against `app` and fails with its output if it fails, or when
/// `DOCKET_TEST_PYTHON` is not set: a drive that cannot run must not pass.
pub fn drive(app: &TestApp, script: &str) {
    drive_with(app, script, &[]);
}

/// [`drive`] with further environment variables (ids of rows the Rust test wrote).
pub fn drive_with(app: &TestApp, script: &str, env: &[(&str, &str)]) {
    let Some(python) = std::env::var("DOCKET_TEST_PYTHON")
        .ok()
        .filter(|p| !p.trim().is_empty())
    else {
        panic!(
            "DOCKET_TEST_PYTHON is not set, so the SDK drive {script} cannot run; set it (scripts/test \
             prepares one) or leave the drives out with `-- --skip sdk::`"
        );
    };
    let path = format!("{}/../../tests/sdk/{script}", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(python)
        .arg(&path)
        .env("DOCKET_BASE_URL", &app.base)
        .env("DOCKET_TOKEN", &app.token)
        .env("DOCKET_ORG", &app.org)
        .envs(env.iter().copied())
        .output()
        .expect("python runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{script} failed:\n{text}");
}

on_both!(the_official_sdk_drives_the_identity_api);
async fn the_official_sdk_drives_the_identity_api(app: &TestApp) {
    // An active member whose address the SDK accepts (it refuses reserved domains like .test).
    app.add_member("acme", 1006, "active.member@example.com", "standard")
        .await;
    // The SDK is synchronous; run it off the async worker threads.
    let app_ref: &TestApp = app;
    tokio::task::block_in_place(|| drive(app_ref, "identity.py"));
}

on_both!(the_official_sdk_drives_tasks_processes_comments_and_tags);
async fn the_official_sdk_drives_tasks_processes_comments_and_tags(app: &TestApp) {
    app.add_member("acme", 1005, "ann@acme.test", "standard").await;
    let app_ref: &TestApp = app;
    tokio::task::block_in_place(|| drive(app_ref, "tasks.py"));
}

on_both!(the_official_sdk_drives_folders);
async fn the_official_sdk_drives_folders(app: &TestApp) {
    app.add_member("acme", 1005, "ann@acme.test", "standard").await;
    let app_ref: &TestApp = app;
    tokio::task::block_in_place(|| drive(app_ref, "folders.py"));
}
