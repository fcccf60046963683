//! The store: tokens, tasks, flow analyses and network snapshots, in SQLite
//! (embedded default) or PostgreSQL, chosen by URL, through one interface.
//!
//! sqlx's `Any` driver runs the same portable SQL on both (TEXT and BIGINT
//! columns, booleans as 0/1, times as epoch milliseconds; placeholders are
//! `$1, $2, …`, each used once and in order, which both backends accept).
//! Every write that creates or deletes a resource happens in one
//! transaction with the task that reports on it.

use std::sync::atomic::{AtomicI64, Ordering};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

/// Store failures (details go to the log; clients see a generic 5xx/503).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database answered with an error or could not be reached.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The writer could not commit (the group's error, or it stopped).
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// A stored value could not be decoded.
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
}

/// Result alias.
pub type Result<T> = std::result::Result<T, StoreError>;

/// An analysis as requested (what `POST flow-analysis` stores).
#[derive(Debug, Clone, PartialEq)]
pub struct NewAnalysis {
    /// Source address as given.
    pub source_ip: String,
    /// Destination address as given.
    pub dest_ip: String,
    /// Source port (digits).
    pub source_port: Option<String>,
    /// Destination port (digits).
    pub dest_port: Option<String>,
    /// `TCP` or `UDP`.
    pub protocol: Option<String>,
    /// `periodicRefresh`.
    pub periodic_refresh: bool,
    /// `controlPath`, when given.
    pub control_path: Option<bool>,
    /// Inclusions.
    pub inclusions: Vec<String>,
}

/// A stored analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Id.
    pub id: String,
    /// Creation sequence (stable order).
    pub seq: i64,
    /// The task that created it.
    pub task_id: String,
    /// The request.
    pub request: NewAnalysis,
    /// INPROGRESS, COMPLETED or FAILED.
    pub status: String,
    /// Why it failed.
    pub failure_reason: Option<String>,
    /// Creation time.
    pub create_ms: i64,
    /// Last update.
    pub last_update_ms: i64,
    /// The computed result (a JSON object, as stored), once done.
    pub result: Option<String>,
    /// Snapshot version it was (or will be) computed on.
    pub snapshot_version: i64,
    /// The most recent earlier analysis of the same flow
    /// (`previousFlowAnalysisId`).
    pub previous_id: Option<String>,
    /// When a periodic analysis is next re-run (epoch ms); `None` for a
    /// one-shot analysis.
    pub next_refresh_ms: Option<i64>,
}

/// One kept run of a periodic analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The analysis.
    pub analysis_id: String,
    /// 1 for the first computation, then one more per refresh.
    pub run: i64,
    /// When it finished.
    pub end_ms: i64,
    /// COMPLETED or FAILED.
    pub status: String,
    /// Why it failed.
    pub failure_reason: Option<String>,
    /// The snapshot it was computed on.
    pub snapshot_version: i64,
    /// The result (a JSON object, serialised).
    pub result: String,
}

impl Run {
    /// The run an analysis in its final state records.
    pub fn of(a: &Analysis, run: i64) -> Run {
        Run {
            analysis_id: a.id.clone(),
            run,
            end_ms: a.last_update_ms,
            status: a.status.clone(),
            failure_reason: a.failure_reason.clone(),
            snapshot_version: a.snapshot_version,
            result: a.result.clone().unwrap_or_else(|| "{}".into()),
        }
    }
}

impl Analysis {
    /// Put the analysis in its final state: `outcome` computed at `now`.
    /// Returns the task's `errorCode`.
    pub fn finish(&mut self, outcome: Outcome, now: i64) -> Option<String> {
        self.status = outcome.status.to_string();
        self.failure_reason = outcome.failure_reason;
        self.last_update_ms = now;
        self.result = Some(outcome.result);
        outcome.error_code
    }
}

/// One change of a group commit ([`Store::apply`]).
#[derive(Debug, Clone)]
pub enum Change {
    /// Insert an analysis and its task (the analysis may already be finished
    /// when its result was ready before the group was written).
    Create {
        /// The analysis.
        analysis: Analysis,
        /// Its task.
        task: Task,
    },
    /// Finish an INPROGRESS analysis (given in its final state) and its task.
    Finish {
        /// The analysis, finished.
        analysis: Analysis,
        /// The task's `errorCode`.
        error_code: Option<String>,
    },
    /// A periodic analysis re-run: update it in place (when it still
    /// exists) and keep the run.
    Refresh {
        /// The analysis in its new state.
        analysis: Analysis,
        /// The run to keep.
        run: Run,
    },
    /// Delete an analysis and record the deletion `task`.
    Delete {
        /// The analysis.
        id: String,
        /// When.
        now: i64,
        /// The (already completed) deletion task.
        task: Task,
    },
}

/// What a [`Change`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Inserted.
    Created,
    /// Finished (false: it was gone or finished already).
    Finished(bool),
    /// Deleted (false: there was no such analysis).
    Deleted(bool),
    /// Refreshed (false: the analysis is gone).
    Refreshed(bool),
}

/// A stored task.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// Id.
    pub id: String,
    /// Creation sequence.
    pub seq: i64,
    /// `serviceType`.
    pub service_type: String,
    /// `progress`.
    pub progress: String,
    /// `isError`.
    pub is_error: bool,
    /// `failureReason`.
    pub failure_reason: Option<String>,
    /// `errorCode`.
    pub error_code: Option<String>,
    /// `startTime`.
    pub start_ms: i64,
    /// `endTime`, once done.
    pub end_ms: Option<i64>,
    /// `lastUpdate`.
    pub last_update_ms: i64,
    /// Where the result is (`resultLocation`).
    pub result_url: Option<String>,
}

/// How an analysis ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// COMPLETED or FAILED.
    pub status: &'static str,
    /// The failure sentence.
    pub failure_reason: Option<String>,
    /// The task's error code (the disposition, or SOURCE_NOT_FOUND).
    pub error_code: Option<String>,
    /// The result: a JSON object, serialised.
    pub result: String,
}

/// Filters of `GET flow-analysis` (all optional; exact matches).
#[derive(Debug, Clone, Default)]
pub struct AnalysisFilter {
    /// `periodicRefresh`.
    pub periodic_refresh: Option<bool>,
    /// `sourceIP`.
    pub source_ip: Option<String>,
    /// `destIP`.
    pub dest_ip: Option<String>,
    /// `sourcePort`.
    pub source_port: Option<String>,
    /// `destPort`.
    pub dest_port: Option<String>,
    /// `protocol`.
    pub protocol: Option<String>,
    /// `status`.
    pub status: Option<String>,
    /// `taskId`.
    pub task_id: Option<String>,
    /// `gtCreateTime`.
    pub gt_create_time: Option<i64>,
    /// `ltCreateTime`.
    pub lt_create_time: Option<i64>,
    /// `lastUpdateTime`.
    pub last_update_time: Option<i64>,
}

/// The store.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    /// SQLite (`?` placeholders are cheaper there than `$N`). Its WAL is
    /// checkpointed by the commit that takes it past 1,000 pages (SQLite's
    /// default): a checkpoint running beside a busy writer never catches up,
    /// and the WAL would grow without bound.
    sqlite: bool,
    /// PostgreSQL (shared by replicas; row locks with `SKIP LOCKED`).
    postgres: bool,
    /// This process's name in job leases (see [`Store::with_lease`]).
    owner: std::sync::Arc<str>,
    /// How long a lease lasts, ms.
    lease_ms: i64,
}

/// Default job lease, ms (`job_lease` in the configuration).
pub const DEFAULT_LEASE_MS: i64 = 10_000;

/// Connections per process when none is configured.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 8;

/// A name for this process in job leases and logs: `HOST:PID:XXXX` (four
/// random hex digits, so a restarted process with a recycled pid is a
/// different owner).
pub fn replica_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    let salt = uuid::Uuid::new_v4().as_u128() & 0xffff;
    format!("{host}:{}:{salt:04x}", std::process::id())
}

const ANALYSIS_COLUMNS: &str = "id, seq, task_id, source_ip, dest_ip, source_port, dest_port, protocol, \
     periodic_refresh, control_path, inclusions, status, failure_reason, create_ms, last_update_ms, result, snapshot_version, \
     previous_id, next_refresh_ms";
const TASK_COLUMNS: &str = "id, seq, service_type, progress, is_error, failure_reason, error_code, start_ms, end_ms, last_update_ms, result_url";

impl Store {
    /// Connect to `url` (`sqlite://FILE?mode=rwc`, `sqlite::memory:` or
    /// `postgres://…`) and apply the migrations.
    pub async fn open(url: &str) -> Result<Store> {
        Store::open_with(url, DEFAULT_MAX_CONNECTIONS).await
    }

    /// [`Store::open`] with at most `max_connections` pooled connections
    /// (`database_max_connections`; an in-memory store always has one).
    pub async fn open_with(url: &str, max_connections: u32) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let memory = url.contains(":memory:");
        let mut opts = AnyPoolOptions::new()
            .max_connections(if memory { 1 } else { max_connections.max(1) })
            // A broken connection shows as the statement's error (a 503);
            // pinging before every use would double the round trips.
            .test_before_acquire(false);
        if url.starts_with("postgres") {
            // While the database is down, a request waits this long for a
            // connection, then gets its 503 (sqlx's default is 30 s).
            opts = opts.acquire_timeout(std::time::Duration::from_secs(5));
        }
        if memory {
            // One connection that never closes, or the in-memory database goes with it.
            opts = opts.idle_timeout(None).max_lifetime(None);
        }
        if url.starts_with("sqlite") && !memory {
            // On every connection: WAL (readers never block the writer) and
            // synchronous=NORMAL: a committed transaction survives a crash of
            // the process; a power loss may roll back the last ones (never
            // corrupting the file). docs/configuration.md says so.
            opts = opts.after_connect(|conn, _meta| {
                Box::pin(async move {
                    use sqlx::Executor as _;
                    conn.execute("PRAGMA journal_mode=WAL").await?;
                    conn.execute("PRAGMA synchronous=NORMAL").await?;
                    // Multi-row inserts keep their statement journal in memory.
                    conn.execute("PRAGMA temp_store=MEMORY").await?;
                    Ok(())
                })
            });
        }
        let pool = opts.connect(url).await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store {
            pool,
            sqlite: url.starts_with("sqlite:") && !memory,
            postgres: url.starts_with("postgres"),
            owner: replica_id().into(),
            lease_ms: DEFAULT_LEASE_MS,
        })
    }

    /// The same store with another lease owner and duration (tests name
    /// their replicas; `serve` sets `job_lease`).
    #[must_use]
    pub fn with_lease(mut self, owner: &str, lease_ms: i64) -> Store {
        self.owner = owner.into();
        self.with_lease_ms(lease_ms)
    }

    /// The same store with another lease duration (`job_lease`).
    #[must_use]
    pub fn with_lease_ms(mut self, lease_ms: i64) -> Store {
        self.lease_ms = lease_ms.max(1);
        self
    }

    /// This process's name in leases.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// The lease duration, ms.
    pub fn lease_ms(&self) -> i64 {
        self.lease_ms
    }

    /// Whether this is an embedded SQLite store (one process) rather than a
    /// database replicas share.
    pub fn is_shared(&self) -> bool {
        self.postgres
    }

    /// Whether the database answers (`GET /health`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await?;
        Ok(())
    }

    /// The newest snapshot version (0: none), cheap enough to ask every second.
    pub async fn latest_version(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COALESCE(MAX(version), 0) FROM snapshots")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Claim up to `limit` jobs (INPROGRESS analyses) whose lease ran out
    /// before `before` (or that never had one), oldest first, never one
    /// this process holds a live lease on (at `now`): this process
    /// becomes their owner until `now` + the lease, and their attempt count
    /// goes up by one. On PostgreSQL the rows are locked with `FOR UPDATE
    /// SKIP LOCKED`, so replicas claiming at once never claim the same job;
    /// an SQLite store has one process. Returns each job and its attempts.
    pub async fn claim_jobs(
        &self,
        before: i64,
        now: i64,
        limit: i64,
    ) -> Result<Vec<(Analysis, i64)>> {
        let lock = self.skip_locked();
        let sql = format!(
            "UPDATE analyses SET lease_owner = $1, lease_until = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM analyses WHERE status = 'INPROGRESS' \
             AND (lease_until IS NULL OR lease_until < $3) \
             AND (COALESCE(lease_owner, '') <> $4 OR lease_until < $5) \
             ORDER BY seq LIMIT $6{lock}) \
             RETURNING {ANALYSIS_COLUMNS}, attempts"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(self.owner.to_string())
            .bind(now + self.lease_ms)
            .bind(before)
            .bind(self.owner.to_string())
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((analysis_from_row(r)?, r.try_get::<i64, _>(19)?)))
            .collect()
    }

    /// Renew this process's leases on `ids` (the jobs it is running or has
    /// queued) until `now` + the lease; how many were renewed.
    pub async fn renew_leases(&self, ids: &[String], now: i64) -> Result<u64> {
        self.set_lease_until(ids, now + self.lease_ms).await
    }

    /// Give back this process's leases: on `ids`, or (`None`) on every job
    /// it still holds (graceful shutdown). Another replica claims them on
    /// its next look. How many were released.
    pub async fn release_leases(&self, ids: Option<&[String]>) -> Result<u64> {
        if let Some(ids) = ids {
            return self.set_lease_until(ids, 0).await;
        }
        let r = sqlx::query(
            "UPDATE analyses SET lease_until = 0 WHERE lease_owner = $1 AND status = 'INPROGRESS'",
        )
        .bind(self.owner.to_string())
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected())
    }

    /// Move this process's leases on the INPROGRESS jobs `ids` to `until`.
    async fn set_lease_until(&self, ids: &[String], until: i64) -> Result<u64> {
        let mut changed = 0;
        for chunk in ids.chunks(LEASE_CHUNK) {
            let sql = format!(
                "UPDATE analyses SET lease_until = $1 WHERE lease_owner = $2 \
                 AND status = 'INPROGRESS' AND id IN ({})",
                placeholders(3, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(until)
                .bind(self.owner.to_string());
            for id in chunk {
                q = q.bind(id.clone());
            }
            changed += q.execute(&self.pool).await?.rows_affected();
        }
        Ok(changed)
    }

    /// Row locks that replicas skip (`FOR UPDATE SKIP LOCKED`), on
    /// PostgreSQL; an SQLite store has one process.
    fn skip_locked(&self) -> &'static str {
        if self.postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        }
    }

    /// Retention: delete up to `limit` finished one-shot analyses last
    /// updated before `before` (with any runs they kept), and up to `limit`
    /// finished tasks that ended before it, in one transaction. Periodic
    /// analyses stay until deleted; nothing INPROGRESS is touched. Returns
    /// the ids deleted: (analyses, tasks). Replicas expiring at once skip
    /// each other's rows (`SKIP LOCKED` on PostgreSQL).
    pub async fn expire(&self, before: i64, limit: i64) -> Result<(Vec<String>, Vec<String>)> {
        let lock = self.skip_locked();
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM analyses WHERE id IN (SELECT id FROM analyses WHERE status <> 'INPROGRESS' \
             AND next_refresh_ms IS NULL AND last_update_ms < $1 ORDER BY seq LIMIT $2{lock}) RETURNING id"
        )))
        .bind(before)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        let analyses = first_column(&rows)?;
        for chunk in analyses.chunks(LEASE_CHUNK) {
            let sql = format!(
                "DELETE FROM analysis_runs WHERE analysis_id IN ({})",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(id.clone());
            }
            q.execute(&mut *tx).await?;
        }
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM tasks WHERE id IN (SELECT id FROM tasks WHERE end_ms IS NOT NULL \
             AND end_ms < $1 ORDER BY seq LIMIT $2{lock}) RETURNING id"
        )))
        .bind(before)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        let tasks = first_column(&rows)?;
        tx.commit().await?;
        Ok((analyses, tasks))
    }

    /// (analyses, of which INPROGRESS, total attempts) — for tests and
    /// the fault checks.
    pub async fn job_counts(&self) -> Result<(i64, i64, i64)> {
        let row = sqlx::query(
            "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN status = 'INPROGRESS' THEN 1 ELSE 0 END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(attempts), 0) AS BIGINT) FROM analyses",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?))
    }

    /// Record a token for `username`.
    pub async fn insert_token(&self, token: &str, username: &str, now: i64) -> Result<()> {
        sqlx::query("INSERT INTO tokens (token, username, created_ms, last_used_ms) VALUES ($1, $2, $3, $4)")
            .bind(token)
            .bind(username)
            .bind(now)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The user of a live token (and touch it); expired tokens are deleted.
    pub async fn check_token(
        &self,
        token: &str,
        now: i64,
        idle_ms: i64,
        session_ms: i64,
    ) -> Result<Option<String>> {
        let row =
            sqlx::query("SELECT username, created_ms, last_used_ms FROM tokens WHERE token = $1")
                .bind(token)
                .fetch_optional(&self.pool)
                .await?;
        let Some(row) = row else { return Ok(None) };
        let username: String = row.try_get(0)?;
        let created: i64 = row.try_get(1)?;
        let last: i64 = row.try_get(2)?;
        if now - last > idle_ms || now - created > session_ms {
            sqlx::query("DELETE FROM tokens WHERE token = $1")
                .bind(token)
                .execute(&self.pool)
                .await?;
            return Ok(None);
        }
        if now - last > 1000 {
            sqlx::query("UPDATE tokens SET last_used_ms = $1 WHERE token = $2")
                .bind(now)
                .bind(token)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(username))
    }

    /// A token's (user, created, last used), without touching it.
    pub async fn get_token(&self, token: &str) -> Result<Option<(String, i64, i64)>> {
        let row =
            sqlx::query("SELECT username, created_ms, last_used_ms FROM tokens WHERE token = $1")
                .bind(token)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .transpose()
    }

    /// Record that a token was used at `now`.
    pub async fn touch_token(&self, token: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE tokens SET last_used_ms = $1 WHERE token = $2")
            .bind(now)
            .bind(token)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Forget a token.
    pub async fn delete_token(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM tokens WHERE token = $1")
            .bind(token)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Delete tokens past their idle or session timeout.
    pub async fn expire_tokens(&self, now: i64, idle_ms: i64, session_ms: i64) -> Result<u64> {
        let r = sqlx::query("DELETE FROM tokens WHERE last_used_ms < $1 OR created_ms < $2")
            .bind(now - idle_ms)
            .bind(now - session_ms)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected())
    }

    /// The latest network snapshot: (version, digest, model YAML, published ms).
    pub async fn latest_snapshot(&self) -> Result<Option<(i64, String, String, i64)>> {
        let row = sqlx::query("SELECT version, digest, model, created_ms FROM snapshots ORDER BY version DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .transpose()
    }

    /// Publish a model as a new snapshot version unless it is the latest
    /// already: (version, published ms). The insert comes first (a writer from
    /// the start, so SQLite never has to upgrade a read lock): it adds the new
    /// version only when the latest stored digest differs.
    pub async fn publish_snapshot(
        &self,
        digest: &str,
        model: &str,
        now: i64,
    ) -> Result<(i64, i64)> {
        // Replicas publishing at the same moment (first start on an empty
        // database) compute the same next version: the loser tries again,
        // and finds the winner's version (same model) or takes the next.
        let mut attempt = 0;
        loop {
            match self.publish_once(digest, model, now).await {
                Err(StoreError::Db(sqlx::Error::Database(e)))
                    if e.is_unique_violation() && attempt < 5 =>
                {
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn publish_once(&self, digest: &str, model: &str, now: i64) -> Result<(i64, i64)> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO snapshots (version, digest, model, created_ms) \
             SELECT t.v, $1, $2, $3 FROM (SELECT COALESCE(MAX(version), 0) + 1 AS v FROM snapshots) t \
             WHERE NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.digest = $4 \
                               AND s.version = (SELECT MAX(version) FROM snapshots))",
        )
        .bind(digest)
        .bind(model)
        .bind(now)
        .bind(digest)
        .execute(&mut *tx)
        .await?;
        let row =
            sqlx::query("SELECT version, created_ms FROM snapshots ORDER BY version DESC LIMIT 1")
                .fetch_one(&mut *tx)
                .await?;
        let out = (row.try_get(0)?, row.try_get(1)?);
        tx.commit().await?;
        Ok(out)
    }

    /// Create an analysis (INPROGRESS) and its task in one transaction:
    /// (analysis id, task id). The server batches creations through
    /// [`crate::writer`]; this is the same change applied alone.
    pub async fn create_analysis(
        &self,
        a: &NewAnalysis,
        snapshot_version: i64,
        now: i64,
        base_url: &str,
    ) -> Result<(String, String)> {
        let (analysis, task) = new_analysis(a.clone(), snapshot_version, now, base_url);
        let ids = (analysis.id.clone(), task.id.clone());
        self.apply(&[Change::Create { analysis, task }]).await?;
        Ok(ids)
    }

    /// Finish an analysis and its task in one transaction. A no-op when the
    /// analysis is gone or already finished (a re-run cannot finish it twice).
    pub async fn finish_analysis(&self, id: &str, outcome: &Outcome, now: i64) -> Result<bool> {
        let Some(mut a) = self.get_analysis(id).await? else {
            return Ok(false);
        };
        let error_code = a.finish(outcome.clone(), now);
        let applied = self
            .apply(&[Change::Finish {
                analysis: a,
                error_code,
            }])
            .await?;
        Ok(applied.first() == Some(&Applied::Finished(true)))
    }

    /// Apply a group of changes in one transaction (a group commit), in
    /// order: every creation is inserted first (several rows per statement;
    /// nothing in a group can refer to an analysis created later in it), then
    /// finishes and deletions one by one. One result per change.
    pub async fn apply(&self, changes: &[Change]) -> Result<Vec<Applied>> {
        let mut tx = self.pool.begin().await?;
        let created: Vec<(&Analysis, &Task)> = changes
            .iter()
            .filter_map(|c| match c {
                Change::Create { analysis, task } => Some((analysis, task)),
                _ => None,
            })
            .collect();
        for chunk in created.chunks(INSERT_CHUNK) {
            let lease = (self.owner.as_ref(), crate::app::now_ms() + self.lease_ms);
            insert_analyses(&mut tx, self.sqlite, lease, chunk.iter().map(|(a, _)| *a)).await?;
            insert_tasks(&mut tx, self.sqlite, chunk.iter().map(|(_, t)| *t)).await?;
        }
        // A periodic analysis written finished keeps its first run.
        for (a, _) in &created {
            if a.request.periodic_refresh && a.status != "INPROGRESS" {
                insert_run(&mut tx, &Run::of(a, 1)).await?;
            }
        }
        let mut out = Vec::with_capacity(changes.len());
        for c in changes {
            out.push(match c {
                Change::Create { .. } => Applied::Created,
                Change::Finish {
                    analysis,
                    error_code,
                } => {
                    let done = finish(&mut tx, analysis, error_code.as_deref()).await?;
                    if done && analysis.request.periodic_refresh {
                        insert_run(&mut tx, &Run::of(analysis, 1)).await?;
                    }
                    Applied::Finished(done)
                }
                Change::Refresh { analysis, run } => {
                    Applied::Refreshed(refresh(&mut tx, analysis, run).await?)
                }
                Change::Delete { id, now, task } => {
                    Applied::Deleted(delete(&mut tx, self.sqlite, id, *now, task).await?)
                }
            });
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Periodic analyses due at `now` (at most `limit`, the longest
    /// overdue first): (id, the due time to claim them with).
    pub async fn due_refreshes(&self, now: i64, limit: i64) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT id, next_refresh_ms FROM analyses WHERE next_refresh_ms IS NOT NULL \
             AND next_refresh_ms <= $1 AND status <> 'INPROGRESS' ORDER BY next_refresh_ms LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Claim a due refresh: move its due time from `due` to `next`. True
    /// for exactly one claimer of each period, however many servers share
    /// the store.
    pub async fn claim_refresh(&self, id: &str, due: i64, next: i64) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE analyses SET next_refresh_ms = $1 WHERE id = $2 AND next_refresh_ms = $3",
        )
        .bind(next)
        .bind(id.to_string())
        .bind(due)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// The kept runs of an analysis, oldest first (`offset` 0-based).
    pub async fn runs(&self, id: &str, offset: i64, limit: i64) -> Result<Vec<Run>> {
        let rows = sqlx::query(
            "SELECT analysis_id, run, end_ms, status, failure_reason, snapshot_version, result \
             FROM analysis_runs WHERE analysis_id = $1 ORDER BY run LIMIT $2 OFFSET $3",
        )
        .bind(id.to_string())
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Run {
                    analysis_id: r.try_get(0)?,
                    run: r.try_get(1)?,
                    end_ms: r.try_get(2)?,
                    status: r.try_get(3)?,
                    failure_reason: r.try_get(4)?,
                    snapshot_version: r.try_get(5)?,
                    result: r.try_get(6)?,
                })
            })
            .collect()
    }

    /// The number of the latest kept run of an analysis (0: none).
    pub async fn last_run(&self, id: &str) -> Result<i64> {
        let row =
            sqlx::query("SELECT COALESCE(MAX(run), 0) FROM analysis_runs WHERE analysis_id = $1")
                .bind(id.to_string())
                .fetch_one(&self.pool)
                .await?;
        Ok(row.try_get(0)?)
    }

    /// The most recent analysis of a flow created before `seq`.
    pub async fn previous_of_flow(&self, q: &NewAnalysis, seq: i64) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT id FROM analyses WHERE source_ip = $1 AND dest_ip = $2 \
             AND COALESCE(source_port, '') = $3 AND COALESCE(dest_port, '') = $4 \
             AND COALESCE(protocol, '') = $5 AND seq < $6 ORDER BY seq DESC LIMIT 1",
        )
        .bind(q.source_ip.clone())
        .bind(q.dest_ip.clone())
        .bind(q.source_port.clone().unwrap_or_default())
        .bind(q.dest_port.clone().unwrap_or_default())
        .bind(q.protocol.clone().unwrap_or_default())
        .bind(seq)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| r.try_get(0))
            .transpose()
            .map_err(StoreError::from)
    }

    /// Analyses still INPROGRESS (to finish after a restart).
    pub async fn in_progress(&self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT id FROM analyses WHERE status = 'INPROGRESS' ORDER BY seq")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>(0).map_err(StoreError::from))
            .collect()
    }

    /// One analysis.
    pub async fn get_analysis(&self, id: &str) -> Result<Option<Analysis>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ANALYSIS_COLUMNS} FROM analyses WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(analysis_from_row).transpose()
    }

    /// Analyses matching `f`, in creation order.
    pub async fn list_analyses(&self, f: &AnalysisFilter) -> Result<Vec<Analysis>> {
        // Filters are applied here rather than in SQL: the list is small
        // next to what a trace costs, and one code path serves both backends.
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ANALYSIS_COLUMNS} FROM analyses ORDER BY seq"
        )))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let a = analysis_from_row(r)?;
            let q = &a.request;
            let keep = f.periodic_refresh.is_none_or(|v| v == q.periodic_refresh)
                && f.source_ip.as_ref().is_none_or(|v| *v == q.source_ip)
                && f.dest_ip.as_ref().is_none_or(|v| *v == q.dest_ip)
                && f.source_port
                    .as_ref()
                    .is_none_or(|v| Some(v) == q.source_port.as_ref())
                && f.dest_port
                    .as_ref()
                    .is_none_or(|v| Some(v) == q.dest_port.as_ref())
                && f.protocol.as_ref().is_none_or(|v| {
                    q.protocol
                        .as_ref()
                        .is_some_and(|p| p.eq_ignore_ascii_case(v))
                })
                && f.status
                    .as_ref()
                    .is_none_or(|v| v.eq_ignore_ascii_case(&a.status))
                && f.task_id.as_ref().is_none_or(|v| *v == a.task_id)
                && f.gt_create_time.is_none_or(|t| a.create_ms > t)
                && f.lt_create_time.is_none_or(|t| a.create_ms < t)
                && f.last_update_time.is_none_or(|t| a.last_update_ms == t);
            if keep {
                out.push(a);
            }
        }
        Ok(out)
    }

    /// Delete an analysis and record an already-completed task for the
    /// deletion, in one transaction: the deletion task's id, or `None` when
    /// there is no such analysis.
    pub async fn delete_analysis(&self, id: &str, now: i64) -> Result<Option<String>> {
        let task = deletion_task(now);
        let task_id = task.id.clone();
        let applied = self
            .apply(&[Change::Delete {
                id: id.to_string(),
                now,
                task,
            }])
            .await?;
        Ok((applied.first() == Some(&Applied::Deleted(true))).then_some(task_id))
    }

    /// One task.
    pub async fn get_task(&self, id: &str) -> Result<Option<Task>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(task_from_row).transpose()
    }

    /// All tasks in creation order.
    pub async fn list_tasks(&self) -> Result<Vec<Task>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {TASK_COLUMNS} FROM tasks ORDER BY seq"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(task_from_row).collect()
    }
}

/// Ids per lease statement.
const LEASE_CHUNK: usize = 500;

/// The first column of `rows`, as text (ids a statement returned).
fn first_column(rows: &[AnyRow]) -> Result<Vec<String>> {
    rows.iter()
        .map(|r| r.try_get::<String, _>(0).map_err(StoreError::from))
        .collect()
}

/// `$first, $first+1, …` — `n` numbered placeholders for an `IN (…)` list.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows per multi-row INSERT (21 parameters each: well under every
/// backend's limit on bound parameters).
const INSERT_CHUNK: usize = 16;

/// The next creation sequence number of this process: increasing, and
/// `now_ms × 1024` or more, so numbers from processes sharing a database
/// follow creation time (to the millisecond; ties keep a stable order by id).
pub fn next_seq() -> i64 {
    static LAST: AtomicI64 = AtomicI64::new(0);
    let floor = crate::app::now_ms().saturating_mul(1024);
    let prev = LAST
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |last| {
            Some(floor.max(last + 1))
        })
        .unwrap_or(0);
    floor.max(prev + 1)
}

/// A fresh id for an analysis or a task: time-ordered, so new rows land at
/// the end of the primary-key index instead of on a random page of it (a
/// tenth of the pages written per commit) — a version-7 layout (48 bits of
/// milliseconds, then counter and random bits) stamped as version 4, since
/// clients validate ids as DNA Center issues them (Ansible's cisco.dnac
/// rejects a version-7 UUID).
pub fn new_id() -> String {
    let v7 = uuid::Uuid::now_v7();
    uuid::Builder::from_bytes(*v7.as_bytes())
        .with_version(uuid::Version::Random)
        .into_uuid()
        .to_string()
}

/// A new analysis (INPROGRESS) and the task that reports on it, with fresh
/// ids and sequence numbers: what `POST flow-analysis` records.
pub fn new_analysis(
    request: NewAnalysis,
    snapshot_version: i64,
    now: i64,
    base_url: &str,
) -> (Analysis, Task) {
    let id = new_id();
    let task_id = new_id();
    let task = Task {
        id: task_id.clone(),
        seq: next_seq(),
        service_type: SERVICE_TYPE.into(),
        progress: id.clone(),
        is_error: false,
        failure_reason: None,
        error_code: None,
        start_ms: now,
        end_ms: None,
        last_update_ms: now,
        result_url: Some(format!("{base_url}/flow-analysis/{id}")),
    };
    let analysis = Analysis {
        id,
        seq: next_seq(),
        task_id,
        request,
        status: "INPROGRESS".into(),
        failure_reason: None,
        create_ms: now,
        last_update_ms: now,
        result: None,
        snapshot_version,
        previous_id: None,
        next_refresh_ms: None,
    };
    (analysis, task)
}

/// The already-completed task that reports a deletion.
pub fn deletion_task(now: i64) -> Task {
    Task {
        id: new_id(),
        seq: next_seq(),
        service_type: SERVICE_TYPE.into(),
        progress: "Flow analysis deleted".into(),
        is_error: false,
        failure_reason: None,
        error_code: None,
        start_ms: now,
        end_ms: Some(now),
        last_update_ms: now,
        result_url: None,
    }
}

/// `serviceType` of every task pathtrace records.
pub const SERVICE_TYPE: &str = "Policy Analysis Service";

/// `($1, $2, …), (…)` groups for a multi-row VALUES clause; `?` instead of
/// `$N` on SQLite, which looks each `$N` name up in a list (quadratic in a
/// statement with hundreds of parameters).
fn values_clause(rows: usize, cols: usize, sqlite: bool) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    let mut n = 0;
    for r in 0..rows {
        s.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols {
            n += 1;
            if c > 0 {
                s.push_str(", ");
            }
            if sqlite {
                s.push('?');
            } else {
                s.push('$');
                s.push_str(&n.to_string());
            }
        }
        s.push(')');
    }
    s
}

/// Insert analyses; those still INPROGRESS are leased to `lease` (owner,
/// until): the process that created them runs them.
async fn insert_analyses<'a>(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    sqlite: bool,
    lease: (&str, i64),
    rows: impl ExactSizeIterator<Item = &'a Analysis>,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO analyses ({ANALYSIS_COLUMNS}, lease_owner, lease_until) VALUES {}",
        values_clause(rows.len(), 21, sqlite)
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for a in rows {
        let r = &a.request;
        q = q
            .bind(a.id.clone())
            .bind(a.seq)
            .bind(a.task_id.clone())
            .bind(r.source_ip.clone())
            .bind(r.dest_ip.clone())
            .bind(r.source_port.clone())
            .bind(r.dest_port.clone())
            .bind(r.protocol.clone())
            .bind(i64::from(r.periodic_refresh))
            .bind(r.control_path.map(i64::from))
            .bind(serde_json::to_string(&r.inclusions).unwrap_or_else(|_| "[]".into()))
            .bind(a.status.clone())
            .bind(a.failure_reason.clone())
            .bind(a.create_ms)
            .bind(a.last_update_ms)
            .bind(a.result.clone())
            .bind(a.snapshot_version)
            .bind(a.previous_id.clone())
            .bind(a.next_refresh_ms);
        let running = a.status == "INPROGRESS";
        q = q
            .bind(running.then(|| lease.0.to_string()))
            .bind(running.then_some(lease.1));
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

async fn insert_tasks<'a>(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    sqlite: bool,
    rows: impl ExactSizeIterator<Item = &'a Task>,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO tasks ({TASK_COLUMNS}) VALUES {}",
        values_clause(rows.len(), 11, sqlite)
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for t in rows {
        q = q
            .bind(t.id.clone())
            .bind(t.seq)
            .bind(t.service_type.clone())
            .bind(t.progress.clone())
            .bind(i64::from(t.is_error))
            .bind(t.failure_reason.clone())
            .bind(t.error_code.clone())
            .bind(t.start_ms)
            .bind(t.end_ms)
            .bind(t.last_update_ms)
            .bind(t.result_url.clone());
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// Finish `a` (already in its final state) and its task, when still INPROGRESS.
async fn finish(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    a: &Analysis,
    error_code: Option<&str>,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE analyses SET status = $1, failure_reason = $2, last_update_ms = $3, result = $4, \
         snapshot_version = $5 WHERE id = $6 AND status = 'INPROGRESS'",
    )
    .bind(a.status.clone())
    .bind(a.failure_reason.clone())
    .bind(a.last_update_ms)
    .bind(a.result.clone())
    .bind(a.snapshot_version)
    .bind(a.id.clone())
    .execute(&mut **tx)
    .await?;
    if r.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE tasks SET is_error = $1, failure_reason = $2, error_code = $3, end_ms = $4, last_update_ms = $5 \
         WHERE id = $6 AND end_ms IS NULL",
    )
    .bind(i64::from(a.status != "COMPLETED"))
    .bind(a.failure_reason.clone())
    .bind(error_code.map(str::to_string))
    .bind(a.last_update_ms)
    .bind(a.last_update_ms)
    .bind(a.task_id.clone())
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

async fn insert_run(tx: &mut sqlx::Transaction<'_, sqlx::Any>, r: &Run) -> Result<()> {
    sqlx::query(
        "INSERT INTO analysis_runs (analysis_id, run, end_ms, status, failure_reason, snapshot_version, result) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(r.analysis_id.clone())
    .bind(r.run)
    .bind(r.end_ms)
    .bind(r.status.clone())
    .bind(r.failure_reason.clone())
    .bind(r.snapshot_version)
    .bind(r.result.clone())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Update a periodic analysis in place with a new run, and keep the run;
/// false (nothing written) when it is gone or the run is already kept.
async fn refresh(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    a: &Analysis,
    run: &Run,
) -> Result<bool> {
    let r = sqlx::query(
        "UPDATE analyses SET status = $1, failure_reason = $2, last_update_ms = $3, result = $4, \
         snapshot_version = $5 WHERE id = $6 AND NOT EXISTS \
         (SELECT 1 FROM analysis_runs WHERE analysis_id = $7 AND run = $8)",
    )
    .bind(a.status.clone())
    .bind(a.failure_reason.clone())
    .bind(a.last_update_ms)
    .bind(a.result.clone())
    .bind(a.snapshot_version)
    .bind(a.id.clone())
    .bind(a.id.clone())
    .bind(run.run)
    .execute(&mut **tx)
    .await?;
    if r.rows_affected() == 0 {
        return Ok(false);
    }
    insert_run(tx, run).await?;
    Ok(true)
}

/// Delete analysis `id`, end its creation task if still running, and record
/// the deletion `task`; false (nothing written) when there is no such analysis.
async fn delete(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    sqlite: bool,
    id: &str,
    now: i64,
    task: &Task,
) -> Result<bool> {
    let r = sqlx::query("DELETE FROM analyses WHERE id = $1")
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    if r.rows_affected() == 0 {
        return Ok(false);
    }
    // Its refreshes stop with it, and its runs go.
    sqlx::query("DELETE FROM analysis_runs WHERE analysis_id = $1")
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    // Its own creation task, if still running, ends now: nobody waits forever.
    sqlx::query(
        "UPDATE tasks SET end_ms = $1, last_update_ms = $2, is_error = 1, \
         failure_reason = $3, error_code = 'DELETED' WHERE progress = $4 AND end_ms IS NULL",
    )
    .bind(now)
    .bind(now)
    .bind(DELETED_REASON)
    .bind(id.to_string())
    .execute(&mut **tx)
    .await?;
    insert_tasks(tx, sqlite, std::iter::once(task)).await?;
    Ok(true)
}

/// `failureReason` of the task of an analysis deleted before it finished.
pub const DELETED_REASON: &str = "the flow analysis was deleted before it finished";

fn analysis_from_row(r: &AnyRow) -> Result<Analysis> {
    let inclusions: String = r.try_get(10)?;
    let result: Option<String> = r.try_get(15)?;
    if let Some(text) = &result
        && serde_json::from_str::<serde::de::IgnoredAny>(text).is_err()
    {
        return Err(StoreError::Corrupt(format!(
            "result of analysis {:?}",
            r.try_get::<String, _>(0)?
        )));
    }
    Ok(Analysis {
        id: r.try_get(0)?,
        seq: r.try_get(1)?,
        task_id: r.try_get(2)?,
        request: NewAnalysis {
            source_ip: r.try_get(3)?,
            dest_ip: r.try_get(4)?,
            source_port: r.try_get(5)?,
            dest_port: r.try_get(6)?,
            protocol: r.try_get(7)?,
            periodic_refresh: r.try_get::<i64, _>(8)? != 0,
            control_path: r.try_get::<Option<i64>, _>(9)?.map(|v| v != 0),
            inclusions: serde_json::from_str(&inclusions)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        },
        status: r.try_get(11)?,
        failure_reason: r.try_get(12)?,
        create_ms: r.try_get(13)?,
        last_update_ms: r.try_get(14)?,
        result,
        snapshot_version: r.try_get(16)?,
        previous_id: r.try_get(17)?,
        next_refresh_ms: r.try_get(18)?,
    })
}

fn task_from_row(r: &AnyRow) -> Result<Task> {
    Ok(Task {
        id: r.try_get(0)?,
        seq: r.try_get(1)?,
        service_type: r.try_get(2)?,
        progress: r.try_get(3)?,
        is_error: r.try_get::<i64, _>(4)? != 0,
        failure_reason: r.try_get(5)?,
        error_code: r.try_get(6)?,
        start_ms: r.try_get(7)?,
        end_ms: r.try_get(8)?,
        last_update_ms: r.try_get(9)?,
        result_url: r.try_get(10)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_dna_center_ids_and_follow_creation_order() {
        let ids: Vec<String> = (0..100).map(|_| new_id()).collect();
        for id in &ids {
            let u = uuid::Uuid::parse_str(id).unwrap();
            assert_eq!(u.get_version_num(), 4, "{id}");
            assert_eq!(u.get_variant(), uuid::Variant::RFC4122, "{id}");
        }
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(sorted, ids, "ids sort in creation order");
        let seqs: Vec<i64> = (0..100).map(|_| next_seq()).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    }
}
