//! docket's storage seam: one [`Store`] over SQLite and PostgreSQL.
//!
//! The SQL lives once, in `src/sql/`, written in the dialect both databases accept (`$N`
//! placeholders, epoch-millisecond integers, `lower()`, `ON CONFLICT`, `RETURNING`). Each of
//! those files is compiled twice, as `sqlite::x` with `type Db = Sqlite` and as `postgres::x`
//! with `type Db = Postgres` (see `sqlite.rs` and `postgres.rs`), so every query is type-checked
//! against both drivers without a generic bound in sight. [`Store`] picks the module by backend.
//! On SQLite every write goes through a single-connection pool, so concurrent writers queue in
//! docket instead of failing with `SQLITE_BUSY`; reads use a separate pool under WAL.
#![warn(missing_docs)]
#![allow(
    clippy::duplicate_mod,
    reason = "each src/sql file is compiled twice on purpose: once per backend (see above)"
)]

#[macro_use]
mod retry;

mod api;
mod checkpoint;
mod error;
mod group_commit;
mod list_plan;
pub mod memo;
pub mod model;
mod postgres;
pub mod query;
mod sqlite;
mod statistics;
mod task_insert;
pub mod transfer;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Postgres, Sqlite};

pub use error::StoreError;

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// How to open the database.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// `sqlite://PATH` or `postgres://…`.
    pub url: String,
    /// SQLite only: `synchronous=FULL` (survives power loss) instead of `NORMAL` (survives a
    /// crash of the process).
    pub sqlite_sync_full: bool,
    /// Upper bound on pooled connections (readers on SQLite).
    pub max_connections: u32,
    /// How long a list total may be reused by later pages while no write intervenes (see
    /// `memo.rs`); zero counts every page afresh.
    pub count_cache_ttl: Duration,
    /// How long token lookups, organizations and members may be reused while no write that can
    /// change them intervenes; zero reads them on every request.
    pub identity_cache_ttl: Duration,
    /// A list page is read starting from its selective filters (the `IN (…)` form) while the
    /// list's total is at most this; above it, by walking the sort order. Tuning, and a way for
    /// tests to exercise both forms.
    pub list_drive_max: i64,
}

impl StoreOptions {
    /// Options with the defaults for `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            sqlite_sync_full: false,
            max_connections: 8,
            count_cache_ttl: Duration::from_secs(2),
            identity_cache_ttl: Duration::from_secs(2),
            list_drive_max: 2000,
        }
    }
}

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

#[derive(Clone)]
enum Backend {
    Sqlite {
        read: Pool<Sqlite>,
        write: Pool<Sqlite>,
        /// The connection of `checkpoint::run`.
        checkpoints: Pool<Sqlite>,
        /// The common creates, written in batches on `write`.
        creates: group_commit::Committer,
        /// Launches from templates, written in batches on `write`.
        launches: sqlite::launch_commit::Launches,
    },
    Postgres {
        pool: Pool<Postgres>,
        /// Launches from templates, written in batches on `pool`.
        launches: postgres::launch_commit::Launches,
    },
}

/// The database behind docket. Cheap to clone (pools are shared).
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    generation: Arc<memo::Generation>,
    counts: Arc<memo::Memo<i64>>,
    counting: Arc<memo::Flights>,
    /// What each member may not see of each organization's feed (`api/activity.rs`).
    hidden: Arc<memo::Memo<api::activity::KeptHidden>>,
    /// Bumped by the writes that can change tokens, memberships or organizations.
    identity: Arc<memo::Generation>,
    tokens: Arc<memo::Memo<model::TokenLookup>>,
    orgs: Arc<memo::Memo<model::Organization>>,
    members: Arc<memo::Memo<Vec<model::Member>>>,
    /// Bumped by every write but a launch's: what a template may have changed.
    templates: Arc<memo::Generation>,
    /// Templates as launches copy them, by organization and id (`api/launch.rs`).
    snapshots: Arc<memo::Memo<Arc<model::TemplateSnapshot>>>,
    /// Bumped by watcher writes (W2, W3).
    watching: Arc<memo::Generation>,
    /// The watchers of each organization as event targets, for launches and creates
    /// (`api/watchers.rs`).
    watchers: Arc<memo::Memo<Arc<Vec<model::WatcherTarget>>>>,
    list_drive_max: i64,
    /// Permits for `without_pagination` streams, each of which holds a connection throughout.
    streams: Arc<tokio::sync::Semaphore>,
}

/// Runs `module::function(pool, args…)` on the read pool of whichever backend is in use; on
/// PostgreSQL again when the connection was lost (a read has no effect; see `retry.rs`).
macro_rules! on_read {
    ($store:expr, $module:ident :: $func:ident ( $($arg:expr),* $(,)? )) => {
        match &$store.backend {
            $crate::Backend::Sqlite { read, .. } => $crate::sqlite::$module::$func(read, $($arg),*).await,
            $crate::Backend::Postgres { pool, .. } => {
                let mut attempts = $crate::retry::Attempts::new();
                loop {
                    let result = $crate::postgres::$module::$func(pool, $($arg),*).await;
                    if !attempts.read_again(&result).await {
                        break result;
                    }
                }
            }
        }
    };
}

/// What a store write can make stale: every write declares it at its `on_write!` call, so a new
/// write must choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stale {
    /// Task, run, thread, tag, group, guest, delivery and idempotency data: remembered counts and
    /// lists.
    Data,
    /// Also identity: tokens, memberships and organizations (remembered per request).
    Identity,
    /// [`Stale::Data`], but certainly no template: a launch (it copies its template and only
    /// counts the launch on it), so that launches keep the template remembered.
    Launch,
}

/// Runs `module::function(pool, args…)` on the write path of whichever backend is in use, then
/// marks remembered values stale as `$stale` (a [`Stale`]) declares (see `memo.rs`). On
/// PostgreSQL a write that lost its connection before its `COMMIT` was sent runs again, if it
/// opted in (see `retry.rs`).
macro_rules! on_write {
    ($store:expr, $stale:expr, $module:ident :: $func:ident ( $($arg:expr),* $(,)? )) => {{
        let stale: $crate::Stale = $stale;
        let result = match &$store.backend {
            $crate::Backend::Sqlite { write, .. } => $crate::sqlite::$module::$func(write, $($arg),*).await,
            $crate::Backend::Postgres { pool, .. } => {
                let mut attempts = $crate::retry::Attempts::new();
                loop {
                    let (result, progress) =
                        $crate::retry::tracked($crate::postgres::$module::$func(pool, $($arg),*)).await;
                    if !attempts.write_again(progress, &result).await {
                        break result;
                    }
                }
            }
        };
        $store.mark_stale(stale);
        result
    }};
}
pub(crate) use {on_read, on_write};

/// One connection to PostgreSQL before the pool is built: the pool retries a refused
/// connection until its acquire timeout and then reports only `pool timed out`, where a person
/// starting docket needs the address and the reason (connection refused, no such host,
/// authentication failed) at once.
async fn probe_postgres(connect: &PgConnectOptions) -> StoreResult<()> {
    use sqlx::{ConnectOptions, Connection};
    const PATIENCE: Duration = Duration::from_secs(5);
    let at = match connect.get_socket() {
        Some(dir) => format!("socket {}", dir.display()),
        None => format!("{}:{}", connect.get_host(), connect.get_port()),
    };
    match tokio::time::timeout(PATIENCE, connect.connect()).await {
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
            Ok(())
        }
        Ok(Err(e)) => Err(StoreError::Other(format!(
            "cannot connect to PostgreSQL at {at}: {}",
            connect_reason(&e)
        ))),
        Err(_) => Err(StoreError::Other(format!(
            "cannot connect to PostgreSQL at {at}: no answer within {} s",
            PATIENCE.as_secs()
        ))),
    }
}

/// The reason of a failed connection in a person's words: the operating system's for I/O
/// errors (`connection refused`), else the driver's.
fn connect_reason(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused (is PostgreSQL running and listening there?)".into()
        }
        sqlx::Error::Io(io) => io.to_string(),
        other => other.to_string(),
    }
}

impl Store {
    /// Marks remembered values stale after a write (see [`Stale`]).
    fn mark_stale(&self, stale: Stale) {
        self.generation.bump();
        match stale {
            Stale::Launch => {}
            Stale::Data => self.templates.bump(),
            Stale::Identity => {
                self.templates.bump();
                self.identity.bump();
            }
        }
    }

    /// Opens the database named by `opts.url` (creating a SQLite file if needed). Does not
    /// migrate: call [`Store::migrate`].
    pub async fn connect(opts: &StoreOptions) -> StoreResult<Store> {
        let url = opts.url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // No parallel workers: every list reads one short range of an index and stops, so
            // starting workers only adds their start-up (page 5 of a tag's in-progress tasks at
            // 1,000,000: 37 ms with two workers, 19 ms without), and under load the server's
            // cores are busy with other requests anyway.
            let connect = PgConnectOptions::from_str(url)
                .map_err(StoreError::other)?
                .options([("max_parallel_workers_per_gather", "0")]);
            probe_postgres(&connect).await?;
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections.max(2))
                .acquire_timeout(Duration::from_secs(10))
                // Instead of the pool's ping before handing out a connection, a query of the same
                // one round trip that also checks the connection is outside any transaction.
                .test_before_acquire(false)
                .before_acquire(|conn, _| Box::pin(postgres::outside_transaction(conn)))
                .connect_with(connect)
                .await
                .map_err(StoreError::other)?;
            let launches = postgres::launch_commit::Launches::start(pool.clone(), checkpoint::Wake::default());
            return Ok(Store::new(Backend::Postgres { pool, launches }, opts));
        }
        if !url.starts_with("sqlite:") {
            return Err(StoreError::Other(format!(
                "unsupported database URL (expected sqlite://PATH or postgres://…): {}",
                redact_url(url)
            )));
        }
        let sync = if opts.sqlite_sync_full {
            SqliteSynchronous::Full
        } else {
            SqliteSynchronous::Normal
        };
        let connect = SqliteConnectOptions::from_str(url)
            .map_err(StoreError::other)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(sync)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true)
            .pragma("temp_store", "memory")
            // 4 MiB of page cache per connection (nine of them): the operating system caches the
            // file as well, and the server stays well under 150 MB resident at a million tasks.
            .pragma("cache_size", "-4000")
            // A page of 100 rows crosses from the connection's thread in one go: with sqlx's 50,
            // the thread stopped halfway through each page until the request's task woke and
            // drained the channel (two more thread switches a page).
            .row_buffer_size(128);
        // The writer first, so that it creates the file and switches it to WAL before readers open.
        // It has a larger cache: every write walks the indexes of the tasks it changes.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(
                connect
                    .clone()
                    .pragma("cache_size", "-16000")
                    .pragma("wal_autocheckpoint", checkpoint::WRITER_PAGES.to_string()),
            )
            .await
            .map_err(StoreError::other)?;
        let checkpoints = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(connect.clone())
            .await
            .map_err(StoreError::other)?;
        let wake = checkpoint::Wake::default();
        tokio::spawn(checkpoint::run(checkpoints.clone(), wake.clone()));
        tokio::spawn(statistics::run(checkpoints.clone()));
        // No ping before handing out a connection (a round trip to its thread): an open SQLite
        // file does not go away the way a server connection can.
        let read = SqlitePoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(connect.read_only(true))
            .await
            .map_err(StoreError::other)?;
        Ok(Store::new(
            Backend::Sqlite {
                read,
                creates: group_commit::Committer::start(write.clone(), wake.clone()),
                launches: sqlite::launch_commit::Launches::start(write.clone(), wake),
                write,
                checkpoints,
            },
            opts,
        ))
    }

    fn new(backend: Backend, opts: &StoreOptions) -> Store {
        Store {
            backend,
            generation: Arc::default(),
            counts: Arc::new(memo::Memo::new(opts.count_cache_ttl)),
            counting: Arc::default(),
            hidden: Arc::new(memo::Memo::with_capacity(
                opts.count_cache_ttl,
                api::activity::HIDDEN_KEPT,
            )),
            identity: Arc::default(),
            tokens: Arc::new(memo::Memo::new(opts.identity_cache_ttl)),
            orgs: Arc::new(memo::Memo::new(opts.identity_cache_ttl)),
            members: Arc::new(memo::Memo::new(opts.identity_cache_ttl)),
            templates: Arc::default(),
            snapshots: Arc::new(memo::Memo::new(opts.identity_cache_ttl)),
            watching: Arc::default(),
            watchers: Arc::new(memo::Memo::new(opts.identity_cache_ttl)),
            list_drive_max: opts.list_drive_max,
            streams: Arc::new(tokio::sync::Semaphore::new((opts.max_connections / 3).max(1) as usize)),
        }
    }

    /// The generation every write through this store bumps, for values remembered outside it
    /// (see [`memo`]).
    pub fn generation(&self) -> &memo::Generation {
        &self.generation
    }

    fn lists(&self) -> list_plan::Lists {
        list_plan::Lists {
            counts: self.counts.clone(),
            counting: self.counting.clone(),
            generation: self.generation.clone(),
            drive_max: self.list_drive_max,
        }
    }

    /// Marks every remembered list total stale: for changes made to the database other than
    /// through this `Store` (another tool, a test's direct SQL).
    pub fn forget_counts(&self) {
        self.mark_stale(Stale::Identity);
    }

    /// Applies pending migrations (embedded in the binary).
    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.backend {
            Backend::Sqlite { write, .. } => sqlx::migrate!("./migrations/sqlite").run(write).await,
            Backend::Postgres { pool, .. } => sqlx::migrate!("./migrations/postgres").run(pool).await,
        }
        .map_err(|e| StoreError::Other(format!("migration failed: {e}")))?;
        if let Backend::Sqlite { write, .. } = &self.backend {
            statistics::refresh(write)
                .await
                .map_err(|e| StoreError::Other(format!("analyzing the database failed: {e}")))?;
        }
        Ok(())
    }

    /// Which backend this is.
    pub fn kind(&self) -> BackendKind {
        match self.backend {
            Backend::Sqlite { .. } => BackendKind::Sqlite,
            Backend::Postgres { .. } => BackendKind::Postgres,
        }
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        let r = match &self.backend {
            Backend::Sqlite { read, .. } => sqlx::query("SELECT 1").execute(read).await.map(|_| ()),
            Backend::Postgres { pool, .. } => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
        };
        r.is_ok()
    }

    /// Whether the database takes writes: on PostgreSQL, not a standby and not in read-only
    /// mode (`default_transaction_read_only`); a SQLite file that opened does (whether its disk
    /// has room is for the caller to see).
    pub async fn accepts_writes(&self) -> bool {
        match &self.backend {
            Backend::Sqlite { .. } => true,
            Backend::Postgres { pool, .. } => sqlx::query_scalar::<_, bool>(
                "SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off'",
            )
            .fetch_one(pool)
            .await
            .unwrap_or(false),
        }
    }

    /// A mark that changes whenever a commit may have changed the data: on SQLite
    /// `PRAGMA data_version` of the checkpointer's connection (any commit but that connection's
    /// own, from this process's writer or another process such as an admin command); on
    /// PostgreSQL the current snapshot (`xmin:xmax:xids in progress`), which moves whenever a
    /// transaction that writes begins or ends, on any node and in any database of the cluster.
    /// `None` when it cannot be read. A value that depends on the data alone, not on the clock,
    /// is still current while this is unchanged since before it was read.
    pub(crate) async fn data_version(&self) -> Option<String> {
        match &self.backend {
            Backend::Sqlite { checkpoints, .. } => sqlx::query_scalar::<_, i64>("PRAGMA data_version")
                .fetch_one(checkpoints)
                .await
                .ok()
                .map(|v| v.to_string()),
            Backend::Postgres { pool, .. } => sqlx::query_scalar::<_, String>("SELECT pg_current_snapshot()::text")
                .fetch_one(pool)
                .await
                .ok(),
        }
    }

    /// The connection pools as they are now (for metrics): `read` and `write` on SQLite, `main`
    /// on PostgreSQL.
    pub fn pool_stats(&self) -> Vec<PoolStats> {
        fn stats<DB: sqlx::Database>(name: &'static str, pool: &Pool<DB>) -> PoolStats {
            PoolStats {
                name,
                size: pool.size(),
                idle: pool.num_idle(),
                max: pool.options().get_max_connections(),
            }
        }
        match &self.backend {
            Backend::Sqlite { read, write, .. } => vec![stats("read", read), stats("write", write)],
            Backend::Postgres { pool, .. } => vec![stats("main", pool)],
        }
    }

    /// Closes every pooled connection, waiting for those in use.
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite {
                read,
                write,
                checkpoints,
                ..
            } => {
                read.close().await;
                write.close().await;
                checkpoints.close().await;
            }
            Backend::Postgres { pool, .. } => pool.close().await,
        }
    }
}

/// One connection pool's numbers (see [`Store::pool_stats`]).
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    /// Which pool.
    pub name: &'static str,
    /// Open connections.
    pub size: u32,
    /// Of those, idle.
    pub idle: usize,
    /// The most it opens.
    pub max: u32,
}

/// `url` with any password replaced by `***`, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme_end + 3], &creds[..colon], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("sqlite://docket.db"), "sqlite://docket.db");
    }

    #[test]
    fn migration_folders_stay_in_step() {
        let names = |dir: &str| {
            let mut v: Vec<String> = std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
                .expect("migration folder")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        assert_eq!(names("sqlite"), names("postgres"));
    }
}
