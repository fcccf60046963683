//! pathtrace-server: the DNA Center / APIC-EM path-trace API over the engine.
//!
//! An axum router ([`app::router`]) serves both URL families
//! (`/api/v1/...` and `/dna/intent/api/v1/...`); every POST/DELETE records
//! its task in the [`store`] (SQLite by default, PostgreSQL by URL) in one
//! transaction and answers at once; [`worker`]s run the trace on the
//! immutable data plane of the current network [`app::Snapshot`] and finish
//! the task. [`run`] wires it all: store, snapshot, workers, HTTP and HTTPS
//! listeners ([`tls`]).

#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod config;
pub mod follow;
pub mod hot;
pub mod lease;
pub mod metrics;
pub mod refresh;
pub mod retention;
pub mod store;
pub mod tls;
pub mod worker;
pub mod writer;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context as _;

use crate::app::{AppState, Snapshot, now_ms};
use crate::config::Settings;
use crate::store::Store;

/// A stable digest of a model text (FNV-1a 64, hex): equal texts, equal digests.
pub(crate) fn digest(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The snapshot to serve: `--network` published as a new version when it
/// differs from the latest; else the latest stored version; else the demo.
pub async fn load_snapshot(store: &Store, network: Option<&Path>) -> anyhow::Result<Snapshot> {
    let (text, file) = match network {
        Some(p) => (
            std::fs::read_to_string(p).with_context(|| format!("{}", p.display()))?,
            p.display().to_string(),
        ),
        None => match follow::latest(store).await? {
            Some(snapshot) => return Ok(snapshot),
            None => (
                pathtrace_model::demo::DEMO_YAML.to_string(),
                pathtrace_model::demo::DEMO_FILE.to_string(),
            ),
        },
    };
    publish_text(store, text, &file).await
}

/// The snapshot a [`config::NetworkLoader`] produces (`serve --suzieq`),
/// published as a new version when it differs from the latest.
pub async fn load_snapshot_from(
    store: &Store,
    loader: &config::NetworkLoader,
) -> anyhow::Result<Snapshot> {
    let load = std::sync::Arc::clone(&loader.load);
    let text = tokio::task::spawn_blocking(move || load())
        .await
        .context("loading the network")?
        .map_err(|e| anyhow::anyhow!("{}: {e}", loader.label))?;
    publish_text(store, text, &loader.label).await
}

/// Validate a model text, publish it (a new version when it changed) and
/// build its snapshot.
async fn publish_text(store: &Store, text: String, file: &str) -> anyhow::Result<Snapshot> {
    let net = pathtrace_model::load_str(&text, file)?;
    let (version, published_ms) = store
        .publish_snapshot(&digest(&text), &text, now_ms())
        .await?;
    let demo = text == pathtrace_model::demo::DEMO_YAML;
    Ok(Snapshot::new(version, published_ms, net, demo))
}

/// Recent analyses kept in memory (with their response bodies: ~15 KiB each on the demo).
const HOT_ANALYSES: usize = 4_096;

/// Everything a server needs, ready to serve (used by `run` and by tests).
pub async fn prepare(settings: &Settings) -> anyhow::Result<(AppState, axum::Router)> {
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("data directory {}", settings.data_dir.display()))?;
    let store = Store::open_with(&settings.database_url, settings.database_max_connections)
        .await
        .context("opening the store")?;
    let store = store.with_lease_ms(settings.job_lease_ms);
    let snapshot = match &settings.network_loader {
        Some(loader) => load_snapshot_from(&store, loader).await?,
        None => load_snapshot(&store, settings.network.as_deref()).await?,
    };
    metrics::install();
    // The cache is safe only while this process is the store's one writer:
    // SQLite (one server per file, see `run`), not PostgreSQL (replicas).
    let hot = settings
        .database_url
        .starts_with("sqlite:")
        .then(|| Arc::new(hot::Hot::new(HOT_ANALYSES)));
    let writer = writer::Writer::spawn(store.clone(), hot.clone());
    let state = AppState {
        refresh_interval_ms: settings.refresh_interval_s * 1000,
        network_file: settings.network.clone(),
        network_loader: settings.network_loader.clone(),
        flows: hot
            .as_ref()
            .map(|_| Arc::new(refresh::FlowIndex::default())),
        reload: Arc::new(tokio::sync::Mutex::new(())),
        writer,
        hot,
        store,
        snapshot: Arc::new(RwLock::new(Arc::new(snapshot))),
        users: Arc::new(
            settings
                .users
                .iter()
                .map(|u| (u.username.clone(), u.clone()))
                .collect::<HashMap<_, _>>(),
        ),
        idle_timeout_s: settings.idle_timeout_s,
        session_timeout_s: settings.session_timeout_s,
        jobs: worker::pool(settings.workers),
        tokens: Arc::new(app::TokenCache::default()),
        leases: Arc::new(lease::Leases::default()),
        retention_ms: i64::try_from(settings.analysis_retention.as_millis()).unwrap_or(i64::MAX),
    };
    let recovered = worker::recover(&state).await?;
    if recovered > 0 {
        tracing::info!(recovered, "re-queued analyses left in progress");
    }
    // Expired tokens are removed every minute (Ansible logs in once per task:
    // tokens must not pile up).
    let janitor = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_mins(1));
        loop {
            tick.tick().await;
            let (idle, session) = (
                janitor.idle_timeout_s * 1000,
                janitor.session_timeout_s * 1000,
            );
            janitor.tokens.expire(now_ms(), idle, session);
            if let Err(e) = janitor.store.expire_tokens(now_ms(), idle, session).await {
                tracing::warn!(error = %e, "token cleanup failed");
            }
        }
    });
    tokio::spawn(async {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            crate::metrics::upkeep();
        }
    });
    refresh::spawn_scheduler(&state);
    lease::spawn(&state);
    retention::spawn(&state);
    if state.store.is_shared() {
        follow::spawn(&state, settings.snapshot_check);
    }
    let router = app::router(state.clone());
    Ok((state, router))
}

/// The file of a `sqlite://FILE?…` or `sqlite:FILE` URL (`None` in memory).
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| path.into())
}

/// Hold `FILE.lock` beside an SQLite store for the life of the process: one
/// server per SQLite file (it keeps recent results in memory, which is only
/// right while it is the file's one writer). Several servers share a
/// PostgreSQL database instead.
fn lock_sqlite(url: &str) -> anyhow::Result<Option<std::fs::File>> {
    let Some(db) = sqlite_file(url) else {
        return Ok(None);
    };
    let mut name = db.clone().into_os_string();
    name.push(".lock");
    let path = std::path::PathBuf::from(name);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another pathtrace server is using the SQLite store {} (lock {}); \
             stop it, choose another --data-dir, or run several servers on PostgreSQL",
            db.display(),
            path.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("locking {}", path.display()))
        }
    }
}

/// Serve until Ctrl-C or SIGTERM, then drain: requests in flight finish
/// (up to `shutdown_grace`), then the jobs this process holds (up to
/// `shutdown_grace` again); the leases of jobs still unfinished are handed
/// back, so another replica — or this one's next start — runs them.
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("data directory {}", settings.data_dir.display()))?;
    let _lock = lock_sqlite(&settings.database_url)?;
    let (state, router) = prepare(&settings).await?;
    let handle = axum_server::Handle::new();
    let http = axum_server::bind(settings.listen)
        .handle(handle.clone())
        .serve(router.clone().into_make_service());
    let snap = state.snapshot();
    println!(
        "pathtrace serving network {:?} (snapshot {}, {} devices, {} hosts)",
        snap.network.name,
        snap.version,
        snap.network.devices.len(),
        snap.network.hosts.len()
    );
    println!("  http://{}", settings.listen);
    let https = match settings.tls_listen {
        Some(addr) => {
            let (cert, key) = tls::ensure_cert(
                &settings.data_dir,
                settings.tls_cert.as_deref(),
                settings.tls_key.as_deref(),
            )?;
            let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key)
                .await
                .with_context(|| format!("TLS certificate {}", cert.display()))?;
            println!("  https://{addr} (certificate {})", cert.display());
            Some(
                axum_server::bind_rustls(addr, config)
                    .handle(handle.clone())
                    .serve(router.into_make_service()),
            )
        }
        None => None,
    };
    println!("  store: {}", redact(&settings.database_url));
    if settings.demo_user {
        println!(
            "  demo credentials (loopback only): {} / {}",
            config::DEMO_USER.0,
            config::DEMO_USER.1
        );
    }
    #[cfg(unix)]
    {
        // SIGHUP: serve the --network file again, or what the loader gives
        // (--suzieq: the directory read again) — a new snapshot version
        // when it changed; a model with errors is logged and ignored.
        let state = state.clone();
        if let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        {
            tokio::spawn(async move {
                while hup.recv().await.is_some() {
                    match refresh::reload_file(&state).await {
                        Ok(s) => println!(
                            "reloaded: snapshot {}, {} devices",
                            s.version,
                            s.network.devices.len()
                        ),
                        Err(refresh::ReloadError::Invalid(errors)) => {
                            eprintln!("reload refused, the served network is unchanged:");
                            for e in errors {
                                eprintln!("  {e}");
                            }
                        }
                        Err(e) => eprintln!("reload refused: {e}"),
                    }
                }
            });
        }
    }
    let shutdown = handle.clone();
    let grace = settings.shutdown_grace;
    tokio::spawn(async move {
        // Ctrl-C or SIGTERM: stop accepting, let requests in flight finish.
        #[cfg(unix)]
        {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
            let sigterm = async {
                match term.as_mut() {
                    Some(t) => {
                        t.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                () = sigterm => {}
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
        shutdown.graceful_shutdown(Some(grace));
    });
    match https {
        Some(https) => {
            let (a, b) = tokio::join!(http, https);
            a.context("HTTP listener")?;
            b.context("HTTPS listener")?;
        }
        None => http.await.context("HTTP listener")?,
    }
    // No more requests: let the jobs held finish, hand back the rest.
    let held = state.leases.len();
    let released = lease::drain(&state, grace).await;
    println!(
        "stopped: {} job(s) finished while draining, {released} handed back to other replicas",
        held.saturating_sub(released)
    );
    Ok(())
}

/// A database URL without its password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_server_per_sqlite_file() {
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(
            sqlite_file("sqlite:///tmp/x/pathtrace.db?mode=rwc"),
            Some("/tmp/x/pathtrace.db".into())
        );
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/p.db?mode=rwc", dir.path().display());
        let first = lock_sqlite(&url).unwrap();
        assert!(first.is_some());
        let e = lock_sqlite(&url).unwrap_err().to_string();
        assert!(e.contains("another pathtrace server"), "{e}");
        drop(first);
        assert!(
            lock_sqlite(&url).unwrap().is_some(),
            "free again once released"
        );
    }
}
