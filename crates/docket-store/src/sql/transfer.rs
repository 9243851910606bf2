//! Export and import of every data table (see `crate::transfer`): the schema read from the
//! database itself, rows streamed out of one snapshot, and batched inserts in one transaction.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::Write;

use futures_util::TryStreamExt;
use serde_json::Value;
use sqlx::{Pool, Row, Transaction};

use super::{Db, IS_PG};
use crate::transfer::{
    self, ColumnType, Header, RowSink, RowSource, SELF_REFERENCES, Summary, TABLES, Table, TableHead, TableKind,
};
use crate::{StoreError, StoreResult};

type Query<'q> = sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>>;

/// Most bound values in one INSERT (both backends allow far more; this keeps statements small).
const MAX_VALUES_PER_INSERT: usize = 10_000;

/// Every table of the database.
pub(crate) async fn table_names(pool: &Pool<Db>) -> Result<Vec<String>, sqlx::Error> {
    let sql = if IS_PG {
        "SELECT CAST(table_name AS TEXT) FROM information_schema.tables
          WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"
    };
    sqlx::query_scalar(sql).fetch_all(pool).await
}

/// The columns of `table` with their types, sorted by name.
async fn columns(tx: &mut Transaction<'static, Db>, table: &str) -> StoreResult<Vec<(String, ColumnType)>> {
    let sql = if IS_PG {
        "SELECT CAST(column_name AS TEXT), CAST(data_type AS TEXT) FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = $1"
    } else {
        "SELECT name, type FROM pragma_table_info($1)"
    };
    let rows: Vec<(String, String)> = sqlx::query_as(sql).bind(table).fetch_all(&mut **tx).await?;
    if rows.is_empty() {
        return Err(StoreError::Other(format!(
            "table {table} does not exist: is the database migrated?"
        )));
    }
    let mut out = Vec::with_capacity(rows.len());
    for (name, declared) in rows {
        let ty = ColumnType::from_declared(&declared).ok_or_else(|| {
            StoreError::Other(format!(
                "column {table}.{name} has type {declared}, which export does not know"
            ))
        })?;
        out.push((name, ty));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Writes the export of `tables` from one snapshot.
pub(crate) async fn export(
    pool: &Pool<Db>,
    tables: &[&Table],
    out: &mut impl Write,
    docket_version: &str,
    now: i64,
    progress: &mut dyn FnMut(u64, u64),
) -> StoreResult<Summary> {
    let mut tx = pool.begin().await?;
    if IS_PG {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
    }
    // On SQLite (WAL) the snapshot is taken by the first read of the transaction.
    let mut plans = Vec::with_capacity(tables.len());
    let mut counts = BTreeMap::new();
    for t in tables {
        let cols = columns(&mut tx, t.name).await?;
        let count: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", t.name))
            .fetch_one(&mut *tx)
            .await?;
        counts.insert(t.name.to_string(), count as u64);
        plans.push((*t, cols, count as u64));
    }
    let header = Header {
        format: transfer::FORMAT.into(),
        format_version: transfer::FORMAT_VERSION,
        docket_version: docket_version.into(),
        exported_at: now,
        tables: counts.clone(),
    };
    let mut rows_written = 0u64;
    {
        let mut sink = transfer::write_export(out, &header, progress)?;
        for (t, cols, count) in &plans {
            sink.table(&TableHead {
                table: t.name.into(),
                columns: cols.iter().map(|(n, _)| n.clone()).collect(),
                rows: *count,
            })?;
            let select: Vec<&str> = cols.iter().map(|(n, _)| n.as_str()).collect();
            let order: Vec<String> = t
                .key
                .iter()
                .map(|k| {
                    let text = cols.iter().any(|(n, ty)| n == k && *ty == ColumnType::Text);
                    // Bytewise on both backends (SQLite's BINARY; PostgreSQL's "C").
                    if IS_PG && text {
                        format!("{k} COLLATE \"C\"")
                    } else {
                        (*k).to_string()
                    }
                })
                .collect();
            let sql = format!(
                "SELECT {} FROM {} ORDER BY {}",
                select.join(", "),
                t.name,
                order.join(", ")
            );
            let mut stream = sqlx::query(&sql).fetch(&mut *tx);
            let mut n = 0u64;
            let mut values = Vec::with_capacity(cols.len());
            while let Some(row) = stream.try_next().await? {
                values.clear();
                for (i, (_, ty)) in cols.iter().enumerate() {
                    values.push(match ty {
                        ColumnType::Int => row.try_get::<Option<i64>, _>(i)?.map_or(Value::Null, Value::from),
                        ColumnType::Bool => row.try_get::<Option<bool>, _>(i)?.map_or(Value::Null, Value::from),
                        ColumnType::Text => row.try_get::<Option<String>, _>(i)?.map_or(Value::Null, Value::from),
                    });
                }
                sink.row(&values)?;
                n += 1;
            }
            if n != *count {
                return Err(StoreError::Other(format!(
                    "table {} changed during the export ({count} rows counted, {n} read)",
                    t.name
                )));
            }
            rows_written += n;
        }
    }
    transfer::end_export(out, rows_written)?;
    tx.rollback().await?;
    Ok(Summary {
        tables: counts,
        rows: rows_written,
    })
}

/// Reads every table of `src` into the empty database, in one transaction.
pub(crate) async fn import(
    pool: &Pool<Db>,
    src: &mut dyn RowSource,
    total: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> StoreResult<Summary> {
    let mut tx = pool.begin().await?;
    for t in TABLES.iter().filter(|t| t.kind == TableKind::Data) {
        let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM (SELECT 1 FROM {} LIMIT 1) x", t.name))
            .fetch_one(&mut *tx)
            .await?;
        if rows > 0 {
            return Err(StoreError::Other(format!(
                "the target database is not empty (table {} has rows): import only into a new database \
                 (`docket import` migrates it first; do not start `docket serve` on it before, which \
                 creates an organization)",
                t.name
            )));
        }
    }
    progress(0, total);
    let mut summary = Summary::default();
    let mut seen: Vec<&str> = Vec::new();
    while let Some(head) = src.next_table()? {
        let table = transfer::movable(&head.table).ok_or_else(|| {
            StoreError::Other(format!(
                "the export has a table this docket does not know: {}",
                head.table
            ))
        })?;
        if seen.contains(&table.name) {
            return Err(StoreError::Other(format!(
                "table {} appears twice in the export",
                table.name
            )));
        }
        seen.push(table.name);
        let target: HashMap<String, ColumnType> = columns(&mut tx, table.name).await?.into_iter().collect();
        let mut types = Vec::with_capacity(head.columns.len());
        for c in &head.columns {
            types.push(*target.get(c).ok_or_else(|| {
                StoreError::Other(format!(
                    "column {}.{c} of the export does not exist in this database (an export of a newer docket?)",
                    table.name
                ))
            })?);
        }
        let per_batch = (MAX_VALUES_PER_INSERT / head.columns.len().max(1)).clamp(1, 500);
        let mut batch: Vec<Vec<Value>> = Vec::with_capacity(per_batch);
        let deferred = deferred_column(table, &head.columns);
        let mut links: Vec<(Value, Value, ColumnType, ColumnType)> = Vec::new();
        for _ in 0..head.rows {
            let mut row = src.next_row()?;
            if row.len() != head.columns.len() {
                return Err(StoreError::Other(format!(
                    "a row of {} has {} values for {} columns",
                    table.name,
                    row.len(),
                    head.columns.len()
                )));
            }
            if let Some((key, col)) = deferred {
                let target = std::mem::replace(&mut row[col], Value::Null);
                if !target.is_null() {
                    links.push((row[key].clone(), target, types[key], types[col]));
                }
            }
            batch.push(row);
            if batch.len() == per_batch {
                insert(&mut tx, table, &head.columns, &types, &batch).await?;
                summary.rows += batch.len() as u64;
                progress(summary.rows, total);
                batch.clear();
            }
        }
        if !batch.is_empty() {
            insert(&mut tx, table, &head.columns, &types, &batch).await?;
            summary.rows += batch.len() as u64;
            progress(summary.rows, total);
        }
        if let Some((key, col)) = deferred {
            let sql = format!(
                "UPDATE {} SET {} = $1 WHERE {} = $2",
                table.name, head.columns[col], head.columns[key]
            );
            for (id, target, key_ty, col_ty) in &links {
                let q = bind(sqlx::query(&sql), target, *col_ty)
                    .and_then(|q| bind(q, id, *key_ty))
                    .ok_or_else(|| StoreError::Other(format!("{}: {target} is not a valid value", table.name)))?;
                q.execute(&mut *tx).await?;
            }
        }
        summary.tables.insert(table.name.to_string(), head.rows);
    }
    // The feed's counts (`activity_tally.rs`) of the imported entries that were numbered; the
    // others are counted when they are numbered.
    sqlx::query("DELETE FROM activity_tally").execute(&mut *tx).await?;
    sqlx::query(&super::activity_tally::REBUILD).execute(&mut *tx).await?;
    // The id counters stay above every imported id, also if the source's were behind.
    for (counter, sql) in [
        ("user_id", "SELECT COALESCE(MAX(id), 0) FROM users"),
        ("guest_id", "SELECT COALESCE(MAX(id), 0) FROM guests"),
        ("tag_link_id", "SELECT COALESCE(MAX(id), 0) FROM tag_links"),
        ("folder_object_id", "SELECT COALESCE(MAX(id), 0) FROM folder_objects"),
        ("membership_seq", "SELECT COALESCE(MAX(joined_seq), 0) FROM memberships"),
    ] {
        let max: i64 = sqlx::query_scalar(sql).fetch_one(&mut *tx).await?;
        super::counters::raise(&mut *tx, counter, max).await?;
    }
    tx.commit().await?;
    Ok(summary)
}

/// For a table with a [`SELF_REFERENCES`] column: the indexes of its one-column key and of that
/// column among `columns`.
fn deferred_column(table: &Table, columns: &[String]) -> Option<(usize, usize)> {
    let (_, column) = SELF_REFERENCES.iter().find(|(t, _)| *t == table.name)?;
    let [key] = table.key else { return None };
    let at = |name: &str| columns.iter().position(|c| c == name);
    Some((at(key)?, at(column)?))
}

async fn insert(
    tx: &mut Transaction<'static, Db>,
    table: &Table,
    columns: &[String],
    types: &[ColumnType],
    rows: &[Vec<Value>],
) -> StoreResult<()> {
    let mut sql = format!("INSERT INTO {} ({}) VALUES ", table.name, columns.join(", "));
    let mut n = 0;
    for r in 0..rows.len() {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..columns.len() {
            n += 1;
            let _ = write!(sql, "{}${n}", if c == 0 { "" } else { ", " });
        }
        sql.push(')');
    }
    if table.kind == TableKind::Seeded {
        let sets: Vec<String> = columns
            .iter()
            .filter(|c| !table.key.contains(&c.as_str()))
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        let _ = write!(
            sql,
            " ON CONFLICT ({}) DO UPDATE SET {}",
            table.key.join(", "),
            sets.join(", ")
        );
    }
    let mut q: Query<'_> = sqlx::query(&sql);
    for row in rows {
        for ((value, ty), column) in row.iter().zip(types).zip(columns) {
            q = bind(q, value, *ty).ok_or_else(|| {
                StoreError::Other(format!("{}.{column}: {value} is not a valid {ty:?} value", table.name))
            })?;
        }
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// Binds `value` as `ty` (`None` when it is of the wrong JSON type).
fn bind<'q>(q: Query<'q>, value: &Value, ty: ColumnType) -> Option<Query<'q>> {
    Some(match (ty, value) {
        (ColumnType::Int, Value::Null) => q.bind(None::<i64>),
        (ColumnType::Bool, Value::Null) => q.bind(None::<bool>),
        (ColumnType::Text, Value::Null) => q.bind(None::<String>),
        (ColumnType::Int, v) => q.bind(Some(v.as_i64()?)),
        (ColumnType::Bool, Value::Bool(b)) => q.bind(Some(*b)),
        (ColumnType::Bool, v) => q.bind(Some(v.as_i64()? != 0)),
        (ColumnType::Text, Value::String(s)) => q.bind(Some(s.clone())),
        (ColumnType::Text, _) => return None,
    })
}
