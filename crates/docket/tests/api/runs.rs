//! Run writes (R3 update, R4 archive, R5 activate, R6 permanent delete, R8 launch, R9/R10
//! kick-off) and R7, the tasks of a run with their filters, sorts and pages.

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::Connection;

use crate::support::{Backend, Resp, TestApp};

/// 1002 standard, 1005 light, 1007 standard.
async fn seed(app: &TestApp) -> (String, String, String) {
    let (_, sam) = app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let (_, ann) = app.add_member("acme", 1005, "ann@acme.test", "light").await;
    let (_, kim) = app.add_member("acme", 1007, "kim@acme.test", "standard").await;
    (sam, ann, kim)
}

/// A fan-out run (one task per user) with `extra` merged into the create body; returns the
/// run id and its task ids by position.
async fn fan_out(app: &TestApp, title: &str, users: &[i64], extra: Value) -> (String, Vec<String>) {
    let mut body = json!({"title": title, "separate_task_for_each_assignee": true, "owners": {"users": users},
        "deadline": "2099-03-01T12:00:00Z"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let r = app
        .json(Method::POST, "/organizations/acme/tasks", body)
        .await
        .expect(201);
    let run_id = r.data()["run_id"].as_str().expect("run id").to_string();
    let ids = task_ids(
        &app.get(&format!("/organizations/acme/runs/{run_id}?with=tasks"))
            .await
            .expect(200)
            .data()["tasks"],
    );
    (run_id, ids)
}

/// Adds one task to a run (at the end); returns its id.
async fn add_task(app: &TestApp, run_id: &str, body: Value) -> String {
    let mut body = body;
    body["run_id"] = json!(run_id);
    let r = app
        .json(Method::POST, "/organizations/acme/tasks", body)
        .await
        .expect(201);
    r.data()["id"].as_str().expect("task id").to_string()
}

fn task_ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .expect("task list")
        .iter()
        .map(|t| t["id"].as_str().expect("id").to_string())
        .collect()
}

fn titles(r: &Resp) -> Vec<String> {
    r.data()
        .as_array()
        .expect("list")
        .iter()
        .map(|t| t["title"].as_str().expect("title").to_string())
        .collect()
}

/// Rows matching `sql` (one `$1` bound to `key`), read straight from the database.
pub(crate) async fn count_rows(app: &TestApp, sql: &str, key: &str) -> i64 {
    let url = app.store_url();
    match app.backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&url).await.expect("sqlite");
            sqlx::query_scalar::<_, i64>(sql)
                .bind(key)
                .fetch_one(&mut c)
                .await
                .expect("count")
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&url).await.expect("postgres");
            sqlx::query_scalar::<_, i64>(sql)
                .bind(key)
                .fetch_one(&mut c)
                .await
                .expect("count")
        }
    }
}

dual_test! {
    async fn update_process_changes_the_given_fields_and_nothing_else(app: &TestApp) {
        seed(app).await;
        app.add_org("beta", 2001).await;
        let (run_id, _) = fan_out(app, "Quarterly close", &[1002], json!({"summary": "Start"})).await;
        let path = format!("/organizations/acme/runs/{run_id}");

        // The SDK's update_process sends exactly the keys it was given.
        let r = app.json(Method::PUT, &format!("/api{path}"), json!({"name": "Q3 close", "summary": "Books", "starred": true})).await.expect(200);
        assert_eq!((r.data()["name"].as_str(), r.data()["summary"].as_str(), r.data()["starred"].as_bool()), (Some("Q3 close"), Some("Books"), Some(true)));
        let r = app.get(&path).await.expect(200);
        let d = r.data();
        assert_eq!((d["name"].as_str(), d["summary"].as_str(), d["starred"].as_bool()), (Some("Q3 close"), Some("Books"), Some(true)));
        assert_eq!((d["owner_id"].as_i64(), d["is_public"].as_bool(), d["users"].clone(), d["groups"].clone()), (Some(1001), Some(false), json!([]), json!([])));
        assert_eq!((d["status"].as_str(), d["progress"]["total"].as_i64()), (Some("active"), Some(1)));

        // Owner, visibility and the run-level assignment (lists replace; duplicates dropped);
        // prerun is accepted and ignored.
        let g = app.json(Method::POST, "/organizations/acme/groups", json!({"name": "Ops", "members": [1005]})).await.expect(201);
        let gid = g.data()["id"].as_str().expect("group").to_string();
        let body = json!({"owner_id": "1002", "is_public": true, "users": [1005, "1002", {"id": 1005}], "groups": [gid], "prerun": {"kick": "off"}});
        app.json(Method::PUT, &path, body).await.expect(200);
        let d = app.get(&path).await.expect(200).data().clone();
        assert_eq!((d["owner_id"].as_i64(), d["is_public"].as_bool()), (Some(1002), Some(true)));
        assert_eq!((d["users"].clone(), d["groups"].clone()), (json!([1005, 1002]), json!([gid])));
        assert_eq!((d["name"].as_str(), d["started_by"].as_i64(), d["prerun"].clone()), (Some("Q3 close"), Some(1001), json!({})));
        assert_eq!(d["collaborators"], json!([1002]), "owner plus task assignees");
        app.json(Method::PUT, &path, json!({"users": [1002], "summary": null, "starred": false})).await.expect(200);
        let d = app.get(&path).await.expect(200).data().clone();
        assert_eq!((d["users"].clone(), d["groups"].clone(), d["summary"].clone(), d["starred"].as_bool()), (json!([1002]), json!([gid]), Value::Null, Some(false)));
        app.json(Method::PUT, &path, json!({"groups": []})).await.expect(200);
        assert_eq!(app.get(&path).await.expect(200).data()["groups"], json!([]));

        // 550 characters is the longest name.
        let long = "n".repeat(550);
        app.json(Method::PUT, &path, json!({"name": long})).await.expect(200);
        assert_eq!(app.get(&path).await.expect(200).data()["name"], long.as_str());

        // An empty body (JSON or none at all) is a no-op that returns the run.
        let before = app.get(&path).await.expect(200);
        let r = app.json(Method::PUT, &path, json!({})).await.expect(200);
        assert_eq!(r.data()["last_updated"], before.data()["last_updated"]);
        let r = app.call(Method::PUT, &path).await.expect(200);
        assert_eq!(r.data()["name"], long.as_str());
        let r = app.json(Method::PUT, &path, json!({"prerun": {"a": 1}})).await.expect(200);
        assert_eq!(r.data()["last_updated"], before.data()["last_updated"]);

        // Every invalid field at once, nothing stored.
        let body = json!({"name": "x".repeat(551), "starred": "maybe", "owner_id": 2001, "users": [1005, 4242], "groups": ["nope"], "is_public": null});
        let r = app.json(Method::PUT, &path, body).await;
        for key in ["name", "starred", "owner_id", "users.1", "groups.0", "is_public"] {
            r.expect_invalid(key);
        }
        assert!(r.body["errors"].get("users.0").is_none(), "{}", r.text);
        assert_eq!(r.expect_invalid("owner_id"), "The selected owner id is invalid.");
        assert_eq!(app.get(&path).await.expect(200).data()["name"], long.as_str());
        assert_eq!(app.json(Method::PUT, &path, json!({"name": "   "})).await.expect_invalid("name"), "The name field is required.");
        app.json(Method::PUT, &path, json!({"owner_id": "abc"})).await.expect_invalid("owner_id");
        app.json(Method::PUT, &path, json!({"users": 1005})).await.expect_invalid("users");
        let d = app.get(&path).await.expect(200).data().clone();
        assert_eq!((d["owner_id"].as_i64(), d["users"].clone()), (Some(1002), json!([1002])));
    }
}

dual_test! {
    async fn light_members_change_only_the_runs_they_own(app: &TestApp) {
        let (sam, ann, _) = seed(app).await;
        let (run_id, _) = fan_out(app, "Owned by the admin", &[1005], json!({})).await;
        let path = format!("/organizations/acme/runs/{run_id}");
        // Permission is checked before validation.
        for (method, p) in [(Method::PUT, path.clone()), (Method::DELETE, path.clone()), (Method::PUT, format!("{path}/activate")),
                            (Method::POST, format!("{path}/complete-prerun")), (Method::DELETE, format!("{path}/complete-prerun"))] {
            let r = app.send(app.request_as(&ann, method, &p).json(&json!({"name": ""}))).await.expect(403);
            assert_eq!(r.body["code"], "FORBIDDEN");
        }
        // Reading is open to every member.
        app.send(app.request_as(&ann, Method::GET, &format!("{path}/tasks"))).await.expect(200);
        assert_eq!(app.get(&path).await.expect(200).data()["status"], "active");
        // Standard members may edit any run.
        let r = app.send(app.request_as(&sam, Method::PUT, &path).json(&json!({"owner_id": 1005}))).await.expect(200);
        assert_eq!(r.data()["owner_id"], 1005);
        // Now the light member owns it.
        let r = app.send(app.request_as(&ann, Method::PUT, &path).json(&json!({"name": "Mine"}))).await.expect(200);
        assert_eq!(r.data()["name"], "Mine");
        app.send(app.request_as(&ann, Method::DELETE, &path)).await.expect(200);
        // Permanent deletion is for admins only, owners and standard members included.
        app.send(app.request_as(&ann, Method::DELETE, &format!("{path}/delete"))).await.expect(403);
        app.send(app.request_as(&sam, Method::DELETE, &format!("{path}/delete"))).await.expect(403);
        let r = app.send(app.request_as(&ann, Method::PUT, &format!("{path}/activate"))).await.expect(200);
        assert_eq!((r.data()["status"].as_str(), r.data()["archived_at"].clone()), (Some("active"), Value::Null));
        assert_eq!(app.get(&path).await.expect(200).data()["name"], "Mine");
    }
}

dual_test! {
    async fn archiving_a_run_archives_its_tasks_and_activating_gives_everything_back(app: &TestApp) {
        seed(app).await;
        let (run_id, ids) = fan_out(app, "Audit", &[1002, 1005], json!({})).await;
        let path = format!("/organizations/acme/runs/{run_id}");
        // A problem on one task: the run's status is `problem`.
        app.json(Method::POST, &format!("/organizations/acme/tasks/{}/problem", ids[0]), json!({"content": "Blocked"})).await.expect(201);
        assert_eq!(app.get(&path).await.expect(200).data()["status"], "problem");

        // archive_process: DELETE without a body.
        let r = app.call(Method::DELETE, &path).await.expect(200);
        let archived_at = r.data()["archived_at"].as_str().expect("archived_at").to_string();
        assert_eq!((r.data()["status"].as_str(), r.data()["id"].as_str()), (Some("archived"), Some(run_id.as_str())));
        let r = app.get(&format!("{path}?with=tasks")).await.expect(200);
        assert_eq!(r.data()["status"], "archived");
        for t in r.data()["tasks"]["data"].as_array().expect("tasks") {
            assert_eq!((t["archived_at"].as_str(), t["run_status"].as_str()), (Some(archived_at.as_str()), Some("archived")));
            assert_eq!(t["is_completable"], false);
        }
        // The tasks stay readable on both task routes.
        for id in &ids {
            let t = app.get(&format!("/organizations/acme/tasks/{id}")).await.expect(200);
            assert_eq!((t.data()["archived_at"].as_str(), t.data()["run_status"].as_str()), (Some(archived_at.as_str()), Some("archived")));
            app.get(&format!("{path}/tasks/{id}")).await.expect(200);
        }
        // Writes to the run are refused; archiving again changes nothing.
        let r = app.json(Method::PUT, &path, json!({"name": "Renamed"})).await;
        assert_eq!(r.expect_invalid("run"), "The process is archived.");
        assert_eq!(app.json(Method::PUT, &path, json!({})).await.expect(200).data()["name"], "Audit");
        app.call(Method::POST, &format!("{path}/complete-prerun")).await.expect_invalid("run");
        let r = app.call(Method::DELETE, &path).await.expect(200);
        assert_eq!((r.data()["archived_at"].as_str(), r.data()["status"].as_str()), (Some(archived_at.as_str()), Some("archived")));
        app.json(Method::POST, "/organizations/acme/tasks", json!({"title": "Late", "run_id": run_id})).await.expect_invalid("run_id");
        // Archived tasks drop out of nothing here: R7 still lists them.
        assert_eq!(app.get(&format!("{path}/tasks")).await.expect(200).body["meta"]["pagination"]["total"], 2);

        // reactivate_process: PUT with no body but the JSON Content-Type.
        let r = app.send(app.request(Method::PUT, &format!("/api{path}/activate")).header("Content-Type", "application/json")).await.expect(200);
        assert_eq!((r.data()["status"].as_str(), r.data()["archived_at"].clone()), (Some("problem"), Value::Null));
        let r = app.get(&format!("{path}?with=tasks")).await.expect(200);
        for t in r.data()["tasks"]["data"].as_array().expect("tasks") {
            assert_eq!((t["archived_at"].clone(), t["run_status"].as_str()), (Value::Null, Some("problem")));
        }
        let t = app.get(&format!("/organizations/acme/tasks/{}", ids[1])).await.expect(200);
        assert_eq!((t.data()["archived_at"].clone(), t.data()["is_completable"].as_bool()), (Value::Null, Some(true)));
        // Activating an active run is a no-op; writes work again.
        let before = app.get(&path).await.expect(200);
        let r = app.call(Method::PUT, &format!("{path}/activate")).await.expect(200);
        assert_eq!(r.data()["last_updated"], before.data()["last_updated"]);
        app.json(Method::PUT, &path, json!({"name": "Audit 2"})).await.expect(200);
        app.json(Method::POST, "/organizations/acme/tasks", json!({"title": "Late", "run_id": run_id})).await.expect(201);
    }
}

dual_test! {
    async fn permanent_delete_needs_an_archived_run_and_removes_everything(app: &TestApp) {
        let (sam, _, _) = seed(app).await;
        let form = json!([{"label": "Amount", "field_type": "number", "required": false}]);
        let (run_id, ids) = fan_out(app, "Doomed", &[1002, 1005], json!({"form_fields": form, "tags": ["finance"]})).await;
        let (keep_id, keep_tasks) = fan_out(app, "Kept", &[1002], json!({"tags": ["finance"]})).await;
        let path = format!("/organizations/acme/runs/{run_id}");
        let tag = app.get("/organizations/acme/tags").await.expect(200).data()[0]["id"].as_str().expect("tag").to_string();
        app.json(Method::POST, "/organizations/acme/checklists/tags", json!({"tag_id": tag, "tag_type": "private", "subject_type": "Run", "subject_id": run_id})).await.expect(201);
        app.json(Method::POST, &format!("/organizations/acme/tasks/{}/comment", ids[0]), json!({"content": "Note"})).await.expect(201);
        let task_links = "SELECT COUNT(*) FROM tag_links WHERE subject_type = 'Task' AND subject_id IN (SELECT id FROM tasks WHERE run_id = $1)";
        assert_eq!(count_rows(app, task_links, &run_id).await, 2);
        assert_eq!(count_rows(app, "SELECT COUNT(*) FROM tag_links WHERE subject_id = $1", &run_id).await, 1);
        assert_eq!(count_rows(app, "SELECT COUNT(*) FROM threads WHERE task_id = $1", &ids[0]).await, 1);
        assert_eq!(count_rows(app, "SELECT COUNT(*) FROM captures c JOIN tasks t ON t.id = c.task_id WHERE t.run_id = $1", &run_id).await, 2);

        // The run must be archived first; only admins delete.
        let r = app.call(Method::DELETE, &format!("{path}/delete")).await;
        assert_eq!(r.expect_invalid("run"), "Archive the process before deleting it.");
        app.get(&path).await.expect(200);
        app.call(Method::DELETE, &path).await.expect(200);
        app.send(app.request_as(&sam, Method::DELETE, &format!("{path}/delete"))).await.expect(403);
        let r = app.call(Method::DELETE, &format!("/api{path}/delete")).await.expect(204);
        assert!(r.text.is_empty(), "204 has no body: {}", r.text);

        app.get(&path).await.expect(404);
        app.get(&format!("{path}/tasks")).await.expect(404);
        app.call(Method::PUT, &format!("{path}/activate")).await.expect(404);
        app.call(Method::DELETE, &format!("{path}/delete")).await.expect(404);
        for id in &ids {
            app.get(&format!("/organizations/acme/tasks/{id}")).await.expect(404);
            for table in ["captures", "threads", "task_users", "task_guests", "task_groups", "task_completions"] {
                assert_eq!(count_rows(app, &format!("SELECT COUNT(*) FROM {table} WHERE task_id = $1"), id).await, 0, "{table}");
            }
            assert_eq!(count_rows(app, "SELECT COUNT(*) FROM tag_links WHERE subject_id = $1", id).await, 0);
        }
        assert_eq!(count_rows(app, "SELECT COUNT(*) FROM tasks WHERE run_id = $1", &run_id).await, 0);
        assert_eq!(count_rows(app, "SELECT COUNT(*) FROM tag_links WHERE subject_id = $1", &run_id).await, 0);
        assert_eq!(count_rows(app, "SELECT COUNT(*) FROM runs WHERE id = $1", &run_id).await, 0);

        // The tag itself and the other run are untouched.
        app.get(&format!("/organizations/acme/tags/{tag}")).await.expect(200);
        let r = app.get(&format!("/organizations/acme/runs/{keep_id}?with=tasks,tags")).await.expect(200);
        assert_eq!(task_ids(&r.data()["tasks"]), keep_tasks);
        let t = app.get(&format!("/organizations/acme/tasks/{}?with=tags", keep_tasks[0])).await.expect(200);
        assert_eq!(t.data()["tags"]["data"][0]["tag_id"], tag.as_str());
        // Numbers are never reused.
        let r = app.json(Method::POST, "/organizations/acme/tasks", json!({"title": "Next", "separate_task_for_each_assignee": true, "owners": {"users": [1002]}})).await.expect(201);
        assert_eq!(r.data()["run"]["increment_id"], 3);
    }
}

dual_test! {
    async fn launching_from_a_template_is_always_refused(app: &TestApp) {
        let r = app.json(Method::POST, "/organizations/acme/runs", json!({"name": "From template"})).await;
        assert_eq!(r.expect_invalid("checklist_id"), "The checklist id field is required.");
        assert_eq!(r.body["message"], "The checklist id field is required.");
        // launch_process sends name and checklist_id; the MISC template cannot be launched either.
        let r = app.json(Method::POST, "/api/organizations/acme/runs", json!({"name": "X", "checklist_id": "0123456789abcdef0123456789abcdef"})).await;
        assert_eq!(r.expect_invalid("checklist_id"), "The selected checklist id is invalid.");
        let (run_id, _) = fan_out(app, "Any", &[1001], json!({})).await;
        let misc = app.get(&format!("/organizations/acme/runs/{run_id}")).await.expect(200).data()["checklist_id"].clone();
        app.json(Method::POST, "/organizations/acme/runs", json!({"checklist_id": misc})).await.expect_invalid("checklist_id");
        app.json(Method::POST, "/organizations/acme/runs", json!({"checklist_id": ""})).await.expect_invalid("checklist_id");
        app.call(Method::POST, "/organizations/acme/runs").await.expect_invalid("checklist_id");
        // The order of checks: a malformed body is a 400, an unknown organization a 404.
        app.send(app.request(Method::POST, "/organizations/acme/runs").header("Content-Type", "application/json").body("{")).await.expect(400);
        app.json(Method::POST, "/organizations/nope/runs", json!({})).await.expect(404);
    }
}

dual_test! {
    async fn the_kick_off_form_is_completed_and_reopened(app: &TestApp) {
        let (sam, _, _) = seed(app).await;
        let (run_id, _) = fan_out(app, "Kick-off", &[1002], json!({})).await;
        let path = format!("/organizations/acme/runs/{run_id}");
        let d = app.get(&path).await.expect(200).data().clone();
        assert_eq!((d["prerun_status"].as_str(), d["prerun_completed_by"].as_i64()), (Some("complete"), Some(1001)));
        assert!(d["prerun_completed_at"].is_string());

        // reopen_kickoff_form, then complete_kickoff_form (POST without a body) by another member.
        let r = app.call(Method::DELETE, &format!("{path}/complete-prerun")).await.expect(200);
        assert_eq!((r.data()["prerun_completed_at"].clone(), r.data()["prerun_completed_by"].clone(), r.data()["prerun_status"].as_str()), (Value::Null, Value::Null, Some("incomplete")));
        let d = app.get(&path).await.expect(200).data().clone();
        assert_eq!((d["prerun_completed_at"].clone(), d["prerun_status"].as_str()), (Value::Null, Some("incomplete")));
        app.call(Method::DELETE, &format!("{path}/complete-prerun")).await.expect(200);
        let r = app.send(app.request_as(&sam, Method::POST, &format!("/api{path}/complete-prerun")).header("Content-Type", "application/json")).await.expect(200);
        let at = r.data()["prerun_completed_at"].as_str().expect("completed").to_string();
        assert_eq!((r.data()["prerun_completed_by"].as_i64(), r.data()["prerun_status"].as_str()), (Some(1002), Some("complete")));
        // Completing again changes nothing.
        let r = app.call(Method::POST, &format!("{path}/complete-prerun")).await.expect(200);
        assert_eq!((r.data()["prerun_completed_at"].as_str(), r.data()["prerun_completed_by"].as_i64()), (Some(at.as_str()), Some(1002)));
        let d = app.get(&path).await.expect(200).data().clone();
        assert_eq!((d["prerun_completed_at"].as_str(), d["prerun_completed_by"].as_i64()), (Some(at.as_str()), Some(1002)));
        assert_eq!(d["status"], "active", "the kick-off does not change the status");
    }
}

dual_test! {
    async fn another_organizations_runs_are_not_found(app: &TestApp) {
        let beta = app.add_org("beta", 2001).await;
        let r = app.send(app.request_as(&beta, Method::POST, "/organizations/beta/tasks").json(&json!({"title": "Theirs", "separate_task_for_each_assignee": true, "owners": {"users": [2001]}}))).await.expect(201);
        let theirs = r.data()["run_id"].as_str().expect("run").to_string();
        let base = format!("/organizations/acme/runs/{theirs}");
        for (method, p) in [(Method::GET, base.clone()), (Method::PUT, base.clone()), (Method::DELETE, base.clone()),
                            (Method::PUT, format!("{base}/activate")), (Method::DELETE, format!("{base}/delete")),
                            (Method::GET, format!("{base}/tasks")), (Method::POST, format!("{base}/complete-prerun")),
                            (Method::DELETE, format!("{base}/complete-prerun"))] {
            let r = app.send(app.request(method.clone(), &p).json(&json!({"name": "Hijack"}))).await;
            assert_eq!(r.status, 404, "{method} {p}: {}", r.text);
            assert_eq!(r.body["code"], "RESOURCE_NOT_FOUND");
        }
        // Untouched in its own organization.
        let r = app.send(app.request_as(&beta, Method::GET, &format!("/organizations/beta/runs/{theirs}"))).await.expect(200);
        assert_eq!((r.data()["name"].as_str(), r.data()["status"].as_str()), (Some("Theirs"), Some("active")));
        // A non-member addressing acme is refused before the run is looked up.
        let (mine, _) = fan_out(app, "Mine", &[1001], json!({})).await;
        app.send(app.request_as(&beta, Method::DELETE, &format!("/organizations/acme/runs/{mine}"))).await.expect(403);
        app.send(app.request_as(&beta, Method::GET, &format!("/organizations/acme/runs/{mine}/tasks"))).await.expect(403);
        app.call(Method::DELETE, "/organizations/acme/runs/0123456789abcdef0123456789abcdef").await.expect(404);
    }
}

/// A run of four tasks with distinct deadlines and assignees: Base (1002, 2099-03-01 12:00),
/// Past (nobody, 2020-01-10), Guest (a guest, 2099-05-01 08:00), Group (group Ops = 1005,
/// 2099-06-15 10:00). Returns (run id, group id).
async fn filter_fixture(app: &TestApp) -> (String, String) {
    seed(app).await;
    let g = app
        .json(
            Method::POST,
            "/organizations/acme/groups",
            json!({"name": "Ops", "members": [1005]}),
        )
        .await
        .expect(201);
    let gid = g.data()["id"].as_str().expect("group").to_string();
    let (run_id, _) = fan_out(app, "Base", &[1002], json!({"summary": "Base summary"})).await;
    add_task(
        app,
        &run_id,
        json!({"title": "Past", "deadline": "2020-01-10T09:00:00Z", "started_at": "2020-01-01T09:00:00Z"}),
    )
    .await;
    add_task(
        app,
        &run_id,
        json!({"title": "Guest", "deadline": "2099-05-01T08:00:00Z", "owners": {"guests": ["Client@Partner.example"]}}),
    )
    .await;
    add_task(
        app,
        &run_id,
        json!({"title": "Group", "deadline": "2099-06-15T10:00:00Z", "owners": {"groups": [gid]}}),
    )
    .await;
    (run_id, gid)
}

dual_test! {
    async fn run_tasks_filter_by_status_assignee_and_deadline(app: &TestApp) {
        let (run_id, gid) = filter_fixture(app).await;
        let path = format!("/organizations/acme/runs/{run_id}/tasks");
        let list = |q: String| {
            let p = format!("{path}?{q}");
            async move { app.get(&p).await.expect(200) }
        };
        let r = list(String::new()).await;
        assert_eq!(titles(&r), ["Base", "Past", "Guest", "Group"]);
        let positions: Vec<i64> = r.data().as_array().expect("list").iter().filter_map(|t| t["position"].as_i64()).collect();
        assert_eq!(positions, [1, 2, 3, 4]);
        assert!(r.data()[0].get("summary").is_none(), "list items carry no summary");
        assert_eq!(r.data()[0]["run_id"], run_id.as_str());
        assert_eq!(r.body["meta"]["pagination"]["per_page"], 10);

        // status (§2.4 conditions, OR-ed).
        assert_eq!(titles(&list("status=overdue".into()).await), ["Past"]);
        assert_eq!(titles(&list("status=overdue,not-started".into()).await), ["Base", "Past", "Guest", "Group"]);
        assert_eq!(titles(&list("status=all".into()).await).len(), 4);
        assert_eq!(titles(&list("status=incomplete".into()).await).len(), 4);
        assert_eq!(titles(&list("status=active".into()).await).len(), 4);
        assert!(titles(&list("status=complete".into()).await).is_empty());
        assert!(titles(&list("status=in-progress,hasproblem,due_soon".into()).await).is_empty());
        // Assignees: members directly or through a group, guests by email, groups by id.
        assert_eq!(titles(&list("owners=1002".into()).await), ["Base"]);
        assert_eq!(titles(&list("owners=1005".into()).await), ["Group"]);
        assert_eq!(titles(&list("owners=1002,1005".into()).await), ["Base", "Group"]);
        assert_eq!(titles(&list("guests=client%40partner.example".into()).await), ["Guest"]);
        assert_eq!(titles(&list("guests=CLIENT@partner.example,x@y.example".into()).await), ["Guest"]);
        assert_eq!(titles(&list(format!("groups={gid}")).await), ["Group"]);
        assert!(titles(&list("groups=0123456789abcdef0123456789abcdef".into()).await).is_empty());
        assert_eq!(titles(&list("unassigned=true".into()).await), ["Past"]);
        assert_eq!(titles(&list("unassigned=false".into()).await).len(), 4);
        assert!(titles(&list("status=overdue&owners=1002".into()).await).is_empty());
        // Deadlines: date-only bounds cover whole UTC days; full date-times are instants.
        assert_eq!(titles(&list("deadline_start_range=2099-01-01".into()).await), ["Base", "Guest", "Group"]);
        assert_eq!(titles(&list("deadline_start_range=2099-05-01T08:00:01Z".into()).await), ["Group"]);
        assert_eq!(titles(&list("deadline_end_range=2099-05-01".into()).await), ["Base", "Past", "Guest"]);
        assert_eq!(titles(&list("deadline_end_range=2099-05-01T08:00:00Z".into()).await), ["Base", "Past", "Guest"]);
        assert_eq!(titles(&list("deadline_end_range=2099-05-01 07:59:59".into()).await), ["Base", "Past"]);
        assert_eq!(titles(&list("deadline_start_range=2099-01-01&deadline_end_range=2099-05-31".into()).await), ["Base", "Guest"]);
        assert_eq!(titles(&list("deadline_on=2099-06-15".into()).await), ["Group"]);
        assert_eq!(titles(&list("deadline_on=2099-06-15&deadline_end_range=2000-01-01&deadline_before=2000-01-01".into()).await), ["Group"], "deadline_on overrides the rest");
        assert_eq!(titles(&list("deadline_before=2099-05-01".into()).await), ["Base", "Past"]);
        assert_eq!(titles(&list("deadline_before=2099-06-15".into()).await), ["Base", "Past", "Guest"]);
        assert_eq!(titles(&list("deadline_after=2099-05-01".into()).await), ["Group"]);
        assert_eq!(titles(&list("deadline_after=2099-04-30".into()).await), ["Guest", "Group"]);

        // Invalid values: 422 naming each parameter, all at once.
        let r = app.get(&format!("{path}?status=bogus&owners=1002,abc&guests=not-an-email&unassigned=maybe&page=0&per_page=x&without_pagination=perhaps")).await;
        assert_eq!(r.expect_invalid("status"), "The selected status is invalid.");
        for key in ["owners", "guests", "unassigned", "page", "per_page", "without_pagination"] {
            r.expect_invalid(key);
        }
        for key in ["deadline_start_range", "deadline_end_range", "deadline_on", "deadline_before", "deadline_after"] {
            let r = app.get(&format!("{path}?{key}=15/06/2099")).await;
            assert_eq!(r.expect_invalid(key), format!("The {} is not a valid date.", key.replace('_', " ")));
        }
        app.get(&format!("{path}?deadline_after=2099-06-15T10:00:00Z")).await.expect_invalid("deadline_after");
        app.get(&format!("{path}?status=auto-skipped")).await.expect_invalid("status");
    }
}

dual_test! {
    async fn run_tasks_sort_page_and_accept_the_sdk_parameters(app: &TestApp) {
        let (run_id, _) = filter_fixture(app).await;
        let path = format!("/organizations/acme/runs/{run_id}/tasks");
        assert_eq!(titles(&app.get(&format!("{path}?sort=position")).await.expect(200)), ["Base", "Past", "Guest", "Group"]);
        assert_eq!(titles(&app.get(&format!("{path}?sort=-position")).await.expect(200)), ["Group", "Guest", "Past", "Base"]);
        assert_eq!(titles(&app.get(&format!("{path}?sort=deadline")).await.expect(200)), ["Past", "Base", "Guest", "Group"]);
        assert_eq!(titles(&app.get(&format!("{path}?sort=-deadline")).await.expect(200)), ["Group", "Guest", "Base", "Past"]);
        assert_eq!(titles(&app.get(&format!("{path}?sort_by=-deadline")).await.expect(200)), ["Group", "Guest", "Base", "Past"]);
        assert_eq!(app.get(&format!("{path}?sort=title")).await.expect_invalid("sort"), "The selected sort is invalid.");
        app.get(&format!("{path}?sort=sideways")).await.expect_invalid("sort");

        // Pages.
        let r = app.get(&format!("{path}?per_page=3&page=2")).await.expect(200);
        assert_eq!(titles(&r), ["Group"]);
        let p = &r.body["meta"]["pagination"];
        assert_eq!((p["total"].as_i64(), p["count"].as_i64(), p["per_page"].as_i64(), p["current_page"].as_i64(), p["total_pages"].as_i64()), (Some(4), Some(1), Some(3), Some(2), Some(2)));
        assert!(p["links"]["prev"].as_str().expect("prev").contains("page=1"));
        assert_eq!(p["links"]["next"], Value::Null);
        let r = app.get(&format!("{path}?per_page=3")).await.expect(200);
        assert_eq!(titles(&r), ["Base", "Past", "Guest"]);
        assert!(r.body["meta"]["pagination"]["links"]["next"].as_str().expect("next").contains("page=2"));
        let r = app.get(&format!("{path}?per_page=3&page=9")).await.expect(200);
        assert!(titles(&r).is_empty());
        assert_eq!(r.body["meta"]["pagination"]["total"], 4);

        // The TallyfySDK.get_tasks_for_process facade: without_pagination=true, no page/per_page,
        // currentTask and replace_page passed through.
        let r = app.get(&format!("{path}?status=all&sort=position&currentTask=abc&replace_page=2&without_pagination=true&with=run,threads_count")).await.expect(200);
        assert_eq!(titles(&r).len(), 4);
        let p = &r.body["meta"]["pagination"];
        assert_eq!((p["total"].as_i64(), p["per_page"].as_i64(), p["current_page"].as_i64(), p["total_pages"].as_i64()), (Some(4), Some(4), Some(1), Some(1)));
        for t in r.data().as_array().expect("list") {
            assert_eq!(t["run"]["data"]["id"], run_id.as_str());
            assert_eq!(t["threads_count"], 0);
        }
        // The sdk.tasks form: page, per_page and every filter, absent values omitted.
        let r = app.get(&format!("/api{path}?status=active&sort=deadline&owners=1002,1005&page=1&per_page=100&without_pagination=false&deadline_start_range=2099-01-01&unassigned=false&with=summary")).await.expect(200);
        assert_eq!(titles(&r), ["Base", "Group"]);
        assert_eq!(r.data()[0]["summary"], "Base summary");
        assert_eq!(r.body["meta"]["pagination"]["per_page"], 100);
        app.get("/organizations/acme/runs/0123456789abcdef0123456789abcdef/tasks").await.expect(404);
    }
}

dual_test! {
    async fn run_tasks_hide_top_secret_tasks_and_list_archived_runs(app: &TestApp) {
        let (sam, ann, kim) = seed(app).await;
        let g = app.json(Method::POST, "/organizations/acme/groups", json!({"name": "Ops", "members": [1005]})).await.expect(201);
        let gid = g.data()["id"].as_str().expect("group").to_string();
        let (run_id, _) = fan_out(app, "Open", &[1007], json!({})).await;
        add_task(app, &run_id, json!({"title": "Secret", "top_secret": true, "owners": {"users": [1002]}})).await;
        add_task(app, &run_id, json!({"title": "Group secret", "top_secret": true, "owners": {"groups": [gid]}})).await;
        let path = format!("/organizations/acme/runs/{run_id}/tasks");
        let as_ = |token: &str| app.send(app.request_as(token, Method::GET, &path));
        assert_eq!(titles(&app.get(&path).await.expect(200)), ["Open", "Secret", "Group secret"]);
        let r = as_(&sam).await.expect(200);
        assert_eq!((titles(&r), r.body["meta"]["pagination"]["total"].as_i64()), (vec!["Open".to_string(), "Secret".to_string()], Some(2)));
        assert_eq!(titles(&as_(&ann).await.expect(200)), ["Open", "Group secret"]);
        assert_eq!(titles(&as_(&kim).await.expect(200)), ["Open"]);
        let r = app.send(app.request_as(&kim, Method::GET, &format!("{path}?status=not-started&sort=-position"))).await.expect(200);
        assert_eq!(titles(&r), ["Open"]);

        // Tasks of an archived run are listed, with their archive stamp.
        app.call(Method::DELETE, &format!("/organizations/acme/runs/{run_id}")).await.expect(200);
        let r = app.get(&path).await.expect(200);
        assert_eq!(titles(&r).len(), 3);
        for t in r.data().as_array().expect("list") {
            assert!(t["archived_at"].is_string());
            assert_eq!(t["run_status"], "archived");
        }
        assert_eq!(titles(&as_(&kim).await.expect(200)), ["Open"]);
    }
}

/// 2030-01-01T00:00:00Z.
const NOW: i64 = 1_893_456_000_000;

/// The derived conditions against a fixed clock.
async fn derived_conditions_follow_the_clock(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.now = Some(NOW)).await;
    app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let (run_id, _) = fan_out(
        &app,
        "Overdue",
        &[1002],
        json!({"deadline": "2029-12-31T00:00:00Z", "started_at": "2029-12-01"}),
    )
    .await;
    for (title, started, deadline, soft) in [
        ("Due soon", "2029-12-01", "2030-01-01T12:00:00Z", false),
        ("Future start", "2030-02-01", "2030-03-01T00:00:00Z", false),
        ("Soft start", "2030-02-01", "2030-03-01T00:00:00Z", true),
        ("Edge", "2029-12-01", "2030-01-02T00:00:00Z", false),
        ("At now", "2030-01-01T00:00:00Z", "2030-01-01T00:00:00Z", false),
    ] {
        add_task(
            &app,
            &run_id,
            json!({"title": title, "started_at": started, "deadline": deadline, "is_soft_start_date": soft}),
        )
        .await;
    }
    let path = format!("/organizations/acme/runs/{run_id}/tasks");
    let get = |q: &str| {
        let p = format!("{path}?{q}");
        let app = &app;
        async move { titles(&app.get(&p).await.expect(200)) }
    };
    assert_eq!(get("status=overdue").await, ["Overdue"]);
    assert_eq!(get("status=due_soon").await, ["Due soon", "At now"]);
    assert_eq!(get("status=due-soon,overdue").await, ["Overdue", "Due soon", "At now"]);
    assert_eq!(
        get("status=active").await,
        ["Overdue", "Due soon", "Soft start", "Edge", "At now"]
    );
    assert_eq!(
        get("status=active_visible&sort=-deadline").await,
        ["Soft start", "Edge", "Due soon", "At now", "Overdue"]
    );
    assert_eq!(get("status=incomplete").await.len(), 6);
    // A problem: status=hasproblem (alias problem).
    let ids = task_ids(
        &app.get(&format!("/organizations/acme/runs/{run_id}?with=tasks"))
            .await
            .expect(200)
            .data()["tasks"],
    );
    app.json(
        Method::POST,
        &format!("/organizations/acme/tasks/{}/problem", ids[4]),
        json!({"content": "Stuck"}),
    )
    .await
    .expect(201);
    assert_eq!(get("status=hasproblem").await, ["Edge"]);
    assert_eq!(get("status=problem,overdue").await, ["Overdue", "Edge"]);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn derived_conditions_follow_the_clock_sqlite() {
    derived_conditions_follow_the_clock(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn derived_conditions_follow_the_clock_postgres() {
    if Backend::postgres_available("derived_conditions_follow_the_clock") {
        derived_conditions_follow_the_clock(Backend::Postgres).await;
    }
}
