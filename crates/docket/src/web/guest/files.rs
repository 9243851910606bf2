//! A guest's files on their task page: upload to a `file` field, remove a file from it,
//! download the files it names. The forms and the upload's reading are the member page's
//! (`web/task_files.rs`); the writes are the guest's own, by the same rules as the API's: the
//! guest may change the task ([`guest_may_edit`](docket_domain::task_rules::TaskFacts::guest_may_edit),
//! as for filling fields), the file part is streamed to storage (never held whole) and counted
//! against `storage.max_upload_bytes` (over it: the API's message, 413, nothing kept), its name
//! and extension checked as the API checks them. The asset row names the guest as its uploader
//! (`uploaded_by_type` `guest`) and is written in their [`ACTING`](docket_store::model::ACTING)
//! scope, so the feed names them; then the field's value gets the file through the same
//! update as their answers. A value the field refuses takes the new file away again, so no file
//! is left that nothing names.
//!
//! A guest downloads only the files their task's `file` fields name; removing a file takes it
//! out of the field (the stored file stays, as on the member's page).

use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use docket_domain::ids;
use docket_store::model::{AssetRow, CaptureRow};
use serde_json::{Map, Value, json};

use super::actions::GuestPost;
use super::open;
use crate::error::Error;
use crate::http::assets::send_file;
use crate::http::assets::upload_checks::{file_name, too_large_message};
use crate::http::extract::public_base;
use crate::http::file_values::named_by_task;
use crate::http::tasks::update::Files;
use crate::service::files::{release, release_stored};
use crate::service::refusals::TaskWrite;
use crate::state::AppState;
use crate::storage::StorageError;
use crate::web::fields::Problems;
use crate::web::layout::error;
use crate::web::task_files::{NO_FILE, NOT_ADDED, UploadForm, without};
use crate::web::value_of;

/// The `file` field `field_id` of the guest's task and its files now.
fn file_field<'a>(p: &'a GuestPost, field_id: &str) -> Option<(&'a CaptureRow, Vec<Value>)> {
    let capture =
        p.t.captures
            .iter()
            .find(|c| c.id == field_id && c.field_type == "file")?;
    let files = capture
        .value
        .as_deref()
        .and_then(|v| serde_json::from_str::<Value>(v).ok())
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default();
    Some((capture, files))
}

/// The page's 404 of a field that is not a file field of the task.
fn no_field() -> Response {
    error(StatusCode::NOT_FOUND, "No such file field on this task.", None)
}

/// The page again with `message` beside field `field_id`, answering `status`.
async fn beside(p: &GuestPost, field_id: &str, status: StatusCode, message: String) -> Response {
    let mut problems = Problems {
        message: Some(NOT_ADDED.into()),
        ..Problems::default()
    };
    problems.fields.insert(field_id.to_string(), message);
    p.again(status, &problems).await
}

/// The field `field_id` with the files `value` (the guest's files of the task), as the guest.
async fn save(p: &GuestPost, field_id: &str, value: Value) -> Result<(), Error> {
    let base = public_base(&p.state, &p.headers);
    let data = Map::from_iter([(field_id.to_string(), value)]);
    p.write_taskdata(&data, Files::Guest(&base)).await
}

/// `POST /guest/{code}/tasks/{task_id}/files/{field_id}`: a `multipart/form-data` body whose
/// first part is `_csrf` and whose `file` part is streamed to storage.
pub async fn upload(
    State(state): State<AppState>,
    Path((code, task_id, field_id)): Path<(String, String, String)>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let mut form = UploadForm::read(&parts.headers, body).await;
    let csrf = form.csrf.take();
    let checked = GuestPost::check(state, parts.headers, code, &task_id, Vec::new(), csrf.as_deref()).await;
    let p = match checked {
        Ok(p) => p.may(TaskWrite::Update, |f, g| f.guest_may_edit(g)).await,
        Err(r) => Err(r),
    };
    let p = match p {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some((capture, mut files)) = file_field(&p, &field_id) else {
        return no_field();
    };
    let Some(file) = form.file().await else {
        return beside(&p, &capture.id, StatusCode::UNPROCESSABLE_ENTITY, NO_FILE.into()).await;
    };
    let sent_name = file.file_name().map(str::to_string);
    let stored = match p.state.storage.put(file, p.state.config.storage.max_upload_bytes).await {
        Ok(stored) => stored,
        Err(StorageError::TooLarge(limit)) => {
            return beside(&p, &capture.id, StatusCode::PAYLOAD_TOO_LARGE, too_large_message(limit)).await;
        }
        Err(StorageError::Body(_)) => {
            return beside(
                &p,
                &capture.id,
                StatusCode::BAD_REQUEST,
                "The upload broke off. Try again.".into(),
            )
            .await;
        }
        Err(StorageError::Io(e)) => {
            tracing::error!(error = %e, "storing a guest's upload");
            return p
                .refused(Error::Internal(format!("storing an upload: {e}")), Problems::default())
                .await;
        }
    };
    let name = match file_name(&p.state.config.storage.extensions, sent_name.as_deref(), stored.size) {
        Ok(name) => name,
        Err(message) => {
            release_stored(&p.state, stored).await;
            return beside(&p, &capture.id, StatusCode::UNPROCESSABLE_ENTITY, message).await;
        }
    };
    let row = AssetRow {
        id: ids::new_id32(),
        org_id: p.g.org_id.clone(),
        subject_type: "Task".into(),
        subject_id: p.t.row.id.clone(),
        mime_type: mime_guess::from_path(&name).first_or_octet_stream().to_string(),
        filename: name,
        size: stored.size as i64,
        sha256: stored.sha256.clone(),
        uploaded_from: capture.id.clone(),
        step_id: None,
        checklist_id: None,
        source: "local".into(),
        system: None,
        uploaded_by: 0,
        uploaded_at: p.state.clock.now(),
        uploaded_by_guest_id: Some(p.g.id),
    };
    // The key's lock goes only once the row is in (or failed to go in).
    if let Err(e) = p.as_guest(p.state.store.create_asset(&row)).await {
        release_stored(&p.state, stored).await;
        return p.refused(e.into(), Problems::default()).await;
    }
    drop(stored);
    files.push(json!({"id": row.id}));
    if let Err(e) = save(&p, &capture.id, Value::Array(files)).await {
        // The field refused it: the upload goes too.
        if let Ok(Some(gone)) = p.as_guest(p.state.store.delete_asset(&row.org_id, &row.id)).await {
            release(&p.state, vec![gone.sha256]).await;
        }
        return p.refused(e, Problems::default()).await;
    }
    p.back("uploaded")
}

/// `POST /guest/{code}/tasks/{task_id}/files/{field_id}/remove`: takes file `index` out of the
/// field.
pub async fn remove(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((code, task_id, field_id)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let opened = GuestPost::open_for(state, headers, code, &task_id, &body, TaskWrite::Update, |f, g| {
        f.guest_may_edit(g)
    });
    let p = match opened.await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some((capture, files)) = file_field(&p, &field_id) else {
        return no_field();
    };
    let Some(value) = without(files, value_of(&p.pairs, "index").as_deref()) else {
        return p.back("removed");
    };
    match save(&p, &capture.id, value).await {
        Ok(()) => p.back("removed"),
        Err(e) => p.refused(e, Problems::default()).await,
    }
}

/// `GET /guest/{code}/tasks/{task_id}/files/{asset_id}`: a file the task's `file` fields
/// name, as an attachment; any other is the page's 404.
pub async fn download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((code, task_id, asset_id)): Path<(String, String, String)>,
) -> Response {
    let t = match open(&state, &code, &task_id).await {
        Ok((_, t)) => t,
        Err(r) => return r,
    };
    let none = || error(StatusCode::NOT_FOUND, "This file is not on your task.", None);
    let unreadable = || {
        error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The file could not be read. Try again later.",
            None,
        )
    };
    if !named_by_task(&t).contains(&asset_id) {
        return none();
    }
    let asset = match state.store.asset(&t.row.org_id, &asset_id).await {
        Ok(Some(a)) => a,
        Ok(None) => return none(),
        Err(e) => {
            tracing::error!(error = %e, "reading a guest's file");
            return unreadable();
        }
    };
    match send_file(&state, &asset, &headers, true).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = ?e, "sending a guest's file");
            unreadable()
        }
    }
}
