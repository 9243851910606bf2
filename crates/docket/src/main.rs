//! The `docket` binary.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = docket::cli::Cli::parse();
    match docket::cli::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("docket: {e:#}");
            ExitCode::from(1)
        }
    }
}
