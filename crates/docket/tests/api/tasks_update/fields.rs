//! What an update changes: owners bucket by bucket, `taskdata` per field type, fields, flags,
//! tags and `max_assignable`.

use super::*;

on_both!(owners_replace_bucket_by_bucket);
async fn owners_replace_bucket_by_bucket(app: &TestApp) {
    seed_members(app).await;
    let g = app
        .json(
            Method::POST,
            "/organizations/acme/groups",
            json!({"name": "Ops", "members": [1002]}),
        )
        .await
        .expect(201);
    let group = id_of(g.data());
    let t = create_task(
        app,
        json!({"title": "Owned", "owners": {"users": [1002], "guests": ["a@partner.test"], "groups": [group]}}),
    )
    .await;
    let id = id_of(&t);
    let path = format!("/organizations/acme/tasks/{id}");

    // A present bucket replaces; absent buckets of a present owners object are emptied.
    app.json(Method::PUT, &path, json!({"owners": {"users": [1005]}}))
        .await
        .expect(200);
    let s = read_task(app, &id).await;
    assert_eq!(
        s["owners"],
        json!({"users": [1005], "guests": [], "groups": [], "taskUrls": []})
    );

    // owners null or absent: untouched.
    app.json(Method::PUT, &path, json!({"owners": null, "title": "Still owned"}))
        .await
        .expect(200);
    app.json(Method::PUT, &path, json!({"summary": "s"})).await.expect(200);
    let s = read_task(app, &id).await;
    assert_eq!(s["owners"]["users"], json!([1005]));
    assert_eq!(s["title"], "Still owned");

    // Guests are created, lower-cased; groups by id; a scalar is one entry; duplicates drop.
    app.json(
        Method::PUT,
        &path,
        json!({"owners": {"users": [], "guests": ["New@Guest.test", "new@guest.test"], "groups": group}}),
    )
    .await
    .expect(200);
    let s = read_task(app, &id).await;
    assert_eq!(s["owners"]["users"], json!([]));
    assert_eq!(s["owners"]["guests"], json!(["new@guest.test"]));
    assert_eq!(s["owners"]["groups"], json!([group]));
    assert_eq!(s["owners"]["taskUrls"].as_array().map(Vec::len), Some(1));
    app.get("/organizations/acme/guests/new%40guest.test").await.expect(200);
    app.json(
        Method::PUT,
        &path,
        json!({"owners": {"users": {"id": 1005}, "guests": [], "groups": []}}),
    )
    .await
    .expect(200);
    assert_eq!(read_task(app, &id).await["owners"]["users"], json!([1005]));

    // Refusals name the entry and change nothing.
    let r = app
        .json(
            Method::PUT,
            &path,
            json!({"owners": {"users": [1002, 999999]}, "title": "Nope"}),
        )
        .await;
    assert_eq!(
        r.expect_invalid("owners.users.1"),
        "The selected owners.users.1 is invalid."
    );
    let r = app
        .json(
            Method::PUT,
            &path,
            json!({"owners": {"guests": ["bob@acme.test", "not-an-email"]}}),
        )
        .await;
    r.expect_invalid("owners.guests.0");
    r.expect_invalid("owners.guests.1");
    let r = app
        .json(
            Method::PUT,
            &path,
            json!({"owners": {"groups": ["0123456789abcdef0123456789abcdef"]}}),
        )
        .await;
    r.expect_invalid("owners.groups.0");
    let r = app.json(Method::PUT, &path, json!({"owners": ["1002"]})).await;
    r.expect_invalid("owners");
    let s = read_task(app, &id).await;
    assert_eq!(s["owners"]["users"], json!([1005]));
    assert_eq!(s["title"], "Still owned");
}

/// One field of every type.
fn all_types() -> Value {
    json!([
        {"label": "Text", "field_type": "text", "required": false},
        {"label": "Notes", "field_type": "textarea", "required": false},
        {"label": "Mail", "field_type": "email", "required": false},
        {"label": "Link", "field_type": "url", "required": false},
        {"label": "Hours", "field_type": "number", "required": false},
        {"label": "Day", "field_type": "date", "required": false},
        {"label": "When", "field_type": "datetime", "required": false},
        {"label": "Clock", "field_type": "time", "required": false},
        {"label": "Agree", "field_type": "checkbox", "required": false},
        {"label": "Answer", "field_type": "radio", "required": false, "options": ["Yes", "No"]},
        {"label": "Pick", "field_type": "dropdown", "required": false, "options": ["A", "B"]},
        {"label": "Many", "field_type": "multiselect", "required": false, "options": ["a", "b", "c"]},
        {"label": "Grid", "field_type": "table", "required": false, "columns": ["Item", "Qty"]},
        {"label": "People", "field_type": "assignees_form", "required": false},
        {"label": "Files", "field_type": "file", "required": false}
    ])
}

on_both!(taskdata_is_checked_and_normalized_per_type);
async fn taskdata_is_checked_and_normalized_per_type(app: &TestApp) {
    seed_members(app).await;
    let t = create_task(app, json!({"title": "Form", "form_fields": all_types()})).await;
    let id = id_of(&t);
    let path = format!("/organizations/acme/tasks/{id}");
    let f = capture_ids(&read_task(app, &id).await);
    assert_eq!(t["taskdata"].as_object().map(|m| m.len()), Some(15));
    assert!(
        t["taskdata"]
            .as_object()
            .expect("taskdata")
            .values()
            .all(Value::is_null)
    );

    let accepted = [
        ("Text", json!("hello"), json!("hello")),
        ("Notes", json!("line 1\nline 2"), json!("line 1\nline 2")),
        ("Mail", json!("x@y.test"), json!("x@y.test")),
        (
            "Link",
            json!("https://example.com/a?b=1"),
            json!("https://example.com/a?b=1"),
        ),
        ("Hours", json!("38"), json!(38)),
        ("Day", json!("2024-07-15"), json!("2024-07-15")),
        ("When", json!("2024-07-15 17:00:00"), json!("2024-07-15 17:00:00")),
        ("Clock", json!("09:30"), json!("09:30")),
        ("Agree", json!("yes"), json!(true)),
        ("Answer", json!("Yes"), json!("Yes")),
        ("Pick", json!("B"), json!({"id": 2, "text": "B", "value": null})),
        (
            "Many",
            json!([{"id": 1, "selected": true}, {"text": "c", "selected": false}]),
            json!([{"id": 1, "text": "a", "value": null, "selected": true}, {"id": 3, "text": "c", "value": null, "selected": false}]),
        ),
        ("Grid", json!(["Widget", [3, 4]]), json!(["Widget", [3, 4]])),
        (
            "People",
            json!({"users": ["1005", "sam@acme.test"], "guests": ["Form@Guest.test"]}),
            json!({"users": [1005, 1002], "guests": ["form@guest.test"], "groups": []}),
        ),
        (
            "Files",
            json!([{"url": "https://files.example/a.pdf", "filename": "a.pdf"}]),
            json!([{"url": "https://files.example/a.pdf", "filename": "a.pdf", "source": "url"}]),
        ),
    ];
    let body: serde_json::Map<String, Value> = accepted.iter().map(|(l, v, _)| (f[*l].clone(), v.clone())).collect();
    let r = app
        .json(Method::PUT, &path, json!({"taskdata": body}))
        .await
        .expect(200);
    let stored = read_task(app, &id).await;
    for (label, _, want) in &accepted {
        assert_eq!(&stored["taskdata"][&f[*label]], want, "{label}");
        assert_eq!(&r.data()["taskdata"][&f[*label]], want, "{label} in the response");
    }
    let people = stored["form_fields"]["data"]
        .as_array()
        .expect("ff")
        .iter()
        .find(|c| c["label"] == "People")
        .expect("people")
        .clone();
    assert_eq!(people["value"], people["field_value"]);
    assert_eq!(
        stored["status"], "not-started",
        "saving taskdata does not change status"
    );

    // Every wrong shape is reported under its own key, all at once; nothing is written.
    let refused = [
        ("Text", json!({"a": 1})),
        ("Notes", json!(5)),
        ("Mail", json!("nope")),
        ("Link", json!("ftp://example.com")),
        ("Hours", json!("lots")),
        ("Day", json!("July")),
        ("When", json!("later")),
        ("Clock", json!("25:00")),
        ("Agree", json!("maybe")),
        ("Answer", json!("yes")),
        ("Pick", json!({"id": 1, "text": "B"})),
        ("Many", json!([{"id": 9}])),
        ("Grid", json!(["only one"])),
        ("People", json!({"users": [424242]})),
        ("Files", json!([{"filename": "x.pdf"}])),
    ];
    let mut body: serde_json::Map<String, Value> = refused.iter().map(|(l, v)| (f[*l].clone(), v.clone())).collect();
    body.insert("0123456789abcdef0123456789abcdef".into(), json!("x"));
    let r = app
        .json(Method::PUT, &path, json!({"taskdata": body, "title": "Changed"}))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    for (label, _) in &refused {
        r.expect_invalid(&format!("taskdata.{}", f[*label]));
    }
    assert_eq!(
        r.expect_invalid("taskdata.0123456789abcdef0123456789abcdef"),
        "No such form field on this task."
    );
    assert_eq!(
        r.expect_invalid(&format!("taskdata.{}", f["Answer"])),
        "Invalid radio choice selected."
    );
    assert_eq!(
        r.expect_invalid(&format!("taskdata.{}", f["Pick"])),
        "Invalid dropdown choice selected."
    );
    assert_eq!(
        r.expect_invalid(&format!("taskdata.{}", f["Many"])),
        "Invalid multiselect choice selected."
    );
    assert_eq!(
        r.expect_invalid(&format!("taskdata.{}", f["Grid"])),
        "Number of columns does not match required columns"
    );
    assert!(
        r.expect_invalid(&format!("taskdata.{}", f["People"]))
            .contains("users.0")
    );
    let after = read_task(app, &id).await;
    assert_eq!(after["taskdata"], stored["taskdata"]);
    assert_eq!(after["title"], "Form");

    // Empty values clear; 0 and false are real values for number and checkbox.
    let clear = json!({
        f["Text"].clone(): null, f["Notes"].clone(): "", f["Many"].clone(): [], f["Mail"].clone(): false,
        f["Hours"].clone(): 0, f["Agree"].clone(): false, f["People"].clone(): {"users": []}
    });
    app.json(Method::PUT, &path, json!({"taskdata": clear}))
        .await
        .expect(200);
    let s = read_task(app, &id).await;
    for label in ["Text", "Notes", "Many", "Mail", "People"] {
        assert_eq!(s["taskdata"][&f[label]], Value::Null, "{label} cleared");
    }
    assert_eq!(s["taskdata"][&f["Hours"]], json!(0));
    assert_eq!(s["taskdata"][&f["Agree"]], json!(false));
    assert_eq!(
        s["taskdata"][&f["Day"]], "2024-07-15",
        "untouched keys keep their values"
    );

    // Capture ids are compared after lower-casing; C# sends TaskData.
    app.json(
        Method::PUT,
        &path,
        json!({"TaskData": {f["Text"].to_uppercase(): "upper"}}),
    )
    .await
    .expect(200);
    assert_eq!(read_task(app, &id).await["taskdata"][&f["Text"]], "upper");
    // Another task's capture id is not a field of this task.
    let other = create_task(
        app,
        json!({"title": "Other", "form_fields": [{"label": "X", "field_type": "text", "required": false}]}),
    )
    .await;
    let other_field = capture_ids(&read_task(app, &id_of(&other)).await)["X"].clone();
    let r = app
        .json(Method::PUT, &path, json!({"taskdata": {other_field.clone(): "x"}}))
        .await;
    assert_eq!(
        r.expect_invalid(&format!("taskdata.{other_field}")),
        "No such form field on this task."
    );
}

on_both!(fields_flags_tags_and_max_assignable);
async fn fields_flags_tags_and_max_assignable(app: &TestApp) {
    seed_members(app).await;
    let t = create_task(
        app,
        json!({"title": "Flags", "owners": {"users": [1001, 1002]}, "tags": ["alpha", "beta"]}),
    )
    .await;
    let id = id_of(&t);
    let path = format!("/organizations/acme/tasks/{id}");
    let before = read_task(app, &id).await;
    tokio::time::sleep(Duration::from_millis(5)).await;

    let r = app
        .json(
            Method::PUT,
            &path,
            json!({
                "name": "Alias title", "description": "Alias summary", "started_at": "2024-01-02",
                "webhook": "https://hooks.example/done", "prevent_guest_comment": "yes", "top_secret": true,
                "everyone_must_complete": 1, "can_complete_only_assignees": "true", "is_soft_start_date": "on",
                "task_type": "expiring_email", "max_assignable": "2", "tags": ["beta", "Gamma"]
            }),
        )
        .await
        .expect(200);
    let s = read_task(app, &id).await;
    assert_eq!(r.data()["title"], s["title"]);
    assert_eq!(
        (s["title"].as_str(), s["summary"].as_str()),
        (Some("Alias title"), Some("Alias summary"))
    );
    assert_eq!(s["original_title"], "Flags");
    assert_eq!(s["started_at"], "2024-01-02T00:00:00.000Z");
    assert_eq!(s["webhook"], "https://hooks.example/done");
    for flag in [
        "prevent_guest_comment",
        "top_secret",
        "everyone_must_complete",
        "can_complete_only_assignees",
        "is_soft_start_date",
    ] {
        assert_eq!(s[flag], true, "{flag}");
    }
    assert_eq!(
        (s["task_type"].as_str(), s["max_assignable"].as_i64()),
        (Some("expiring_email"), Some(2))
    );
    assert_eq!(s["completion_progress"], 0.0);
    assert_ne!(s["last_updated"], before["last_updated"], "last_updated moves");
    assert_eq!(s["created_at"], before["created_at"]);
    let links = s["tags"]["data"].as_array().expect("tags").clone();
    let titles: Vec<&str> = links.iter().filter_map(|l| l["title"].as_str()).collect();
    assert_eq!(titles, ["beta", "Gamma"]);
    let beta_before = before["tags"]["data"]
        .as_array()
        .expect("tags")
        .iter()
        .find(|l| l["title"] == "beta")
        .expect("beta")["id"]
        .clone();
    assert_eq!(links[0]["id"], beta_before, "a kept tag keeps its association");
    let tags = app.get("/organizations/acme/tags").await.expect(200);
    assert_eq!(
        tags.body["meta"]["pagination"]["total"], 3,
        "Gamma was created; alpha still exists"
    );

    // Clearing nullable fields; member/guest alias task types.
    app.json(
        Method::PUT,
        &path,
        json!({"webhook": "", "summary": null, "tags": [], "task_type": "member"}),
    )
    .await
    .expect(200);
    let s = read_task(app, &id).await;
    assert_eq!(
        (s["webhook"].clone(), s["summary"].clone(), s["task_type"].as_str()),
        (Value::Null, Value::Null, Some("task"))
    );
    assert_eq!(s["tags"]["data"], json!([]));

    // max_assignable against the resulting owners and value.
    let r = app.json(Method::PUT, &path, json!({"max_assignable": 1})).await;
    assert_eq!(
        r.expect_invalid("owners"),
        "The task may not have more than 1 assignees."
    );
    // Checked while the body is read, so it is reported with the other field errors (the
    // store's check under the row lock refuses a racing change on its own).
    let r = app
        .json(Method::PUT, &path, json!({"max_assignable": 1, "title": "  "}))
        .await;
    assert_eq!(
        r.expect_invalid("owners"),
        "The task may not have more than 1 assignees."
    );
    assert_eq!(r.expect_invalid("title"), "The title field is required.");
    let r = app
        .json(
            Method::PUT,
            &path,
            json!({"owners": {"users": [1001, 1002], "guests": ["x@partner.test"]}}),
        )
        .await;
    assert_eq!(
        r.expect_invalid("owners"),
        "The task may not have more than 2 assignees."
    );
    let r = app.json(Method::PUT, &path, json!({"max_assignable": -1})).await;
    r.expect_invalid("max_assignable");
    app.json(
        Method::PUT,
        &path,
        json!({"max_assignable": 3, "owners": {"users": [1001, 1002], "guests": ["x@partner.test"]}}),
    )
    .await
    .expect(200);
    app.json(
        Method::PUT,
        &path,
        json!({"max_assignable": 0, "owners": {"users": [1001, 1002, 1005], "guests": ["x@partner.test"]}}),
    )
    .await
    .expect(200);
    assert_eq!(read_task(app, &id).await["owners"]["users"], json!([1001, 1002, 1005]));

    // Every field error at once; nothing written.
    let r = app.json(Method::PUT, &path, json!({
        "title": "  ", "deadline": "soon", "started_at": null, "task_type": "chore", "webhook": "nope",
        "position": 0, "max_assignable": -2, "owners": {"users": [777]}, "taskdata": {"zz": 1}, "top_secret": "maybe",
        "tags": [""]
    })).await;
    for key in [
        "title",
        "deadline",
        "started_at",
        "task_type",
        "webhook",
        "position",
        "max_assignable",
        "owners.users.0",
        "taskdata.zz",
        "top_secret",
        "tags.0",
    ] {
        r.expect_invalid(key);
    }
    assert_eq!(r.expect_invalid("title"), "The title field is required.");
    assert_eq!(r.expect_invalid("webhook"), "The webhook must be a valid URL.");
    assert_eq!(r.expect_invalid("task_type"), "The selected task type is invalid.");
    let s = read_task(app, &id).await;
    assert_eq!(
        (s["title"].as_str(), s["owners"]["users"].clone()),
        (Some("Alias title"), json!([1001, 1002, 1005]))
    );
}
