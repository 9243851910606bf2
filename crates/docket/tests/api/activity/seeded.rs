//! `docket admin seed-demo --activity N` (the dataset of scripts/bench-feed): the generated
//! entries are served by the feed like recorded ones, numbered after the feed's last entry, and
//! later writes continue the cursor after them.

use std::collections::{HashMap, HashSet};
use std::process::Command;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::TestApp;

pub(super) fn seed(url: &str, args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(["admin", "seed-demo", "--org", "acme", "--json"])
        .args(args)
        .env("DOCKET_DATABASE_URL", url)
        .env_remove("DOCKET_BOOTSTRAP")
        .output()
        .expect("docket runs");
    assert!(
        out.status.success(),
        "seed-demo {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

pub(super) fn total(r: &Value) -> i64 {
    r["meta"]["pagination"]["total"].as_i64().expect("total")
}

on_both!(seed_demo_activity_is_served_by_the_feed_and_the_cursor_continues);
async fn seed_demo_activity_is_served_by_the_feed_and_the_cursor_continues(app: &TestApp) {
    let url = app.store_url();
    let first = seed(&url, &["--tasks", "300"]);
    assert_eq!(first["activity"], 0, "no entries unless asked");
    let before = app
        .get(&app.org_path("/activity-feeds?sort=-id&per_page=1"))
        .await
        .expect(200);
    let last_before = before.body["meta"]["cursor"]["after"].as_i64().expect("cursor");
    let total_before = total(&before.body);

    let out = seed(&url, &["--tasks", "0", "--activity", "1500", "--seed", "3"]);
    assert_eq!(out["activity"], 1500);
    // Written by another process: the server's remembered totals do not know (memo.rs).
    app.store().forget_counts();
    let r = app.get(&app.org_path("/activity-feeds?per_page=1")).await.expect(200);
    assert_eq!(total(&r.body), total_before + 1500);

    // Numbered right after the feed's last entry, in order, each once.
    let mut seen = Vec::new();
    let mut cursor = last_before;
    loop {
        let r = app
            .get(&app.org_path(&format!("/activity-feeds?after={cursor}&per_page=100")))
            .await
            .expect(200);
        let page = r.data().as_array().expect("entries").clone();
        if page.is_empty() {
            break;
        }
        cursor = r.body["meta"]["cursor"]["after"].as_i64().expect("cursor");
        seen.extend(page);
    }
    let ids: Vec<i64> = seen.iter().map(|e| e["id"].as_i64().expect("id")).collect();
    assert_eq!(ids, (last_before + 1..=last_before + 1500).collect::<Vec<i64>>());

    // Shaped as writes record them: members as actors, the §5.6 type/verb pairs, objects that
    // exist (comments name threads that were not generated), timestamps rising with the id in
    // the last 180 days.
    let kinds: HashSet<(&str, &str)> = seen
        .iter()
        .map(|e| (e["type"][0].as_str().unwrap(), e["verb"][0].as_str().unwrap()))
        .collect();
    for pair in [
        ("Task", "created"),
        ("Task", "updated"),
        ("Task", "completed"),
        ("Comment", "commented"),
        ("Blueprint", "updated"),
    ] {
        assert!(kinds.contains(&pair), "{pair:?} among {kinds:?}");
    }
    let allowed: HashSet<(&str, &str)> = [
        ("Task", "created"),
        ("Task", "updated"),
        ("Task", "completed"),
        ("Task", "owners-updated"),
        ("Task", "re-opened"),
        ("Comment", "commented"),
        ("Comment", "issue-reported"),
        ("Process", "created"),
        ("Process", "updated"),
        ("Process", "completed"),
        ("Blueprint", "updated"),
    ]
    .into();
    assert!(kinds.is_subset(&allowed), "{kinds:?}");
    let mut prev = String::new();
    let mut actors = HashSet::new();
    for e in &seen {
        let email = e["actor"][0]["email"].as_str().expect("a member as the actor");
        actors.insert(email.to_string());
        let at = e["created_at"].as_str().expect("created_at").to_string();
        assert!(at >= prev, "created_at rises with the id: {prev} then {at}");
        prev = at;
        if e["type"][0] == "Task" {
            assert!(e["audit"]["data"]["title"].is_string(), "{e}");
            assert_eq!(
                e["description"][0].as_str().unwrap().split(": ").nth(1),
                e["audit"]["data"]["title"].as_str()
            );
        }
        if e["verb"][0] == "updated" && e["type"][0] == "Task" {
            assert!(e["field"].as_array().is_some_and(|f| f.len() == 1), "{e}");
        }
    }
    assert!(actors.len() >= 20, "the organization's members act: {actors:?}");
    let webhook = seen.iter().filter(|e| e["source"][0] == "Webhook").count();
    assert!((20..=150).contains(&webhook), "about 5 % by automations: {webhook}");

    // The filters find them: by object, by actor.
    let task_entry = seen.iter().find(|e| e["type"][0] == "Task").expect("a task entry");
    let task_id = task_entry["auditable_id"].as_str().unwrap();
    let r = app
        .get(&app.org_path(&format!(
            "/activity-feeds?entity_type=task&entity_id={task_id}&per_page=100"
        )))
        .await
        .expect(200);
    assert!(r.data().as_array().unwrap().iter().any(|e| e["id"] == task_entry["id"]));
    let actor = task_entry["actor_id"][0].as_i64().unwrap();
    let r = app
        .get(&app.org_path(&format!("/activity-feeds?actor_id={actor}&per_page=100")))
        .await
        .expect(200);
    assert!(r.data().as_array().unwrap().iter().all(|e| e["actor_id"][0] == actor));

    // A later write comes after every generated entry.
    app.json(
        Method::POST,
        &app.org_path("/tasks"),
        json!({"title": "After the seed"}),
    )
    .await
    .expect(201);
    let r = app
        .get(&app.org_path(&format!("/activity-feeds?after={cursor}")))
        .await
        .expect(200);
    let next = r.data().as_array().expect("entries");
    assert_eq!(next.len(), 1, "{next:?}");
    assert_eq!(next[0]["description"][0], "Created task: After the seed");
    assert_eq!(next[0]["id"], cursor + 1);
}

/// Every page of `path` (which has no `page`/`per_page`), 100 a page, as `token`.
async fn all_pages(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for page in 1.. {
        let r = app
            .send(app.request_as(token, Method::GET, &format!("{path}&per_page=100&page={page}")))
            .await
            .expect(200);
        let data = r.data().as_array().expect("entries").clone();
        let total = total(&r.body);
        out.extend(data);
        if out.len() as i64 >= total {
            assert_eq!(out.len() as i64, total, "{path}: the pages add up to the total");
            break;
        }
    }
    out
}

on_both!(every_order_and_filter_pages_the_same_entries_for_admins_and_members);
/// The orders walk different indexes (`created_at` orders `activity_org_created`, one object's
/// entries their own index, then sorted) and a member's pages leave out top-secret tasks they are
/// not assigned to: each order, filter and viewer is compared with the cursor's ascending list
/// of the same filter, filtered and sorted here.
async fn every_order_and_filter_pages_the_same_entries_for_admins_and_members(app: &TestApp) {
    let url = app.store_url();
    seed(&url, &["--tasks", "150", "--activity", "900", "--seed", "5"]);
    app.store().forget_counts();
    // A standard member whom the seed assigns nothing: no top-secret task is theirs.
    let kim = app.add_member("acme", 1077, "kim@acme.test", "standard").await.1;
    let secret = super::secret_tasks(app).await;
    let admin = app.token.clone();
    let (everything, _) = super::drain(app, &admin, 0).await;
    let hidden = |e: &Value| {
        let task = match e["auditable_type"].as_str() {
            Some("App\\Models\\Task") => e["auditable_id"].as_str(),
            Some("App\\Models\\Thread") => e["parentable_id"].as_str(),
            _ => None,
        };
        task.is_some_and(|t| secret.contains(t))
    };
    assert!(everything.iter().any(hidden), "the seed names a top-secret task");
    // The task of a run with the most entries (the seed's ids are random: the first task seen
    // can have a single entry, too few to compare orders).
    let of_runs = || {
        everything
            .iter()
            .filter(|e| e["type"][0] == "Task" && e["parentable_id"].is_string())
    };
    let mut per_task: HashMap<&str, usize> = HashMap::new();
    for e in of_runs() {
        *per_task.entry(e["auditable_id"].as_str().unwrap()).or_default() += 1;
    }
    let task_entry = of_runs()
        .max_by_key(|e| per_task[e["auditable_id"].as_str().unwrap()])
        .expect("a task of a run with entries");
    let task_id = task_entry["auditable_id"].as_str().unwrap();
    let run_id = task_entry["parentable_id"].as_str().unwrap();
    let checklist = everything
        .iter()
        .find(|e| e["type"][0] == "Blueprint")
        .expect("a template entry")["auditable_id"]
        .as_str()
        .unwrap();
    let actor = task_entry["actor_id"][0].as_i64().unwrap();
    let filters = [
        String::new(),
        format!("&entity_type=task&entity_id={task_id}"),
        format!("&entity_type=run&entity_id={run_id}"),
        format!("&entity_type=checklist&entity_id={checklist}"),
        "&type=Comment".into(),
        format!("&actor_id={actor}"),
    ];
    let key = |e: &Value| (e["created_at"].as_str().unwrap().to_string(), e["id"].as_i64().unwrap());
    for query in &filters {
        // The filter's entries in id order, through the cursor (`after`).
        let mut matching: Vec<Value> = Vec::new();
        let mut cursor = 0;
        loop {
            let r = app
                .get(&app.org_path(&format!("/activity-feeds?after={cursor}&per_page=100{query}")))
                .await
                .expect(200);
            let page = r.data().as_array().expect("entries").clone();
            if page.is_empty() {
                break;
            }
            cursor = r.body["meta"]["cursor"]["after"].as_i64().expect("cursor");
            matching.extend(page);
        }
        assert!(matching.len() > 1, "{query}");
        if query.contains("type=Comment") {
            assert!(matching.iter().all(|e| e["type"][0] == "Comment"));
        }
        if query.contains("actor_id") {
            assert!(matching.iter().all(|e| e["actor_id"][0] == actor));
        }
        for (who, token) in [("admin", &admin), ("member", &kim)] {
            let mut expected: Vec<&Value> = matching.iter().filter(|e| who == "admin" || !hidden(e)).collect();
            for sort in ["-created_at", "created_at", "id", "-id"] {
                match sort {
                    "id" => expected.sort_by_key(|e| e["id"].as_i64()),
                    "-id" => expected.sort_by_key(|e| std::cmp::Reverse(e["id"].as_i64())),
                    "created_at" => expected.sort_by_key(|e| key(e)),
                    _ => expected.sort_by_key(|e| std::cmp::Reverse(key(e))),
                }
                let got = all_pages(
                    app,
                    token,
                    &app.org_path(&format!("/activity-feeds?sort={sort}{query}")),
                )
                .await;
                let got: Vec<i64> = got.iter().map(|e| e["id"].as_i64().unwrap()).collect();
                let want: Vec<i64> = expected.iter().map(|e| e["id"].as_i64().unwrap()).collect();
                assert_eq!(got, want, "{who}, sort={sort}{query}");
            }
        }
    }
}
