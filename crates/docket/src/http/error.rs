//! The JSON error envelope of spec §1.9, and the responses for errors raised outside handlers.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::Error;

impl Error {
    /// Status and `code` of the envelope.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Error::BadRequest(_) => (StatusCode::BAD_REQUEST, "BAD_REQUEST"),
            Error::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED"),
            Error::Forbidden(_) => (StatusCode::FORBIDDEN, "FORBIDDEN"),
            Error::NotFound => (StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND"),
            Error::EndpointNotFound => (StatusCode::NOT_FOUND, "ENDPOINT_NOT_FOUND"),
            Error::Timeout => (StatusCode::REQUEST_TIMEOUT, "REQUEST_TIMEOUT"),
            Error::PreconditionFailed => (StatusCode::PRECONDITION_FAILED, "PRECONDITION_FAILED"),
            Error::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE"),
            Error::HeadersTooLarge => (
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "REQUEST_HEADER_FIELDS_TOO_LARGE",
            ),
            Error::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_ERROR"),
            Error::Conflict(_) => (StatusCode::CONFLICT, "CONFLICT"),
            Error::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "RATE_LIMIT_EXCEEDED"),
            Error::SlowBody => (StatusCode::REQUEST_TIMEOUT, "REQUEST_TIMEOUT"),
            Error::Busy { .. } => (StatusCode::TOO_MANY_REQUESTS, "RATE_LIMIT_EXCEEDED"),
            Error::StorageFull => (StatusCode::INSUFFICIENT_STORAGE, "INSUFFICIENT_STORAGE"),
            Error::Unavailable { .. } => (StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE"),
            Error::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "SERVER_ERROR"),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let Error::Internal(cause) = &self {
            tracing::error!(%cause, "request failed");
        }
        let body = match &self {
            Error::Invalid(errors) => {
                json!({"error": true, "message": errors.summary(), "code": code, "errors": errors})
            }
            other => json!({"error": true, "message": other.to_string(), "code": code}),
        };
        let mut response = (status, Json(body)).into_response();
        if let Error::RateLimited { retry_after, limit } = &self {
            let h = response.headers_mut();
            h.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            h.insert("x-ratelimit-limit", HeaderValue::from(*limit));
            h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        }
        match &self {
            Error::StorageFull => {
                response.extensions_mut().insert(crate::faults::Fault::StorageFull);
            }
            Error::Unavailable { .. } => {
                response.extensions_mut().insert(crate::faults::Fault::Unavailable);
            }
            _ => {}
        }
        if let Error::Busy { retry_after } | Error::Unavailable { retry_after } = &self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The envelope for a 405 (the router supplies `Allow`).
pub fn method_not_allowed() -> Response {
    let body = json!({"error": true, "message": "Method not allowed", "code": "METHOD_NOT_ALLOWED"});
    (StatusCode::METHOD_NOT_ALLOWED, Json(body)).into_response()
}
