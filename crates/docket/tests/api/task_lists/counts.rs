//! The per-status task counts of migration 0011 (`task_counts`), kept by triggers, from which a
//! list filtered by status alone takes its total: after random writes of every kind (creates,
//! status changes, completions, reopenings, problems, archiving, restoring, deleting, and raw
//! SQL the routes never send), every cell equals a fresh count of `tasks`, and so does every
//! such list's `meta.pagination.total`.

use super::*;
use crate::support::fixtures::count_rows;
use crate::support::rng::Rng;

/// Cells where the maintained count and a fresh count of `tasks` differ.
const DRIFT: &str = "SELECT COUNT(*) FROM (
    SELECT status, problem, archived FROM (
        SELECT status, problem, archived, n FROM task_counts WHERE org_id = $1
        UNION ALL
        SELECT status, problem, archived_at IS NOT NULL, -1 FROM tasks WHERE org_id = $1) x
     GROUP BY status, problem, archived HAVING SUM(n) <> 0) d";

/// The status lists answered from the counts, and a fresh count of each (`{now}` is the clock).
const LISTS: &[(&str, &str)] = &[
    ("status=all", "archived_at IS NULL"),
    ("status=all&archived=true", "TRUE"),
    ("status=completed", "archived_at IS NULL AND status = 'completed'"),
    ("status=not-started", "archived_at IS NULL AND status = 'not-started'"),
    (
        "status=in-progress,hasproblem",
        "archived_at IS NULL AND (status = 'in-progress' OR (problem AND status <> 'auto-skipped'))",
    ),
    (
        "status=incomplete",
        "archived_at IS NULL AND status NOT IN ('completed', 'auto-skipped')",
    ),
    (
        "status=active",
        "archived_at IS NULL AND status NOT IN ('completed', 'auto-skipped') AND (is_soft_start_date OR started_at <= {now})",
    ),
];

async fn check(app: &TestApp, seed: u64, step: usize) {
    let drift = count_rows(app, DRIFT, "acme").await;
    assert_eq!(
        drift, 0,
        "seed {seed}, after write {step}: task_counts drifted from tasks"
    );
    for (params, fresh) in LISTS {
        let sql = format!(
            "SELECT COUNT(*) FROM tasks WHERE org_id = $1 AND {}",
            fresh.replace("{now}", &NOW.to_string())
        );
        let want = count_rows(app, &sql, "acme").await;
        let r = app.get(&format!("{TASKS}?{params}&per_page=2")).await.expect(200);
        assert_eq!(total(&r), want, "seed {seed}, after write {step}: total of {params}");
    }
}

on_both!(status_counts_follow_random_writes, backend);
async fn status_counts_follow_random_writes(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.now = Some(NOW)).await;
    let app = &app;
    members(app).await;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0x0011, |d| d.as_nanos() as u64);
    let mut rng = Rng::new(seed);
    let mut ids: Vec<String> = Vec::new();
    for i in 0..6 {
        ids.push(task(app, &format!("Seed {i}"), json!({"owners": {"users": [1002]}})).await);
    }
    check(app, seed, 0).await;
    for step in 1..=60 {
        let id = ids[rng.below(ids.len())].clone();
        let path = format!("{TASKS}/{id}");
        let status = match rng.below(11) {
            0 | 1 => {
                let owner = [1001, 1002, 1005][rng.below(3)];
                let owners = json!({ "users": [owner] });
                let t = task(app, &format!("Task {step}"), json!({"owners": owners})).await;
                ids.push(t);
                201
            }
            2..=7 => status_write(app, &mut rng, &id).await,
            8 => {
                let r = app.call(Method::DELETE, &format!("{path}/delete")).await;
                if r.status < 300 {
                    ids.retain(|t| *t != id);
                }
                r.status
            }
            9 => {
                // A hard start date ahead of the clock: not active, though incomplete.
                let later = NOW + (rng.below(3) as i64 * 2 - 1) * DAY;
                exec_sql(
                    app,
                    &format!("UPDATE tasks SET started_at = {later}, is_soft_start_date = FALSE WHERE id = '{id}'"),
                )
                .await;
                200
            }
            _ => {
                exec_sql(
                    app,
                    &format!("UPDATE tasks SET problem = NOT problem, title = title || '.' WHERE id = '{id}'"),
                )
                .await;
                200
            }
        };
        assert!(status < 500, "seed {seed}: write {step} answered {status}");
        if ids.is_empty() {
            ids.push(task(app, "Refill", json!({})).await);
        }
        if step % 6 == 0 {
            check(app, seed, step).await;
        }
    }
    check(app, seed, 61).await;

    if backend == Backend::Postgres {
        // Deltas pile up (the triggers only insert): past a bound, a read folds them into one
        // row per cell, and the sums stay the same.
        let mut pile = String::from("INSERT INTO task_counts (org_id, status, problem, archived, n) VALUES ");
        let rows: Vec<&str> = (0..150)
            .flat_map(|_| {
                [
                    "('acme', 'completed', FALSE, FALSE, 1)",
                    "('acme', 'completed', FALSE, FALSE, -1)",
                ]
            })
            .collect();
        pile.push_str(&rows.join(", "));
        exec_sql(app, &pile).await;
        let rows = "SELECT COUNT(*) FROM task_counts WHERE org_id = $1";
        assert!(count_rows(app, rows, "acme").await > 300);
        check(app, seed, 62).await;
        let mut folded = false;
        for _ in 0..100 {
            if count_rows(app, rows, "acme").await <= 16 {
                folded = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(folded, "the deltas were folded");
        check(app, seed, 63).await;
    }
}
