//! What a guest may do on a task from their link (docs/web.md): the `guest_*` rules of
//! [`TaskFacts`]. A guest acts only as one of the task's direct assignees (a guest reached
//! through a group has no link), never on an archived task, and as an assignee would:
//!
//! - fill the form fields and add or remove files in its `file` fields ([`TaskFacts::guest_may_edit`]:
//!   a completed task takes no answers until it is reopened);
//! - complete, approve or reject it, and reopen it;
//! - comment, unless the task has `prevent_guest_comment`;
//! - report a problem ([`TaskFacts::guest_may_report_problem`]). In Tallyfy a problem is a
//!   comment that holds the task up, so it follows the comment rule (`prevent_guest_comment`
//!   silences a guest's problems as well as their comments), and it is reported on a task that
//!   is still open: a problem blocks a completion, and a completed task is reopened first;
//! - resolve an open problem they can see ([`TaskFacts::guest_may_resolve_problem`], with
//!   [`guest_sees_thread`]), their own or one a member reported about their part: the
//!   resolution is a comment, so it follows the comment rule too. Without it a member's problem
//!   would hold up a guest's task until a member came back to it.
//!
//! The guest's page asks these rules first; the store asks them again under the task's lock.

use super::{Completer, CompletionPlan, Refusal, TaskFacts, status_change};
use crate::task::TaskStatus;

/// Whether `guest` sees a comment thread of their task: every thread not marked
/// `hide-for-guests` (the default of members' comments), and their own.
pub fn guest_sees_thread(state: &str, author_guest: Option<i64>, guest: i64) -> bool {
    state != "hide-for-guests" || author_guest == Some(guest)
}

impl TaskFacts<'_> {
    /// Whether `guest` is one of the task's direct guest assignees.
    pub fn is_guest_assignee(&self, guest: i64) -> bool {
        self.guests.contains(&guest)
    }

    /// A guest acts on a task (from their link) only as one of its direct assignees, and never
    /// on an archived task; they act where an assignee may.
    pub fn guest_may_act(&self, guest: i64) -> Result<(), Refusal> {
        if self.is_guest_assignee(guest) && !self.archived {
            Ok(())
        } else {
            Err(Refusal::NotPermitted)
        }
    }

    /// A guest's answers to the form fields: an assignee's edit, which a completed task takes
    /// only after a reopening (T4 step 1).
    pub fn guest_may_edit(&self, guest: i64) -> Result<(), Refusal> {
        self.guest_may_act(guest)?;
        status_change(self.status, None).map(|_| ())
    }

    /// T8 for a guest: they complete as themselves (an assignee, so
    /// `can_complete_only_assignees` passes); on an `everyone_must_complete` task their
    /// completion is recorded like a member's.
    pub fn plan_guest_completion(
        &self,
        guest: i64,
        is_approved: Option<bool>,
        assignees: &[i64],
    ) -> Result<CompletionPlan, Refusal> {
        self.guest_may_act(guest)?;
        self.plan(Completer::Guest(guest), true, assignees, is_approved)
    }

    /// T9 for a guest.
    pub fn guest_may_reopen(&self, guest: i64) -> Result<(), Refusal> {
        self.guest_may_act(guest)?;
        if self.status != TaskStatus::Completed {
            return Err(Refusal::NotCompleted);
        }
        Ok(())
    }

    /// A guest's comment: unless the task has `prevent_guest_comment`.
    pub fn guest_may_comment(&self, guest: i64) -> Result<(), Refusal> {
        self.guest_may_act(guest)?;
        if self.prevent_guest_comment {
            return Err(Refusal::NotPermitted);
        }
        Ok(())
    }

    /// Whether `guest` could complete the task now (their page's Complete button).
    pub fn is_completable_by_guest(&self, guest: i64) -> bool {
        self.status != TaskStatus::Completed
            && self.status != TaskStatus::AutoSkipped
            && self.guest_may_act(guest).is_ok()
            && !(self.everyone_must_complete && self.guest_completions.contains(&guest))
    }

    /// A guest's problem report: the comment rule, on a task that is open (a completed task
    /// is reopened first; a task an automation hides takes none).
    pub fn guest_may_report_problem(&self, guest: i64) -> Result<(), Refusal> {
        self.guest_may_comment(guest)?;
        match self.status {
            TaskStatus::Completed => Err(Refusal::CompletedLocked),
            TaskStatus::AutoSkipped => Err(Refusal::Hidden),
            _ => Ok(()),
        }
    }

    /// A guest's resolution of an open problem (one they see, [`guest_sees_thread`]): the
    /// comment rule, whatever the task's status (a problem reported after a completion is
    /// resolved without a reopening, as a member's is).
    pub fn guest_may_resolve_problem(&self, guest: i64) -> Result<(), Refusal> {
        self.guest_may_comment(guest)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::open;
    use super::*;
    use crate::task::TaskType;

    #[test]
    fn guests_act_only_on_tasks_they_are_directly_assigned() {
        let mut t = open(&[5], &[]);
        t.guests = &[40];
        assert_eq!(t.guest_may_act(40), Ok(()));
        assert_eq!(t.guest_may_act(41), Err(Refusal::NotPermitted));
        assert_eq!(t.guest_may_edit(41), Err(Refusal::NotPermitted));
        assert_eq!(t.guest_may_reopen(40), Err(Refusal::NotCompleted));
        assert_eq!(
            t.plan_guest_completion(40, None, &[5]),
            Ok(CompletionPlan::Complete { decision: None })
        );
        // `can_complete_only_assignees` lets a guest assignee complete.
        t.can_complete_only_assignees = true;
        assert!(t.is_completable_by_guest(40) && !t.is_completable_by_guest(41));
        t.archived = true;
        assert_eq!(t.guest_may_act(40), Err(Refusal::NotPermitted));
        t.archived = false;
        t.prevent_guest_comment = true;
        assert_eq!(t.guest_may_comment(40), Err(Refusal::NotPermitted));
        t.prevent_guest_comment = false;
        assert_eq!(t.guest_may_comment(40), Ok(()));
        t.status = TaskStatus::Completed;
        assert_eq!(t.guest_may_edit(40), Err(Refusal::CompletedLocked));
        assert_eq!(t.guest_may_reopen(40), Ok(()));
        assert_eq!(t.plan_guest_completion(40, None, &[5]), Ok(CompletionPlan::Unchanged));
    }

    #[test]
    fn a_guest_completion_of_a_shared_task_is_recorded_until_the_last() {
        let mut t = open(&[5], &[]);
        t.everyone_must_complete = true;
        t.guests = &[40];
        t.task_type = TaskType::Approval;
        assert_eq!(t.plan_guest_completion(40, None, &[5]), Err(Refusal::ApprovalRequired));
        assert_eq!(
            t.plan_guest_completion(40, Some(true), &[5]),
            Ok(CompletionPlan::Record {
                last: false,
                decision: Some(true)
            })
        );
        t.completions = &[5];
        assert!(t.plan_guest_completion(40, Some(true), &[5]).unwrap().completes());
        t.guest_completions = &[40];
        assert_eq!(
            t.plan_guest_completion(40, Some(true), &[5]),
            Ok(CompletionPlan::Unchanged)
        );
        assert!(!t.is_completable_by_guest(40));
    }

    #[test]
    fn a_guest_reports_problems_where_they_may_comment_and_resolves_those_they_see() {
        let mut t = open(&[5], &[]);
        t.guests = &[40];
        assert_eq!(t.guest_may_report_problem(40), Ok(()));
        assert_eq!(t.guest_may_resolve_problem(40), Ok(()));
        assert_eq!(t.guest_may_report_problem(41), Err(Refusal::NotPermitted));
        assert_eq!(t.guest_may_resolve_problem(41), Err(Refusal::NotPermitted));
        t.prevent_guest_comment = true;
        assert_eq!(t.guest_may_report_problem(40), Err(Refusal::NotPermitted));
        assert_eq!(t.guest_may_resolve_problem(40), Err(Refusal::NotPermitted));
        t.prevent_guest_comment = false;
        t.status = TaskStatus::Completed;
        assert_eq!(t.guest_may_report_problem(40), Err(Refusal::CompletedLocked));
        assert_eq!(t.guest_may_resolve_problem(40), Ok(()));
        t.status = TaskStatus::AutoSkipped;
        assert_eq!(t.guest_may_report_problem(40), Err(Refusal::Hidden));
        t.status = TaskStatus::InProgress;
        t.archived = true;
        assert_eq!(t.guest_may_report_problem(40), Err(Refusal::NotPermitted));
        // Threads hidden from guests are seen only by the guest who wrote them.
        assert!(guest_sees_thread("open", None, 40) && guest_sees_thread("collapsed", None, 40));
        assert!(!guest_sees_thread("hide-for-guests", None, 40));
        assert!(!guest_sees_thread("hide-for-guests", Some(41), 40));
        assert!(guest_sees_thread("hide-for-guests", Some(40), 40));
    }
}
