//! archive routes of tasks: filled in with the tasks issue.

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
