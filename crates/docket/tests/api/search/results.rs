//! What a search answers: the result types in the requested order, the item shapes, pages per
//! bucket, `tags=true`, and what never appears (archived, invisible).

use super::*;

on_both!(result_types_come_back_in_the_requested_order);
async fn result_types_come_back_in_the_requested_order(app: &TestApp) {
    fixture(app).await;
    let keys = |r: &Resp| r.body.as_object().expect("object").keys().cloned().collect::<Vec<_>>();
    // Default: process only.
    let r = search(app, &[("search", "close")]).await.expect(200);
    assert_eq!(keys(&r), ["process"]);
    assert_eq!(
        found(&r, "process"),
        ["Secret close", "Annual close", "Quarterly close"]
    );
    let r = search(app, &[("search", "close"), ("on", "")]).await.expect(200);
    assert_eq!(keys(&r), ["process"]);
    let r = search(app, &[("search", "close"), ("on", "task")]).await.expect(200);
    assert_eq!(keys(&r), ["task"]);
    assert_eq!(
        found(&r, "task"),
        ["Close the books", "Secret close", "Annual close", "Quarterly close"]
    );
    let r = search(app, &[("search", "close"), ("on", "task,process")])
        .await
        .expect(200);
    assert_eq!(keys(&r), ["task", "process"]);
    assert_eq!((found(&r, "task").len(), found(&r, "process").len()), (4, 3));
    let r = search(app, &[("search", "close"), ("on", "process, task,process")])
        .await
        .expect(200);
    assert_eq!(keys(&r), ["process", "task"]);
    // Every type; the ones docket has nothing of are empty lists with their meta.
    let r = search(
        app,
        &[
            ("search", "close"),
            ("on", "blueprint,process,task,snippet,capture,step"),
        ],
    )
    .await
    .expect(200);
    assert_eq!(keys(&r), ["blueprint", "process", "task", "snippet", "capture", "step"]);
    for empty in ["blueprint", "snippet", "capture", "step"] {
        assert_eq!(r.body[empty]["data"], json!([]), "{empty}");
        assert_eq!(
            r.body[empty]["meta"]["pagination"],
            json!({"total": 0, "count": 0, "per_page": 20, "current_page": 1, "total_pages": 1,
            "links": {"next": null, "prev": null, "previous": null}})
        );
    }
    let r = search(app, &[("search", "close"), ("on", "Step,BLUEPRINT")])
        .await
        .expect(200);
    assert_eq!(keys(&r), ["step", "blueprint"]);
    // q is an alias of search.
    let r = search(app, &[("q", "review"), ("on", "process")]).await.expect(200);
    assert_eq!(found(&r, "process"), ["Quarterly review"]);
    // Wildcards are literal.
    let r = search(app, &[("search", "%"), ("on", "process,task")])
        .await
        .expect(200);
    assert_eq!(
        (
            r.body["process"]["meta"]["pagination"]["total"].as_i64(),
            r.body["task"]["meta"]["pagination"]["total"].as_i64()
        ),
        (Some(0), Some(0))
    );
    // Unknown organization, outsiders.
    app.get("/organizations/nowhere/search?search=x").await.expect(404);
}

on_both!(items_have_the_search_result_shapes);
async fn items_have_the_search_result_shapes(app: &TestApp) {
    let f = fixture(app).await;
    let r = search(app, &[("search", "QUARTERLY CLOSE"), ("on", "process,task")])
        .await
        .expect(200);
    let p = r.body["process"]["data"][0].as_object().expect("process item").clone();
    let mut keys: Vec<&str> = p.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "checklist_id",
            "checklist_title",
            "created_at",
            "due_date_passed",
            "due_soon",
            "folders",
            "id",
            "increment_id",
            "name",
            "organization_id",
            "status",
            "title",
            "type"
        ]
    );
    assert_eq!(
        (p["id"].as_str(), p["name"].as_str(), p["title"].as_str()),
        (
            Some(f.quarterly_close.as_str()),
            Some("Quarterly close"),
            Some("Quarterly close")
        )
    );
    assert_eq!(
        (
            p["status"].as_str(),
            p["type"].as_str(),
            p["checklist_title"].as_str(),
            p["organization_id"].as_str()
        ),
        (Some("active"), Some("procedure"), Some("MISC"), Some("acme"))
    );
    assert_eq!(
        (
            p["created_at"].as_str(),
            p["folders"].clone(),
            p["due_date_passed"].as_bool(),
            p["due_soon"].as_bool()
        ),
        (Some("2030-01-01T10:00:00.000Z"), json!([]), Some(false), Some(false))
    );
    let run = app
        .get(&format!("/organizations/acme/runs/{}", f.quarterly_close))
        .await
        .expect(200);
    assert_eq!(
        (p["increment_id"].clone(), p["checklist_id"].clone()),
        (run.data()["increment_id"].clone(), run.data()["checklist_id"].clone())
    );

    let t = r.body["task"]["data"][0].as_object().expect("task item").clone();
    let mut keys: Vec<&str> = t.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "created_at",
            "deadline",
            "folders",
            "id",
            "increment_id",
            "is_oneoff_task",
            "owners",
            "position",
            "run_id",
            "starter_id",
            "status",
            "status_label",
            "title"
        ]
    );
    assert_eq!(
        (
            t["title"].as_str(),
            t["run_id"].as_str(),
            t["position"].as_i64(),
            t["starter_id"].as_i64()
        ),
        (
            Some("Quarterly close"),
            Some(f.quarterly_close.as_str()),
            Some(1),
            Some(1001)
        )
    );
    assert_eq!(
        (
            t["status"].as_str(),
            t["status_label"].as_str(),
            t["is_oneoff_task"].as_bool()
        ),
        (Some("not-started"), Some("not-started"), Some(true))
    );
    assert_eq!(
        t["owners"],
        json!({"users": [1002], "guests": [], "groups": [], "taskUrls": []})
    );

    // A standalone task with a guest: run_id null, one task URL per guest.
    let r = search(app, &[("search", "books"), ("on", "task")]).await.expect(200);
    let t = &r.body["task"]["data"][0];
    assert_eq!(
        (t["id"].as_str(), t["run_id"].clone()),
        (Some(f.books.as_str()), Value::Null)
    );
    assert_eq!(t["owners"]["guests"], json!(["client@partner.test"]));
    let url = t["owners"]["taskUrls"][0].as_str().expect("task url");
    assert!(
        url.contains("/guest/") && url.ends_with(&format!("/tasks/{}", f.books)),
        "{url}"
    );
    let full = app
        .get(&format!("/organizations/acme/tasks/{}", f.books))
        .await
        .expect(200);
    assert_eq!(t["owners"], full.data()["owners"]);
    assert_eq!(t["deadline"], full.data()["deadline"]);
}

on_both!(pages_are_per_bucket_with_a_clamped_size);
async fn pages_are_per_bucket_with_a_clamped_size(app: &TestApp) {
    fixture(app).await;
    let r = search(app, &[("search", "close"), ("on", "process,task"), ("per_page", "1")])
        .await
        .expect(200);
    assert_eq!(
        (found(&r, "process"), found(&r, "task")),
        (vec!["Secret close".to_string()], vec!["Close the books".to_string()])
    );
    let p = &r.body["process"]["meta"]["pagination"];
    assert_eq!(
        (
            p["total"].as_i64(),
            p["count"].as_i64(),
            p["per_page"].as_i64(),
            p["current_page"].as_i64(),
            p["total_pages"].as_i64()
        ),
        (Some(3), Some(1), Some(1), Some(1), Some(3))
    );
    assert!(
        p["links"]["next"]
            .as_str()
            .is_some_and(|l| l.contains("/organizations/acme/search?") && l.ends_with("&page=2")),
        "{p}"
    );
    assert_eq!(r.body["task"]["meta"]["pagination"]["total_pages"], 4);
    let r = search(
        app,
        &[
            ("search", "close"),
            ("on", "process,task"),
            ("per_page", "1"),
            ("page", "3"),
        ],
    )
    .await
    .expect(200);
    assert_eq!(
        (found(&r, "process"), found(&r, "task")),
        (vec!["Quarterly close".to_string()], vec!["Annual close".to_string()])
    );
    assert!(
        r.body["process"]["meta"]["pagination"]["links"]["prev"]
            .as_str()
            .is_some_and(|l| l.ends_with("page=2"))
    );
    let r = search(
        app,
        &[
            ("search", "close"),
            ("on", "process,task"),
            ("per_page", "2"),
            ("page", "5"),
        ],
    )
    .await
    .expect(200);
    assert_eq!(
        (
            found(&r, "process").len(),
            r.body["task"]["meta"]["pagination"]["total"].as_i64()
        ),
        (0, Some(4))
    );
    // Default 20; above 100 is clamped; below 1 is refused.
    let r = search(app, &[("search", "close")]).await.expect(200);
    assert_eq!(r.body["process"]["meta"]["pagination"]["per_page"], 20);
    let r = search(app, &[("search", "close"), ("per_page", "500"), ("on", "task,step")])
        .await
        .expect(200);
    assert_eq!(
        (
            r.body["task"]["meta"]["pagination"]["per_page"].as_i64(),
            r.body["step"]["meta"]["pagination"]["per_page"].as_i64()
        ),
        (Some(100), Some(100))
    );
    assert_eq!(
        search(app, &[("search", "close"), ("per_page", "100")])
            .await
            .expect(200)
            .body["process"]["meta"]["pagination"]["per_page"],
        100
    );
    search(app, &[("search", "close"), ("per_page", "0")])
        .await
        .expect_invalid("per_page");
    search(app, &[("search", "close"), ("per_page", "ten")])
        .await
        .expect_invalid("per_page");
    search(app, &[("search", "close"), ("page", "0")])
        .await
        .expect_invalid("page");
}

on_both!(tags_true_adds_bare_tag_arrays);
async fn tags_true_adds_bare_tag_arrays(app: &TestApp) {
    let f = fixture(app).await;
    let r = search(app, &[("search", "close"), ("on", "process,task"), ("tags", "true")])
        .await
        .expect(200);
    let process = r.body["process"]["data"].as_array().expect("process").clone();
    assert_eq!(
        process[2]["tags"],
        json!([{"id": f.finance, "title": "finance", "color": "#2ecc71"}])
    );
    assert_eq!(
        (process[0]["tags"].clone(), process[1]["tags"].clone()),
        (json!([]), json!([]))
    );
    let tasks = r.body["task"]["data"].as_array().expect("tasks").clone();
    let urgent = &tasks[0]["tags"];
    assert_eq!(
        (
            urgent[0]["title"].as_str(),
            urgent[0]["color"].clone(),
            urgent.as_array().map(Vec::len)
        ),
        (Some("urgent"), Value::Null, Some(1))
    );
    assert!(urgent[0]["id"].as_str().is_some_and(|id| id.len() == 32));
    assert_eq!(tasks[1]["tags"], json!([]));
    // Absent or false: no tags key at all.
    for flag in [None, Some("false"), Some("0")] {
        let mut pairs = vec![("search", "close"), ("on", "process,task")];
        if let Some(v) = flag {
            pairs.push(("tags", v));
        }
        let r = search(app, &pairs).await.expect(200);
        assert!(
            r.body["process"]["data"][0].get("tags").is_none() && r.body["task"]["data"][0].get("tags").is_none(),
            "{}",
            r.text
        );
    }
    assert_eq!(
        search(app, &[("search", "close"), ("tags", "maybe")])
            .await
            .expect_invalid("tags"),
        "The tags field must be true or false."
    );
}

on_both!(archived_and_invisible_items_never_appear);
async fn archived_and_invisible_items_never_appear(app: &TestApp) {
    let f = fixture(app).await;
    // Archived runs, their tasks and archived standalone tasks are left out.
    let r = search(app, &[("search", "archive"), ("on", "process,task")])
        .await
        .expect(200);
    assert_eq!(
        (found(&r, "process"), found(&r, "task")),
        (Vec::<String>::new(), Vec::<String>::new())
    );
    let r = search(app, &[("search", "quarterly"), ("on", "process,task")])
        .await
        .expect(200);
    assert_eq!(found(&r, "process"), ["Quarterly review", "Quarterly close"]);
    assert_eq!(found(&r, "task"), ["Quarterly review", "Quarterly close"]);
    // The top-secret task: admins and its assignee see it; others do not, not even in counts.
    let all = ["Close the books", "Secret close", "Annual close", "Quarterly close"];
    let r = search_as(app, &f.kim, &[("search", "close"), ("on", "task")])
        .await
        .expect(200);
    assert_eq!(found(&r, "task"), all);
    for token in [&f.ann, &f.sam] {
        let r = search_as(app, token, &[("search", "close"), ("on", "task,process")])
            .await
            .expect(200);
        assert_eq!(
            found(&r, "task"),
            ["Close the books", "Annual close", "Quarterly close"]
        );
        assert_eq!(r.body["task"]["meta"]["pagination"]["total"], 3);
        // The run itself is visible to every member.
        assert_eq!(
            found(&r, "process"),
            ["Secret close", "Annual close", "Quarterly close"]
        );
        let r = search_as(
            app,
            token,
            &[("search", "close"), ("on", "task"), ("per_page", "1"), ("page", "2")],
        )
        .await
        .expect(200);
        assert_eq!(
            (
                found(&r, "task"),
                r.body["task"]["meta"]["pagination"]["total_pages"].as_i64()
            ),
            (vec!["Annual close".to_string()], Some(3))
        );
    }
    // Another organization's items never appear.
    let beta = app.add_org("beta", 2001).await;
    let r = app
        .send(app.request_as(
            &beta,
            Method::GET,
            "/organizations/beta/search?search=close&on=process,task",
        ))
        .await
        .expect(200);
    assert_eq!((found(&r, "process").len(), found(&r, "task").len()), (0, 0));
    app.send(app.request_as(&beta, Method::GET, "/organizations/acme/search?search=close"))
        .await
        .expect(403);
}
