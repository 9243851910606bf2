//! The SQL of `src/sql/` compiled for SQLite.

/// The database type every query here is checked against.
pub(crate) type Db = sqlx::Sqlite;
/// Whether this is the PostgreSQL build (for the few statements whose dialects differ).
#[allow(dead_code)]
pub(crate) const IS_PG: bool = false;

#[path = "sql/activity.rs"]
pub(crate) mod activity;
#[path = "sql/archive.rs"]
pub(crate) mod archive;
#[path = "sql/assets.rs"]
pub(crate) mod assets;
#[path = "sql/auth.rs"]
pub(crate) mod auth;
#[path = "sql/automations.rs"]
pub(crate) mod automations;
#[path = "sql/counters.rs"]
pub(crate) mod counters;
#[path = "sql/deliveries.rs"]
pub(crate) mod deliveries;
#[path = "sql/demo.rs"]
pub(crate) mod demo;
#[path = "sql/folders.rs"]
pub(crate) mod folders;
#[path = "sql/groups.rs"]
pub(crate) mod groups;
#[path = "sql/guests.rs"]
pub(crate) mod guests;
#[path = "sql/idempotency.rs"]
pub(crate) mod idempotency;
#[path = "sql/kickoff_fields.rs"]
pub(crate) mod kickoff_fields;
#[path = "sql/launch.rs"]
pub(crate) mod launch;
#[path = "sql/lifecycle.rs"]
pub(crate) mod lifecycle;
#[path = "sql/orgs.rs"]
pub(crate) mod orgs;
#[path = "sql/outbox.rs"]
pub(crate) mod outbox;
#[path = "sql/provision.rs"]
pub(crate) mod provision;
#[path = "sql/rule_pass.rs"]
pub(crate) mod rule_pass;
#[path = "sql/rule_refs.rs"]
pub(crate) mod rule_refs;
#[path = "sql/run_list.rs"]
pub(crate) mod run_list;
#[path = "sql/runs.rs"]
pub(crate) mod runs;
#[path = "sql/search.rs"]
pub(crate) mod search;
#[path = "sql/sessions.rs"]
pub(crate) mod sessions;
#[path = "sql/step_captures.rs"]
pub(crate) mod step_captures;
#[path = "sql/steps.rs"]
pub(crate) mod steps;
#[path = "sql/tag_links.rs"]
pub(crate) mod tag_links;
#[path = "sql/tags.rs"]
pub(crate) mod tags;
#[path = "sql/task_create.rs"]
pub(crate) mod task_create;
#[path = "sql/task_list.rs"]
pub(crate) mod task_list;
#[path = "sql/tasks.rs"]
pub(crate) mod tasks;
#[path = "sql/template_clone.rs"]
pub(crate) mod template_clone;
#[path = "sql/template_fields.rs"]
pub(crate) mod template_fields;
#[path = "sql/template_steps.rs"]
pub(crate) mod template_steps;
#[path = "sql/templates.rs"]
pub(crate) mod templates;
#[path = "sql/threads.rs"]
pub(crate) mod threads;
#[path = "sql/transfer.rs"]
pub(crate) mod transfer;
#[path = "sql/users.rs"]
pub(crate) mod users;
#[path = "sql/watchers.rs"]
pub(crate) mod watchers;
#[path = "sql/where_clause.rs"]
pub(crate) mod where_clause;
