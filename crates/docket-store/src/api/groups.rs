//! Groups of members and guests (GR1–GR5).

use crate::model::{Group, GroupPatch, NewGroup};
use crate::query::GroupQuery;
use crate::{Stale, Store, StoreResult, on_read, on_write};

impl Store {
    /// Group `id` of `org`.
    pub async fn group(&self, org: &str, id: &str) -> StoreResult<Option<Group>> {
        Ok(on_read!(self, groups::get(org, id))?)
    }

    /// A page of groups and the number of matches.
    pub async fn groups(&self, org: &str, q: &GroupQuery) -> StoreResult<(Vec<Group>, i64)> {
        Ok(on_read!(self, groups::list(org, q))?)
    }

    /// Every group of `org` with any of `member_ids` as a member, by name.
    pub async fn groups_of_members(&self, org: &str, member_ids: &[i64]) -> StoreResult<Vec<Group>> {
        Ok(on_read!(self, groups::of_members(org, member_ids))?)
    }

    /// Whether a group of `org` other than `except` has this name, ignoring case.
    pub async fn group_name_taken(&self, org: &str, name: &str, except: Option<&str>) -> StoreResult<bool> {
        Ok(on_read!(self, groups::name_taken(org, name, except))?)
    }

    /// Creates a group with its members and guests (GR2); `Conflict` if the name is taken.
    pub async fn create_group(&self, org: &str, new: &NewGroup) -> StoreResult<Group> {
        on_write!(self, Stale::Data, groups::create(org, new))
    }

    /// Applies a partial change to a group (GR4); `Conflict` if the new name is taken.
    pub async fn update_group(&self, org: &str, id: &str, patch: &GroupPatch) -> StoreResult<Group> {
        on_write!(self, Stale::Data, groups::update(org, id, patch))
    }

    /// Deletes a group (GR5).
    pub async fn delete_group(&self, org: &str, id: &str) -> StoreResult<()> {
        on_write!(self, Stale::Data, groups::delete(org, id))
    }
}
