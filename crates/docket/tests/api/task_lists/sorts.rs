//! Every sort with its tie-break by increment id.

use super::*;

on_both!(every_sort_orders_and_breaks_ties_by_increment_id, |c| c.now = Some(NOW));
async fn every_sort_orders_and_breaks_ties_by_increment_id(app: &TestApp) {
    members(app).await;
    let d = |n: i64| json!(ts(NOW + n * DAY));
    let beta = task(app, "beta", json!({"deadline": d(2)})).await; // 1
    let alpha_upper = task(app, "Alpha", json!({"deadline": d(1)})).await; // 2
    let alpha = task(app, "alpha", json!({"deadline": d(1)})).await; // 3
    let gamma = task(app, "Gamma", json!({"deadline": d(3)})).await; // 4
    let delta = task(app, "delta", json!({"deadline": d(0)})).await; // 5
    let (run_id, _) = run_of(app, "Run first", 1002, json!({"deadline": d(5)})).await; // 6, position 1
    let epsilon = id_of(&create(app, "Epsilon", json!({"run_id": run_id, "deadline": d(1)})).await); // 7, position 2
    for (id, created) in [
        (&beta, NOW - 3 * HOUR),
        (&alpha_upper, NOW - HOUR),
        (&alpha, NOW - HOUR),
        (&gamma, NOW - 2 * HOUR),
    ] {
        set_column(app, id, "created_at", created).await;
    }
    for id in [&alpha, &gamma, &delta] {
        set_status(app, id, "completed").await;
    }
    set_column(app, &alpha, "completed_at", NOW - HOUR).await;
    set_column(app, &delta, "completed_at", NOW - HOUR).await;
    set_column(app, &gamma, "completed_at", NOW - 5 * HOUR).await;
    report_problem(app, &beta).await;
    report_problem(app, &epsilon).await;

    let by_deadline = ["delta", "Alpha", "alpha", "Epsilon", "beta", "Gamma", "Run first"];
    for (sort, expected) in [
        ("deadline", by_deadline.to_vec()),
        (
            "-deadline",
            vec!["Run first", "Gamma", "beta", "Alpha", "alpha", "Epsilon", "delta"],
        ),
        (
            "oldest",
            vec!["beta", "Gamma", "Alpha", "alpha", "delta", "Run first", "Epsilon"],
        ),
        (
            "created_at",
            vec!["beta", "Gamma", "Alpha", "alpha", "delta", "Run first", "Epsilon"],
        ),
        (
            "newest",
            vec!["Epsilon", "Run first", "delta", "alpha", "Alpha", "Gamma", "beta"],
        ),
        (
            "-created_at",
            vec!["Epsilon", "Run first", "delta", "alpha", "Alpha", "Gamma", "beta"],
        ),
        (
            "completed_newest",
            vec!["alpha", "delta", "Gamma", "beta", "Alpha", "Run first", "Epsilon"],
        ),
        (
            "problems",
            vec!["Epsilon", "beta", "delta", "Alpha", "alpha", "Gamma", "Run first"],
        ),
        (
            "position",
            vec!["beta", "Alpha", "alpha", "Gamma", "delta", "Run first", "Epsilon"],
        ),
        (
            "-position",
            vec!["Epsilon", "beta", "Alpha", "alpha", "Gamma", "delta", "Run first"],
        ),
        (
            "title",
            vec!["Alpha", "alpha", "beta", "delta", "Epsilon", "Gamma", "Run first"],
        ),
        (
            "-title",
            vec!["Run first", "Gamma", "Epsilon", "delta", "beta", "Alpha", "alpha"],
        ),
    ] {
        assert_eq!(
            list(app, &format!("{TASKS}?sort={sort}")).await,
            expected,
            "sort={sort}"
        );
        assert_eq!(
            list(app, &format!("{TASKS}?sort_by={sort}")).await,
            expected,
            "sort_by={sort}"
        );
        // Pages cut the same order.
        let r = app
            .get(&format!("{TASKS}?sort={sort}&per_page=3&page=2"))
            .await
            .expect(200);
        assert_eq!(titles(&r), expected[3..6].to_vec(), "page 2 of sort={sort}");
    }
    assert_eq!(list(app, TASKS).await, by_deadline, "deadline is the default");
    assert_eq!(
        list(app, &format!("{TASKS}?sort=title&sort_by=-title")).await[0],
        "Alpha",
        "sort wins over sort_by"
    );
    assert_eq!(list(app, &format!("{TASKS}?sort=")).await, by_deadline);
    // The assigned lists sort the same way.
    let r = app
        .get("/organizations/acme/users/1002/tasks?sort=-position&status=all")
        .await
        .expect(200);
    assert_eq!(titles(&r), ["Run first"]);
    assert_eq!(
        app.get(&format!("{TASKS}?sort=sideways")).await.expect_invalid("sort"),
        "The selected sort is invalid."
    );
    assert_eq!(
        app.get(&format!("{TASKS}?sort_by=Title"))
            .await
            .expect_invalid("sort_by"),
        "The selected sort by is invalid."
    );
}
