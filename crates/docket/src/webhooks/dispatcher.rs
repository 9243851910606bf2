//! The background dispatcher: claims due outbox events in batches (with a lease, so two docket
//! processes never deliver the same attempt), POSTs each one signed, and records the attempt.
//! It never touches an API request: a failure here is logged and retried, nothing more.

use std::sync::Arc;
use std::time::{Duration, Instant};

use docket_domain::time::now_ms;
use docket_store::Store;
use docket_store::model::{AttemptOutcome, DeliveryAttempt, DeliveryEvent};
use reqwest::header::{CONTENT_TYPE, USER_AGENT};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use super::{signing, target};
use crate::config::Config;
use crate::metrics::{DeliveryOutcome, Metrics};

/// How often the dispatcher looks for due events when idle.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);
/// Deliveries in flight at once (also the claim batch size).
const MAX_IN_FLIGHT: usize = 16;
/// Retries stop once the first attempt is this old (ms).
pub const RETRY_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;
/// The longest wait between two attempts (ms).
pub const MAX_STEP_MS: i64 = 60 * 60 * 1000;
/// Further tries, a second apart, to record an attempt while the database is unavailable.
const RECORD_RETRIES: usize = 30;
/// Added to the request timeout to make a claim's lease.
const LEASE_SLACK_MS: i64 = 60_000;

/// A running dispatcher.
pub struct Dispatcher {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Dispatcher {
    /// Starts delivering the outbox of `store` in the background.
    /// Each attempt is counted in `metrics`.
    pub fn spawn(store: Store, config: Arc<Config>, metrics: Arc<Metrics>) -> Dispatcher {
        super::install_crypto_provider();
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(store, config, metrics, stopped));
        Dispatcher { stop, task }
    }

    /// Stops claiming, lets the deliveries in flight finish and record their attempts, waits.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

async fn run(store: Store, config: Arc<Config>, metrics: Arc<Metrics>, mut stopped: watch::Receiver<bool>) {
    let mut in_flight: JoinSet<()> = JoinSet::new();
    loop {
        if *stopped.borrow() {
            break;
        }
        while in_flight.try_join_next().is_some() {}
        let room = MAX_IN_FLIGHT - in_flight.len().min(MAX_IN_FLIGHT);
        let mut more = false;
        if room > 0 {
            match claim(&store, &config, room).await {
                Ok(events) => {
                    more = events.len() == room;
                    for ev in events {
                        in_flight.spawn(deliver(store.clone(), config.clone(), metrics.clone(), ev));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "webhook dispatcher: cannot claim events"),
            }
        }
        if more {
            continue;
        }
        tokio::select! {
            _ = stopped.changed() => {}
            _ = tokio::time::sleep(POLL_INTERVAL) => {}
            Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
        }
    }
    while in_flight.join_next().await.is_some() {}
}

async fn claim(store: &Store, config: &Config, room: usize) -> docket_store::StoreResult<Vec<DeliveryEvent>> {
    let now = now_ms();
    if !store.webhook_any_due(now).await? {
        return Ok(Vec::new());
    }
    let lease = (config.webhook_timeout_secs as i64).saturating_mul(1000) + LEASE_SLACK_MS;
    store.webhook_claim_due(now, now + lease, room as i64).await
}

/// Makes one attempt of `ev` and records it.
async fn deliver(store: Store, config: Arc<Config>, metrics: Arc<Metrics>, ev: DeliveryEvent) {
    let at = now_ms();
    let started = Instant::now();
    let result = attempt(&store, &config, &ev).await;
    let took = started.elapsed();
    let duration_ms = took.as_millis() as i64;
    let number = ev.attempts + 1;
    let (status_code, error, delivered) = match result {
        Ok(code) if (200..300).contains(&code) => (Some(i64::from(code)), None, true),
        Ok(code) => (Some(i64::from(code)), Some(format!("HTTP {code}")), false),
        Err(e) => (None, Some(e), false),
    };
    let first_attempt_at = ev.first_attempt_at.unwrap_or(at);
    let retry_at = (!delivered && at - first_attempt_at < RETRY_WINDOW_MS)
        .then(|| at + backoff_ms(config.webhook_retry_base_ms, number));
    let outcome = AttemptOutcome {
        attempt: DeliveryAttempt {
            event_id: ev.id.clone(),
            attempt: number,
            at,
            status_code,
            error: error.clone(),
            duration_ms,
        },
        delivered,
        retry_at,
        first_attempt_at,
    };
    let counted = match (delivered, retry_at) {
        (true, _) => DeliveryOutcome::Delivered,
        (false, Some(_)) => DeliveryOutcome::Retrying,
        (false, None) => DeliveryOutcome::GaveUp,
    };
    metrics.webhook_attempt(counted, took);
    if delivered {
        tracing::info!(event_id = %ev.id, attempt = number, status = ?status_code, "webhook delivered");
    } else {
        tracing::warn!(event_id = %ev.id, attempt = number, error = ?error, gave_up = retry_at.is_none(),
            "webhook attempt failed");
    }
    // Recorded through a database restart: an attempt left unrecorded would be made again
    // once its lease ran out (a second delivery). Recording twice is harmless (`Ok(false)`).
    let mut recorded = store.webhook_finish_attempt(&outcome).await;
    for _ in 0..RECORD_RETRIES {
        if !matches!(recorded, Err(docket_store::StoreError::Unavailable(_))) {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        recorded = store.webhook_finish_attempt(&outcome).await;
    }
    match recorded {
        Ok(true) => {}
        Ok(false) => tracing::warn!(event_id = %ev.id, attempt = number, "webhook event moved on during the attempt"),
        Err(e) => tracing::error!(event_id = %ev.id, error = %e, "cannot record a webhook attempt"),
    }
}

/// POSTs `ev`: the HTTP status, or why no answer came (never containing the secret).
async fn attempt(store: &Store, config: &Config, ev: &DeliveryEvent) -> Result<u16, String> {
    let secret = store
        .webhook_signing_secret(&ev.org_id)
        .await
        .map_err(|e| format!("cannot read the signing secret: {e}"))?
        .ok_or("the organization no longer exists")?;
    let target = target::check(&ev.url, config.webhook_allow_private).await?;
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(config.webhook_timeout_secs.max(1)))
        .no_proxy();
    if let Some(domain) = &target.domain {
        builder = builder.resolve(domain, target.addr);
    }
    let client = builder
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {}", crate::telemetry::error_chain(&e)))?;
    let t = now_ms().div_euclid(1000);
    let response = client
        .post(target.url)
        .header(CONTENT_TYPE, "application/json")
        .header("X-Tallyfy-orgID", &ev.org_id)
        .header(USER_AGENT, "docket-webhook")
        .header("X-Docket-Event-Id", event_id(ev))
        .header("X-Docket-Signature", signing::header(&secret, t, &ev.payload))
        .body(ev.payload.clone())
        .send()
        .await
        .map_err(|e| crate::telemetry::error_chain(&e.without_url()))?;
    Ok(response.status().as_u16())
}

/// The event id an outbox row delivers: its payload's `event_id`, shared by every target of
/// one event (spec §5.5); the row id for payloads without one.
fn event_id(ev: &DeliveryEvent) -> String {
    serde_json::from_str::<serde_json::Value>(&ev.payload)
        .ok()
        .and_then(|v| v["event_id"].as_str().map(str::to_string))
        .unwrap_or_else(|| ev.id.clone())
}

/// The wait before the attempt after attempt `attempts` failed: `base * 2^(attempts-1)`,
/// capped at an hour, with ±20% jitter.
pub fn backoff_ms(base_ms: u64, attempts: i64) -> i64 {
    let exp = (attempts - 1).clamp(0, 40) as u32;
    let step = (base_ms.max(1) as i64).saturating_mul(1_i64 << exp).min(MAX_STEP_MS);
    let jitter_permille = (uuid::Uuid::new_v4().as_u128() % 401) as i64 - 200;
    (step + step * jitter_permille / 1000).clamp(1, MAX_STEP_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        for _ in 0..200 {
            let b1 = backoff_ms(1000, 1);
            assert!((800..=1200).contains(&b1), "{b1}");
            let b3 = backoff_ms(1000, 3);
            assert!((3200..=4800).contains(&b3), "{b3}");
            let big = backoff_ms(1000, 60);
            assert!((2_880_000..=MAX_STEP_MS).contains(&big), "{big}");
        }
    }
}
