//! The layering of configuration sources, each section's settings and the example file.

use super::file::FileConfig;
use super::*;

#[test]
fn layers_apply_in_order_and_unknown_variables_warn() {
    let dir = std::env::temp_dir().join(format!("docket-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("docket.toml");
    std::fs::write(
        &file,
        "[server]\nlisten = \"0.0.0.0:1\"\n[rate_limit]\nper_minute = 5\n[database]\nurl = \"sqlite://f.db\"\n",
    )
    .expect("write");
    let env: HashMap<String, String> = [
        ("DOCKET_CONFIG", file.to_string_lossy().as_ref()),
        ("DOCKET_RATE_LIMIT", "7"),
        ("DOCKET_RATE_LIMIT_STORE", "memory"),
        ("DOCKET_LISTEN", "127.0.0.1:2"),
        ("DOCKET_TYPO", "1"),
        ("DOCKET_URL", "http://127.0.0.1:8080"),
        ("DOCKET_TOKEN", "t"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let overrides = Overrides {
        listen: Some("127.0.0.1:3".into()),
        ..Default::default()
    };
    let (c, warnings) = Config::load_from(&overrides, &env).expect("loads");
    assert_eq!(c.listen, "127.0.0.1:3");
    assert_eq!(c.rate_limit, 7);
    assert_eq!(c.rate_limit_store, RateLimitStore::Memory);
    assert_eq!(c.database_url, "sqlite://f.db");
    assert_eq!(warnings, ["unknown environment variable DOCKET_TYPO is ignored"]);
}

#[test]
fn connection_limits_and_fair_share_are_configurable() {
    let dir = std::env::temp_dir().join(format!("docket-config-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("docket.toml");
    std::fs::write(
        &file,
        "[server]\nheader_timeout_secs = 3\nidle_timeout_secs = 4\nmax_open_connections = 50\nmin_body_rate = 10\n[fair_share]\nper_token = 5\nqueue = 6\nglobal = 7\n",
    )
    .expect("write");
    let env: HashMap<String, String> = [
        ("DOCKET_CONFIG", file.to_string_lossy().as_ref()),
        ("DOCKET_IDLE_TIMEOUT", "9"),
        ("DOCKET_FAIR_SHARE_GLOBAL", "11"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let (c, warnings) = Config::load_from(&Overrides::default(), &env).expect("loads");
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!((c.header_timeout_secs, c.idle_timeout_secs), (3, 9));
    assert_eq!((c.max_open_connections, c.min_body_rate), (50, 10));
    assert_eq!(
        (c.fair_share_per_token, c.fair_share_queue, c.fair_share_global),
        (5, 6, 11)
    );
    // The example documents every one of them, with its default.
    let example: FileConfig = toml::from_str(EXAMPLE).expect("the example parses");
    let d = Config::default();
    assert_eq!(example.server.header_timeout_secs, Some(d.header_timeout_secs));
    assert_eq!(example.server.idle_timeout_secs, Some(d.idle_timeout_secs));
    assert_eq!(example.server.max_open_connections, Some(d.max_open_connections));
    assert_eq!(example.server.min_body_rate, Some(d.min_body_rate));
    assert_eq!(example.fair_share.per_token, Some(d.fair_share_per_token));
    assert_eq!(example.fair_share.queue, Some(d.fair_share_queue));
    assert_eq!(example.fair_share.global, Some(d.fair_share_global));
    assert_eq!(example.storage.max_upload_bytes, Some(d.storage.max_upload_bytes));
    assert_eq!(
        example.storage.postgres_connections,
        Some(d.storage.postgres_connections)
    );
    assert_eq!(
        example.storage.extensions.map(|l| parse_extensions(&l.join(","))),
        Some(d.storage.extensions)
    );
}

#[test]
fn the_web_settings_come_from_the_environment_and_the_example_has_their_defaults() {
    let env: HashMap<String, String> = [
        ("DOCKET_WEB_SECURE_COOKIES", "true"),
        ("DOCKET_WEB_SESSION_HOURS", "8"),
        ("DOCKET_WEB_SIGNIN_LIMIT", "4"),
        ("DOCKET_WEB_PASSWORD_MEMORY_KIB", "65536"),
        ("DOCKET_WEB_PASSWORD_ITERATIONS", "3"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let (c, warnings) = Config::load_from(&Overrides::default(), &env).expect("loads");
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(c.web.secure_cookies, Some(true));
    assert_eq!((c.web.session_hours, c.web.signin_limit), (8, 4));
    assert_eq!((c.web.password_memory_kib, c.web.password_iterations), (65536, 3));
    let example: FileConfig = toml::from_str(EXAMPLE).expect("the example parses");
    let d = WebConfig::default();
    assert_eq!(example.web.session_hours, Some(d.session_hours));
    assert_eq!(example.web.signin_limit, Some(d.signin_limit));
    assert_eq!(example.web.password_memory_kib, Some(d.password_memory_kib));
    assert_eq!(example.web.password_iterations, Some(d.password_iterations));
    assert_eq!(example.web.secure_cookies, d.secure_cookies);
}

#[test]
fn the_email_settings_come_from_the_file_and_the_environment() {
    let dir = std::env::temp_dir().join(format!("docket-config-email-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("docket.toml");
    std::fs::write(
        &file,
        "[email]\nsmtp_host = \"mail.example\"\nsmtp_port = 465\nsmtp_tls = \"tls\"\nfrom = \"Acme <tasks@acme.example>\"\n",
    )
    .expect("write");
    let env: HashMap<String, String> = [
        ("DOCKET_CONFIG", file.to_string_lossy().as_ref()),
        ("DOCKET_SMTP_USERNAME", "docket"),
        ("DOCKET_SMTP_PASSWORD", "s3cret"),
        ("DOCKET_EMAIL_DIGEST_HOUR", "7"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let (c, warnings) = Config::load_from(&Overrides::default(), &env).expect("loads");
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(c.email.smtp_host.as_deref(), Some("mail.example"));
    assert_eq!((c.email.smtp_port, c.email.smtp_tls), (465, SmtpTls::Tls));
    assert_eq!(c.email.smtp_username.as_deref(), Some("docket"));
    assert_eq!(c.email.digest_hour, 7);
    assert!(
        !format!("{:?}", c.email).contains("s3cret"),
        "the password is never printed"
    );
    // No SMTP host, no mail; the example documents every default.
    assert_eq!(Config::default().email.smtp_host, None);
    let example: FileConfig = toml::from_str(EXAMPLE).expect("the example parses");
    let d = EmailConfig::default();
    assert_eq!(example.email.smtp_host, None);
    assert_eq!(example.email.smtp_port, Some(d.smtp_port));
    assert_eq!(example.email.smtp_tls.as_deref(), Some("starttls"));
    assert_eq!(example.email.from, Some(d.from));
    assert_eq!(example.email.timeout_secs, Some(d.timeout_secs));
    assert_eq!(example.email.retry_base_ms, Some(d.retry_base_ms));
    assert_eq!(example.email.digest_hour, Some(d.digest_hour));
    let bad: HashMap<String, String> = [("DOCKET_EMAIL_DIGEST_HOUR".to_string(), "24".to_string())].into();
    assert!(Config::load_from(&Overrides::default(), &bad).is_err());
}

#[test]
fn the_storage_backends_are_configured_by_file_and_environment() {
    let dir = std::env::temp_dir().join(format!("docket-config-storage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("docket.toml");
    std::fs::write(
        &file,
        "[storage]\nbackend = \"s3\"\npostgres_connections = 3\n[storage.s3]\nbucket = \"files\"\n\
         endpoint = \"http://127.0.0.1:9000\"\naccess_key_id = \"from-file\"\nprefix = \"docket\"\n",
    )
    .expect("write");
    let env: HashMap<String, String> = [
        ("DOCKET_CONFIG", file.to_string_lossy().as_ref()),
        ("DOCKET_STORAGE_S3_REGION", "eu-west-1"),
        ("DOCKET_STORAGE_S3_ACCESS_KEY_ID", "from-env"),
        ("DOCKET_STORAGE_S3_SECRET_ACCESS_KEY", "hush"),
        ("DOCKET_STORAGE_S3_PATH_STYLE", "false"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let (c, warnings) = Config::load_from(&Overrides::default(), &env).expect("loads");
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(c.storage.backend, StorageBackend::S3);
    assert_eq!(c.storage.postgres_connections, 3);
    let s3 = &c.storage.s3;
    assert_eq!(s3.bucket.as_deref(), Some("files"));
    assert_eq!(s3.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
    assert_eq!(s3.region.as_deref(), Some("eu-west-1"));
    assert_eq!(s3.access_key_id.as_deref(), Some("from-env"));
    assert_eq!(s3.path_style, Some(false));
    assert_eq!(s3.prefix.as_deref(), Some("docket"));
    // The secret never shows in a debug print.
    assert_eq!(s3.secret_access_key, Some(Secret("hush".into())));
    assert!(!format!("{:?}", c.storage).contains("hush"));
    // Nor can it come from the file.
    std::fs::write(&file, "[storage.s3]\nsecret_access_key = \"x\"\n").expect("write");
    assert!(Config::load_from(&Overrides::default(), &env).is_err());
    let env: HashMap<String, String> = [("DOCKET_STORAGE".to_string(), "postgres".to_string())].into();
    let (c, _) = Config::load_from(&Overrides::default(), &env).expect("loads");
    assert_eq!(c.storage.backend, StorageBackend::Postgres);
    let env: HashMap<String, String> = [("DOCKET_STORAGE".to_string(), "ftp".to_string())].into();
    let err = Config::load_from(&Overrides::default(), &env).expect_err("refused");
    assert!(err.to_string().contains("local, postgres or s3"), "{err}");
}

#[test]
fn bad_values_are_refused_with_the_variable_named() {
    let env: HashMap<String, String> = [("DOCKET_RATE_LIMIT".to_string(), "lots".to_string())].into();
    let err = Config::load_from(&Overrides::default(), &env).expect_err("refused");
    assert!(err.to_string().contains("DOCKET_RATE_LIMIT"));
}
