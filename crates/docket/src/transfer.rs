//! `docket backup`, `docket export` and `docket import`: an online copy of a SQLite database,
//! and moving all data between databases of either backend through a portable file (the
//! format and the table list are `docket_store::transfer`'s). The stored files the assets
//! name travel beside the file, in the directory [`files_dir`] (`FILE.files/`, laid out as the
//! local storage: `ab/abcdef…` by SHA-256), and are checked against their names on import.
//! They are read from and written to the configured storage through its trait, whichever
//! backend it is (a local directory, the PostgreSQL database, an S3 bucket).

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use docket_store::{Store, StoreOptions};

use crate::config::Config;
use crate::progress::Progress;
use crate::storage::local::LocalDir;
use crate::storage::{BlobStore, Storage};

/// The directory beside an export or backup file that holds the files its assets name.
pub fn files_dir(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_os_string();
    name.push(".files");
    PathBuf::from(name)
}

/// The `sha256` of every asset row in an export file (read back from the file, so that the
/// files copied are exactly those of the snapshot it holds). Lenient: what is not a well-formed
/// export is left for the import itself to refuse with its own message.
fn exported_shas(file: &Path) -> anyhow::Result<Vec<String>> {
    use std::io::BufRead;
    let mut shas = Vec::new();
    let mut lines = BufReader::new(File::open(file)?).lines();
    while let Some(Ok(line)) = lines.next() {
        if !line.starts_with('{') {
            continue;
        }
        let Ok(head) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if head["table"] != "assets" {
            continue;
        }
        let Some(at) = head["columns"]
            .as_array()
            .and_then(|c| c.iter().position(|c| c == "sha256"))
        else {
            break;
        };
        for _ in 0..head["rows"].as_u64().unwrap_or(0) {
            let Some(Ok(row)) = lines.next() else { break };
            if let Some(sha) = serde_json::from_str::<serde_json::Value>(&row)
                .ok()
                .and_then(|r| r[at].as_str().map(str::to_string))
            {
                shas.push(sha);
            }
        }
        break;
    }
    shas.sort();
    shas.dedup();
    Ok(shas)
}

/// Copies the stored files `shas` from the configured storage to `FILE.files/`; how many.
/// A file deleted since the snapshot is skipped with a warning.
async fn copy_files_out(config: &Config, shas: &[String], file: &Path) -> anyhow::Result<usize> {
    if shas.is_empty() {
        return Ok(0);
    }
    let storage = Storage::connect(config).await?;
    let dir = files_dir(file);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let out = LocalDir::open(&dir);
    let mut copied = 0;
    for sha in shas {
        let Some(bytes) = storage.get(sha, None).await? else {
            eprintln!("warning: stored file {sha} is gone (its asset was deleted after the snapshot); not copied");
            continue;
        };
        let staged = out.stage(bytes, u64::MAX).await?;
        if &staged.sha256 != sha {
            bail!(
                "stored file {sha} does not match its name (its content hashes to {})",
                staged.sha256
            );
        }
        out.commit(staged).await?;
        copied += 1;
    }
    Ok(copied)
}

/// Copies the files the assets of export `file` name from `FILE.files/` into the configured
/// storage, each checked against its SHA-256, before any row is imported; how many.
async fn copy_files_in(config: &Config, file: &Path) -> anyhow::Result<usize> {
    let shas = exported_shas(file)?;
    if shas.is_empty() {
        return Ok(0);
    }
    let dir = files_dir(file);
    let source = LocalDir::open(&dir);
    let storage = Storage::connect(config).await?;
    for sha in &shas {
        let bytes = source
            .get(sha, None)
            .await?
            .with_context(|| format!("{} has no file {sha}, which an imported asset names", dir.display()))?;
        let stored = storage.put(bytes, u64::MAX).await?;
        if &stored.sha256 != sha {
            bail!("{}: file {sha} does not match its name", dir.display());
        }
    }
    Ok(shas.len())
}

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
    let copy = Store::connect(&StoreOptions::new(format!("sqlite://{target}")))
        .await
        .context("cannot read the backup back")?;
    let shas = copy.asset_shas().await;
    copy.close().await;
    let files = copy_files_out(config, &shas?, to).await?;
    if files > 0 {
        println!("copied {files} stored files to {}", files_dir(to).display());
    }
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
    let files = copy_files_out(config, &exported_shas(to)?, to).await?;
    if files > 0 {
        println!("copied {files} stored files to {}", files_dir(to).display());
    }
    println!(
        "exported {} rows of {} tables from {} to {}",
        summary.rows,
        summary.tables.len(),
        docket_store::redact_url(&config.database_url),
        to.display()
    );
    Ok(())
}

/// `docket import --from FILE`: into a new (empty) database, migrated first (the `postgres`
/// storage backend keeps the files in it); the files go in before any row.
pub async fn import(config: &Config, from: &Path) -> anyhow::Result<()> {
    let file = File::open(from).with_context(|| format!("cannot open {}", from.display()))?;
    let store = crate::startup::open_store(config).await?;
    let files = match copy_files_in(config, from).await {
        Ok(n) => n,
        Err(e) => {
            store.close().await;
            return Err(e.context(format!("cannot import {}", from.display())));
        }
    };
    let mut bar = Progress::new("rows");
    let result = store
        .import_from(BufReader::new(file), &mut |done, total| bar.set(done, total))
        .await;
    bar.finish();
    store.close().await;
    let summary = result.with_context(|| format!("cannot import {}", from.display()))?;
    if files > 0 {
        println!("copied {files} stored files from {}", files_dir(from).display());
    }
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
