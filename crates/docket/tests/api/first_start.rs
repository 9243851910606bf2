//! The real binary's first start (issue 17): the address is bound before anything is created
//! or a token printed; unusable addresses are command-line errors (exit 2); a taken port exits
//! 1 with no token, and the next start still prints one; a bare `docket --database-url …`
//! serves; log lines carry no colour codes when stderr is not a terminal; the names the README
//! gives clients are not warned about; an unreachable PostgreSQL fails fast with its address.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A fresh working directory (docket's default database `docket.db` would land here).
fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("docket-{name}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

/// `docket ARGS` in `dir`, with none of the runner's own docket settings.
fn docket(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_docket"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("RUST_LOG");
    for (key, _) in std::env::vars() {
        if key.starts_with("DOCKET_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// Runs to completion, failing the test if that takes more than `limit`.
fn finish(mut cmd: Command, limit: Duration) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("docket starts");
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("docket still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (child.wait_with_output().expect("output"), started.elapsed())
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
    l.local_addr().expect("addr").port()
}

/// A started server and what its first start printed.
struct Started {
    child: Child,
    org: String,
    token: String,
    try_line: String,
}

/// Spawns `cmd` and reads the three first-start lines.
fn start_first(mut cmd: Command) -> Started {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("docket starts");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let (mut org, mut token, mut try_line) = (String::new(), String::new(), String::new());
    for _ in 0..3 {
        let mut line = String::new();
        out.read_line(&mut line).expect("first-start lines");
        if let Some(rest) = line.strip_prefix("First start: created organization ") {
            org = rest.split_whitespace().next().unwrap_or("").to_string();
        }
        if line.starts_with("Its API token") {
            token = line.trim().rsplit(' ').next().unwrap_or("").to_string();
        }
        if line.starts_with("Try: curl") {
            try_line = line.trim().to_string();
        }
    }
    assert!(
        !org.is_empty() && token.len() == 64,
        "first start prints the org and a token"
    );
    Started {
        child,
        org,
        token,
        try_line,
    }
}

/// SIGTERM, then the exit status and everything written on stderr.
fn stop(mut s: Started) -> (bool, Vec<u8>) {
    let status = Command::new("kill")
        .args(["-TERM", &s.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let mut err = Vec::new();
    s.child
        .stderr
        .take()
        .expect("stderr")
        .read_to_end(&mut err)
        .expect("stderr");
    (s.child.wait().expect("exit").success(), err)
}

async fn me(base: &str, org: &str, token: &str) -> u16 {
    // reqwest is built without a default TLS provider: install the server's, as the harness
    // does, so that this test passes when it runs alone too.
    docket::webhooks::install_crypto_provider();
    reqwest::Client::new()
        .get(format!("{base}/organizations/{org}/me"))
        .bearer_auth(token)
        .header("X-Tallyfy-Client", "APIClient")
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

#[test]
fn an_unusable_listen_address_is_a_command_line_error_that_creates_nothing() {
    let dir = workdir("listen");
    for args in [
        &["serve", "--listen", "nonsense"][..],
        &["serve", "--listen", "127.0.0.1:99999"],
        &["--listen", "127.0.0.1:99999"],
        &["serve", "--listen", ":8080"],
    ] {
        let (out, _) = finish(docket(&dir, args), Duration::from_secs(20));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "docket {args:?}: {stderr}");
        assert!(
            stderr.contains("--listen") && stderr.contains("HOST:PORT"),
            "docket {args:?}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "no token for docket {args:?}");
    }
    // The same value from the environment is a configuration error, also exit 2.
    let mut cmd = docket(&dir, &["serve"]);
    cmd.env("DOCKET_LISTEN", "nonsense");
    let (out, _) = finish(cmd, Duration::from_secs(20));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("invalid configuration") && stderr.contains("\"nonsense\""),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    assert_eq!(
        std::fs::read_dir(&dir).expect("dir").count(),
        0,
        "no database was created"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_port_prints_no_token_and_the_next_bare_start_does() {
    let dir = workdir("taken");
    let holder = std::net::TcpListener::bind("127.0.0.1:0").expect("hold a port");
    let addr = holder.local_addr().expect("addr").to_string();
    let db = format!("sqlite://{}", dir.join("first.db").display());

    let (out, _) = finish(
        docket(&dir, &["serve", "--listen", &addr, "--database-url", &db]),
        Duration::from_secs(20),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a taken port is a failure while running: {stderr}"
    );
    assert!(stderr.contains(&format!("cannot listen on {addr}")), "{stderr}");
    assert!(stderr.to_lowercase().contains("in use"), "says why: {stderr}");
    assert!(
        out.stdout.is_empty(),
        "no token printed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        std::fs::read_dir(&dir).expect("dir").count(),
        0,
        "no database was created"
    );

    // The port is free now; a bare `docket` with serve's flags serves (serve is the default),
    // still creates the organization and prints its token, and the curl line names the address.
    drop(holder);
    let mut cmd = docket(&dir, &["--listen", &addr, "--database-url", &db]);
    cmd.env("DOCKET_URL", format!("http://{addr}"))
        .env("DOCKET_TOKEN", "t")
        .env("DOCKET_ORG", "o")
        .env("DOCKET_TYPO_SETTING", "1");
    let started = start_first(cmd);
    assert!(
        started
            .try_line
            .contains(&format!("http://{addr}/organizations/{}/me", started.org)),
        "{}",
        started.try_line
    );
    let base = format!("http://{addr}");
    let status = loop {
        if std::net::TcpStream::connect(&addr).is_ok() {
            break me(&base, &started.org, &started.token).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(status, 200, "the printed token works");
    let (clean, stderr) = stop(started);
    assert!(clean, "exits 0 on SIGTERM");
    // stderr is a pipe here: log lines without ANSI colour codes.
    assert!(
        !stderr.contains(&0x1b),
        "no escape codes: {}",
        String::from_utf8_lossy(&stderr)
    );
    let stderr = String::from_utf8_lossy(&stderr);
    assert!(stderr.contains("docket is serving"), "{stderr}");
    // The names the README's examples use for clients are not warned about; a typo is.
    assert!(
        !stderr.contains("DOCKET_URL") && !stderr.contains("DOCKET_TOKEN") && !stderr.contains("DOCKET_ORG"),
        "{stderr}"
    );
    assert!(
        stderr.contains("unknown environment variable DOCKET_TYPO_SETTING"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unreachable_postgres_fails_fast_naming_the_address() {
    let dir = workdir("pg-refused");
    let port = free_port();
    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    for args in [
        &["migrate", "--database-url", &url][..],
        &["serve", "--listen", "127.0.0.1:0", "--database-url", &url],
    ] {
        let (out, took) = finish(docket(&dir, args), Duration::from_secs(20));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "docket {args:?}: {stderr}");
        assert!(took < Duration::from_secs(5), "fails fast, took {took:?}");
        assert!(stderr.to_lowercase().contains("connection refused"), "{stderr}");
        assert!(
            stderr.contains(&format!("127.0.0.1:{port}")),
            "names the address: {stderr}"
        );
        assert!(!stderr.contains("pool timed out"), "{stderr}");
        assert!(out.stdout.is_empty(), "no token printed");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
