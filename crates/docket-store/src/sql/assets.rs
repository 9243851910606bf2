//! Uploaded files (assets): their rows, and the form-field and step checks an upload makes
//! against its subject.

use docket_domain::file_value;
use serde_json::Value;
use sqlx::Pool;

use super::{Db, IS_PG};
use crate::model::AssetRow;

type Conn = <Db as sqlx::Database>::Connection;

const COLS: &str = "id, org_id, subject_type, subject_id, filename, mime_type, size, sha256, uploaded_from, \
                    step_id, checklist_id, source, system, uploaded_by, uploaded_at, uploaded_by_guest_id";

/// Stores a new asset row.
pub(crate) async fn insert(pool: &Pool<Db>, a: &AssetRow) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query(&format!(
        "INSERT INTO assets ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    ))
    .bind(&a.id)
    .bind(&a.org_id)
    .bind(&a.subject_type)
    .bind(&a.subject_id)
    .bind(&a.filename)
    .bind(&a.mime_type)
    .bind(a.size)
    .bind(&a.sha256)
    .bind(&a.uploaded_from)
    .bind(&a.step_id)
    .bind(&a.checklist_id)
    .bind(&a.source)
    .bind(&a.system)
    .bind(a.uploaded_by)
    .bind(a.uploaded_at)
    .bind(a.uploaded_by_guest_id)
    .execute(&mut *tx)
    .await?;
    super::activity::asset(
        &mut tx,
        &a.org_id,
        &a.id,
        &a.filename,
        subject_of(&a.subject_type, &a.subject_id),
        "uploaded",
        a.uploaded_at,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The feed's subject of an asset attached to `subject_type` `subject_id`.
fn subject_of<'a>(subject_type: &str, subject_id: &'a str) -> super::activity::AssetSubject<'a> {
    let auditable_type = match subject_type {
        "Checklist" => "App\\Models\\Checklist",
        "Run" => "App\\Models\\Run",
        _ => "App\\Models\\Task",
    };
    super::activity::AssetSubject {
        auditable_type,
        id: subject_id,
    }
}

/// Asset `id` of `org`.
pub(crate) async fn get(pool: &Pool<Db>, org: &str, id: &str) -> Result<Option<AssetRow>, sqlx::Error> {
    sqlx::query_as::<_, AssetRow>(&format!("SELECT {COLS} FROM assets WHERE org_id = $1 AND id = $2"))
        .bind(org)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// Assets of `org` by id, in no particular order; unknown ids are skipped.
pub(crate) async fn by_ids(pool: &Pool<Db>, org: &str, ids: &[String]) -> Result<Vec<AssetRow>, sqlx::Error> {
    // An id with a NUL character names no asset (and PostgreSQL text cannot hold it).
    let ids: Vec<&String> = ids.iter().filter(|id| !id.contains('\0')).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = super::tasks::placeholders(2, ids.len());
    let sql = format!("SELECT {COLS} FROM assets WHERE org_id = $1 AND id IN ({marks})");
    let mut q = sqlx::query_as::<_, AssetRow>(&sql).bind(org);
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(pool).await
}

/// The assets of subjects of one type, oldest first.
pub(crate) async fn of_subjects(
    pool: &Pool<Db>,
    org: &str,
    subject_type: &str,
    subject_ids: &[String],
) -> Result<Vec<AssetRow>, sqlx::Error> {
    if subject_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = super::tasks::placeholders(3, subject_ids.len());
    let sql = format!(
        "SELECT {COLS} FROM assets WHERE org_id = $1 AND subject_type = $2 AND subject_id IN ({marks}) \
         ORDER BY uploaded_at, id"
    );
    let mut q = sqlx::query_as::<_, AssetRow>(&sql).bind(org).bind(subject_type);
    for id in subject_ids {
        q = q.bind(id);
    }
    q.fetch_all(pool).await
}

/// Deletes asset `id` of `org`; the row it was, if any.
pub(crate) async fn delete(pool: &Pool<Db>, org: &str, id: &str) -> Result<Option<AssetRow>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let gone = sqlx::query_as::<_, AssetRow>(&format!(
        "DELETE FROM assets WHERE org_id = $1 AND id = $2 RETURNING {COLS}"
    ))
    .bind(org)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(a) = &gone {
        let now = docket_domain::time::now_ms();
        super::activity::asset(
            &mut tx,
            org,
            &a.id,
            &a.filename,
            subject_of(&a.subject_type, &a.subject_id),
            "deleted",
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(gone)
}

/// Whether any asset row (of any organization) names the stored file `sha256`.
pub(crate) async fn sha_in_use(pool: &Pool<Db>, sha256: &str) -> Result<bool, sqlx::Error> {
    let found: Option<i32> = sqlx::query_scalar("SELECT 1 FROM assets WHERE sha256 = $1 LIMIT 1")
        .bind(sha256)
        .fetch_optional(pool)
        .await?;
    Ok(found.is_some())
}

/// Every stored file some asset row names (for the start-up sweep).
pub(crate) async fn all_shas(pool: &Pool<Db>) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT DISTINCT sha256 FROM assets")
        .fetch_all(pool)
        .await
}

/// Whether `field_id` is a form field reachable from the subject: a template's kick-off fields
/// and step captures; a run's kick-off fields and its tasks' fields; a task's fields.
pub(crate) async fn field_of_subject(
    pool: &Pool<Db>,
    org: &str,
    subject_type: &str,
    subject_id: &str,
    field_id: &str,
) -> Result<bool, sqlx::Error> {
    let found: Option<i32> = match subject_type {
        "Checklist" => {
            sqlx::query_scalar("SELECT 1 FROM template_fields WHERE org_id = $1 AND checklist_id = $2 AND id = $3")
                .bind(org)
                .bind(subject_id)
                .bind(field_id)
                .fetch_optional(pool)
                .await?
        }
        "Run" => {
            let kickoff: Option<String> =
                sqlx::query_scalar("SELECT kickoff_fields FROM runs WHERE org_id = $1 AND id = $2")
                    .bind(org)
                    .bind(subject_id)
                    .fetch_optional(pool)
                    .await?;
            let in_kickoff = kickoff
                .and_then(|k| serde_json::from_str::<Vec<serde_json::Value>>(&k).ok())
                .is_some_and(|fields| {
                    fields
                        .iter()
                        .any(|f| f.get("id").and_then(|v| v.as_str()) == Some(field_id))
                });
            if in_kickoff {
                return Ok(true);
            }
            sqlx::query_scalar(
                "SELECT 1 FROM captures c JOIN tasks t ON t.id = c.task_id \
                 WHERE t.org_id = $1 AND t.run_id = $2 AND c.id = $3 LIMIT 1",
            )
            .bind(org)
            .bind(subject_id)
            .bind(field_id)
            .fetch_optional(pool)
            .await?
        }
        "Task" => {
            sqlx::query_scalar(
                "SELECT 1 FROM captures c JOIN tasks t ON t.id = c.task_id \
                 WHERE t.org_id = $1 AND t.id = $2 AND c.id = $3",
            )
            .bind(org)
            .bind(subject_id)
            .bind(field_id)
            .fetch_optional(pool)
            .await?
        }
        _ => None,
    };
    Ok(found.is_some())
}

/// Whether `step_id` is a step of template `checklist_id` of `org`.
pub(crate) async fn step_of_template(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
    step_id: &str,
) -> Result<bool, sqlx::Error> {
    let found: Option<i32> =
        sqlx::query_scalar("SELECT 1 FROM steps WHERE org_id = $1 AND checklist_id = $2 AND id = $3")
            .bind(org)
            .bind(checklist_id)
            .bind(step_id)
            .fetch_optional(pool)
            .await?;
    Ok(found.is_some())
}

/// The key of the first of `values` (field key, `file` value) that names an asset `org` does not
/// have, by the domain's rule, read inside the writing transaction (on PostgreSQL the assets are
/// share-locked, so a concurrent delete waits for the write to commit).
pub(crate) async fn first_unknown_file(
    conn: &mut Conn,
    org: &str,
    values: &[(String, Value)],
) -> Result<Option<String>, sqlx::Error> {
    // An id with a NUL character names no asset (and PostgreSQL text cannot hold it).
    let mut ids: Vec<String> = values
        .iter()
        .flat_map(|(_, v)| file_value::asset_ids(v))
        .filter(|id| !id.contains('\0'))
        .collect();
    ids.sort();
    ids.dedup();
    let found: Vec<String> = if ids.is_empty() {
        Vec::new()
    } else {
        let marks = super::tasks::placeholders(2, ids.len());
        let lock = if IS_PG { " FOR SHARE" } else { "" };
        let sql = format!("SELECT id FROM assets WHERE org_id = $1 AND id IN ({marks}){lock}");
        let mut q = sqlx::query_scalar::<_, String>(&sql).bind(org);
        for id in &ids {
            q = q.bind(id);
        }
        q.fetch_all(&mut *conn).await?
    };
    Ok(values
        .iter()
        .find(|(_, v)| file_value::check_refs(v, |id| found.iter().any(|f| f == id)).is_err())
        .map(|(key, _)| key.clone()))
}

/// Whose assets a permanent delete takes along.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Owner {
    /// The template with this id.
    Template,
    /// The task with this id.
    Task,
    /// The run with this id and every task of it.
    RunAndTasks,
}

/// Deletes the asset rows of a subject being deleted (inside its transaction, before the
/// subject's rows go); the stored files they named, for the caller to release after commit.
pub(crate) async fn delete_of(conn: &mut Conn, org: &str, owner: Owner, id: &str) -> Result<Vec<String>, sqlx::Error> {
    let which = match owner {
        Owner::Template => "subject_type = 'Checklist' AND subject_id = $2",
        Owner::Task => "subject_type = 'Task' AND subject_id = $2",
        Owner::RunAndTasks => {
            "((subject_type = 'Run' AND subject_id = $2) \
             OR (subject_type = 'Task' AND subject_id IN (SELECT id FROM tasks WHERE run_id = $2)))"
        }
    };
    let mut shas: Vec<String> = sqlx::query_scalar(&format!(
        "DELETE FROM assets WHERE org_id = $1 AND {which} RETURNING sha256"
    ))
    .bind(org)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    shas.sort();
    shas.dedup();
    Ok(shas)
}
