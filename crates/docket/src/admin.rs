//! `docket admin …`: provisioning from the command line (spec §1.12). With `--json` each command
//! prints exactly one JSON object on stdout; tokens are printed once and stored only as hashes.
//! The subcommands are defined here ([`AdminCommand`]) and run on a store the caller opened.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Subcommand;
use docket_domain::{Role, email, ids};
use docket_store::Store;
use docket_store::model::{NewMembership, NewOrg, NewToken, NewUser, Provision};
use serde::Serialize;
use serde_json::json;

use crate::config::DbArgs;

/// `docket admin …` (spec §1.12). Each command migrates first; `--json` prints one JSON object.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an organization, its first admin member and a token for them.
    Bootstrap {
        /// Organization name.
        #[arg(long)]
        org_name: String,
        /// The admin's email.
        #[arg(long)]
        email: String,
        /// Organization id (default: 32 random hex characters).
        #[arg(long)]
        org_id: Option<String>,
        /// The admin's user id (default: the next free id).
        #[arg(long)]
        user_id: Option<i64>,
        /// The token to store (default: a random one, printed once).
        #[arg(long)]
        token: Option<String>,
        /// The admin's first name.
        #[arg(long, default_value = "Admin")]
        first_name: String,
        /// The admin's last name.
        #[arg(long, default_value = "")]
        last_name: String,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Create a member of an organization and a token for them.
    CreateUser {
        /// Organization id.
        #[arg(long)]
        org: String,
        /// Email.
        #[arg(long)]
        email: String,
        /// First name.
        #[arg(long)]
        first_name: String,
        /// Last name.
        #[arg(long)]
        last_name: String,
        /// admin, standard or light.
        #[arg(long)]
        role: String,
        /// User id (default: the next free id).
        #[arg(long)]
        user_id: Option<i64>,
        /// Username.
        #[arg(long, default_value = "")]
        username: String,
        /// The token to store (default: a random one, printed once).
        #[arg(long)]
        token: Option<String>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Create another token for an existing user.
    CreateToken {
        /// User id.
        #[arg(long)]
        user: i64,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Load a JSON bootstrap file (creates what is missing, changes nothing that exists).
    Load {
        /// The file.
        file: PathBuf,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Fill an organization (created if missing) with generated members, groups, guests, tags,
    /// runs and tasks, for trials and benchmarks; the first time, also three templates and
    /// processes launched from them.
    SeedDemo {
        /// Organization id.
        #[arg(long)]
        org: String,
        /// How many tasks to add.
        #[arg(long, default_value_t = 10_000)]
        tasks: u64,
        /// Seed of the generator (the same seed gives the same data shape).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Tasks per transaction.
        #[arg(long, default_value_t = 5_000)]
        batch: usize,
        /// Then add this many activity-feed entries about the organization's tasks, runs and
        /// templates (50,000 per transaction), spread over the last 180 days.
        #[arg(long, default_value_t = 0)]
        activity: u64,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Set a member's password for the pages under /app, read from standard input (one line);
    /// ends the member's signed-in sessions.
    SetPassword {
        /// The member's email.
        #[arg(long)]
        email: String,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Make a one-time link that lets a member set their password (valid 7 days), and print it.
    PasswordLink {
        /// The member's email.
        #[arg(long)]
        email: String,
        /// `invite` (a new member) or `reset`.
        #[arg(long, default_value = "reset")]
        purpose: String,
        /// The server's public URL the link starts with [default: http://127.0.0.1:8080].
        #[arg(long)]
        base_url: Option<String>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Sign a member out everywhere: end all their sessions of the pages.
    RevokeSessions {
        /// The member's email.
        #[arg(long)]
        email: String,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Send a test message through the configured SMTP server (`[email]`, `DOCKET_SMTP_*`) to
    /// ADDRESS, and say whether the server accepted it. Opens no database.
    TestEmail {
        /// The address to send to.
        #[arg(long, value_name = "ADDRESS")]
        to: String,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Show (or rotate) an organization's webhook signing secret.
    WebhookSecret {
        /// Organization id.
        #[arg(long)]
        org: String,
        /// Replace the secret with a new one first.
        #[arg(long)]
        rotate: bool,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArgs,
    },
}

impl AdminCommand {
    /// The database flags of the command.
    pub fn db(&self) -> &DbArgs {
        match self {
            AdminCommand::Bootstrap { db, .. }
            | AdminCommand::CreateUser { db, .. }
            | AdminCommand::CreateToken { db, .. }
            | AdminCommand::Load { db, .. }
            | AdminCommand::SeedDemo { db, .. }
            | AdminCommand::WebhookSecret { db, .. }
            | AdminCommand::SetPassword { db, .. }
            | AdminCommand::PasswordLink { db, .. }
            | AdminCommand::RevokeSessions { db, .. } => db,
            AdminCommand::TestEmail { .. } => &NO_DATABASE,
        }
    }
}

/// The database flags of a command that opens none.
static NO_DATABASE: DbArgs = DbArgs { database_url: None };

/// `docket admin test-email`: sends a test message with the SMTP settings of `email`; what
/// `--json` (or not) prints. Fails when no SMTP server is configured or it refused the message.
pub async fn test_email(email: &crate::config::EmailConfig, to: &str, json: bool) -> anyhow::Result<String> {
    let mailer = crate::email::Mailer::new(email)?
        .context("no SMTP server is configured: set smtp_host in [email] of docket.toml, or DOCKET_SMTP_HOST")?;
    mailer
        .send_test(to)
        .await
        .map_err(|e| anyhow::anyhow!("the test message to {to} was not sent: {e}"))?;
    Ok(if json {
        json!({"sent": true, "to": to.trim()}).to_string()
    } else {
        format!("test message sent to {}", to.trim())
    })
}

/// What `admin bootstrap` needs.
#[derive(Debug, Clone)]
pub struct BootstrapArgs {
    /// Organization name.
    pub org_name: String,
    /// Admin email.
    pub email: String,
    /// Organization id, else random.
    pub org_id: Option<String>,
    /// Admin user id, else the next free one.
    pub user_id: Option<i64>,
    /// Token, else random.
    pub token: Option<String>,
    /// Admin first name.
    pub first_name: String,
    /// Admin last name.
    pub last_name: String,
}

/// What `admin bootstrap --json` prints.
#[derive(Debug, Serialize)]
pub struct BootstrapOut {
    /// The organization.
    pub org_id: String,
    /// Its first admin.
    pub user_id: i64,
    /// The admin's token (only here, once).
    pub token: String,
}

/// Creates an organization, its first admin and a token, in one transaction.
pub async fn bootstrap(store: &Store, a: BootstrapArgs, now: i64) -> anyhow::Result<BootstrapOut> {
    let org_id = a.org_id.unwrap_or_else(ids::new_id32);
    if !ids::is_valid_org_id(&org_id) {
        bail!("--org-id must be 1-255 characters of A-Z, a-z, 0-9, _ and -");
    }
    if a.org_name.trim().is_empty() {
        bail!("--org-name must not be empty");
    }
    let token = checked_token(a.token)?;
    let p = Provision {
        orgs: vec![NewOrg {
            id: org_id.clone(),
            name: a.org_name.trim().to_string(),
            timezone: None,
            allow_user_invite: None,
            allow_manage_groups: None,
            default_deadline: None,
            profile: None,
            must_be_new: true,
        }],
        users: vec![new_user(a.user_id, &a.email, "", &a.first_name, &a.last_name)?],
        memberships: vec![NewMembership {
            org_id: org_id.clone(),
            user: 0,
            role: "admin".into(),
            status: "active".into(),
        }],
        tokens: vec![NewToken {
            user: 0,
            hash: ids::token_hash(&token),
        }],
        now,
    };
    let done = store.provision(&p).await?;
    Ok(BootstrapOut {
        org_id,
        user_id: done.user_ids[0],
        token,
    })
}

fn checked_token(token: Option<String>) -> anyhow::Result<String> {
    match token {
        Some(t) if t.trim().is_empty() || t.trim() != t => {
            bail!("--token must be non-empty, without surrounding spaces")
        }
        Some(t) => Ok(t),
        None => Ok(ids::new_token()),
    }
}

fn new_user(id: Option<i64>, mail: &str, username: &str, first: &str, last: &str) -> anyhow::Result<NewUser> {
    let mail = email::normalize(mail);
    if !email::is_valid(&mail) {
        bail!("{mail:?} is not a valid email address");
    }
    if id.is_some_and(|i| i < 1) {
        bail!("user ids must be positive integers");
    }
    Ok(NewUser {
        id,
        email: mail,
        username: username.to_string(),
        first_name: first.to_string(),
        last_name: last.to_string(),
        profile: None,
    })
}

/// Runs one admin command on `store`; returns what to print on stdout (one JSON object with
/// `--json`, else lines for a person).
pub async fn run(store: &Store, cmd: AdminCommand, now: i64) -> anyhow::Result<String> {
    run_with(store, cmd, now, &crate::config::WebConfig::default()).await
}

/// As [`run`], with the pages' settings (the cost of a new password hash).
pub async fn run_with(
    store: &Store,
    cmd: AdminCommand,
    now: i64,
    web: &crate::config::WebConfig,
) -> anyhow::Result<String> {
    let (json, value, human) = execute(store, cmd, now, web).await?;
    Ok(if json { value.to_string() } else { human })
}

async fn execute(
    store: &Store,
    cmd: AdminCommand,
    now: i64,
    web: &crate::config::WebConfig,
) -> anyhow::Result<(bool, serde_json::Value, String)> {
    Ok(match cmd {
        AdminCommand::SetPassword { email, json, .. } => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            let password = line.trim_end_matches(['\r', '\n']);
            let user_id = set_password(store, &email, password, now, web).await?;
            (
                json,
                json!({"user_id": user_id}),
                format!("password set for member {user_id}"),
            )
        }
        AdminCommand::PasswordLink {
            email,
            purpose,
            base_url,
            json,
            ..
        } => {
            let base = base_url.unwrap_or_else(|| "http://127.0.0.1:8080".into());
            let link = password_link(store, &email, &purpose, &base, now).await?;
            (json, json!({"link": link}), link)
        }
        AdminCommand::RevokeSessions { email, json, .. } => {
            let user_id = member_by_email(store, &email).await?;
            let n = store.delete_user_sessions(user_id).await?;
            (
                json,
                json!({"user_id": user_id, "sessions_ended": n}),
                format!("{n} session(s) ended"),
            )
        }
        AdminCommand::Bootstrap {
            org_name,
            email,
            org_id,
            user_id,
            token,
            first_name,
            last_name,
            json,
            ..
        } => {
            let out = bootstrap(
                store,
                BootstrapArgs {
                    org_name,
                    email,
                    org_id,
                    user_id,
                    token,
                    first_name,
                    last_name,
                },
                now,
            )
            .await?;
            let human = format!(
                "organization {}\nadmin user {}\ntoken {} (shown once)",
                out.org_id, out.user_id, out.token
            );
            (json, serde_json::to_value(&out)?, human)
        }
        AdminCommand::CreateUser {
            org,
            email,
            first_name,
            last_name,
            role,
            user_id,
            username,
            token,
            json,
            ..
        } => {
            let role: Role = role
                .parse()
                .map_err(|()| anyhow::anyhow!("--role must be admin, standard or light"))?;
            if store.organization(&org).await?.is_none() {
                bail!("organization {org} does not exist");
            }
            let token = checked_token(token)?;
            let p = Provision {
                users: vec![new_user(user_id, &email, &username, &first_name, &last_name)?],
                memberships: vec![NewMembership {
                    org_id: org.clone(),
                    user: 0,
                    role: role.as_str().into(),
                    status: "active".into(),
                }],
                tokens: vec![NewToken {
                    user: 0,
                    hash: ids::token_hash(&token),
                }],
                now,
                ..Default::default()
            };
            let done = store.provision(&p).await?;
            let id = done.user_ids[0];
            (
                json,
                json!({"user_id": id, "token": token}),
                format!("user {id} in {org}\ntoken {token} (shown once)"),
            )
        }
        AdminCommand::CreateToken { user, json, .. } => {
            let token = ids::new_token();
            store
                .add_token(user, &ids::token_hash(&token), now)
                .await
                .map_err(|e| match e {
                    docket_store::StoreError::NotFound => anyhow::anyhow!("user {user} does not exist"),
                    other => other.into(),
                })?;
            (json, json!({"token": token}), format!("token {token} (shown once)"))
        }
        AdminCommand::Load { file, json, .. } => {
            let c = crate::bootstrap::load_file(store, &file, now)
                .await
                .with_context(|| format!("cannot load {}", file.display()))?;
            let human = format!(
                "loaded {} organizations, {} users, {} tokens",
                c.organizations, c.users, c.tokens
            );
            (json, serde_json::to_value(&c)?, human)
        }
        AdminCommand::SeedDemo {
            org,
            tasks,
            seed,
            batch,
            activity,
            json,
            ..
        } => {
            let started = std::time::Instant::now();
            let mut bar = crate::progress::Progress::new("tasks");
            let out = crate::demo::seed(store, &org, tasks, seed, batch.max(1), now, |done| bar.set(done, tasks)).await;
            bar.finish();
            let mut out = out?;
            if activity > 0 {
                let mut bar = crate::progress::Progress::new("entries");
                let made = crate::demo::seed_activity(store, &org, activity, seed, 50_000, now, |done| {
                    bar.set(done, activity)
                })
                .await;
                bar.finish();
                out.activity = made?;
            }
            let human = format!(
                "added {} tasks, {} runs and {} activity entries to {} in {:.1} s{}",
                out.tasks,
                out.runs,
                out.activity,
                out.org_id,
                started.elapsed().as_secs_f64(),
                if out.templates > 0 {
                    format!(
                        ", and {} templates with {} processes ({} tasks) launched from them",
                        out.templates, out.template_runs, out.template_tasks
                    )
                } else {
                    String::new()
                }
            );
            (json, serde_json::to_value(&out)?, human)
        }
        AdminCommand::TestEmail { .. } => bail!("test-email opens no database (cli.rs runs it)"),
        AdminCommand::WebhookSecret { org, rotate, json, .. } => {
            let fresh = rotate.then(ids::new_secret);
            let secret = store
                .webhook_secret(&org, fresh.as_deref())
                .await?
                .with_context(|| format!("organization {org} does not exist"))?;
            (json, json!({"secret": secret}), secret)
        }
    })
}

async fn member_by_email(store: &Store, email: &str) -> anyhow::Result<i64> {
    store
        .password_by_email(email.trim())
        .await?
        .map(|p| p.user_id)
        .with_context(|| format!("no member has the email {}", email.trim()))
}

/// Sets a member's password (argon2id at the cost of `web`) and ends their sessions; their id.
pub async fn set_password(
    store: &Store,
    email: &str,
    password: &str,
    now: i64,
    web: &crate::config::WebConfig,
) -> anyhow::Result<i64> {
    if let Err(why) = crate::web::password::check_new(password, password) {
        anyhow::bail!("{why}");
    }
    let user_id = member_by_email(store, email).await?;
    let hash = crate::web::password::hash(password, crate::web::password::Cost::of(web)).await?;
    store.set_password(user_id, &hash, now).await?;
    store.delete_user_sessions(user_id).await?;
    Ok(user_id)
}

/// A one-time link for a member to set their password: `{base}/app/password/{token}`; the
/// database keeps the token's hash only.
pub async fn password_link(store: &Store, email: &str, purpose: &str, base: &str, now: i64) -> anyhow::Result<String> {
    if !matches!(purpose, "invite" | "reset") {
        anyhow::bail!("purpose must be invite or reset, not {purpose:?}");
    }
    let user_id = member_by_email(store, email).await?;
    let token = ids::new_token();
    let expires = now + crate::web::auth_link_days() * 24 * 3_600_000;
    store
        .add_password_link(&ids::token_hash(&token), user_id, purpose, now, expires)
        .await?;
    Ok(format!("{}/app/password/{token}", base.trim_end_matches('/')))
}
