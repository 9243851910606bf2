//! Guests of organizations.

use crate::{Store, StoreResult, on_read};

impl Store {
    /// The id of the guest of `org` with this lower-cased email.
    pub async fn guest_id_by_email(&self, org: &str, email: &str) -> StoreResult<Option<i64>> {
        Ok(on_read!(self, guests::id_by_email(org, email))?)
    }
}
