//! The tags a list's `tag` names, resolved once per list: their ids, the kept counts of the one
//! tag (`tag_task_counts`, migration 0031) and the test of a row for them.

use sqlx::Pool;

use super::Db;
use super::tags::title_key;
use super::task_fragments::tagged_sql;
use super::task_totals::{Cell, Key, subset_counts, universe};
use super::where_clause::{Arg, Shape, Where, bind_args};

/// The tags a list's `tag` names (by id, or by title ignoring case), resolved once per list.
pub(super) struct TagSet {
    /// Their ids: none when no tag has that id or title; two when one tag has it as its id
    /// and another as its title.
    pub(super) ids: Vec<String>,
    /// The kept counts of the one tag, if there is one.
    pub(super) cells: Option<Vec<Cell>>,
    /// The tag's set is small enough (at most `drive_max` tasks) to start a read from: a
    /// larger one is tested row by row (see `task_list.rs::where_clause`).
    pub(super) starts: bool,
    /// Whether any of them is on a task, and on a run: a test of a kind of link none of
    /// them has is left out.
    pub(super) on_tasks: bool,
    pub(super) on_runs: bool,
}

impl TagSet {
    /// `today` is the UTC day of the request's clock (see [`subset_counts`]).
    pub(super) async fn of(
        pool: &Pool<Db>,
        org: &str,
        tag: &str,
        today: i64,
        drive_max: i64,
    ) -> Result<TagSet, sqlx::Error> {
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT id FROM tags WHERE org_id = $1 AND (id = $2 OR title_key = $3)")
                .bind(org)
                .bind(tag)
                .bind(title_key(tag))
                .fetch_all(pool)
                .await?;
        let cells = match ids.as_slice() {
            [one] => Some(subset_counts(pool, org, Key::Tag(one), today).await?),
            _ => None,
        };
        let starts = cells.as_deref().is_none_or(|c| universe(c) <= drive_max);
        let mut set = TagSet {
            ids,
            cells,
            starts,
            on_tasks: false,
            on_runs: false,
        };
        let mut w = Where::default();
        if let Some(ids) = set.bind(&mut w) {
            let sql = format!(
                "SELECT EXISTS (SELECT 1 FROM tag_links l WHERE l.tag_id IN ({ids}) AND l.subject_type = 'Task'),
                        EXISTS (SELECT 1 FROM tag_links l WHERE l.tag_id IN ({ids}) AND l.subject_type = 'Run')"
            );
            (set.on_tasks, set.on_runs) = bind_args!(sqlx::query_as::<_, (bool, bool)>(&sql), &w.args)
                .fetch_one(pool)
                .await?;
        }
        Ok(set)
    }

    /// The tag test of a row in `shape`, its ids bound into `w`.
    pub(super) fn sql(&self, w: &mut Where, shape: Shape) -> String {
        match self.bind(w) {
            Some(ids) => tagged_sql(&ids, shape, self.on_tasks, self.on_runs),
            None => "1 = 0".into(),
        }
    }

    /// Binds the ids into `w`; their placeholder list, or `None` for no tag.
    pub(super) fn bind(&self, w: &mut Where) -> Option<String> {
        (!self.ids.is_empty()).then(|| w.bind_all(self.ids.iter().map(|id| Arg::Text(id.clone()))))
    }
}
