//! Creates made at once (batched into one transaction on SQLite): each numbered, answered and
//! kept, and one that fails or is refused fails alone.

use super::*;

/// Makes the database refuse a task titled `Boom`, from inside the create's statements.
async fn refuse_the_title_boom(app: &TestApp) {
    match app.backend {
        crate::support::Backend::Sqlite => {
            crate::support::fixtures::exec_sql(
                app,
                "CREATE TRIGGER boom BEFORE INSERT ON tasks WHEN new.title = 'Boom'
                BEGIN SELECT RAISE(ABORT, 'boom'); END",
            )
            .await;
        }
        crate::support::Backend::Postgres => {
            crate::support::fixtures::exec_sql(
                app,
                "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.title = 'Boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$",
            )
            .await;
            crate::support::fixtures::exec_sql(
                app,
                "CREATE TRIGGER boom BEFORE INSERT ON tasks FOR EACH ROW EXECUTE FUNCTION boom()",
            )
            .await;
        }
    }
}

on_both!(a_create_that_fails_in_the_database_leaves_nothing_and_the_next_one_works);
async fn a_create_that_fails_in_the_database_leaves_nothing_and_the_next_one_works(app: &TestApp) {
    seed_members(app).await;
    refuse_the_title_boom(app).await;
    let path = "/organizations/acme/tasks";
    let first = app
        .json(
            Method::POST,
            path,
            json!({"title": "Before", "owners": {"users": [1002]}}),
        )
        .await
        .expect(201);
    for _ in 0..3 {
        let r = app
            .json(
                Method::POST,
                path,
                json!({"title": "Boom", "owners": {"users": [1002]}}),
            )
            .await;
        assert_eq!(r.status, 500, "{}", r.text);
    }
    // The connection is not left inside a transaction, and the failed creates used no number.
    let after = app
        .json(
            Method::POST,
            path,
            json!({"title": "After", "owners": {"users": [1002]}}),
        )
        .await
        .expect(201);
    let n = |r: &crate::support::Resp| r.data()["increment_id"].as_i64().expect("increment_id");
    assert_eq!(n(&after), n(&first) + 1);
    let r = app
        .get("/organizations/acme/tasks?owners=1002&status=all")
        .await
        .expect(200);
    let titles: Vec<&str> = r
        .data()
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|t| t["title"].as_str())
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(titles.contains(&"Before") && titles.contains(&"After"), "{titles:?}");
    // Other writes go on too.
    let id = after.data()["id"].as_str().expect("id");
    app.json(Method::PUT, &format!("{path}/{id}"), json!({"title": "Renamed"}))
        .await
        .expect(200);
}

on_both!(creates_made_at_once_are_each_numbered_answered_and_kept);
async fn creates_made_at_once_are_each_numbered_answered_and_kept(app: &TestApp) {
    seed_members(app).await;
    let path = "/organizations/acme/tasks";
    let first = app
        .json(Method::POST, path, json!({"title": "First"}))
        .await
        .expect(201);
    let n = |r: &crate::support::Resp| r.data()["increment_id"].as_i64().expect("increment_id");
    // Titles whose JSON needs escaping, and every kind of member list, in one burst.
    let titles = [
        "Quote \" and \\ back",
        "Tab\tand\nline",
        "Ünïcødé ✓ 🚀",
        "'; DROP TABLE tasks; --",
        "\u{1}",
    ];
    let bodies: Vec<Value> = (0..40)
        .map(|i| {
            let users = match i % 3 {
                0 => json!([]),
                1 => json!([1002]),
                _ => json!([1005, 1002]),
            };
            json!({"title": format!("{} {i}", titles[i % titles.len()]), "owners": {"users": users},
                   "summary": if i % 2 == 0 { Value::Null } else { json!(format!("Summary {i}")) },
                   "top_secret": i % 4 == 0, "max_assignable": i + 2})
        })
        .collect();
    let created = futures_util::future::join_all(bodies.iter().map(|b| app.json(Method::POST, path, b.clone()))).await;
    let mut numbers = Vec::new();
    for (body, r) in bodies.iter().zip(created) {
        let r = r.expect(201);
        assert_eq!(r.data()["title"], body["title"]);
        numbers.push(n(&r));
        let id = r.data()["id"].as_str().expect("id");
        let read = app.get(&format!("{path}/{id}")).await.expect(200);
        assert_eq!(r.data(), read.data(), "{body}");
        let owners: Vec<i64> = read.data()["owners"]["users"]
            .as_array()
            .expect("users")
            .iter()
            .filter_map(Value::as_i64)
            .collect();
        let wanted: Vec<i64> = body["owners"]["users"]
            .as_array()
            .expect("users")
            .iter()
            .filter_map(Value::as_i64)
            .collect();
        assert_eq!(owners, wanted, "{body}");
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (n(&first) + 1..=n(&first) + 40).collect::<Vec<_>>());
    let next = app.json(Method::POST, path, json!({"title": "Next"})).await.expect(201);
    assert_eq!(n(&next), n(&first) + 41);
    let r = app
        .get("/organizations/acme/tasks?owners=1005&status=all&per_page=100")
        .await
        .expect(200);
    assert_eq!(r.body["meta"]["pagination"]["total"], 13, "{}", r.text);
}

on_both!(a_create_refused_among_many_at_once_fails_alone);
async fn a_create_refused_among_many_at_once_fails_alone(app: &TestApp) {
    seed_members(app).await;
    refuse_the_title_boom(app).await;
    let path = "/organizations/acme/tasks";
    let titles: Vec<String> = (0..30)
        .map(|i| {
            if i % 10 == 3 {
                "Boom".to_string()
            } else {
                format!("Fine {i}")
            }
        })
        .collect();
    let answers = futures_util::future::join_all(
        titles
            .iter()
            .map(|t| app.json(Method::POST, path, json!({"title": t, "owners": {"users": [1002]}}))),
    )
    .await;
    let mut numbers = Vec::new();
    for (title, r) in titles.iter().zip(answers) {
        if title == "Boom" {
            assert_eq!(r.status, 500, "{}", r.text);
        } else {
            numbers.push(r.expect(201).data()["increment_id"].as_i64().expect("increment_id"));
        }
    }
    // The refused creates used no number, and every other one was kept once.
    numbers.sort_unstable();
    let low = numbers[0];
    assert_eq!(numbers, (low..low + 27).collect::<Vec<_>>());
    let r = app
        .get("/organizations/acme/tasks?owners=1002&status=all&per_page=100")
        .await
        .expect(200);
    let mut listed: Vec<String> = r
        .data()
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|t| t["title"].as_str().map(String::from))
        .collect();
    listed.sort();
    let mut fine: Vec<String> = titles.into_iter().filter(|t| t != "Boom").collect();
    fine.sort();
    assert_eq!(listed, fine);
}
