//! Email notifications: the outbox's jobs, their attempts, the digest's inputs.

use sqlx::FromRow;

/// A job of the email outbox, as a sender claims it.
#[derive(Debug, Clone, FromRow)]
pub struct EmailJob {
    /// Job id (also the mail's `Message-ID` left part).
    pub id: String,
    /// `activity:<entry id>` or `digest:<org>:<local date>`.
    pub event_key: String,
    /// `user:<id>` or `guest:<id>`.
    pub recipient: String,
    /// Organization.
    pub org_id: String,
    /// `assignment`, `comment`, `problem` or `digest`.
    pub kind: String,
    /// The task, for notices.
    pub task_id: Option<String>,
    /// The address.
    pub to_address: String,
    /// What the mail says, as JSON (never a secret: a guest's link is read when it is sent).
    pub payload: String,
    /// `pending`, `sent`, `failed` or `empty`.
    pub status: String,
    /// Attempts made.
    pub attempts: i64,
    /// When it is due (or its lease ends).
    pub next_attempt_at: i64,
    /// The first attempt's time.
    pub first_attempt_at: Option<i64>,
    /// The last failure.
    pub last_error: Option<String>,
    /// Created.
    pub created_at: i64,
    /// Accepted by the SMTP server.
    pub sent_at: Option<i64>,
}

/// The result of one attempt of a claimed job.
#[derive(Debug, Clone)]
pub struct EmailOutcome {
    /// The job.
    pub job_id: String,
    /// This attempt's number (the claimed `attempts` + 1).
    pub attempt: i64,
    /// When it was made.
    pub at: i64,
    /// Why it failed (never containing a secret).
    pub error: Option<String>,
    /// When to try again; `None` after a failure: give up.
    pub retry_at: Option<i64>,
    /// The first attempt's time.
    pub first_attempt_at: i64,
}

/// What one pass of the notifier did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NotifyPass {
    /// Activity entries read (and passed).
    pub entries: usize,
    /// Jobs queued.
    pub jobs: usize,
    /// Whether another node held the cursor (nothing was read).
    pub busy: bool,
}

/// A member who chose the daily digest, with what decides when theirs is due.
#[derive(Debug, Clone, FromRow)]
pub struct DigestMember {
    /// Organization.
    pub org_id: String,
    /// Member.
    pub user_id: i64,
    /// Their profile JSON (`timezone`).
    pub profile: String,
    /// The organization's time zone (the default).
    pub org_timezone: String,
}

/// A digest to queue: for `user_id` of `org_id`, for their local date `date`.
#[derive(Debug, Clone)]
pub struct DigestRequest {
    /// Organization.
    pub org_id: String,
    /// Member.
    pub user_id: i64,
    /// Their local date, `YYYY-MM-DD`.
    pub date: String,
    /// Now.
    pub now: i64,
}
