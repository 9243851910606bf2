//! Two docket processes over one PostgreSQL database (the scale-out of `scripts/scale-out`): a
//! write through one is read through the other at once, and the other's remembered list totals
//! count it within `cache_ms`. (One budget per token across processes: `ratelimit.rs`; each
//! webhook delivered once by two dispatchers: `webhooks.rs`.)

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use crate::support::{Backend, TestApp};

const CACHE_MS: u64 = 600;

fn total(r: &crate::support::Resp) -> i64 {
    r.body["meta"]["pagination"]["total"].as_i64().expect("total")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_on_one_node_is_seen_on_the_other_within_cache_ms_postgres() {
    Backend::require_postgres();
    let a = TestApp::spawn_with(Backend::Postgres, |c| c.cache_ms = CACHE_MS).await;
    let b = TestApp::spawn_on(&a.store_url(), Backend::Postgres, |c| c.cache_ms = CACHE_MS).await;
    for round in 0..3 {
        // B remembers the total now …
        let before = total(&b.get("/organizations/acme/tasks?per_page=1").await.expect(200));
        let r = a
            .json(
                Method::POST,
                "/organizations/acme/tasks",
                json!({"title": format!("Seen elsewhere {round}")}),
            )
            .await
            .expect(201);
        let written = Instant::now();
        let id = r.data()["id"].as_str().unwrap().to_string();
        // … the task itself is read from the database at once …
        let got = b.get(&format!("/organizations/acme/tasks/{id}")).await.expect(200);
        assert_eq!(got.data()["title"], format!("Seen elsewhere {round}"));
        // … and B's list counts it in any request sent cache_ms after the write (timed from
        // when each request was sent: a loaded machine may be slow to answer).
        loop {
            let sent = written.elapsed();
            let r = b.get("/organizations/acme/tasks?per_page=1").await.expect(200);
            if total(&r) == before + 1 {
                break;
            }
            assert_eq!(total(&r), before, "only the one write happened");
            assert!(
                sent < Duration::from_millis(CACHE_MS + 100),
                "B still counts {before} in a request sent {sent:?} after the write"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        // A write through B is counted by A likewise: an update seen in A's list.
        let r = b
            .json(
                Method::PUT,
                &format!("/organizations/acme/tasks/{id}"),
                json!({"title": format!("Renamed {round}")}),
            )
            .await
            .expect(200);
        assert_eq!(r.data()["title"], format!("Renamed {round}"));
        let got = a.get(&format!("/organizations/acme/tasks/{id}")).await.expect(200);
        assert_eq!(
            got.data()["title"],
            format!("Renamed {round}"),
            "read at once on the other node"
        );
    }
    b.stop().await;
    a.stop().await;
}

/// What a member may not see of the feed is remembered by each node (for `cache_ms` past a
/// write made elsewhere), and a filtered page on PostgreSQL leaves those entries out by id
/// from that memory. An entry made on the other node about a task hidden from the member is
/// not among them: it must still never reach the member, on any page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_made_elsewhere_about_a_hidden_task_stays_hidden_postgres() {
    Backend::require_postgres();
    let (a, b, sam, secret_id) = two_nodes_and_a_secret(Backend::Postgres, 60_000).await;
    let open = a
        .json(Method::POST, &a.org_path("/tasks"), json!({"title": "Lunch"}))
        .await
        .expect(201);
    let open_id = open.data()["id"].as_str().unwrap().to_string();
    comment(&a, &open_id, "pizza").await.expect(201);
    let comments = "/activity-feeds?type=Comment&per_page=10";
    // A remembers what Sam may not see: the secret task and its one comment.
    let r = page_as(&a, &sam, comments).await;
    assert_eq!(r.data().as_array().unwrap().len(), 1);
    // B adds a comment about the secret task, and one about the open task.
    comment(&b, &secret_id, "more confidential").await.expect(201);
    comment(&b, &open_id, "salad").await.expect(201);
    // On A the admin sees all four comments; Sam only the two about the open task, in every
    // order and through the cursor. (The totals A counts for Sam follow B's write within
    // `cache_ms`, as every remembered total does across nodes.)
    let r = a.get(&a.org_path(comments)).await.expect(200);
    assert_eq!(r.data().as_array().unwrap().len(), 4);
    for query in [
        comments,
        "/activity-feeds?type=Comment&per_page=10&sort=id",
        "/activity-feeds?type=Comment&per_page=10&sort=-id",
        "/activity-feeds?type=Comment&per_page=10&sort=created_at",
        "/activity-feeds?type=Comment&per_page=10&after=0",
        "/activity-feeds?type=Comment&verb=commented&per_page=1&page=2",
    ] {
        let r = page_as(&a, &sam, query).await;
        let entries = r.data().as_array().unwrap().clone();
        assert!(
            entries
                .iter()
                .all(|e| e["parentable_id"] != secret_id && e["auditable_id"] != secret_id),
            "{query}: {entries:?}"
        );
        let want = if query.contains("per_page=1&") { 1 } else { 2 };
        assert_eq!(entries.len(), want, "{query}: {entries:?}");
    }
    b.stop().await;
    a.stop().await;
}

/// A node keeps what a member may not see while nothing is committed, and reads it afresh once
/// its time to live is past and a commit has been made anywhere: a member assigned to a secret
/// task on the other node sees its entries on this one soon after `cache_ms`.
/// On SQLite the other node is another process on the same file (an admin command, say).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_let_in_on_another_node_sees_the_task_after_cache_ms_postgres() {
    Backend::require_postgres();
    a_member_let_in_elsewhere(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_let_in_on_another_node_sees_the_task_after_cache_ms_sqlite() {
    a_member_let_in_elsewhere(Backend::Sqlite).await;
}

async fn a_member_let_in_elsewhere(backend: Backend) {
    let (a, b, sam, secret_id) = two_nodes_and_a_secret(backend, CACHE_MS).await;
    let about = |r: &crate::support::Resp| {
        let entries = r.data().as_array().unwrap().clone();
        entries
            .iter()
            .filter(|e| e["parentable_id"] == secret_id || e["auditable_id"] == secret_id)
            .count()
    };
    // Unfiltered: the page tests each entry against the remembered set (a filtered page on
    // SQLite tests each row against the tasks themselves).
    let feed = "/activity-feeds?per_page=20";
    assert_eq!(about(&page_as(&a, &sam, feed).await), 0);
    // Past the time to live with nothing committed, A keeps the set it has.
    tokio::time::sleep(Duration::from_millis(CACHE_MS + 100)).await;
    assert_eq!(about(&page_as(&a, &sam, feed).await), 0);
    let path = b.org_path(&format!("/tasks/{secret_id}"));
    b.json(Method::PUT, &path, json!({"owners": {"users": [1011, 1010]}}))
        .await
        .expect(200);
    let written = Instant::now();
    loop {
        let sent = written.elapsed();
        if about(&page_as(&a, &sam, feed).await) > 0 {
            break;
        }
        assert!(
            sent < Duration::from_millis(2 * CACHE_MS + 1000),
            "A still hides the task from Sam in a request sent {sent:?} after the write"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    b.stop().await;
    a.stop().await;
}

/// Two nodes over one `backend` database with `cache_ms`, a standard member Sam (whose token comes back)
/// and a top-secret task assigned to another member, with one comment: the task's id.
async fn two_nodes_and_a_secret(backend: Backend, cache_ms: u64) -> (TestApp, TestApp, String, String) {
    let a = TestApp::spawn_with(backend, |c| c.cache_ms = cache_ms).await;
    let b = TestApp::spawn_on(&a.store_url(), backend, |c| c.cache_ms = cache_ms).await;
    let (_, sam) = a.add_member("acme", 1010, "kim@acme.test", "standard").await;
    a.add_member("acme", 1011, "lee@acme.test", "standard").await;
    let secret = a
        .json(
            Method::POST,
            &a.org_path("/tasks"),
            json!({"title": "Salaries", "top_secret": true, "owners": {"users": [1011]}}),
        )
        .await
        .expect(201);
    let secret_id = secret.data()["id"].as_str().unwrap().to_string();
    comment(&a, &secret_id, "confidential").await.expect(201);
    (a, b, sam, secret_id)
}

async fn comment(app: &TestApp, task: &str, text: &str) -> crate::support::Resp {
    let path = app.org_path(&format!("/tasks/{task}/comment"));
    app.json(Method::POST, &path, json!({"content": text})).await
}

async fn page_as(app: &TestApp, token: &str, query: &str) -> crate::support::Resp {
    let path = app.org_path(query);
    app.send(app.request_as(token, Method::GET, &path)).await.expect(200)
}
