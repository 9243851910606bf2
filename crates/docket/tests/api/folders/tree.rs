//! The folder tree: positions among siblings, moves, nested `children`, the list's parameters,
//! and deleting a folder with everything below it.

use reqwest::Method;
use serde_json::json;

use super::{create, expect, file, folder_path, id_of, items, names};
use crate::support::TestApp;
use crate::support::fixtures::{count_rows, exec_sql, run_with_task, seed_members};

/// Top: A(1) [A1(1) [A1a(1)], A2(2)], B(2), C(3). Returns the ids (a, a1, a1a, a2, b, c).
async fn tree(app: &TestApp) -> (String, String, String, String, String, String) {
    let a = id_of(&create(app, "Alpha", None).await);
    let b = id_of(&create(app, "bravo", None).await);
    let c = id_of(&create(app, "Charlie", None).await);
    let a1 = id_of(&create(app, "Alpha one", Some(&a)).await);
    let a2 = id_of(&create(app, "Alpha two", Some(&a)).await);
    let a1a = id_of(&create(app, "Deep", Some(&a1)).await);
    (a, a1, a1a, a2, b, c)
}

on_both!(the_list_shows_one_level_nests_children_and_searches_every_depth);
async fn the_list_shows_one_level_nests_children_and_searches_every_depth(app: &TestApp) {
    let (a, a1, a1a, _a2, _b, _c) = tree(app).await;
    let list = |q: &str| {
        let path = format!("/organizations/acme/folders{q}");
        async move { app.get(&path).await }
    };

    // Without parameters: the top level by position.
    let r = list("").await.expect(200);
    assert_eq!(names(&r), expect(&[("Alpha", 1), ("bravo", 2), ("Charlie", 3)]));
    assert!(r.data()[0].get("children").is_none(), "children only when asked for");
    assert_eq!(r.body["meta"]["pagination"]["total"], 3);
    // The children of one folder.
    let r = list(&format!("?parent_id={a}")).await.expect(200);
    assert_eq!(names(&r), expect(&[("Alpha one", 1), ("Alpha two", 2)]));
    assert_eq!(r.data()[0]["parent_id"], a.as_str());
    assert_eq!(names(&list("?parent_id=nope").await.expect(200)), vec![]);

    // with=children nests every level, wrapped.
    let r = list("?with=children").await.expect(200);
    let alpha = &r.data()[0];
    assert_eq!(
        items(&alpha["children"]["data"]),
        expect(&[("Alpha one", 1), ("Alpha two", 2)])
    );
    let one = &alpha["children"]["data"][0];
    assert_eq!(items(&one["children"]["data"]), expect(&[("Deep", 1)]));
    assert_eq!(one["children"]["data"][0]["children"], json!({"data": []}));
    assert_eq!(r.data()[1]["children"], json!({"data": []}));
    // The same on F3.
    let r = app
        .get(&format!("{}?with=children", folder_path(app, &a1)))
        .await
        .expect(200);
    assert_eq!(r.data()["children"]["data"][0]["id"], a1a.as_str());

    // q: name contains, ignoring case, at every depth, flat.
    let r = list("?q=ALPHA").await.expect(200);
    assert_eq!(names(&r), expect(&[("Alpha", 1), ("Alpha one", 1), ("Alpha two", 2)]));
    assert_eq!(names(&list("?q=eep").await.expect(200)), expect(&[("Deep", 1)]));
    assert_eq!(names(&list("?q=%25").await.expect(200)), vec![], "% is literal");

    // sort.
    let r = list("?sort=-name").await.expect(200);
    assert_eq!(names(&r), expect(&[("Charlie", 3), ("bravo", 2), ("Alpha", 1)]));
    let r = list("?sort=name").await.expect(200);
    assert_eq!(names(&r), expect(&[("Alpha", 1), ("bravo", 2), ("Charlie", 3)]));
    let r = list("?sort=-created_at").await.expect(200);
    assert_eq!(r.data().as_array().unwrap().len(), 3);
    let r = list("?sort=-position").await.expect(200);
    assert_eq!(names(&r)[0].0, "Charlie");

    // folder_type filters; it is only a label.
    let runs = app
        .json(
            Method::POST,
            "/organizations/acme/folders",
            json!({"name": "Runs", "folder_type": "run"}),
        )
        .await
        .expect(201);
    let r = list("?folder_type=run").await.expect(200);
    assert_eq!(names(&r), expect(&[("Runs", 4)]));
    assert_eq!(r.data()[0]["id"], runs.data()["id"]);
    assert_eq!(
        list("?folder_type=checklist")
            .await
            .expect(200)
            .data()
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // Pages of 10 by default; pagination=false (what the SDK sends) and without_pagination
    // give everything.
    for i in 0..9 {
        create(app, &format!("Extra {i}"), None).await;
    }
    let r = list("").await.expect(200);
    assert_eq!(r.data().as_array().unwrap().len(), 10);
    assert_eq!(
        (
            r.body["meta"]["pagination"]["total"].as_i64(),
            r.body["meta"]["pagination"]["per_page"].as_i64(),
            r.body["meta"]["pagination"]["total_pages"].as_i64()
        ),
        (Some(13), Some(10), Some(2))
    );
    assert_eq!(list("?page=2").await.expect(200).data().as_array().unwrap().len(), 3);
    assert_eq!(
        list("?per_page=5&page=3")
            .await
            .expect(200)
            .data()
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let r = list("?pagination=false&sort=position&with=children&folder_type=checklist")
        .await
        .expect(200);
    assert_eq!(r.data().as_array().unwrap().len(), 12);
    assert_eq!(r.body["meta"]["pagination"]["total_pages"], 1);
    assert_eq!(
        list("?without_pagination=true")
            .await
            .expect(200)
            .data()
            .as_array()
            .unwrap()
            .len(),
        13
    );
    assert_eq!(
        list("?pagination=true")
            .await
            .expect(200)
            .data()
            .as_array()
            .unwrap()
            .len(),
        10
    );
}

on_both!(folders_move_and_reorder_among_their_siblings_without_gaps);
async fn folders_move_and_reorder_among_their_siblings_without_gaps(app: &TestApp) {
    let (a, a1, a1a, a2, b, c) = tree(app).await;
    let put = |id: &str, body| {
        let path = folder_path(app, id);
        async move { app.json(Method::PUT, &path, body).await }
    };
    let level =
        |q: String| async move { names(&app.get(&format!("/organizations/acme/folders{q}")).await.expect(200)) };

    // Reorder at the top: Charlie first, the rest follow, numbered 1..3.
    let r = put(&c, json!({"name": "Charlie", "position": 1})).await.expect(200);
    assert_eq!(r.data()["position"], 1);
    assert_eq!(
        level(String::new()).await,
        expect(&[("Charlie", 1), ("Alpha", 2), ("bravo", 3)])
    );
    // A position past the end appends.
    put(&c, json!({"name": "Charlie", "position": 99})).await.expect(200);
    assert_eq!(
        level(String::new()).await,
        expect(&[("Alpha", 1), ("bravo", 2), ("Charlie", 3)])
    );

    // Move B into A: appended there; the top closes the gap.
    let r = put(&b, json!({"name": "bravo", "parent_id": a})).await.expect(200);
    assert_eq!(
        (r.data()["parent_id"].as_str(), r.data()["position"].as_i64()),
        (Some(a.as_str()), Some(3))
    );
    assert_eq!(level(String::new()).await, expect(&[("Alpha", 1), ("Charlie", 2)]));
    // Move A2 under A1 at position 1.
    put(&a2, json!({"name": "Alpha two", "parent_id": a1, "position": 1}))
        .await
        .expect(200);
    assert_eq!(
        level(format!("?parent_id={a1}")).await,
        expect(&[("Alpha two", 1), ("Deep", 2)])
    );
    assert_eq!(
        level(format!("?parent_id={a}")).await,
        expect(&[("Alpha one", 1), ("bravo", 2)])
    );
    // null moves to the top (appended).
    let r = put(&a1a, json!({"name": "Deep", "parent_id": null})).await.expect(200);
    assert!(r.data()["parent_id"].is_null());
    assert_eq!(
        level(String::new()).await,
        expect(&[("Alpha", 1), ("Charlie", 2), ("Deep", 3)])
    );
    assert_eq!(level(format!("?parent_id={a1}")).await, expect(&[("Alpha two", 1)]));

    // Never into itself or below itself.
    for target in [&a, &a1, &a2] {
        let r = put(&a, json!({"name": "Alpha", "parent_id": target})).await;
        assert_eq!(
            r.expect_invalid("parent_id"),
            "A folder cannot be moved into itself or one of its sub-folders."
        );
    }
    assert!(app.get(&folder_path(app, &a)).await.expect(200).data()["parent_id"].is_null());
    // Any folder outside its own subtree may take it.
    put(&c, json!({"name": "Charlie", "parent_id": a2})).await.expect(200);
    assert_eq!(level(format!("?parent_id={a2}")).await, expect(&[("Charlie", 1)]));
}

on_both!(deleting_a_folder_removes_its_subtree_and_what_was_filed_there);
async fn deleting_a_folder_removes_its_subtree_and_what_was_filed_there(app: &TestApp) {
    seed_members(app).await;
    let (a, a1, a1a, a2, b, _c) = tree(app).await;
    let (run, task) = run_with_task(app, "Filed").await;
    file(app, &a1a, "Run", &run).await.expect(201);
    file(app, &a2, "Task", &task).await.expect(201);
    file(app, &b, "Run", &run).await.expect(201);
    // Templates filed in the subtree, by `folder_id` and by `default_folder`.
    for (id, inc, folder, default) in [
        ("c1000000000000000000000000000001", 1, a1.as_str(), b.as_str()),
        ("c1000000000000000000000000000002", 2, b.as_str(), a1a.as_str()),
    ] {
        exec_sql(
            app,
            &format!(
                "INSERT INTO checklists (id, org_id, increment_id, title, alias, folder_id, default_folder,
                                         owner_id, created_by, created_at, last_updated)
                 VALUES ('{id}', 'acme', {inc}, 'T{inc}', 't{inc}', '{folder}', '{default}', 1001, 1001, 1, 1)"
            ),
        )
        .await;
    }
    let r = app.get(&folder_path(app, &b)).await.expect(200);
    assert_eq!(r.data()["total"], 2, "one template plus one folder object");

    app.call(Method::DELETE, &folder_path(app, &a)).await.expect(204);
    for gone in [&a, &a1, &a1a, &a2] {
        app.get(&folder_path(app, gone)).await.expect(404);
    }
    let r = app.get("/organizations/acme/folders").await.expect(200);
    assert_eq!(names(&r), expect(&[("bravo", 1), ("Charlie", 2)]));
    let objects = "SELECT COUNT(*) FROM folder_objects WHERE folder_id <> $1";
    assert_eq!(count_rows(app, objects, &b).await, 0, "the subtree's objects went");
    assert_eq!(
        count_rows(app, "SELECT COUNT(*) FROM folder_objects WHERE folder_id = $1", &b).await,
        1
    );
    // The templates stay, unfiled from the removed folders only.
    let filed = "SELECT COUNT(*) FROM checklists WHERE folder_id IS NULL AND id = $1";
    assert_eq!(count_rows(app, filed, "c1000000000000000000000000000001").await, 1);
    assert_eq!(count_rows(app, filed, "c1000000000000000000000000000002").await, 0);
    let default = "SELECT COUNT(*) FROM checklists WHERE default_folder IS NULL AND id = $1";
    assert_eq!(count_rows(app, default, "c1000000000000000000000000000001").await, 0);
    assert_eq!(count_rows(app, default, "c1000000000000000000000000000002").await, 1);
    assert_eq!(app.get(&folder_path(app, &b)).await.expect(200).data()["total"], 2);
}

on_both!(two_crossing_moves_at_once_never_make_a_cycle);
async fn two_crossing_moves_at_once_never_make_a_cycle(app: &TestApp) {
    for round in 0..5 {
        let a = id_of(&create(app, &format!("A{round}"), None).await);
        let b = id_of(&create(app, &format!("B{round}"), None).await);
        let (pa, pb) = (folder_path(app, &a), folder_path(app, &b));
        let (ra, rb) = tokio::join!(
            app.json(Method::PUT, &pa, json!({"name": "A", "parent_id": b})),
            app.json(Method::PUT, &pb, json!({"name": "B", "parent_id": a})),
        );
        let mut statuses = [ra.status, rb.status];
        statuses.sort();
        assert_eq!(statuses, [200, 422], "round {round}: {} / {}", ra.text, rb.text);
        // Exactly one is inside the other.
        let fa = app.get(&pa).await.expect(200);
        let fb = app.get(&pb).await.expect(200);
        let inside = [fa.data()["parent_id"].is_string(), fb.data()["parent_id"].is_string()];
        assert!(
            inside == [true, false] || inside == [false, true],
            "round {round}: {inside:?}"
        );
    }
    // The top level stays numbered without gaps.
    let r = app
        .get("/organizations/acme/folders?pagination=false")
        .await
        .expect(200);
    let positions: Vec<i64> = names(&r).iter().map(|(_, p)| *p).collect();
    assert_eq!(positions, (1..=5).collect::<Vec<i64>>());
}
