//! The webhook event types (spec §5.5) and the rule of which events an organization
//! subscription wants: a watcher's `event_types` list, empty for every event.

use crate::run::RunStatus;

/// Every event name docket emits, in the contract's order.
pub const EVENT_TYPES: &[&str] = &[
    PROCESS_LAUNCHED,
    PROCESS_COMPLETED,
    TASK_COMPLETED,
    TASK_ASSIGNED,
    TASK_COMMENT_ADDED,
    TASK_ISSUE_RAISED,
    TASK_ISSUE_RESOLVED,
    AUTOMATION_WEBHOOK,
];

/// A run launched from a template (R8).
pub const PROCESS_LAUNCHED: &str = "process.launched";
/// A launched run became complete.
pub const PROCESS_COMPLETED: &str = "process.completed";
/// A task became completed.
pub const TASK_COMPLETED: &str = "task.completed";
/// Members, guests or groups were added to a task's owners.
pub const TASK_ASSIGNED: &str = "task.assigned";
/// A comment (any label but `problem`) was added to a task.
pub const TASK_COMMENT_ADDED: &str = "task.comment_added";
/// A problem was reported on a task.
pub const TASK_ISSUE_RAISED: &str = "task.issue_raised";
/// A problem of a task was resolved.
pub const TASK_ISSUE_RESOLVED: &str = "task.issue_resolved";
/// An `emit_webhook` rule action ran (sent to the action's URL only).
pub const AUTOMATION_WEBHOOK: &str = "automation.webhook";

/// Whether `name` is an event type.
pub fn is_event_type(name: &str) -> bool {
    EVENT_TYPES.contains(&name)
}

/// Whether a subscription to `event_types` receives `event`: an empty list means every event.
pub fn wants(event_types: &[String], event: &str) -> bool {
    event_types.is_empty() || event_types.iter().any(|e| e == event)
}

/// Whether a run whose derived status changes from `old` to `new` has been completed
/// (`process.completed`): it was open (active or with a problem) and is now complete. A run
/// restored from the archive with every task done is not completed again.
pub fn run_completed(old: Option<RunStatus>, new: RunStatus) -> bool {
    new == RunStatus::Complete && matches!(old, Some(RunStatus::Active | RunStatus::Problem))
}

/// The event of a new comment thread with `label` (C1, C4): `problem` raises an issue, every
/// other label adds a comment.
pub fn thread_event(label: &str) -> &'static str {
    if label == "problem" {
        TASK_ISSUE_RAISED
    } else {
        TASK_COMMENT_ADDED
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_list_wants_every_event_and_a_list_only_its_own() {
        assert!(wants(&[], TASK_ASSIGNED));
        let only = vec![PROCESS_LAUNCHED.to_string()];
        assert!(wants(&only, PROCESS_LAUNCHED));
        assert!(!wants(&only, TASK_COMPLETED));
    }

    #[test]
    fn only_an_open_run_becoming_complete_is_a_completion() {
        assert!(run_completed(Some(RunStatus::Active), RunStatus::Complete));
        assert!(run_completed(Some(RunStatus::Problem), RunStatus::Complete));
        assert!(!run_completed(Some(RunStatus::Archived), RunStatus::Complete));
        assert!(!run_completed(Some(RunStatus::Complete), RunStatus::Complete));
        assert!(!run_completed(Some(RunStatus::Active), RunStatus::Problem));
    }

    #[test]
    fn names_are_known_and_threads_map_to_their_event() {
        assert!(EVENT_TYPES.iter().all(|e| is_event_type(e)));
        assert!(!is_event_type("task.deleted"));
        assert_eq!(thread_event("problem"), TASK_ISSUE_RAISED);
        assert_eq!(thread_event("comment"), TASK_COMMENT_ADDED);
        assert_eq!(thread_event("advice"), TASK_COMMENT_ADDED);
    }
}
