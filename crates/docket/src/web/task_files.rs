//! File fields on the task pages, a member's and a guest's: each field has its own upload form
//! (`multipart/form-data`, which cannot nest in the fields form) and a remove button per file;
//! the files download through the page ([`FileForms`] says where each form posts). The token
//! is the upload form's first part, so nothing is read further, let alone stored, for a form
//! without it ([`UploadForm`]).
//!
//! On a member's page all of it is the API's: the upload is streamed in-process to
//! `POST …/assets` (the API's checks: extension, size, the member's right to the task), then
//! the field's value gets the new asset through `PUT …/tasks/{id}` (the API's field-value
//! rules); a download is `GET …/file/{id}/dl` as the member, so a file they may not see is the
//! API's 404. A guest's page stores the file itself with the same checks (`web/guest/files.rs`).

use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::Response;
use docket_domain::ids;
use futures_util::{StreamExt, stream};
use maud::{Markup, html};
use serde_json::{Value, json};

use crate::state::AppState;
use crate::web::client::{Answer, Api, seg};
use crate::web::fields::{Problems, file_entries, file_links};
use crate::web::layout::error;
use crate::web::pages::OrgPage;
use crate::web::task_page::{back, open_post, page_again};
use crate::web::value_of;

/// The largest text part (`_csrf`) of an upload form.
const TEXT_PART_MAX: u64 = 4096;

/// Where a task page's file forms post and its files download.
pub struct FileForms<'a> {
    /// The task page's path: an upload posts to `{base}/files/{field id}`, a removal to
    /// `{base}/files/{field id}/remove`.
    pub base: &'a str,
    /// The page's CSRF token.
    pub csrf: &'a str,
    /// Files download from `{downloads}/{asset id}`.
    pub downloads: &'a str,
    /// Files are listed only: the task takes no changes (completed, or not the guest's to edit).
    pub read_only: bool,
}

/// A file field's section: its files with download links and remove buttons, and the upload
/// form with the API's message beside it.
pub fn section(forms: &FileForms, f: &Value, problems: &Problems) -> Markup {
    let FileForms {
        base,
        csrf,
        downloads,
        read_only,
    } = *forms;
    let id = f["id"].as_str().unwrap_or("");
    let dom = format!("f-{id}");
    let err_id = format!("f-{id}-error");
    let problem = problems.fields.get(id);
    let required = f["required"].as_bool() == Some(true);
    let files = file_entries(&f["value"]);
    html! {
        div.card.field.(if problem.is_some() { "field-invalid" } else { "" }) {
            h3 { (f["label"].as_str().unwrap_or("")) @if required { " *" } }
            @if read_only || files.is_empty() {
                (file_links(&f["value"], Some(downloads)))
            } @else {
                ul.files { @for (i, (asset, name)) in files.iter().enumerate() {
                    li {
                        @match asset {
                            Some(a) => a href={ (downloads) "/" (seg(a)) } download hx-boost="false" { (name) },
                            None => span { (name) },
                        }
                        " "
                        form.inline method="post" action={ (base) "/files/" (seg(id)) "/remove" } {
                            input type="hidden" name="_csrf" value=(csrf);
                            input type="hidden" name="index" value=(i);
                            button.link type="submit" aria-label={ "Remove " (name) } { "Remove" }
                        }
                    }
                } }
            }
            @if let Some(g) = f["guidance"].as_str().filter(|g| !g.is_empty()) { p.hint { (g) } }
            @if !read_only {
                form method="post" action={ (base) "/files/" (seg(id)) } enctype="multipart/form-data" hx-boost="false" {
                    input type="hidden" name="_csrf" value=(csrf);
                    label for=(dom) { "Add a file" }
                    input #(dom) type="file" name="file" required
                        aria-invalid=[problem.map(|_| "true")] aria-describedby=[problem.map(|_| err_id.as_str())];
                    button.secondary type="submit" { "Upload" }
                }
            }
            @if let Some(m) = problem { p.error #(err_id) { (m) } }
        }
    }
}

/// An upload form's body as it arrives: the token (its first part) read, the rest streamed.
pub struct UploadForm {
    /// The `_csrf` part, when the body is `multipart/form-data` and starts with it.
    pub csrf: Option<String>,
    form: Option<multer::Multipart<'static>>,
}

impl UploadForm {
    /// Reads the first part of `body` (the token; browsers send parts in the form's order).
    /// Only the `file` part is unbounded (storage counts it against the upload limit).
    pub async fn read(headers: &HeaderMap, body: Body) -> UploadForm {
        let boundary = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| multer::parse_boundary(v).ok());
        let Some(boundary) = boundary else {
            return UploadForm { csrf: None, form: None };
        };
        let constraints = multer::Constraints::new().size_limit(
            multer::SizeLimit::new()
                .per_field(TEXT_PART_MAX)
                .for_field("file", u64::MAX),
        );
        let mut form = multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
        let csrf = match form.next_field().await {
            Ok(Some(f)) if f.name() == Some("_csrf") => f.text().await.ok(),
            _ => None,
        };
        UploadForm { csrf, form: Some(form) }
    }

    /// The `file` part, when one with a file name follows.
    pub async fn file(&mut self) -> Option<multer::Field<'static>> {
        let form = self.form.as_mut()?;
        let file = loop {
            match form.next_field().await {
                Ok(Some(f)) if f.name() == Some("file") => break Some(f),
                Ok(Some(_)) => continue,
                _ => break None,
            }
        };
        file.filter(|f| f.file_name().is_some_and(|n| !n.is_empty()))
    }
}

/// The value of a file field whose files are `current` once file `index` of the remove form is
/// taken out (`Null` when none is left); `None` when `index` names no file.
pub fn without(mut current: Vec<Value>, index: Option<&str>) -> Option<Value> {
    match index.and_then(|i| i.parse::<usize>().ok()) {
        Some(i) if i < current.len() => {
            current.remove(i);
        }
        _ => return None,
    }
    Some(if current.is_empty() {
        Value::Null
    } else {
        Value::Array(current)
    })
}

/// The message of an upload without a file.
pub const NO_FILE: &str = "Choose a file first.";
/// The page's sentence over a refused upload.
pub const NOT_ADDED: &str = "The file was not added.";

/// A file name as a multipart header may carry it (quotes and line breaks replaced).
fn header_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if matches!(c, '"' | '\\' | '\r' | '\n') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// The field `field_id` of the task (the API's shape) and its current files.
fn file_field<'a>(task: &'a Value, field_id: &str) -> Option<&'a Value> {
    task["form_fields"]["data"]
        .as_array()?
        .iter()
        .find(|f| f["id"].as_str() == Some(field_id) && f["field_type"].as_str() == Some("file"))
}

/// The page again with `message` beside the file field.
async fn beside(
    p: &OrgPage,
    task_id: &str,
    field_id: &str,
    status: StatusCode,
    message: String,
    top: String,
) -> Response {
    let mut problems = Problems {
        message: Some(top),
        ..Problems::default()
    };
    problems.fields.insert(field_id.to_string(), message);
    page_again(p, task_id, status, &problems).await
}

/// The first message of an API refusal (the field's, else the envelope's).
fn first_message(a: &Answer) -> String {
    a.field_errors()
        .into_iter()
        .next()
        .map_or_else(|| a.message(), |(_, m)| m)
}

/// `POST /app/{org}/tasks/{task_id}/files/{field_id}`: a `multipart/form-data` body whose first
/// part is `_csrf` and whose `file` part is streamed on to the API's upload.
pub async fn upload(
    State(state): State<AppState>,
    Extension(api): Extension<Api>,
    Path((org, task_id, field_id)): Path<(String, String, String)>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let p = match OrgPage::open(&state, api, parts.headers.clone(), &org, &parts.uri).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut form = UploadForm::read(&parts.headers, body).await;
    if !p.member.csrf_ok(form.csrf.as_deref()) {
        return error(
            StatusCode::FORBIDDEN,
            "The form had expired. Reload the page and try again.",
            Some(&p.nav),
        );
    }
    let task = crate::web::task_page::load(&p, &task_id).await;
    if !task.ok() {
        return p.refused(&task);
    }
    let Some(def) = file_field(task.data(), &field_id) else {
        return error(StatusCode::NOT_FOUND, "No such file field on this task.", Some(&p.nav));
    };
    let mut current = def["value"].as_array().cloned().unwrap_or_default();
    let Some(file) = form.file().await else {
        return beside(
            &p,
            &task_id,
            &field_id,
            StatusCode::UNPROCESSABLE_ENTITY,
            NO_FILE.into(),
            NOT_ADDED.into(),
        )
        .await;
    };
    let filename = header_safe(file.file_name().unwrap_or("file"));
    let b = format!("docket{}", ids::new_token());
    let mut head = String::new();
    for (k, v) in [
        ("subject_type", "Task"),
        ("subject_id", task_id.as_str()),
        ("uploaded_from", field_id.as_str()),
    ] {
        head.push_str(&format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    head.push_str(&format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"name\"; filename=\"{filename}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    ));
    let tail = format!("\r\n--{b}--\r\n");
    let stream = stream::once(async move { Ok::<Bytes, multer::Error>(Bytes::from(head)) })
        .chain(file)
        .chain(stream::once(async move { Ok(Bytes::from(tail)) }));
    let response = p
        .api
        .raw(
            &p.member.who(),
            Method::POST,
            &p.api_path("/assets"),
            Some(format!("multipart/form-data; boundary={b}")),
            Body::from_stream(stream),
            &p.headers,
        )
        .await;
    let stored = Answer::read(response).await;
    if !stored.ok() {
        let msg = first_message(&stored);
        return beside(&p, &task_id, &field_id, stored.status, msg, stored.message()).await;
    }
    let asset = stored.data();
    let asset_id = asset["id"].as_str().unwrap_or("").to_string();
    current.push(json!({
        "id": asset_id,
        "filename": asset["filename"],
        "url": asset["url"],
    }));
    let saved = save(&p, &task_id, &field_id, Value::Array(current)).await;
    if !saved.ok() {
        // The field refused it: the upload goes too, so no file is left that nothing names.
        let path = p.api_path(&format!("/assets/{}", seg(&asset_id)));
        let _ = p
            .api
            .call(&p.member.who(), Method::DELETE, &path, None, &p.headers)
            .await;
        let msg = first_message(&saved);
        return beside(&p, &task_id, &field_id, saved.status, msg, saved.message()).await;
    }
    back(&org, &task_id, "uploaded")
}

async fn save(p: &OrgPage, task_id: &str, field_id: &str, value: Value) -> Answer {
    let mut data = serde_json::Map::new();
    data.insert(field_id.to_string(), value);
    p.send(
        Method::PUT,
        &p.api_path(&format!("/tasks/{}", seg(task_id))),
        &json!({"taskdata": data}),
    )
    .await
}

/// `POST /app/{org}/tasks/{task_id}/files/{field_id}/remove`: takes file `index` out of the
/// field (the stored file stays; it may be named elsewhere).
pub async fn remove(
    State(state): State<AppState>,
    Extension(api): Extension<Api>,
    headers: HeaderMap,
    uri: Uri,
    Path((org, task_id, field_id)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let (p, pairs) = match open_post(&state, api, headers, &uri, &org, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let task = crate::web::task_page::load(&p, &task_id).await;
    if !task.ok() {
        return p.refused(&task);
    }
    let Some(def) = file_field(task.data(), &field_id) else {
        return error(StatusCode::NOT_FOUND, "No such file field on this task.", Some(&p.nav));
    };
    let current = def["value"].as_array().cloned().unwrap_or_default();
    let Some(value) = without(current, value_of(&pairs, "index").as_deref()) else {
        return back(&org, &task_id, "removed");
    };
    let saved = save(&p, &task_id, &field_id, value).await;
    if !saved.ok() {
        let msg = first_message(&saved);
        return beside(&p, &task_id, &field_id, saved.status, msg, saved.message()).await;
    }
    back(&org, &task_id, "removed")
}

/// `GET /app/{org}/files/{asset_id}`: the file's bytes as the API sends them to the member
/// (`GET …/file/{id}/dl`: an attachment, its name in `Content-Disposition`).
pub async fn download(
    State(state): State<AppState>,
    Extension(api): Extension<Api>,
    headers: HeaderMap,
    uri: Uri,
    Path((org, asset_id)): Path<(String, String)>,
) -> Response {
    let p = match OrgPage::open(&state, api, headers, &org, &uri).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let path = p.api_path(&format!("/file/{}/dl", seg(&asset_id)));
    let response = p
        .api
        .raw(&p.member.who(), Method::GET, &path, None, Body::empty(), &p.headers)
        .await;
    if response.status().is_success() {
        return response;
    }
    let a = Answer::read(response).await;
    p.refused(&a)
}
