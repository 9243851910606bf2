//! docket's pure types and rules: no I/O, no async.
//!
//! The store and the server both build on these: identifiers and token hashing, the timestamp
//! formats of the wire contract, roles, the field-level `ValidationErrors`, and the reading of
//! request bodies with the coercions of spec §1.3.
#![warn(missing_docs)]

pub mod activity;
pub mod actor;
pub mod alias;
pub mod automation;
pub mod email;
pub mod file_value;
pub mod folder;
pub mod form_field;
pub mod ids;
pub mod input;
pub mod launch;
pub mod limits;
pub mod notify;
pub mod page;
pub mod role;
pub mod run;
pub mod schedule;
pub mod step;
pub mod task;
pub mod task_rules;
pub mod template;
pub mod template_field;
pub mod time;
pub mod validation;
pub mod webhook_event;

pub use actor::Actor;
pub use role::{MemberStatus, Role};
pub use validation::ValidationErrors;
