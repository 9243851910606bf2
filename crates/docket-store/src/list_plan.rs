//! How list queries are planned across requests: the two ways of writing a selective filter
//! ([`Shape`]) and what the lists share ([`Lists`]). Outside `src/sql/` so that both compiled
//! copies of the SQL use the same types.

use crate::memo::{Generation, Memo};

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

/// What the list queries share across requests: remembered totals, and the total above which
/// a page walks the sort order.
#[derive(Clone, Copy)]
pub(crate) struct Lists<'a> {
    pub(crate) counts: &'a Memo<i64>,
    pub(crate) generation: &'a Generation,
    pub(crate) drive_max: i64,
}
