//! C1–C5: comments, problems and their resolution, read back through the task includes, the
//! task's `problem` flag and the run status.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::fixtures::{exec_sql, run_with_task, standalone};
use crate::support::{Resp, TestApp};

async fn members(app: &TestApp) -> (String, String) {
    let (_, sam) = app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let (_, ann) = app.add_member("acme", 1005, "ann@acme.test", "light").await;
    (sam, ann)
}

fn task_path(app: &TestApp, task: &str) -> String {
    app.org_path(&format!("/tasks/{task}"))
}

async fn comment(app: &TestApp, task: &str, body: Value) -> Resp {
    app.json(Method::POST, &format!("{}/comment", task_path(app, task)), body)
        .await
}

async fn task(app: &TestApp, task: &str, with: &str) -> Value {
    app.get(&format!("{}?with={with}", task_path(app, task)))
        .await
        .expect(200)
        .data()
        .clone()
}

async fn run_status(app: &TestApp, run: &str) -> String {
    let r = app.get(&app.org_path(&format!("/runs/{run}"))).await.expect(200);
    r.data()["status"].as_str().expect("status").to_string()
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

on_both!(comments_are_added_as_the_sdk_sends_them_and_read_back_oldest_first);
async fn comments_are_added_as_the_sdk_sends_them_and_read_back_oldest_first(app: &TestApp) {
    members(app).await;
    let t = standalone(app, "Review budget", json!({"users": [1005]})).await;
    // add_task_comment(org, task_id, content, state, label, sent_to)
    let r = comment(app, &t, json!({"content": "Please check the numbers", "state": "open", "label": "advice", "sent_to": [1005, "1002", 1005]})).await.expect(201);
    let c = r.data().clone();
    let keys = [
        "id",
        "content",
        "author_id",
        "author_type",
        "task_id",
        "label",
        "state",
        "created_at",
        "updated_at",
        "archived_at",
        "resolve_id",
        "sent_to",
    ];
    for k in keys {
        assert!(c.get(k).is_some(), "missing {k}: {c}");
    }
    assert_eq!(c["content"], "Please check the numbers @[1005] @[1002]");
    assert_eq!(c["sent_to"], json!([1002, 1005]));
    assert_eq!(
        (c["label"].as_str(), c["state"].as_str()),
        (Some("advice"), Some("open"))
    );
    assert_eq!(
        (c["author_id"].as_i64(), c["author_type"].as_str()),
        (Some(1001), Some("user"))
    );
    assert_eq!(
        (c["task_id"].as_str(), c["run_id"].clone()),
        (Some(t.as_str()), Value::Null)
    );
    assert_eq!(
        (c["archived_at"].clone(), c["resolve_id"].clone()),
        (Value::Null, Value::Null)
    );
    assert!(c["id"].as_str().is_some_and(|i| i.len() == 32), "{c}");

    // Defaults; a mention already in the body is not repeated; non-members are not in sent_to.
    let r = comment(
        app,
        &t,
        json!({"content": "  Hi @[1005] and @[4242]  ", "sent_to": [1005]}),
    )
    .await
    .expect(201);
    let d = r.data().clone();
    assert_eq!(d["content"], "Hi @[1005] and @[4242]");
    assert_eq!(d["sent_to"], json!([1005]));
    assert_eq!(
        (d["label"].as_str(), d["state"].as_str()),
        (Some("comment"), Some("hide-for-guests"))
    );
    let r = comment(app, &t, json!({"content": "third"})).await.expect(201);
    let e = r.data().clone();

    // Read back oldest first, as get_standalone_task_comments reads them.
    let read = task(app, &t, "threads,threads_count").await;
    let threads = read["threads"]["data"].as_array().expect("threads").clone();
    let ids: Vec<String> = threads.iter().map(id).collect();
    assert_eq!(ids, [id(&c), id(&d), id(&e)]);
    assert_eq!(threads[0], c);
    assert_eq!(read["threads_count"], 3);
    assert_eq!(read["problem"], false);
    let read = task(app, &t, "comments").await;
    assert_eq!(read["comments"]["data"].as_array().map(Vec::len), Some(3));
    assert_eq!(task(app, &t, "issues").await["issues"]["data"], json!([]));

    // A run task, read through the run route as get_task_comments does.
    let (run, rt) = run_with_task(app, "Onboard").await;
    let r = comment(app, &rt, json!({"content": "On the run"})).await.expect(201);
    assert_eq!(r.data()["run_id"], run.as_str());
    let r = app
        .get(&app.org_path(&format!("/runs/{run}/tasks/{rt}?with=threads")))
        .await
        .expect(200);
    assert_eq!(r.data()["threads"]["data"][0]["content"], "On the run");
    // Comments leave the run as it was.
    assert_eq!(run_status(app, &run).await, "active");
}

on_both!(comment_input_is_validated_all_at_once_and_changes_nothing);
async fn comment_input_is_validated_all_at_once_and_changes_nothing(app: &TestApp) {
    members(app).await;
    let t = standalone(app, "Validate", json!({})).await;
    let r = comment(
        app,
        &t,
        json!({"content": "   ", "label": "rant", "state": "hidden", "sent_to": [1002, 9999, "x"]}),
    )
    .await;
    assert_eq!(r.expect_invalid("content"), "The content field is required.");
    assert_eq!(r.expect_invalid("label"), "The selected label is invalid.");
    assert_eq!(r.expect_invalid("state"), "The selected state is invalid.");
    assert_eq!(r.expect_invalid("sent_to.1"), "The selected sent_to.1 is invalid.");
    r.expect_invalid("sent_to.2");
    assert!(r.body["errors"].get("sent_to.0").is_none(), "{}", r.text);
    app.add_org("other", 2001).await;
    comment(app, &t, json!({"content": "a member of another org", "sent_to": 2001}))
        .await
        .expect_invalid("sent_to.0");
    assert_eq!(task(app, &t, "threads_count").await["threads_count"], 0);

    // Form bodies fold `sent_to[]`.
    let rb = app
        .request(Method::POST, &format!("{}/comment", task_path(app, &t)))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("content=form&sent_to%5B%5D=1002");
    let r = app.send(rb).await.expect(201);
    assert_eq!(r.data()["content"], "form @[1002]");

    // Unknown and top-secret tasks are 404 before anything else.
    comment(app, "0123456789abcdef0123456789abcdef", json!({}))
        .await
        .expect(404);
    let (_, liz) = app.add_member("acme", 1006, "liz@acme.test", "light").await;
    let top = app
        .json(
            Method::POST,
            &app.org_path("/tasks"),
            json!({"title": "Top", "top_secret": true}),
        )
        .await
        .expect(201);
    let top = id(top.data());
    let r = app
        .send(
            app.request_as(&liz, Method::POST, &format!("{}/comment", task_path(app, &top)))
                .json(&json!({"content": "peek"})),
        )
        .await;
    r.expect(404);
    app.json(
        Method::POST,
        &format!("{}/comment", task_path(app, &top)),
        json!({"content": "admins see it"}),
    )
    .await
    .expect(201);
}

on_both!(a_problem_blocks_the_run_until_it_is_resolved_as_the_sdk_resolves_it);
async fn a_problem_blocks_the_run_until_it_is_resolved_as_the_sdk_resolves_it(app: &TestApp) {
    let (_, ann) = members(app).await;
    let (run, t) = run_with_task(app, "Ship order").await;
    let before = task(app, &t, "threads").await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    // report_task_issue(org, task_id, content), here by a light member.
    let r = app
        .send(
            app.request_as(&ann, Method::POST, &format!("{}/problem", task_path(app, &t)))
                .json(&json!({"content": "Address is missing"})),
        )
        .await
        .expect(201);
    let p = r.data().clone();
    assert_eq!(
        (p["label"].as_str(), p["state"].as_str(), p["resolve_id"].clone()),
        (Some("problem"), Some("hide-for-guests"), Value::Null)
    );
    assert_eq!(p["author_id"], 1005);
    let after = task(app, &t, "issues").await;
    assert_eq!(after["problem"], true);
    assert_ne!(
        after["last_updated"], before["last_updated"],
        "the problem flag moved last_updated"
    );
    assert_eq!(after["run_status"], "problem");
    assert_eq!(after["issues"]["data"][0]["id"], p["id"]);
    assert_eq!(run_status(app, &run).await, "problem");
    // A plain comment does not move last_updated.
    comment(app, &t, json!({"content": "looking"})).await.expect(201);
    assert_eq!(task(app, &t, "threads").await["last_updated"], after["last_updated"]);

    // Resolving needs an open problem thread of this task.
    let path = format!("{}/resolved-threads", task_path(app, &t));
    let r = app.json(Method::POST, &path, json!({})).await;
    assert_eq!(r.expect_invalid("thread_id"), "The thread id field is required.");
    let r = app
        .json(
            Method::POST,
            &path,
            json!({"thread_id": "0123456789abcdef0123456789abcdef"}),
        )
        .await;
    assert_eq!(r.expect_invalid("thread_id"), "The selected thread id is invalid.");
    let plain = task(app, &t, "threads").await["threads"]["data"][1]["id"]
        .as_str()
        .expect("comment")
        .to_string();
    app.json(Method::POST, &path, json!({"thread_id": plain}))
        .await
        .expect_invalid("thread_id");
    let other = standalone(app, "Other", json!({})).await;
    let op = app
        .json(
            Method::POST,
            &format!("{}/problem", task_path(app, &other)),
            json!({"content": "elsewhere"}),
        )
        .await
        .expect(201);
    app.json(Method::POST, &path, json!({"thread_id": id(op.data())}))
        .await
        .expect_invalid("thread_id");

    // threads.resolve_task_issues(org, task_id, thread_id, content='Resolved')
    let r = app
        .json(
            Method::POST,
            &path,
            json!({"thread_id": p["id"], "content": "Resolved"}),
        )
        .await
        .expect(201);
    let res = r.data().clone();
    assert_eq!(
        (res["label"].as_str(), res["content"].as_str(), res["task_id"].as_str()),
        (Some("resolve"), Some("Resolved"), Some(t.as_str()))
    );
    let read = task(app, &t, "threads,issues").await;
    assert_eq!(read["problem"], false);
    assert_eq!(read["run_status"], "active");
    assert_eq!(read["issues"]["data"], json!([]));
    let threads = read["threads"]["data"].as_array().expect("threads").clone();
    assert_eq!(threads.len(), 3);
    assert_eq!(threads[0]["resolve_id"], res["id"]);
    assert_eq!(threads[2]["id"], res["id"]);
    assert_eq!(run_status(app, &run).await, "active");
    // Already resolved: refused, nothing added.
    app.json(Method::POST, &path, json!({"thread_id": p["id"]}))
        .await
        .expect_invalid("thread_id");
    // Content defaults to "Resolved".
    let again = app
        .json(
            Method::POST,
            &format!("{}/problem", task_path(app, &t)),
            json!({"content": "Box damaged", "state": "collapsed"}),
        )
        .await
        .expect(201);
    assert_eq!(again.data()["state"], "collapsed");
    assert_eq!(run_status(app, &run).await, "problem");
    let r = app
        .json(Method::POST, &path, json!({"thread_id": id(again.data())}))
        .await
        .expect(201);
    assert_eq!(r.data()["content"], "Resolved");
    assert_eq!(run_status(app, &run).await, "active");

    // Deleting a resolve thread reopens the problem it closed.
    app.call(Method::DELETE, &format!("{}/comment/{}", task_path(app, &t), id(&res)))
        .await
        .expect(204);
    let read = task(app, &t, "threads,issues").await;
    assert_eq!(read["problem"], true);
    assert_eq!(read["issues"]["data"][0]["id"], p["id"]);
    assert_eq!(read["issues"]["data"][0]["resolve_id"], Value::Null);
    assert_eq!(run_status(app, &run).await, "problem");
    // Deleting the problem itself clears it.
    app.call(Method::DELETE, &format!("{}/comment/{}", task_path(app, &t), id(&p)))
        .await
        .expect(204);
    let read = task(app, &t, "threads").await;
    assert_eq!(read["problem"], false);
    assert!(
        read["threads"]["data"]
            .as_array()
            .expect("threads")
            .iter()
            .all(|c| c["id"] != p["id"])
    );
    assert_eq!(run_status(app, &run).await, "active");
}

on_both!(label_edits_to_and_from_problem_recompute_the_flag);
async fn label_edits_to_and_from_problem_recompute_the_flag(app: &TestApp) {
    members(app).await;
    let (run, t) = run_with_task(app, "Label").await;
    let c = comment(app, &t, json!({"content": "Broken", "label": "problem"}))
        .await
        .expect(201);
    let c = c.data().clone();
    assert_eq!(task(app, &t, "threads").await["problem"], true);
    assert_eq!(run_status(app, &run).await, "problem");

    let path = format!("{}/comment/{}", task_path(app, &t), id(&c));
    // update_task_comment(org, task_id, comment_id, content, state, label, sent_to)
    let r = app
        .json(
            Method::PUT,
            &path,
            json!({"content": "Not broken after all", "label": "comment", "sent_to": [1002]}),
        )
        .await
        .expect(200);
    let u = r.data().clone();
    assert_eq!(
        (u["content"].as_str(), u["label"].as_str(), u["state"].as_str()),
        (
            Some("Not broken after all @[1002]"),
            Some("comment"),
            Some("hide-for-guests")
        )
    );
    assert_eq!(u["sent_to"], json!([1002]));
    assert_eq!(u["created_at"], c["created_at"]);
    assert!(
        u["updated_at"].as_str() > c["updated_at"].as_str(),
        "updated_at bumped: {u}"
    );
    assert_eq!(task(app, &t, "threads").await["problem"], false);
    assert_eq!(run_status(app, &run).await, "active");

    // Label and state are kept when not sent; content is required.
    let r = app
        .json(
            Method::PUT,
            &path,
            json!({"content": "x", "label": "problem", "state": "open"}),
        )
        .await
        .expect(200);
    assert_eq!(
        (r.data()["label"].as_str(), r.data()["state"].as_str()),
        (Some("problem"), Some("open"))
    );
    assert_eq!(run_status(app, &run).await, "problem");
    let r = app.json(Method::PUT, &path, json!({"content": "y"})).await.expect(200);
    assert_eq!(
        (r.data()["label"].as_str(), r.data()["state"].as_str()),
        (Some("problem"), Some("open"))
    );
    let r = app.json(Method::PUT, &path, json!({"label": "advice"})).await;
    assert_eq!(r.expect_invalid("content"), "The content field is required.");
    let read = task(app, &t, "threads").await;
    assert_eq!(
        (
            read["threads"]["data"][0]["content"].as_str(),
            read["problem"].as_bool()
        ),
        (Some("y"), Some(true))
    );
}

on_both!(only_the_author_or_an_admin_edits_or_deletes_a_comment_of_that_task);
async fn only_the_author_or_an_admin_edits_or_deletes_a_comment_of_that_task(app: &TestApp) {
    let (sam, ann) = members(app).await;
    let t = standalone(app, "Shared", json!({"users": [1005]})).await;
    let other = standalone(app, "Other", json!({})).await;
    let r = app
        .send(
            app.request_as(&sam, Method::POST, &format!("{}/comment", task_path(app, &t)))
                .json(&json!({"content": "by sam"})),
        )
        .await
        .expect(201);
    let c = id(r.data());
    let path = format!("{}/comment/{c}", task_path(app, &t));

    // Another member, even an assignee: 403, before validation.
    let r = app
        .send(app.request_as(&ann, Method::PUT, &path).json(&json!({})))
        .await
        .expect(403);
    assert_eq!(r.body["message"], "You don't have permission to do this.");
    app.send(app.request_as(&ann, Method::DELETE, &path)).await.expect(403);
    // The comment is not on that task, or does not exist: 404.
    app.json(
        Method::PUT,
        &format!("{}/comment/{c}", task_path(app, &other)),
        json!({"content": "x"}),
    )
    .await
    .expect(404);
    app.call(Method::DELETE, &format!("{}/comment/{c}", task_path(app, &other)))
        .await
        .expect(404);
    app.call(
        Method::DELETE,
        &format!("{}/comment/0123456789abcdef0123456789abcdef", task_path(app, &t)),
    )
    .await
    .expect(404);
    // The author and an admin may.
    app.send(
        app.request_as(&sam, Method::PUT, &path)
            .json(&json!({"content": "edited by sam"})),
    )
    .await
    .expect(200);
    let r = app
        .json(Method::PUT, &path, json!({"content": "edited by admin"}))
        .await
        .expect(200);
    assert_eq!(r.data()["author_id"], 1002, "the author stays");
    let read = task(app, &t, "threads").await;
    assert_eq!(read["threads"]["data"][0]["content"], "edited by admin");
    let r = app.send(app.request_as(&sam, Method::DELETE, &path)).await.expect(204);
    assert!(r.text.is_empty());
    assert_eq!(task(app, &t, "threads_count").await["threads_count"], 0);
    app.call(Method::DELETE, &path).await.expect(404);
    // An admin deletes someone else's comment.
    let r = app
        .send(
            app.request_as(&ann, Method::POST, &format!("{}/comment", task_path(app, &t)))
                .json(&json!({"content": "by ann"})),
        )
        .await
        .expect(201);
    app.call(
        Method::DELETE,
        &format!("{}/comment/{}", task_path(app, &t), id(r.data())),
    )
    .await
    .expect(204);
}

on_both!(tasks_of_archived_runs_refuse_thread_writes_and_archived_tasks_are_missing);
async fn tasks_of_archived_runs_refuse_thread_writes_and_archived_tasks_are_missing(app: &TestApp) {
    members(app).await;
    let (run, t) = run_with_task(app, "Archived later").await;
    let p = app
        .json(
            Method::POST,
            &format!("{}/problem", task_path(app, &t)),
            json!({"content": "stuck"}),
        )
        .await
        .expect(201);
    let p = id(p.data());
    exec_sql(
        app,
        &format!("UPDATE runs SET archived_at = 1, status = 'archived' WHERE id = '{run}'"),
    )
    .await;
    exec_sql(app, &format!("UPDATE tasks SET archived_at = 1 WHERE run_id = '{run}'")).await;
    let msg = "The process this task belongs to is archived.";
    let r = comment(app, &t, json!({"content": "late"})).await;
    assert_eq!(r.expect_invalid("run"), msg);
    // Field validation comes first.
    comment(app, &t, json!({})).await.expect_invalid("content");
    let r = app
        .json(
            Method::POST,
            &format!("{}/problem", task_path(app, &t)),
            json!({"content": "late"}),
        )
        .await;
    assert_eq!(r.expect_invalid("run"), msg);
    let r = app
        .json(
            Method::POST,
            &format!("{}/resolved-threads", task_path(app, &t)),
            json!({"thread_id": p}),
        )
        .await;
    assert_eq!(r.expect_invalid("run"), msg);
    let r = app
        .json(
            Method::PUT,
            &format!("{}/comment/{p}", task_path(app, &t)),
            json!({"content": "x"}),
        )
        .await;
    assert_eq!(r.expect_invalid("run"), msg);
    let r = app
        .call(Method::DELETE, &format!("{}/comment/{p}", task_path(app, &t)))
        .await;
    assert_eq!(r.expect_invalid("run"), msg);
    // Still readable, unchanged.
    let read = task(app, &t, "threads").await;
    assert_eq!(read["threads"]["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(read["problem"], true);

    // An archived standalone task is not found.
    let s = standalone(app, "Gone", json!({})).await;
    exec_sql(app, &format!("UPDATE tasks SET archived_at = 1 WHERE id = '{s}'")).await;
    comment(app, &s, json!({"content": "hello"})).await.expect(404);
    app.json(
        Method::POST,
        &format!("{}/problem", task_path(app, &s)),
        json!({"content": "x"}),
    )
    .await
    .expect(404);
}

on_both!(concurrent_thread_writes_on_one_task_all_land_in_order);
async fn concurrent_thread_writes_on_one_task_all_land_in_order(app: &TestApp) {
    members(app).await;
    let (run, t) = run_with_task(app, "Busy").await;
    let path = task_path(app, &t);
    let sends: Vec<_> = (0..8)
        .map(|i| {
            let label = if i % 2 == 0 { "problem" } else { "comment" };
            let body = json!({"content": format!("{label} {i}"), "label": label});
            tokio::spawn(app.request(Method::POST, &format!("{path}/comment")).json(&body).send())
        })
        .collect();
    for s in sends {
        assert_eq!(s.await.expect("joined").expect("sent").status().as_u16(), 201);
    }
    let read = task(app, &t, "threads,issues").await;
    let threads = read["threads"]["data"].as_array().expect("threads").clone();
    assert_eq!(threads.len(), 8);
    let created: Vec<&str> = threads.iter().filter_map(|c| c["created_at"].as_str()).collect();
    assert!(
        created.windows(2).all(|w| w[0] < w[1]),
        "distinct, oldest first: {created:?}"
    );
    assert_eq!(read["issues"]["data"].as_array().map(Vec::len), Some(4));
    assert_eq!(read["problem"], true);
    assert_eq!(run_status(app, &run).await, "problem");

    // Resolve every problem concurrently: the flag and the run follow the last one.
    let sends: Vec<_> = read["issues"]["data"]
        .as_array()
        .expect("issues")
        .iter()
        .map(|p| {
            let body = json!({"thread_id": p["id"], "content": "Resolved"});
            tokio::spawn(
                app.request(Method::POST, &format!("{path}/resolved-threads"))
                    .json(&body)
                    .send(),
            )
        })
        .collect();
    for s in sends {
        assert_eq!(s.await.expect("joined").expect("sent").status().as_u16(), 201);
    }
    let read = task(app, &t, "issues").await;
    assert_eq!(
        (
            read["problem"].as_bool(),
            read["issues"]["data"].as_array().map(Vec::len)
        ),
        (Some(false), Some(0))
    );
    assert_eq!(run_status(app, &run).await, "active");
}
