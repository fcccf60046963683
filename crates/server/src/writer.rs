//! The writer: every change to analyses and tasks goes through one task that
//! commits them in groups (a group commit).
//!
//! Requests queue on a channel; the writer takes whatever has queued up
//! (up to [`MAX_GROUP`]) and applies it in one transaction
//! ([`Store::apply`]), then answers each request. Under load, dozens of
//! creations and completions share one commit; alone, a request is
//! committed at once (no waiting for company). A creation and its completion
//! that meet in one group are written as one finished row. Because a
//! request is answered only after its commit, "202 Accepted" still means
//! "durably recorded, and readable" — and the writer then updates the
//! in-memory [`Hot`] cache with exactly what it committed. One writer per
//! process also means SQLite never makes two of our writers wait on each
//! other's locks.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use tokio::sync::{mpsc, oneshot};

use crate::hot::{Hot, HotAnalysis, Update};
use crate::store::{Applied, Change, Store, StoreError};

/// Most changes committed in one transaction.
pub const MAX_GROUP: usize = 128;

/// Scheduler turns the writer waits for completions of a group's creations.
const LINGER_TURNS: usize = 4;

/// Whether some creation in `group` has no completion in it yet.
fn awaits_completion(group: &[Request]) -> bool {
    let finished: Vec<&str> = group
        .iter()
        .filter_map(|r| match &r.change {
            Change::Finish { analysis, .. } => Some(analysis.id.as_str()),
            _ => None,
        })
        .collect();
    group.iter().any(|r| {
        matches!(&r.change, Change::Create { analysis, .. } if !finished.contains(&analysis.id.as_str()))
    })
}

/// One queued change and where its answer goes.
struct Request {
    change: Change,
    /// Serialised `GET` body of a finished analysis, for the cache.
    body: Option<Bytes>,
    reply: oneshot::Sender<Result<Applied, StoreError>>,
}

/// A handle on the writer task (cheap to clone).
#[derive(Debug, Clone)]
pub struct Writer {
    tx: mpsc::UnboundedSender<Request>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("change", &self.change)
            .finish_non_exhaustive()
    }
}

/// The answer to one submitted change, once it is committed.
pub struct Pending(oneshot::Receiver<Result<Applied, StoreError>>);

impl Pending {
    /// Wait for the commit.
    pub async fn committed(self) -> Result<Applied, StoreError> {
        self.0
            .await
            .unwrap_or_else(|_| Err(StoreError::Unavailable("the writer stopped".into())))
    }
}

impl Writer {
    /// Start the writer task on `store`, keeping `hot` (when given) in step.
    pub fn spawn(store: Store, hot: Option<Arc<Hot>>) -> Writer {
        let (tx, mut rx) = mpsc::unbounded_channel::<Request>();
        tokio::spawn(async move {
            let mut group = Vec::with_capacity(MAX_GROUP);
            while rx.recv_many(&mut group, MAX_GROUP).await > 0 {
                // Creations whose traces are running: let the workers run a
                // moment and take their completions into the same commit
                // (no timer: a few turns of the scheduler).
                for _ in 0..LINGER_TURNS {
                    if !awaits_completion(&group) {
                        break;
                    }
                    tokio::task::yield_now().await;
                    while group.len() < MAX_GROUP
                        && let Ok(r) = rx.try_recv()
                    {
                        group.push(r);
                    }
                }
                let requests = std::mem::take(&mut group);
                // In a task of its own: a panic loses this group's answers
                // (their callers see an error), never the writer.
                let commit = tokio::spawn(commit(store.clone(), hot.clone(), requests));
                if let Err(e) = commit.await {
                    tracing::error!(error = %e, "group commit panicked");
                }
            }
        });
        Writer { tx }
    }

    /// Queue `change` (in order: a change submitted after another is
    /// committed in the same group or a later one). `body` is the response
    /// body of a finished analysis, for the cache.
    pub fn submit(&self, change: Change, body: Option<Bytes>) -> Pending {
        let (reply, rx) = oneshot::channel();
        // A closed channel drops `reply`; `committed` then reports the error.
        let _ = self.tx.send(Request {
            change,
            body,
            reply,
        });
        Pending(rx)
    }
}

/// Where a request's answer comes from.
enum Slot {
    /// The change at this index of the group.
    At(usize),
    /// A finish folded into a creation of the same group.
    Folded,
}

async fn commit(store: Store, hot: Option<Arc<Hot>>, requests: Vec<Request>) {
    let start = Instant::now();
    let mut changes: Vec<Change> = Vec::with_capacity(requests.len());
    let mut bodies: Vec<Option<Bytes>> = Vec::with_capacity(requests.len());
    let mut slots = Vec::with_capacity(requests.len());
    let mut replies = Vec::with_capacity(requests.len());
    // Creations of this group by analysis id, to fold their completions in.
    let mut created: HashMap<String, usize> = HashMap::new();
    for r in requests {
        replies.push(r.reply);
        if let Change::Finish {
            analysis,
            error_code,
        } = &r.change
            && let Some(&i) = created.get(&analysis.id)
            && let Change::Create {
                analysis: row,
                task,
            } = &mut changes[i]
            && row.status == "INPROGRESS"
        {
            task.is_error = analysis.status != "COMPLETED";
            task.failure_reason.clone_from(&analysis.failure_reason);
            task.error_code.clone_from(error_code);
            task.end_ms = Some(analysis.last_update_ms);
            task.last_update_ms = analysis.last_update_ms;
            *row = analysis.clone();
            bodies[i] = r.body;
            slots.push(Slot::Folded);
            metrics::counter!("pathtrace_store_finishes_total", "written" => "with_creation")
                .increment(1);
            continue;
        }
        match &r.change {
            Change::Create { analysis, .. } => {
                created.insert(analysis.id.clone(), changes.len());
            }
            Change::Finish { .. } => {
                metrics::counter!("pathtrace_store_finishes_total", "written" => "update")
                    .increment(1);
            }
            Change::Refresh { .. } | Change::Delete { .. } => {}
        }
        slots.push(Slot::At(changes.len()));
        changes.push(r.change);
        bodies.push(r.body);
    }
    let result = store.apply(&changes).await;
    metrics::histogram!("pathtrace_store_group_size").record(replies.len() as f64);
    metrics::histogram!("pathtrace_store_commit_seconds").record(start.elapsed().as_secs_f64());
    match result {
        Ok(applied) => {
            if let Some(hot) = &hot {
                hot.update(cache_update(hot, changes, bodies, &applied));
            }
            for (reply, slot) in replies.into_iter().zip(slots) {
                let answer = match slot {
                    Slot::At(i) => applied[i],
                    Slot::Folded => Applied::Finished(true),
                };
                let _ = reply.send(Ok(answer));
            }
        }
        Err(e) => {
            tracing::error!(error = %e, changes = changes.len(), "group commit failed");
            let message = e.to_string();
            for reply in replies {
                let _ = reply.send(Err(StoreError::Unavailable(message.clone())));
            }
        }
    }
}

/// What the committed `changes` mean for the cache.
/// A cache entry: the response body, when there is one, stands for the
/// result text (kept once, not twice).
fn hot_entry(mut analysis: crate::store::Analysis, body: Option<Bytes>) -> HotAnalysis {
    if body.is_some() {
        analysis.result = None;
    }
    HotAnalysis { analysis, body }
}

fn cache_update(
    hot: &Hot,
    changes: Vec<Change>,
    bodies: Vec<Option<Bytes>>,
    applied: &[Applied],
) -> Update {
    let mut u = Update::default();
    for ((change, body), applied) in changes.into_iter().zip(bodies).zip(applied) {
        match (change, applied) {
            (Change::Create { analysis, task }, _) => {
                u.tasks.push(task);
                u.analyses.push(hot_entry(analysis, body));
            }
            (
                Change::Finish {
                    analysis,
                    error_code,
                },
                Applied::Finished(true),
            ) => {
                if let Some(t) = hot.task(&analysis.task_id) {
                    let mut t = (*t).clone();
                    t.is_error = analysis.status != "COMPLETED";
                    t.failure_reason.clone_from(&analysis.failure_reason);
                    t.error_code = error_code;
                    t.end_ms = Some(analysis.last_update_ms);
                    t.last_update_ms = analysis.last_update_ms;
                    u.tasks.push(t);
                }
                u.analyses.push(hot_entry(analysis, body));
            }
            (Change::Refresh { analysis, .. }, Applied::Refreshed(true)) => {
                u.analyses.push(hot_entry(analysis, body));
            }
            (Change::Refresh { analysis, .. }, _) => {
                u.drop_analyses.push(analysis.id);
            }
            // Finished elsewhere (another process, or deleted meanwhile):
            // whatever is cached may be stale; the store knows.
            (Change::Finish { analysis, .. }, _) => {
                u.drop_analyses.push(analysis.id);
                u.drop_tasks.push(analysis.task_id);
            }
            (Change::Delete { id, task, .. }, applied) => {
                u.drop_tasks_of.push(id.clone());
                u.drop_analyses.push(id);
                if *applied == Applied::Deleted(true) {
                    u.tasks.push(task);
                }
            }
        }
    }
    u
}
