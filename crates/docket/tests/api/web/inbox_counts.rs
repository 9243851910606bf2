//! The inbox's tab counts: every view's count comes from one statement over the member's tasks
//! (`Store::task_counts`), and the shown list's total from the same remembered count. Each must
//! be what `GET /me/tasks` answers for that view, with and without a search, and move with
//! every write.

use reqwest::Method;
use serde_json::json;

use super::{Browser, cheap, signed_in};
use crate::support::TestApp;

/// The four tab counts of an inbox page, in the order of the tabs.
fn tab_counts(html: &str) -> Vec<i64> {
    html.split("<span class=\"count\">")
        .skip(1)
        .filter_map(|s| s.split('<').next()?.parse().ok())
        .collect()
}

/// Every inbox view (as `b`) shows `counts` for the tabs (due today, overdue, upcoming,
/// completed) with the search `q`, and the API's `me/tasks` totals agree.
async fn expect_counts(app: &TestApp, b: &mut Browser, q: &str, counts: [i64; 4]) {
    for view in ["today", "overdue", "upcoming", "completed"] {
        let page = b.get(&format!("/app/acme?view={view}&q={q}")).await.expect_status(200);
        assert_eq!(tab_counts(&page.text), counts, "view {view}, q={q:?}");
    }
    let api = |status: &str| format!("/organizations/acme/me/tasks?status={status}&q={q}&per_page=1");
    let overdue = app.get(&api("overdue")).await.expect(200);
    assert_eq!(overdue.body["meta"]["pagination"]["total"], counts[1], "q={q:?}");
    let completed = app.get(&api("complete")).await.expect(200);
    assert_eq!(completed.body["meta"]["pagination"]["total"], counts[3], "q={q:?}");
}

on_both!(the_inbox_counts_every_view_as_the_api_does, cheap);
async fn the_inbox_counts_every_view_as_the_api_does(app: &TestApp) {
    app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let mut ids = Vec::new();
    for (title, owner, deadline) in [
        ("Review the contract", 1001, "2020-01-15 10:00:00"),
        ("Review the invoice", 1001, "2099-01-15 10:00:00"),
        ("Plan the launch", 1001, "2099-02-15 10:00:00"),
        ("Review the draft", 1001, "2099-03-15 10:00:00"),
        ("Review for Sam", 1002, "2099-01-15 10:00:00"),
    ] {
        let r = app
            .json(
                Method::POST,
                &app.org_path("/tasks"),
                json!({"title": title, "owners": {"users": [owner]}, "deadline": deadline}),
            )
            .await
            .expect(201);
        ids.push(r.data()["id"].as_str().unwrap().to_string());
    }
    let complete = |id: String| async move {
        app.json(Method::POST, &app.org_path("/completed-tasks"), json!({"task_id": id}))
            .await
            .expect(200);
    };
    complete(ids[3].clone()).await;
    let mut b = signed_in(app).await;
    expect_counts(app, &mut b, "", [0, 1, 2, 1]).await;
    expect_counts(app, &mut b, "review", [0, 1, 1, 1]).await;
    expect_counts(app, &mut b, "REVIEW+THE", [0, 1, 1, 1]).await;
    expect_counts(app, &mut b, "launch", [0, 0, 1, 0]).await;
    expect_counts(app, &mut b, "nothing-like-it", [0, 0, 0, 0]).await;
    // A write moves every count it touches, remembered or not.
    complete(ids[1].clone()).await;
    expect_counts(app, &mut b, "review", [0, 1, 0, 2]).await;
    expect_counts(app, &mut b, "", [0, 1, 1, 2]).await;
    app.json(
        Method::PUT,
        &app.org_path(&format!("/tasks/{}", ids[2])),
        json!({"title": "Review the launch"}),
    )
    .await
    .expect(200);
    expect_counts(app, &mut b, "review", [0, 1, 1, 2]).await;
}
