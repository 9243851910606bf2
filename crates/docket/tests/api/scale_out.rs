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
