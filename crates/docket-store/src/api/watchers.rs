//! Organization webhook watchers (spec §4.10).

use crate::model::{NewWatcher, WatcherRow};
use crate::{Stale, Store, StoreResult, on_read, on_write};

impl Store {
    /// The watchers of `org`, oldest first.
    pub async fn watchers(&self, org: &str) -> StoreResult<Vec<WatcherRow>> {
        Ok(on_read!(self, watchers::list(org))?)
    }

    /// Subscribes a URL; `false` when that URL was already subscribed (the existing watcher).
    pub async fn add_watcher(&self, w: &NewWatcher) -> StoreResult<(WatcherRow, bool)> {
        Ok(on_write!(self, Stale::Data, watchers::add(w))?)
    }

    /// Removes a watcher; whether it existed.
    pub async fn remove_watcher(&self, org: &str, id: i64) -> StoreResult<bool> {
        Ok(on_write!(self, Stale::Data, watchers::remove(org, id))?)
    }
}
