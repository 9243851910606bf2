//! Launches at the same moment: those waiting for the writer share one transaction and one
//! commit (`sql/launch_commit.rs`), with one statement per kind of row for the whole batch, on
//! both backends. Every launch is whole or absent, numbered once, a refused one writes nothing
//! and leaves no gap in the numbers, and one failing launch fails alone. And the template a
//! launch copies is the template as it is now, however recently it was launched before.

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::json;

use super::{COLLECT, KICKOFF, TEMPLATE, example_template, group, insert_step, insert_template, launch, run_tasks};
use crate::support::fixtures::{count_rows, exec_sql};
use crate::support::{Backend, TestApp};

/// A second template: one step, no form fields.
const PLAIN: &str = "b0b0b0b0112233445566778899aabbcc";
const ONLY: &str = "b1b1b1b1112233445566778899aabbcc";

on_both!(concurrent_launches_are_each_whole_and_numbered_once);
async fn concurrent_launches_are_each_whole_and_numbered_once(app: &TestApp) {
    let group = group(app).await;
    example_template(app, &group).await;
    let bodies: Vec<_> = (0..16)
        .map(
            |i| json!({ "checklist_id": TEMPLATE, "name": format!("Run {i}"), "prerun": { KICKOFF: format!("C{i}") } }),
        )
        .collect();
    let answers = join_all(bodies.iter().map(|b| launch(app, b.clone()))).await;
    let mut numbers = Vec::new();
    for (i, r) in answers.into_iter().enumerate() {
        let r = r.expect(201);
        let run = r.data();
        assert_eq!(run["name"], format!("Run {i}"), "each launch answers with its own run");
        assert_eq!(run["prerun"][KICKOFF], format!("C{i}"));
        numbers.push(run["increment_id"].as_i64().expect("increment_id"));
        let tasks = run_tasks(app, run["id"].as_str().unwrap()).await;
        assert_eq!(tasks.len(), 2, "every run has all its tasks");
        assert_eq!(tasks[0]["form_fields"]["data"][0]["label"], "Contract");
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=16).collect::<Vec<i64>>());
    assert_eq!(
        count_rows(app, "SELECT COUNT(*) FROM runs WHERE org_id = $1", "acme").await,
        16
    );
    assert_eq!(
        count_rows(
            app,
            "SELECT COUNT(DISTINCT increment_id) FROM tasks WHERE org_id = $1",
            "acme"
        )
        .await,
        32
    );
    assert_eq!(
        count_rows(app, "SELECT started_processes FROM checklists WHERE id = $1", TEMPLATE).await,
        16
    );
}

on_both!(a_failing_launch_among_concurrent_ones_fails_alone, backend);
async fn a_failing_launch_among_concurrent_ones_fails_alone(backend: Backend) {
    let running = TestApp::spawn(backend).await;
    let app = &running;
    let group = group(app).await;
    example_template(app, &group).await;
    insert_template(app, "acme", PLAIN, "Plain", "", "").await;
    insert_step(app, PLAIN, ONLY, 1, "Only step", "", "").await;
    // The database refuses the copy of the example's capture, late in its launch.
    match backend {
        Backend::Sqlite => {
            exec_sql(
                app,
                "CREATE TRIGGER refuse_capture BEFORE INSERT ON captures WHEN NEW.label = 'Contract'
                 BEGIN SELECT RAISE(ABORT, 'refused'); END",
            )
            .await
        }
        Backend::Postgres => {
            exec_sql(
                app,
                "CREATE FUNCTION refuse_capture() RETURNS trigger AS $$ BEGIN
                   IF NEW.label = 'Contract' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
            )
            .await;
            exec_sql(
                app,
                "CREATE TRIGGER refuse_capture BEFORE INSERT ON captures FOR EACH ROW EXECUTE FUNCTION refuse_capture()",
            )
            .await;
        }
    }
    for round in 0..3 {
        let bodies: Vec<_> = (0..9)
            .map(|i| match i {
                4 => json!({ "checklist_id": TEMPLATE, "prerun": { KICKOFF: "X" } }),
                _ => json!({ "checklist_id": PLAIN, "name": format!("Plain {round}.{i}") }),
            })
            .collect();
        let answers = join_all(bodies.iter().map(|b| launch(app, b.clone()))).await;
        for (i, r) in answers.into_iter().enumerate() {
            if i == 4 {
                assert_eq!(r.status, 500, "{}", r.text);
            } else {
                assert_eq!(r.expect(201).data()["name"], format!("Plain {round}.{i}"));
            }
        }
    }
    for (sql, key, want) in [
        ("SELECT COUNT(*) FROM runs WHERE org_id = $1", "acme", 24),
        ("SELECT COUNT(*) FROM tasks WHERE org_id = $1", "acme", 24),
        (
            "SELECT COUNT(*) FROM captures WHERE task_id IN (SELECT id FROM tasks WHERE org_id = $1)",
            "acme",
            0,
        ),
        ("SELECT run_seq FROM organizations WHERE id = $1", "acme", 24),
        ("SELECT started_processes FROM checklists WHERE id = $1", TEMPLATE, 0),
        ("SELECT started_processes FROM checklists WHERE id = $1", PLAIN, 24),
    ] {
        assert_eq!(count_rows(app, sql, key).await, want, "{sql}");
    }
    running.stop().await;
}

on_both!(refused_launches_among_concurrent_ones_write_nothing);
async fn refused_launches_among_concurrent_ones_write_nothing(app: &TestApp) {
    let group = group(app).await;
    example_template(app, &group).await;
    insert_template(app, "acme", PLAIN, "Plain", "", "").await;
    insert_step(app, PLAIN, ONLY, 1, "Only step", "", "").await;
    // Launched once, so the launch path remembers it as live; then archived behind the store's
    // back, as by another process: each later launch of it is refused by its own transaction.
    launch(app, json!({ "checklist_id": PLAIN, "name": "First" }))
        .await
        .expect(201);
    exec_sql(
        app,
        &format!("UPDATE checklists SET archived_at = 1 WHERE id = '{PLAIN}'"),
    )
    .await;
    let bodies: Vec<_> = (0..12)
        .map(|i| match i % 3 {
            1 => json!({ "checklist_id": PLAIN, "name": format!("Refused {i}") }),
            _ => {
                json!({ "checklist_id": TEMPLATE, "name": format!("Run {i}"), "prerun": { KICKOFF: format!("C{i}") } })
            }
        })
        .collect();
    let answers = join_all(bodies.iter().map(|b| launch(app, b.clone()))).await;
    let mut numbers = Vec::new();
    for (i, r) in answers.into_iter().enumerate() {
        if i % 3 == 1 {
            assert_eq!(r.expect_invalid("checklist_id"), "The selected checklist is archived.");
            continue;
        }
        let r = r.expect(201);
        let run = r.data();
        assert_eq!(run["name"], format!("Run {i}"));
        assert_eq!(run["prerun"][KICKOFF], format!("C{i}"));
        numbers.push(run["increment_id"].as_i64().expect("increment_id"));
        assert_eq!(run_tasks(app, run["id"].as_str().unwrap()).await.len(), 2);
    }
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (2..=9).collect::<Vec<i64>>(),
        "the accepted runs take the next numbers, no gaps"
    );
    for (sql, key, want) in [
        ("SELECT COUNT(*) FROM runs WHERE org_id = $1", "acme", 9),
        ("SELECT COUNT(*) FROM tasks WHERE org_id = $1", "acme", 17),
        (
            "SELECT COUNT(DISTINCT increment_id) FROM tasks WHERE org_id = $1",
            "acme",
            17,
        ),
        ("SELECT MAX(increment_id) FROM tasks WHERE org_id = $1", "acme", 17),
        ("SELECT run_seq FROM organizations WHERE id = $1", "acme", 9),
        ("SELECT task_seq FROM organizations WHERE id = $1", "acme", 17),
        ("SELECT started_processes FROM checklists WHERE id = $1", PLAIN, 1),
        ("SELECT started_processes FROM checklists WHERE id = $1", TEMPLATE, 8),
    ] {
        assert_eq!(count_rows(app, sql, key).await, want, "{sql}");
    }
}

on_both!(a_launch_copies_the_template_as_it_is_now);
async fn a_launch_copies_the_template_as_it_is_now(app: &TestApp) {
    let group = group(app).await;
    example_template(app, &group).await;
    let body = json!({ "checklist_id": TEMPLATE, "prerun": { KICKOFF: "Globex" } });
    let first = launch(app, body.clone()).await.expect(201);
    assert_eq!(run_tasks(app, first.data()["id"].as_str().unwrap()).await.len(), 2);
    // A step added over the API right after a launch is in the next one.
    app.json(
        Method::POST,
        &app.org_path(&format!("/checklists/{TEMPLATE}/steps")),
        json!({ "title": "Sign off" }),
    )
    .await
    .expect(201);
    let second = launch(app, body.clone()).await.expect(201);
    let tasks = run_tasks(app, second.data()["id"].as_str().unwrap()).await;
    let titles: Vec<&str> = tasks.iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Collect documents", "Review", "Sign off"]);
    assert_eq!(tasks[0]["step_id"], COLLECT);
    // Archived right after a launch: refused.
    app.call(Method::DELETE, &app.org_path(&format!("/checklists/{TEMPLATE}")))
        .await
        .expect(200);
    let r = launch(app, body).await;
    assert_eq!(r.expect_invalid("checklist_id"), "The selected checklist is archived.");
}
