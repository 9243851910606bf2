//! Reading AU1/AU2 bodies.

use serde_json::{Map, Value, json};

use crate::ValidationErrors;
use crate::automation::definition::{Draft, parse_create, parse_update};
use crate::automation::{Catalog, CatalogField, RuleDef};

pub(super) const S1: &str = "11111111111111111111111111111111";
pub(super) const S2: &str = "22222222222222222222222222222222";
pub(super) const S3: &str = "33333333333333333333333333333333";
pub(super) const CAP_TEXT: &str = "c0000000000000000000000000000001";
pub(super) const CAP_DATE: &str = "c0000000000000000000000000000002";
pub(super) const CAP_PEOPLE: &str = "c0000000000000000000000000000003";
pub(super) const KO_NUM: &str = "k0000000000000000000000000000001";
pub(super) const KO_PEOPLE: &str = "k0000000000000000000000000000002";

fn field(id: &str, ty: &str, step: Option<&str>) -> CatalogField {
    CatalogField {
        id: id.into(),
        field_type: ty.into(),
        step_id: step.map(str::to_string),
    }
}

pub(super) fn catalog() -> Catalog {
    Catalog {
        steps: vec![S1.into(), S2.into(), S3.into()],
        captures: vec![
            field(CAP_TEXT, "text", Some(S1)),
            field(CAP_DATE, "date", Some(S1)),
            field(CAP_PEOPLE, "assignees_form", Some(S2)),
        ],
        kickoff: vec![field(KO_NUM, "number", None), field(KO_PEOPLE, "assignees_form", None)],
    }
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().expect("object")
}

fn create(body: Value) -> Result<Draft, ValidationErrors> {
    let mut e = ValidationErrors::new();
    match parse_create(&obj(body), &catalog(), 2, &mut e) {
        Some(d) if e.is_empty() => Ok(d),
        _ => Err(e),
    }
}

fn update(stored: &RuleDef, body: Value) -> Result<Draft, ValidationErrors> {
    let mut e = ValidationErrors::new();
    match parse_update(&obj(body), stored, &catalog(), &mut e) {
        Some(d) if e.is_empty() => Ok(d),
        _ => Err(e),
    }
}

/// The first message recorded under `key`.
fn msg(e: &ValidationErrors, key: &str) -> String {
    e.entries()
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, m)| m[0].clone())
        .unwrap_or_else(|| panic!("no error under {key}: {e:?}"))
}

fn show_s2() -> Value {
    json!({"action_type": "visibility", "action_verb": "show", "target_step_id": S2})
}

fn completed_s1() -> Value {
    json!({"conditionable_type": "Step", "conditionable_id": S1, "operation": "completed"})
}

#[test]
fn a_minimal_rule_gets_defaults_and_the_emitted_form() {
    let d = create(json!({"conditions": [completed_s1()], "actions": [show_s2()]})).expect("valid");
    assert_eq!(d.def.automated_alias, "Rule 3");
    let emitted = serde_json::to_value(&d.def).expect("serializes");
    let c = &emitted["conditions"][0];
    assert_eq!(c["conditionable_type"], "Step");
    assert_eq!(c["statement"], "any_time");
    assert_eq!(c["logic"], "and");
    assert_eq!(c["position"], 1);
    assert_eq!(c["column_contains_name"], Value::Null);
    assert_eq!(c["id"].as_str().map(str::len), Some(32));
    let a = &emitted["then_actions"][0];
    let mut keys: Vec<&str> = a.as_object().expect("object").keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "action_type",
            "action_verb",
            "actionable_id",
            "actionable_type",
            "alias_name",
            "assignees",
            "deadline",
            "id",
            "position",
            "target_step_id",
            "webhook_url"
        ]
    );
    assert_eq!(a["deadline"], Value::Null);
    assert!(d.pending_assignees.is_empty());
}

#[test]
fn conditionable_type_spellings_and_key_matching() {
    for (given, want) in [
        ("STEP", "Step"),
        ("field", "Capture"),
        ("form_field", "Capture"),
        ("Capture", "Capture"),
        ("kickoff", "Prerun"),
        ("kickoff_field", "Prerun"),
        ("prerun", "Prerun"),
    ] {
        let id = match want {
            "Step" => S1,
            "Capture" => CAP_TEXT,
            _ => KO_NUM,
        };
        let op = if want == "Step" { "completed" } else { "is_empty" };
        let d = create(
            json!({"conditions": [{"ConditionableType": given, "conditionable_id": id, "Operation": op}],
                              "then_actions": [show_s2()]}),
        )
        .expect(given);
        assert_eq!(d.def.conditions[0].conditionable_type, want);
    }
    let e = create(
        json!({"conditions": [{"conditionable_type": "task", "conditionable_id": S1, "operation": "completed"}],
                          "then_actions": [show_s2()]}),
    )
    .expect_err("bad type");
    assert_eq!(
        msg(&e, "conditions.0.conditionable_type"),
        "The selected conditionable type is invalid."
    );
}

#[test]
fn conditionable_ids_must_match_their_type() {
    let e = create(json!({"conditions": [
            {"conditionable_type": "Step", "conditionable_id": CAP_TEXT, "operation": "completed"},
            {"conditionable_type": "Capture", "conditionable_id": KO_NUM, "operation": "is_empty"},
            {"conditionable_type": "Prerun", "conditionable_id": CAP_TEXT, "operation": "is_empty"},
            {"conditionable_type": "Prerun", "conditionable_id": KO_NUM, "operation": "is_empty"}],
        "then_actions": [show_s2()]}))
    .expect_err("wrong ids");
    for i in 0..3 {
        assert_eq!(
            msg(&e, &format!("conditions.{i}.conditionable_id")),
            "The selected conditionable id is invalid."
        );
    }
    assert!(!e.has("conditions.3.conditionable_id"));
}

#[test]
fn operations_are_checked_per_type() {
    let e = create(json!({"conditions": [
            {"conditionable_type": "Step", "conditionable_id": S1, "operation": "equals", "statement": "x"},
            {"conditionable_type": "Capture", "conditionable_id": CAP_TEXT, "operation": "completed"},
            {"conditionable_type": "Prerun", "conditionable_id": KO_NUM, "operation": "Greater_Than", "statement": 5}],
        "then_actions": [show_s2()]}))
    .expect_err("ops");
    assert_eq!(msg(&e, "conditions.0.operation"), "The selected operation is invalid.");
    assert_eq!(msg(&e, "conditions.1.operation"), "The selected operation is invalid.");
    assert!(!e.has("conditions.2.operation"));
    for op in crate::automation::STEP_OPERATIONS {
        let c = json!({"conditionable_type": "Step", "conditionable_id": S1, "operation": op});
        assert!(
            create(json!({"conditions": [c], "then_actions": [show_s2()]})).is_ok(),
            "{op}"
        );
    }
}

#[test]
fn time_clauses_and_statements() {
    let step = |st: Value| {
        create(
            json!({"conditions": [{"conditionable_type": "Step", "conditionable_id": S1,
                                      "operation": "completed", "statement": st}],
                      "then_actions": [show_s2()]}),
        )
    };
    assert_eq!(
        step(json!("on_time")).expect("ok").def.conditions[0].statement,
        "on-time"
    );
    assert_eq!(
        step(json!("late_24")).expect("ok").def.conditions[0].statement,
        "late_24"
    );
    assert_eq!(step(Value::Null).expect("ok").def.conditions[0].statement, "any_time");
    let e = step(json!("tomorrow")).expect_err("bad clause");
    assert_eq!(msg(&e, "conditions.0.statement"), "The selected statement is invalid.");

    let field = |op: &str, st: Value| {
        create(
            json!({"conditions": [{"conditionable_type": "Capture", "conditionable_id": CAP_TEXT,
                                      "operation": op, "statement": st}],
                      "then_actions": [show_s2()]}),
        )
    };
    assert_eq!(
        field("equals", json!(10)).expect("number").def.conditions[0].statement,
        json!(10)
    );
    assert_eq!(
        field("equals_any", json!(["a", "b"])).expect("array").def.conditions[0].statement,
        json!(["a", "b"])
    );
    assert_eq!(
        field("is_empty", json!("ignored")).expect("ignored").def.conditions[0].statement,
        Value::Null
    );
    let e = field("equals", Value::Null).expect_err("missing");
    assert_eq!(msg(&e, "conditions.0.statement"), "The statement field is required.");
    let e = field("equals", json!(["a"])).expect_err("array only for equals_any");
    assert_eq!(msg(&e, "conditions.0.statement"), "The selected statement is invalid.");
}

#[test]
fn logic_and_condition_logic() {
    let c2 = json!({"conditionable_type": "Prerun", "conditionable_id": KO_NUM, "operation": "is_empty"});
    let mut c3 = c2.clone();
    c3["logic"] = json!("AND");
    let d =
        create(json!({"condition_logic": "OR", "conditions": [completed_s1(), c2, c3], "then_actions": [show_s2()]}))
            .expect("valid");
    let logics: Vec<&str> = d.def.conditions.iter().map(|c| c.logic.as_str()).collect();
    assert_eq!(logics, ["or", "or", "and"]);
    let positions: Vec<i64> = d.def.conditions.iter().map(|c| c.position).collect();
    assert_eq!(positions, [1, 2, 3]);
    assert!(!serde_json::to_string(&d.def).expect("json").contains("condition_logic"));

    let mut bad = completed_s1();
    bad["logic"] = json!("xor");
    let e = create(json!({"condition_logic": "nand", "conditions": [bad], "then_actions": [show_s2()]}))
        .expect_err("bad logic");
    assert_eq!(msg(&e, "conditions.0.logic"), "The selected logic is invalid.");
    assert_eq!(msg(&e, "condition_logic"), "The selected condition logic is invalid.");
}

#[test]
fn lists_are_required_and_non_empty() {
    let e = create(json!({})).expect_err("empty body");
    assert_eq!(msg(&e, "conditions"), "The conditions field is required.");
    assert_eq!(msg(&e, "then_actions"), "The then actions field is required.");
    let e = create(json!({"conditions": [], "then_actions": "x"})).expect_err("bad lists");
    assert_eq!(msg(&e, "conditions"), "The conditions field is required.");
    assert_eq!(msg(&e, "then_actions"), "The then actions must be an array.");
    let e = create(json!({"conditions": [1], "then_actions": [show_s2()]})).expect_err("entry");
    assert_eq!(msg(&e, "conditions.0"), "The conditions.0 must be an object.");
    let e = create(
        json!({"automated_alias": "x".repeat(301), "conditions": [completed_s1()], "then_actions": [show_s2()]}),
    )
    .expect_err("alias");
    assert!(e.has("automated_alias"));
    let d = create(json!({"alias": " Named ", "conditions": [completed_s1()], "then_actions": [show_s2()]}))
        .expect("alias alias");
    assert_eq!(d.def.automated_alias, "Named");
}

fn action(a: Value) -> Result<Draft, ValidationErrors> {
    create(json!({"conditions": [completed_s1()], "then_actions": [a]}))
}

#[test]
fn verbs_are_inferred_and_checked() {
    let d = action(json!({"action_type": "status", "target_step_id": S2})).expect("inferred reopen");
    assert_eq!(d.def.then_actions[0].action_verb, "reopen");
    let d = action(json!({"action_verb": "HIDE", "target_step_id": S2})).expect("type from verb");
    assert_eq!(d.def.then_actions[0].action_type, "visibility");
    let e = action(json!({"action_type": "visibility", "target_step_id": S2})).expect_err("two verbs");
    assert_eq!(
        msg(&e, "then_actions.0.action_verb"),
        "The action verb must be one of: show, hide."
    );
    let e = action(json!({"action_type": "assignment", "action_verb": "show", "target_step_id": S2}))
        .expect_err("pair outside the table");
    assert_eq!(
        msg(&e, "then_actions.0.action_verb"),
        "The action verb must be one of: assign, assign_only, unassign, clear_assignees."
    );
    let e = action(json!({"action_type": "launch", "target_step_id": S2})).expect_err("type");
    assert_eq!(
        msg(&e, "then_actions.0.action_type"),
        "The selected action type is invalid."
    );
    let e = action(json!({"action_type": "visibility", "action_verb": "show", "target_step_id": "nope"}))
        .expect_err("target");
    assert_eq!(
        msg(&e, "then_actions.0.target_step_id"),
        "The selected target step id is invalid."
    );
}

#[test]
fn deadline_actions() {
    let d = action(json!({"action_type": "deadline", "target_step_id": S2,
                          "deadline": {"value": "3", "unit": "Day", "option": "prior_to", "step": S1}}))
    .expect("valid");
    let dl = d.def.then_actions[0].deadline.clone().expect("deadline");
    assert_eq!((dl.value, dl.unit.as_str(), dl.option.as_str()), (3, "days", "before"));
    assert_eq!(dl.step.as_deref(), Some(S1));
    for anchor in [json!("start_run"), json!(CAP_DATE), Value::Null] {
        let a = json!({"action_type": "deadline", "target_step_id": S2,
                       "deadline": {"value": 1, "unit": "months", "option": "from", "step": anchor}});
        assert!(action(a).is_ok(), "{anchor}");
    }
    let e = action(json!({"action_type": "deadline", "target_step_id": S2, "deadline": {"value": 1, "unit": "days"}}))
        .expect_err("missing option");
    assert_eq!(
        msg(&e, "then_actions.0.deadline"),
        "The deadline needs value, unit and option."
    );
    let e = action(json!({"action_type": "deadline", "target_step_id": S2})).expect_err("missing deadline");
    assert_eq!(
        msg(&e, "then_actions.0.deadline"),
        "The deadline needs value, unit and option."
    );
    let e = action(json!({"action_type": "deadline", "target_step_id": S2,
                          "deadline": {"value": -1, "unit": "fortnights", "option": "around", "step": CAP_TEXT}}))
    .expect_err("bad pieces");
    assert_eq!(
        msg(&e, "then_actions.0.deadline.value"),
        "The deadline.value must be an integer."
    );
    assert_eq!(
        msg(&e, "then_actions.0.deadline.unit"),
        "The selected deadline.unit is invalid."
    );
    assert_eq!(
        msg(&e, "then_actions.0.deadline.option"),
        "The selected deadline.option is invalid."
    );
    assert_eq!(
        msg(&e, "then_actions.0.deadline.step"),
        "The selected deadline.step is invalid."
    );
}

#[test]
fn assignment_actions() {
    let d = action(
        json!({"action_type": "assignment", "action_verb": "assign", "target_step_id": S2,
                          "assignees": {"users": [1001], "guests": [], "groups": []}}),
    )
    .expect("listed");
    assert_eq!(
        d.pending_assignees,
        vec![(0, json!({"users": [1001], "guests": [], "groups": []}))]
    );
    let d = action(
        json!({"action_type": "assignment", "action_verb": "assign_only", "target_step_id": S2,
                          "actionable_id": KO_PEOPLE}),
    )
    .expect("from a kick-off field");
    assert_eq!(d.def.then_actions[0].actionable_type.as_deref(), Some("kickoff"));
    let d = action(
        json!({"action_type": "assignment", "action_verb": "unassign", "target_step_id": S2,
                          "actionable_id": CAP_PEOPLE, "actionable_type": "Prerun"}),
    )
    .expect("from a capture");
    assert_eq!(d.def.then_actions[0].actionable_type.as_deref(), Some("field"));
    assert!(
        action(json!({"action_type": "assignment", "action_verb": "clear_assignees", "target_step_id": S2})).is_ok()
    );
    let e = action(
        json!({"action_type": "assignment", "action_verb": "assign", "target_step_id": S2,
                          "assignees": {"users": []}}),
    )
    .expect_err("nobody");
    assert_eq!(
        msg(&e, "then_actions.0.assignees"),
        "The assignees field is required for this action."
    );
    let e = action(
        json!({"action_type": "assignment", "action_verb": "assign", "target_step_id": S2,
                          "actionable_id": CAP_TEXT}),
    )
    .expect_err("not an assignees_form field");
    assert_eq!(
        msg(&e, "then_actions.0.actionable_id"),
        "The selected actionable id is invalid."
    );
}

#[test]
fn webhook_actions() {
    let d = action(json!({"action_type": "webhook", "target_step_id": S2,
                          "webhook_url": "https://hooks.example.com/x", "alias_name": "ping"}))
    .expect("valid");
    assert_eq!(d.def.then_actions[0].action_verb, "emit_webhook");
    assert_eq!(d.def.then_actions[0].alias_name.as_deref(), Some("ping"));
    let e = action(json!({"action_type": "webhook", "target_step_id": S2, "webhook_url": "ftp://x"})).expect_err("bad");
    assert_eq!(
        msg(&e, "then_actions.0.webhook_url"),
        "The webhook url must be a valid URL."
    );
    assert_eq!(
        msg(&e, "then_actions.0.alias_name"),
        "The alias name field is required."
    );
}

#[test]
fn a_rule_cannot_reopen_the_step_it_watches() {
    let e = create(json!({"conditions": [completed_s1()], "then_actions": [show_s2(),
            {"action_type": "status", "action_verb": "reopen", "target_step_id": S1}]}))
    .expect_err("self reopen");
    assert_eq!(
        msg(&e, "then_actions.1.target_step_id"),
        "A status action cannot reopen the step its own rule watches."
    );
    assert!(
        create(json!({"conditions": [completed_s1()], "then_actions": [
            {"action_type": "status", "action_verb": "reopen", "target_step_id": S3}]}))
        .is_ok()
    );
}

#[test]
fn update_syncs_entries_by_id() {
    let stored = create(json!({"conditions": [completed_s1(),
            {"conditionable_type": "Prerun", "conditionable_id": KO_NUM, "operation": "greater_than", "statement": 5, "logic": "or"}],
        "then_actions": [show_s2(), {"action_type": "deadline", "target_step_id": S3,
            "deadline": {"value": 2, "unit": "days", "option": "from"}}]}))
    .expect("stored")
    .def;
    let (c0, c1) = (stored.conditions[0].id.clone(), stored.conditions[1].id.clone());
    let a1 = stored.then_actions[1].id.clone();

    // The SDK's form: the stored rule echoed back with one change.
    let mut echoed = serde_json::to_value(&stored).expect("json");
    echoed["conditions"][1]["statement"] = json!(7);
    echoed["id"] = json!("ignored");
    let d = update(&stored, echoed).expect("echo");
    assert_eq!(d.def.conditions[1].id, c1);
    assert_eq!(d.def.conditions[1].statement, json!(7));
    assert_eq!(d.def.conditions[1].logic, "or");
    assert_eq!(d.def.then_actions, stored.then_actions);

    // Known ids update (partially), unknown ids create, unsent are deleted; order decides.
    let d = update(
        &stored,
        json!({"automated_alias": "Renamed", "conditions": [
            {"id": c1, "statement": 9},
            {"id": "unknown", "conditionable_type": "Step", "conditionable_id": S3, "operation": "not_assigned"}]}),
    )
    .expect("sync");
    assert_eq!(d.def.automated_alias, "Renamed");
    assert_eq!(d.def.conditions.len(), 2);
    assert_eq!(d.def.conditions[0].id, c1);
    assert_eq!(d.def.conditions[0].position, 1);
    assert_eq!(d.def.conditions[0].operation, "greater_than");
    assert_eq!(d.def.conditions[0].statement, json!(9));
    assert_ne!(d.def.conditions[1].id, "unknown");
    assert!(d.def.conditions.iter().all(|c| c.id != c0));
    assert_eq!(
        d.def.then_actions, stored.then_actions,
        "actions untouched when not sent"
    );

    let d = update(
        &stored,
        json!({"then_actions": [{"id": a1, "deadline": {"value": 1, "unit": "week", "option": "before"}}]}),
    )
    .expect("action update");
    assert_eq!(d.def.then_actions.len(), 1);
    assert_eq!(d.def.then_actions[0].id, a1);
    assert_eq!(
        d.def.then_actions[0].deadline.as_ref().map(|x| x.unit.as_str()),
        Some("weeks")
    );

    let e = update(&stored, json!({"conditions": []})).expect_err("empty list");
    assert_eq!(msg(&e, "conditions"), "The conditions field is required.");
    let e = update(
        &stored,
        json!({"then_actions": [{"action_type": "status", "target_step_id": S1}]}),
    )
    .expect_err("reopen of a watched step, with stored conditions");
    assert!(e.has("then_actions.0.target_step_id"));
    let d = update(&stored, json!({})).expect("nothing");
    assert_eq!(d.def, stored);
}
