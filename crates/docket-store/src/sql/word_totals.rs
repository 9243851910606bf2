//! Exact totals of a text search read from the per-word counts of migration 0035
//! (`word_task_counts`), instead of counting the matches: a common word is in about a tenth of
//! 1,000,000 titles, and counting them took 0.2-2.8 s.
//!
//! A title's words are its longest runs of the letters a to z, lower-cased (the migration
//! takes them apart). A text of three or more of those letters lies within a title exactly
//! when it lies within one of the title's words. So when exactly one word the organization's
//! titles hold contains the text, the titles that contain it are the tasks counted under that
//! word, once each. A text within several words (`report` within `report` and `reports`) is
//! counted as before: a title with two of them would count twice. A task list's `q` also
//! matches the tasks of runs whose name contains the text: when a few runs' do (a template's
//! runs named after it), their tasks whose own title does not are counted on top
//! (`task_list.rs::run_names_extra`).

use sqlx::Pool;

use super::task_totals::{Cell, Key, subset_counts, universe};
use super::{Db, IS_PG};

/// The most words of the vocabulary whose counts are read to find the one a text lies
/// within; a text within more is counted.
const CANDIDATES_MAX: i64 = 8;

/// The most runs whose name may contain a task list's text for its total to be read from the
/// counts, their tasks counted on top; a text in more runs' names is counted.
const RUNS_MAX: i64 = 100;

/// The kept counts of the one word of the organization's titles that a text lies within.
pub(super) struct WordSet {
    pub(super) cells: Vec<Cell>,
    /// The word's tasks are few enough (at most `drive_max`) to start a read from the text
    /// index: a larger set (a common word's, a tenth of the organization) is tested row by
    /// row, so that the status or the sort order drives the read.
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
    /// The counts of the one word of `org`'s titles that the text of `pattern` (a
    /// `like_pattern`) lies within; empty when none of its tasks has one. `None` when the
    /// counts cannot answer: the text is not a word's letters, lies within more than one word
    /// that tasks have, or (`on_runs`, a task list's `q`, which also matches the run's name)
    /// lies within more than [`RUNS_MAX`] runs' names. `today` groups the deadline days as a
    /// tag's are.
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
        let mut found: Option<Vec<Cell>> = None;
        for word in &candidates {
            let cells = subset_counts(pool, org, Key::Word(word), today).await?;
            if universe(&cells) == 0 {
                continue;
            }
            if found.is_some() {
                return Ok(None);
            }
            found = Some(cells);
        }
        let cells = found.unwrap_or_default();
        Ok(Some(WordSet {
            starts: universe(&cells) <= drive_max,
            cells,
            in_runs: runs > 0,
        }))
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

/// The total of the task bucket of `GET /search` for `pattern` (tasks not archived, of any
/// status, whose title contains the text), from the counts; `None` when they cannot answer.
pub(crate) async fn search_total(pool: &Pool<Db>, org: &str, pattern: &str) -> Result<Option<i64>, sqlx::Error> {
    // Every status is summed, so how the deadline days are grouped does not matter.
    let words = WordSet::of(pool, org, pattern, 0, false, 0).await?;
    Ok(words.map(|w| w.cells.iter().filter(|c| !c.archived).map(|c| c.n).sum()))
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
