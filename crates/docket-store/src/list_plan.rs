//! How list queries are planned across requests: the two ways of writing a selective filter
//! ([`Shape`]) and what the lists share ([`Lists`]). Outside `src/sql/` so that both compiled
//! copies of the SQL use the same types.

use std::sync::Arc;

use crate::memo::{Flights, Generation, Memo};

/// How a list's selective filters (assignees, text) are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// As `t.id IN (…)` sets the database starts from: the cheap way to count, and to read a
    /// page out of few matches.
    Drive,
    /// As checks on each row of a walk in sort order, which stops after one page: the cheap
    /// way to read a page out of many matches.
    Walk,
}

/// What the list queries share across requests: remembered totals (each counted by one caller
/// at a time), and the total above which
/// a page walks the sort order.
/// Shared (not borrowed), so that a total past its time to live can be counted afresh in the
/// background.
#[derive(Clone)]
pub(crate) struct Lists {
    pub(crate) counts: Arc<Memo<i64>>,
    /// Counts in progress, so that one count runs per key at a time.
    pub(crate) counting: Arc<Flights>,
    pub(crate) generation: Arc<Generation>,
    pub(crate) drive_max: i64,
}
