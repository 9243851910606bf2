//! Page requests and pagination arithmetic (spec §1.8).

use crate::input::{parse_bool, parse_int};
use crate::validation::ValidationErrors;

/// The largest `per_page` any list honours; larger values are clamped to it.
pub const MAX_PER_PAGE: i64 = 1000;

/// Which slice of a list the client asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based page number.
    pub page: i64,
    /// Items per page, 1..=the list's maximum.
    pub per_page: i64,
    /// `without_pagination=true`: every match on one page.
    pub all: bool,
}

impl PageRequest {
    /// Reads `page`, `per_page` and `without_pagination` from query values. `default_per_page`
    /// and `max_per_page` are the list's own; invalid values are 422s naming the parameter.
    pub fn parse(
        page: Option<&str>,
        per_page: Option<&str>,
        without_pagination: Option<&str>,
        default_per_page: i64,
        max_per_page: i64,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let page = match page {
            None => 1,
            Some(s) => match parse_int(s) {
                Some(p) if p >= 1 => p,
                _ => {
                    errors.add("page", "The page must be an integer of at least 1.");
                    1
                }
            },
        };
        let per_page = match per_page {
            None => default_per_page,
            Some(s) => match parse_int(s) {
                Some(p) if p >= 1 => p.min(max_per_page),
                _ => {
                    errors.add("per_page", "The per page must be an integer of at least 1.");
                    default_per_page
                }
            },
        };
        let all = match without_pagination {
            None => false,
            Some(s) => parse_bool(s).unwrap_or_else(|| {
                errors.add(
                    "without_pagination",
                    "The without pagination field must be true or false.",
                );
                false
            }),
        };
        errors.into_result(PageRequest { page, per_page, all })
    }

    /// Rows to skip.
    pub fn offset(&self) -> i64 {
        if self.all {
            0
        } else {
            (self.page - 1).saturating_mul(self.per_page)
        }
    }

    /// Rows to fetch at most (`None`: all of them).
    pub fn limit(&self) -> Option<i64> {
        if self.all { None } else { Some(self.per_page) }
    }
}

/// The numbers of `meta.pagination` for one returned page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageInfo {
    /// Matching items in all.
    pub total: i64,
    /// Items on this page.
    pub count: i64,
    /// Page size reported.
    pub per_page: i64,
    /// This page's number.
    pub current_page: i64,
    /// `max(1, ceil(total / per_page))`.
    pub total_pages: i64,
}

impl PageInfo {
    /// The meta of a page of `count` items out of `total` for `req`.
    pub fn new(req: &PageRequest, total: i64, count: i64) -> Self {
        if req.all {
            let n = total.max(1);
            return PageInfo {
                total,
                count,
                per_page: n,
                current_page: 1,
                total_pages: 1,
            };
        }
        let total_pages = ((total + req.per_page - 1) / req.per_page).max(1);
        PageInfo {
            total,
            count,
            per_page: req.per_page,
            current_page: req.page,
            total_pages,
        }
    }

    /// The next page's number, if there is one.
    pub fn next(&self) -> Option<i64> {
        // Lazily: `current_page + 1` overflows for `page=9223372036854775807`.
        (self.current_page < self.total_pages).then(|| self.current_page + 1)
    }

    /// The previous page's number, if there is one (a page past the end points back to the last).
    pub fn prev(&self) -> Option<i64> {
        (self.current_page > 1).then(|| (self.current_page - 1).min(self.total_pages))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_clamping_and_refusals() {
        let p = PageRequest::parse(None, None, None, 10, MAX_PER_PAGE).expect("defaults");
        assert_eq!((p.page, p.per_page, p.all), (1, 10, false));
        let p = PageRequest::parse(Some("3"), Some("5000"), Some("false"), 10, MAX_PER_PAGE).expect("ok");
        assert_eq!((p.page, p.per_page, p.offset()), (3, 1000, 2000));
        let e = PageRequest::parse(Some("0"), Some("x"), Some("maybe"), 10, MAX_PER_PAGE).expect_err("bad");
        let keys: Vec<&str> = e.entries().iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["page", "per_page", "without_pagination"]);
    }

    #[test]
    fn the_largest_page_number_has_no_next_page_and_does_not_overflow() {
        let req = PageRequest::parse(Some("9223372036854775807"), Some("1"), None, 10, MAX_PER_PAGE).expect("ok");
        let info = PageInfo::new(&req, 3, 0);
        assert_eq!((info.next(), info.prev()), (None, Some(3)));
    }

    #[test]
    fn page_info_is_consistent() {
        let req = PageRequest {
            page: 2,
            per_page: 10,
            all: false,
        };
        let info = PageInfo::new(&req, 53, 10);
        assert_eq!((info.total_pages, info.next(), info.prev()), (6, Some(3), Some(1)));
        let empty = PageInfo::new(
            &PageRequest {
                page: 1,
                per_page: 10,
                all: false,
            },
            0,
            0,
        );
        assert_eq!((empty.total_pages, empty.next(), empty.prev()), (1, None, None));
        let all = PageInfo::new(
            &PageRequest {
                page: 1,
                per_page: 10,
                all: true,
            },
            0,
            0,
        );
        assert_eq!((all.per_page, all.total_pages), (1, 1));
    }
}
