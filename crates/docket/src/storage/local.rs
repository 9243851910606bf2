//! The local directory backend: `DIR/ab/abcdef…` holds the bytes whose SHA-256 is `abcdef…`;
//! uploads are written to `DIR/tmp/`, synced, and renamed into place, so a crash never leaves
//! part of a file under a real name (and a start-up sweep empties `tmp/`).

use std::io::{self, SeekFrom};
use std::ops::Range;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use super::{BlobStore, ByteStream, Intake, Staged, StorageError, is_key, staged};
use crate::config::Config;

/// Read size of a download.
const CHUNK: usize = 64 * 1024;

/// The directory of the local backend: configured, else `assets/` beside the SQLite file (in
/// the working directory for other databases).
pub fn default_dir(config: &Config) -> PathBuf {
    if let Some(dir) = &config.storage.dir {
        return dir.clone();
    }
    let url = &config.database_url;
    let file = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or(rest));
    match file {
        Some(f) if !f.is_empty() && f != ":memory:" => Path::new(f)
            .parent()
            .map(|p| p.join("assets"))
            .unwrap_or_else(|| PathBuf::from("assets")),
        _ => PathBuf::from("assets"),
    }
}

/// A local directory of stored files.
#[derive(Debug)]
pub struct LocalDir {
    root: PathBuf,
}

/// A temporary file, removed when dropped unless it was renamed into place.
#[derive(Debug)]
pub struct TempFile {
    path: Option<PathBuf>,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = self.path.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

impl LocalDir {
    /// The directory at `root` (created by the first upload).
    pub fn open(root: &Path) -> LocalDir {
        LocalDir {
            root: root.to_path_buf(),
        }
    }

    fn path_of(&self, sha256: &str) -> io::Result<PathBuf> {
        if !is_key(sha256) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a SHA-256 key"));
        }
        Ok(self.root.join(&sha256[..2]).join(sha256))
    }
}

/// Syncs a directory, so that a rename in it survives a crash.
async fn sync_dir(dir: &Path) -> io::Result<()> {
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || std::fs::File::open(dir)?.sync_all())
        .await
        .map_err(io::Error::other)?
}

impl BlobStore for LocalDir {
    type Pending = TempFile;

    async fn stage<S, E>(&self, body: S, limit: u64) -> Result<Staged<TempFile>, StorageError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: std::fmt::Display + Send,
    {
        tokio::fs::create_dir_all(self.root.join("tmp")).await?;
        let path = self.root.join("tmp").join(uuid::Uuid::new_v4().simple().to_string());
        // From here on, the file goes with this guard, also when the request is dropped.
        let temp = TempFile {
            path: Some(path.clone()),
        };
        let mut file = tokio::fs::File::create(&path).await?;
        let mut intake = Intake::new(limit);
        let mut body = std::pin::pin!(body);
        while let Some(chunk) = body.next().await {
            let chunk = intake.take(chunk)?;
            file.write_all(&chunk).await?;
        }
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        let (sha256, size) = intake.finish();
        Ok(staged(sha256, size, temp))
    }

    async fn commit(&self, mut staged: Staged<TempFile>) -> Result<(), StorageError> {
        let target = self.path_of(&staged.sha256)?;
        let dir = target
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| self.root.clone());
        if tokio::fs::try_exists(&target).await? {
            // Same content already stored: the temporary copy goes with `staged`.
            return Ok(());
        }
        tokio::fs::create_dir_all(&dir).await?;
        let Some(temp) = staged.pending.path.take() else {
            return Err(StorageError::Io(io::Error::other("staged file already used")));
        };
        if let Err(e) = tokio::fs::rename(&temp, &target).await {
            staged.pending.path = Some(temp);
            return Err(e.into());
        }
        sync_dir(&dir).await?;
        Ok(())
    }

    async fn get(&self, sha256: &str, range: Option<Range<u64>>) -> Result<Option<ByteStream>, StorageError> {
        let path = self.path_of(sha256)?;
        let mut file = match tokio::fs::File::open(&path).await {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let (start, end) = match range {
            Some(r) => (r.start, Some(r.end)),
            None => (0, None),
        };
        if start > 0 {
            file.seek(SeekFrom::Start(start)).await?;
        }
        let left = end.map(|e| e.saturating_sub(start));
        let stream = futures_util::stream::unfold((file, left), |(mut file, left)| async move {
            let want = match left {
                Some(0) => return None,
                Some(n) => (n as usize).min(CHUNK),
                None => CHUNK,
            };
            let mut buf = vec![0u8; want];
            match file.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    let left = left.map(|l| l - n as u64);
                    Some((Ok(Bytes::from(buf)), (file, left)))
                }
                Err(e) => Some((Err(e), (file, Some(0)))),
            }
        });
        Ok(Some(Box::pin(stream)))
    }

    async fn delete(&self, sha256: &str) -> Result<(), StorageError> {
        match tokio::fs::remove_file(self.path_of(sha256)?).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn exists(&self, sha256: &str) -> Result<bool, StorageError> {
        Ok(tokio::fs::try_exists(self.path_of(sha256)?).await?)
    }

    async fn keys(&self) -> Result<Vec<String>, StorageError> {
        let root = self.root.clone();
        let keys = tokio::task::spawn_blocking(move || -> io::Result<Vec<String>> {
            let mut keys = Vec::new();
            if !root.exists() {
                return Ok(keys);
            }
            for dir in std::fs::read_dir(&root)? {
                let dir = dir?;
                let name = dir.file_name();
                let name = name.to_string_lossy();
                if name.len() != 2 || !dir.file_type()?.is_dir() {
                    continue;
                }
                for file in std::fs::read_dir(dir.path())? {
                    let key = file?.file_name().to_string_lossy().to_string();
                    if is_key(&key) && key.starts_with(&*name) {
                        keys.push(key);
                    }
                }
            }
            keys.sort();
            Ok(keys)
        })
        .await
        .map_err(io::Error::other)??;
        Ok(keys)
    }

    async fn clear_temp(&self) -> Result<(), StorageError> {
        let tmp = self.root.join("tmp");
        tokio::task::spawn_blocking(move || -> io::Result<()> {
            let Ok(entries) = std::fs::read_dir(&tmp) else {
                return Ok(());
            };
            for entry in entries {
                let _ = std::fs::remove_file(entry?.path());
            }
            Ok(())
        })
        .await
        .map_err(io::Error::other)??;
        Ok(())
    }

    async fn unfinished(&self) -> Result<usize, StorageError> {
        match std::fs::read_dir(self.root.join("tmp")) {
            Ok(entries) => Ok(entries.count()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(e.into()),
        }
    }
}
