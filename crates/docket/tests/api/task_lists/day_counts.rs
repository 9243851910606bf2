//! The organization's task counts per deadline day (migration 0033, `task_day_counts`), kept by
//! triggers on `tasks`, from which a list filtered by a deadline window, or by a status that
//! reads the clock (`overdue`, `due_soon`), takes its total: after random writes (creates
//! standalone and in runs with deadlines on and around day boundaries, completions, reopenings,
//! status changes, problems, archiving, restoring, deadline changes, deletes for good, and a
//! hard start date ahead in raw SQL), every cell equals a fresh count of the tasks, and every
//! such list's `meta.pagination.total` equals a fresh count of its matches: windows of whole
//! days, of parts of days at either end (shorter and longer than half a day), open at either
//! end, of one day, and none. Run with the clock early and late in its day (`overdue` counts
//! today's part on either side of it).

use super::*;
use crate::support::fixtures::count_rows;
use crate::support::rng::Rng;

/// Cells where the kept count and a fresh count of the tasks differ.
const DRIFT: &str = "SELECT COUNT(*) FROM (
    SELECT due_day, status, problem, archived FROM (
        SELECT due_day, status, problem, archived, n FROM task_day_counts WHERE org_id = $1
        UNION ALL
        SELECT t.deadline / 86400000, t.status, t.problem, t.archived_at IS NOT NULL, -1
          FROM tasks t WHERE t.org_id = $1) x
     GROUP BY due_day, status, problem, archived HAVING SUM(n) <> 0) d";

/// A deadline within four days of `now`: mostly at a random minute, sometimes on a day's
/// first or last millisecond.
fn deadline(rng: &mut Rng, now: i64) -> String {
    let day = now.div_euclid(DAY) + rng.below(9) as i64 - 4;
    ts(match rng.below(6) {
        0 => day * DAY,
        1 => day * DAY - 1,
        _ => day * DAY + rng.below(24 * 60) as i64 * 60_000,
    })
}

/// The windows checked: their parameters and deadline range `[from, to]`, relative to `now`.
fn windows(now: i64) -> Vec<(String, Option<i64>, Option<i64>)> {
    let today = now.div_euclid(DAY) * DAY;
    let date = |ms: i64| ts(ms)[..10].to_string();
    vec![
        (String::new(), None, None),
        (
            format!(
                "&deadline_start_range={}&deadline_end_range={}",
                date(today - 3 * DAY),
                date(today + 3 * DAY)
            ),
            Some(today - 3 * DAY),
            Some(today + 4 * DAY - 1),
        ),
        (
            format!(
                "&deadline_start_range={}&deadline_end_range={}",
                ts(today - 2 * DAY + 7 * HOUR),
                ts(today + 2 * DAY + 15 * HOUR)
            ),
            Some(today - 2 * DAY + 7 * HOUR),
            Some(today + 2 * DAY + 15 * HOUR),
        ),
        (
            format!(
                "&deadline_start_range={}&deadline_end_range={}",
                ts(today - DAY + 20 * HOUR),
                ts(today + DAY + 2 * HOUR)
            ),
            Some(today - DAY + 20 * HOUR),
            Some(today + DAY + 2 * HOUR),
        ),
        (format!("&deadline_after={}", date(today - DAY)), Some(today), None),
        (
            format!("&deadline_before={}", date(today + DAY)),
            None,
            Some(today + DAY - 1),
        ),
        (
            format!("&deadline_on={}", date(today)),
            Some(today),
            Some(today + DAY - 1),
        ),
    ]
}

async fn check(app: &TestApp, now: i64, seed: u64, step: usize) {
    let drift = count_rows(app, DRIFT, "acme").await;
    assert_eq!(
        drift, 0,
        "seed {seed}, after write {step}: task_day_counts drifted from the tasks"
    );
    for (window, from, to) in windows(now) {
        for (params, condition) in KEPT_STATUSES {
            let condition = condition
                .replace("{now}", &now.to_string())
                .replace("{soon}", &(now + DAY).to_string());
            let mut sql = format!("SELECT COUNT(*) FROM tasks t WHERE t.org_id = $1 AND {condition}");
            if let Some(from) = from {
                sql += &format!(" AND t.deadline >= {from}");
            }
            if let Some(to) = to {
                sql += &format!(" AND t.deadline <= {to}");
            }
            let want = count_rows(app, &sql, "acme").await;
            let path = format!("{TASKS}?per_page=3{params}{window}");
            assert_counted(&app.get(&path).await.expect(200), want, seed, step, &path);
        }
    }
}

async fn random_writes(backend: Backend, now: i64) {
    let (owned, seed, mut rng) = count_test(backend, now, None).await;
    let app = &owned;
    members(app).await;
    let mut tasks: Vec<String> = Vec::new();
    for i in 0..10 {
        let (_, t) = run_of(
            app,
            &format!("Run {i}"),
            1002,
            json!({"deadline": deadline(&mut rng, now)}),
        )
        .await;
        tasks.push(t);
        tasks.push(task(app, &format!("Task {i}"), json!({"deadline": deadline(&mut rng, now)})).await);
    }
    check(app, now, seed, 0).await;
    for step in 1..=40 {
        let id = tasks[rng.below(tasks.len())].clone();
        let status = match rng.below(10) {
            0 => {
                let body = json!({"deadline": deadline(&mut rng, now), "owners": {"users": [1005]}});
                tasks.push(task(app, &format!("Task {step}"), body).await);
                201
            }
            1..=5 => status_write(app, &mut rng, &id).await,
            6 | 7 => {
                let body = json!({ "deadline": deadline(&mut rng, now) });
                app.json(Method::PUT, &format!("{TASKS}/{id}"), body).await.status
            }
            8 => delete_for_good(app, &id, &mut tasks).await,
            _ => start_ahead(app, &id, now).await,
        };
        assert!(status < 500, "seed {seed}: write {step} answered {status}");
        if tasks.is_empty() {
            tasks.push(task(app, "Refill", json!({"deadline": deadline(&mut rng, now)})).await);
        }
        if step % 8 == 0 {
            check(app, now, seed, step).await;
        }
    }

    if backend == Backend::Postgres {
        // Deltas pile up (the triggers only insert): past a bound, a read of a window folds
        // the organization's rows into one per cell, and the sums stay the same.
        // Their cell is day 0: read by the windows open before.
        pile_deltas(app, "task_day_counts", None).await;
        check(app, now, seed, 41).await;
        assert!(
            deltas_folded(app, "task_day_counts", None).await,
            "the deltas were folded"
        );
        check(app, now, seed, 42).await;
    }
}

on_both!(day_counts_follow_random_writes_early_in_the_day, backend);
async fn day_counts_follow_random_writes_early_in_the_day(backend: Backend) {
    random_writes(backend, NOW + 5 * HOUR).await;
}

on_both!(day_counts_follow_random_writes_late_in_the_day, backend);
async fn day_counts_follow_random_writes_late_in_the_day(backend: Backend) {
    random_writes(backend, NOW + 19 * HOUR).await;
}
