//! Recent tasks and analyses in memory: task polls and result reads answered
//! without a store round trip.
//!
//! The cache holds only what the store has committed: the [`crate::writer`]
//! fills it after each group commit, with the analyses and tasks it wrote
//! (finished results with their response body already serialised). A miss
//! is read from the store, which is always at least as new as the cache.
//! It is bounded (oldest entries are dropped first) and used only when this
//! process is the only writer of the store — an embedded SQLite store, held
//! by one server at a time; with PostgreSQL, where other replicas write too,
//! every read goes to the database.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, RwLock};

use axum::body::Bytes;

use crate::store::{Analysis, Task};

/// A cached analysis and, once finished, its serialised `GET` response body.
#[derive(Debug)]
pub struct HotAnalysis {
    /// The analysis as committed.
    pub analysis: Analysis,
    /// The response body of `GET flow-analysis/{id}` (finished analyses).
    pub body: Option<Bytes>,
}

/// The cache (see the module documentation).
#[derive(Debug)]
pub struct Hot {
    cap: usize,
    inner: RwLock<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    analyses: HashMap<String, Arc<HotAnalysis>>,
    tasks: HashMap<String, Arc<Task>>,
    analysis_order: VecDeque<String>,
    task_order: VecDeque<String>,
}

impl Hot {
    /// A cache of at most `cap` analyses and `2 × cap` tasks.
    pub fn new(cap: usize) -> Hot {
        Hot {
            cap: cap.max(1),
            inner: RwLock::new(Inner::default()),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A cached analysis.
    pub fn analysis(&self, id: &str) -> Option<Arc<HotAnalysis>> {
        self.read().analyses.get(id).cloned()
    }

    /// A cached task.
    pub fn task(&self, id: &str) -> Option<Arc<Task>> {
        self.read().tasks.get(id).cloned()
    }

    /// Apply the outcome of one group commit: entries to put, ids to drop.
    pub fn update(&self, u: Update) {
        let mut g = self.write();
        let inner = &mut *g;
        for id in &u.drop_analyses {
            inner.analyses.remove(id);
        }
        for id in &u.drop_tasks {
            inner.tasks.remove(id);
        }
        if !u.drop_tasks_of.is_empty() {
            inner
                .tasks
                .retain(|_, t| !u.drop_tasks_of.contains(&t.progress));
        }
        for a in u.analyses {
            let id = a.analysis.id.clone();
            if inner.analyses.insert(id.clone(), Arc::new(a)).is_none() {
                inner.analysis_order.push_back(id);
            }
        }
        for t in u.tasks {
            let id = t.id.clone();
            if inner.tasks.insert(id.clone(), Arc::new(t)).is_none() {
                inner.task_order.push_back(id);
            }
        }
        // Oldest first; an order entry whose id was dropped (and maybe
        // cached again later) is skipped or evicts early, which is harmless.
        while inner.analyses.len() > self.cap {
            let Some(id) = inner.analysis_order.pop_front() else {
                break;
            };
            inner.analyses.remove(&id);
        }
        while inner.tasks.len() > 2 * self.cap {
            let Some(id) = inner.task_order.pop_front() else {
                break;
            };
            inner.tasks.remove(&id);
        }
        if inner.analysis_order.len() > 4 * self.cap {
            let live = &inner.analyses;
            inner.analysis_order.retain(|id| live.contains_key(id));
        }
        if inner.task_order.len() > 8 * self.cap {
            let live = &inner.tasks;
            inner.task_order.retain(|id| live.contains_key(id));
        }
    }

    /// Number of cached analyses and tasks.
    pub fn len(&self) -> (usize, usize) {
        let g = self.read();
        (g.analyses.len(), g.tasks.len())
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == (0, 0)
    }
}

/// What one group commit changes in the cache.
#[derive(Debug, Default)]
pub struct Update {
    /// Analyses to put (new or in a new state).
    pub analyses: Vec<HotAnalysis>,
    /// Tasks to put.
    pub tasks: Vec<Task>,
    /// Analyses to forget (deleted, or changed in a way the writer did not see).
    pub drop_analyses: Vec<String>,
    /// Tasks to forget.
    pub drop_tasks: Vec<String>,
    /// Forget every task whose `progress` is one of these analyses (a
    /// deletion changes its analysis's task, which may be cached even when
    /// the analysis itself was evicted).
    pub drop_tasks_of: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{NewAnalysis, new_analysis};

    fn analysis() -> (Analysis, Task) {
        new_analysis(
            NewAnalysis {
                source_ip: "10.0.0.1".into(),
                dest_ip: "10.0.0.2".into(),
                source_port: None,
                dest_port: None,
                protocol: None,
                periodic_refresh: false,
                control_path: None,
                inclusions: Vec::new(),
            },
            1,
            0,
            "/api/v1",
        )
    }

    #[test]
    fn oldest_entries_go_first_and_drops_win() {
        let hot = Hot::new(2);
        let mut ids = Vec::new();
        for _ in 0..3 {
            let (a, t) = analysis();
            ids.push((a.id.clone(), t.id.clone()));
            hot.update(Update {
                analyses: vec![HotAnalysis {
                    analysis: a,
                    body: None,
                }],
                tasks: vec![t],
                ..Update::default()
            });
        }
        assert!(hot.analysis(&ids[0].0).is_none(), "the oldest was evicted");
        assert!(hot.analysis(&ids[2].0).is_some());
        assert!(hot.task(&ids[0].1).is_some(), "tasks keep 2 × cap");
        hot.update(Update {
            drop_analyses: vec![ids[2].0.clone()],
            drop_tasks: vec![ids[2].1.clone()],
            ..Update::default()
        });
        assert!(hot.analysis(&ids[2].0).is_none());
        assert!(hot.task(&ids[2].1).is_none());
        assert_eq!(hot.len(), (1, 2));
        // A deletion forgets the analysis's task even when the analysis
        // itself is no longer cached.
        assert!(hot.analysis(&ids[0].0).is_none());
        hot.update(Update {
            drop_tasks_of: vec![ids[0].0.clone()],
            ..Update::default()
        });
        assert!(hot.task(&ids[0].1).is_none());
        assert!(hot.task(&ids[1].1).is_some());
    }
}
