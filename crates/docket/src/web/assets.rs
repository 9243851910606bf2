//! The static files of the pages, compiled into the binary and served under
//! `/app/static/{name}.{hash}.{ext}`: the name carries the first 16 hex characters of the
//! file's SHA-256, so a response may be cached for a year (`immutable`) and a new build's file
//! has a new name.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

struct Asset {
    /// The hashed file name, e.g. `app.0123456789abcdef.css`.
    name: String,
    content_type: &'static str,
    body: &'static [u8],
}

const FILES: &[(&str, &str, &str, &[u8])] = &[
    (
        "app",
        "css",
        "text/css; charset=utf-8",
        include_bytes!("static/app.css"),
    ),
    (
        "htmx",
        "js",
        "text/javascript; charset=utf-8",
        include_bytes!("static/htmx.min.js"),
    ),
];

fn assets() -> &'static [Asset] {
    static ASSETS: OnceLock<Vec<Asset>> = OnceLock::new();
    ASSETS.get_or_init(|| {
        FILES
            .iter()
            .map(|(stem, ext, content_type, body)| {
                let digest = hex::encode(Sha256::digest(body));
                Asset {
                    name: format!("{stem}.{}.{ext}", &digest[..16]),
                    content_type,
                    body,
                }
            })
            .collect()
    })
}

/// The URL path of the asset whose unhashed stem is `stem` (`app` or `htmx`).
pub fn url(stem: &str) -> String {
    let name = assets()
        .iter()
        .find(|a| a.name.split('.').next() == Some(stem))
        .map_or("missing", |a| a.name.as_str());
    format!("/app/static/{name}")
}

/// `GET /app/static/{name}`.
pub async fn serve(Path(name): Path<String>) -> Response {
    match assets().iter().find(|a| a.name == name) {
        Some(a) => (
            [
                (header::CONTENT_TYPE, a.content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            a.body,
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            [(header::CACHE_CONTROL, "no-store")],
            "Not found",
        )
            .into_response(),
    }
}
