//! The `docket` binary.

use std::process::ExitCode;

/// mimalloc rather than the system allocator: per-thread heaps, where glibc's arenas had the
/// SQLite connection threads and the runtime's workers contending (perf, BENCHMARKS.md). With
/// its `override` feature it also serves C's `malloc`, so SQLite's page caches and statements
/// live in the same heaps instead of an arena per connection thread (server RSS through the
/// read mix at 1,000,000 tasks: 273 MiB before, 223 MiB after).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    // Before anything builds a reqwest::Client (DEPENDENCIES.md gotchas 3-4).
    rustls::crypto::ring::default_provider()
        .install_default()
        .expect("rustls provider");
    let cli = docket::cli::parse();
    match docket::cli::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("docket: {e:#}");
            ExitCode::from(1)
        }
    }
}
