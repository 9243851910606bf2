//! The docket server: configuration, start-up, the HTTP surface and the admin commands.

pub mod admin;
pub mod bootstrap;
pub mod cli;
pub mod config;
pub mod demo;
pub mod demo_templates;
pub mod email;
pub mod error;
pub mod fair_share;
pub mod faults;
pub mod http;
pub mod idempotency;
pub mod metrics;
pub mod progress;
pub mod ratelimit;
pub mod serve;
pub mod service;
pub mod startup;
pub mod state;
pub mod storage;
pub mod telemetry;
pub mod transfer;
pub mod web;
pub mod webhooks;
