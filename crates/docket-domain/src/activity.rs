//! The activity feed's vocabulary and shape rules (spec §2.6, §5.6, §4.9): which `type`,
//! `auditable_type` and `verb` a change records, and the sentence that describes it. The store
//! writes entries from these; the feed's filters read the same lists.

/// The §5.6 verbs (DOC's list).
pub const VERBS: &[&str] = &[
    "created",
    "updated",
    "owners-updated",
    "uploaded",
    "completed",
    "uncompleted",
    "deleted",
    "re-ordered",
    "commented",
    "issue-reported",
    "issue-resolved",
    "archived",
    "unarchived",
    "re-opened",
    "emitted",
    "enabled",
    "disabled",
    "comment-deleted",
    "invited",
    "invite-accepted",
    "linked",
    "unlinked",
];

/// The §2.6 `type` values.
pub const TYPES: &[&str] = &[
    "Blueprint",
    "Step",
    "Process",
    "Task",
    "Comment",
    "User",
    "Organization",
    "Tag",
    "Group",
];

/// The §2.6 `source` values.
pub const SOURCES: &[&str] = &["Member", "Guest", "Webhook"];

/// `actor_type` of a member actor.
pub const ACTOR_TYPE: &str = "App\\Models\\User";

/// `actor_type` of a guest acting from their link (`source` `Guest`).
pub const GUEST_ACTOR_TYPE: &str = "App\\Models\\Guest";

/// The `entity_type` values of AF1.
pub const ENTITY_TYPES: &[&str] = &["checklist", "run", "step", "task", "thread"];

/// The kinds of object an entry is about: each has its `type`, `auditable_type` and the noun
/// its description uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A template.
    Template,
    /// A template's step (also its captures, which record as their step).
    Step,
    /// A run (process).
    Run,
    /// A task.
    Task,
    /// A comment thread of a task.
    Thread,
    /// A file; recorded under the `type` of its subject.
    Asset,
}

impl Subject {
    /// `auditable_type`.
    pub fn auditable_type(self) -> &'static str {
        match self {
            Self::Template => "App\\Models\\Checklist",
            Self::Step => "App\\Models\\Step",
            Self::Run => "App\\Models\\Run",
            Self::Task => "App\\Models\\Task",
            Self::Thread => "App\\Models\\Thread",
            Self::Asset => "App\\Models\\Asset",
        }
    }

    /// `type` (an asset's entry takes its subject's type instead).
    pub fn kind(self) -> &'static str {
        match self {
            Self::Template => "Blueprint",
            Self::Step => "Step",
            Self::Run => "Process",
            Self::Task | Self::Asset => "Task",
            Self::Thread => "Comment",
        }
    }

    /// The noun of the description.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Template => "template",
            Self::Step => "step",
            Self::Run => "process",
            Self::Task => "task",
            Self::Thread => "comment on",
            Self::Asset => "file",
        }
    }

    /// The subject whose `type` an asset attached to an object of `auditable_type` records.
    pub fn from_auditable_type(t: &str) -> Option<Self> {
        [
            Self::Template,
            Self::Step,
            Self::Run,
            Self::Task,
            Self::Thread,
            Self::Asset,
        ]
        .into_iter()
        .find(|s| s.auditable_type() == t)
    }
}

/// The `description` prefix of a change: `"Completed task: "`; the object's title follows.
pub fn description_prefix(subject: Subject, verb: &str) -> String {
    let did = match verb {
        "created" => "Created",
        "updated" => "Updated",
        "owners-updated" => "Changed the assignees of",
        "uploaded" => "Uploaded a file to",
        "completed" => "Completed",
        "uncompleted" => "Un-completed",
        "deleted" => "Deleted",
        "re-ordered" => "Re-ordered",
        "commented" => "Commented on",
        "issue-reported" => "Reported a problem on",
        "issue-resolved" => "Resolved a problem on",
        "archived" => "Archived",
        "unarchived" => "Restored",
        "re-opened" => "Re-opened",
        "emitted" => "Emitted a webhook from",
        "comment-deleted" => "Deleted a comment on",
        other => other,
    };
    let noun = match subject {
        // Comment verbs already say "comment"; the title is the task's.
        Subject::Thread if verb != "updated" => "task",
        Subject::Thread => "comment on task",
        Subject::Asset if verb == "uploaded" => "",
        s => s.noun(),
    };
    if noun.is_empty() {
        format!("{did}: ")
    } else {
        format!("{did} {noun}: ")
    }
}

/// The `verb` of a comment thread's creation: a `problem` label reports an issue.
pub fn thread_verb(label: Option<&str>) -> &'static str {
    if label == Some("problem") {
        "issue-reported"
    } else {
        "commented"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_name_the_verb_and_the_object() {
        assert_eq!(description_prefix(Subject::Task, "completed"), "Completed task: ");
        assert_eq!(description_prefix(Subject::Run, "created"), "Created process: ");
        assert_eq!(
            description_prefix(Subject::Thread, "issue-reported"),
            "Reported a problem on task: "
        );
        assert_eq!(description_prefix(Subject::Asset, "uploaded"), "Uploaded a file to: ");
    }

    #[test]
    fn types_follow_the_subject() {
        assert_eq!(Subject::Template.kind(), "Blueprint");
        assert_eq!(Subject::Thread.auditable_type(), "App\\Models\\Thread");
        assert_eq!(Subject::from_auditable_type("App\\Models\\Run"), Some(Subject::Run));
        assert!(VERBS.contains(&thread_verb(Some("problem"))));
        assert_eq!(thread_verb(None), "commented");
    }
}
