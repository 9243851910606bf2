//! The public methods of [`crate::Store`], one file per aggregate. Each dispatches to the
//! backend's compiled copy of `src/sql/<aggregate>.rs`.

pub(crate) mod activity;
mod archive;
mod assets;
mod auth;
mod automations;
mod deliveries;
mod demo;
mod email;
mod folders;
mod groups;
mod guests;
mod idempotency;
mod launch;
mod lifecycle;
mod orgs;
mod outbox;
mod provision;
mod rate_limit;
mod run_list;
mod search;
mod sessions;
mod signin_links;
mod steps;
mod tags;
mod task_list;
mod tasks;
mod templates;
mod threads;
mod users;
mod watchers;
