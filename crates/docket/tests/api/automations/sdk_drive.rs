//! The SDK's rule calls (create, update, delete) and its rule analysis against a template written here
//! (tests/sdk/automations.py).

use super::template;
use crate::support::TestApp;

on_both!(the_official_sdk_creates_and_deletes_rules);
async fn the_official_sdk_creates_and_deletes_rules(app: &TestApp) {
    let t = template(app).await;
    tokio::task::block_in_place(|| {
        crate::sdk::drive_with(
            app,
            "automations.py",
            &[
                ("DOCKET_TEMPLATE_ID", t.id.as_str()),
                ("DOCKET_STEP1", t.steps[0].as_str()),
                ("DOCKET_STEP2", t.steps[1].as_str()),
                ("DOCKET_STEP3", t.steps[2].as_str()),
                ("DOCKET_AMOUNT", t.amount.as_str()),
            ],
        )
    });
}
