//! The SDK's `launch_process` against a template written here (tests/sdk/launch.py).

use super::*;

on_both!(the_official_sdk_launches_a_process_from_a_template);
async fn the_official_sdk_launches_a_process_from_a_template(app: &TestApp) {
    let group = group(app).await;
    example_template(app, &group).await;
    let app_ref: &TestApp = app;
    tokio::task::block_in_place(|| {
        crate::sdk::drive_with(
            app_ref,
            "launch.py",
            &[
                ("DOCKET_TEMPLATE_ID", TEMPLATE),
                ("DOCKET_KICKOFF_ID", KICKOFF),
                ("DOCKET_STEP_ID", COLLECT),
                ("DOCKET_REVIEW_STEP_ID", REVIEW),
            ],
        )
    });
}
