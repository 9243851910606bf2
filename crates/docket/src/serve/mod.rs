//! The accept loop: connections under a cap and timeouts, served by hyper with the router.
//!
//! `axum::serve` has no header or idle timeout and no cap on open connections, so a client can
//! hold connections open by sending nothing, or half a request, until the process runs out of
//! descriptors. Here every connection holds a permit of one semaphore (`max_open_connections`,
//! lowered to fit `ulimit -n`); while none is free the loop stops accepting and new
//! connections wait in the kernel's listen queue. Each connection is watched (`conn.rs`): its
//! headers must arrive within `header_timeout_secs`, it may sit idle between requests for
//! `idle_timeout_secs`. Slow bodies are cut by `body_rate.rs` (a router layer, so the 408 is
//! in the envelope), slow handlers by the request timeout.
//!
//! Shutdown: the loop stops accepting, every connection finishes its request in flight and
//! closes, and `serve` returns once all permits are back.

pub mod body_rate;
mod conn;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower_http::normalize_path::NormalizePath;

use crate::config::Config;

/// The app a connection serves.
pub type App = NormalizePath<Router>;

/// Descriptors kept free for everything that is not a client connection: database
/// connections, the SQLite files, webhook deliveries, logs.
const RESERVED_DESCRIPTORS: u64 = 256;

/// The connection limits of a server (from [`Config`]).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time to send a request's headers (`None`: unbounded).
    pub header: Option<Duration>,
    /// Time a kept-alive connection may sit without a request.
    pub idle: Option<Duration>,
    /// Time a connection with a request in flight may go without moving a byte either way.
    pub stall: Duration,
    /// Connections open at once.
    pub max_open: usize,
}

impl Limits {
    /// How often a connection's watchdog looks at it: an eighth of the shortest limit, between
    /// 50 ms and 1 s, so each deadline is kept to within that.
    pub fn tick(&self) -> Duration {
        let shortest = [self.header, self.idle, Some(self.stall)].into_iter().flatten().min();
        shortest
            .map_or(Duration::from_secs(1), |d| d / 8)
            .clamp(Duration::from_millis(50), Duration::from_secs(1))
    }

    /// The limits configured in `config`, the cap lowered to fit the descriptor limit.
    pub fn from_config(config: &Config) -> Limits {
        let secs = |s: u64| (s > 0).then(|| Duration::from_secs(s));
        let header = secs(config.header_timeout_secs);
        let idle = secs(config.idle_timeout_secs);
        let request = Duration::from_secs(config.request_timeout_secs.max(1));
        Limits {
            header,
            idle,
            stall: idle.map_or(request, |i| i.max(request)),
            max_open: fit_descriptor_limit(config.max_open_connections.max(1)),
        }
    }
}

/// `wanted`, or less when the open-file limit leaves no room for it (with a warning). The soft
/// limit is first raised towards the hard one as far as `wanted` needs (as Go's runtime does),
/// since the common soft default of 1024 is far below what a server needs.
fn fit_descriptor_limit(wanted: usize) -> usize {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let need = (wanted as u64).saturating_add(RESERVED_DESCRIPTORS);
    let Rlimit { current, maximum } = getrlimit(Resource::Nofile);
    let Some(mut limit) = current else { return wanted };
    if limit < need {
        let raised = maximum.map_or(need, |hard| hard.min(need));
        if raised > limit
            && setrlimit(
                Resource::Nofile,
                Rlimit {
                    current: Some(raised),
                    maximum,
                },
            )
            .is_ok()
        {
            limit = raised;
        }
    }
    let room = usize::try_from(limit.saturating_sub(RESERVED_DESCRIPTORS).max(16)).unwrap_or(usize::MAX);
    if wanted > room {
        tracing::warn!(
            max_open_connections = room,
            configured = wanted,
            open_file_limit = limit,
            "max_open_connections lowered to fit the open-file limit (raise ulimit -n to allow more)"
        );
        room
    } else {
        wanted
    }
}

/// Serves `app` on `listener` under `limits` until `shutdown` completes, then lets every
/// connection finish its request in flight and returns once all are closed.
pub async fn serve(
    listener: TcpListener,
    app: App,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_open));
    let (stop, stopping) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, remote): (_, SocketAddr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    // Out of descriptors or memory: wait, rather than spin, and go on.
                    tracing::error!(error = %e, "accepting a connection failed");
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                        () = &mut shutdown => break,
                    }
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(conn::serve(
            stream,
            remote,
            app.clone(),
            limits,
            stopping.clone(),
            permit,
        ));
    }
    drop(listener);
    let _ = stop.send(true);
    let all = u32::try_from(limits.max_open).unwrap_or(u32::MAX);
    let _ = permits.acquire_many(all).await;
    Ok(())
}

/// Errors of one connection (the client went away before it was accepted), not of the
/// listener.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(e.kind(), ConnectionRefused | ConnectionAborted | ConnectionReset)
}
