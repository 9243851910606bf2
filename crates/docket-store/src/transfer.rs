//! Moving all data between databases (`docket export` / `docket import`) and the online SQLite
//! backup (`docket backup`).
//!
//! [`TABLES`] is the one list of every table the migrations make, each with its [`TableKind`];
//! a test checks that a migrated database of each backend has no table missing from it, so a
//! new migration cannot be forgotten here.
//!
//! The export file is JSON lines, the same for both backends:
//!
//! ```text
//! {"format":"docket-export","format_version":1,"docket_version":"0.1.0","exported_at":…,"tables":{"organizations":2,…}}
//! {"table":"organizations","columns":["allow_manage_groups",…],"rows":2}
//! [true,…]                       one JSON array per row, values in the order of "columns"
//! …
//! {"end":true,"rows":123}
//! ```
//!
//! Columns are sorted by name and rows by primary key (bytewise for text on both backends), so
//! the same data gives the same file whatever database it came from. Integers are JSON numbers,
//! booleans `true`/`false`, everything else strings, NULL `null`. Tokens are in it as the hashes
//! the database stores, never in plain text. Export reads one snapshot (a read transaction);
//! import writes into an empty, migrated database in one transaction, in batches.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Store, StoreError, StoreResult};

/// What the export file says it is.
pub const FORMAT: &str = "docket-export";
/// The version of the file format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// How export and import treat a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// Data: exported, and imported into an empty table.
    Data,
    /// Rows the migrations create (e.g. `counters`): exported, and imported over the seeded
    /// rows of the same key.
    Seeded,
    /// Rebuilt by the target itself, never exported: the SQLite text-search tables (kept by
    /// triggers on `tasks` and `runs`), PostgreSQL's rate-limit log, the migration history.
    Derived,
}

/// One table of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    /// Its name.
    pub name: &'static str,
    /// How it moves.
    pub kind: TableKind,
    /// Its primary key (the export's row order); empty for derived tables.
    pub key: &'static [&'static str],
}

const fn data(name: &'static str, key: &'static [&'static str]) -> Table {
    Table {
        name,
        kind: TableKind::Data,
        key,
    }
}

const fn derived(name: &'static str) -> Table {
    Table {
        name,
        kind: TableKind::Derived,
        key: &[],
    }
}

/// Every table, in an order that satisfies the foreign keys when inserted front to back.
pub const TABLES: &[Table] = &[
    data("organizations", &["id"]),
    data("users", &["id"]),
    data("memberships", &["org_id", "user_id"]),
    data("tokens", &["hash"]),
    data("guests", &["id"]),
    data("org_groups", &["id"]),
    data("group_members", &["group_id", "user_id"]),
    data("group_guests", &["group_id", "guest_id"]),
    data("tags", &["id"]),
    data("folders", &["id"]),
    data("checklists", &["id"]),
    data("steps", &["id"]),
    data("template_fields", &["id"]),
    data("automations", &["id"]),
    Table {
        name: "counters",
        kind: TableKind::Seeded,
        key: &["name"],
    },
    data("runs", &["id"]),
    data("tasks", &["id"]),
    data("task_users", &["task_id", "user_id"]),
    data("task_guests", &["task_id", "guest_id"]),
    data("task_groups", &["task_id", "group_id"]),
    data("task_completions", &["task_id", "user_id"]),
    // Migration 0017: guests' completion records.
    data("task_guest_completions", &["task_id", "guest_id"]),
    data("captures", &["task_id", "id"]),
    data("threads", &["id"]),
    data("assets", &["id"]),
    data("tag_links", &["id"]),
    data("folder_objects", &["id"]),
    data("outbox", &["id"]),
    data("webhook_attempts", &["event_id", "attempt"]),
    data("idempotency_keys", &["token_hash", "idem_key"]),
    data("activity", &["entry_key"]),
    data("watchers", &["id"]),
    // Migration 0016: email notifications (the notifier's cursor row is made by the migration).
    Table {
        name: "email_cursor",
        kind: TableKind::Seeded,
        key: &["name"],
    },
    data("email_task_owners", &["task_id", "recipient"]),
    data("email_outbox", &["id"]),
    data("email_attempts", &["job_id", "attempt"]),
    // Migration 0012: members' passwords move with the data; sessions, one-time password links
    // and failed sign-ins do not (after an import everyone signs in again).
    data("user_passwords", &["user_id"]),
    derived("web_sessions"),
    derived("web_links"),
    derived("web_signin_failures"),
    // Migration 0019: one-time sign-in links by email stay behind too.
    derived("web_signin_links"),
    // SQLite (migration 0005): text-search content tables and FTS5 indexes with their shadow
    // tables, all kept by triggers when `tasks` and `runs` rows are inserted.
    derived("task_text"),
    derived("task_fts"),
    derived("task_fts_data"),
    derived("task_fts_idx"),
    derived("task_fts_docsize"),
    derived("task_fts_config"),
    derived("run_text"),
    derived("run_fts"),
    derived("run_fts_data"),
    derived("run_fts_idx"),
    derived("run_fts_docsize"),
    derived("run_fts_config"),
    // Both (migration 0007): each member's tasks with their list columns, kept by triggers
    // when assignments, group memberships and tasks are written.
    derived("member_tasks"),
    // Both (migration 0011): task counts per organization and status, kept by triggers on
    // `tasks`.
    derived("task_counts"),
    // Both (migration 0031): task counts per tag, kept by triggers on `tasks` and `tag_links`.
    derived("tag_task_counts"),
    // Both (migration 0032): task counts per member, kept by triggers on `member_tasks`.
    derived("member_task_counts"),
    // Both (migration 0033): task counts per deadline day, kept by triggers on `tasks`.
    derived("task_day_counts"),
    // Both (migration 0035): task counts per title word and the words titles have had, kept
    // by triggers on `tasks`.
    derived("word_task_counts"),
    derived("title_words"),
    // Both (migration 0022): the activity feed's counts, kept by the numbering of entries;
    // import rebuilds them from the imported entries.
    derived("activity_tally"),
    // PostgreSQL (migration 0006): the UNLOGGED shared rate-limit log; budgets start afresh.
    derived("rate_limit_hits"),
    // PostgreSQL (migration 0014): the bytes of the "postgres" file storage. They travel
    // beside an export as files, like those of every storage backend, not as rows.
    derived("blobs"),
    derived("blob_chunks"),
    // Both: sqlx's record of applied migrations, written by the target's own migration.
    derived("_sqlx_migrations"),
];

/// Columns that point at a row of their own table (a folder's parent), as (table, column). The
/// export orders rows by key, so a row may come before the row it points at: import inserts
/// these columns as NULL and sets them once the whole table is in.
pub const SELF_REFERENCES: &[(&str, &str)] = &[("folders", "parent_id")];

/// The value type of a column, the same on both backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnType {
    Int,
    Bool,
    Text,
}

impl ColumnType {
    /// From the declared type (SQLite) or `data_type` (PostgreSQL).
    pub(crate) fn from_declared(declared: &str) -> Option<ColumnType> {
        match declared.trim().to_ascii_uppercase().as_str() {
            "INTEGER" | "BIGINT" | "INT" | "INT8" | "SMALLINT" => Some(ColumnType::Int),
            "BOOLEAN" | "BOOL" => Some(ColumnType::Bool),
            "TEXT" | "CHARACTER VARYING" | "VARCHAR" => Some(ColumnType::Text),
            _ => None,
        }
    }
}

/// The first line of an export.
#[derive(Debug, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`] of the writer.
    pub format_version: u32,
    /// The docket version that wrote it.
    pub docket_version: String,
    /// When (epoch milliseconds).
    pub exported_at: i64,
    /// Rows per table.
    pub tables: BTreeMap<String, u64>,
}

/// The line before a table's rows.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct TableHead {
    pub table: String,
    pub columns: Vec<String>,
    pub rows: u64,
}

/// The last line.
#[derive(Debug, Serialize, Deserialize)]
struct End {
    end: bool,
    rows: u64,
}

/// What an export or import moved.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Rows per table.
    pub tables: BTreeMap<String, u64>,
    /// All rows.
    pub rows: u64,
}

/// Where exported rows go (implemented over the JSON-lines writer).
pub(crate) trait RowSink {
    fn table(&mut self, head: &TableHead) -> StoreResult<()>;
    fn row(&mut self, values: &[Value]) -> StoreResult<()>;
}

/// Where imported rows come from.
pub(crate) trait RowSource {
    /// The next table, or `None` at the end of the file.
    fn next_table(&mut self) -> StoreResult<Option<TableHead>>;
    /// The next row of the current table.
    fn next_row(&mut self) -> StoreResult<Vec<Value>>;
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Other(format!("cannot write the export: {e}"))
}

struct LineWriter<'a, W: Write> {
    out: &'a mut W,
    done: u64,
    total: u64,
    progress: &'a mut dyn FnMut(u64, u64),
}

impl<W: Write> RowSink for LineWriter<'_, W> {
    fn table(&mut self, head: &TableHead) -> StoreResult<()> {
        serde_json::to_writer(&mut *self.out, head).map_err(StoreError::other)?;
        self.out.write_all(b"\n").map_err(io)
    }

    fn row(&mut self, values: &[Value]) -> StoreResult<()> {
        serde_json::to_writer(&mut *self.out, values).map_err(StoreError::other)?;
        self.out.write_all(b"\n").map_err(io)?;
        self.done += 1;
        if self.done.is_multiple_of(1000) || self.done == self.total {
            (self.progress)(self.done, self.total);
        }
        Ok(())
    }
}

struct LineReader<R: BufRead> {
    input: R,
    line: String,
    number: u64,
    rows_left: u64,
    rows: u64,
    ended: bool,
}

impl<R: BufRead> LineReader<R> {
    fn read_line(&mut self) -> StoreResult<Option<&str>> {
        self.line.clear();
        let n = self
            .input
            .read_line(&mut self.line)
            .map_err(|e| StoreError::Other(format!("cannot read the export: {e}")))?;
        self.number += 1;
        Ok((n > 0).then(|| self.line.trim_end()))
    }

    fn bad(&self, what: impl std::fmt::Display) -> StoreError {
        StoreError::Other(format!("not a valid docket export (line {}): {what}", self.number))
    }
}

impl<R: BufRead> RowSource for LineReader<R> {
    fn next_table(&mut self) -> StoreResult<Option<TableHead>> {
        if self.ended {
            return Ok(None);
        }
        let Some(line) = self.read_line()? else {
            return Err(self.bad("the file ends early (no end line): truncated?"));
        };
        let value: Value = serde_json::from_str(line).map_err(|e| self.bad(e))?;
        if value.get("end").is_some() {
            let end: End = serde_json::from_value(value).map_err(|e| self.bad(e))?;
            if end.rows != self.rows {
                return Err(self.bad(format!(
                    "the end line counts {} rows, the file has {}",
                    end.rows, self.rows
                )));
            }
            self.ended = true;
            return Ok(None);
        }
        let head: TableHead = serde_json::from_value(value).map_err(|e| self.bad(e))?;
        self.rows_left = head.rows;
        Ok(Some(head))
    }

    fn next_row(&mut self) -> StoreResult<Vec<Value>> {
        if self.rows_left == 0 {
            return Err(self.bad("more rows read than the table line announced"));
        }
        let Some(line) = self.read_line()? else {
            return Err(self.bad("the file ends in the middle of a table: truncated?"));
        };
        let row: Vec<Value> =
            serde_json::from_str(line).map_err(|e| self.bad(format!("a row must be a JSON array: {e}")))?;
        self.rows_left -= 1;
        self.rows += 1;
        Ok(row)
    }
}

impl Store {
    /// The names of every table in the database (for the check that [`TABLES`] is complete).
    pub async fn table_names(&self) -> StoreResult<Vec<String>> {
        Ok(crate::on_read!(self, transfer::table_names())?)
    }

    /// Writes every data table to `out` in the export format, from one snapshot;
    /// `progress(done, total)` is called as rows are written.
    pub async fn export_to(
        &self,
        out: &mut impl Write,
        docket_version: &str,
        now: i64,
        progress: &mut dyn FnMut(u64, u64),
    ) -> StoreResult<Summary> {
        let exported = |t: &&Table| t.kind != TableKind::Derived;
        let tables: Vec<&Table> = TABLES.iter().filter(exported).collect();
        Ok(crate::on_read!(
            self,
            transfer::export(&tables, out, docket_version, now, progress)
        )?)
    }

    /// Reads an export from `input` into this database, which must be migrated and hold no
    /// data; everything in one transaction. `progress(done, total)` is called as rows go in.
    pub async fn import_from(&self, input: impl BufRead, progress: &mut dyn FnMut(u64, u64)) -> StoreResult<Summary> {
        let mut reader = LineReader {
            input,
            line: String::new(),
            number: 0,
            rows_left: 0,
            rows: 0,
            ended: false,
        };
        let header: Header = {
            let Some(line) = reader.read_line()? else {
                return Err(reader.bad("the file is empty"));
            };
            serde_json::from_str(line).map_err(|e| reader.bad(format!("no docket export header: {e}")))?
        };
        if header.format != FORMAT {
            return Err(reader.bad(format!("format {:?}, expected {FORMAT:?}", header.format)));
        }
        if header.format_version != FORMAT_VERSION {
            return Err(StoreError::Other(format!(
                "this export has format version {} (written by docket {}); this docket reads version {FORMAT_VERSION}",
                header.format_version, header.docket_version
            )));
        }
        let total: u64 = header.tables.values().sum();
        let result = crate::on_write!(
            self,
            crate::Stale::Identity,
            transfer::import(&mut reader, total, progress)
        );
        self.forget_counts();
        result
    }

    /// SQLite: a consistent copy of the whole database into the new file `target`, made while
    /// the server keeps writing (`VACUUM INTO`). PostgreSQL: an error that points to `pg_dump`.
    pub async fn backup_into(&self, target: &str) -> StoreResult<()> {
        match &self.backend {
            crate::Backend::Sqlite { read, .. } => {
                sqlx::query("VACUUM INTO $1").bind(target).execute(read).await?;
                Ok(())
            }
            crate::Backend::Postgres { .. } => Err(StoreError::Other(
                "docket backup copies SQLite databases; for PostgreSQL use pg_dump (e.g. `pg_dump -Fc -f docket.dump DBNAME`), or `docket export` for a portable copy".into(),
            )),
        }
    }
}

/// The export's writer, for the backend modules.
pub(crate) fn write_export<'a, W: Write>(
    out: &'a mut W,
    header: &Header,
    progress: &'a mut dyn FnMut(u64, u64),
) -> StoreResult<impl RowSink + 'a> {
    serde_json::to_writer(&mut *out, header).map_err(StoreError::other)?;
    out.write_all(b"\n").map_err(io)?;
    let total = header.tables.values().sum();
    progress(0, total);
    Ok(LineWriter {
        out,
        done: 0,
        total,
        progress,
    })
}

/// Writes the end line.
pub(crate) fn end_export(out: &mut impl Write, rows: u64) -> StoreResult<()> {
    serde_json::to_writer(&mut *out, &End { end: true, rows }).map_err(StoreError::other)?;
    out.write_all(b"\n").map_err(io)?;
    out.flush().map_err(io)
}

/// The table of the schema called `name`, if it moves (Data or Seeded).
pub(crate) fn movable(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name && t.kind != TableKind::Derived)
}
