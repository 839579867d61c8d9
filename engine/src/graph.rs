//! A directed acyclic graph of dependencies, on petgraph. An edge runs from a
//! dependency to its dependent: `a -> b` means b needs a first. A set of the
//! edges beside petgraph's lists keeps adding one O(1): a resource that
//! 100,000 others read would otherwise cost a scan of its edges per reader.

use std::collections::HashSet;

use petgraph::Direction;
use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};

/// A dependency graph over nodes `0..n`.
#[derive(Debug, Clone, Default)]
pub struct Dag {
    g: DiGraph<(), ()>,
    /// Every edge of `g`, so that a duplicate is found without a scan.
    edges: HashSet<(usize, usize)>,
}

impl Dag {
    /// A graph of `n` nodes and no edges.
    pub fn with_nodes(n: usize) -> Dag {
        let mut g = DiGraph::with_capacity(n, n);
        for _ in 0..n {
            g.add_node(());
        }
        Dag {
            g,
            edges: HashSet::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.g.node_count()
    }

    pub fn is_empty(&self) -> bool {
        self.g.node_count() == 0
    }

    /// Adds a node and returns its number.
    pub fn add_node(&mut self) -> usize {
        self.g.add_node(()).index()
    }

    /// Records that `dependent` needs `dependency` first. Duplicate edges are
    /// ignored.
    pub fn add_edge(&mut self, dependency: usize, dependent: usize) {
        if self.edges.insert((dependency, dependent)) {
            let (a, b) = (NodeIndex::new(dependency), NodeIndex::new(dependent));
            self.g.add_edge(a, b, ());
        }
    }

    /// The nodes `n` needs directly.
    pub fn dependencies(&self, n: usize) -> impl Iterator<Item = usize> + '_ {
        self.g
            .neighbors_directed(NodeIndex::new(n), Direction::Incoming)
            .map(|i| i.index())
    }

    /// The nodes that need `n` directly.
    pub fn dependents(&self, n: usize) -> impl Iterator<Item = usize> + '_ {
        self.g
            .neighbors_directed(NodeIndex::new(n), Direction::Outgoing)
            .map(|i| i.index())
    }

    /// The same graph with every edge reversed (the order of destroy).
    pub fn reversed(&self) -> Dag {
        let mut g = self.g.clone();
        g.reverse();
        let edges = self.edges.iter().map(|&(a, b)| (b, a)).collect();
        Dag { g, edges }
    }

    /// The nodes in an order where each comes after its dependencies, or a
    /// cycle as the list of its nodes in edge order (`a -> b -> ... -> a`,
    /// the first node not repeated).
    pub fn order(&self) -> Result<Vec<usize>, Vec<usize>> {
        match toposort(&self.g, None) {
            Ok(order) => Ok(order.into_iter().map(|i| i.index()).collect()),
            Err(cycle) => Err(self.cycle_through(cycle.node_id())),
        }
    }

    /// A shortest cycle through `start`, found inside its strongly connected
    /// component.
    fn cycle_through(&self, start: NodeIndex) -> Vec<usize> {
        let scc = tarjan_scc(&self.g)
            .into_iter()
            .find(|c| c.contains(&start))
            .unwrap_or_else(|| vec![start]);
        // Breadth-first search from `start` back to itself, within the component.
        let mut prev: std::collections::HashMap<NodeIndex, NodeIndex> =
            std::collections::HashMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        while let Some(n) = queue.pop_front() {
            for m in self.g.neighbors_directed(n, Direction::Outgoing) {
                if !scc.contains(&m) {
                    continue;
                }
                if m == start {
                    let mut path = vec![n];
                    let mut cur = n;
                    while cur != start {
                        cur = prev[&cur];
                        path.push(cur);
                    }
                    path.reverse();
                    return path.into_iter().map(|i| i.index()).collect();
                }
                if let std::collections::hash_map::Entry::Vacant(e) = prev.entry(m) {
                    e.insert(n);
                    queue.push_back(m);
                }
            }
        }
        vec![start.index()]
    }

    /// Every node reachable from `roots` by following dependents (the roots
    /// included).
    pub fn downstream(&self, roots: impl IntoIterator<Item = usize>) -> Vec<bool> {
        self.reach(roots, Direction::Outgoing)
    }

    /// Every node the roots need, directly or not (the roots included).
    pub fn upstream(&self, roots: impl IntoIterator<Item = usize>) -> Vec<bool> {
        self.reach(roots, Direction::Incoming)
    }

    fn reach(&self, roots: impl IntoIterator<Item = usize>, dir: Direction) -> Vec<bool> {
        let mut seen = vec![false; self.len()];
        let mut stack: Vec<usize> = roots.into_iter().collect();
        while let Some(n) = stack.pop() {
            if n >= seen.len() || seen[n] {
                continue;
            }
            seen[n] = true;
            stack.extend(
                self.g
                    .neighbors_directed(NodeIndex::new(n), dir)
                    .map(|i| i.index()),
            );
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_dependencies_first() {
        let mut d = Dag::with_nodes(4);
        d.add_edge(0, 1);
        d.add_edge(1, 2);
        d.add_edge(0, 3);
        d.add_edge(0, 3);
        let order = d.order().unwrap();
        let pos = |n| order.iter().position(|&x| x == n).unwrap();
        assert!(pos(0) < pos(1) && pos(1) < pos(2) && pos(0) < pos(3));
        assert_eq!(d.dependencies(3).collect::<Vec<_>>(), vec![0]);
    }

    #[test]
    fn reports_the_cycle_in_edge_order() {
        let mut d = Dag::with_nodes(4);
        d.add_edge(0, 1);
        d.add_edge(1, 2);
        d.add_edge(2, 0);
        d.add_edge(2, 3);
        let cycle = d.order().unwrap_err();
        assert_eq!(cycle.len(), 3);
        for w in 0..3 {
            let (a, b) = (cycle[w], cycle[(w + 1) % 3]);
            assert!(d.dependents(a).any(|x| x == b), "{cycle:?}");
        }
    }

    #[test]
    fn self_loop_is_a_cycle_of_one() {
        let mut d = Dag::with_nodes(2);
        d.add_edge(1, 1);
        assert_eq!(d.order().unwrap_err(), vec![1]);
    }

    #[test]
    fn reachability_and_reverse() {
        let mut d = Dag::with_nodes(4);
        d.add_edge(0, 1);
        d.add_edge(1, 2);
        assert_eq!(d.downstream([1]), vec![false, true, true, false]);
        assert_eq!(d.upstream([1]), vec![true, true, false, false]);
        let r = d.reversed();
        assert!(r.dependents(2).any(|x| x == 1));
        assert!(r.dependents(1).any(|x| x == 0));
        assert!(!r.dependents(0).any(|_| true));
    }
}
