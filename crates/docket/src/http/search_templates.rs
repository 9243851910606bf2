//! The template buckets of S1 (`blueprint`, `step`, `capture`): their result shapes.

use docket_domain::time::format_ts;
use docket_store::model::{CaptureHit, StepHit, TemplateRow};
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::Result;
use crate::http::extract::Ctx;
use crate::http::search::TagJson;
use crate::http::templates::json::folder_json;

/// A `blueprint` (template) result.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = SearchBlueprint)]
pub struct BlueprintItem {
    id: String,
    increment_id: i64,
    title: String,
    name: String,
    status: &'static str,
    #[serde(rename = "type")]
    kind: String,
    steps_count: i64,
    icon: Option<String>,
    is_public: bool,
    is_featured: bool,
    organization_id: String,
    created_at: String,
    last_updated: String,
    /// The folder the template is filed in, or none.
    folders: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<TagJson>>)]
    tags: Option<Value>,
}

/// The `blueprint` results; with `with_tags`, each with its bare `tags`.
pub async fn blueprint_items(
    ctx: &Ctx,
    org: &str,
    rows: &[TemplateRow],
    with_tags: bool,
) -> Result<Vec<BlueprintItem>> {
    let links = if with_tags {
        let ids: Vec<String> = rows.iter().map(|t| t.id.clone()).collect();
        ctx.state.store.tag_links_of(org, "Checklist", &ids).await?
    } else {
        Vec::new()
    };
    let mut out = Vec::new();
    for t in rows {
        let folders = match &t.folder_id {
            Some(f) => ctx
                .state
                .store
                .template_folder(org, f)
                .await?
                .map(|f| vec![folder_json(&f)])
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let tags = with_tags.then(|| {
            json!(
                links
                    .iter()
                    .filter(|l| l.subject_id == t.id)
                    .map(|l| json!({"id": l.tag_id, "title": l.title, "color": l.color}))
                    .collect::<Vec<_>>()
            )
        });
        out.push(BlueprintItem {
            id: t.id.clone(),
            increment_id: t.increment_id,
            title: t.title.clone(),
            name: t.title.clone(),
            status: if t.archived_at.is_some() { "archived" } else { "active" },
            kind: t.template_type.clone(),
            steps_count: t.steps_count,
            icon: t.icon.clone(),
            is_public: t.is_public,
            is_featured: t.is_featured,
            organization_id: t.org_id.clone(),
            created_at: format_ts(t.created_at),
            last_updated: format_ts(t.last_updated),
            folders,
            tags,
        });
    }
    Ok(out)
}

/// A `step` result.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = SearchStep)]
pub struct StepItem {
    id: String,
    title: String,
    alias: String,
    step_type: String,
    position: i64,
    checklist_id: String,
    checklist_title: String,
    created_at: String,
}

/// The `step` results.
pub fn step_items(hits: &[StepHit]) -> Vec<StepItem> {
    hits.iter()
        .map(|s| StepItem {
            id: s.id.clone(),
            title: s.title.clone(),
            alias: s.alias.clone(),
            step_type: s.step_type.clone(),
            position: s.position,
            checklist_id: s.checklist_id.clone(),
            checklist_title: s.checklist_title.clone(),
            created_at: format_ts(s.created_at),
        })
        .collect()
}

/// A `capture` result (a step capture, or a kick-off field with `step_id` null).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = SearchCapture)]
pub struct CaptureItem {
    id: String,
    label: String,
    alias: String,
    field_type: String,
    step_id: Option<String>,
    checklist_id: String,
    checklist_title: String,
    created_at: String,
}

/// The `capture` results.
pub fn capture_items(hits: &[CaptureHit]) -> Vec<CaptureItem> {
    hits.iter()
        .map(|c| CaptureItem {
            id: c.id.clone(),
            label: c.label.clone(),
            alias: c.alias.clone(),
            field_type: c.field_type.clone(),
            step_id: c.step_id.clone(),
            checklist_id: c.checklist_id.clone(),
            checklist_title: c.checklist_title.clone(),
            created_at: format_ts(c.created_at),
        })
        .collect()
}
