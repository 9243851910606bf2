//! Guests of organizations (GU1–GU8).

use crate::model::{Guest, GuestPatch, GuestRefusal, GuestStatusChange, GuestTaskStats, NewGuest};
use crate::query::GuestQuery;
use crate::{Stale, Store, StoreResult, on_read, on_write};

impl Store {
    /// The id of the guest of `org` with this lower-cased email.
    pub async fn guest_id_by_email(&self, org: &str, email: &str) -> StoreResult<Option<i64>> {
        Ok(on_read!(self, guests::id_by_email(org, email))?)
    }

    /// The guest of `org` addressed by a path key: email (any case), `guest_code` or integer id.
    pub async fn find_guest(&self, org: &str, key: &str) -> StoreResult<Option<Guest>> {
        Ok(on_read!(self, guests::find(org, key))?)
    }

    /// The guests of `org` among `ids` (the activity feed's guest actors, comments' authors).
    pub async fn guests_by_ids(&self, org: &str, ids: &[i64]) -> StoreResult<Vec<Guest>> {
        Ok(on_read!(self, guests::by_ids(org, ids))?)
    }

    /// A page of guests and the number of matches.
    pub async fn guests(&self, org: &str, q: &GuestQuery) -> StoreResult<(Vec<Guest>, i64)> {
        Ok(on_read!(self, guests::list(org, q))?)
    }

    /// Creates a guest (GU3); `Conflict` if the email is already a guest of `org`.
    pub async fn create_guest(&self, org: &str, new: &NewGuest) -> StoreResult<Guest> {
        on_write!(self, Stale::Data, guests::create(org, new))
    }

    /// Applies a partial change to a guest (GU5).
    pub async fn update_guest(&self, org: &str, id: i64, patch: &GuestPatch) -> StoreResult<Guest> {
        on_write!(self, Stale::Data, guests::update(org, id, patch))
    }

    /// Disables or re-enables a guest (GU7, GU8); disabling is refused while the guest is a
    /// direct assignee of an incomplete, non-archived task.
    pub async fn set_guest_status(
        &self,
        org: &str,
        id: i64,
        change: GuestStatusChange,
        now: i64,
    ) -> StoreResult<Result<Guest, GuestRefusal>> {
        on_write!(self, Stale::Data, guests::set_status(org, id, change, now))
    }

    /// Task counts of these guests over the non-archived tasks of `org` they are direct
    /// assignees of (`with=stats`); guests without tasks have no entry.
    pub async fn guest_task_stats(&self, org: &str, ids: &[i64]) -> StoreResult<Vec<GuestTaskStats>> {
        Ok(on_read!(self, guests::task_stats(org, ids))?)
    }

    /// Removes a guest from its groups, its tasks and `org` (GU6); returns it as it was.
    pub async fn remove_guest(&self, org: &str, id: i64, now: i64) -> StoreResult<Guest> {
        on_write!(self, Stale::Data, guests::remove(org, id, now))
    }
}
