//! The sections of [`Config`](super::Config) that stand on their own: email, the web pages,
//! file storage (with S3), and the small enums the loader parses (rate-limit store, storage
//! backend, SMTP TLS, log format), with their defaults.

use std::path::PathBuf;

/// Email notifications (`[email]` in `docket.toml`, `DOCKET_SMTP_*`): the SMTP server docket
/// hands its mails to, and when digests go out. Without `smtp_host` nothing is queued or sent.
#[derive(Clone, PartialEq, Eq)]
pub struct EmailConfig {
    /// The SMTP server's host name; `None`: no mail at all.
    pub smtp_host: Option<String>,
    /// Its port (587 for STARTTLS, 465 for TLS, 25 for plain relays).
    pub smtp_port: u16,
    /// How the connection is secured.
    pub smtp_tls: SmtpTls,
    /// The user name to authenticate with, if any.
    pub smtp_username: Option<String>,
    /// Its password (never logged).
    pub smtp_password: Option<String>,
    /// The `From` of every mail.
    pub from: String,
    /// Seconds one delivery (connect, send, quit) may take.
    pub timeout_secs: u64,
    /// The wait after a first failed attempt, ms; doubled each time, capped at an hour.
    pub retry_base_ms: u64,
    /// The hour (0-23, in each member's time zone) from which a day's digest is sent.
    pub digest_hour: u32,
    /// How often the notifier looks for new activity and due mails, ms. Tuning (and tests), not
    /// in `docket.toml`.
    pub poll_ms: u64,
}

impl Default for EmailConfig {
    fn default() -> Self {
        EmailConfig {
            smtp_host: None,
            smtp_port: 587,
            smtp_tls: SmtpTls::StartTls,
            smtp_username: None,
            smtp_password: None,
            from: "docket <docket@localhost>".into(),
            timeout_secs: 30,
            retry_base_ms: 60_000,
            digest_hour: 8,
            poll_ms: 1000,
        }
    }
}

impl std::fmt::Debug for EmailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailConfig")
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_tls", &self.smtp_tls)
            .field("smtp_username", &self.smtp_username)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// How the SMTP connection is secured (`email.smtp_tls`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS, which the server must offer.
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
    /// No encryption (a relay on the same machine or network, tests).
    None,
}

/// Settings of the pages for people (`[web]` in `docket.toml`, `DOCKET_WEB_*`).
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Cookies marked `Secure`: `Some(true)` always, `Some(false)` never, `None` when the request
    /// came over HTTPS (`X-Forwarded-Proto: https`) or `public_url` is `https://…`.
    pub secure_cookies: Option<bool>,
    /// Hours a sign-in lasts.
    pub session_hours: i64,
    /// Failed sign-ins per email address, and per client address, in 15 minutes; past it
    /// sign-in is refused (429) until the window moves on.
    pub signin_limit: i64,
    /// argon2id memory cost of new password hashes, KiB (OWASP's minimum: 19456 = 19 MiB).
    pub password_memory_kib: u32,
    /// argon2id passes over the memory (OWASP: 2 with 19 MiB).
    pub password_iterations: u32,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: None,
            session_hours: 24 * 14,
            signin_limit: 10,
            password_memory_kib: 19_456,
            password_iterations: 2,
        }
    }
}

/// Where and how uploaded files are kept (`[storage]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageConfig {
    /// The backend.
    pub backend: StorageBackend,
    /// Directory of the local backend; default `assets/` beside the SQLite file (or in the
    /// working directory on PostgreSQL).
    pub dir: Option<PathBuf>,
    /// The largest file accepted, in bytes (default 100 MiB).
    pub max_upload_bytes: u64,
    /// File name extensions accepted (lower case, without the dot).
    pub extensions: Vec<String>,
    /// Connections of the `postgres` backend's own pool (each upload in flight holds one).
    pub postgres_connections: u32,
    /// The `s3` backend's bucket and credentials (`[storage.s3]`).
    pub s3: S3Config,
}

/// Where the `s3` backend keeps files (`[storage.s3]`, `DOCKET_STORAGE_S3_*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct S3Config {
    /// The bucket (required by the `s3` backend).
    pub bucket: Option<String>,
    /// The service's URL, for S3-compatible servers (`http://…` allowed); default AWS.
    pub endpoint: Option<String>,
    /// The region; default `us-east-1`.
    pub region: Option<String>,
    /// Access key id; with no key pair configured the standard AWS environment applies.
    pub access_key_id: Option<String>,
    /// Secret access key: from the environment only (`DOCKET_STORAGE_S3_SECRET_ACCESS_KEY`),
    /// never written to a log.
    pub secret_access_key: Option<Secret>,
    /// Path-style requests (`ENDPOINT/BUCKET/KEY`) instead of virtual-hosted ones
    /// (`BUCKET.ENDPOINT/KEY`); default: path-style exactly when an endpoint is set.
    pub path_style: Option<bool>,
    /// A key prefix, so that one bucket can hold other things too (`docket/`); default none.
    pub prefix: Option<String>,
}

/// A secret setting: shown as `***` by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// The extensions an upload may have unless `storage.extensions` replaces them.
pub const DEFAULT_UPLOAD_EXTENSIONS: &[&str] = &[
    "xlsx", "xls", "pptx", "docx", "ppt", "doc", "rtf", "pdf", "txt", "mpga", "mov", "qt", "mp4", "webm", "jpg",
    "jpeg", "gif", "png", "ai", "psd", "zip", "xml", "xps", "dwg", "csv", "tif", "bmp",
];

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            backend: StorageBackend::Local,
            dir: None,
            max_upload_bytes: 100 * 1024 * 1024,
            extensions: DEFAULT_UPLOAD_EXTENSIONS.iter().map(|s| s.to_string()).collect(),
            postgres_connections: 8,
            s3: S3Config::default(),
        }
    }
}

/// Which storage backend keeps file bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageBackend {
    /// A local directory, content-addressed by SHA-256.
    Local,
    /// Chunked rows in the PostgreSQL database itself (only with a PostgreSQL database).
    Postgres,
    /// An S3-compatible object store.
    S3,
}

/// Where the rate limit keeps its window (`rate_limit.store`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimitStore {
    /// Shared by every process through PostgreSQL; in memory on SQLite.
    Auto,
    /// In this process's memory, whatever the database.
    Memory,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Human,
    /// One JSON object per line.
    Json,
}
