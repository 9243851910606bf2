//! The pages for people (`/app`, `/guest/…`), driven through plain HTTP as a browser without
//! JavaScript would: form posts, cookies, redirects. Security: CSRF, session fixation,
//! another organization's ids, guest links, escaping, headers and cookie attributes. Sign-in
//! links by email, received by the SMTP sink of the email tests. A guest's files and problems
//! from their task page. `e2e`: the same pages in
//! headless Chromium, as a person uses them (`tests/e2e/pages.py`).

mod actions;
mod browser;
mod e2e;
mod flows;
mod guest_actions;
mod guest_files;
mod guest_problems;
mod inbox_counts;
mod security;
mod signin_link;

pub use browser::Browser;

use crate::support::TestApp;

/// The admin's password in these tests.
pub const PASSWORD: &str = "correct horse battery";

/// A cheap argon2id cost, so tests do not spend a second per hash in a debug build.
pub fn cheap(c: &mut docket::config::Config) {
    c.web.password_memory_kib = 64;
    c.web.password_iterations = 1;
}

/// Sets `email`'s password (cheaply).
pub async fn set_password(app: &TestApp, email: &str, password: &str) {
    let web = docket::config::WebConfig {
        password_memory_kib: 64,
        password_iterations: 1,
        ..Default::default()
    };
    docket::admin::set_password(app.store(), email, password, docket_domain::time::now_ms(), &web)
        .await
        .expect("set password");
}

/// A browser signed in as the admin (bob@acme.test).
pub async fn signed_in(app: &TestApp) -> Browser {
    set_password(app, "bob@acme.test", PASSWORD).await;
    let mut b = Browser::new(app);
    b.sign_in("bob@acme.test", PASSWORD).await.expect_status(303);
    b
}
