//! The JSON bootstrap file (spec §1.12), loaded by `docket admin load` and at start-up from
//! `DOCKET_BOOTSTRAP`. Loading creates what is missing and changes nothing that exists, so the
//! same file can be loaded at every start.

use std::path::Path;

use anyhow::{Context, bail};
use docket_domain::{Role, email, ids};
use docket_store::Store;
use docket_store::model::{NewMembership, NewOrg, NewToken, NewUser, Provision};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The file.
#[derive(Debug, Deserialize)]
pub struct BootstrapFile {
    /// Organizations.
    #[serde(default)]
    pub organizations: Vec<FileOrg>,
    /// Users with their memberships and tokens.
    #[serde(default)]
    pub users: Vec<FileUser>,
}

/// An organization entry: `id`, `name`, and any §2.14 setting.
#[derive(Debug, Deserialize)]
pub struct FileOrg {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Every other key.
    #[serde(flatten)]
    pub settings: Map<String, Value>,
}

/// A user entry.
#[derive(Debug, Deserialize)]
pub struct FileUser {
    /// Explicit id.
    pub id: Option<i64>,
    /// Email.
    pub email: String,
    /// Username.
    #[serde(default)]
    pub username: String,
    /// First name.
    #[serde(default)]
    pub first_name: String,
    /// Last name.
    #[serde(default)]
    pub last_name: String,
    /// Organizations and roles.
    #[serde(default)]
    pub memberships: Vec<FileMembership>,
    /// Bearer tokens (stored hashed).
    #[serde(default)]
    pub tokens: Vec<String>,
    /// Profile values (phone, job_title, timezone, …).
    #[serde(flatten)]
    pub profile: Map<String, Value>,
}

/// A membership entry.
#[derive(Debug, Deserialize)]
pub struct FileMembership {
    /// Organization id.
    pub organization: String,
    /// admin, standard or light.
    pub role: String,
    /// active (default), invited or disabled.
    pub status: Option<String>,
}

/// What `admin load --json` prints.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct LoadCounts {
    /// Organization entries in the file.
    pub organizations: usize,
    /// User entries in the file.
    pub users: usize,
    /// Tokens in the file.
    pub tokens: usize,
}

/// Reads and loads a bootstrap file.
pub async fn load_file(store: &Store, path: &Path, now: i64) -> anyhow::Result<LoadCounts> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file: BootstrapFile = serde_json::from_str(&text).context("the file is not a valid bootstrap file")?;
    load(store, file, now).await
}

/// Loads a parsed bootstrap file in one transaction.
pub async fn load(store: &Store, file: BootstrapFile, now: i64) -> anyhow::Result<LoadCounts> {
    let mut p = Provision {
        now,
        ..Default::default()
    };
    for o in &file.organizations {
        if !ids::is_valid_org_id(&o.id) {
            bail!(
                "organization id {:?} must be 1-255 characters of A-Z, a-z, 0-9, _ and -",
                o.id
            );
        }
        let mut profile = o.settings.clone();
        let timezone = profile.remove("timezone").and_then(|v| v.as_str().map(str::to_string));
        let allow_user_invite = profile.remove("allow_user_invite").and_then(|v| v.as_bool());
        let allow_manage_groups = profile.remove("allow_manage_groups").and_then(|v| v.as_bool());
        let default_deadline = profile.remove("default_deadline").and_then(|v| {
            let t = v.get("type")?.as_str()?.to_string();
            let n = v.get("value")?.as_i64()?;
            matches!(t.as_str(), "minutes" | "hours" | "days" | "weeks" | "months").then_some((t, n))
        });
        p.orgs.push(NewOrg {
            id: o.id.clone(),
            name: o.name.clone(),
            timezone,
            allow_user_invite,
            allow_manage_groups,
            default_deadline,
            profile: Some(Value::Object(profile).to_string()),
            must_be_new: false,
        });
    }
    let mut tokens = 0;
    for (i, u) in file.users.iter().enumerate() {
        let mail = email::normalize(&u.email);
        if !email::is_valid(&mail) {
            bail!("user {:?}: {:?} is not a valid email address", u.id, u.email);
        }
        p.users.push(NewUser {
            id: u.id,
            email: mail,
            username: u.username.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            profile: Some(Value::Object(u.profile.clone()).to_string()),
        });
        for m in &u.memberships {
            let role: Role = m
                .role
                .parse()
                .map_err(|()| anyhow::anyhow!("role {:?} must be admin, standard or light", m.role))?;
            let status = m.status.clone().unwrap_or_else(|| "active".into());
            if !matches!(status.as_str(), "active" | "invited" | "disabled") {
                bail!("status {status:?} must be active, invited or disabled");
            }
            p.memberships.push(NewMembership {
                org_id: m.organization.clone(),
                user: i,
                role: role.as_str().into(),
                status,
            });
        }
        for t in &u.tokens {
            if t.trim().is_empty() {
                bail!("tokens must not be empty");
            }
            p.tokens.push(NewToken {
                user: i,
                hash: ids::token_hash(t),
            });
            tokens += 1;
        }
    }
    store.provision(&p).await?;
    Ok(LoadCounts {
        organizations: file.organizations.len(),
        users: file.users.len(),
        tokens,
    })
}
