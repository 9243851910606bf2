//! `Config` and its layered loader: defaults < `docket.toml` < `DOCKET_*` environment < flags.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;

mod file;
mod sections;
use file::read_file;
pub use sections::*;

/// Everything `docket serve` and the admin commands need to know.
#[derive(Clone)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// `sqlite://PATH` or `postgres://…`.
    pub database_url: String,
    /// SQLite `synchronous=FULL` (power-loss durable) instead of `NORMAL` (crash durable).
    pub sqlite_sync_full: bool,
    /// Pooled connections.
    pub max_connections: u32,
    /// Milliseconds a remembered read (list totals, token lookups, members, organizations, and
    /// on SQLite whole task reads) may be reused while no write intervenes (0: none are).
    pub cache_ms: u64,
    /// Lists with at most this many matches read their page from the selective filters;
    /// larger ones walk the sort order. Tuning (and tests), not in `docket.toml`.
    pub list_drive_max: i64,
    /// Public base URL for links; else the request's scheme and host.
    pub public_url: Option<String>,
    /// Requests per rolling 60 s per token.
    pub rate_limit: u32,
    /// Where the rate limit counts: shared through PostgreSQL, or in this process.
    pub rate_limit_store: RateLimitStore,
    /// Webhook request timeout, seconds.
    pub webhook_timeout_secs: u64,
    /// First webhook retry interval, milliseconds.
    pub webhook_retry_base_ms: u64,
    /// Allow webhook targets on private addresses.
    pub webhook_allow_private: bool,
    /// Fixed clock (ms since epoch) for tests.
    pub now: Option<i64>,
    /// Bootstrap file loaded at start-up.
    pub bootstrap: Option<PathBuf>,
    /// `human` or `json`.
    pub log_format: LogFormat,
    /// Per-request timeout, seconds.
    pub request_timeout_secs: u64,
    /// Seconds a client has to send a request's headers, from the connection's first byte (or
    /// its opening) to the blank line; 0: no limit.
    pub header_timeout_secs: u64,
    /// Seconds a kept-alive connection may sit without a request before it is closed; 0: no
    /// limit.
    pub idle_timeout_secs: u64,
    /// Connections open at once; past it new ones wait in the listen queue. Lowered at start-up
    /// to fit the process's descriptor limit.
    pub max_open_connections: usize,
    /// Bytes per second a request body must arrive at, on average, once `header_timeout_secs`
    /// have passed (else 408); 0: no minimum.
    pub min_body_rate: u64,
    /// Expensive requests (list pages, search, streams) one token may have running at once.
    pub fair_share_per_token: usize,
    /// Expensive requests one token may have waiting for a slot; past it, 429.
    pub fair_share_queue: usize,
    /// Expensive requests running at once on this server, all tokens together.
    pub fair_share_global: usize,
    /// When set, `GET /metrics` requires `Authorization: Bearer <this>`.
    pub metrics_token: Option<String>,
    /// Where uploaded files' bytes live (`[storage]`, see `storage/`).
    pub storage: StorageConfig,
    /// The pages for people (`web/`): cookies, sessions, passwords, sign-in limits.
    pub web: WebConfig,
    /// Email notifications over SMTP (`[email]`, see `email/`); off without an SMTP host.
    pub email: EmailConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            database_url: "sqlite://docket.db".into(),
            sqlite_sync_full: false,
            max_connections: 8,
            cache_ms: 2000,
            list_drive_max: 2000,
            public_url: None,
            rate_limit: 600,
            rate_limit_store: RateLimitStore::Auto,
            webhook_timeout_secs: 10,
            webhook_retry_base_ms: 1000,
            webhook_allow_private: false,
            now: None,
            bootstrap: None,
            log_format: LogFormat::Human,
            request_timeout_secs: 30,
            header_timeout_secs: 10,
            idle_timeout_secs: 60,
            max_open_connections: 4096,
            min_body_rate: 1024,
            fair_share_per_token: 2,
            fair_share_queue: 8,
            fair_share_global: 8,
            metrics_token: None,
            storage: StorageConfig::default(),
            web: WebConfig::default(),
            email: EmailConfig::default(),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database_url", &docket_store::redact_url(&self.database_url))
            .field("public_url", &self.public_url)
            .field("rate_limit", &self.rate_limit)
            .finish_non_exhaustive()
    }
}

/// The environment variables docket reads (anything else starting `DOCKET_` is warned about).
pub const ENV_VARS: &[&str] = &[
    "DOCKET_CONFIG",
    "DOCKET_LISTEN",
    "DOCKET_DATABASE_URL",
    "DOCKET_SQLITE_SYNCHRONOUS",
    "DOCKET_MAX_CONNECTIONS",
    "DOCKET_CACHE_MS",
    "DOCKET_PUBLIC_URL",
    "DOCKET_RATE_LIMIT",
    "DOCKET_RATE_LIMIT_STORE",
    "DOCKET_WEBHOOK_TIMEOUT",
    "DOCKET_WEBHOOK_RETRY_BASE_MS",
    "DOCKET_WEBHOOK_ALLOW_PRIVATE",
    "DOCKET_NOW",
    "DOCKET_BOOTSTRAP",
    "DOCKET_LOG_FORMAT",
    "DOCKET_REQUEST_TIMEOUT",
    "DOCKET_METRICS_TOKEN",
    "DOCKET_HEADER_TIMEOUT",
    "DOCKET_IDLE_TIMEOUT",
    "DOCKET_MAX_OPEN_CONNECTIONS",
    "DOCKET_MIN_BODY_RATE",
    "DOCKET_FAIR_SHARE_PER_TOKEN",
    "DOCKET_FAIR_SHARE_QUEUE",
    "DOCKET_FAIR_SHARE_GLOBAL",
    "DOCKET_STORAGE",
    "DOCKET_ASSET_DIR",
    "DOCKET_MAX_UPLOAD_BYTES",
    "DOCKET_UPLOAD_EXTENSIONS",
    "DOCKET_STORAGE_POSTGRES_CONNECTIONS",
    "DOCKET_STORAGE_S3_BUCKET",
    "DOCKET_STORAGE_S3_ENDPOINT",
    "DOCKET_STORAGE_S3_REGION",
    "DOCKET_STORAGE_S3_ACCESS_KEY_ID",
    "DOCKET_STORAGE_S3_SECRET_ACCESS_KEY",
    "DOCKET_STORAGE_S3_PATH_STYLE",
    "DOCKET_STORAGE_S3_PREFIX",
    "DOCKET_WEB_SECURE_COOKIES",
    "DOCKET_WEB_SESSION_HOURS",
    "DOCKET_WEB_SIGNIN_LIMIT",
    "DOCKET_WEB_PASSWORD_MEMORY_KIB",
    "DOCKET_WEB_PASSWORD_ITERATIONS",
    "DOCKET_SMTP_HOST",
    "DOCKET_SMTP_PORT",
    "DOCKET_SMTP_TLS",
    "DOCKET_SMTP_USERNAME",
    "DOCKET_SMTP_PASSWORD",
    "DOCKET_SMTP_FROM",
    "DOCKET_SMTP_TIMEOUT",
    "DOCKET_SMTP_RETRY_BASE_MS",
    "DOCKET_EMAIL_DIGEST_HOUR",
    // Read by the test suite, not the server.
    "DOCKET_TEST_POSTGRES_URL",
    "DOCKET_TEST_REQUIRE_POSTGRES",
    "DOCKET_TEST_PYTHON",
    "DOCKET_TEST_MOTO_PYTHON",
    "DOCKET_FUZZ_SEED",
    "DOCKET_FUZZ_ITERATIONS",
];

/// `--database-url`, shared by every command that opens the database.
#[derive(Debug, Args, Default, Clone)]
pub struct DbArgs {
    /// Database URL: sqlite://PATH or postgres://… [default: sqlite://docket.db] [env: DOCKET_DATABASE_URL]
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

/// Names docket leaves to its clients: the README's examples (and scripts like them) keep the
/// server's address, a token and an organization id in these. docket reads none of them and
/// does not warn about them; any other unknown `DOCKET_*` name is likely a mistyped setting.
pub const CLIENT_ENV_VARS: &[&str] = &["DOCKET_URL", "DOCKET_TOKEN", "DOCKET_ORG"];

/// Flags that override everything else.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--config`.
    pub config_file: Option<PathBuf>,
    /// `--listen`.
    pub listen: Option<String>,
    /// `--database-url`.
    pub database_url: Option<String>,
}

impl Config {
    /// Loads the layers from the process environment and the file system.
    pub fn load(overrides: &Overrides) -> anyhow::Result<(Config, Vec<String>)> {
        let env: HashMap<String, String> = std::env::vars().filter(|(k, _)| k.starts_with("DOCKET_")).collect();
        Self::load_from(overrides, &env)
    }

    /// Loads the layers from `env` (returns the config and warnings to log).
    pub fn load_from(overrides: &Overrides, env: &HashMap<String, String>) -> anyhow::Result<(Config, Vec<String>)> {
        let mut warnings = Vec::new();
        let mut c = Config::default();

        let file_path = overrides
            .config_file
            .clone()
            .or_else(|| env.get("DOCKET_CONFIG").map(PathBuf::from));
        let file = match &file_path {
            Some(p) => Some(read_file(p)?),
            None if Path::new("docket.toml").exists() => Some(read_file(Path::new("docket.toml"))?),
            None => None,
        };
        if let Some(f) = file {
            set(&mut c.listen, f.server.listen);
            c.public_url = f.server.public_url.or(c.public_url);
            c.bootstrap = f.server.bootstrap.or(c.bootstrap);
            set(&mut c.request_timeout_secs, f.server.request_timeout_secs);
            set(&mut c.header_timeout_secs, f.server.header_timeout_secs);
            set(&mut c.idle_timeout_secs, f.server.idle_timeout_secs);
            set(&mut c.max_open_connections, f.server.max_open_connections);
            set(&mut c.min_body_rate, f.server.min_body_rate);
            set(&mut c.fair_share_per_token, f.fair_share.per_token);
            set(&mut c.fair_share_queue, f.fair_share.queue);
            set(&mut c.fair_share_global, f.fair_share.global);
            set(&mut c.database_url, f.database.url);
            if let Some(s) = f.database.synchronous {
                c.sqlite_sync_full = parse_sync(&s)?;
            }
            set(&mut c.max_connections, f.database.max_connections);
            set(&mut c.cache_ms, f.database.cache_ms);
            set(&mut c.rate_limit, f.rate_limit.per_minute);
            if let Some(s) = f.rate_limit.store {
                c.rate_limit_store = parse_rate_limit_store(&s)?;
            }
            set(&mut c.webhook_timeout_secs, f.webhooks.timeout_secs);
            set(&mut c.webhook_retry_base_ms, f.webhooks.retry_base_ms);
            set(&mut c.webhook_allow_private, f.webhooks.allow_private);
            c.metrics_token = f.metrics.token.and_then(|t| non_empty(&t)).or(c.metrics_token);
            c.web.secure_cookies = f.web.secure_cookies.or(c.web.secure_cookies);
            set(&mut c.web.session_hours, f.web.session_hours);
            set(&mut c.web.signin_limit, f.web.signin_limit);
            set(&mut c.web.password_memory_kib, f.web.password_memory_kib);
            set(&mut c.web.password_iterations, f.web.password_iterations);
            if let Some(s) = f.log.format {
                c.log_format = parse_log_format(&s)?;
            }
            if let Some(s) = f.storage.backend {
                c.storage.backend = parse_storage_backend(&s)?;
            }
            c.storage.dir = f.storage.dir.or(c.storage.dir);
            set(&mut c.storage.max_upload_bytes, f.storage.max_upload_bytes);
            if let Some(list) = f.storage.extensions {
                c.storage.extensions = parse_extensions(&list.join(","));
            }
            set(&mut c.storage.postgres_connections, f.storage.postgres_connections);
            let (s3, file) = (&mut c.storage.s3, f.storage.s3);
            s3.bucket = file.bucket.as_deref().and_then(non_empty).or(s3.bucket.take());
            s3.endpoint = file.endpoint.as_deref().and_then(non_empty).or(s3.endpoint.take());
            s3.region = file.region.as_deref().and_then(non_empty).or(s3.region.take());
            s3.access_key_id = file
                .access_key_id
                .as_deref()
                .and_then(non_empty)
                .or(s3.access_key_id.take());
            s3.path_style = file.path_style.or(s3.path_style);
            s3.prefix = file.prefix.as_deref().and_then(non_empty).or(s3.prefix.take());
            let e = f.email;
            c.email.smtp_host = e.smtp_host.and_then(|h| non_empty(&h)).or(c.email.smtp_host);
            set(&mut c.email.smtp_port, e.smtp_port);
            if let Some(t) = e.smtp_tls {
                c.email.smtp_tls = parse_smtp_tls(&t)?;
            }
            c.email.smtp_username = e.smtp_username.and_then(|u| non_empty(&u)).or(c.email.smtp_username);
            c.email.smtp_password = e.smtp_password.filter(|p| !p.is_empty()).or(c.email.smtp_password);
            set(&mut c.email.from, e.from);
            set(&mut c.email.timeout_secs, e.timeout_secs);
            set(&mut c.email.retry_base_ms, e.retry_base_ms);
            set(&mut c.email.digest_hour, e.digest_hour);
        }

        for (key, value) in env {
            let v = value.as_str();
            match key.as_str() {
                "DOCKET_LISTEN" => c.listen = v.to_string(),
                "DOCKET_DATABASE_URL" => c.database_url = v.to_string(),
                "DOCKET_SQLITE_SYNCHRONOUS" => c.sqlite_sync_full = parse_sync(v)?,
                "DOCKET_MAX_CONNECTIONS" => c.max_connections = parse_num(key, v)?,
                "DOCKET_CACHE_MS" => c.cache_ms = parse_num(key, v)?,
                "DOCKET_PUBLIC_URL" => c.public_url = non_empty(v),
                "DOCKET_RATE_LIMIT" => c.rate_limit = parse_num(key, v)?,
                "DOCKET_RATE_LIMIT_STORE" => c.rate_limit_store = parse_rate_limit_store(v)?,
                "DOCKET_WEBHOOK_TIMEOUT" => c.webhook_timeout_secs = parse_num(key, v)?,
                "DOCKET_WEBHOOK_RETRY_BASE_MS" => c.webhook_retry_base_ms = parse_num(key, v)?,
                "DOCKET_WEBHOOK_ALLOW_PRIVATE" => c.webhook_allow_private = parse_flag(key, v)?,
                "DOCKET_NOW" => {
                    c.now = match non_empty(v) {
                        None => None,
                        Some(s) => Some(
                            docket_domain::time::parse_datetime(&s)
                                .with_context(|| format!("DOCKET_NOW is not a date-time: {s}"))?,
                        ),
                    }
                }
                "DOCKET_BOOTSTRAP" => c.bootstrap = non_empty(v).map(PathBuf::from),
                "DOCKET_LOG_FORMAT" => c.log_format = parse_log_format(v)?,
                "DOCKET_REQUEST_TIMEOUT" => c.request_timeout_secs = parse_num(key, v)?,
                "DOCKET_METRICS_TOKEN" => c.metrics_token = non_empty(v),
                "DOCKET_HEADER_TIMEOUT" => c.header_timeout_secs = parse_num(key, v)?,
                "DOCKET_IDLE_TIMEOUT" => c.idle_timeout_secs = parse_num(key, v)?,
                "DOCKET_MAX_OPEN_CONNECTIONS" => c.max_open_connections = parse_num(key, v)?,
                "DOCKET_MIN_BODY_RATE" => c.min_body_rate = parse_num(key, v)?,
                "DOCKET_FAIR_SHARE_PER_TOKEN" => c.fair_share_per_token = parse_num(key, v)?,
                "DOCKET_FAIR_SHARE_QUEUE" => c.fair_share_queue = parse_num(key, v)?,
                "DOCKET_FAIR_SHARE_GLOBAL" => c.fair_share_global = parse_num(key, v)?,
                "DOCKET_STORAGE" => c.storage.backend = parse_storage_backend(v)?,
                "DOCKET_ASSET_DIR" => c.storage.dir = non_empty(v).map(PathBuf::from),
                "DOCKET_MAX_UPLOAD_BYTES" => c.storage.max_upload_bytes = parse_num(key, v)?,
                "DOCKET_UPLOAD_EXTENSIONS" => c.storage.extensions = parse_extensions(v),
                "DOCKET_STORAGE_POSTGRES_CONNECTIONS" => c.storage.postgres_connections = parse_num(key, v)?,
                "DOCKET_STORAGE_S3_BUCKET" => c.storage.s3.bucket = non_empty(v),
                "DOCKET_STORAGE_S3_ENDPOINT" => c.storage.s3.endpoint = non_empty(v),
                "DOCKET_STORAGE_S3_REGION" => c.storage.s3.region = non_empty(v),
                "DOCKET_STORAGE_S3_ACCESS_KEY_ID" => c.storage.s3.access_key_id = non_empty(v),
                "DOCKET_STORAGE_S3_SECRET_ACCESS_KEY" => c.storage.s3.secret_access_key = non_empty(v).map(Secret),
                "DOCKET_STORAGE_S3_PATH_STYLE" => c.storage.s3.path_style = Some(parse_flag(key, v)?),
                "DOCKET_STORAGE_S3_PREFIX" => c.storage.s3.prefix = non_empty(v),
                "DOCKET_WEB_SECURE_COOKIES" => c.web.secure_cookies = Some(parse_flag(key, v)?),
                "DOCKET_WEB_SESSION_HOURS" => c.web.session_hours = parse_num(key, v)?,
                "DOCKET_WEB_SIGNIN_LIMIT" => c.web.signin_limit = parse_num(key, v)?,
                "DOCKET_WEB_PASSWORD_MEMORY_KIB" => c.web.password_memory_kib = parse_num(key, v)?,
                "DOCKET_WEB_PASSWORD_ITERATIONS" => c.web.password_iterations = parse_num(key, v)?,
                "DOCKET_SMTP_HOST" => c.email.smtp_host = non_empty(v),
                "DOCKET_SMTP_PORT" => c.email.smtp_port = parse_num(key, v)?,
                "DOCKET_SMTP_TLS" => c.email.smtp_tls = parse_smtp_tls(v)?,
                "DOCKET_SMTP_USERNAME" => c.email.smtp_username = non_empty(v),
                "DOCKET_SMTP_PASSWORD" => c.email.smtp_password = (!v.is_empty()).then(|| v.to_string()),
                "DOCKET_SMTP_FROM" => c.email.from = v.trim().to_string(),
                "DOCKET_SMTP_TIMEOUT" => c.email.timeout_secs = parse_num(key, v)?,
                "DOCKET_SMTP_RETRY_BASE_MS" => c.email.retry_base_ms = parse_num(key, v)?,
                "DOCKET_EMAIL_DIGEST_HOUR" => c.email.digest_hour = parse_num(key, v)?,
                k if ENV_VARS.contains(&k) || CLIENT_ENV_VARS.contains(&k) => {}
                other => warnings.push(format!("unknown environment variable {other} is ignored")),
            }
        }

        set(&mut c.listen, overrides.listen.clone());
        c.listen = parse_listen(&c.listen).map_err(anyhow::Error::msg)?;
        set(&mut c.database_url, overrides.database_url.clone());
        if c.public_url
            .as_deref()
            .is_some_and(|u| !(u.starts_with("http://") || u.starts_with("https://")))
        {
            bail!("public_url must start with http:// or https://");
        }
        c.public_url = c.public_url.map(|u| u.trim_end_matches('/').to_string());
        if c.email.digest_hour > 23 {
            bail!("email digest_hour must be 0 to 23, got {}", c.email.digest_hour);
        }
        if c.email.from.parse::<lettre::message::Mailbox>().is_err() {
            bail!(
                "email from must be an address like \"docket <docket@example.com>\", got {:?}",
                c.email.from
            );
        }
        warnings.sort();
        Ok((c, warnings))
    }
}

/// A listen address as `HOST:PORT` (an IPv4 address, `[IPv6]` or a host name; port 0-65535),
/// trimmed; else why not (a command line or configuration error, exit 2).
pub fn parse_listen(value: &str) -> Result<String, String> {
    let v = value.trim();
    let bad = |why: &str| format!("listen address {v:?} {why} (HOST:PORT, e.g. 127.0.0.1:8080)");
    let Some((host, port)) = v.rsplit_once(':') else {
        return Err(bad("has no port"));
    };
    if port.parse::<u16>().is_err() {
        return Err(bad(&format!("has port {port:?}, not a number from 0 to 65535")));
    }
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => {
            !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_')
        }
    };
    if !host_ok {
        return Err(bad("has no valid host"));
    }
    Ok(v.to_string())
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

fn non_empty(v: &str) -> Option<String> {
    let t = v.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn parse_num<T: std::str::FromStr>(key: &str, v: &str) -> anyhow::Result<T> {
    v.trim()
        .parse()
        .ok()
        .with_context(|| format!("{key} must be a whole number, got {v:?}"))
}

fn parse_flag(key: &str, v: &str) -> anyhow::Result<bool> {
    docket_domain::input::parse_bool(v).with_context(|| format!("{key} must be true or false, got {v:?}"))
}

fn parse_sync(v: &str) -> anyhow::Result<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "normal" => Ok(false),
        "full" => Ok(true),
        other => bail!("SQLite synchronous must be normal or full, got {other:?}"),
    }
}

fn parse_rate_limit_store(v: &str) -> anyhow::Result<RateLimitStore> {
    match v.trim().to_ascii_lowercase().as_str() {
        "auto" | "" => Ok(RateLimitStore::Auto),
        "memory" => Ok(RateLimitStore::Memory),
        other => bail!("rate limit store must be auto or memory, got {other:?}"),
    }
}

fn parse_storage_backend(v: &str) -> anyhow::Result<StorageBackend> {
    match v.trim().to_ascii_lowercase().as_str() {
        "local" | "" => Ok(StorageBackend::Local),
        "postgres" | "postgresql" => Ok(StorageBackend::Postgres),
        "s3" => Ok(StorageBackend::S3),
        other => bail!("storage backend must be local, postgres or s3, got {other:?}"),
    }
}

/// A comma-separated extension list, lower-cased, dots and blanks dropped.
fn parse_extensions(v: &str) -> Vec<String> {
    v.split(',')
        .map(|e| e.trim().trim_start_matches('.').to_ascii_lowercase())
        .filter(|e| !e.is_empty())
        .collect()
}

fn parse_smtp_tls(v: &str) -> anyhow::Result<SmtpTls> {
    match v.trim().to_ascii_lowercase().as_str() {
        "starttls" | "" => Ok(SmtpTls::StartTls),
        "tls" => Ok(SmtpTls::Tls),
        "none" => Ok(SmtpTls::None),
        other => bail!("SMTP TLS must be starttls, tls or none, got {other:?}"),
    }
}

fn parse_log_format(v: &str) -> anyhow::Result<LogFormat> {
    match v.trim().to_ascii_lowercase().as_str() {
        "human" | "" => Ok(LogFormat::Human),
        "json" => Ok(LogFormat::Json),
        other => bail!("log format must be human or json, got {other:?}"),
    }
}

/// The commented example printed by `docket config example`.
pub const EXAMPLE: &str = include_str!("../docket.example.toml");

#[cfg(test)]
mod tests;
