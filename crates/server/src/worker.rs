//! Workers: run queued flow analyses on the immutable data plane and finish
//! the analysis and its task in one transaction.
//!
//! The queue is the store: an analysis row in INPROGRESS *is* a job, leased
//! to the process running it ([`crate::lease`]). A new analysis is handed to
//! the workers, request and all, the moment its creation is submitted to the
//! [`crate::writer`] (the trace runs while the creation commits; the writer
//! orders the completion after it). A job whose process died (or whose
//! worker panicked) is claimed again when its lease runs out — at start for
//! an embedded store, by any replica for a shared one — so none is ever left
//! stuck. Finishing is idempotent: only an INPROGRESS analysis can be
//! finished, so a re-run cannot write twice.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use pathtrace_engine::trace::TraceError;
use pathtrace_engine::view::acl_trace::DetailedStatus;
use pathtrace_engine::view::dnac::{self, Inclusions};
use pathtrace_engine::{Flow, Protocol};
use tokio::sync::Semaphore;
use tracing::Instrument as _;

use crate::app::{AppState, Snapshot, now_ms};
use crate::store::{Analysis, Applied, Change, Outcome, StoreError};

/// A queued analysis (as created, INPROGRESS).
pub type Job = Arc<Analysis>;

/// Attempts to record a finished analysis before giving up on it (it then
/// stays INPROGRESS in the store and is run again on the next start).
const FINISH_ATTEMPTS: u32 = 6;

/// The worker pool: at most this many analyses run at once (a semaphore);
/// the rest wait in FIFO order.
pub fn pool(n: usize) -> Arc<Semaphore> {
    Arc::new(Semaphore::new(n.max(1)))
}

/// Hand an analysis to the workers: it runs in a task of its own as soon as
/// a worker is free. A job that panics is reported and counted; the
/// analysis stays INPROGRESS and is run again on the next start.
pub fn enqueue(state: &AppState, job: Job) {
    metrics::gauge!("pathtrace_jobs_queued").increment(1.0);
    let state = state.clone();
    // The lease is renewed while this task lives (queued or running).
    let held = state.leases.hold(&job.id);
    tokio::spawn(async move {
        let _held = held;
        let Ok(permit) = state.jobs.acquire().await else {
            return;
        };
        metrics::gauge!("pathtrace_jobs_queued").decrement(1.0);
        if let Some(delay) = *FAULT_DELAY {
            tokio::time::sleep(delay).await;
        }
        if job.snapshot_version > state.snapshot().version
            && let Err(e) = crate::follow::catch_up(&state).await
        {
            tracing::warn!(error = %e, "the job's snapshot could not be loaded; tracing on the current one");
        }
        let start = std::time::Instant::now();
        let span = tracing::info_span!("job", analysis = %job.id);
        let compute = std::panic::AssertUnwindSafe(|| span.in_scope(|| finished(&state, &job)));
        let outcome = if let Ok((done, error_code, body)) = std::panic::catch_unwind(compute) {
            // The worker is free again while the result commits.
            drop(permit);
            match record(&state, done, error_code, body)
                .instrument(span)
                .await
            {
                Ok(()) => "done",
                Err(e) => {
                    tracing::error!(analysis = %job.id, error = %e, "job failed; it stays queued");
                    "error"
                }
            }
        } else {
            tracing::error!(analysis = %job.id, "job panicked; it stays queued");
            "panic"
        };
        job_done(outcome, start);
    });
}

/// Hand a claimed refresh of a periodic analysis to the workers.
pub fn enqueue_refresh(state: &AppState, id: String) {
    metrics::gauge!("pathtrace_jobs_queued").increment(1.0);
    let state = state.clone();
    tokio::spawn(async move {
        let Ok(_permit) = state.jobs.acquire().await else {
            return;
        };
        metrics::gauge!("pathtrace_jobs_queued").decrement(1.0);
        let start = std::time::Instant::now();
        let span = tracing::info_span!("refresh", analysis = %id);
        let outcome = match crate::refresh::refresh(&state, &id).instrument(span).await {
            Ok(()) => "refreshed",
            Err(e) => {
                tracing::error!(analysis = %id, error = %e, "refresh failed; the next period retries");
                "error"
            }
        };
        job_done(outcome, start);
    });
}

/// Count a finished job and its duration.
fn job_done(outcome: &'static str, start: std::time::Instant) {
    metrics::counter!("pathtrace_jobs_total", "outcome" => outcome).increment(1);
    metrics::histogram!("pathtrace_job_duration_seconds").record(start.elapsed().as_secs_f64());
}

/// Fault injection for the scale-out tests: `PATHTRACE_FAULT_JOB_DELAY_MS`
/// makes every job wait that long, holding its worker, before it runs (so a
/// test can kill a replica while it holds jobs). Unset in production.
static FAULT_DELAY: std::sync::LazyLock<Option<Duration>> = std::sync::LazyLock::new(|| {
    std::env::var("PATHTRACE_FAULT_JOB_DELAY_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&ms| ms > 0)
        .map(Duration::from_millis)
});

/// At start: claim and queue the jobs left INPROGRESS by a process that
/// died. An embedded store has one process, so every one of them is
/// claimed; on a shared database only those whose lease ran out (the
/// others belong to live replicas).
pub async fn recover(state: &AppState) -> Result<usize, StoreError> {
    let now = now_ms();
    let before = if state.store.is_shared() {
        now
    } else {
        i64::MAX
    };
    crate::lease::reclaim(state, before, now).await
}

/// Run the stored analysis `id`, if it is still INPROGRESS.
pub async fn run(state: &AppState, id: &str) -> Result<(), StoreError> {
    match state.store.get_analysis(id).await? {
        Some(a) if a.status == "INPROGRESS" => run_job(state, &a).await,
        _ => Ok(()),
    }
}

/// Run one analysis on the current snapshot and record the outcome
/// (retrying while the store is unavailable).
pub async fn run_job(state: &AppState, a: &Analysis) -> Result<(), StoreError> {
    let (done, error_code, body) = finished(state, a);
    record(state, done, error_code, body).await
}

/// The analysis finished on the current snapshot, its task's `errorCode`,
/// and its response body. CPU only.
fn finished(state: &AppState, a: &Analysis) -> (Analysis, Option<String>, Bytes) {
    let snapshot = state.snapshot();
    let now = now_ms();
    let outcome = compute(&snapshot, a, now);
    let mut done = a.clone();
    done.snapshot_version = snapshot.version;
    let error_code = done.finish(outcome, now);
    let body = crate::api::flow::analysis_body(&done);
    (done, error_code, body)
}

/// Record a finished analysis through the writer, retrying while the store
/// is unavailable.
async fn record(
    state: &AppState,
    done: Analysis,
    error_code: Option<String>,
    body: Bytes,
) -> Result<(), StoreError> {
    let mut pause = Duration::from_millis(50);
    for attempt in 1..=FINISH_ATTEMPTS {
        let change = Change::Finish {
            analysis: done.clone(),
            error_code: error_code.clone(),
        };
        match state
            .writer
            .submit(change, Some(body.clone()))
            .committed()
            .await
        {
            Ok(applied) => {
                tracing::debug!(
                    status = done.status,
                    recorded = applied == Applied::Finished(true),
                    "analysis finished"
                );
                return Ok(());
            }
            Err(e) if attempt == FINISH_ATTEMPTS => return Err(e),
            Err(e) => {
                tracing::warn!(error = %e, attempt, "recording a finished analysis failed; retrying");
                tokio::time::sleep(pause).await;
                pause *= 4;
            }
        }
    }
    Ok(())
}

/// The stored result of an analysis: what `GET flow-analysis/{id}` adds to
/// the `request` and `lastUpdate` (serialised once, straight from the view).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultDoc {
    detailed_status: DetailedStatus,
    network_elements_info: Vec<dnac::NetworkElement>,
    properties: [(); 0],
    trace_count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    selected_branch: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ecmp_branches: Option<Vec<dnac::BranchView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    snapshot_version: Option<i64>,
}

/// The outcome of an analysis on a snapshot at `now` (the time statistics
/// are read at): pure, no I/O.
pub fn compute(snapshot: &Snapshot, a: &Analysis, now: i64) -> Outcome {
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
            let branch = selected.map(|i| &t.branches[i]);
            let (status, code) = dnac::status(&t);
            let inclusions = Inclusions::parse_lenient(&q.inclusions);
            let elements = branch
                .map(|b| {
                    dnac::network_elements_with(
                        dp,
                        &t.flow,
                        b,
                        inclusions,
                        snapshot.telemetry.as_ref(),
                        now,
                    )
                })
                .unwrap_or_default();
            let reason = branch
                .map(|b| dnac::failure_reason(dp, &t.flow, b))
                .filter(|r| !r.is_empty());
            let doc = ResultDoc {
                detailed_status: dnac::detailed_status(branch),
                network_elements_info: elements,
                properties: [],
                trace_count: t.trace_count,
                selected_branch: selected,
                ecmp_branches: Some(dnac::branches(dp, &t)),
                snapshot_version: Some(snapshot.version),
            };
            Outcome {
                status,
                failure_reason: if status == "COMPLETED" {
                    None
                } else {
                    reason.or(Some("no path".into()))
                },
                error_code: code,
                result: to_json(&doc),
            }
        }
        Err(TraceError::SourceNotFound(ip)) => failed(
            "SOURCE_NOT_FOUND",
            format!("SOURCE_NOT_FOUND: source IP address {ip} is not known to the controller"),
        ),
        Err(e @ TraceError::MixedFamilies(..)) => failed("INVALID_REQUEST", e.to_string()),
        Err(TraceError::Observed(msg)) => failed(
            "SOURCE_NOT_FOUND",
            format!("SOURCE_NOT_FOUND: {msg} (in the collected state)"),
        ),
    }
}

fn to_json(doc: &ResultDoc) -> String {
    // Plain structs, strings and numbers: serialising cannot fail.
    serde_json::to_string(doc).unwrap_or_else(|e| {
        tracing::error!(error = %e, "result serialisation failed");
        "{}".into()
    })
}

/// A FAILED outcome with `errorCode` `code`.
pub(crate) fn failed(code: &str, reason: String) -> Outcome {
    Outcome {
        status: "FAILED",
        failure_reason: Some(reason),
        error_code: Some(code.to_string()),
        result: to_json(&ResultDoc {
            detailed_status: DetailedStatus::failed(code),
            network_elements_info: Vec::new(),
            properties: [],
            trace_count: 0,
            selected_branch: None,
            ecmp_branches: None,
            snapshot_version: None,
        }),
    }
}
