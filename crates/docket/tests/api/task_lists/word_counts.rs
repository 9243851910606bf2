//! The per-word task counts of migration 0035 (`word_task_counts`, and the vocabulary
//! `title_words`), kept by triggers on `tasks`, from which a list filtered by a text (`q=`) and
//! status, and `GET /search`'s task bucket, take their totals when the text lies within exactly
//! one word of the titles: after random writes (creates standalone and in runs, title changes,
//! run renames, completions, reopenings, status changes, problems, archiving, restoring,
//! deadline changes, deletes for good, a hard start date ahead in raw SQL), every cell equals a
//! count of the words of the titles taken apart here, independently of the triggers, and every
//! such list's and search's `meta.pagination.total` equals a fresh count of its matches.
//!
//! The titles mix cases, letters beyond a to z (which separate words), punctuation and words
//! run together, and some texts lie within one word, several words, a run's name, or none: the
//! totals read from the counts and those counted must agree. Run with the clock early and late
//! in its day (`overdue` counts today's part on either side of it), and with the words' sets
//! read from the text index, then tested task by task (a low `list_drive_max`).

use std::collections::BTreeMap;

use super::*;
use crate::support::fixtures::{count_rows, text_rows};
use crate::support::rng::Rng;

/// The pieces of the titles.
const PIECES: &[&str] = &[
    "Audit",
    "invoice",
    "INVOICES",
    "Plan",
    "planning",
    "Café",
    "ÉCLAIR",
    "x-ray",
    "re_port",
    "Report",
    "reports",
    "Q3",
    "#12",
    "über",
    "Quarterly",
];
/// What joins two pieces: mostly a space, sometimes nothing (the two make one word).
const JOINS: &[&str] = &[" ", " ", " ", "-", "/", "é", ""];
/// The names of runs: `quarter` lies within a run's name, so its lists are counted.
const RUN_NAMES: &[&str] = &["Quarterly close", "Annual close", "Quarterly review"];
/// The texts searched: within one word, several, a run's name, letters beyond a to z, none.
const TEXTS: &[&str] = &[
    "audit",
    "invoice",
    "voices",
    "plan",
    "planning",
    "caf",
    "clair",
    "ray",
    "report",
    "port",
    "quarter",
    "close",
    "ber",
    "zzz",
    "Audit",
    "caf%C3%A9",
];

fn title(rng: &mut Rng) -> String {
    let mut t = PIECES[rng.below(PIECES.len())].to_string();
    for _ in 0..rng.below(4) {
        t += JOINS[rng.below(JOINS.len())];
        t += PIECES[rng.below(PIECES.len())];
    }
    t
}

/// The words of a title, as the migration takes them apart: its longest runs of the letters
/// a to z after lower-casing ASCII (SQLite's `lower()`; PostgreSQL's changes no letter of
/// `PIECES` into one of a to z).
fn words(title: &str) -> std::collections::BTreeSet<String> {
    title
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_lowercase())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The kept counts, summed per cell, against the words of the tasks' titles.
async fn check_cells(app: &TestApp, seed: u64, step: usize) {
    let kept: BTreeMap<String, i64> = text_rows(
        app,
        "SELECT word || '|' || status || '|' || CASE WHEN problem THEN '1' ELSE '0' END || '|'
                || CASE WHEN archived THEN '1' ELSE '0' END || '|' || CAST(due_day AS TEXT) || '|' || CAST(SUM(n) AS TEXT)
           FROM word_task_counts WHERE org_id = $1
          GROUP BY word, status, problem, archived, due_day HAVING SUM(n) <> 0",
        "acme",
    )
    .await
    .into_iter()
    .map(|row| {
        let (cell, n) = row.rsplit_once('|').expect("cell|n");
        (cell.to_string(), n.parse().expect("n"))
    })
    .collect();
    let tasks = text_rows(
        app,
        "SELECT t.status || '|' || CASE WHEN t.problem THEN '1' ELSE '0' END || '|'
                || CASE WHEN t.archived_at IS NULL THEN '0' ELSE '1' END || '|'
                || CAST(CASE WHEN t.status IN ('completed', 'auto-skipped') THEN 0 ELSE t.deadline / 86400000 END AS TEXT)
                || '|' || t.title
           FROM tasks t WHERE t.org_id = $1",
        "acme",
    )
    .await;
    let mut want: BTreeMap<String, i64> = BTreeMap::new();
    for row in &tasks {
        let mut parts = row.splitn(5, '|');
        let cell: Vec<&str> = parts.by_ref().take(4).collect();
        let title = parts.next().expect("title");
        for word in words(title) {
            *want.entry(format!("{word}|{}", cell.join("|"))).or_default() += 1;
        }
    }
    assert_eq!(
        kept, want,
        "seed {seed}, after write {step}: word_task_counts drifted from the titles' words"
    );
    let vocabulary = text_rows(app, "SELECT word FROM title_words WHERE org_id = $1", "acme").await;
    for cell in want.keys() {
        let word = cell.split('|').next().unwrap_or_default();
        assert!(
            vocabulary.iter().any(|v| v == word),
            "seed {seed}, after write {step}: {word} is not in title_words"
        );
    }
}

async fn check(app: &TestApp, now: i64, seed: u64, step: usize) {
    check_cells(app, seed, step).await;
    for text in TEXTS {
        let like = text.replace("%C3%A9", "é").to_lowercase();
        let matches = format!(
            "(lower(t.title) LIKE '%{like}%'
              OR EXISTS (SELECT 1 FROM runs r WHERE r.id = t.run_id AND lower(r.name) LIKE '%{like}%'))"
        );
        for (params, condition) in KEPT_STATUSES {
            let condition = condition
                .replace("{now}", &now.to_string())
                .replace("{soon}", &(now + DAY).to_string());
            let sql = format!("SELECT COUNT(*) FROM tasks t WHERE t.org_id = $1 AND {condition} AND {matches}");
            let want = count_rows(app, &sql, "acme").await;
            let path = format!("{TASKS}?q={text}&per_page=3{params}");
            assert_counted(&app.get(&path).await.expect(200), want, seed, step, &path);
        }
        let sql = format!(
            "SELECT COUNT(*) FROM tasks t WHERE t.org_id = $1 AND t.archived_at IS NULL AND lower(t.title) LIKE '%{like}%'"
        );
        let want = count_rows(app, &sql, "acme").await;
        let r = app
            .get(&format!("/organizations/acme/search?on=task&search={text}&per_page=3"))
            .await
            .expect(200);
        let found = &r.body["task"];
        assert_eq!(
            (
                found["meta"]["pagination"]["total"].as_i64(),
                found["data"].as_array().map(Vec::len)
            ),
            (Some(want), Some(want.min(3) as usize)),
            "seed {seed}, after write {step}: search for {text}"
        );
    }
}

async fn random_writes(backend: Backend, now: i64, drive_max: i64) {
    let (owned, seed, mut rng) = count_test(backend, now, Some(drive_max)).await;
    let app = &owned;
    members(app).await;
    let mut tasks: Vec<String> = Vec::new();
    let mut runs: Vec<String> = Vec::new();
    for i in 0..12 {
        let t = title(&mut rng);
        tasks.push(task(app, &t, json!({"deadline": near_deadline(&mut rng, now)})).await);
        if i % 3 == 0 {
            let name = RUN_NAMES[rng.below(RUN_NAMES.len())];
            let (run, t) = run_of(app, name, 1002, json!({"deadline": near_deadline(&mut rng, now)})).await;
            runs.push(run);
            tasks.push(t);
        }
    }
    check(app, now, seed, 0).await;
    for step in 1..=40 {
        let id = tasks[rng.below(tasks.len())].clone();
        let status = match rng.below(12) {
            0 => {
                let body = json!({"deadline": near_deadline(&mut rng, now)});
                tasks.push(task(app, &title(&mut rng), body).await);
                201
            }
            1..=4 => status_write(app, &mut rng, &id).await,
            5 | 6 => {
                let body = json!({ "title": title(&mut rng) });
                app.json(Method::PUT, &format!("{TASKS}/{id}"), body).await.status
            }
            7 => {
                let run = &runs[rng.below(runs.len())];
                let name = format!("{} {}", RUN_NAMES[rng.below(RUN_NAMES.len())], title(&mut rng));
                app.json(
                    Method::PUT,
                    &format!("/organizations/acme/runs/{run}"),
                    json!({ "name": name }),
                )
                .await
                .status
            }
            8 => {
                let body = json!({ "deadline": near_deadline(&mut rng, now) });
                app.json(Method::PUT, &format!("{TASKS}/{id}"), body).await.status
            }
            9 => delete_for_good(app, &id, &mut tasks).await,
            _ => start_ahead(app, &id, now).await,
        };
        assert!(status < 500, "seed {seed}: write {step} answered {status}");
        if tasks.is_empty() {
            tasks.push(task(app, "Refill audit", json!({"deadline": near_deadline(&mut rng, now)})).await);
        }
        if step % 8 == 0 {
            check(app, now, seed, step).await;
        }
    }

    if backend == Backend::Postgres {
        // Deltas pile up (the triggers only insert): past a bound, a read of a word's counts
        // folds its rows into one per cell, and the sums stay the same.
        task(app, "Audit", json!({"deadline": near_deadline(&mut rng, now)})).await;
        let key = Some(("word", "'audit'"));
        pile_deltas(app, "word_task_counts", key).await;
        check(app, now, seed, 41).await;
        assert!(
            deltas_folded(app, "word_task_counts", key).await,
            "the deltas were folded"
        );
        check(app, now, seed, 42).await;
    }
}

on_both!(word_counts_follow_random_writes_early_in_the_day, backend);
async fn word_counts_follow_random_writes_early_in_the_day(backend: Backend) {
    random_writes(backend, NOW + 5 * HOUR, 2000).await;
}

on_both!(word_counts_follow_random_writes_late_in_the_day, backend);
async fn word_counts_follow_random_writes_late_in_the_day(backend: Backend) {
    random_writes(backend, NOW + 19 * HOUR, 4).await;
}
