//! The public methods of [`crate::Store`], one file per aggregate. Each dispatches to the
//! backend's compiled copy of `src/sql/<aggregate>.rs`.

mod auth;
mod groups;
mod guests;
mod orgs;
mod provision;
mod tags;
mod tasks;
mod threads;
mod users;
