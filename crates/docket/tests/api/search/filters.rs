//! The structured filter: each operation alone, groups and nested groups, and the 422s of bad
//! filters and parameters.

use super::*;

on_both!(a_single_filter_condition_with_each_operation);
async fn a_single_filter_condition_with_each_operation(app: &TestApp) {
    fixture(app).await;
    let all = ["Secret close", "Annual close", "Quarterly review", "Quarterly close"];
    assert_eq!(processes(app, &[]).await, all);
    let cond = |field: &'static str, op: &'static str, value: &'static str| {
        [
            ("filter[type]", "field"),
            ("filter[field]", field),
            ("filter[operation]", op),
            ("filter[value]", value),
        ]
    };
    // title: case-insensitive, every operation.
    assert_eq!(
        processes(app, &cond("title", "=", "QUARTERLY close")).await,
        ["Quarterly close"]
    );
    assert_eq!(
        processes(app, &cond("title", "<>", "quarterly close")).await,
        ["Secret close", "Annual close", "Quarterly review"]
    );
    assert_eq!(
        processes(app, &cond("title", "!=", "Quarterly Close")).await,
        ["Secret close", "Annual close", "Quarterly review"]
    );
    assert_eq!(processes(app, &cond("title", "<", "B")).await, ["Annual close"]);
    assert_eq!(
        processes(app, &cond("title", ">", "quarterly close")).await,
        ["Secret close", "Quarterly review"]
    );
    assert_eq!(
        processes(app, &cond("title", "<=", "Quarterly Close")).await,
        ["Annual close", "Quarterly close"]
    );
    assert_eq!(
        processes(app, &cond("title", ">=", "secret close")).await,
        ["Secret close"]
    );
    // description (the run summary; none compares as empty text).
    assert_eq!(
        processes(app, &cond("description", "=", "year END books")).await,
        ["Quarterly close"]
    );
    assert_eq!(
        processes(app, &cond("description", "<>", "year end books")).await,
        ["Secret close", "Annual close", "Quarterly review"]
    );
    assert_eq!(
        processes(app, &cond("description", "=", "")).await,
        ["Secret close", "Annual close"]
    );
    assert_eq!(
        processes(app, &cond("description", ">", "o")).await,
        ["Quarterly close"]
    );
    // starter.
    assert_eq!(
        processes(app, &cond("starter", "=", "1002")).await,
        ["Annual close", "Quarterly review"]
    );
    assert_eq!(
        processes(app, &cond("starter", "!=", "1002")).await,
        ["Secret close", "Quarterly close"]
    );
    assert_eq!(
        processes(app, &cond("starter", "<", "1002")).await,
        ["Secret close", "Quarterly close"]
    );
    assert_eq!(
        processes(app, &cond("starter", ">", "1001")).await,
        ["Annual close", "Quarterly review"]
    );
    assert_eq!(
        processes(app, &cond("starter", "<=", "1001")).await,
        ["Secret close", "Quarterly close"]
    );
    assert_eq!(
        processes(app, &cond("starter", ">=", "1003")).await,
        Vec::<String>::new()
    );
    // date: the UTC day of created_at.
    assert_eq!(
        processes(app, &cond("date", "=", "2030-01-02")).await,
        ["Quarterly review"]
    );
    assert_eq!(
        processes(app, &cond("date", "<>", "2030-01-02")).await,
        ["Secret close", "Annual close", "Quarterly close"]
    );
    assert_eq!(
        processes(app, &cond("date", "<", "2030-01-02")).await,
        ["Quarterly close"]
    );
    assert_eq!(
        processes(app, &cond("date", "<=", "2030-01-02")).await,
        ["Quarterly review", "Quarterly close"]
    );
    assert_eq!(
        processes(app, &cond("date", ">", "2030-01-02")).await,
        ["Secret close", "Annual close"]
    );
    assert_eq!(
        processes(app, &cond("date", ">=", "2030-01-02")).await,
        ["Secret close", "Annual close", "Quarterly review"]
    );
    // type and operation default to field and =; field names ignore case.
    assert_eq!(
        processes(app, &[("filter[field]", "Title"), ("filter[value]", "annual close")]).await,
        ["Annual close"]
    );
    // The filter narrows the text search, never widens it.
    let r = search(
        app,
        &[
            ("search", "review"),
            ("filter[field]", "title"),
            ("filter[value]", "annual close"),
        ],
    )
    .await
    .expect(200);
    assert_eq!(found(&r, "process"), Vec::<String>::new());
    // Task fields: title and starter.
    let r = search(
        app,
        &[
            ("search", "e"),
            ("on", "task"),
            ("filter[field]", "starter"),
            ("filter[value]", "1002"),
        ],
    )
    .await
    .expect(200);
    assert_eq!(found(&r, "task"), ["Annual close", "Quarterly review"]);
    let r = search(
        app,
        &[
            ("search", "close"),
            ("on", "task"),
            ("filter[field]", "title"),
            ("filter[operation]", ">="),
            ("filter[value]", "Quarterly"),
        ],
    )
    .await
    .expect(200);
    assert_eq!(found(&r, "task"), ["Secret close", "Quarterly close"]);
    // One filter applied to both buckets; pagination counts the filtered items.
    let r = search(
        app,
        &[
            ("search", "close"),
            ("on", "process,task"),
            ("filter[field]", "starter"),
            ("filter[operation]", "<>"),
            ("filter[value]", "1002"),
        ],
    )
    .await
    .expect(200);
    assert_eq!(found(&r, "process"), ["Secret close", "Quarterly close"]);
    assert_eq!(
        found(&r, "task"),
        ["Close the books", "Secret close", "Quarterly close"]
    );
    assert_eq!(
        (
            r.body["process"]["meta"]["pagination"]["total"].as_i64(),
            r.body["task"]["meta"]["pagination"]["total"].as_i64()
        ),
        (Some(2), Some(3))
    );
}

on_both!(filter_groups_and_nested_groups);
async fn filter_groups_and_nested_groups(app: &TestApp) {
    fixture(app).await;
    // OR of two conditions.
    let or = [
        ("filter[0][type]", "boolean"),
        ("filter[0][value]", "OR"),
        ("filter[1][type]", "field"),
        ("filter[1][field]", "title"),
        ("filter[1][operation]", "="),
        ("filter[1][value]", "annual close"),
        ("filter[2][type]", "field"),
        ("filter[2][field]", "title"),
        ("filter[2][operation]", "="),
        ("filter[2][value]", "quarterly review"),
    ];
    assert_eq!(processes(app, &or).await, ["Annual close", "Quarterly review"]);
    // AND of two conditions (lower-case words are accepted).
    let and = [
        ("filter[0][type]", "boolean"),
        ("filter[0][value]", "and"),
        ("filter[1][field]", "starter"),
        ("filter[1][value]", "1002"),
        ("filter[2][field]", "date"),
        ("filter[2][operation]", ">="),
        ("filter[2][value]", "2030-01-03"),
    ];
    assert_eq!(processes(app, &and).await, ["Annual close"]);
    // A group of one.
    let one = [
        ("filter[0][type]", "boolean"),
        ("filter[0][value]", "AND"),
        ("filter[1][field]", "title"),
        ("filter[1][operation]", "!="),
        ("filter[1][value]", "secret close"),
    ];
    assert_eq!(
        processes(app, &one).await,
        ["Annual close", "Quarterly review", "Quarterly close"]
    );
    // OR(title = secret close, AND(starter = 1002, date = 2030-01-02)).
    let nested = [
        ("filter[0][type]", "boolean"),
        ("filter[0][value]", "OR"),
        ("filter[1][field]", "title"),
        ("filter[1][value]", "secret close"),
        ("filter[2][0][type]", "boolean"),
        ("filter[2][0][value]", "AND"),
        ("filter[2][1][field]", "starter"),
        ("filter[2][1][operation]", "="),
        ("filter[2][1][value]", "1002"),
        ("filter[2][2][field]", "date"),
        ("filter[2][2][operation]", "="),
        ("filter[2][2][value]", "2030-01-02"),
    ];
    assert_eq!(processes(app, &nested).await, ["Secret close", "Quarterly review"]);
    // AND(description <> "", OR(date < 2030-01-02, AND(starter >= 1002, title > "q"))).
    let deep = [
        ("filter[0][type]", "boolean"),
        ("filter[0][value]", "AND"),
        ("filter[1][field]", "description"),
        ("filter[1][operation]", "<>"),
        ("filter[1][value]", ""),
        ("filter[2][0][type]", "boolean"),
        ("filter[2][0][value]", "OR"),
        ("filter[2][1][field]", "date"),
        ("filter[2][1][operation]", "<"),
        ("filter[2][1][value]", "2030-01-02"),
        ("filter[2][2][0][type]", "boolean"),
        ("filter[2][2][0][value]", "AND"),
        ("filter[2][2][1][field]", "starter"),
        ("filter[2][2][1][operation]", ">="),
        ("filter[2][2][1][value]", "1002"),
        ("filter[2][2][2][field]", "title"),
        ("filter[2][2][2][operation]", ">"),
        ("filter[2][2][2][value]", "q"),
    ];
    assert_eq!(processes(app, &deep).await, ["Quarterly review", "Quarterly close"]);
    // Groups on the task bucket.
    let r = search(
        app,
        &[
            ("search", "close"),
            ("on", "task"),
            ("filter[0][type]", "boolean"),
            ("filter[0][value]", "OR"),
            ("filter[1][field]", "starter"),
            ("filter[1][value]", "1002"),
            ("filter[2][field]", "title"),
            ("filter[2][value]", "close the books"),
        ],
    )
    .await
    .expect(200);
    assert_eq!(found(&r, "task"), ["Close the books", "Annual close"]);
}

on_both!(bad_filters_and_parameters_are_422s);
async fn bad_filters_and_parameters_are_422s(app: &TestApp) {
    fixture(app).await;
    // search is required.
    for pairs in [
        vec![("on", "process")],
        vec![("search", "")],
        vec![("search", "   ")],
        vec![("q", "")],
    ] {
        assert_eq!(
            search(app, &pairs).await.expect_invalid("search"),
            "The search field is required."
        );
    }
    assert_eq!(
        search(app, &[("search", "x"), ("on", "process,folders")])
            .await
            .expect_invalid("on"),
        "The selected on is invalid."
    );
    search(app, &[("search", "x"), ("on", "runs")])
        .await
        .expect_invalid("on");
    // Unsupported fields, with each type's list.
    let r = search(
        app,
        &[
            ("search", "x"),
            ("on", "task"),
            ("filter[field]", "date"),
            ("filter[value]", "2030-01-01"),
        ],
    )
    .await;
    assert_eq!(
        r.expect_invalid("filter"),
        "The field date is not supported. Allowed fields: title, starter."
    );
    let r = search(
        app,
        &[
            ("search", "x"),
            ("on", "process,task"),
            ("filter[field]", "description"),
            ("filter[value]", "a"),
        ],
    )
    .await;
    assert_eq!(
        r.expect_invalid("filter"),
        "The field description is not supported. Allowed fields: title, starter."
    );
    let r = search(
        app,
        &[("search", "x"), ("filter[field]", "color"), ("filter[value]", "red")],
    )
    .await;
    assert_eq!(
        r.expect_invalid("filter"),
        "The field color is not supported. Allowed fields: title, description, starter, date."
    );
    assert_eq!(
        r.body["message"],
        "The field color is not supported. Allowed fields: title, description, starter, date."
    );
    let nested_bad = [
        ("search", "x"),
        ("filter[0][type]", "boolean"),
        ("filter[0][value]", "OR"),
        ("filter[1][field]", "title"),
        ("filter[1][value]", "a"),
        ("filter[2][0][type]", "boolean"),
        ("filter[2][0][value]", "AND"),
        ("filter[2][1][field]", "owner"),
        ("filter[2][1][value]", "1"),
    ];
    assert!(
        search(app, &nested_bad)
            .await
            .expect_invalid("filter")
            .starts_with("The field owner is not supported.")
    );
    // Malformed filters.
    let malformed: Vec<Vec<(&str, &str)>> = vec![
        vec![("filter", "title=x")],
        vec![("filter[field]", "title")],
        vec![("filter[value]", "x")],
        vec![
            ("filter[field]", "title"),
            ("filter[operation]", "LIKE"),
            ("filter[value]", "x"),
        ],
        vec![("filter[type]", "boolean"), ("filter[value]", "AND")],
        vec![
            ("filter[type]", "range"),
            ("filter[field]", "title"),
            ("filter[value]", "x"),
        ],
        vec![("filter[0][type]", "boolean"), ("filter[0][value]", "AND")],
        vec![
            ("filter[0][type]", "boolean"),
            ("filter[0][value]", "XOR"),
            ("filter[1][field]", "title"),
            ("filter[1][value]", "x"),
        ],
        vec![
            ("filter[0][field]", "title"),
            ("filter[0][value]", "x"),
            ("filter[1][field]", "title"),
            ("filter[1][value]", "y"),
        ],
        vec![("filter[field]", "starter"), ("filter[value]", "sam")],
        vec![("filter[field]", "date"), ("filter[value]", "01/02/2030")],
        vec![("filter[field][]", "title"), ("filter[value]", "x")],
        vec![("filter[field]", "title"), ("filter[value][a]", "x")],
        vec![("filter[field", "title")],
    ];
    for pairs in malformed {
        let mut all = vec![("search", "x")];
        all.extend(pairs.iter().copied());
        let r = search(app, &all).await;
        r.expect_invalid("filter");
    }
    // Every problem at once.
    let r = search(
        app,
        &[
            ("search", ""),
            ("on", "nope"),
            ("per_page", "0"),
            ("tags", "x"),
            ("filter[field]", "x"),
            ("filter[value]", "y"),
        ],
    )
    .await;
    for key in ["search", "on", "per_page", "tags", "filter"] {
        r.expect_invalid(key);
    }
    // Values that look like SQL are only ever compared.
    let r = search(
        app,
        &[
            ("search", "' OR 1=1 --"),
            ("on", "process,task"),
            ("filter[field]", "title"),
            ("filter[value]", "x' OR '1'='1"),
        ],
    )
    .await
    .expect(200);
    assert_eq!((found(&r, "process").len(), found(&r, "task").len()), (0, 0));
}
