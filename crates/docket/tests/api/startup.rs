//! Start-up and storage behaviour: the bootstrap file at start, concurrent writers, readiness.

use reqwest::Method;
use serde_json::json;

use crate::support::{Backend, TestApp};

async fn bootstrap_file_is_loaded_at_start(backend: Backend) {
    let file = std::env::temp_dir().join(format!("docket-start-{}.json", uuid::Uuid::new_v4().simple()));
    let doc = json!({
        "organizations": [{"id": "YOUR_ORGANIZATION_ID", "name": "Seeded"}],
        "users": [{"id": 12345, "email": "seed@example.com", "first_name": "Se", "last_name": "Ed",
                   "memberships": [{"organization": "YOUR_ORGANIZATION_ID", "role": "admin"}],
                   "tokens": ["YOUR_PERSONAL_ACCESS_TOKEN"]}]
    });
    std::fs::write(&file, doc.to_string()).expect("write bootstrap file");
    let path = file.clone();
    let app = TestApp::spawn_with(backend, move |c| c.bootstrap = Some(path)).await;
    let r = app
        .send(app.request_as(
            "YOUR_PERSONAL_ACCESS_TOKEN",
            Method::GET,
            "/api/organizations/YOUR_ORGANIZATION_ID/me",
        ))
        .await
        .expect(200);
    assert_eq!(
        (r.data()["id"].as_i64(), r.data()["full_name"].as_str()),
        (Some(12345), Some("Se Ed"))
    );
    app.stop().await;
    let _ = std::fs::remove_file(&file);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrap_file_is_loaded_at_start_sqlite() {
    bootstrap_file_is_loaded_at_start(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrap_file_is_loaded_at_start_postgres() {
    if Backend::postgres_available("bootstrap_file_is_loaded_at_start") {
        bootstrap_file_is_loaded_at_start(Backend::Postgres).await;
    }
}

dual_test! {
    async fn concurrent_writers_all_succeed(app: &TestApp) {
        // 48 invitations at once: each is a multi-statement transaction; none may fail with a
        // busy or serialization error, and every one must be stored exactly once.
        let path = app.org_path("/users/invite");
        let mut set = tokio::task::JoinSet::new();
        for i in 0..48 {
            let body = json!({"email": format!("writer{i}@example.com"), "first_name": "W", "last_name": format!("{i}"), "role": "light"});
            let rb = app.request(Method::POST, &path).json(&body);
            set.spawn(async move {
                let r = rb.send().await.expect("sent");
                (r.status().as_u16(), r.json::<serde_json::Value>().await.expect("json"))
            });
        }
        let mut ids = Vec::new();
        while let Some(joined) = set.join_next().await {
            let (status, body) = joined.expect("task");
            assert_eq!(status, 200, "{body}");
            ids.push(body["data"]["id"].as_i64().expect("id"));
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 48, "every writer got its own user id");
        let r = app.get(&app.org_path("/users?per_page=1")).await.expect(200);
        assert_eq!(r.body["meta"]["pagination"]["total"], 49);
    }
}
