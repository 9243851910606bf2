//! The rules of a task's life (spec §2.3, §5.6, §5.7, §5.13): who may see, edit, complete and
//! reopen it (members here; guests acting from their link in [`guest`]), which status
//! transitions are legal, what a completion does, the cap on direct assignees, and when a task
//! may be archived or restored.
//!
//! Each rule is written once, here, as a function of a [`TaskFacts`] view. The server asks
//! them before a write (to answer early and render `is_completable`); the store asks the same
//! functions again under the row lock, with the row it holds, and refuses with a [`Refusal`].
//!
//! A task's `deadline` is deliberately not compared with its `started_at` (either may be in the
//! past, in any order): there is no rule for it here.

pub mod guest;

use crate::role::Role;
use crate::task::{TaskStatus, TaskType};

/// Who acts on a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    /// The calling member.
    pub user_id: i64,
    /// Their role in the task's organization.
    pub role: Role,
}

/// Who a completion records: a member or a guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Completer {
    Member(i64),
    Guest(i64),
}

/// The facts of one task that the rules read.
#[derive(Debug, Clone, Copy)]
pub struct TaskFacts<'a> {
    /// Stored status.
    pub status: TaskStatus,
    /// Type (decides what a completion records).
    pub task_type: TaskType,
    /// Whether the task belongs to a run.
    pub in_run: bool,
    /// Whether the task (standalone) or its run is archived.
    pub archived: bool,
    /// Visible only to admins and assignees.
    pub top_secret: bool,
    /// Every individual assignee must complete.
    pub everyone_must_complete: bool,
    /// Only assignees may be recorded as completer.
    pub can_complete_only_assignees: bool,
    /// Direct member assignees.
    pub users: &'a [i64],
    /// Members reached through assigned groups.
    pub group_users: &'a [i64],
    /// Direct guest assignees (the guests whose links open the task).
    pub guests: &'a [i64],
    /// Whether a guest is assigned only through a group: such a guest has no link to act
    /// from, so an `everyone_must_complete` task waits for them forever.
    pub unlinked_guests: bool,
    /// Members recorded as having completed (`everyone_must_complete`).
    pub completions: &'a [i64],
    /// Guests recorded as having completed (`everyone_must_complete`).
    pub guest_completions: &'a [i64],
    /// Guests may not comment.
    pub prevent_guest_comment: bool,
}

/// A state rule that refused a task write. The server maps each to its HTTP error in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The task is gone.
    Missing,
    /// A light member not assigned to the task (403).
    NotPermitted,
    /// §5.6: the caller (light) or the completer (`can_complete_only_assignees`) is not an
    /// assignee (403).
    OnlyAssignees,
    /// The task's run is archived.
    RunArchived,
    /// T4 step 1: completed tasks take only a reopening status.
    CompletedLocked,
    /// T9: the task is not completed.
    NotCompleted,
    /// `is_approved` missing on an approval task.
    ApprovalRequired,
    /// Open problem threads.
    OpenProblems,
    /// Unanswered required form fields: (capture id, label), by position.
    RequiredFields(Vec<(String, String)>),
    /// More direct assignees than `max_assignable` (the cap).
    TooManyAssignees(i64),
    /// The task changed since the version `If-Match` named.
    VersionMismatch,
    /// The task is hidden by an automation (`auto-skipped`): it cannot be completed and its
    /// status cannot be set.
    Hidden,
    /// A `file` value names an asset the organization no longer has (deleted since the
    /// request was checked); the field's key, `taskdata.{capture id}`.
    UnknownFile(String),
}

/// Why archiving, restoring or deleting a run or task was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveRefusal {
    /// No such run or task in the organization.
    Missing,
    /// The run or task is archived.
    Archived,
    /// The run is not archived (R6).
    NotArchived,
    /// The task belongs to a run (T5–T7).
    InRun,
    /// A `prerun` file value names an asset the organization no longer has (R3).
    UnknownFile,
    /// The run changed since the version `If-Match` named.
    VersionMismatch,
}

/// What a completion does to a task that passed the rules (before the checks that need the
/// database: open problems and required form fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionPlan {
    /// Already completed, or this completer is already recorded (EMC): nothing to write.
    Unchanged,
    /// Record `completer` (EMC); `last` when every other individual assignee has completed
    /// too, so the task becomes completed.
    Record {
        /// Whether this record completes the task.
        last: bool,
        /// The decision to store if it does.
        decision: Option<bool>,
    },
    /// The task becomes completed with this decision.
    Complete {
        /// `is_approved` of approval and expiring tasks; `None` for the others.
        decision: Option<bool>,
    },
}

impl CompletionPlan {
    /// Whether the task ends up completed.
    pub fn completes(self) -> bool {
        matches!(
            self,
            CompletionPlan::Complete { .. } | CompletionPlan::Record { last: true, .. }
        )
    }
}

/// Whether a status change on a task in `current` status needs a reopening first (a completed
/// task takes only `not-started` or `in-progress`, T4 step 1); `requested` is the status the
/// update names, if any.
pub fn status_change(current: TaskStatus, requested: Option<TaskStatus>) -> Result<bool, Refusal> {
    if current == TaskStatus::AutoSkipped && requested.is_some() {
        return Err(Refusal::Hidden);
    }
    if current != TaskStatus::Completed {
        return Ok(false);
    }
    match requested {
        Some(TaskStatus::NotStarted | TaskStatus::InProgress) => Ok(true),
        _ => Err(Refusal::CompletedLocked),
    }
}

/// The cap on direct assignees (users, guests and groups): `max` 0 means none.
pub fn check_max_assignable(max: i64, direct: usize) -> Result<(), Refusal> {
    if max > 0 && direct as i64 > max {
        return Err(Refusal::TooManyAssignees(max));
    }
    Ok(())
}

/// T5: a standalone task that is not archived may be archived.
pub fn may_archive(in_run: bool, archived: bool) -> Result<(), ArchiveRefusal> {
    match (in_run, archived) {
        (true, _) => Err(ArchiveRefusal::InRun),
        (false, true) => Err(ArchiveRefusal::Archived),
        (false, false) => Ok(()),
    }
}

/// T6/T7: only standalone tasks are deleted or restored on their own (restoring one that is not
/// archived changes nothing).
pub fn may_restore_or_delete(in_run: bool) -> Result<(), ArchiveRefusal> {
    if in_run { Err(ArchiveRefusal::InRun) } else { Ok(()) }
}

impl TaskFacts<'_> {
    /// Whether member `user` is an individual assignee (directly or through a group).
    pub fn is_assignee(&self, user: i64) -> bool {
        self.users.contains(&user) || self.group_users.contains(&user)
    }

    /// Top-secret tasks are visible only to admins and assignees; every other task to every
    /// member.
    pub fn can_see(&self, caller: Caller) -> bool {
        !self.top_secret || caller.role == Role::Admin || self.is_assignee(caller.user_id)
    }

    /// Light members may update, complete, reopen, archive or restore only tasks assigned to
    /// them.
    pub fn can_edit(&self, caller: Caller) -> bool {
        caller.role != Role::Light || self.is_assignee(caller.user_id)
    }

    /// Whether `completer` passes `can_complete_only_assignees`.
    pub fn may_complete_as(&self, completer: i64) -> bool {
        !self.can_complete_only_assignees || self.is_assignee(completer)
    }

    /// T8 step 3 (and T9): the caller may edit the task and the completer passes
    /// `can_complete_only_assignees`.
    pub fn may_act(&self, caller: Caller, completer: i64) -> Result<(), Refusal> {
        if self.can_edit(caller) && self.may_complete_as(completer) {
            Ok(())
        } else {
            Err(Refusal::OnlyAssignees)
        }
    }

    /// `is_completable` for the caller: open, not archived, the rules above pass, and (EMC) the
    /// caller has not completed yet.
    pub fn is_completable(&self, caller: Caller) -> bool {
        self.status != TaskStatus::Completed
            && self.status != TaskStatus::AutoSkipped
            && !self.archived
            && self.may_act(caller, caller.user_id).is_ok()
            && !(self.everyone_must_complete && self.completions.contains(&caller.user_id))
    }

    /// T8 steps 3–5 in their order: who may complete, whether anything changes, and the
    /// decision an approval or expiring task records. `assignees` are the individual member
    /// assignees (direct, then through groups).
    pub fn plan_completion(
        &self,
        caller: Caller,
        completer: i64,
        assignees: &[i64],
        is_approved: Option<bool>,
    ) -> Result<CompletionPlan, Refusal> {
        self.may_act(caller, completer)?;
        let recorded = assignees.contains(&completer);
        self.plan(Completer::Member(completer), recorded, assignees, is_approved)
    }

    /// T8 steps 4–5 for `who` (who may complete was checked): whether anything changes, and the
    /// decision. `recorded`: `who` is one of the individual assignees an
    /// `everyone_must_complete` task waits for.
    fn plan(
        &self,
        who: Completer,
        recorded: bool,
        assignees: &[i64],
        is_approved: Option<bool>,
    ) -> Result<CompletionPlan, Refusal> {
        if self.status == TaskStatus::Completed {
            return Ok(CompletionPlan::Unchanged);
        }
        if self.status == TaskStatus::AutoSkipped {
            return Err(Refusal::Hidden);
        }
        let has_guests = !self.guests.is_empty() || self.unlinked_guests;
        let shared = self.everyone_must_complete && (!assignees.is_empty() || has_guests);
        let recorded = shared && recorded;
        let done = |c: Completer| match c {
            Completer::Member(u) => self.completions.contains(&u),
            Completer::Guest(g) => self.guest_completions.contains(&g),
        };
        if recorded && done(who) {
            return Ok(CompletionPlan::Unchanged);
        }
        let decision = match self.task_type.approval_default() {
            None => None,
            Some(default) => Some(is_approved.or(default).ok_or(Refusal::ApprovalRequired)?),
        };
        if recorded {
            let others = |c: Completer| c == who || done(c);
            let last = !self.unlinked_guests
                && assignees.iter().all(|u| others(Completer::Member(*u)))
                && self.guests.iter().all(|g| others(Completer::Guest(*g)));
            return Ok(CompletionPlan::Record { last, decision });
        }
        Ok(CompletionPlan::Complete { decision })
    }

    /// T9: the caller may act on the task, and it is completed.
    pub fn may_reopen(&self, caller: Caller) -> Result<(), Refusal> {
        self.may_act(caller, caller.user_id)?;
        if self.status != TaskStatus::Completed {
            return Err(Refusal::NotCompleted);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADMIN: Caller = Caller {
        user_id: 1,
        role: Role::Admin,
    };
    const LIGHT: Caller = Caller {
        user_id: 7,
        role: Role::Light,
    };
    const STANDARD: Caller = Caller {
        user_id: 3,
        role: Role::Standard,
    };

    pub(super) fn open<'a>(users: &'a [i64], completions: &'a [i64]) -> TaskFacts<'a> {
        TaskFacts {
            status: TaskStatus::NotStarted,
            task_type: TaskType::Task,
            in_run: false,
            archived: false,
            top_secret: false,
            everyone_must_complete: false,
            can_complete_only_assignees: false,
            users,
            group_users: &[],
            guests: &[],
            unlinked_guests: false,
            completions,
            guest_completions: &[],
            prevent_guest_comment: false,
        }
    }

    #[test]
    fn assignees_include_group_members() {
        let mut t = open(&[5], &[]);
        t.group_users = &[7];
        assert!(t.is_assignee(5) && t.is_assignee(7) && !t.is_assignee(3));
    }

    #[test]
    fn top_secret_tasks_are_seen_by_admins_and_assignees_only() {
        let mut t = open(&[7], &[]);
        t.top_secret = true;
        assert!(t.can_see(ADMIN) && t.can_see(LIGHT) && !t.can_see(STANDARD));
        t.top_secret = false;
        assert!(t.can_see(STANDARD));
    }

    #[test]
    fn light_members_edit_only_their_tasks() {
        assert!(open(&[7], &[]).can_edit(LIGHT));
        assert!(!open(&[5], &[]).can_edit(LIGHT));
        assert!(open(&[5], &[]).can_edit(STANDARD));
        assert_eq!(open(&[5], &[]).may_reopen(LIGHT), Err(Refusal::OnlyAssignees));
    }

    #[test]
    fn only_assignees_may_be_recorded_as_completer() {
        let mut t = open(&[5], &[]);
        t.can_complete_only_assignees = true;
        assert_eq!(t.plan_completion(ADMIN, 1, &[5], None), Err(Refusal::OnlyAssignees));
        assert_eq!(
            t.plan_completion(ADMIN, 5, &[5], None),
            Ok(CompletionPlan::Complete { decision: None })
        );
        assert!(!t.is_completable(ADMIN));
    }

    #[test]
    fn approval_needs_a_decision_and_expiring_defaults_to_acknowledged() {
        let mut t = open(&[], &[]);
        t.task_type = TaskType::Approval;
        assert_eq!(t.plan_completion(ADMIN, 1, &[], None), Err(Refusal::ApprovalRequired));
        assert_eq!(
            t.plan_completion(ADMIN, 1, &[], Some(false)),
            Ok(CompletionPlan::Complete { decision: Some(false) })
        );
        t.task_type = TaskType::ExpiringEmail;
        assert_eq!(
            t.plan_completion(ADMIN, 1, &[], None),
            Ok(CompletionPlan::Complete { decision: Some(true) })
        );
    }

    #[test]
    fn everyone_must_complete_records_until_the_last_assignee() {
        let mut t = open(&[1, 3], &[]);
        t.everyone_must_complete = true;
        let first = t.plan_completion(ADMIN, 1, &[1, 3], None).unwrap();
        assert_eq!(
            first,
            CompletionPlan::Record {
                last: false,
                decision: None
            }
        );
        assert!(!first.completes());
        t.completions = &[1];
        assert_eq!(
            t.plan_completion(ADMIN, 1, &[1, 3], None),
            Ok(CompletionPlan::Unchanged)
        );
        assert!(!t.is_completable(ADMIN) && t.is_completable(STANDARD));
        let last = t.plan_completion(STANDARD, 3, &[1, 3], None).unwrap();
        assert!(last.completes());
        // A guest assignee keeps the task open until they complete too.
        t.guests = &[40];
        assert!(!t.plan_completion(STANDARD, 3, &[1, 3], None).unwrap().completes());
        t.guest_completions = &[40];
        assert!(t.plan_completion(STANDARD, 3, &[1, 3], None).unwrap().completes());
        // A guest reached only through a group has no link: the task waits for them.
        t.unlinked_guests = true;
        assert!(!t.plan_completion(STANDARD, 3, &[1, 3], None).unwrap().completes());
        t.unlinked_guests = false;
        t.guest_completions = &[];
        // A completer who is not assigned completes it outright.
        assert!(t.plan_completion(ADMIN, 9, &[1, 3], None).unwrap().completes());
    }

    #[test]
    fn completed_tasks_reopen_and_take_only_reopening_statuses() {
        let mut t = open(&[], &[]);
        assert_eq!(t.may_reopen(ADMIN), Err(Refusal::NotCompleted));
        assert_eq!(status_change(t.status, Some(TaskStatus::Completed)), Ok(false));
        t.status = TaskStatus::Completed;
        assert_eq!(t.may_reopen(ADMIN), Ok(()));
        assert_eq!(t.plan_completion(ADMIN, 1, &[], None), Ok(CompletionPlan::Unchanged));
        assert!(!t.is_completable(ADMIN));
        assert_eq!(status_change(t.status, Some(TaskStatus::InProgress)), Ok(true));
        assert_eq!(status_change(t.status, None), Err(Refusal::CompletedLocked));
        assert_eq!(
            status_change(t.status, Some(TaskStatus::Completed)),
            Err(Refusal::CompletedLocked)
        );
    }

    #[test]
    fn hidden_tasks_are_not_completable_and_take_no_status() {
        let mut t = open(&[1], &[]);
        t.status = TaskStatus::AutoSkipped;
        assert!(!t.is_completable(ADMIN));
        assert_eq!(t.plan_completion(ADMIN, 1, &[1], None), Err(Refusal::Hidden));
        assert_eq!(
            status_change(t.status, Some(TaskStatus::InProgress)),
            Err(Refusal::Hidden)
        );
        assert_eq!(status_change(t.status, None), Ok(false));
    }

    #[test]
    fn archived_tasks_are_not_completable() {
        let mut t = open(&[], &[]);
        t.archived = true;
        assert!(!t.is_completable(ADMIN));
    }

    #[test]
    fn max_assignable_caps_direct_assignees() {
        assert_eq!(check_max_assignable(0, 50), Ok(()));
        assert_eq!(check_max_assignable(2, 2), Ok(()));
        assert_eq!(check_max_assignable(2, 3), Err(Refusal::TooManyAssignees(2)));
    }

    #[test]
    fn only_standalone_tasks_are_archived_restored_or_deleted() {
        assert_eq!(may_archive(true, false), Err(ArchiveRefusal::InRun));
        assert_eq!(may_archive(false, true), Err(ArchiveRefusal::Archived));
        assert_eq!(may_archive(false, false), Ok(()));
        assert_eq!(may_restore_or_delete(true), Err(ArchiveRefusal::InRun));
        assert_eq!(may_restore_or_delete(false), Ok(()));
    }
}
