//! PostgreSQL restarted, and docket's connections dropped, under concurrent writers: every
//! answer is a 201 or a 503 with `Retry-After` in the error envelope (never a 500), no
//! acknowledged write is lost, and the server is healthy afterwards without a restart of its
//! own. The restart needs a PostgreSQL cluster the test may restart, so it starts a throwaway
//! one of its own (never the shared server of `DOCKET_TEST_POSTGRES_URL`) from the server
//! binaries: `DOCKET_TEST_PG_BIN`, else the newest `/usr/lib/postgresql/*/bin`, else
//! `pg_config --bindir`. Without them the test fails (it has `postgres` in its name, so
//! `--skip postgres` leaves it out where there is no PostgreSQL at all).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use sqlx::Connection;

use crate::support::backend::TestDb;
use crate::support::{Backend, TestApp};

/// A PostgreSQL cluster in a temporary directory, stopped and removed on drop.
struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    /// Run the server's tools as the `postgres` user (we are root, which initdb refuses).
    as_postgres: bool,
}

fn server_bin() -> PathBuf {
    if let Ok(dir) = std::env::var("DOCKET_TEST_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    dirs.sort_by_key(|p| {
        let v = p
            .parent()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .unwrap_or("");
        v.parse::<u32>().unwrap_or(0)
    });
    if let Some(dir) = dirs.pop() {
        return dir;
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return dir;
        }
    }
    panic!(
        "this test starts and restarts a PostgreSQL cluster of its own and needs the server \
         binaries (initdb, pg_ctl): install PostgreSQL (apt-get install postgresql), set \
         DOCKET_TEST_PG_BIN, or leave the PostgreSQL tests out with `--skip postgres`"
    );
}

impl Cluster {
    fn start() -> Cluster {
        let bin = server_bin();
        let dir = std::env::temp_dir().join(format!("docket-pgc-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("cluster dir");
        let as_postgres = rustix::process::geteuid().is_root();
        if as_postgres {
            let ok = Command::new("chown").arg("postgres").arg(&dir).status().expect("chown");
            assert!(ok.success(), "chown postgres {}", dir.display());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let cluster = Cluster {
            dir,
            bin,
            port,
            as_postgres,
        };
        let data = cluster.data();
        cluster.run("initdb", &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync"]);
        cluster.pg_ctl(&["start"]);
        cluster
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let exe = self.bin.join(tool);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let out = cmd.args(args).output().unwrap_or_else(|e| panic!("{tool}: {e}"));
        assert!(
            out.status.success(),
            "{tool} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `pg_ctl ACTION` (start, stop, restart) with this cluster's options, waiting for it.
    fn pg_ctl(&self, action: &[&str]) {
        let data = self.data();
        let log = self.dir.join("log").display().to_string();
        // No fsync (the machine does not crash here, the server does), but every commit is
        // acknowledged only once it is in the WAL: synchronous_commit stays on.
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
            self.port,
            self.dir.display()
        );
        let mut args = vec!["-D", &data, "-l", &log, "-w", "-t", "60"];
        args.extend_from_slice(action);
        if action[0] != "stop" {
            args.extend_from_slice(&["-o", &opts]);
        }
        self.run("pg_ctl", &args);
    }

    fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        let exe = self.bin.join("pg_ctl");
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let _ = cmd.args(["-D", &data, "-m", "immediate", "stop"]).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What the writers saw.
#[derive(Default)]
struct Seen {
    /// Titles and ids of the tasks answered 201, with when.
    acked: Vec<(String, String, Instant)>,
    /// Ids of the tasks whose completion was answered 200.
    completed: Vec<String>,
    /// Titles answered 503 (with `Retry-After` and the envelope).
    refused: Vec<String>,
    /// Anything else: status and body, or the transport error.
    wrong: Vec<String>,
}

/// `n` writers on `app` until `stop` is set, each creating tasks and completing most of them.
fn writers(
    app: &TestApp,
    n: usize,
    stop: &Arc<AtomicBool>,
    seen: &Arc<Mutex<Seen>>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    (0..n)
        .map(|w| {
            let (client, stop, seen) = (client.clone(), stop.clone(), seen.clone());
            let (url, token) = (format!("{}/organizations/acme/tasks", app.base), app.token.clone());
            let complete_url = format!("{}/organizations/acme/completed-tasks", app.base);
            tokio::spawn(async move {
                let mut i = 0;
                // The last task this writer created, to complete next.
                let mut mine: Option<String> = None;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let title = format!("w{w} n{i}");
                    let (title, target, body) = match mine.take() {
                        Some(id) => (format!("complete {id}"), &complete_url, json!({"task_id": id})),
                        None => (title.clone(), &url, json!({"title": title})),
                    };
                    let sent = client
                        .post(target)
                        .bearer_auth(&token)
                        .header("X-Tallyfy-Client", "t")
                        .json(&body)
                        .send()
                        .await;
                    let r = match sent {
                        Ok(r) => r,
                        Err(e) => {
                            seen.lock().unwrap().wrong.push(format!("{title}: no answer: {e}"));
                            continue;
                        }
                    };
                    let status = r.status().as_u16();
                    let retry_after = r.headers().get("retry-after").is_some();
                    let text = r.text().await.unwrap_or_default();
                    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                    let mut s = seen.lock().unwrap();
                    match status {
                        200 if title.starts_with("complete ") => {
                            s.completed.push(title["complete ".len()..].to_string());
                        }
                        201 => {
                            let id = v["data"]["id"].as_str().unwrap_or_default().to_string();
                            if i % 4 != 0 {
                                mine = Some(id.clone());
                            }
                            s.acked.push((title, id, Instant::now()));
                        }
                        503 if retry_after && v["code"] == "SERVICE_UNAVAILABLE" && v["error"] == true => {
                            s.refused.push(title);
                        }
                        _ => s
                            .wrong
                            .push(format!("{title}: {status} (Retry-After: {retry_after}) {text}")),
                    }
                }
            })
        })
        .collect()
}

/// The process ids of docket's connections to its database.
async fn backends(cluster: &Cluster, db: &str) -> HashSet<i32> {
    let mut conn = sqlx::PgConnection::connect(&cluster.admin_url()).await.expect("admin");
    let pids: Vec<i32> = sqlx::query_scalar("SELECT pid FROM pg_stat_activity WHERE datname = $1")
        .bind(db)
        .fetch_all(&mut conn)
        .await
        .expect("pids");
    let _ = conn.close().await;
    pids.into_iter().collect()
}

/// Runs writers on a server over a throwaway cluster, applies `fault` while they write, and
/// checks what every test here checks.
async fn under_writers<F, Fut>(what: &str, fault: F)
where
    F: FnOnce(Arc<Cluster>, String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let cluster = Arc::new(tokio::task::spawn_blocking(Cluster::start).await.expect("cluster"));
    let db = TestDb::create_on(Backend::Postgres, &cluster.admin_url()).await;
    let url = db.url.clone();
    let name = url.rsplit('/').next().unwrap().to_string();
    // The shared rate limit (a statement per request on PostgreSQL) rides out the fault too.
    let app = TestApp::spawn_with_db(db, Backend::Postgres, |c| c.rate_limit = 1_000_000).await;
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let handles = writers(&app, 8, &stop, &seen);
    tokio::time::sleep(Duration::from_millis(700)).await;
    let before = backends(&cluster, &name).await;
    assert!(!before.is_empty(), "docket is connected");
    let fault_at = Instant::now();
    fault(cluster.clone(), name.clone()).await;
    let fault_done = Instant::now();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.await.expect("writer");
    }
    let after = backends(&cluster, &name).await;
    assert!(
        before.is_disjoint(&after),
        "the fault replaced every connection: before {before:?}, after {after:?}"
    );

    // Healthy afterwards, without a restart of docket.
    let started = Instant::now();
    loop {
        let r = app.get("/ready").await;
        if r.status == 200 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "never ready again: {}",
            r.text
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.get("/health").await.expect(200);
    let last = app
        .json(Method::POST, "/organizations/acme/tasks", json!({"title": "After"}))
        .await
        .expect(201);
    app.get("/organizations/acme/tasks?per_page=5").await.expect(200);

    let seen = std::mem::take(&mut *seen.lock().unwrap());
    let mut acked: Vec<String> = seen.acked.iter().map(|(_, id, _)| id.clone()).collect();
    acked.push(last.data()["id"].as_str().unwrap().to_string());
    let acked_titles: HashSet<&str> = seen.acked.iter().map(|(t, _, _)| t.as_str()).collect();
    let mut conn = sqlx::PgConnection::connect(&url).await.expect("connect");
    let done: Vec<String> = sqlx::query_scalar("SELECT id FROM tasks WHERE status = 'completed'")
        .fetch_all(&mut conn)
        .await
        .expect("completed");
    let done: HashSet<&str> = done.iter().map(String::as_str).collect();
    let undone: Vec<&String> = seen.completed.iter().filter(|id| !done.contains(id.as_str())).collect();
    let stored: Vec<(String, String)> = sqlx::query_as("SELECT id, title FROM tasks")
        .fetch_all(&mut conn)
        .await
        .expect("tasks");
    let _ = conn.close().await;
    let stored_ids: HashSet<&str> = stored.iter().map(|(id, _)| id.as_str()).collect();
    let lost: Vec<&String> = acked.iter().filter(|id| !stored_ids.contains(id.as_str())).collect();
    let unacked_stored = stored
        .iter()
        .filter(|(_, t)| t != "After" && !acked_titles.contains(t.as_str()))
        .count();
    let after_fault = seen.acked.iter().filter(|(_, _, at)| *at > fault_done).count();
    let before_fault = seen.acked.iter().filter(|(_, _, at)| *at < fault_at).count();
    eprintln!(
        "{what}: {} creates acknowledged ({before_fault} before the fault, {after_fault} after it), {} completions, {} answered 503, \
         {} other answers; {unacked_stored} stored without a 201 (their answer was lost with the connection)",
        seen.acked.len(),
        seen.completed.len(),
        seen.refused.len(),
        seen.wrong.len()
    );
    assert!(
        seen.wrong.is_empty(),
        "{what}: answers other than 201 and 503 with Retry-After: {:#?}",
        seen.wrong
    );
    assert!(lost.is_empty(), "{what}: acknowledged tasks lost: {lost:?}");
    assert!(undone.is_empty(), "{what}: acknowledged completions lost: {undone:?}");
    assert!(!seen.completed.is_empty(), "{what}: completions were made");
    assert!(
        before_fault > 0 && after_fault > 0,
        "{what}: the writers wrote on both sides of the fault"
    );
    assert!(
        unacked_stored <= seen.refused.len(),
        "{what}: a task is stored only if its request was acknowledged or refused in doubt"
    );
    app.stop().await;
    drop(cluster);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_ride_out_a_restart_of_postgres() {
    under_writers("restart", |cluster, _| async move {
        // Stopped (fast: sessions are ended, as `systemctl restart` does), down for a second
        // (connections refused), then started again.
        let c = cluster.clone();
        tokio::task::spawn_blocking(move || c.pg_ctl(&["-m", "fast", "stop"]))
            .await
            .expect("stop");
        tokio::time::sleep(Duration::from_secs(1)).await;
        tokio::task::spawn_blocking(move || cluster.pg_ctl(&["start"]))
            .await
            .expect("start");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_ride_out_dropped_connections_postgres() {
    under_writers("dropped connections", |cluster, name| async move {
        let mut admin = sqlx::PgConnection::connect(&cluster.admin_url()).await.expect("admin");
        // Every connection of docket ended, five times over, while the writers write.
        for _ in 0..5 {
            sqlx::query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            )
            .bind(&name)
            .execute(&mut admin)
            .await
            .expect("terminate");
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        let _ = admin.close().await;
    })
    .await;
}
