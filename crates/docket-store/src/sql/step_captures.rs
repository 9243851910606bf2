//! Captures (form fields) of template steps (CP1–CP5). Each write locks the template, refuses
//! an archived one, checks that the capture belongs to the step of the path, keeps positions
//! contiguous and moves the template's `last_updated`, in one transaction.

use docket_domain::ValidationErrors;
use docket_domain::step;
use docket_domain::template_field::{FieldPatch, TemplateFieldDef};
use sqlx::Pool;

use super::steps::{Attempt, Conn, append_captures, get_in, lock_template, retrying, touch_template};
use super::{Db, rule_refs, template_fields};
use crate::StoreError;
use crate::model::{StepRefusal, TemplateFieldRow};

/// The located capture of a write, or why the write stops.
enum Located {
    /// Template, step or capture missing.
    Gone,
    /// The template is archived.
    Archived,
    /// The index of the capture (when one was asked for) among its step's captures, which
    /// are by position.
    Found(Option<usize>, Vec<TemplateFieldRow>),
}

/// Locks the template and finds step `step_id` and (when given) its capture `capture_id`.
async fn locate(
    conn: &mut Conn,
    org: &str,
    checklist_id: &str,
    step_id: &str,
    capture_id: Option<&str>,
) -> Result<Located, sqlx::Error> {
    let Some(archived) = lock_template(conn, org, checklist_id).await? else {
        return Ok(Located::Gone);
    };
    if get_in(conn, checklist_id, step_id).await?.is_none() {
        return Ok(Located::Gone);
    }
    let captures = template_fields::of_step(conn, step_id).await?;
    let capture = match capture_id {
        Some(id) => match captures.iter().position(|c| c.id == id) {
            Some(i) => Some(i),
            None => return Ok(Located::Gone),
        },
        None => None,
    };
    if archived {
        return Ok(Located::Archived);
    }
    Ok(Located::Found(capture, captures))
}

/// `locate`, answering the attempt early when it does not find what it needs.
macro_rules! located {
    ($conn:expr, $org:expr, $checklist:expr, $step:expr, $capture:expr) => {
        match locate($conn, $org, $checklist, $step, $capture).await? {
            Located::Gone => return Ok(None),
            Located::Archived => return Ok(Some(Err(StepRefusal::Archived))),
            Located::Found(c, all) => (c, all),
        }
    };
}

fn ids_of(rows: &[TemplateFieldRow]) -> Vec<String> {
    rows.iter().map(|c| c.id.clone()).collect()
}

/// Appends a capture to step `step_id` (CP1).
pub(crate) async fn add(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
    step_id: &str,
    def: &TemplateFieldDef,
    user_id: i64,
    now: i64,
) -> Result<Result<TemplateFieldRow, StepRefusal>, StoreError> {
    retrying!(add_once(pool, org, checklist_id, step_id, def, user_id, now))
}

async fn add_once(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
    step_id: &str,
    def: &TemplateFieldDef,
    user_id: i64,
    now: i64,
) -> Attempt<TemplateFieldRow> {
    let mut tx = pool.begin().await?;
    let _ = located!(&mut tx, org, checklist_id, step_id, None);
    let ids = append_captures(&mut tx, org, checklist_id, step_id, std::slice::from_ref(def), now).await?;
    super::activity::captures_changed(&mut tx, step_id, now).await?;
    touch_template(&mut tx, checklist_id, user_id, now).await?;
    let row = template_fields::get(&mut tx, checklist_id, &ids[0])
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    tx.commit().await?;
    Ok(Some(Ok(row)))
}

/// Changes capture `capture_id` of step `step_id` (CP2): the patch applied to the stored
/// definition (the options/columns rule checked on the result); `position` moves it.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn update(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
    step_id: &str,
    capture_id: &str,
    patch: &FieldPatch,
    position: Option<i64>,
    user_id: i64,
    now: i64,
) -> Result<Result<TemplateFieldRow, StepRefusal>, StoreError> {
    retrying!(update_once(
        pool,
        org,
        checklist_id,
        step_id,
        capture_id,
        patch,
        position,
        user_id,
        now
    ))
}

#[allow(clippy::too_many_arguments)]
async fn update_once(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
    step_id: &str,
    capture_id: &str,
    patch: &FieldPatch,
    position: Option<i64>,
    user_id: i64,
    now: i64,
) -> Attempt<TemplateFieldRow> {
    let mut tx = pool.begin().await?;
    let (capture, all) = located!(&mut tx, org, checklist_id, step_id, Some(capture_id));
    let Some(mut row) = capture.map(|i| all[i].clone()) else {
        return Ok(None);
    };
    let mut errors = ValidationErrors::new();
    let def = patch.apply(&row.def(), "", &mut errors);
    if !errors.is_empty() {
        return Ok(Some(Err(StepRefusal::Invalid(errors))));
    }
    row.set_def(&def);
    row.last_updated = now;
    template_fields::update(&mut tx, &row).await?;
    if let Some(to) = position {
        template_fields::set_order(&mut tx, Some(step_id), &step::moved(&ids_of(&all), capture_id, to), now).await?;
    }
    super::activity::captures_changed(&mut tx, step_id, now).await?;
    touch_template(&mut tx, checklist_id, user_id, now).await?;
    let row = template_fields::get(&mut tx, checklist_id, capture_id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    tx.commit().await?;
    Ok(Some(Ok(row)))
}

/// Deletes capture `capture_id` of step `step_id` unless a rule references it (CP3).
pub(crate) async fn delete(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
    step_id: &str,
    capture_id: &str,
    user_id: i64,
    now: i64,
) -> Result<Result<(), StepRefusal>, StoreError> {
    retrying!(delete_once(pool, org, checklist_id, step_id, capture_id, user_id, now))
}

async fn delete_once(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
    step_id: &str,
    capture_id: &str,
    user_id: i64,
    now: i64,
) -> Attempt<()> {
    let mut tx = pool.begin().await?;
    let _ = located!(&mut tx, org, checklist_id, step_id, Some(capture_id));
    if rule_refs::of_template(&mut tx, checklist_id)
        .await?
        .mentions(capture_id)
    {
        return Ok(Some(Err(StepRefusal::RulesDepend)));
    }
    template_fields::delete(&mut tx, capture_id).await?;
    template_fields::renumber(&mut tx, checklist_id, Some(step_id), now).await?;
    super::activity::captures_changed(&mut tx, step_id, now).await?;
    touch_template(&mut tx, checklist_id, user_id, now).await?;
    tx.commit().await?;
    Ok(Some(Ok(())))
}

/// Moves capture `capture_id` of step `step_id` to step `target` of the same template at
/// `position` (clamped to 1…n+1), renumbering both steps (CP4). Same id, same alias.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn move_out(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
    step_id: &str,
    capture_id: &str,
    target: &str,
    position: i64,
    user_id: i64,
    now: i64,
) -> Result<Result<TemplateFieldRow, StepRefusal>, StoreError> {
    retrying!(move_once(
        pool,
        org,
        checklist_id,
        step_id,
        capture_id,
        target,
        position,
        user_id,
        now
    ))
}

#[allow(clippy::too_many_arguments)]
async fn move_once(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
    step_id: &str,
    capture_id: &str,
    target: &str,
    position: i64,
    user_id: i64,
    now: i64,
) -> Attempt<TemplateFieldRow> {
    let mut tx = pool.begin().await?;
    let (_, all) = located!(&mut tx, org, checklist_id, step_id, Some(capture_id));
    if get_in(&mut tx, checklist_id, target).await?.is_none() {
        return Ok(Some(Err(StepRefusal::TargetStep)));
    }
    if target == step_id {
        template_fields::set_order(
            &mut tx,
            Some(step_id),
            &step::moved(&ids_of(&all), capture_id, position),
            now,
        )
        .await?;
    } else {
        let rest: Vec<String> = all
            .iter()
            .filter(|c| c.id != capture_id)
            .map(|c| c.id.clone())
            .collect();
        template_fields::set_order(&mut tx, Some(step_id), &rest, now).await?;
        let mut there = ids_of(&template_fields::of_step(&mut tx, target).await?);
        let at = step::clamp_position(position, there.len() + 1) - 1;
        there.insert(at, capture_id.to_string());
        template_fields::set_order(&mut tx, Some(target), &there, now).await?;
    }
    super::activity::captures_changed(&mut tx, step_id, now).await?;
    touch_template(&mut tx, checklist_id, user_id, now).await?;
    let row = template_fields::get(&mut tx, checklist_id, capture_id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    tx.commit().await?;
    Ok(Some(Ok(row)))
}

/// Moves capture `capture_id` of step `step_id` to `position` (clamped), renumbering the rest
/// (CP5); the step's captures in their new order. `CaptureId` when it is not a capture of the
/// step.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn reorder(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
    step_id: &str,
    capture_id: &str,
    position: i64,
    user_id: i64,
    now: i64,
) -> Result<Result<Vec<TemplateFieldRow>, StepRefusal>, StoreError> {
    retrying!(reorder_once(
        pool,
        org,
        checklist_id,
        step_id,
        capture_id,
        position,
        user_id,
        now
    ))
}

#[allow(clippy::too_many_arguments)]
async fn reorder_once(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
    step_id: &str,
    capture_id: &str,
    position: i64,
    user_id: i64,
    now: i64,
) -> Attempt<Vec<TemplateFieldRow>> {
    let mut tx = pool.begin().await?;
    let (_, all) = located!(&mut tx, org, checklist_id, step_id, None);
    if !all.iter().any(|c| c.id == capture_id) {
        return Ok(Some(Err(StepRefusal::CaptureId)));
    }
    template_fields::set_order(
        &mut tx,
        Some(step_id),
        &step::moved(&ids_of(&all), capture_id, position),
        now,
    )
    .await?;
    super::activity::captures_changed(&mut tx, step_id, now).await?;
    touch_template(&mut tx, checklist_id, user_id, now).await?;
    let rows = template_fields::of_step(&mut tx, step_id).await?;
    tx.commit().await?;
    Ok(Some(Ok(rows)))
}
