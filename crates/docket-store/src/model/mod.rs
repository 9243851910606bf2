//! Records the store reads and writes: rows shaped for the API layer to render, and the inputs
//! of multi-row writes, one file per aggregate. Everything is re-exported here.

mod automations;
mod deliveries;
mod demo;
mod events;
mod idempotency;
mod identity;
mod launch;
mod lifecycle;
mod rate_limit;
mod tasks;
mod threads;

pub use automations::*;
pub use deliveries::*;
pub use demo::*;
pub use events::*;
pub use idempotency::*;
pub use identity::*;
pub use launch::*;
pub use lifecycle::*;
pub use rate_limit::*;
pub use tasks::*;
pub use threads::*;
