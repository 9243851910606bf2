//! Unit tests of the parent module.

use super::*;
use serde_json::json;

fn new(v: Value, prefix: &str) -> (Option<TemplateFieldDef>, ValidationErrors) {
    let mut e = ValidationErrors::new();
    let d = parse_new_value(&v, prefix, &mut e);
    (d, e)
}

fn msg(e: &ValidationErrors, k: &str) -> String {
    e.entries()
        .iter()
        .find(|(x, _)| x == k)
        .map(|(_, m)| m[0].clone())
        .unwrap_or_else(|| panic!("no error on {k}: {e:?}"))
}

#[test]
fn a_full_definition_is_read_with_defaults() {
    let (d, e) = new(
        json!({"Label": " Pick one ", "field_type": "DropDown", "required": "1",
               "options": ["A", {"text": "B", "id": 7}, {"label": "C"}, {"value": 4}],
               "field_validation": "required|min:2", "settings": {"x": 1}, "position": 9,
               "id": "ignored", "alias": "ignored", "columns": ["dropped"]}),
        "",
    );
    assert!(e.is_empty(), "{e:?}");
    let d = d.expect("parsed");
    assert_eq!(d.label, "Pick one");
    assert_eq!(d.field_type, "dropdown");
    assert!(d.required);
    assert_eq!(d.options.iter().map(|o| o.id).collect::<Vec<_>>(), [8, 7, 9, 10]);
    assert_eq!(d.options[3].text, "4");
    assert!(d.columns.is_empty());
    assert_eq!(d.field_validation, ["required", "min:2"]);
    assert_eq!(d.settings_json(), r#"{"x":1}"#);
    assert_eq!(d.default_value_json(), None);
    assert!(!d.collect_time && !d.default_value_enabled);
}

#[test]
fn create_requires_label_type_and_required_under_the_prefix() {
    let (d, e) = new(json!({}), "captures.0");
    assert!(d.is_none());
    assert_eq!(msg(&e, "captures.0.label"), "The label field is required.");
    assert_eq!(msg(&e, "captures.0.field_type"), "The field type field is required.");
    assert_eq!(msg(&e, "captures.0.required"), "The required field is required.");
    let (_, e) = new(
        json!({"label": "x", "field_type": "hologram", "required": true}),
        "prerun.2",
    );
    assert_eq!(msg(&e, "prerun.2.field_type"), "The selected field type is invalid.");
    assert_eq!(e.entries().len(), 1);
    let (_, e) = new(
        json!({"label": "x".repeat(601), "field_type": "text", "required": true}),
        "",
    );
    assert_eq!(msg(&e, "label"), "The label may not be greater than 600 characters.");
    let (_, e) = new(json!("text"), "prerun.1");
    assert_eq!(msg(&e, "prerun.1"), "The form field must be an object.");
}

#[test]
fn options_and_columns_rules() {
    let (_, e) = new(
        json!({"label": "R", "field_type": "radio", "required": true, "options": ["only"]}),
        "",
    );
    assert_eq!(msg(&e, "options"), "The options must have at least 2 items.");
    let (_, e) = new(json!({"label": "R", "field_type": "radio", "required": true}), "");
    assert_eq!(msg(&e, "options"), "The options field is required.");
    let (_, e) = new(
        json!({"label": "M", "field_type": "multiselect", "required": true, "options": []}),
        "prerun.0",
    );
    assert_eq!(msg(&e, "prerun.0.options"), "The options field is required.");
    let (_, e) = new(
        json!({"label": "D", "field_type": "dropdown", "required": true, "options": [{"text": "a", "id": 1}, {"text": "b", "id": 1}]}),
        "",
    );
    assert_eq!(msg(&e, "options.1.id"), "The options.1.id has already been taken.");
    let (_, e) = new(
        json!({"label": "T", "field_type": "table", "required": false}),
        "captures.3",
    );
    assert_eq!(msg(&e, "captures.3.columns"), "The columns field is required.");
    let (d, e) = new(
        json!({"label": "T", "field_type": "table", "required": false, "columns": ["Item", {"label": "Qty", "id": 5}]}),
        "",
    );
    assert!(e.is_empty(), "{e:?}");
    assert_eq!(
        d.expect("table").columns.iter().map(|c| c.id).collect::<Vec<_>>(),
        [6, 5]
    );
    let (_, e) = new(
        json!({"label": "D", "field_type": "dropdown", "required": true, "options": [{}]}),
        "",
    );
    assert_eq!(msg(&e, "options.0.text"), "The options.0.text field is required.");
}

#[test]
fn updates_are_partial_and_check_the_resulting_type() {
    let (d, _) = new(
        json!({"label": "D", "field_type": "dropdown", "required": true, "options": ["a", "b"]}),
        "",
    );
    let current = d.expect("dropdown");
    let mut e = ValidationErrors::new();
    let patch = parse_patch(json!({"field_type": "radio"}).as_object().expect("obj"), "", &mut e);
    let next = patch.apply(&current, "", &mut e);
    assert!(e.is_empty(), "existing options count: {e:?}");
    assert_eq!(next.field_type, "radio");
    assert_eq!(next.options.len(), 2);
    assert_eq!(next.label, "D");

    let mut e = ValidationErrors::new();
    let patch = parse_patch(
        json!({"options": ["x"], "field_type": "radio"})
            .as_object()
            .expect("obj"),
        "",
        &mut e,
    );
    patch.apply(&current, "", &mut e);
    assert_eq!(msg(&e, "options"), "The options must have at least 2 items.");

    let mut e = ValidationErrors::new();
    let patch = parse_patch(
        json!({"field_type": "table", "label": null}).as_object().expect("obj"),
        "",
        &mut e,
    );
    patch.apply(&current, "", &mut e);
    assert_eq!(msg(&e, "columns"), "The columns field is required.");
    assert_eq!(msg(&e, "label"), "The label field is required.");

    let mut e = ValidationErrors::new();
    let patch = parse_patch(
        json!({"field_type": "text", "guidance": "help", "field_validation": ["a|b", "c"], "settings": 3})
            .as_object()
            .expect("obj"),
        "",
        &mut e,
    );
    assert_eq!(msg(&e, "settings"), "The settings must be an object.");
    let next = patch.apply(&current, "", &mut ValidationErrors::new());
    assert!(next.options.is_empty());
    assert_eq!(next.field_validation, ["a", "b", "c"]);
    assert_eq!(next.guidance.as_deref(), Some("help"));
    assert!(FieldPatch::default().is_empty());
}

#[test]
fn entry_id_and_position_are_read_loosely() {
    let o = json!({"ID": "abc", "position": "3"});
    let o = o.as_object().expect("obj");
    assert_eq!(entry_id(o).as_deref(), Some("abc"));
    assert_eq!(entry_position(o), Some(3));
    assert_eq!(key("", "label"), "label");
    assert_eq!(key("prerun.2", "options"), "prerun.2.options");
}
