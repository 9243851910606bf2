//! The steps a template is created with (CL2 `steps`), inside the create's transaction, through
//! the step rules and row functions of `steps.rs`. An entry's own `id` (a blueprint import) is
//! remembered so that a later entry's `deadline.step` may name it; it is given a new id.

use std::collections::{HashMap, HashSet};

use docket_domain::step::StepDef;
use docket_domain::{alias, ids};

use super::steps::{append_captures, check_def, insert_row, settle_people_and_tags};
use super::templates::Conn;
use crate::model::{NewTemplateStep, StepRow, TemplateRefusal};

/// Inserts `steps` in order at the end of (new) template `checklist_id`. A refusal names the
/// entry's index.
/// `map` receives old id → new id of every step and capture that carried an id.
pub(crate) async fn insert_all(
    conn: &mut Conn,
    org: &str,
    checklist_id: &str,
    steps: &[NewTemplateStep],
    map: &mut HashMap<String, String>,
) -> Result<Result<(), TemplateRefusal>, sqlx::Error> {
    let mut rows: Vec<StepRow> = Vec::new();
    let mut taken: HashSet<String> = HashSet::new();
    for (i, s) in steps.iter().enumerate() {
        let id = ids::new_id32();
        let mut w = s.write.clone();
        if let Some(Some(deadline)) = &mut w.patch.deadline
            && let Some(new) = map.get(&deadline.step)
        {
            deadline.step = new.clone();
        }
        let mut def = w.patch.apply(&StepDef::default());
        if let Err(refusal) = check_def(&id, &def, &rows) {
            return Ok(Err(TemplateRefusal::Step(i, refusal)));
        }
        settle_people_and_tags(conn, org, &w, &mut def).await?;
        let alias = alias::unique(&alias::slug(&def.title, alias::STEP), |a| taken.contains(a));
        taken.insert(alias.clone());
        let row = StepRow::new(id, org, checklist_id, alias, rows.len() as i64 + 1, &def, w.now);
        insert_row(conn, &row).await?;
        let capture_ids = append_captures(conn, org, checklist_id, &row.id, &w.captures, w.now).await?;
        for (old, new) in s.capture_ids.iter().zip(capture_ids) {
            if let Some(old) = old {
                map.insert(old.clone(), new);
            }
        }
        if let Some(old) = &s.old_id {
            map.insert(old.clone(), row.id.clone());
        }
        rows.push(row);
    }
    Ok(Ok(()))
}
