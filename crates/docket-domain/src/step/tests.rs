//! Unit tests of the parent module.

use super::*;

fn read(v: Value, create: bool) -> (StepPatch, ValidationErrors) {
    let mut e = ValidationErrors::new();
    let p = parse(v.as_object().expect("object"), create, &mut e);
    (p, e)
}

fn msg(e: &ValidationErrors, k: &str) -> String {
    e.entries()
        .iter()
        .find(|(x, _)| x == k)
        .map(|(_, m)| m[0].clone())
        .unwrap_or_else(|| panic!("no error on {k}: {e:?}"))
}

#[test]
fn create_defaults_and_normalisation() {
    let (p, e) = read(
        json!({"title": " Review ", "deadline": {"value": "2", "unit": "Day", "option": "before", "step": null},
               "start_date": {"value": 1, "unit": "weeks"}, "TopSecret": "yes", "bp_to_launch": "abc",
               "roles": [], "position": 7, "checklist_id": "ignored"}),
        true,
    );
    assert!(e.is_empty(), "{e:?}");
    let d = p.apply(&StepDef::default());
    assert_eq!(d.title, "Review");
    assert_eq!(d.step_type, "task");
    assert!(d.assign_run_starter && d.is_soft_start_date && d.allow_guest_owners && d.top_secret);
    assert_eq!(
        d.deadline,
        Some(StepDeadline {
            value: 2,
            unit: "days".into(),
            option: "prior_to".into(),
            step: START_RUN.into()
        })
    );
    assert_eq!(
        d.start_date,
        Some(StepStartDate {
            value: 1,
            unit: "weeks".into()
        })
    );
    assert_eq!(
        d.bp_to_launch,
        Some(json!({"id": "abc", "default_name_format": null, "tasks_within_process": null}))
    );
    assert_eq!(p.position, None, "position is ignored on create");
}

#[test]
fn bad_input_is_reported_per_key() {
    let (_, e) = read(
        json!({"step_type": "meeting", "deadline": {"value": -1, "unit": "fortnight", "option": "around"},
               "start_date": {"unit": "days"}, "max_assignable": -2, "roles": [{"id": 1}], "webhook": "ftp://x"}),
        true,
    );
    assert_eq!(msg(&e, "title"), "The title field is required.");
    assert_eq!(msg(&e, "step_type"), "The selected step type is invalid.");
    assert_eq!(msg(&e, "deadline.value"), "The deadline.value must be an integer.");
    assert_eq!(msg(&e, "deadline.unit"), "The selected deadline.unit is invalid.");
    assert_eq!(msg(&e, "deadline.option"), "The selected deadline.option is invalid.");
    assert_eq!(msg(&e, "start_date.value"), "The start_date.value must be an integer.");
    assert_eq!(msg(&e, "max_assignable"), "The max assignable must be at least 0.");
    assert_eq!(msg(&e, "roles"), "Roles are not supported.");
    assert_eq!(msg(&e, "webhook"), "The webhook must be a valid URL.");
    let (_, e) = read(json!({"title": null, "position": 0}), false);
    assert_eq!(msg(&e, "title"), "The title field is required.");
    assert_eq!(msg(&e, "position"), "The position must be at least 1.");
}

#[test]
fn updates_are_partial_and_buckets_replace() {
    let current = StepDef {
        title: "A".into(),
        assignees: vec![1, 2],
        guests: vec!["g@x.com".into()],
        deadline: Some(StepDeadline {
            value: 1,
            unit: "days".into(),
            option: "from".into(),
            step: START_RUN.into(),
        }),
        ..StepDef::default()
    };
    let (mut p, e) = read(
        json!({"summary": "<p>x</p>", "deadline": null, "allow_guest_owners": false}),
        false,
    );
    assert!(e.is_empty());
    p.assignees = Some(vec![3]);
    let d = p.apply(&current);
    assert_eq!(d.title, "A");
    assert_eq!(d.assignees, [3]);
    assert_eq!(d.guests, ["g@x.com"]);
    assert_eq!(d.deadline, None);
    assert!(!d.allow_guest_owners);
    assert_eq!(d.summary.as_deref(), Some("<p>x</p>"));
}

#[test]
fn max_assignable_caps_direct_assignees() {
    let mut e = ValidationErrors::new();
    let d = StepDef {
        max_assignable: 1,
        assignees: vec![1],
        groups: vec!["g".into()],
        ..StepDef::default()
    };
    check(&d, &mut e);
    assert_eq!(msg(&e, "assignees"), "The step may not have more than 1 assignees.");
    let mut e = ValidationErrors::new();
    check(
        &StepDef {
            max_assignable: 0,
            assignees: vec![1, 2, 3],
            ..StepDef::default()
        },
        &mut e,
    );
    assert!(e.is_empty());
}

#[test]
fn anchors_must_exist_and_not_loop() {
    let s = |id: &str, a: Option<&str>| (id.to_string(), a.map(str::to_string));
    let steps = vec![
        s("a", None),
        s("b", Some("a")),
        s("c", Some("b")),
        s("d", Some(START_RUN)),
    ];
    assert_eq!(check_anchor("a", Some(START_RUN), &steps), Ok(()));
    assert_eq!(check_anchor("a", None, &steps), Ok(()));
    assert_eq!(check_anchor("d", Some("c"), &steps), Ok(()));
    assert_eq!(check_anchor("a", Some("zz"), &steps), Err(AnchorProblem::Invalid));
    assert_eq!(check_anchor("a", Some("a"), &steps), Err(AnchorProblem::Invalid));
    assert_eq!(check_anchor("a", Some("c"), &steps), Err(AnchorProblem::Loop));
    let mut with_new = steps.clone();
    with_new.push(s("new", None));
    assert_eq!(check_anchor("new", Some("c"), &with_new), Ok(()));
    assert_eq!(AnchorProblem::Loop.message(), LOOP);
}

#[test]
fn moves_clamp() {
    let ids: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
    assert_eq!(moved(&ids, "a", 99), ["b", "c", "a"]);
    assert_eq!(moved(&ids, "c", 1), ["c", "a", "b"]);
    assert_eq!(moved(&ids, "b", 0), ["b", "a", "c"]);
    assert_eq!(moved(&ids, "x", 1), ["a", "b", "c"]);
    assert_eq!(unit("Month"), Some("months"));
    assert_eq!(unit("minute"), Some("minutes"));
    assert_eq!(unit("s"), None);
    assert!(can_edit_templates(Role::Standard) && !can_edit_templates(Role::Light));
}
