//! Records the store reads and writes: rows shaped for the API layer to render, and the inputs
//! of multi-row writes, one file per aggregate. Everything is re-exported here.

mod activity;
mod assets;
mod automations;
mod deliveries;
mod demo;
mod email;
mod events;
mod folders;
mod idempotency;
mod identity;
mod launch;
mod lifecycle;
mod rate_limit;
mod sessions;
mod steps;
mod tasks;
mod template_fields;
mod templates;
mod threads;
mod watchers;

pub use activity::*;
pub use assets::*;
pub use automations::*;
pub use deliveries::*;
pub use demo::*;
pub use email::*;
pub use events::*;
pub use folders::*;
pub use idempotency::*;
pub use identity::*;
pub use launch::*;
pub use lifecycle::*;
pub use rate_limit::*;
pub use sessions::*;
pub use steps::*;
pub use tasks::*;
pub use template_fields::*;
pub use templates::*;
pub use threads::*;
pub use watchers::*;
