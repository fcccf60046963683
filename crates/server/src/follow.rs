//! Following the stored network snapshot: a reload on one replica reaches
//! all of them.
//!
//! Replicas sharing a PostgreSQL database each build their data plane from
//! the latest stored snapshot. A reload (SIGHUP, `PUT` or `POST …/reload`)
//! on any of them publishes a new version; every replica asks the store for
//! the newest version every `snapshot_check_interval` seconds (one indexed
//! `MAX(version)`), and when it is newer than the one served, loads that
//! model, builds its data plane beside the old one (off the async workers)
//! and swaps it in: traces in flight finish on the old data plane. A job
//! created on a newer snapshot than the one served catches up first
//! ([`catch_up`]). An embedded SQLite store has one process, which already
//! serves what it published: no follower runs.

use std::sync::Arc;
use std::time::Duration;

use crate::app::{AppState, Snapshot};
use crate::store::{Store, StoreError};

/// Why following failed.
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The stored model could not be loaded (it was valid when published:
    /// a newer pathtrace wrote it, or the row is damaged).
    #[error("stored snapshot {version}: {message}")]
    Model {
        /// The version.
        version: i64,
        /// What is wrong.
        message: String,
    },
}

/// The latest stored snapshot, built (`None`: nothing stored).
pub async fn latest(store: &Store) -> Result<Option<Snapshot>, FollowError> {
    let Some((version, digest_of, model, published_ms)) = store.latest_snapshot().await? else {
        return Ok(None);
    };
    let built = tokio::task::spawn_blocking(move || {
        let net =
            pathtrace_model::load_str(&model, "stored snapshot").map_err(|e| e.to_string())?;
        let demo = digest_of == crate::digest(pathtrace_model::demo::DEMO_YAML);
        Ok::<_, String>(Snapshot::new(version, published_ms, net, demo))
    })
    .await
    .map_err(|e| FollowError::Model {
        version,
        message: format!("building the data plane failed: {e}"),
    })?;
    built
        .map(Some)
        .map_err(|message| FollowError::Model { version, message })
}

/// Serve the newest stored snapshot if it is newer than the one served;
/// whether it changed.
pub async fn catch_up(state: &AppState) -> Result<bool, FollowError> {
    let newest = state.store.latest_version().await?;
    if newest <= state.snapshot().version {
        return Ok(false);
    }
    // One build at a time (a reload here, or another job catching up).
    let _one_at_a_time = state.reload.lock().await;
    if newest <= state.snapshot().version {
        return Ok(false);
    }
    let Some(snapshot) = latest(&state.store).await? else {
        return Ok(false);
    };
    if snapshot.version <= state.snapshot().version {
        return Ok(false);
    }
    let snapshot = Arc::new(snapshot);
    *state
        .snapshot
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::clone(&snapshot);
    metrics::counter!("pathtrace_snapshots_followed_total").increment(1);
    tracing::info!(
        version = snapshot.version,
        devices = snapshot.network.devices.len(),
        "now serving a snapshot published by another replica"
    );
    Ok(true)
}

/// Check for a newer snapshot every `every` (replicas on a shared store).
pub fn spawn(state: &AppState, every: Duration) {
    crate::app::every(
        state,
        every.max(Duration::from_millis(50)),
        "following the stored snapshot",
        false,
        |state| async move { catch_up(&state).await.map(drop) },
    );
}
