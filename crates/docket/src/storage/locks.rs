//! The per-key locks of [`super::Storage::put`] and [`super::Storage::release`]: a mutex per
//! stripe of keys in this process and, when the database is PostgreSQL (where several docket
//! nodes may share one storage), a transaction-scoped advisory lock on the key taken on a small
//! pool of its own. The guard ends the transaction (and so the lock) when dropped; the
//! `postgres` backend commits a delete in that same transaction.
//!
//! The pool is not the store's: an upload waits for this lock while it holds an upload
//! transaction of the `postgres` backend's pool, and a holder of this lock never waits for a
//! connection of that pool, so the two cannot wait on each other.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::StorageError;

/// Lock stripes: keys share a mutex when their first byte agrees.
const STRIPES: usize = 256;

/// The locks of one storage.
pub(super) struct KeyLocks {
    stripes: Vec<Arc<Mutex<()>>>,
    shared: Option<PgPool>,
}

/// A held key lock.
pub(crate) struct KeyGuard {
    _local: OwnedMutexGuard<()>,
    shared: Option<Transaction<'static, Postgres>>,
}

impl std::fmt::Debug for KeyGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyGuard")
            .field("shared", &self.shared.is_some())
            .finish()
    }
}

impl KeyLocks {
    /// Locks that hold within this process only (SQLite: one process owns the database).
    pub(super) fn in_process() -> KeyLocks {
        KeyLocks {
            stripes: (0..STRIPES).map(|_| Arc::new(Mutex::new(()))).collect(),
            shared: None,
        }
    }

    /// Locks that also hold across the processes sharing the PostgreSQL database `url`.
    pub(super) fn shared(url: &str) -> anyhow::Result<KeyLocks> {
        let options = PgConnectOptions::from_str(url)?.application_name("docket-file-locks");
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(30))
            .idle_timeout(Duration::from_secs(60))
            .connect_lazy_with(options);
        Ok(KeyLocks {
            shared: Some(pool),
            ..KeyLocks::in_process()
        })
    }

    /// Waits for the lock of `sha256`.
    pub(super) async fn lock(&self, sha256: &str) -> Result<KeyGuard, StorageError> {
        let stripe = u8::from_str_radix(sha256.get(..2).unwrap_or("00"), 16).unwrap_or(0) as usize;
        let local = self.stripes[stripe % STRIPES].clone().lock_owned().await;
        let shared = match &self.shared {
            None => None,
            Some(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                    .bind(format!("docket_file:{sha256}"))
                    .execute(&mut *tx)
                    .await?;
                Some(tx)
            }
        };
        Ok(KeyGuard { _local: local, shared })
    }
}

impl KeyGuard {
    /// The transaction holding the database lock, if there is one.
    pub(super) fn transaction(&mut self) -> Option<&mut Transaction<'static, Postgres>> {
        self.shared.as_mut()
    }

    /// Commits what was done in [`KeyGuard::transaction`] and lets the lock go.
    pub(super) async fn commit(mut self) -> Result<(), StorageError> {
        if let Some(tx) = self.shared.take() {
            tx.commit().await?;
        }
        Ok(())
    }
}
