//! One-time sign-in links sent by email from the sign-in page (migration 0019). Nothing is
//! remembered between requests (`memo.rs`): a used link is used on every process at once.

use crate::model::{SigninLink, SigninLinkMember};
use crate::{Stale, Store, StoreResult, on_read, on_write};

impl Store {
    /// Stores a sign-in link by its token's hash for the member with `email`, when they have an
    /// active or invited membership: that member (and where to send the link), else `None` and
    /// nothing stored. Expired links are removed on the way.
    pub async fn add_signin_link(
        &self,
        email: &str,
        hash: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<Option<SigninLinkMember>> {
        Ok(on_write!(
            self,
            Stale::Data,
            signin_links::add(email, hash, now, expires_at)
        )?)
    }

    /// What the sign-in link with this hash is worth at `now`, without using it up.
    pub async fn signin_link(&self, hash: &str, now: i64) -> StoreResult<SigninLink> {
        Ok(on_read!(self, signin_links::state(hash, now))?)
    }

    /// Uses up the sign-in link with this hash: its member when they may sign in with it, else
    /// why not. Usable once, even by two requests at the same time.
    pub async fn redeem_signin_link(&self, hash: &str, now: i64) -> StoreResult<SigninLink> {
        Ok(on_write!(self, Stale::Data, signin_links::redeem(hash, now))?)
    }
}
