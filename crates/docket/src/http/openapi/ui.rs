//! `GET /openapi.json` and the reference page `GET /docs` (Swagger UI, served from the binary:
//! it needs no internet access). Both are public.
//!
//! The server trims a trailing `/` from every path before routing, so the page is
//! served at `/docs` itself with `<base href="/docs/">`: its relative asset links then resolve
//! to `/docs/<file>`, served from the bundle.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa::openapi::OpenApi;
use utoipa_swagger_ui::Config;

use crate::error::Error;

/// What the reference routes serve.
#[derive(Clone)]
struct Reference {
    /// The document, serialized once.
    document: Bytes,
    /// Swagger UI's configuration: the document's URL.
    config: Arc<Config<'static>>,
}

/// `/openapi.json`, `/docs` and `/docs/{file}`, for any router state.
pub fn routes<S: Clone + Send + Sync + 'static>(doc: &OpenApi) -> Router<S> {
    let document = serde_json::to_vec(doc).map(Bytes::from).unwrap_or_default();
    let reference = Reference {
        document,
        config: Arc::new(Config::new(["/openapi.json"])),
    };
    Router::new()
        .route("/openapi.json", get(document_json))
        .route("/docs", get(page))
        .route("/docs/{*file}", get(asset))
        .with_state(reference)
}

async fn document_json(State(r): State<Reference>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], r.document).into_response()
}

async fn page(State(r): State<Reference>) -> Response {
    match file("index.html", &r) {
        Ok((content_type, bytes)) => {
            let html = String::from_utf8_lossy(&bytes).replacen("<head>", "<head>\n    <base href=\"/docs/\" />", 1);
            ([(header::CONTENT_TYPE, content_type)], html).into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn asset(State(r): State<Reference>, Path(name): Path<String>) -> Response {
    match file(&name, &r) {
        Ok((content_type, bytes)) => ([(header::CONTENT_TYPE, content_type)], bytes).into_response(),
        Err(e) => e.into_response(),
    }
}

/// A file of the Swagger UI bundle (`swagger-initializer.js` carries the configuration).
fn file(name: &str, r: &Reference) -> Result<(String, Vec<u8>), Error> {
    match utoipa_swagger_ui::serve(name, r.config.clone()) {
        Ok(Some(f)) => Ok((f.content_type, f.bytes.into_owned())),
        Ok(None) => Err(Error::EndpointNotFound),
        Err(e) => Err(Error::Internal(format!("swagger ui: {e}"))),
    }
}
