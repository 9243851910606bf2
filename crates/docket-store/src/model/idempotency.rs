//! Idempotency-key claims.

/// The outcome of claiming an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// This request owns the key: do the work, then record the response.
    Claimed,
    /// An earlier request with the same key and body finished: replay its response.
    Done {
        /// Its status code.
        status: i64,
        /// Its body.
        body: String,
    },
    /// An earlier request with the same key and body is still running, or was interrupted
    /// (timed out, or its process died) before its response was recorded.
    InProgress {
        /// When it claimed the key (epoch ms, the claiming process's clock).
        since: i64,
    },
    /// The key was used with a different request.
    Mismatch,
}
