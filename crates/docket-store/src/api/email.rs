//! Email notifications (docs/email.md): the notifier's passes, digests, the sender's claims.

use crate::model::{DigestMember, DigestRequest, EmailJob, EmailOutcome, NotifyPass};
use crate::{Stale, Store, StoreResult, on_read, on_write};

impl Store {
    /// One notifier pass: turns up to `limit` activity entries after the notifier's cursor into
    /// email jobs (entries made before `oldest` are passed without mail) and moves the cursor,
    /// in one transaction. `busy` when another process holds the cursor.
    pub async fn email_notify_pass(&self, limit: i64, now: i64, oldest: i64) -> StoreResult<NotifyPass> {
        Ok(on_write!(self, Stale::Data, email::notify_pass(limit, now, oldest))?)
    }

    /// Whether activity waits for the notifier (a read; call before [`Store::email_notify_pass`]).
    pub async fn email_activity_pending(&self) -> StoreResult<bool> {
        Ok(on_read!(self, email::activity_pending())?)
    }

    /// The active members who chose the daily digest.
    pub async fn email_digest_members(&self) -> StoreResult<Vec<DigestMember>> {
        Ok(on_read!(self, email::digest_members())?)
    }

    /// The `(event_key, recipient)` of the digests queued since `since`.
    pub async fn email_digests_since(&self, since: i64) -> StoreResult<Vec<(String, String)>> {
        Ok(on_read!(self, email::digests_since(since))?)
    }

    /// Queues a member's digest for their local date unless it exists; whether a mail was queued.
    pub async fn email_queue_digest(&self, request: &DigestRequest) -> StoreResult<bool> {
        Ok(on_write!(self, Stale::Data, email::queue_digest(request))?)
    }

    /// Whether any email job is due at `now`.
    pub async fn email_any_due(&self, now: i64) -> StoreResult<bool> {
        Ok(on_read!(self, email::any_due(now))?)
    }

    /// Claims up to `limit` email jobs due at `now`, leased until `lease_until`.
    pub async fn email_claim_due(&self, now: i64, lease_until: i64, limit: i64) -> StoreResult<Vec<EmailJob>> {
        Ok(on_write!(self, Stale::Data, email::claim_due(now, lease_until, limit))?)
    }

    /// Records an attempt of an email job; false when the job had moved on.
    pub async fn email_finish_attempt(&self, outcome: &EmailOutcome) -> StoreResult<bool> {
        Ok(on_write!(self, Stale::Data, email::finish_attempt(outcome))?)
    }

    /// The code of an enabled guest, for the link of a mail being sent.
    pub async fn email_guest_code(&self, guest_id: i64) -> StoreResult<Option<String>> {
        Ok(on_read!(self, email::guest_code(guest_id))?)
    }

    /// Deletes finished email jobs created before `before`.
    pub async fn email_prune(&self, before: i64) -> StoreResult<u64> {
        Ok(on_write!(self, Stale::Data, email::prune(before))?)
    }

    /// Sets a member's email choice (`instant`, `daily`, `off`); false when not a member.
    pub async fn set_email_notifications(
        &self,
        org: &str,
        user_id: i64,
        preference: &str,
        now: i64,
    ) -> StoreResult<bool> {
        Ok(on_write!(
            self,
            Stale::Identity,
            email::set_preference(org, user_id, preference, now)
        )?)
    }
}
