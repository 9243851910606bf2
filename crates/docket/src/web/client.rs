//! The pages call the API in-process: each page is a view over the very handlers (and so the
//! service calls, list queries and object-level checks) a JSON client reaches, with the
//! signed-in member as the caller. A refusal is the API's own (404 for another organization's
//! task, 422 with its messages per field), which the page shows.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use docket_store::model::{ACTING, Acting};
use serde_json::Value;
use tower::ServiceExt;

use crate::http::extract::{Caller, Standing};

/// The API's routes without their outer layers (authentication is the session's).
#[derive(Clone)]
pub struct Api(pub Router);

/// An answer of the API: status and JSON body (`Null` when empty).
#[derive(Debug)]
pub struct Answer {
    /// Status.
    pub status: StatusCode,
    /// Body.
    pub body: Value,
}

impl Answer {
    /// `body.data`.
    pub fn data(&self) -> &Value {
        &self.body["data"]
    }

    /// Whether the status is 2xx.
    pub fn ok(&self) -> bool {
        self.status.is_success()
    }

    /// The API's message (`message` of the error envelope).
    pub fn message(&self) -> String {
        self.body["message"]
            .as_str()
            .unwrap_or("Something went wrong.")
            .to_string()
    }

    /// The first message for each field of a 422 (`errors`).
    pub fn field_errors(&self) -> Vec<(String, String)> {
        self.body["errors"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.get(0)?.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Who the page calls the API as.
#[derive(Debug, Clone)]
pub struct As {
    /// The member.
    pub user_id: i64,
    /// Their standing in the page's organization.
    pub standing: Option<Standing>,
}

impl Api {
    /// `method path` (path with its query string) with an optional JSON body. `headers` of the
    /// page's request pass on `Host` and `X-Forwarded-Proto`, so links come out the same.
    pub async fn call(
        &self,
        who: &As,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &HeaderMap,
    ) -> Answer {
        let (content_type, body) = match body {
            Some(b) => (Some("application/json".to_string()), Body::from(b.to_string())),
            None => (None, Body::empty()),
        };
        let response = self.raw(who, method, path, content_type, body, headers).await;
        Answer::read(response).await
    }

    /// `method path` with a body of `content_type` (an upload streams through), answered as
    /// the API answered: status, headers and body untouched (a download).
    ///
    /// The request runs inside the [`ACTING`] scope of `who`, as the authentication layer
    /// runs every API request, so the writes a page makes record the member in the activity
    /// feed.
    pub async fn raw(
        &self,
        who: &As,
        method: Method,
        path: &str,
        content_type: Option<String>,
        body: Body,
        headers: &HeaderMap,
    ) -> Response {
        let mut req = Request::builder().method(method).uri(path);
        for name in [
            header::HOST,
            header::RANGE,
            header::HeaderName::from_static("x-forwarded-proto"),
        ] {
            if let Some(v) = headers.get(&name) {
                req = req.header(name, v);
            }
        }
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        let Ok(mut req) = req.body(body) else {
            return StatusCode::NOT_FOUND.into_response();
        };
        req.extensions_mut().insert(Caller {
            user_id: who.user_id,
            standing: who.standing.clone(),
        });
        let acting = Acting::Member(who.user_id);
        let call = self.0.clone().oneshot(req);
        match ACTING.scope(acting, call).await {
            Ok(r) => r,
            Err(never) => match never {},
        }
    }
}

impl Answer {
    /// The JSON answer of `response`.
    pub async fn read(response: Response) -> Answer {
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024)
            .await
            .unwrap_or_default();
        Answer {
            status,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }
}

/// `path?k=v&…` with each value percent-encoded; empty values are left out.
pub fn with_query(path: &str, params: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params.iter().filter(|(_, v)| !v.is_empty()) {
        s.append_pair(k, v);
    }
    let q = s.finish();
    if q.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{q}")
    }
}

/// One path segment percent-encoded (ids from a URL are passed on as they came).
pub fn seg(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
