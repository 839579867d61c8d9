//! The dependency-driven walk: a node starts the moment all its dependencies
//! are done, bounded by a parallelism limit. No waves.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::task::JoinSet;

use crate::graph::Dag;

/// How a node of the walk ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Failed,
    /// Not started because a dependency failed.
    Skipped,
    /// Not started because the walk was cancelled.
    NotRun,
}

/// A cancellation flag shared with signal handlers: once set, no new node
/// starts; nodes in flight finish.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Cancel {
        Cancel::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Runs `run(node)` for every node of `dag`, dependencies first, at most
/// `parallel` at once. A node whose run returns false fails; nothing that
/// depends on it starts, everything else goes on.
pub async fn walk<F, Fut>(dag: &Dag, parallel: usize, cancel: &Cancel, run: F) -> Vec<Outcome>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = bool> + Send + 'static,
{
    let n = dag.len();
    let parallel = parallel.max(1);
    let mut waiting: Vec<usize> = (0..n).map(|i| dag.dependencies(i).count()).collect();
    let mut ready: VecDeque<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    let mut outcome = vec![Outcome::NotRun; n];
    let mut running: HashMap<tokio::task::Id, usize> = HashMap::new();
    let mut set = JoinSet::new();
    loop {
        while set.len() < parallel && !cancel.is_cancelled() {
            let Some(i) = ready.pop_front() else { break };
            let handle = set.spawn(run(i));
            running.insert(handle.id(), i);
        }
        let Some(joined) = set.join_next_with_id().await else {
            break;
        };
        let (id, ok) = match joined {
            Ok((id, ok)) => (id, ok),
            // A step that panicked counts as failed.
            Err(e) => (e.id(), false),
        };
        let Some(i) = running.remove(&id) else {
            continue;
        };
        if ok {
            outcome[i] = Outcome::Done;
            for d in dag.dependents(i) {
                waiting[d] -= 1;
                if waiting[d] == 0 {
                    ready.push_back(d);
                }
            }
        } else {
            outcome[i] = Outcome::Failed;
        }
    }
    // Whatever never ran because of a failure upstream is skipped.
    let failed: Vec<usize> = (0..n).filter(|&i| outcome[i] == Outcome::Failed).collect();
    let blocked = dag.downstream(failed);
    for i in 0..n {
        if outcome[i] == Outcome::NotRun && blocked[i] {
            outcome[i] = Outcome::Skipped;
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    #[tokio::test]
    async fn runs_in_dependency_order_and_skips_after_failure() {
        // 0 -> 1 -> 2, 0 -> 3; 1 fails.
        let mut d = Dag::with_nodes(4);
        d.add_edge(0, 1);
        d.add_edge(1, 2);
        d.add_edge(0, 3);
        let log = Arc::new(Mutex::new(Vec::new()));
        let l = Arc::clone(&log);
        let out = walk(&d, 4, &Cancel::new(), move |i| {
            let l = Arc::clone(&l);
            async move {
                l.lock().unwrap().push(i);
                i != 1
            }
        })
        .await;
        assert_eq!(
            out,
            vec![
                Outcome::Done,
                Outcome::Failed,
                Outcome::Skipped,
                Outcome::Done
            ]
        );
        let log = log.lock().unwrap();
        assert_eq!(log[0], 0);
        assert!(!log.contains(&2));
    }

    #[tokio::test]
    async fn a_node_starts_as_soon_as_its_own_dependencies_finish() {
        // 0 (slow) and 1 (fast) are independent; 2 needs only 1. 2 must start
        // before 0 ends: no waves.
        let mut d = Dag::with_nodes(3);
        d.add_edge(1, 2);
        let t0 = Instant::now();
        let ends = Arc::new(Mutex::new(vec![Duration::ZERO; 3]));
        let starts = Arc::new(Mutex::new(vec![Duration::ZERO; 3]));
        let (e, s) = (Arc::clone(&ends), Arc::clone(&starts));
        walk(&d, 8, &Cancel::new(), move |i| {
            let (e, s) = (Arc::clone(&e), Arc::clone(&s));
            async move {
                s.lock().unwrap()[i] = t0.elapsed();
                tokio::time::sleep(Duration::from_millis(if i == 0 { 300 } else { 20 })).await;
                e.lock().unwrap()[i] = t0.elapsed();
                true
            }
        })
        .await;
        assert!(starts.lock().unwrap()[2] < ends.lock().unwrap()[0]);
    }

    #[tokio::test]
    async fn cancel_stops_new_nodes() {
        let mut d = Dag::with_nodes(3);
        d.add_edge(0, 1);
        d.add_edge(1, 2);
        let c = Cancel::new();
        let c2 = c.clone();
        let out = walk(&d, 1, &c, move |_| {
            let c = c2.clone();
            async move {
                c.cancel();
                true
            }
        })
        .await;
        assert_eq!(out, vec![Outcome::Done, Outcome::NotRun, Outcome::NotRun]);
    }
}
