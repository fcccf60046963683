//! The store: tokens, tasks, flow analyses and network snapshots, in SQLite
//! (embedded default) or PostgreSQL, chosen by URL, through one interface.
//!
//! sqlx's `Any` driver runs the same portable SQL on both (TEXT and BIGINT
//! columns, booleans as 0/1, times as epoch milliseconds; placeholders are
//! `$1, $2, …`, each used once and in order, which both backends accept).
//! Every write that creates or deletes a resource happens in one
//! transaction with the task that reports on it.

use std::str::FromStr;

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
    /// The computed result (JSON), once done.
    pub result: Option<serde_json::Value>,
    /// Snapshot version it was (or will be) computed on.
    pub snapshot_version: i64,
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
    /// The result JSON.
    pub result: serde_json::Value,
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
}

const ANALYSIS_COLUMNS: &str = "id, seq, task_id, source_ip, dest_ip, source_port, dest_port, protocol, \
     periodic_refresh, control_path, inclusions, status, failure_reason, create_ms, last_update_ms, result, snapshot_version";
const TASK_COLUMNS: &str = "id, seq, service_type, progress, is_error, failure_reason, error_code, start_ms, end_ms, last_update_ms, result_url";

impl Store {
    /// Connect to `url` (`sqlite://FILE?mode=rwc`, `sqlite::memory:` or
    /// `postgres://…`) and apply the migrations.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let memory = url.contains(":memory:");
        let mut opts = AnyPoolOptions::new().max_connections(if memory { 1 } else { 8 });
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
                    Ok(())
                })
            });
        }
        let pool = opts.connect(url).await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store { pool })
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

    /// Create an analysis (INPROGRESS) and its task in one transaction.
    pub async fn create_analysis(
        &self,
        a: &NewAnalysis,
        snapshot_version: i64,
        now: i64,
        base_url: &str,
    ) -> Result<(String, String)> {
        let id = uuid::Uuid::new_v4().to_string();
        let task_id = uuid::Uuid::new_v4().to_string();
        let mut tx = self.pool.begin().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO analyses ({ANALYSIS_COLUMNS}) VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM analyses), \
             $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
        )))
        .bind(&id)
        .bind(&task_id)
        .bind(&a.source_ip)
        .bind(&a.dest_ip)
        .bind(a.source_port.clone())
        .bind(a.dest_port.clone())
        .bind(a.protocol.clone())
        .bind(i64::from(a.periodic_refresh))
        .bind(a.control_path.map(i64::from))
        .bind(serde_json::to_string(&a.inclusions).unwrap_or_else(|_| "[]".into()))
        .bind("INPROGRESS")
        .bind(None::<String>)
        .bind(now)
        .bind(now)
        .bind(None::<String>)
        .bind(snapshot_version)
        .execute(&mut *tx)
        .await?;
        let task_seq = next_seq(&mut tx, "tasks").await?;
        insert_task(
            &mut tx,
            &Task {
                id: task_id.clone(),
                seq: task_seq,
                service_type: "Policy Analysis Service".into(),
                progress: id.clone(),
                is_error: false,
                failure_reason: None,
                error_code: None,
                start_ms: now,
                end_ms: None,
                last_update_ms: now,
                result_url: Some(format!("{base_url}/flow-analysis/{id}")),
            },
        )
        .await?;
        tx.commit().await?;
        Ok((id, task_id))
    }

    /// Finish an analysis and its task in one transaction. A no-op when the
    /// analysis is gone or already finished (a re-run cannot finish it twice).
    pub async fn finish_analysis(&self, id: &str, outcome: &Outcome, now: i64) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let r = sqlx::query(
            "UPDATE analyses SET status = $1, failure_reason = $2, last_update_ms = $3, result = $4 \
             WHERE id = $5 AND status = 'INPROGRESS'",
        )
        .bind(outcome.status)
        .bind(outcome.failure_reason.clone())
        .bind(now)
        .bind(outcome.result.to_string())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "UPDATE tasks SET is_error = $1, failure_reason = $2, error_code = $3, end_ms = $4, last_update_ms = $5 \
             WHERE progress = $6 AND end_ms IS NULL",
        )
        .bind(i64::from(outcome.status != "COMPLETED"))
        .bind(outcome.failure_reason.clone())
        .bind(outcome.error_code.clone())
        .bind(now)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
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
    /// deletion, in one transaction. `None` when there is no such analysis.
    pub async fn delete_analysis(&self, id: &str, now: i64) -> Result<Option<String>> {
        let mut tx = self.pool.begin().await?;
        let r = sqlx::query("DELETE FROM analyses WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        // Its own creation task, if still running, ends now: nobody waits forever.
        sqlx::query(
            "UPDATE tasks SET end_ms = $1, last_update_ms = $2, is_error = 1, \
             failure_reason = 'the flow analysis was deleted before it finished', error_code = 'DELETED' \
             WHERE progress = $3 AND end_ms IS NULL",
        )
        .bind(now)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let task_id = uuid::Uuid::new_v4().to_string();
        let seq = next_seq(&mut tx, "tasks").await?;
        insert_task(
            &mut tx,
            &Task {
                id: task_id.clone(),
                seq,
                service_type: "Policy Analysis Service".into(),
                progress: "Flow analysis deleted".into(),
                is_error: false,
                failure_reason: None,
                error_code: None,
                start_ms: now,
                end_ms: Some(now),
                last_update_ms: now,
                result_url: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Some(task_id))
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

async fn next_seq(tx: &mut sqlx::Transaction<'_, sqlx::Any>, table: &str) -> Result<i64> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM {table}"
    )))
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get::<i64, _>(0)?)
}

async fn insert_task(tx: &mut sqlx::Transaction<'_, sqlx::Any>, t: &Task) -> Result<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO tasks ({TASK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    )))
    .bind(&t.id)
    .bind(t.seq)
    .bind(&t.service_type)
    .bind(&t.progress)
    .bind(i64::from(t.is_error))
    .bind(t.failure_reason.clone())
    .bind(t.error_code.clone())
    .bind(t.start_ms)
    .bind(t.end_ms)
    .bind(t.last_update_ms)
    .bind(t.result_url.clone())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn analysis_from_row(r: &AnyRow) -> Result<Analysis> {
    let inclusions: String = r.try_get(10)?;
    let result: Option<String> = r.try_get(15)?;
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
        result: result
            .map(|s| {
                serde_json::Value::from_str(&s).map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .transpose()?,
        snapshot_version: r.try_get(16)?,
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
