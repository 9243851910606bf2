//! `process.launched`, `process.completed` and the `task.assigned` events of launches and
//! rules; `automation.webhook` only to its action's URL.

use reqwest::Method;
use serde_json::json;

use super::*;
use crate::support::fixtures::{run_with_task, seed_members};
use crate::watchers::{hits, tune};

on_both!(a_launch_reaches_the_template_webhook_and_each_watcher_once, tune);
async fn a_launch_reaches_the_template_webhook_and_each_watcher_once(app: &TestApp) {
    seed_members(app).await;
    let (base, seen) = hits().await;
    let hook = format!("{base}/hook");
    let (plain, _) = template(app, "Plain", None).await;
    let (hooked, _) = template(app, "Hooked", Some(&hook)).await;

    // Nobody listens: a launch writes no event.
    launch(app, &plain, "Quiet").await;
    assert_eq!(outbox_len(app).await, 0);

    // A watcher of everything, and one whose URL is also the template's webhook.
    watch(app, &format!("{base}/all"), json!([])).await;
    let hook_watcher = watch(app, &hook, json!(null)).await;
    assert_eq!(hook_watcher["event_types"], json!([]));
    let run = launch(app, &hooked, "Loud").await;
    let run_id = run["id"].as_str().unwrap();
    let tasks = task_ids(app, run_id).await;
    let got = wait_for(&seen, 4).await;
    assert_envelope(&got);
    assert_eq!(got.len(), 4, "{got:#?}");
    // process.launched: once per URL, one event.
    let (all, at_hook) = (
        of(&got, "/all", "process.launched"),
        of(&got, "/hook", "process.launched"),
    );
    assert_eq!((all.len(), at_hook.len()), (1, 1), "{got:#?}");
    assert_eq!(all[0].event_id, at_hook[0].event_id);
    assert_eq!(all[0].body, at_hook[0].body);
    let p = &all[0].body;
    assert_eq!(p["id"], run_id);
    assert_eq!(p["name"], "Loud");
    assert_eq!(p["checklist_id"], hooked.as_str());
    assert_eq!(p["status"], "active");
    assert_eq!(p["progress"], json!({"complete": 0, "total": 2, "percent": 0.0}));
    assert_eq!(p["process-tasks"], json!({"collect": tasks[0], "review": tasks[1]}));
    assert_eq!(p["ko-form-fields"], json!({}));
    assert_eq!(p["guest-links"], json!({}));
    assert_eq!(
        p["launcher"],
        json!({"id": 1001, "email": "bob@acme.test", "full_name": "Bob Stone"})
    );
    assert_eq!(p["template"]["id"], hooked.as_str());
    assert_eq!(p["template"]["title"], "Hooked");
    // task.assigned for the one task that has assignees, to the watchers only.
    let (all, at_hook) = (of(&got, "/all", "task.assigned"), of(&got, "/hook", "task.assigned"));
    assert_eq!((all.len(), at_hook.len()), (1, 1), "{got:#?}");
    assert_eq!(all[0].event_id, at_hook[0].event_id);
    let a = &all[0].body;
    assert_eq!(a["this_task"]["id"], tasks[0].as_str());
    assert_eq!(a["this_task"]["title"], "Collect");
    assert!(a["this_task"].get("completed_by").is_none());
    assert_eq!(a["assigned"]["users"][0]["id"], 1005);
    assert_eq!(a["assigned"]["users"][0]["email"], "ann@acme.test");
    assert_eq!(a["assigned"]["guests"], json!([]));
    assert_eq!(a["assigned"]["groups"], json!([]));
    assert_eq!(a["actor"]["id"], 1001);
    assert_eq!(a["process"]["id"], run_id);
    assert_eq!(a["template"]["id"], hooked.as_str());

    // The watcher removed, the next launch of the plain template reaches the other one only.
    let watchers = app.get(&app.org_path("/watchers")).await.expect(200);
    let all_id = watchers.data()[0]["id"].as_i64().unwrap();
    app.call(Method::DELETE, &app.org_path(&format!("/remove-watcher/{all_id}")))
        .await
        .expect(204);
    let run = launch(app, &plain, "Again").await;
    let got = wait_for(&seen, 6).await;
    assert_eq!(got.len(), 6, "{got:#?}");
    let later = &got[4..];
    assert!(later.iter().all(|h| h.path == "/hook"), "{later:#?}");
    let launched = of(later, "/hook", "process.launched");
    assert_eq!(launched.len(), 1);
    assert_eq!(launched[0].body["id"], run["id"]);
    assert_eq!(of(later, "/hook", "task.assigned").len(), 1);
}

on_both!(process_completed_follows_each_completion_of_a_launched_run_only, tune);
async fn process_completed_follows_each_completion_of_a_launched_run_only(app: &TestApp) {
    seed_members(app).await;
    let (base, seen) = hits().await;
    let done = watch(app, &format!("{base}/done"), json!(["process.completed"])).await;
    assert_eq!(done["event_types"], json!(["process.completed"]));
    watch(app, &format!("{base}/tc"), json!(["task.completed"])).await;
    let (t, _) = template(app, "Two steps", None).await;

    // A MISC run (tasks made for several people at once) completes: no process event.
    let (misc_run, misc_task) = run_with_task(app, "Fan out").await;
    app.json(
        Method::POST,
        &app.org_path(&format!("/runs/{misc_run}/completed-tasks")),
        json!({"task_id": misc_task}),
    )
    .await
    .expect(200);
    let misc = app.get(&app.org_path(&format!("/runs/{misc_run}"))).await.expect(200);
    assert_eq!(misc.data()["status"], "complete");

    let run = launch(app, &t, "Finish me").await;
    let run_id = run["id"].as_str().unwrap();
    let tasks = task_ids(app, run_id).await;
    let complete = |id: String| {
        let path = app.org_path(&format!("/runs/{run_id}/completed-tasks"));
        async move { app.json(Method::POST, &path, json!({"task_id": id})).await.expect(200) }
    };
    complete(tasks[0].clone()).await;
    complete(tasks[1].clone()).await;
    let got = wait_for(&seen, 4).await;
    assert_envelope(&got);
    assert_eq!(events_at(&got, "/done"), ["process.completed"], "{got:#?}");
    assert_eq!(events_at(&got, "/tc"), ["task.completed"; 3], "{got:#?}");
    let p = &of(&got, "/done", "process.completed")[0].body;
    assert_eq!(p["id"], run_id);
    assert_eq!(p["status"], "complete");
    assert_eq!(p["progress"], json!({"complete": 2, "total": 2, "percent": 100.0}));
    assert_eq!(p["launcher"]["id"], 1001);
    assert_eq!(p["template"]["id"], t.as_str());
    // task.completed names the template of launched runs only.
    for h in of(&got, "/tc", "task.completed") {
        let launched = h.body["this_task"]["run_id"] == run_id;
        assert_eq!(h.body["template"]["id"] == t.as_str(), launched, "{h:#?}");
        assert_eq!(h.body["template"].is_null(), !launched, "{h:#?}");
    }

    // Reopened and completed again: a second event.
    app.call(
        Method::DELETE,
        &app.org_path(&format!("/runs/{run_id}/completed-tasks/{}", tasks[1])),
    )
    .await
    .expect(200);
    complete(tasks[1].clone()).await;
    let got = wait_for(&seen, 6).await;
    let completed = of(&got, "/done", "process.completed");
    assert_eq!(completed.len(), 2, "{got:#?}");
    assert_ne!(completed[0].event_id, completed[1].event_id);
    assert_eq!(completed[1].body["id"], run_id);
    assert_eq!(events_at(&got, "/tc").len(), 4, "{got:#?}");
    let outbox = app.store().outbox_events("acme").await.unwrap();
    assert!(
        !outbox
            .iter()
            .any(|e| e.event.starts_with("process.") && e.task_id != run_id),
        "no process event but the launched run's: {outbox:#?}"
    );
}

on_both!(rules_assign_with_an_event_and_emit_webhooks_to_their_url_only, tune);
async fn rules_assign_with_an_event_and_emit_webhooks_to_their_url_only(app: &TestApp) {
    seed_members(app).await;
    let (base, seen) = hits().await;
    let (t, steps) = template(app, "Ruled", None).await;
    app.json(
        Method::POST,
        &app.org_path(&format!("/checklists/{t}/automated-actions")),
        json!({"conditions": [{"conditionable_type": "Step", "conditionable_id": steps[0], "operation": "completed"}],
               "then_actions": [
                   {"action_type": "assignment", "action_verb": "assign", "target_step_id": steps[1],
                    "assignees": {"users": [1002]}},
                   {"action_type": "webhook", "target_step_id": steps[1], "webhook_url": format!("{base}/auto"),
                    "alias_name": "ping"}]}),
    )
    .await
    .expect(201);
    watch(
        app,
        &format!("{base}/all"),
        json!(["task.assigned", "automation.webhook"]),
    )
    .await;
    let run = launch(app, &t, "Ruled run").await;
    let run_id = run["id"].as_str().unwrap();
    let tasks = task_ids(app, run_id).await;
    app.json(
        Method::POST,
        &app.org_path(&format!("/runs/{run_id}/completed-tasks")),
        json!({"task_id": tasks[0]}),
    )
    .await
    .expect(200);
    let got = wait_for(&seen, 3).await;
    assert_eq!(got.len(), 3, "{got:#?}");
    // The launch's assignment and the rule's; the rule's action URL alone gets its webhook.
    assert_eq!(events_at(&got, "/all"), ["task.assigned", "task.assigned"], "{got:#?}");
    assert_eq!(events_at(&got, "/auto"), ["automation.webhook"], "{got:#?}");
    let by_rule = of(&got, "/all", "task.assigned")
        .into_iter()
        .find(|h| h.body["this_task"]["id"] == tasks[1].as_str())
        .expect("the rule's assignment");
    assert_eq!(by_rule.body["assigned"]["users"][0]["id"], 1002);
    assert_eq!(by_rule.body["assigned"]["users"].as_array().unwrap().len(), 1);
    assert_eq!(by_rule.body["process"]["id"], run_id);
    let auto = &of(&got, "/auto", "automation.webhook")[0].body;
    assert_eq!(auto["alias_name"], "ping");
    assert_eq!(auto["organization_id"], "acme");
    assert_eq!(
        auto["event_id"],
        of(&got, "/auto", "automation.webhook")[0].event_id.as_str()
    );
    assert!(auto["automation"]["id"].is_string());
    assert_eq!(auto["this_task"]["id"], tasks[1].as_str());
    assert_eq!(auto["process"]["id"], run_id);
    assert_eq!(auto["template"]["id"], t.as_str());
}
