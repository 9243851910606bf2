//! The webhook outbox (spec §5.12).

use crate::model::OutboxRow;
use crate::{Store, StoreResult, on_read};

impl Store {
    /// Every webhook event of `org`, oldest first.
    pub async fn outbox_events(&self, org: &str) -> StoreResult<Vec<OutboxRow>> {
        Ok(on_read!(self, outbox::of_org(org))?)
    }
}
