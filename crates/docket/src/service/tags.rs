//! Tags named in a task body (spec T1 `tags`): each entry is a tag id of the organization or a
//! title (ignoring case); an unknown title becomes a new tag, under TG2's title rules.

use docket_domain::{ValidationErrors, limits};
use docket_store::model::TagTarget;
use serde_json::Value;

use crate::error::Result;
use crate::state::AppState;

/// Resolves a `tags` array; problems go into `errors` under `tags.{i}`.
pub async fn resolve(
    state: &AppState,
    org: &str,
    items: &[Value],
    errors: &mut ValidationErrors,
) -> Result<Vec<TagTarget>> {
    let mut out = Vec::new();
    if !limits::within(errors, "tags", items.len(), limits::MAX_TAGS) {
        return Ok(out);
    }
    for (i, item) in items.iter().enumerate() {
        let key = format!("tags.{i}");
        let Some(text) = item.as_str().map(str::trim).filter(|s| !s.is_empty()) else {
            errors.add(key, "Each tag must be a tag id or a title.");
            continue;
        };
        let target = if let Some(tag) = state.store.tag(org, text).await? {
            TagTarget::Id(tag.id)
        } else if let Some(tag) = state.store.tag_by_title(org, text).await? {
            TagTarget::Id(tag.id)
        } else if text.chars().count() > 30 {
            errors.add(key, "The tag title may not be greater than 30 characters.");
            continue;
        } else {
            TagTarget::Title(text.to_string())
        };
        if !out.contains(&target) {
            out.push(target);
        }
    }
    Ok(out)
}
