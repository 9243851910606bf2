//! Row functions of template form field definitions (kick-off fields and step captures), each
//! taking an open connection or transaction so that the store methods of templates, steps and
//! launches compose them inside their own transaction. Nothing here checks permissions or
//! definition rules (the domain's `template_field` does); positions are kept contiguous by the
//! caller through [`renumber`] or [`set_order`].
//!
//! From a pool: `let mut conn = pool.acquire().await?; kickoff(&mut conn, id).await`.

#![allow(dead_code)] // building blocks shared by the template, step and launch writes

use std::collections::HashSet;

use super::Db;
use super::tasks::placeholders;
use crate::model::TemplateFieldRow;

type Conn = <Db as sqlx::Database>::Connection;

/// Every column of `template_fields`, in the order of [`TemplateFieldRow`].
pub(crate) const FIELD_COLS: &str = "id, org_id, checklist_id, step_id, alias, label, field_type, guidance, position,
    required, options, field_columns, default_value_enabled, default_value, collect_time, use_wysiwyg_editor,
    field_validation, prefix, suffix, settings, created_at, last_updated";

/// Inserts a field row as given (id, alias and position already chosen).
pub(crate) async fn insert(conn: &mut Conn, row: &TemplateFieldRow) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO template_fields ({FIELD_COLS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)"
    ))
    .bind(&row.id)
    .bind(&row.org_id)
    .bind(&row.checklist_id)
    .bind(row.step_id.as_deref())
    .bind(&row.alias)
    .bind(&row.label)
    .bind(&row.field_type)
    .bind(row.guidance.as_deref())
    .bind(row.position)
    .bind(row.required)
    .bind(&row.options)
    .bind(&row.field_columns)
    .bind(row.default_value_enabled)
    .bind(row.default_value.as_deref())
    .bind(row.collect_time)
    .bind(row.use_wysiwyg_editor)
    .bind(&row.field_validation)
    .bind(row.prefix.as_deref())
    .bind(row.suffix.as_deref())
    .bind(&row.settings)
    .bind(row.created_at)
    .bind(row.last_updated)
    .execute(&mut *conn)
    .await
    .map(|_| ())
}

/// Writes the definition columns of `row` (label … settings) and `last_updated` to the stored
/// field `row.id`: a partial update is a domain `FieldPatch` applied to the stored definition,
/// then written whole. Identity, alias, step and position are not touched. Whether it existed.
pub(crate) async fn update(conn: &mut Conn, row: &TemplateFieldRow) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "UPDATE template_fields SET label = $2, field_type = $3, guidance = $4, required = $5, options = $6,
                field_columns = $7, default_value_enabled = $8, default_value = $9, collect_time = $10,
                use_wysiwyg_editor = $11, field_validation = $12, prefix = $13, suffix = $14, settings = $15,
                last_updated = $16
          WHERE id = $1",
    )
    .bind(&row.id)
    .bind(&row.label)
    .bind(&row.field_type)
    .bind(row.guidance.as_deref())
    .bind(row.required)
    .bind(&row.options)
    .bind(&row.field_columns)
    .bind(row.default_value_enabled)
    .bind(row.default_value.as_deref())
    .bind(row.collect_time)
    .bind(row.use_wysiwyg_editor)
    .bind(&row.field_validation)
    .bind(row.prefix.as_deref())
    .bind(row.suffix.as_deref())
    .bind(&row.settings)
    .bind(row.last_updated)
    .execute(&mut *conn)
    .await?;
    Ok(n.rows_affected() > 0)
}

/// Deletes field `id`; whether it existed. The caller renumbers what remains.
pub(crate) async fn delete(conn: &mut Conn, id: &str) -> Result<bool, sqlx::Error> {
    let n = sqlx::query("DELETE FROM template_fields WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(n.rows_affected() > 0)
}

/// Field `id` of template `checklist_id`, if it is one of its fields.
pub(crate) async fn get(
    conn: &mut Conn,
    checklist_id: &str,
    id: &str,
) -> Result<Option<TemplateFieldRow>, sqlx::Error> {
    sqlx::query_as::<_, TemplateFieldRow>(&format!(
        "SELECT {FIELD_COLS} FROM template_fields WHERE checklist_id = $1 AND id = $2"
    ))
    .bind(checklist_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

/// The kick-off fields of template `checklist_id`, by position.
pub(crate) async fn kickoff(conn: &mut Conn, checklist_id: &str) -> Result<Vec<TemplateFieldRow>, sqlx::Error> {
    sqlx::query_as::<_, TemplateFieldRow>(&format!(
        "SELECT {FIELD_COLS} FROM template_fields WHERE checklist_id = $1 AND step_id IS NULL ORDER BY position, id"
    ))
    .bind(checklist_id)
    .fetch_all(&mut *conn)
    .await
}

/// The captures of step `step_id`, by position.
pub(crate) async fn of_step(conn: &mut Conn, step_id: &str) -> Result<Vec<TemplateFieldRow>, sqlx::Error> {
    sqlx::query_as::<_, TemplateFieldRow>(&format!(
        "SELECT {FIELD_COLS} FROM template_fields WHERE step_id = $1 ORDER BY position, id"
    ))
    .bind(step_id)
    .fetch_all(&mut *conn)
    .await
}

/// The captures of these steps, grouped by step (in no particular step order) and by position
/// within each step: one query.
pub(crate) async fn of_steps(conn: &mut Conn, step_ids: &[String]) -> Result<Vec<TemplateFieldRow>, sqlx::Error> {
    if step_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {FIELD_COLS} FROM template_fields WHERE step_id IN ({}) ORDER BY step_id, position, id",
        placeholders(1, step_ids.len())
    );
    let mut q = sqlx::query_as::<_, TemplateFieldRow>(&sql);
    for id in step_ids {
        q = q.bind(id);
    }
    q.fetch_all(&mut *conn).await
}

/// Every step capture of template `checklist_id`, by step position then capture position: one
/// query.
pub(crate) async fn captures_of_template(
    conn: &mut Conn,
    checklist_id: &str,
) -> Result<Vec<TemplateFieldRow>, sqlx::Error> {
    let cols = FIELD_COLS
        .split(',')
        .map(|c| format!("f.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query_as::<_, TemplateFieldRow>(&format!(
        "SELECT {cols} FROM template_fields f JOIN steps s ON s.id = f.step_id
          WHERE f.checklist_id = $1 ORDER BY s.position, f.position, f.id"
    ))
    .bind(checklist_id)
    .fetch_all(&mut *conn)
    .await
}

/// The aliases taken by fields of template `checklist_id` (kick-off fields and captures).
pub(crate) async fn taken_aliases(conn: &mut Conn, checklist_id: &str) -> Result<HashSet<String>, sqlx::Error> {
    let rows: Vec<String> = sqlx::query_scalar("SELECT alias FROM template_fields WHERE checklist_id = $1")
        .bind(checklist_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Gives `ids` the positions 1…n in this order and moves them to `step_id` (`None`: the
/// kick-off form). Touches `last_updated` only of fields whose place changes.
pub(crate) async fn set_order(
    conn: &mut Conn,
    step_id: Option<&str>,
    ids: &[String],
    now: i64,
) -> Result<(), sqlx::Error> {
    for (i, id) in ids.iter().enumerate() {
        sqlx::query(
            "UPDATE template_fields SET position = $2, step_id = $3, last_updated = $4
              WHERE id = $1 AND NOT (position = $2 AND COALESCE(step_id, '') = COALESCE($3, ''))",
        )
        .bind(id)
        .bind(i as i64 + 1)
        .bind(step_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Renumbers the fields of one step (or the kick-off fields when `step_id` is `None`) of
/// template `checklist_id` to 1…n in their current order.
pub(crate) async fn renumber(
    conn: &mut Conn,
    checklist_id: &str,
    step_id: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM template_fields WHERE checklist_id = $1
            AND COALESCE(step_id, '') = COALESCE($2, '') ORDER BY position, id",
    )
    .bind(checklist_id)
    .bind(step_id)
    .fetch_all(&mut *conn)
    .await?;
    set_order(conn, step_id, &ids, now).await
}
