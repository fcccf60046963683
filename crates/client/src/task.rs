//! Tasks: every POST/DELETE of the API answers at once with a task id;
//! [`Client::task`] reads one, [`Client::task_tree`] its tree, and
//! [`Client::wait`] polls until it ends.
//!
//! `wait` is uniq's `wait_for_task_complete` done right: it polls at once,
//! then backs off (100 ms doubling to 2 s by default, never past the
//! deadline); a task with `endTime` is returned; a task with `isError` is
//! [`Error::TaskFailed`] with its `errorCode` and `failureReason` (taken
//! from the task tree when the task's own is empty); running out of time is
//! [`Error::Timeout`], naming the task and the time waited.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::{Client, segment};
use crate::de;
use crate::error::{Error, Result};

/// A task (`TaskDTO`): its state, and for a flow analysis the analysis id
/// in `progress`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// Task id.
    #[serde(default, deserialize_with = "de::string_or_empty")]
    pub id: String,
    /// The root task's id (= `id` for a top-level task).
    #[serde(default, deserialize_with = "de::string")]
    pub root_id: Option<String>,
    /// The parent's id (absent for a root task).
    #[serde(default, deserialize_with = "de::string")]
    pub parent_id: Option<String>,
    /// E.g. `Policy Analysis Service` for a flow analysis.
    #[serde(default, deserialize_with = "de::string")]
    pub service_type: Option<String>,
    /// Free text; for a flow analysis, its `flowAnalysisId`.
    #[serde(default, deserialize_with = "de::string")]
    pub progress: Option<String>,
    /// Whether the task failed.
    #[serde(default, deserialize_with = "de::bool_or_false")]
    pub is_error: bool,
    /// Epoch ms.
    #[serde(default, deserialize_with = "de::int")]
    pub start_time: Option<i64>,
    /// Epoch ms; present once the task has ended.
    #[serde(default, deserialize_with = "de::int")]
    pub end_time: Option<i64>,
    /// Epoch ms.
    #[serde(default, deserialize_with = "de::int")]
    pub last_update: Option<i64>,
    /// A number that grows with each change.
    #[serde(default, deserialize_with = "de::int")]
    pub version: Option<i64>,
    /// Why it failed (when `isError`).
    #[serde(default, deserialize_with = "de::string")]
    pub failure_reason: Option<String>,
    /// A code for the failure (when `isError`), e.g. `DENIED_IN`.
    #[serde(default, deserialize_with = "de::string")]
    pub error_code: Option<String>,
    /// Free text.
    #[serde(default, deserialize_with = "de::string")]
    pub data: Option<String>,
    /// Who started it.
    #[serde(default, deserialize_with = "de::string")]
    pub username: Option<String>,
    /// DNA Center: where more status is.
    #[serde(
        default,
        deserialize_with = "de::string",
        rename = "additionalStatusURL"
    )]
    pub additional_status_url: Option<String>,
    /// DNA Center: an error key.
    #[serde(default, deserialize_with = "de::string")]
    pub error_key: Option<String>,
    /// DNA Center: the tenant.
    #[serde(default, deserialize_with = "de::string")]
    pub instance_tenant_id: Option<String>,
}

impl Task {
    /// Whether the task has ended (`endTime` set, or `isError`).
    pub fn is_done(&self) -> bool {
        self.end_time.is_some() || self.is_error
    }
}

/// A reference to a task, as a DELETE answers: `{taskId, url}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskRef {
    /// The task to poll.
    #[serde(default, deserialize_with = "de::string_or_empty")]
    pub task_id: String,
    /// Its URL.
    #[serde(default, deserialize_with = "de::string")]
    pub url: Option<String>,
}

/// How [`Client::wait_with`] polls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitOptions {
    /// Give up after this long (the last poll is at the deadline).
    pub timeout: Duration,
    /// The pause after the first poll.
    pub first_interval: Duration,
    /// The longest pause between two polls (the pause doubles up to it).
    pub max_interval: Duration,
}

impl WaitOptions {
    /// 100 ms doubling to 2 s, within `timeout`.
    pub fn new(timeout: Duration) -> WaitOptions {
        WaitOptions {
            timeout,
            first_interval: Duration::from_millis(100),
            max_interval: Duration::from_secs(2),
        }
    }
}

impl Client {
    /// `GET task/{id}`. An unknown id is [`Error::NotFound`].
    pub async fn task(&self, task_id: &str) -> Result<Task> {
        self.call(
            Method::GET,
            &format!("/task/{}", segment(task_id)),
            &[],
            None,
        )
        .await
    }

    /// `GET task/{id}/tree`: the task and its sub-tasks, root first.
    pub async fn task_tree(&self, task_id: &str) -> Result<Vec<Task>> {
        let v: Vec<Task> = self
            .call(
                Method::GET,
                &format!("/task/{}/tree", segment(task_id)),
                &[],
                None,
            )
            .await?;
        Ok(v)
    }

    /// Poll a task until it ends, for at most `timeout` (100 ms doubling to
    /// 2 s between polls). Returns the ended task; a failed task is
    /// [`Error::TaskFailed`], running out of time [`Error::Timeout`].
    pub async fn wait(&self, task_id: &str, timeout: Duration) -> Result<Task> {
        self.wait_with(task_id, WaitOptions::new(timeout)).await
    }

    /// [`wait`](Client::wait) with chosen polling intervals.
    pub async fn wait_with(&self, task_id: &str, options: WaitOptions) -> Result<Task> {
        let start = Instant::now();
        let deadline = start + options.timeout;
        let mut interval = options.first_interval.max(Duration::from_millis(1));
        let mut polls = 0u32;
        loop {
            let task = self.task(task_id).await?;
            polls += 1;
            if task.is_error {
                return Err(self.failed(task_id, task).await);
            }
            if task.end_time.is_some() {
                return Ok(task);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::Timeout {
                    task_id: task_id.to_string(),
                    waited: now - start,
                    polls,
                });
            }
            tokio::time::sleep(interval.min(deadline - now)).await;
            interval = (interval * 2).min(options.max_interval.max(options.first_interval));
        }
    }

    /// The error for a failed task; an empty `failureReason` is looked for
    /// in the task's tree (DNA Center sometimes explains only there).
    async fn failed(&self, task_id: &str, task: Task) -> Error {
        let mut failure_reason = task.failure_reason.clone().filter(|r| !r.trim().is_empty());
        let mut error_code = task.error_code.clone().filter(|c| !c.trim().is_empty());
        if failure_reason.is_none()
            && let Ok(tree) = self.task_tree(task_id).await
            && let Some(t) = tree.iter().find(|t| {
                t.failure_reason
                    .as_deref()
                    .is_some_and(|r| !r.trim().is_empty())
            })
        {
            failure_reason.clone_from(&t.failure_reason);
            if error_code.is_none() {
                error_code.clone_from(&t.error_code);
            }
        }
        Error::TaskFailed {
            task_id: task_id.to_string(),
            error_code,
            failure_reason,
            task: Box::new(task),
        }
    }
}
