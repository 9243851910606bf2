//! T4/R12 updates: every seed 003 body on both routes, owners replacement, `taskdata` per type,
//! status transitions, position moves, `max_assignable`, tags, and the refusals — each checked
//! by reading the task back.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::support::fixtures::{capture_ids, create_task, read_task, run_titles, seed_members};

mod bodies;
mod fields;
mod status;

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}
