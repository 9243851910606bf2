//! The deadlines each run keeps (migration 0028: `due_at`, its tasks' latest deadline, and
//! `late_from`, its incomplete tasks' earliest), kept by triggers, from which `status=delayed`
//! and `sort=due_date` are read: after random writes of every kind that moves a task's deadline,
//! status or run (creates in a run, deadline and status changes, completions, reopenings,
//! auto-skips, deletes, and raw SQL the routes never send), both equal a fresh read of the
//! tasks, and so do the delayed list's total and the due-date order.

use super::*;
use crate::support::fixtures::count_rows;
use crate::support::rng::Rng;

/// 2030-01-01T00:00:00Z.
const NOW: i64 = 1_893_456_000_000;
const DAY: i64 = 86_400_000;

/// Runs whose kept deadlines differ from a fresh read of their tasks (-1 stands for none).
const DRIFT: &str = "SELECT COUNT(*) FROM runs r WHERE r.org_id = $1 AND (
    COALESCE(r.due_at, -1) <> COALESCE((SELECT MAX(t.deadline) FROM tasks t
                                         WHERE t.run_id = r.id AND t.status <> 'auto-skipped'), -1)
    OR COALESCE(r.late_from, -1) <> COALESCE((SELECT MIN(t.deadline) FROM tasks t
                                               WHERE t.run_id = r.id AND t.status NOT IN ('completed', 'auto-skipped')), -1))";

/// The delayed runs, from the tasks themselves (`{now}` is the clock).
const DELAYED: &str = "SELECT COUNT(*) FROM runs r WHERE r.org_id = $1 AND r.archived_at IS NULL AND (
    EXISTS (SELECT 1 FROM tasks t WHERE t.run_id = r.id AND t.status NOT IN ('completed', 'auto-skipped')
                                    AND t.deadline < {now})
    OR (r.status <> 'complete' AND (SELECT MAX(t.deadline) FROM tasks t
                                     WHERE t.run_id = r.id AND t.status <> 'auto-skipped') < {now}))";

/// A deadline a few days either side of the clock, as the API writes it.
fn deadline(rng: &mut Rng) -> String {
    let at = NOW + (rng.below(9) as i64 - 4) * DAY;
    chrono::DateTime::from_timestamp_millis(at)
        .expect("a time")
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

async fn check(app: &TestApp, seed: u64, step: usize) {
    let drift = count_rows(app, DRIFT, "acme").await;
    assert_eq!(
        drift, 0,
        "seed {seed}, after write {step}: a run's kept deadlines drifted from its tasks"
    );
    let want = count_rows(app, &DELAYED.replace("{now}", &NOW.to_string()), "acme").await;
    let r = app
        .get("/organizations/acme/runs?status=delayed&per_page=1")
        .await
        .expect(200);
    let total = r.body["meta"]["pagination"]["total"].as_i64().expect("total");
    assert_eq!(total, want, "seed {seed}, after write {step}: total of status=delayed");
    // The due-date order against each run's `due_date` as the Run shape derives it.
    for (sort, desc) in [("due_date", false), ("-due_date", true)] {
        let r = app
            .get(&format!("/organizations/acme/runs?sort={sort}&per_page=100"))
            .await
            .expect(200);
        let dues: Vec<Option<String>> = r
            .data()
            .as_array()
            .expect("runs")
            .iter()
            .map(|x| x["due_date"].as_str().map(str::to_string))
            .collect();
        let mut sorted = dues.clone();
        // Runs without a due date last, either way.
        sorted.sort_by(|a, b| match (a, b) {
            (Some(a), Some(b)) if desc => b.cmp(a),
            (Some(a), Some(b)) => a.cmp(b),
            (a, b) => a.is_none().cmp(&b.is_none()),
        });
        assert_eq!(dues, sorted, "seed {seed}, after write {step}: sort={sort}");
    }
}

on_both!(kept_deadlines_follow_random_writes, backend);
async fn kept_deadlines_follow_random_writes(backend: Backend) {
    let owned = TestApp::spawn_with(backend, |c| c.now = Some(NOW)).await;
    let app = &owned;
    app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    app.add_member("acme", 1007, "kim@acme.test", "standard").await;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0x0028, |d| d.as_nanos() as u64);
    let mut rng = Rng::new(seed);
    let mut runs = Vec::new();
    let mut tasks: Vec<String> = Vec::new();
    for i in 0..4 {
        let (run, _) = fan_out(
            app,
            &format!("Run {i}"),
            &[1002, 1007],
            json!({"deadline": deadline(&mut rng)}),
        )
        .await;
        tasks.extend(run_tasks(app, &run).await);
        runs.push(run);
    }
    check(app, seed, 0).await;
    for step in 1..=50 {
        let id = tasks[rng.below(tasks.len())].clone();
        let path = format!("/organizations/acme/tasks/{id}");
        let status = match rng.below(9) {
            0 | 1 => {
                let run = runs[rng.below(runs.len())].clone();
                let body = json!({"title": format!("Step {step}"), "run_id": run, "deadline": deadline(&mut rng)});
                let r = app.json(Method::POST, "/organizations/acme/tasks", body).await;
                if let Some(t) = r.body["data"]["id"].as_str() {
                    tasks.push(t.to_string());
                }
                r.status
            }
            2 => {
                let body = json!({"deadline": deadline(&mut rng)});
                app.json(Method::PUT, &path, body).await.status
            }
            3 => {
                let body = json!({"task_id": id, "is_approved": true});
                app.json(Method::POST, "/organizations/acme/completed-tasks", body)
                    .await
                    .status
            }
            4 => {
                app.call(Method::DELETE, &format!("/organizations/acme/completed-tasks/{id}"))
                    .await
                    .status
            }
            5 => {
                let s = ["in-progress", "not-started", "completed"][rng.below(3)];
                app.json(Method::PUT, &path, json!({ "status": s })).await.status
            }
            6 => {
                let r = app.call(Method::DELETE, &format!("{path}/delete")).await;
                if r.status < 300 {
                    tasks.retain(|t| *t != id);
                }
                r.status
            }
            7 => {
                // What the rules of a template do: skip a step.
                exec_sql(
                    app,
                    &format!("UPDATE tasks SET status = 'auto-skipped' WHERE id = '{id}'"),
                )
                .await;
                200
            }
            _ => {
                // A task moved to another run, which no route does.
                let run = &runs[rng.below(runs.len())];
                exec_sql(app, &format!("UPDATE tasks SET run_id = '{run}' WHERE id = '{id}'")).await;
                200
            }
        };
        assert!(status < 500, "seed {seed}: write {step} answered {status}");
        if tasks.is_empty() {
            let run = runs[0].clone();
            let body = json!({"title": "Refill", "run_id": run, "deadline": deadline(&mut rng)});
            let r = app
                .json(Method::POST, "/organizations/acme/tasks", body)
                .await
                .expect(201);
            tasks.push(r.data()["id"].as_str().expect("id").to_string());
        }
        if step % 5 == 0 {
            check(app, seed, step).await;
        }
    }
    check(app, seed, 51).await;
    owned.stop().await;
}
