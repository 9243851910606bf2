//! Email notifications (docs/email.md): what a member chose, which activity entries make a
//! notice, who hears of it, and which tasks a daily digest lists. The notifier of the store
//! (`sql/email.rs`) and the server's sender call these; nothing here does I/O.

/// How a member wants to hear of their tasks by email, per organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailPreference {
    /// A mail for each notice (assigned, a comment, a problem) as it happens. The default.
    Instant,
    /// One mail a day listing their overdue and due-soon tasks, nothing else.
    Daily,
    /// No mail.
    Off,
}

impl EmailPreference {
    /// Every value, as written in the API.
    pub const NAMES: &'static [&'static str] = &["instant", "daily", "off"];

    /// The value as the API and the database write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Instant => "instant",
            Self::Daily => "daily",
            Self::Off => "off",
        }
    }

    /// Reads a value (any letter case, surrounding blanks ignored).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "instant" => Some(Self::Instant),
            "daily" => Some(Self::Daily),
            "off" => Some(Self::Off),
            _ => None,
        }
    }

    /// A stored value; anything unknown reads as the default.
    pub fn stored(s: &str) -> Self {
        Self::parse(s).unwrap_or(Self::Instant)
    }
}

/// What an instant mail tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// You were added to a task's assignees.
    Assignment,
    /// Someone commented on a task you are assigned to.
    Comment,
    /// Someone reported a problem on a task you are assigned to.
    Problem,
}

impl Notice {
    /// The notice an activity entry of `kind` (its `type`) and `verb` makes, if any.
    pub fn of_entry(kind: &str, verb: &str) -> Option<Self> {
        match (kind, verb) {
            ("Task", "created" | "owners-updated") => Some(Self::Assignment),
            ("Comment", "commented") => Some(Self::Comment),
            ("Comment", "issue-reported") => Some(Self::Problem),
            _ => None,
        }
    }

    /// The job kind stored with the mail.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Assignment => "assignment",
            Self::Comment => "comment",
            Self::Problem => "problem",
        }
    }
}

/// Someone a notice about a task could go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// A member's id, or `None` for a guest.
    pub member: Option<i64>,
    /// A guest's id, or `None` for a member.
    pub guest: Option<i64>,
    /// The member's choice (guests, who have none, hear instantly).
    pub preference: EmailPreference,
    /// Whether they are an assignee of the task: directly, through a group, or as its guest.
    pub assigned: bool,
    /// Whether their membership (or guest access) is active.
    pub active: bool,
}

/// Whether `c` gets an instant mail of a notice whose change the member `actor` or the guest
/// `guest_actor` made: an active assignee who chose `instant`, never the actor themself. Being
/// an assignee is also what lets them see a top-secret task (`task_rules`), so no one hears of
/// a task they may not read.
pub fn hears_instantly(c: &Candidate, actor: Option<i64>, guest_actor: Option<i64>) -> bool {
    let is_actor = (c.member.is_some() && c.member == actor) || (c.guest.is_some() && c.guest == guest_actor);
    c.active && c.assigned && c.preference == EmailPreference::Instant && !is_actor
}

/// A task a digest lists is due within this many milliseconds from now (or overdue).
pub const DUE_SOON_MS: i64 = 24 * 60 * 60 * 1000;

/// Where a task with `deadline` stands in a digest written at `now`: `Some(true)` overdue,
/// `Some(false)` due soon, `None` not listed.
pub fn digest_standing(deadline: i64, now: i64) -> Option<bool> {
    if deadline < now {
        Some(true)
    } else if deadline <= now + DUE_SOON_MS {
        Some(false)
    } else {
        None
    }
}

/// Whether a member's digest for the day is due at `local_hour` (0-23, in their time zone),
/// the digest being sent from `digest_hour` on.
pub fn digest_due(local_hour: u32, digest_hour: u32) -> bool {
    local_hour >= digest_hour
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: i64, preference: EmailPreference) -> Candidate {
        Candidate {
            member: Some(id),
            guest: None,
            preference,
            assigned: true,
            active: true,
        }
    }

    #[test]
    fn preferences_read_any_case_and_default_to_instant() {
        assert_eq!(EmailPreference::parse(" Daily "), Some(EmailPreference::Daily));
        assert_eq!(EmailPreference::parse("weekly"), None);
        assert_eq!(EmailPreference::stored("garbage"), EmailPreference::Instant);
        for name in EmailPreference::NAMES {
            assert_eq!(EmailPreference::parse(name).map(EmailPreference::as_str), Some(*name));
        }
    }

    #[test]
    fn entries_make_notices() {
        assert_eq!(Notice::of_entry("Task", "owners-updated"), Some(Notice::Assignment));
        assert_eq!(Notice::of_entry("Comment", "issue-reported"), Some(Notice::Problem));
        assert_eq!(Notice::of_entry("Comment", "commented"), Some(Notice::Comment));
        assert_eq!(Notice::of_entry("Task", "completed"), None);
        assert_eq!(Notice::of_entry("Process", "created"), None);
    }

    #[test]
    fn only_active_instant_assignees_other_than_the_actor_hear() {
        assert!(hears_instantly(&member(2, EmailPreference::Instant), Some(1), None));
        assert!(!hears_instantly(&member(1, EmailPreference::Instant), Some(1), None));
        assert!(!hears_instantly(&member(2, EmailPreference::Daily), Some(1), None));
        assert!(!hears_instantly(&member(2, EmailPreference::Off), Some(1), None));
        let mut outsider = member(2, EmailPreference::Instant);
        outsider.assigned = false;
        assert!(!hears_instantly(&outsider, Some(1), None));
        let mut disabled = member(2, EmailPreference::Instant);
        disabled.active = false;
        assert!(!hears_instantly(&disabled, None, None));
        let guest = Candidate {
            member: None,
            guest: Some(40),
            ..member(0, EmailPreference::Instant)
        };
        assert!(hears_instantly(&guest, Some(1), None));
        assert!(hears_instantly(&guest, None, None));
        // A guest does not hear of their own change, other guests do.
        assert!(!hears_instantly(&guest, None, Some(40)));
        assert!(hears_instantly(&guest, None, Some(41)));
        assert!(hears_instantly(&member(1, EmailPreference::Instant), None, Some(1)));
    }

    #[test]
    fn digests_list_overdue_and_due_soon_tasks() {
        let now = 1_000_000_000;
        assert_eq!(digest_standing(now - 1, now), Some(true));
        assert_eq!(digest_standing(now + DUE_SOON_MS, now), Some(false));
        assert_eq!(digest_standing(now + DUE_SOON_MS + 1, now), None);
        assert!(digest_due(8, 8) && digest_due(23, 8) && !digest_due(7, 8));
    }
}
