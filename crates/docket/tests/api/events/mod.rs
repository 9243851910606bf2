//! The webhook events of spec §5.5 besides `task.completed`: what causes each, where it goes
//! (the template's webhook, the watchers that want it, each URL once per event), what it
//! carries, and that a refused write sends nothing. Deliveries are received by a local server
//! (`watchers::hits`).

mod launches;
mod tasks;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::TestApp;
use crate::watchers::Hit;

/// Subscribes `url` for `event_types` (empty: every event); the watcher.
pub async fn watch(app: &TestApp, url: &str, event_types: Value) -> Value {
    app.json(
        Method::POST,
        &app.org_path("/users/1001/add-watcher"),
        json!({"object_type": "organization", "object_id": "acme", "webhook": url, "event_types": event_types}),
    )
    .await
    .expect(201)
    .data()
    .clone()
}

/// Waits until `seen` holds at least `n` deliveries, then a little longer (so that an extra
/// one would show), and returns them all.
pub async fn wait_for(seen: &Arc<Mutex<Vec<Hit>>>, n: usize) -> Vec<Hit> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while seen.lock().unwrap().len() < n {
        assert!(
            tokio::time::Instant::now() < deadline,
            "expected {n} deliveries, got: {:#?}",
            seen.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    seen.lock().unwrap().clone()
}

/// The deliveries of `event` to `path`.
pub fn of<'a>(hits: &'a [Hit], path: &str, event: &str) -> Vec<&'a Hit> {
    hits.iter()
        .filter(|h| h.path == path && h.body["event"] == event)
        .collect()
}

/// The deliveries to `path`, as `event` names in alphabetical order (deliveries of events
/// due at once may arrive in any order).
pub fn events_at(hits: &[Hit], path: &str) -> Vec<String> {
    let mut names: Vec<String> = hits
        .iter()
        .filter(|h| h.path == path)
        .map(|h| h.body["event"].as_str().unwrap_or_default().to_string())
        .collect();
    names.sort();
    names
}

/// Every delivery is signed, names its event by the header and the payload alike, and carries
/// the keys every event carries.
pub fn assert_envelope(hits: &[Hit]) {
    for h in hits {
        let sig = h.signature.as_deref().unwrap_or_default();
        assert!(sig.starts_with("t=") && sig.contains(",v1="), "signature of {h:?}");
        assert_eq!(h.body["event_id"], h.event_id.as_str(), "{h:?}");
        assert_eq!(h.event_id.len(), 32, "{h:?}");
        assert_eq!(h.body["organization_id"], "acme", "{h:?}");
    }
}

/// A template with steps "Collect" (assigned to 1005) and "Review" (nobody, not even the
/// launcher), and `webhook`;
/// returns its id and its step ids.
pub async fn template(app: &TestApp, title: &str, webhook: Option<&str>) -> (String, Vec<String>) {
    let mut body = json!({"title": title, "steps": [
        {"title": "Collect", "assignees": [1005]},
        {"title": "Review", "assign_run_starter": false}
    ]});
    if let Some(url) = webhook {
        body["webhook"] = json!(url);
    }
    let t = app
        .json(Method::POST, &app.org_path("/checklists?with=steps"), body)
        .await
        .expect(201);
    let d = t.data();
    let steps = d["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["id"].as_str().expect("step id").to_string())
        .collect();
    (d["id"].as_str().expect("template id").to_string(), steps)
}

/// Launches `checklist_id`; the run.
pub async fn launch(app: &TestApp, checklist_id: &str, name: &str) -> Value {
    app.json(
        Method::POST,
        &app.org_path("/runs"),
        json!({"checklist_id": checklist_id, "name": name}),
    )
    .await
    .expect(201)
    .data()
    .clone()
}

/// The ids of a run's tasks, by position.
pub async fn task_ids(app: &TestApp, run_id: &str) -> Vec<String> {
    app.get(&app.org_path(&format!("/runs/{run_id}/tasks")))
        .await
        .expect(200)
        .data()
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| t["id"].as_str().expect("task id").to_string())
        .collect()
}

/// How many outbox rows the organization has.
pub async fn outbox_len(app: &TestApp) -> usize {
    app.store().outbox_events("acme").await.expect("outbox").len()
}
