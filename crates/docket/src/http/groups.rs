//! Groups (GR1–GR5). To be filled in.

use std::collections::HashMap;

use axum::Router;
use serde_json::Value;

use crate::error::Result;
use crate::http::extract::Ctx;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}

/// The Group JSON of every group each of `member_ids` belongs to, keyed by member id.
pub async fn groups_of_members(_ctx: &Ctx, _org: &str, _member_ids: &[i64]) -> Result<HashMap<i64, Vec<Value>>> {
    Ok(HashMap::new())
}
