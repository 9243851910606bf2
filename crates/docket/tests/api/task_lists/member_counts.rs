//! The per-member task counts of migration 0032 (`member_task_counts`), kept by triggers on
//! `member_tasks`, from which a member's list filtered by status (`owners=` of one member, a
//! member's tasks, my tasks) takes its total: after random writes of every kind (creates
//! assigned to members and groups, standalone and in runs, top secret or not; reassignments;
//! group memberships changed; status changes, completions, reopenings, problems, deadline
//! changes, archiving, restoring, deleting; a group deleted; and a hard start date ahead in raw
//! SQL), every cell equals a fresh count of the tasks assigned to the member, directly or
//! through a group, and so does every such list's `meta.pagination.total` on all three routes,
//! the clock's statuses included. Run with the clock early and late in its day (`overdue`
//! counts today's part on either side of it).

use super::*;
use crate::support::fixtures::count_rows;
use crate::support::rng::Rng;

/// The members whose lists are checked.
const MEMBERS: [i64; 3] = [1002, 1005, 1007];

/// Each member's tasks, from the assignments themselves.
const ASSIGNED: &str = "SELECT x.task_id, x.user_id FROM task_users x
    UNION SELECT x.task_id, m.user_id FROM task_groups x JOIN group_members m ON m.group_id = x.group_id";

/// Cells where the kept count and a fresh count of the members' tasks differ.
fn drift_sql() -> String {
    format!(
        "SELECT COUNT(*) FROM (
            SELECT user_id, status, problem, archived, due_day FROM (
                SELECT user_id, status, problem, archived, due_day, n FROM member_task_counts WHERE org_id = $1
                UNION ALL
                SELECT a.user_id, t.status, t.problem, t.archived_at IS NOT NULL,
                       CASE WHEN t.status IN ('completed', 'auto-skipped') THEN 0 ELSE t.deadline / 86400000 END, -1
                  FROM tasks t JOIN ({ASSIGNED}) a ON a.task_id = t.id
                 WHERE t.org_id = $1) x
             GROUP BY user_id, status, problem, archived, due_day HAVING SUM(n) <> 0) d"
    )
}

/// Some of the members, drawn by `rng`.
fn some_members(rng: &mut Rng) -> Vec<i64> {
    MEMBERS.iter().copied().filter(|_| rng.chance(40)).collect()
}

/// Owners drawn by `rng`: some members, and the group or not.
fn owners(rng: &mut Rng, group: &str) -> Value {
    let groups: Vec<&str> = if rng.chance(35) { vec![group] } else { vec![] };
    json!({"users": some_members(rng), "groups": groups})
}

async fn check(app: &TestApp, tokens: &[(i64, String)], now: i64, seed: u64, step: usize) {
    let drift = count_rows(app, &drift_sql(), "acme").await;
    assert_eq!(
        drift, 0,
        "seed {seed}, after write {step}: member_task_counts drifted from the assigned tasks"
    );
    for (member, token) in tokens {
        for (params, condition) in KEPT_STATUSES {
            let condition = condition
                .replace("{now}", &now.to_string())
                .replace("{soon}", &(now + DAY).to_string());
            let sql = format!(
                "SELECT COUNT(*) FROM tasks t WHERE t.org_id = $1 AND {condition}
                    AND t.id IN (SELECT a.task_id FROM ({ASSIGNED}) a WHERE a.user_id = {member})"
            );
            let want = count_rows(app, &sql, "acme").await;
            let paths = [
                format!("/organizations/acme/users/{member}/tasks?per_page=3{params}"),
                format!("{TASKS}?owners={member}&per_page=3{params}"),
            ];
            let mut answers = Vec::new();
            for path in &paths {
                answers.push((path.clone(), app.get(path).await.expect(200)));
            }
            let mine = format!("/organizations/acme/me/tasks?per_page=3{params}");
            answers.push((
                format!("{mine} as {member}"),
                get_as(app, token, &mine).await.expect(200),
            ));
            for (path, r) in answers {
                assert_counted(&r, want, seed, step, &path);
            }
        }
    }
}

async fn random_writes(backend: Backend, now: i64) {
    let (owned, seed, mut rng) = count_test(backend, now, None).await;
    let app = &owned;
    let (sam, ann, kim) = members(app).await;
    let tokens = [(1002, sam), (1005, ann), (1007, kim)];
    let ops = group(app, "Ops", &[1005, 1007], &[]).await;
    let mut tasks: Vec<String> = Vec::new();
    for i in 0..8 {
        let (_, t) = run_of(
            app,
            &format!("Run {i}"),
            MEMBERS[rng.below(MEMBERS.len())],
            json!({"deadline": near_deadline(&mut rng, now)}),
        )
        .await;
        tasks.push(t);
        let body = json!({
            "owners": owners(&mut rng, &ops),
            "deadline": near_deadline(&mut rng, now),
            "top_secret": rng.chance(30),
        });
        tasks.push(task(app, &format!("Task {i}"), body).await);
    }
    check(app, &tokens, now, seed, 0).await;
    for step in 1..=45 {
        let id = tasks[rng.below(tasks.len())].clone();
        let path = format!("{TASKS}/{id}");
        let status = match rng.below(12) {
            0 => {
                let body = json!({
                    "owners": owners(&mut rng, &ops),
                    "deadline": near_deadline(&mut rng, now),
                    "top_secret": rng.chance(30),
                });
                tasks.push(task(app, &format!("Task {step}"), body).await);
                201
            }
            1 => {
                let (_, t) = run_of(
                    app,
                    &format!("Run {step}"),
                    MEMBERS[rng.below(MEMBERS.len())],
                    json!({"deadline": near_deadline(&mut rng, now)}),
                )
                .await;
                tasks.push(t);
                201
            }
            2 => {
                let body = json!({ "owners": owners(&mut rng, &ops) });
                app.json(Method::PUT, &path, body).await.status
            }
            3 => {
                let body = json!({"name": "Ops", "members": some_members(&mut rng)});
                app.json(Method::PUT, &format!("/organizations/acme/groups/{ops}"), body)
                    .await
                    .status
            }
            4..=7 => status_write(app, &mut rng, &id).await,
            8 => {
                let body = json!({ "deadline": near_deadline(&mut rng, now) });
                app.json(Method::PUT, &path, body).await.status
            }
            9 => delete_for_good(app, &id, &mut tasks).await,
            _ => start_ahead(app, &id, now).await,
        };
        assert!(status < 500, "seed {seed}: write {step} answered {status}");
        if tasks.is_empty() {
            tasks.push(task(app, "Refill", json!({})).await);
        }
        if step % 9 == 0 {
            check(app, &tokens, now, seed, step).await;
        }
    }
    // A deleted group takes its members' tasks through it, and their counts, with it.
    app.call(Method::DELETE, &format!("/organizations/acme/groups/{ops}"))
        .await
        .expect(204);
    check(app, &tokens, now, seed, 46).await;

    if backend == Backend::Postgres {
        // Deltas pile up (the triggers only insert): past a bound, a read of the member's
        // counts folds them into one row per cell, and the sums stay the same.
        let key = Some(("user_id", "1002"));
        pile_deltas(app, "member_task_counts", key).await;
        check(app, &tokens, now, seed, 47).await;
        assert!(
            deltas_folded(app, "member_task_counts", key).await,
            "the deltas were folded"
        );
        check(app, &tokens, now, seed, 48).await;
    }
}

on_both!(member_counts_follow_random_writes_early_in_the_day, backend);
async fn member_counts_follow_random_writes_early_in_the_day(backend: Backend) {
    random_writes(backend, NOW + 5 * HOUR).await;
}

on_both!(member_counts_follow_random_writes_late_in_the_day, backend);
async fn member_counts_follow_random_writes_late_in_the_day(backend: Backend) {
    random_writes(backend, NOW + 19 * HOUR).await;
}
