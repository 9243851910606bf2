//! The SDK's `file_management` methods against subjects written here (tests/sdk/files.py).

use reqwest::Method;
use serde_json::json;

use crate::support::TestApp;
use crate::support::fixtures::standalone;

on_both!(the_official_sdk_uploads_and_downloads_files);
async fn the_official_sdk_uploads_and_downloads_files(app: &TestApp) {
    let task = standalone(app, "Scan the passport", json!({"users": [1001]})).await;
    let t = app
        .json(
            Method::POST,
            &app.org_path("/checklists"),
            json!({"title": "Onboarding",
                   "prerun": [{"label": "Passport", "field_type": "file", "required": false}],
                   "steps": [{"title": "Collect"}]}),
        )
        .await;
    assert!(t.status == 200 || t.status == 201, "{}", t.text);
    let template = t.data()["id"].as_str().expect("template id").to_string();
    let full = app
        .get(&app.org_path(&format!("/checklists/{template}?with=steps,prerun")))
        .await
        .expect(200);
    let step = full.data()["steps"]["data"][0]["id"]
        .as_str()
        .or_else(|| full.data()["steps"][0]["id"].as_str())
        .unwrap_or_else(|| panic!("no step: {}", full.text))
        .to_string();
    let kickoff = full.data()["prerun"]["data"][0]["id"]
        .as_str()
        .or_else(|| full.data()["prerun"][0]["id"].as_str())
        .unwrap_or_else(|| panic!("no kick-off field: {}", full.text))
        .to_string();
    let r = app
        .json(
            Method::POST,
            &app.org_path("/runs"),
            json!({"name": "Onboarding Globex", "checklist_id": template}),
        )
        .await
        .expect(201);
    let run = r.data()["id"].as_str().expect("run id").to_string();
    let app_ref: &TestApp = app;
    tokio::task::block_in_place(|| {
        crate::sdk::drive_with(
            app_ref,
            "files.py",
            &[
                ("DOCKET_TASK_ID", &task),
                ("DOCKET_TEMPLATE_ID", &template),
                ("DOCKET_RUN_ID", &run),
                ("DOCKET_STEP_ID", &step),
                ("DOCKET_KICKOFF_ID", &kickoff),
            ],
        )
    });
}
