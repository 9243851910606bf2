//! The plan of a launch's tasks: dates, assignees and the cap on assignees, per step.

use std::collections::HashMap;

use super::Assignees;
use crate::schedule::{self, DeadlineInput, StartOffset, StepDeadline};
use crate::task_rules::{self, Refusal};
use crate::time::Millis;
use crate::validation::ValidationErrors;

/// A step as the plan needs it.
#[derive(Debug, Clone, Default)]
pub struct StepPlanInput {
    /// Step id.
    pub id: String,
    /// Deadline rule.
    pub deadline: Option<StepDeadline>,
    /// Start date rule.
    pub start_date: Option<StartOffset>,
    /// While true, `start_date` is ignored.
    pub is_soft_start_date: bool,
    /// Assign the launcher when nobody else is.
    pub assign_run_starter: bool,
    /// Cap on direct assignees (0 = none).
    pub max_assignable: i64,
    /// The step's own assignees.
    pub owners: Assignees,
}

/// A resolved override.
#[derive(Debug, Clone, Default)]
pub struct TaskOverride {
    /// Replaces the step's assignees.
    pub owners: Option<Assignees>,
    /// Absolute deadline.
    pub deadline: Option<Millis>,
    /// Absolute start.
    pub started_at: Option<Millis>,
    /// Cap on assignees.
    pub max_assignable: Option<i64>,
}

/// What one launched task starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskPlan {
    /// Start.
    pub started_at: Millis,
    /// Deadline.
    pub deadline: Millis,
    /// Assignees.
    pub owners: Assignees,
    /// Cap on assignees.
    pub max_assignable: i64,
}

/// The tasks of a launch, one per step in step order: dates from the overrides and step rules
/// (run start `start`, `fallback` for steps without a deadline rule), assignees from the
/// override, else the step, else the launcher `caller` when the step says so; the cap on
/// assignees is checked (errors under `tasks.{step}.owners`).
pub fn plan(
    steps: &[StepPlanInput],
    overrides: &HashMap<String, TaskOverride>,
    start: Millis,
    caller: i64,
    fallback: impl Fn(Millis) -> Millis,
    errors: &mut ValidationErrors,
) -> Vec<TaskPlan> {
    let none = TaskOverride::default();
    let over = |id: &str| overrides.get(id).unwrap_or(&none);
    let inputs: Vec<DeadlineInput<'_>> = steps
        .iter()
        .map(|s| DeadlineInput {
            step_id: &s.id,
            fixed: over(&s.id).deadline,
            rule: s.deadline.as_ref(),
        })
        .collect();
    let deadlines = schedule::deadlines(&inputs, start, fallback);
    steps
        .iter()
        .zip(deadlines)
        .map(|(s, deadline)| {
            let o = over(&s.id);
            let started_at = match (o.started_at, s.start_date) {
                (Some(at), _) => at,
                (None, Some(offset)) if !s.is_soft_start_date => offset.after(start),
                _ => start,
            };
            let mut owners = o.owners.clone().unwrap_or_else(|| s.owners.clone());
            if owners.is_empty() && s.assign_run_starter {
                owners.users.push(caller);
            }
            let max_assignable = o.max_assignable.unwrap_or(s.max_assignable);
            if let Err(Refusal::TooManyAssignees(n)) = task_rules::check_max_assignable(max_assignable, owners.count())
            {
                errors.add(
                    format!("tasks.{}.owners", s.id),
                    format!("The task may not have more than {n} assignees."),
                );
            }
            TaskPlan {
                started_at,
                deadline,
                owners,
                max_assignable,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::{Anchor, Direction, Unit};
    use crate::time::{format_ts, parse_datetime};

    #[test]
    fn the_contract_example_plans_both_tasks() {
        let start = parse_datetime("2025-06-02T09:00:00Z").unwrap();
        let collect = StepPlanInput {
            id: "5e1f".into(),
            deadline: Some(StepDeadline {
                value: 2,
                unit: Unit::Days,
                option: Direction::From,
                anchor: Anchor::StartRun,
            }),
            is_soft_start_date: true,
            assign_run_starter: true,
            owners: Assignees {
                groups: vec!["7b1e".into()],
                ..Default::default()
            },
            ..Default::default()
        };
        let review = StepPlanInput {
            id: "c3d4".into(),
            deadline: Some(StepDeadline {
                value: 1,
                unit: Unit::Days,
                option: Direction::From,
                anchor: Anchor::Step("5e1f".into()),
            }),
            is_soft_start_date: true,
            assign_run_starter: true,
            ..Default::default()
        };
        let mut overrides = HashMap::new();
        overrides.insert(
            "5e1f".to_string(),
            TaskOverride {
                owners: Some(Assignees {
                    users: vec![1005],
                    ..Default::default()
                }),
                ..Default::default()
            },
        );
        let mut errors = ValidationErrors::new();
        let got = plan(&[collect, review], &overrides, start, 1001, |s| s, &mut errors);
        assert!(errors.is_empty());
        assert_eq!(format_ts(got[0].deadline), "2025-06-04T09:00:00.000Z");
        assert_eq!(format_ts(got[1].deadline), "2025-06-05T09:00:00.000Z");
        assert_eq!(got[0].owners.users, vec![1005]);
        assert!(got[0].owners.groups.is_empty());
        assert_eq!(got[1].owners.users, vec![1001]);
        assert_eq!(got[0].started_at, start);
    }

    #[test]
    fn start_dates_defaults_and_the_cap() {
        let start = 1_000_000;
        let step = StepPlanInput {
            id: "a".into(),
            start_date: Some(StartOffset {
                value: 1,
                unit: Unit::Hours,
            }),
            is_soft_start_date: false,
            assign_run_starter: false,
            max_assignable: 1,
            owners: Assignees {
                users: vec![1, 2],
                ..Default::default()
            },
            ..Default::default()
        };
        let soft = StepPlanInput {
            id: "b".into(),
            is_soft_start_date: true,
            ..step.clone()
        };
        let mut errors = ValidationErrors::new();
        let got = plan(&[step.clone(), soft], &HashMap::new(), start, 9, |s| s + 7, &mut errors);
        assert_eq!(got[0].started_at, start + 3_600_000);
        assert_eq!(got[1].started_at, start);
        assert_eq!(got[0].deadline, start + 7);
        assert!(errors.has("tasks.a.owners"));
        assert_eq!(
            errors.entries()[0].1,
            vec!["The task may not have more than 1 assignees.".to_string()]
        );

        // An override of the cap and of the dates wins; nobody assigned stays nobody.
        let mut overrides = HashMap::new();
        overrides.insert(
            "a".to_string(),
            TaskOverride {
                owners: Some(Assignees::default()),
                deadline: Some(5),
                started_at: Some(4),
                max_assignable: Some(0),
            },
        );
        let mut errors = ValidationErrors::new();
        let got = plan(&[step], &overrides, start, 9, |s| s, &mut errors);
        assert!(errors.is_empty());
        assert_eq!((got[0].started_at, got[0].deadline, got[0].max_assignable), (4, 5, 0));
        assert!(got[0].owners.is_empty());
    }
}
