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
//! (`task_list.rs::word_extra`).

use sqlx::Pool;

use super::task_fragments::title_sql;
use super::task_totals::{Cell, Key, subset_counts, universe};
use super::where_clause::{Arg, Where};
use super::{Db, IS_PG};

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
