//! Members (U1–U8) and the User JSON shape (spec §2.12).

use std::collections::HashMap;

use axum::extract::Path;
use axum::response::Response;
use docket_domain::input::Reader;
use docket_domain::time::{format_opt, format_ts};
use docket_domain::{Actor, Role, ValidationErrors, email};
use docket_store::StoreError;
use docket_store::model::{Invite, Member, StatusChange};
use docket_store::query::{MemberQuery, MemberSortColumn, Sort, Window, like_pattern};
use serde::Serialize;
use serde_json::{Value, json};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Body, Ctx, Query};
use crate::http::groups::json::groups_of_members;
use crate::http::params::{page_request, user_id_segment};
use crate::state::AppState;

/// The routes of this module, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users))
        .routes(routes!(users_list))
        .routes(routes!(invite))
        .routes(routes!(get_user))
        .routes(routes!(change_role))
        .routes(routes!(disable))
        .routes(routes!(enable))
        .routes(routes!(approve))
}

/// The User shape.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = User)]
pub struct UserJson {
    id: i64,
    email: String,
    username: String,
    first_name: String,
    last_name: String,
    full_name: String,
    profile_pic: Option<String>,
    locale: Value,
    active: bool,
    is_suspended: bool,
    status: String,
    role: String,
    created_at: String,
    last_updated: String,
    last_login_at: Option<String>,
    activated_at: Option<String>,
    last_accessed_at: Option<String>,
    approved_at: Option<String>,
    invited_by: Option<i64>,
    disabled_at: Option<String>,
    disabled_by: Option<i64>,
    reactivated_at: Option<String>,
    reactivated_by: Option<i64>,
    support_user: bool,
    phone: Value,
    job_title: Value,
    job_description: Value,
    team: Value,
    timezone: Value,
    #[serde(rename = "UTC_offset")]
    utc_offset: Value,
    date_format: Value,
    last_known_ip: Value,
    last_known_country: Value,
    /// docket: how this member hears of their tasks by email: `instant`, `daily` (one digest a
    /// day) or `off` (docs/email.md). Set by the member with `PUT /organizations/{org}/me`.
    #[schema(example = "instant")]
    email_notifications: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    groups: Option<Value>,
}

impl UserJson {
    /// The shape of `m`; `org_timezone` is the default for `timezone`.
    pub fn new(m: &Member, org_timezone: &str) -> Self {
        let profile: serde_json::Map<String, Value> = serde_json::from_str(&m.profile).unwrap_or_default();
        let p = |k: &str| profile.get(k).cloned().unwrap_or(Value::Null);
        let timezone = profile.get("timezone").cloned().unwrap_or_else(|| json!(org_timezone));
        let utc_offset = profile.get("UTC_offset").cloned().unwrap_or_else(|| {
            if timezone.as_str() == Some("UTC") {
                json!("+00:00")
            } else {
                Value::Null
            }
        });
        UserJson {
            id: m.id,
            email: m.email.clone(),
            username: m.username.clone(),
            first_name: m.first_name.clone(),
            last_name: m.last_name.clone(),
            full_name: format!("{} {}", m.first_name, m.last_name).trim().to_string(),
            profile_pic: None,
            locale: p("locale"),
            active: m.status == "active",
            is_suspended: false,
            status: m.status.clone(),
            role: m.role.clone(),
            created_at: format_ts(m.created_at),
            last_updated: format_ts(m.updated_at),
            last_login_at: format_opt(m.last_login_at),
            activated_at: format_opt(m.activated_at),
            last_accessed_at: format_opt(m.last_accessed_at),
            approved_at: format_opt(m.approved_at),
            invited_by: m.invited_by,
            disabled_at: format_opt(m.disabled_at),
            disabled_by: m.disabled_by,
            reactivated_at: format_opt(m.reactivated_at),
            reactivated_by: m.reactivated_by,
            support_user: false,
            phone: p("phone"),
            job_title: p("job_title"),
            job_description: p("job_description"),
            team: p("team"),
            timezone,
            utc_offset,
            date_format: p("date_format"),
            last_known_ip: p("last_known_ip"),
            last_known_country: p("last_known_country"),
            email_notifications: docket_domain::notify::EmailPreference::stored(&m.email_notifications)
                .as_str()
                .to_string(),
            country: None,
            groups: None,
        }
    }

    /// Adds the `with=country` and `with=groups` includes.
    fn with_includes(mut self, query: &Query, groups: &mut HashMap<i64, Vec<Value>>) -> Self {
        if query.with("country") {
            self.country = Some(envelope::include_one::<Value>(None));
        }
        if query.with("groups") {
            self.groups = Some(envelope::include_many(groups.remove(&self.id).unwrap_or_default()));
        }
        self
    }
}

/// The minimal User of `users-list`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = UserListItem)]
struct UserListItem {
    id: i64,
    email: String,
    username: String,
    first_name: String,
    last_name: String,
    full_name: String,
    profile_pic: Option<String>,
    role: String,
    status: String,
}

async fn org_timezone(ctx: &Ctx, org: &str) -> Result<String> {
    Ok(ctx
        .state
        .store
        .organization(org)
        .await?
        .map(|o| o.timezone)
        .unwrap_or_else(|| "UTC".into()))
}

/// Renders members with the includes `query` asks for.
pub async fn render_members(ctx: &Ctx, org: &str, members: &[Member], query: &Query) -> Result<Vec<UserJson>> {
    let tz = org_timezone(ctx, org).await?;
    let mut groups = if query.with("groups") {
        let ids: Vec<i64> = members.iter().map(|m| m.id).collect();
        groups_of_members(ctx, org, &ids).await?
    } else {
        HashMap::new()
    };
    Ok(members
        .iter()
        .map(|m| UserJson::new(m, &tz).with_includes(query, &mut groups))
        .collect())
}

fn member_sort(query: &Query) -> Result<Sort<MemberSortColumn>> {
    let raw = query.get_any(&["sort", "sort_by"]).map(str::trim).unwrap_or("id");
    let (desc, name) = match raw.strip_prefix('-') {
        Some(n) => (true, n),
        None => (false, raw),
    };
    let column = match name {
        "" | "id" => MemberSortColumn::Id,
        "first_name" => MemberSortColumn::FirstName,
        "last_name" => MemberSortColumn::LastName,
        "email" => MemberSortColumn::Email,
        "created_at" => MemberSortColumn::CreatedAt,
        _ => return Err(Error::invalid("sort", "The selected sort is invalid.")),
    };
    Ok(Sort { column, desc })
}

/// Lists the organization's members in every status.
#[utoipa::path(
    get,
    path = "/organizations/{org}/users",
    operation_id = "list_users",
    tag = "users",
    params(("org" = String, Path, description = "Organization id"), crate::http::openapi::params::UserListParams, crate::http::openapi::params::WithParams, crate::http::openapi::params::PageParams),
    responses((status = 200, description = "Members in every status", body = crate::http::openapi::Page<UserJson>))
)]
async fn list_users(ctx: Ctx, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let page = page_request(&query, 1000)?;
    let q = MemberQuery {
        q: query.text("q").map(|t| like_pattern(&t)),
        sort: member_sort(&query)?,
        window: Window {
            limit: page.limit(),
            offset: page.offset(),
        },
    };
    let (members, total) = ctx.state.store.members(&me.org_id, &q).await?;
    let items = render_members(&ctx, &me.org_id, &members, &query).await?;
    Ok(envelope::list(&ctx, &page, total, items))
}

/// Every member in short form, without pagination.
#[utoipa::path(
    get,
    path = "/organizations/{org}/users-list",
    operation_id = "list_users_minimal",
    tag = "users",
    params(("org" = String, Path, description = "Organization id")),
    responses((status = 200, description = "Every member, minimal form", body = crate::http::openapi::Items<UserListItem>))
)]
async fn users_list(ctx: Ctx) -> Result<Response> {
    let me = ctx.member()?;
    let q = MemberQuery {
        q: None,
        sort: Sort {
            column: MemberSortColumn::Id,
            desc: false,
        },
        window: Window::ALL,
    };
    let (members, _) = ctx.state.store.members(&me.org_id, &q).await?;
    let items: Vec<UserListItem> = members
        .into_iter()
        .map(|m| UserListItem {
            full_name: format!("{} {}", m.first_name, m.last_name).trim().to_string(),
            id: m.id,
            email: m.email,
            username: m.username,
            first_name: m.first_name,
            last_name: m.last_name,
            profile_pic: None,
            role: m.role,
            status: m.status,
        })
        .collect();
    Ok(envelope::ok(items))
}

/// The member addressed by the path, or 404.
async fn path_member(ctx: &Ctx, org: &str, raw_id: &str) -> Result<Member> {
    let id = user_id_segment(raw_id)?;
    ctx.state.store.member(org, id).await?.ok_or(Error::NotFound)
}

/// Renders one member as an item response.
pub async fn member_response(ctx: &Ctx, org: &str, member: &Member, query: &Query) -> Result<Response> {
    let mut items = render_members(ctx, org, std::slice::from_ref(member), query).await?;
    Ok(envelope::ok(items.pop()))
}

/// Reads a member.
#[utoipa::path(
    get,
    path = "/organizations/{org}/users/{user_id}",
    operation_id = "get_user",
    tag = "users",
    params(("org" = String, Path, description = "Organization id"), ("user_id" = i64, Path, description = "Member id"), crate::http::openapi::params::WithParams),
    responses((status = 200, description = "The member", body = crate::http::openapi::Item<UserJson>))
)]
async fn get_user(ctx: Ctx, Path((_org, user_id)): Path<(String, String)>, query: Query) -> Result<Response> {
    let me = ctx.member()?;
    let member = path_member(&ctx, &me.org_id, &user_id).await?;
    member_response(&ctx, &me.org_id, &member, &query).await
}

/// Re-reads a member after a change and renders it.
async fn reread(ctx: &Ctx, me: &Actor, user_id: i64) -> Result<Response> {
    let member = ctx
        .state
        .store
        .member(&me.org_id, user_id)
        .await?
        .ok_or(Error::NotFound)?;
    member_response(ctx, &me.org_id, &member, &Query::default()).await
}

fn is_url_like(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    l.contains("://") || l.starts_with("www.")
}

/// Invites a member (status `invited`); inviting again a member who has not accepted yet re-sends
/// the invitation (200 with the member, name and role unchanged).
#[utoipa::path(
    post,
    path = "/organizations/{org}/users/invite",
    operation_id = "invite_user",
    tag = "users",
    params(("org" = String, Path, description = "Organization id")),
    request_body(content = crate::http::openapi::bodies::InviteInput, content_type = "application/json"),
    responses((status = 200, description = "The invited member", body = crate::http::openapi::Item<UserJson>))
)]
async fn invite(ctx: Ctx, Body(body): Body) -> Result<Response> {
    let me = ctx.member()?;
    if me.role == Role::Light {
        return Err(Error::no_permission());
    }
    let org = ctx.state.store.organization(&me.org_id).await?.ok_or(Error::NotFound)?;
    let mut errors = ValidationErrors::new();
    let mut r = Reader::new(&body, &mut errors);
    let email_addr = r.required_text(&["email"], 254).map(|e| email::normalize(&e));
    if let Some(e) = &email_addr
        && !email::is_valid(e)
    {
        r.fail("email", "The email must be a valid email address.");
    }
    let mut names = Vec::new();
    for key in ["first_name", "last_name"] {
        let v = r.required_text(&[key], 32);
        if v.as_deref().is_some_and(is_url_like) {
            r.fail(
                key,
                format!("The {} may not be a URL.", docket_domain::input::label(key)),
            );
        }
        names.push(v);
    }
    let role = match r.required_text(&["role"], 32) {
        Some(s) => match s.parse::<Role>() {
            Ok(role) => Some(role),
            Err(()) => {
                r.fail("role", "The selected role is invalid.");
                None
            }
        },
        None => None,
    };
    r.text(&["message"], 5000);
    if let Some(role) = role
        && !me.can_invite(role, org.allow_user_invite)
    {
        return Err(Error::no_permission());
    }
    // Inviting again someone who has not accepted yet re-sends their invitation.
    let mut pending = None;
    if let Some(e) = email_addr.as_deref().filter(|e| email::is_valid(e)) {
        let existing = ctx
            .state
            .store
            .find_member(&me.org_id, e)
            .await?
            .filter(|m| m.email == e);
        if let Some(m) = existing {
            if m.status == "invited" {
                pending = Some(m);
            } else {
                errors.add("email", "The email has already been taken.");
            }
        } else if ctx.state.store.guest_id_by_email(&me.org_id, e).await?.is_some() {
            errors.add("email", "The email belongs to a guest of the organization.");
        }
    }
    let (Some(email_addr), [Some(first_name), Some(last_name)], Some(role)) = (email_addr, names.as_slice(), role)
    else {
        return Err(Error::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if let Some(m) = pending {
        // The invitation keeps its name and role (the SDK's resend sends placeholder names), so
        // the caller must be allowed to invite that role too.
        if !m
            .role
            .parse::<Role>()
            .is_ok_and(|r| me.can_invite(r, org.allow_user_invite))
        {
            return Err(Error::no_permission());
        }
        let member = ctx
            .state
            .store
            .reinvite_member(&me.org_id, m.id, me.user_id, ctx.now)
            .await?
            .ok_or_else(|| Error::invalid("email", "The email has already been taken."))?;
        return member_response(&ctx, &me.org_id, &member, &Query::default()).await;
    }
    let inv = Invite {
        email: email_addr,
        first_name: first_name.clone(),
        last_name: last_name.clone(),
        role: role.as_str().to_string(),
        invited_by: me.user_id,
        now: ctx.now,
    };
    let member = match ctx.state.store.invite_member(&me.org_id, &inv).await {
        Err(StoreError::Conflict(_)) => return Err(Error::invalid("email", "The email has already been taken.")),
        other => other?,
    };
    member_response(&ctx, &me.org_id, &member, &Query::default()).await
}

/// Changes a member's role (admins); the last admin keeps theirs.
#[utoipa::path(
    put,
    path = "/organizations/{org}/users/{user_id}/role",
    operation_id = "change_user_role",
    tag = "users",
    params(("org" = String, Path, description = "Organization id"), ("user_id" = i64, Path, description = "Member id")),
    request_body(content = crate::http::openapi::bodies::RoleInput, content_type = "application/json"),
    responses((status = 200, description = "The member", body = crate::http::openapi::Item<UserJson>))
)]
async fn change_role(ctx: Ctx, Path((_org, user_id)): Path<(String, String)>, Body(body): Body) -> Result<Response> {
    let me = ctx.member()?;
    let target = path_member(&ctx, &me.org_id, &user_id).await?;
    if !me.can_administer_members() {
        return Err(Error::no_permission());
    }
    let mut errors = ValidationErrors::new();
    let role = Reader::new(&body, &mut errors).required_text(&["role"], 32);
    let role = match role.map(|s| s.parse::<Role>()) {
        Some(Ok(role)) => role,
        Some(Err(())) => return Err(Error::invalid("role", "The selected role is invalid.")),
        None => return Err(Error::Invalid(errors)),
    };
    match ctx
        .state
        .store
        .set_member_role(&me.org_id, target.id, role.as_str(), ctx.now)
        .await
    {
        Err(StoreError::Conflict(_)) => {
            return Err(Error::invalid(
                "role",
                "The organization must keep at least one administrator.",
            ));
        }
        other => other?,
    }
    reread(&ctx, &me, target.id).await
}

async fn set_status(ctx: Ctx, user_id: String, change: fn(i64) -> StatusChange) -> Result<Response> {
    let me = ctx.member()?;
    let target = path_member(&ctx, &me.org_id, &user_id).await?;
    if !me.can_administer_members() {
        return Err(Error::no_permission());
    }
    let change = change(me.user_id);
    if matches!(change, StatusChange::Disable(_)) && target.id == me.user_id {
        return Err(Error::invalid("user", "You cannot disable yourself."));
    }
    ctx.state
        .store
        .set_member_status(&me.org_id, target.id, change, ctx.now)
        .await?;
    reread(&ctx, &me, target.id).await
}

/// Disables a member (admins): their token stops working here; assignments stay.
#[utoipa::path(
    delete,
    path = "/organizations/{org}/users/{user_id}/disable",
    operation_id = "disable_user",
    tag = "users",
    params(("org" = String, Path, description = "Organization id"), ("user_id" = i64, Path, description = "Member id")),
    responses((status = 200, description = "The member", body = crate::http::openapi::Item<UserJson>))
)]
async fn disable(ctx: Ctx, Path((_org, user_id)): Path<(String, String)>) -> Result<Response> {
    set_status(ctx, user_id, StatusChange::Disable).await
}

/// Enables a disabled member (admins).
#[utoipa::path(
    put,
    path = "/organizations/{org}/users/{user_id}/enable",
    operation_id = "enable_user",
    tag = "users",
    params(("org" = String, Path, description = "Organization id"), ("user_id" = i64, Path, description = "Member id")),
    responses((status = 200, description = "The member", body = crate::http::openapi::Item<UserJson>))
)]
async fn enable(ctx: Ctx, Path((_org, user_id)): Path<(String, String)>, _body: Body) -> Result<Response> {
    set_status(ctx, user_id, StatusChange::Enable).await
}

/// Approves a member (admins).
#[utoipa::path(
    put,
    path = "/organizations/{org}/users/{user_id}/approve",
    operation_id = "approve_user",
    tag = "users",
    params(("org" = String, Path, description = "Organization id"), ("user_id" = i64, Path, description = "Member id")),
    responses((status = 200, description = "The member", body = crate::http::openapi::Item<UserJson>))
)]
async fn approve(ctx: Ctx, Path((_org, user_id)): Path<(String, String)>, _body: Body) -> Result<Response> {
    set_status(ctx, user_id, |_| StatusChange::Approve).await
}
