//! The organization-wide task lists: T2 (every task), T10 (`me/tasks`), T11 (a member's tasks)
//! and T12 (a guest's tasks) with every parameter of spec §4.0, the derived conditions of §2.4
//! against a fixed clock, every sort and its tie-break, top-secret visibility in items and
//! counts, "assigned to" through groups (§5.5), pagination, the SDK's and seed 004's request
//! shapes, and a model-based check of random filter combinations.

use docket_domain::time::format_ts;
use reqwest::Method;
use serde_json::{Value, json};

use crate::comments::exec_sql;
use crate::support::{Backend, Resp, TestApp};

/// 2030-01-01T00:00:00Z, the fixed clock of most tests here.
const NOW: i64 = 1_893_456_000_000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 86_400_000;

/// Declares a test run on both backends with the clock fixed at [`NOW`].
macro_rules! clocked_test {
    (async fn $name:ident($app:ident : &TestApp) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($app: &TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = TestApp::spawn_with(Backend::Sqlite, |c| c.now = Some(NOW)).await;
                run(&app).await;
                app.stop().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if !Backend::postgres_available(module_path!()) {
                    return;
                }
                let app = TestApp::spawn_with(Backend::Postgres, |c| c.now = Some(NOW)).await;
                run(&app).await;
                app.stop().await;
            }
        }
    };
}

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

clocked_test! {
    async fn the_organization_list_has_its_defaults_and_list_form(app: &TestApp) {
        members(app).await;
        task(app, "Soon", json!({"deadline": ts(NOW + 2 * DAY), "summary": "Soon summary", "owners": {"users": [1002]}})).await;
        let done = task(app, "Done", json!({"deadline": ts(NOW - DAY)})).await;
        set_status(app, &done, "completed").await;
        let gone = task(app, "Archived", json!({"deadline": ts(NOW + DAY)})).await;
        archive_task(app, &gone).await;
        let (run_id, _) = run_of(app, "Quarterly review", 1005, json!({"deadline": ts(NOW + 3 * DAY)})).await;
        create(app, "Collect numbers", json!({"run_id": run_id, "deadline": ts(NOW + 4 * DAY)})).await;

        // No status filter (completed tasks are listed), archived excluded, by deadline.
        let r = app.get(TASKS).await.expect(200);
        assert_eq!(titles(&r), ["Done", "Soon", "Quarterly review", "Collect numbers"]);
        let p = pagination(&r);
        assert_eq!(
            (p["total"].as_i64(), p["count"].as_i64(), p["per_page"].as_i64(), p["current_page"].as_i64(), p["total_pages"].as_i64()),
            (Some(4), Some(4), Some(10), Some(1), Some(1))
        );
        assert_eq!(p["links"], json!({"next": null, "prev": null, "previous": null}));
        assert_eq!(r.data()[0]["status"], "completed");
        // List form: every Task key but summary.
        let soon = &r.data()[1];
        assert!(soon.get("summary").is_none(), "{soon}");
        assert_eq!((soon["run_id"].clone(), soon["position"].as_i64(), soon["is_oneoff_task"].as_bool()), (Value::Null, Some(1), Some(true)));
        assert_eq!(soon["owners"], json!({"users": [1002], "guests": [], "groups": [], "taskUrls": []}));
        assert_eq!(soon["deadline"], ts(NOW + 2 * DAY));
        assert!(soon.get("run").is_none() && soon.get("threads_count").is_none());
        let quarterly = &r.data()[2];
        assert_eq!((quarterly["run_id"].as_str(), quarterly["run_status"].as_str()), (Some(run_id.as_str()), Some("active")));
        assert_eq!(r.data()[3]["position"], 2);
        // with=summary adds it; the /api prefix answers the same.
        let r = app.get(&format!("/api{TASKS}?with=summary")).await.expect(200);
        assert_eq!(r.data()[1]["summary"], "Soon summary");
        assert_eq!(r.data()[0]["summary"], Value::Null);
        // The item routes beneath are untouched.
        app.get(&format!("{TASKS}/{gone}")).await.expect(404);
        let r = app.json(Method::PUT, TASKS, json!({})).await;
        assert_eq!(r.status, 405);
    }
}

clocked_test! {
    async fn every_status_value_follows_the_derived_conditions(app: &TestApp) {
        let (sam, _, _) = members(app).await;
        let sam_owns = json!({"users": [1002]});
        for (title, started, deadline, soft) in [
            ("Overdue", NOW - 30 * DAY, NOW - DAY, false),
            ("Due soon", NOW - DAY, NOW + 12 * HOUR, false),
            ("At now", NOW, NOW, false),
            ("Edge", NOW - DAY, NOW + DAY, false),
            ("Future start", NOW + 31 * DAY, NOW + 59 * DAY, false),
            ("Soft start", NOW + 31 * DAY, NOW + 60 * DAY, true),
        ] {
            task(app, title, json!({"started_at": ts(started), "deadline": ts(deadline), "is_soft_start_date": soft, "owners": sam_owns})).await;
        }
        let done = task(app, "Done", json!({"started_at": ts(NOW - 9 * DAY), "deadline": ts(NOW - 2 * DAY), "owners": sam_owns})).await;
        set_status(app, &done, "completed").await;
        let working = task(app, "Working", json!({"started_at": ts(NOW - DAY), "deadline": ts(NOW + 5 * DAY), "owners": sam_owns})).await;
        set_status(app, &working, "in-progress").await;
        let edge = app.get(TASKS).await.expect(200).data().as_array().expect("list").iter().find(|t| t["title"] == "Edge").map(id_of).expect("edge");
        report_problem(app, &edge).await;

        let all = ["Done", "Overdue", "At now", "Due soon", "Edge", "Working", "Future start", "Soft start"];
        let active = ["Overdue", "At now", "Due soon", "Edge", "Working", "Soft start"];
        let not_started = ["Overdue", "At now", "Due soon", "Edge", "Future start", "Soft start"];
        let cases: Vec<(&str, Vec<&str>)> = vec![
            ("", all.to_vec()),
            ("status=all", all.to_vec()),
            ("status=active,all", all.to_vec()),
            ("status=", all.to_vec()),
            ("status=active", active.to_vec()),
            ("status=active_visible", active.to_vec()),
            ("status=incomplete", all[1..].to_vec()),
            ("status=complete", vec!["Done"]),
            ("status=completed", vec!["Done"]),
            ("status=inprogress", vec!["Working"]),
            ("status=in-progress", vec!["Working"]),
            ("status=not-started", not_started.to_vec()),
            ("status=overdue", vec!["Overdue"]),
            ("status=due_soon", vec!["At now", "Due soon"]),
            ("status=due-soon", vec!["At now", "Due soon"]),
            ("status=hasproblem", vec!["Edge"]),
            ("status=problem", vec!["Edge"]),
            ("status=problem,overdue", vec!["Overdue", "Edge"]),
            ("status=Overdue,%20COMPLETE%20", vec!["Done", "Overdue"]),
            ("status=complete,inprogress,due_soon", vec!["Done", "At now", "Due soon", "Working"]),
            ("status=overdue,,due_soon", vec!["Overdue", "At now", "Due soon"]),
        ];
        for (query, expected) in &cases {
            assert_eq!(list(app, &format!("{TASKS}?{query}")).await, *expected, "T2 {query}");
        }
        // The assigned lists default to active and take the same values.
        for path in ["/organizations/acme/me/tasks", "/organizations/acme/users/1002/tasks"] {
            let r = get_as(app, &sam, path).await.expect(200);
            assert_eq!(titles(&r), active, "{path}");
            assert_eq!(total(&r), 6);
            for (query, expected) in &cases {
                let want: Vec<&str> = if query.is_empty() || *query == "status=" { active.to_vec() } else { expected.clone() };
                assert_eq!(titles(&get_as(app, &sam, &format!("{path}?{query}")).await.expect(200)), want, "{path}?{query}");
            }
        }
        // A status combines with the other filters by AND.
        assert_eq!(list(app, &format!("{TASKS}?status=active&deadline_before=2030-01-01")).await, ["Overdue"]);
        assert_eq!(list(app, &format!("{TASKS}?status=not-started&q=start")).await, ["Future start", "Soft start"]);
        assert_eq!(list(app, &format!("{TASKS}?status=active&q=start")).await, ["Soft start"]);
        // auto-skipped is not a filter value.
        assert_eq!(app.get(&format!("{TASKS}?status=auto-skipped")).await.expect_invalid("status"), "The selected status is invalid.");
    }
}

clocked_test! {
    async fn text_tag_folder_role_created_and_one_off_filters(app: &TestApp) {
        members(app).await;
        let finance = tag(app, "Finance").await;
        let ops = tag(app, "Ops Team").await;
        let report = task(app, "Quarterly REPORT draft", json!({"deadline": ts(NOW + DAY), "tags": ["finance"]})).await;
        let budget = task(app, "Budget 50% review", json!({"deadline": ts(NOW + 2 * DAY)})).await;
        let plan = task(app, "Plan a_b test", json!({"deadline": ts(NOW + 3 * DAY)})).await;
        let (run_id, onboarding) = run_of(app, "Client Onboarding", 1002, json!({"deadline": ts(NOW + 4 * DAY)})).await;
        let welcome = id_of(&create(app, "Send welcome pack", json!({"run_id": run_id, "deadline": ts(NOW + 5 * DAY), "tags": [finance]})).await);
        tag_run(app, &run_id, &ops).await;

        // q: title or run name contains, ignoring case; LIKE wildcards are literal.
        let q = |s: &str| {
            let path = format!("{TASKS}?q={s}");
            async move { list(app, &path).await }
        };
        assert_eq!(q("report").await, ["Quarterly REPORT draft"]);
        assert_eq!(q("Report%20Draft").await, ["Quarterly REPORT draft"]);
        assert_eq!(q("report+draft").await, ["Quarterly REPORT draft"]);
        assert_eq!(q("onboarding").await, ["Client Onboarding", "Send welcome pack"], "the run's name");
        assert_eq!(q("WELCOME").await, ["Send welcome pack"]);
        assert_eq!(q("50%25").await, ["Budget 50% review"]);
        assert_eq!(q("%25").await, ["Budget 50% review"]);
        assert_eq!(q("a_b").await, ["Plan a_b test"]);
        assert_eq!(q("_").await, ["Plan a_b test"]);
        assert!(q("nothing-like-this").await.is_empty());
        assert_eq!(q("").await.len(), 5, "a blank q is no filter");

        // tag: id or title (any case); on the task or on its run; unknown matches nothing.
        let t = |s: &str| {
            let path = format!("{TASKS}?tag={s}");
            async move { list(app, &path).await }
        };
        assert_eq!(t("Finance").await, ["Quarterly REPORT draft", "Send welcome pack"]);
        assert_eq!(t("FINANCE").await, ["Quarterly REPORT draft", "Send welcome pack"]);
        assert_eq!(t(&finance).await, ["Quarterly REPORT draft", "Send welcome pack"]);
        assert_eq!(t("ops%20team").await, ["Client Onboarding", "Send welcome pack"], "the run carries it");
        assert_eq!(t("Ops+Team").await, ["Client Onboarding", "Send welcome pack"]);
        assert_eq!(t(&ops).await, ["Client Onboarding", "Send welcome pack"]);
        let r = app.get(&format!("{TASKS}?tag=unknown")).await.expect(200);
        assert_eq!((titles(&r).len(), total(&r)), (0, 0));
        assert!(t("0123456789abcdef0123456789abcdef").await.is_empty());
        assert!(t("Ops").await.is_empty(), "titles match whole, not as a prefix");
        // Another organization's tag of the same title does not match.
        let other = app.add_org("other", 2001).await;
        let r = app.send(app.request_as(&other, Method::POST, "/organizations/other/tags").json(&json!({"title": "Audit"}))).await.expect(201);
        let theirs = id_of(r.data());
        assert!(t(&theirs).await.is_empty());
        assert!(t("audit").await.is_empty());

        // folder: docket has no folders, so nothing is in one; roles: nothing is assigned to a role.
        let r = app.get(&format!("{TASKS}?folder=0123456789abcdef0123456789abcdef")).await.expect(200);
        assert_eq!((titles(&r).len(), total(&r)), (0, 0));
        assert!(list(app, &format!("{TASKS}?roles=0123456789abcdef0123456789abcdef")).await.is_empty());
        assert!(list(app, &format!("{TASKS}?roles=a,b")).await.is_empty());
        assert_eq!(list(app, &format!("{TASKS}?roles=&folder=")).await.len(), 5, "blank values are no filter");
        // is_oneoff: every docket task is a one-off task.
        assert_eq!(list(app, &format!("{TASKS}?is_oneoff=true")).await.len(), 5);
        assert_eq!(list(app, &format!("{TASKS}?is_oneoff=YES")).await.len(), 5);
        assert!(list(app, &format!("{TASKS}?is_oneoff=false")).await.is_empty());
        assert!(list(app, &format!("{TASKS}?is_oneoff=0")).await.is_empty());

        // created: a UTC day or an inclusive range of days.
        set_column(app, &report, "created_at", NOW - 2 * DAY + 10 * HOUR).await; // 2029-12-30 10:00
        set_column(app, &budget, "created_at", NOW - 1).await; // 2029-12-31 23:59:59.999
        set_column(app, &plan, "created_at", NOW - DAY).await; // 2029-12-31 00:00
        // onboarding and welcome: 2030-01-01 00:00 (the clock).
        let c = |s: &str| {
            let path = format!("{TASKS}?created={s}");
            async move { list(app, &path).await }
        };
        assert_eq!(c("2029-12-31").await, ["Budget 50% review", "Plan a_b test"]);
        assert_eq!(c("2029-12-30").await, ["Quarterly REPORT draft"]);
        assert_eq!(c("2030-01-01").await, ["Client Onboarding", "Send welcome pack"]);
        assert_eq!(c("2029-12-30:2029-12-31").await, ["Quarterly REPORT draft", "Budget 50% review", "Plan a_b test"]);
        assert_eq!(c("2029-12-30%3A2030-01-01").await.len(), 5);
        assert!(c("2029-12-29").await.is_empty());
        assert!(c("2030-01-01:2029-12-30").await.is_empty(), "an empty range");

        // Combinations.
        assert_eq!(list(app, &format!("{TASKS}?q=onboarding&tag=finance")).await, ["Send welcome pack"]);
        assert_eq!(list(app, &format!("{TASKS}?tag=finance&created=2029-12-30")).await, ["Quarterly REPORT draft"]);
        assert_eq!(list(app, &format!("{TASKS}?tag=ops%20team&owners=1002&is_oneoff=true")).await, ["Client Onboarding"]);
        assert!(list(app, &format!("{TASKS}?q=report&created=2030-01-01")).await.is_empty());
        let _ = (onboarding, welcome);
    }
}

dual_test! {
    async fn assignee_filters_and_archived_tasks(app: &TestApp) {
        members(app).await;
        let ops = group(app, "Ops", &[1005], &["grp@partner.test"]).await;
        let soon = |d: i64| json!(format_ts(docket_domain::time::now_ms() + d * DAY));
        task(app, "Sam direct", json!({"owners": {"users": [1002]}, "deadline": soon(1)})).await;
        task(app, "Ops group", json!({"owners": {"groups": [ops]}, "deadline": soon(2)})).await;
        task(app, "Guest direct", json!({"owners": {"guests": ["Gina@Partner.test"]}, "deadline": soon(3)})).await;
        task(app, "Nobody", json!({"deadline": soon(4)})).await;
        let gone = task(app, "Archived one-off", json!({"owners": {"users": [1002]}, "deadline": soon(5)})).await;
        archive_task(app, &gone).await;
        let (run_id, _) = run_of(app, "Archived run", 1005, json!({"deadline": soon(6)})).await;
        app.call(Method::DELETE, &format!("/organizations/acme/runs/{run_id}")).await.expect(200);

        let l = |q: &str| {
            let path = format!("{TASKS}?{q}");
            async move { list(app, &path).await }
        };
        assert_eq!(l("").await, ["Sam direct", "Ops group", "Guest direct", "Nobody"]);
        assert_eq!(l("owners=1002").await, ["Sam direct"]);
        assert_eq!(l("owners=1005").await, ["Ops group"], "through the group");
        assert_eq!(l("owners=1002,1005").await, ["Sam direct", "Ops group"]);
        assert_eq!(l("owners=%201002%20,,1005").await, ["Sam direct", "Ops group"]);
        assert!(l("owners=1001").await.is_empty());
        assert!(l("owners=999999").await.is_empty());
        assert_eq!(l("guests=gina%40partner.test").await, ["Guest direct"]);
        assert_eq!(l("guests=GINA@Partner.Test").await, ["Guest direct"]);
        assert_eq!(l("guests=grp@partner.test").await, ["Ops group"], "a guest of the group");
        assert_eq!(l("guests=grp@partner.test,gina@partner.test").await, ["Ops group", "Guest direct"]);
        assert!(l("guests=nobody@partner.test").await.is_empty());
        assert_eq!(l(&format!("groups={ops}")).await, ["Ops group"]);
        assert!(l("groups=0123456789abcdef0123456789abcdef").await.is_empty());
        assert_eq!(l("unassigned=true").await, ["Nobody"]);
        assert_eq!(l("unassigned=false").await.len(), 4);
        assert!(l("unassigned=true&owners=1002").await.is_empty());
        // owners AND guests.
        assert_eq!(l("owners=1005&guests=grp@partner.test").await, ["Ops group"]);
        assert!(l("owners=1002&guests=gina@partner.test").await.is_empty());

        // archived: true adds archived one-offs and tasks of archived runs; only: just those.
        assert_eq!(l("archived=only").await, ["Archived one-off", "Archived run"]);
        assert_eq!(l("archived=ONLY").await, ["Archived one-off", "Archived run"]);
        assert_eq!(l("archived=true").await.len(), 6);
        assert_eq!(l("archived=1").await.len(), 6);
        assert_eq!(l("archived=false").await.len(), 4);
        assert_eq!(l("archived=true&owners=1005").await, ["Ops group", "Archived run"]);
        assert_eq!(l("archived=only&owners=1002").await, ["Archived one-off"]);
        let r = app.get(&format!("{TASKS}?archived=only")).await.expect(200);
        assert!(r.data().as_array().expect("list").iter().all(|t| t["archived_at"].is_string()));
        assert_eq!(r.data()[1]["run_status"], "archived");
    }
}

clocked_test! {
    async fn every_sort_orders_and_breaks_ties_by_increment_id(app: &TestApp) {
        members(app).await;
        let d = |n: i64| json!(ts(NOW + n * DAY));
        let beta = task(app, "beta", json!({"deadline": d(2)})).await; // 1
        let alpha_upper = task(app, "Alpha", json!({"deadline": d(1)})).await; // 2
        let alpha = task(app, "alpha", json!({"deadline": d(1)})).await; // 3
        let gamma = task(app, "Gamma", json!({"deadline": d(3)})).await; // 4
        let delta = task(app, "delta", json!({"deadline": d(0)})).await; // 5
        let (run_id, _) = run_of(app, "Run first", 1002, json!({"deadline": d(5)})).await; // 6, position 1
        let epsilon = id_of(&create(app, "Epsilon", json!({"run_id": run_id, "deadline": d(1)})).await); // 7, position 2
        for (id, created) in [(&beta, NOW - 3 * HOUR), (&alpha_upper, NOW - HOUR), (&alpha, NOW - HOUR), (&gamma, NOW - 2 * HOUR)] {
            set_column(app, id, "created_at", created).await;
        }
        for id in [&alpha, &gamma, &delta] {
            set_status(app, id, "completed").await;
        }
        set_column(app, &alpha, "completed_at", NOW - HOUR).await;
        set_column(app, &delta, "completed_at", NOW - HOUR).await;
        set_column(app, &gamma, "completed_at", NOW - 5 * HOUR).await;
        report_problem(app, &beta).await;
        report_problem(app, &epsilon).await;

        let by_deadline = ["delta", "Alpha", "alpha", "Epsilon", "beta", "Gamma", "Run first"];
        for (sort, expected) in [
            ("deadline", by_deadline.to_vec()),
            ("-deadline", vec!["Run first", "Gamma", "beta", "Alpha", "alpha", "Epsilon", "delta"]),
            ("oldest", vec!["beta", "Gamma", "Alpha", "alpha", "delta", "Run first", "Epsilon"]),
            ("created_at", vec!["beta", "Gamma", "Alpha", "alpha", "delta", "Run first", "Epsilon"]),
            ("newest", vec!["Epsilon", "Run first", "delta", "alpha", "Alpha", "Gamma", "beta"]),
            ("-created_at", vec!["Epsilon", "Run first", "delta", "alpha", "Alpha", "Gamma", "beta"]),
            ("completed_newest", vec!["alpha", "delta", "Gamma", "beta", "Alpha", "Run first", "Epsilon"]),
            ("problems", vec!["Epsilon", "beta", "delta", "Alpha", "alpha", "Gamma", "Run first"]),
            ("position", vec!["beta", "Alpha", "alpha", "Gamma", "delta", "Run first", "Epsilon"]),
            ("-position", vec!["Epsilon", "beta", "Alpha", "alpha", "Gamma", "delta", "Run first"]),
            ("title", vec!["Alpha", "alpha", "beta", "delta", "Epsilon", "Gamma", "Run first"]),
            ("-title", vec!["Run first", "Gamma", "Epsilon", "delta", "beta", "Alpha", "alpha"]),
        ] {
            assert_eq!(list(app, &format!("{TASKS}?sort={sort}")).await, expected, "sort={sort}");
            assert_eq!(list(app, &format!("{TASKS}?sort_by={sort}")).await, expected, "sort_by={sort}");
            // Pages cut the same order.
            let r = app.get(&format!("{TASKS}?sort={sort}&per_page=3&page=2")).await.expect(200);
            assert_eq!(titles(&r), expected[3..6].to_vec(), "page 2 of sort={sort}");
        }
        assert_eq!(list(app, TASKS).await, by_deadline, "deadline is the default");
        assert_eq!(list(app, &format!("{TASKS}?sort=title&sort_by=-title")).await[0], "Alpha", "sort wins over sort_by");
        assert_eq!(list(app, &format!("{TASKS}?sort=")).await, by_deadline);
        // The assigned lists sort the same way.
        let r = app.get("/organizations/acme/users/1002/tasks?sort=-position&status=all").await.expect(200);
        assert_eq!(titles(&r), ["Run first"]);
        assert_eq!(app.get(&format!("{TASKS}?sort=sideways")).await.expect_invalid("sort"), "The selected sort is invalid.");
        assert_eq!(app.get(&format!("{TASKS}?sort_by=Title")).await.expect_invalid("sort_by"), "The selected sort by is invalid.");
    }
}

dual_test! {
    async fn top_secret_tasks_are_neither_listed_nor_counted(app: &TestApp) {
        let (sam, ann, kim) = members(app).await;
        let ops = group(app, "Ops", &[1005], &[]).await;
        let soon = |d: i64| json!(format_ts(docket_domain::time::now_ms() + d * DAY));
        task(app, "Open", json!({"owners": {"users": [1007]}, "deadline": soon(1)})).await;
        task(app, "Secret", json!({"top_secret": true, "owners": {"users": [1002]}, "deadline": soon(2)})).await;
        task(app, "Group secret", json!({"top_secret": true, "owners": {"groups": [ops]}, "deadline": soon(3)})).await;
        task(app, "Guest secret", json!({"top_secret": true, "owners": {"guests": ["gina@partner.test"]}, "deadline": soon(4)})).await;

        let seen = |token: String, path: &'static str| async move {
            let r = get_as(app, &token, path).await.expect(200);
            (titles(&r), total(&r))
        };
        let all = vec!["Open".to_string(), "Secret".into(), "Group secret".into(), "Guest secret".into()];
        assert_eq!(seen(app.token.clone(), TASKS).await, (all, 4), "admins see everything");
        assert_eq!(seen(sam.clone(), TASKS).await, (vec!["Open".to_string(), "Secret".into()], 2));
        assert_eq!(seen(ann.clone(), TASKS).await, (vec!["Open".to_string(), "Group secret".into()], 2));
        assert_eq!(seen(kim.clone(), TASKS).await, (vec!["Open".to_string()], 1));
        // Counts and pages agree with what is visible.
        let r = get_as(app, &sam, &format!("{TASKS}?per_page=1&page=2")).await.expect(200);
        assert_eq!((titles(&r), total(&r), pagination(&r)["total_pages"].as_i64()), (vec!["Secret".to_string()], 2, Some(2)));
        assert_eq!(seen(kim.clone(), "/organizations/acme/tasks?status=all&archived=true&without_pagination=true").await.1, 1);

        // Someone else's secret task stays hidden on T11 and T12 too.
        assert_eq!(seen(kim.clone(), "/organizations/acme/users/1002/tasks?status=all").await, (vec![], 0));
        assert_eq!(seen(sam.clone(), "/organizations/acme/users/1002/tasks?status=all").await, (vec!["Secret".to_string()], 1));
        assert_eq!(seen(app.token.clone(), "/organizations/acme/users/1002/tasks?status=all").await.1, 1);
        assert_eq!(seen(kim.clone(), "/organizations/acme/guests/gina%40partner.test/tasks").await.1, 0);
        assert_eq!(seen(app.token.clone(), "/organizations/acme/guests/gina%40partner.test/tasks").await, (vec!["Guest secret".to_string()], 1));
        assert_eq!(seen(ann.clone(), "/organizations/acme/me/tasks").await, (vec!["Group secret".to_string()], 1));
        // Filters cannot reveal them either.
        assert_eq!(seen(kim.clone(), "/organizations/acme/tasks?owners=1002,1005&guests=gina@partner.test").await.1, 0);

        // Group membership is read at request time.
        app.json(Method::PUT, &format!("/organizations/acme/groups/{ops}"), json!({"name": "Ops", "members": [1007]})).await.expect(200);
        assert_eq!(seen(ann.clone(), TASKS).await, (vec!["Open".to_string()], 1));
        assert_eq!(seen(ann.clone(), "/organizations/acme/me/tasks").await.1, 0);
        assert_eq!(seen(kim.clone(), TASKS).await, (vec!["Open".to_string(), "Group secret".into()], 2));
    }
}

dual_test! {
    async fn me_user_and_guest_lists_hold_what_is_assigned_directly_or_through_groups(app: &TestApp) {
        let (sam, ann, kim) = members(app).await;
        let ops = group(app, "Ops", &[1005], &["grp@partner.test"]).await;
        let two = group(app, "Two", &[1002], &[]).await;
        let soon = |d: i64| json!(format_ts(docket_domain::time::now_ms() + d * DAY));
        task(app, "Sam direct", json!({"owners": {"users": [1002]}, "deadline": soon(1)})).await;
        task(app, "Ops group", json!({"owners": {"groups": [ops]}, "deadline": soon(2)})).await;
        task(app, "Sam and Ops", json!({"owners": {"users": [1002], "groups": [ops]}, "deadline": soon(3)})).await;
        task(app, "Guest direct", json!({"owners": {"guests": ["gina@partner.test"]}, "deadline": soon(4)})).await;
        task(app, "Two group", json!({"owners": {"groups": [two]}, "deadline": soon(5)})).await;
        let done = task(app, "Sam done", json!({"owners": {"users": [1002]}, "deadline": soon(6)})).await;
        set_status(app, &done, "completed").await;
        task(app, "Sam later", json!({"owners": {"users": [1002]}, "started_at": "2099-01-01", "deadline": "2099-02-01"})).await;
        let gone = task(app, "Sam archived", json!({"owners": {"users": [1002]}, "deadline": soon(7)})).await;
        archive_task(app, &gone).await;
        let (run_id, _) = run_of(app, "Run for Sam", 1002, json!({"deadline": soon(8)})).await;

        // T10: the caller's tasks, active by default.
        let me = "/organizations/acme/me/tasks";
        let r = get_as(app, &sam, me).await.expect(200);
        assert_eq!(titles(&r), ["Sam direct", "Sam and Ops", "Two group", "Run for Sam"]);
        assert_eq!(r.data()[3]["run_id"], run_id.as_str());
        assert_eq!(titles(&get_as(app, &sam, &format!("{me}?status=all")).await.expect(200)),
            ["Sam direct", "Sam and Ops", "Two group", "Sam done", "Run for Sam", "Sam later"]);
        assert_eq!(titles(&get_as(app, &sam, &format!("{me}?status=all&archived=only")).await.expect(200)), ["Sam archived"]);
        assert_eq!(titles(&get_as(app, &sam, &format!("{me}?status=complete")).await.expect(200)), ["Sam done"]);
        assert_eq!(titles(&get_as(app, &ann, me).await.expect(200)), ["Ops group", "Sam and Ops"]);
        assert!(titles(&get_as(app, &kim, me).await.expect(200)).is_empty());
        assert!(titles(&app.get(me).await.expect(200)).is_empty(), "the admin is assigned nothing");
        // Other filters narrow the caller's tasks.
        assert_eq!(titles(&get_as(app, &sam, &format!("{me}?owners=1005")).await.expect(200)), ["Sam and Ops"]);
        assert_eq!(titles(&get_as(app, &sam, &format!("{me}?groups={two}")).await.expect(200)), ["Two group"]);
        assert_eq!(titles(&get_as(app, &sam, &format!("{me}?q=ops&sort=-deadline")).await.expect(200)), ["Sam and Ops"]);

        // T11: any member's tasks, for any caller.
        let user = |id: &str| format!("/organizations/acme/users/{id}/tasks");
        assert_eq!(list(app, &user("1005")).await, ["Ops group", "Sam and Ops"]);
        assert_eq!(titles(&get_as(app, &kim, &user("1002")).await.expect(200)), ["Sam direct", "Sam and Ops", "Two group", "Run for Sam"]);
        assert_eq!(list(app, &format!("/api{}?status=all&sort=title", user("1002"))).await,
            ["Run for Sam", "Sam and Ops", "Sam direct", "Sam done", "Sam later", "Two group"]);
        assert!(list(app, &user("1001")).await.is_empty());

        // T12: by email (any case, encoded or not), guest_code or integer id; directly or through a group.
        let (gina_code, gina_id) = guest_handles(app, "gina@partner.test").await;
        let (grp_code, grp_id) = guest_handles(app, "grp@partner.test").await;
        let guest = |key: &str| format!("/organizations/acme/guests/{key}/tasks");
        for key in ["gina@partner.test".to_string(), "gina%40partner.test".into(), "GINA%40Partner.Test".into(), gina_code.clone(), gina_id.to_string()] {
            assert_eq!(list(app, &guest(&key)).await, ["Guest direct"], "{key}");
        }
        for key in [grp_code.clone(), grp_id.to_string(), "grp%40partner.test".into()] {
            assert_eq!(list(app, &guest(&key)).await, ["Ops group", "Sam and Ops"], "{key}");
        }
        assert_eq!(titles(&get_as(app, &ann, &guest(&gina_code)).await.expect(200)), ["Guest direct"]);

        // Group membership changes take effect at once.
        app.json(Method::PUT, &format!("/organizations/acme/groups/{ops}"), json!({"name": "Ops", "members": [1007], "guests": []})).await.expect(200);
        assert!(titles(&get_as(app, &ann, me).await.expect(200)).is_empty());
        assert_eq!(titles(&get_as(app, &kim, me).await.expect(200)), ["Ops group", "Sam and Ops"]);
        assert_eq!(list(app, &user("1007")).await, ["Ops group", "Sam and Ops"]);
        assert!(list(app, &user("1005")).await.is_empty());
        assert!(list(app, &guest(&grp_code)).await.is_empty());
        app.json(Method::PUT, &format!("/organizations/acme/groups/{two}"), json!({"name": "Two", "members": [], "guests": ["gina@partner.test"]})).await.expect(200);
        assert_eq!(list(app, &guest(&gina_code)).await, ["Guest direct", "Two group"]);
        assert_eq!(titles(&get_as(app, &sam, me).await.expect(200)), ["Sam direct", "Sam and Ops", "Run for Sam"]);
        app.call(Method::DELETE, &format!("/organizations/acme/groups/{two}")).await.expect(204);
        assert_eq!(list(app, &guest(&gina_code)).await, ["Guest direct"]);
    }
}

dual_test! {
    async fn unknown_people_and_other_organizations_are_not_found(app: &TestApp) {
        let (sam, _, _) = members(app).await;
        let other = app.add_org("other", 2001).await;
        app.send(app.request_as(&other, Method::POST, "/organizations/other/guests").json(&json!({"email": "theirs@partner.test"}))).await.expect(201);
        let r = app.send(app.request_as(&other, Method::GET, "/organizations/other/guests/theirs%40partner.test")).await.expect(200);
        let their_code = r.data()["link"].as_str().and_then(|l| l.rsplit('/').next()).expect("code").to_string();
        let their_id = r.data()["id"].as_i64().expect("id");
        task(app, "Ours", json!({"owners": {"guests": ["ours@partner.test"]}})).await;

        for path in [
            "/organizations/acme/users/9999/tasks",
            "/organizations/acme/users/2001/tasks", // a member of another organization
            "/organizations/acme/users/abc/tasks",
            "/organizations/acme/users/10x2/tasks",
            "/organizations/acme/users/-1002/tasks",
            "/organizations/acme/users/1002.0/tasks",
            "/organizations/acme/users/invite/tasks",
            "/organizations/acme/guests/nobody%40partner.test/tasks",
            "/organizations/acme/guests/theirs%40partner.test/tasks",
            "/organizations/acme/guests/999999/tasks",
            "/organizations/nope/tasks",
            "/organizations/nope/me/tasks",
            "/organizations/nope/users/1002/tasks",
            "/organizations/nope/guests/ours%40partner.test/tasks",
        ] {
            let r = app.get(path).await;
            assert_eq!((r.status, r.body["code"].as_str()), (404, Some("RESOURCE_NOT_FOUND")), "{path}: {}", r.text);
        }
        app.get(&format!("/organizations/acme/guests/{their_code}/tasks")).await.expect(404);
        app.get(&format!("/organizations/acme/guests/{their_id}/tasks")).await.expect(404);
        // The path is checked before the parameters.
        app.get("/organizations/acme/users/9999/tasks?status=bogus").await.expect(404);
        app.get("/organizations/acme/guests/nobody%40partner.test/tasks?sort=bogus").await.expect(404);
        // Not a member of the organization: 403 on every list.
        for path in ["/organizations/other/tasks", "/organizations/other/me/tasks", "/organizations/other/users/2001/tasks", "/organizations/other/guests/theirs%40partner.test/tasks"] {
            let r = get_as(app, &sam, path).await;
            assert_eq!(r.status, 403, "{path}: {}", r.text);
        }
        // Without credentials: 401.
        assert_eq!(app.send(app.bare(Method::GET, TASKS)).await.status, 401);
        // Known ones answer.
        app.get("/organizations/acme/users/1002/tasks").await.expect(200);
        app.get("/organizations/acme/guests/ours%40partner.test/tasks").await.expect(200);
        let r = app.send(app.request_as(&other, Method::GET, "/organizations/other/guests/theirs%40partner.test/tasks")).await.expect(200);
        assert_eq!(total(&r), 0);
    }
}

dual_test! {
    async fn invalid_parameters_are_422s_naming_each_one(app: &TestApp) {
        members(app).await;
        task(app, "Ours", json!({"owners": {"users": [1002], "guests": ["g@partner.test"]}})).await;
        for base in [
            "/organizations/acme/tasks",
            "/organizations/acme/me/tasks",
            "/organizations/acme/users/1002/tasks",
            "/organizations/acme/guests/g%40partner.test/tasks",
        ] {
            let r = app.get(&format!(
                "{base}?status=active,bogus&owners=1002,abc&guests=not-an-email&created=2025-13-01&is_oneoff=maybe&unassigned=perhaps&archived=sometimes&sort=sideways&page=0&per_page=x&without_pagination=nah&deadline_start_range=soon&deadline_end_range=15/06/2099&deadline_before=2099-06-15T10:00:00Z&deadline_after=tomorrow"
            )).await;
            assert_eq!(r.expect_invalid("status"), "The selected status is invalid.", "{base}");
            assert_eq!(r.expect_invalid("owners"), "The owners must be a comma-separated list of member ids.");
            assert_eq!(r.expect_invalid("guests"), "The guests must be a comma-separated list of email addresses.");
            assert_eq!(r.expect_invalid("created"), "The created must be a date (YYYY-MM-DD) or a range of dates (YYYY-MM-DD:YYYY-MM-DD).");
            assert_eq!(r.expect_invalid("is_oneoff"), "The is oneoff field must be true or false.");
            assert_eq!(r.expect_invalid("unassigned"), "The unassigned field must be true or false.");
            assert_eq!(r.expect_invalid("archived"), "The selected archived is invalid.");
            assert_eq!(r.expect_invalid("sort"), "The selected sort is invalid.");
            r.expect_invalid("page");
            r.expect_invalid("per_page");
            r.expect_invalid("without_pagination");
            for key in ["deadline_start_range", "deadline_end_range", "deadline_before", "deadline_after"] {
                assert_eq!(r.expect_invalid(key), format!("The {} is not a valid date.", key.replace('_', " ")));
            }
            let errors = r.body["errors"].as_object().expect("errors").len();
            assert_eq!(errors, 15);
            assert_eq!(r.body["message"], format!("The page must be an integer of at least 1. (and {} more errors)", errors - 1));
            // deadline_on decides alone.
            let r = app.get(&format!("{base}?deadline_on=2099-6-15&deadline_before=garbage")).await;
            assert_eq!(r.expect_invalid("deadline_on"), "The deadline on is not a valid date.");
            assert!(r.body["errors"].get("deadline_before").is_none());
            // One at a time, each alone.
            for (query, key) in [
                ("status=auto-skipped", "status"),
                ("status=ALL,overdue,x", "status"),
                ("owners=1.5", "owners"),
                ("owners=me", "owners"),
                ("guests=a@b.test,@x", "guests"),
                ("created=2025-01-01:", "created"),
                ("created=2025-01-01..2025-01-02", "created"),
                ("created=20250101", "created"),
                ("sort_by=deadline,title", "sort_by"),
                ("sort=DEADLINE", "sort"),
                ("per_page=-1", "per_page"),
                ("page=1.5", "page"),
                ("archived=maybe", "archived"),
            ] {
                let r = app.get(&format!("{base}?{query}")).await;
                r.expect_invalid(key);
                assert_eq!(r.body["errors"].as_object().map(|e| e.len()), Some(1), "{base}?{query}: {}", r.text);
            }
        }
    }
}

dual_test! {
    async fn pages_report_their_meta_and_link_to_their_neighbours(app: &TestApp) {
        members(app).await;
        let base_ms = docket_domain::time::now_ms();
        for i in 1..=12 {
            task(app, &format!("Task {i:02}"), json!({"deadline": format_ts(base_ms + i * DAY)})).await;
        }
        let r = app.get(&format!("/api{TASKS}?status=all&q=task+0")).await.expect(200);
        assert_eq!(titles(&r).len(), 9);
        let r = app.get(&format!("/api{TASKS}?status=all")).await.expect(200);
        assert_eq!(titles(&r).len(), 10);
        let p = pagination(&r);
        assert_eq!((p["total"].as_i64(), p["count"].as_i64(), p["per_page"].as_i64(), p["current_page"].as_i64(), p["total_pages"].as_i64()), (Some(12), Some(10), Some(10), Some(1), Some(2)));
        assert_eq!(p["links"]["next"], format!("{}/api{TASKS}?status=all&page=2", app.base));
        assert_eq!((p["links"]["prev"].clone(), p["links"]["previous"].clone()), (Value::Null, Value::Null));

        let r = app.get(&format!("{TASKS}?status=all&page=2")).await.expect(200);
        assert_eq!(titles(&r), ["Task 11", "Task 12"]);
        let p = pagination(&r);
        assert_eq!((p["count"].as_i64(), p["current_page"].as_i64()), (Some(2), Some(2)));
        assert_eq!(p["links"]["prev"], format!("{}{TASKS}?status=all&page=1", app.base));
        assert_eq!(p["links"]["previous"], p["links"]["prev"]);
        assert_eq!(p["links"]["next"], Value::Null);

        let r = app.get(&format!("{TASKS}?per_page=5&page=2&sort=-deadline&q=Task")).await.expect(200);
        assert_eq!(titles(&r), ["Task 07", "Task 06", "Task 05", "Task 04", "Task 03"]);
        let p = pagination(&r);
        assert_eq!((p["total"].as_i64(), p["per_page"].as_i64(), p["total_pages"].as_i64()), (Some(12), Some(5), Some(3)));
        assert_eq!(p["links"]["next"], format!("{}{TASKS}?per_page=5&sort=-deadline&q=Task&page=3", app.base));
        assert_eq!(p["links"]["prev"], format!("{}{TASKS}?per_page=5&sort=-deadline&q=Task&page=1", app.base));

        // A page past the end: no items, true numbers, a way back.
        let r = app.get(&format!("{TASKS}?per_page=5&page=9")).await.expect(200);
        assert!(titles(&r).is_empty());
        let p = pagination(&r);
        assert_eq!((p["total"].as_i64(), p["count"].as_i64(), p["current_page"].as_i64(), p["total_pages"].as_i64()), (Some(12), Some(0), Some(9), Some(3)));
        assert_eq!(p["links"]["next"], Value::Null);
        assert_eq!(p["links"]["prev"], format!("{}{TASKS}?per_page=5&page=3", app.base));

        // without_pagination: everything on one page.
        let r = app.get(&format!("{TASKS}?without_pagination=true&per_page=2&page=4")).await.expect(200);
        assert_eq!(titles(&r).len(), 12);
        let p = pagination(&r);
        assert_eq!((p["total"].as_i64(), p["count"].as_i64(), p["per_page"].as_i64(), p["current_page"].as_i64(), p["total_pages"].as_i64()), (Some(12), Some(12), Some(12), Some(1), Some(1)));
        assert_eq!(p["links"], json!({"next": null, "prev": null, "previous": null}));
        let r = app.get(&format!("{TASKS}?without_pagination=1&status=complete")).await.expect(200);
        let p = pagination(&r);
        assert_eq!((p["total"].as_i64(), p["count"].as_i64(), p["per_page"].as_i64(), p["total_pages"].as_i64()), (Some(0), Some(0), Some(1), Some(1)));
        let r = app.get(&format!("{TASKS}?without_pagination=false&per_page=4")).await.expect(200);
        assert_eq!((titles(&r).len(), pagination(&r)["total_pages"].as_i64()), (4, Some(3)));
        // per_page is clamped to 1000; the last value of a repeated key wins.
        let r = app.get(&format!("{TASKS}?per_page=5000")).await.expect(200);
        assert_eq!((titles(&r).len(), pagination(&r)["per_page"].as_i64()), (12, Some(1000)));
        let r = app.get(&format!("{TASKS}?per_page=2&per_page=3")).await.expect(200);
        assert_eq!(titles(&r).len(), 3);
        // The assigned lists page the same way.
        let r = app.get("/organizations/acme/users/1002/tasks?per_page=1").await.expect(200);
        assert_eq!((total(&r), pagination(&r)["total_pages"].as_i64()), (0, Some(1)));
    }
}

dual_test! {
    async fn the_sdk_requests_get_what_they_read(app: &TestApp) {
        let (sam, _, _) = members(app).await;
        let ops = group(app, "Ops", &[1002], &["grp@partner.test"]).await;
        let soon = |d: i64| json!(format_ts(docket_domain::time::now_ms() + d * DAY));
        let first = task(app, "First", json!({"owners": {"users": [1002]}, "deadline": soon(3), "tags": ["Finance"]})).await;
        let (run_id, _) = run_of(app, "Second", 1002, json!({"deadline": soon(1)})).await;
        let third = task(app, "Third", json!({"owners": {"groups": [ops], "guests": ["gina@partner.test"]}, "deadline": soon(2)})).await;
        set_status(app, &third, "completed").await;
        app.json(Method::POST, &format!("{TASKS}/{first}/comment"), json!({"content": "Hello"})).await.expect(201);
        app.json(Method::POST, &format!("{TASKS}/{first}/comment"), json!({"content": "Again"})).await.expect(201);

        // get_my_tasks(org): page=1&per_page=100&status=all.
        let r = get_as(app, &sam, "/organizations/acme/me/tasks?page=1&per_page=100&status=all").await.expect(200);
        assert_eq!(titles(&r), ["Second", "Third", "First"]);
        let p = pagination(&r);
        assert_eq!((p["total"].as_i64(), p["count"].as_i64(), p["per_page"].as_i64(), p["current_page"].as_i64(), p["total_pages"].as_i64()), (Some(3), Some(3), Some(100), Some(1), Some(1)));
        assert_eq!((p["links"]["next"].clone(), p["links"]["prev"].clone()), (Value::Null, Value::Null));
        for t in r.data().as_array().expect("list") {
            for key in ["id", "increment_id", "title", "original_title", "allow_guest_owners", "run_id", "checklist_id", "linked_step_id", "step_id", "alias",
                "taskdata", "owners", "is_completable", "status", "status_label", "task_type", "is_approved", "position", "started_at", "deadline",
                "created_at", "last_updated", "archived_at", "completed_at", "starter_id", "completer_id", "is_oneoff_task", "everyone_must_complete",
                "completion_progress", "has_deadline_dependent_child_tasks", "can_complete_only_assignees", "max_assignable", "webhook",
                "prevent_guest_comment", "stage_id", "problem", "blueprint_position", "is_soft_start_date", "send_chromeless", "run_status", "completer_guest", "top_secret"] {
                assert!(t.get(key).is_some(), "{key} missing from {t}");
            }
        }
        assert_eq!(r.data()[0]["is_completable"], true);

        // get_user_tasks(org, user_id): sort_by=newest&status=all&with=…
        let with = "with=run,threads_count,step,tags,folders,member_watchers.watcher";
        let r = app.get(&format!("/organizations/acme/users/1002/tasks?page=1&per_page=100&sort_by=newest&status=all&{with}")).await.expect(200);
        assert_eq!(titles(&r), ["Third", "Second", "First"]);
        let [third_json, second_json, first_json] = [&r.data()[0], &r.data()[1], &r.data()[2]];
        assert_eq!(second_json["run"]["data"]["id"], run_id.as_str());
        assert_eq!(second_json["run"]["data"]["name"], "Second");
        assert_eq!(first_json["run"], json!({"data": null}));
        assert_eq!((first_json["threads_count"].as_i64(), second_json["threads_count"].as_i64()), (Some(2), Some(0)));
        assert_eq!(first_json["step"], json!({"data": null}));
        assert_eq!(first_json["tags"]["data"][0]["title"], "Finance");
        assert_eq!(first_json["tags"]["data"][0]["subject_type"], "Task");
        assert_eq!(second_json["tags"], json!({"data": []}));
        for t in [third_json, second_json, first_json] {
            assert_eq!(t["folders"], json!({"data": []}));
            assert_eq!(t["member_watchers"], json!({"data": []}));
            assert!(t.get("summary").is_none());
        }
        assert_eq!(third_json["status"], "completed");

        // get_guest_tasks(org, guest_id): the guest_code from the guest's link.
        let (code, _) = guest_handles(app, "gina@partner.test").await;
        let r = app.get(&format!("/organizations/acme/guests/{code}/tasks?page=1&per_page=100&sort_by=newest&status=all&{with}")).await.expect(200);
        assert_eq!(titles(&r), ["Third"]);
        assert_eq!(r.data()[0]["owners"]["guests"], json!(["gina@partner.test"]));
        assert!(r.data()[0]["owners"]["taskUrls"][0].as_str().is_some_and(|u| u.contains(&code)));
        let r = app.get(&format!("/organizations/acme/guests/grp%40partner.test/tasks?page=1&per_page=100&sort_by=newest&status=all&{with}")).await.expect(200);
        assert_eq!(titles(&r), ["Third"], "through the group");
        // The SDK's defaults are status=all; without it the default is active.
        let r = app.get(&format!("/organizations/acme/guests/{code}/tasks")).await.expect(200);
        assert_eq!(total(&r), 0);
    }
}

clocked_test! {
    async fn the_seed_004_samples_and_their_encodings(app: &TestApp) {
        members(app).await;
        let client = tag(app, "Client Work").await;
        let d = |n: i64| json!(ts(NOW + n * HOUR));
        task(app, "Late one", json!({"deadline": d(-48), "started_at": ts(NOW - 9 * DAY)})).await;
        task(app, "Late two", json!({"deadline": d(-24), "started_at": ts(NOW - 9 * DAY), "owners": {"users": [1002]}})).await;
        task(app, "Quarterly report", json!({"deadline": d(12), "started_at": ts(NOW - DAY), "owners": {"users": [1005]}, "tags": ["Client Work"]})).await;
        task(app, "Open loose end", json!({"deadline": d(36), "started_at": ts(NOW - DAY)})).await;
        task(app, "Not yet", json!({"deadline": d(900), "started_at": ts(NOW + 30 * DAY)})).await;
        let (run_id, _) = run_of(app, "Onboarding run", 1002, json!({"deadline": d(60), "started_at": ts(NOW - DAY)})).await;
        tag_run(app, &run_id, &client).await;

        // Both base URL forms of the seed: go.tallyfy.com/api/… and api.tallyfy.com/….
        for prefix in ["", "/api"] {
            let path = format!("{prefix}{TASKS}");
            // JavaScript: new URLSearchParams({status: 'active', per_page: '20'}).
            let r = app.get(&format!("{path}?status=active&per_page=20")).await.expect(200);
            assert_eq!(titles(&r), ["Late one", "Late two", "Quarterly report", "Open loose end", "Onboarding run"]);
            assert_eq!(pagination(&r)["per_page"], 20);
            // Python requests: params={'status': 'overdue', 'per_page': 15, 'sort': '-deadline'}.
            let r = app.get(&format!("{path}?status=overdue&per_page=15&sort=-deadline")).await.expect(200);
            assert_eq!(titles(&r), ["Late two", "Late one"]);
            assert_eq!(pagination(&r)["per_page"], 15);
            // Java: Map.of(...) in any order, URLEncoder; Go: url.Values.Encode() sorts the keys.
            for query in ["status=active&per_page=10&unassigned=true", "unassigned=true&status=active&per_page=10", "per_page=5&status=active&unassigned=true"] {
                let r = app.get(&format!("{path}?{query}")).await.expect(200);
                assert_eq!(titles(&r), ["Late one", "Open loose end"], "{query}");
                assert!(r.data()[0]["owners"]["users"].as_array().is_some_and(Vec::is_empty));
            }
            // The documented includes (with=run,run.checklist,step,threads,assets,form_fields,tags).
            let r = app.get(&format!("{path}?q=onboarding&with=run,run.checklist,step,threads,assets,form_fields,tags")).await.expect(200);
            let t = &r.data()[0];
            assert_eq!(t["run"]["data"]["id"], run_id.as_str());
            assert!(t["run"]["data"]["checklist"]["data"].is_object(), "{t}");
            assert_eq!((t["step"].clone(), t["threads"].clone(), t["assets"].clone(), t["form_fields"].clone()),
                (json!({"data": null}), json!({"data": []}), json!({"data": []}), json!({"data": []})));
            assert_eq!(t["tags"], json!({"data": []}), "the tag is on the run, not the task");
        }

        // Encodings: spaces as %20 or +, commas and colons as %2C / %3A, @ as %40.
        let same = [
            ("q=quarterly%20report", "q=quarterly+report"),
            ("tag=client%20work", "tag=Client+Work"),
            ("owners=1002,1005", "owners=1002%2C1005"),
            ("status=overdue,due_soon", "status=overdue%2Cdue_soon"),
            ("created=2030-01-01:2030-01-01", "created=2030-01-01%3A2030-01-01"),
            ("deadline_end_range=2030-01-01%2012:00:00", "deadline_end_range=2030-01-01+12%3A00%3A00"),
            ("deadline_start_range=2029-12-31T00:00:00Z", "deadline_start_range=2029-12-31T00%3A00%3A00Z"),
            ("guests=x%40partner.test", "guests=x@partner.test"),
        ];
        for (a, b) in same {
            let one = list(app, &format!("{TASKS}?{a}")).await;
            assert_eq!(one, list(app, &format!("{TASKS}?{b}")).await, "{a} vs {b}");
            assert_eq!(one, list(app, &format!("/api{TASKS}?{b}")).await, "/api {b}");
        }
        assert_eq!(list(app, &format!("{TASKS}?q=quarterly+report")).await, ["Quarterly report"]);
        assert_eq!(list(app, &format!("{TASKS}?tag=Client+Work")).await, ["Quarterly report", "Onboarding run"]);
        assert_eq!(list(app, &format!("{TASKS}?owners=1002%2C1005")).await, ["Late two", "Quarterly report", "Onboarding run"]);
        assert_eq!(list(app, &format!("{TASKS}?status=overdue%2Cdue_soon")).await, ["Late one", "Late two", "Quarterly report"]);
        assert_eq!(list(app, &format!("{TASKS}?deadline_end_range=2030-01-01+12%3A00%3A00")).await, ["Late one", "Late two", "Quarterly report"]);
        assert_eq!(list(app, &format!("{TASKS}?deadline_start_range=2029-12-31T00%3A00%3A00Z&deadline_end_range=2030-01-01")).await, ["Late two", "Quarterly report"]);
        // A literal + travels as %2B.
        task(app, "C++ review", json!({"deadline": d(1000)})).await;
        assert_eq!(list(app, &format!("{TASKS}?q=c%2B%2B")).await, ["C++ review"]);
        assert!(list(app, &format!("{TASKS}?q=c+%2B%2B")).await.is_empty(), "+ is a space");
    }
}

// ---------------------------------------------------------------------------------------------
// Model-based check: random filter combinations against an in-memory reading of §4.0 and §2.4.
// ---------------------------------------------------------------------------------------------

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// What the test knows about one task.
#[derive(Debug, Clone)]
struct ModelTask {
    id: String,
    inc: i64,
    title: String,
    run: Option<usize>,
    position: i64,
    status: &'static str,
    started: i64,
    soft: bool,
    deadline: i64,
    created: i64,
    completed: Option<i64>,
    problem: bool,
    secret: bool,
    archived: bool,
    users: Vec<i64>,
    guests: Vec<String>,
    groups: Vec<usize>,
    tags: Vec<usize>,
}

struct ModelRun {
    id: String,
    name: String,
    tags: Vec<usize>,
    archived: bool,
}

struct Model {
    tasks: Vec<ModelTask>,
    runs: Vec<ModelRun>,
    /// (id, members, guest emails)
    groups: Vec<(String, Vec<i64>, Vec<String>)>,
    /// (id, title)
    tags: Vec<(String, String)>,
}

impl Model {
    fn assigned_member(&self, t: &ModelTask, user: i64) -> bool {
        t.users.contains(&user) || t.groups.iter().any(|g| self.groups[*g].1.contains(&user))
    }

    fn assigned_guest(&self, t: &ModelTask, email: &str) -> bool {
        t.guests.iter().any(|g| g == email) || t.groups.iter().any(|g| self.groups[*g].2.iter().any(|e| e == email))
    }

    fn archived(&self, t: &ModelTask) -> bool {
        t.archived || t.run.is_some_and(|r| self.runs[r].archived)
    }

    fn condition(&self, t: &ModelTask, word: &str) -> bool {
        let incomplete = t.status != "completed";
        match word {
            "active" | "active_visible" => incomplete && (t.soft || t.started <= NOW),
            "incomplete" => incomplete,
            "complete" | "completed" => !incomplete,
            "inprogress" | "in-progress" => t.status == "in-progress",
            "not-started" => t.status == "not-started",
            "overdue" => incomplete && t.deadline < NOW,
            "due_soon" | "due-soon" => incomplete && NOW <= t.deadline && t.deadline < NOW + DAY,
            "hasproblem" | "problem" => t.problem,
            other => panic!("no condition {other}"),
        }
    }
}

/// One generated request: the endpoint, the caller, the parameters.
struct Case {
    path: String,
    caller: (i64, bool),
    scope: Option<Scope>,
    params: Vec<(&'static str, String)>,
}

#[derive(Clone)]
enum Scope {
    Member(i64),
    Guest(String),
}

fn day_of(ms: i64) -> String {
    format_ts(ms)[..10].to_string()
}

fn parse_day(s: &str) -> i64 {
    docket_domain::time::start_of_day(docket_domain::time::parse_date(s).expect("date"))
}

/// The expected ids (in order) and total of `case` per §4.0.
fn expect(model: &Model, case: &Case) -> (Vec<String>, i64, i64) {
    let get = |k: &str| {
        case.params
            .iter()
            .rev()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| v.as_str())
    };
    let list = |k: &str| -> Vec<String> {
        get(k)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let (viewer, admin) = case.caller;
    let mut out: Vec<&ModelTask> = model
        .tasks
        .iter()
        .filter(|t| admin || !t.secret || model.assigned_member(t, viewer))
        .filter(|t| match &case.scope {
            Some(Scope::Member(u)) => model.assigned_member(t, *u),
            Some(Scope::Guest(e)) => model.assigned_guest(t, e),
            None => true,
        })
        .filter(|t| match get("archived") {
            Some("true") => true,
            Some("only") => model.archived(t),
            _ => !model.archived(t),
        })
        .filter(|t| {
            let words = match get("status") {
                None if case.scope.is_some() => vec!["active".to_string()],
                None => vec![],
                Some(_) => list("status"),
            };
            words.is_empty() || words.iter().any(|w| w == "all") || words.iter().any(|w| model.condition(t, w))
        })
        .filter(|t| {
            let owners: Vec<i64> = list("owners").iter().map(|s| s.parse().expect("owner")).collect();
            owners.is_empty() || owners.iter().any(|u| model.assigned_member(t, *u))
        })
        .filter(|t| {
            let guests = list("guests");
            guests.is_empty() || guests.iter().any(|g| model.assigned_guest(t, &g.to_lowercase()))
        })
        .filter(|t| {
            let groups = list("groups");
            groups.is_empty() || t.groups.iter().any(|g| groups.contains(&model.groups[*g].0))
        })
        .filter(|t| {
            get("unassigned") != Some("true") || (t.users.is_empty() && t.guests.is_empty() && t.groups.is_empty())
        })
        .filter(|t| match get("q") {
            None => true,
            Some(q) => {
                let q = q.to_lowercase();
                t.title.to_lowercase().contains(&q)
                    || t.run.is_some_and(|r| model.runs[r].name.to_lowercase().contains(&q))
            }
        })
        .filter(|t| match get("tag") {
            None => true,
            Some(tag) => {
                let carries =
                    |i: &usize| model.tags[*i].0 == tag || model.tags[*i].1.to_lowercase() == tag.to_lowercase();
                t.tags.iter().any(carries) || t.run.is_some_and(|r| model.runs[r].tags.iter().any(carries))
            }
        })
        .filter(|_| get("is_oneoff") != Some("false"))
        .filter(|t| match get("created") {
            None => true,
            Some(v) => {
                let (a, b) = v.split_once(':').unwrap_or((v, v));
                parse_day(a) <= t.created && t.created < parse_day(b) + DAY
            }
        })
        .filter(|t| {
            if let Some(on) = get("deadline_on") {
                return parse_day(on) <= t.deadline && t.deadline < parse_day(on) + DAY;
            }
            let dt = |s: &str| docket_domain::time::parse_datetime(s).expect("date-time");
            get("deadline_start_range").is_none_or(|v| t.deadline >= if v.len() == 10 { parse_day(v) } else { dt(v) })
                && get("deadline_end_range")
                    .is_none_or(|v| t.deadline <= if v.len() == 10 { parse_day(v) + DAY - 1 } else { dt(v) })
                && get("deadline_before").is_none_or(|v| t.deadline < parse_day(v))
                && get("deadline_after").is_none_or(|v| t.deadline >= parse_day(v) + DAY)
        })
        .collect();
    let sort = get("sort").unwrap_or("deadline");
    let key_cmp = |a: &&ModelTask, b: &&ModelTask| -> std::cmp::Ordering {
        use std::cmp::Ordering;
        let primary = match sort {
            "deadline" => a.deadline.cmp(&b.deadline),
            "-deadline" => b.deadline.cmp(&a.deadline),
            "newest" | "-created_at" => b.created.cmp(&a.created),
            "oldest" | "created_at" => a.created.cmp(&b.created),
            "completed_newest" => match (a.completed, b.completed) {
                (Some(x), Some(y)) => y.cmp(&x),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
            "problems" => b.problem.cmp(&a.problem).then(a.deadline.cmp(&b.deadline)),
            "position" => a.position.cmp(&b.position),
            "-position" => b.position.cmp(&a.position),
            "title" => a.title.to_lowercase().cmp(&b.title.to_lowercase()),
            "-title" => b.title.to_lowercase().cmp(&a.title.to_lowercase()),
            other => panic!("no sort {other}"),
        };
        let tie = if matches!(sort, "newest" | "-created_at") {
            b.inc.cmp(&a.inc)
        } else {
            a.inc.cmp(&b.inc)
        };
        primary.then(tie)
    };
    out.sort_by(key_cmp);
    let total = out.len() as i64;
    let all = get("without_pagination") == Some("true");
    let per_page: i64 = get("per_page").map_or(10, |v| v.parse().expect("per_page"));
    let page: i64 = get("page").map_or(1, |v| v.parse().expect("page"));
    let ids: Vec<String> = if all {
        out.iter().map(|t| t.id.clone()).collect()
    } else {
        out.iter()
            .skip(((page - 1) * per_page) as usize)
            .take(per_page as usize)
            .map(|t| t.id.clone())
            .collect()
    };
    let total_pages = if all {
        1
    } else {
        ((total + per_page - 1) / per_page).max(1)
    };
    (ids, total, total_pages)
}

/// Builds ~40 varied tasks through the API and returns what the test knows about them.
async fn build_model(app: &TestApp, rng: &mut Rng) -> Model {
    let guests = ["gina@partner.test", "gus@partner.test", "grp@partner.test"];
    for email in &guests[..2] {
        app.json(Method::POST, "/organizations/acme/guests", json!({ "email": email }))
            .await
            .expect(201);
    }
    let groups = vec![
        (
            group(app, "Ops", &[1005], &["grp@partner.test"]).await,
            vec![1005],
            vec!["grp@partner.test".to_string()],
        ),
        (group(app, "Pair", &[1002, 1007], &[]).await, vec![1002, 1007], vec![]),
    ];
    let mut tags = Vec::new();
    for title in ["Finance", "Ops Team", "Urgent"] {
        tags.push((tag(app, title).await, title.to_string()));
    }
    let mut model = Model {
        tasks: Vec::new(),
        runs: Vec::new(),
        groups,
        tags,
    };
    let titles = [
        "Quarterly report",
        "quarterly REPORT",
        "Plan launch",
        "Budget 50% review",
        "a_b test",
        "Alpha",
        "alpha",
        "Zulu",
        "Call client",
        "Review plan",
    ];
    let deadlines = [
        -3 * DAY,
        -DAY,
        -HOUR,
        0,
        HOUR,
        12 * HOUR,
        DAY,
        DAY + HOUR,
        3 * DAY,
        10 * DAY,
    ];
    let starts = [-5 * DAY, -HOUR, 0, HOUR, 2 * DAY];
    let users = [1001, 1002, 1005, 1007];
    for (name, user) in [("Quarterly run", 1002), ("Launch 50% plan", 1005), ("Ops_sync", 1007)] {
        let (run_id, task_id) = run_of(
            app,
            name,
            user,
            json!({"deadline": ts(NOW + 2 * DAY), "started_at": ts(NOW - DAY)}),
        )
        .await;
        let r = model.runs.len();
        model.runs.push(ModelRun {
            id: run_id,
            name: name.into(),
            tags: Vec::new(),
            archived: false,
        });
        let inc = app.get(&format!("{TASKS}/{task_id}")).await.expect(200).data()["increment_id"]
            .as_i64()
            .expect("inc");
        model.tasks.push(ModelTask {
            id: task_id,
            inc,
            title: name.into(),
            run: Some(r),
            position: 1,
            status: "not-started",
            started: NOW - DAY,
            soft: false,
            deadline: NOW + 2 * DAY,
            created: NOW,
            completed: None,
            problem: false,
            secret: false,
            archived: false,
            users: vec![user],
            guests: vec![],
            groups: vec![],
            tags: vec![],
        });
    }
    // Run tags: the first run carries Finance, the second Ops Team.
    for (r, t) in [(0, 0), (1, 1)] {
        tag_run(app, &model.runs[r].id.clone(), &model.tags[t].0.clone()).await;
        model.runs[r].tags.push(t);
    }
    for _ in 0..38 {
        let title = rng.pick(&titles).to_string();
        let deadline = NOW + rng.pick(&deadlines);
        let started = NOW + rng.pick(&starts);
        let soft = rng.chance(20);
        let mut task_users: Vec<i64> = users.iter().copied().filter(|_| rng.chance(25)).collect();
        task_users.dedup();
        let task_guests: Vec<String> = guests
            .iter()
            .filter(|_| rng.chance(12))
            .map(|g| g.to_string())
            .collect();
        let task_groups: Vec<usize> = (0..model.groups.len()).filter(|_| rng.chance(15)).collect();
        let task_tags: Vec<usize> = (0..model.tags.len()).filter(|_| rng.chance(20)).collect();
        let secret = rng.chance(15);
        let run = rng.chance(30).then(|| rng.below(model.runs.len()));
        let mut body = json!({
            "deadline": ts(deadline), "started_at": ts(started), "is_soft_start_date": soft, "top_secret": secret,
            "owners": {"users": task_users, "guests": task_guests, "groups": task_groups.iter().map(|g| model.groups[*g].0.clone()).collect::<Vec<_>>()},
            "tags": task_tags.iter().map(|t| if rng.chance(50) { model.tags[*t].1.to_uppercase() } else { model.tags[*t].0.clone() }).collect::<Vec<_>>(),
        });
        let mut position = 1;
        if let Some(r) = run {
            body["run_id"] = json!(model.runs[r].id);
            position = 1 + model.tasks.iter().filter(|t| t.run == Some(r)).count() as i64;
        }
        let t = create(app, &title, body).await;
        assert_eq!(t["position"].as_i64(), Some(position));
        model.tasks.push(ModelTask {
            id: id_of(&t),
            inc: t["increment_id"].as_i64().expect("inc"),
            title,
            run,
            position,
            status: "not-started",
            started,
            soft,
            deadline,
            created: NOW,
            completed: None,
            problem: false,
            secret,
            archived: false,
            users: task_users,
            guests: task_guests,
            groups: task_groups,
            tags: task_tags,
        });
    }
    // Statuses, creation and completion times, problems, archiving.
    let created_offsets = [0, -HOUR, -5 * HOUR, -DAY, -DAY - HOUR, -2 * DAY];
    let completed_offsets = [-HOUR, -2 * HOUR, -2 * HOUR, -DAY];
    for i in 0..model.tasks.len() {
        let id = model.tasks[i].id.clone();
        let created = NOW + rng.pick(&created_offsets);
        set_column(app, &id, "created_at", created).await;
        model.tasks[i].created = created;
        match rng.below(10) {
            0..=2 => {
                set_status(app, &id, "completed").await;
                let at = NOW + rng.pick(&completed_offsets);
                set_column(app, &id, "completed_at", at).await;
                model.tasks[i].status = "completed";
                model.tasks[i].completed = Some(at);
            }
            3 | 4 => {
                set_status(app, &id, "in-progress").await;
                model.tasks[i].status = "in-progress";
            }
            _ => {}
        }
        if rng.chance(20) {
            report_problem(app, &id).await;
            model.tasks[i].problem = true;
        }
    }
    for i in 0..model.tasks.len() {
        if model.tasks[i].run.is_none() && rng.chance(12) {
            archive_task(app, &model.tasks[i].id.clone()).await;
            model.tasks[i].archived = true;
        }
    }
    let last = model.runs.len() - 1;
    app.call(
        Method::DELETE,
        &format!("/organizations/acme/runs/{}", model.runs[last].id),
    )
    .await
    .expect(200);
    model.runs[last].archived = true;
    model
}

/// A random request.
fn random_case(rng: &mut Rng, model: &Model) -> Case {
    let callers = [(1001, true), (1002, false), (1005, false)];
    let caller = *rng.pick(&callers);
    let (path, scope) = match rng.below(10) {
        0..=4 => (TASKS.to_string(), None),
        5 | 6 => (
            "/organizations/acme/me/tasks".to_string(),
            Some(Scope::Member(caller.0)),
        ),
        7 | 8 => {
            let u = *rng.pick(&[1001, 1002, 1005, 1007]);
            (format!("/organizations/acme/users/{u}/tasks"), Some(Scope::Member(u)))
        }
        _ => {
            let g = *rng.pick(&["gina@partner.test", "gus@partner.test", "grp@partner.test"]);
            (
                format!("/organizations/acme/guests/{}/tasks", g.replace('@', "%40")),
                Some(Scope::Guest(g.to_string())),
            )
        }
    };
    let mut params: Vec<(&'static str, String)> = Vec::new();
    let status_words = [
        "all",
        "active",
        "active_visible",
        "incomplete",
        "complete",
        "completed",
        "inprogress",
        "in-progress",
        "not-started",
        "overdue",
        "due_soon",
        "due-soon",
        "hasproblem",
        "problem",
    ];
    if rng.chance(60) {
        let n = 1 + rng.below(2);
        let words: Vec<&str> = (0..n).map(|_| *rng.pick(&status_words)).collect();
        params.push(("status", words.join(",")));
    }
    if rng.chance(15) {
        params.push((
            "q",
            rng.pick(&[
                "report", "REPORT", "plan", "50%", "a_b", "_", "launch", "alpha", "zzz", "ops",
            ])
            .to_string(),
        ));
    }
    if rng.chance(20) {
        let n = 1 + rng.below(2);
        let owners: Vec<String> = (0..n)
            .map(|_| rng.pick(&[1001, 1002, 1005, 1007, 4242]).to_string())
            .collect();
        params.push(("owners", owners.join(",")));
    }
    if rng.chance(12) {
        params.push((
            "guests",
            rng.pick(&[
                "gina@partner.test",
                "GUS@Partner.test",
                "grp@partner.test",
                "gina@partner.test,gus@partner.test",
            ])
            .to_string(),
        ));
    }
    if rng.chance(12) {
        params.push(("groups", model.groups[rng.below(model.groups.len())].0.clone()));
    }
    if rng.chance(15) {
        let t = &model.tags[rng.below(model.tags.len())];
        let value = match rng.below(4) {
            0 => t.0.clone(),
            1 => t.1.to_lowercase(),
            2 => t.1.to_uppercase(),
            _ => "no such tag".to_string(),
        };
        params.push(("tag", value));
    }
    if rng.chance(12) {
        let days = ["2029-12-30", "2029-12-31", "2030-01-01"];
        let v = if rng.chance(50) {
            rng.pick(&days).to_string()
        } else {
            format!("{}:{}", rng.pick(&days[..2]), rng.pick(&days[1..]))
        };
        params.push(("created", v));
    }
    if rng.chance(25) {
        let days = ["2029-12-29", "2029-12-31", "2030-01-01", "2030-01-02", "2030-01-04"];
        match rng.below(6) {
            0 => params.push(("deadline_on", rng.pick(&days).to_string())),
            1 => params.push(("deadline_before", rng.pick(&days).to_string())),
            2 => params.push(("deadline_after", rng.pick(&days).to_string())),
            3 => params.push(("deadline_start_range", rng.pick(&days).to_string())),
            4 => params.push((
                "deadline_end_range",
                day_of(NOW + [0, HOUR, DAY][rng.below(3)])
                    + "T"
                    + &format_ts(NOW + [0, HOUR, 12 * HOUR][rng.below(3)])[11..],
            )),
            _ => {
                params.push(("deadline_start_range", format_ts(NOW - HOUR)));
                params.push(("deadline_end_range", rng.pick(&days).to_string()));
                if rng.chance(50) {
                    params.push(("deadline_on", "2030-01-01".to_string()));
                }
            }
        }
    }
    if rng.chance(10) {
        params.push(("unassigned", rng.pick(&["true", "false"]).to_string()));
    }
    if rng.chance(20) {
        params.push(("archived", rng.pick(&["true", "only", "false"]).to_string()));
    }
    if rng.chance(5) {
        params.push(("is_oneoff", rng.pick(&["true", "false"]).to_string()));
    }
    if rng.chance(70) {
        params.push(("sort", rng.pick(&SORTS).to_string()));
    }
    match rng.below(4) {
        0 => params.push(("without_pagination", "true".into())),
        1 | 2 => {
            params.push(("per_page", (1 + rng.below(8)).to_string()));
            params.push(("page", (1 + rng.below(4)).to_string()));
        }
        _ => {}
    }
    Case {
        path,
        caller,
        scope,
        params,
    }
}

const SORTS: [&str; 12] = [
    "deadline",
    "-deadline",
    "newest",
    "-created_at",
    "oldest",
    "created_at",
    "completed_newest",
    "problems",
    "position",
    "-position",
    "title",
    "-title",
];

async fn random_filters_agree_with_the_model(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.now = Some(NOW)).await;
    let (sam, ann, _) = members(&app).await;
    let mut rng = Rng(0x5eed_0004);
    let model = build_model(&app, &mut rng).await;
    let mut non_empty = 0;
    for n in 0..400 {
        let case = random_case(&mut rng, &model);
        let token = match case.caller.0 {
            1001 => app.token.clone(),
            1002 => sam.clone(),
            _ => ann.clone(),
        };
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &case.params {
            query.append_pair(k, v);
        }
        let url = format!("{}?{}", case.path, query.finish());
        let r = get_as(&app, &token, &url).await;
        assert_eq!(r.status, 200, "case {n} {url}: {}", r.text);
        let (want, want_total, want_pages) = expect(&model, &case);
        let got = ids(&r);
        let name = |ids: &[String]| -> Vec<String> {
            ids.iter()
                .map(|id| {
                    model
                        .tasks
                        .iter()
                        .find(|t| &t.id == id)
                        .map_or_else(|| id.clone(), |t| format!("{}#{}", t.title, t.inc))
                })
                .collect()
        };
        assert_eq!(name(&got), name(&want), "case {n} as {}: {url}", case.caller.0);
        assert_eq!(total(&r), want_total, "total of case {n}: {url}");
        assert_eq!(
            pagination(&r)["total_pages"].as_i64(),
            Some(want_pages),
            "pages of case {n}: {url}"
        );
        assert_eq!(pagination(&r)["count"].as_i64(), Some(want.len() as i64));
        if !want.is_empty() {
            non_empty += 1;
        }
    }
    assert!(
        non_empty > 150,
        "the generated cases mostly select something ({non_empty})"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_filters_agree_with_the_model_sqlite() {
    random_filters_agree_with_the_model(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_filters_agree_with_the_model_postgres() {
    if Backend::postgres_available("random_filters_agree_with_the_model") {
        random_filters_agree_with_the_model(Backend::Postgres).await;
    }
}

fn ts(ms: i64) -> String {
    format_ts(ms)
}
