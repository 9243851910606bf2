//! Records the store reads and writes: rows shaped for the API layer to render, and the inputs
//! of multi-row writes, one file per aggregate. Everything is re-exported here.

mod idempotency;
mod demo;
mod identity;
mod lifecycle;
mod tasks;
mod threads;

pub use idempotency::*;
pub use demo::*;
pub use identity::*;
pub use lifecycle::*;
pub use tasks::*;
pub use threads::*;
