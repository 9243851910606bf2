//! Organization webhook watchers (spec §2.7).

/// A watcher as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WatcherRow {
    /// Id.
    pub id: i64,
    /// Organization.
    pub org_id: String,
    /// The member it was added for.
    pub user_id: i64,
    /// Always `organization`.
    pub object_type: String,
    /// The organization id.
    pub object_id: String,
    /// Always `webhook`.
    pub notification_type: String,
    /// Always `electric`.
    pub frequency: String,
    /// The URL.
    pub webhook: String,
    /// The event types it receives, a JSON array of names (empty: every event).
    pub events: String,
    /// When (ms).
    pub created_at: i64,
}

impl WatcherRow {
    /// The event types it receives (empty: every event).
    pub fn event_types(&self) -> Vec<String> {
        serde_json::from_str(&self.events).unwrap_or_default()
    }
}

/// A subscription to add.
#[derive(Debug, Clone)]
pub struct NewWatcher {
    /// Organization.
    pub org_id: String,
    /// The member (`{user_id}` of W2).
    pub user_id: i64,
    /// An absolute http(s) URL.
    pub webhook: String,
    /// The event types it receives (known names; empty: every event).
    pub event_types: Vec<String>,
    /// When (ms).
    pub now: i64,
}
