//! The feed's `meta.pagination.total`, summed from the counts the numbering keeps
//! (`activity_tally.rs`): for every filter the tally answers, each cursor position (inside an
//! id block and at its edges), admins and members with hidden top-secret tasks, it equals the
//! number of entries the pages hold; it moves by exactly the entries written since; and the
//! counts agree with the entries themselves (a test that fails when a write path does not keep
//! them).

use std::collections::{HashMap, HashSet};

use reqwest::Method;
use serde_json::{Value, json};

use super::seeded::{seed, total};
use crate::support::fixtures::{count_rows, exec_sql};
use crate::support::{Backend, TestApp};

/// Entries per id block (`activity_tally::BLOCK`).
const BLOCK: i64 = 4096;

/// The total `path` answers as `token` (page 2 of 1: never the short page's own length).
async fn total_of(app: &TestApp, token: &str, query: &str) -> i64 {
    let path = app.org_path(&format!("/activity-feeds?per_page=1&page=2{query}"));
    let r = app.send(app.request_as(token, Method::GET, &path)).await.expect(200);
    total(&r.body)
}

/// How many tally rows of the organization disagree with a count of its numbered entries, at
/// the grains every total reads: all time, per block, per day, per actor, per detail.
async fn disagreements(app: &TestApp) -> i64 {
    let checks = [
        // All time, every actor, no detail.
        "SELECT COUNT(*) FROM (SELECT COUNT(*) AS n FROM activity WHERE org_id = $1 AND id IS NOT NULL) c
           LEFT JOIN activity_tally t ON t.org_id = $1 AND t.actor = -1 AND t.detail = 0 AND t.day = -1 AND t.block = -1
          WHERE COALESCE(t.n, 0) <> c.n",
        // Per block.
        "SELECT COUNT(*) FROM (SELECT id / 4096 AS block, COUNT(*) AS n FROM activity
                                WHERE org_id = $1 AND id IS NOT NULL GROUP BY id / 4096) c
           LEFT JOIN activity_tally t ON t.org_id = $1 AND t.actor = -1 AND t.detail = 0 AND t.day = -1
                                     AND t.block = c.block
          WHERE t.n IS NULL OR t.n <> c.n",
        // Per day and block, by actor and detail.
        "SELECT COUNT(*) FROM (SELECT actor_id, created_at / 86400000 AS day, id / 4096 AS block, source, type, verb,
                                      COUNT(*) AS n FROM activity
                                WHERE org_id = $1 AND id IS NOT NULL AND actor_id IS NOT NULL
                                GROUP BY actor_id, created_at / 86400000, id / 4096, source, type, verb) c
           LEFT JOIN activity_tally t ON t.org_id = $1 AND t.actor = c.actor_id AND t.detail = 1 AND t.day = c.day
                                     AND t.block = c.block AND t.source = c.source AND t.type = c.type
                                     AND t.verb = c.verb AND t.guest = 0
          WHERE t.n IS NULL OR t.n <> c.n",
        // No row counts entries that are not there.
        "SELECT COUNT(*) FROM activity_tally t WHERE t.org_id = $1 AND t.actor = -1 AND t.detail = 1
            AND t.day = -1 AND t.block = -1
            AND t.n <> (SELECT COUNT(*) FROM activity a WHERE a.org_id = $1 AND a.id IS NOT NULL
                           AND a.source = t.source AND a.type = t.type AND a.verb = t.verb
                           AND (CASE WHEN a.actor_guest_id IS NULL THEN 0 ELSE 1 END) = t.guest)",
    ];
    let mut bad = 0;
    for sql in checks {
        bad += count_rows(app, sql, "acme").await;
    }
    bad
}

/// The UTC day of an entry.
fn day(e: &Value) -> &str {
    &e["created_at"].as_str().expect("created_at")[..10]
}

/// A filter as a query string and the entries it keeps.
type Case<'a> = (String, Box<dyn Fn(&Value) -> bool + 'a>);

/// The filters the tally answers, alone and combined, with their predicates over entries.
fn cases<'a>(everything: &'a [Value]) -> Vec<Case<'a>> {
    let mut by_actor: HashMap<i64, usize> = HashMap::new();
    for a in everything.iter().filter_map(|e| e["actor_id"][0].as_i64()) {
        *by_actor.entry(a).or_default() += 1;
    }
    let actor = by_actor.into_iter().max_by_key(|(_, n)| *n).expect("an actor").0;
    let n = everything.len();
    let (d1, d2) = (day(&everything[n / 3]).to_string(), day(&everything[n / 2]).to_string());
    let (a1, a2) = (d1.clone(), d2.clone());
    let (b1, b2) = (d1.clone(), d2.clone());
    let kind = |e: &Value, k: &str| e["type"][0] == k;
    let verb = |e: &Value, v: &str| e["verb"][0] == v;
    vec![
        (String::new(), Box::new(|_| true)),
        ("&type=Comment".into(), Box::new(move |e| kind(e, "Comment"))),
        (
            "&type=Task,Process".into(),
            Box::new(move |e| kind(e, "Task") || kind(e, "Process")),
        ),
        ("&verb=completed".into(), Box::new(move |e| verb(e, "completed"))),
        (
            "&verb=created,updated".into(),
            Box::new(move |e| verb(e, "created") || verb(e, "updated")),
        ),
        ("&source=Webhook".into(), Box::new(|e| e["source"][0] == "Webhook")),
        // One kind of entry alone: a page of one arm.
        (
            "&source=Member&type=Task&verb=re-opened".into(),
            Box::new(move |e| e["source"][0] == "Member" && kind(e, "Task") && verb(e, "re-opened")),
        ),
        (
            "&source=Member&verb=updated".into(),
            Box::new(move |e| e["source"][0] == "Member" && verb(e, "updated")),
        ),
        (
            format!("&actor_id={actor}"),
            Box::new(move |e| e["actor_id"][0] == actor),
        ),
        (
            "&actor_type=user".into(),
            Box::new(|e| e["actor_type"][0] == "App\\Models\\User"),
        ),
        (
            "&actor_type=guest".into(),
            Box::new(|e| e["actor_type"][0] == "App\\Models\\Guest"),
        ),
        (
            format!("&created_after={d1}&created_before={d2}"),
            Box::new(move |e| day(e) >= d1.as_str() && day(e) <= d2.as_str()),
        ),
        (format!("&created_after={a2}"), Box::new(move |e| day(e) >= a2.as_str())),
        (
            format!("&created_before={a1}"),
            Box::new(move |e| day(e) <= a1.as_str()),
        ),
        (
            format!("&type=Task&actor_id={actor}&created_after={b1}&created_before={b2}"),
            Box::new(move |e| {
                kind(e, "Task") && e["actor_id"][0] == actor && day(e) >= b1.as_str() && day(e) <= b2.as_str()
            }),
        ),
    ]
}

/// The top-secret task an entry is about, if any (its task, or the task of its comment).
fn task_of(e: &Value) -> Option<&str> {
    match e["auditable_type"].as_str() {
        Some("App\\Models\\Task") => e["auditable_id"].as_str(),
        Some("App\\Models\\Thread") => e["parentable_id"].as_str(),
        _ => None,
    }
}

/// The feed the total and page tests read: more than two blocks of generated entries (numbered
/// by `seed-demo`), then writes numbered by the writers (SQLite) or a reader (PostgreSQL).
struct Feed {
    /// Every entry, in id order (the admin's cursor walk).
    everything: Vec<Value>,
    /// The last id.
    last: i64,
    /// The top-secret tasks (none of them assigned to `kim`).
    secret: HashSet<String>,
    admin: String,
    /// A standard member assigned nothing.
    kim: String,
}

impl Feed {
    async fn seeded(app: &TestApp) -> Feed {
        let url = app.store_url();
        seed(&url, &["--tasks", "150", "--activity", "9000", "--seed", "5"]);
        app.store().forget_counts();
        for i in 0..3 {
            app.json(
                Method::POST,
                &app.org_path("/tasks"),
                json!({"title": format!("Written {i}")}),
            )
            .await
            .expect(201);
        }
        let kim = app.add_member("acme", 1077, "kim@acme.test", "standard").await.1;
        let secret = super::secret_tasks(app).await;
        let admin = app.token.clone();
        let (everything, last) = super::drain(app, &admin, 0).await;
        assert!(last > 2 * BLOCK, "more than two blocks: {last}");
        Feed {
            everything,
            last,
            secret,
            admin,
            kim,
        }
    }

    /// Whether `e` is about a top-secret task (hidden from `kim`).
    fn hidden(&self, e: &Value) -> bool {
        task_of(e).is_some_and(|t| self.secret.contains(t))
    }
}

on_both!(the_total_is_the_number_of_entries_for_every_filter_cursor_and_viewer);
/// Every case's total, as the admin and as a member who does not see the top-secret tasks,
/// against the entries of the admin's cursor walk filtered here.
async fn the_total_is_the_number_of_entries_for_every_filter_cursor_and_viewer(app: &TestApp) {
    let feed = Feed::seeded(app).await;
    assert_eq!(disagreements(app).await, 0, "the counts agree with the entries");
    let (everything, last, admin, kim) = (&feed.everything, feed.last, &feed.admin, &feed.kim);
    let hidden = |e: &Value| feed.hidden(e);
    assert!(everything.iter().any(hidden), "the seed names a top-secret task");
    // The member's own walk leaves out exactly the hidden entries.
    let (theirs, _) = super::drain(app, kim, 0).await;
    assert_eq!(theirs.len(), everything.iter().filter(|e| !hidden(e)).count());

    let id = |e: &Value| e["id"].as_i64().unwrap();
    let mid = id(&everything[everything.len() / 2]);
    let afters: Vec<Option<i64>> = [
        None,
        Some(0),
        Some(1),
        Some(BLOCK - 1),
        Some(BLOCK),
        Some(BLOCK + 1),
        Some(2 * BLOCK - 1),
        Some(2 * BLOCK),
        Some(mid),
        Some(last - 1),
        Some(last),
        Some(last + 10 * BLOCK),
        Some(i64::MAX),
    ]
    .into();
    for (query, keep) in cases(everything) {
        for after in &afters {
            let cursor = after.map(|a| format!("&after={a}")).unwrap_or_default();
            for (who, token) in [("admin", admin), ("member", kim)] {
                let want = everything
                    .iter()
                    .filter(|e| after.is_none_or(|a| id(e) > a))
                    .filter(|e| keep(e))
                    .filter(|e| who == "admin" || !hidden(e))
                    .count() as i64;
                let got = total_of(app, token, &format!("{query}{cursor}")).await;
                assert_eq!(got, want, "{who}: {query}{cursor}");
            }
        }
    }

    // A client walking all pages sees the total (a filter, as the member).
    let walked = super::drain_query(app, kim, 0, "&type=Task").await;
    assert_eq!(total_of(app, kim, "&type=Task").await, walked.len() as i64);

    // New writes move every total by exactly the entries written.
    let before = total_of(app, admin, "").await;
    let tasks_before = total_of(app, admin, "&type=Task").await;
    let after_last = total_of(app, admin, &format!("&after={last}")).await;
    assert_eq!(after_last, 0);
    let r = app
        .json(Method::POST, &app.org_path("/tasks"), json!({"title": "Later"}))
        .await
        .expect(201);
    let task = r.data()["id"].as_str().unwrap().to_string();
    app.json(
        Method::POST,
        &app.org_path(&format!("/tasks/{task}/comment")),
        json!({"content": "Noted"}),
    )
    .await
    .expect(201);
    app.json(
        Method::POST,
        &app.org_path("/completed-tasks"),
        json!({"task_id": task}),
    )
    .await
    .expect(200);
    let (new, _) = super::drain(app, admin, last).await;
    assert_eq!(new.len(), 3, "{new:?}");
    assert_eq!(total_of(app, admin, "").await, before + 3);
    assert_eq!(total_of(app, admin, "&type=Task").await, tasks_before + 2);
    assert_eq!(total_of(app, admin, &format!("&after={last}")).await, 3);
    assert_eq!(total_of(app, kim, &format!("&after={last}&verb=commented")).await, 1);
    assert_eq!(disagreements(app).await, 0, "the counts agree after the writes");

    // The counts are what the totals read: one removed is seen (the test fails if a write
    // path leaves them behind).
    exec_sql(
        app,
        "UPDATE activity_tally SET n = n - 1 WHERE org_id = 'acme' AND actor = -1 AND detail = 0
            AND day = -1 AND block = -1",
    )
    .await;
    assert_eq!(total_of(app, admin, "").await, before + 2);
    assert_eq!(disagreements(app).await, 1);
}

on_both!(every_tallied_filter_pages_the_entries_it_counts);
/// A page filtered by type, verb, source or actor is merged from one range per kind of entry
/// (`activity_org_kind_*`, `activity_org_actor_*`), and one in id order with a `created_*`
/// window reads only the id blocks of the window's days (several ranges here: the seed's own
/// entries have the first ids and today's date). For every case, order, cursor and viewer, the
/// pages hold exactly the entries of the admin's cursor walk that the filter keeps, in order.
async fn every_tallied_filter_pages_the_entries_it_counts(app: &TestApp) {
    let feed = Feed::seeded(app).await;
    let everything = &feed.everything;
    let id = |e: &Value| e["id"].as_i64().unwrap();
    let key = |e: &Value| (e["created_at"].as_str().unwrap().to_string(), id(e));
    let mid = id(&everything[everything.len() / 2]);
    for (query, keep) in cases(everything) {
        for (who, token) in [("admin", &feed.admin), ("member", &feed.kim)] {
            let mut want: Vec<&Value> = everything
                .iter()
                .filter(|e| keep(e))
                .filter(|e| who == "admin" || !feed.hidden(e))
                .collect();
            for sort in ["-created_at", "created_at", "id", "-id"] {
                match sort {
                    "id" => want.sort_by_key(|e| id(e)),
                    "-id" => want.sort_by_key(|e| std::cmp::Reverse(id(e))),
                    "created_at" => want.sort_by_key(|e| key(e)),
                    _ => want.sort_by_key(|e| std::cmp::Reverse(key(e))),
                }
                for page in [1, 3] {
                    let path = app.org_path(&format!("/activity-feeds?per_page=40&page={page}&sort={sort}{query}"));
                    let r = app.send(app.request_as(token, Method::GET, &path)).await.expect(200);
                    let got: Vec<i64> = r.data().as_array().expect("entries").iter().map(id).collect();
                    let expected: Vec<i64> = want.iter().skip((page - 1) * 40).take(40).map(|e| id(e)).collect();
                    assert_eq!(got, expected, "{who}: sort={sort}&page={page}{query}");
                }
            }
            want.sort_by_key(|e| id(e));
            for after in [0, BLOCK - 1, BLOCK + 7, mid, feed.last - 1] {
                let path = app.org_path(&format!("/activity-feeds?per_page=40&after={after}{query}"));
                let r = app.send(app.request_as(token, Method::GET, &path)).await.expect(200);
                let got: Vec<i64> = r.data().as_array().expect("entries").iter().map(id).collect();
                let expected: Vec<i64> = want.iter().map(|e| id(e)).filter(|i| *i > after).take(40).collect();
                assert_eq!(got, expected, "{who}: after={after}{query}");
            }
        }
    }
}

on_both!(entries_committed_out_of_order_are_counted_when_numbered);
/// PostgreSQL: an entry whose transaction commits after a later one's is numbered (and counted)
/// by the reader that first sees it committed, after the entries numbered before; the totals
/// follow. (SQLite numbers in the writer's own transaction: nothing to interleave.)
async fn entries_committed_out_of_order_are_counted_when_numbered(app: &TestApp) {
    use sqlx::Connection;
    if app.backend != Backend::Postgres {
        return;
    }
    let admin = app.token.clone();
    app.json(Method::POST, &app.org_path("/tasks"), json!({"title": "First"}))
        .await
        .expect(201);
    let (_, cursor) = super::drain(app, &admin, 0).await;
    let before = total_of(app, &admin, "").await;
    // A writer's transaction, open: its entry has the earlier key.
    let mut slow = sqlx::PgConnection::connect(&app.store_url()).await.expect("postgres");
    let mut tx = slow.begin().await.expect("begin");
    sqlx::query(
        "INSERT INTO activity (entry_key, org_id, verb, source, actor_id, type, auditable_type, auditable_id,
                               description, title, created_at)
         VALUES ('0000000000000000slow:', 'acme', 'updated', 'Member', 1001, 'Blueprint',
                 'App\\Models\\Checklist', 'none', 'Updated template: Late', 'Late', 1700000000000)",
    )
    .execute(&mut *tx)
    .await
    .expect("insert");
    app.json(Method::POST, &app.org_path("/tasks"), json!({"title": "Second"}))
        .await
        .expect(201);
    // Read (and numbered) without the open one.
    assert_eq!(total_of(app, &admin, "").await, before + 1);
    assert_eq!(total_of(app, &admin, &format!("&after={cursor}")).await, 1);
    assert_eq!(total_of(app, &admin, "&type=Blueprint").await, 0);
    tx.commit().await.expect("commit");
    slow.close().await.expect("close");
    // Numbered after the other, counted once.
    let (late, _) = super::drain(app, &admin, cursor).await;
    let kinds: Vec<&str> = late.iter().map(|e| e["type"][0].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Task", "Blueprint"]);
    assert_eq!(total_of(app, &admin, "").await, before + 2);
    assert_eq!(total_of(app, &admin, &format!("&after={cursor}")).await, 2);
    assert_eq!(total_of(app, &admin, "&type=Blueprint&source=Member").await, 1);
    assert_eq!(
        total_of(
            app,
            &admin,
            "&type=Blueprint&created_after=2023-11-14&created_before=2023-11-14"
        )
        .await,
        1
    );
    assert_eq!(disagreements(app).await, 0);
}
