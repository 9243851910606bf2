//! Downloads (AS6, AS7): the bytes of a visible file, whole or one `Range`, streamed from
//! storage with a safe `Content-Disposition`; shared by the API's routes and the guest page.

use std::ops::Range;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use docket_store::model::AssetRow;
use futures_util::TryStreamExt;
use serde_json::json;

use super::visible_asset;
use crate::error::{Error, Result};
use crate::http::extract::Ctx;
use crate::state::AppState;

/// What a `Range` header asks of a file of `size` bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum RangeAsk {
    /// No usable range: the whole file (also for several ranges or a malformed header).
    Whole,
    /// These bytes.
    Part(Range<u64>),
    /// Outside the file: 416.
    Unsatisfiable,
}

/// Reads a `Range` header (one range of `bytes`).
pub fn parse_range(value: Option<&str>, size: u64) -> RangeAsk {
    let Some(spec) = value.map(str::trim).and_then(|v| v.strip_prefix("bytes=")) else {
        return RangeAsk::Whole;
    };
    if spec.contains(',') {
        return RangeAsk::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeAsk::Whole;
    };
    let num = |s: &str| -> Option<u64> {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    match (first.trim().is_empty(), num(first), num(last)) {
        // bytes=-N: the last N bytes.
        (true, _, Some(n)) => {
            if n == 0 || size == 0 {
                RangeAsk::Unsatisfiable
            } else {
                RangeAsk::Part(size.saturating_sub(n)..size)
            }
        }
        (false, Some(a), end) if last.trim().is_empty() || end.is_some() => {
            if a >= size {
                return RangeAsk::Unsatisfiable;
            }
            match end {
                Some(b) if b < a => RangeAsk::Whole,
                Some(b) => RangeAsk::Part(a..b.min(size - 1) + 1),
                None => RangeAsk::Part(a..size),
            }
        }
        _ => RangeAsk::Whole,
    }
}

/// `Content-Disposition` for `filename`: an ASCII fallback with anything unsafe replaced, and
/// the exact name percent-encoded as `filename*` (RFC 6266).
pub fn content_disposition(kind: &str, filename: &str) -> String {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' && c != '%' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in filename.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

pub(super) async fn bytes(ctx: Ctx, id: &str, headers: &HeaderMap, attachment: bool) -> Result<Response> {
    let me = ctx.member()?;
    let asset = visible_asset(&ctx, &me, id).await?;
    send_file(&ctx.state, &asset, headers, attachment).await
}

/// The bytes of `asset` (the part the request's `Range` asks for), inline or as an
/// `attachment`: the API's AS5/AS6 answer, and the guest page's download.
pub(crate) async fn send_file(
    state: &AppState,
    asset: &AssetRow,
    headers: &HeaderMap,
    attachment: bool,
) -> Result<Response> {
    let size = asset.size.max(0) as u64;
    let ask = parse_range(headers.get(header::RANGE).and_then(|v| v.to_str().ok()), size);
    if ask == RangeAsk::Unsatisfiable {
        let body = json!({"error": true, "message": "The requested range lies outside the file.", "code": "RANGE_NOT_SATISFIABLE"});
        let mut response = (StatusCode::RANGE_NOT_SATISFIABLE, axum::Json(body)).into_response();
        if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
            response.headers_mut().insert(header::CONTENT_RANGE, v);
        }
        return Ok(response);
    }
    let range = match &ask {
        RangeAsk::Part(r) => Some(r.clone()),
        _ => None,
    };
    let stream = state
        .storage
        .get(&asset.sha256, range.clone())
        .await
        .map_err(|e| Error::Internal(format!("reading a stored file: {e}")))?
        .ok_or_else(|| Error::Internal(format!("the bytes of asset {} are missing from storage", asset.id)))?;
    let (status, length) = match &range {
        Some(r) => (StatusCode::PARTIAL_CONTENT, r.end - r.start),
        None => (StatusCode::OK, size),
    };
    let content_type = if attachment {
        "application/octet-stream".to_string()
    } else {
        asset.mime_type.clone()
    };
    let disposition = content_disposition(if attachment { "attachment" } else { "inline" }, &asset.filename);
    let mut response = Response::new(Body::from_stream(stream.map_err(axum::Error::new)));
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Some(r) = &range
        && let Ok(v) = HeaderValue::from_str(&format!("bytes {}-{}/{size}", r.start, r.end - 1))
    {
        h.insert(header::CONTENT_RANGE, v);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range(None, 10), RangeAsk::Whole);
        assert_eq!(parse_range(Some("bytes=0-3"), 10), RangeAsk::Part(0..4));
        assert_eq!(parse_range(Some("bytes=5-"), 10), RangeAsk::Part(5..10));
        assert_eq!(parse_range(Some("bytes=-3"), 10), RangeAsk::Part(7..10));
        assert_eq!(parse_range(Some("bytes=-30"), 10), RangeAsk::Part(0..10));
        assert_eq!(parse_range(Some("bytes=8-100"), 10), RangeAsk::Part(8..10));
        assert_eq!(parse_range(Some("bytes=10-"), 10), RangeAsk::Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=-0"), 10), RangeAsk::Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=0-1,3-4"), 10), RangeAsk::Whole);
        assert_eq!(parse_range(Some("bytes=4-2"), 10), RangeAsk::Whole);
        assert_eq!(parse_range(Some("items=0-1"), 10), RangeAsk::Whole);
        assert_eq!(parse_range(Some("bytes=x-1"), 10), RangeAsk::Whole);
    }

    #[test]
    fn content_dispositions_keep_names_safe() {
        assert_eq!(
            content_disposition("attachment", "r\u{e9}sum\u{e9} \"1\".pdf"),
            "attachment; filename=\"r_sum_ _1_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%221%22.pdf"
        );
    }
}
