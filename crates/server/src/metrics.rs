//! Observability: Prometheus metrics at `GET /metrics` (request and job
//! counts and latencies, queue depth) through the `metrics` facade.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Install the process-wide recorder (once; later calls reuse it).
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok().map(|()| handle)
        })
        .as_ref()
}

/// Drain histogram samples into their summaries (the recorder keeps raw
/// samples until then: without it, memory grows with every request when
/// nobody scrapes `/metrics`). Called every few seconds by the server.
pub fn upkeep() {
    if let Some(Some(h)) = HANDLE.get() {
        h.run_upkeep();
    }
}

/// `GET /metrics`: the Prometheus text format.
pub async fn render() -> Response {
    match install() {
        Some(h) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            h.render(),
        )
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics recorder unavailable",
        )
            .into_response(),
    }
}

/// Count and time every request by method, matched route and status.
pub async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let res = next.run(req).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", res.status().as_u16().to_string()),
    ];
    metrics::counter!("pathtrace_http_requests_total", &labels).increment(1);
    metrics::histogram!("pathtrace_http_request_duration_seconds", &labels)
        .record(start.elapsed().as_secs_f64());
    res
}
