//! Files (spec §4.8, AS1–AS7) and the Asset shape (§2.5).
//!
//! An upload is `multipart/form-data`: the file part `name` is streamed to storage as it
//! arrives (never held whole in memory), counted against `storage.max_upload_bytes` and hashed;
//! the other parts are short text. Only when every part has been read and checked
//! (upload_checks.rs) is the asset row written; a body that breaks off, an invalid request or
//! an oversized file leaves nothing behind (the temporary file is removed, and stored bytes no
//! row names are released).
//!
//! A file is visible exactly to who may see its subject: every member for a template or a run,
//! the task's viewers for a task (top-secret tasks: admins and assignees).

use axum::extract::{Path, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use docket_domain::time::format_ts;
use docket_domain::{Actor, Role};
use docket_store::model::AssetRow;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::Ctx;
use crate::idempotency::{self, UploadKey};
use crate::state::AppState;
use crate::storage::{StorageError, Stored};

mod download;
pub(crate) mod upload_checks;
use download::bytes;
pub(crate) use download::send_file;
pub use download::{RangeAsk, content_disposition, parse_range};
use upload_checks::{checked, too_large_message};

/// Longest text part of an upload, in bytes.
const TEXT_PART_MAX: u64 = 64 * 1024;
/// Most parts one upload may have.
const MAX_PARTS: usize = 32;
/// Bytes an upload's body may carry beyond the file itself (boundaries, part headers, the
/// short text parts): the body limit of the upload routes is the file limit plus this.
pub const MULTIPART_OVERHEAD: u64 = 256 * 1024;

/// The routes of this module, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload_asset))
        .routes(routes!(upload_file))
        .routes(routes!(get_asset, delete_asset))
        .routes(routes!(get_file, delete_file))
        .routes(routes!(download_file))
}

/// Whether `req` is an upload (AS1/AS2): a POST to `…/assets` or `…/file`. Its body limit is
/// the configured file limit, not the 1 MiB of JSON bodies, and it is exempt from the request
/// timeout (the minimum body rate still bounds a slow client).
pub fn is_upload(method: &axum::http::Method, path: &str) -> bool {
    method == axum::http::Method::POST && (path.ends_with("/assets") || path.ends_with("/file"))
}

/// A stored file's metadata.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Asset)]
pub struct AssetJson {
    pub(crate) id: String,
    /// The upload's file name, path components and control characters removed.
    pub(crate) filename: String,
    /// Always 1.
    pub(crate) version: i64,
    /// `ko_field` or a form-field id.
    pub(crate) uploaded_from: String,
    pub(crate) uploaded_at: String,
    pub(crate) step_id: Option<String>,
    pub(crate) checklist_id: Option<String>,
    /// `local` or `url`.
    pub(crate) source: String,
    pub(crate) system: Option<String>,
    /// Always `false`.
    pub(crate) uploaded_to_s3: bool,
    pub(crate) subject: AssetSubject,
    /// Bytes.
    pub(crate) size: i64,
    /// Derived from the file name's extension.
    pub(crate) mime_type: String,
    /// The uploading member, or the guest's id when a guest uploaded it from their link
    /// (`uploaded_by_type` `guest`).
    pub(crate) uploaded_by: i64,
    /// `user`, or `guest` for a guest's upload from their link.
    pub(crate) uploaded_by_type: &'static str,
    /// `organizations/{org}/file/{id}/dl`, relative.
    pub(crate) url: String,
    /// The same, absolute.
    pub(crate) full_url: String,
}

/// What an asset belongs to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssetSubject {
    pub(crate) id: String,
    /// `Checklist`, `Run` or `Task`.
    #[serde(rename = "type")]
    pub(crate) kind: String,
}

/// Renders an asset.
pub fn render(base: &str, a: &AssetRow) -> AssetJson {
    let url = format!("organizations/{}/file/{}/dl", a.org_id, a.id);
    AssetJson {
        id: a.id.clone(),
        filename: a.filename.clone(),
        version: 1,
        uploaded_from: a.uploaded_from.clone(),
        uploaded_at: format_ts(a.uploaded_at),
        step_id: a.step_id.clone(),
        checklist_id: a.checklist_id.clone(),
        source: a.source.clone(),
        system: a.system.clone(),
        uploaded_to_s3: false,
        subject: AssetSubject {
            id: a.subject_id.clone(),
            kind: a.subject_type.clone(),
        },
        size: a.size,
        mime_type: a.mime_type.clone(),
        uploaded_by: a.uploaded_by_guest_id.unwrap_or(a.uploaded_by),
        uploaded_by_type: if a.uploaded_by_guest_id.is_some() {
            "guest"
        } else {
            "user"
        },
        full_url: format!("{base}/{url}"),
        url,
    }
}

/// The multipart body of an upload, as the OpenAPI document describes it.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct UploadForm {
    /// The file. Its extension must be one of the accepted list; 1 byte up to the size limit.
    #[schema(value_type = String, format = Binary)]
    name: Vec<u8>,
    /// `ko_field`, or the id of a form field of the subject.
    uploaded_from: String,
    /// `Checklist`, `Run` or `Task`.
    subject_type: String,
    /// The template, run or task.
    subject_id: String,
    /// Run subjects only: a step of the run's template.
    #[schema(required = false)]
    step_id: Option<String>,
    /// Run subjects only: the run's template.
    #[schema(required = false)]
    checklist_id: Option<String>,
    /// `local` (default) or `url`.
    #[schema(required = false)]
    source: Option<String>,
    /// Free text, at most 100 characters.
    #[schema(required = false)]
    system: Option<String>,
}

/// Uploads a file (AS1).
#[utoipa::path(
    post,
    path = "/organizations/{org}/assets",
    operation_id = "upload_asset",
    tag = "files",
    params(
        ("org" = String, Path, description = "Organization id"),
        ("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key and the same upload (parts and file) answers the first response without storing the file again; a different upload under the key is a 422"),
    ),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "The stored file", body = crate::http::openapi::Item<AssetJson>),
        (status = 413, description = "The file (or the body) is over the size limit (`PAYLOAD_TOO_LARGE`); `errors.name` says the limit.", body = crate::http::openapi::ErrorEnvelope),
    )
)]
async fn upload_asset(ctx: Ctx, Path(_org): Path<String>, req: Request) -> Result<Response> {
    upload(ctx, req).await
}

/// Uploads a file (AS2, the same as AS1).
#[utoipa::path(
    post,
    path = "/organizations/{org}/file",
    operation_id = "upload_file",
    tag = "files",
    params(
        ("org" = String, Path, description = "Organization id"),
        ("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key and the same upload (parts and file) answers the first response without storing the file again; a different upload under the key is a 422"),
    ),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "The stored file", body = crate::http::openapi::Item<AssetJson>),
        (status = 413, description = "The file (or the body) is over the size limit (`PAYLOAD_TOO_LARGE`); `errors.name` says the limit.", body = crate::http::openapi::ErrorEnvelope),
    )
)]
async fn upload_file(ctx: Ctx, Path(_org): Path<String>, req: Request) -> Result<Response> {
    upload(ctx, req).await
}

/// The text parts of an upload.
#[derive(Default)]
struct UploadFields {
    uploaded_from: Option<String>,
    subject_type: Option<String>,
    subject_id: Option<String>,
    step_id: Option<String>,
    checklist_id: Option<String>,
    source: Option<String>,
    system: Option<String>,
}

/// The file part: its name as sent and what storage made of it.
struct FilePart {
    filename: Option<String>,
    stored: Stored,
}

async fn upload(ctx: Ctx, req: Request) -> Result<Response> {
    let me = ctx.member()?;
    let limit = ctx.state.config.storage.max_upload_bytes;
    let idempotency = req.extensions().get::<UploadKey>().cloned();
    let target = format!("{}?{}", req.uri().path(), req.uri().query().unwrap_or(""));
    let boundary = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok());
    let Some(boundary) = boundary else {
        return Err(Error::invalid(
            "name",
            "The name field is required. Send the file as multipart/form-data in a part called name.",
        ));
    };
    let constraints = multer::Constraints::new().size_limit(
        multer::SizeLimit::new()
            .per_field(TEXT_PART_MAX)
            .for_field("name", u64::MAX),
    );
    let mut parts = multer::Multipart::with_constraints(req.into_body().into_data_stream(), boundary, constraints);
    let mut fields = UploadFields::default();
    let mut file: Option<FilePart> = None;
    let mut count = 0;
    let broken = |e: multer::Error| Error::BadRequest(format!("Malformed multipart body: {e}."));
    while let Some(part) = parts.next_field().await.map_err(broken)? {
        count += 1;
        if count > MAX_PARTS {
            release(&ctx, file.map(|f| f.stored)).await;
            return Err(Error::BadRequest(format!(
                "Malformed multipart body: more than {MAX_PARTS} parts."
            )));
        }
        let key = part.name().unwrap_or("").to_ascii_lowercase().replace('_', "");
        if key == "name" && file.is_none() {
            let filename = part.file_name().map(str::to_string);
            match ctx.state.storage.put(part, limit).await {
                Ok(stored) => file = Some(FilePart { filename, stored }),
                Err(StorageError::TooLarge(limit)) => return Ok(too_large(limit)),
                Err(StorageError::Body(e)) => return Err(Error::BadRequest(format!("Malformed multipart body: {e}."))),
                Err(StorageError::Io(e)) => return Err(Error::Internal(format!("storing an upload: {e}"))),
            }
            continue;
        }
        let text = match part.text().await {
            Ok(t) => t,
            Err(multer::Error::FieldSizeExceeded { .. }) => {
                release(&ctx, file.map(|f| f.stored)).await;
                let label = docket_domain::input::label(&key);
                return Err(Error::invalid(
                    key.clone(),
                    format!("The {label} may not be greater than 64 kilobytes."),
                ));
            }
            Err(e) => {
                release(&ctx, file.map(|f| f.stored)).await;
                return Err(broken(e));
            }
        };
        let slot = match key.as_str() {
            "uploadedfrom" => &mut fields.uploaded_from,
            "subjecttype" => &mut fields.subject_type,
            "subjectid" => &mut fields.subject_id,
            "stepid" => &mut fields.step_id,
            "checklistid" => &mut fields.checklist_id,
            "source" => &mut fields.source,
            "system" => &mut fields.system,
            _ => continue,
        };
        *slot = Some(text);
    }
    if let Some(k) = &idempotency {
        let hash = upload_hash(&target, &fields, file.as_ref());
        match idempotency::claim(&ctx.state, &k.token_hash, &k.key, &hash).await {
            Ok(None) => {}
            Ok(Some(replayed)) => {
                release(&ctx, file.map(|f| f.stored)).await;
                return Ok(replayed);
            }
            Err(e) => {
                release(&ctx, file.map(|f| f.stored)).await;
                return Err(e);
            }
        }
    }
    let (result, refused) = store_upload(&ctx, &me, fields, file).await;
    let response = result.unwrap_or_else(IntoResponse::into_response);
    // The key is recorded before a refused upload's bytes are released: a retry of the same
    // upload waiting for this answer holds the lock the release takes.
    let answer = match &idempotency {
        Some(k) => idempotency::finish(&ctx.state, &k.token_hash, &k.key, response).await,
        None => Ok(response),
    };
    release(&ctx, refused).await;
    answer
}

/// What an upload's body says, as one SHA-256 (the `Idempotency-Key` comparison): the route, the
/// text parts read and the file's name and content hash. Multipart boundaries and the order of
/// the parts, which a client's retry may change, do not count.
fn upload_hash(target: &str, f: &UploadFields, file: Option<&FilePart>) -> String {
    let mut h = Sha256::new();
    h.update(b"POST ");
    h.update(target.as_bytes());
    h.update(b"\n");
    for (name, value) in [
        ("uploaded_from", &f.uploaded_from),
        ("subject_type", &f.subject_type),
        ("subject_id", &f.subject_id),
        ("step_id", &f.step_id),
        ("checklist_id", &f.checklist_id),
        ("source", &f.source),
        ("system", &f.system),
    ] {
        if let Some(v) = value {
            h.update(format!("{name}={}\n", v.len()).as_bytes());
            h.update(v.as_bytes());
            h.update(b"\n");
        }
    }
    if let Some(part) = file {
        let name = part.filename.as_deref().unwrap_or("");
        h.update(format!("name={}\n", name.len()).as_bytes());
        h.update(name.as_bytes());
        h.update(format!("\n{} {}\n", part.stored.sha256, part.stored.size).as_bytes());
    }
    hex::encode(h.finalize())
}

/// Checks an upload whose body has been read and writes its row (the bytes are stored). A
/// refused upload's stored bytes come back, for the caller to release.
async fn store_upload(
    ctx: &Ctx,
    me: &Actor,
    fields: UploadFields,
    file: Option<FilePart>,
) -> (Result<Response>, Option<Stored>) {
    match checked(ctx, me, fields, &file).await {
        Ok(row) => {
            let Some(part) = file else {
                return (
                    Err(Error::Internal("an upload passed its checks without a file".into())),
                    None,
                );
            };
            let result = ctx.state.store.create_asset(&row).await;
            // The key's lock goes only once the row is in (or failed to go in).
            let stored = part.stored;
            if let Err(e) = result {
                return (Err(e.into()), Some(stored));
            }
            drop(stored);
            (Ok(envelope::ok(render(&ctx.base, &row))), None)
        }
        Err(e) => (Err(e), file.map(|f| f.stored)),
    }
}

/// Releases the stored bytes of a refused upload unless a row names them.
async fn release(ctx: &Ctx, stored: Option<Stored>) {
    if let Some(stored) = stored {
        crate::service::files::release_stored(&ctx.state, stored).await;
    }
}

/// The 413 of an oversized file, in the envelope, naming the field.
fn too_large(limit: u64) -> Response {
    let message = too_large_message(limit);
    let mut errors = serde_json::Map::new();
    errors.insert("name".into(), json!([message]));
    let body = json!({"error": true, "message": message, "code": "PAYLOAD_TOO_LARGE", "errors": errors});
    let mut response = (StatusCode::PAYLOAD_TOO_LARGE, axum::Json(body)).into_response();
    // The rest of the body is not read: the connection cannot be reused.
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
/// Whether the subject exists and is visible to `me` (`None` if not), and if so whether `me`
/// may add files to it (light members only to subjects they may update).
pub(crate) async fn subject_right(ctx: &Ctx, me: &Actor, kind: &str, id: &str) -> Result<Option<bool>> {
    let org = &me.org_id;
    Ok(match kind {
        "Checklist" => ctx
            .state
            .store
            .template(org, id)
            .await?
            .map(|_| docket_domain::template::can_edit(me.role)),
        "Run" => ctx
            .state
            .store
            .run(org, id, ctx.now)
            .await?
            .map(|r| me.role != Role::Light || r.row.owner_id == me.user_id),
        _ => match crate::http::tasks::visible_task(ctx, me, id).await {
            Ok(task) => Some(task.facts().can_edit(me.caller())),
            Err(Error::NotFound) => None,
            Err(e) => return Err(e),
        },
    })
}

/// Asset `id` of the path's organization, if `me` may see its subject; else 404.
pub async fn visible_asset(ctx: &Ctx, me: &Actor, id: &str) -> Result<AssetRow> {
    let asset = ctx.state.store.asset(&me.org_id, id).await?.ok_or(Error::NotFound)?;
    match subject_right(ctx, me, &asset.subject_type, &asset.subject_id).await? {
        Some(_) => Ok(asset),
        None => Err(Error::NotFound),
    }
}

/// Reads a file's metadata (AS3).
#[utoipa::path(
    get,
    path = "/organizations/{org}/assets/{asset_id}",
    operation_id = "get_asset",
    tag = "files",
    params(("org" = String, Path, description = "Organization id"), ("asset_id" = String, Path, description = "Asset id")),
    responses((status = 200, description = "The file's metadata", body = crate::http::openapi::Item<AssetJson>))
)]
async fn get_asset(ctx: Ctx, Path((_org, id)): Path<(String, String)>) -> Result<Response> {
    let me = ctx.member()?;
    let asset = visible_asset(&ctx, &me, &id).await?;
    Ok(envelope::ok(render(&ctx.base, &asset)))
}

/// Deletes a file (AS4, the same as AS7).
#[utoipa::path(
    delete,
    path = "/organizations/{org}/assets/{asset_id}",
    operation_id = "delete_asset",
    tag = "files",
    params(("org" = String, Path, description = "Organization id"), ("asset_id" = String, Path, description = "Asset id")),
    responses((status = 204, description = "Deleted: the row and (unless another upload has the same content) the bytes"))
)]
async fn delete_asset(ctx: Ctx, Path((_org, id)): Path<(String, String)>) -> Result<Response> {
    delete(ctx, &id).await
}

/// Deletes a file (AS7).
#[utoipa::path(
    delete,
    path = "/organizations/{org}/file/{asset_id}",
    operation_id = "delete_file",
    tag = "files",
    params(("org" = String, Path, description = "Organization id"), ("asset_id" = String, Path, description = "Asset id")),
    responses((status = 204, description = "Deleted: the row and (unless another upload has the same content) the bytes"))
)]
async fn delete_file(ctx: Ctx, Path((_org, id)): Path<(String, String)>) -> Result<Response> {
    delete(ctx, &id).await
}

async fn delete(ctx: Ctx, id: &str) -> Result<Response> {
    let me = ctx.member()?;
    let asset = visible_asset(&ctx, &me, id).await?;
    if me.role != Role::Admin && asset.uploaded_by != me.user_id {
        return Err(Error::no_permission());
    }
    let Some(gone) = ctx.state.store.delete_asset(&me.org_id, id).await? else {
        return Err(Error::NotFound);
    };
    let store = ctx.state.store.clone();
    let key = gone.sha256.clone();
    if let Err(e) = ctx
        .state
        .storage
        .release(&gone.sha256, async move || store.asset_sha_in_use(&key).await)
        .await
    {
        // The row is gone; bytes left behind are swept at the next start.
        tracing::warn!(error = %e, "the bytes of a deleted file could not be removed");
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Reads a file's bytes, shown inline (AS5).
#[utoipa::path(
    get,
    path = "/organizations/{org}/file/{asset_id}",
    operation_id = "get_file",
    tag = "files",
    params(
        ("org" = String, Path, description = "Organization id"),
        ("asset_id" = String, Path, description = "Asset id"),
        ("Range" = Option<String>, Header, description = "One byte range, `bytes=FIRST-LAST`, `bytes=FIRST-` or `bytes=-SUFFIX`"),
    ),
    responses(
        (status = 200, description = "The bytes, with the file's type and `Content-Disposition: inline`", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 206, description = "The range asked for, with `Content-Range`", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 416, description = "The range lies outside the file (`RANGE_NOT_SATISFIABLE`); `Content-Range: bytes */SIZE`", body = crate::http::openapi::ErrorEnvelope),
    )
)]
async fn get_file(ctx: Ctx, Path((_org, id)): Path<(String, String)>, headers: HeaderMap) -> Result<Response> {
    bytes(ctx, &id, &headers, false).await
}

/// Downloads a file's bytes as an attachment (AS6).
#[utoipa::path(
    get,
    path = "/organizations/{org}/file/{asset_id}/dl",
    operation_id = "download_file",
    tag = "files",
    params(
        ("org" = String, Path, description = "Organization id"),
        ("asset_id" = String, Path, description = "Asset id"),
        ("Range" = Option<String>, Header, description = "One byte range, `bytes=FIRST-LAST`, `bytes=FIRST-` or `bytes=-SUFFIX`"),
    ),
    responses(
        (status = 200, description = "The bytes, `Content-Disposition: attachment`", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 206, description = "The range asked for, with `Content-Range`", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 416, description = "The range lies outside the file (`RANGE_NOT_SATISFIABLE`); `Content-Range: bytes */SIZE`", body = crate::http::openapi::ErrorEnvelope),
    )
)]
async fn download_file(ctx: Ctx, Path((_org, id)): Path<(String, String)>, headers: HeaderMap) -> Result<Response> {
    bytes(ctx, &id, &headers, true).await
}
