//! The ids a template's automation rules depend on, read from the emitted JSON of the
//! `automations` table: every condition's `conditionable_id` and every action's
//! `target_step_id`, `actionable_id` and `deadline.step`. Deleting a step, capture or kick-off
//! field that appears here is refused.

#![allow(dead_code)] // building blocks shared by the template, step and launch writes

use serde_json::Value;

use super::Db;
use crate::model::RuleRefs;

type Conn = <Db as sqlx::Database>::Connection;

/// The references of every rule of template `checklist_id`.
pub(crate) async fn of_template(conn: &mut Conn, checklist_id: &str) -> Result<RuleRefs, sqlx::Error> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT conditions, then_actions FROM automations WHERE checklist_id = $1")
            .bind(checklist_id)
            .fetch_all(&mut *conn)
            .await?;
    let mut refs = RuleRefs::default();
    for (conditions, actions) in rows {
        refs.add_rule(&parse(&conditions), &parse(&actions));
    }
    Ok(refs)
}

fn parse(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or(Value::Null)
}
