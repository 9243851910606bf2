//! Comments and problems on tasks (C1–C5) and the Comment JSON shape (spec §2.9).

use std::collections::HashMap;

use axum::Router;
use docket_domain::time::{format_opt, format_ts};
use docket_store::model::ThreadRow;
use serde::Serialize;

use crate::error::Result;
use crate::http::extract::Ctx;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}

/// The Comment shape.
#[derive(Debug, Clone, Serialize)]
pub struct CommentJson {
    id: String,
    task_id: String,
    run_id: Option<String>,
    content: String,
    label: String,
    state: String,
    author_id: i64,
    author_type: &'static str,
    created_at: String,
    updated_at: String,
    archived_at: Option<String>,
    resolve_id: Option<String>,
    sent_to: Vec<i64>,
}

/// Member ids mentioned as `@[id]` in `content`, ascending, without duplicates (not yet
/// filtered to members).
pub fn mentions(content: &str) -> Vec<i64> {
    let mut out = Vec::new();
    let mut rest = content;
    while let Some(start) = rest.find("@[") {
        rest = &rest[start + 2..];
        if let Some(end) = rest.find(']')
            && let Ok(id) = rest[..end].parse::<i64>()
        {
            out.push(id);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Renders threads; `sent_to` keeps only mentions of members of the organization.
pub async fn render(ctx: &Ctx, org: &str, threads: &[ThreadRow]) -> Result<Vec<CommentJson>> {
    let mut mentioned: Vec<i64> = threads.iter().flat_map(|t| mentions(&t.content)).collect();
    mentioned.sort_unstable();
    mentioned.dedup();
    let members: Vec<i64> = ctx
        .state
        .store
        .members_by_ids(org, &mentioned)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    Ok(threads
        .iter()
        .map(|t| CommentJson {
            id: t.id.clone(),
            task_id: t.task_id.clone(),
            run_id: t.run_id.clone(),
            content: t.content.clone(),
            label: t.label.clone(),
            state: t.state.clone(),
            author_id: t.author_id,
            author_type: "user",
            created_at: format_ts(t.created_at),
            updated_at: format_ts(t.updated_at),
            archived_at: format_opt(None),
            resolve_id: t.resolve_id.clone(),
            sent_to: mentions(&t.content)
                .into_iter()
                .filter(|id| members.contains(id))
                .collect(),
        })
        .collect())
}

/// The threads of each task, rendered, keyed by task id.
pub async fn of_tasks(
    ctx: &Ctx,
    org: &str,
    task_ids: &[String],
) -> Result<HashMap<String, Vec<(ThreadRow, CommentJson)>>> {
    let threads = ctx.state.store.threads_of_tasks(org, task_ids).await?;
    let rendered = render(ctx, org, &threads).await?;
    let mut out: HashMap<String, Vec<(ThreadRow, CommentJson)>> = HashMap::new();
    for (row, json) in threads.into_iter().zip(rendered) {
        out.entry(row.task_id.clone()).or_default().push((row, json));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_parsed_sorted_and_deduplicated() {
        assert_eq!(
            mentions("hi @[1005] and @[1001] again @[1005] @[x] @[12"),
            vec![1001, 1005]
        );
        assert!(mentions("no mentions").is_empty());
    }
}
