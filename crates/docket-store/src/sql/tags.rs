//! tags: filled in with the identity API.

#[allow(unused_imports)]
use super::Db;
