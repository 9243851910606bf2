//! outbox.

#[allow(unused_imports)]
use crate::Store;
