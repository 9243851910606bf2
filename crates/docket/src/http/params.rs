//! What every resource reads the same way from a request: the query string (spec §1.4), the
//! paging parameters (§1.8), a `{user_id}` path segment, and the largest body accepted.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use docket_domain::input;
use docket_domain::page::{MAX_PER_PAGE, PageRequest};

use crate::error::{Error, Result};

/// The largest accepted request body (spec §1.3).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Reads `page`, `per_page` and `without_pagination` with a list's default page size.
pub fn page_request(query: &Query, default_per_page: i64) -> Result<PageRequest> {
    Ok(PageRequest::parse(
        query.get("page"),
        query.get("per_page"),
        query.get("without_pagination"),
        default_per_page,
        MAX_PER_PAGE,
    )?)
}

/// A `{user_id}` path segment: decimal digits, else 404 (spec §1.1).
pub fn user_id_segment(s: &str) -> Result<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::NotFound);
    }
    s.parse().map_err(|_| Error::NotFound)
}

/// The query string as decoded pairs; a repeated key's last value wins (spec §1.4).
#[derive(Debug, Default, Clone)]
pub struct Query(pub Vec<(String, String)>);

impl Query {
    /// The last value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The first present of `keys` (canonical name first).
    pub fn get_any(&self, keys: &[&str]) -> Option<&str> {
        keys.iter().find_map(|k| self.get(k))
    }

    /// A comma list: items trimmed, empty items dropped.
    pub fn list(&self, key: &str) -> Vec<String> {
        self.get(key)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether `with` names `relation`.
    pub fn with(&self, relation: &str) -> bool {
        self.list("with").iter().any(|w| w == relation)
    }

    /// A trimmed non-empty value.
    pub fn text(&self, key: &str) -> Option<String> {
        self.get(key)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }

    /// A boolean parameter; anything but the §1.4 words is a 422 naming it.
    pub fn bool(&self, key: &str) -> Result<Option<bool>, Error> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => input::parse_bool(v)
                .map(Some)
                .ok_or_else(|| Error::invalid(key, format!("The {} field must be true or false.", input::label(key)))),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Query {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Error> {
        let pairs = parts
            .uri
            .query()
            .map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let pairs: Vec<(String, String)> = pairs;
        if let Some((key, _)) = pairs.iter().find(|(k, v)| k.contains('\0') || v.contains('\0')) {
            let key = key.replace('\0', "\\0");
            let message = format!("The {} may not contain NUL characters.", input::label(&key));
            return Err(Error::invalid(key, message));
        }
        Ok(Query(pairs))
    }
}
