//! ST1–ST4, ST6, ST7: steps are added with their defaults, read, listed, changed partially,
//! cloned and moved, and every write moves the template's `last_updated`.

use reqwest::Method;
use serde_json::json;

use super::{add_step, id, step_titles, steps_path, template};
use crate::support::TestApp;
use crate::support::fixtures::{count_rows, seed_members};

async fn steps_are_added_with_defaults_read_and_listed(app: &TestApp) {
    let tpl = template(app).await;
    let first = add_step(
        app,
        &tpl,
        json!({"title": "Collect documents", "checklist_id": "ignored", "position": 9}),
    )
    .await;
    assert_eq!(first["position"], 1);
    assert_eq!(first["alias"], "collect-documents");
    assert_eq!(first["checklist_id"], tpl.as_str());
    assert_eq!(first["timeline_id"], first["id"]);
    for (k, v) in [
        ("step_type", json!("task")),
        ("assign_run_starter", json!(true)),
        ("is_soft_start_date", json!(true)),
        ("allow_guest_owners", json!(true)),
        ("max_assignable", json!(0)),
        ("top_secret", json!(false)),
        ("deadline", json!(null)),
        ("start_date", json!(null)),
        ("roles", json!([])),
        ("captures", json!([])),
        ("assignees", json!([])),
        ("bp_to_launch", json!(null)),
        ("archived_at", json!(null)),
    ] {
        assert_eq!(first[k], v, "{k}");
    }
    let second = add_step(
        app,
        &tpl,
        json!({"title": "Collect documents", "step_type": "approval",
               "deadline": {"value": 2, "unit": "day", "option": "before", "step": id(&first)},
               "start_date": {"value": 1, "unit": "Hours"}, "is_soft_start_date": false,
               "captures": [{"label": "Contract", "field_type": "file", "required": true},
                            {"label": "Contract", "field_type": "dropdown", "required": false, "options": ["a", "b"]}]}),
    )
    .await;
    assert_eq!(second["alias"], "collect-documents-2");
    assert_eq!(second["position"], 2);
    assert_eq!(
        second["deadline"],
        json!({"value": 2, "unit": "days", "option": "prior_to", "step": id(&first)})
    );
    assert_eq!(second["start_date"], json!({"value": 1, "unit": "hours"}));
    let caps = second["captures"].as_array().expect("captures");
    assert_eq!(caps.len(), 2);
    assert_eq!(caps[0]["alias"], "contract");
    assert_eq!(caps[1]["alias"], "contract-2");
    assert_eq!(caps[1]["position"], 2);
    assert_eq!(caps[1]["step_id"], id(&second).as_str());
    assert_eq!(
        caps[1]["options"],
        json!([{"id": 1, "text": "a", "value": null}, {"id": 2, "text": "b", "value": null}])
    );

    let got = app
        .get(&steps_path(app, &tpl, &format!("/{}", id(&second))))
        .await
        .expect(200);
    assert_eq!(got.data(), &second);
    let page = app.get(&steps_path(app, &tpl, "?per_page=1&page=2")).await.expect(200);
    assert_eq!(page.data().as_array().map(Vec::len), Some(1));
    assert_eq!(page.data()[0]["id"], second["id"]);
    assert_eq!(page.body["meta"]["pagination"]["total"], 2);
    assert_eq!(page.body["meta"]["pagination"]["total_pages"], 2);
    assert_eq!(
        app.get(&steps_path(app, &tpl, "?without_pagination=true"))
            .await
            .expect(200)
            .data()
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}
on_both!(steps_are_added_with_defaults_read_and_listed);

async fn form_bodies_unknown_ids_and_ignored_keys(app: &TestApp) {
    seed_members(app).await;
    let tpl = template(app).await;
    // A form body with PHP brackets reads like JSON.
    let r = app
        .send(
            app.request(Method::POST, &steps_path(app, &tpl, ""))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body("title=Form+step&assignees%5B%5D=1002&deadline%5Bvalue%5D=3&deadline%5Bunit%5D=hour"),
        )
        .await
        .expect(201);
    assert_eq!(r.data()["assignees"], json!([1002]));
    assert_eq!(r.data()["deadline"]["unit"], "hours");
    let s = id(r.data());
    // `captures` in an update body is ignored; read-only keys too.
    let r = app
        .json(
            Method::PUT,
            &steps_path(app, &tpl, &format!("/{s}")),
            json!({"captures": [{"label": "X", "field_type": "text", "required": true}], "alias": "changed", "id": "x", "checklist_id": "y"}),
        )
        .await
        .expect(200);
    assert_eq!(r.data()["captures"], json!([]));
    assert_eq!(r.data()["alias"], "form-step");
    assert_eq!(r.data()["id"], s.as_str());
    let unknown = "0123456789abcdef0123456789abcdef";
    app.get(&steps_path(app, &tpl, &format!("/{unknown}")))
        .await
        .expect(404);
    app.get(&steps_path(app, unknown, "")).await.expect(404);
    app.json(Method::POST, &steps_path(app, unknown, ""), json!({"title": "T"}))
        .await
        .expect(404);
    app.call(Method::DELETE, &steps_path(app, &tpl, &format!("/{unknown}")))
        .await
        .expect(404);
}
on_both!(form_bodies_unknown_ids_and_ignored_keys);

async fn updates_are_partial_buckets_replace_and_guests_are_made(app: &TestApp) {
    seed_members(app).await;
    let (_, standard) = app.add_member("acme", 1010, "sue@acme.test", "standard").await;
    let tpl = template(app).await;
    let s = add_step(
        app,
        &tpl,
        json!({"title": "Review", "assignees": [1002, "ann@acme.test"], "tags": ["urgent"]}),
    )
    .await;
    assert_eq!(s["assignees"], json!([1002, 1005]));
    assert_eq!(s["tags"].as_array().map(Vec::len), Some(1));
    let path = steps_path(app, &tpl, &format!("/{}", id(&s)));
    let r = app
        .send(
            app.request_as(&standard, Method::PUT, &path)
                .json(&json!({"summary": "<p>Check</p>", "top_secret": true})),
        )
        .await
        .expect(200);
    assert_eq!(r.data()["assignees"], json!([1002, 1005]), "absent bucket untouched");
    assert_eq!(r.data()["summary"], "<p>Check</p>");
    assert_eq!(r.data()["title"], "Review");
    assert_eq!(r.data()["top_secret"], true);
    assert_eq!(
        count_rows(
            app,
            "SELECT COUNT(*) FROM checklists WHERE id = $1 AND last_updated_by = 1010 AND last_updated > 0",
            &tpl
        )
        .await,
        1
    );

    let r = app
        .json(Method::PUT, &path, json!({"title": "Review 2", "assignees": [1002], "guests": ["New.Guest@Example.com"], "groups": [], "deadline": {"value": 1, "unit": "weeks"}}))
        .await
        .expect(200);
    assert_eq!(r.data()["assignees"], json!([1002]));
    assert_eq!(r.data()["guests"], json!(["new.guest@example.com"]));
    assert_eq!(r.data()["alias"], "review", "aliases never change");
    assert_eq!(
        r.data()["deadline"],
        json!({"value": 1, "unit": "weeks", "option": "from", "step": "start_run"})
    );
    assert_eq!(
        count_rows(
            app,
            "SELECT COUNT(*) FROM guests WHERE email = $1",
            "new.guest@example.com"
        )
        .await,
        1,
        "unknown emails become guests when the step is saved"
    );
    let r = app
        .json(Method::PUT, &path, json!({"deadline": null, "tags": []}))
        .await
        .expect(200);
    assert_eq!(r.data()["deadline"], json!(null));
    assert_eq!(r.data()["tags"], json!([]));
    assert_eq!(r.data()["guests"], json!(["new.guest@example.com"]));
}
on_both!(updates_are_partial_buckets_replace_and_guests_are_made);

async fn steps_are_cloned_after_themselves_and_reordered(app: &TestApp) {
    let tpl = template(app).await;
    let a = add_step(
        app,
        &tpl,
        json!({"title": "A", "captures": [{"label": "Q", "field_type": "text", "required": true}]}),
    )
    .await;
    add_step(app, &tpl, json!({"title": "B"})).await;
    let r = app
        .call(Method::POST, &steps_path(app, &tpl, &format!("/{}/clone", id(&a))))
        .await
        .expect(201);
    let copy = r.data().clone();
    assert_eq!(copy["position"], 2);
    assert_eq!(copy["alias"], "a-2");
    assert_ne!(copy["id"], a["id"]);
    assert_eq!(copy["captures"][0]["label"], "Q");
    assert_eq!(copy["captures"][0]["alias"], "q-2");
    assert_ne!(copy["captures"][0]["id"], a["captures"][0]["id"]);
    assert_eq!(
        step_titles(app, &tpl).await,
        [("A".into(), 1), ("A".into(), 2), ("B".into(), 3)]
    );

    let reorder = steps_path(app, &tpl, &format!("/{}/reorder", id(&a)));
    let r = app
        .json(Method::PUT, &reorder, json!({"position": 99}))
        .await
        .expect(200);
    assert_eq!(r.data()["position"], 3, "clamped to the number of steps");
    assert_eq!(
        step_titles(app, &tpl).await,
        [("A".into(), 1), ("B".into(), 2), ("A".into(), 3)]
    );
    assert_eq!(
        app.json(Method::PUT, &reorder, json!({}))
            .await
            .expect_invalid("position"),
        "The position field is required."
    );
    assert_eq!(
        app.json(Method::PUT, &reorder, json!({"position": 0}))
            .await
            .expect_invalid("position"),
        "The position must be at least 1."
    );
    let r = app
        .json(
            Method::PUT,
            &steps_path(app, &tpl, &format!("/{}", id(&a))),
            json!({"position": 1}),
        )
        .await
        .expect(200);
    assert_eq!(r.data()["position"], 1, "ST4 position moves like ST7");
    assert_eq!(
        step_titles(app, &tpl).await,
        [("A".into(), 1), ("A".into(), 2), ("B".into(), 3)]
    );

    app.call(Method::DELETE, &steps_path(app, &tpl, &format!("/{}", id(&copy))))
        .await
        .expect(204);
    assert_eq!(step_titles(app, &tpl).await, [("A".into(), 1), ("B".into(), 2)]);
    assert_eq!(
        count_rows(
            app,
            "SELECT COUNT(*) FROM template_fields WHERE step_id = $1",
            &id(&copy)
        )
        .await,
        0
    );
    app.get(&steps_path(app, &tpl, &format!("/{}", id(&copy))))
        .await
        .expect(404);
}
on_both!(steps_are_cloned_after_themselves_and_reordered);
