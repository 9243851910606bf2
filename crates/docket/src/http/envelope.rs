//! Response envelopes (spec §1.7, §1.8): `{"data": …}` and `{"data": […], "meta": {"pagination"}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use docket_domain::page::{PageInfo, PageRequest};
use serde::Serialize;
use serde_json::{Value, json};

use crate::http::extract::Ctx;

/// `{"data": value}` with `status`.
pub fn item<T: Serialize>(status: StatusCode, value: T) -> Response {
    (status, Json(data(value))).into_response()
}

/// `{"data": value}`.
pub fn data<T: Serialize>(value: T) -> Value {
    json!({ "data": value })
}

/// `{"data": value}` with 200.
pub fn ok<T: Serialize>(value: T) -> Response {
    item(StatusCode::OK, value)
}

/// `{"data": [items], "meta": {"pagination": …}}` for one page.
pub fn list<T: Serialize>(ctx: &Ctx, req: &PageRequest, total: i64, items: Vec<T>) -> Response {
    let info = PageInfo::new(req, total, items.len() as i64);
    Json(json!({ "data": items, "meta": { "pagination": pagination(ctx, &info) } })).into_response()
}

/// The `pagination` object of `info`, with links to the neighbouring pages.
pub fn pagination(ctx: &Ctx, info: &PageInfo) -> Value {
    let prev = info.prev().map(|p| page_link(ctx, p));
    json!({
        "total": info.total,
        "count": info.count,
        "per_page": info.per_page,
        "current_page": info.current_page,
        "total_pages": info.total_pages,
        "links": { "next": info.next().map(|p| page_link(ctx, p)), "prev": prev.clone(), "previous": prev },
    })
}

/// This request's URL with `page` replaced.
fn page_link(ctx: &Ctx, page: i64) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    if let Some(q) = &ctx.query {
        for (k, v) in form_urlencoded::parse(q.as_bytes()) {
            if k != "page" {
                out.append_pair(&k, &v);
            }
        }
    }
    out.append_pair("page", &page.to_string());
    format!("{}{}?{}", ctx.base, ctx.path, out.finish())
}

/// A Fractal include of one object: `{"data": value}` (or `{"data": null}`).
pub fn include_one<T: Serialize>(value: Option<T>) -> Value {
    json!({ "data": value })
}

/// A Fractal include of a collection: `{"data": [values]}`.
pub fn include_many<T: Serialize>(values: Vec<T>) -> Value {
    json!({ "data": values })
}
