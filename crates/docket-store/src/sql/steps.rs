//! Steps of templates (ST1–ST7). Every write locks the template row (PostgreSQL; SQLite's
//! single writer serializes writes already), refuses an archived template, changes the steps and
//! their captures, keeps positions contiguous and moves the template's `last_updated` and
//! `last_updated_by`, all in one transaction (run again when PostgreSQL picks it as a deadlock
//! victim).

use std::collections::HashSet;

use docket_domain::step::{self, StepDef};
use docket_domain::template_field::TemplateFieldDef;
use docket_domain::{ValidationErrors, alias, ids};
use sqlx::Pool;

use super::{Db, IS_PG, guests, rule_refs, tasks, template_fields};
use crate::StoreError;
use crate::model::{FieldPlace, StepRefusal, StepRow, StepWithCaptures, StepWrite, TagTarget, TemplateFieldRow};

pub(crate) type Conn = <Db as sqlx::Database>::Connection;

/// Every column of `steps`, in the order of [`StepRow`].
const STEP_COLS: &str =
    "id, org_id, checklist_id, position, title, alias, summary, step_type, assignees, guests, groups,
    assign_run_starter, deadline, start_date, is_soft_start_date, max_assignable, allow_guest_owners,
    can_complete_only_assignees, everyone_must_complete, prevent_guest_comment, top_secret, send_chromeless,
    skip_start_process, role_changes_every_time, webhook, tags, bp_to_launch, created_at, last_updated";

/// What one attempt of a write answers: `None` when the template, step or capture is gone.
pub(crate) type Attempt<T> = Result<Option<Result<T, StepRefusal>>, sqlx::Error>;

/// Runs one attempt of a write again when PostgreSQL aborted it as a deadlock victim; `None`
/// becomes `NotFound`.
macro_rules! retrying {
    ($call:expr) => {
        match retry_on_deadlock!($call) {
            Err(e) => Err(StoreError::from(e)),
            Ok(None) => Err(StoreError::NotFound),
            Ok(Some(outcome)) => Ok(outcome),
        }
    };
}
pub(crate) use retrying;

/// Whether template `checklist_id` of `org` is archived; `None` when it does not exist.
pub(crate) async fn template_archived(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
) -> Result<Option<bool>, sqlx::Error> {
    let row: Option<Option<i64>> =
        sqlx::query_scalar("SELECT archived_at FROM checklists WHERE org_id = $1 AND id = $2")
            .bind(org)
            .bind(checklist_id)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|a| a.is_some()))
}

/// Locks template `checklist_id` of `org` for a write: `None` when it does not exist, else
/// whether it is archived.
pub(crate) async fn lock_template(conn: &mut Conn, org: &str, checklist_id: &str) -> Result<Option<bool>, sqlx::Error> {
    let sql = if IS_PG {
        "SELECT archived_at FROM checklists WHERE org_id = $1 AND id = $2 FOR UPDATE"
    } else {
        "SELECT archived_at FROM checklists WHERE org_id = $1 AND id = $2"
    };
    let row: Option<Option<i64>> = sqlx::query_scalar(sql)
        .bind(org)
        .bind(checklist_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|a| a.is_some()))
}

/// Records a change inside template `checklist_id`: `last_updated`, `last_updated_by`, version.
pub(crate) async fn touch_template(
    conn: &mut Conn,
    checklist_id: &str,
    user_id: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE checklists SET last_updated = $2, last_updated_by = $3, version = version + 1 WHERE id = $1")
        .bind(checklist_id)
        .bind(now)
        .bind(user_id)
        .execute(&mut *conn)
        .await
        .map(|_| ())
}

/// Step `step_id` of template `checklist_id`.
pub(crate) async fn get_in(conn: &mut Conn, checklist_id: &str, step_id: &str) -> Result<Option<StepRow>, sqlx::Error> {
    sqlx::query_as::<_, StepRow>(&format!(
        "SELECT {STEP_COLS} FROM steps WHERE checklist_id = $1 AND id = $2"
    ))
    .bind(checklist_id)
    .bind(step_id)
    .fetch_optional(&mut *conn)
    .await
}

/// The steps of template `checklist_id`, by position.
pub(crate) async fn rows_of(conn: &mut Conn, checklist_id: &str) -> Result<Vec<StepRow>, sqlx::Error> {
    sqlx::query_as::<_, StepRow>(&format!(
        "SELECT {STEP_COLS} FROM steps WHERE checklist_id = $1 ORDER BY position, id"
    ))
    .bind(checklist_id)
    .fetch_all(&mut *conn)
    .await
}

/// Inserts a step row as given.
pub(crate) async fn insert_row(conn: &mut Conn, s: &StepRow) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO steps ({STEP_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
            $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)"
    ))
    .bind(&s.id)
    .bind(&s.org_id)
    .bind(&s.checklist_id)
    .bind(s.position)
    .bind(&s.title)
    .bind(&s.alias)
    .bind(s.summary.as_deref())
    .bind(&s.step_type)
    .bind(&s.assignees)
    .bind(&s.guests)
    .bind(&s.groups)
    .bind(s.assign_run_starter)
    .bind(s.deadline.as_deref())
    .bind(s.start_date.as_deref())
    .bind(s.is_soft_start_date)
    .bind(s.max_assignable)
    .bind(s.allow_guest_owners)
    .bind(s.can_complete_only_assignees)
    .bind(s.everyone_must_complete)
    .bind(s.prevent_guest_comment)
    .bind(s.top_secret)
    .bind(s.send_chromeless)
    .bind(s.skip_start_process)
    .bind(s.role_changes_every_time)
    .bind(s.webhook.as_deref())
    .bind(&s.tags)
    .bind(s.bp_to_launch.as_deref())
    .bind(s.created_at)
    .bind(s.last_updated)
    .execute(&mut *conn)
    .await
    .map(|_| ())
}

/// Writes the definition columns and `last_updated` of a stored step.
async fn write_def(conn: &mut Conn, s: &StepRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE steps SET title = $2, summary = $3, step_type = $4, assignees = $5, guests = $6, groups = $7,
                assign_run_starter = $8, deadline = $9, start_date = $10, is_soft_start_date = $11,
                max_assignable = $12, allow_guest_owners = $13, can_complete_only_assignees = $14,
                everyone_must_complete = $15, prevent_guest_comment = $16, top_secret = $17,
                send_chromeless = $18, skip_start_process = $19, role_changes_every_time = $20, webhook = $21,
                tags = $22, bp_to_launch = $23, last_updated = $24
          WHERE id = $1",
    )
    .bind(&s.id)
    .bind(&s.title)
    .bind(s.summary.as_deref())
    .bind(&s.step_type)
    .bind(&s.assignees)
    .bind(&s.guests)
    .bind(&s.groups)
    .bind(s.assign_run_starter)
    .bind(s.deadline.as_deref())
    .bind(s.start_date.as_deref())
    .bind(s.is_soft_start_date)
    .bind(s.max_assignable)
    .bind(s.allow_guest_owners)
    .bind(s.can_complete_only_assignees)
    .bind(s.everyone_must_complete)
    .bind(s.prevent_guest_comment)
    .bind(s.top_secret)
    .bind(s.send_chromeless)
    .bind(s.skip_start_process)
    .bind(s.role_changes_every_time)
    .bind(s.webhook.as_deref())
    .bind(&s.tags)
    .bind(s.bp_to_launch.as_deref())
    .bind(s.last_updated)
    .execute(&mut *conn)
    .await
    .map(|_| ())
}

/// Gives the steps `ids` the positions 1…n in this order.
pub(crate) async fn set_order(conn: &mut Conn, ids: &[String], now: i64) -> Result<(), sqlx::Error> {
    for (i, id) in ids.iter().enumerate() {
        sqlx::query("UPDATE steps SET position = $2, last_updated = $3 WHERE id = $1 AND position <> $2")
            .bind(id)
            .bind(i as i64 + 1)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Attaches captures to their steps (`captures` in any order; each step's kept by position).
pub(crate) fn with_captures(steps: Vec<StepRow>, captures: Vec<TemplateFieldRow>) -> Vec<StepWithCaptures> {
    let mut out: Vec<StepWithCaptures> = steps
        .into_iter()
        .map(|step| StepWithCaptures {
            step,
            captures: Vec::new(),
        })
        .collect();
    for c in captures {
        if let Some(s) = out.iter_mut().find(|s| Some(&s.step.id) == c.step_id.as_ref()) {
            s.captures.push(c);
        }
    }
    for s in &mut out {
        s.captures
            .sort_by(|a, b| a.position.cmp(&b.position).then_with(|| a.id.cmp(&b.id)));
    }
    out
}

/// Every step of template `checklist_id` of `org` by position, each with its captures: two
/// queries.
pub(crate) async fn of_template(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
) -> Result<Vec<StepWithCaptures>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let steps = sqlx::query_as::<_, StepRow>(&format!(
        "SELECT {STEP_COLS} FROM steps WHERE org_id = $1 AND checklist_id = $2 ORDER BY position, id"
    ))
    .bind(org)
    .bind(checklist_id)
    .fetch_all(&mut *conn)
    .await?;
    let captures = template_fields::captures_of_template(&mut conn, checklist_id).await?;
    Ok(with_captures(steps, captures))
}

/// Step `step_id` of template `checklist_id` of `org`, with its captures.
pub(crate) async fn get(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
    step_id: &str,
) -> Result<Option<StepWithCaptures>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let Some(step) = get_in(&mut conn, checklist_id, step_id)
        .await?
        .filter(|s| s.org_id == org)
    else {
        return Ok(None);
    };
    let captures = template_fields::of_step(&mut conn, &step.id).await?;
    Ok(Some(StepWithCaptures { step, captures }))
}

/// Reads step `step_id` with its captures inside a write.
pub(crate) async fn load_in(
    conn: &mut Conn,
    checklist_id: &str,
    step_id: &str,
) -> Result<StepWithCaptures, sqlx::Error> {
    let step = get_in(conn, checklist_id, step_id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    let captures = template_fields::of_step(conn, step_id).await?;
    Ok(StepWithCaptures { step, captures })
}

/// Inserts captures at the end of step `step_id`, each with an alias unique in the template.
pub(crate) async fn append_captures(
    conn: &mut Conn,
    org: &str,
    checklist_id: &str,
    step_id: &str,
    defs: &[TemplateFieldDef],
    now: i64,
) -> Result<Vec<String>, sqlx::Error> {
    if defs.is_empty() {
        return Ok(Vec::new());
    }
    let mut taken = template_fields::taken_aliases(conn, checklist_id).await?;
    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(position) FROM template_fields WHERE step_id = $1")
        .bind(step_id)
        .fetch_one(&mut *conn)
        .await?;
    let mut ids = Vec::new();
    for (i, def) in defs.iter().enumerate() {
        let alias = alias::unique(&alias::slug(&def.label, alias::FIELD), |a| taken.contains(a));
        taken.insert(alias.clone());
        let place = FieldPlace {
            id: ids::new_id32(),
            org_id: org,
            checklist_id,
            step_id: Some(step_id),
            alias,
            position: last.unwrap_or(0) + i as i64 + 1,
            now,
        };
        let row = TemplateFieldRow::new(place, def);
        template_fields::insert(conn, &row).await?;
        ids.push(row.id);
    }
    Ok(ids)
}

/// Finds or creates the tags of a step write and makes guests of its new guest emails.
pub(crate) async fn settle_people_and_tags(
    conn: &mut Conn,
    org: &str,
    w: &StepWrite,
    def: &mut StepDef,
) -> Result<(), sqlx::Error> {
    if let Some(targets) = &w.tags {
        let mut tag_ids: Vec<String> = Vec::new();
        for t in targets {
            let id = match t {
                TagTarget::Id(id) => id.clone(),
                TagTarget::Title(title) => tasks::ensure_tag(conn, org, title, w.now).await?,
            };
            if !tag_ids.contains(&id) {
                tag_ids.push(id);
            }
        }
        def.tags = tag_ids;
    }
    if !def.guests.is_empty() {
        guests::ensure(conn, org, &def.guests, w.now).await?;
    }
    Ok(())
}

/// Checks the resulting definition of step `id` against the rules of a whole step and the
/// deadline anchors of the template's steps (`others` without `id`).
pub(crate) fn check_def(id: &str, def: &StepDef, others: &[StepRow]) -> Result<(), StepRefusal> {
    let mut errors = ValidationErrors::new();
    step::check(def, &mut errors);
    if !errors.is_empty() {
        return Err(StepRefusal::Invalid(errors));
    }
    let mut anchors: Vec<(String, Option<String>)> = others.iter().map(|s| (s.id.clone(), s.anchor())).collect();
    let anchor = def.deadline.as_ref().map(|d| d.step.clone());
    anchors.push((id.to_string(), anchor.clone()));
    step::check_anchor(id, anchor.as_deref(), &anchors).map_err(StepRefusal::Anchor)
}

/// Adds a step at the end of template `checklist_id` (ST2), with its captures.
pub(crate) async fn create(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
    w: &StepWrite,
) -> Result<Result<StepWithCaptures, StepRefusal>, StoreError> {
    retrying!(create_once(pool, org, checklist_id, w))
}

async fn create_once(pool: &Pool<Db>, org: &str, checklist_id: &str, w: &StepWrite) -> Attempt<StepWithCaptures> {
    let mut tx = pool.begin().await?;
    let Some(archived) = lock_template(&mut tx, org, checklist_id).await? else {
        return Ok(None);
    };
    if archived {
        return Ok(Some(Err(StepRefusal::Archived)));
    }
    let steps = rows_of(&mut tx, checklist_id).await?;
    let id = ids::new_id32();
    let mut def = w.patch.apply(&StepDef::default());
    if let Err(r) = check_def(&id, &def, &steps) {
        return Ok(Some(Err(r)));
    }
    settle_people_and_tags(&mut tx, org, w, &mut def).await?;
    let taken: HashSet<&str> = steps.iter().map(|s| s.alias.as_str()).collect();
    let alias = alias::unique(&alias::slug(&def.title, alias::STEP), |a| taken.contains(a));
    let row = StepRow::new(id, org, checklist_id, alias, steps.len() as i64 + 1, &def, w.now);
    insert_row(&mut tx, &row).await?;
    append_captures(&mut tx, org, checklist_id, &row.id, &w.captures, w.now).await?;
    super::activity::step(&mut tx, &row.id, "created", Default::default(), w.now).await?;
    touch_template(&mut tx, checklist_id, w.user_id, w.now).await?;
    let out = load_in(&mut tx, checklist_id, &row.id).await?;
    tx.commit().await?;
    Ok(Some(Ok(out)))
}

/// Changes step `step_id` (ST4): the patch applied to the stored step; `position` moves it.
pub(crate) async fn update(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
    step_id: &str,
    w: &StepWrite,
) -> Result<Result<StepWithCaptures, StepRefusal>, StoreError> {
    retrying!(update_once(pool, org, checklist_id, step_id, w))
}

async fn update_once(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
    step_id: &str,
    w: &StepWrite,
) -> Attempt<StepWithCaptures> {
    let mut tx = pool.begin().await?;
    let Some(archived) = lock_template(&mut tx, org, checklist_id).await? else {
        return Ok(None);
    };
    let steps = rows_of(&mut tx, checklist_id).await?;
    let Some(mut row) = steps.iter().find(|s| s.id == step_id).cloned() else {
        return Ok(None);
    };
    if archived {
        return Ok(Some(Err(StepRefusal::Archived)));
    }
    let mut def = w.patch.apply(&row.def());
    let others: Vec<StepRow> = steps.iter().filter(|s| s.id != step_id).cloned().collect();
    if let Err(r) = check_def(step_id, &def, &others) {
        return Ok(Some(Err(r)));
    }
    settle_people_and_tags(&mut tx, org, w, &mut def).await?;
    row.set_def(&def);
    row.last_updated = w.now;
    write_def(&mut tx, &row).await?;
    if let Some(to) = w.patch.position {
        let order: Vec<String> = steps.iter().map(|s| s.id.clone()).collect();
        set_order(&mut tx, &step::moved(&order, step_id, to), w.now).await?;
    }
    super::activity::step(&mut tx, step_id, "updated", Default::default(), w.now).await?;
    touch_template(&mut tx, checklist_id, w.user_id, w.now).await?;
    let out = load_in(&mut tx, checklist_id, step_id).await?;
    tx.commit().await?;
    Ok(Some(Ok(out)))
}

/// Deletes step `step_id` and its captures (ST5), unless a rule or another step's deadline
/// depends on it; renumbers the rest.
pub(crate) async fn delete(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
    step_id: &str,
    user_id: i64,
    now: i64,
) -> Result<Result<(), StepRefusal>, StoreError> {
    retrying!(delete_once(pool, org, checklist_id, step_id, user_id, now))
}

async fn delete_once(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
    step_id: &str,
    user_id: i64,
    now: i64,
) -> Attempt<()> {
    let mut tx = pool.begin().await?;
    let Some(archived) = lock_template(&mut tx, org, checklist_id).await? else {
        return Ok(None);
    };
    let steps = rows_of(&mut tx, checklist_id).await?;
    if !steps.iter().any(|s| s.id == step_id) {
        return Ok(None);
    }
    if archived {
        return Ok(Some(Err(StepRefusal::Archived)));
    }
    if rule_refs::of_template(&mut tx, checklist_id).await?.mentions(step_id) {
        return Ok(Some(Err(StepRefusal::RulesDepend)));
    }
    if steps
        .iter()
        .any(|s| s.id != step_id && s.anchor().as_deref() == Some(step_id))
    {
        return Ok(Some(Err(StepRefusal::DeadlinesDepend)));
    }
    super::activity::step(&mut tx, step_id, "deleted", Default::default(), now).await?;
    sqlx::query("DELETE FROM template_fields WHERE step_id = $1")
        .bind(step_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM steps WHERE id = $1")
        .bind(step_id)
        .execute(&mut *tx)
        .await?;
    let order: Vec<String> = steps.iter().filter(|s| s.id != step_id).map(|s| s.id.clone()).collect();
    set_order(&mut tx, &order, now).await?;
    touch_template(&mut tx, checklist_id, user_id, now).await?;
    tx.commit().await?;
    Ok(Some(Ok(())))
}

/// Copies step `step_id` to the position after it (ST6): same definition, a new alias, copies
/// of its captures with new ids and aliases.
pub(crate) async fn clone(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
    step_id: &str,
    user_id: i64,
    now: i64,
) -> Result<Result<StepWithCaptures, StepRefusal>, StoreError> {
    retrying!(clone_once(pool, org, checklist_id, step_id, user_id, now))
}

async fn clone_once(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
    step_id: &str,
    user_id: i64,
    now: i64,
) -> Attempt<StepWithCaptures> {
    let mut tx = pool.begin().await?;
    let Some(archived) = lock_template(&mut tx, org, checklist_id).await? else {
        return Ok(None);
    };
    let steps = rows_of(&mut tx, checklist_id).await?;
    let Some(source) = steps.iter().find(|s| s.id == step_id).cloned() else {
        return Ok(None);
    };
    if archived {
        return Ok(Some(Err(StepRefusal::Archived)));
    }
    let taken: HashSet<&str> = steps.iter().map(|s| s.alias.as_str()).collect();
    let alias = alias::unique(&alias::slug(&source.title, alias::STEP), |a| taken.contains(a));
    let copy = StepRow::new(
        ids::new_id32(),
        org,
        checklist_id,
        alias,
        steps.len() as i64 + 1,
        &source.def(),
        now,
    );
    insert_row(&mut tx, &copy).await?;
    let defs: Vec<TemplateFieldDef> = template_fields::of_step(&mut tx, step_id)
        .await?
        .iter()
        .map(TemplateFieldRow::def)
        .collect();
    append_captures(&mut tx, org, checklist_id, &copy.id, &defs, now).await?;
    let mut order: Vec<String> = steps.iter().map(|s| s.id.clone()).collect();
    let at = order.iter().position(|s| s == step_id).map_or(order.len(), |i| i + 1);
    order.insert(at, copy.id.clone());
    set_order(&mut tx, &order, now).await?;
    super::activity::step(&mut tx, &copy.id, "created", Default::default(), now).await?;
    touch_template(&mut tx, checklist_id, user_id, now).await?;
    let out = load_in(&mut tx, checklist_id, &copy.id).await?;
    tx.commit().await?;
    Ok(Some(Ok(out)))
}

/// Moves step `step_id` to `position` (clamped to 1…n), renumbering the rest (ST7).
pub(crate) async fn reorder(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
    step_id: &str,
    position: i64,
    user_id: i64,
    now: i64,
) -> Result<Result<StepWithCaptures, StepRefusal>, StoreError> {
    retrying!(reorder_once(pool, org, checklist_id, step_id, position, user_id, now))
}

async fn reorder_once(
    pool: &Pool<Db>,
    org: &str,
    checklist_id: &str,
    step_id: &str,
    position: i64,
    user_id: i64,
    now: i64,
) -> Attempt<StepWithCaptures> {
    let mut tx = pool.begin().await?;
    let Some(archived) = lock_template(&mut tx, org, checklist_id).await? else {
        return Ok(None);
    };
    let steps = rows_of(&mut tx, checklist_id).await?;
    if !steps.iter().any(|s| s.id == step_id) {
        return Ok(None);
    }
    if archived {
        return Ok(Some(Err(StepRefusal::Archived)));
    }
    let order: Vec<String> = steps.iter().map(|s| s.id.clone()).collect();
    set_order(&mut tx, &step::moved(&order, step_id, position), now).await?;
    super::activity::step(&mut tx, step_id, "re-ordered", Default::default(), now).await?;
    touch_template(&mut tx, checklist_id, user_id, now).await?;
    let out = load_in(&mut tx, checklist_id, step_id).await?;
    tx.commit().await?;
    Ok(Some(Ok(out)))
}
