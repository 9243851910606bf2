//! `StoreError`: what the store reports, free of SQLSTATEs and driver types.

/// A failed store call.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The addressed row does not exist.
    #[error("not found")]
    NotFound,
    /// A unique or foreign-key constraint refused the write; the message names it.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Anything else (connection, driver, corrupt data).
    #[error("{0}")]
    Other(String),
}

impl StoreError {
    /// Wraps any displayable error as `Other`.
    pub fn other(e: impl std::fmt::Display) -> Self {
        StoreError::Other(e.to_string())
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) => match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation | sqlx::error::ErrorKind::ForeignKeyViolation => {
                    StoreError::Conflict(db.message().to_string())
                }
                _ => StoreError::Other(e.to_string()),
            },
            _ => StoreError::Other(e.to_string()),
        }
    }
}
