//! Webhook delivery (spec §5.12) and the delivery log (spec §1.14).

use crate::model::{AttemptOutcome, DeliveryAttempt, DeliveryEvent, DeliveryFilter};
use crate::query::Window;
use crate::{Stale, Store, StoreResult, on_read, on_write};

impl Store {
    /// Whether any webhook event is due at `now`.
    pub async fn webhook_any_due(&self, now: i64) -> StoreResult<bool> {
        Ok(on_read!(self, deliveries::any_due(now))?)
    }

    /// How many webhook events wait for delivery (pending, due or not).
    pub async fn webhook_queue_depth(&self) -> StoreResult<i64> {
        Ok(on_read!(self, deliveries::pending_count())?)
    }

    /// Claims up to `limit` webhook events due at `now`, leased until `lease_until`: no other
    /// claim returns them before then.
    pub async fn webhook_claim_due(&self, now: i64, lease_until: i64, limit: i64) -> StoreResult<Vec<DeliveryEvent>> {
        Ok(on_write!(
            self,
            Stale::Data,
            deliveries::claim_due(now, lease_until, limit)
        )?)
    }

    /// The webhook signing secret of `org` (read only).
    pub async fn webhook_signing_secret(&self, org: &str) -> StoreResult<Option<String>> {
        Ok(on_read!(self, deliveries::secret(org))?)
    }

    /// Records a delivery attempt and advances its event; false when the event had moved on.
    pub async fn webhook_finish_attempt(&self, outcome: &AttemptOutcome) -> StoreResult<bool> {
        Ok(on_write!(self, Stale::Data, deliveries::finish_attempt(outcome))?)
    }

    /// One page of the webhook events of `org`, newest first, and how many match.
    pub async fn webhook_events(
        &self,
        org: &str,
        filter: &DeliveryFilter,
        window: Window,
    ) -> StoreResult<(Vec<DeliveryEvent>, i64)> {
        Ok(on_read!(self, deliveries::list(org, filter, window))?)
    }

    /// One webhook event of `org`.
    pub async fn webhook_event(&self, org: &str, id: &str) -> StoreResult<Option<DeliveryEvent>> {
        Ok(on_read!(self, deliveries::get(org, id))?)
    }

    /// The delivery attempts of a webhook event, in order.
    pub async fn webhook_attempts(&self, event_id: &str) -> StoreResult<Vec<DeliveryAttempt>> {
        Ok(on_read!(self, deliveries::attempts(event_id))?)
    }

    /// Queues a new attempt of a webhook event of `org` at `now`.
    pub async fn webhook_redeliver(&self, org: &str, id: &str, now: i64) -> StoreResult<Option<DeliveryEvent>> {
        Ok(on_write!(self, Stale::Data, deliveries::redeliver(org, id, now))?)
    }
}
