//! Webhook delivery (spec §5.12, §1.14): outbox events as the dispatcher and the delivery log
//! see them, and their attempts.

use sqlx::FromRow;

/// A webhook event with its delivery state.
#[derive(Debug, Clone, FromRow)]
pub struct DeliveryEvent {
    /// Event id (also `event_id` in the payload and the `X-Docket-Event-Id` header).
    pub id: String,
    /// Organization.
    pub org_id: String,
    /// The task (the run for `process.*` events).
    pub task_id: String,
    /// The event name (`docket_domain::webhook_event`).
    pub event: String,
    /// Target URL.
    pub url: String,
    /// The JSON payload, exactly as sent.
    pub payload: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    /// Delivery attempts made.
    pub attempts: i64,
    /// When the next attempt is due (or, while one is in flight, when its lease expires).
    pub next_attempt_at: i64,
    /// Last delivery error.
    pub last_error: Option<String>,
    /// When recorded.
    pub created_at: i64,
    /// When delivered.
    pub delivered_at: Option<i64>,
    /// When the first attempt of the current retry window was made.
    pub first_attempt_at: Option<i64>,
}

/// One delivery attempt.
#[derive(Debug, Clone, FromRow)]
pub struct DeliveryAttempt {
    /// The event.
    pub event_id: String,
    /// 1, 2, …
    pub attempt: i64,
    /// When it was made.
    pub at: i64,
    /// The HTTP status answered, if any.
    pub status_code: Option<i64>,
    /// Why it failed, if it did.
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: i64,
}

/// The result of one attempt, as the dispatcher records it.
#[derive(Debug, Clone)]
pub struct AttemptOutcome {
    /// The attempt (the event's `attempts` + 1 when it was claimed).
    pub attempt: DeliveryAttempt,
    /// Whether it was delivered (a 2xx answer).
    pub delivered: bool,
    /// When not delivered: the next attempt's time, or `None` to give up (status `failed`).
    pub retry_at: Option<i64>,
    /// When the retry window started (the first attempt's time).
    pub first_attempt_at: i64,
}

/// Filters of the delivery log.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    /// Only events with this status.
    pub status: Option<String>,
    /// Only events of this task.
    pub task_id: Option<String>,
}
