//! Strong `ETag`s for tasks and runs, from their row `version` (bumped by every change), and
//! the `If-Match` precondition (spec §1.2, §1.14).

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

use crate::error::{Error, Result};

/// The entity tag of a row with this id and version.
pub fn tag(id: &str, version: i64) -> String {
    format!("\"{id}-{version}\"")
}

/// Adds `ETag` to a response.
pub fn with_etag(mut response: Response, id: &str, version: i64) -> Response {
    if let Ok(v) = HeaderValue::from_str(&tag(id, version)) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

/// The version an `If-Match` header requires for the row `id`: `None` without the header (or
/// with `*`), `Some(version)` when it names this row; a tag of anything else can never match,
/// which is a 412.
pub fn required_version(headers: &HeaderMap, id: &str) -> Result<Option<i64>> {
    let Some(raw) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let raw = raw.to_str().map_err(|_| Error::PreconditionFailed)?.trim();
    if raw == "*" {
        return Ok(None);
    }
    let prefix = format!("\"{id}-");
    for candidate in raw.split(',').map(str::trim) {
        if let Some(v) = candidate.strip_prefix(&prefix).and_then(|rest| rest.strip_suffix('"'))
            && let Ok(version) = v.parse::<i64>()
        {
            return Ok(Some(version));
        }
    }
    Err(Error::PreconditionFailed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_names_a_version_of_this_row_or_fails() {
        let mut h = HeaderMap::new();
        assert_eq!(required_version(&h, "abc").ok(), Some(None));
        h.insert(header::IF_MATCH, HeaderValue::from_static("\"abc-7\""));
        assert_eq!(required_version(&h, "abc").ok(), Some(Some(7)));
        h.insert(header::IF_MATCH, HeaderValue::from_static("\"other-7\""));
        assert!(matches!(required_version(&h, "abc"), Err(Error::PreconditionFailed)));
        h.insert(header::IF_MATCH, HeaderValue::from_static("*"));
        assert_eq!(required_version(&h, "abc").ok(), Some(None));
    }
}
