//! Command-line interface: `serve` (the default), `migrate`, `admin …`, `config example`.
//!
//! Exit codes: 0 success; 1 failure (message on stderr); 2 usage error (from clap).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::admin;
use crate::config::{Config, Overrides};

/// A self-hosted server for the Tallyfy tasks API.
#[derive(Debug, Parser)]
#[command(name = "docket", version, about)]
pub struct Cli {
    /// Configuration file (default: ./docket.toml when it exists) [env: DOCKET_CONFIG]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (migrates first).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate(DbArgs),
    /// Provisioning: organizations, members, tokens, webhook secrets.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Configuration helpers.
    #[command(subcommand)]
    Config(ConfigCommand),
}

/// `--database-url`, shared by every command that opens the database.
#[derive(Debug, Args, Default, Clone)]
pub struct DbArgs {
    /// Database URL: sqlite://PATH or postgres://… [default: sqlite://docket.db] [env: DOCKET_DATABASE_URL]
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

/// `docket serve`.
#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080] [env: DOCKET_LISTEN]
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    #[command(flatten)]
    pub db: DbArgs,
}

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
    /// runs and tasks, for trials and benchmarks.
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
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArgs,
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

/// `docket config …`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a commented docket.toml with every setting at its default.
    Example,
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut overrides = Overrides {
        config_file: cli.config.clone(),
        ..Default::default()
    };
    let command = cli.command.unwrap_or(Command::Serve(ServeArgs::default()));
    if let Command::Config(ConfigCommand::Example) = command {
        print!("{}", crate::config::EXAMPLE);
        return Ok(ExitCode::SUCCESS);
    }
    match &command {
        Command::Serve(a) => {
            overrides.listen = a.listen.clone();
            overrides.database_url = a.db.database_url.clone();
        }
        Command::Migrate(db) => overrides.database_url = db.database_url.clone(),
        Command::Admin(a) => overrides.database_url = a.db().database_url.clone(),
        Command::Config(_) => {}
    }
    let (config, warnings) = Config::load(&overrides)?;
    match command {
        Command::Serve(_) => {
            crate::telemetry::init(config.log_format);
            for w in warnings {
                tracing::warn!("{w}");
            }
            crate::startup::run_until_signal(config).await?;
        }
        Command::Migrate(_) => {
            let store = crate::startup::open_store(&config).await?;
            eprintln!(
                "migrations applied to {}",
                docket_store::redact_url(&config.database_url)
            );
            store.close().await;
        }
        Command::Admin(a) => {
            for w in warnings {
                eprintln!("warning: {w}");
            }
            admin::run(&config, a).await?;
        }
        Command::Config(_) => {}
    }
    Ok(ExitCode::SUCCESS)
}

impl AdminCommand {
    fn db(&self) -> &DbArgs {
        match self {
            AdminCommand::Bootstrap { db, .. }
            | AdminCommand::CreateUser { db, .. }
            | AdminCommand::CreateToken { db, .. }
            | AdminCommand::Load { db, .. }
            | AdminCommand::SeedDemo { db, .. }
            | AdminCommand::WebhookSecret { db, .. } => db,
        }
    }
}
