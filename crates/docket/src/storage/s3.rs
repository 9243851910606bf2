//! The S3 backend: an S3-compatible object store through `object_store`, keys
//! `[PREFIX/]ab/abcdef…` by SHA-256 like the local directory.
//!
//! An upload is streamed as it arrives: its first 5 MiB (S3's smallest part) are held in
//! memory; a file that ends within them is written by one PUT under its key once its hash is
//! known. A larger one becomes a multipart upload to a temporary key `[PREFIX/]tmp/<uuid>`, one
//! part sent while the next is read (so at most two parts, 10 MiB, are in memory, whatever the
//! file's size), and [`BlobStore::commit`] copies the finished object to its key inside the
//! service and deletes the temporary one. Nothing appears under a real name before its bytes
//! are complete; a client that stops halfway has its multipart upload aborted, and temporary
//! objects older than an hour (a crash between copy and delete) go at start-up. Parts that a
//! crash leaves in an unfinished multipart upload are invisible to listings: a bucket lifecycle
//! rule that aborts incomplete multipart uploads after a day removes them (docs/files.md).
//!
//! Downloads are ranged GETs streamed through. Credentials come from the configuration (the
//! secret only from the environment) or the standard AWS environment; they are never logged.

use std::io;
use std::ops::Range;
use std::sync::Arc;

use anyhow::Context;
use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{
    GetOptions, MultipartUpload, ObjectStore, ObjectStoreExt, PutPayload, PutPayloadMut, RetryConfig, UploadPart,
};

use super::{BlobStore, ByteStream, Intake, Staged, StorageError, is_key, key_checked, staged};
use crate::config::S3Config;

/// Bytes per part of a multipart upload (S3's minimum for all parts but the last).
pub const PART_BYTES: usize = 5 * 1024 * 1024;

/// Temporary objects older than this (seconds) are removed at start-up.
const TEMP_MAX_AGE_SECS: i64 = 3600;

/// Files in an S3 bucket.
pub struct S3Blobs {
    store: Arc<AmazonS3>,
    /// `""` or `"prefix/"`.
    prefix: String,
}

/// A staged upload: the bytes of a small file, or the temporary object of a large one.
#[derive(Debug)]
pub enum Pending {
    /// The whole file (under one part's size), not sent yet.
    Small(PutPayload),
    /// The finished temporary object, deleted when dropped unless committed.
    Temp(TempObject),
}

/// A temporary object, deleted in the background when dropped.
pub struct TempObject {
    store: Arc<AmazonS3>,
    path: Option<Path>,
}

impl std::fmt::Debug for TempObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TempObject").field("path", &self.path).finish()
    }
}

impl Drop for TempObject {
    fn drop(&mut self) {
        if let (Some(path), Ok(rt)) = (self.path.take(), tokio::runtime::Handle::try_current()) {
            let store = self.store.clone();
            rt.spawn(async move {
                if let Err(e) = store.delete(&path).await {
                    tracing::warn!(error = %e, "a temporary object could not be deleted");
                }
            });
        }
    }
}

/// A multipart upload in flight: aborted in the background when dropped unfinished.
struct Upload {
    upload: Option<Box<dyn MultipartUpload>>,
}

impl Upload {
    fn part(&mut self, payload: PutPayloadMut) -> Result<UploadPart, StorageError> {
        match self.upload.as_mut() {
            Some(u) => Ok(u.put_part(payload.freeze())),
            None => Err(StorageError::Io(io::Error::other("the multipart upload is over"))),
        }
    }

    async fn complete(mut self) -> Result<(), StorageError> {
        if let Some(mut u) = self.upload.take()
            && let Err(e) = u.complete().await
        {
            let _ = u.abort().await;
            return Err(e.into());
        }
        Ok(())
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        if let (Some(mut upload), Ok(rt)) = (self.upload.take(), tokio::runtime::Handle::try_current()) {
            rt.spawn(async move {
                if let Err(e) = upload.abort().await {
                    tracing::warn!(error = %e, "an unfinished multipart upload could not be aborted");
                }
            });
        }
    }
}

fn io_error(e: object_store::Error) -> io::Error {
    io::Error::other(e)
}

impl S3Blobs {
    /// The bucket `config` names (no request is made until the first use).
    pub fn open(config: &S3Config) -> anyhow::Result<S3Blobs> {
        // reqwest is built without a bundled TLS provider (see Cargo.toml): ring, as everywhere.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let bucket = config
            .bucket
            .as_deref()
            .context("storage backend \"s3\" needs a bucket: [storage.s3] bucket or DOCKET_STORAGE_S3_BUCKET")?;
        let mut builder = match (&config.access_key_id, &config.secret_access_key) {
            (Some(id), Some(secret)) => AmazonS3Builder::new()
                .with_access_key_id(id)
                .with_secret_access_key(&secret.0),
            (None, None) => AmazonS3Builder::from_env(),
            _ => anyhow::bail!(
                "storage backend \"s3\": set both DOCKET_STORAGE_S3_ACCESS_KEY_ID and \
                 DOCKET_STORAGE_S3_SECRET_ACCESS_KEY, or neither (then the AWS environment applies)"
            ),
        };
        builder = builder
            .with_bucket_name(bucket)
            .with_region(config.region.as_deref().unwrap_or("us-east-1"));
        if let Some(endpoint) = &config.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        let path_style = config.path_style.unwrap_or(config.endpoint.is_some());
        // A few retries within 30 s (not 10 within 3 minutes): an unreachable bucket is then an
        // error a client sees in time, and a start-up that names it fails soon.
        let retry = RetryConfig {
            max_retries: 3,
            retry_timeout: std::time::Duration::from_secs(30),
            ..RetryConfig::default()
        };
        builder = builder.with_virtual_hosted_style_request(!path_style).with_retry(retry);
        let store = builder
            .build()
            .context("storage backend \"s3\": the settings are not usable")?;
        let prefix = match config.prefix.as_deref().map(|p| p.trim_matches('/')) {
            Some(p) if !p.is_empty() => format!("{p}/"),
            _ => String::new(),
        };
        Ok(S3Blobs {
            store: Arc::new(store),
            prefix,
        })
    }

    fn path_of(&self, sha256: &str) -> Result<Path, StorageError> {
        let sha256 = key_checked(sha256)?;
        Ok(Path::from(format!("{}{}/{sha256}", self.prefix, &sha256[..2])))
    }

    /// Streams `body` to S3: a multipart upload to `temp` (kept in `upload`) once it passes
    /// one part, else nothing yet. Its SHA-256, size, and the whole body when it was small.
    async fn send_body<S, E>(
        &self,
        temp: &Path,
        upload: &mut Option<Upload>,
        body: S,
        limit: u64,
    ) -> Result<(String, u64, Option<PutPayload>), StorageError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: std::fmt::Display + Send,
    {
        let mut intake = Intake::new(limit);
        let mut buffer = PutPayloadMut::new();
        let mut in_flight: Option<UploadPart> = None;
        let mut body = std::pin::pin!(body);
        while let Some(chunk) = body.next().await {
            let mut chunk = intake.take(chunk)?;
            while !chunk.is_empty() {
                let room = PART_BYTES - buffer.content_length();
                buffer.push(chunk.split_to(room.min(chunk.len())));
                if buffer.content_length() < PART_BYTES {
                    continue;
                }
                if upload.is_none() {
                    *upload = Some(Upload {
                        upload: Some(self.store.put_multipart(temp).await?),
                    });
                }
                if let Some(part) = in_flight.take() {
                    part.await?;
                }
                if let Some(u) = upload.as_mut() {
                    in_flight = Some(u.part(std::mem::take(&mut buffer))?);
                }
            }
        }
        let (sha256, size) = intake.finish();
        let Some(u) = upload.as_mut() else {
            return Ok((sha256, size, Some(buffer.freeze())));
        };
        if let Some(part) = in_flight.take() {
            part.await?;
        }
        if buffer.content_length() > 0 {
            u.part(buffer)?.await?;
        }
        if let Some(u) = upload.take() {
            u.complete().await?;
        }
        Ok((sha256, size, None))
    }

    fn temp_dir(&self) -> Path {
        Path::from(format!("{}tmp", self.prefix))
    }
}

impl BlobStore for S3Blobs {
    type Pending = Pending;

    async fn stage<S, E>(&self, body: S, limit: u64) -> Result<Staged<Pending>, StorageError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: std::fmt::Display + Send,
    {
        let temp = Path::from(format!("{}tmp/{}", self.prefix, uuid::Uuid::new_v4().simple()));
        let mut upload: Option<Upload> = None;
        match self.send_body(&temp, &mut upload, body, limit).await {
            Ok((sha256, size, Some(small))) => Ok(staged(sha256, size, Pending::Small(small))),
            Ok((sha256, size, None)) => {
                let object = TempObject {
                    store: self.store.clone(),
                    path: Some(temp),
                };
                Ok(staged(sha256, size, Pending::Temp(object)))
            }
            Err(e) => {
                // Refused or broken off: the parts sent so far go now.
                if let Some(mut u) = upload.take().and_then(|mut u| u.upload.take()) {
                    let _ = u.abort().await;
                }
                Err(e)
            }
        }
    }

    async fn commit(&self, staged: Staged<Pending>) -> Result<(), StorageError> {
        let path = self.path_of(&staged.sha256)?;
        if self.exists(&staged.sha256).await? {
            // Already stored: this copy goes.
            if let Pending::Temp(mut object) = staged.pending
                && let Some(temp) = object.path.take()
            {
                self.store.delete(&temp).await?;
            }
            return Ok(());
        }
        match staged.pending {
            Pending::Small(payload) => {
                self.store.put(&path, payload).await?;
            }
            Pending::Temp(mut object) => {
                let Some(temp) = object.path.take() else {
                    return Err(StorageError::Io(io::Error::other("staged object already used")));
                };
                if let Err(e) = self.store.copy(&temp, &path).await {
                    object.path = Some(temp);
                    return Err(e.into());
                }
                if let Err(e) = self.store.delete(&temp).await {
                    // The file is stored; the temporary copy goes at the next start.
                    tracing::warn!(error = %e, "a temporary object could not be deleted");
                }
            }
        }
        Ok(())
    }

    async fn get(&self, sha256: &str, range: Option<Range<u64>>) -> Result<Option<ByteStream>, StorageError> {
        let path = self.path_of(sha256)?;
        if range.as_ref().is_some_and(|r| r.start >= r.end) {
            // An empty range: S3 would answer the whole object.
            return Ok(Some(Box::pin(futures_util::stream::empty())));
        }
        let options = GetOptions::new().with_range(range);
        match self.store.get_opts(&path, options).await {
            Ok(result) => Ok(Some(Box::pin(result.into_stream().map_err(io_error)))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn delete(&self, sha256: &str) -> Result<(), StorageError> {
        match self.store.delete(&self.path_of(sha256)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn exists(&self, sha256: &str) -> Result<bool, StorageError> {
        match self.store.head(&self.path_of(sha256)?).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn keys(&self) -> Result<Vec<String>, StorageError> {
        let prefix = (!self.prefix.is_empty()).then(|| Path::from(self.prefix.trim_end_matches('/')));
        let mut listing = self.store.list(prefix.as_ref());
        let mut keys = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = meta?;
            let Some(name) = meta.location.filename() else { continue };
            if is_key(name) && self.path_of(name)? == meta.location {
                keys.push(name.to_string());
            }
        }
        keys.sort();
        Ok(keys)
    }

    async fn clear_temp(&self) -> Result<(), StorageError> {
        let cutoff = chrono::Utc::now() - chrono::TimeDelta::seconds(TEMP_MAX_AGE_SECS);
        let mut listing = self.store.list(Some(&self.temp_dir()));
        while let Some(meta) = listing.next().await {
            let meta = meta?;
            if meta.last_modified < cutoff {
                self.store.delete(&meta.location).await?;
            }
        }
        Ok(())
    }

    async fn unfinished(&self) -> Result<usize, StorageError> {
        let listing = self.store.list(Some(&self.temp_dir()));
        Ok(listing.try_collect::<Vec<_>>().await?.len())
    }
}
