//! Retention: old analyses and tasks are deleted, so the store does not
//! grow without bound (3.3 KB per analysis and its task: a gigabyte in ten
//! minutes at 500 analyses a second).
//!
//! With `analysis_retention` set (days; 0, the default, keeps everything),
//! once a minute every server deletes finished one-shot analyses last
//! updated longer ago than that, and finished tasks that ended longer ago,
//! in batches of 500 with a pause as long as the batch between them. Periodic analyses stay until they are deleted; nothing
//! INPROGRESS is touched. Replicas may expire at the same moment: their
//! deletes skip each other's rows. What this process keeps in memory (the
//! recent-results cache, the flow index) forgets the deleted ids.

use std::collections::HashSet;
use std::time::Duration;

use crate::app::{AppState, every, now_ms};
use crate::hot::Update;
use crate::store::StoreError;

/// Rows deleted per statement.
const BATCH: i64 = 500;

/// Delete what is older than the retention at `now`: (analyses, tasks)
/// deleted. A no-op when retention is off.
pub async fn expire_now(state: &AppState, now: i64) -> Result<(usize, usize), StoreError> {
    if state.retention_ms <= 0 {
        return Ok((0, 0));
    }
    let before = now.saturating_sub(state.retention_ms);
    let (mut analyses, mut tasks) = (0, 0);
    loop {
        let started = std::time::Instant::now();
        let (a, t) = state.store.expire(before, BATCH).await?;
        analyses += a.len();
        tasks += t.len();
        if let Some(hot) = &state.hot {
            hot.update(Update {
                drop_analyses: a.clone(),
                drop_tasks: t.clone(),
                ..Update::default()
            });
        }
        if let Some(flows) = &state.flows
            && !a.is_empty()
        {
            flows.forget_all(&a.iter().map(String::as_str).collect::<HashSet<_>>());
        }
        let full = i64::try_from(a.len().max(t.len())).unwrap_or(i64::MAX) >= BATCH;
        if !full {
            break;
        }
        // As long again for everyone else: a large backlog (retention just
        // switched on, or a server that was down) is deleted at half the
        // store's pace instead of holding its write lock for seconds (SQLite:
        // the analyses' group commits wait for it).
        tokio::time::sleep(started.elapsed().max(Duration::from_millis(1))).await;
    }
    if analyses + tasks > 0 {
        metrics::counter!("pathtrace_expired_total", "kind" => "analysis")
            .increment(analyses as u64);
        metrics::counter!("pathtrace_expired_total", "kind" => "task").increment(tasks as u64);
        tracing::info!(analyses, tasks, "expired past the retention");
    }
    Ok((analyses, tasks))
}

/// Expire once a minute (when retention is on).
pub fn spawn(state: &AppState) {
    if state.retention_ms <= 0 {
        return;
    }
    every(
        state,
        Duration::from_mins(1),
        "expiring old analyses",
        false,
        |state| async move { expire_now(&state, now_ms()).await.map(drop) },
    );
}
