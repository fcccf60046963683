//! Periodic refresh, `previousFlowAnalysisId`, and reloading the network.
//!
//! An analysis started with `periodicRefresh: true` is due again every
//! `refresh_interval` seconds (30 by default, as DNA Center). A scheduler
//! task looks for due analyses once a second and *claims* each one by
//! moving its due time forward in the store (a conditional update: exactly
//! one claimer per period, however many servers share the store); the claim
//! becomes an ordinary job on the worker pool — no task or thread per
//! analysis. The job re-runs the trace on the current snapshot and updates
//! the analysis in place (`lastUpdate` advances, statistics are read again),
//! as DNA Center does; beyond DNA Center, every run is kept (listed by
//! `GET flow-analysis/{id}/runs`) and the result's `refresh` extension says
//! what changed since the previous run. Deleting the analysis ends its
//! refreshes and removes its runs.
//!
//! Reloading the network (SIGHUP, or `PUT /api/v1/pathtrace/network`)
//! validates the new model, builds its data plane beside the old one,
//! publishes it as a new snapshot version and swaps it in at once: traces in
//! flight finish on the old data plane, new ones use the new one; a model
//! with errors is rejected with its messages and the old one stays.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::app::{AppState, Snapshot, now_ms};
use crate::store::{Analysis, Change, NewAnalysis, Run, StoreError};

/// Due analyses claimed per scheduler round.
const CLAIMS_PER_ROUND: i64 = 256;

/// The latest analysis of each flow (source, destination, ports, protocol)
/// created by this process, for `previousFlowAnalysisId` without a store
/// query on every creation. A flow not in the index is looked up in the
/// store once.
#[derive(Debug, Default)]
pub struct FlowIndex {
    map: Mutex<HashMap<FlowKey, String>>,
}

type FlowKey = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Flows remembered at most (the index is cleared when it grows past this;
/// the store answers for the flows it forgot).
const FLOW_INDEX_CAP: usize = 65_536;

fn key(q: &NewAnalysis) -> FlowKey {
    (
        q.source_ip.clone(),
        q.dest_ip.clone(),
        q.source_port.clone(),
        q.dest_port.clone(),
        q.protocol.clone(),
    )
}

impl FlowIndex {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<FlowKey, String>> {
        self.map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Record `id` as the flow's latest analysis: `Some(previous)` when the
    /// flow was known here, `None` when the store must be asked.
    pub fn swap(&self, q: &NewAnalysis, id: &str) -> Option<String> {
        let mut map = self.lock();
        if map.len() >= FLOW_INDEX_CAP {
            map.clear();
        }
        map.insert(key(q), id.to_string())
    }

    /// Forget a deleted analysis (the store then answers for its flow).
    pub fn forget(&self, id: &str) {
        self.lock().retain(|_, v| v != id);
    }

    /// Forget many deleted analyses at once (one pass).
    pub fn forget_all(&self, ids: &std::collections::HashSet<&str>) {
        self.lock().retain(|_, v| !ids.contains(v.as_str()));
    }
}

/// The most recent earlier analysis of `a`'s flow.
pub async fn previous_of(state: &AppState, a: &Analysis) -> Result<Option<String>, StoreError> {
    if let Some(index) = &state.flows
        && let Some(previous) = index.swap(&a.request, &a.id)
    {
        return Ok(Some(previous));
    }
    state.store.previous_of_flow(&a.request, a.seq).await
}

/// Start the scheduler: once a second, claim and queue the due refreshes.
pub fn spawn_scheduler(state: &AppState) {
    crate::app::every(
        state,
        Duration::from_secs(1),
        "refresh scheduling",
        true,
        |state| async move { run_due(&state, now_ms()).await.map(drop) },
    );
}

/// Claim the refreshes due at `now` and queue them; how many were queued.
pub async fn run_due(state: &AppState, now: i64) -> Result<usize, StoreError> {
    let mut queued = 0;
    for (id, due) in state.store.due_refreshes(now, CLAIMS_PER_ROUND).await? {
        // Missed periods (the server was down) are skipped, not caught up.
        let next = if due + state.refresh_interval_ms > now {
            due + state.refresh_interval_ms
        } else {
            now + state.refresh_interval_ms
        };
        if state.store.claim_refresh(&id, due, next).await? {
            crate::worker::enqueue_refresh(state, id);
            queued += 1;
        }
    }
    Ok(queued)
}

/// Re-run one periodic analysis and record the run (a no-op when it was
/// deleted meanwhile).
pub async fn refresh(state: &AppState, id: &str) -> Result<(), StoreError> {
    let Some(previous) = state.store.get_analysis(id).await? else {
        return Ok(());
    };
    if previous.status == "INPROGRESS" {
        return Ok(());
    }
    let number = state.store.last_run(id).await? + 1;
    let snapshot = state.snapshot();
    let now = now_ms();
    let (next, run) = rerun(&snapshot, &previous, number, now);
    let body = crate::api::flow::analysis_body(&next);
    state
        .writer
        .submit(
            Change::Refresh {
                analysis: next,
                run,
            },
            Some(body),
        )
        .committed()
        .await?;
    Ok(())
}

/// The analysis after run `number` on `snapshot` at `now`, and the run to
/// keep: pure, no I/O.
pub fn rerun(snapshot: &Snapshot, previous: &Analysis, number: i64, now: i64) -> (Analysis, Run) {
    let outcome = crate::worker::compute(snapshot, previous, now);
    let mut next = previous.clone();
    next.snapshot_version = snapshot.version;
    next.finish(outcome, now);
    let mut result: Value = next
        .result
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or_else(|| json!({}));
    let changes = changes(previous, &next, &result, number);
    if let Value::Object(m) = &mut result {
        m.insert("refresh".into(), changes);
    }
    next.result = Some(result.to_string());
    let run = Run::of(&next, number);
    (next, run)
}

/// Hops of a result as `name ip` labels, in path order.
fn hops(result: &Value) -> Vec<String> {
    result["networkElementsInfo"]
        .as_array()
        .map(|elements| {
            elements
                .iter()
                .map(|e| {
                    let name = e["name"].as_str().unwrap_or("-");
                    let ip = e["ip"].as_str().unwrap_or("-");
                    format!("{name} {ip}")
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The `refresh` extension: run number and what changed since the previous
/// run (hops added and removed, the path, the status, the snapshot).
fn changes(previous: &Analysis, next: &Analysis, result: &Value, number: i64) -> Value {
    let before: Value = previous
        .result
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or(Value::Null);
    let (old, new) = (hops(&before), hops(result));
    let added: Vec<&String> = new.iter().filter(|h| !old.contains(h)).collect();
    let removed: Vec<&String> = old.iter().filter(|h| !new.contains(h)).collect();
    let mut m = serde_json::Map::new();
    m.insert("run".into(), json!(number));
    m.insert("previousRunTime".into(), json!(previous.last_update_ms));
    m.insert("pathChanged".into(), json!(old != new));
    m.insert("hopsAdded".into(), json!(added));
    m.insert("hopsRemoved".into(), json!(removed));
    if previous.status != next.status {
        m.insert(
            "statusChanged".into(),
            json!({"from": previous.status, "to": next.status}),
        );
    }
    if previous.snapshot_version != next.snapshot_version {
        m.insert(
            "snapshotChanged".into(),
            json!({"from": previous.snapshot_version, "to": next.snapshot_version}),
        );
    }
    Value::Object(m)
}

/// Why a reload was refused.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    /// The model has errors (one `file:line: field: message` each).
    #[error("the model has {} error(s); the served network is unchanged", .0.len())]
    Invalid(Vec<String>),
    /// The model file could not be read.
    #[error("{0}")]
    Unreadable(String),
    /// There is no model file (nor other source) to reload.
    #[error("the server was started without --network or --suzieq: there is no file to reload")]
    NoFile,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Serve `text` (a model; `label` names it in messages) from now on: a new
/// snapshot version when it differs from the latest. Traces in flight keep
/// the data plane they started on.
pub async fn reload(
    state: &AppState,
    text: String,
    label: String,
) -> Result<Arc<Snapshot>, ReloadError> {
    let _one_at_a_time = state.reload.lock().await;
    let built = tokio::task::spawn_blocking(move || {
        let network = pathtrace_model::load_str(&text, &label).map_err(|e| {
            e.diagnostics
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        })?;
        let demo = text == pathtrace_model::demo::DEMO_YAML;
        Ok::<_, Vec<String>>((Snapshot::new(0, 0, network, demo), text))
    })
    .await
    .map_err(|e| ReloadError::Unreadable(format!("building the data plane failed: {e}")))?;
    let (mut snapshot, text) = built.map_err(ReloadError::Invalid)?;
    let (version, published_ms) = state
        .store
        .publish_snapshot(&crate::digest(&text), &text, now_ms())
        .await?;
    snapshot.version = version;
    snapshot.published_ms = published_ms;
    let snapshot = Arc::new(snapshot);
    *state
        .snapshot
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::clone(&snapshot);
    tracing::info!(
        version,
        devices = snapshot.network.devices.len(),
        "network reloaded"
    );
    Ok(snapshot)
}

/// Reload the `--network` file, or call the source given instead
/// (`--suzieq`: the parquet directory is read and converted again) (SIGHUP,
/// `POST …/pathtrace/network/reload`).
pub async fn reload_file(state: &AppState) -> Result<Arc<Snapshot>, ReloadError> {
    if let Some(loader) = state.network_loader.clone() {
        let load = Arc::clone(&loader.load);
        let text = tokio::task::spawn_blocking(move || load())
            .await
            .map_err(|e| ReloadError::Unreadable(format!("{}: {e}", loader.label)))?
            .map_err(|e| ReloadError::Unreadable(format!("{}: {e}", loader.label)))?;
        return reload(state, text, loader.label).await;
    }
    let path = state.network_file.clone().ok_or(ReloadError::NoFile)?;
    let text = tokio::fs::read_to_string(&path)
        .await
        .map_err(|e| ReloadError::Unreadable(format!("{}: {e}", path.display())))?;
    reload(state, text, path.display().to_string()).await
}
