//! One connection: hyper's HTTP/1 over a socket whose traffic is watched, closed when its
//! headers are late, when it idles too long, or when a request in flight stalls.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, watch};
use tokio::time::{Instant, MissedTickBehavior};
use tower::ServiceExt;

use super::{App, Limits};

/// No request is arriving (`Activity::pending_since`).
const NONE: u64 = u64::MAX;

/// What a connection has been doing, in milliseconds since it opened. Written by the
/// connection's own task (reads, writes, requests) and read by its watchdog, which looks at it
/// on a fixed tick (`Limits::tick`): a request costs a few atomic stores, never a timer or a
/// wake-up.
struct Activity {
    opened: Instant,
    /// The last byte read or written.
    last_io: AtomicU64,
    /// The first byte of a request whose headers are not complete yet (`NONE`: none).
    pending_since: AtomicU64,
    /// Requests handed to the app whose response has not been sent in full.
    in_flight: AtomicU32,
}

/// What the watchdog does next.
#[derive(Debug, PartialEq)]
enum Verdict {
    /// Nothing is due before then.
    Until(Instant),
    /// No request in flight and none arriving for too long: close after any request in flight.
    Idle,
    /// Headers late, or a request stalled: drop the connection.
    Close,
}

impl Activity {
    fn new() -> Self {
        Activity {
            opened: Instant::now(),
            last_io: AtomicU64::new(0),
            // A new connection owes its first request's headers.
            pending_since: AtomicU64::new(0),
            in_flight: AtomicU32::new(0),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(NONE - 1)
    }

    fn at(&self, ms: u64) -> Instant {
        self.opened + Duration::from_millis(ms)
    }

    fn read(&self) {
        let now = self.now();
        self.last_io.store(now, Ordering::Relaxed);
        if self.in_flight.load(Ordering::Relaxed) == 0 {
            let _ = self
                .pending_since
                .compare_exchange(NONE, now, Ordering::Relaxed, Ordering::Relaxed);
        }
    }

    fn wrote(&self) {
        self.last_io.store(self.now(), Ordering::Relaxed);
    }

    fn begin(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        self.pending_since.store(NONE, Ordering::Relaxed);
    }

    fn end(&self) {
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.pending_since.store(NONE, Ordering::Relaxed);
        self.wrote();
    }

    fn verdict(&self, limits: &Limits) -> Verdict {
        self.verdict_at(self.now(), limits)
    }

    /// The verdict `now` milliseconds after the connection opened.
    fn verdict_at(&self, now: u64, limits: &Limits) -> Verdict {
        let since = |ms: u64| Duration::from_millis(now.saturating_sub(ms));
        let last_io = self.last_io.load(Ordering::Relaxed);
        if self.in_flight.load(Ordering::Relaxed) > 0 {
            return if since(last_io) >= limits.stall {
                Verdict::Close
            } else {
                Verdict::Until(self.at(last_io) + limits.stall)
            };
        }
        let pending = self.pending_since.load(Ordering::Relaxed);
        if pending != NONE {
            return match limits.header {
                Some(h) if since(pending) >= h => Verdict::Close,
                Some(h) => Verdict::Until(self.at(pending) + h),
                None => Verdict::Until(self.at(now) + limits.stall),
            };
        }
        match limits.idle {
            Some(i) if since(last_io) >= i => Verdict::Idle,
            Some(i) => Verdict::Until(self.at(last_io) + i),
            None => Verdict::Until(self.at(now) + limits.stall),
        }
    }
}

/// Marks a request in flight until its response body is dropped (sent or abandoned).
struct InFlight(Arc<Activity>);

impl InFlight {
    fn begin(activity: &Arc<Activity>) -> Self {
        activity.begin();
        InFlight(activity.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.end();
    }
}

/// Serves one connection until it closes, is closed by its watchdog, or the server stops.
pub(super) async fn serve(
    stream: TcpStream,
    remote: SocketAddr,
    app: App,
    limits: Limits,
    mut stopping: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: activity.clone(),
    });
    let watched = activity.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(remote));
        let guard = InFlight::begin(&watched);
        let call = app.clone().oneshot(req.map(Body::new));
        async move {
            let response = match call.await {
                Ok(r) => r,
                Err(never) => match never {},
            };
            // The guard lives as long as the response body: a stream still being sent is a
            // request in flight.
            let response = response.map(|body| {
                Body::new(body.map_frame(move |frame| {
                    let _ = &guard;
                    frame
                }))
            });
            Ok::<_, Infallible>(response)
        }
    });
    let conn = hyper::server::conn::http1::Builder::new().serve_connection(io, service);
    tokio::pin!(conn);
    let tick = limits.tick();
    let mut watchdog = tokio::time::interval_at(Instant::now() + tick, tick);
    watchdog.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut draining = false;
    loop {
        tokio::select! {
            served = conn.as_mut() => {
                if let Err(e) = served {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            _ = stopping.changed(), if !draining => {
                draining = true;
                conn.as_mut().graceful_shutdown();
            }
            _ = watchdog.tick() => match activity.verdict(&limits) {
                Verdict::Until(_) => {}
                Verdict::Close => return,
                // Asked to close after its request and still open a tick later: drop it.
                Verdict::Idle if draining => return,
                Verdict::Idle => {
                    draining = true;
                    conn.as_mut().graceful_shutdown();
                }
            },
        }
    }
}

/// The socket, recording its traffic in an [`Activity`].
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let r = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.read();
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.wrote();
        }
        r
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.wrote();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            header: Some(Duration::from_secs(10)),
            idle: Some(Duration::from_secs(60)),
            stall: Duration::from_secs(60),
            max_open: 10,
        }
    }

    /// `Until` a moment within 100 ms after `secs` from the opening (the calls above ran at
    /// some real milliseconds after it).
    fn until(a: &Activity, v: Verdict, secs: u64) -> bool {
        let at = a.opened + Duration::from_secs(secs);
        matches!(v, Verdict::Until(t) if t >= at && t < at + Duration::from_millis(100))
    }

    #[tokio::test]
    async fn headers_idle_and_stalls_each_have_their_deadline() {
        let a = Activity::new();
        let l = limits();
        // A new connection owes its headers from the start.
        assert!(until(&a, a.verdict_at(0, &l), 10));
        assert_eq!(a.verdict_at(10_000, &l), Verdict::Close);
        // Once a request runs, only a stall closes it.
        a.begin();
        assert!(until(&a, a.verdict_at(10_000, &l), 60));
        assert_eq!(a.verdict_at(60_000, &l), Verdict::Close);
        // After it, the idle time counts.
        a.end();
        assert!(until(&a, a.verdict_at(1_000, &l), 60));
        assert_eq!(a.verdict_at(60_000, &l), Verdict::Idle);
        // The next request's first byte starts its header clock.
        a.read();
        assert!(until(&a, a.verdict_at(5_000, &l), 10));
        assert_eq!(a.verdict_at(10_000, &l), Verdict::Close);
    }
}
