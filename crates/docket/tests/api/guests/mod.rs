//! Guests (GU1–GU8).

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::TestApp;

mod profiles;
mod standing;

/// Creates a guest as the admin and returns it.
async fn create(app: &TestApp, body: Value) -> Value {
    app.json(Method::POST, &app.org_path("/guests"), body)
        .await
        .expect(201)
        .data()
        .clone()
}
