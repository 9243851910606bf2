//! The optional `docket.toml` as it is written: one struct per section, every field optional
//! (`Config::load_from` lays them over the defaults), unknown keys refused.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

/// The optional `docket.toml`, section by section.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    #[serde(default)]
    pub(super) server: FileServer,
    #[serde(default)]
    pub(super) database: FileDatabase,
    #[serde(default)]
    pub(super) rate_limit: FileRateLimit,
    #[serde(default)]
    pub(super) webhooks: FileWebhooks,
    #[serde(default)]
    pub(super) log: FileLog,
    #[serde(default)]
    pub(super) metrics: FileMetrics,
    #[serde(default)]
    pub(super) fair_share: FileFairShare,
    #[serde(default)]
    pub(super) storage: FileStorage,
    #[serde(default)]
    pub(super) web: FileWeb,
    #[serde(default)]
    pub(super) email: FileEmail,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileEmail {
    pub(super) smtp_host: Option<String>,
    pub(super) smtp_port: Option<u16>,
    pub(super) smtp_tls: Option<String>,
    pub(super) smtp_username: Option<String>,
    pub(super) smtp_password: Option<String>,
    pub(super) from: Option<String>,
    pub(super) timeout_secs: Option<u64>,
    pub(super) retry_base_ms: Option<u64>,
    pub(super) digest_hour: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileStorage {
    pub(super) backend: Option<String>,
    pub(super) dir: Option<PathBuf>,
    pub(super) max_upload_bytes: Option<u64>,
    pub(super) extensions: Option<Vec<String>>,
    pub(super) postgres_connections: Option<u32>,
    #[serde(default)]
    pub(super) s3: FileS3,
}

/// `[storage.s3]`: everything but the secret key, which only the environment gives.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileS3 {
    pub(super) bucket: Option<String>,
    pub(super) endpoint: Option<String>,
    pub(super) region: Option<String>,
    pub(super) access_key_id: Option<String>,
    pub(super) path_style: Option<bool>,
    pub(super) prefix: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileWeb {
    pub(super) secure_cookies: Option<bool>,
    pub(super) session_hours: Option<i64>,
    pub(super) signin_limit: Option<i64>,
    pub(super) password_memory_kib: Option<u32>,
    pub(super) password_iterations: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileFairShare {
    pub(super) per_token: Option<usize>,
    pub(super) queue: Option<usize>,
    pub(super) global: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileMetrics {
    pub(super) token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileServer {
    pub(super) listen: Option<String>,
    pub(super) public_url: Option<String>,
    pub(super) bootstrap: Option<PathBuf>,
    pub(super) request_timeout_secs: Option<u64>,
    pub(super) header_timeout_secs: Option<u64>,
    pub(super) idle_timeout_secs: Option<u64>,
    pub(super) max_open_connections: Option<usize>,
    pub(super) min_body_rate: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileDatabase {
    pub(super) url: Option<String>,
    pub(super) synchronous: Option<String>,
    pub(super) max_connections: Option<u32>,
    pub(super) cache_ms: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileRateLimit {
    pub(super) per_minute: Option<u32>,
    pub(super) store: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileWebhooks {
    pub(super) timeout_secs: Option<u64>,
    pub(super) retry_base_ms: Option<u64>,
    pub(super) allow_private: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileLog {
    pub(super) format: Option<String>,
}

/// Reads and parses the config file at `path`.
pub(super) fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("invalid config file {}", path.display()))
}
