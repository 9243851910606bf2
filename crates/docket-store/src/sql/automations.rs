//! Automation rules of templates (AU1–AU3): rows of `automations` in their emitted form, the
//! catalog of ids a rule may name, and the template's `last_updated`/`last_updated_by`, moved by
//! every rule write in the same transaction.

use docket_domain::automation::{Catalog, CatalogField, RuleDef};
use sqlx::Pool;

use super::Db;
use crate::model::{AutomationRow, RuleRefusal, RuleTemplate, RuleWrite};

type Conn = <Db as sqlx::Database>::Connection;

const COLS: &str = "id, checklist_id, seq, automated_alias, conditions, then_actions, created_at, last_updated";

/// Template `id` of `org` with its rule count.
pub(crate) async fn template(pool: &Pool<Db>, org: &str, id: &str) -> Result<Option<RuleTemplate>, sqlx::Error> {
    sqlx::query_as::<_, RuleTemplate>(
        "SELECT c.id, c.archived_at, (SELECT COUNT(*) FROM automations a WHERE a.checklist_id = c.id) AS rule_count
           FROM checklists c WHERE c.org_id = $1 AND c.id = $2",
    )
    .bind(org)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// The steps, step captures and kick-off fields of template `id`.
pub(crate) async fn catalog(pool: &Pool<Db>, org: &str, id: &str) -> Result<Catalog, sqlx::Error> {
    let steps: Vec<String> =
        sqlx::query_scalar("SELECT id FROM steps WHERE org_id = $1 AND checklist_id = $2 ORDER BY position, id")
            .bind(org)
            .bind(id)
            .fetch_all(pool)
            .await?;
    let fields = sqlx::query_as::<_, (String, String, Option<String>)>(
        "SELECT id, field_type, step_id FROM template_fields WHERE org_id = $1 AND checklist_id = $2
          ORDER BY position, id",
    )
    .bind(org)
    .bind(id)
    .fetch_all(pool)
    .await?;
    let mut catalog = Catalog {
        steps,
        ..Catalog::default()
    };
    for (id, field_type, step_id) in fields {
        let f = CatalogField {
            id,
            field_type,
            step_id: step_id.clone(),
        };
        if step_id.is_some() {
            catalog.captures.push(f);
        } else {
            catalog.kickoff.push(f);
        }
    }
    Ok(catalog)
}

/// The rules of template `id`, in creation order.
pub(crate) async fn of_template(pool: &Pool<Db>, org: &str, id: &str) -> Result<Vec<AutomationRow>, sqlx::Error> {
    sqlx::query_as::<_, AutomationRow>(&format!(
        "SELECT {COLS} FROM automations WHERE org_id = $1 AND checklist_id = $2 ORDER BY seq, id"
    ))
    .bind(org)
    .bind(id)
    .fetch_all(pool)
    .await
}

/// Rule `id` of template `checklist` of `org`.
pub(crate) async fn get(
    pool: &Pool<Db>,
    org: &str,
    checklist: &str,
    id: &str,
) -> Result<Option<AutomationRow>, sqlx::Error> {
    sqlx::query_as::<_, AutomationRow>(&format!(
        "SELECT {COLS} FROM automations WHERE org_id = $1 AND checklist_id = $2 AND id = $3"
    ))
    .bind(org)
    .bind(checklist)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Moves the template's `last_updated`/`last_updated_by` when it exists and is not archived;
/// otherwise says why not.
async fn touch_template(
    conn: &mut Conn,
    org: &str,
    checklist: &str,
    w: &RuleWrite,
) -> Result<Option<RuleRefusal>, sqlx::Error> {
    let archived: Option<Option<i64>> =
        sqlx::query_scalar("SELECT archived_at FROM checklists WHERE org_id = $1 AND id = $2")
            .bind(org)
            .bind(checklist)
            .fetch_optional(&mut *conn)
            .await?;
    match archived {
        None => return Ok(Some(RuleRefusal::Missing)),
        Some(Some(_)) => return Ok(Some(RuleRefusal::Archived)),
        Some(None) => {}
    }
    sqlx::query("UPDATE checklists SET last_updated = $3, last_updated_by = $4 WHERE org_id = $1 AND id = $2")
        .bind(org)
        .bind(checklist)
        .bind(w.now)
        .bind(w.actor)
        .execute(&mut *conn)
        .await?;
    let note = crate::model::Note::fields(&["automated_actions"]);
    super::activity::template(conn, checklist, "updated", note, w.now).await?;
    Ok(None)
}

/// Stores a new rule `id` on template `checklist` (AU1), after the template's other rules.
pub(crate) async fn insert(
    pool: &Pool<Db>,
    org: &str,
    checklist: &str,
    id: &str,
    w: &RuleWrite,
) -> Result<Result<AutomationRow, RuleRefusal>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    if let Some(refusal) = touch_template(&mut tx, org, checklist, w).await? {
        return Ok(Err(refusal));
    }
    let row = insert_row(&mut tx, org, checklist, id, w).await?;
    tx.commit().await?;
    Ok(Ok(row))
}

/// Inserts rule `id` after the template's other rules, inside an open transaction.
async fn insert_row(
    conn: &mut Conn,
    org: &str,
    checklist: &str,
    id: &str,
    w: &RuleWrite,
) -> Result<AutomationRow, sqlx::Error> {
    let seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM automations WHERE checklist_id = $1")
        .bind(checklist)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query_as::<_, AutomationRow>(&format!(
        "INSERT INTO automations (id, org_id, checklist_id, seq, automated_alias, conditions, then_actions,
                                  created_at, last_updated)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING {COLS}"
    ))
    .bind(id)
    .bind(org)
    .bind(checklist)
    .bind(seq)
    .bind(&w.automated_alias)
    .bind(&w.conditions)
    .bind(&w.then_actions)
    .bind(w.now)
    .fetch_one(&mut *conn)
    .await
}

/// Stores rule `id` with definition `def` on a template being created (CL2), inside its
/// transaction.
pub(crate) async fn insert_in(
    conn: &mut Conn,
    org: &str,
    checklist: &str,
    id: &str,
    def: &RuleDef,
    by: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let w = RuleWrite {
        automated_alias: def.automated_alias.clone(),
        conditions: serde_json::to_string(&def.conditions).unwrap_or_else(|_| "[]".into()),
        then_actions: serde_json::to_string(&def.then_actions).unwrap_or_else(|_| "[]".into()),
        actor: by,
        now,
    };
    insert_row(conn, org, checklist, id, &w).await.map(|_| ())
}

/// Replaces rule `id` of template `checklist` (AU2).
pub(crate) async fn update(
    pool: &Pool<Db>,
    org: &str,
    checklist: &str,
    id: &str,
    w: &RuleWrite,
) -> Result<Result<AutomationRow, RuleRefusal>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    if let Some(refusal) = touch_template(&mut tx, org, checklist, w).await? {
        return Ok(Err(refusal));
    }
    let row = sqlx::query_as::<_, AutomationRow>(&format!(
        "UPDATE automations SET automated_alias = $4, conditions = $5, then_actions = $6, last_updated = $7
          WHERE org_id = $1 AND checklist_id = $2 AND id = $3 RETURNING {COLS}"
    ))
    .bind(org)
    .bind(checklist)
    .bind(id)
    .bind(&w.automated_alias)
    .bind(&w.conditions)
    .bind(&w.then_actions)
    .bind(w.now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(Err(RuleRefusal::Missing));
    };
    tx.commit().await?;
    Ok(Ok(row))
}

/// Deletes rule `id` of template `checklist` (AU3).
pub(crate) async fn delete(
    pool: &Pool<Db>,
    org: &str,
    checklist: &str,
    id: &str,
    actor: i64,
    now: i64,
) -> Result<Result<(), RuleRefusal>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let w = RuleWrite {
        automated_alias: String::new(),
        conditions: String::new(),
        then_actions: String::new(),
        actor,
        now,
    };
    if let Some(refusal) = touch_template(&mut tx, org, checklist, &w).await? {
        return Ok(Err(refusal));
    }
    let gone = sqlx::query("DELETE FROM automations WHERE org_id = $1 AND checklist_id = $2 AND id = $3")
        .bind(org)
        .bind(checklist)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if gone == 0 {
        return Ok(Err(RuleRefusal::Missing));
    }
    tx.commit().await?;
    Ok(Ok(()))
}
