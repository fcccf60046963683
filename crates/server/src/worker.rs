//! Workers: run queued flow analyses on the immutable data plane and finish
//! the analysis and its task in one transaction.
//!
//! The queue is the store: an analysis row in INPROGRESS *is* a job. New
//! analyses are handed to the workers through a channel the moment they are
//! committed; on start, every analysis still INPROGRESS (its process died)
//! is queued again, so none is ever left stuck. Finishing is idempotent: only
//! an INPROGRESS analysis can be finished, so a re-run cannot write twice.

use std::sync::Arc;

use pathtrace_engine::trace::TraceError;
use pathtrace_engine::view::dnac;
use pathtrace_engine::{Flow, Protocol};
use serde_json::json;
use tokio::sync::{Mutex, mpsc};
use tracing::Instrument as _;

use crate::app::{AppState, Snapshot, now_ms};
use crate::store::{Analysis, Outcome};

/// Start `n` workers consuming `rx`. Each job runs in a task of its own, so
/// a job that panics is reported and its worker goes on with the next one
/// (the analysis stays INPROGRESS and is retried on the next start).
pub fn spawn(state: &AppState, rx: mpsc::UnboundedReceiver<String>, n: usize) {
    let rx = Arc::new(Mutex::new(rx));
    for w in 0..n.max(1) {
        let (state, rx) = (state.clone(), Arc::clone(&rx));
        tokio::spawn(async move {
            loop {
                let next = rx.lock().await.recv().await;
                let Some(id) = next else { break };
                metrics::gauge!("pathtrace_jobs_queued").decrement(1.0);
                let start = std::time::Instant::now();
                let span = tracing::info_span!("job", worker = w, analysis = %id);
                let job = tokio::spawn({
                    let (state, id) = (state.clone(), id.clone());
                    async move { run(&state, &id).await }.instrument(span)
                });
                let outcome = match job.await {
                    Ok(Ok(())) => "done",
                    Ok(Err(e)) => {
                        tracing::error!(worker = w, analysis = %id, error = %e, "job failed; it stays queued");
                        "error"
                    }
                    Err(e) => {
                        tracing::error!(worker = w, analysis = %id, error = %e, "job panicked; it stays queued");
                        "panic"
                    }
                };
                metrics::counter!("pathtrace_jobs_total", "outcome" => outcome).increment(1);
                metrics::histogram!("pathtrace_job_duration_seconds")
                    .record(start.elapsed().as_secs_f64());
            }
        });
    }
}

/// Hand an analysis to the workers.
pub fn enqueue(state: &AppState, id: String) {
    metrics::gauge!("pathtrace_jobs_queued").increment(1.0);
    let _ = state.jobs.send(id);
}

/// Queue again every analysis left INPROGRESS (after a restart).
pub async fn recover(state: &AppState) -> Result<usize, crate::store::StoreError> {
    let ids = state.store.in_progress().await?;
    for id in &ids {
        enqueue(state, id.clone());
    }
    Ok(ids.len())
}

/// Run one analysis.
pub async fn run(state: &AppState, id: &str) -> Result<(), crate::store::StoreError> {
    let Some(a) = state.store.get_analysis(id).await? else {
        return Ok(());
    };
    if a.status != "INPROGRESS" {
        return Ok(());
    }
    let snapshot = state.snapshot();
    let outcome = compute(&snapshot, &a);
    state.store.finish_analysis(id, &outcome, now_ms()).await?;
    tracing::debug!(status = outcome.status, "analysis finished");
    Ok(())
}

/// The outcome of an analysis on a snapshot: pure, no I/O.
pub fn compute(snapshot: &Snapshot, a: &Analysis) -> Outcome {
    let q = &a.request;
    let parse = |s: &str| s.parse().ok();
    let (Some(src), Some(dst)) = (parse(&q.source_ip), parse(&q.dest_ip)) else {
        return failed(
            "INVALID_REQUEST",
            "the stored request has an invalid address".into(),
        );
    };
    let flow = Flow {
        src,
        dst,
        protocol: q
            .protocol
            .as_deref()
            .and_then(|p| p.parse::<Protocol>().ok()),
        src_port: q.source_port.as_deref().and_then(|p| p.parse().ok()),
        dst_port: q.dest_port.as_deref().and_then(|p| p.parse().ok()),
    };
    let dp = &snapshot.dp;
    match pathtrace_engine::trace(dp, &flow) {
        Ok(t) => {
            let selected = dnac::select_branch(&t);
            let (status, code) = dnac::status(&t);
            let elements = selected
                .map(|i| dnac::network_elements(dp, &t.branches[i]))
                .unwrap_or_default();
            let reason = selected
                .map(|i| dnac::failure_reason(dp, &t.flow, &t.branches[i]))
                .filter(|r| !r.is_empty());
            Outcome {
                status,
                failure_reason: if status == "COMPLETED" {
                    None
                } else {
                    reason.or(Some("no path".into()))
                },
                error_code: code,
                result: json!({
                    "detailedStatus": {"aclTraceCalculation": "SUCCESS"},
                    "networkElementsInfo": elements,
                    "properties": [],
                    "traceCount": t.trace_count,
                    "selectedBranch": selected,
                    "ecmpBranches": dnac::branches(dp, &t),
                    "snapshotVersion": snapshot.version,
                }),
            }
        }
        Err(TraceError::SourceNotFound(ip)) => failed(
            "SOURCE_NOT_FOUND",
            format!("SOURCE_NOT_FOUND: source IP address {ip} is not known to the controller"),
        ),
        Err(e @ TraceError::MixedFamilies(..)) => failed("INVALID_REQUEST", e.to_string()),
    }
}

fn failed(code: &str, reason: String) -> Outcome {
    Outcome {
        status: "FAILED",
        failure_reason: Some(reason),
        error_code: Some(code.to_string()),
        result: json!({
            "detailedStatus": {"aclTraceCalculation": "FAILED", "aclTraceCalculationFailureReason": code},
            "networkElementsInfo": [],
            "properties": [],
            "traceCount": 0,
        }),
    }
}
