//! The rate-limit budget shared by every docket process on one PostgreSQL database.

use crate::model::RateHit;
use crate::{Backend, Store, StoreError, StoreResult};

impl Store {
    /// Whether this store can hold a rate-limit budget shared between processes (PostgreSQL).
    pub fn shares_rate_limit(&self) -> bool {
        matches!(self.backend, Backend::Postgres { .. })
    }

    /// Counts one request of `bucket` against `limit` per `window_ms` (one round trip; see
    /// `docket_rate_limit_hit` in migrations/postgres). `now` is epoch ms, `None` for the
    /// database clock. A refused request is not counted. PostgreSQL only.
    pub async fn rate_limit_hit(
        &self,
        bucket: &str,
        limit: u32,
        window_ms: i64,
        now: Option<i64>,
    ) -> StoreResult<RateHit> {
        match &self.backend {
            Backend::Postgres { pool, .. } => Ok(sqlx::query_as::<_, RateHit>(
                "SELECT allowed, used, oldest, now_ms FROM docket_rate_limit_hit($1, $2, $3, $4)",
            )
            .bind(bucket)
            .bind(i64::from(limit))
            .bind(window_ms)
            .bind(now)
            .fetch_one(pool)
            .await?),
            Backend::Sqlite { .. } => Err(StoreError::Other(
                "a shared rate limit needs PostgreSQL; SQLite keeps it in memory".into(),
            )),
        }
    }

    /// Deletes the counted requests of every bucket, idle ones too, that have left the window
    /// of `window_ms` before the database clock; returns how many. Nothing to do on SQLite.
    pub async fn prune_rate_limit(&self, window_ms: i64) -> StoreResult<u64> {
        match &self.backend {
            Backend::Postgres { pool, .. } => Ok(sqlx::query(
                "DELETE FROM rate_limit_hits WHERE at <= floor(extract(epoch FROM clock_timestamp()) * 1000)::BIGINT - $1",
            )
            .bind(window_ms)
            .execute(pool)
            .await?
            .rows_affected()),
            Backend::Sqlite { .. } => Ok(0),
        }
    }
}
