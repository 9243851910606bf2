//! Organizations.

use crate::model::Organization;
use crate::query::Window;
use crate::{Stale, Store, StoreResult, on_read, on_write};

impl Store {
    /// One organization (remembered between writes that can change it, see `memo.rs`).
    pub async fn organization(&self, id: &str) -> StoreResult<Option<Organization>> {
        if let Some(found) = self.orgs.get(id, &self.identity) {
            return Ok(Some(found));
        }
        let read_at = self.identity.current();
        let found = on_read!(self, orgs::get(id))?;
        if let Some(o) = &found {
            self.orgs.put(id.to_string(), read_at, &self.identity, o.clone());
        }
        Ok(found)
    }

    /// The organizations a user belongs to (not disabled), by name, and their count.
    pub async fn organizations_of_user(&self, user_id: i64, window: Window) -> StoreResult<(Vec<Organization>, i64)> {
        Ok(on_read!(self, orgs::of_user(user_id, window))?)
    }

    /// The organization a user joined first.
    pub async fn first_organization_of_user(&self, user_id: i64) -> StoreResult<Option<String>> {
        Ok(on_read!(self, orgs::first_of_user(user_id))?)
    }

    /// The organization's webhook secret, replaced by `rotate_to` first when given.
    pub async fn webhook_secret(&self, org: &str, rotate_to: Option<&str>) -> StoreResult<Option<String>> {
        Ok(on_write!(self, Stale::Identity, orgs::webhook_secret(org, rotate_to))?)
    }
}

impl Store {
    /// How many organizations exist.
    pub async fn count_organizations(&self) -> StoreResult<i64> {
        Ok(on_read!(self, orgs::count())?)
    }
}
