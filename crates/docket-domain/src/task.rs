//! Task types, statuses and labels (spec §2.3, §5.4).

/// What kind of task this is; decides what completion records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskType {
    /// Plain task.
    Task,
    /// Needs an approve/reject decision (`is_approved`) on completion.
    Approval,
    /// Acknowledged (`true`, default) or expired (`false`) on completion.
    Expiring,
    /// As `task` (docket sends no e-mail).
    Email,
    /// As `expiring` (docket sends no e-mail).
    ExpiringEmail,
}

impl TaskType {
    /// Parses an input value: the canonical five, plus S0's `member`/`guest` as `task`.
    pub fn parse(s: &str) -> Option<TaskType> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "task" | "member" | "guest" => TaskType::Task,
            "approval" => TaskType::Approval,
            "expiring" => TaskType::Expiring,
            "email" => TaskType::Email,
            "expiring_email" => TaskType::ExpiringEmail,
            _ => return None,
        })
    }

    /// The canonical wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskType::Task => "task",
            TaskType::Approval => "approval",
            TaskType::Expiring => "expiring",
            TaskType::Email => "email",
            TaskType::ExpiringEmail => "expiring_email",
        }
    }

    /// Whether completion records `is_approved`, and what it defaults to when not sent
    /// (`None`: it is required).
    pub fn approval_default(self) -> Option<Option<bool>> {
        match self {
            TaskType::Task | TaskType::Email => None,
            TaskType::Approval => Some(None),
            TaskType::Expiring | TaskType::ExpiringEmail => Some(Some(true)),
        }
    }
}

/// A task's stored status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStatus {
    /// Initial.
    NotStarted,
    /// Begun: reopened, partially completed, or set explicitly.
    InProgress,
    /// Done.
    Completed,
    /// Hidden by an automation (stored only; never accepted as input).
    AutoSkipped,
}

impl TaskStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "not-started",
            TaskStatus::InProgress => "in-progress",
            TaskStatus::Completed => "completed",
            TaskStatus::AutoSkipped => "auto-skipped",
        }
    }

    /// Parses a stored or input status (`auto-skipped` is never accepted).
    pub fn parse(s: &str) -> Option<TaskStatus> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "not-started" => TaskStatus::NotStarted,
            "in-progress" => TaskStatus::InProgress,
            "completed" => TaskStatus::Completed,
            _ => return None,
        })
    }
}

impl TaskStatus {
    /// `status_label` of spec §2.3: completed approval and expiring tasks name their decision.
    pub fn label(self, task_type: TaskType, is_approved: Option<bool>) -> &'static str {
        match (self, task_type, is_approved) {
            (TaskStatus::Completed, TaskType::Approval, Some(true)) => "approved",
            (TaskStatus::Completed, TaskType::Approval, Some(false)) => "rejected",
            (TaskStatus::Completed, TaskType::Expiring | TaskType::ExpiringEmail, Some(true)) => "acknowledged",
            (TaskStatus::Completed, TaskType::Expiring | TaskType::ExpiringEmail, Some(false)) => "expired",
            (status, _, _) => status.as_str(),
        }
    }
}

/// A stored status or task type that is none of the known ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue(pub String);

impl std::fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown stored value {:?}", self.0)
    }
}

impl std::error::Error for UnknownValue {}

impl TryFrom<String> for TaskStatus {
    type Error = UnknownValue;
    /// Reads a stored status (the SQL boundary).
    fn try_from(s: String) -> Result<Self, UnknownValue> {
        if s == "auto-skipped" {
            return Ok(TaskStatus::AutoSkipped);
        }
        TaskStatus::parse(&s).ok_or(UnknownValue(s))
    }
}

impl TryFrom<String> for TaskType {
    type Error = UnknownValue;
    /// Reads a stored task type (the SQL boundary).
    fn try_from(s: String) -> Result<Self, UnknownValue> {
        TaskType::parse(&s).ok_or(UnknownValue(s))
    }
}

/// The kinds of assignee a task's `owners` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeKind {
    /// A member of the organization.
    User,
    /// A guest, by e-mail.
    Guest,
    /// A group of members and guests.
    Group,
}

impl AssigneeKind {
    /// The key of `owners` that lists this kind.
    pub fn key(self) -> &'static str {
        match self {
            AssigneeKind::User => "users",
            AssigneeKind::Guest => "guests",
            AssigneeKind::Group => "groups",
        }
    }
}

/// Adds an organization's `default_deadline` (`minutes`, `hours`, `days`, `weeks`, `months`) to
/// `from` (ms). Months are calendar months.
pub fn add_default_deadline(from: i64, unit: &str, value: i64) -> i64 {
    use chrono::{Months, TimeZone, Utc};
    let minute = 60_000i64;
    match unit {
        "minutes" => from.saturating_add(value.saturating_mul(minute)),
        "hours" => from.saturating_add(value.saturating_mul(60 * minute)),
        "weeks" => from.saturating_add(value.saturating_mul(7 * 24 * 60 * minute)),
        "months" => {
            let Some(t) = Utc.timestamp_millis_opt(from).single() else {
                return from;
            };
            let months = Months::new(u32::try_from(value.max(0)).unwrap_or(0));
            t.checked_add_months(months)
                .map(|t| t.timestamp_millis())
                .unwrap_or(from)
        }
        _ => from.saturating_add(value.saturating_mul(24 * 60 * minute)),
    }
}

/// `completion_progress`: percentage of `done` out of `of`, two decimals.
pub fn percent(done: i64, of: i64) -> f64 {
    if of <= 0 {
        return 0.0;
    }
    ((done as f64) * 10_000.0 / (of as f64)).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_the_type_and_decision() {
        assert_eq!(TaskStatus::Completed.label(TaskType::Approval, Some(false)), "rejected");
        assert_eq!(
            TaskStatus::Completed.label(TaskType::ExpiringEmail, Some(true)),
            "acknowledged"
        );
        assert_eq!(TaskStatus::Completed.label(TaskType::Task, None), "completed");
        assert_eq!(TaskStatus::InProgress.label(TaskType::Approval, None), "in-progress");
        assert_eq!(TaskStatus::try_from("completed".to_string()), Ok(TaskStatus::Completed));
        assert_eq!(
            TaskStatus::try_from("auto-skipped".to_string()),
            Ok(TaskStatus::AutoSkipped)
        );
        assert_eq!(TaskStatus::parse("auto-skipped"), None);
        assert_eq!(
            TaskType::try_from("expiring_email".to_string()),
            Ok(TaskType::ExpiringEmail)
        );
        assert_eq!(TaskType::parse("member"), Some(TaskType::Task));
        assert_eq!(TaskType::parse("Approval"), Some(TaskType::Approval));
        assert_eq!(TaskType::parse("chore"), None);
    }

    #[test]
    fn default_deadlines_and_percentages() {
        let day = 86_400_000;
        assert_eq!(add_default_deadline(0, "days", 5), 5 * day);
        assert_eq!(add_default_deadline(0, "hours", 2), 2 * 3_600_000);
        assert_eq!(
            crate::time::format_ts(add_default_deadline(0, "months", 1)),
            "1970-02-01T00:00:00.000Z"
        );
        assert_eq!(percent(1, 3), 33.33);
        assert_eq!(percent(2, 3), 66.67);
        assert_eq!(percent(0, 0), 0.0);
    }
}
