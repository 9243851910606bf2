//! A layer that only some requests pass through. The body guards (`body_rate`, `unread_body`)
//! matter only for requests that carry a body, and fair share only for expensive reads; every
//! other request (a GET of one task, the bulk of the traffic) goes straight to the inner
//! service, without the box and the clone an `axum::middleware::from_fn` layer costs each call.

use std::convert::Infallible;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::Response;
use futures_util::future::Either;
use tower::{Layer, Service};

/// Applies `layer` to the requests `when` selects; the others skip it.
#[derive(Clone)]
pub struct OnlyWhen<L> {
    when: fn(&Request) -> bool,
    layer: L,
}

impl<L> OnlyWhen<L> {
    /// `layer` for the requests `when` answers `true` for.
    pub fn new(when: fn(&Request) -> bool, layer: L) -> Self {
        OnlyWhen { when, layer }
    }
}

impl<S: Clone, L: Layer<S>> Layer<S> for OnlyWhen<L> {
    type Service = OnlyWhenService<S, L::Service>;

    fn layer(&self, inner: S) -> Self::Service {
        OnlyWhenService {
            when: self.when,
            guarded: self.layer.layer(inner.clone()),
            inner,
        }
    }
}

/// The service of [`OnlyWhen`]: the inner service, and the same behind the layer.
#[derive(Clone)]
pub struct OnlyWhenService<S, G> {
    when: fn(&Request) -> bool,
    inner: S,
    guarded: G,
}

impl<S, G> Service<Request> for OnlyWhenService<S, G>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    G: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<S::Future, G::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        match self.inner.poll_ready(cx) {
            Poll::Ready(Ok(())) => self.guarded.poll_ready(cx),
            other => other,
        }
    }

    fn call(&mut self, req: Request) -> Self::Future {
        if (self.when)(&req) {
            Either::Right(self.guarded.call(req))
        } else {
            Either::Left(self.inner.call(req))
        }
    }
}
