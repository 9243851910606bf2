//! The Guest JSON shapes (spec §2.13): the full guest with its details and task stats, the
//! minimal `guests-list` item, and a guest's link.

use docket_domain::time::{format_opt, format_ts};
use docket_store::model::{Guest, GuestTaskStats};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::Result;
use crate::http::extract::{Ctx, Query};

/// A guest's link: `{public base}/guest/{guest_code}`, the code being the one path segment the
/// SDK reads after `guest`.
pub fn guest_link(base: &str, guest_code: &str) -> String {
    format!("{base}/guest/{guest_code}")
}

/// The Guest shape.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Guest)]
pub struct GuestJson {
    id: i64,
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    link: String,
    last_accessed_at: Option<String>,
    last_known_ip: Option<String>,
    last_known_country: Option<String>,
    created_at: String,
    deleted_at: Option<String>,
    details: GuestDetails,
    #[serde(skip_serializing_if = "Option::is_none")]
    stats: Option<GuestStats>,
}

/// The `details` object of a Guest: always present, every key.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = GuestDetails)]
pub(super) struct GuestDetails {
    first_name: Option<String>,
    last_name: Option<String>,
    status: Value,
    phone_1: Value,
    phone_2: Value,
    image_url: Value,
    contact_url: Value,
    company_url: Value,
    opportunity_url: Value,
    company_name: Value,
    opportunity_name: Value,
    external_sync_source: Value,
    external_date_creation: Option<String>,
    timezone: Value,
    cadence_days: Value,
    associated_members: Option<Vec<i64>>,
    last_city: Value,
    last_country: Value,
    last_accessed_at: Option<String>,
    disabled_at: Option<String>,
    disabled_by: Option<i64>,
    reactivated_at: Option<String>,
    reactivated_by: Option<i64>,
}

/// The `with=stats` object (bare, not wrapped in `data`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = GuestStats)]
pub(super) struct GuestStats {
    assigned_tasks: i64,
    tasks_completed: i64,
    last_task_completed_at: Option<String>,
    one_off_tasks_completed: i64,
    last_one_off_task_completed_at: Option<String>,
}

impl GuestStats {
    /// Counts over the organization's tasks where the guest is a direct assignee. Every docket
    /// task is one-off, so the `one_off_*` numbers equal the others.
    fn new(s: &GuestTaskStats) -> Self {
        GuestStats {
            assigned_tasks: s.assigned,
            tasks_completed: s.completed,
            last_task_completed_at: format_opt(s.last_completed_at),
            one_off_tasks_completed: s.completed,
            last_one_off_task_completed_at: format_opt(s.last_completed_at),
        }
    }
}

impl GuestJson {
    /// The shape of `g`, its link under `base`.
    pub fn new(g: &Guest, base: &str) -> Self {
        let details: Map<String, Value> = serde_json::from_str(&g.details).unwrap_or_default();
        let d = |k: &str| details.get(k).cloned().unwrap_or(Value::Null);
        GuestJson {
            id: g.id,
            email: g.email.clone(),
            first_name: g.first_name.clone(),
            last_name: g.last_name.clone(),
            link: guest_link(base, &g.guest_code),
            last_accessed_at: None,
            last_known_ip: None,
            last_known_country: None,
            created_at: format_ts(g.created_at),
            deleted_at: None,
            details: GuestDetails {
                first_name: g.first_name.clone(),
                last_name: g.last_name.clone(),
                status: d("status"),
                phone_1: d("phone_1"),
                phone_2: d("phone_2"),
                image_url: d("image_url"),
                contact_url: d("contact_url"),
                company_url: d("company_url"),
                opportunity_url: d("opportunity_url"),
                company_name: d("company_name"),
                opportunity_name: d("opportunity_name"),
                external_sync_source: d("external_sync_source"),
                external_date_creation: format_opt(details.get("external_date_creation").and_then(Value::as_i64)),
                timezone: d("timezone"),
                cadence_days: Value::Null,
                associated_members: g
                    .associated_members
                    .as_deref()
                    .and_then(|s| serde_json::from_str(s).ok()),
                last_city: Value::Null,
                last_country: Value::Null,
                last_accessed_at: None,
                disabled_at: format_opt(g.disabled_at),
                disabled_by: g.disabled_by,
                reactivated_at: format_opt(g.reactivated_at),
                reactivated_by: g.reactivated_by,
            },
            stats: None,
        }
    }
}

/// Renders guests, with the `with=stats` include when `query` asks for it.
pub(super) async fn render(ctx: &Ctx, org: &str, guests: &[Guest], query: &Query) -> Result<Vec<GuestJson>> {
    let mut items: Vec<GuestJson> = guests.iter().map(|g| GuestJson::new(g, &ctx.base)).collect();
    if query.with("stats") {
        let ids: Vec<i64> = guests.iter().map(|g| g.id).collect();
        let stats = ctx.state.store.guest_task_stats(org, &ids).await?;
        for (item, g) in items.iter_mut().zip(guests) {
            let none = GuestTaskStats {
                guest_id: g.id,
                ..Default::default()
            };
            let s = stats.iter().find(|s| s.guest_id == g.id).unwrap_or(&none);
            item.stats = Some(GuestStats::new(s));
        }
    }
    Ok(items)
}

/// The minimal Guest of `guests-list`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = GuestListItem)]
pub(super) struct GuestListItem {
    pub(super) id: i64,
    pub(super) email: String,
    pub(super) first_name: Option<String>,
    pub(super) last_name: Option<String>,
    pub(super) link: String,
}
