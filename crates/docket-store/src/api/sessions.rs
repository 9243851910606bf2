//! Passwords, sign-in sessions, one-time password links and the sign-in rate limit of the
//! pages for people. None of it is remembered between requests (`memo.rs`): a revoked session
//! ends at once on every process.

use crate::model::{Guest, NewSession, SessionLookup, StoredPassword};
use crate::{Stale, Store, StoreResult, on_read, on_write};

impl Store {
    /// The member with this email and their password hash, if one was set.
    pub async fn password_by_email(&self, email: &str) -> StoreResult<Option<StoredPassword>> {
        Ok(on_read!(self, sessions::password_by_email(email))?)
    }

    /// Sets a member's password hash (an argon2id PHC string).
    pub async fn set_password(&self, user_id: i64, hash: &str, now: i64) -> StoreResult<()> {
        Ok(on_write!(
            self,
            Stale::Data,
            sessions::set_password(user_id, hash, now)
        )?)
    }

    /// Stores a new session; expired sessions are removed on the way.
    pub async fn create_session(&self, s: &NewSession) -> StoreResult<()> {
        on_write!(self, Stale::Data, sessions::delete_expired_sessions(s.now))?;
        Ok(on_write!(self, Stale::Data, sessions::create_session(s))?)
    }

    /// The unexpired session with this id hash, with its member's standing in `org`.
    pub async fn session(&self, id_hash: &str, org: Option<&str>, now: i64) -> StoreResult<Option<SessionLookup>> {
        Ok(on_read!(self, sessions::session(id_hash, org, now))?)
    }

    /// Ends one session.
    pub async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        Ok(on_write!(self, Stale::Data, sessions::delete_session(id_hash))?)
    }

    /// Ends every session of a member; how many there were.
    pub async fn delete_user_sessions(&self, user_id: i64) -> StoreResult<u64> {
        Ok(on_write!(self, Stale::Data, sessions::delete_user_sessions(user_id))?)
    }

    /// Stores a one-time password link (`purpose`: `invite` or `reset`) by its hash.
    pub async fn add_password_link(
        &self,
        hash: &str,
        user_id: i64,
        purpose: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        Ok(on_write!(
            self,
            Stale::Data,
            sessions::add_link(hash, user_id, purpose, now, expires_at)
        )?)
    }

    /// The member of an unexpired password link.
    pub async fn password_link_user(&self, hash: &str, now: i64) -> StoreResult<Option<i64>> {
        Ok(on_read!(self, sessions::link_user(hash, now))?)
    }

    /// Uses up a password link, sets the password and ends the member's sessions, in one
    /// transaction; the member, or `None` for an unknown, used or expired link.
    pub async fn redeem_password_link(&self, hash: &str, password_hash: &str, now: i64) -> StoreResult<Option<i64>> {
        Ok(on_write!(
            self,
            Stale::Data,
            sessions::redeem_link(hash, password_hash, now)
        )?)
    }

    /// The most failed sign-ins of any of `buckets` since `since`.
    pub async fn signin_failures(&self, buckets: &[String], since: i64) -> StoreResult<i64> {
        Ok(on_write!(self, Stale::Data, sessions::failures(buckets, since))?)
    }

    /// Records a failed sign-in for each of `buckets`.
    pub async fn add_signin_failure(&self, buckets: &[String], now: i64) -> StoreResult<()> {
        Ok(on_write!(self, Stale::Data, sessions::add_failure(buckets, now))?)
    }

    /// The guest whose link carries `code`.
    pub async fn guest_by_code(&self, code: &str) -> StoreResult<Option<Guest>> {
        Ok(on_read!(self, sessions::guest_by_code(code))?)
    }
}
