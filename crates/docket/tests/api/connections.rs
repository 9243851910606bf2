//! Connection limits against hostile clients: half-open connections (headers never finished),
//! slow bodies, idle keep-alive connections and a cap on open connections. Each is closed on
//! time while a normal client keeps being answered promptly.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::TestApp;

/// Half-open connections (part of the headers, then nothing) and slow bodies, this many of each.
const HOSTILE: usize = 1000;

/// Reads until the server closes the connection; what it sent and when it closed.
async fn until_closed(mut s: TcpStream, started: Instant) -> (String, Duration) {
    let mut out = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(Duration::from_secs(30), s.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => out.extend_from_slice(&buf[..n]),
            // EOF, reset, or the 30 s guard (reported as a very late close).
            _ => break,
        }
    }
    (String::from_utf8_lossy(&out).into_owned(), started.elapsed())
}

on_both!(half_open_and_slow_connections_are_closed_on_time, |c| {
    c.header_timeout_secs = 1;
    c.min_body_rate = 1000;
    c.rate_limit = 0;
});
async fn half_open_and_slow_connections_are_closed_on_time(app: &TestApp) {
    let addr = app.base.trim_start_matches("http://").to_string();
    let started = Instant::now();
    let mut hostile = Vec::new();
    for i in 0..HOSTILE * 2 {
        let mut s = TcpStream::connect(&addr).await.expect("connect");
        let head = if i % 2 == 0 {
            "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".to_string()
        } else {
            format!(
                "POST /organizations/acme/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nX-Tallyfy-Client: t\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n{{\"title\"",
                app.token
            )
        };
        s.write_all(head.as_bytes()).await.expect("send");
        hostile.push(tokio::spawn(until_closed(s, started)));
    }
    let opened = started.elapsed();

    // Meanwhile a normal client keeps getting answers, each promptly.
    let mut slowest = Duration::ZERO;
    let client = reqwest::Client::new();
    while started.elapsed() < opened + Duration::from_millis(1500) {
        let t = Instant::now();
        let r = client
            .get(format!("{}/health", app.base))
            .send()
            .await
            .expect("answered");
        assert_eq!(r.status(), 200);
        slowest = slowest.max(t.elapsed());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(slowest < Duration::from_secs(1), "a normal request took {slowest:?}");

    let mut late = 0;
    for (i, h) in hostile.into_iter().enumerate() {
        let (answer, closed) = h.await.expect("reader");
        // Headers are due one second after the connection opened; a slow body is due after the
        // same grace plus its bytes at 1000 B/s. Allow for a busy machine.
        if closed > opened + Duration::from_secs(4) {
            late += 1;
        }
        if i % 2 == 0 {
            assert!(
                answer.is_empty(),
                "a half-open connection is closed without an answer: {answer}"
            );
        } else {
            assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
            assert!(answer.contains("\"code\":\"REQUEST_TIMEOUT\""), "{answer}");
            assert!(answer.contains("too slowly"), "{answer}");
        }
    }
    assert_eq!(late, 0, "connections closed late (opening them took {opened:?})");
    let r = app.get("/organizations/acme/tasks?per_page=1").await.expect(200);
    assert_eq!(r.body["meta"]["pagination"]["total"], 0, "no slow body made a task");
}

on_both!(idle_connections_close_and_the_cap_queues_new_ones, |c| {
    c.header_timeout_secs = 2;
    c.idle_timeout_secs = 1;
    c.max_open_connections = 8;
});
async fn idle_connections_close_and_the_cap_queues_new_ones(app: &TestApp) {
    let addr = app.base.trim_start_matches("http://").to_string();

    // A kept-alive connection that asks nothing more is closed after the idle timeout, before
    // the (longer) header timeout.
    let mut s = TcpStream::connect(&addr).await.expect("connect");
    let started = Instant::now();
    s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("send");
    let (answer, closed) = until_closed(s, started).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        closed >= Duration::from_millis(900) && closed < Duration::from_millis(1900),
        "idle connection closed after {closed:?}"
    );

    // Eight connections that send nothing hold every slot: the ninth waits in the listen queue
    // until the header timeout frees them, then is served.
    let started = Instant::now();
    let mut silent = Vec::new();
    for _ in 0..8 {
        silent.push(TcpStream::connect(&addr).await.expect("connect"));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let r = reqwest::Client::new()
        .get(format!("{}/health", app.base))
        .send()
        .await
        .expect("answered once a slot frees");
    assert_eq!(r.status(), 200);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1800) && waited < Duration::from_secs(5),
        "the ninth connection was served after {waited:?}"
    );
    drop(silent);
}

on_both!(a_kept_alive_connection_owes_its_next_headers_on_time, |c| {
    c.header_timeout_secs = 1;
    c.idle_timeout_secs = 30;
});
async fn a_kept_alive_connection_owes_its_next_headers_on_time(app: &TestApp) {
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut s = TcpStream::connect(&addr).await.expect("connect");
    s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("send");
    let mut buf = [0u8; 1024];
    let n = s.read(&mut buf).await.expect("answer");
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    // Idle, well within the idle timeout; then the next request's headers start and stop.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let started = Instant::now();
    s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .expect("send");
    let (answer, closed) = until_closed(s, started).await;
    assert!(answer.is_empty(), "{answer}");
    assert!(
        closed >= Duration::from_millis(900) && closed < Duration::from_secs(3),
        "closed {closed:?} after its headers began, not after the idle timeout"
    );
}
