//! Job leases: how replicas sharing one database share the work, and how
//! no analysis is lost when a replica dies.
//!
//! An INPROGRESS analysis is a job. The replica that accepts it runs it and
//! holds a *lease* on it in the store (owner, valid until): the creation is
//! written with the lease, and a heartbeat renews the leases of every job
//! this process holds (running or waiting for a worker) every third of the
//! lease. A *reaper* on every replica looks once a second for jobs whose
//! lease ran out — their replica died, or the job panicked and was dropped —
//! and claims them ([`Store::claim_jobs`](crate::store::Store::claim_jobs):
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL, so each is claimed once) and runs
//! them again. Execution is at least once; the result is written once,
//! because finishing is conditional on the analysis still being INPROGRESS.
//! A job started [`MAX_ATTEMPTS`] times without finishing ends FAILED with
//! the reason, instead of killing workers forever.
//!
//! Graceful shutdown ([`drain`]): stop claiming, wait for the jobs held to
//! finish (up to the grace period), then give back the leases of what is
//! left so another replica takes it at once.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::app::{AppState, every, now_ms};
use crate::store::{Analysis, Change, StoreError};

/// Starts of one analysis before it is given up as FAILED.
pub const MAX_ATTEMPTS: i64 = 3;

/// Jobs claimed per reaper round.
const CLAIMS_PER_ROUND: i64 = 64;

/// `errorCode` of an analysis given up after [`MAX_ATTEMPTS`].
pub const ABANDONED: &str = "JOB_ABANDONED";

/// The jobs this process holds, and whether it is draining.
#[derive(Debug, Default)]
pub struct Leases {
    held: Mutex<HashSet<String>>,
    draining: AtomicBool,
    changed: tokio::sync::Notify,
}

/// Holds one job's lease in this process; dropping it (the job finished,
/// failed to record, or panicked) stops the renewals.
#[derive(Debug)]
pub struct Held {
    leases: Arc<Leases>,
    id: String,
}

impl Drop for Held {
    fn drop(&mut self) {
        self.leases.lock().remove(&self.id);
        self.leases.changed.notify_waiters();
    }
}

impl Leases {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Hold the lease of job `id` until the returned guard is dropped.
    pub fn hold(self: &Arc<Self>, id: &str) -> Held {
        self.lock().insert(id.to_string());
        Held {
            leases: Arc::clone(self),
            id: id.to_string(),
        }
    }

    /// The jobs held now.
    pub fn held(&self) -> Vec<String> {
        self.lock().iter().cloned().collect()
    }

    /// How many jobs are held.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no job is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the process is shutting down (no new claims).
    pub fn draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }
}

/// Start the heartbeat (renew every third of the lease) and the reaper
/// (claim expired jobs once a second).
pub fn spawn(state: &AppState) {
    let beat = Duration::from_millis(
        u64::try_from(state.store.lease_ms() / 3)
            .unwrap_or(1)
            .max(1),
    );
    every(
        state,
        beat,
        "renewing job leases",
        false,
        |state| async move {
            let ids = state.leases.held();
            if !ids.is_empty() {
                let renewed = state.store.renew_leases(&ids, now_ms()).await?;
                tracing::trace!(held = ids.len(), renewed, "leases renewed");
            }
            Ok::<_, StoreError>(())
        },
    );
    every(
        state,
        Duration::from_secs(1),
        "looking for abandoned jobs",
        true,
        |state| async move {
            let now = now_ms();
            reclaim(&state, now, now).await.map(drop)
        },
    );
}

/// Claim the jobs whose lease ran out before `before` and run them (those
/// started [`MAX_ATTEMPTS`] times already end FAILED); how many were claimed.
pub async fn reclaim(state: &AppState, before: i64, now: i64) -> Result<usize, StoreError> {
    let mut claimed = 0;
    loop {
        let jobs = state
            .store
            .claim_jobs(before, now, CLAIMS_PER_ROUND)
            .await?;
        let n = jobs.len();
        claimed += n;
        for (job, attempts) in jobs {
            metrics::counter!("pathtrace_jobs_redelivered_total").increment(1);
            if attempts > MAX_ATTEMPTS {
                tracing::error!(analysis = %job.id, attempts, "job abandoned after repeated worker failures");
                give_up(state, job, attempts).await?;
            } else {
                tracing::info!(analysis = %job.id, attempts, "re-running a job whose worker stopped");
                crate::worker::enqueue(state, Arc::new(job));
            }
        }
        if n < usize::try_from(CLAIMS_PER_ROUND).unwrap_or(usize::MAX) || state.leases.draining() {
            return Ok(claimed);
        }
    }
}

/// Finish a job that was started too often as FAILED.
async fn give_up(state: &AppState, mut job: Analysis, attempts: i64) -> Result<(), StoreError> {
    let now = now_ms();
    let outcome = crate::worker::failed(
        ABANDONED,
        format!(
            "the analysis was started {} times and its worker stopped each time \
             (a replica died or the trace failed); it is not retried",
            attempts - 1
        ),
    );
    let error_code = job.finish(outcome, now);
    let body = crate::api::flow::analysis_body(&job);
    state
        .writer
        .submit(
            Change::Finish {
                analysis: job,
                error_code,
            },
            Some(body),
        )
        .committed()
        .await?;
    Ok(())
}

/// Graceful shutdown: stop claiming jobs, wait up to `grace` for the jobs
/// held to finish, then release the leases of the rest; how many were
/// released.
pub async fn drain(state: &AppState, grace: Duration) -> usize {
    state.leases.draining.store(true, Ordering::Relaxed);
    let deadline = tokio::time::Instant::now() + grace;
    loop {
        let changed = state.leases.changed.notified();
        if state.leases.is_empty() {
            break;
        }
        if tokio::time::timeout_at(deadline, changed).await.is_err() {
            break;
        }
    }
    let left = state.leases.held();
    if left.is_empty() {
        return 0;
    }
    match state.store.release_leases(Some(&left)).await {
        Ok(n) => usize::try_from(n).unwrap_or(usize::MAX),
        Err(e) => {
            tracing::warn!(error = %e, jobs = left.len(), "releasing leases failed; they run out by themselves");
            0
        }
    }
}
