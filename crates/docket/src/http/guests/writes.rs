//! Guest writes: GU3 create, GU5 update, GU6 remove, GU7 disable, GU8 enable, and the profile
//! fields they read.

use axum::extract::Path;
use axum::response::Response;
use docket_domain::input::{Patch, Reader, label};
use docket_domain::{ValidationErrors, email};
use docket_store::StoreError;
use docket_store::model::{GuestPatch, GuestRefusal, GuestStatusChange, NewGuest};
use serde_json::{Map, Value, json};

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::{Body, Ctx};

use super::json::GuestJson;
use super::{guest_to_manage, item};

/// Longest name, company name, opportunity name or status.
const TEXT_MAX: usize = 200;
/// Longest phone number.
const PHONE_MAX: usize = 20;
/// Longest URL.
const URL_MAX: usize = 2048;
const EMAIL_TAKEN: &str = "The email has already been taken.";
const EMAIL_OF_MEMBER: &str = "The email belongs to a member of the organization.";

/// The profile fields of a guest other than `email`, as read from a body.
pub(super) struct Profile {
    first_name: Patch<String>,
    last_name: Patch<String>,
    /// `details` keys that were sent; `null` for the ones sent empty.
    details: Map<String, Value>,
}

/// Reads and validates the profile fields; every problem goes into the reader's errors.
pub(super) fn read_profile(r: &mut Reader) -> Profile {
    let first_name = r.text(&["first_name"], TEXT_MAX);
    let last_name = r.text(&["last_name"], TEXT_MAX);
    let mut details = Map::new();
    let mut put = |key: &str, v: Patch<Value>| match v {
        Patch::Absent => {}
        Patch::Null => {
            details.insert(key.to_string(), Value::Null);
        }
        Patch::Set(v) => {
            details.insert(key.to_string(), v);
        }
    };
    for key in ["company_name", "opportunity_name", "status"] {
        put(key, r.text(&[key], TEXT_MAX).map(Value::String));
    }
    put("phone_1", r.text(&["phone_1", "phone"], PHONE_MAX).map(Value::String));
    put("phone_2", r.text(&["phone_2"], PHONE_MAX).map(Value::String));
    for key in ["company_url", "contact_url", "image_url", "opportunity_url"] {
        let v = r.text(&[key], URL_MAX);
        if let Patch::Set(url) = &v
            && !is_absolute_url(url)
        {
            r.fail(key, format!("The {} must be a valid URL.", label(key)));
            continue;
        }
        put(key, v.map(Value::String));
    }
    let tz = r.text(&["timezone"], 64);
    if let Patch::Set(name) = &tz
        && !is_timezone_name(name)
    {
        r.fail("timezone", "The selected timezone is invalid.");
    } else {
        put("timezone", tz.map(Value::String));
    }
    let source = r.text(&["external_sync_source"], 32).map(|s| s.to_ascii_lowercase());
    if let Patch::Set(s) = &source
        && s != "salesforce"
    {
        r.fail("external_sync_source", "The selected external sync source is invalid.");
    } else {
        put("external_sync_source", source.map(Value::String));
    }
    put(
        "external_date_creation",
        r.datetime(&["external_date_creation"]).map(|ms| json!(ms)),
    );
    Profile {
        first_name,
        last_name,
        details,
    }
}

/// Whether `s` is an absolute URL: a scheme, `://`, and a non-empty authority, no whitespace.
pub(super) fn is_absolute_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    scheme_ok && !authority.is_empty() && !s.chars().any(char::is_whitespace)
}

/// Whether `s` has the form of an IANA time zone name: `UTC`-like names, or `Area/Location`
/// under one of the IANA areas (including the `backward` ones such as `US/Eastern`). This is a
/// syntax check: docket ships no time zone database, so `Europe/Atlantis` passes.
pub(super) fn is_timezone_name(s: &str) -> bool {
    const SINGLE: [&str; 6] = ["UTC", "GMT", "UCT", "Universal", "Zulu", "Etc/UTC"];
    const AREAS: [&str; 16] = [
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
        "Etc",
        "US",
        "Canada",
        "Brazil",
        "Chile",
        "Mexico",
    ];
    if SINGLE.contains(&s) {
        return true;
    }
    let mut parts = s.split('/');
    let area_ok = parts.next().is_some_and(|a| AREAS.contains(&a));
    let rest: Vec<&str> = parts.collect();
    area_ok
        && (1..=2).contains(&rest.len())
        && rest.iter().all(|p| {
            p.starts_with(|c: char| c.is_ascii_alphabetic())
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
        })
}

/// Adds a guest to the organization.
#[utoipa::path(
    post,
    path = "/organizations/{org}/guests",
    operation_id = "create_guest",
    tag = "guests",
    params(("org" = String, Path, description = "Organization id")),
    request_body(content = crate::http::openapi::bodies::GuestInput, content_type = "application/json"),
    responses((status = 201, description = "The new guest", body = crate::http::openapi::Item<GuestJson>))
)]
pub(super) async fn create_guest(ctx: Ctx, Body(body): Body) -> Result<Response> {
    let me = ctx.member()?;
    if !me.can_manage_guests() {
        return Err(Error::no_permission());
    }
    let mut errors = ValidationErrors::new();
    let mut r = Reader::new(&body, &mut errors);
    let email_addr = r.required_text(&["email"], 254).map(|e| email::normalize(&e));
    if let Some(e) = &email_addr
        && !email::is_valid(e)
    {
        r.fail("email", "The email must be a valid email address.");
    }
    let profile = read_profile(&mut r);
    if let Some(e) = email_addr.as_deref().filter(|e| email::is_valid(e)) {
        if ctx
            .state
            .store
            .find_member(&me.org_id, e)
            .await?
            .is_some_and(|m| m.email == e)
        {
            errors.add("email", EMAIL_OF_MEMBER);
        } else if ctx.state.store.guest_id_by_email(&me.org_id, e).await?.is_some() {
            errors.add("email", EMAIL_TAKEN);
        }
    }
    let Some(email_addr) = email_addr.filter(|_| errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let new = NewGuest {
        email: email_addr,
        first_name: profile.first_name.set(),
        last_name: profile.last_name.set(),
        details: profile.details.into_iter().filter(|(_, v)| !v.is_null()).collect(),
        now: ctx.now,
    };
    let guest = match ctx.state.store.create_guest(&me.org_id, &new).await {
        Err(StoreError::Conflict(_)) => return Err(Error::invalid("email", EMAIL_TAKEN)),
        other => other?,
    };
    Ok(envelope::item(
        axum::http::StatusCode::CREATED,
        GuestJson::new(&guest, &ctx.base),
    ))
}

/// `Some(None)` for a cleared field, `Some(Some(v))` for a set one, `None` when absent.
pub(super) fn patch_option<T>(p: Patch<T>) -> Option<Option<T>> {
    match p {
        Patch::Absent => None,
        Patch::Null => Some(None),
        Patch::Set(v) => Some(Some(v)),
    }
}

/// Reads `associated_members`: member ids of the organization (a scalar counts as a one-item
/// list), duplicates dropped; `null` clears, `[]` empties.
pub(super) async fn read_associated_members(
    ctx: &Ctx,
    org: &str,
    body: &Map<String, Value>,
    errors: &mut ValidationErrors,
) -> Result<Option<Option<Vec<i64>>>> {
    let key = "associated_members";
    let entries: Vec<Value> = match Reader::new(body, errors).value(&[key]) {
        None => return Ok(None),
        Some(Value::Null) => return Ok(Some(None)),
        Some(Value::Array(a)) => a.clone(),
        Some(other) => vec![other.clone()],
    };
    let ids = crate::service::members::resolve_ids(&ctx.state, org, key, &entries, errors).await?;
    Ok(Some(Some(ids)))
}

/// Changes a guest's profile: only the fields sent; an `email` key is ignored.
#[utoipa::path(
    put,
    path = "/organizations/{org}/guests/{guest}",
    operation_id = "update_guest",
    tag = "guests",
    params(("org" = String, Path, description = "Organization id"), ("guest" = String, Path, description = "Guest email")),
    request_body(content = crate::http::openapi::bodies::GuestInput, content_type = "application/json"),
    responses((status = 200, description = "The guest", body = crate::http::openapi::Item<GuestJson>))
)]
pub(super) async fn update_guest(
    ctx: Ctx,
    Path((_org, key)): Path<(String, String)>,
    Body(body): Body,
) -> Result<Response> {
    let (me, guest) = guest_to_manage(&ctx, &key).await?;
    let mut errors = ValidationErrors::new();
    let profile = read_profile(&mut Reader::new(&body, &mut errors));
    let associated_members = read_associated_members(&ctx, &me.org_id, &body, &mut errors).await?;
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let patch = GuestPatch {
        first_name: patch_option(profile.first_name),
        last_name: patch_option(profile.last_name),
        details: profile.details,
        associated_members,
        now: ctx.now,
    };
    let guest = ctx.state.store.update_guest(&me.org_id, guest.id, &patch).await?;
    Ok(item(&ctx, &guest))
}

/// Removes a guest from the organization, answering with the guest as it was.
///
/// The guest is first taken off every group and every task's owners.
#[utoipa::path(
    delete,
    path = "/organizations/{org}/guests/{guest}",
    operation_id = "remove_guest",
    tag = "guests",
    params(("org" = String, Path, description = "Organization id"), ("guest" = String, Path, description = "Guest email")),
    responses((status = 200, description = "The removed guest", body = crate::http::openapi::Item<GuestJson>))
)]
pub(super) async fn remove_guest(ctx: Ctx, Path((_org, key)): Path<(String, String)>) -> Result<Response> {
    let (me, guest) = guest_to_manage(&ctx, &key).await?;
    let guest = ctx.state.store.remove_guest(&me.org_id, guest.id, ctx.now).await?;
    Ok(item(&ctx, &guest))
}

/// Disables a guest; refused (403) while the guest is assigned an open task.
#[utoipa::path(
    delete,
    path = "/organizations/{org}/guests/{guest}/disable",
    operation_id = "disable_guest",
    tag = "guests",
    params(("org" = String, Path, description = "Organization id"), ("guest" = String, Path, description = "Guest email")),
    responses((status = 200, description = "The guest", body = crate::http::openapi::Item<GuestJson>))
)]
pub(super) async fn disable(ctx: Ctx, Path((_org, key)): Path<(String, String)>) -> Result<Response> {
    let (me, guest) = guest_to_manage(&ctx, &key).await?;
    let guest = ctx
        .state
        .store
        .set_guest_status(&me.org_id, guest.id, GuestStatusChange::Disable(me.user_id), ctx.now)
        .await?
        .map_err(|GuestRefusal::IncompleteTasks| {
            Error::Forbidden("Cannot disable guest with incomplete tasks.".into())
        })?;
    Ok(item(&ctx, &guest))
}

/// Enables a disabled guest (no body needed).
#[utoipa::path(
    put,
    path = "/organizations/{org}/guests/{guest}/enable",
    operation_id = "enable_guest",
    tag = "guests",
    params(("org" = String, Path, description = "Organization id"), ("guest" = String, Path, description = "Guest email")),
    responses((status = 200, description = "The guest", body = crate::http::openapi::Item<GuestJson>))
)]
pub(super) async fn enable(ctx: Ctx, Path((_org, key)): Path<(String, String)>, _body: Body) -> Result<Response> {
    let (me, guest) = guest_to_manage(&ctx, &key).await?;
    let guest = ctx
        .state
        .store
        .set_guest_status(&me.org_id, guest.id, GuestStatusChange::Enable(me.user_id), ctx.now)
        .await?
        .map_err(|GuestRefusal::IncompleteTasks| Error::Internal("enabling is never refused".into()))?;
    Ok(item(&ctx, &guest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_urls_need_a_scheme_and_a_host() {
        for ok in ["https://acme.test", "http://acme.test/x?y#z", "ftp://files.acme.test"] {
            assert!(is_absolute_url(ok), "{ok}");
        }
        for bad in [
            "acme.test",
            "/relative",
            "https://",
            "https:///path",
            "1http://x.test",
            "https://a b.test",
        ] {
            assert!(!is_absolute_url(bad), "{bad}");
        }
    }

    #[test]
    fn timezone_names_follow_the_iana_form() {
        for ok in [
            "UTC",
            "Europe/Berlin",
            "America/Argentina/Buenos_Aires",
            "Etc/GMT+5",
            "US/Eastern",
        ] {
            assert!(is_timezone_name(ok), "{ok}");
        }
        for bad in [
            "",
            "Berlin",
            "Mars/Olympus",
            "Europe/",
            "Europe/Berlin/x/y",
            "europe/berlin",
            "Europe/Ber lin",
        ] {
            assert!(!is_timezone_name(bad), "{bad}");
        }
    }
}
