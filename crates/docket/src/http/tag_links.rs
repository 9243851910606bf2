//! Tags on runs and tasks (TG6, TG7) and the TagLink JSON shape (spec §2.10).

use axum::Router;
use docket_domain::time::format_ts;
use docket_store::model::TagLinkRow;
use serde::Serialize;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}

/// The TagLink shape.
#[derive(Debug, Clone, Serialize)]
pub struct TagLinkJson {
    id: i64,
    tag_id: String,
    title: String,
    color: Option<String>,
    #[serde(rename = "type")]
    kind: &'static str,
    auto_generated: bool,
    subject_id: String,
    subject_type: String,
    created_at: String,
}

impl TagLinkJson {
    /// The shape of a stored link.
    pub fn new(l: &TagLinkRow) -> Self {
        TagLinkJson {
            id: l.id,
            tag_id: l.tag_id.clone(),
            title: l.title.clone(),
            color: l.color.clone(),
            kind: "private",
            auto_generated: false,
            subject_id: l.subject_id.clone(),
            subject_type: l.subject_type.clone(),
            created_at: format_ts(l.created_at),
        }
    }
}
