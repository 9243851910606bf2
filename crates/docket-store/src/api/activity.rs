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
    /// that, the old set answers while it is read afresh in the background, as a remembered
    /// list total does (`memo.rs`).
    async fn hidden_entries(&self, org: &str, viewer: i64) -> StoreResult<Arc<HiddenEntries>> {
        let key = format!("{org}\u{1}{viewer}");
        match self.hidden.lookup(&key, &self.generation) {
            Lookup::Valid(hidden) => Ok(hidden),
            Lookup::Refresh(hidden) => {
                let (store, org) = (self.clone(), org.to_string());
                tokio::spawn(async move {
                    let _ = store.read_hidden_entries(key, &org, viewer).await;
                });
                Ok(hidden)
            }
            Lookup::Missing => self.read_hidden_entries(key, org, viewer).await,
        }
    }

    async fn read_hidden_entries(&self, key: String, org: &str, viewer: i64) -> StoreResult<Arc<HiddenEntries>> {
        let read_at = self.generation.current();
        let hidden = Arc::new(on_read!(self, activity_hidden::read(org, viewer))?);
        self.hidden.put(key, read_at, &self.generation, hidden.clone());
        Ok(hidden)
    }
}
