//! The copy of a template (CL8), in one transaction: the checklist row (new id, alias and
//! `increment_id`, owned and created by the caller, active, no launches), its steps, step
//! captures and kick-off fields with new ids, its rules with every reference to a copied step
//! or field (and the ids of their conditions and actions) renewed, step deadlines anchored on
//! the copied steps, and its tag links.

use std::collections::HashMap;

use docket_domain::{ids, template};
use serde_json::Value;
use sqlx::Pool;

use super::Db;
use super::tasks::link_tag;
use super::templates::{free_alias, lock, next_increment};
use crate::StoreError;
use crate::model::{CloneTemplate, TemplateRow};

/// The checklist columns a copy takes over unchanged.
const COPIED: &str = "summary, guidance, template_type, icon, explanation_video, public_cover, kickoff_title,
    kickoff_description, default_process_name_format, webhook, starred, is_public, is_featured, is_pinned,
    is_public_kickoff, auto_naming, folderize_process, tag_process, allow_launcher_change_name,
    folder_changeable_by_launcher, can_add_oot, folder_id, default_folder, user_ids, group_ids";

/// The step columns a copy takes over unchanged (`deadline` is remapped afterwards).
const STEP_COPIED: &str = "org_id, position, title, alias, summary, step_type, assignees, guests, groups,
    assign_run_starter, deadline, start_date, is_soft_start_date, max_assignable, allow_guest_owners,
    can_complete_only_assignees, everyone_must_complete, prevent_guest_comment, top_secret, send_chromeless,
    skip_start_process, role_changes_every_time, webhook, tags, bp_to_launch";

/// The template field columns a copy takes over unchanged.
const FIELD_COPIED: &str = "org_id, alias, label, field_type, guidance, position, required, options, field_columns,
    default_value_enabled, default_value, collect_time, use_wysiwyg_editor, field_validation, prefix, suffix,
    settings";

/// Copies template `source` of `org` as `c` describes; `NotFound` when it does not exist.
pub(crate) async fn clone(
    pool: &Pool<Db>,
    org: &str,
    source: &str,
    c: &CloneTemplate,
) -> Result<TemplateRow, StoreError> {
    let mut tx = pool.begin().await?;
    lock(&mut tx, org, source).await?.ok_or(StoreError::NotFound)?;
    let alias = free_alias(&mut tx, org, &template::default_alias(&c.title, &c.id), &c.id).await?;
    let increment = next_increment(&mut tx, org).await?;
    sqlx::query(&format!(
        "INSERT INTO checklists (id, org_id, increment_id, title, alias, owner_id, created_by, last_updated_by,
                                 created_at, last_updated, {COPIED})
         SELECT $1, org_id, $2, $3, $4, $5, $5, $5, $6, $6, {COPIED} FROM checklists WHERE id = $7"
    ))
    .bind(&c.id)
    .bind(increment)
    .bind(&c.title)
    .bind(&alias)
    .bind(c.by)
    .bind(c.now)
    .bind(source)
    .execute(&mut *tx)
    .await?;

    let mut map: HashMap<String, String> = HashMap::new();
    let steps: Vec<String> = sqlx::query_scalar("SELECT id FROM steps WHERE checklist_id = $1 ORDER BY position")
        .bind(source)
        .fetch_all(&mut *tx)
        .await?;
    for old in &steps {
        let new = ids::new_id32();
        sqlx::query(&format!(
            "INSERT INTO steps (id, checklist_id, created_at, last_updated, {STEP_COPIED})
             SELECT $1, $2, $3, $3, {STEP_COPIED} FROM steps WHERE id = $4"
        ))
        .bind(&new)
        .bind(&c.id)
        .bind(c.now)
        .bind(old)
        .execute(&mut *tx)
        .await?;
        map.insert(old.clone(), new);
    }
    let fields: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT id, step_id FROM template_fields WHERE checklist_id = $1")
            .bind(source)
            .fetch_all(&mut *tx)
            .await?;
    for (old, step) in &fields {
        let new = ids::new_id32();
        sqlx::query(&format!(
            "INSERT INTO template_fields (id, checklist_id, step_id, created_at, last_updated, {FIELD_COPIED})
             SELECT $1, $2, $3, $4, $4, {FIELD_COPIED} FROM template_fields WHERE id = $5"
        ))
        .bind(&new)
        .bind(&c.id)
        .bind(step.as_ref().and_then(|s| map.get(s)))
        .bind(c.now)
        .bind(old)
        .execute(&mut *tx)
        .await?;
        map.insert(old.clone(), new);
    }

    // Deadlines anchored on a copied step follow the copy.
    let deadlines: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT id, deadline FROM steps WHERE checklist_id = $1 AND deadline IS NOT NULL")
            .bind(&c.id)
            .fetch_all(&mut *tx)
            .await?;
    for (id, deadline) in deadlines {
        let Some(mut v) = deadline.and_then(|d| serde_json::from_str::<Value>(&d).ok()) else {
            continue;
        };
        template::remap_ids(&mut v, &map);
        sqlx::query("UPDATE steps SET deadline = $2 WHERE id = $1")
            .bind(&id)
            .bind(v.to_string())
            .execute(&mut *tx)
            .await?;
    }

    let rules: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT seq, automated_alias, conditions, then_actions FROM automations WHERE checklist_id = $1 ORDER BY seq",
    )
    .bind(source)
    .fetch_all(&mut *tx)
    .await?;
    for (seq, alias, conditions, actions) in rules {
        sqlx::query(
            "INSERT INTO automations (id, org_id, checklist_id, seq, automated_alias, conditions, then_actions,
                                      created_at, last_updated)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(ids::new_id32())
        .bind(org)
        .bind(&c.id)
        .bind(seq)
        .bind(alias)
        .bind(copy_entries(&conditions, &map))
        .bind(copy_entries(&actions, &map))
        .bind(c.now)
        .execute(&mut *tx)
        .await?;
    }

    let tags: Vec<String> = sqlx::query_scalar(
        "SELECT tag_id FROM tag_links WHERE subject_type = 'Checklist' AND subject_id = $1 ORDER BY id",
    )
    .bind(source)
    .fetch_all(&mut *tx)
    .await?;
    for tag in tags {
        link_tag(&mut tx, org, &tag, "Checklist", &c.id, c.now).await?;
    }
    super::activity::template(&mut tx, &c.id, "created", Default::default(), c.now).await?;
    let row = lock(&mut tx, org, &c.id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

/// A rule's stored `conditions` or `then_actions` for the copy: each entry gets a new id and
/// every reference to a copied step or field is rewritten.
fn copy_entries(stored: &str, map: &HashMap<String, String>) -> String {
    let mut v: Value = serde_json::from_str(stored).unwrap_or(Value::Array(Vec::new()));
    if let Value::Array(items) = &mut v {
        for item in items.iter_mut() {
            if let Value::Object(o) = item
                && o.contains_key("id")
            {
                o.insert("id".into(), Value::String(ids::new_id32()));
            }
        }
    }
    template::remap_ids(&mut v, map);
    v.to_string()
}
