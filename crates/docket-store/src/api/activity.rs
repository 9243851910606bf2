//! The activity feed (spec §4.9) and its numbering.

use std::sync::Arc;

use crate::memo::Lookup;
use crate::model::{ActivityRow, FeedObject, FeedQuery, HiddenEntries};
use crate::{Store, StoreResult, on_read};

/// Members whose hidden feed entries are remembered at once (each set holds up to
/// `activity_hidden::ENTRIES_KEPT` ids).
pub(crate) const HIDDEN_KEPT: usize = 64;

impl Store {
    /// One feed page and the number of entries the filters match.
    pub async fn activity_page(&self, q: &FeedQuery) -> StoreResult<(Vec<ActivityRow>, i64)> {
        let hidden = match q.viewer {
            Some(viewer) => Some(self.hidden_entries(&q.org, viewer).await?),
            None => None,
        };
        // On PostgreSQL the page first numbers the entries committed so far (sql/activity.rs).
        Ok(on_read!(self, activity_feed::page(self.lists(), q, hidden.as_deref()))?)
    }

    /// The current `(auditable_type, id, title)` of the objects named by `wanted` that still
    /// exist.
    pub async fn activity_objects(&self, org: &str, wanted: &[(String, String)]) -> StoreResult<Vec<FeedObject>> {
        Ok(on_read!(self, activity_feed::objects(org, wanted))?)
    }

    /// What member `viewer` may not see of `org`'s feed, remembered while no write goes through
    /// this store, and for the count cache's time to live (writes by other processes). Past
    /// that, the old set answers while it is checked in the background: a set read since the
    /// last commit ([`Store::data_version`]) holds again; else it is read afresh, as a
    /// remembered list total is (`memo.rs`). Reading one costs about 11 ms at a million
    /// entries on SQLite and 23-40 ms on PostgreSQL: re-reading every member's set every two
    /// seconds while nothing changed took a core away from the requests of a read-only feed
    /// often enough to show in their p99.
    async fn hidden_entries(&self, org: &str, viewer: i64) -> StoreResult<Arc<HiddenEntries>> {
        let key = format!("{org}\u{1}{viewer}");
        match self.hidden.lookup(&key, &self.generation) {
            Lookup::Valid(kept) => Ok(kept.entries),
            Lookup::Refresh(kept) => {
                let (store, org, entries) = (self.clone(), org.to_string(), kept.entries.clone());
                tokio::spawn(async move {
                    let read_at = store.generation.current();
                    let version = store.data_version().await;
                    if version.is_some() && version == kept.version {
                        store.hidden.put(key, read_at, &store.generation, kept);
                    } else {
                        let _ = store.read_hidden_entries(key, &org, viewer, version).await;
                    }
                });
                Ok(entries)
            }
            Lookup::Missing => self.read_hidden_entries(key, org, viewer, None).await,
        }
    }

    /// Reads `viewer`'s set and remembers it; `version`: the [`Store::data_version`] read before
    /// (`None` when a request waits for it: the checkpointer's connection may be busy with a
    /// checkpoint, so only the background refresh asks).
    async fn read_hidden_entries(
        &self,
        key: String,
        org: &str,
        viewer: i64,
        version: Option<String>,
    ) -> StoreResult<Arc<HiddenEntries>> {
        let read_at = self.generation.current();
        let entries = Arc::new(on_read!(self, activity_hidden::read(org, viewer))?);
        let kept = KeptHidden {
            entries: entries.clone(),
            version,
        };
        self.hidden.put(key, read_at, &self.generation, kept);
        Ok(entries)
    }
}

/// A member's hidden entries as remembered, with the [`Store::data_version`] read before them.
#[derive(Clone)]
pub(crate) struct KeptHidden {
    entries: Arc<HiddenEntries>,
    version: Option<String>,
}
