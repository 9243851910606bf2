//! `StoreError`: what the store reports, free of SQLSTATEs and driver types. Every database
//! fault is classified here, once: what the caller can do about it differs (a full disk needs
//! an operator, an unreachable database a retry, a conflict a different request).

/// A failed store call.
#[derive(Clone, Debug, thiserror::Error)]
pub enum StoreError {
    /// The addressed row does not exist.
    #[error("not found")]
    NotFound,
    /// A unique or foreign-key constraint refused the write; the message names it.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database's storage is full (SQLite `SQLITE_FULL` or an I/O error writing, as on
    /// `ENOSPC`; PostgreSQL `disk_full`): nothing was written, and writes keep failing until
    /// space is freed.
    #[error("storage full: {0}")]
    StorageFull(String),
    /// The database cannot be reached, is restarting, or is read-only (connection refused or
    /// reset, no connection free in time, PostgreSQL `admin_shutdown`, `cannot_connect_now`,
    /// `read_only_sql_transaction` …): worth a retry later. A statement whose connection was
    /// lost may or may not have taken effect.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else (driver, corrupt data, a bug).
    #[error("{0}")]
    Other(String),
}

impl StoreError {
    /// Wraps any displayable error as `Other`.
    pub fn other(e: impl std::fmt::Display) -> Self {
        StoreError::Other(e.to_string())
    }
}

/// SQLite's primary result codes that mean "cannot write now" (the low byte of an extended
/// code): `SQLITE_FULL` (13); `SQLITE_IOERR` (10), which is what a failed `write()` or
/// `fsync()` with `ENOSPC` becomes.
const SQLITE_FULL: i64 = 13;
const SQLITE_IOERR: i64 = 10;
/// `SQLITE_READONLY` (8), `SQLITE_BUSY` (5), `SQLITE_CANTOPEN` (14).
const SQLITE_UNAVAILABLE: [i64; 3] = [8, 5, 14];

/// PostgreSQL SQLSTATEs of a database that is restarting, shutting down, read-only or out of
/// connections (classes 08 and 57P are matched by prefix).
const PG_UNAVAILABLE: [&str; 4] = ["25006", "53300", "57P01", "57P02"];

fn classify_database(e: &(dyn sqlx::error::DatabaseError + 'static)) -> Option<fn(String) -> StoreError> {
    let code = e.code()?;
    if e.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        let primary = code.parse::<i64>().ok()? & 0xff;
        return match primary {
            SQLITE_FULL | SQLITE_IOERR => Some(StoreError::StorageFull),
            p if SQLITE_UNAVAILABLE.contains(&p) => Some(StoreError::Unavailable),
            _ => None,
        };
    }
    match code.as_ref() {
        "53100" => Some(StoreError::StorageFull),
        c if PG_UNAVAILABLE.contains(&c) || c.starts_with("08") || c.starts_with("57P") => {
            Some(StoreError::Unavailable)
        }
        _ => None,
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
                _ => match classify_database(db.as_ref()) {
                    Some(make) => make(e.to_string()),
                    None => StoreError::Other(e.to_string()),
                },
            },
            sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Tls(_) => {
                StoreError::Unavailable(e.to_string())
            }
            _ => StoreError::Other(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    /// A server error with a SQLSTATE, as PostgreSQL sends them.
    #[derive(Debug)]
    struct Coded(&'static str);

    impl std::fmt::Display for Coded {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "SQLSTATE {}", self.0)
        }
    }

    impl std::error::Error for Coded {}

    impl sqlx::error::DatabaseError for Coded {
        fn message(&self) -> &str {
            self.0
        }
        fn code(&self) -> Option<Cow<'_, str>> {
            Some(Cow::Borrowed(self.0))
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> sqlx::error::ErrorKind {
            match self.0 {
                "23505" => sqlx::error::ErrorKind::UniqueViolation,
                _ => sqlx::error::ErrorKind::Other,
            }
        }
    }

    fn classify(code: &'static str) -> StoreError {
        StoreError::from(sqlx::Error::Database(Box::new(Coded(code))))
    }

    #[test]
    fn postgres_faults_are_classified_by_sqlstate() {
        assert!(matches!(classify("53100"), StoreError::StorageFull(_)), "disk_full");
        for code in ["57P01", "57P02", "57P03", "25006", "08006", "08001", "53300"] {
            assert!(matches!(classify(code), StoreError::Unavailable(_)), "{code}");
        }
        assert!(matches!(classify("23505"), StoreError::Conflict(_)));
        assert!(
            matches!(classify("42601"), StoreError::Other(_)),
            "a syntax error is a bug"
        );
    }

    #[test]
    fn lost_connections_and_timeouts_are_unavailable() {
        let reset = sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionReset));
        assert!(matches!(StoreError::from(reset), StoreError::Unavailable(_)));
        assert!(matches!(
            StoreError::from(sqlx::Error::PoolTimedOut),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            StoreError::from(sqlx::Error::RowNotFound),
            StoreError::NotFound
        ));
    }
}
