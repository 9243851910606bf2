//! Each parameter alone and combined, the task-based filters under top-secret visibility, and
//! `delayed` against a fixed clock.

use super::*;

on_both!(each_parameter_alone_narrows_the_list);
async fn each_parameter_alone_narrows_the_list(app: &TestApp) {
    let f = fixture(app).await;
    // Defaults: archived excluded, newest first.
    assert_eq!(list(app, "").await, ALL);
    let r = app.get("/api/organizations/acme/runs").await.expect(200);
    assert_eq!(names(&r), ALL);
    let d = &r.data()[4];
    assert_eq!(
        (d["id"].as_str(), d["type"].as_str(), d["checklist_title"].as_str()),
        (Some(f.alpha.as_str()), Some("procedure"), Some("MISC"))
    );
    assert!(d.get("tags").is_none() && d.get("tasks").is_none() && d.get("form_fields_values").is_none());

    // q: name contains, ignoring case; wildcards are literal.
    assert_eq!(list(app, "q=AUDIT").await, ["Beta audit"]);
    assert_eq!(list(app, "q=a").await, ALL);
    assert_eq!(list(app, "q=%25").await, Vec::<String>::new());
    assert_eq!(list(app, "q=_").await, Vec::<String>::new());
    assert_eq!(list(app, "q=").await, ALL);

    // status: each word, aliases, OR-ed lists.
    assert_eq!(
        list(app, "status=active").await,
        ["Zeta late", "delta plan", "Gamma review", "Alpha close"]
    );
    assert_eq!(list(app, "status=complete").await, ["Beta audit"]);
    assert_eq!(list(app, "status=completed").await, ["Beta audit"]);
    assert_eq!(list(app, "status=problem").await, ["Gamma review"]);
    assert_eq!(list(app, "status=issue").await, ["Gamma review"]);
    assert_eq!(list(app, "status=improvement").await, ["delta plan"]);
    assert_eq!(list(app, "status=delayed").await, ["Zeta late"]);
    assert_eq!(list(app, "status=archived").await, ["Epsilon archive"]);
    assert_eq!(list(app, "status=starred").await, ["Alpha close"]);
    assert_eq!(
        list(app, "status=Problem,%20starred,").await,
        ["Gamma review", "Alpha close"]
    );
    assert_eq!(
        list(app, "status=complete,archived").await,
        ["Epsilon archive", "Beta audit"]
    );

    // task_status.
    assert_eq!(list(app, "task_status=all").await, ALL);
    assert_eq!(
        list(app, "task_status=in-progress").await,
        ["Zeta late", "delta plan", "Gamma review", "Alpha close"]
    );
    assert_eq!(list(app, "task_status=completed").await, ["Beta audit"]);

    // owners: the run owner, or an assignee directly or through a group.
    assert_eq!(
        list(app, "owners=1002").await,
        ["Zeta late", "Gamma review", "Alpha close"]
    );
    assert_eq!(
        list(app, "owners=1005").await,
        ["delta plan", "Gamma review", "Beta audit"]
    );
    assert_eq!(
        list(app, "owners=1001").await,
        ["Zeta late", "Gamma review", "Beta audit", "Alpha close"]
    );
    assert_eq!(list(app, "owners=1007,4242").await, ["delta plan", "Beta audit"]);
    assert_eq!(list(app, "owners=4242").await, Vec::<String>::new());

    // groups: assigned to a task, or in the run's groups.
    assert_eq!(list(app, &format!("groups={}", f.g1)).await, ["Gamma review"]);
    assert_eq!(list(app, &format!("groups={}", f.g2)).await, ["delta plan"]);
    assert_eq!(
        list(app, &format!("groups={},{}", f.g1, f.g2)).await,
        ["delta plan", "Gamma review"]
    );
    assert_eq!(
        list(app, "groups=0123456789abcdef0123456789abcdef").await,
        Vec::<String>::new()
    );
    assert_eq!(list(app, "groups=%25").await, Vec::<String>::new());

    // checklist_id / blueprint_id: every run comes from the MISC template.
    assert_eq!(list(app, &format!("checklist_id={}", f.misc)).await, ALL);
    assert_eq!(list(app, &format!("blueprint_id={}", f.misc)).await, ALL);
    assert_eq!(
        list(app, "checklist_id=0123456789abcdef0123456789abcdef").await,
        Vec::<String>::new()
    );
    assert_eq!(list(app, "blueprint_id=nope").await, Vec::<String>::new());

    // folder: an unknown folder holds no run.
    assert_eq!(
        list(app, "folder=0123456789abcdef0123456789abcdef").await,
        Vec::<String>::new()
    );
    assert_eq!(list(app, "folder=").await, ALL);

    // tag (id or title, ignoring case), tag_ids (any), untagged.
    assert_eq!(list(app, &format!("tag={}", f.finance)).await, ["Alpha close"]);
    assert_eq!(list(app, "tag=FINANCE").await, ["Alpha close"]);
    assert_eq!(list(app, "tag=nothing").await, Vec::<String>::new());
    assert_eq!(
        list(app, &format!("tag_ids={},{}", f.finance, f.ops)).await,
        ["Beta audit", "Alpha close"]
    );
    assert_eq!(list(app, &format!("tag_ids={}", f.ops)).await, ["Beta audit"]);
    assert_eq!(list(app, "tag_ids=finance").await, Vec::<String>::new());
    assert_eq!(
        list(app, "untagged=true").await,
        ["Zeta late", "delta plan", "Gamma review"]
    );
    assert_eq!(list(app, "untagged=0").await, ALL);

    // starred.
    assert_eq!(list(app, "starred=true").await, ["Alpha close"]);
    assert_eq!(
        list(app, "starred=no").await,
        ["Zeta late", "delta plan", "Gamma review", "Beta audit"]
    );

    // type: every docket run is a procedure.
    assert_eq!(list(app, "type=procedure").await, ALL);
    assert_eq!(list(app, "type=form").await, Vec::<String>::new());
    assert_eq!(list(app, "type=document").await, Vec::<String>::new());

    // archived.
    assert_eq!(list(app, "archived=true").await.len(), 6);
    assert_eq!(list(app, "archived=only").await, ["Epsilon archive"]);
    assert_eq!(list(app, "archived=false").await, ALL);
    assert_eq!(list(app, "archived=only&status=archived").await, ["Epsilon archive"]);
    assert_eq!(list(app, "archived=false&status=archived").await, Vec::<String>::new());

    // A run that carries a delayed task also shows it.
    let z = app.get("/organizations/acme/runs?status=delayed").await.expect(200);
    assert_eq!(
        (
            z.data()[0]["id"].as_str(),
            z.data()[0]["late_tasks"].as_i64(),
            z.data()[0]["due_date_passed"].as_bool()
        ),
        (Some(f.zeta.as_str()), Some(1), Some(true))
    );
}

on_both!(parameters_combine_with_and);
async fn parameters_combine_with_and(app: &TestApp) {
    let f = fixture(app).await;
    assert_eq!(
        list(app, "status=active&owners=1002&untagged=true").await,
        ["Zeta late", "Gamma review"]
    );
    assert_eq!(
        list(app, "tag=finance&starred=true&task_status=in-progress").await,
        ["Alpha close"]
    );
    assert_eq!(list(app, "tag=finance&starred=false").await, Vec::<String>::new());
    assert_eq!(
        list(app, "archived=true&status=archived,complete&sort=name").await,
        ["Beta audit", "Epsilon archive"]
    );
    assert_eq!(
        list(app, "archived=true&owners=1002&q=e").await,
        ["Zeta late", "Epsilon archive", "Gamma review", "Alpha close"]
    );
    assert_eq!(list(app, "archived=only&owners=1002&q=e").await, ["Epsilon archive"]);
    assert_eq!(
        list(app, &format!("groups={},{}&status=problem", f.g1, f.g2)).await,
        ["Gamma review"]
    );
    assert_eq!(
        list(
            app,
            &format!(
                "groups={}&owners=1005&status=improvement&type=procedure&checklist_id={}",
                f.g2, f.misc
            )
        )
        .await,
        ["delta plan"]
    );
    assert_eq!(
        list(app, "status=delayed,complete&task_status=completed").await,
        ["Beta audit"]
    );
    assert_eq!(list(app, "status=active&q=close&sort=-name").await, ["Alpha close"]);
    assert_eq!(list(app, "status=active&folder=x").await, Vec::<String>::new());
    assert_eq!(
        list(app, &format!("tag_ids={},{}&untagged=true", f.finance, f.ops)).await,
        Vec::<String>::new()
    );
}

on_both!(task_based_filters_respect_top_secret_visibility);
async fn task_based_filters_respect_top_secret_visibility(app: &TestApp) {
    let f = fixture(app).await;
    let (_, secret_task) = fan_out(app, "Secret plan", &[1007], json!({"top_secret": true})).await;
    app.json(
        Method::POST,
        &format!("/organizations/acme/tasks/{secret_task}/comment"),
        json!({"content": "Idea", "label": "improvement"}),
    )
    .await
    .expect(201);
    // Every member sees every run.
    assert_eq!(list_as(app, &f.ann, "").await.len(), 6);
    // The admin sees the secret task's assignee and comment; ann does not.
    assert_eq!(
        list(app, "owners=1007").await,
        ["Secret plan", "delta plan", "Beta audit"]
    );
    assert_eq!(list_as(app, &f.ann, "owners=1007").await, ["delta plan", "Beta audit"]);
    assert_eq!(list(app, "status=improvement").await, ["Secret plan", "delta plan"]);
    assert_eq!(list_as(app, &f.ann, "status=improvement").await, ["delta plan"]);
    // ann reaches the group task of Gamma review through G1.
    assert_eq!(
        list_as(app, &f.ann, &format!("groups={}", f.g1)).await,
        ["Gamma review"]
    );
    // The secret run's tasks are left out of ann's includes.
    let r = app
        .send(app.request_as(&f.ann, Method::GET, "/organizations/acme/runs?q=secret&with=tasks"))
        .await
        .expect(200);
    assert_eq!(r.data()[0]["tasks"]["data"], json!([]));
    // Another organization's runs never appear.
    let beta = app.add_org("beta", 2001).await;
    let r = app
        .send(app.request_as(&beta, Method::GET, "/organizations/beta/runs"))
        .await
        .expect(200);
    assert_eq!(names(&r), Vec::<String>::new());
    app.send(app.request_as(&beta, Method::GET, "/organizations/acme/runs"))
        .await
        .expect(403);
    app.get("/organizations/nowhere/runs").await.expect(404);
}

/// 2030-01-01T00:00:00Z.
const NOW: i64 = 1_893_456_000_000;

on_both!(delayed_follows_the_clock, backend);
/// `delayed` against a fixed clock: late tasks, or a passed due date on a run that is not
/// complete.
async fn delayed_follows_the_clock(backend: Backend) {
    let owned = TestApp::spawn_with(backend, |c| c.now = Some(NOW)).await;
    let app = &owned;
    app.add_member("acme", 1002, "sam@acme.test", "standard").await;
    // One second past its deadline.
    fan_out(app, "Late", &[1002], json!({"deadline": "2029-12-31T23:59:59Z"})).await;
    // Due exactly now: not late yet.
    fan_out(app, "Due now", &[1002], json!({"deadline": "2030-01-01T00:00:00Z"})).await;
    // Complete with a past deadline: not delayed.
    let (done, done_task) = fan_out(app, "Done late", &[1002], json!({"deadline": "2029-06-01T00:00:00Z"})).await;
    app.json(
        Method::POST,
        &format!("/organizations/acme/runs/{done}/completed-tasks"),
        json!({"task_id": done_task}),
    )
    .await
    .expect(200);
    // Completed, past its due date, then a problem: no late task, but due_date_passed.
    let (stuck, stuck_task) = fan_out(app, "Stuck", &[1002], json!({"deadline": "2029-06-01T00:00:00Z"})).await;
    app.json(
        Method::POST,
        &format!("/organizations/acme/runs/{stuck}/completed-tasks"),
        json!({"task_id": stuck_task}),
    )
    .await
    .expect(200);
    app.json(
        Method::POST,
        &format!("/organizations/acme/tasks/{stuck_task}/problem"),
        json!({"content": "Wrong numbers"}),
    )
    .await
    .expect(201);
    // A late task among future ones.
    let (mixed, _) = fan_out(app, "Mixed", &[1002], json!({"deadline": "2031-01-01T00:00:00Z"})).await;
    app.json(
        Method::POST,
        "/organizations/acme/tasks",
        json!({"title": "Old step", "run_id": mixed, "deadline": "2029-01-01T00:00:00Z"}),
    )
    .await
    .expect(201);

    let r = app
        .get("/organizations/acme/runs?status=delayed&with=tasks")
        .await
        .expect(200);
    assert_eq!(names(&r), ["Mixed", "Stuck", "Late"]);
    let facts: Vec<(i64, bool)> = r
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["late_tasks"].as_i64().unwrap(),
                x["due_date_passed"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(facts, [(1, false), (0, true), (1, true)]);
    assert_eq!(list(app, "status=complete").await, ["Done late"]);
    assert_eq!(
        list(app, "status=delayed,complete").await,
        ["Mixed", "Stuck", "Done late", "Late"]
    );
    assert_eq!(
        list(app, "status=active&task_status=in-progress").await,
        ["Mixed", "Due now", "Late"]
    );
    owned.stop().await;
}
