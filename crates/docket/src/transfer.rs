//! `docket backup`, `docket export` and `docket import`: an online copy of a SQLite database,
//! and moving all data between databases of either backend through a portable file (the
//! format and the table list are `docket_store::transfer`'s).

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use docket_store::{Store, StoreOptions};

use crate::config::Config;
use crate::progress::Progress;

/// `docket backup --to FILE`: `VACUUM INTO` a new file while the server keeps serving.
pub async fn backup(config: &Config, to: &Path) -> anyhow::Result<()> {
    let url = config.database_url.trim();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        bail!(
            "docket backup copies SQLite databases; for PostgreSQL use pg_dump \
             (e.g. `pg_dump -Fc -f docket.dump DBNAME`), or `docket export` for a portable copy"
        );
    }
    refuse_existing(to)?;
    let started = Instant::now();
    // No migration: the copy is of the database as it is, and the server owns its schema.
    let store = Store::connect(&StoreOptions::new(url))
        .await
        .with_context(|| format!("cannot open database {}", docket_store::redact_url(url)))?;
    let target = to
        .to_str()
        .with_context(|| format!("the backup path {} is not valid UTF-8", to.display()))?;
    let result = store.backup_into(target).await;
    store.close().await;
    if let Err(e) = result {
        let _ = std::fs::remove_file(to);
        return Err(e).with_context(|| format!("cannot back up to {}", to.display()));
    }
    let bytes = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
    println!(
        "backed up {} to {} ({bytes} bytes) in {:.1} s",
        docket_store::redact_url(url),
        to.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `docket export --to FILE`.
pub async fn export(config: &Config, to: &Path) -> anyhow::Result<()> {
    refuse_existing(to)?;
    let store = crate::startup::open_store(config).await?;
    let file = File::create_new(to).with_context(|| format!("cannot create {}", to.display()))?;
    let mut out = BufWriter::new(file);
    let mut bar = Progress::new("rows");
    let now = config.now.unwrap_or_else(docket_domain::time::now_ms);
    let result = store
        .export_to(&mut out, env!("CARGO_PKG_VERSION"), now, &mut |done, total| {
            bar.set(done, total)
        })
        .await;
    bar.finish();
    store.close().await;
    let summary = match result.map_err(anyhow::Error::from).and_then(|s| {
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        Ok(s)
    }) {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(to);
            return Err(e.context(format!("cannot export to {}", to.display())));
        }
    };
    println!(
        "exported {} rows of {} tables from {} to {}",
        summary.rows,
        summary.tables.len(),
        docket_store::redact_url(&config.database_url),
        to.display()
    );
    Ok(())
}

/// `docket import --from FILE`: into a new (empty) database, migrated first.
pub async fn import(config: &Config, from: &Path) -> anyhow::Result<()> {
    let file = File::open(from).with_context(|| format!("cannot open {}", from.display()))?;
    let store = crate::startup::open_store(config).await?;
    let mut bar = Progress::new("rows");
    let result = store
        .import_from(BufReader::new(file), &mut |done, total| bar.set(done, total))
        .await;
    bar.finish();
    store.close().await;
    let summary = result.with_context(|| format!("cannot import {}", from.display()))?;
    println!(
        "imported {} rows of {} tables from {} into {}",
        summary.rows,
        summary.tables.len(),
        from.display(),
        docket_store::redact_url(&config.database_url)
    );
    Ok(())
}

fn refuse_existing(to: &Path) -> anyhow::Result<()> {
    if to.exists() {
        bail!(
            "{} already exists; choose a new file (it is never overwritten)",
            to.display()
        );
    }
    Ok(())
}
