//! A bounded fuzz of the write routes: malformed bodies (random JSON, wrong types in known
//! fields, huge and deeply nested values, invalid UTF-8, odd content types and form brackets)
//! must be answered 2xx (when they happen to be valid) or 4xx in the error envelope, never 5xx,
//! and the server must still serve afterwards. A fifth of the requests are reads with odd
//! query strings instead.
//!
//! Deterministic by default; `DOCKET_FUZZ_SEED` (decimal or 0x-hex) and
//! `DOCKET_FUZZ_ITERATIONS` change the run, e.g.
//! `DOCKET_FUZZ_SEED=0x1234 DOCKET_FUZZ_ITERATIONS=20000 cargo test -p docket --test api fuzz`.
//! A failure prints the seed and the offending requests.

mod generate;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::launch::{AMOUNT, COLLECT, KICKOFF, TEMPLATE};
use crate::support::{Backend, TestApp};
use generate::{Payload, Rng};

const DEFAULT_SEED: u64 = 0x00d0_c4e7_f022;
const DEFAULT_ITERATIONS: usize = 2500;
/// A hard bound on the run, whatever the machine: CI time stays bounded.
const TIME_BUDGET: Duration = Duration::from_secs(35);
/// Bodies beyond this are cut (they are refused by size long before; this keeps memory sane).
const MAX_SENT: usize = 4 * 1024 * 1024;

fn env_number(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

/// Ids of real resources, so that requests get past the 404s to the body.
struct Ids {
    task: String,
    capture: String,
    run: String,
    run_task: String,
    comment: String,
    guest: String,
    group: String,
    tag: String,
    folder: String,
    template: String,
    /// A template with one step that has one capture.
    step_template: (String, String, String),
    /// A template with two steps, and a rule on it.
    rule_template: crate::automations::Template,
    rule: String,
    /// A run launched from the template of `crate::launch::example_template`.
    launched: String,
}

async fn arrange(app: &TestApp) -> Ids {
    app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let t = app
        .json(
            Method::POST,
            "/organizations/acme/tasks",
            json!({"title": "Fuzzed", "owners": {"users": [1001, 1002]},
            "form_fields": [{"label": "Hours", "field_type": "text", "required": false}]}),
        )
        .await
        .expect(201);
    let task = t.data()["id"].as_str().expect("task").to_string();
    let capture = t.data()["taskdata"]
        .as_object()
        .expect("taskdata")
        .keys()
        .next()
        .expect("capture")
        .clone();
    let r = app
        .json(
            Method::POST,
            "/organizations/acme/tasks",
            json!({"title": "Fan", "separate_task_for_each_assignee": true, "owners": {"users": [1001, 1002]}}),
        )
        .await
        .expect(201);
    let (run, run_task) = (
        r.data()["run_id"].as_str().expect("run").to_string(),
        r.data()["id"].as_str().expect("id").to_string(),
    );
    let c = app
        .json(
            Method::POST,
            &format!("/organizations/acme/tasks/{task}/comment"),
            json!({"content": "hi"}),
        )
        .await
        .expect(201);
    let comment = c.data()["id"].to_string().trim_matches('"').to_string();
    app.json(
        Method::POST,
        "/organizations/acme/guests",
        json!({"email": "guest@partner.example"}),
    )
    .await
    .expect(201);
    let g = app
        .json(
            Method::POST,
            "/organizations/acme/groups",
            json!({"name": "Ops", "members": [1002]}),
        )
        .await
        .expect(201);
    let group = g.data()["id"].as_str().expect("group").to_string();
    let tag = app
        .json(Method::POST, "/organizations/acme/tags", json!({"title": "urgent"}))
        .await
        .expect(201);
    let tag = tag.data()["id"].as_str().expect("tag").to_string();
    let folder = app
        .json(Method::POST, "/organizations/acme/folders", json!({"name": "Fuzz"}))
        .await
        .expect(201);
    let folder = folder.data()["id"].as_str().expect("folder").to_string();
    // First: this fixture numbers its template 1 itself.
    let rule_template = crate::automations::template(app).await;
    let t = app
        .json(
            Method::POST,
            "/organizations/acme/checklists",
            json!({"title": "Fuzzed template", "prerun": [{"label": "K", "field_type": "text", "required": true}]}),
        )
        .await
        .expect(201);
    let template = t.data()["id"].as_str().expect("template").to_string();
    let rule =
        crate::automations::create_rule(app, &rule_template, crate::automations::show_rule(&rule_template)).await;
    let rule = rule["id"].as_str().expect("rule").to_string();
    crate::launch::example_template(app, &group).await;
    let launched = crate::launch::launch(app, json!({"checklist_id": TEMPLATE, "prerun": {KICKOFF: "Fuzz"}}))
        .await
        .expect(201);
    let launched = launched.data()["id"].as_str().expect("launched run").to_string();
    Ids {
        task,
        capture,
        run,
        run_task,
        comment,
        guest: "guest@partner.example".into(),
        group,
        tag,
        folder,
        template,
        step_template: arrange_template(app).await,
        rule_template,
        rule,
        launched,
    }
}

/// A template (inserted with SQL) with one step and one capture: (template, step, capture).
async fn arrange_template(app: &TestApp) -> (String, String, String) {
    let tpl = crate::steps::template(app).await;
    let s = crate::steps::add_step(
        app,
        &tpl,
        json!({"title": "S", "captures": [{"label": "Q", "field_type": "dropdown", "required": true, "options": ["a", "b"]}]}),
    )
    .await;
    let step = crate::steps::id(&s);
    let capture = crate::steps::id(&s["captures"][0]);
    (tpl, step, capture)
}

/// The step and capture write routes (ST2, ST4, ST6, ST7, CP1, CP2, CP4, CP5).
fn step_routes(ids: &Ids) -> Vec<(Method, String, Value)> {
    let (tpl, step, capture) = &ids.step_template;
    let s = format!("/organizations/acme/checklists/{tpl}/steps");
    let step_body = json!({"title": "T", "summary": "s", "step_type": "approval", "assignees": [1002], "guests": ["g@x.example"],
        "groups": [ids.group], "tags": [ids.tag], "deadline": {"value": 2, "unit": "days", "option": "from", "step": "start_run"},
        "start_date": {"value": 1, "unit": "hours"}, "max_assignable": 3, "webhook": "https://example.com/h", "top_secret": false,
        "captures": [{"label": "L", "field_type": "table", "required": false, "columns": ["c"]}]});
    let field = json!({"label": "F", "field_type": "radio", "required": true, "options": [{"id": 1, "text": "a"}, "b"],
        "guidance": "g", "field_validation": "required", "settings": {}});
    vec![
        (Method::POST, s.clone(), step_body.clone()),
        (Method::PUT, format!("{s}/{step}"), step_body),
        (Method::POST, format!("{s}/{step}/clone"), json!({})),
        (Method::PUT, format!("{s}/{step}/reorder"), json!({"position": 2})),
        (Method::POST, format!("{s}/{step}/captures"), field.clone()),
        (Method::PUT, format!("{s}/{step}/captures/{capture}"), field),
        (
            Method::PUT,
            format!("{s}/{step}/captures/{capture}/move-out"),
            json!({"target_step_id": step, "position": 1}),
        ),
        (
            Method::PUT,
            format!("{s}/{step}/captures"),
            json!({"capture_id": capture, "position": 1}),
        ),
    ]
}

/// Every write route worth fuzzing, with a valid body of its shape (mutated one field at a
/// time by the generator). Destructive routes (permanent deletes, disabling the admin) are
/// left out so that the run keeps reaching deep validation.
fn routes(ids: &Ids) -> Vec<(Method, String, Value)> {
    let Ids {
        task,
        capture,
        run,
        run_task,
        comment,
        guest,
        group,
        tag,
        folder,
        template,
        rule_template,
        rule,
        launched,
        ..
    } = ids;
    let o = "/organizations/acme";
    let template_body = json!({"title": "T", "type": "form", "summary": "S", "alias": "fuzz-alias", "owner_id": 1002,
        "users": [1001], "groups": [group], "tags": ["a", tag], "starred": true, "webhook": "https://example.com/hook",
        "folder_id": null, "prerun": [{"label": "P", "field_type": "radio", "required": true, "options": ["a", "b"]}]});
    // A create with nested steps, captures and rules naming them by the ids they carry.
    let import_body = json!({"title": "I", "prerun": [{"id": "k1", "label": "K", "field_type": "number", "required": false}],
        "steps": [{"id": "s1", "title": "One", "captures": [{"id": "c1", "label": "C", "field_type": "date", "required": false}]},
                  {"id": "s2", "title": "Two", "deadline": {"value": 1, "unit": "day", "option": "from", "step": "s1"}}],
        "automated_actions": [{"automated_alias": "R", "conditions": [
                {"conditionable_type": "Prerun", "conditionable_id": "k1", "operation": "greater_than", "statement": "5"},
                {"conditionable_type": "Step", "conditionable_id": "s1", "operation": "completed", "logic": "or"}],
            "then_actions": [{"action_type": "visibility", "action_verb": "show", "target_step_id": "s2"},
                {"action_type": "deadline", "target_step_id": "s2", "deadline": {"value": 2, "unit": "days", "option": "from", "step": "c1"}},
                {"action_type": "assignment", "action_verb": "assign", "target_step_id": "s2", "assignees": {"users": [1001]}}]}]});
    let launch_body = json!({"checklist_id": TEMPLATE, "name": "L", "summary": "s", "owner_id": 1002,
        "prerun": {KICKOFF: "Acme", AMOUNT: "12"}, "started_at": "2030-01-01T00:00:00Z",
        "tasks": {COLLECT: {"owners": {"users": [1001], "guests": ["g@x.example"], "groups": [group]},
                            "deadline": "2030-02-01", "started_at": "2030-01-02", "max_assignable": 5}},
        "tags": ["a", tag], "users": [1002], "groups": [group], "folders": [], "parent_id": run,
        "is_public": true, "starred": false, "assign_someone_else": false, "publicly_hidden_fields": ["comments"]});
    let task_body = json!({"title": "T", "summary": "S", "owners": {"users": [1001], "guests": ["g@x.example"], "groups": [group]},
        "deadline": "2030-01-01 10:00:00", "started_at": "2029-12-01T00:00:00Z", "task_type": "approval", "max_assignable": 3,
        "everyone_must_complete": false, "webhook": "https://example.com/hook", "tags": ["a", tag], "top_secret": false,
        "form_fields": [{"label": "F", "field_type": "dropdown", "required": true, "options": ["a", {"text": "b", "id": 2}], "guidance": "g"},
                        {"label": "Tab", "field_type": "table", "required": false, "columns": [{"label": "c"}]}],
        "separate_task_for_each_assignee": false, "is_soft_start_date": true});
    let update_body = json!({"title": "T2", "summary": null, "owners": {"users": [1002]}, "deadline": "2031-01-01T00:00:00Z",
        "taskdata": {capture.as_str(): "value"}, "position": 2, "task_type": "task", "prevent_guest_comment": true});
    let complete_body = json!({"task_id": task, "is_approved": true, "override_user": 1002, "comment": "done", "taskdata": {capture.as_str(): "v"}});
    let guest_body = json!({"email": "new@partner.example", "first_name": "N", "last_name": "G", "details": {"phone_1": "123", "company_name": "C"},
        "timezone": "UTC", "external_sync_source": "crm", "external_date_creation": "2024-01-01"});
    vec![
        (Method::PUT, format!("{o}/me"), json!({"email_notifications": "daily"})),
        (Method::POST, format!("{o}/tasks"), task_body.clone()),
        (
            Method::POST,
            format!("{o}/tasks"),
            json!({"title": "Fan", "separate_task_for_each_assignee": true, "owners": {"users": [1001, 1002]}, "run_id": run, "position": 1}),
        ),
        (Method::PUT, format!("{o}/tasks/{task}"), update_body.clone()),
        (Method::PUT, format!("{o}/runs/{run}/tasks/{run_task}"), update_body),
        (Method::POST, format!("{o}/completed-tasks"), complete_body.clone()),
        (Method::DELETE, format!("{o}/completed-tasks/{task}"), json!({})),
        (
            Method::POST,
            format!("{o}/runs/{run}/completed-tasks"),
            json!({"task_id": run_task, "is_approved": false}),
        ),
        (
            Method::DELETE,
            format!("{o}/runs/{run}/completed-tasks/{run_task}"),
            json!({}),
        ),
        (Method::PUT, format!("{o}/tasks/{task}/restore"), json!({})),
        (
            Method::POST,
            format!("{o}/runs"),
            json!({"name": "R", "checklist_id": "0123456789abcdef0123456789abcdef"}),
        ),
        (Method::POST, format!("{o}/runs"), launch_body),
        (
            Method::PUT,
            format!("{o}/runs/{launched}"),
            json!({"prerun": {KICKOFF: "Other", AMOUNT: 4}, "name": "L2"}),
        ),
        (
            Method::PUT,
            format!("{o}/runs/{run}"),
            json!({"name": "R2", "summary": "s", "owner_id": 1002, "starred": true, "is_public": false, "users": [1001], "groups": [group], "tags": [tag]}),
        ),
        (Method::PUT, format!("{o}/runs/{run}/activate"), json!({})),
        (
            Method::POST,
            format!("{o}/runs/{run}/complete-prerun"),
            json!({"taskdata": {}}),
        ),
        (Method::DELETE, format!("{o}/runs/{run}/complete-prerun"), json!({})),
        (
            Method::POST,
            format!("{o}/tasks/{task}/comment"),
            json!({"content": "c", "sent_to": [1002], "label": "comment"}),
        ),
        (
            Method::PUT,
            format!("{o}/tasks/{task}/comment/{comment}"),
            json!({"content": "edited"}),
        ),
        (
            Method::POST,
            format!("{o}/tasks/{task}/problem"),
            json!({"content": "broken", "sent_to": [1001]}),
        ),
        (
            Method::POST,
            format!("{o}/tasks/{task}/resolved-threads"),
            json!({"thread_id": comment, "content": "fixed"}),
        ),
        (Method::POST, format!("{o}/guests"), guest_body.clone()),
        (Method::PUT, format!("{o}/guests/{guest}"), guest_body),
        (Method::PUT, format!("{o}/guests/{guest}/enable"), json!({})),
        (
            Method::POST,
            format!("{o}/groups"),
            json!({"name": "G", "description": "d", "members": [1001, 1002], "guests": [guest]}),
        ),
        (
            Method::PUT,
            format!("{o}/groups/{group}"),
            json!({"name": "G2", "members": [1002], "guests": []}),
        ),
        (
            Method::POST,
            format!("{o}/tags"),
            json!({"title": "t", "color": "#ff0000"}),
        ),
        (
            Method::PUT,
            format!("{o}/tags/{tag}"),
            json!({"title": "t2", "color": "#00ff00"}),
        ),
        (
            Method::POST,
            format!("{o}/checklists/tags"),
            json!({"tag_id": tag, "tag_type": "private", "subject_type": "Task", "subject_id": task}),
        ),
        (Method::POST, format!("{o}/checklists"), template_body.clone()),
        (Method::POST, format!("{o}/checklists"), import_body),
        (Method::PUT, format!("{o}/checklists/{template}"), template_body),
        (
            Method::POST,
            format!("{o}/checklists/{template}/clone"),
            json!({"tenant": "acme", "title": "Copy"}),
        ),
        (Method::PUT, format!("{o}/checklists/{template}/publish"), json!({})),
        (Method::PUT, format!("{o}/checklists/{template}/restore"), json!({})),
        (
            Method::POST,
            format!("{o}/checklists/tags"),
            json!({"tag_id": tag, "tag_type": "private", "subject_type": "Checklist", "subject_id": template}),
        ),
        (
            Method::POST,
            format!("{o}/folders"),
            json!({"name": "F", "parent_id": folder, "folder_type": "run"}),
        ),
        (
            Method::PUT,
            format!("{o}/folders/{folder}"),
            json!({"name": "F2", "parent_id": null, "position": 1, "folder_type": "checklist"}),
        ),
        (
            Method::POST,
            format!("{o}/folders/add-object"),
            json!({"folder_id": folder, "subject_type": "Run", "subject_id": run}),
        ),
        (
            Method::POST,
            format!("{o}/users/invite"),
            json!({"email": "inv@acme.test", "first_name": "I", "last_name": "V", "role": "light", "message": "hi"}),
        ),
        (Method::PUT, format!("{o}/users/1002/role"), json!({"role": "standard"})),
        (Method::PUT, format!("{o}/users/1002/enable"), json!({})),
        (Method::PUT, format!("{o}/users/1002/approve"), json!({})),
        (
            Method::POST,
            format!("{o}/webhook-events/0123456789abcdef0123456789abcdef/redeliver"),
            json!({}),
        ),
        (
            Method::POST,
            format!("{o}/checklists/{}/automated-actions", rule_template.id),
            crate::automations::show_rule(rule_template),
        ),
        (
            Method::PUT,
            format!("{o}/checklists/{}/automated-actions/{rule}", rule_template.id),
            crate::automations::show_rule(rule_template),
        ),
    ]
}

/// The read routes, whose query strings are fuzzed too.
fn read_routes(ids: &Ids) -> Vec<String> {
    let Ids {
        task,
        run,
        run_task,
        guest,
        tag,
        folder,
        template,
        launched,
        ..
    } = ids;
    let o = "/organizations/acme";
    [
        "/tasks",
        "/me/tasks",
        "/users/1002/tasks",
        "/runs",
        "/search",
        "/users",
        "/users-list",
        "/guests",
        "/guests-list",
        "/groups",
        "/tags",
        "/folders",
        "/checklists",
        "/webhook-events",
        "/users/1002",
        "/me",
    ]
    .iter()
    .map(|p| format!("{o}{p}"))
    .chain([
        format!("{o}/guests/{guest}/tasks"),
        format!("{o}/tasks/{task}"),
        format!("{o}/runs/{run}"),
        format!("{o}/runs/{run}/tasks"),
        format!("{o}/runs/{run}/tasks/{run_task}"),
        format!("{o}/tags/{tag}"),
        format!("{o}/folders/{folder}"),
        format!("{o}/checklists/{template}"),
        format!("{o}/checklists/{template}/form-fields"),
        format!("{o}/runs/{launched}"),
        format!("{o}/runs/{launched}/form-fields"),
    ])
    .collect()
}

/// One line describing a request that got a wrong answer.
fn describe(i: usize, method: &Method, path: &str, p: &Payload, status: &str, answer: &str) -> String {
    let cut = |b: &[u8]| String::from_utf8_lossy(&b[..b.len().min(300)]).into_owned();
    format!(
        "#{i} -> {status}: {} <- {method} {} content-type={:?} body={:?} ({} bytes)",
        cut(answer.as_bytes()),
        cut(path.as_bytes()),
        p.content_type,
        cut(&p.bytes),
        p.bytes.len(),
    )
}

on_both!(write_routes_answer_malformed_input_with_4xx, backend);
async fn write_routes_answer_malformed_input_with_4xx(backend: Backend) {
    let seed = env_number("DOCKET_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let iterations = env_number("DOCKET_FUZZ_ITERATIONS").map_or(DEFAULT_ITERATIONS, |n| n as usize);
    let app = TestApp::spawn_with(backend, |c| c.rate_limit = 0).await;
    let ids = arrange(&app).await;
    let mut routes = routes(&ids);
    routes.extend(step_routes(&ids));
    let mut reads = read_routes(&ids);
    let (tpl, step, _) = &ids.step_template;
    reads.push(format!("/organizations/acme/checklists/{tpl}/steps"));
    reads.push(format!("/organizations/acme/checklists/{tpl}/steps/{step}"));
    // A connection per request: a server that answers early (413) closes a connection whose
    // body it did not read, and a pooled client would blame the next request for it.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    let mut rng = Rng::new(seed);
    let started = Instant::now();
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut sent = 0;
    for i in 0..iterations {
        if started.elapsed() > TIME_BUDGET {
            eprintln!("fuzz: time budget reached after {i} of {iterations} requests");
            break;
        }
        let (method, path, base) = if rng.chance(20) {
            let path = format!("{}{}", rng.pick(&reads), generate::query(&mut rng));
            (Method::GET, path, json!({}))
        } else {
            rng.pick(&routes).clone()
        };
        let mut path = path;
        if rng.chance(4) {
            // A garbage id in one of the path's resource segments (after /organizations/acme).
            let mut segments: Vec<String> = path.split('/').map(str::to_string).collect();
            if segments.len() > 4 {
                let at = 4 + rng.below(segments.len() - 4);
                segments[at] = generate::odd_segment(&mut rng);
                path = segments.join("/");
            }
        }
        if rng.chance(4) {
            let query = *rng.pick(&[
                "?with=%ff,run,form_fields",
                "?page=-1&per_page=99999",
                "?%zz=%",
                "?with[]=x&with[a]=y",
            ]);
            path.push_str(query);
        }
        let mut p = generate::payload(&mut rng, &base);
        p.bytes.truncate(MAX_SENT);
        let mut rb = client
            .request(method.clone(), format!("{}{path}", app.base))
            .bearer_auth(&app.token)
            .header("X-Tallyfy-Client", "APIClient")
            .body(p.bytes.clone());
        if let Some(ct) = &p.content_type {
            rb = rb.header("Content-Type", ct);
        }
        if rng.chance(5) {
            rb = rb.header(
                "If-Match",
                *rng.pick(&["\"x\"", "*", "W/\"1\"", "garbage", "\"\"", "\"1\", \"2\""]),
            );
        }
        if rng.chance(5) {
            let key = if rng.chance(50) {
                format!("k{}", rng.below(8))
            } else {
                "k".repeat(300)
            };
            rb = rb.header("Idempotency-Key", key);
        }
        sent += 1;
        let r = match rb.send().await {
            Ok(r) => r,
            Err(e) => {
                failures.push(describe(i, &method, &path, &p, "no response", &e.to_string()));
                continue;
            }
        };
        let status = r.status().as_u16();
        let text = r.text().await.unwrap_or_default();
        *statuses.entry(status).or_default() += 1;
        let enveloped = || {
            serde_json::from_str::<Value>(&text)
                .ok()
                .is_some_and(|v| v["message"].is_string() && v["code"].is_string())
        };
        let fine = match status {
            200..=299 => true,
            400..=499 => enveloped(),
            _ => false,
        };
        if !fine {
            failures.push(describe(i, &method, &path, &p, &status.to_string(), &text));
        }
    }
    eprintln!(
        "fuzz ({backend:?}): seed {seed:#x}, {sent} requests in {:.1} s, statuses {statuses:?}",
        started.elapsed().as_secs_f64()
    );
    // The server is still up and still works.
    app.send(app.bare(Method::GET, "/health")).await.expect(200);
    app.send(app.bare(Method::GET, "/ready")).await.expect(200);
    app.json(
        Method::POST,
        "/organizations/acme/tasks",
        json!({"title": "After the storm"}),
    )
    .await
    .expect(201);
    assert!(
        failures.is_empty(),
        "{} of {sent} fuzz requests were not answered 2xx or an enveloped 4xx (seed {seed:#x}; rerun with \
         DOCKET_FUZZ_SEED={seed:#x} DOCKET_FUZZ_ITERATIONS={iterations}):\n{}",
        failures.len(),
        failures.iter().take(12).cloned().collect::<Vec<_>>().join("\n")
    );
    app.stop().await;
}
