//! Reads remembered between writes (`docket_store::memo`): token lookups, members, list totals
//! and task reads are reused only while nothing changed, so every write is visible to the very
//! next request.

use reqwest::Method;
use serde_json::json;

use crate::support::TestApp;

on_both!(every_write_is_seen_by_the_next_read);
async fn every_write_is_seen_by_the_next_read(app: &TestApp) {
    let (_, sam) = app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    let r = app
        .json(
            Method::POST,
            "/organizations/acme/tasks",
            json!({"title": "Remembered", "owners": {"users": [1002]}}),
        )
        .await
        .expect(201);
    let id = r.data()["id"].as_str().expect("id").to_string();
    let path = format!("/organizations/acme/tasks/{id}");

    // The same read twice (the second may be remembered), then a write: the next read has it.
    let first = app.get(&path).await.expect(200);
    let again = app.get(&path).await.expect(200);
    assert_eq!(first.text, again.text);
    assert_eq!(first.header("etag"), again.header("etag"));
    app.json(Method::PUT, &path, json!({"title": "Changed"}))
        .await
        .expect(200);
    let after = app.get(&path).await.expect(200);
    assert_eq!(after.data()["title"], "Changed");
    assert_ne!(after.header("etag"), first.header("etag"));
    // A read is remembered per caller: sam sees the task as sam (not completable by the
    // admin's rules), and an include is never served from memory.
    let as_sam = app.send(app.request_as(&sam, Method::GET, &path)).await.expect(200);
    assert_eq!(as_sam.data()["title"], "Changed");
    let with = app.get(&format!("{path}?with=threads_count")).await.expect(200);
    assert_eq!(with.data()["threads_count"], 0);

    // List totals: the same list before and after a create.
    let list = "/organizations/acme/tasks?owners=1002&per_page=1";
    assert_eq!(app.get(list).await.expect(200).body["meta"]["pagination"]["total"], 1);
    assert_eq!(app.get(list).await.expect(200).body["meta"]["pagination"]["total"], 1);
    app.json(
        Method::POST,
        "/organizations/acme/tasks",
        json!({"title": "Another", "owners": {"users": [1002]}}),
    )
    .await
    .expect(201);
    assert_eq!(app.get(list).await.expect(200).body["meta"]["pagination"]["total"], 2);

    // Token lookups: sam's token works, sam is disabled, the next request is refused.
    app.send(app.request_as(&sam, Method::GET, "/organizations/acme/me"))
        .await
        .expect(200);
    app.call(Method::DELETE, "/organizations/acme/users/1002/disable")
        .await
        .expect(200);
    let refused = app
        .send(app.request_as(&sam, Method::GET, "/organizations/acme/me"))
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let refused = app.send(app.request_as(&sam, Method::GET, &path)).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
}
