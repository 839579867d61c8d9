//! From a plan to the graph of steps that apply it. Creates and updates follow
//! the declaration graph; deletes run the other way: a resource is deleted
//! only after everything that used it was deleted or moved off it.

use std::collections::HashMap;

use super::{Action, Plan};
use crate::base::Address;
use crate::base::InstanceKey;
use crate::graph::Dag;
use crate::stack::Stack;
use crate::validate::{Checked, Dependency, Reach};

/// What a step does to the cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOp {
    Create,
    Update,
    /// Reads a data lookup whose inputs were unknown at plan time.
    Read,
    /// Creates the replacement of a resource; the old one stays until
    /// [`StepOp::DeleteReplaced`].
    CreateReplacement,
    /// Deletes the resource that a replacement superseded.
    DeleteReplaced,
    /// Deletes a resource first because its replacement can't coexist with it.
    DeleteBeforeReplace,
    /// Drops the resource a replacement supersedes from the state, keeping
    /// it in the cloud (`retain_on_delete`); where its delete would run.
    ForgetReplaced,
    Delete,
    Forget,
}

impl StepOp {
    /// The verb shown in progress lines.
    pub fn verb(self) -> &'static str {
        match self {
            StepOp::Create => "creating",
            StepOp::Update => "updating",
            StepOp::Read => "reading",
            StepOp::CreateReplacement => "creating replacement",
            StepOp::DeleteReplaced => "deleting replaced",
            StepOp::DeleteBeforeReplace => "deleting before replace",
            StepOp::ForgetReplaced => "forgetting replaced",
            StepOp::Delete => "deleting",
            StepOp::Forget => "forgetting",
        }
    }

    /// The verb shown once the step is done.
    pub fn done_verb(self) -> &'static str {
        match self {
            StepOp::Create => "created",
            StepOp::Update => "updated",
            StepOp::Read => "read",
            StepOp::CreateReplacement => "created replacement of",
            StepOp::DeleteReplaced => "deleted replaced",
            StepOp::DeleteBeforeReplace => "deleted before replacing",
            StepOp::ForgetReplaced => "forgot replaced",
            StepOp::Delete => "deleted",
            StepOp::Forget => "forgot",
        }
    }
}

/// One unit of work.
#[derive(Debug, Clone)]
pub struct Step {
    pub op: StepOp,
    /// Index into [`Plan::changes`].
    pub change: usize,
}

/// The steps and their dependencies.
#[derive(Debug, Default)]
pub struct StepGraph {
    pub steps: Vec<Step>,
    pub dag: Dag,
}

/// Builds the step graph of a plan.
pub fn build_steps(stack: &Stack, checked: &Checked, plan: &Plan) -> StepGraph {
    let n = plan.changes.len();
    let mut steps = Vec::new();
    // The step that brings each change's new state into being, and the one
    // that removes its old resource.
    let mut main: Vec<Option<usize>> = vec![None; n];
    let mut removal: Vec<Option<usize>> = vec![None; n];
    let mut edges = Vec::new();
    for (ci, c) in plan.changes.iter().enumerate() {
        let mut push = |op| {
            steps.push(Step { op, change: ci });
            steps.len() - 1
        };
        // A retained old resource is only dropped from the state, in the
        // place its delete would have.
        let supersede = |delete| {
            if c.retains_superseded() {
                StepOp::ForgetReplaced
            } else {
                delete
            }
        };
        match c.action() {
            Action::Create => main[ci] = Some(push(StepOp::Create)),
            Action::Update => main[ci] = Some(push(StepOp::Update)),
            Action::Read => main[ci] = Some(push(StepOp::Read)),
            Action::Replace if c.delete_before_replace() => {
                let d = push(supersede(StepOp::DeleteBeforeReplace));
                let m = push(StepOp::Create);
                edges.push((d, m));
                main[ci] = Some(m);
                removal[ci] = Some(d);
            }
            Action::Replace => {
                let m = push(StepOp::CreateReplacement);
                let d = push(supersede(StepOp::DeleteReplaced));
                edges.push((m, d));
                main[ci] = Some(m);
                removal[ci] = Some(d);
            }
            Action::Delete => removal[ci] = Some(push(StepOp::Delete)),
            Action::Forget => removal[ci] = Some(push(StepOp::Forget)),
            Action::Same => {}
        }
    }

    // Changes by declaration, and by the address of their prior record.
    let instances = Instances::of(stack, checked, plan);
    let mut users_of: HashMap<&str, Vec<usize>> = HashMap::new();
    for (ci, c) in plan.changes.iter().enumerate() {
        if let Some(p) = c.prior() {
            for dep in &p.dependencies {
                users_of.entry(dep.as_str()).or_default().push(ci);
            }
        }
    }

    for (ci, c) in plan.changes.iter().enumerate() {
        if let (Some(m), Some(at)) = (main[ci], c.declared()) {
            for dep in &checked.dependencies[at.decl] {
                for cj in instances.reached(dep, &at.key) {
                    if let Some(mj) = main[cj] {
                        edges.push((mj, m));
                    }
                }
            }
        }
        if let Some(r) = removal[ci] {
            if let Some(at) = c.declared() {
                for (k, reach) in &instances.dependents[at.decl] {
                    for ck in instances.reaching(*k, reach, &at.key) {
                        if let Some(mk) = main[ck]
                            && !plan.changes[ci].delete_before_replace()
                        {
                            edges.push((mk, r));
                        }
                    }
                }
            }
            if let Some(p) = c.prior() {
                let addr = if c.action() == Action::Replace {
                    c.address.as_str()
                } else {
                    p.address.as_str()
                };
                // A retired record left by an earlier run (`x~replaced`) is
                // the resource its users recorded as `x`.
                let live = Address::live_of_retired(addr);
                let users = users_of
                    .get(addr)
                    .into_iter()
                    .chain(live.and_then(|base| users_of.get(base.as_str())))
                    .flatten();
                for &user in users {
                    if user == ci {
                        continue;
                    }
                    if let Some(ru) = removal[user] {
                        edges.push((ru, r));
                    }
                    if let Some(mu) = main[user]
                        && !c.delete_before_replace()
                    {
                        edges.push((mu, r));
                    }
                }
            }
        }
    }

    let mut dag = Dag::with_nodes(steps.len());
    for (a, b) in edges {
        if a != b {
            dag.add_edge(a, b);
        }
    }
    StepGraph { steps, dag }
}

/// The declared changes by declaration and by instance, and who depends on
/// each declaration: what turns [`Checked::dependencies`] into step edges
/// without a scan per edge.
struct Instances<'p> {
    /// Change indexes of each declaration's instances.
    by_decl: Vec<Vec<usize>>,
    /// The change index of each (declaration, key).
    by_key: HashMap<(usize, &'p InstanceKey), usize>,
    /// For each declaration, the declarations that depend on it and how.
    dependents: Vec<Vec<(usize, &'p [Reach])>>,
}

impl<'p> Instances<'p> {
    fn of(stack: &Stack, checked: &'p Checked, plan: &'p Plan) -> Instances<'p> {
        let n = stack.decls.len();
        let mut by_decl = vec![Vec::new(); n];
        let mut by_key = HashMap::new();
        for (ci, c) in plan.changes.iter().enumerate() {
            if let Some(at) = c.declared() {
                by_decl[at.decl].push(ci);
                by_key.insert((at.decl, &at.key), ci);
            }
        }
        let mut dependents = vec![Vec::new(); n];
        for (k, deps) in checked.dependencies.iter().enumerate() {
            for dep in deps {
                dependents[dep.decl].push((k, dep.reach.as_slice()));
            }
        }
        Instances {
            by_decl,
            by_key,
            dependents,
        }
    }

    /// The changes of the instances of `dep` that instance `key` of its
    /// dependent reaches.
    fn reached(&self, dep: &Dependency, key: &InstanceKey) -> Vec<usize> {
        match dep.keys(key) {
            None => self.by_decl[dep.decl].clone(),
            Some(keys) => keys
                .into_iter()
                .filter_map(|k| self.by_key.get(&(dep.decl, k)).copied())
                .collect(),
        }
    }

    /// The changes of the instances of dependent `decl` whose `reach` takes
    /// in instance `key` of the declaration they depend on.
    fn reaching(&self, decl: usize, reach: &[Reach], key: &InstanceKey) -> Vec<usize> {
        let mut out = Vec::new();
        for r in reach {
            match r {
                Reach::All => return self.by_decl[decl].clone(),
                Reach::Key(k) if k == key => return self.by_decl[decl].clone(),
                Reach::Key(_) => {}
                Reach::SameKey => out.extend(self.by_key.get(&(decl, key)).copied()),
            }
        }
        out
    }
}

/// The steps of a destroy: every recorded resource, dependents first.
pub fn destroy_steps(plan: &Plan) -> StepGraph {
    let mut steps = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (ci, c) in plan.changes.iter().enumerate() {
        let op = if c.action() == Action::Forget {
            StepOp::Forget
        } else {
            StepOp::Delete
        };
        index.insert(c.address.as_str(), steps.len());
        steps.push(Step { op, change: ci });
    }
    // Retired records (`x~replaced`) by the address their users recorded.
    let mut retired: HashMap<String, Vec<usize>> = HashMap::new();
    for (address, &si) in &index {
        if let Some(base) = Address::live_of_retired(address) {
            retired.entry(base).or_default().push(si);
        }
    }
    let mut dag = Dag::with_nodes(steps.len());
    for (si, s) in steps.iter().enumerate() {
        if let Some(p) = plan.changes[s.change].prior() {
            for dep in &p.dependencies {
                let found = index.get(dep.as_str()).into_iter();
                let old = retired.get(dep.as_str()).into_iter().flatten();
                for &di in found.chain(old) {
                    // The dependency goes after its user.
                    if di != si {
                        dag.add_edge(si, di);
                    }
                }
            }
        }
    }
    StepGraph { steps, dag }
}
