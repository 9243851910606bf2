//! Start-up: open and migrate the database, load the bootstrap file, bind, serve, and shut
//! down gracefully (in-flight requests finish) on SIGTERM/SIGINT or when asked.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use docket_store::{Store, StoreOptions};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower::Layer;
use tower_http::normalize_path::NormalizePathLayer;

use crate::config::Config;
use crate::ratelimit::RateLimiter;
use crate::state::{AppState, Clock, Shared};
use crate::webhooks::Dispatcher;

/// Connects to the configured database and applies pending migrations.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let opts = StoreOptions {
        url: config.database_url.clone(),
        sqlite_sync_full: config.sqlite_sync_full,
        max_connections: config.max_connections,
        count_cache_ttl: std::time::Duration::from_millis(config.cache_ms),
        identity_cache_ttl: std::time::Duration::from_millis(config.cache_ms),
        list_drive_max: config.list_drive_max,
    };
    let store = Store::connect(&opts).await.with_context(|| {
        format!(
            "cannot open database {}",
            docket_store::redact_url(&config.database_url)
        )
    })?;
    store.migrate().await?;
    Ok(store)
}

/// The state of a server for `config`: database open and migrated, bootstrap file loaded.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    let store = open_store(&config).await?;
    crate::webhooks::events::install(&config);
    if let Some(path) = &config.bootstrap {
        let counts = crate::bootstrap::load_file(&store, path, config.now.unwrap_or_else(docket_domain::time::now_ms))
            .await
            .with_context(|| format!("cannot load bootstrap file {}", path.display()))?;
        tracing::info!(
            organizations = counts.organizations,
            users = counts.users,
            tokens = counts.tokens,
            "bootstrap file loaded"
        );
    }
    let storage = crate::storage::Storage::connect(&config).await?;
    let swept = storage.sweep(&store).await.context("cannot sweep the asset storage")?;
    if swept > 0 {
        tracing::info!(files = swept, "stored files no asset names were removed");
    }
    let limiter = Arc::new(RateLimiter::for_config(&store, &config));
    // Several docket processes may share a PostgreSQL database: a task read remembered here
    // could then miss a write made through another node, and read-after-write across nodes
    // matters more than the saved queries.
    let task_reads_ttl = match store.kind() {
        docket_store::BackendKind::Sqlite => std::time::Duration::from_millis(config.cache_ms),
        docket_store::BackendKind::Postgres => std::time::Duration::ZERO,
    };
    Ok(AppState::new(Shared {
        store,
        clock: Clock::new(config.now),
        limiter,
        task_reads: Arc::new(docket_store::memo::Memo::new(task_reads_ttl)),
        metrics: Arc::new(crate::metrics::Metrics::new()),
        faults: crate::faults::Faults::new(&config.database_url),
        fair_share: crate::fair_share::FairShare::new(&config),
        storage,
        config: Arc::new(config),
    }))
}

/// A server running in the background.
pub struct Running {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// Its state (for tests that look behind the API).
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    dispatcher: Option<Dispatcher>,
    notifier: Option<crate::email::Notifier>,
}

impl Running {
    /// Stops accepting connections, lets in-flight requests and webhook deliveries finish, and
    /// waits.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
        if let Some(d) = self.dispatcher.take() {
            d.stop().await;
        }
        if let Some(n) = self.notifier.take() {
            n.stop().await;
        }
        self.state.store.close().await;
    }
}

/// Serves `state` on `listener` in a background task, with the webhook dispatcher.
pub fn start(state: AppState, listener: TcpListener) -> anyhow::Result<Running> {
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel::<()>();
    let app = NormalizePathLayer::trim_trailing_slash().layer(crate::http::router(state.clone()));
    let limits = crate::serve::Limits::from_config(&state.config);
    let task = tokio::spawn(crate::serve::serve(listener, app, limits, async move {
        let _ = rx.await;
    }));
    let dispatcher = Dispatcher::spawn(state.store.clone(), state.config.clone(), state.metrics.clone());
    let notifier = spawn_notifier(&state, addr);
    Ok(Running {
        addr,
        state,
        shutdown: Some(tx),
        task,
        dispatcher: Some(dispatcher),
        notifier,
    })
}

/// The email notifier (none without an SMTP host); links start with the public URL, else the
/// address served on.
fn spawn_notifier(state: &AppState, addr: SocketAddr) -> Option<crate::email::Notifier> {
    let base = state
        .config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    crate::email::Notifier::spawn(state.store.clone(), state.config.clone(), state.clock, base)
}

/// `docket serve`: binds its address first (so that a taken or unusable address creates
/// nothing and prints no token), then opens the database, runs the first-start bootstrap, and
/// serves until SIGTERM or SIGINT; then drains in-flight requests and webhook deliveries.
pub async fn run_until_signal(config: Config) -> anyhow::Result<()> {
    let listener = TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let state = build_state(config).await?;
    first_run_bootstrap(&state, addr).await?;
    tracing::info!(addr = %listener.local_addr()?, backend = ?state.store.kind(), "docket is serving");
    let app = NormalizePathLayer::trim_trailing_slash().layer(crate::http::router(state.clone()));
    let dispatcher = Dispatcher::spawn(state.store.clone(), state.config.clone(), state.metrics.clone());
    let notifier = spawn_notifier(&state, addr);
    let limits = crate::serve::Limits::from_config(&state.config);
    let served = crate::serve::serve(listener, app, limits, shutdown_signal()).await;
    tracing::info!("in-flight requests finished; stopping the webhook dispatcher");
    dispatcher.stop().await;
    if let Some(n) = notifier {
        n.stop().await;
    }
    served?;
    tracing::info!("webhook deliveries finished; closing the database");
    state.store.close().await;
    Ok(())
}

/// On a database with no organization at all, creates one with an admin and prints its token
/// once on stdout with a `curl` line for the bound address `addr`. Never runs when a bootstrap
/// file is set.
async fn first_run_bootstrap(state: &AppState, addr: SocketAddr) -> anyhow::Result<()> {
    if state.config.bootstrap.is_some() || state.store.count_organizations().await? > 0 {
        return Ok(());
    }
    let out = crate::admin::bootstrap(
        &state.store,
        crate::admin::BootstrapArgs {
            org_name: "My organization".into(),
            email: "admin@docket.local".into(),
            org_id: None,
            user_id: None,
            token: None,
            first_name: "Admin".into(),
            last_name: String::new(),
        },
        state.clock.now(),
    )
    .await?;
    println!(
        "First start: created organization {} with admin user {} (admin@docket.local).",
        out.org_id, out.user_id
    );
    println!("Its API token (shown once; only a hash is stored): {}", out.token);
    println!(
        "Try: curl -H 'Authorization: Bearer {}' -H 'X-Tallyfy-Client: APIClient' http://{addr}/organizations/{}/me",
        out.token, out.org_id
    );
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown requested; draining in-flight requests");
}
