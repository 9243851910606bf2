//! `Error`: the single application error. Its HTTP mapping lives in `http/error.rs`.

use docket_domain::ValidationErrors;
use docket_store::StoreError;

/// Every way a request can fail. Each variant's doc names its status.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 400 `BAD_REQUEST`: the body cannot be parsed.
    #[error("{0}")]
    BadRequest(String),
    /// 401 `UNAUTHENTICATED`: no valid token, or no `X-Tallyfy-Client`.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// 403 `FORBIDDEN`.
    #[error("{0}")]
    Forbidden(String),
    /// 404 `RESOURCE_NOT_FOUND`: missing, invisible, or in another organization.
    #[error("Resource not found")]
    NotFound,
    /// 404 `ENDPOINT_NOT_FOUND`: no route.
    #[error("API endpoint not found")]
    EndpointNotFound,
    /// 408 `REQUEST_TIMEOUT`: the request took longer than the configured timeout.
    #[error("The request took too long.")]
    Timeout,
    /// 412 `PRECONDITION_FAILED`: `If-Match` no longer matches.
    #[error("The resource has changed.")]
    PreconditionFailed,
    /// 413 `PAYLOAD_TOO_LARGE`.
    #[error("Request body too large.")]
    PayloadTooLarge,
    /// 431 `REQUEST_HEADER_FIELDS_TOO_LARGE`: the headers together exceed the limit.
    #[error("Request headers too large.")]
    HeadersTooLarge,
    /// 422 `VALIDATION_ERROR`, every field problem at once.
    #[error("{}", .0.summary())]
    Invalid(ValidationErrors),
    /// 409 `CONFLICT`: a write raced another and lost.
    #[error("{0}")]
    Conflict(String),
    /// 429 `RATE_LIMIT_EXCEEDED`, with `Retry-After`.
    #[error("You've reached the limit of {limit} requests per minute. Please try again later.")]
    RateLimited {
        /// Whole seconds until a slot frees.
        retry_after: u64,
        /// The configured limit.
        limit: u32,
    },
    /// 408 `REQUEST_TIMEOUT`: the body arrived slower than the configured minimum rate.
    #[error("The request body arrived too slowly.")]
    SlowBody,
    /// 429 `RATE_LIMIT_EXCEEDED`, with `Retry-After`: the token has as many expensive requests
    /// (list pages, search, streams) running and waiting as its fair share allows.
    #[error("Too many list or search requests of this token at once. Please try again shortly.")]
    Busy {
        /// Whole seconds to wait.
        retry_after: u64,
    },
    /// 507 `INSUFFICIENT_STORAGE`: the database's storage is full; nothing was written.
    #[error(
        "The server's storage is full, so the change was not saved. Please try again once the operator has freed disk space."
    )]
    StorageFull,
    /// 503 `SERVICE_UNAVAILABLE`, with `Retry-After`: the database cannot be reached, is
    /// restarting or is read-only.
    #[error("The database is unavailable (unreachable, restarting or read-only). Please try again shortly.")]
    Unavailable {
        /// Whole seconds to wait.
        retry_after: u64,
    },
    /// 500 `SERVER_ERROR`: the cause is logged, never sent.
    #[error("Server error.")]
    Internal(String),
}

impl Error {
    /// A 422 with one field error.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid(ValidationErrors::single(field, message))
    }

    /// The 403 of the role matrix.
    pub fn no_permission() -> Self {
        Error::Forbidden("You don't have permission to do this.".into())
    }
}

impl From<ValidationErrors> for Error {
    fn from(e: ValidationErrors) -> Self {
        Error::Invalid(e)
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Error::NotFound,
            StoreError::Conflict(m) => Error::Conflict(m),
            StoreError::StorageFull(_) => Error::StorageFull,
            StoreError::Unavailable(_) => Error::Unavailable { retry_after: 1 },
            StoreError::Other(m) => Error::Internal(m),
        }
    }
}

/// Result of a handler or service call.
pub type Result<T, E = Error> = std::result::Result<T, E>;
