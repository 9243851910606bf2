//! Organization webhook watchers (spec §4.10).

use std::sync::Arc;

use crate::model::{NewWatcher, WatcherRow, WatcherTarget};
use crate::{Stale, Store, StoreResult, on_read, on_write};

impl Store {
    /// The watchers of `org`, oldest first.
    pub async fn watchers(&self, org: &str) -> StoreResult<Vec<WatcherRow>> {
        Ok(on_read!(self, watchers::list(org))?)
    }

    /// Subscribes a URL; `false` when that URL was already subscribed (the existing watcher).
    pub async fn add_watcher(&self, w: &NewWatcher) -> StoreResult<(WatcherRow, bool)> {
        let added = on_write!(self, Stale::Data, watchers::add(w));
        self.watching.bump();
        Ok(added?)
    }

    /// Removes a watcher; whether it existed.
    pub async fn remove_watcher(&self, org: &str, id: i64) -> StoreResult<bool> {
        let removed = on_write!(self, Stale::Data, watchers::remove(org, id));
        self.watching.bump();
        Ok(removed?)
    }

    /// The watchers of `org` as event targets, for the writes on the hot path (launches,
    /// creates), which must not read the watchers table each time: remembered until the next
    /// watcher write through this store, and for at most the identity cache's time to live
    /// (`DOCKET_CACHE_MS`: a watcher added on another node reaches this node's launches at most
    /// that much later). Other events read the watchers in their own transaction.
    pub(crate) async fn watcher_targets(&self, org: &str) -> StoreResult<Arc<Vec<WatcherTarget>>> {
        if let Some(found) = self.watchers.get(org, &self.watching) {
            return Ok(found);
        }
        let read_at = self.watching.current();
        let found = Arc::new(on_read!(self, watchers::targets_of(org))?);
        self.watchers
            .put(org.to_string(), read_at, &self.watching, found.clone());
        Ok(found)
    }
}
