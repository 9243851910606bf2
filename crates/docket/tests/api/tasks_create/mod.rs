//! T1 create and T3/R11 read: the seed 000 and 001 bodies, fan-out runs, adding to runs,
//! includes, and the refusals of the T1 table.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::TestApp;

mod batches;
mod creates;
mod reads;

async fn seed_members(app: &TestApp) {
    app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    app.add_member("acme", 1005, "ann@acme.test", "standard").await;
    app.add_member("acme", 12345, "joe@acme.test", "light").await;
}
