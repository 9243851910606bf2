//! Token lookups and token creation.

use crate::model::TokenLookup;
use crate::{Stale, Store, StoreError, StoreResult, on_read, on_write};

impl Store {
    /// What the token with this hash resolves to, with the caller's standing in `org`.
    /// Found tokens are remembered between writes (see `memo.rs`); unknown ones are not, so
    /// that guessing fills no memory.
    pub async fn lookup_token(&self, hash: &str, org: Option<&str>) -> StoreResult<Option<TokenLookup>> {
        let key = format!("{hash}\u{1}{}", org.unwrap_or("\u{2}"));
        if let Some(found) = self.tokens.get(&key, &self.identity) {
            return Ok(Some(found));
        }
        let read_at = self.identity.current();
        let found = on_read!(self, auth::lookup(hash, org))?;
        if let Some(f) = &found {
            self.tokens.put(key, read_at, &self.identity, f.clone());
        }
        Ok(found)
    }

    /// Stores a new token hash for `user_id`; `NotFound` if there is no such user.
    pub async fn add_token(&self, user_id: i64, hash: &str, now: i64) -> StoreResult<()> {
        if !on_read!(self, auth::user_exists(user_id))? {
            return Err(StoreError::NotFound);
        }
        Ok(on_write!(self, Stale::Identity, auth::add_token(user_id, hash, now))?)
    }

    /// Removes the token with this hash (a token made for one job, such as the demo's).
    pub async fn remove_token(&self, hash: &str) -> StoreResult<()> {
        Ok(on_write!(self, Stale::Identity, auth::remove_token(hash))?)
    }
}
