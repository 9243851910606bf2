//! The activity feed (spec §2.6, §4.9, §5.6): each change recorded in its own transaction, the
//! filters, visibility, and the `after` cursor under concurrent writers (no gaps, no
//! duplicates, ascending ids).

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::fixtures::seed_members;
use crate::support::{Backend, TestApp};

mod seeded;
mod totals;

/// The ids of the organization's top-secret tasks, archived ones included.
async fn secret_tasks(app: &TestApp) -> HashSet<String> {
    let tasks = app
        .get(&app.org_path("/tasks?without_pagination=true&archived=true"))
        .await
        .expect(200);
    tasks
        .data()
        .as_array()
        .expect("tasks")
        .iter()
        .filter(|t| t["top_secret"] == true)
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

/// Every entry after `after`, following the cursor page by page (100 a page).
async fn drain(app: &TestApp, token: &str, after: i64) -> (Vec<Value>, i64) {
    let mut out = Vec::new();
    let mut cursor = after;
    loop {
        let r = app
            .send(app.request_as(
                token,
                Method::GET,
                &app.org_path(&format!("/activity-feeds?after={cursor}&per_page=100")),
            ))
            .await
            .expect(200);
        let page = r.data().as_array().expect("entries").clone();
        let next = r.body["meta"]["cursor"]["after"].as_i64().expect("cursor");
        if page.is_empty() {
            assert_eq!(next, cursor, "an empty page keeps the cursor");
            return (out, cursor);
        }
        assert_eq!(next, page.last().unwrap()["id"].as_i64().unwrap());
        cursor = next;
        out.extend(page);
    }
}

/// Every entry after `after` that `query` (`&key=value…`) matches, through the cursor.
async fn drain_query(app: &TestApp, token: &str, after: i64, query: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor = after;
    loop {
        let r = app
            .send(app.request_as(
                token,
                Method::GET,
                &app.org_path(&format!("/activity-feeds?after={cursor}&per_page=100{query}")),
            ))
            .await
            .expect(200);
        let page = r.data().as_array().expect("entries").clone();
        if page.is_empty() {
            return out;
        }
        cursor = r.body["meta"]["cursor"]["after"].as_i64().expect("cursor");
        out.extend(page);
    }
}

fn verbs(entries: &[Value]) -> Vec<(String, String)> {
    entries
        .iter()
        .map(|e| {
            (
                e["type"][0].as_str().unwrap().to_string(),
                e["verb"][0].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

on_both!(records_every_change_of_a_task_and_its_comments);
async fn records_every_change_of_a_task_and_its_comments(app: &TestApp) {
    let task = app
        .json(Method::POST, &app.org_path("/tasks"), json!({"title": "Review"}))
        .await
        .expect(201);
    let id = task.data()["id"].as_str().unwrap().to_string();
    let task_path = app.org_path(&format!("/tasks/{id}"));
    app.json(Method::PUT, &task_path, json!({"title": "Review the contract"}))
        .await
        .expect(200);
    app.json(Method::PUT, &task_path, json!({"owners": {"users": [1001]}}))
        .await
        .expect(200);
    let comment = app
        .json(
            Method::POST,
            &app.org_path(&format!("/tasks/{id}/comment")),
            json!({"content": "Looks fine"}),
        )
        .await
        .expect(201);
    let comment_id = comment.data()["id"].as_str().unwrap().to_string();
    app.json(Method::POST, &app.org_path("/completed-tasks"), json!({"task_id": id}))
        .await
        .expect(200);
    app.call(Method::DELETE, &app.org_path(&format!("/completed-tasks/{id}")))
        .await
        .expect(200);

    let (entries, _) = drain(app, &app.token, 0).await;
    assert_eq!(
        verbs(&entries),
        [
            ("Task", "created"),
            ("Task", "updated"),
            ("Task", "owners-updated"),
            ("Comment", "commented"),
            ("Task", "completed"),
            ("Task", "re-opened"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect::<Vec<_>>()
    );
    let ids: Vec<i64> = entries.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let created = &entries[0];
    assert_eq!(created["organization_id"], "acme");
    assert_eq!(created["auditable_type"], "App\\Models\\Task");
    assert_eq!(created["auditable_id"], id.as_str());
    assert_eq!(created["parentable_type"], Value::Null);
    assert_eq!(created["description"][0], "Created task: Review");
    assert_eq!(created["actor_id"], json!([1001]));
    assert_eq!(created["actor"][0]["email"], "bob@acme.test");
    assert_eq!(created["actor_type"], json!(["App\\Models\\User"]));
    assert_eq!(created["source"], json!(["Member"]));
    assert_eq!(created["undoable"], false);
    // `audit` is the object as it is now.
    assert_eq!(created["audit"]["data"]["title"], "Review the contract");
    let updated = &entries[1];
    assert_eq!(updated["field"], json!(["title"]));
    assert_eq!(updated["old_value"], json!(["Review"]));
    let commented = &entries[3];
    assert_eq!(commented["auditable_id"], comment_id.as_str());
    assert_eq!(commented["parentable_id"], id.as_str());
    assert_eq!(commented["text"], json!(["Looks fine"]));
    assert_eq!(entries[4]["description"][0], "Completed task: Review the contract");

    // Deleting the task: a `deleted` entry, and `audit` of the earlier ones becomes null.
    app.call(Method::DELETE, &app.org_path(&format!("/tasks/{id}/delete")))
        .await
        .expect(204);
    let (after, _) = drain(app, &app.token, *ids.last().unwrap()).await;
    assert_eq!(verbs(&after), [("Task".to_string(), "deleted".to_string())]);
    let first = app
        .get(&app.org_path("/activity-feeds?sort=id&per_page=1"))
        .await
        .expect(200);
    assert_eq!(first.data()[0]["audit"], json!({"data": null}));
}

on_both!(records_problems_and_their_resolution);
async fn records_problems_and_their_resolution(app: &TestApp) {
    let task = app
        .json(Method::POST, &app.org_path("/tasks"), json!({"title": "Ship"}))
        .await
        .expect(201);
    let id = task.data()["id"].as_str().unwrap().to_string();
    let problem = app
        .json(
            Method::POST,
            &app.org_path(&format!("/tasks/{id}/comment")),
            json!({"content": "Blocked", "label": "problem"}),
        )
        .await
        .expect(201);
    let problem_id = problem.data()["id"].as_str().unwrap().to_string();
    app.json(
        Method::POST,
        &app.org_path(&format!("/tasks/{id}/resolved-threads")),
        json!({"thread_id": problem_id, "content": "Unblocked"}),
    )
    .await
    .expect(201);
    let r = app
        .get(&app.org_path(&format!("/activity-feeds?entity_type=task&entity_id={id}&sort=id")))
        .await
        .expect(200);
    let got = verbs(r.data().as_array().unwrap());
    assert_eq!(
        got,
        [
            ("Task", "created"),
            ("Comment", "issue-reported"),
            ("Comment", "issue-resolved")
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect::<Vec<_>>()
    );
    let thread = app
        .get(&app.org_path(&format!("/activity-feeds?entity_type=thread&entity_id={problem_id}")))
        .await
        .expect(200);
    assert_eq!(thread.data().as_array().unwrap().len(), 1);
    assert_eq!(thread.data()[0]["text"], json!(["Blocked"]));
}

on_both!(records_templates_steps_runs_and_launches);
async fn records_templates_steps_runs_and_launches(app: &TestApp) {
    let t = app
        .json(
            Method::POST,
            &app.org_path("/checklists"),
            json!({"title": "Onboarding"}),
        )
        .await
        .expect(201);
    let checklist = t.data()["id"].as_str().unwrap().to_string();
    app.json(
        Method::POST,
        &app.org_path(&format!("/checklists/{checklist}/steps")),
        json!({"title": "Welcome"}),
    )
    .await
    .expect(201);
    app.json(
        Method::PUT,
        &app.org_path(&format!("/checklists/{checklist}")),
        json!({"title": "Onboarding v2"}),
    )
    .await
    .expect(200);
    let run = app
        .json(
            Method::POST,
            &app.org_path("/runs"),
            json!({"checklist_id": checklist, "name": "Onboard Ann"}),
        )
        .await
        .expect(201);
    let run_id = run.data()["id"].as_str().unwrap().to_string();
    let r = app
        .get(&app.org_path(&format!(
            "/activity-feeds?entity_type=checklist&entity_id={checklist}&sort=id"
        )))
        .await
        .expect(200);
    assert_eq!(
        verbs(r.data().as_array().unwrap()),
        [("Blueprint", "created"), ("Step", "created"), ("Blueprint", "updated")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    );
    assert_eq!(r.data()[2]["field"], json!(["title"]));
    assert_eq!(r.data()[1]["parentable_type"], "App\\Models\\Checklist");
    let r = app
        .get(&app.org_path(&format!("/activity-feeds?entity_type=run&entity_id={run_id}&sort=id")))
        .await
        .expect(200);
    let entries = r.data().as_array().unwrap();
    assert_eq!(
        verbs(entries),
        [("Process", "created"), ("Task", "created")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    );
    assert_eq!(entries[0]["parentable_id"], checklist.as_str());
    assert_eq!(entries[1]["parentable_id"], run_id.as_str());
    // Completing the run's only task completes the run.
    let task_id = entries[1]["auditable_id"].as_str().unwrap().to_string();
    app.json(
        Method::POST,
        &app.org_path(&format!("/runs/{run_id}/completed-tasks")),
        json!({"task_id": task_id}),
    )
    .await
    .expect(200);
    let r = app
        .get(&app.org_path(&format!(
            "/activity-feeds?entity_type=run&entity_id={run_id}&verb=completed&sort=id"
        )))
        .await
        .expect(200);
    assert_eq!(
        verbs(r.data().as_array().unwrap()),
        [("Task", "completed"), ("Process", "completed")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    );
}

on_both!(filters_and_their_errors);
async fn filters_and_their_errors(app: &TestApp) {
    for title in ["Alpha report", "Beta report", "Gamma"] {
        app.json(Method::POST, &app.org_path("/tasks"), json!({"title": title}))
            .await
            .expect(201);
    }
    let feed = |q: &str| {
        let path = app.org_path(&format!("/activity-feeds?{q}"));
        async move { app.get(&path).await }
    };
    let r = feed("search=REPORT").await.expect(200);
    assert_eq!(r.body["meta"]["pagination"]["total"], 2);
    let r = feed("sort=-id&per_page=1").await.expect(200);
    assert_eq!(r.data()[0]["description"][0], "Created task: Gamma");
    assert_eq!(r.body["meta"]["pagination"]["total"], 3);
    let r = feed("verb=completed").await.expect(200);
    assert_eq!(r.data().as_array().unwrap().len(), 0);
    let r = feed("type=Task,Process&actor_id=1001").await.expect(200);
    assert_eq!(r.data().as_array().unwrap().len(), 3);
    let r = feed("actor_email=nobody@acme.test").await.expect(200);
    assert_eq!(r.data().as_array().unwrap().len(), 0);
    let r = feed("actor_type=guest").await.expect(200);
    assert_eq!(r.data().as_array().unwrap().len(), 0);
    let r = feed("created_after=2000-01-01&created_before=2999-12-31")
        .await
        .expect(200);
    assert_eq!(r.data().as_array().unwrap().len(), 3);
    let r = feed("created_before=2000-01-01").await.expect(200);
    assert_eq!(r.data().as_array().unwrap().len(), 0);

    assert_eq!(
        feed("verb=exploded").await.expect_invalid("verb"),
        "The selected verb is invalid."
    );
    assert_eq!(
        feed("entity_type=planet&entity_id=x")
            .await
            .expect_invalid("entity_type"),
        "The selected entity type is invalid."
    );
    assert_eq!(
        feed("entity_type=task").await.expect_invalid("entity_id"),
        "The entity id field is required when entity type is present."
    );
    assert_eq!(
        feed("after=soon").await.expect_invalid("after"),
        "The after must be an integer."
    );
    assert_eq!(
        feed("search=x").await.expect_invalid("search"),
        "The search must be between 2 and 100 characters."
    );
    assert_eq!(
        feed("created_after=yesterday").await.expect_invalid("created_after"),
        "The created after is not a valid date."
    );
    feed("type=Planet").await.expect_invalid("type");
    feed("origin_id=1").await.expect_invalid("origin_type");
}

on_both!(top_secret_tasks_stay_hidden_from_who_may_not_see_them);
async fn top_secret_tasks_stay_hidden_from_who_may_not_see_them(app: &TestApp) {
    let light = seed_members(app).await;
    let (_, sam) = app.add_member("acme", 1010, "kim@acme.test", "standard").await;
    let secret = app
        .json(
            Method::POST,
            &app.org_path("/tasks"),
            json!({"title": "Salaries", "top_secret": true, "owners": {"users": [12345]}}),
        )
        .await
        .expect(201);
    let secret_id = secret.data()["id"].as_str().unwrap().to_string();
    app.json(
        Method::POST,
        &app.org_path(&format!("/tasks/{secret_id}/comment")),
        json!({"content": "confidential"}),
    )
    .await
    .expect(201);
    app.json(Method::POST, &app.org_path("/tasks"), json!({"title": "Lunch"}))
        .await
        .expect(201);

    let titles = |entries: &[Value]| -> Vec<String> {
        entries
            .iter()
            .map(|e| e["description"][0].as_str().unwrap().to_string())
            .collect()
    };
    // The admin sees everything; the light assignee sees the secret task; another standard
    // member sees only the open task.
    let (all, _) = drain(app, &app.token, 0).await;
    assert_eq!(all.len(), 3);
    let (assignee, _) = drain(app, &light, 0).await;
    assert_eq!(assignee.len(), 3, "{:?}", titles(&assignee));
    let (other, _) = drain(app, &sam, 0).await;
    assert_eq!(titles(&other), ["Created task: Lunch"]);
    let r = app
        .send(app.request_as(
            &sam,
            Method::GET,
            &app.org_path(&format!("/activity-feeds?entity_type=task&entity_id={secret_id}")),
        ))
        .await
        .expect(200);
    assert_eq!(r.data().as_array().unwrap().len(), 0);
    assert_eq!(r.body["meta"]["pagination"]["total"], 0);

    // What a member may not see is remembered between reads, and follows every write that
    // changes it: assigned to the secret task, the member sees it and everything about it;
    // taken off, no longer. Pages and totals agree each time.
    let total_as = |token: String, query: &'static str| async move {
        let path = app.org_path(&format!("/activity-feeds?per_page=1&page=2{query}"));
        let r = app.send(app.request_as(&token, Method::GET, &path)).await.expect(200);
        r.body["meta"]["pagination"]["total"].as_i64().expect("total")
    };
    let secret_path = app.org_path(&format!("/tasks/{secret_id}"));
    for (owners, sees) in [(json!([12345, 1010]), true), (json!([12345]), false)] {
        app.json(Method::PUT, &secret_path, json!({"owners": {"users": owners}}))
            .await
            .expect(200);
        let (all, _) = drain(app, &app.token, 0).await;
        let (theirs, _) = drain(app, &sam, 0).await;
        let about_secret = |e: &&Value| e["auditable_id"] == secret_id || e["parentable_id"] == secret_id;
        let want: Vec<&Value> = all.iter().filter(|e| sees || !about_secret(e)).collect();
        assert_eq!(theirs.len(), want.len(), "{:?}", titles(&theirs));
        assert_eq!(theirs.iter().any(|e| about_secret(&e)), sees);
        assert_eq!(total_as(sam.clone(), "").await, want.len() as i64);
        let past_first = want.iter().filter(|e| e["id"].as_i64() > Some(1)).count() as i64;
        assert_eq!(total_as(sam.clone(), "&after=1").await, past_first);
        let tasks = want.iter().filter(|e| e["type"][0] == "Task").count() as i64;
        assert_eq!(total_as(sam.clone(), "&type=Task").await, tasks);
    }
}

/// Many writers create tasks at once while a reader follows the cursor: the reader sees every
/// entry exactly once, in ascending id order, and nothing the feed holds at the end is missing
/// from what it saw.
async fn the_cursor_never_skips_or_repeats_under_concurrent_writers(app: &TestApp) {
    const WRITERS: usize = 8;
    const EACH: usize = 25;
    let done = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let client = reqwest::Client::new();
        let url = format!("{}{}", app.base, app.org_path("/tasks"));
        let token = app.token.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..EACH {
                let r = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("X-Tallyfy-Client", "APIClient")
                    .json(&json!({"title": format!("w{w} t{i}")}))
                    .send()
                    .await
                    .expect("create");
                assert_eq!(r.status().as_u16(), 201);
            }
        }));
    }
    let reader_done = done.clone();
    let mut seen: Vec<i64> = Vec::new();
    let mut cursor = 0;
    let mut polls = 0;
    loop {
        let finished = reader_done.load(Ordering::SeqCst);
        let (page, next) = drain(app, &app.token, cursor).await;
        seen.extend(page.iter().map(|e| e["id"].as_i64().unwrap()));
        cursor = next;
        polls += 1;
        if finished {
            break;
        }
        if writers.iter().all(|w| w.is_finished()) {
            done.store(true, Ordering::SeqCst);
        }
    }
    for w in writers {
        w.await.expect("writer");
    }
    assert!(polls > 1, "the reader polled while writers wrote");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "ascending, no repeats");
    let unique: HashSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len());
    assert_eq!(seen.len(), WRITERS * EACH, "every create seen exactly once");
    // Nothing the feed holds was skipped by the reader.
    let all = app
        .get(&app.org_path("/activity-feeds?sort=id&per_page=1000"))
        .await
        .expect(200);
    let every: Vec<i64> = all
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(every, seen);
}
on_both!(the_cursor_never_skips_or_repeats_under_concurrent_writers);

/// PostgreSQL: a transaction that inserted its entry first but commits last is numbered after
/// the one that committed first, so a reader that already moved past the first never misses it.
async fn an_entry_committed_late_gets_a_later_position_postgres(backend: Backend) {
    use sqlx::Connection;
    Backend::require_postgres();
    assert_eq!(backend, Backend::Postgres);
    let app = TestApp::spawn(Backend::Postgres).await;
    let url = app.store_url();
    let insert = "INSERT INTO activity (entry_key, org_id, verb, source, actor_id, type, auditable_type,
                      auditable_id, description, title, created_at)
                  VALUES ($1, 'acme', 'created', 'Member', 1001, 'Task', 'App\\Models\\Task', $1, $1, $1, 1)";
    let mut slow = sqlx::PgConnection::connect(&url).await.expect("connect");
    let mut fast = sqlx::PgConnection::connect(&url).await.expect("connect");
    let mut slow_tx = slow.begin().await.expect("begin");
    sqlx::query(insert)
        .bind("slow")
        .execute(&mut *slow_tx)
        .await
        .expect("insert");
    let mut fast_tx = fast.begin().await.expect("begin");
    sqlx::query(insert)
        .bind("fast")
        .execute(&mut *fast_tx)
        .await
        .expect("insert");
    fast_tx.commit().await.expect("commit");

    let (first, cursor) = drain(&app, &app.token, 0).await;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0]["auditable_id"], "fast");
    slow_tx.commit().await.expect("commit");
    let (second, _) = drain(&app, &app.token, cursor).await;
    assert_eq!(second.len(), 1, "the late commit is not skipped");
    assert_eq!(second[0]["auditable_id"], "slow");
    assert!(second[0]["id"].as_i64().unwrap() > cursor);
    app.stop().await;
}

mod postgres_only {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_entry_committed_late_gets_a_later_position_postgres() {
        super::an_entry_committed_late_gets_a_later_position_postgres(crate::support::Backend::Postgres).await;
    }
}
