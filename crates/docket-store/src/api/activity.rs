//! The activity feed (spec §4.9) and its numbering.

use crate::model::{ActivityRow, FeedObject, FeedQuery};
use crate::{Store, StoreResult, on_read};

impl Store {
    /// One feed page and the number of entries the filters match.
    pub async fn activity_page(&self, q: &FeedQuery) -> StoreResult<(Vec<ActivityRow>, i64)> {
        // On PostgreSQL the page first numbers the entries committed so far (sql/activity.rs).
        Ok(on_read!(self, activity_feed::page(self.lists(), q))?)
    }

    /// The current `(auditable_type, id, title)` of the objects named by `wanted` that still
    /// exist.
    pub async fn activity_objects(&self, org: &str, wanted: &[(String, String)]) -> StoreResult<Vec<FeedObject>> {
        Ok(on_read!(self, activity_feed::objects(org, wanted))?)
    }
}
