//! The admin CLI of spec §1.12, run as the real binary: command names, flags and JSON keys.

use std::process::Command;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::TestApp;

fn docket(url: &str, args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(args)
        .env("DOCKET_DATABASE_URL", url)
        .env_remove("DOCKET_BOOTSTRAP")
        .output()
        .expect("docket runs");
    assert!(
        out.status.success(),
        "docket {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(
        stdout.trim().lines().count(),
        1,
        "--json prints exactly one line: {stdout}"
    );
    serde_json::from_str(stdout.trim()).expect("one JSON object")
}

fn docket_fails(url: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(args)
        .env("DOCKET_DATABASE_URL", url)
        .output()
        .expect("docket runs");
    assert!(!out.status.success(), "docket {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

on_both!(admin_commands_provision_what_the_api_then_serves);
async fn admin_commands_provision_what_the_api_then_serves(app: &TestApp) {
    let url = app.store_url();
    let boot = docket(
        &url,
        &[
            "admin",
            "bootstrap",
            "--org-name",
            "Seed Org",
            "--email",
            "Owner@Seed.test",
            "--org-id",
            "YOUR_ORGANIZATION_ID",
            "--user-id",
            "12345",
            "--token",
            "YOUR_PERSONAL_ACCESS_TOKEN",
            "--json",
        ],
    );
    assert_eq!(
        boot,
        json!({"org_id": "YOUR_ORGANIZATION_ID", "user_id": 12345, "token": "YOUR_PERSONAL_ACCESS_TOKEN"})
    );
    let r = app
        .send(app.request_as(
            "YOUR_PERSONAL_ACCESS_TOKEN",
            Method::GET,
            "/api/organizations/YOUR_ORGANIZATION_ID/me",
        ))
        .await
        .expect(200);
    assert_eq!(
        (
            r.data()["id"].as_i64(),
            r.data()["email"].as_str(),
            r.data()["role"].as_str()
        ),
        (Some(12345), Some("owner@seed.test"), Some("admin"))
    );

    let user = docket(
        &url,
        &[
            "admin",
            "create-user",
            "--org",
            "YOUR_ORGANIZATION_ID",
            "--email",
            "light@seed.test",
            "--first-name",
            "Li",
            "--last-name",
            "Ght",
            "--role",
            "light",
            "--json",
        ],
    );
    let token = user["token"].as_str().expect("generated token");
    assert!(token.len() >= 43, "at least 32 bytes of entropy");
    let r = app
        .send(app.request_as(token, Method::GET, "/organizations/YOUR_ORGANIZATION_ID/me"))
        .await
        .expect(200);
    assert_eq!(r.data()["id"], user["user_id"]);
    assert_eq!(r.data()["role"], "light");

    let extra = docket(&url, &["admin", "create-token", "--user", "12345", "--json"]);
    let extra = extra["token"].as_str().expect("token");
    app.send(app.request_as(extra, Method::GET, "/me")).await.expect(200);

    let secret = docket(
        &url,
        &["admin", "webhook-secret", "--org", "YOUR_ORGANIZATION_ID", "--json"],
    );
    let s1 = secret["secret"].as_str().expect("secret").to_string();
    assert_eq!(
        docket(
            &url,
            &["admin", "webhook-secret", "--org", "YOUR_ORGANIZATION_ID", "--json"]
        )["secret"],
        s1.as_str()
    );
    let rotated = docket(
        &url,
        &[
            "admin",
            "webhook-secret",
            "--org",
            "YOUR_ORGANIZATION_ID",
            "--rotate",
            "--json",
        ],
    );
    assert_ne!(rotated["secret"], s1.as_str());

    // Refusals: a taken org id, an unknown user, a bad role.
    assert!(
        docket_fails(
            &url,
            &[
                "admin",
                "bootstrap",
                "--org-name",
                "X",
                "--email",
                "x@y.test",
                "--org-id",
                "YOUR_ORGANIZATION_ID"
            ]
        )
        .contains("already exists")
    );
    assert!(docket_fails(&url, &["admin", "create-token", "--user", "999999"]).contains("does not exist"));
    assert!(
        docket_fails(
            &url,
            &[
                "admin",
                "create-user",
                "--org",
                "YOUR_ORGANIZATION_ID",
                "--email",
                "a@b.test",
                "--first-name",
                "A",
                "--last-name",
                "B",
                "--role",
                "boss"
            ]
        )
        .contains("--role")
    );
}

on_both!(the_bootstrap_file_loads_idempotently);
async fn the_bootstrap_file_loads_idempotently(app: &TestApp) {
    let url = app.store_url();
    let file = std::env::temp_dir().join(format!("docket-bootstrap-{}.json", uuid::Uuid::new_v4().simple()));
    let doc = json!({
        "organizations": [{"id": "YOUR_ORGANIZATION_ID", "name": "Acme", "timezone": "UTC", "industry": "Testing"},
                          {"id": "your-org-id", "name": "Sample"}],
        "users": [
            {"id": 1001, "email": "bob@acme.test", "username": "bob", "first_name": "Bob", "last_name": "Stone",
             "memberships": [{"organization": "YOUR_ORGANIZATION_ID", "role": "admin"}, {"organization": "your-org-id", "role": "admin"}],
             "tokens": ["YOUR_PERSONAL_ACCESS_TOKEN", "your-access-token"]},
            {"id": 1002, "email": "sam@acme.test", "username": "user_123", "first_name": "Sam", "last_name": "Lee", "job_title": "Clerk",
             "memberships": [{"organization": "YOUR_ORGANIZATION_ID", "role": "standard"}]}
        ]
    });
    std::fs::write(&file, doc.to_string()).expect("write file");
    let path = file.to_string_lossy().to_string();
    let counts = docket(&url, &["admin", "load", &path, "--json"]);
    assert_eq!(counts, json!({"organizations": 2, "users": 2, "tokens": 2}));
    // Loading again changes nothing and fails nothing.
    assert_eq!(docket(&url, &["admin", "load", &path, "--json"]), counts);
    let r = app
        .send(app.request_as(
            "your-access-token",
            Method::GET,
            "/organizations/YOUR_ORGANIZATION_ID/users/1002",
        ))
        .await
        .expect(200);
    assert_eq!(
        (r.data()["username"].as_str(), r.data()["job_title"].as_str()),
        (Some("user_123"), Some("Clerk"))
    );
    let r = app
        .send(app.request_as("your-access-token", Method::GET, "/organizations/YOUR_ORGANIZATION_ID"))
        .await
        .expect(200);
    assert_eq!(r.data()["industry"], "Testing");
    let _ = std::fs::remove_file(&file);
}

on_both!(seed_demo_fills_an_organization_the_api_then_serves);
async fn seed_demo_fills_an_organization_the_api_then_serves(app: &TestApp) {
    let url = app.store_url();
    let out = docket(
        &url,
        &[
            "admin",
            "seed-demo",
            "--org",
            "acme",
            "--tasks",
            "700",
            "--batch",
            "300",
            "--seed",
            "7",
            "--json",
        ],
    );
    assert_eq!(
        (out["org_id"].as_str(), out["tasks"].as_i64(), out["members"].as_i64()),
        (Some("acme"), Some(700), Some(51))
    );
    // Running it again adds more, numbering on.
    let again = docket(
        &url,
        &["admin", "seed-demo", "--org", "acme", "--tasks", "300", "--json"],
    );
    assert_eq!(again["tasks"], 300);
    // The templates and their processes are made once per organization.
    assert_eq!(
        (&out["templates"], &out["template_runs"], &out["template_tasks"]),
        (&json!(3), &json!(19), &json!(80))
    );
    assert_eq!((&again["templates"], &again["template_runs"]), (&json!(0), &json!(0)));
    let launched = out["template_tasks"].as_i64().expect("template tasks");
    let r = app
        .get("/organizations/acme/tasks?per_page=1&archived=true")
        .await
        .expect(200);
    assert_eq!(
        r.body["meta"]["pagination"]["total"],
        1000 + launched,
        "the admin sees every task"
    );
    let r = app
        .get("/organizations/acme/tasks?without_pagination=true&archived=true")
        .await
        .expect(200);
    let mut numbers: Vec<i64> = r
        .data()
        .as_array()
        .expect("tasks")
        .iter()
        .filter_map(|t| t["increment_id"].as_i64())
        .collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (1..=1000 + launched).collect::<Vec<i64>>(),
        "increment ids continue without gaps or clashes"
    );
    let runs = app.get("/organizations/acme/runs?per_page=100").await.expect(200);
    let total = runs.body["meta"]["pagination"]["total"].as_i64().expect("total");
    assert_eq!(
        total,
        out["runs"].as_i64().unwrap() + again["runs"].as_i64().unwrap() + out["template_runs"].as_i64().unwrap()
    );
    assert!(
        runs.data()
            .as_array()
            .expect("runs")
            .iter()
            .all(|r| ["active", "problem", "complete"].contains(&r["status"].as_str().unwrap()))
    );
    let r = app
        .get("/organizations/acme/tasks?status=completed&per_page=1")
        .await
        .expect(200);
    let completed = r.body["meta"]["pagination"]["total"].as_i64().expect("total");
    assert!((150..=450).contains(&completed), "about 30 % completed: {completed}");
    // A new task still gets the next number.
    let r = app
        .json(
            reqwest::Method::POST,
            "/organizations/acme/tasks",
            json!({"title": "After the demo"}),
        )
        .await
        .expect(201);
    assert_eq!(r.data()["increment_id"], 1001 + launched);
    demo_templates_are_served(app).await;
}

/// The demo's templates, their steps, fields and rule, and the processes launched from them.
async fn demo_templates_are_served(app: &TestApp) {
    let r = app.get("/organizations/acme/checklists?sort=title").await.expect(200);
    let mut titles: Vec<&str> = r
        .data()
        .as_array()
        .expect("templates")
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    titles.sort_unstable();
    assert_eq!(titles, ["Client onboarding", "Content review", "Invoice approval"]);
    let id = |title: &str| {
        let t = r
            .data()
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["title"] == title)
            .expect(title);
        t["id"].as_str().unwrap().to_string()
    };
    let onboarding = id("Client onboarding");
    let t = app
        .get(&format!(
            "/organizations/acme/checklists/{onboarding}?with=steps,automated_actions,prerun"
        ))
        .await
        .expect(200);
    let t = t.data();
    assert_eq!((&t["steps_count"], &t["started_processes"]), (&json!(6), &json!(6)));
    assert_eq!(t["prerun"].as_array().map(Vec::len), Some(3));
    assert_eq!(t["automated_actions"].as_array().map(Vec::len), Some(1));
    let steps = t["steps"].as_array().expect("steps");
    assert_eq!(
        steps[1]["captures"].as_array().map(Vec::len),
        Some(2),
        "Collect documents has two fields"
    );
    assert_eq!(
        steps[2]["deadline"]["step"], steps[1]["id"],
        "a deadline relative to another step"
    );
    assert!(
        !steps[0]["groups"].as_array().unwrap().is_empty() && !steps[2]["assignees"].as_array().unwrap().is_empty()
    );
    let invoice = app
        .get(&format!(
            "/organizations/acme/checklists/{}/steps",
            id("Invoice approval")
        ))
        .await
        .expect(200);
    assert_eq!(invoice.data()[1]["step_type"], "approval");

    let run_named = |name: &'static str| async move {
        let q = name.replace(' ', "%20");
        let runs = app.get(&format!("/organizations/acme/runs?q={q}")).await.expect(200);
        let run = runs.data()[0].clone();
        assert_eq!(run["name"], name);
        let tasks = app
            .get(&format!(
                "/organizations/acme/runs/{}/tasks?per_page=20",
                run["id"].as_str().unwrap()
            ))
            .await
            .expect(200);
        (run, tasks.data().as_array().expect("tasks").clone())
    };
    let day = 86_400_000;
    let ts = |v: &Value| docket_domain::time::parse_datetime(v.as_str().expect("a timestamp")).expect("a timestamp");
    // Globex: Standard plan, so "Legal review" is hidden; its first step went to another owner.
    let (run, tasks) = run_named("Onboarding - Globex").await;
    assert_eq!(run["checklist_id"], json!(onboarding));
    assert_eq!(tasks.len(), 6);
    assert_eq!(
        ts(&tasks[0]["deadline"]) - ts(&run["started_at"]),
        day,
        "one day after the launch"
    );
    assert_eq!(
        ts(&tasks[2]["deadline"]) - ts(&tasks[1]["deadline"]),
        2 * day,
        "two days after step 2"
    );
    assert_eq!(tasks[3]["title"], "Legal review");
    assert_eq!(tasks[3]["status"], "auto-skipped");
    assert_ne!(
        tasks[0]["owners"]["groups"], steps[0]["groups"],
        "the per-step owner override"
    );
    // Initech: Enterprise, so the rule shows it; an older process has its first task done.
    let (_, tasks) = run_named("Onboarding - Initech").await;
    assert_eq!(tasks[3]["status"], "not-started");
    let (_, tasks) = run_named("Onboarding - Umbrella").await;
    assert_eq!(tasks[0]["status"], "completed");
    let r = app
        .get("/organizations/acme/search?on=blueprint&search=invoice")
        .await
        .expect(200);
    assert_eq!(r.body["blueprint"]["data"][0]["title"], "Invoice approval");
}
