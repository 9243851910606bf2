//! The per-tag task counts of migration 0031 (`tag_task_counts`), kept by triggers, from which a
//! list filtered by a tag and status takes its total: after random writes of every kind
//! (creates with tags, in runs and standalone; tags put on and taken off tasks and runs;
//! status changes, completions, reopenings, problems, deadline changes, archiving, restoring,
//! deleting; a tag deleted; and raw SQL the routes never send: moving a task to another run,
//! a hard start date ahead), every cell equals a fresh count of the tagged tasks, and so does
//! every such list's `meta.pagination.total`, the clock's statuses included. Run twice, with
//! the clock early and late in its day (`overdue` counts today's part on either side of it),
//! and with the tags' sets read, then tested task by task (a low `list_drive_max`).

use super::*;
use crate::support::fixtures::count_rows;

/// The tasks of each tag, on the task or on its run, from `tag_links` itself.
const TAGGED: &str = "SELECT l.subject_id AS task_id, l.tag_id FROM tag_links l WHERE l.subject_type = 'Task'
    UNION SELECT x.id, l.tag_id FROM tag_links l JOIN tasks x ON x.run_id = l.subject_id WHERE l.subject_type = 'Run'";

/// Cells where the kept count and a fresh count of the tagged tasks differ.
fn drift_sql() -> String {
    format!(
        "SELECT COUNT(*) FROM (
            SELECT tag_id, status, problem, archived, due_day FROM (
                SELECT tag_id, status, problem, archived, due_day, n FROM tag_task_counts WHERE org_id = $1
                UNION ALL
                SELECT g.tag_id, t.status, t.problem, t.archived_at IS NOT NULL,
                       CASE WHEN t.status IN ('completed', 'auto-skipped') THEN 0 ELSE t.deadline / 86400000 END, -1
                  FROM tasks t JOIN ({TAGGED}) g ON g.task_id = t.id
                 WHERE t.org_id = $1) x
             GROUP BY tag_id, status, problem, archived, due_day HAVING SUM(n) <> 0) d"
    )
}

struct Tags {
    /// (id, title) of each tag; a deleted tag stays, answered as no tag.
    all: Vec<(String, String)>,
}

async fn check(app: &TestApp, tags: &Tags, now: i64, seed: u64, step: usize) {
    let drift = count_rows(app, &drift_sql(), "acme").await;
    assert_eq!(
        drift, 0,
        "seed {seed}, after write {step}: tag_task_counts drifted from the tagged tasks"
    );
    for (id, title) in &tags.all {
        // The organization's list also without `status` (all of them).
        let defaults = [("", "t.archived_at IS NULL"), ("&archived=true", "TRUE")];
        for (params, condition) in defaults.iter().chain(KEPT_STATUSES) {
            let condition = condition
                .replace("{now}", &now.to_string())
                .replace("{soon}", &(now + DAY).to_string());
            let sql = format!(
                "SELECT COUNT(*) FROM tasks t WHERE t.org_id = $1 AND {condition}
                    AND t.id IN (SELECT g.task_id FROM ({TAGGED}) g WHERE g.tag_id = '{id}')"
            );
            let want = count_rows(app, &sql, "acme").await;
            for by in [id.as_str(), title.as_str()] {
                let r = app
                    .get(&format!("{TASKS}?tag={by}{params}&per_page=3"))
                    .await
                    .expect(200);
                assert_counted(&r, want, seed, step, &format!("tag={by}{params}"));
            }
        }
    }
}

/// An association's id, from the attach answer.
async fn attach(app: &TestApp, kind: &str, subject: &str, tag: &str) -> Option<i64> {
    let r = app
        .json(
            Method::POST,
            "/organizations/acme/checklists/tags",
            json!({"subject_id": subject, "subject_type": kind, "tag_id": tag, "tag_type": "private"}),
        )
        .await;
    (r.status == 201).then(|| r.data()["id"].as_i64().expect("association id"))
}

/// `drive_max`: the `list_drive_max` of the server; below a tag's size, its lists test each
/// task for the tag instead of reading its set.
async fn random_writes(backend: Backend, now: i64, drive_max: i64) {
    let (owned, seed, mut rng) = count_test(backend, now, Some(drive_max)).await;
    let app = &owned;
    members(app).await;
    let mut tags = Tags { all: Vec::new() };
    for title in ["Finance", "Ops Team", "Urgent"] {
        tags.all.push((tag(app, title).await, title.to_string()));
    }
    let (mut tasks, mut runs, mut links): (Vec<String>, Vec<String>, Vec<i64>) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..8 {
        let (run, t) = run_of(
            app,
            &format!("Run {i}"),
            1002,
            json!({"deadline": near_deadline(&mut rng, now)}),
        )
        .await;
        runs.push(run);
        tasks.push(t);
        let titles: Vec<&str> = tags
            .all
            .iter()
            .filter(|_| rng.chance(60))
            .map(|t| t.1.as_str())
            .collect();
        tasks.push(
            task(
                app,
                &format!("Task {i}"),
                json!({"tags": titles, "deadline": near_deadline(&mut rng, now)}),
            )
            .await,
        );
    }
    check(app, &tags, now, seed, 0).await;
    for step in 1..=45 {
        let id = tasks[rng.below(tasks.len())].clone();
        let path = format!("{TASKS}/{id}");
        let (tag_id, _) = tags.all[rng.below(tags.all.len())].clone();
        let status = match rng.below(12) {
            0 => {
                let titles: Vec<&str> = tags
                    .all
                    .iter()
                    .filter(|_| rng.chance(40))
                    .map(|t| t.1.as_str())
                    .collect();
                let body = json!({"tags": titles, "deadline": near_deadline(&mut rng, now)});
                tasks.push(task(app, &format!("Task {step}"), body).await);
                201
            }
            1 => {
                let (run, t) = run_of(
                    app,
                    &format!("Run {step}"),
                    1007,
                    json!({"deadline": near_deadline(&mut rng, now)}),
                )
                .await;
                runs.push(run);
                tasks.push(t);
                201
            }
            2 => {
                let (kind, subject) = if rng.chance(50) {
                    ("Task", id.clone())
                } else {
                    ("Run", runs[rng.below(runs.len())].clone())
                };
                links.extend(attach(app, kind, &subject, &tag_id).await);
                201
            }
            3 if !links.is_empty() => {
                let link = links.swap_remove(rng.below(links.len()));
                let r = app
                    .call(Method::DELETE, &format!("/organizations/acme/checklists/tags/{link}"))
                    .await;
                r.status
            }
            4..=7 => status_write(app, &mut rng, &id).await,
            8 => {
                let body = json!({ "deadline": near_deadline(&mut rng, now) });
                app.json(Method::PUT, &path, body).await.status
            }
            9 => delete_for_good(app, &id, &mut tasks).await,
            10 => {
                // Moved to another run, or out of any, behind the routes' back.
                let run = if rng.chance(25) {
                    "NULL".to_string()
                } else {
                    format!("'{}'", runs[rng.below(runs.len())])
                };
                exec_sql(app, &format!("UPDATE tasks SET run_id = {run} WHERE id = '{id}'")).await;
                200
            }
            _ => start_ahead(app, &id, now).await,
        };
        assert!(status < 500, "seed {seed}: write {step} answered {status}");
        if tasks.is_empty() {
            tasks.push(task(app, "Refill", json!({})).await);
        }
        if step % 9 == 0 {
            check(app, &tags, now, seed, step).await;
        }
    }
    // A deleted tag takes its links, and its counts, with it.
    let (gone, _) = tags.all[0].clone();
    app.call(Method::DELETE, &format!("/organizations/acme/tags/{gone}"))
        .await
        .expect(204);
    check(app, &tags, now, seed, 46).await;

    if backend == Backend::Postgres {
        // Deltas pile up (the triggers only insert): past a bound, a read of the tag's counts
        // folds them into one row per cell, and the sums stay the same.
        let (kept, _) = tags.all[1].clone();
        let key = Some(("tag_id", &*format!("'{kept}'")));
        pile_deltas(app, "tag_task_counts", key).await;
        check(app, &tags, now, seed, 47).await;
        assert!(
            deltas_folded(app, "tag_task_counts", key).await,
            "the deltas were folded"
        );
        check(app, &tags, now, seed, 48).await;
    }
}

on_both!(tag_counts_follow_random_writes_early_in_the_day, backend);
async fn tag_counts_follow_random_writes_early_in_the_day(backend: Backend) {
    random_writes(backend, NOW + 5 * HOUR, 2000).await;
}

on_both!(tag_counts_follow_random_writes_late_in_the_day, backend);
async fn tag_counts_follow_random_writes_late_in_the_day(backend: Backend) {
    random_writes(backend, NOW + 19 * HOUR, 4).await;
}
