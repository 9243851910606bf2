//! The OpenAPI 3.1 document of every route, assembled from the `#[utoipa::path]` annotations of
//! the resource modules, plus the shapes every route shares: the error envelope, the item and
//! list envelopes, the security schemes.

pub mod bodies;
pub mod params;
pub mod ui;

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response};
use utoipa::{OpenApi as _, ToSchema};

/// The security scheme of the bearer token.
pub const BEARER: &str = "bearer";
/// The security scheme of the required `X-Tallyfy-Client` header.
pub const CLIENT: &str = "client";
/// The name of the error envelope's schema.
pub const ERROR_SCHEMA: &str = "Error";

const DESCRIPTION: &str = "docket, a self-hosted server for the Tallyfy tasks API.\n\n\
Every route is served under two prefixes with identical behaviour: the root (as on \
`https://api.tallyfy.com`) and `/api` (as on `https://go.tallyfy.com/api`). This document lists \
the canonical un-prefixed paths; prefix any of them with `/api` for the other form.\n\n\
Every API request needs `Authorization: Bearer <token>` and a non-empty `X-Tallyfy-Client` \
header. Request bodies may be JSON objects or `application/x-www-form-urlencoded` forms with PHP \
bracket keys; field names are matched ignoring case and `_`, booleans and integers are coerced \
from strings. Every error answers with the error envelope (`Error`). Every response carries \
`X-RateLimit-Limit` and `X-RateLimit-Remaining`; a 429 adds `Retry-After`.\n\n\
A guide to this API, with worked `curl` examples for every route (concepts, authentication and \
provisioning tokens with the admin CLI, errors, pagination, and docket's extensions: \
`Idempotency-Key`, `ETag`/`If-Match`, signed webhooks), is the `docs/` folder of docket's \
source repository: start at `docs/README.md`.";

/// The document's fixed parts; the paths come from the routers (see [`finish`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "docket", description = DESCRIPTION),
    paths(super::health, super::ready),
    components(schemas(ErrorEnvelope)),
    tags(
        (name = "tasks", description = "One-off tasks: create, read, update, complete, reopen, archive, and the task lists"),
        (name = "runs", description = "Runs (processes) made of one-off tasks, and their tasks"),
        (name = "comments", description = "Comments and problem threads on tasks"),
        (name = "templates", description = "Templates (checklists): create, read, update, archive, copy, and their kick-off fields"),
        (name = "tags", description = "Tags and their links to runs and tasks"),
        (name = "folders", description = "Folders of templates and runs, and the runs and tasks filed in them"),
        (name = "automations", description = "Automation rules of templates"),
        (name = "groups", description = "Groups of members and guests"),
        (name = "guests", description = "Guests of an organization"),
        (name = "users", description = "Members of an organization"),
        (name = "me", description = "The caller and their organizations"),
        (name = "steps", description = "Steps of templates and their form fields"),
        (name = "files", description = "Files uploaded to templates, runs and tasks: upload, metadata, download (with ranges), delete"),
        (name = "search", description = "Search of runs, tasks, templates, their steps and their fields"),
        (name = "webhooks", description = "Organization webhook watchers (every event, or the `event_types` they list) and the webhook delivery log (docket extension)"),
        (name = "activity", description = "The activity feed: every change, with a cursor for incremental sync"),
        (name = "operations", description = "Health and readiness (no authentication)"),
    )
)]
pub struct ApiDoc;

/// The document's base: info, shared schemas, tags.
pub fn base() -> OpenApi {
    ApiDoc::openapi()
}

/// Completes the document the routers produced: the security schemes (required by every
/// operation that does not say otherwise) and the error responses, each a reference
/// to the [`ErrorEnvelope`] schema.
pub fn finish(mut doc: OpenApi) -> OpenApi {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(BEARER, SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    components.add_security_scheme(
        CLIENT,
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            "X-Tallyfy-Client",
            "Any non-empty value, e.g. `APIClient`.",
        ))),
    );
    doc.security = Some(vec![
        SecurityRequirement::new(BEARER, Vec::<String>::new()).add(CLIENT, Vec::<String>::new()),
    ]);
    for (path, item) in doc.paths.paths.iter_mut() {
        let ops = [
            (&mut item.get, Method::Get),
            (&mut item.put, Method::Put),
            (&mut item.post, Method::Post),
            (&mut item.delete, Method::Delete),
        ];
        for (op, method) in ops {
            if let Some(op) = op.as_mut() {
                add_error_responses(path, op, method);
            }
        }
    }
    doc
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Put,
    Post,
    Delete,
}

/// The error statuses an operation can answer with, by what it does.
fn add_error_responses(path: &str, op: &mut Operation, method: Method) {
    let has_body = matches!(method, Method::Put | Method::Post);
    // Operations that opt out of authentication (`security(())`) answer no API errors.
    if op.security.as_ref().is_some_and(|s| s.iter().all(is_empty_requirement)) {
        return;
    }
    let versioned = path.contains("/tasks") || path.contains("/runs") || path.contains("completed-tasks");
    let mut statuses: Vec<(&str, &str)> = Vec::new();
    if has_body {
        statuses.push(("400", "Malformed request body (`BAD_REQUEST`)."));
    }
    statuses.push((
        "401",
        "Missing or unknown bearer token, or no `X-Tallyfy-Client` header (`UNAUTHENTICATED`).",
    ));
    statuses.push((
        "403",
        "Not a member of the organization, or not allowed to do this (`FORBIDDEN`).",
    ));
    statuses.push((
        "404",
        "The organization or a path resource does not exist or is not visible (`RESOURCE_NOT_FOUND`).",
    ));
    statuses.push(("408", "The request did not complete in time (`REQUEST_TIMEOUT`)."));
    if method == Method::Post {
        statuses.push((
            "409",
            "An `Idempotency-Key` is still in use or was interrupted (`CONFLICT`).",
        ));
    }
    if has_body && versioned {
        statuses.push((
            "412",
            "`If-Match` does not match the current `ETag` (`PRECONDITION_FAILED`).",
        ));
    }
    statuses.push(("413", "Request body over 1 MiB (`PAYLOAD_TOO_LARGE`)."));
    statuses.push((
        "422",
        "Validation failed; `errors` names every field (`VALIDATION_ERROR`).",
    ));
    statuses.push((
        "429",
        "Over the rate limit, or (lists, search) too many of the token's expensive requests at once; see `Retry-After` (`RATE_LIMIT_EXCEEDED`).",
    ));
    statuses.push(("431", "Request headers too large (`REQUEST_HEADER_FIELDS_TOO_LARGE`)."));
    statuses.push((
        "503",
        "The database is unreachable, restarting or read-only; retry after `Retry-After` seconds (`SERVICE_UNAVAILABLE`).",
    ));
    if method != Method::Get {
        statuses.push((
            "507",
            "The server's storage is full; nothing was saved (`INSUFFICIENT_STORAGE`).",
        ));
    }
    for (status, description) in statuses {
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::T(error_response(description)));
    }
}

fn is_empty_requirement(r: &SecurityRequirement) -> bool {
    r == &SecurityRequirement::default()
}

/// A response whose body is the error envelope.
fn error_response(description: &str) -> Response {
    Response::builder()
        .description(description)
        .content(
            "application/json",
            Content::new(Some(RefOr::<utoipa::openapi::schema::Schema>::Ref(
                Ref::from_schema_name(ERROR_SCHEMA),
            ))),
        )
        .build()
}

/// The error envelope, the body of every error response.
#[derive(ToSchema)]
#[schema(as = Error)]
pub struct ErrorEnvelope {
    /// Always `true`.
    pub error: bool,
    /// A sentence for people; on 422 the first error, followed by ` (and N more errors)`.
    #[schema(example = "The title field is required.")]
    pub message: String,
    /// What went wrong, for programs.
    pub code: ErrorCode,
    /// Only on 422: dot paths into the request, each with its messages.
    #[schema(required = false)]
    pub errors: std::collections::BTreeMap<String, Vec<String>>,
}

/// The `code` of an error: what went wrong, for programs.
#[derive(serde::Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    BadRequest,
    Unauthenticated,
    Forbidden,
    ResourceNotFound,
    EndpointNotFound,
    MethodNotAllowed,
    RequestTimeout,
    Conflict,
    PreconditionFailed,
    PayloadTooLarge,
    RequestHeaderFieldsTooLarge,
    ValidationError,
    RateLimitExceeded,
    ServerError,
}

/// `{"data": item}`: one object.
#[derive(ToSchema)]
pub struct Item<T> {
    /// The object.
    pub data: T,
}

/// `{"data": [items]}` without `meta` (`users-list`, `guests-list`).
#[derive(ToSchema)]
pub struct Items<T> {
    /// The objects.
    pub data: Vec<T>,
}

/// `{"data": [items], "meta": {"pagination": …}}`: one page of a list.
#[derive(ToSchema)]
pub struct Page<T> {
    /// The items of this page.
    pub data: Vec<T>,
    /// The page.
    pub meta: PageMeta,
}

/// The `meta` of a list.
#[derive(ToSchema)]
pub struct PageMeta {
    /// Which page this is.
    pub pagination: Pagination,
}

/// Where this page is in the list.
#[derive(ToSchema)]
pub struct Pagination {
    /// Matching items in all.
    pub total: i64,
    /// Items on this page.
    pub count: i64,
    /// Page size.
    pub per_page: i64,
    /// 1-based page number.
    pub current_page: i64,
    /// `max(1, ceil(total / per_page))`.
    pub total_pages: i64,
    /// URLs of the neighbouring pages.
    pub links: PageLinks,
}

/// Links to the neighbouring pages, `null` where there is none.
#[derive(ToSchema)]
pub struct PageLinks {
    /// The next page.
    #[schema(required = true)]
    pub next: Option<String>,
    /// The previous page (what the SDK reads).
    #[schema(required = true)]
    pub prev: Option<String>,
    /// The previous page (what Fractal emits).
    #[schema(required = true)]
    pub previous: Option<String>,
}
