//! The API suite: one binary, every test run on SQLite and on PostgreSQL (see `support`).

#[macro_use]
mod support;

mod admin_cli;
mod conventions;
mod groups;
mod guests;
mod me;
mod sdk;
mod seed_001;
mod startup;
mod tags;
mod tasks_create;
mod users;
