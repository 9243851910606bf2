//! Folders (F1–F7): the folder tree of an organization, runs and tasks filed in it, and the
//! Folder and FolderObject JSON shapes (also used by the `folders` includes of runs and tasks
//! and by search results).

use std::collections::HashMap;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use docket_domain::folder::{self, FolderType};
use docket_domain::input::{Patch, Reader, parse_bool};
use docket_domain::time::format_ts;
use docket_domain::{Actor, ValidationErrors, ids};
use docket_store::model::{
    FiledFolder, FolderEdit, FolderObjectRow, FolderQuery, FolderRefusal, FolderRow, FolderSortColumn, NewFolder,
};
use docket_store::query::{Sort, Window, like_pattern};
use serde::Serialize;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Body, Ctx, Query};
use crate::http::params::{page_request, user_id_segment};
use crate::state::AppState;

const FOLDER_INVALID: &str = "The selected folder id is invalid.";
const SUBJECT_INVALID: &str = "The selected subject id is invalid.";

/// The routes of this module, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_folders, create_folder))
        .routes(routes!(get_folder, update_folder, delete_folder))
        .routes(routes!(add_object))
        .routes(routes!(remove_object))
}

/// The Folder shape.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Folder)]
pub struct FolderJson {
    id: String,
    name: String,
    parent_id: Option<String>,
    folder_type: String,
    position: i64,
    /// Templates filed in it plus runs and tasks filed in it (directly).
    total: i64,
    created_at: String,
    last_updated: String,
    /// Only with `with=children`: `{"data": [Folder…]}`, recursively, by position.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    children: Option<Value>,
}

impl FolderJson {
    /// The shape of a stored folder, without children.
    pub fn new(f: &FolderRow) -> Self {
        FolderJson {
            id: f.id.clone(),
            name: f.name.clone(),
            parent_id: f.parent_id.clone(),
            folder_type: f.folder_type.clone(),
            position: f.position,
            total: f.total,
            created_at: format_ts(f.created_at),
            last_updated: format_ts(f.last_updated),
            children: None,
        }
    }
}

/// The FolderObject shape.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = FolderObject)]
pub struct FolderObjectJson {
    id: i64,
    folder_id: String,
    subject_id: String,
    subject_type: String,
    created_at: String,
}

impl FolderObjectJson {
    fn new(o: &FolderObjectRow) -> Self {
        FolderObjectJson {
            id: o.id,
            folder_id: o.folder_id.clone(),
            subject_id: o.subject_id.clone(),
            subject_type: o.subject_type.clone(),
            created_at: format_ts(o.created_at),
        }
    }
}

/// The folders each of `ids` (runs or tasks, `subject_type` `Run` or `Task`) is filed in
/// directly, by subject id.
pub async fn filed(
    ctx: &Ctx,
    org: &str,
    subject_type: &str,
    ids: &[String],
) -> Result<HashMap<String, Vec<FolderJson>>> {
    let rows: Vec<FiledFolder> = ctx.state.store.folders_of(org, subject_type, ids).await?;
    let mut out: HashMap<String, Vec<FolderJson>> = HashMap::new();
    for r in rows {
        out.entry(r.subject_id).or_default().push(FolderJson::new(&r.folder));
    }
    Ok(out)
}

/// `folders`, nesting every folder of the organization below each when `children` is asked for.
async fn render(ctx: &Ctx, org: &str, folders: &[FolderRow], children: bool) -> Result<Vec<FolderJson>> {
    let mut out: Vec<FolderJson> = folders.iter().map(FolderJson::new).collect();
    if children {
        let all = ctx.state.store.all_folders(org).await?;
        let mut below: HashMap<&str, Vec<&FolderRow>> = HashMap::new();
        for f in &all {
            if let Some(p) = &f.parent_id {
                below.entry(p.as_str()).or_default().push(f);
            }
        }
        for json in &mut out {
            json.children = Some(nest(&below, &json.id, 0));
        }
    }
    Ok(out)
}

/// `{"data": [Folder…]}` of the folders below `id`, each with its own children.
fn nest(below: &HashMap<&str, Vec<&FolderRow>>, id: &str, depth: usize) -> Value {
    let items: Vec<FolderJson> = below
        .get(id)
        .filter(|_| depth < 1000)
        .map(|kids| {
            kids.iter()
                .map(|k| {
                    let mut j = FolderJson::new(k);
                    j.children = Some(nest(below, &k.id, depth + 1));
                    j
                })
                .collect()
        })
        .unwrap_or_default();
    envelope::include_many(items)
}

/// One folder as an item response with `status`.
async fn respond(ctx: &Ctx, org: &str, f: &FolderRow, query: &Query, status: StatusCode) -> Result<Response> {
    let mut items = render(ctx, org, std::slice::from_ref(f), query.with("children")).await?;
    Ok(envelope::item(status, items.pop()))
}

/// The folder addressed by the path, or 404.
async fn path_folder(ctx: &Ctx, org: &str, id: &str) -> Result<FolderRow> {
    ctx.state.store.folder(org, id).await?.ok_or(Error::NotFound)
}

fn require_writer(me: &Actor) -> Result<()> {
    if folder::can_write(me.role) {
        Ok(())
    } else {
        Err(Error::no_permission())
    }
}

/// The folder list's `sort`.
fn folder_sort(query: &Query, errors: &mut ValidationErrors) -> Sort<FolderSortColumn> {
    let raw = query.get_any(&["sort", "sort_by"]).map(str::trim).unwrap_or("");
    let (desc, name) = match raw.strip_prefix('-') {
        Some(n) => (true, n),
        None => (false, raw),
    };
    let column = match name {
        "" | "position" => FolderSortColumn::Position,
        "name" => FolderSortColumn::Name,
        "created_at" => FolderSortColumn::CreatedAt,
        _ => {
            errors.add("sort", "The selected sort is invalid.");
            FolderSortColumn::Position
        }
    };
    Sort { column, desc }
}

/// A refused folder write as its 404 or 422.
fn refused(r: FolderRefusal) -> Error {
    match r {
        FolderRefusal::Missing => Error::NotFound,
        FolderRefusal::ParentInvalid => Error::invalid("parent_id", folder::PARENT_INVALID),
        FolderRefusal::IntoItself => Error::invalid("parent_id", folder::MOVE_INTO_ITSELF),
    }
}

/// Lists folders: the top level, the children of `parent_id`, or (with `q`) matches at every depth.
#[utoipa::path(
    get,
    path = "/organizations/{org}/folders",
    operation_id = "list_folders",
    tag = "folders",
    params(("org" = String, Path, description = "Organization id"), crate::http::openapi::params::FolderListParams, crate::http::openapi::params::WithParams, crate::http::openapi::params::PageParams),
    responses((status = 200, description = "Folders", body = crate::http::openapi::Page<FolderJson>))
)]
async fn list_folders(ctx: Ctx, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let mut errors = ValidationErrors::new();
    let mut page = match page_request(&query, 10) {
        Ok(p) => Some(p),
        Err(Error::Invalid(e)) => {
            errors.extend(e);
            None
        }
        Err(e) => return Err(e),
    };
    match query.get("pagination").map(parse_bool) {
        None | Some(Some(true)) => {}
        Some(Some(false)) => {
            if let Some(p) = page.as_mut() {
                p.all = true;
            }
        }
        Some(None) => errors.add("pagination", "The pagination field must be true or false."),
    }
    let sort = folder_sort(&query, &mut errors);
    let folder_type = match query.text("folder_type") {
        None => None,
        Some(t) => match FolderType::parse(&t) {
            Some(t) => Some(t.as_str().to_string()),
            None => {
                errors.add("folder_type", folder::TYPE_INVALID);
                None
            }
        },
    };
    let Some(page) = page.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let q = FolderQuery {
        q: query.text("q").map(|t| like_pattern(&t)),
        parent_id: query.text("parent_id"),
        folder_type,
        sort,
        window: Window {
            limit: page.limit(),
            offset: page.offset(),
        },
    };
    let (folders, total) = ctx.state.store.folders(&me.org_id, &q).await?;
    let items = render(&ctx, &me.org_id, &folders, query.with("children")).await?;
    Ok(envelope::list(&ctx, &page, total, items))
}

/// Creates a folder after its siblings.
#[utoipa::path(
    post,
    path = "/organizations/{org}/folders",
    operation_id = "create_folder",
    tag = "folders",
    params(("org" = String, Path, description = "Organization id"), crate::http::openapi::params::WithParams),
    request_body(content = crate::http::openapi::bodies::FolderInput, content_type = "application/json"),
    responses((status = 201, description = "The new folder", body = crate::http::openapi::Item<FolderJson>))
)]
async fn create_folder(ctx: Ctx, query: Query, Body(body): Body) -> Result<Response> {
    let me = ctx.member()?;
    require_writer(&me)?;
    let mut errors = ValidationErrors::new();
    let input = folder::read(&mut Reader::new(&body, &mut errors), false);
    let (Some(name), true) = (input.name, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let new = NewFolder {
        id: ids::new_id32(),
        org_id: me.org_id.clone(),
        parent_id: input.parent_id.set(),
        name,
        folder_type: input.folder_type.unwrap_or(FolderType::Checklist).as_str().to_string(),
        now: ctx.now,
    };
    let row = ctx.state.store.create_folder(&new).await?.map_err(refused)?;
    respond(&ctx, &me.org_id, &row, &query, StatusCode::CREATED).await
}

/// Reads a folder.
#[utoipa::path(
    get,
    path = "/organizations/{org}/folders/{folder_id}",
    operation_id = "get_folder",
    tag = "folders",
    params(("org" = String, Path, description = "Organization id"), ("folder_id" = String, Path, description = "Folder id"), crate::http::openapi::params::WithParams),
    responses((status = 200, description = "The folder", body = crate::http::openapi::Item<FolderJson>))
)]
async fn get_folder(ctx: Ctx, Path((_org, folder_id)): Path<(String, String)>, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let row = path_folder(&ctx, &me.org_id, &folder_id).await?;
    respond(&ctx, &me.org_id, &row, &query, StatusCode::OK).await
}

/// Renames, relabels, moves (`parent_id`, `null` for the top) and reorders (`position`) a folder.
#[utoipa::path(
    put,
    path = "/organizations/{org}/folders/{folder_id}",
    operation_id = "update_folder",
    tag = "folders",
    params(("org" = String, Path, description = "Organization id"), ("folder_id" = String, Path, description = "Folder id"), crate::http::openapi::params::WithParams),
    request_body(content = crate::http::openapi::bodies::FolderUpdateInput, content_type = "application/json"),
    responses((status = 200, description = "The folder", body = crate::http::openapi::Item<FolderJson>))
)]
async fn update_folder(
    ctx: Ctx,
    Path((_org, folder_id)): Path<(String, String)>,
    query: Query,
    Body(body): Body,
) -> Result<Response> {
    let me = ctx.member()?;
    let current = path_folder(&ctx, &me.org_id, &folder_id).await?;
    require_writer(&me)?;
    let mut errors = ValidationErrors::new();
    let input = folder::read(&mut Reader::new(&body, &mut errors), true);
    let (Some(name), true) = (input.name, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let edit = FolderEdit {
        name,
        parent: match input.parent_id {
            Patch::Set(p) => Some(Some(p)),
            Patch::Null => Some(None),
            Patch::Absent => None,
        },
        position: input.position,
        folder_type: input.folder_type.map(|t| t.as_str().to_string()),
        now: ctx.now,
    };
    let row = ctx
        .state
        .store
        .update_folder(&me.org_id, &current.id, &edit)
        .await?
        .map_err(refused)?;
    respond(&ctx, &me.org_id, &row, &query, StatusCode::OK).await
}

/// Deletes a folder, the folders below it and what is filed in them (templates filed there are
/// unfiled, not deleted).
#[utoipa::path(
    delete,
    path = "/organizations/{org}/folders/{folder_id}",
    operation_id = "delete_folder",
    tag = "folders",
    params(("org" = String, Path, description = "Organization id"), ("folder_id" = String, Path, description = "Folder id")),
    responses((status = 204, description = "Deleted"))
)]
async fn delete_folder(ctx: Ctx, Path((_org, folder_id)): Path<(String, String)>) -> Result<Response> {
    let me = ctx.member()?;
    let current = path_folder(&ctx, &me.org_id, &folder_id).await?;
    require_writer(&me)?;
    if !ctx.state.store.delete_folder(&me.org_id, &current.id).await? {
        return Err(Error::NotFound);
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Files a run or a task in a folder: 201 with a new folder object, 200 with the existing one.
#[utoipa::path(
    post,
    path = "/organizations/{org}/folders/add-object",
    operation_id = "add_folder_object",
    tag = "folders",
    params(("org" = String, Path, description = "Organization id")),
    request_body(content = crate::http::openapi::bodies::FolderObjectInput, content_type = "application/json"),
    responses(
        (status = 201, description = "Filed", body = crate::http::openapi::Item<FolderObjectJson>),
        (status = 200, description = "Already filed there", body = crate::http::openapi::Item<FolderObjectJson>)
    )
)]
async fn add_object(ctx: Ctx, Body(body): Body) -> Result<Response> {
    let me = ctx.member()?;
    require_writer(&me)?;
    let mut errors = ValidationErrors::new();
    let mut r = Reader::new(&body, &mut errors);
    let folder_id = r.required_text(&["folder_id"], 64);
    let subject_type = r.required_text(&["subject_type"], 32);
    let subject_id = r.required_text(&["subject_id"], 64);
    if let Some(id) = &folder_id
        && ctx.state.store.folder(&me.org_id, id).await?.is_none()
    {
        errors.add("folder_id", FOLDER_INVALID);
    }
    // Templates are filed through their own `folder_id`, not as folder objects.
    let kind = match subject_type.map(|t| t.to_ascii_lowercase()).as_deref() {
        Some("run") => Some("Run"),
        Some("task") => Some("Task"),
        Some(_) => {
            errors.add("subject_type", "The selected subject type is invalid.");
            None
        }
        None => None,
    };
    if let (Some(kind), Some(id)) = (kind, &subject_id)
        && !super::tag_links::subject_exists(&ctx, &me, kind, id).await?
    {
        errors.add("subject_id", SUBJECT_INVALID);
    }
    let (Some(folder_id), Some(kind), Some(subject_id), true) = (folder_id, kind, subject_id, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let (object, created) = ctx
        .state
        .store
        .add_folder_object(&me.org_id, &folder_id, kind, &subject_id, ctx.now)
        .await
        .map_err(|e| match e {
            // Removed between the checks above and the write.
            docket_store::StoreError::NotFound => Error::invalid("folder_id", FOLDER_INVALID),
            other => other.into(),
        })?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok(envelope::item(status, FolderObjectJson::new(&object)))
}

/// Unfiles a run or task (by the folder object's integer id).
#[utoipa::path(
    delete,
    path = "/organizations/{org}/folders-objects/{folder_object_id}",
    operation_id = "remove_folder_object",
    tag = "folders",
    params(("org" = String, Path, description = "Organization id"), ("folder_object_id" = i64, Path, description = "Folder object id")),
    responses((status = 204, description = "Removed"))
)]
async fn remove_object(ctx: Ctx, Path((_org, object_id)): Path<(String, String)>) -> Result<Response> {
    let me = ctx.member()?;
    let id = user_id_segment(&object_id)?;
    let object = ctx
        .state
        .store
        .folder_object(&me.org_id, id)
        .await?
        .ok_or(Error::NotFound)?;
    if object.subject_type == "Task" && !super::tag_links::subject_exists(&ctx, &me, "Task", &object.subject_id).await?
    {
        return Err(Error::NotFound);
    }
    require_writer(&me)?;
    if !ctx.state.store.remove_folder_object(&me.org_id, id).await? {
        return Err(Error::NotFound);
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
