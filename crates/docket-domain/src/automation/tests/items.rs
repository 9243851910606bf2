//! Text items of field values, the field operations, and deadline arithmetic.

use serde_json::{Value, json};

use crate::automation::deadline;
use crate::automation::items::{FieldShape, field_holds, text_items};
use crate::time::parse_datetime;

const DAY: i64 = 86_400_000;

fn at(s: &str) -> i64 {
    parse_datetime(s).expect("date")
}

fn shape(ty: &str) -> FieldShape {
    FieldShape {
        field_type: ty.into(),
        columns: Vec::new(),
    }
}

#[test]
fn text_items_per_field_type() {
    assert_eq!(text_items(&shape("text"), &json!("Hi"), None), ["Hi"]);
    assert_eq!(text_items(&shape("number"), &json!(12.5), None), ["12.5"]);
    assert_eq!(text_items(&shape("checkbox"), &json!(true), None), ["true"]);
    assert_eq!(
        text_items(
            &shape("dropdown"),
            &json!({"id": 2, "text": "Blue", "value": null}),
            None
        ),
        ["Blue"]
    );
    assert_eq!(text_items(&shape("radio"), &json!("Yes"), None), ["Yes"]);
    assert_eq!(
        text_items(
            &shape("multiselect"),
            &json!([{"id": 1, "text": "A", "selected": true}, {"id": 2, "text": "B", "selected": false}]),
            None
        ),
        ["A"]
    );
    let table = FieldShape {
        field_type: "table".into(),
        columns: vec!["Item".into(), "Qty".into()],
    };
    let v = json!([["pen", "ink"], [1, 2]]);
    assert_eq!(text_items(&table, &v, None), ["pen", "ink", "1", "2"]);
    assert_eq!(text_items(&table, &v, Some(" qty ")), ["1", "2"]);
    assert_eq!(
        text_items(
            &shape("file"),
            &json!([{"id": "x", "filename": "a.pdf"}, {"url": "https://x/b.png", "filename": "b.png"}]),
            None
        ),
        ["a.pdf", "b.png"]
    );
    assert_eq!(text_items(&shape("date"), &json!("2025-01-01"), None), ["2025-01-01"]);
    assert!(text_items(&shape("assignees_form"), &json!({"users": [1]}), None).is_empty());
}

#[test]
fn field_operations() {
    let text = shape("text");
    let holds = |op: &str, v: Option<Value>, st: Value| field_holds(op, &text, v.as_ref(), &st, None);
    assert!(holds("equals", Some(json!("  Hello ")), json!("hello")));
    assert!(!holds("equals", Some(json!("Hello")), json!("hell")));
    assert!(holds("not_equals", None, json!("x")), "an empty field is not equal");
    assert!(holds("contains", Some(json!("Big Deal")), json!("DEAL")));
    assert!(!holds("not_contains", Some(json!("Big Deal")), json!("deal")));
    assert!(holds("not_contains", None, json!("deal")));
    assert!(holds("equals_any", Some(json!("b")), json!("a, B ,c")));
    assert!(holds("equals_any", Some(json!("c")), json!(["a", "C"])));
    assert!(!holds("equals_any", Some(json!("d")), json!("a,b")));
    assert!(holds("greater_than", Some(json!("10001")), json!("10000")));
    assert!(!holds("greater_than", Some(json!("10000")), json!(10000)));
    assert!(holds("less_than", Some(json!(2.5)), json!("3")));
    assert!(!holds("less_than", None, json!("3")), "an empty value is false");
    assert!(!holds("greater_than", Some(json!("abc")), json!("1")));
    assert!(!holds("greater_than", Some(json!("5")), json!("abc")));
    assert!(holds("is_empty", None, Value::Null));
    assert!(holds("is_empty", Some(json!("  ")), Value::Null));
    assert!(holds("is_not_empty", Some(json!("x")), Value::Null));
    let multi = shape("multiselect");
    let unselected = json!([{"id": 1, "text": "A", "selected": false}]);
    assert!(field_holds("is_empty", &multi, Some(&unselected), &Value::Null, None));
    let people = shape("assignees_form");
    assert!(field_holds(
        "is_empty",
        &people,
        Some(&json!({"users": [], "guests": []})),
        &Value::Null,
        None
    ));
    assert!(field_holds(
        "is_not_empty",
        &people,
        Some(&json!({"users": [5]})),
        &Value::Null,
        None
    ));
    let checkbox = shape("checkbox");
    assert!(field_holds(
        "is_empty",
        &checkbox,
        Some(&json!(false)),
        &Value::Null,
        None
    ));
    assert!(field_holds(
        "equals",
        &checkbox,
        Some(&json!(true)),
        &json!("TRUE"),
        None
    ));
    assert!(!field_holds("frobnicate", &text, Some(&json!("x")), &json!("x"), None));
}

#[test]
fn months_clamp_to_the_last_day() {
    let jan31 = at("2024-01-31T08:00:00Z");
    assert_eq!(
        deadline::shift(jan31, 1, "month", false),
        Some(at("2024-02-29T08:00:00Z"))
    );
    assert_eq!(
        deadline::shift(at("2025-03-31T08:00:00Z"), 1, "months", true),
        Some(at("2025-02-28T08:00:00Z"))
    );
    assert_eq!(deadline::shift(jan31, 2, "Days", false), Some(jan31 + 2 * DAY));
    assert_eq!(deadline::shift(jan31, 1, "fortnight", false), None);
}
