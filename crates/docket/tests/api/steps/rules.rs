//! Step refusals: validation with field keys, deadline anchors and loops, who may write, the
//! archived template, other organizations' templates, and ST5's dependency refusals.

use reqwest::Method;
use serde_json::json;

use super::{add_rule, add_step, id, step_titles, steps_path, template, template_in};
use crate::support::TestApp;
use crate::support::fixtures::{exec_sql, seed_members};

async fn invalid_steps_are_refused_with_their_keys(app: &TestApp) {
    seed_members(app).await;
    let tpl = template(app).await;
    let path = steps_path(app, &tpl, "");
    let r = app
        .json(
            Method::POST,
            &path,
            json!({"step_type": "meeting", "deadline": {"value": "x", "unit": "fortnight", "option": "around"},
                   "roles": [{"id": 1}], "assignees": [999], "groups": ["nope"], "guests": ["not-an-email"],
                   "captures": [{"label": "", "field_type": "radio", "required": true, "options": ["one"]}]}),
        )
        .await;
    assert_eq!(r.expect_invalid("title"), "The title field is required.");
    assert_eq!(r.expect_invalid("step_type"), "The selected step type is invalid.");
    assert_eq!(
        r.expect_invalid("deadline.value"),
        "The deadline.value must be an integer."
    );
    assert_eq!(
        r.expect_invalid("deadline.unit"),
        "The selected deadline.unit is invalid."
    );
    assert_eq!(
        r.expect_invalid("deadline.option"),
        "The selected deadline.option is invalid."
    );
    assert_eq!(r.expect_invalid("roles"), "Roles are not supported.");
    assert_eq!(r.expect_invalid("assignees.0"), "The selected assignees.0 is invalid.");
    assert_eq!(r.expect_invalid("groups.0"), "The selected groups.0 is invalid.");
    r.expect_invalid("guests.0");
    assert_eq!(r.expect_invalid("captures.0.label"), "The label field is required.");
    assert_eq!(
        r.expect_invalid("captures.0.options"),
        "The options must have at least 2 items."
    );
    let r = app
        .json(
            Method::POST,
            &path,
            json!({"title": "T", "max_assignable": 1, "assignees": [1002, 1005]}),
        )
        .await;
    assert_eq!(
        r.expect_invalid("assignees"),
        "The step may not have more than 1 assignees."
    );
    assert!(step_titles(app, &tpl).await.is_empty(), "nothing was written");

    let a = add_step(
        app,
        &tpl,
        json!({"title": "A", "max_assignable": 1, "assignees": [1002]}),
    )
    .await;
    let r = app
        .json(
            Method::PUT,
            &steps_path(app, &tpl, &format!("/{}", id(&a))),
            json!({"guests": ["x@y.test"]}),
        )
        .await;
    assert_eq!(
        r.expect_invalid("assignees"),
        "The step may not have more than 1 assignees."
    );
    let b = add_step(
        app,
        &tpl,
        json!({"title": "B", "deadline": {"value": 1, "unit": "days", "step": id(&a)}}),
    )
    .await;
    let r = app
        .json(
            Method::PUT,
            &steps_path(app, &tpl, &format!("/{}", id(&a))),
            json!({"deadline": {"value": 1, "unit": "days", "option": "from", "step": id(&b)}}),
        )
        .await;
    assert_eq!(
        r.expect_invalid("deadline.step"),
        "These step deadlines depend on each other in a loop."
    );
    let r = app
        .json(
            Method::POST,
            &path,
            json!({"title": "C", "deadline": {"value": 1, "unit": "days", "step": "nope"}}),
        )
        .await;
    assert_eq!(
        r.expect_invalid("deadline.step"),
        "The selected deadline.step is invalid."
    );
}
on_both!(invalid_steps_are_refused_with_their_keys);

async fn only_members_who_may_edit_reach_the_templates_of_their_organization(app: &TestApp) {
    let light = seed_members(app).await;
    let tpl = template(app).await;
    let s = add_step(app, &tpl, json!({"title": "A"})).await;
    let one = steps_path(app, &tpl, &format!("/{}", id(&s)));
    // Light members read but may not write.
    app.send(app.request_as(&light, Method::GET, &one)).await.expect(200);
    for (m, p) in [
        (Method::POST, steps_path(app, &tpl, "")),
        (Method::PUT, one.clone()),
        (Method::DELETE, one.clone()),
        (Method::POST, format!("{one}/clone")),
        (Method::PUT, format!("{one}/reorder")),
    ] {
        let r = app
            .send(
                app.request_as(&light, m, &p)
                    .json(&json!({"title": "X", "position": 1})),
            )
            .await;
        assert_eq!(r.status, 403, "{p}: {}", r.text);
    }
    // Another organization's template, and a step under the wrong template, are not found.
    let other_token = app.add_org("globex", 2001).await;
    let foreign = template_in(app, "globex", "Theirs").await;
    app.get(&steps_path(app, &foreign, "")).await.expect(404);
    let theirs = app
        .send(
            app.request_as(
                &other_token,
                Method::POST,
                &format!("/organizations/globex/checklists/{foreign}/steps"),
            )
            .json(&json!({"title": "Theirs"})),
        )
        .await
        .expect(201);
    let tpl2 = template(app).await;
    app.get(&steps_path(app, &tpl2, &format!("/{}", id(&s))))
        .await
        .expect(404);
    app.get(&steps_path(app, &tpl, &format!("/{}", id(theirs.data()))))
        .await
        .expect(404);
    app.json(
        Method::PUT,
        &steps_path(app, &tpl2, &format!("/{}", id(&s))),
        json!({"title": "Z"}),
    )
    .await
    .expect(404);
    // Archived templates are read but not changed.
    exec_sql(
        app,
        &format!("UPDATE checklists SET archived_at = 5 WHERE id = '{tpl}'"),
    )
    .await;
    app.get(&one).await.expect(200);
    for (m, p) in [
        (Method::POST, steps_path(app, &tpl, "")),
        (Method::PUT, one.clone()),
        (Method::DELETE, one.clone()),
        (Method::POST, format!("{one}/clone")),
        (Method::PUT, format!("{one}/reorder")),
    ] {
        let r = app
            .send(app.request(m, &p).json(&json!({"title": "X", "position": 1})))
            .await;
        assert_eq!(r.expect_invalid("checklist"), "The template is archived.", "{p}");
    }
}
on_both!(only_members_who_may_edit_reach_the_templates_of_their_organization);

async fn steps_others_depend_on_are_not_deleted(app: &TestApp) {
    let tpl = template(app).await;
    let a = add_step(app, &tpl, json!({"title": "A"})).await;
    let b = add_step(
        app,
        &tpl,
        json!({"title": "B", "deadline": {"value": 1, "unit": "days", "step": id(&a)}}),
    )
    .await;
    let c = add_step(app, &tpl, json!({"title": "C"})).await;
    let r = app
        .call(Method::DELETE, &steps_path(app, &tpl, &format!("/{}", id(&a))))
        .await;
    assert_eq!(
        r.expect_invalid("step"),
        "Cannot delete this step because other steps have deadlines that depend on it."
    );
    add_rule(app, &tpl, "some-capture", &id(&c)).await;
    let r = app
        .call(Method::DELETE, &steps_path(app, &tpl, &format!("/{}", id(&c))))
        .await;
    assert_eq!(
        r.expect_invalid("step"),
        "Cannot delete this step because there are rules dependent on it."
    );
    app.call(Method::DELETE, &steps_path(app, &tpl, &format!("/{}", id(&b))))
        .await
        .expect(204);
    app.call(Method::DELETE, &steps_path(app, &tpl, &format!("/{}", id(&a))))
        .await
        .expect(204);
    assert_eq!(step_titles(app, &tpl).await, [("C".into(), 1)]);
}
on_both!(steps_others_depend_on_are_not_deleted);
