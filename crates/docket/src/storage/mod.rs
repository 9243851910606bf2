//! Where uploaded files' bytes live: one small trait, [`BlobStore`], and its three backends:
//! `local.rs` a directory, `postgres.rs` chunked rows in the PostgreSQL database, `s3.rs` an
//! S3-compatible object store (`[storage] backend`, docs/files.md). Files are
//! content-addressed: the key is the SHA-256 of the bytes, so two uploads of the same content
//! share one stored file, and a stored file never changes under its name.
//!
//! An upload is written in two steps: [`BlobStore::stage`] streams the body to a temporary
//! place (a temporary file, an open transaction, a temporary object), counting and hashing it
//! and refusing it past the size limit; [`BlobStore::commit`] publishes it under its key. Until
//! then nothing is visible under a real name, and a staged upload dropped halfway (the client
//! went away) leaves nothing. [`Storage::put`] does both and holds the key's lock from the
//! commit until the caller has written (or failed to write) the asset row, and
//! [`Storage::release`] deletes a file under the same lock once no row names it; so a delete
//! racing an upload of the same content never removes the bytes the new row needs. On
//! PostgreSQL the lock is also a database advisory lock (`locks.rs`), which holds across
//! several docket nodes.

pub mod local;
mod locks;
pub mod postgres;
pub mod s3;

use std::io;
use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;

use anyhow::Context;
use bytes::Bytes;
use futures_util::Stream;

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

impl From<sqlx::Error> for StorageError {
    fn from(e: sqlx::Error) -> Self {
        StorageError::Io(io::Error::other(e))
    }
}

impl From<object_store::Error> for StorageError {
    fn from(e: object_store::Error) -> Self {
        StorageError::Io(io::Error::other(e))
    }
}

/// Bytes written to a temporary place, not yet under their key. Dropping it without
/// [`BlobStore::commit`] removes them.
#[derive(Debug)]
pub struct Staged<P> {
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
    /// Their length.
    pub size: u64,
    /// The backend's handle of the temporary copy (removed on drop).
    pending: P,
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
    _guard: locks::KeyGuard,
}

/// What a storage backend does.
pub trait BlobStore: Send + Sync {
    /// The temporary copy of a staged upload.
    type Pending: Send;

    /// Streams `body` to a temporary place, refusing it past `limit` bytes.
    fn stage<S, E>(
        &self,
        body: S,
        limit: u64,
    ) -> impl Future<Output = Result<Staged<Self::Pending>, StorageError>> + Send
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: std::fmt::Display + Send;

    /// Makes staged bytes durable under their key (a no-op past removing the temporary copy
    /// when the key is already stored).
    fn commit(&self, staged: Staged<Self::Pending>) -> impl Future<Output = Result<(), StorageError>> + Send;

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

    /// Every key stored, sorted.
    fn keys(&self) -> impl Future<Output = Result<Vec<String>, StorageError>> + Send;

    /// Removes what interrupted uploads left in the temporary place (start-up).
    fn clear_temp(&self) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// How many uploads are staged but neither committed nor cleaned up yet (temporary files,
    /// open upload transactions, temporary objects): for tests and diagnostics.
    fn unfinished(&self) -> impl Future<Output = Result<usize, StorageError>> + Send;
}

/// The configured backend, and the per-key locks of [`Storage::put`] and [`Storage::release`].
#[derive(Clone)]
pub struct Storage {
    backend: Arc<Backend>,
    locks: Arc<locks::KeyLocks>,
}

enum Backend {
    Local(local::LocalDir),
    Postgres(postgres::PgBlobs),
    S3(s3::S3Blobs),
}

/// `$body` with `$b` bound to whichever backend is configured.
macro_rules! each {
    ($self:expr, $b:ident => $body:expr) => {
        match &*$self.backend {
            Backend::Local($b) => $body,
            Backend::Postgres($b) => $body,
            Backend::S3($b) => $body,
        }
    };
}

/// Whether `url` names a PostgreSQL database.
fn is_postgres(url: &str) -> bool {
    let url = url.trim();
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

impl Storage {
    /// The local directory `config` names (created by the first upload), locked in this
    /// process only: for in-process tools on a SQLite database (the demo seed).
    pub fn local(config: &Config) -> Storage {
        Storage {
            backend: Arc::new(Backend::Local(local::LocalDir::open(&local::default_dir(config)))),
            locks: Arc::new(locks::KeyLocks::in_process()),
        }
    }

    /// The backend `config` names, connected; a clear error when it cannot be used (the
    /// `postgres` backend on a SQLite database, an `s3` backend without a bucket, …).
    pub async fn connect(config: &Config) -> anyhow::Result<Storage> {
        let url = &config.database_url;
        let backend = match config.storage.backend {
            StorageBackend::Local => Backend::Local(local::LocalDir::open(&local::default_dir(config))),
            StorageBackend::Postgres => {
                if !is_postgres(url) {
                    anyhow::bail!(
                        "storage backend \"postgres\" keeps files in the PostgreSQL database, but the \
                         database is not PostgreSQL ({}); use backend \"local\" or \"s3\" with SQLite",
                        docket_store::redact_url(url)
                    );
                }
                Backend::Postgres(
                    postgres::PgBlobs::connect(url, config.storage.postgres_connections)
                        .await
                        .context("cannot open the \"postgres\" file storage")?,
                )
            }
            StorageBackend::S3 => Backend::S3(s3::S3Blobs::open(&config.storage.s3)?),
        };
        let locks = if is_postgres(url) {
            locks::KeyLocks::shared(url)?
        } else {
            locks::KeyLocks::in_process()
        };
        Ok(Storage {
            backend: Arc::new(backend),
            locks: Arc::new(locks),
        })
    }

    /// Which backend this is.
    pub fn kind(&self) -> StorageBackend {
        match &*self.backend {
            Backend::Local(_) => StorageBackend::Local,
            Backend::Postgres(_) => StorageBackend::Postgres,
            Backend::S3(_) => StorageBackend::S3,
        }
    }

    /// Stores `body` (at most `limit` bytes) under its SHA-256. The returned [`Stored`] holds
    /// the key's lock: keep it until the asset row is written.
    pub async fn put<S, E>(&self, body: S, limit: u64) -> Result<Stored, StorageError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: std::fmt::Display + Send,
    {
        each!(self, b => self.put_on(b, body, limit).await)
    }

    async fn put_on<B, S, E>(&self, backend: &B, body: S, limit: u64) -> Result<Stored, StorageError>
    where
        B: BlobStore,
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: std::fmt::Display + Send,
    {
        let staged = backend.stage(body, limit).await?;
        let (sha256, size) = (staged.sha256.clone(), staged.size);
        let guard = self.locks.lock(&sha256).await?;
        backend.commit(staged).await?;
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
        self.release_counted(sha256, in_use).await.map(|_| ())
    }

    /// [`Storage::release`], saying whether the bytes were deleted.
    async fn release_counted<F>(&self, sha256: &str, in_use: F) -> Result<bool, StorageError>
    where
        F: AsyncFnOnce() -> Result<bool, docket_store::StoreError>,
    {
        let mut guard = self.locks.lock(sha256).await?;
        match in_use().await {
            Ok(false) => {}
            Ok(true) => return Ok(false),
            Err(e) => return Err(StorageError::Io(io::Error::other(e.to_string()))),
        }
        if let (Backend::Postgres(b), Some(tx)) = (&*self.backend, guard.transaction()) {
            // The delete commits with the lock's transaction, in one step.
            b.delete_on(tx, sha256).await?;
            guard.commit().await?;
            return Ok(true);
        }
        self.delete(sha256).await?;
        Ok(true)
    }

    /// See [`BlobStore::get`].
    pub async fn get(&self, sha256: &str, range: Option<Range<u64>>) -> Result<Option<ByteStream>, StorageError> {
        each!(self, b => b.get(sha256, range).await)
    }

    /// See [`BlobStore::delete`].
    pub async fn delete(&self, sha256: &str) -> Result<(), StorageError> {
        each!(self, b => b.delete(sha256).await)
    }

    /// See [`BlobStore::exists`].
    pub async fn exists(&self, sha256: &str) -> Result<bool, StorageError> {
        each!(self, b => b.exists(sha256).await)
    }

    /// See [`BlobStore::keys`].
    pub async fn keys(&self) -> Result<Vec<String>, StorageError> {
        each!(self, b => b.keys().await)
    }

    /// See [`BlobStore::unfinished`].
    pub async fn unfinished(&self) -> Result<usize, StorageError> {
        each!(self, b => b.unfinished().await)
    }

    /// Start-up: removes what interrupted uploads left in the temporary place, and stored
    /// files no asset row names (an upload that stopped between its bytes and its row), each
    /// under its key's lock and checked again there, so an upload another node is finishing
    /// keeps its bytes. Returns how many stored files were removed.
    pub async fn sweep(&self, store: &docket_store::Store) -> anyhow::Result<usize> {
        each!(self, b => b.clear_temp().await)?;
        let known: std::collections::HashSet<String> = store.asset_shas().await?.into_iter().collect();
        let mut removed = 0;
        for key in self.keys().await? {
            if known.contains(&key) {
                continue;
            }
            let (store, k) = (store.clone(), key.clone());
            if self
                .release_counted(&key, async move || store.asset_sha_in_use(&k).await)
                .await?
            {
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// Whether `s` is a SHA-256 key: 64 lower-case hex digits.
pub fn is_key(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `sha256` if it is a key, else an error (a key names a file, never a path).
pub(crate) fn key_checked(sha256: &str) -> Result<&str, StorageError> {
    if is_key(sha256) {
        Ok(sha256)
    } else {
        Err(StorageError::Io(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a SHA-256 key",
        )))
    }
}

/// Hashes, counts and bounds an upload's body as it streams through a backend's `stage`.
pub(crate) struct Intake {
    hasher: sha2::Sha256,
    size: u64,
    limit: u64,
}

impl Intake {
    pub(crate) fn new(limit: u64) -> Intake {
        use sha2::Digest;
        Intake {
            hasher: sha2::Sha256::new(),
            size: 0,
            limit,
        }
    }

    /// Takes the next piece of the body: refuses it past the limit.
    pub(crate) fn take<E: std::fmt::Display>(&mut self, chunk: Result<Bytes, E>) -> Result<Bytes, StorageError> {
        use sha2::Digest;
        let chunk = chunk.map_err(|e| StorageError::Body(e.to_string()))?;
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(StorageError::TooLarge(self.limit));
        }
        self.hasher.update(&chunk);
        Ok(chunk)
    }

    /// The SHA-256 (lower-case hex) and size of everything taken.
    pub(crate) fn finish(self) -> (String, u64) {
        use sha2::Digest;
        (hex::encode(self.hasher.finalize()), self.size)
    }
}

/// `Staged` from its parts (for the backends).
pub(crate) fn staged<P>(sha256: String, size: u64, pending: P) -> Staged<P> {
    Staged { sha256, size, pending }
}
