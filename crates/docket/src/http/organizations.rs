//! The organization (M2) and its JSON shape (spec §2.14).

use axum::response::Response;
use docket_domain::time::format_ts;
use docket_store::model::Organization;
use serde::Serialize;
use serde_json::{Map, Value, json};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::envelope;
use crate::http::extract::Ctx;
use crate::state::AppState;

/// The routes of this module, each with its OpenAPI operation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_organization))
}

/// The organization and its settings.
#[utoipa::path(
    get,
    path = "/organizations/{org}",
    operation_id = "get_organization",
    tag = "me",
    params(("org" = String, Path, description = "Organization id")),
    responses((status = 200, description = "The organization", body = crate::http::openapi::Item<OrganizationJson>))
)]
async fn get_organization(ctx: Ctx) -> Result<Response> {
    let me = ctx.member()?;
    let org = ctx.state.store.organization(&me.org_id).await?.ok_or(Error::NotFound)?;
    Ok(envelope::ok(OrganizationJson::new(&org, me.role.as_str())))
}

/// An organization: the keys docket derives, plus every other organization setting with its
/// default or its provisioned value.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Organization)]
pub struct OrganizationJson {
    id: String,
    name: String,
    created_on: String,
    last_updated: String,
    last_accessed: String,
    users_count: i64,
    timezone: String,
    allow_user_invite: bool,
    allow_manage_groups: bool,
    default_deadline: Value,
    user_role: String,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

impl OrganizationJson {
    /// The shape of `org` as seen by a member with `user_role`.
    pub fn new(org: &Organization, user_role: &str) -> Self {
        let mut rest = defaults();
        if let Ok(Value::Object(profile)) = serde_json::from_str::<Value>(&org.profile) {
            for (k, v) in profile {
                if rest.contains_key(&k) {
                    rest.insert(k, v);
                }
            }
        }
        OrganizationJson {
            id: org.id.clone(),
            name: org.name.clone(),
            created_on: format_ts(org.created_at),
            last_updated: format_ts(org.updated_at),
            last_accessed: format_ts(org.updated_at),
            users_count: org.users_count,
            timezone: org.timezone.clone(),
            allow_user_invite: org.allow_user_invite,
            allow_manage_groups: org.allow_manage_groups,
            default_deadline: json!({"type": org.default_deadline_type, "value": org.default_deadline_value}),
            user_role: user_role.to_string(),
            rest,
        }
    }
}

/// Organization keys that docket does not derive, with their defaults. Provisioning may override
/// any of them through the organization's `profile`.
fn defaults() -> Map<String, Value> {
    static DEFAULTS: std::sync::LazyLock<Map<String, Value>> =
        std::sync::LazyLock::new(|| serde_json::from_str(DEFAULTS_JSON).unwrap_or_default());
    DEFAULTS.clone()
}

const DEFAULTS_JSON: &str = r#"{
    "industry": null, "description": null, "address1": null, "address2": null,
    "live_support_enabled": 0, "org_logo": null, "settings": null, "country": null, "state": null,
    "city": null, "zipcode": null, "payment_state": null, "team_size": [], "signup_survey": null,
    "in_trial": false, "analytics_enabled": false, "limit_trial_features": false,
    "real_time_billing": false, "saml_enabled": false, "saml_login_url": null, "sso_default_role": null,
    "preferred_trial_plan": null, "google_analytics_id": null, "mixpanel_token": null, "plan_code": null,
    "auto_join_signups": false, "home_bg": null, "guest_onboarding_snippet": null,
    "maximum_group_assignment_limit": 0, "working_days": null, "deadline_setting": null, "wyiwyg": true,
    "cadence_days": [], "guest_cadence_days": [], "auto_archive": false, "auto_complete_tasks": false,
    "auto_complete_task_months": 18, "light_role_error_snippet": null, "azure_cognitive_service": null,
    "global_css": null, "error_404_template": null, "enable_custom_404_error": false,
    "enable_custom_smtp": false, "onboarding_template_id": null, "enable_onboarding_template": false,
    "disable_min_members_billing": false, "enable_light_users_billing": false,
    "webhook_date_field_format": "yyyy-MM-ddTHH:mm:ssZ", "purpose": null, "process_today": null,
    "restrict_blueprint_permissions": false, "auto_archive_processes_after": null,
    "use_generative_ai": false, "homepage_snippet": null, "onboarding_snippet": null, "disabled_on": null
}"#;
