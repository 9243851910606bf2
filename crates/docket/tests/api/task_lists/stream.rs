//! `without_pagination=true` over more tasks than one streamed batch holds: every match, once,
//! in order, with the §1.8 meta of a single page, also when counts are remembered.

#[allow(unused_imports)]
use super::*;

on_both!(without_pagination_streams_every_match_in_order, backend);
async fn without_pagination_streams_every_match_in_order(backend: Backend) {
    // 1,100 creates go past the default rate limit.
    let owned = TestApp::spawn_with(backend, |c| {
        c.now = Some(NOW);
        c.rate_limit = 0;
    })
    .await;
    let app = &owned;
    {
        members(app).await;
        // 1,100 tasks: more than two batches of the stream. Deadlines repeat, so the order
        // also tests the increment_id tie-break across batch boundaries.
        let bodies: Vec<Value> = (0..1100)
            .map(|i| {
                let owners = if i % 3 == 0 {
                    json!({"users": [1002]})
                } else {
                    json!({"users": [1007]})
                };
                json!({"title": format!("Task {i}"), "deadline": ts(NOW + (i % 7) * HOUR), "owners": owners})
            })
            .collect();
        for chunk in bodies.chunks(50) {
            let sends = chunk.iter().map(|b| app.json(Method::POST, TASKS, b.clone()));
            for r in futures_util::future::join_all(sends).await {
                r.expect(201);
            }
        }
        let r = app.get(&format!("{TASKS}?without_pagination=true")).await.expect(200);
        let got = r.data().as_array().expect("data").clone();
        assert_eq!(got.len(), 1100);
        let keys: Vec<(String, i64)> = got
            .iter()
            .map(|t| {
                (
                    t["deadline"].as_str().expect("deadline").to_string(),
                    t["increment_id"].as_i64().expect("inc"),
                )
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "by deadline, then increment_id");
        let mut incs: Vec<i64> = keys.iter().map(|k| k.1).collect();
        incs.sort_unstable();
        incs.dedup();
        assert_eq!(incs.len(), 1100, "each task once");
        let p = pagination(&r);
        assert_eq!(
            (
                p["total"].as_i64(),
                p["count"].as_i64(),
                p["per_page"].as_i64(),
                p["current_page"].as_i64(),
                p["total_pages"].as_i64()
            ),
            (Some(1100), Some(1100), Some(1100), Some(1), Some(1))
        );
        assert_eq!(p["links"], json!({"next": null, "prev": null, "previous": null}));

        // With a filter; the same through a member's list and a run's list.
        let r = app
            .get(&format!("{TASKS}?without_pagination=true&owners=1002"))
            .await
            .expect(200);
        assert_eq!(r.data().as_array().map(Vec::len), Some(367));
        assert!(
            r.data()
                .as_array()
                .expect("data")
                .iter()
                .all(|t| t["owners"]["users"] == json!([1002]))
        );
        assert_eq!(pagination(&r)["total"], 367);
        let r = app
            .get("/organizations/acme/users/1007/tasks?without_pagination=true")
            .await
            .expect(200);
        assert_eq!(pagination(&r)["total"], 733);

        // Paged, the same tasks in the same order; totals stay right across a write.
        let page = app.get(&format!("{TASKS}?per_page=100&page=11")).await.expect(200);
        assert_eq!(page.data().as_array().map(Vec::len), Some(100));
        assert_eq!(page.data()[0]["id"], got[1000]["id"]);
        assert_eq!(pagination(&page)["total"], 1100);
        task(app, "One more", json!({"deadline": ts(NOW + 10 * DAY)})).await;
        let page = app.get(&format!("{TASKS}?per_page=100&page=12")).await.expect(200);
        assert_eq!(pagination(&page)["total"], 1101);
        assert_eq!(page.data().as_array().map(Vec::len), Some(1));
        let r = app.get(&format!("{TASKS}?without_pagination=true")).await.expect(200);
        assert_eq!(pagination(&r)["total"], 1101);

        // An empty match is an empty page with per_page 1.
        let r = app
            .get(&format!("{TASKS}?without_pagination=true&q=nothing-like-this"))
            .await
            .expect(200);
        assert_eq!(r.data(), &json!([]));
        assert_eq!(
            (pagination(&r)["total"].as_i64(), pagination(&r)["per_page"].as_i64()),
            (Some(0), Some(1))
        );
    }
    owned.stop().await;
}
