//! A request body the handler did not read to its end leaves the connection unusable: hyper
//! closes it after the response rather than read a body that may still be on its way. So say
//! so: such a response carries `Connection: close`, and a pooled client opens a new connection
//! for its next request instead of failing on this one. (Unrouted requests, 405s, refusals
//! before the body is read, and routes that take no body, such as a DELETE sent with one.)

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Poll;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use futures_util::StreamExt;

/// Middleware: marks the end of a request body when it is read, and adds `Connection: close`
/// to the response when it was not.
pub async fn close_if_unread(req: Request, next: Next) -> Response {
    if !has_body(req.headers()) {
        return next.run(req).await;
    }
    let read = Arc::new(AtomicBool::new(false));
    let mark = Arc::clone(&read);
    let (parts, body) = req.into_parts();
    let end = futures_util::stream::poll_fn(move |_| {
        mark.store(true, Ordering::Relaxed);
        Poll::<Option<Result<Bytes, axum::Error>>>::Ready(None)
    });
    let req = Request::from_parts(parts, Body::from_stream(body.into_data_stream().chain(end)));
    let mut response = next.run(req).await;
    if !read.load(Ordering::Relaxed) {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Whether `req` announces a body (the requests this layer and the body rate look at).
pub fn has_request_body(req: &Request) -> bool {
    has_body(req.headers())
}

/// Whether the request announces a body: a non-zero `Content-Length`, or `Transfer-Encoding`.
fn has_body(headers: &HeaderMap) -> bool {
    if headers.contains_key(header::TRANSFER_ENCODING) {
        return true;
    }
    headers
        .get(header::CONTENT_LENGTH)
        .is_some_and(|v| v.to_str().map_or(true, |v| v.trim() != "0"))
}
