//! Exact totals of the organization's lists filtered by a deadline window, or by a status that
//! reads the clock (`overdue`, `due_soon`), from the organization's `task_day_counts`
//! (migration 0033): the window's whole days summed, its parts of a day counted.

use sqlx::Pool;

use super::task_fragments::condition_sql;
use super::task_totals::{Cell, DAY, archived_ok, cell_matches, deltas, fold, push_archived, started_ahead};
use super::where_clause::{Arg, Where, count_where};
use super::{Db, IS_PG};
use crate::query::{TaskCondition, TaskQuery};

/// A range of deadlines, `[from, to)` in ms, each end open when `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Days {
    pub(super) from: Option<i64>,
    pub(super) to: Option<i64>,
}

impl Days {
    pub(super) const ALL: Days = Days { from: None, to: None };

    /// The deadline column `deadline` (`t.deadline`, or `+t.deadline` to keep the deadline
    /// index out on SQLite) within the range, bound into `w`.
    pub(super) fn push(self, w: &mut Where, deadline: &str) {
        if let Some(from) = self.from {
            let p = w.bind(Arg::Int(from));
            w.push(format!("{deadline} >= {p}"));
        }
        if let Some(to) = self.to {
            let p = w.bind(Arg::Int(to));
            w.push(format!("{deadline} < {p}"));
        }
    }

    fn is_empty(self) -> bool {
        matches!((self.from, self.to), (Some(f), Some(t)) if f >= t)
    }
}

/// How a deadline range splits for [`window_total`]: the whole UTC days `[first, end)` (each
/// bound `None` when the range is open on that side), read from the day counts, and the parts
/// of a day at either end, counted.
#[derive(Debug, PartialEq, Eq)]
struct Split {
    first: Option<i64>,
    end: Option<i64>,
    /// `[from, first day)`, when the range starts inside a day.
    head: Option<Days>,
    /// `[end day, to)`, when the range ends inside a day.
    tail: Option<Days>,
}

/// The whole days of `range` and its parts of a day, or `None` when the day counts cannot answer
/// it: no whole day in it, or a bound before 1970-01-02 (the counts' `due_day` is SQL's integer
/// division, which rounds toward zero: day 0 also holds the last day of 1969).
fn split(range: Days) -> Option<Split> {
    let first = range
        .from
        .map(|f| f.div_euclid(DAY) + i64::from(f.rem_euclid(DAY) != 0));
    let end = range.to.map(|t| t.div_euclid(DAY));
    if first.is_some_and(|f| f < 1) || end.is_some_and(|e| e < 1) {
        return None;
    }
    if let (Some(f), Some(e)) = (first, end)
        && f >= e
    {
        return None;
    }
    let head = range
        .from
        .zip(first)
        .filter(|(from, first)| *from < first * DAY)
        .map(|(from, first)| Days {
            from: Some(from),
            to: Some(first * DAY),
        });
    let tail = range
        .to
        .zip(end)
        .filter(|(to, end)| end * DAY < *to)
        .map(|(to, end)| Days {
            from: Some(end * DAY),
            to: Some(to),
        });
    Some(Split { first, end, head, tail })
}

/// The exact total of an organization's list filtered by status, archived state and a deadline
/// window, from `task_day_counts` (migration 0033): the window's whole days summed, the parts
/// of a day at its ends counted through the deadline index (of a part longer than half a day,
/// the rest of its day is counted and taken from the day's cells). `overdue` is the window
/// before the clock, `due_soon` the window of the next 24 hours, both of incomplete tasks; so
/// `status=overdue` without a window is the days before today plus today's part. `None` for a
/// list the counts cannot answer (it is counted).
pub(super) async fn window_total(pool: &Pool<Db>, org: &str, q: &TaskQuery) -> Result<Option<i64>, sqlx::Error> {
    let mut range = Days {
        from: q.deadline_min,
        to: q.deadline_max.map(|m| m.saturating_add(1)),
    };
    let conditions = match q.conditions.as_slice() {
        [TaskCondition::Overdue] => {
            range.to = Some(range.to.map_or(q.now, |t| t.min(q.now)));
            vec![TaskCondition::Incomplete]
        }
        [TaskCondition::DueSoon] => {
            range.from = Some(range.from.map_or(q.now, |f| f.max(q.now)));
            let soon = q.now.saturating_add(DAY);
            range.to = Some(range.to.map_or(soon, |t| t.min(soon)));
            vec![TaskCondition::Incomplete]
        }
        c if c.iter().any(|k| cell_matches(*k, "", false).is_none()) => return Ok(None),
        c if c.contains(&TaskCondition::Active) && c.len() > 1 => return Ok(None),
        c => c.to_vec(),
    };
    if range.is_empty() {
        return Ok(Some(0));
    }
    let Some(split) = split(range) else {
        return Ok(None);
    };
    let cells = day_counts(pool, org, split.first.map(|f| f - 1), split.end.map(|e| e + 1)).await?;
    let matches = |c: &&Cell| {
        archived_ok(q, c.archived)
            && (conditions.is_empty()
                || conditions
                    .iter()
                    .any(|k| cell_matches(*k, &c.status, c.problem) == Some(true)))
    };
    let sum = |from: Option<i64>, end: Option<i64>| -> i64 {
        cells
            .iter()
            .filter(matches)
            .filter(|c| from.is_none_or(|f| c.due_day >= f) && end.is_none_or(|e| c.due_day < e))
            .map(|c| c.n)
            .sum()
    };
    let whole = Days {
        from: split.first.map(|f| f * DAY),
        to: split.end.map(|e| e * DAY),
    };
    let mut total = sum(split.first, split.end) - started_ahead(pool, org, q, None, whole).await?;
    // Cells answer a whole day of `conditions` exactly unless `active` (a hard start ahead).
    let exact = !conditions.contains(&TaskCondition::Active);
    for part in [split.head, split.tail].into_iter().flatten() {
        let (from, to) = (part.from.unwrap_or_default(), part.to.unwrap_or_default());
        let day = from.div_euclid(DAY);
        total += if exact && to - from > DAY / 2 {
            let rest = [
                Days {
                    from: Some(day * DAY),
                    to: Some(from),
                },
                Days {
                    from: Some(to),
                    to: Some((day + 1) * DAY),
                },
            ];
            let mut n = sum(Some(day), Some(day + 1));
            for r in rest.into_iter().filter(|r| !r.is_empty()) {
                n -= count_between(pool, org, q, &conditions, r).await?;
            }
            n
        } else {
            count_between(pool, org, q, &conditions, part).await?
        };
    }
    Ok(Some(total))
}

/// The organization's tasks with a deadline in `days`, in `q`'s archived state, that meet any
/// of `conditions` (none of them `overdue` or `due_soon`): a range of the deadline index, which
/// carries the status columns.
async fn count_between(
    pool: &Pool<Db>,
    org: &str,
    q: &TaskQuery,
    conditions: &[TaskCondition],
    days: Days,
) -> Result<i64, sqlx::Error> {
    let mut w = Where::default();
    let o = w.bind(Arg::Text(org.to_string()));
    w.push(format!("t.org_id = {o}"));
    days.push(&mut w, "t.deadline");
    if !conditions.is_empty() {
        let now = w.bind(Arg::Now(q.now));
        let any: Vec<String> = conditions
            .iter()
            .map(|c| condition_sql(*c, &now, &now, "t.deadline"))
            .collect();
        w.push(format!("({})", any.join(" OR ")));
    }
    push_archived(&mut w, q);
    count_where(pool, "tasks t", &w).await
}

/// The organization's day counts (migration 0033) of the days `[from, end)` (open where `None`),
/// one per cell.
async fn day_counts(pool: &Pool<Db>, org: &str, from: Option<i64>, end: Option<i64>) -> Result<Vec<Cell>, sqlx::Error> {
    let rows: Vec<(i64, String, bool, bool, i64, i64)> = sqlx::query_as(
        "SELECT due_day, status, problem, archived, CAST(SUM(n) AS BIGINT), COUNT(*) FROM task_day_counts
          WHERE org_id = $1 AND due_day >= $2 AND due_day < $3 GROUP BY 1, 2, 3, 4",
    )
    .bind(org)
    .bind(from.unwrap_or(i64::MIN))
    .bind(end.unwrap_or(i64::MAX))
    .fetch_all(pool)
    .await?;
    if IS_PG && deltas(rows.iter().map(|r| r.5 - 1)) {
        fold(
            pool,
            "WITH gone AS (DELETE FROM task_day_counts WHERE org_id = $1
                           RETURNING due_day, status, problem, archived, n)
             INSERT INTO task_day_counts (org_id, due_day, status, problem, archived, n)
             SELECT $1, due_day, status, problem, archived, SUM(n) FROM gone
              GROUP BY due_day, status, problem, archived HAVING SUM(n) <> 0",
            vec![org.to_string()],
        );
    }
    Ok(rows
        .into_iter()
        .map(|(due_day, status, problem, archived, n, _)| Cell {
            status,
            problem,
            archived,
            due_day,
            n,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::{DAY, Days, Split, split};

    fn days(from: Option<i64>, to: Option<i64>) -> Days {
        Days { from, to }
    }

    #[test]
    fn a_window_of_whole_days_has_no_parts() {
        let s = split(days(Some(20_000 * DAY), Some(20_014 * DAY))).unwrap();
        assert_eq!(
            s,
            Split {
                first: Some(20_000),
                end: Some(20_014),
                head: None,
                tail: None
            }
        );
    }

    #[test]
    fn parts_of_a_day_at_either_end_are_split_off() {
        let s = split(days(Some(20_000 * DAY + 5), Some(20_014 * DAY + 7))).unwrap();
        assert_eq!((s.first, s.end), (Some(20_001), Some(20_014)));
        assert_eq!(s.head, Some(days(Some(20_000 * DAY + 5), Some(20_001 * DAY))));
        assert_eq!(s.tail, Some(days(Some(20_014 * DAY), Some(20_014 * DAY + 7))));
    }

    #[test]
    fn open_ends_read_every_day_on_that_side() {
        let s = split(days(None, Some(20_000 * DAY + 1))).unwrap();
        assert_eq!((s.first, s.end, s.head), (None, Some(20_000), None));
        assert_eq!(s.tail, Some(days(Some(20_000 * DAY), Some(20_000 * DAY + 1))));
        let s = split(days(Some(3 * DAY), None)).unwrap();
        assert_eq!((s.first, s.end, s.head, s.tail), (Some(3), None, None, None));
    }

    #[test]
    fn no_whole_day_or_a_bound_near_1970_is_counted_instead() {
        assert_eq!(split(days(Some(20_000 * DAY + 1), Some(20_001 * DAY))), None);
        assert_eq!(split(days(Some(20_000 * DAY + 1), Some(20_001 * DAY + 9))), None);
        assert_eq!(split(days(Some(-DAY / 2), Some(20 * DAY))), None);
        assert_eq!(split(days(None, Some(DAY / 2))), None);
        assert!(split(days(Some(DAY), Some(2 * DAY))).is_some());
    }
}
