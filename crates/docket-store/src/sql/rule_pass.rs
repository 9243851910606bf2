//! The rule pass of a launched run, inside the transaction of the write that triggered it
//! (launch, kick-off values, task data, owners, status, completion, reopen): the run's state is
//! read, `docket_domain::automation::evaluate` decides, and its changes are written (hidden
//! tasks become `auto-skipped` with their status kept aside, deadlines, owners, reopens,
//! `automation.webhook` events), with each rule's result remembered on the run. The callers
//! hold the run's row lock (PostgreSQL) or the single writer (SQLite), so two passes of one run
//! never interleave.

use std::collections::BTreeMap;

use docket_domain::automation::evaluate::{Outcome, RunState, TaskState, evaluate};
use docket_domain::automation::items::FieldShape;
use docket_domain::automation::{Assignees, Rule};
use docket_domain::time::format_ts;
use serde_json::{Map, Value, json};

use super::tasks::{load_in, write_owners};
use super::{Db, events, guests, runs};
use crate::model::{AutomationRef, OwnerSet, RuleChanges};

type Conn = <Db as sqlx::Database>::Connection;

/// The run's side of a pass.
#[derive(sqlx::FromRow)]
struct RunSide {
    rules: String,
    rule_state: String,
    prerun: String,
    kickoff_fields: String,
    started_at: i64,
}

fn shape(field_type: &str, columns: &Value) -> FieldShape {
    FieldShape {
        field_type: field_type.to_string(),
        columns: columns
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|c| c.get("label").and_then(Value::as_str).unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// Runs the rule pass of run `run_id` of `org` and writes what it changed. Returns, per changed task, the keys the rules changed with
/// their new values (`tasks_changed_by_rules`). A run without rules is left untouched.
pub(crate) async fn apply(conn: &mut Conn, org: &str, run_id: &str, now: i64) -> Result<RuleChanges, sqlx::Error> {
    apply_pass(conn, org, run_id, now, false).await
}

/// [`apply`] for the launch pass, which records no `task.assigned` of its own: the launch
/// reports every task's final assignees (`events::launched`).
pub(crate) async fn apply_at_launch(
    conn: &mut Conn,
    org: &str,
    run_id: &str,
    now: i64,
) -> Result<RuleChanges, sqlx::Error> {
    apply_pass(conn, org, run_id, now, true).await
}

async fn apply_pass(
    conn: &mut Conn,
    org: &str,
    run_id: &str,
    now: i64,
    at_launch: bool,
) -> Result<RuleChanges, sqlx::Error> {
    let side: Option<RunSide> = sqlx::query_as(
        "SELECT rules, rule_state, prerun, kickoff_fields, started_at
           FROM runs WHERE id = $1 AND org_id = $2",
    )
    .bind(run_id)
    .bind(org)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(side) = side else {
        return Ok(RuleChanges::new());
    };
    let rules: Vec<Rule> = serde_json::from_str(&side.rules).unwrap_or_default();
    if rules.is_empty() {
        return Ok(RuleChanges::new());
    }
    let previous: BTreeMap<String, bool> = serde_json::from_str(&side.rule_state).unwrap_or_default();

    let ids: Vec<(String, String, Option<String>, bool)> = sqlx::query_as(
        "SELECT id, step_id, skipped_status, was_reopened FROM tasks
          WHERE run_id = $1 AND step_id IS NOT NULL ORDER BY position, id",
    )
    .bind(run_id)
    .fetch_all(&mut *conn)
    .await?;
    let task_ids: Vec<String> = ids.iter().map(|(id, ..)| id.clone()).collect();
    let records = load_in(&mut *conn, org, &task_ids).await?;

    let mut state = RunState {
        started_at: side.started_at,
        prerun: serde_json::from_str(&side.prerun).unwrap_or_default(),
        ..RunState::default()
    };
    let kickoff: Vec<Value> = serde_json::from_str(&side.kickoff_fields).unwrap_or_default();
    for f in &kickoff {
        if let (Some(id), Some(ty)) = (
            f.get("id").and_then(Value::as_str),
            f.get("field_type").and_then(Value::as_str),
        ) {
            state
                .fields
                .insert(id.to_string(), shape(ty, f.get("columns").unwrap_or(&Value::Null)));
        }
    }
    for (id, step_id, skipped_status, was_reopened) in &ids {
        let Some(r) = records.iter().find(|r| &r.row.id == id) else {
            continue;
        };
        if state.tasks.contains_key(step_id) {
            continue;
        }
        let mut taskdata = Map::new();
        for c in &r.captures {
            let columns: Value = serde_json::from_str(&c.field_columns).unwrap_or(Value::Null);
            state.fields.insert(c.id.clone(), shape(&c.field_type, &columns));
            let value = c
                .value
                .as_deref()
                .and_then(|v| serde_json::from_str(v).ok())
                .unwrap_or(Value::Null);
            taskdata.insert(c.id.clone(), value);
        }
        state.tasks.insert(
            step_id.clone(),
            TaskState {
                task_id: id.clone(),
                status: r.row.status.as_str().to_string(),
                skipped_status: skipped_status.clone(),
                completed_at: r.row.completed_at,
                deadline: Some(r.row.deadline),
                is_approved: r.row.is_approved,
                was_reopened: *was_reopened,
                owners: Assignees {
                    users: r.users.clone(),
                    guests: r.guests.iter().map(|g| g.email.clone()).collect(),
                    groups: r.groups.clone(),
                },
                max_assignable: r.row.max_assignable,
                taskdata,
            },
        );
    }

    let outcome = evaluate(&rules, &state, &previous);
    write(conn, org, run_id, &outcome, now, at_launch).await
}

/// The owners a rule added, as `task.assigned` reports them.
fn added(a: &Assignees) -> OwnerSet {
    OwnerSet {
        users: a.users.clone(),
        guests: a.guests.clone(),
        groups: a.groups.clone(),
    }
}

async fn write(
    conn: &mut Conn,
    org: &str,
    run_id: &str,
    outcome: &Outcome,
    now: i64,
    at_launch: bool,
) -> Result<RuleChanges, sqlx::Error> {
    let mut changed = RuleChanges::new();
    for c in &outcome.changes {
        let mut keys = Map::new();
        if c.reopened {
            sqlx::query(
                "UPDATE tasks SET status = 'in-progress', completed_at = NULL, completer_id = NULL,
                     completer_guest_id = NULL, is_approved = NULL, was_reopened = TRUE WHERE id = $1",
            )
            .bind(&c.task_id)
            .execute(&mut *conn)
            .await?;
            for table in ["task_completions", "task_guest_completions"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE task_id = $1"))
                    .bind(&c.task_id)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        if let Some(status) = &c.status {
            sqlx::query("UPDATE tasks SET status = $2, skipped_status = $3 WHERE id = $1")
                .bind(&c.task_id)
                .bind(status)
                .bind(&c.skipped_status)
                .execute(&mut *conn)
                .await?;
            keys.insert("status".into(), json!(status));
        }
        if let Some(deadline) = c.deadline {
            sqlx::query("UPDATE tasks SET deadline = $2 WHERE id = $1")
                .bind(&c.task_id)
                .bind(deadline)
                .execute(&mut *conn)
                .await?;
            keys.insert("deadline".into(), json!(format_ts(deadline)));
        }
        if let Some(owners) = &c.owners {
            let guest_ids = guests::ensure(&mut *conn, org, &owners.guests, now).await?;
            write_owners(&mut *conn, &c.task_id, &owners.users, &guest_ids, &owners.groups).await?;
            if !at_launch {
                events::owners_added(&mut *conn, org, &c.task_id, added(&c.added), None, now).await?;
            }
            keys.insert(
                "owners".into(),
                json!({"users": owners.users, "guests": owners.guests, "groups": owners.groups}),
            );
        }
        sqlx::query("UPDATE tasks SET last_updated = $2, version = version + 1 WHERE id = $1")
            .bind(&c.task_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        changed.insert(c.task_id.clone(), Value::Object(keys));
    }
    for w in &outcome.webhooks {
        let rule = AutomationRef {
            id: w.rule_id.clone(),
            automated_alias: w.automated_alias.clone(),
            alias_name: w.alias_name.clone(),
        };
        events::automation_webhook(&mut *conn, org, &w.task_id, &w.webhook_url, rule, now).await?;
    }
    let state = serde_json::to_string(&outcome.results).unwrap_or_else(|_| "{}".into());
    sqlx::query("UPDATE runs SET rule_state = $2 WHERE id = $1")
        .bind(run_id)
        .bind(state)
        .execute(&mut *conn)
        .await?;
    if !outcome.changes.is_empty() {
        runs::refresh(&mut *conn, run_id, now).await?;
    }
    Ok(changed)
}
