//! Exact totals of a text search read from the per-word counts of migration 0035
//! (`word_task_counts`), instead of counting the matches: a common word is in about a tenth of
//! 1,000,000 titles, and counting them took 0.2-2.8 s.
//!
//! A title's words are its longest runs of the letters a to z, lower-cased (the migration
//! takes them apart). A text of three or more of those letters lies within a title exactly
//! when it lies within one of the title's words. So when exactly one word the organization's
//! titles hold contains the text, the titles that contain it are the tasks counted under that
//! word, once each. A text within several words (`update` within `update` and `updated`) is
//! the tasks of the word with the most tasks, and those of the others' few (at most
//! [`OTHERS_MAX`]) without that word, counted through the text index. A task list's `q` also
//! matches the tasks of runs whose name contains the text: when a few runs' do (a template's
//! runs named after it), their tasks whose own title does not are counted on top
//! ([`word_extra`]).

use sqlx::Pool;

use super::task_fragments::title_sql;
use super::task_list::where_clause;
use super::task_totals::{Cell, Key, kept_filters_only, subset_counts, today, universe};
use super::where_clause::{Arg, Lists, Shape, Where, count_where};
use super::{Db, IS_PG};
use crate::query::TaskQuery;

/// The most words of the vocabulary whose counts are read to find the one a text lies
/// within; a text within more is counted.
const CANDIDATES_MAX: i64 = 8;

/// The most runs whose name may contain a task list's text for its total to be read from the
/// counts, their tasks counted on top; a text in more runs' names is counted.
const RUNS_MAX: i64 = 100;

/// The most tasks the other words a text lies within may have (beside the word with the
/// most) for its total to be read from the counts; those tasks are counted on top.
const OTHERS_MAX: i64 = 20_000;

/// The letters of a word, listed, not ranged, so that no collation widens them.
const LETTERS: &str = "abcdefghijklmnopqrstuvwxyz";

/// The kept counts of the word of the organization's titles with the most tasks among those
/// that a text lies within, and the others.
pub(super) struct WordSet {
    /// That word's cells.
    pub(super) cells: Vec<Cell>,
    /// That word, and the other words with tasks that the text lies within (few tasks).
    word: String,
    others: Vec<String>,
    /// The words' tasks are few enough (at most four times `drive_max`, 8,000 by default) to
    /// start a read from the text index, about 2.4 µs a task on SQLite: a larger set (a common
    /// word's, a tenth of the organization) is tested row by row, so that the status or the
    /// sort order drives the read. A walk of a smaller one could pass far more rows than it
    /// holds: a word of 6,800 tasks written lately (`updated`), near the clock in deadline
    /// order, took 0.3-1.1 s a page walked, at 1,000,000 tasks.
    pub(super) starts: bool,
    /// Some run's name contains the text (a task list's `q` only), so the total also has the
    /// tasks of those runs whose title does not.
    pub(super) in_runs: bool,
}

/// The text of a `like_pattern` when it is three or more of the letters a to z (the pattern
/// is lower-cased): shorter texts lie within too many words, and any other character could
/// span two.
fn word_text(pattern: &str) -> Option<&str> {
    let text = pattern.strip_prefix('%')?.strip_suffix('%')?;
    (text.len() >= 3 && text.bytes().all(|b| b.is_ascii_lowercase())).then_some(text)
}

impl WordSet {
    /// The words of `org`'s titles that the text of `pattern` (a `like_pattern`) lies within
    /// and that tasks have, the cells of the one with the most tasks read; empty when there is
    /// none. `None` when the counts cannot answer: the text is not a word's letters, lies
    /// within more than [`CANDIDATES_MAX`] words, within others of more than [`OTHERS_MAX`]
    /// tasks, or (`on_runs`, a task list's `q`, which also matches the run's name) within more
    /// than [`RUNS_MAX`] runs' names. `today` groups the deadline days as a tag's are.
    pub(super) async fn of(
        pool: &Pool<Db>,
        org: &str,
        pattern: &str,
        today: i64,
        on_runs: bool,
        drive_max: i64,
    ) -> Result<Option<WordSet>, sqlx::Error> {
        if word_text(pattern).is_none() {
            return Ok(None);
        }
        let candidates: Vec<String> =
            sqlx::query_scalar("SELECT word FROM title_words WHERE org_id = $1 AND word LIKE $2 LIMIT $3")
                .bind(org)
                .bind(pattern)
                .bind(CANDIDATES_MAX + 1)
                .fetch_all(pool)
                .await?;
        if candidates.len() as i64 > CANDIDATES_MAX {
            return Ok(None);
        }
        let runs = if on_runs {
            runs_named(pool, org, pattern).await?
        } else {
            0
        };
        if runs > RUNS_MAX {
            return Ok(None);
        }
        let mut found: Vec<(String, Vec<Cell>, i64)> = Vec::new();
        for word in candidates {
            let cells = subset_counts(pool, org, Key::Word(&word), today).await?;
            let n = universe(&cells);
            if n > 0 {
                found.push((word, cells, n));
            }
        }
        found.sort_by_key(|(_, _, n)| std::cmp::Reverse(*n));
        let all: i64 = found.iter().map(|(_, _, n)| n).sum();
        let mut found = found.into_iter();
        let (word, cells, most) = found.next().unwrap_or_default();
        if all - most > OTHERS_MAX {
            return Ok(None);
        }
        Ok(Some(WordSet {
            cells,
            word,
            others: found.map(|(w, _, _)| w).collect(),
            starts: all <= drive_max.saturating_mul(4),
            in_runs: runs > 0,
        }))
    }

    /// For a text within several words, the test of a row of `tasks t` (bound into `w`)
    /// that its title holds one of the others and not the word whose cells are read: the
    /// matches those cells leave out, counted on top, found through the text index. `None`
    /// for a text within one word or none.
    pub(super) fn others_sql(&self, w: &mut Where) -> Option<String> {
        if self.others.is_empty() {
            return None;
        }
        let patterns: Vec<String> = self
            .others
            .iter()
            .map(|o| w.bind(Arg::Text(format!("%{o}%"))))
            .collect();
        let any = if IS_PG {
            patterns.iter().map(|p| title_sql(p)).collect::<Vec<_>>().join(" OR ")
        } else {
            let sets: Vec<String> = patterns
                .iter()
                .map(|p| {
                    format!("SELECT x.task_id FROM task_text x WHERE x.k IN (SELECT rowid FROM task_fts WHERE task_fts.title LIKE {p})")
                })
                .collect();
            format!("t.id IN ({})", sets.join(" UNION "))
        };
        let has = self.has_sql(w);
        Some(format!("({any}) AND NOT {has}"))
    }

    /// The test of a row of `tasks t` (bound into `w`) that its title holds the word whose
    /// cells are read: the word between two characters that are not letters, or the ends of
    /// the title. Never, without a word.
    pub(super) fn has_sql(&self, w: &mut Where) -> String {
        let word = &self.word;
        if word.is_empty() {
            return "1 = 0".into();
        }
        if IS_PG {
            let p = w.bind(Arg::Text(format!("(^|[^{LETTERS}]){word}([^{LETTERS}]|$)")));
            format!("lower(t.title) ~ {p}")
        } else {
            let p = w.bind(Arg::Text(format!("*[^{LETTERS}]{word}[^{LETTERS}]*")));
            format!("(' ' || lower(t.title) || ' ') GLOB {p}")
        }
    }
}

/// `q.q` resolved to the one title word it lies within, for a list of the organization (not of
/// one member, not filtered by a tag) whose other filters the kept counts follow, as an admin
/// sees it: its total is read from that word's counts.
pub(super) async fn word_set(
    pool: &Pool<Db>,
    lists: &Lists,
    org: &str,
    q: &TaskQuery,
    driver: Option<i64>,
) -> Result<Option<WordSet>, sqlx::Error> {
    match &q.q {
        Some(pattern) if driver.is_none() && q.tag.is_none() && kept_filters_only(q, None) => {
            WordSet::of(pool, org, pattern, today(q), true, lists.drive_max).await
        }
        _ => Ok(None),
    }
}

/// For a total read from a word's counts (`words`), which count the titles that hold the word
/// with the most tasks among those `q`'s text lies within: the matches whose title holds only
/// the other words ([`WordSet::others_sql`]), and those in runs whose name contains the text
/// and whose own title does not (few runs, see `word_totals.rs`); else 0.
pub(super) async fn word_extra(
    pool: &Pool<Db>,
    org: &str,
    q: &TaskQuery,
    words: Option<&WordSet>,
) -> Result<i64, sqlx::Error> {
    let (Some(words), Some(pattern)) = (words, &q.q) else {
        return Ok(0);
    };
    let mut extra = 0;
    let mut w = where_clause(org, q, None, Shape::Walk, None, Some(words));
    if let Some(others) = words.others_sql(&mut w) {
        w.push(others);
        extra += count_where(pool, "tasks t", &w).await?;
    }
    if !words.in_runs {
        return Ok(extra);
    }
    let mut w = where_clause(org, q, None, Shape::Walk, None, Some(words));
    let p = w.bind(Arg::Text(pattern.clone()));
    let runs = if IS_PG {
        let o = w.bind(Arg::Text(org.to_string()));
        format!("SELECT r.id FROM runs r WHERE r.org_id = {o} AND lower(r.name) LIKE {p}")
    } else {
        // Every organization's runs named so: `t.org_id` keeps this one's tasks.
        format!("SELECT x.run_id FROM run_fts f CROSS JOIN run_text x ON x.k = f.rowid WHERE f.name LIKE {p}")
    };
    w.push(format!("t.run_id IN ({runs}) AND NOT {}", title_sql(&p)));
    Ok(extra + count_where(pool, "tasks t", &w).await?)
}

/// How many runs of `org` have a name that contains the text of `pattern` (letters a to z),
/// up to one more than [`RUNS_MAX`], through the runs' text index.
async fn runs_named(pool: &Pool<Db>, org: &str, pattern: &str) -> Result<i64, sqlx::Error> {
    let sql = if IS_PG {
        "SELECT COUNT(*) FROM (SELECT 1 FROM runs r WHERE r.org_id = $1 AND lower(r.name) LIKE $2 LIMIT $3) x"
    } else {
        // The text index drives (`CROSS JOIN` keeps SQLite to that order), so that the limit
        // stops its read: probing it for each of the organization's runs took 1-5 s at 125,000.
        "SELECT COUNT(*) FROM (SELECT 1 FROM run_fts f CROSS JOIN run_text x ON x.k = f.rowid
                                CROSS JOIN runs r ON r.id = x.run_id
                                WHERE f.name LIKE $2 AND r.org_id = $1 LIMIT $3)"
    };
    sqlx::query_scalar(sql)
        .bind(org)
        .bind(pattern)
        .bind(RUNS_MAX + 1)
        .fetch_one(pool)
        .await
}

#[cfg(test)]
mod tests {
    use super::word_text;

    #[test]
    fn only_letters_of_a_word_are_read_from_counts() {
        assert_eq!(word_text("%report%"), Some("report"));
        assert_eq!(word_text("%abc%"), Some("abc"));
        assert_eq!(word_text("%ab%"), None, "too short");
        assert_eq!(word_text("%q3 report%"), None, "a space spans words");
        assert_eq!(word_text("%re\\_port%"), None, "an escape");
        assert_eq!(word_text("%rapport\u{e9}%"), None, "a letter beyond a to z");
        assert_eq!(word_text("report"), None, "not a pattern");
    }
}
