//! Files as other objects show them: the values of `file` form fields (checked with the
//! domain's rule against the assets the caller may see, and filled from them) and the `assets`
//! include of templates, runs and tasks. A guest names, on their task, only the files of that
//! task.

use std::collections::HashMap;

use docket_domain::Actor;
use docket_domain::file_value::{self, AssetRef};
use docket_store::model::{AssetRow, TaskRecord};
use serde_json::Value;

use crate::error::Result;
use crate::http::assets::{AssetJson, render, subject_right};
use crate::http::extract::Ctx;
use crate::state::AppState;

/// The `assets` include of templates, runs or tasks (`subject_type` `Checklist`, `Run`,
/// `Task`): for each of `ids`, the assets uploaded to it, oldest first.
pub async fn include_of(
    ctx: &Ctx,
    org: &str,
    subject_type: &str,
    ids: &[String],
) -> Result<HashMap<String, Vec<AssetJson>>> {
    let rows = ctx.state.store.assets_of_subjects(org, subject_type, ids).await?;
    let mut out: HashMap<String, Vec<AssetJson>> = ids.iter().map(|id| (id.clone(), Vec::new())).collect();
    for row in &rows {
        out.entry(row.subject_id.clone())
            .or_default()
            .push(render(&ctx.base, row));
    }
    Ok(out)
}

/// An asset as a `file` form value stores it.
pub fn asset_ref(base: &str, a: &AssetRow) -> AssetRef {
    let json = render(base, a);
    AssetRef {
        id: json.id,
        filename: json.filename,
        url: json.url,
        full_url: json.full_url,
        uploaded_from: json.uploaded_from,
        uploaded_at: json.uploaded_at,
        step_id: json.step_id,
        source: json.source,
        subject_type: json.subject.kind,
        subject_id: json.subject.id,
    }
}

/// Checks a `file` form value (its shape already checked) with the domain's rule: each asset id
/// it names must be an asset of the organization that `me` may see. `Ok(Err(message))` is the
/// field's 422; `Ok(Ok(value))` the value to store, its entries filled from the assets.
pub async fn resolve_file_value(ctx: &Ctx, me: &Actor, v: &Value) -> Result<std::result::Result<Value, String>> {
    let ids = file_value::asset_ids(v);
    let rows = ctx.state.store.assets_by_ids(&me.org_id, &ids).await?;
    let mut visible = Vec::with_capacity(rows.len());
    for row in rows {
        if subject_right(ctx, me, &row.subject_type, &row.subject_id)
            .await?
            .is_some()
        {
            visible.push(asset_ref(&ctx.base, &row));
        }
    }
    Ok(file_value::resolve(v, &visible))
}

/// The assets the `file` fields of `task` name now.
pub fn named_by_task(task: &TaskRecord) -> Vec<String> {
    let mut ids: Vec<String> = task
        .captures
        .iter()
        .filter(|c| c.field_type == "file")
        .filter_map(|c| c.value.as_deref().and_then(|v| serde_json::from_str::<Value>(v).ok()))
        .flat_map(|v| file_value::asset_ids(&v))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// [`resolve_file_value`] for a guest on their `task`: the files they may name are those
/// uploaded to the task and those its `file` fields name already (which they see).
pub async fn resolve_guest_file_value(
    state: &AppState,
    base: &str,
    task: &TaskRecord,
    v: &Value,
) -> Result<std::result::Result<Value, String>> {
    let ids = file_value::asset_ids(v);
    let named = named_by_task(task);
    let rows = state.store.assets_by_ids(&task.row.org_id, &ids).await?;
    let visible: Vec<AssetRef> = rows
        .iter()
        .filter(|a| (a.subject_type == "Task" && a.subject_id == task.row.id) || named.contains(&a.id))
        .map(|a| asset_ref(base, a))
        .collect();
    Ok(file_value::resolve(v, &visible))
}
