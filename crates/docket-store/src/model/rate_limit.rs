//! The shared rate-limit budget (PostgreSQL).

/// One request counted (or refused) against a bucket's rolling window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct RateHit {
    /// Whether the request fits in the window (and was counted).
    pub allowed: bool,
    /// Requests in the window, this one included when allowed.
    pub used: i64,
    /// The oldest counted request of the window, epoch ms.
    pub oldest: i64,
    /// The time the request was counted at, epoch ms (the database clock unless given).
    pub now_ms: i64,
}
