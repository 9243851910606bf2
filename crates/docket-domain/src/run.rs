//! Runs (processes): their stored status and how it follows from their tasks (spec §2.6,
//! §5.11).

/// A run's stored status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    /// Open, no problem.
    Active,
    /// A task has an unresolved problem.
    Problem,
    /// Every task is completed.
    Complete,
    /// Archived.
    Archived,
}

impl RunStatus {
    /// The wire and stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Active => "active",
            RunStatus::Problem => "problem",
            RunStatus::Complete => "complete",
            RunStatus::Archived => "archived",
        }
    }

    /// Parses a stored status.
    pub fn parse(s: &str) -> Option<RunStatus> {
        Some(match s {
            "active" => RunStatus::Active,
            "problem" => RunStatus::Problem,
            "complete" => RunStatus::Complete,
            "archived" => RunStatus::Archived,
            _ => return None,
        })
    }
}

impl TryFrom<String> for RunStatus {
    type Error = crate::task::UnknownValue;
    /// Reads a stored status (the SQL boundary).
    fn try_from(s: String) -> Result<Self, Self::Error> {
        RunStatus::parse(&s).ok_or(crate::task::UnknownValue(s))
    }
}

/// A run's tasks at one instant, as its derived status needs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunProgress {
    /// Whether the run is archived.
    pub archived: bool,
    /// Tasks.
    pub total: i64,
    /// Completed tasks.
    pub done: i64,
    /// Tasks with an unresolved problem.
    pub problems: i64,
}

impl RunProgress {
    /// Every task is completed (a run without tasks is not).
    pub fn is_complete(self) -> bool {
        self.total > 0 && self.done == self.total
    }

    /// The stored status: archived, else problem, else complete, else active.
    pub fn status(self) -> RunStatus {
        if self.archived {
            RunStatus::Archived
        } else if self.problems > 0 {
            RunStatus::Problem
        } else if self.is_complete() {
            RunStatus::Complete
        } else {
            RunStatus::Active
        }
    }

    /// `completed_at` given the stored one: kept while complete, set to `now` on becoming
    /// complete, cleared otherwise.
    pub fn completed_at(self, stored: Option<i64>, now: i64) -> Option<i64> {
        match (self.is_complete(), stored) {
            (true, Some(t)) => Some(t),
            (true, None) => Some(now),
            (false, _) => None,
        }
    }

    /// `progress`: the percentage of completed tasks, two decimals.
    pub fn percent(self) -> f64 {
        crate::task::percent(self.done, self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_archive_problems_and_completion() {
        let p = RunProgress {
            archived: false,
            total: 3,
            done: 3,
            problems: 0,
        };
        assert_eq!(p.status(), RunStatus::Complete);
        assert_eq!(RunProgress { problems: 1, ..p }.status(), RunStatus::Problem);
        assert_eq!(
            RunProgress {
                archived: true,
                problems: 1,
                ..p
            }
            .status(),
            RunStatus::Archived
        );
        assert_eq!(RunProgress { done: 2, ..p }.status(), RunStatus::Active);
        assert_eq!(RunProgress { total: 0, done: 0, ..p }.status(), RunStatus::Active);
        assert_eq!(RunProgress { done: 1, ..p }.percent(), 33.33);
        for s in ["active", "problem", "complete", "archived"] {
            assert_eq!(RunStatus::parse(s).map(RunStatus::as_str), Some(s));
        }
    }

    #[test]
    fn completed_at_is_kept_set_or_cleared() {
        let p = RunProgress {
            archived: false,
            total: 1,
            done: 1,
            problems: 0,
        };
        assert_eq!(p.completed_at(Some(5), 9), Some(5));
        assert_eq!(p.completed_at(None, 9), Some(9));
        assert_eq!(RunProgress { done: 0, ..p }.completed_at(Some(5), 9), None);
    }
}
