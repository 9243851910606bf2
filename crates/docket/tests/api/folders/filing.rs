//! What filing shows elsewhere: the `folder` filters of the run and task lists, the `folders`
//! includes of runs and tasks, the `folders` of search results, and permanent deletes.

use reqwest::Method;
use serde_json::{Value, json};

use super::{create, file, id_of};
use crate::support::TestApp;
use crate::support::fixtures::{count_rows, run_with_task, seed_members, standalone};

/// The `name`s (runs) or `title`s (tasks) of a list, sorted.
async fn listed(app: &TestApp, path: &str, key: &str) -> Vec<String> {
    let r = app.get(path).await.expect(200);
    let mut out: Vec<String> = r
        .data()
        .as_array()
        .expect("list")
        .iter()
        .map(|x| x[key].as_str().expect("text").to_string())
        .collect();
    out.sort();
    assert_eq!(r.body["meta"]["pagination"]["total"].as_u64(), Some(out.len() as u64));
    out
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

on_both!(run_and_task_lists_filter_by_the_folder_they_are_filed_in);
async fn run_and_task_lists_filter_by_the_folder_they_are_filed_in(app: &TestApp) {
    seed_members(app).await;
    let f = id_of(&create(app, "Filed", None).await);
    let child = id_of(&create(app, "Child", Some(&f)).await);
    let (filed_run, _) = run_with_task(app, "Run in folder").await;
    let (_, task_in_child_run) = run_with_task(app, "Run in child").await;
    let (child_run, _) = (
        app.get(&app.org_path(&format!("/tasks/{task_in_child_run}")))
            .await
            .expect(200)
            .data()["run_id"]
            .as_str()
            .unwrap()
            .to_string(),
        (),
    );
    run_with_task(app, "Run elsewhere").await;
    let lone = standalone(app, "Lone filed", json!({"users": [1005]})).await;
    standalone(app, "Lone elsewhere", json!({"users": [1005]})).await;
    file(app, &f, "Run", &filed_run).await.expect(201);
    file(app, &f, "Task", &lone).await.expect(201);
    file(app, &child, "Run", &child_run).await.expect(201);

    // R1: runs filed directly (not through a sub-folder).
    let runs = |q: String| async move { listed(app, &format!("/organizations/acme/runs?{q}"), "name").await };
    assert_eq!(runs(format!("folder={f}")).await, strings(&["Run in folder"]));
    assert_eq!(runs(format!("folder={child}")).await, strings(&["Run in child"]));
    assert_eq!(runs(format!("folder={f}&status=archived")).await, Vec::<String>::new());
    assert_eq!(
        runs(format!("folder={child},{f}")).await,
        strings(&["Run in child", "Run in folder"]),
        "a comma list matches any of them"
    );
    // T2: tasks filed directly, or whose run is.
    let tasks = |q: String| async move { listed(app, &format!("/organizations/acme/tasks?{q}"), "title").await };
    assert_eq!(
        tasks(format!("folder={f}")).await,
        strings(&["Lone filed", "Run in folder"])
    );
    assert_eq!(tasks(format!("folder={child}")).await, strings(&["Run in child"]));
    assert_eq!(
        tasks(format!("folder={f},{child}")).await,
        strings(&["Lone filed", "Run in child", "Run in folder"])
    );
    // The same with one `owners` member (the member-list path).
    assert_eq!(
        tasks(format!("folder={f}&owners=1005")).await,
        strings(&["Lone filed", "Run in folder"])
    );
    assert_eq!(tasks(format!("folder={f}&q=lone")).await, strings(&["Lone filed"]));
    // A member's own task list.
    assert_eq!(
        listed(
            app,
            &format!("/organizations/acme/users/1005/tasks?folder={f}"),
            "title"
        )
        .await,
        strings(&["Lone filed", "Run in folder"])
    );

    // Unfiled: gone from the filter.
    let objects = app
        .get(&format!("/organizations/acme/runs/{filed_run}?with=folders"))
        .await
        .expect(200);
    assert_eq!(objects.data()["folders"]["data"][0]["id"], f.as_str());
    let o = file(app, &f, "Run", &filed_run).await.expect(200).data()["id"]
        .as_i64()
        .unwrap();
    app.call(Method::DELETE, &app.org_path(&format!("/folders-objects/{o}")))
        .await
        .expect(204);
    assert_eq!(runs(format!("folder={f}")).await, Vec::<String>::new());
    assert_eq!(tasks(format!("folder={f}")).await, strings(&["Lone filed"]));
}

on_both!(runs_tasks_and_search_results_show_their_folders);
async fn runs_tasks_and_search_results_show_their_folders(app: &TestApp) {
    seed_members(app).await;
    let f = create(app, "Finance", None).await;
    let g = create(app, "Audit", None).await;
    let (run, task) = run_with_task(app, "Quarterly close").await;
    let lone = standalone(app, "Quarterly lone", json!({"users": [1005]})).await;
    file(app, &id_of(&f), "Run", &run).await.expect(201);
    file(app, &id_of(&g), "Run", &run).await.expect(201);
    file(app, &id_of(&g), "Task", &lone).await.expect(201);

    // Runs: `folders` include, in filing order, Folder shapes (total counts the new object).
    let r = app
        .get(&format!("/organizations/acme/runs/{run}?with=folders"))
        .await
        .expect(200);
    let folders = r.data()["folders"]["data"].as_array().expect("wrapped").clone();
    assert_eq!(
        folders.iter().map(|x| x["name"].as_str().unwrap()).collect::<Vec<_>>(),
        ["Finance", "Audit"]
    );
    assert_eq!(folders[0]["total"], 1);
    assert_eq!(folders[1]["total"], 2);
    let r = app.get("/organizations/acme/runs?with=folders").await.expect(200);
    assert_eq!(r.data()[0]["folders"]["data"].as_array().unwrap().len(), 2);
    assert!(
        app.get(&format!("/organizations/acme/runs/{run}"))
            .await
            .expect(200)
            .data()
            .get("folders")
            .is_none()
    );

    // Tasks: their own filing only (the task of the filed run has none of its own).
    let r = app
        .get(&format!("/organizations/acme/tasks/{lone}?with=folders"))
        .await
        .expect(200);
    assert_eq!(r.data()["folders"]["data"][0]["name"], "Audit");
    let r = app
        .get(&format!("/organizations/acme/tasks/{task}?with=folders"))
        .await
        .expect(200);
    assert_eq!(r.data()["folders"], json!({"data": []}));

    // Search: bare arrays.
    let r = app
        .get("/organizations/acme/search?search=quarterly&on=process,task")
        .await
        .expect(200);
    let process = &r.body["process"]["data"][0];
    assert_eq!(process["id"], run.as_str());
    let names: Vec<&str> = process["folders"]
        .as_array()
        .expect("bare array")
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Finance", "Audit"]);
    let tasks: &Vec<Value> = r.body["task"]["data"].as_array().unwrap();
    let lone_item = tasks
        .iter()
        .find(|t| t["id"] == lone.as_str())
        .expect("lone task found");
    assert_eq!(lone_item["folders"][0]["id"], g["id"]);
    let run_task = tasks.iter().find(|t| t["id"] == task.as_str()).expect("run task found");
    assert_eq!(run_task["folders"], json!([]));
}

on_both!(permanent_deletes_take_their_folder_objects_along);
async fn permanent_deletes_take_their_folder_objects_along(app: &TestApp) {
    seed_members(app).await;
    let f = id_of(&create(app, "Filed", None).await);
    let (run, task) = run_with_task(app, "Doomed run").await;
    let lone = standalone(app, "Doomed task", json!({"users": [1005]})).await;
    file(app, &f, "Run", &run).await.expect(201);
    file(app, &f, "Task", &task).await.expect(201);
    file(app, &f, "Task", &lone).await.expect(201);
    let count = "SELECT COUNT(*) FROM folder_objects WHERE folder_id = $1";
    assert_eq!(count_rows(app, count, &f).await, 3);

    let task_path = app.org_path(&format!("/tasks/{lone}"));
    app.call(Method::DELETE, &task_path).await.expect(204);
    assert_eq!(count_rows(app, count, &f).await, 3, "archiving keeps the filing");
    app.call(Method::DELETE, &format!("{task_path}/delete"))
        .await
        .expect(204);
    assert_eq!(count_rows(app, count, &f).await, 2);

    let run_path = app.org_path(&format!("/runs/{run}"));
    app.call(Method::DELETE, &run_path).await.expect(200);
    app.call(Method::DELETE, &format!("{run_path}/delete"))
        .await
        .expect(204);
    assert_eq!(
        count_rows(app, count, &f).await,
        0,
        "the run's and its task's objects went"
    );
    assert_eq!(
        app.get(&app.org_path(&format!("/folders/{f}")))
            .await
            .expect(200)
            .data()["total"],
        0
    );
}
