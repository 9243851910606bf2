//! Idempotency keys.

use crate::model::IdempotencyClaim;
use crate::{Stale, Store, StoreResult, on_write};

impl Store {
    /// Claims `(token_hash, key)` for a request; entries created before `expired_before` count
    /// as absent.
    pub async fn claim_idempotency_key(
        &self,
        token_hash: &str,
        key: &str,
        request_hash: &str,
        now: i64,
        expired_before: i64,
    ) -> StoreResult<IdempotencyClaim> {
        Ok(on_write!(
            self,
            Stale::Data,
            idempotency::claim(token_hash, key, request_hash, now, expired_before)
        )?)
    }

    /// Records the response to replay for a claimed key.
    pub async fn finish_idempotency_key(
        &self,
        token_hash: &str,
        key: &str,
        status: i64,
        body: &str,
    ) -> StoreResult<()> {
        Ok(on_write!(
            self,
            Stale::Data,
            idempotency::finish(token_hash, key, status, body)
        )?)
    }

    /// Gives up a claimed key (the request failed; a retry may do the work).
    pub async fn release_idempotency_key(&self, token_hash: &str, key: &str) -> StoreResult<()> {
        Ok(on_write!(self, Stale::Data, idempotency::release(token_hash, key))?)
    }

    /// Deletes entries created before `expired_before`; returns how many.
    pub async fn purge_idempotency_keys(&self, expired_before: i64) -> StoreResult<u64> {
        Ok(on_write!(self, Stale::Data, idempotency::purge(expired_before))?)
    }
}
