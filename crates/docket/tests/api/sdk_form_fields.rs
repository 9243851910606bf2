//! The official SDK driving template steps and their form fields: `tests/sdk/form_fields.py`.

use super::drive;
use crate::support::TestApp;

on_both!(the_official_sdk_drives_template_steps_and_form_fields);
async fn the_official_sdk_drives_template_steps_and_form_fields(app: &TestApp) {
    app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    app.add_member("acme", 1005, "ann@acme.test", "standard").await;
    let app_ref: &TestApp = app;
    tokio::task::block_in_place(|| drive(app_ref, "form_fields.py"));
}
