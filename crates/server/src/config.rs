//! Configuration: one TOML file (unknown keys are errors) < environment <
//! flags. The binary maps flags and `PATHTRACE_*` variables onto
//! [`Overrides`]; [`resolve`] layers them over the file and the defaults.
//! Every key is documented in docs/configuration.md.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use argon2::{Argon2, PasswordHasher};
use serde::Deserialize;

use crate::app::User;

/// The demo user, available only while every listener is on loopback.
pub const DEMO_USER: (&str, &str) = ("devnetuser", "Cisco123!");

/// The configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Plain-HTTP listen address.
    pub listen: Option<String>,
    /// HTTPS listen address, or "off".
    pub tls_listen: Option<String>,
    /// Data directory (embedded store, generated certificate).
    pub data_dir: Option<PathBuf>,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: Option<String>,
    /// Model file to serve.
    pub network: Option<PathBuf>,
    /// PEM certificate for HTTPS.
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for HTTPS.
    pub tls_key: Option<PathBuf>,
    /// Worker tasks running analyses.
    pub workers: Option<usize>,
    /// Token idle timeout, seconds.
    pub token_idle_timeout: Option<i64>,
    /// Token session timeout, seconds.
    pub token_session_timeout: Option<i64>,
    /// Seconds between two runs of a `periodicRefresh` analysis.
    pub refresh_interval: Option<i64>,
    /// Seconds a replica's lease on a job it runs lasts (renewed every
    /// third of it); a dead replica's jobs run again after it.
    pub job_lease: Option<f64>,
    /// Seconds between two checks for a newer stored snapshot (PostgreSQL).
    pub snapshot_check_interval: Option<f64>,
    /// Seconds a stopping server waits for requests and jobs in flight.
    pub shutdown_grace: Option<f64>,
    /// Pooled database connections per process.
    pub database_max_connections: Option<u32>,
    /// Days a finished analysis or task is kept (0: forever).
    pub analysis_retention: Option<f64>,
    /// Users who may log in.
    #[serde(default)]
    pub users: Vec<UserEntry>,
}

/// A user in the configuration file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserEntry {
    /// Name.
    pub username: String,
    /// argon2 PHC hash (`pathtrace hash-password` prints one).
    pub password_hash: String,
}

/// Values from flags or the environment (they win over the file).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--config`.
    pub config: Option<PathBuf>,
    /// `--listen`.
    pub listen: Option<String>,
    /// `--tls-listen`.
    pub tls_listen: Option<String>,
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// `--database-url`.
    pub database_url: Option<String>,
    /// `--network`.
    pub network: Option<PathBuf>,
}

/// A model the binary produces instead of reading a model file (`serve
/// --suzieq DIR --namespace NS`: a SuzieQ snapshot, converted). `load` is
/// called at start and again on every reload (SIGHUP,
/// `POST …/pathtrace/network/reload`); it returns the model's YAML text, or
/// why there is none. It may block (it runs off the async workers).
#[derive(Clone)]
pub struct NetworkLoader {
    /// Names the source in messages and as the model's file name.
    pub label: String,
    /// Produce the model text.
    pub load: Arc<dyn Fn() -> Result<String, String> + Send + Sync>,
}

impl std::fmt::Debug for NetworkLoader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetworkLoader")
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

/// The resolved settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Plain-HTTP listener.
    pub listen: SocketAddr,
    /// HTTPS listener (None: off).
    pub tls_listen: Option<SocketAddr>,
    /// Data directory.
    pub data_dir: PathBuf,
    /// Store URL.
    pub database_url: String,
    /// Model file to publish and serve.
    pub network: Option<PathBuf>,
    /// A model the binary produces, served instead of `network` (never set
    /// by [`resolve`]; the binary sets it for `serve --suzieq`).
    pub network_loader: Option<NetworkLoader>,
    /// Certificate and key, when configured.
    pub tls_cert: Option<PathBuf>,
    /// Key.
    pub tls_key: Option<PathBuf>,
    /// Workers.
    pub workers: usize,
    /// Token idle timeout, seconds.
    pub idle_timeout_s: i64,
    /// Token session timeout, seconds.
    pub session_timeout_s: i64,
    /// Seconds between two runs of a periodic analysis.
    pub refresh_interval_s: i64,
    /// Job lease, ms.
    pub job_lease_ms: i64,
    /// Between two checks for a newer stored snapshot.
    pub snapshot_check: std::time::Duration,
    /// How long a stopping server waits for what is in flight.
    pub shutdown_grace: std::time::Duration,
    /// Pooled database connections.
    pub database_max_connections: u32,
    /// How long finished analyses and tasks are kept (zero: forever).
    pub analysis_retention: std::time::Duration,
    /// Users.
    pub users: Vec<User>,
    /// Whether the demo user is in `users`.
    pub demo_user: bool,
}

fn addr(field: &str, v: &str) -> anyhow::Result<SocketAddr> {
    v.parse()
        .map_err(|_| anyhow::anyhow!("{field}: not a socket address (HOST:PORT): {v:?}"))
}

/// Layer defaults < file < overrides.
pub fn resolve(o: Overrides) -> anyhow::Result<Settings> {
    let file: FileConfig = match &o.config {
        Some(p) => load_file(p)?,
        None => FileConfig::default(),
    };
    let listen = addr(
        "listen",
        o.listen
            .as_deref()
            .or(file.listen.as_deref())
            .unwrap_or("127.0.0.1:8080"),
    )?;
    let tls_listen = match o
        .tls_listen
        .as_deref()
        .or(file.tls_listen.as_deref())
        .unwrap_or("127.0.0.1:8443")
    {
        "off" | "" => None,
        v => Some(addr("tls_listen", v)?),
    };
    let data_dir = o
        .data_dir
        .or(file.data_dir)
        .unwrap_or_else(|| PathBuf::from("pathtrace-data"));
    let database_url = o.database_url.or(file.database_url).unwrap_or_else(|| {
        format!(
            "sqlite://{}?mode=rwc",
            data_dir.join("pathtrace.db").display()
        )
    });
    if !(database_url.starts_with("sqlite:")
        || database_url.starts_with("postgres://")
        || database_url.starts_with("postgresql://"))
    {
        anyhow::bail!("database_url: expected sqlite://… or postgres://…");
    }
    let mut users: Vec<User> = file
        .users
        .into_iter()
        .map(|u| User {
            username: u.username,
            password_hash: u.password_hash,
        })
        .collect();
    let loopback = listen.ip().is_loopback() && tls_listen.is_none_or(|a| a.ip().is_loopback());
    let demo_user = users.is_empty();
    if demo_user {
        if !loopback {
            anyhow::bail!(
                "no users are configured: the demo user {} exists only while listening on loopback; add [[users]] to the configuration file",
                DEMO_USER.0
            );
        }
        users.push(User {
            username: DEMO_USER.0.into(),
            password_hash: hash_password(DEMO_USER.1)?,
        });
    }
    let workers = file.workers.unwrap_or(2);
    if workers == 0 {
        anyhow::bail!("workers: must be at least 1");
    }
    let refresh_interval_s = file.refresh_interval.unwrap_or(30);
    if !(1..=86_400).contains(&refresh_interval_s) {
        anyhow::bail!("refresh_interval: must be 1-86400 seconds, got {refresh_interval_s}");
    }
    let seconds = |field: &str, v: Option<f64>, default: f64, range: (f64, f64)| {
        let v = v.unwrap_or(default);
        if v.is_finite() && v >= range.0 && v <= range.1 {
            Ok(std::time::Duration::from_secs_f64(v))
        } else {
            Err(anyhow::anyhow!(
                "{field}: must be {}-{} seconds, got {v}",
                range.0,
                range.1
            ))
        }
    };
    let job_lease = seconds("job_lease", file.job_lease, 10.0, (0.5, 3600.0))?;
    let snapshot_check = seconds(
        "snapshot_check_interval",
        file.snapshot_check_interval,
        1.0,
        (0.05, 3600.0),
    )?;
    let shutdown_grace = seconds("shutdown_grace", file.shutdown_grace, 10.0, (0.0, 3600.0))?;
    let retention_days = file.analysis_retention.unwrap_or(0.0);
    if !(retention_days.is_finite() && (0.0..=3650.0).contains(&retention_days)) {
        anyhow::bail!(
            "analysis_retention: must be 0-3650 days (0 keeps everything), got {retention_days}"
        );
    }
    let analysis_retention = std::time::Duration::from_secs_f64(retention_days * 86_400.0);
    let database_max_connections = file.database_max_connections.unwrap_or(8);
    if !(1..=1000).contains(&database_max_connections) {
        anyhow::bail!("database_max_connections: must be 1-1000, got {database_max_connections}");
    }
    Ok(Settings {
        refresh_interval_s,
        job_lease_ms: i64::try_from(job_lease.as_millis()).unwrap_or(i64::MAX),
        snapshot_check,
        shutdown_grace,
        database_max_connections,
        analysis_retention,
        listen,
        tls_listen,
        data_dir,
        database_url,
        network: o.network.or(file.network),
        network_loader: None,
        tls_cert: file.tls_cert,
        tls_key: file.tls_key,
        workers,
        idle_timeout_s: file.token_idle_timeout.unwrap_or(1800),
        session_timeout_s: file.token_session_timeout.unwrap_or(21600),
        users,
        demo_user,
    })
}

fn load_file(p: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
    toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
}

/// An argon2id PHC hash of a password.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}
