//! The background notifier: each tick it
//!
//! 1. turns new activity entries into email jobs (`Store::email_notify_pass`: the jobs and the
//!    advanced cursor commit together, one process at a time);
//! 2. queues the day's digest of each member who chose `daily`, once their local hour reaches
//!    the configured `digest_hour` (one job per member and local date, a UNIQUE key);
//! 3. claims due jobs with a lease (so two processes never send the same attempt) and hands
//!    them to the SMTP server, retrying a failure with exponential backoff and jitter for 24
//!    hours (a permanent refusal is not retried);
//! 4. now and then deletes finished jobs older than a week.
//!
//! It runs only when an SMTP host is configured; otherwise nothing is queued at all. A guest's
//! code (their link) is read when the mail is sent and is never logged.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Timelike};
use docket_domain::notify;
use docket_domain::time::now_ms;
use docket_store::Store;
use docket_store::model::{DigestRequest, EmailJob, EmailOutcome};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::render::{self, Recipient};
use super::{Mailer, SendError};
use crate::config::Config;
use crate::state::Clock;
use crate::webhooks::dispatcher::{RETRY_WINDOW_MS, backoff_ms};

/// Activity entries read per notifier pass.
const PASS_ENTRIES: i64 = 200;
/// Passes per tick at most (the rest waits for the next tick).
const PASSES_PER_TICK: usize = 20;
/// Jobs claimed per tick.
const CLAIM_BATCH: i64 = 16;
/// Entries older than this are passed without mail (a backlog after a long stop is not sent).
const MAX_AGE_MS: i64 = 24 * 60 * 60 * 1000;
/// Finished jobs are kept this long.
const KEEP_MS: i64 = 7 * 24 * 60 * 60 * 1000;
/// Added to the SMTP timeout to make a claim's lease.
const LEASE_SLACK_MS: i64 = 60_000;

/// A running notifier.
pub struct Notifier {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Notifier {
    /// Starts the notifier of `store` when `config` names an SMTP server (else `None`: no mail).
    /// `base` starts every link (the public URL, else the address served on).
    pub fn spawn(store: Store, config: Arc<Config>, clock: Clock, base: String) -> Option<Notifier> {
        let mailer = match Mailer::new(&config.email) {
            Ok(Some(m)) => m,
            Ok(None) => return None,
            Err(e) => {
                tracing::error!(error = %e, "email notifications are off: the SMTP settings are unusable");
                return None;
            }
        };
        tracing::info!(
            smtp_host = ?config.email.smtp_host,
            smtp_port = config.email.smtp_port,
            "email notifications are on"
        );
        let (stop, stopped) = watch::channel(false);
        let worker = Worker {
            store,
            config,
            clock,
            base,
            mailer,
            last_digest_check: None,
            last_prune: None,
        };
        let task = tokio::spawn(worker.run(stopped));
        Some(Notifier { stop, task })
    }

    /// Stops after the mail being sent (if any) is recorded, and waits.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

struct Worker {
    store: Store,
    config: Arc<Config>,
    clock: Clock,
    base: String,
    mailer: Mailer,
    last_digest_check: Option<i64>,
    last_prune: Option<i64>,
}

impl Worker {
    async fn run(mut self, mut stopped: watch::Receiver<bool>) {
        let poll = Duration::from_millis(self.config.email.poll_ms.max(10));
        loop {
            if *stopped.borrow() {
                break;
            }
            self.tick(&stopped).await;
            tokio::select! {
                _ = stopped.changed() => {}
                _ = tokio::time::sleep(poll) => {}
            }
        }
    }

    async fn tick(&mut self, stopped: &watch::Receiver<bool>) {
        let oldest = self.clock.now() - MAX_AGE_MS;
        let pending = self.store.email_activity_pending().await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "email notifier: cannot read the activity");
            false
        });
        let passes = if pending { PASSES_PER_TICK } else { 0 };
        for _ in 0..passes {
            match self.store.email_notify_pass(PASS_ENTRIES, now_ms(), oldest).await {
                Ok(pass) if pass.entries as i64 == PASS_ENTRIES => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "email notifier: cannot read the activity");
                    break;
                }
            }
        }
        // Digests: checked every 60 polls (a minute by default).
        let every = (self.config.email.poll_ms.max(10) as i64).saturating_mul(60);
        let now = now_ms();
        if self.last_digest_check.is_none_or(|t| now - t >= every) {
            self.last_digest_check = Some(now);
            if let Err(e) = self.queue_digests().await {
                tracing::warn!(error = %e, "email notifier: cannot queue digests");
            }
        }
        if self.last_prune.is_none_or(|t| now - t >= 60 * 60 * 1000) {
            self.last_prune = Some(now);
            if let Err(e) = self.store.email_prune(now - KEEP_MS).await {
                tracing::warn!(error = %e, "email notifier: cannot delete old jobs");
            }
        }
        self.send_due(stopped).await;
    }

    /// Queues today's digest of every `daily` member whose local hour has reached the digest hour.
    async fn queue_digests(&self) -> docket_store::StoreResult<()> {
        let members = self.store.email_digest_members().await?;
        if members.is_empty() {
            return Ok(());
        }
        let now = self.clock.now();
        let queued: HashSet<(String, String)> = self
            .store
            .email_digests_since(now_ms() - 3 * MAX_AGE_MS)
            .await?
            .into_iter()
            .collect();
        for m in members {
            let tz = member_timezone(&m.profile, &m.org_timezone);
            let Some(local) = chrono::Utc
                .timestamp_millis_opt(now)
                .single()
                .map(|t| t.with_timezone(&tz))
            else {
                continue;
            };
            if !notify::digest_due(local.hour(), self.config.email.digest_hour) {
                continue;
            }
            let date = local.format("%Y-%m-%d").to_string();
            let key = (format!("digest:{}:{date}", m.org_id), format!("user:{}", m.user_id));
            if queued.contains(&key) {
                continue;
            }
            self.store
                .email_queue_digest(&DigestRequest {
                    org_id: m.org_id.clone(),
                    user_id: m.user_id,
                    date,
                    now,
                })
                .await?;
        }
        Ok(())
    }

    /// Claims the due jobs and sends them one by one (stopping early when asked to).
    async fn send_due(&self, stopped: &watch::Receiver<bool>) {
        let now = now_ms();
        match self.store.email_any_due(now).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                tracing::warn!(error = %e, "email sender: cannot read the outbox");
                return;
            }
        }
        let lease = (self.config.email.timeout_secs as i64).saturating_mul(1000) + LEASE_SLACK_MS;
        let jobs = match self.store.email_claim_due(now, now + lease, CLAIM_BATCH).await {
            Ok(jobs) => jobs,
            Err(e) => {
                tracing::warn!(error = %e, "email sender: cannot claim jobs");
                return;
            }
        };
        for job in jobs {
            if *stopped.borrow() {
                // Unsent claims are sent by the next start once their lease ends.
                break;
            }
            self.deliver(job).await;
        }
    }

    /// Makes one attempt of `job` and records it.
    async fn deliver(&self, job: EmailJob) {
        let at = now_ms();
        let result = self.attempt(&job).await;
        let number = job.attempts + 1;
        let first_attempt_at = job.first_attempt_at.unwrap_or(at);
        let retry_at = match &result {
            Err(e) if !e.permanent && at - first_attempt_at < RETRY_WINDOW_MS => {
                Some(at + backoff_ms(self.config.email.retry_base_ms, number))
            }
            _ => None,
        };
        match &result {
            Ok(()) => tracing::info!(job_id = %job.id, kind = %job.kind, attempt = number, "email sent"),
            Err(e) => tracing::warn!(job_id = %job.id, kind = %job.kind, attempt = number, error = %e,
                gave_up = retry_at.is_none(), "email attempt failed"),
        }
        let outcome = EmailOutcome {
            job_id: job.id.clone(),
            attempt: number,
            at,
            error: result.err().map(|e| e.reason),
            retry_at,
            first_attempt_at,
        };
        // Recorded through a short database outage: an unrecorded attempt is made again once
        // its lease ends (a second copy of the mail).
        let mut recorded = self.store.email_finish_attempt(&outcome).await;
        for _ in 0..30 {
            if !matches!(recorded, Err(docket_store::StoreError::Unavailable(_))) {
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
            recorded = self.store.email_finish_attempt(&outcome).await;
        }
        match recorded {
            Ok(true) => {}
            Ok(false) => tracing::warn!(job_id = %job.id, "email job moved on during the attempt"),
            Err(e) => tracing::error!(job_id = %job.id, error = %e, "cannot record an email attempt"),
        }
    }

    async fn attempt(&self, job: &EmailJob) -> Result<(), SendError> {
        let permanent = |reason: &str| SendError {
            reason: reason.to_string(),
            permanent: true,
        };
        let code = match Recipient::parse(&job.recipient) {
            Some(Recipient::Guest(id)) => Some(
                self.store
                    .email_guest_code(id)
                    .await
                    .map_err(|e| SendError {
                        reason: format!("cannot read the guest: {e}"),
                        permanent: false,
                    })?
                    .ok_or_else(|| permanent("the guest no longer exists or is disabled"))?,
            ),
            Some(Recipient::Member(_)) => None,
            None => return Err(permanent("unknown recipient")),
        };
        let mail = render::render(job, &self.base, code.as_deref()).ok_or_else(|| permanent("unknown kind of mail"))?;
        self.mailer
            .send(&job.to_address, &mail.subject, mail.body, &job.id)
            .await
    }
}

/// A member's time zone: their profile's `timezone`, else the organization's, else UTC.
pub fn member_timezone(profile: &str, org_timezone: &str) -> chrono_tz::Tz {
    let own = serde_json::from_str::<serde_json::Value>(profile)
        .ok()
        .and_then(|p| p["timezone"].as_str().map(str::to_string));
    own.as_deref()
        .and_then(|t| t.parse().ok())
        .or_else(|| org_timezone.parse().ok())
        .unwrap_or(chrono_tz::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_member_time_zone_falls_back_to_the_organization_then_utc() {
        assert_eq!(
            member_timezone(r#"{"timezone":"Europe/Paris"}"#, "UTC"),
            chrono_tz::Europe::Paris
        );
        assert_eq!(member_timezone("{}", "Asia/Tokyo"), chrono_tz::Asia::Tokyo);
        assert_eq!(member_timezone("{}", "Nowhere/Else"), chrono_tz::UTC);
    }
}
