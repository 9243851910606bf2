//! Every store refusal becomes an [`Error`] here, and only here: the state rules of
//! `docket_domain::task_rules` (checked again under the row lock), the archive family, threads
//! and creates. A few messages depend on the write that was refused, named by [`TaskWrite`]
//! and [`ArchiveWrite`].

use docket_domain::task_rules::{ArchiveRefusal, Refusal};
use docket_domain::{ValidationErrors, file_value};
use docket_store::model::{RunRefusal, ThreadRefusal};

use crate::error::Error;

/// Completing (or setting the status of) a task an automation hides.
const HIDDEN: &str = "This task is hidden by an automation and cannot be completed.";
/// The 422 of a task write whose run is archived, on the task routes (T4, comments).
const TASK_RUN_ARCHIVED: &str = "The process this task belongs to is archived.";
/// The 422 of a write on an archived run, and of completing or reopening one of its tasks.
const PROCESS_ARCHIVED: &str = "The process is archived.";
/// The 422 of deleting a run that is not archived (R6).
const NOT_ARCHIVED: &str = "Archive the process before deleting it.";
/// The 403 of T8 step 3.
const ONLY_ASSIGNEES: &str = "Only assignees can complete this task.";
/// The 422 of T5/T6 on a run task.
const IN_RUN: &str =
    "This task belongs to a process. Tasks in a process can only be removed by archiving or deleting the process.";
/// The 422 of T7 on a run task.
const IN_RUN_RESTORE: &str =
    "This task belongs to a process. Tasks in a process can only be restored by activating the process.";

/// Which task write a [`Refusal`] answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskWrite {
    /// T4/R12.
    Update,
    /// T8/R13: the task was named in the body.
    Complete,
    /// T9/R14.
    Reopen,
}

/// Which write an [`ArchiveRefusal`] answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveWrite {
    /// A run write (R3–R6, R9–R10).
    Run,
    /// T5 archive or T6 delete of a task.
    TaskRemove,
    /// T7 restore of a task.
    TaskRestore,
}

impl From<(TaskWrite, Refusal)> for Error {
    fn from((write, refusal): (TaskWrite, Refusal)) -> Self {
        match refusal {
            Refusal::Missing if write == TaskWrite::Complete => {
                Error::invalid("task_id", "The selected task id is invalid.")
            }
            Refusal::Missing => Error::NotFound,
            Refusal::VersionMismatch => Error::PreconditionFailed,
            Refusal::NotPermitted => Error::no_permission(),
            Refusal::OnlyAssignees => Error::Forbidden(ONLY_ASSIGNEES.into()),
            Refusal::RunArchived if write == TaskWrite::Update => Error::invalid("run", TASK_RUN_ARCHIVED),
            Refusal::RunArchived => Error::invalid("run", PROCESS_ARCHIVED),
            Refusal::CompletedLocked => Error::invalid("task", "Completed tasks cannot be updated."),
            Refusal::NotCompleted => Error::invalid("task", "The task is not completed."),
            Refusal::Hidden => Error::invalid("task", HIDDEN),
            Refusal::ApprovalRequired => Error::invalid("is_approved", "The is approved field is required."),
            Refusal::OpenProblems => Error::invalid("task", "This task has unresolved issues."),
            Refusal::RequiredFields(fields) => {
                let mut errors = ValidationErrors::new();
                for (id, label) in fields {
                    errors.add(format!("taskdata.{id}"), format!("{label} is required."));
                }
                Error::Invalid(errors)
            }
            Refusal::UnknownFile(key) => Error::invalid(key, file_value::INVALID_FILE),
            Refusal::TooManyAssignees(n) => {
                Error::invalid("owners", format!("The task may not have more than {n} assignees."))
            }
        }
    }
}

impl From<(ArchiveWrite, ArchiveRefusal)> for Error {
    fn from((write, refusal): (ArchiveWrite, ArchiveRefusal)) -> Self {
        match (write, refusal) {
            (_, ArchiveRefusal::VersionMismatch) => Error::PreconditionFailed,
            (_, ArchiveRefusal::Missing) => Error::NotFound,
            (_, ArchiveRefusal::UnknownFile) => Error::invalid("prerun", file_value::INVALID_FILE),
            (ArchiveWrite::Run, ArchiveRefusal::Archived) => Error::invalid("run", PROCESS_ARCHIVED),
            (ArchiveWrite::Run, ArchiveRefusal::NotArchived) => Error::invalid("run", NOT_ARCHIVED),
            (ArchiveWrite::Run, ArchiveRefusal::InRun) => Error::invalid("run", "The task belongs to a process."),
            (ArchiveWrite::TaskRemove, ArchiveRefusal::InRun) => Error::invalid("task", IN_RUN),
            (ArchiveWrite::TaskRestore, ArchiveRefusal::InRun) => Error::invalid("task", IN_RUN_RESTORE),
            // An archived (or not archived) standalone task is missing to these routes.
            (_, ArchiveRefusal::Archived | ArchiveRefusal::NotArchived) => Error::NotFound,
        }
    }
}

impl From<ThreadRefusal> for Error {
    fn from(refusal: ThreadRefusal) -> Self {
        match refusal {
            ThreadRefusal::RunArchived => Error::invalid("run", TASK_RUN_ARCHIVED),
            ThreadRefusal::NotOpenProblem => Error::invalid("thread_id", "The selected thread id is invalid."),
            ThreadRefusal::GuestRefused => Error::no_permission(),
        }
    }
}

impl From<RunRefusal> for Error {
    fn from(refusal: RunRefusal) -> Self {
        match refusal {
            RunRefusal::Missing => Error::invalid("run_id", "The selected run id is invalid."),
            RunRefusal::Archived => Error::invalid("run_id", "The selected process is archived."),
        }
    }
}

/// Adds the field errors of a refusal to `errors` (for rules checked while a body is read, so
/// that every field problem is reported together).
pub fn add_to(errors: &mut ValidationErrors, write: TaskWrite, refusal: Refusal) {
    if let Error::Invalid(e) = Error::from((write, refusal)) {
        errors.extend(e);
    }
}

/// The error of a refused run write.
pub fn run_refused(refusal: ArchiveRefusal) -> Error {
    Error::from((ArchiveWrite::Run, refusal))
}
