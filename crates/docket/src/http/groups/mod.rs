//! Groups (GR1–GR5): the routes, and groups rendered with their `with=users` include. The shape
//! itself is in `json`.

pub mod json;

use std::collections::HashMap;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use docket_domain::input::{Patch, Reader};
use docket_domain::{Actor, ValidationErrors, email};
use docket_store::StoreError;
use docket_store::model::{Group, GroupPatch, NewGroup};
use docket_store::query::{GroupQuery, GroupSortColumn, Sort, Window, like_pattern};
use serde_json::{Map, Value};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Body, Ctx, Query};
use crate::http::groups::json::GroupJson;
use crate::http::params::page_request;
use crate::http::users::render_members;
use crate::service::members::{self, entries};
use crate::state::AppState;

/// Longest group name, in characters.
const NAME_MAX: usize = 200;
/// Longest description, in characters.
const DESCRIPTION_MAX: usize = 10_000;
const NAME_TAKEN: &str = "The name has already been taken.";

/// The routes of this module, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_groups, create_group))
        .routes(routes!(get_group, update_group, delete_group))
}

/// Renders groups with the `with=users` include when `query` asks for it.
async fn render(ctx: &Ctx, org: &str, groups: &[Group], query: &Query) -> Result<Vec<GroupJson>> {
    let mut items: Vec<GroupJson> = groups.iter().map(GroupJson::new).collect();
    if query.with("users") {
        let mut ids: Vec<i64> = groups.iter().flat_map(|g| g.members.iter().copied()).collect();
        ids.sort_unstable();
        ids.dedup();
        let members = ctx.state.store.members_by_ids(org, &ids).await?;
        // Users inside a group are rendered without includes of their own.
        let rendered = render_members(ctx, org, &members, &Query::default()).await?;
        let mut by_id: HashMap<i64, Value> = HashMap::new();
        for (m, json) in members.iter().zip(rendered) {
            by_id.insert(
                m.id,
                serde_json::to_value(json).map_err(|e| Error::Internal(e.to_string()))?,
            );
        }
        for (item, g) in items.iter_mut().zip(groups) {
            let users: Vec<Value> = g.members.iter().filter_map(|id| by_id.get(id).cloned()).collect();
            item.users = Some(envelope::include_many(users));
        }
    }
    Ok(items)
}

/// Reads `sort_by` (the field) and `sort` (the direction; `-field` is `desc` of that field, and
/// a bare field name is accepted as `asc` of it).
fn group_sort(query: &Query) -> Result<Sort<GroupSortColumn>> {
    let column_of = |name: &str| match name {
        "name" => Some(GroupSortColumn::Name),
        "created_at" => Some(GroupSortColumn::CreatedAt),
        "updated_at" => Some(GroupSortColumn::UpdatedAt),
        _ => None,
    };
    let mut errors = ValidationErrors::new();
    let mut column = match query.text("sort_by") {
        None => GroupSortColumn::CreatedAt,
        Some(name) => column_of(&name).unwrap_or_else(|| {
            errors.add("sort_by", "The selected sort by is invalid.");
            GroupSortColumn::CreatedAt
        }),
    };
    let mut desc = false;
    if let Some(raw) = query.text("sort") {
        match raw.to_ascii_lowercase().as_str() {
            "asc" => {}
            "desc" => desc = true,
            other => match other
                .strip_prefix('-')
                .map_or((false, column_of(other)), |f| (true, column_of(f)))
            {
                (d, Some(c)) => {
                    column = c;
                    desc = d;
                }
                (_, None) => errors.add("sort", "The selected sort is invalid."),
            },
        }
    }
    errors.into_result(Sort { column, desc }).map_err(Error::Invalid)
}

/// Lists the organization's groups.
#[utoipa::path(
    get,
    path = "/organizations/{org}/groups",
    operation_id = "list_groups",
    tag = "groups",
    params(("org" = String, Path, description = "Organization id"), crate::http::openapi::params::GroupListParams, crate::http::openapi::params::WithParams, crate::http::openapi::params::PageParams),
    responses((status = 200, description = "Groups", body = crate::http::openapi::Page<GroupJson>))
)]
async fn list_groups(ctx: Ctx, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let page = page_request(&query, 10)?;
    let q = GroupQuery {
        q: query.text("q").map(|t| like_pattern(&t)),
        sort: group_sort(&query)?,
        window: Window {
            limit: page.limit(),
            offset: page.offset(),
        },
    };
    let (groups, total) = ctx.state.store.groups(&me.org_id, &q).await?;
    let items = render(&ctx, &me.org_id, &groups, &query).await?;
    Ok(envelope::list(&ctx, &page, total, items))
}

/// The group addressed by the path, or 404.
async fn path_group(ctx: &Ctx, org: &str, id: &str) -> Result<Group> {
    ctx.state.store.group(org, id).await?.ok_or(Error::NotFound)
}

async fn group_response(ctx: &Ctx, org: &str, group: &Group, query: &Query, status: StatusCode) -> Result<Response> {
    let mut items = render(ctx, org, std::slice::from_ref(group), query).await?;
    Ok(envelope::item(status, items.pop()))
}

/// Reads a group.
#[utoipa::path(
    get,
    path = "/organizations/{org}/groups/{group_id}",
    operation_id = "get_group",
    tag = "groups",
    params(("org" = String, Path, description = "Organization id"), ("group_id" = String, Path, description = "Group id"), crate::http::openapi::params::WithParams),
    responses((status = 200, description = "The group", body = crate::http::openapi::Item<GroupJson>))
)]
async fn get_group(ctx: Ctx, Path((_org, id)): Path<(String, String)>, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let group = path_group(&ctx, &me.org_id, &id).await?;
    group_response(&ctx, &me.org_id, &group, &query, StatusCode::OK).await
}

/// 403 unless the caller may manage groups in their organization.
async fn check_may_manage(ctx: &Ctx, me: &Actor) -> Result<()> {
    let org = ctx.state.store.organization(&me.org_id).await?.ok_or(Error::NotFound)?;
    if me.can_manage_groups(org.allow_manage_groups) {
        Ok(())
    } else {
        Err(Error::no_permission())
    }
}

/// Reads `members`: member ids of the organization, duplicates dropped, a 422 per bad entry.
async fn read_members(ctx: &Ctx, org: &str, v: &Value, errors: &mut ValidationErrors) -> Result<Vec<i64>> {
    members::resolve_ids(&ctx.state, org, "members", &entries(v), errors).await
}

/// Reads `guests`: email addresses, lower-cased, duplicates dropped; a 422 per entry that is not
/// an address or that is the address of a member of the organization.
async fn read_guests(ctx: &Ctx, org: &str, v: &Value, errors: &mut ValidationErrors) -> Result<Vec<String>> {
    let mut emails: Vec<String> = Vec::new();
    for (i, entry) in entries(v).iter().enumerate() {
        let key = format!("guests.{i}");
        let Some(addr) = entry.as_str().map(email::normalize).filter(|e| email::is_valid(e)) else {
            errors.add(&key, format!("The {key} must be a valid email address."));
            continue;
        };
        if ctx
            .state
            .store
            .find_member(org, &addr)
            .await?
            .is_some_and(|m| m.email == addr)
        {
            errors.add(
                &key,
                format!("The {key} belongs to a member; add members through members."),
            );
        } else if !emails.contains(&addr) {
            emails.push(addr);
        }
    }
    Ok(emails)
}

/// The fields of a group body, validated.
struct GroupInput {
    name: Option<String>,
    description: Patch<String>,
    members: Option<Vec<i64>>,
    guests: Option<Vec<String>>,
}

/// Reads a group create or update body. `name` is required on create, and on update whenever present; on
/// update a present `description` must be a string. `except` is the group being updated.
async fn read_group(
    ctx: &Ctx,
    org: &str,
    body: &Map<String, Value>,
    except: Option<&str>,
    errors: &mut ValidationErrors,
) -> Result<GroupInput> {
    let mut r = Reader::new(body, errors);
    let name = if except.is_none() || r.has(&["name"]) {
        r.required_text(&["name"], NAME_MAX)
    } else {
        None
    };
    let description = r.text(&["description"], DESCRIPTION_MAX);
    if except.is_some() && description == Patch::Null {
        r.fail("description", "The description field is required.");
    }
    let members_value = r.value(&["members"]);
    let guests_value = r.value(&["guests"]);
    let members = match members_value {
        Some(v) => Some(read_members(ctx, org, v, errors).await?),
        None => None,
    };
    let guests = match guests_value {
        Some(v) => Some(read_guests(ctx, org, v, errors).await?),
        None => None,
    };
    if let Some(n) = &name
        && ctx.state.store.group_name_taken(org, n, except).await?
    {
        errors.add("name", NAME_TAKEN);
    }
    Ok(GroupInput {
        name,
        description,
        members,
        guests,
    })
}

/// Creates a group with its members and guests.
///
/// Unknown guest emails become guests of the organization.
#[utoipa::path(
    post,
    path = "/organizations/{org}/groups",
    operation_id = "create_group",
    tag = "groups",
    params(("org" = String, Path, description = "Organization id")),
    request_body(content = crate::http::openapi::bodies::GroupInput, content_type = "application/json"),
    responses((status = 201, description = "The new group", body = crate::http::openapi::Item<GroupJson>))
)]
async fn create_group(ctx: Ctx, Body(body): Body) -> Result<Response> {
    let me = ctx.member()?;
    check_may_manage(&ctx, &me).await?;
    let mut errors = ValidationErrors::new();
    let input = read_group(&ctx, &me.org_id, &body, None, &mut errors).await?;
    let Some(name) = input.name.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let new = NewGroup {
        name,
        description: input.description.set(),
        members: input.members.unwrap_or_default(),
        guests: input.guests.unwrap_or_default(),
        now: ctx.now,
    };
    let group = match ctx.state.store.create_group(&me.org_id, &new).await {
        Err(StoreError::Conflict(_)) => return Err(Error::invalid("name", NAME_TAKEN)),
        other => other?,
    };
    group_response(&ctx, &me.org_id, &group, &Query::default(), StatusCode::CREATED).await
}

/// Changes a group: only the fields sent; `members` and `guests` replace the lists.
#[utoipa::path(
    put,
    path = "/organizations/{org}/groups/{group_id}",
    operation_id = "update_group",
    tag = "groups",
    params(("org" = String, Path, description = "Organization id"), ("group_id" = String, Path, description = "Group id")),
    request_body(content = crate::http::openapi::bodies::GroupInput, content_type = "application/json"),
    responses((status = 200, description = "The group", body = crate::http::openapi::Item<GroupJson>))
)]
async fn update_group(ctx: Ctx, Path((_org, id)): Path<(String, String)>, Body(body): Body) -> Result<Response> {
    let me = ctx.member()?;
    let group = path_group(&ctx, &me.org_id, &id).await?;
    check_may_manage(&ctx, &me).await?;
    let mut errors = ValidationErrors::new();
    let input = read_group(&ctx, &me.org_id, &body, Some(&group.id), &mut errors).await?;
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let patch = GroupPatch {
        name: input.name,
        description: input.description.set(),
        members: input.members,
        guests: input.guests,
        now: ctx.now,
    };
    let group = match ctx.state.store.update_group(&me.org_id, &group.id, &patch).await {
        Err(StoreError::Conflict(_)) => return Err(Error::invalid("name", NAME_TAKEN)),
        other => other?,
    };
    group_response(&ctx, &me.org_id, &group, &Query::default(), StatusCode::OK).await
}

/// Deletes a group and takes it off every task; its members and guests stay.
#[utoipa::path(
    delete,
    path = "/organizations/{org}/groups/{group_id}",
    operation_id = "delete_group",
    tag = "groups",
    params(("org" = String, Path, description = "Organization id"), ("group_id" = String, Path, description = "Group id")),
    responses((status = 204, description = "Deleted"))
)]
async fn delete_group(ctx: Ctx, Path((_org, id)): Path<(String, String)>) -> Result<Response> {
    let me = ctx.member()?;
    let group = path_group(&ctx, &me.org_id, &id).await?;
    check_may_manage(&ctx, &me).await?;
    ctx.state.store.delete_group(&me.org_id, &group.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
