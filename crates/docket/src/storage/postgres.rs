//! The PostgreSQL backend: file bytes in the database itself (migration 0014), for several
//! docket nodes that share files with no other service. A file is a `blobs` row named by its
//! SHA-256 and its bytes in 1 MiB `blob_chunks` rows.
//!
//! An upload streams its chunks into an open transaction under a fresh upload id, one chunk in
//! memory at a time, and [`BlobStore::commit`] adds the `blobs` row and commits: nothing is
//! visible before, and a client that stops halfway or a crash rolls everything back. A download
//! reads one chunk (or the part of it a range needs) per query. The backend has a pool of its
//! own (`storage.postgres_connections`, application name `docket-files`): an upload holds a
//! connection until its last byte is in, which must not starve the API's requests.

use std::io;
use std::ops::Range;
use std::str::FromStr;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgConnection, PgPool, Postgres, Row, Transaction};

use super::{BlobStore, ByteStream, Intake, Staged, StorageError, key_checked, staged};

/// Bytes per chunk row of new files (each file records its own).
pub const CHUNK_BYTES: usize = 1024 * 1024;

/// The `application_name` of the backend's connections.
const APPLICATION: &str = "docket-files";

/// Files in the PostgreSQL database.
pub struct PgBlobs {
    pool: PgPool,
}

/// An upload's open transaction and the id its chunks are written under; dropping it rolls
/// them back.
pub struct Pending {
    tx: Transaction<'static, Postgres>,
    upload_id: String,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending").field("upload_id", &self.upload_id).finish()
    }
}

impl PgBlobs {
    /// Connects a pool of `connections` to the database `url` and checks that migration 0014
    /// made the tables.
    pub async fn connect(url: &str, connections: u32) -> anyhow::Result<PgBlobs> {
        let options = PgConnectOptions::from_str(url)?.application_name(APPLICATION);
        let pool = PgPoolOptions::new()
            .max_connections(connections.max(1))
            .acquire_timeout(Duration::from_secs(60))
            .idle_timeout(Duration::from_secs(300))
            .connect_with(options)
            .await?;
        sqlx::query("SELECT 1 FROM blobs LIMIT 0").execute(&pool).await?;
        Ok(PgBlobs { pool })
    }

    /// Deletes the file `sha256` in `tx` (the key lock's transaction).
    pub async fn delete_on(&self, conn: &mut PgConnection, sha256: &str) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM blobs WHERE sha256 = $1")
            .bind(key_checked(sha256)?)
            .execute(conn)
            .await?;
        Ok(())
    }

    /// Streams `body` into chunk rows of `pending`; its SHA-256 and size.
    async fn write_body<S, E>(pending: &mut Pending, body: S, limit: u64) -> Result<(String, u64), StorageError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: std::fmt::Display + Send,
    {
        let mut intake = Intake::new(limit);
        let mut buffer = BytesMut::with_capacity(CHUNK_BYTES);
        let mut no: i32 = 0;
        let mut body = std::pin::pin!(body);
        while let Some(chunk) = body.next().await {
            let mut chunk = intake.take(chunk)?;
            while !chunk.is_empty() {
                let room = CHUNK_BYTES - buffer.len();
                let part = chunk.split_to(room.min(chunk.len()));
                buffer.extend_from_slice(&part);
                if buffer.len() == CHUNK_BYTES {
                    Self::write_chunk(pending, no, &buffer).await?;
                    buffer.clear();
                    no += 1;
                }
            }
        }
        if !buffer.is_empty() {
            Self::write_chunk(pending, no, &buffer).await?;
        }
        Ok(intake.finish())
    }

    async fn write_chunk(pending: &mut Pending, no: i32, bytes: &[u8]) -> Result<(), StorageError> {
        sqlx::query("INSERT INTO blob_chunks (upload_id, chunk_no, bytes) VALUES ($1, $2, $3)")
            .bind(&pending.upload_id)
            .bind(no)
            .bind(bytes)
            .execute(&mut *pending.tx)
            .await?;
        Ok(())
    }
}

/// The part of chunk `no` (of `chunk` bytes each) that `want` covers, as (1-based offset in
/// the chunk, length) for `substring`.
fn slice_of(no: u64, chunk: u64, want: &Range<u64>) -> (i32, i32) {
    let first = no * chunk;
    let from = want.start.max(first) - first;
    let to = want.end.min(first + chunk) - first;
    (from as i32 + 1, to.saturating_sub(from) as i32)
}

impl BlobStore for PgBlobs {
    type Pending = Pending;

    async fn stage<S, E>(&self, body: S, limit: u64) -> Result<Staged<Pending>, StorageError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: std::fmt::Display + Send,
    {
        let mut pending = Pending {
            tx: self.pool.begin().await?,
            upload_id: uuid::Uuid::new_v4().simple().to_string(),
        };
        match Self::write_body(&mut pending, body, limit).await {
            Ok((sha256, size)) => Ok(staged(sha256, size, pending)),
            Err(e) => {
                // Refused or broken off: rolled back now rather than when the connection is
                // next used.
                let _ = pending.tx.rollback().await;
                Err(e)
            }
        }
    }

    async fn commit(&self, staged: Staged<Pending>) -> Result<(), StorageError> {
        let Pending { mut tx, upload_id } = staged.pending;
        let inserted = sqlx::query(
            "INSERT INTO blobs (sha256, upload_id, size, chunk_bytes, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(key_checked(&staged.sha256)?)
        .bind(&upload_id)
        .bind(staged.size as i64)
        .bind(CHUNK_BYTES as i32)
        .bind(docket_domain::time::now_ms())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            tx.commit().await?;
        } else {
            // Already stored: this copy goes.
            tx.rollback().await?;
        }
        Ok(())
    }

    async fn get(&self, sha256: &str, range: Option<Range<u64>>) -> Result<Option<ByteStream>, StorageError> {
        let row = sqlx::query("SELECT upload_id, size, chunk_bytes FROM blobs WHERE sha256 = $1")
            .bind(key_checked(sha256)?)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let upload_id: String = row.try_get("upload_id")?;
        let size = row.try_get::<i64, _>("size")?.max(0) as u64;
        let chunk = row.try_get::<i32, _>("chunk_bytes")?.max(1) as u64;
        let want = range.unwrap_or(0..size);
        let chunks = if want.start >= want.end {
            0..0
        } else {
            want.start / chunk..(want.end - 1) / chunk + 1
        };
        let pool = self.pool.clone();
        let stream = futures_util::stream::iter(chunks).then(move |no| {
            let (pool, upload_id) = (pool.clone(), upload_id.clone());
            let (from, len) = slice_of(no, chunk, &want);
            async move {
                let bytes: Option<Vec<u8>> = sqlx::query_scalar(
                    "SELECT substring(bytes FROM $3 FOR $4) FROM blob_chunks WHERE upload_id = $1 AND chunk_no = $2",
                )
                .bind(&upload_id)
                .bind(no as i32)
                .bind(from)
                .bind(len)
                .fetch_optional(&pool)
                .await
                .map_err(io::Error::other)?;
                bytes
                    .map(Bytes::from)
                    .ok_or_else(|| io::Error::other("the stored file was deleted while it was read"))
            }
        });
        Ok(Some(Box::pin(stream)))
    }

    async fn delete(&self, sha256: &str) -> Result<(), StorageError> {
        let mut conn = self.pool.acquire().await?;
        self.delete_on(&mut conn, sha256).await
    }

    async fn exists(&self, sha256: &str) -> Result<bool, StorageError> {
        Ok(
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM blobs WHERE sha256 = $1)")
                .bind(key_checked(sha256)?)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn keys(&self) -> Result<Vec<String>, StorageError> {
        Ok(sqlx::query_scalar("SELECT sha256 FROM blobs ORDER BY sha256")
            .fetch_all(&self.pool)
            .await?)
    }

    async fn clear_temp(&self) -> Result<(), StorageError> {
        // An interrupted upload's transaction was rolled back: nothing to clear.
        Ok(())
    }

    async fn unfinished(&self) -> Result<usize, StorageError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND application_name = $1 AND xact_start IS NOT NULL AND pid <> pg_backend_pid()",
        )
        .bind(APPLICATION)
        .fetch_one(&self.pool)
        .await?;
        Ok(n as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::slice_of;

    #[test]
    fn ranges_map_onto_chunks() {
        // Chunks of 10: bytes 5..25 are 6-10 of chunk 0, all of chunk 1, 1-5 of chunk 2.
        assert_eq!(slice_of(0, 10, &(5..25)), (6, 5));
        assert_eq!(slice_of(1, 10, &(5..25)), (1, 10));
        assert_eq!(slice_of(2, 10, &(5..25)), (1, 5));
        assert_eq!(slice_of(3, 10, &(0..35)), (1, 5));
    }
}
