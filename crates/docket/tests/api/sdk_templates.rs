//! The official SDK driving templates: `tests/sdk/templates.py`.

use super::drive;
use crate::support::TestApp;

on_both!(the_official_sdk_drives_templates_search_and_template_tags);
async fn the_official_sdk_drives_templates_search_and_template_tags(app: &TestApp) {
    app.add_member("acme", 1005, "ann@acme.test", "standard").await;
    let app_ref: &TestApp = app;
    tokio::task::block_in_place(|| drive(app_ref, "templates.py"));
}
