//! The Group JSON shape (spec §2.11), and the groups of members for the users' `with=groups`
//! include.

use std::collections::{HashMap, HashSet};

use docket_domain::time::format_ts;
use docket_store::model::Group;
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::http::extract::Ctx;

/// The Group shape.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Group)]
pub struct GroupJson {
    id: String,
    name: String,
    description: Option<String>,
    logo: Option<String>,
    members: Vec<i64>,
    guests: Vec<String>,
    created_at: String,
    updated_at: String,
    last_updated: String,
    deleted_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) users: Option<Value>,
}

impl GroupJson {
    /// The shape of `g`, without includes.
    pub fn new(g: &Group) -> Self {
        GroupJson {
            id: g.id.clone(),
            name: g.name.clone(),
            description: g.description.clone(),
            logo: None,
            members: g.members.clone(),
            guests: g.guests.clone(),
            created_at: format_ts(g.created_at),
            updated_at: format_ts(g.updated_at),
            last_updated: format_ts(g.updated_at),
            deleted_at: None,
            users: None,
        }
    }
}

/// The Group JSON of every group each of `member_ids` belongs to, keyed by member id.
pub async fn groups_of_members(ctx: &Ctx, org: &str, member_ids: &[i64]) -> Result<HashMap<i64, Vec<Value>>> {
    let wanted: HashSet<i64> = member_ids.iter().copied().collect();
    let mut out: HashMap<i64, Vec<Value>> = HashMap::new();
    for g in ctx.state.store.groups_of_members(org, member_ids).await? {
        let json = serde_json::to_value(GroupJson::new(&g)).map_err(|e| Error::Internal(e.to_string()))?;
        for id in g.members.iter().filter(|id| wanted.contains(id)) {
            out.entry(*id).or_default().push(json.clone());
        }
    }
    Ok(out)
}
