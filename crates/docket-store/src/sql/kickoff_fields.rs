//! Kick-off fields of templates (`template_fields` rows with no step): the reads templates are
//! rendered with, the writes of CL2/CL4 `prerun` inside the template's transaction, and CL11.

use std::collections::HashSet;

use docket_domain::alias;
use docket_domain::ids;
use docket_domain::template_field::TemplateFieldDef;
use sqlx::Pool;

use super::Db;
use super::rule_refs;
use super::steps::touch_template;
use super::tasks::placeholders;
use super::template_fields::{self, FIELD_COLS};
use super::templates::{Conn, lock};
use crate::StoreError;
use crate::model::{FieldPlace, KickoffEntry, TemplateFieldRow, TemplateRefusal};

/// The kick-off fields of these templates, each template's by position.
pub(crate) async fn of_templates(pool: &Pool<Db>, ids: &[String]) -> Result<Vec<TemplateFieldRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {FIELD_COLS} FROM template_fields WHERE step_id IS NULL AND checklist_id IN ({})
          ORDER BY checklist_id, position, id",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as::<_, TemplateFieldRow>(&sql);
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(pool).await
}

/// Every step capture of template `id`, by step position then capture position.
pub(crate) async fn captures(pool: &Pool<Db>, id: &str) -> Result<Vec<TemplateFieldRow>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    template_fields::captures_of_template(&mut conn, id).await
}

/// Inserts kick-off fields `defs` of template `checklist_id` after `after` existing ones, with
/// fresh ids and aliases unique within the template; their ids in order.
pub(crate) async fn insert_all(
    conn: &mut Conn,
    org: &str,
    checklist_id: &str,
    defs: &[TemplateFieldDef],
    after: i64,
    now: i64,
) -> Result<Vec<String>, sqlx::Error> {
    let mut taken: HashSet<String> = template_fields::taken_aliases(conn, checklist_id).await?;
    let mut out = Vec::new();
    for (i, def) in defs.iter().enumerate() {
        let alias = alias::unique(&alias::slug(&def.label, alias::FIELD), |a| taken.contains(a));
        taken.insert(alias.clone());
        let place = FieldPlace {
            id: ids::new_id32(),
            org_id: org,
            checklist_id,
            step_id: None,
            alias,
            position: after + i as i64 + 1,
            now,
        };
        let row = TemplateFieldRow::new(place, def);
        template_fields::insert(conn, &row).await?;
        out.push(row.id);
    }
    Ok(out)
}

/// Makes the kick-off fields of template `checklist_id` exactly `entries`, in that order:
/// entries naming an existing kick-off field update it, the others are created, and fields not
/// named are deleted unless a rule depends on one (then nothing is written).
pub(crate) async fn replace(
    conn: &mut Conn,
    org: &str,
    checklist_id: &str,
    entries: &[KickoffEntry],
    now: i64,
) -> Result<Result<(), TemplateRefusal>, StoreError> {
    let current = template_fields::kickoff(conn, checklist_id).await?;
    let kept: HashSet<&str> = entries
        .iter()
        .filter_map(|e| match e {
            KickoffEntry::Keep { id, .. } => Some(id.as_str()),
            KickoffEntry::New(_) => None,
        })
        .collect();
    let gone: Vec<&TemplateFieldRow> = current.iter().filter(|f| !kept.contains(f.id.as_str())).collect();
    if !gone.is_empty() {
        let refs = rule_refs::of_template(conn, checklist_id).await?;
        if gone.iter().any(|f| refs.mentions(&f.id)) {
            return Ok(Err(TemplateRefusal::FieldHasRules));
        }
    }
    for f in gone {
        template_fields::delete(conn, &f.id).await?;
    }
    let mut order: Vec<String> = Vec::new();
    for entry in entries {
        match entry {
            KickoffEntry::Keep { id, def } => match current.iter().find(|f| &f.id == id) {
                Some(row) => {
                    let mut row = row.clone();
                    row.set_def(def);
                    row.last_updated = now;
                    template_fields::update(conn, &row).await?;
                    order.push(row.id);
                }
                None => {
                    let made = insert_all(conn, org, checklist_id, std::slice::from_ref(def), 0, now).await?;
                    order.extend(made);
                }
            },
            KickoffEntry::New(def) => {
                let made = insert_all(conn, org, checklist_id, std::slice::from_ref(def), 0, now).await?;
                order.extend(made);
            }
        }
    }
    template_fields::set_order(conn, None, &order, now).await?;
    Ok(Ok(()))
}

/// Deletes kick-off field `field_id` of template `checklist_id` (CL11) and renumbers the rest.
/// `NotFound` when the template or the field is missing; refused while the template is
/// archived or a rule depends on the field.
pub(crate) async fn delete(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
    field_id: &str,
    by: i64,
    now: i64,
) -> Result<Result<(), TemplateRefusal>, StoreError> {
    let mut tx = pool.begin().await?;
    let t = lock(&mut tx, org, checklist_id).await?.ok_or(StoreError::NotFound)?;
    let field = template_fields::get(&mut tx, checklist_id, field_id).await?;
    if field.is_none_or(|f| f.step_id.is_some()) {
        return Err(StoreError::NotFound);
    }
    if t.archived_at.is_some() {
        return Ok(Err(TemplateRefusal::Archived));
    }
    if rule_refs::of_template(&mut tx, checklist_id).await?.mentions(field_id) {
        return Ok(Err(TemplateRefusal::FieldHasRules));
    }
    template_fields::delete(&mut tx, field_id).await?;
    template_fields::renumber(&mut tx, checklist_id, None, now).await?;
    touch_template(&mut tx, checklist_id, by, now).await?;
    super::activity::template(
        &mut tx,
        checklist_id,
        "updated",
        crate::model::Note::fields(&["prerun"]),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}
