//! A `WHERE` clause built from fixed SQL fragments and the values they bind, in placeholder order:
//! user input only ever reaches the database as a bound value. Shared by the task list, the run
//! list, search and the activity feed; also the sets of ids bound as one JSON array.

pub(crate) use crate::list_plan::{Lists, Shape};
use crate::memo::Lookup;

/// One bound value.
#[derive(Clone)]
pub(crate) enum Arg {
    Int(i64),
    Text(String),
    /// The request time (or a time derived from it): bound like `Int`, but left out of the
    /// remembered total's key (see `memo.rs`).
    Now(i64),
}

/// `AND`-ed conditions and the values they bind, in placeholder order.
#[derive(Default, Clone)]
pub(crate) struct Where {
    clauses: Vec<String>,
    pub(crate) args: Vec<Arg>,
}

impl Where {
    /// Binds `arg` and returns its placeholder.
    pub(crate) fn bind(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    /// Binds every value and returns the comma-separated placeholders.
    pub(crate) fn bind_all(&mut self, args: impl IntoIterator<Item = Arg>) -> String {
        args.into_iter().map(|a| self.bind(a)).collect::<Vec<_>>().join(", ")
    }

    pub(crate) fn push(&mut self, clause: String) {
        self.clauses.push(clause);
    }

    pub(crate) fn sql(&self) -> String {
        self.clauses.join(" AND ")
    }

    /// `sql` and the bound values, the request time excepted: the key of a remembered total.
    fn key(&self, sql: &str) -> String {
        use std::fmt::Write;
        let mut key = sql.to_string();
        for a in &self.args {
            let _ = match a {
                Arg::Int(v) => write!(key, "\u{1}i{v}"),
                Arg::Text(s) => write!(key, "\u{1}t{}:{s}", s.len()),
                Arg::Now(_) => write!(key, "\u{1}now"),
            };
        }
        key
    }
}

/// The set of the ids in the JSON array bound at placeholder `p`, as a subquery's select.
pub(crate) fn id_set(p: &str) -> String {
    if super::IS_PG {
        format!("SELECT jsonb_array_elements_text(CAST({p} AS jsonb)) AS value")
    } else {
        format!("SELECT value FROM json_each({p})")
    }
}

/// The set of the integers in the JSON array bound at placeholder `p`, as a subquery's select.
pub(crate) fn int_set(p: &str) -> String {
    if super::IS_PG {
        format!("SELECT CAST(jsonb_array_elements_text(CAST({p} AS jsonb)) AS BIGINT) AS value")
    } else {
        format!("SELECT value FROM json_each({p})")
    }
}

/// `col` is one of the values of `set` (an [`id_set`] or [`int_set`]). On PostgreSQL as
/// `= ANY(ARRAY(…))`: the set is read once and the column probed through its index for each
/// value, where `IN (…)` took the set function for 100 rows and hashed a sequential scan of the
/// table against it (2 ms for a page's 60 runs among 5,869).
pub(crate) fn in_set(col: &str, set: &str) -> String {
    if super::IS_PG {
        format!("{col} = ANY(ARRAY({set}))")
    } else {
        format!("{col} IN ({set})")
    }
}

/// `values` as a JSON array, to bind for [`id_set`] or [`int_set`]: one statement text however
/// many there are, so that it is prepared once (a list of placeholders is a new statement, and
/// a new entry in the connection's statement cache, for each length).
pub(crate) fn json_array<T: serde::Serialize>(values: &[T]) -> String {
    serde_json::to_string(values).unwrap_or_else(|_| "[]".to_string())
}

/// Binds `args` to a query, in order.
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Int(v) | Arg::Now(v) => q.bind(*v),
                Arg::Text(s) => q.bind(s.as_str()),
            };
        }
        q
    }};
}
pub(crate) use bind_args;

/// `sql`, a query of one text column (ids), with `args` bound in order.
pub(crate) fn bound_ids<'q>(
    sql: &'q str,
    args: &'q [Arg],
) -> sqlx::query::QueryScalar<'q, super::Db, String, <super::Db as sqlx::Database>::Arguments<'q>> {
    bind_args!(sqlx::query_scalar::<_, String>(sql), args)
}

/// The count statement of `FROM {from} WHERE {w}` and the key its total is remembered under.
pub(crate) fn count_key(w: &Where, from: &str) -> (String, String) {
    let count_sql = format!("SELECT COUNT(*) FROM {from} WHERE {}", w.sql());
    let key = w.key(&count_sql);
    (count_sql, key)
}

/// Runs `count_sql` and remembers the total under `key`.
async fn count(
    pool: &sqlx::Pool<super::Db>,
    lists: &Lists,
    key: String,
    count_sql: &str,
    args: &[Arg],
) -> Result<i64, sqlx::Error> {
    let read_at = lists.generation.current();
    let started = std::time::Instant::now();
    let total: i64 = bind_args!(sqlx::query_scalar::<_, i64>(count_sql), args)
        .fetch_one(pool)
        .await?;
    lists
        .counts
        .put_read_in(key, read_at, &lists.generation, total, started.elapsed());
    Ok(total)
}

/// The number of rows of `FROM {from} WHERE …` and the ids (`{alias}.id`) of one window of them
/// in `order_by` order: the shape of every paginated list (tasks, runs, search buckets).
/// `filter` writes the `WHERE` clause in the requested [`Shape`]; the total is counted in the
/// `Drive` shape (or remembered from an earlier page), and the page is read in the shape that
/// suits its total.
pub(crate) async fn count_and_page(
    pool: &sqlx::Pool<super::Db>,
    lists: Lists,
    filter: impl Fn(Shape) -> Where,
    from: &str,
    alias: &str,
    order_by: &str,
    window: crate::query::Window,
) -> Result<(Vec<String>, i64), sqlx::Error> {
    let w = filter(Shape::Drive);
    let total = remembered_count(pool, &lists, &w, from).await?;
    let ids = page(pool, &lists, w, filter, from, alias, order_by, window, total, None).await?;
    Ok((ids, total))
}

/// The number of rows of `FROM {from} WHERE {w}`, counted now (neither remembered nor looked
/// up): the parts of a total read from kept counts.
pub(crate) async fn count_where(pool: &sqlx::Pool<super::Db>, from: &str, w: &Where) -> Result<i64, sqlx::Error> {
    let sql = format!("SELECT COUNT(*) FROM {from} WHERE {}", w.sql());
    bind_args!(sqlx::query_scalar::<_, i64>(&sql), &w.args)
        .fetch_one(pool)
        .await
}

/// The number of rows of `FROM {from} WHERE {w}` (`w` in the `Drive` shape): remembered from an
/// earlier page, else counted by one caller at a time.
pub(crate) async fn remembered_count(
    pool: &sqlx::Pool<super::Db>,
    lists: &Lists,
    w: &Where,
    from: &str,
) -> Result<i64, sqlx::Error> {
    let (count_sql, key) = count_key(w, from);
    let total = match lists.counts.lookup(&key, &lists.generation) {
        Lookup::Valid(total) => total,
        Lookup::Refresh(total) => {
            // Past its time to live with no write since: this page uses it, and it is counted
            // again in the background, so that no request waits for a recount of a big total.
            let (pool, lists, args) = (pool.clone(), lists.clone(), w.args.clone());
            tokio::spawn(async move {
                let _turn = lists.counting.enter(&key).await;
                let _ = count(&pool, &lists, key, &count_sql, &args).await;
            });
            total
        }
        Lookup::Missing => {
            let _turn = lists.counting.enter(&key).await;
            match lists.counts.fresh(&key, &lists.generation) {
                Some(total) => total,
                None => count(pool, lists, key, &count_sql, &w.args).await?,
            }
        }
    };
    Ok(total)
}

/// About how many rows a walk in sort order passes to reach the end of `window`, through
/// `universe` rows of which `total` match, spread evenly.
pub(crate) fn walk_passes(window: crate::query::Window, total: i64, universe: i64) -> i128 {
    let reach = window.offset.saturating_add(window.sql_limit().clamp(0, 1 << 20));
    i128::from(reach) * i128::from(universe) / i128::from(total.max(1))
}

/// The ids of one window of `FROM {from} WHERE …` in `order_by` order, out of `total` matches
/// (counted by the caller): read from the `Drive` shape `w` when the total is small, else by a
/// walk in sort order. Given the number of rows the walk passes through (`universe`, when the
/// caller knows it), a total above `drive_max` is still read from its sets when the walk would
/// pass more rows than the sets hold: a walk reaches the end of the window after about
/// `(offset + limit) × universe / total` rows when the matches are spread evenly.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn page(
    pool: &sqlx::Pool<super::Db>,
    lists: &Lists,
    w: Where,
    filter: impl Fn(Shape) -> Where,
    from: &str,
    alias: &str,
    order_by: &str,
    window: crate::query::Window,
    total: i64,
    universe: Option<i64>,
) -> Result<Vec<String>, sqlx::Error> {
    if total <= window.offset {
        return Ok(Vec::new());
    }
    let walk_passes = universe.map(|u| walk_passes(window, total, u));
    let mut w = if total <= lists.drive_max || walk_passes.is_some_and(|rows| rows > i128::from(total)) {
        w
    } else {
        filter(Shape::Walk)
    };
    let limit = w.bind(Arg::Int(window.sql_limit()));
    let offset = w.bind(Arg::Int(window.offset));
    let page_sql = format!(
        "SELECT {alias}.id FROM {from} WHERE {} ORDER BY {order_by} LIMIT {limit} OFFSET {offset}",
        w.sql()
    );
    bind_args!(sqlx::query_scalar::<_, String>(&page_sql), &w.args)
        .fetch_all(pool)
        .await
}
