//! `docket export` / `docket import` (issue 6): every table is accounted for, and a database
//! filled through the API survives SQLite → export → import (PostgreSQL, and SQLite again) →
//! export byte for byte, serving the same answers to the same token afterwards.

use std::path::{Path, PathBuf};

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::backend::TestDb;
use crate::support::fixtures::{docket, exec_sql};
use crate::support::{Backend, TestApp};

#[track_caller]
fn docket_ok(args: &[&str]) -> String {
    let (code, stdout, stderr) = docket(args);
    assert_eq!(code, 0, "docket {args:?} failed:\n{stderr}");
    stdout
}

fn temp_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join("docket-tests");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{}-{name}", uuid::Uuid::new_v4().simple()))
}

on_both!(every_table_of_the_schema_is_listed_for_export);
async fn every_table_of_the_schema_is_listed_for_export(app: &TestApp) {
    let listed: Vec<&str> = docket_store::transfer::TABLES.iter().map(|t| t.name).collect();
    let names = app.store().table_names().await.unwrap();
    assert!(names.iter().any(|n| n == "tasks"), "{names:?}");
    let missing: Vec<&String> = names.iter().filter(|n| !listed.contains(&n.as_str())).collect();
    assert!(
        missing.is_empty(),
        "tables a migration made that docket_store::transfer::TABLES does not list (say whether they are Data, Seeded or Derived): {missing:?}"
    );
}

/// Fills `app` through the API: members, a guest, groups, tags, a fan-out run, tasks with form
/// fields and values, comments and a problem, a completed task whose webhook was delivered,
/// an idempotent POST. Returns the ids to read back.
async fn populate(app: &TestApp, hook: &str) -> (Vec<String>, Vec<String>) {
    let (_, sam_token) = app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    app.add_member("acme", 1003, "liz@acme.test", "light").await;
    app.add_org("other", 2001).await;
    app.json(
        Method::POST,
        &app.org_path("/guests"),
        json!({"email": "gail@partner.test", "first_name": "Gail"}),
    )
    .await
    .expect(201);
    let group = app.json(Method::POST, &app.org_path("/groups"), json!({"name": "Finance Team", "description": "Money", "members": [1002, 1003], "guests": ["gail@partner.test"]})).await.expect(201);
    let group_id = group.data()["id"].as_str().unwrap().to_string();
    app.json(
        Method::POST,
        &app.org_path("/tags"),
        json!({"title": "Urgent", "color": "#e74c3c"}),
    )
    .await
    .expect(201);

    let mut tasks = Vec::new();
    let t = app.json(Method::POST, &app.org_path("/tasks"), json!({
        "title": "Quarterly report ünïcode", "summary": "With <b>markup</b>", "owners": {"users": [1001, 1002], "groups": [group_id]},
        "tags": ["Urgent", "finance"], "deadline": "2030-01-02 03:04:05",
        "form_fields": [
            {"label": "Hours", "field_type": "text", "required": true},
            {"label": "Agree", "field_type": "radio", "required": false, "options": [{"text": "yes"}, {"text": "no"}]},
            {"label": "Pick", "field_type": "dropdown", "required": false, "options": ["a", "b"]}
        ]})).await.expect(201);
    let task = t.data()["id"].as_str().unwrap().to_string();
    let fields = app
        .get(&app.org_path(&format!("/tasks/{task}?with=form_fields")))
        .await
        .expect(200);
    let f: Vec<String> = fields.data()["form_fields"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    app.json(
        Method::PUT,
        &app.org_path(&format!("/tasks/{task}")),
        json!({"taskdata": {f[0].clone(): "7.5 hours", f[2].clone(): "b"}}),
    )
    .await
    .expect(200);
    app.json(
        Method::POST,
        &app.org_path(&format!("/tasks/{task}/comment")),
        json!({"content": "First comment", "sent_to": [1002]}),
    )
    .await
    .expect(201);
    app.send(
        app.request_as(
            &sam_token,
            Method::POST,
            &app.org_path(&format!("/tasks/{task}/problem")),
        )
        .json(&json!({"content": "Blocked on data"})),
    )
    .await
    .expect(201);
    tasks.push(task);

    let fan = app
        .json(
            Method::POST,
            &app.org_path("/tasks"),
            json!({"title": "Sign the policy", "separate_task_for_each_assignee": true,
        "owners": {"users": [1001, 1002], "guests": ["gail@partner.test"]}}),
        )
        .await
        .expect(201);
    let run = fan.data()["run_id"]
        .as_str()
        .expect("a fan-out makes a run")
        .to_string();

    let hooked = app
        .json(
            Method::POST,
            &app.org_path("/tasks"),
            json!({"title": "Pay the invoice", "webhook": hook, "everyone_must_complete": false}),
        )
        .await
        .expect(201);
    let hooked = hooked.data()["id"].as_str().unwrap().to_string();
    app.json(
        Method::POST,
        &app.org_path("/completed-tasks"),
        json!({"task_id": hooked}),
    )
    .await
    .expect(200);
    tasks.push(hooked);

    let idem = app
        .send(
            app.request(Method::POST, &app.org_path("/tasks"))
                .header("Idempotency-Key", "move-1")
                .json(&json!({"title": "Once only"})),
        )
        .await
        .expect(201);
    tasks.push(idem.data()["id"].as_str().unwrap().to_string());
    let archived = app
        .json(Method::POST, &app.org_path("/tasks"), json!({"title": "Old news"}))
        .await
        .expect(201);
    let archived = archived.data()["id"].as_str().unwrap().to_string();
    app.call(Method::DELETE, &app.org_path(&format!("/tasks/{archived}")))
        .await
        .expect(204);

    // Nested folders, the child's id sorting before its parent's (the export orders rows by id),
    // with the run and a task filed in them.
    let mut folders = Vec::new();
    for name in ["Finance", "Reports", "Archive"] {
        let f = app
            .json(Method::POST, &app.org_path("/folders"), json!({"name": name}))
            .await
            .expect(201);
        folders.push(f.data()["id"].as_str().unwrap().to_string());
    }
    folders.sort();
    let (child, parent, grandparent) = (&folders[0], &folders[1], &folders[2]);
    app.json(
        Method::PUT,
        &app.org_path(&format!("/folders/{parent}")),
        json!({"name": "Parent", "parent_id": grandparent}),
    )
    .await
    .expect(200);
    app.json(
        Method::PUT,
        &app.org_path(&format!("/folders/{child}")),
        json!({"name": "Child", "parent_id": parent}),
    )
    .await
    .expect(200);
    for (folder, kind, subject) in [(child, "Run", &run), (grandparent, "Task", &tasks[0])] {
        app.json(
            Method::POST,
            &app.org_path("/folders/add-object"),
            json!({"folder_id": folder, "subject_type": kind, "subject_id": subject}),
        )
        .await
        .expect(201);
    }

    // More folders than one insert batch of the import holds, each under the last one, whose
    // id sorts after all of theirs: the first batch points at a row of a later one.
    exec_sql(
        app,
        "INSERT INTO folders (id, org_id, parent_id, name, name_key, folder_type, position, created_at, last_updated)
         WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 700)
         SELECT printf('b%031d', i), 'acme', CASE WHEN i < 700 THEN printf('b%031d', 700) END,
                'Bulk ' || i, 'bulk ' || i, 'run', CASE WHEN i < 700 THEN i ELSE 2 END, 1, 1
           FROM n",
    )
    .await;

    // The webhook is delivered (so no dispatcher changes the outbox afterwards).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let r = app.get(&app.org_path("/webhook-events")).await.expect(200);
        if r.data()[0]["status"] == "delivered" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "webhook not delivered: {}",
            r.text
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    (tasks, vec![run])
}

/// The GETs whose answers must not change with the move.
fn reads(tasks: &[String], runs: &[String]) -> Vec<String> {
    let mut paths: Vec<String> = [
        "/organizations/acme",
        "/organizations/acme/me",
        "/me/organizations",
        "/organizations/acme/users",
        "/organizations/acme/guests",
        "/organizations/acme/groups",
        "/organizations/acme/tags",
        "/organizations/acme/tasks?per_page=50",
        "/organizations/acme/tasks?archived=true",
        "/organizations/acme/runs",
        "/organizations/acme/webhook-events",
        "/organizations/acme/tasks?q=report",
        "/organizations/acme/search?search=policy&on=process",
        "/organizations/acme/folders?with=children&pagination=false",
        "/organizations/acme/folders?q=e",
        // Totals summed from the feed's counts, which the import rebuilds (page 2 of 1: the
        // counted total, not the short page's length).
        "/organizations/acme/activity-feeds?per_page=1&page=2",
        "/organizations/acme/activity-feeds?per_page=1&page=2&type=Task&verb=created",
        "/organizations/acme/activity-feeds?per_page=1&page=2&after=2",
    ]
    .iter()
    .map(|p| p.to_string())
    .collect();
    for t in tasks {
        paths.push(format!(
            "/organizations/acme/tasks/{t}?with=form_fields,tags,threads,folders"
        ));
    }
    for r in runs {
        paths.push(format!("/organizations/acme/runs/{r}?with=tasks,tags,folders"));
    }
    paths
}

async fn answers(app: &TestApp, token: &str, paths: &[String]) -> Vec<(String, u16, String)> {
    let mut out = Vec::new();
    for p in paths {
        let r = app.send(app.request_as(token, Method::GET, p)).await;
        out.push((p.clone(), r.status, r.text.replace(&app.base, "BASE")));
    }
    out
}

/// Every line after the header, and the header without its timestamp.
fn comparable(file: &Path) -> (Value, Vec<String>) {
    let text = std::fs::read_to_string(file).unwrap();
    let mut lines = text.lines();
    let mut header: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    header.as_object_mut().unwrap().remove("exported_at");
    (header, lines.map(str::to_string).collect())
}

async fn move_to(
    backend: Backend,
    export: &Path,
    fixed_now: i64,
    expected: &(Value, Vec<String>),
) -> (TestDb, TestApp) {
    let db = TestDb::create(backend).await;
    let out = docket_ok(&["import", "--from", export.to_str().unwrap(), "--database-url", &db.url]);
    assert!(out.contains("imported"), "{out}");
    let again = temp_file("again.jsonl");
    docket_ok(&["export", "--to", again.to_str().unwrap(), "--database-url", &db.url]);
    let got = comparable(&again);
    assert_eq!(got.0, expected.0, "headers differ after the move to {backend:?}");
    assert_eq!(
        got.1.len(),
        expected.1.len(),
        "line counts differ after the move to {backend:?}"
    );
    for (a, b) in got.1.iter().zip(&expected.1) {
        assert_eq!(a, b, "the export after the move to {backend:?} differs");
    }
    let _ = std::fs::remove_file(&again);
    // A second import into the now full database is refused, and changes nothing.
    let (code, _, err) = docket(&["import", "--from", export.to_str().unwrap(), "--database-url", &db.url]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("not empty"), "{err}");
    let app = TestApp::spawn_on(&db.url, backend, |c| c.now = Some(fixed_now)).await;
    (db, app)
}

on_both!(sqlite_export_import_export_round_trip_loses_nothing, backend);
/// Exported from SQLite, imported into `target` (`::sqlite`, `::postgres`), exported again.
async fn sqlite_export_import_export_round_trip_loses_nothing(target: Backend) {
    let fixed_now = docket_domain::time::now_ms();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, axum::Router::new().fallback(|| async { "ok" })).await;
    });
    let source = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.now = Some(fixed_now);
        c.webhook_allow_private = true;
    })
    .await;
    let (tasks, runs) = populate(&source, &hook).await;
    let paths = reads(&tasks, &runs);
    let before = answers(&source, &source.token, &paths).await;
    let failed: Vec<_> = before.iter().filter(|(_, s, _)| *s != 200).collect();
    assert!(failed.is_empty(), "{failed:?}");

    let export = temp_file("export.jsonl");
    let out = docket_ok(&[
        "export",
        "--to",
        export.to_str().unwrap(),
        "--database-url",
        &source.store_url(),
    ]);
    assert!(out.contains("exported"), "{out}");
    let expected = comparable(&export);
    let text = std::fs::read_to_string(&export).unwrap();
    assert!(!text.contains(&source.token), "tokens are exported as hashes only");
    assert!(text.contains(&docket_domain::ids::token_hash(&source.token)));
    for table in [
        "organizations",
        "users",
        "memberships",
        "tokens",
        "guests",
        "org_groups",
        "group_members",
        "group_guests",
        "tags",
        "runs",
        "tasks",
        "task_users",
        "task_guests",
        "task_groups",
        "captures",
        "threads",
        "tag_links",
        "folders",
        "folder_objects",
        "outbox",
        "webhook_attempts",
        "idempotency_keys",
        "counters",
    ] {
        assert!(
            expected.0["tables"][table].as_u64().unwrap_or(0) > 0,
            "no rows of {table} were exported: {}",
            expected.0
        );
    }
    for derived in [
        "task_text",
        "task_fts",
        "run_text",
        "activity_tally",
        "_sqlx_migrations",
    ] {
        assert!(
            expected.0["tables"].get(derived).is_none(),
            "derived {derived} is not exported"
        );
    }
    let (code, _, err) = docket(&[
        "export",
        "--to",
        export.to_str().unwrap(),
        "--database-url",
        &source.store_url(),
    ]);
    assert_eq!(code, 1, "an existing file is never overwritten");
    assert!(err.contains("already exists"), "{err}");

    let (_db, moved) = move_to(target, &export, fixed_now, &expected).await;
    let after = answers(&moved, &source.token, &paths).await;
    for (a, b) in after.iter().zip(&before) {
        assert_eq!(a, b, "a GET answers differently after the move to {target:?}");
    }
    // Search (the FTS tables on SQLite) was rebuilt, and new writes get fresh numbers and ids.
    let found = moved
        .send(moved.request_as(&source.token, Method::GET, "/organizations/acme/tasks?q=quarterly"))
        .await
        .expect(200);
    assert_eq!(found.data().as_array().map(Vec::len), Some(1), "{}", found.text);
    let t = moved
        .json(
            Method::POST,
            "/organizations/acme/tasks",
            json!({"title": "After the move", "tags": ["Fresh"]}),
        )
        .await
        .expect(201);
    // The folder tree came through whole (the reads above), and the next filing gets a new id.
    let folders = moved
        .get("/organizations/acme/folders?q=a&pagination=false")
        .await
        .expect(200);
    let parent = folders
        .data()
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Parent")
        .expect("the parent folder")
        .clone();
    assert_eq!(parent["children"], Value::Null, "children only when asked for");
    assert!(parent["parent_id"].is_string());
    let filed = moved
        .json(
            Method::POST,
            "/organizations/acme/folders/add-object",
            json!({"folder_id": parent["id"], "subject_type": "Run", "subject_id": runs[0]}),
        )
        .await
        .expect(201);
    assert_eq!(filed.data()["id"], 3, "{}", filed.text);
    let max = before
        .iter()
        .filter_map(|(_, _, body)| serde_json::from_str::<Value>(body).ok())
        .filter_map(|v| v["data"]["increment_id"].as_i64())
        .max()
        .unwrap_or(0);
    assert!(t.data()["increment_id"].as_i64().unwrap() > max, "{}", t.text);
    let made = docket_ok(&[
        "admin",
        "create-user",
        "--org",
        "acme",
        "--email",
        "new@acme.test",
        "--first-name",
        "N",
        "--last-name",
        "U",
        "--role",
        "standard",
        "--json",
        "--database-url",
        &moved.store_url(),
    ]);
    let id = serde_json::from_str::<Value>(&made).unwrap()["user_id"]
        .as_i64()
        .unwrap();
    assert!(id > 2001, "the user id counter moved along: {id}");
    moved.stop().await;
    source.stop().await;
    let _ = std::fs::remove_file(&export);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_refuses_what_is_not_an_export_with_a_clear_error() {
    let db = TestDb::create(Backend::Sqlite).await;
    let cases = [
        ("empty file", "", "empty"),
        ("not JSON", "hello\n", "not a valid docket export"),
        (
            "another format",
            "{\"format\":\"other\",\"format_version\":1,\"docket_version\":\"x\",\"exported_at\":0,\"tables\":{}}\n",
            "expected \"docket-export\"",
        ),
        (
            "a newer version",
            "{\"format\":\"docket-export\",\"format_version\":99,\"docket_version\":\"9.0\",\"exported_at\":0,\"tables\":{}}\n",
            "format version 99",
        ),
        (
            "truncated",
            "{\"format\":\"docket-export\",\"format_version\":1,\"docket_version\":\"x\",\"exported_at\":0,\"tables\":{\"users\":2}}\n{\"table\":\"users\",\"columns\":[\"id\"],\"rows\":2}\n[1]\n",
            "truncated",
        ),
        (
            "unknown table",
            "{\"format\":\"docket-export\",\"format_version\":1,\"docket_version\":\"x\",\"exported_at\":0,\"tables\":{}}\n{\"table\":\"task_fts\",\"columns\":[\"title\"],\"rows\":0}\n",
            "does not know",
        ),
        (
            "wrong value type",
            "{\"format\":\"docket-export\",\"format_version\":1,\"docket_version\":\"x\",\"exported_at\":0,\"tables\":{}}\n{\"table\":\"tokens\",\"columns\":[\"created_at\",\"hash\",\"user_id\"],\"rows\":1}\n[\"soon\",\"h\",1]\n{\"end\":true,\"rows\":1}\n",
            "tokens.created_at",
        ),
    ];
    for (what, content, message) in cases {
        let file = temp_file("bad.jsonl");
        std::fs::write(&file, content).unwrap();
        let (code, _, err) = docket(&["import", "--from", file.to_str().unwrap(), "--database-url", &db.url]);
        assert_eq!(code, 1, "{what}: {err}");
        assert!(err.contains(message), "{what}: expected {message:?} in: {err}");
        assert!(!err.contains("panicked"), "{what}: {err}");
        let _ = std::fs::remove_file(&file);
    }
    let (code, _, err) = docket(&["import", "--from", "/nonexistent/file.jsonl", "--database-url", &db.url]);
    assert_eq!(code, 1);
    assert!(err.contains("cannot open"), "{err}");
}
