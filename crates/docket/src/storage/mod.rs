//! Where uploaded files' bytes live: one small trait, [`BlobStore`], and its backends (only the
//! local directory so far, `local.rs`). Files are content-addressed: the key is the SHA-256 of
//! the bytes, so two uploads of the same content share one stored file, and a stored file never
//! changes under its name.
//!
//! An upload is written in two steps: [`BlobStore::stage`] streams the body to a temporary
//! place, counting and hashing it and refusing it past the size limit; [`BlobStore::commit`]
//! makes it durable under its key. [`Storage::put`] does both and holds the key's lock from the
//! commit until the caller has written (or failed to write) the asset row, and
//! [`Storage::release`] deletes a file under the same lock once no row names it; so a delete
//! racing an upload of the same content never removes the bytes the new row needs.

pub mod local;

use std::io;
use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::Stream;
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::config::{Config, StorageBackend};

/// A body of bytes read from storage.
pub type ByteStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// Why storing or reading failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The body grew past the limit (nothing was kept).
    #[error("the file is larger than {0} bytes")]
    TooLarge(u64),
    /// The body broke off (the client stopped, or sent a malformed body); nothing was kept.
    #[error("the upload broke off: {0}")]
    Body(String),
    /// The storage itself failed.
    #[error("storage: {0}")]
    Io(#[from] io::Error),
}

/// Bytes written to a temporary place, not yet under their key. Dropping it without
/// [`BlobStore::commit`] removes them.
#[derive(Debug)]
pub struct Staged {
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
    /// Their length.
    pub size: u64,
    /// Backend-specific handle of the temporary copy (removed on drop).
    temp: local::TempFile,
}

/// A stored file.
#[derive(Debug)]
pub struct Stored {
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
    /// Their length.
    pub size: u64,
    /// The key's lock: held until the asset row is written, so a concurrent release of the
    /// same content waits for it.
    _guard: OwnedMutexGuard<()>,
}

/// What a storage backend does.
pub trait BlobStore: Send + Sync {
    /// Streams `body` to a temporary place, refusing it past `limit` bytes.
    fn stage<S, E>(&self, body: S, limit: u64) -> impl Future<Output = Result<Staged, StorageError>> + Send
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: std::fmt::Display + Send;

    /// Makes staged bytes durable under their key (a no-op past removing the temporary copy
    /// when the key is already stored).
    fn commit(&self, staged: Staged) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// The bytes under `sha256`, or the part of them `range` selects (already checked against
    /// the size); `None` when nothing is stored under it.
    fn get(
        &self,
        sha256: &str,
        range: Option<Range<u64>>,
    ) -> impl Future<Output = Result<Option<ByteStream>, StorageError>> + Send;

    /// Removes the bytes under `sha256` (nothing stored is not an error).
    fn delete(&self, sha256: &str) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// Whether bytes are stored under `sha256`.
    fn exists(&self, sha256: &str) -> impl Future<Output = Result<bool, StorageError>> + Send;
}

/// The configured backend, and the per-key locks of [`Storage::put`] and [`Storage::release`].
#[derive(Clone)]
pub struct Storage {
    backend: Arc<Backend>,
    locks: Arc<Vec<Arc<Mutex<()>>>>,
}

enum Backend {
    Local(local::LocalDir),
}

/// Lock stripes: keys share a lock when their first byte agrees.
const STRIPES: usize = 256;

impl Storage {
    /// The backend `config` names (a local directory is created by the first upload).
    pub fn open(config: &Config) -> Storage {
        let backend = match config.storage.backend {
            StorageBackend::Local => Backend::Local(local::LocalDir::open(&local::default_dir(config))),
        };
        Storage {
            backend: Arc::new(backend),
            locks: Arc::new((0..STRIPES).map(|_| Arc::new(Mutex::new(()))).collect()),
        }
    }

    async fn lock(&self, sha256: &str) -> OwnedMutexGuard<()> {
        let stripe = u8::from_str_radix(sha256.get(..2).unwrap_or("00"), 16).unwrap_or(0) as usize;
        self.locks[stripe % STRIPES].clone().lock_owned().await
    }

    /// Stores `body` (at most `limit` bytes) under its SHA-256. The returned [`Stored`] holds
    /// the key's lock: keep it until the asset row is written.
    pub async fn put<S, E>(&self, body: S, limit: u64) -> Result<Stored, StorageError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: std::fmt::Display + Send,
    {
        let staged = match &*self.backend {
            Backend::Local(b) => b.stage(body, limit).await?,
        };
        let (sha256, size) = (staged.sha256.clone(), staged.size);
        let guard = self.lock(&sha256).await;
        match &*self.backend {
            Backend::Local(b) => b.commit(staged).await?,
        }
        Ok(Stored {
            sha256,
            size,
            _guard: guard,
        })
    }

    /// Deletes the bytes under `sha256` unless `in_use` (asked under the key's lock) says a
    /// row still names them.
    pub async fn release<F>(&self, sha256: &str, in_use: F) -> Result<(), StorageError>
    where
        F: AsyncFnOnce() -> Result<bool, docket_store::StoreError>,
    {
        let _guard = self.lock(sha256).await;
        match in_use().await {
            Ok(false) => self.delete(sha256).await,
            Ok(true) => Ok(()),
            Err(e) => Err(StorageError::Io(io::Error::other(e.to_string()))),
        }
    }

    /// See [`BlobStore::get`].
    pub async fn get(&self, sha256: &str, range: Option<Range<u64>>) -> Result<Option<ByteStream>, StorageError> {
        match &*self.backend {
            Backend::Local(b) => b.get(sha256, range).await,
        }
    }

    /// See [`BlobStore::delete`].
    pub async fn delete(&self, sha256: &str) -> Result<(), StorageError> {
        match &*self.backend {
            Backend::Local(b) => b.delete(sha256).await,
        }
    }

    /// See [`BlobStore::exists`].
    pub async fn exists(&self, sha256: &str) -> Result<bool, StorageError> {
        match &*self.backend {
            Backend::Local(b) => b.exists(sha256).await,
        }
    }

    /// Start-up: removes temporary files left by an interrupted upload and stored files no
    /// asset row names (an upload that stopped between its bytes and its row). Returns how
    /// many stored files were removed.
    pub async fn sweep(&self, store: &docket_store::Store) -> anyhow::Result<usize> {
        let known: std::collections::HashSet<String> = store.asset_shas().await?.into_iter().collect();
        match &*self.backend {
            Backend::Local(b) => b.sweep(&known).await,
        }
    }
}

/// Whether `s` is a SHA-256 key: 64 lower-case hex digits.
pub fn is_key(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
