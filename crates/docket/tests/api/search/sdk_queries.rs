//! The searches the SDK sends.

use super::*;

on_both!(the_sdk_searches);
async fn the_sdk_searches(app: &TestApp) {
    let f = fixture(app).await;
    run_as(app, &app.token, "Quarterly close follow-up", 1002, json!({})).await;
    // search_processes_by_name(org, "quarterly close"): on=process&per_page=20&search=<name>,
    // then an exact case-insensitive name match in process.data.
    let r = app
        .get("/api/organizations/acme/search?on=process&per_page=20&search=quarterly%20close")
        .await
        .expect(200);
    let items = r.body["process"]["data"].as_array().expect("process").clone();
    assert_eq!(items.len(), 2);
    let exact: Vec<&Value> = items
        .iter()
        .filter(|i| {
            i["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case("quarterly close"))
        })
        .collect();
    assert_eq!(exact.len(), 1);
    assert_eq!(exact[0]["id"], f.quarterly_close.as_str());
    assert_eq!(r.body["process"]["meta"]["pagination"]["per_page"], 20);
    // get_tasks_for_process(org, process_name=...): the search, then the run's tasks.
    let id = exact[0]["id"].as_str().expect("id");
    let tasks = app
        .get(&format!("/organizations/acme/runs/{id}/tasks?without_pagination=true"))
        .await
        .expect(200);
    assert_eq!(tasks.data()[0]["title"], "Quarterly close");
    // The Java/Go samples encode spaces as +.
    let r = app
        .get("/organizations/acme/search?on=process&per_page=20&search=Quarterly+Close+follow-up")
        .await
        .expect(200);
    assert_eq!(found(&r, "process"), ["Quarterly close follow-up"]);
    // search(org, q, on='task', page=1, per_page=20, tags=True).
    let r = app
        .get("/organizations/acme/search?on=task&page=1&per_page=20&search=books&tags=true")
        .await
        .expect(200);
    assert_eq!(
        (
            found(&r, "task"),
            r.body["task"]["data"][0]["tags"][0]["title"].as_str()
        ),
        (vec!["Close the books".to_string()], Some("urgent"))
    );
    // search_all(org, q, types=[blueprint, process, task, snippet]).
    let r = app
        .get("/organizations/acme/search?on=blueprint%2Cprocess%2Ctask%2Csnippet&page=1&per_page=20&search=review")
        .await
        .expect(200);
    assert_eq!(
        r.body.as_object().expect("object").keys().collect::<Vec<_>>(),
        ["blueprint", "process", "task", "snippet"]
    );
    assert_eq!(
        (found(&r, "process"), found(&r, "task")),
        (
            vec!["Quarterly review".to_string()],
            vec!["Quarterly review".to_string()]
        )
    );
    // search_templates_by_name: nothing to find.
    let r = app
        .get("/organizations/acme/search?on=blueprint&per_page=20&search=Quarterly")
        .await
        .expect(200);
    assert_eq!(r.body["blueprint"]["data"], json!([]));
    // A search with the SDK's filter_ dict, folded from bracketed keys.
    let r = app.get("/organizations/acme/search?on=process&page=1&per_page=20&search=quarterly&filter%5Btype%5D=field&filter%5Bfield%5D=starter&filter%5Boperation%5D=%3D&filter%5Bvalue%5D=1002").await.expect(200);
    assert_eq!(found(&r, "process"), ["Quarterly review"]);
}
