//! Request bodies a newcomer gets wrong: JSON sent as a form (curl -d's default) is refused
//! with a hint to send `Content-Type: application/json`, and a JSON syntax error names its line
//! and column.

use reqwest::Method;

use crate::support::TestApp;

on_both!(json_sent_as_a_form_is_refused_with_a_hint);
async fn json_sent_as_a_form_is_refused_with_a_hint(app: &TestApp) {
    let path = app.org_path("/tasks");
    for content_type in [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=utf-8",
    ] {
        let r = app
            .send(
                app.request(Method::POST, &path)
                    .header("Content-Type", content_type)
                    .body(r#"{"title":"x"}"#),
            )
            .await
            .expect(400);
        assert_eq!(r.body["code"], "BAD_REQUEST", "{}", r.text);
        let message = r.body["message"].as_str().expect("message");
        assert!(
            message.contains("looks like JSON") && message.contains("Content-Type: application/json"),
            "{message}"
        );
    }
    // A real form still works, and JSON without a content type is read as JSON.
    let r = app
        .send(
            app.request(Method::POST, &path)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body("title=Form+task"),
        )
        .await
        .expect(201);
    assert_eq!(r.data()["title"], "Form task");
    let r = app
        .send(app.request(Method::POST, &path).body(r#"{"title":"Bare JSON"}"#))
        .await
        .expect(201);
    assert_eq!(r.data()["title"], "Bare JSON");
    let r = app.get(&app.org_path("/tasks?per_page=1")).await.expect(200);
    assert_eq!(
        r.body["meta"]["pagination"]["total"], 2,
        "the refused bodies created nothing"
    );
}

on_both!(a_json_syntax_error_names_its_line_and_column);
async fn a_json_syntax_error_names_its_line_and_column(app: &TestApp) {
    let path = app.org_path("/tasks");
    let body = "{\n  \"title\": \"x\",\n  \"summary\" \"no colon\"\n}";
    let r = app
        .send(
            app.request(Method::POST, &path)
                .header("Content-Type", "application/json")
                .body(body),
        )
        .await
        .expect(400);
    assert_eq!(r.body["code"], "BAD_REQUEST", "{}", r.text);
    let message = r.body["message"].as_str().expect("message");
    assert!(message.starts_with("Malformed request body."), "{message}");
    assert!(message.contains("line 3, column 13"), "{message}");
    let r = app
        .send(
            app.request(Method::POST, &path)
                .header("Content-Type", "application/json")
                .body("[1, 2]"),
        )
        .await
        .expect(400);
    assert!(
        r.body["message"]
            .as_str()
            .expect("message")
            .contains("must be an object"),
        "{}",
        r.text
    );
}
