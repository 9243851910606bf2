//! The rule engine: conditions, combination, visibility as a level, edge-triggered actions.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::definition::{CAP_DATE, CAP_PEOPLE, CAP_TEXT, KO_NUM, KO_PEOPLE, S1, S2, S3};
use crate::automation::evaluate::{AUTO_SKIPPED, Outcome, RunState, TaskState, evaluate};
use crate::automation::items::FieldShape;
use crate::automation::{Action, ActionDeadline, Assignees, Condition, Rule, RuleDef};
use crate::time::parse_datetime;

fn at(s: &str) -> i64 {
    parse_datetime(s).expect("date")
}

fn task(id: &str) -> TaskState {
    TaskState {
        task_id: format!("task-{id}"),
        status: "not-started".into(),
        deadline: Some(at("2025-01-10T12:00:00Z")),
        owners: Assignees {
            users: vec![1],
            ..Assignees::default()
        },
        ..TaskState::default()
    }
}

fn shape(ty: &str) -> FieldShape {
    FieldShape {
        field_type: ty.into(),
        columns: Vec::new(),
    }
}

fn run() -> RunState {
    let mut tasks = BTreeMap::new();
    for s in [S1, S2, S3] {
        tasks.insert(s.to_string(), task(s));
    }
    let mut fields = BTreeMap::new();
    fields.insert(CAP_TEXT.to_string(), shape("text"));
    fields.insert(CAP_DATE.to_string(), shape("date"));
    fields.insert(CAP_PEOPLE.to_string(), shape("assignees_form"));
    fields.insert(KO_NUM.to_string(), shape("number"));
    fields.insert(KO_PEOPLE.to_string(), shape("assignees_form"));
    let mut prerun = Map::new();
    prerun.insert(KO_NUM.into(), Value::Null);
    prerun.insert(KO_PEOPLE.into(), Value::Null);
    RunState {
        started_at: at("2025-01-01T09:00:00Z"),
        tasks,
        prerun,
        fields,
    }
}

fn cond(kind: &str, id: &str, op: &str, statement: Value, logic: &str) -> Condition {
    Condition {
        id: format!("c-{id}-{op}"),
        conditionable_id: id.into(),
        conditionable_type: kind.into(),
        operation: op.into(),
        statement,
        logic: logic.into(),
        position: 0,
        column_contains_name: None,
    }
}

fn act(verb: &str, target: &str) -> Action {
    let kind = match verb {
        "show" | "hide" => "visibility",
        "deadline" => "deadline",
        "reopen" => "status",
        "emit_webhook" => "webhook",
        _ => "assignment",
    };
    Action {
        id: format!("a-{verb}-{target}"),
        action_type: kind.into(),
        action_verb: verb.into(),
        target_step_id: target.into(),
        ..Action::default()
    }
}

fn rule(id: &str, conditions: Vec<Condition>, actions: Vec<Action>) -> Rule {
    let conditions = conditions
        .into_iter()
        .enumerate()
        .map(|(i, mut c)| {
            c.position = i as i64 + 1;
            c
        })
        .collect();
    let then_actions = actions
        .into_iter()
        .enumerate()
        .map(|(i, mut a)| {
            a.position = i as i64 + 1;
            a
        })
        .collect();
    Rule {
        id: id.into(),
        def: RuleDef {
            automated_alias: format!("Rule {id}"),
            conditions,
            then_actions,
        },
    }
}

fn eval(rules: &[Rule], state: &RunState) -> Outcome {
    evaluate(rules, state, &BTreeMap::new())
}

fn complete(state: &mut RunState, step: &str, when: &str, approved: Option<bool>) {
    let t = state.tasks.get_mut(step).expect("task");
    t.status = "completed".into();
    t.completed_at = Some(at(when));
    t.is_approved = approved;
}

fn step_rule(op: &str, clause: &str) -> Rule {
    rule(
        "r",
        vec![cond("Step", S1, op, json!(clause), "and")],
        vec![act("show", S2)],
    )
}

#[test]
fn a_step_with_a_show_rule_starts_hidden_and_appears_when_the_rule_holds() {
    let rules = vec![step_rule("completed", "any_time")];
    let mut state = run();
    let out = eval(&rules, &state);
    assert_eq!(out.visible.get(S2), Some(&false));
    assert_eq!(out.visible.get(S3), Some(&true));
    assert_eq!(out.state.tasks[S2].status, AUTO_SKIPPED);
    assert_eq!(out.state.tasks[S2].skipped_status.as_deref(), Some("not-started"));
    assert_eq!(out.changes.len(), 1);
    assert_eq!(out.changes[0].status.as_deref(), Some(AUTO_SKIPPED));
    assert_eq!(out.results.get("r"), Some(&false));

    // The next request completes S1: S2 comes back with its kept status.
    state = out.state;
    state.tasks.get_mut(S2).expect("s2").skipped_status = Some("in-progress".into());
    complete(&mut state, S1, "2025-01-05T00:00:00Z", None);
    let out = evaluate(&rules, &state, &out.results);
    assert_eq!(out.visible.get(S2), Some(&true));
    assert_eq!(out.state.tasks[S2].status, "in-progress");
    assert_eq!(out.state.tasks[S2].skipped_status, None);
    assert_eq!(out.results.get("r"), Some(&true));
}

#[test]
fn hide_rules_win_and_completed_tasks_stay_visible() {
    let hide = rule(
        "h",
        vec![cond("Prerun", KO_NUM, "is_empty", Value::Null, "and")],
        vec![act("hide", S2), act("hide", S3)],
    );
    let show = rule(
        "s",
        vec![cond("Prerun", KO_NUM, "is_empty", Value::Null, "and")],
        vec![act("show", S2)],
    );
    let mut state = run();
    complete(&mut state, S3, "2025-01-02T00:00:00Z", None);
    let out = eval(&[hide, show], &state);
    assert_eq!(
        out.visible.get(S2),
        Some(&false),
        "a true hide rule beats a true show rule"
    );
    assert_eq!(out.visible.get(S3), Some(&true), "completed tasks stay visible");
    assert_eq!(out.state.tasks[S3].status, "completed");
}

#[test]
fn step_conditions_of_hidden_tasks_are_false() {
    // S1 is hidden (its show rule never holds), so a rule on "S1 not assigned" stays false.
    let never = rule(
        "n",
        vec![cond("Prerun", KO_NUM, "is_not_empty", Value::Null, "and")],
        vec![act("show", S1)],
    );
    let mut state = run();
    state.tasks.get_mut(S1).expect("s1").owners = Assignees::default();
    let watch = rule(
        "w",
        vec![cond("Step", S1, "not_assigned", json!("any_time"), "and")],
        vec![act("hide", S3)],
    );
    let out = eval(&[never, watch], &state);
    assert_eq!(out.state.tasks[S1].status, AUTO_SKIPPED);
    assert_eq!(out.results.get("w"), Some(&false));
    assert_eq!(out.visible.get(S3), Some(&true));
}

#[test]
fn step_operations_and_time_clauses() {
    let due = "2025-01-10T12:00:00Z";
    let cases: &[(&str, &str, Option<bool>, &str, bool)] = &[
        ("completed", "any_time", None, "2025-02-01T00:00:00Z", true),
        ("completed", "on-time", None, due, true),
        ("completed", "on-time", None, "2025-01-10T12:00:01Z", false),
        ("completed", "early_24", None, "2025-01-09T12:00:00Z", true),
        ("completed", "early_24", None, "2025-01-09T12:00:01Z", false),
        ("completed", "late_24", None, "2025-01-11T12:00:00Z", false),
        ("completed", "late_24", None, "2025-01-11T12:00:01Z", true),
        ("approved", "any_time", Some(true), due, true),
        ("approved", "any_time", Some(false), due, false),
        ("rejected", "any_time", Some(false), due, true),
        ("acknowledged", "any_time", Some(true), due, true),
        ("expired", "any_time", Some(false), due, true),
        ("expired", "any_time", None, due, false),
    ];
    for (op, clause, approved, when, want) in cases {
        let mut state = run();
        complete(&mut state, S1, when, *approved);
        let out = eval(&[step_rule(op, clause)], &state);
        assert_eq!(out.results.get("r"), Some(want), "{op} {clause} {approved:?} {when}");
    }
    // Not completed: none of the completion operations hold.
    let out = eval(&[step_rule("completed", "any_time")], &run());
    assert_eq!(out.results.get("r"), Some(&false));
    // Reopened: reopened once and not completed now.
    let mut state = run();
    state.tasks.get_mut(S1).expect("s1").was_reopened = true;
    assert_eq!(
        eval(&[step_rule("reopened", "any_time")], &state).results.get("r"),
        Some(&true)
    );
    complete(&mut state, S1, due, None);
    assert_eq!(
        eval(&[step_rule("reopened", "any_time")], &state).results.get("r"),
        Some(&false)
    );
    // Not assigned.
    let mut state = run();
    assert_eq!(
        eval(&[step_rule("not_assigned", "any_time")], &state).results.get("r"),
        Some(&false)
    );
    state.tasks.get_mut(S1).expect("s1").owners = Assignees::default();
    assert_eq!(
        eval(&[step_rule("not_assigned", "any_time")], &state).results.get("r"),
        Some(&true)
    );
    // A step that is not in the run.
    let gone = rule(
        "r",
        vec![cond("Step", "gone", "not_assigned", json!("any_time"), "and")],
        vec![act("show", S2)],
    );
    assert_eq!(eval(&[gone], &run()).results.get("r"), Some(&false));
}

#[test]
fn conditions_combine_left_to_right_without_precedence() {
    // true OR false AND false = (true OR false) AND false = false; with precedence it would be true.
    let t = || cond("Prerun", KO_NUM, "is_empty", Value::Null, "and");
    let f = |logic: &str| cond("Prerun", KO_NUM, "is_not_empty", Value::Null, logic);
    let mut t_or = t();
    t_or.logic = "or".into();
    let r = rule("r", vec![t(), f("or"), f("and")], vec![act("hide", S2)]);
    assert_eq!(eval(&[r], &run()).results.get("r"), Some(&false));
    let r = rule("r", vec![f("and"), t_or.clone(), f("and")], vec![act("hide", S2)]);
    assert_eq!(eval(&[r], &run()).results.get("r"), Some(&false));
    let r = rule("r", vec![f("and"), f("and"), t_or], vec![act("hide", S2)]);
    assert_eq!(eval(&[r], &run()).results.get("r"), Some(&true));
    // The first condition's logic is not used.
    let r = rule("r", vec![f("or")], vec![act("hide", S2)]);
    assert_eq!(eval(&[r], &run()).results.get("r"), Some(&false));
}

#[test]
fn capture_and_kickoff_conditions_read_the_run() {
    let mut state = run();
    state
        .tasks
        .get_mut(S1)
        .expect("s1")
        .taskdata
        .insert(CAP_TEXT.into(), json!("urgent order"));
    state.prerun.insert(KO_NUM.into(), json!(20000));
    let r = rule(
        "r",
        vec![
            cond("Capture", CAP_TEXT, "contains", json!("urgent"), "and"),
            cond("Prerun", KO_NUM, "greater_than", json!("10000"), "and"),
        ],
        vec![act("hide", S3)],
    );
    let out = eval(&[r], &state);
    assert_eq!(out.results.get("r"), Some(&true));
    assert_eq!(out.visible.get(S3), Some(&false));
    let unknown = rule(
        "u",
        vec![cond("Capture", "nope", "is_empty", Value::Null, "and")],
        vec![act("hide", S3)],
    );
    assert_eq!(eval(&[unknown], &state).results.get("u"), Some(&false));
}

fn deadline_act(target: &str, value: i64, unit: &str, option: &str, step: Option<&str>) -> Action {
    let mut a = act("deadline", target);
    a.deadline = Some(ActionDeadline {
        value,
        unit: unit.into(),
        option: option.into(),
        step: step.map(str::to_string),
    });
    a
}

fn always() -> Condition {
    cond("Prerun", KO_NUM, "is_empty", Value::Null, "and")
}

#[test]
fn deadline_actions_use_their_anchor() {
    let state = {
        let mut s = run();
        s.tasks.get_mut(S1).expect("s1").deadline = Some(at("2025-01-31T10:00:00Z"));
        s.tasks
            .get_mut(S1)
            .expect("s1")
            .taskdata
            .insert(CAP_DATE.into(), json!("2025-03-01"));
        s
    };
    let cases: Vec<(Action, Option<i64>)> = vec![
        (
            deadline_act(S2, 2, "days", "from", None),
            Some(at("2025-01-12T12:00:00Z")),
        ),
        (
            deadline_act(S2, 3, "hours", "before", Some("start_run")),
            Some(at("2025-01-01T06:00:00Z")),
        ),
        (
            deadline_act(S2, 1, "months", "from", Some(S1)),
            Some(at("2025-02-28T10:00:00Z")),
        ),
        (
            deadline_act(S2, 1, "weeks", "before", Some(S1)),
            Some(at("2025-01-24T10:00:00Z")),
        ),
        (
            deadline_act(S2, 30, "minutes", "from", Some(CAP_DATE)),
            Some(at("2025-03-01T00:30:00Z")),
        ),
    ];
    for (a, want) in cases {
        let out = eval(&[rule("r", vec![always()], vec![a.clone()])], &state);
        assert_eq!(out.state.tasks[S2].deadline, want, "{:?}", a.deadline);
        assert_eq!(out.changes.len(), 1);
        assert_eq!(out.changes[0].deadline, want);
    }
    // An empty date field anchor does nothing; a completed target is left alone.
    let mut s = state.clone();
    s.tasks
        .get_mut(S1)
        .expect("s1")
        .taskdata
        .insert(CAP_DATE.into(), Value::Null);
    let out = eval(
        &[rule(
            "r",
            vec![always()],
            vec![deadline_act(S2, 1, "days", "from", Some(CAP_DATE))],
        )],
        &s,
    );
    assert!(out.changes.is_empty());
    let mut s = state.clone();
    complete(&mut s, S2, "2025-01-02T00:00:00Z", None);
    let out = eval(
        &[rule(
            "r",
            vec![always()],
            vec![deadline_act(S2, 1, "days", "from", None)],
        )],
        &s,
    );
    assert!(out.changes.is_empty());
}

#[test]
fn actions_are_edges_not_levels() {
    let r = rule("r", vec![always()], vec![deadline_act(S2, 1, "days", "from", None)]);
    let state = run();
    let first = eval(std::slice::from_ref(&r), &state);
    assert_eq!(first.changes.len(), 1);
    // Same state, remembered result true: nothing runs again.
    let again = evaluate(std::slice::from_ref(&r), &first.state, &first.results);
    assert!(again.changes.is_empty());
    assert_eq!(again.results.get("r"), Some(&true));
}

fn people(users: &[i64]) -> Assignees {
    Assignees {
        users: users.to_vec(),
        ..Assignees::default()
    }
}

fn assign(verb: &str, listed: Option<Assignees>, field: Option<(&str, &str)>) -> Action {
    let mut a = act(verb, S2);
    a.assignees = listed;
    if let Some((id, kind)) = field {
        a.actionable_id = Some(id.into());
        a.actionable_type = Some(kind.into());
    }
    a
}

#[test]
fn assignment_verbs() {
    let cases = [
        ("assign", vec![1, 2, 3]),
        ("assign_only", vec![2, 3]),
        ("unassign", vec![]),
        ("clear_assignees", vec![]),
    ];
    for (verb, want) in cases {
        let mut state = run();
        state.tasks.get_mut(S2).expect("s2").owners = people(if verb == "unassign" { &[2, 3] } else { &[1] });
        let out = eval(
            &[rule(
                "r",
                vec![always()],
                vec![assign(verb, Some(people(&[2, 3])), None)],
            )],
            &state,
        );
        assert_eq!(out.state.tasks[S2].owners.users, want, "{verb}");
    }
    let out = eval(
        &[rule(
            "r",
            vec![always()],
            vec![assign("assign", Some(people(&[2])), None)],
        )],
        &run(),
    );
    assert_eq!(out.changes[0].added, people(&[2]));
}

#[test]
fn assignment_from_a_field_falls_back_to_the_listed_people() {
    let r = rule(
        "r",
        vec![always()],
        vec![assign("assign_only", Some(people(&[9])), Some((KO_PEOPLE, "kickoff")))],
    );
    let out = eval(std::slice::from_ref(&r), &run());
    assert_eq!(
        out.state.tasks[S2].owners.users,
        [9],
        "empty field: the action's assignees"
    );
    let mut state = run();
    state.prerun.insert(
        KO_PEOPLE.into(),
        json!({"users": [7, {"id": 8}], "guests": ["g@x.io"], "groups": []}),
    );
    let out = eval(std::slice::from_ref(&r), &state);
    assert_eq!(out.state.tasks[S2].owners.users, [7, 8]);
    assert_eq!(out.state.tasks[S2].owners.guests, ["g@x.io"]);
    let mut state = run();
    state
        .tasks
        .get_mut(S2)
        .expect("s2")
        .taskdata
        .insert(CAP_PEOPLE.into(), json!({"users": [5]}));
    let r = rule(
        "r",
        vec![always()],
        vec![assign("assign", None, Some((CAP_PEOPLE, "field")))],
    );
    assert_eq!(eval(&[r], &state).state.tasks[S2].owners.users, [1, 5]);
}

#[test]
fn max_assignable_and_completed_targets_block_assignment() {
    let mut state = run();
    state.tasks.get_mut(S2).expect("s2").max_assignable = 2;
    let r = rule("r", vec![always()], vec![assign("assign", Some(people(&[2, 3])), None)]);
    assert!(eval(std::slice::from_ref(&r), &state).changes.is_empty());
    let r2 = rule("r", vec![always()], vec![assign("assign", Some(people(&[2])), None)]);
    assert_eq!(eval(&[r2], &state).state.tasks[S2].owners.users, [1, 2]);
    let mut state = run();
    complete(&mut state, S2, "2025-01-02T00:00:00Z", None);
    assert!(eval(&[r], &state).changes.is_empty());
}

#[test]
fn reopen_and_webhook_actions() {
    let mut state = run();
    complete(&mut state, S2, "2025-01-02T00:00:00Z", Some(true));
    let mut hook = act("emit_webhook", S3);
    hook.webhook_url = Some("https://hooks.example.com/a".into());
    hook.alias_name = Some("ping".into());
    let r = rule("r", vec![always()], vec![act("reopen", S2), hook]);
    let out = eval(std::slice::from_ref(&r), &state);
    let t = &out.state.tasks[S2];
    assert_eq!(
        (t.status.as_str(), t.completed_at, t.is_approved, t.was_reopened),
        ("in-progress", None, None, true)
    );
    assert!(out.changes.iter().any(|c| c.step_id == S2 && c.reopened));
    assert_eq!(out.webhooks.len(), 1);
    assert_eq!(out.webhooks[0].task_id, format!("task-{S3}"));
    assert_eq!(out.webhooks[0].alias_name, "ping");
    assert_eq!(out.webhooks[0].automated_alias, "Rule r");
    // Not completed: reopen does nothing.
    assert!(
        eval(&[rule("r", vec![always()], vec![act("reopen", S3)])], &run())
            .changes
            .is_empty()
    );
}

#[test]
fn passes_repeat_until_nothing_changes() {
    // Rule a reopens nothing but sets S1's owners empty; rule b fires on "S1 not assigned" in a
    // later pass and moves S3's deadline.
    let a = rule("a", vec![always()], vec![assign("clear_assignees", None, None)]);
    let mut a = a;
    a.def.then_actions[0].target_step_id = S1.into();
    let b = rule(
        "b",
        vec![cond("Step", S1, "not_assigned", json!("any_time"), "and")],
        vec![deadline_act(S3, 1, "days", "from", Some("start_run"))],
    );
    let out = eval(&[b, a], &run());
    assert_eq!(out.results.get("a"), Some(&true));
    assert_eq!(out.results.get("b"), Some(&true));
    assert_eq!(out.state.tasks[S3].deadline, Some(at("2025-01-02T09:00:00Z")));
    assert_eq!(out.changes.len(), 2);
}

#[test]
fn oscillating_rules_stop_after_the_pass_limit() {
    // Hiding S1 makes "S1 not assigned" false, which shows it, which makes the rule true…
    let mut state = run();
    state.tasks.get_mut(S1).expect("s1").owners = Assignees::default();
    let r = rule(
        "r",
        vec![cond("Step", S1, "not_assigned", json!("any_time"), "and")],
        vec![act("hide", S1)],
    );
    let out = eval(&[r], &state);
    // Pass 1 hides, pass 2 shows, …; the tenth pass shows it again and evaluation stops.
    assert_eq!(out.state.tasks[S1].status, "not-started");
    assert_eq!(out.visible.get(S1), Some(&true));
}

#[test]
fn stored_rules_round_trip_through_json() {
    let r = rule(
        "r",
        vec![always()],
        vec![deadline_act(S2, 1, "days", "before", None), act("show", S3)],
    );
    let text = serde_json::to_string(&r).expect("json");
    let back: Rule = serde_json::from_str(&text).expect("parse");
    assert_eq!(back, r);
    let v: Value = serde_json::from_str(&text).expect("value");
    assert_eq!(v["automated_alias"], "Rule r");
    assert_eq!(v["then_actions"][0]["deadline"]["option"], "before");
}
