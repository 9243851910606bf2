//! The organization-wide task lists: T2 (every task), T10 (`me/tasks`), T11 (a member's tasks)
//! and T12 (a guest's tasks) with every parameter of spec §4.0. Shared fixtures live here;
//! `conditions.rs` holds the parameters and derived conditions, `sorts.rs` the sorts,
//! `visibility.rs` who sees which task, `assignments.rs` assignment changes, `scopes.rs`
//! refusals, pagination and the SDK/seed 004 request shapes, `stream.rs` unpaginated lists, and
//! `model/` the check of random filter combinations against an in-memory model.

use docket_domain::time::format_ts;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::fixtures::exec_sql;
use crate::support::{Backend, Resp, TestApp};

/// 2030-01-01T00:00:00Z, the fixed clock of most tests here.
const NOW: i64 = 1_893_456_000_000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 86_400_000;

const TASKS: &str = "/organizations/acme/tasks";

/// 1002 sam (standard), 1005 ann (light), 1007 kim (standard); their tokens.
async fn members(app: &TestApp) -> (String, String, String) {
    let (_, sam) = app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let (_, ann) = app.add_member("acme", 1005, "ann@acme.test", "light").await;
    let (_, kim) = app.add_member("acme", 1007, "kim@acme.test", "standard").await;
    (sam, ann, kim)
}

/// Creates a task (T1) with `title` and the fields of `extra`; returns the created task.
async fn create(app: &TestApp, title: &str, extra: Value) -> Value {
    let mut body = json!({ "title": title });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    app.json(Method::POST, TASKS, body).await.expect(201).data().clone()
}

/// Creates a task; returns its id.
async fn task(app: &TestApp, title: &str, extra: Value) -> String {
    id_of(&create(app, title, extra).await)
}

/// A fan-out run of one task assigned to `user`; returns (run id, task id).
async fn run_of(app: &TestApp, name: &str, user: i64, extra: Value) -> (String, String) {
    let mut extra = extra;
    extra["separate_task_for_each_assignee"] = json!(true);
    extra["owners"] = json!({ "users": [user] });
    let t = create(app, name, extra).await;
    (t["run"]["id"].as_str().expect("run id").to_string(), id_of(&t))
}

fn id_of(t: &Value) -> String {
    t["id"].as_str().expect("task id").to_string()
}

/// A group with these members and guests; returns its id.
async fn group(app: &TestApp, name: &str, members: &[i64], guests: &[&str]) -> String {
    let r = app
        .json(
            Method::POST,
            "/organizations/acme/groups",
            json!({"name": name, "members": members, "guests": guests}),
        )
        .await
        .expect(201);
    id_of(r.data())
}

/// A tag; returns its id.
async fn tag(app: &TestApp, title: &str) -> String {
    let r = app
        .json(Method::POST, "/organizations/acme/tags", json!({ "title": title }))
        .await
        .expect(201);
    id_of(r.data())
}

async fn tag_run(app: &TestApp, run_id: &str, tag_id: &str) {
    app.json(
        Method::POST,
        "/organizations/acme/checklists/tags",
        json!({"subject_id": run_id, "subject_type": "Run", "tag_id": tag_id, "tag_type": "private"}),
    )
    .await
    .expect(201);
}

/// `PUT` a task's status (`completed`, `in-progress`, …) on the organization route.
async fn set_status(app: &TestApp, id: &str, status: &str) {
    app.json(Method::PUT, &format!("{TASKS}/{id}"), json!({ "status": status }))
        .await
        .expect(200);
}

async fn report_problem(app: &TestApp, id: &str) {
    app.json(
        Method::POST,
        &format!("{TASKS}/{id}/problem"),
        json!({"content": "Stuck"}),
    )
    .await
    .expect(201);
}

async fn archive_task(app: &TestApp, id: &str) {
    let r = app.call(Method::DELETE, &format!("{TASKS}/{id}")).await;
    assert!(r.status < 300, "archive: {}", r.text);
}

async fn set_column(app: &TestApp, id: &str, column: &str, ms: i64) {
    exec_sql(app, &format!("UPDATE tasks SET {column} = {ms} WHERE id = '{id}'")).await;
}

/// One of the writes that move a task between the cells of the kept counts, drawn by `rng`:
/// complete, reopen, set a status, report a problem, archive, restore. The answer's status.
async fn status_write(app: &TestApp, rng: &mut crate::support::rng::Rng, id: &str) -> u16 {
    let path = format!("{TASKS}/{id}");
    match rng.below(6) {
        0 => {
            let body = json!({"task_id": id, "is_approved": true});
            app.json(Method::POST, "/organizations/acme/completed-tasks", body)
                .await
                .status
        }
        1 => {
            app.call(Method::DELETE, &format!("/organizations/acme/completed-tasks/{id}"))
                .await
                .status
        }
        2 => {
            let s = ["in-progress", "not-started", "completed"][rng.below(3)];
            app.json(Method::PUT, &path, json!({ "status": s })).await.status
        }
        3 => {
            app.json(Method::POST, &format!("{path}/problem"), json!({"content": "Stuck"}))
                .await
                .status
        }
        4 => app.call(Method::DELETE, &path).await.status,
        _ => {
            app.json(Method::PUT, &format!("{path}/restore"), json!({}))
                .await
                .status
        }
    }
}

/// The status parameters of the lists whose totals come from kept counts (`tag_counts.rs`,
/// `member_counts.rs`), and each one's condition on `t` (`{now}` is the clock). Each names its
/// status: a member's tasks and my tasks default to `active`, the organization's tasks to all.
const KEPT_STATUSES: &[(&str, &str)] = &[
    ("&status=all&archived=true", "TRUE"),
    ("&status=all", "t.archived_at IS NULL"),
    ("&status=completed", "t.archived_at IS NULL AND t.status = 'completed'"),
    (
        "&status=not-started",
        "t.archived_at IS NULL AND t.status = 'not-started'",
    ),
    (
        "&status=in-progress,hasproblem",
        "t.archived_at IS NULL AND (t.status = 'in-progress' OR (t.problem AND t.status <> 'auto-skipped'))",
    ),
    (
        "&status=hasproblem",
        "t.archived_at IS NULL AND t.problem AND t.status <> 'auto-skipped'",
    ),
    (
        "&status=active",
        "t.archived_at IS NULL AND t.status NOT IN ('completed', 'auto-skipped') AND (t.is_soft_start_date OR t.started_at <= {now})",
    ),
    (
        "&status=overdue",
        "t.archived_at IS NULL AND t.status NOT IN ('completed', 'auto-skipped') AND t.deadline < {now}",
    ),
    (
        "&status=overdue&archived=true",
        "t.status NOT IN ('completed', 'auto-skipped') AND t.deadline < {now}",
    ),
    (
        "&status=due_soon",
        "t.archived_at IS NULL AND t.status NOT IN ('completed', 'auto-skipped') AND t.deadline >= {now} AND t.deadline < {soon}",
    ),
];

/// A deadline within a day of `now`, on the hour, as the API writes it: today's part either
/// side of the clock, and the days either side of today.
fn near_deadline(rng: &mut crate::support::rng::Rng, now: i64) -> String {
    format_ts(now + (rng.below(49) as i64 - 24) * HOUR)
}

/// PostgreSQL's kept counts only insert deltas: piles 300 that cancel out onto one cell of
/// `table` for `key` (its key column and an SQL value, or none for the organization's own
/// counts), and checks they are there.
async fn pile_deltas(app: &TestApp, table: &str, key: Option<(&str, &str)>) {
    let (column, value) = key.map_or((String::new(), String::new()), |(c, v)| {
        (format!("{c}, "), format!("{v}, "))
    });
    let pair =
        format!("('acme', {value}'completed', FALSE, FALSE, 0, 1), ('acme', {value}'completed', FALSE, FALSE, 0, -1)");
    let pile = vec![pair; 150].join(", ");
    exec_sql(
        app,
        &format!("INSERT INTO {table} (org_id, {column}status, problem, archived, due_day, n) VALUES {pile}"),
    )
    .await;
    let rows = format!("SELECT COUNT(*) FROM {table} WHERE org_id = $1 AND {}", key_sql(key));
    assert!(crate::support::fixtures::count_rows(app, &rows, "acme").await > 300);
}

/// The test of `key` (see [`pile_deltas`]) on a row of its table.
fn key_sql(key: Option<(&str, &str)>) -> String {
    key.map_or("TRUE".into(), |(c, v)| format!("{c} = {v}"))
}

/// Whether a read folded the rows of `table` for `key` into one per cell (the fold runs in
/// the background): waits up to 5 s.
async fn deltas_folded(app: &TestApp, table: &str, key: Option<(&str, &str)>) -> bool {
    use crate::support::fixtures::count_rows;
    let key = key_sql(key);
    let rows = format!("SELECT COUNT(*) FROM {table} WHERE org_id = $1 AND {key}");
    let cells = format!(
        "SELECT COUNT(*) FROM (SELECT DISTINCT status, problem, archived, due_day FROM {table}
          WHERE org_id = $1 AND {key}) c"
    );
    for _ in 0..100 {
        if count_rows(app, &rows, "acme").await <= count_rows(app, &cells, "acme").await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

/// The server of a kept-count test (`tag_counts.rs`, `member_counts.rs`, `day_counts.rs`): its
/// clock at `now`, no rate limit (each check reads dozens of lists), and `drive_max` as its
/// `list_drive_max` when given; with the seed of its random writes (the time, named by every
/// assertion) and their generator.
async fn count_test(backend: Backend, now: i64, drive_max: Option<i64>) -> (TestApp, u64, crate::support::rng::Rng) {
    let app = TestApp::spawn_with(backend, |c| {
        c.now = Some(now);
        c.rate_limit = 0;
        if let Some(max) = drive_max {
            c.list_drive_max = max;
        }
    })
    .await;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0x5EED, |d| d.as_nanos() as u64);
    (app, seed, crate::support::rng::Rng::new(seed))
}

/// Checks that `r`, a list of `what` asked for 3 a page, has the total `want` and a full page.
fn assert_counted(r: &Resp, want: i64, seed: u64, step: usize, what: &str) {
    assert_eq!(total(r), want, "seed {seed}, after write {step}: total of {what}");
    assert_eq!(ids(r).len() as i64, want.min(3), "seed {seed}: page of {what}");
}

/// Gives `id` a hard start date a day after `now`, behind the routes' back: not active,
/// though incomplete. 200, as the write's answer.
async fn start_ahead(app: &TestApp, id: &str, now: i64) -> u16 {
    exec_sql(
        app,
        &format!(
            "UPDATE tasks SET started_at = {}, is_soft_start_date = FALSE WHERE id = '{id}'",
            now + DAY
        ),
    )
    .await;
    200
}

/// Deletes `id` for good, and drops it from `tasks` if that worked. The answer's status.
async fn delete_for_good(app: &TestApp, id: &str, tasks: &mut Vec<String>) -> u16 {
    let r = app.call(Method::DELETE, &format!("{TASKS}/{id}/delete")).await;
    if r.status < 300 {
        tasks.retain(|t| t != id);
    }
    r.status
}

fn titles(r: &Resp) -> Vec<String> {
    r.data()
        .as_array()
        .unwrap_or_else(|| panic!("a task list: {}", r.text))
        .iter()
        .map(|t| t["title"].as_str().expect("title").to_string())
        .collect()
}

fn ids(r: &Resp) -> Vec<String> {
    r.data()
        .as_array()
        .unwrap_or_else(|| panic!("a task list: {}", r.text))
        .iter()
        .map(id_of)
        .collect()
}

fn pagination(r: &Resp) -> &Value {
    &r.body["meta"]["pagination"]
}

fn total(r: &Resp) -> i64 {
    pagination(r)["total"].as_i64().expect("total")
}

/// `GET path` as the admin; 200; the titles.
async fn list(app: &TestApp, path: &str) -> Vec<String> {
    titles(&app.get(path).await.expect(200))
}

/// `GET path` as `token`.
async fn get_as(app: &TestApp, token: &str, path: &str) -> Resp {
    app.send(app.request_as(token, Method::GET, path)).await
}

/// A guest's `guest_code` and integer id.
async fn guest_handles(app: &TestApp, email: &str) -> (String, i64) {
    let r = app
        .get(&format!("/organizations/acme/guests/{}", email.replace('@', "%40")))
        .await
        .expect(200);
    let code = r.data()["link"]
        .as_str()
        .and_then(|l| l.rsplit('/').next())
        .expect("code")
        .to_string();
    (code, r.data()["id"].as_i64().expect("guest id"))
}

fn ts(ms: i64) -> String {
    format_ts(ms)
}

mod assignments;
mod conditions;
mod counts;
mod day_counts;
mod member_counts;
mod model;
mod scopes;
mod sorts;
mod stream;
mod tag_counts;
mod visibility;
mod word_counts;
