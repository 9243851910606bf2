//! Database faults as this server has seen them, episode by episode: the storage is full (an
//! answer was 507) or the database is unavailable (an answer was 503). Each episode is logged
//! once when it starts, with what an operator needs (the SQLite file and the free space on its
//! file system), and once when it ends; `/ready` fails while the storage is full. Nothing here
//! blocks a write: every write is tried, so writes are accepted again as soon as space is
//! back, without a restart. A full-storage episode ends when (SQLite) the file system has 1 MiB
//! free again or (PostgreSQL) a write succeeds.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};

/// Free space (bytes) on the SQLite file's file system at which `/ready` passes again before
/// any write has succeeded.
const ROOM_AGAIN: u64 = 1024 * 1024;

/// Without a file system to look at (PostgreSQL), `/ready` fails this long after the last 507.
const REMOTE_FULL_FOR: Duration = Duration::from_secs(10);

/// The database fault behind an error response (in its extensions), set by the error
/// envelope so that `observe` sees what a status alone does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 507: the storage is full.
    StorageFull,
    /// 503: the database is unavailable.
    Unavailable,
}

/// The faults of one server.
#[derive(Debug)]
pub struct Faults {
    sqlite_file: Option<PathBuf>,
    state: Mutex<Episodes>,
}

#[derive(Debug, Default)]
struct Episodes {
    /// When the last write failed for lack of space, while the episode lasts.
    storage_full: Option<Instant>,
    /// Whether a 503 for an unavailable database is the last thing seen.
    unavailable: bool,
}

impl Faults {
    /// The faults of a server on `database_url`.
    pub fn new(database_url: &str) -> Self {
        Faults {
            sqlite_file: sqlite_file(database_url),
            state: Mutex::new(Episodes::default()),
        }
    }

    fn episodes(&self) -> std::sync::MutexGuard<'_, Episodes> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Notes the answer to a request (every response passes here) and the fault behind it.
    pub fn observe(&self, method: &Method, status: StatusCode, fault: Option<&Fault>) {
        let writes = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
        if fault == Some(&Fault::StorageFull) {
            let first = self.episodes().storage_full.replace(Instant::now()).is_none();
            if first {
                self.log_full();
            }
        } else if fault == Some(&Fault::Unavailable) {
            let first = !std::mem::replace(&mut self.episodes().unavailable, true);
            if first {
                tracing::warn!("the database is unavailable (unreachable, restarting or read-only); answering 503");
            }
        } else if status.is_success() {
            let mut e = self.episodes();
            if std::mem::take(&mut e.unavailable) {
                tracing::info!("the database answers again");
            }
            // On SQLite a small write can still fit in a full file system; the episode ends
            // when there is room again, so that a nearly full disk is not logged per write.
            if writes && e.storage_full.is_some() && (self.sqlite_file.is_none() || self.has_room()) {
                e.storage_full = None;
                drop(e);
                tracing::info!(free_bytes = self.free_bytes(), "storage has room again: writes succeed");
            }
        }
    }

    /// Whether writes can be expected to succeed (for `/ready`): false while the storage is
    /// full, which ends when a write succeeds or (SQLite) the file system has room again.
    pub fn storage_ok(&self) -> bool {
        let Some(since) = self.episodes().storage_full else {
            return true;
        };
        let room = match &self.sqlite_file {
            Some(_) => self.has_room(),
            None => since.elapsed() >= REMOTE_FULL_FOR,
        };
        if room {
            self.episodes().storage_full = None;
            tracing::info!(free_bytes = self.free_bytes(), "storage has room again");
        }
        room
    }

    fn log_full(&self) {
        match &self.sqlite_file {
            Some(path) => tracing::error!(
                path = %path.display(),
                free_bytes = self.free_bytes(),
                "storage full: the database cannot write, writes answer 507 until space is freed \
                 on its file system (no restart needed)"
            ),
            None => tracing::error!(
                "storage full: the database reports its disk is full, writes answer 507 until \
                 space is freed"
            ),
        }
    }

    fn has_room(&self) -> bool {
        self.free_bytes().is_some_and(|b| b >= ROOM_AGAIN)
    }

    /// Bytes available to docket on the SQLite file's file system.
    fn free_bytes(&self) -> Option<u64> {
        let path = self.sqlite_file.as_deref()?;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let s = rustix::fs::statvfs(dir).ok()?;
        Some(s.f_bavail.saturating_mul(s.f_frsize))
    }
}

/// The file of a `sqlite:` URL.
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.trim().strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sqlite_file_is_found_in_its_url() {
        assert_eq!(
            sqlite_file("sqlite:///var/d.db?mode=rwc"),
            Some(PathBuf::from("/var/d.db"))
        );
        assert_eq!(sqlite_file("sqlite://docket.db"), Some(PathBuf::from("docket.db")));
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
    }

    #[test]
    fn an_episode_starts_once_and_ends_with_a_successful_write() {
        let f = Faults::new("postgres://u@h/db");
        let full = Some(&Fault::StorageFull);
        f.observe(&Method::POST, StatusCode::INSUFFICIENT_STORAGE, full);
        assert!(!f.storage_ok());
        f.observe(&Method::GET, StatusCode::OK, None);
        assert!(!f.storage_ok(), "a read says nothing about space");
        f.observe(&Method::GET, StatusCode::SERVICE_UNAVAILABLE, None);
        f.observe(&Method::POST, StatusCode::CREATED, None);
        assert!(f.storage_ok());
    }
}
