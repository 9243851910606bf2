//! The API suite: one binary, every test run on SQLite and on PostgreSQL (see `support`).
#![allow(
    clippy::unwrap_used,
    clippy::type_complexity,
    reason = "test bodies are plain functions that `on_both!` calls from its #[test] functions, where failing loudly is the point"
)]

#[macro_use]
mod support;

mod activity;
mod admin_cli;
mod assets;
mod automations;
mod backup;
mod bodies;
mod captures;
mod cli_help;
mod comments;
mod connections;
mod conventions;
mod crash;
mod email;
mod etag;
mod etag_writes;
mod events;
mod fair_share;
mod faults;
mod first_start;
mod folders;
mod fuzz;
mod groups;
mod guests;
mod idempotency;
mod launch;
mod limits;
mod me;
mod memo;
mod observability;
mod openapi;
mod pg_restart;
mod ratelimit;
mod readme;
mod request_bodies;
mod run_lists;
mod runs;
mod scale_out;
mod sdk;
mod search;
mod seed_001;
mod startup;
mod statistics;
mod steps;
mod store_contract;
mod tag_links;
mod tags;
mod task_lists;
mod tasks_archive;
mod tasks_complete;
mod tasks_create;
mod tasks_update;
mod templates;
mod transfer;
mod users;
mod wal;
mod watchers;
mod web;
mod webhooks;
