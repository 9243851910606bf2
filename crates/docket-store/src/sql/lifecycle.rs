//! lifecycle: filled in with the tasks issue.

#[allow(unused_imports)]
use super::Db;
