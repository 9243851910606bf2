//! Command-line interface: `serve` (the default), `migrate`, `backup`, `export`, `import`,
//! `admin …`, `config example`.
//!
//! Exit codes ([`EXIT_CODES`], shown by every `--help`): 0 success; 1 failure at run time
//! (message on stderr); 2 invalid command line (clap) or configuration (`docket.toml`,
//! `DOCKET_*` values).
//!
//! The top of the dependency chain: `cli` uses `admin` (which defines its own subcommands),
//! `startup`, `transfer` and `config`; none of them uses `cli`, and `admin` uses neither
//! `startup` nor `cli` (it is handed an open `Store`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::admin::{self, AdminCommand};
use crate::config::{Config, DbArgs, Overrides};

/// The exit codes, appended to the help of `docket` and of every subcommand.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  failure while running (the reason is printed on stderr): listen address in use,
     database unreachable, refused import, a backup target that exists, ...
  2  invalid command line, or invalid configuration (docket.toml, DOCKET_* values)

Settings: defaults < docket.toml (--config, DOCKET_CONFIG) < DOCKET_* environment < flags;
`docket config example` prints them all. Unknown DOCKET_* variables are warned about,
except DOCKET_URL, DOCKET_TOKEN and DOCKET_ORG (left to clients and scripts).";

/// A self-hosted server for the Tallyfy tasks API.
#[derive(Debug, Parser)]
#[command(name = "docket", version, about, long_about = None, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// Configuration file (default: ./docket.toml when it exists) [env: DOCKET_CONFIG]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// `serve`'s flags, for a bare `docket --listen … --database-url …`.
    #[command(flatten)]
    pub serve: ServeArgs,
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
    /// Address to listen on, HOST:PORT [default: 127.0.0.1:8080] [env: DOCKET_LISTEN]
    #[arg(long, value_name = "ADDR", value_parser = crate::config::parse_listen)]
    pub listen: Option<String>,
    #[command(flatten)]
    pub db: DbArgs,
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
    let command = cli.command.unwrap_or(Command::Serve(cli.serve));
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
        Command::Admin(AdminCommand::TestEmail { to, json }) => {
            println!("{}", admin::test_email(&config.email, &to, json).await?);
        }
        Command::Admin(a) => {
            let store = crate::startup::open_store(&config).await?;
            let now = config.now.unwrap_or_else(docket_domain::time::now_ms);
            let result = admin::run_with(&store, a, now, &config.web).await;
            store.close().await;
            println!("{}", result?);
        }
        Command::Config(_) => {}
    }
    Ok(ExitCode::SUCCESS)
}
