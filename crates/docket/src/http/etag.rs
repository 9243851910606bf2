//! Strong `ETag`s for tasks and runs, from their row `version` (bumped by every change), and
//! the `If-Match` precondition (spec §1.2, §1.14).

use axum::http::{HeaderValue, header};
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

/// The version an `If-Match` value requires for the row `id`: `None` without the header (or
/// with `*`), `Some(version)` when one of its tags names this row; tags of anything else can
/// never match, which is a 412.
pub fn required_version(if_match: Option<&str>, id: &str) -> Result<Option<i64>> {
    let Some(raw) = if_match.map(str::trim) else {
        return Ok(None);
    };
    if raw == "*" {
        return Ok(None);
    }
    let prefix = format!("\"{id}-");
    raw.split(',')
        .map(str::trim)
        .find_map(|candidate| candidate.strip_prefix(&prefix)?.strip_suffix('"')?.parse::<i64>().ok())
        .map(Some)
        .ok_or(Error::PreconditionFailed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_names_a_version_of_this_row_or_fails() {
        assert_eq!(required_version(None, "abc").ok(), Some(None));
        assert_eq!(required_version(Some("\"abc-7\""), "abc").ok(), Some(Some(7)));
        assert_eq!(required_version(Some("\"x-1\", \"abc-7\""), "abc").ok(), Some(Some(7)));
        assert!(matches!(
            required_version(Some("\"other-7\""), "abc"),
            Err(Error::PreconditionFailed)
        ));
        assert!(matches!(
            required_version(Some("W/\"abc-7\""), "abc"),
            Err(Error::PreconditionFailed)
        ));
        assert_eq!(required_version(Some("*"), "abc").ok(), Some(None));
    }
}
