//! Webhook events and their delivery (spec §5.12, §5.5): the payloads ([`payload`] for
//! `task.completed`, [`events`] for the others) rendered from what the store read in the
//! change's transaction, and a background [`Dispatcher`] that takes due events from the outbox,
//! signs them ([`signing`]), checks their target ([`target`]) and POSTs them, retrying with
//! exponential backoff and jitter for 24 hours.

pub mod dispatcher;
pub mod events;
pub mod payload;
pub mod signing;
pub mod target;

pub use dispatcher::Dispatcher;

/// Installs rustls' `ring` provider as the process default (idempotent). `main` calls it
/// before anything builds a `reqwest::Client`; starting a dispatcher calls it too, so that
/// embedders (tests) need not.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
