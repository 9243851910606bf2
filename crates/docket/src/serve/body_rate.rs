//! The minimum body rate: a request body must keep arriving at `min_body_rate` bytes per second
//! on average, after a grace of `header_timeout_secs` from the request's start. A slower body
//! (a client trickling bytes to hold the connection) is cut off: whatever the handler made of
//! the broken body, the answer is 408 in the envelope and the connection is closed.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::{Frame, SizeHint};
use tokio::time::{Instant, Sleep};

use crate::error::Error;
use crate::state::AppState;

/// The middleware (a layer of the whole router).
pub async fn limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let rate = state.config.min_body_rate;
    if rate == 0 || http_body::Body::is_end_stream(req.body()) {
        return next.run(req).await;
    }
    let grace = Duration::from_secs(state.config.header_timeout_secs);
    let tripped = Arc::new(AtomicBool::new(false));
    let (parts, body) = req.into_parts();
    let body = Body::new(Paced::new(body, rate, grace, tripped.clone()));
    let response = next.run(Request::from_parts(parts, body)).await;
    if tripped.load(Ordering::Relaxed) {
        let mut out = Error::SlowBody.into_response();
        out.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return out;
    }
    response
}

/// A body that fails once it falls behind its schedule.
struct Paced {
    inner: Body,
    started: Instant,
    received: u64,
    rate: u64,
    grace: Duration,
    deadline: Pin<Box<Sleep>>,
    tripped: Arc<AtomicBool>,
}

impl Paced {
    fn new(inner: Body, rate: u64, grace: Duration, tripped: Arc<AtomicBool>) -> Self {
        let started = Instant::now();
        Paced {
            inner,
            started,
            received: 0,
            rate,
            grace,
            deadline: Box::pin(tokio::time::sleep_until(started + grace)),
            tripped,
        }
    }

    /// When the bytes received so far are no longer enough.
    fn due(&self) -> Instant {
        let earned = Duration::from_secs_f64(self.received as f64 / self.rate as f64);
        self.started + self.grace + earned
    }
}

impl http_body::Body for Paced {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.received += data.len() as u64;
                    let due = this.due();
                    this.deadline.as_mut().reset(due);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Pending => {
                if this.deadline.as_mut().poll(cx).is_ready() {
                    this.tripped.store(true, Ordering::Relaxed);
                    return Poll::Ready(Some(Err(axum::Error::new("the request body arrived too slowly"))));
                }
                Poll::Pending
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
