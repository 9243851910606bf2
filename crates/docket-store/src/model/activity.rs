//! The activity feed (spec §2.6, §4.9, §5.6): who is acting, what a change notes, the rows the
//! feed reads and its query.

/// Who causes the writes of the current request: the server sets it around each authenticated
/// request and each guest's write from their link ([`ACTING`]), so every store write records
/// its actor without passing it through every write's input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acting {
    /// A member (user id).
    Member(i64),
    /// A guest acting from their link (guest id).
    Guest(i64),
}

tokio::task_local! {
    /// Who is acting in the current task (see [`Acting`]); writes outside a request
    /// (start-up, command line) record no actor.
    pub static ACTING: Acting;
}

/// The member acting in the current task, if any.
pub fn acting_user() -> Option<i64> {
    match ACTING.try_with(|a| *a).ok()? {
        Acting::Member(id) => Some(id),
        Acting::Guest(_) => None,
    }
}

/// The guest acting in the current task, if any.
pub fn acting_guest() -> Option<i64> {
    match ACTING.try_with(|a| *a).ok()? {
        Acting::Guest(id) => Some(id),
        Acting::Member(_) => None,
    }
}

/// What an entry says about a change beyond its object and verb: the changed fields with their
/// previous values (`updated`), or a text (a comment's body, an event's name).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Note {
    /// Changed field names.
    pub field: Option<Vec<String>>,
    /// Their previous values, in the order of `field`.
    pub old_value: Option<Vec<serde_json::Value>>,
    /// The text.
    pub text: Option<String>,
    /// `Webhook` when an automation made the change (else `Member`).
    pub by_rule: bool,
}

impl Note {
    /// Nothing beyond the verb.
    pub fn none() -> Self {
        Self::default()
    }

    /// An `updated` of these fields (previous values unknown).
    pub fn fields<S: AsRef<str>>(names: &[S]) -> Self {
        Self {
            field: Some(names.iter().map(|s| s.as_ref().to_string()).collect()),
            ..Self::default()
        }
    }

    /// An `updated` of these fields with their previous values.
    pub fn changed(changes: Vec<(String, serde_json::Value)>) -> Self {
        let (field, old) = changes.into_iter().unzip();
        Self {
            field: Some(field),
            old_value: Some(old),
            ..Self::default()
        }
    }

    /// A text (comment body, event name).
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: Some(text.into()),
            ..Self::default()
        }
    }

    /// Marks the change as made by an automation.
    pub fn by_rule(mut self) -> Self {
        self.by_rule = true;
        self
    }
}

/// One feed entry as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ActivityRow {
    /// Feed position.
    pub id: i64,
    /// Organization.
    pub org_id: String,
    /// §5.6 verb.
    pub verb: String,
    /// `Member`, `Guest` or `Webhook`.
    pub source: String,
    /// The member, if the change had one.
    pub actor_id: Option<i64>,
    /// The guest, if a guest made the change.
    pub actor_guest_id: Option<i64>,
    /// §2.6 `type`.
    #[sqlx(rename = "type")]
    pub kind: String,
    /// `auditable_type`.
    pub auditable_type: String,
    /// `auditable_id`.
    pub auditable_id: String,
    /// `parentable_type`.
    pub parentable_type: Option<String>,
    /// `parentable_id`.
    pub parentable_id: Option<String>,
    /// The sentence.
    pub description: String,
    /// The object's title when the entry was written.
    pub title: String,
    /// Changed fields (JSON array text).
    pub field: Option<String>,
    /// Previous values (JSON array text).
    pub old_value: Option<String>,
    /// Comment body or event name.
    pub body: Option<String>,
    /// When (ms).
    pub created_at: i64,
}

/// The order of a feed page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FeedSort {
    /// Newest first (ties by id).
    #[default]
    CreatedDesc,
    /// Oldest first.
    CreatedAsc,
    /// Ascending id.
    IdAsc,
    /// Descending id.
    IdDesc,
}

/// AF1's filters, read and checked by the server.
#[derive(Debug, Clone, Default)]
pub struct FeedQuery {
    /// Organization.
    pub org: String,
    /// `None` for admins (everything); else the member whose visibility applies.
    pub viewer: Option<i64>,
    /// `entity_type` (one of `docket_domain::activity::ENTITY_TYPES`) and `entity_id`.
    pub entity: Option<(String, String)>,
    /// `type` values (empty: any).
    pub types: Vec<String>,
    /// Verbs (empty: any).
    pub verbs: Vec<String>,
    /// Only this actor.
    pub actor_id: Option<i64>,
    /// Only entries made by guests (`Some(true)`) or not by guests (`Some(false)`).
    pub guest_actor: Option<bool>,
    /// Only this source.
    pub source: Option<String>,
    /// `created_at >=` (ms).
    pub created_min: Option<i64>,
    /// `created_at <` (ms).
    pub created_max: Option<i64>,
    /// Lower-cased LIKE pattern on the description.
    pub search: Option<String>,
    /// Entries whose `field` has this name.
    pub field: Option<String>,
    /// A filter that matches nothing was given.
    pub nothing: bool,
    /// Order (ignored with `after`).
    pub sort: FeedSort,
    /// Cursor: only ids above it, ascending.
    pub after: Option<i64>,
    /// Rows skipped.
    pub offset: i64,
    /// Rows wanted.
    pub limit: i64,
}

/// What a member may not see of an organization's feed: its top-secret tasks they are not
/// assigned to (directly or through a group), and the entries about them.
#[derive(Debug, Clone, Default)]
pub struct HiddenEntries {
    /// How many tasks are hidden.
    pub tasks: usize,
    /// Their ids as a JSON array, bound as one parameter.
    pub tasks_json: String,
    /// The entries about them, by id ascending; `None` when there are too many to keep.
    pub entries: Option<Vec<HiddenEntry>>,
    /// The `(source, type, verb)` kinds of those entries ([`HiddenEntry::kind`] indexes it).
    pub kinds: Vec<(String, String, String)>,
}

/// One entry hidden from a member: what the feed's tallied filters compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HiddenEntry {
    /// The entry's id (its place in the feed).
    pub id: i64,
    /// When it was made (ms).
    pub created_at: i64,
    /// The member who acted; -1 for no member.
    pub actor: i64,
    /// Whether a guest acted.
    pub guest: bool,
    /// Index into [`HiddenEntries::kinds`].
    pub kind: u16,
}

/// The current state of an object an entry names: `(auditable_type, id, title)`.
pub type FeedObject = (String, String, String);
