//! T8/R13 completion and T9/R14 reopening: task types and labels, the checks of T8 in order,
//! `everyone_must_complete`, comments, run refresh, and the webhook outbox (§5.12), read back
//! through the API and the store.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::fixtures::{capture_ids, create_task, read_task, seed_members};

mod checks;
mod reopen;
mod runs;

const COMPLETE: &str = "/organizations/acme/completed-tasks";

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

/// POST a completion as the admin.
async fn complete(app: &TestApp, body: Value) -> crate::support::Resp {
    app.json(Method::POST, COMPLETE, body).await
}

/// The outbox events of `acme` as (row, parsed payload).
async fn events(app: &TestApp) -> Vec<(docket_store::model::OutboxRow, Value)> {
    app.store()
        .outbox_events("acme")
        .await
        .expect("outbox")
        .into_iter()
        .map(|row| {
            let payload = serde_json::from_str(&row.payload).expect("payload is JSON");
            (row, payload)
        })
        .collect()
}
