//! Prometheus metrics of one server: requests by route template and status, latency
//! histograms, the database pools, the webhook queue and its delivery outcomes, rate-limit
//! rejections. Each server has its own recorder (never the process-global one: a test binary
//! runs many servers in one process), kept in `AppState` and rendered by `GET /metrics`.

use std::time::Duration;

use metrics::{Key, Label, Metadata, Recorder};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

/// Latency buckets in seconds: from a cached read (about a millisecond) to a request that
/// runs into the default 30-second timeout.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

static METADATA: Metadata<'static> = Metadata::new(module_path!(), metrics::Level::INFO, Some(module_path!()));

/// How a webhook delivery attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The target answered 2xx.
    Delivered,
    /// It failed and will be retried.
    Retrying,
    /// It failed and the retry window is over.
    GaveUp,
}

impl DeliveryOutcome {
    fn label(self) -> &'static str {
        match self {
            DeliveryOutcome::Delivered => "delivered",
            DeliveryOutcome::Retrying => "failed_will_retry",
            DeliveryOutcome::GaveUp => "failed_gave_up",
        }
    }
}

/// One server's metrics.
pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// A fresh recorder with every metric described (so `/metrics` lists them from the start).
    pub fn new() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
            .expect("the latency buckets are a non-empty list")
            .build_recorder();
        let handle = recorder.handle();
        let m = Metrics { recorder, handle };
        let describe = |kind: &str, name: &'static str, help: &'static str| {
            let (name, help) = (name.into(), help.into());
            match kind {
                "counter" => m.recorder.describe_counter(name, None, help),
                "gauge" => m.recorder.describe_gauge(name, None, help),
                _ => m.recorder.describe_histogram(name, None, help),
            }
        };
        describe(
            "counter",
            "docket_http_requests_total",
            "HTTP requests answered, by method, route template and status.",
        );
        describe(
            "histogram",
            "docket_http_request_duration_seconds",
            "Time to the response head, by method and route template.",
        );
        describe(
            "counter",
            "docket_rate_limit_rejections_total",
            "Requests refused with 429 by the per-token rate limit.",
        );
        describe(
            "counter",
            "docket_webhook_deliveries_total",
            "Webhook delivery attempts by outcome.",
        );
        describe(
            "histogram",
            "docket_webhook_delivery_duration_seconds",
            "Time of one webhook delivery attempt.",
        );
        describe(
            "gauge",
            "docket_webhook_queue_depth",
            "Webhook events waiting for delivery (pending in the outbox).",
        );
        describe(
            "gauge",
            "docket_db_pool_connections",
            "Open database connections by pool.",
        );
        describe(
            "gauge",
            "docket_db_pool_idle_connections",
            "Idle database connections by pool.",
        );
        describe(
            "gauge",
            "docket_db_pool_max_connections",
            "The configured maximum of connections by pool.",
        );
        m.counter("docket_rate_limit_rejections_total", vec![]).absolute(0);
        m
    }

    fn counter(&self, name: &'static str, labels: Vec<Label>) -> metrics::Counter {
        self.recorder
            .register_counter(&Key::from_parts(name, labels), &METADATA)
    }

    fn gauge(&self, name: &'static str, labels: Vec<Label>) -> metrics::Gauge {
        self.recorder.register_gauge(&Key::from_parts(name, labels), &METADATA)
    }

    fn histogram(&self, name: &'static str, labels: Vec<Label>) -> metrics::Histogram {
        self.recorder
            .register_histogram(&Key::from_parts(name, labels), &METADATA)
    }

    /// One answered request. `route` is the matched route template (never a raw path).
    pub fn request(&self, method: &'static str, route: &str, status: u16, latency: Duration) {
        let route = route.to_string();
        self.counter(
            "docket_http_requests_total",
            vec![
                Label::new("method", method),
                Label::new("route", route.clone()),
                Label::new("status", status.to_string()),
            ],
        )
        .increment(1);
        self.histogram(
            "docket_http_request_duration_seconds",
            vec![Label::new("method", method), Label::new("route", route)],
        )
        .record(latency.as_secs_f64());
    }

    /// One request refused by the rate limit.
    pub fn rate_limited(&self) {
        self.counter("docket_rate_limit_rejections_total", vec![]).increment(1);
    }

    /// One webhook delivery attempt.
    pub fn webhook_attempt(&self, outcome: DeliveryOutcome, took: Duration) {
        self.counter(
            "docket_webhook_deliveries_total",
            vec![Label::new("outcome", outcome.label())],
        )
        .increment(1);
        self.histogram("docket_webhook_delivery_duration_seconds", vec![])
            .record(took.as_secs_f64());
    }

    /// The Prometheus text, with the gauges read now from `store`.
    pub async fn render(&self, store: &docket_store::Store) -> String {
        for pool in store.pool_stats() {
            let labels = || vec![Label::new("pool", pool.name)];
            self.gauge("docket_db_pool_connections", labels())
                .set(f64::from(pool.size));
            self.gauge("docket_db_pool_idle_connections", labels())
                .set(pool.idle as f64);
            self.gauge("docket_db_pool_max_connections", labels())
                .set(f64::from(pool.max));
        }
        match store.webhook_queue_depth().await {
            Ok(n) => self.gauge("docket_webhook_queue_depth", vec![]).set(n as f64),
            Err(e) => tracing::warn!(error = %e, "metrics: cannot count the webhook queue"),
        }
        self.handle.render()
    }
}

/// The HTTP method as a metric label: the standard ones by name, anything else as `other`
/// (so that made-up methods cannot grow the label set).
pub fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_histograms_render_with_their_labels() {
        let m = Metrics::new();
        m.request("GET", "/organizations/{org}/tasks", 200, Duration::from_millis(3));
        m.request("GET", "/organizations/{org}/tasks", 200, Duration::from_millis(30));
        m.rate_limited();
        m.webhook_attempt(DeliveryOutcome::Delivered, Duration::from_millis(5));
        let text = m.handle.render();
        assert!(
            text.contains(
                r#"docket_http_requests_total{method="GET",route="/organizations/{org}/tasks",status="200"} 2"#
            ),
            "{text}"
        );
        assert!(text.contains("docket_http_request_duration_seconds_bucket{method=\"GET\",route=\"/organizations/{org}/tasks\",le=\"0.005\"} 1"), "{text}");
        assert!(text.contains("docket_rate_limit_rejections_total 1"), "{text}");
        assert!(
            text.contains(r#"docket_webhook_deliveries_total{outcome="delivered"} 1"#),
            "{text}"
        );
        // Two servers in one process keep their own counts.
        assert!(!Metrics::new().handle.render().contains("docket_http_requests_total{"));
    }
}
