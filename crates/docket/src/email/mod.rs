//! Email notifications (docs/email.md): the [`Mailer`] that hands messages to the configured SMTP
//! server (lettre over tokio and rustls with the process's `ring` provider), what each mail
//! says ([`render`]), and the background [`Notifier`] that turns activity into jobs of the email
//! outbox and delivers them with retries.

pub mod notifier;
pub mod render;

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub use notifier::Notifier;

use crate::config::{EmailConfig, SmtpTls};

/// Why a delivery failed, and whether trying again could help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    /// What went wrong (an SMTP reply or a connection error; never a message's text).
    pub reason: String,
    /// A refusal the server called permanent (5xx), or an address that cannot be written: not
    /// retried.
    pub permanent: bool,
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

/// A connection recipe to the configured SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// The mailer of `c`; `None` when no SMTP host is configured.
    pub fn new(c: &EmailConfig) -> anyhow::Result<Option<Mailer>> {
        let Some(host) = c.smtp_host.as_deref() else {
            return Ok(None);
        };
        crate::webhooks::install_crypto_provider();
        let builder = match c.smtp_tls {
            SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        };
        let mut builder = builder
            .port(c.smtp_port)
            .timeout(Some(Duration::from_secs(c.timeout_secs.max(1))));
        if let Some(user) = &c.smtp_username {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                c.smtp_password.clone().unwrap_or_default(),
            ));
        }
        let from = c
            .from
            .parse::<Mailbox>()
            .map_err(|e| anyhow::anyhow!("email from {:?} is not an address: {e}", c.from))?;
        Ok(Some(Mailer {
            transport: builder.build(),
            from,
        }))
    }

    /// Sends a plain-text message; `message_id` (unique per job) lets a receiving system drop a
    /// copy delivered twice.
    pub async fn send(&self, to: &str, subject: &str, body: String, message_id: &str) -> Result<(), SendError> {
        let to: Mailbox = to.parse().map_err(|e| SendError {
            reason: format!("the address cannot be written in a mail: {e}"),
            permanent: true,
        })?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<{message_id}@docket>")))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| SendError {
                reason: format!("the message cannot be built: {e}"),
                permanent: true,
            })?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) => Err(SendError {
                permanent: e.is_permanent(),
                reason: crate::telemetry::error_chain(&e),
            }),
        }
    }

    /// `docket admin test-email`: one short message to `to`.
    pub async fn send_test(&self, to: &str) -> Result<(), SendError> {
        let body = "This is a test message from docket. Its SMTP settings work: members will get \
                    their task notifications through this server.\n"
            .to_string();
        self.send(to.trim(), "docket test message", body, &docket_domain::ids::new_id32())
            .await
    }
}
