//! Command-line interface: `serve` (the default), `migrate`, `backup`, `export`, `import`,
//! `admin …`, `config example`.
//!
//! Exit codes ([`EXIT_CODES`], shown by every `--help`): 0 success; 1 failure at run time
//! (message on stderr); 2 invalid command line (clap) or configuration (`docket.toml`,
//! `DOCKET_*` values).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::admin;
use crate::config::{Config, Overrides};

/// The exit codes, appended to the help of `docket` and of every subcommand.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  failure while running (the reason is printed on stderr): database unreachable,
     refused import, a backup target that exists, ...
  2  invalid command line, or invalid configuration (docket.toml, DOCKET_* values)

Settings: defaults < docket.toml (--config, DOCKET_CONFIG) < DOCKET_* environment < flags;
`docket config example` prints them all. Unknown DOCKET_* variables are warned about.";

/// A self-hosted server for the Tallyfy tasks API.
#[derive(Debug, Parser)]
#[command(name = "docket", version, about, long_about = None)]
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
    /// Copy a SQLite database to a new file while the server keeps running (consistent
    /// snapshot, `VACUUM INTO`). For PostgreSQL use pg_dump.
    Backup(BackupArgs),
    /// Write all data (organizations, members, tokens as hashes, guests, groups, tags, runs,
    /// tasks, form fields and values, comments, webhook outbox...) to a portable file that
    /// `docket import` reads into either backend.
    Export(ExportArgs),
    /// Read a `docket export` file into a new, empty database (migrated first), in one
    /// transaction. SQLite to PostgreSQL: `docket export --to f` then
    /// `docket import --from f --database-url postgres://…`.
    Import(ImportArgs),
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

/// `docket backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The new file to write (refused if it exists).
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
}

/// `docket export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The new file to write, JSON lines (refused if it exists).
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
}

/// `docket import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file `docket export` wrote.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
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

/// The clap command with [`EXIT_CODES`] under the help of every (sub)command.
pub fn command() -> clap::Command {
    fn with_exit_codes(cmd: clap::Command) -> clap::Command {
        cmd.after_help(EXIT_CODES).mut_subcommands(with_exit_codes)
    }
    with_exit_codes(Cli::command())
}

/// Parses the process's arguments (exits with 2 and a message on a bad command line, with 0
/// after `--help` or `--version`).
pub fn parse() -> Cli {
    let matches = command().get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
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
        Command::Backup(a) => overrides.database_url = a.db.database_url.clone(),
        Command::Export(a) => overrides.database_url = a.db.database_url.clone(),
        Command::Import(a) => overrides.database_url = a.db.database_url.clone(),
        Command::Admin(a) => overrides.database_url = a.db().database_url.clone(),
        Command::Config(_) => {}
    }
    let (config, warnings) = match Config::load(&overrides) {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!("docket: invalid configuration: {e:#}");
            return Ok(ExitCode::from(2));
        }
    };
    if !matches!(command, Command::Serve(_)) {
        for w in &warnings {
            eprintln!("warning: {w}");
        }
    }
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
        Command::Backup(a) => crate::transfer::backup(&config, &a.to).await?,
        Command::Export(a) => crate::transfer::export(&config, &a.to).await?,
        Command::Import(a) => crate::transfer::import(&config, &a.from).await?,
        Command::Admin(a) => admin::run(&config, a).await?,
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
