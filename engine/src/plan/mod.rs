//! The planner: evaluates a checked stack against the recorded state and
//! decides, for every instance, whether to create, update, replace, delete or
//! leave it. Step execution lives in [`crate::apply`]; this module only
//! decides (as Pulumi keeps step generation apart from step execution).

mod change;
mod diff;
mod moves;
mod steps;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

pub use change::{Action, Change, ChangeOp, Declared, Kept};
pub use diff::{PropertyChange, apply_ignore_changes, diff_inputs};
pub use moves::{Move, apply_moves};
pub use steps::{StepGraph, StepOp, build_steps, destroy_steps};

use crate::base::{Address, Diagnostic, InstanceKey, Map, TypeSchema, Value};
use crate::eval::{
    Instances, Values, dependency_addresses, eval_inputs, expand, expr_diagnostic, instance_scope,
    with_id,
};
use crate::expr::eval_template;
use crate::provider::{CallContext, CallPurpose, Registry};
use crate::stack::{Decl, DeclKind, RemovedDecl, Stack};
use crate::state::{ResourceRecord, StackKey, StackState};
use crate::validate::Checked;

/// The changes to one stack's outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputChange {
    pub name: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

/// Everything `up` needs to apply, and `preview` to show.
#[derive(Debug)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// Recorded instances whose address changes (`[[moved]]`); the changes
    /// above are planned against the state with these made.
    pub moves: Vec<Move>,
    /// Planned values: state outputs for unchanged instances, previews for
    /// the rest, results of data lookups.
    pub values: Values,
    pub outputs: Vec<OutputChange>,
    /// Config values that differ from those the last up applied.
    pub config_changes: Vec<OutputChange>,
    /// Unchanged resources whose recorded dependencies moved (a `count`
    /// grew, a `depends_on` was added), with their new dependencies: state
    /// bookkeeping for the order of later deletes, not a change to show.
    pub dependency_updates: Vec<(String, Vec<String>)>,
    pub config: Arc<Map>,
    /// Other stacks' outputs as seen by this plan.
    pub stacks: Map,
}

impl Plan {
    /// Counts by action, for summaries.
    pub fn counts(&self) -> BTreeMap<Action, usize> {
        let mut m = BTreeMap::new();
        for c in &self.changes {
            if c.kind == DeclKind::Resource || c.action() == Action::Read {
                *m.entry(c.action()).or_insert(0) += 1;
            }
        }
        m
    }

    /// True when applying the plan would change nothing.
    pub fn is_empty(&self) -> bool {
        self.changes.iter().all(|c| c.action() == Action::Same)
            && self.moves.is_empty()
            && self.outputs.iter().all(|o| o.old == o.new)
            && self.config_changes.is_empty()
    }
}

/// What the planner works from.
pub struct PlanInput<'a> {
    pub stack: &'a Stack,
    pub checked: &'a Checked,
    pub registry: &'a Registry,
    pub config: Arc<Map>,
    pub state: &'a StackState,
    /// Outputs of the stacks this stack reads: a table each, or Unknown.
    pub stacks: Map,
    /// Limit the plan to these declarations (and what they depend on);
    /// empty for all.
    pub targets: Vec<String>,
    pub env: String,
}

/// Computes the plan.
pub async fn plan(input: PlanInput<'_>) -> Result<Plan, Vec<Diagnostic>> {
    let mut p = Planner {
        values: Values::new(input.stack.decls.len()),
        in_target: target_filter(input.stack, input.checked, &input.targets),
        deleting_first: HashSet::new(),
        input,
        changes: Vec::new(),
        errors: Vec::new(),
    };
    for &i in &p.input.checked.order {
        let Some(keys) = p.instances(i) else {
            continue;
        };
        for (key, each_value) in keys {
            p.plan_instance(i, key, each_value).await;
        }
    }
    p.plan_removals();
    p.finish()
}

/// The planner's work in progress.
struct Planner<'a> {
    input: PlanInput<'a>,
    values: Values,
    /// Which declarations `--target` keeps.
    in_target: Vec<bool>,
    /// The addresses replaced by deleting the old resource first.
    deleting_first: HashSet<String>,
    changes: Vec<Change>,
    errors: Vec<Diagnostic>,
}

impl Planner<'_> {
    /// The instances of declaration `i`; `None` (with the error recorded)
    /// when they cannot be known.
    fn instances(&mut self, i: usize) -> Option<Instances> {
        let PlanInput {
            stack,
            config,
            stacks,
            ..
        } = &self.input;
        let decl = &stack.decls[i];
        let scope = instance_scope(
            stack,
            config,
            &self.values,
            stacks,
            &InstanceKey::Single,
            None,
        );
        let error = match expand(stack, decl, &scope) {
            Ok(Some(keys)) => return Some(keys),
            Ok(None) => Diagnostic::at(&stack.file, decl.name_span, format!("the number of instances of `{}` depends on values known only after up", decl.name))
                .with_hint("`count` and `for_each` may use config, data lookups and other stacks' outputs, not attributes of resources created in this run"),
            Err(d) => d,
        };
        self.errors.push(error);
        self.values.unknown_decls[i] = true;
        None
    }

    /// Plans one instance of declaration `i`.
    async fn plan_instance(&mut self, i: usize, key: InstanceKey, each_value: Option<Value>) {
        let PlanInput {
            stack,
            checked,
            registry,
            config,
            state,
            stacks,
            env,
            ..
        } = &self.input;
        let decl = &stack.decls[i];
        let address = Address::new(&decl.name, key.clone()).to_string();
        self.values.add_instance(i, key.clone(), address.clone());
        let prior = state.resources.get(&address).cloned();
        if !self.in_target[i] {
            // Outside --target: keep whatever the state has.
            if let Some(p) = &prior {
                let outputs = with_id(p.outputs.clone(), Value::String(p.id.clone()));
                self.values.outputs.insert(address, outputs);
            }
            return;
        }
        let scope = instance_scope(
            stack,
            config,
            &self.values,
            stacks,
            &key,
            each_value.as_ref(),
        );
        let inputs = match eval_inputs(stack, decl, &checked.schemas[i], &scope) {
            Ok(m) => m,
            Err(d) => return self.errors.push(d),
        };
        let at = Declared {
            decl: i,
            key,
            inputs,
        };
        // A replacement whose old resource uses one that must be deleted
        // first has to go first too: the old one can't outlive what it
        // uses, and the new one needs the new one of that.
        let after_deleted = prior.as_ref().is_some_and(|p| {
            p.dependencies
                .iter()
                .any(|d| self.deleting_first.contains(d))
        });
        let held = match (&prior, after_deleted) {
            (Some(p), true) => self.references_deleted_first(&p.dependencies),
            _ => Vec::new(),
        };
        let values = &mut self.values;
        let change = match decl.kind {
            DeclKind::Data => {
                plan_data(stack, registry, config, env, decl, at, address, values).await
            }
            DeclKind::Resource => {
                let schema = &checked.schemas[i];
                plan_resource(stack, registry, decl, schema, at, prior, values)
            }
        };
        match change {
            Ok(mut c) => {
                if after_deleted {
                    c.delete_first();
                    let retain = decl.options.retain_on_delete;
                    c = c.replaced_if_holding(&held, &checked.schemas[i], retain);
                }
                // A resource kept in the cloud is not deleted, so nothing
                // that uses it has to go first.
                if c.delete_before_replace() && !c.retains_superseded() {
                    self.deleting_first.insert(c.address.clone());
                }
                self.changes.push(c);
            }
            Err(d) => self.errors.push(d),
        }
    }

    /// The ids and ARNs of the recorded resources among `dependencies` that
    /// are replaced by deleting them first: what a dependent may still hold.
    fn references_deleted_first(&self, dependencies: &[String]) -> Vec<String> {
        let state = &self.input.state.resources;
        let mut out = Vec::new();
        for record in dependencies
            .iter()
            .filter(|d| self.deleting_first.contains(*d))
            .filter_map(|d| state.get(d))
        {
            out.push(record.id.clone());
            out.extend(
                record
                    .outputs
                    .iter()
                    .filter(|(k, _)| is_reference_key(k))
                    .filter_map(|(_, v)| v.as_str().map(String::from)),
            );
        }
        out.retain(|r| !r.is_empty());
        out
    }

    /// The removal of every recorded resource that is no longer declared.
    fn plan_removals(&mut self) {
        let state = &self.input.state.resources;
        let removed: Vec<(&str, &ResourceRecord)> = state
            .iter()
            .map(|(a, r)| (a.as_str(), r))
            .filter(|(a, _)| !self.values.has_instance(a))
            .collect();
        for (address, record) in self.removals_in_target(removed) {
            let parsed = Address::parse(address);
            let removed = |r: &&RemovedDecl| parsed.as_ref().is_some_and(|a| r.covers(a));
            let entry = self.input.stack.removals.iter().find(removed);
            let kept = match entry {
                Some(r) if !r.destroy => Some(Kept::Removed),
                _ if record.options.retain_on_delete => Some(Kept::RetainOnDelete),
                _ => None,
            };
            let retired = parsed.as_ref().is_some_and(Address::is_retired);
            if kept.is_none() && record.options.protect && !retired {
                self.errors.push(
                    Diagnostic::new(format!("`{address}` ({}) is protected and can't be deleted", record.type_token), None)
                        .with_hint("declare it again, or set `protect = false` in its options and run up before removing it"),
                );
                continue;
            }
            self.changes.push(Change::removal(record, kept));
        }
    }

    /// Which of the `removed` instances (recorded, no longer declared) this
    /// run deletes: all of them; with `--target`, the targeted ones and,
    /// transitively, the removed ones that depend on them, since a
    /// dependent can't outlive what it uses.
    fn removals_in_target<'s>(
        &self,
        mut removed: Vec<(&'s str, &'s ResourceRecord)>,
    ) -> Vec<(&'s str, &'s ResourceRecord)> {
        let targets = &self.input.targets;
        if targets.is_empty() {
            return removed;
        }
        let named = |address: &str| {
            let parsed = Address::parse(address);
            let decl = parsed.as_ref().map_or(address, Address::decl);
            targets.iter().any(|t| t == address || t == decl)
        };
        let mut dependents: HashMap<&str, Vec<&'s str>> = HashMap::new();
        for &(address, record) in &removed {
            for dep in &record.dependencies {
                dependents.entry(dep.as_str()).or_default().push(address);
            }
        }
        let mut chosen: HashSet<&'s str> = removed
            .iter()
            .map(|(a, _)| *a)
            .filter(|a| named(a))
            .collect();
        let mut queue: Vec<&'s str> = chosen.iter().copied().collect();
        while let Some(address) = queue.pop() {
            for &d in dependents.get(address).into_iter().flatten() {
                if chosen.insert(d) {
                    queue.push(d);
                }
            }
        }
        removed.retain(|(a, _)| chosen.contains(a));
        removed
    }

    /// The plan, or every error found.
    fn finish(self) -> Result<Plan, Vec<Diagnostic>> {
        let Planner {
            input,
            values,
            mut changes,
            mut errors,
            ..
        } = self;
        let PlanInput {
            stack,
            checked,
            config,
            state,
            stacks,
            ..
        } = input;
        let dependency_updates: Vec<(String, Vec<String>)> = changes
            .iter()
            .filter(|c| c.action() == Action::Same && c.kind == DeclKind::Resource)
            .filter_map(|c| {
                let (at, prior) = (c.declared()?, c.prior()?);
                let deps = dependency_addresses(stack, checked, &values, at.decl, &at.key);
                (deps != prior.dependencies).then(|| (c.address.clone(), deps))
            })
            .collect();
        // Show changes in the order of the stack file, deletes last.
        changes.sort_by_key(|c| c.decl().unwrap_or(usize::MAX));
        let outputs = plan_outputs(stack, &config, &values, &stacks, state, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Plan {
            moves: Vec::new(),
            changes,
            values,
            outputs,
            config_changes: Vec::new(),
            dependency_updates,
            config,
            stacks,
        })
    }
}

/// The plan of a destroy: every recorded resource deleted (or forgotten,
/// for `retain_on_delete`) and every output removed.
pub fn destroy_plan(state: &StackState) -> Plan {
    let changes = state
        .resources
        .values()
        .map(|r| {
            Change::removal(
                r,
                r.options.retain_on_delete.then_some(Kept::RetainOnDelete),
            )
        })
        .collect();
    let outputs = state
        .outputs
        .iter()
        .flatten()
        .map(|(k, v)| OutputChange {
            name: k.clone(),
            old: Some(v.clone()),
            new: None,
        })
        .collect();
    Plan {
        moves: Vec::new(),
        changes,
        values: Values::default(),
        outputs,
        config_changes: Vec::new(),
        dependency_updates: Vec::new(),
        config: Arc::new(Map::new()),
        stacks: Map::new(),
    }
}

/// Which declarations `--target` keeps: the targets and what they depend on.
fn target_filter(stack: &Stack, checked: &Checked, targets: &[String]) -> Vec<bool> {
    if targets.is_empty() {
        return vec![true; stack.decls.len()];
    }
    let roots = stack.decls.iter().enumerate().filter_map(|(i, d)| {
        targets
            .iter()
            .any(|t| t == &d.name || Address::decl_of(t) == d.name)
            .then_some(i)
    });
    checked.graph.upstream(roots)
}

#[allow(clippy::too_many_arguments)]
async fn plan_data(
    stack: &Stack,
    registry: &Registry,
    config: &Arc<Map>,
    env: &str,
    decl: &Decl,
    at: Declared,
    address: String,
    values: &mut Values,
) -> Result<Change, Diagnostic> {
    let inputs = &at.inputs;
    // With unknown inputs it is read during up; until then references to
    // it see unknown values.
    let read_later = inputs.values().any(Value::contains_unknown);
    if !read_later {
        let ds = registry.data_source(&decl.type_token).ok_or_else(|| {
            Diagnostic::at(
                &stack.file,
                decl.type_span,
                format!("unknown data source type `{}`", decl.type_token),
            )
        })?;
        let ctx = CallContext::new(
            &StackKey::new(&stack.name, env),
            &address,
            &decl.type_token,
            Arc::clone(config),
            stack.dir.clone(),
            CallPurpose::Read,
        );
        let mut out = ds.invoke(&ctx, inputs).await.map_err(|e| {
            Diagnostic::at(
                &stack.file,
                decl.name_span,
                format!("data lookup `{address}` ({}) failed: {e}", decl.type_token),
            )
        })?;
        for (k, v) in inputs {
            out.entry(k.clone()).or_insert_with(|| v.clone());
        }
        out.entry("id".to_string())
            .or_insert_with(|| Value::String(address.clone()));
        values.outputs.insert(address.clone(), out);
    }
    Ok(Change {
        address,
        type_token: decl.type_token.clone(),
        kind: DeclKind::Data,
        op: if read_later {
            ChangeOp::Read(at)
        } else {
            ChangeOp::Same { at, prior: None }
        },
    })
}

/// Changes of the options the state records beside the inputs, shown as
/// pseudo-properties.
fn record_changes(decl: &Decl, prior: &ResourceRecord) -> Vec<PropertyChange> {
    let o = &decl.options;
    let options = [
        ("options.protect", prior.options.protect, o.protect),
        (
            "options.retain_on_delete",
            prior.options.retain_on_delete,
            o.retain_on_delete,
        ),
        (
            "options.delete_before_replace",
            prior.options.delete_before_replace,
            o.delete_before_replace,
        ),
    ];
    options
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .map(|(name, old, new)| PropertyChange {
            name: name.to_string(),
            old: Some(Value::Bool(old)),
            new: Some(Value::Bool(new)),
            forces_replace: false,
        })
        .collect()
}

/// Plans one declared resource instance against its record, if any.
fn plan_resource(
    stack: &Stack,
    registry: &Registry,
    decl: &Decl,
    schema: &TypeSchema,
    mut at: Declared,
    prior: Option<ResourceRecord>,
    values: &mut Values,
) -> Result<Change, Diagnostic> {
    let address = Address::new(&decl.name, at.key.clone()).to_string();
    let rt = registry.resource(&decl.type_token).ok_or_else(|| {
        Diagnostic::at(
            &stack.file,
            decl.type_span,
            format!("unknown resource type `{}`", decl.type_token),
        )
    })?;
    let delete_first = decl.options.delete_before_replace || schema.delete_before_replace;
    let Some(prior) = prior else {
        values.outputs.insert(
            address.clone(),
            with_id(rt.preview(&at.inputs, None), Value::Unknown),
        );
        return Ok(resource_change(decl, address, ChangeOp::Create(at)));
    };
    let verdict = if prior.type_token != decl.type_token {
        Verdict::Replace(vec![PropertyChange {
            name: "type".into(),
            old: Some(Value::String(prior.type_token.clone())),
            new: Some(Value::String(decl.type_token.clone())),
            forces_replace: true,
        }])
    } else {
        apply_ignore_changes(&decl.options.ignore_changes, &prior.inputs, &mut at.inputs);
        classify(decl, schema, &prior, &at.inputs)
    };
    let recorded_id = Value::String(prior.id.clone());
    let planned = match &verdict {
        Verdict::Replace(_) => with_id(rt.preview(&at.inputs, None), Value::Unknown),
        Verdict::Update(_) => with_id(rt.preview(&at.inputs, Some(&prior.outputs)), recorded_id),
        Verdict::Options(_) | Verdict::Same => with_id(prior.outputs.clone(), recorded_id),
    };
    if let Verdict::Replace(diff) = &verdict
        && decl.options.protect
    {
        return Err(protected_replacement(stack, decl, &address, diff));
    }
    values.outputs.insert(address.clone(), planned);
    let op = match verdict {
        Verdict::Replace(diff) => ChangeOp::Replace {
            at,
            prior,
            diff,
            delete_first,
            retain_old: decl.options.retain_on_delete,
        },
        Verdict::Update(diff) | Verdict::Options(diff) => ChangeOp::Update { at, prior, diff },
        Verdict::Same => ChangeOp::Same {
            at,
            prior: Some(prior),
        },
    };
    Ok(resource_change(decl, address, op))
}

/// What becomes of a recorded resource, with the properties that change.
enum Verdict {
    Same,
    /// Only the options the state records changed, shown as `options.*`
    /// pseudo-properties: nothing for the provider, but the state must learn
    /// them before a later delete or destroy reads them.
    Options(Vec<PropertyChange>),
    Update(Vec<PropertyChange>),
    Replace(Vec<PropertyChange>),
}

/// The verdict for a recorded resource of the declared type.
fn classify(decl: &Decl, schema: &TypeSchema, prior: &ResourceRecord, inputs: &Map) -> Verdict {
    let diff = diff_inputs(schema, &prior.inputs, inputs);
    if diff.is_empty() {
        let recorded = record_changes(decl, prior);
        return if recorded.is_empty() {
            Verdict::Same
        } else {
            Verdict::Options(recorded)
        };
    }
    if diff.iter().any(|c| c.forces_replace) {
        Verdict::Replace(diff)
    } else {
        Verdict::Update(diff)
    }
}

fn resource_change(decl: &Decl, address: String, op: ChangeOp) -> Change {
    Change {
        address,
        type_token: decl.type_token.clone(),
        kind: DeclKind::Resource,
        op,
    }
}

/// The error for a protected resource that a change would replace.
fn protected_replacement(
    stack: &Stack,
    decl: &Decl,
    address: &str,
    diff: &[PropertyChange],
) -> Diagnostic {
    Diagnostic::at(
        &stack.file,
        decl.name_span,
        format!(
            "`{address}` is protected and would be replaced (because of {})",
            diff.iter()
                .filter(|c| c.forces_replace)
                .map(|c| format!("`{}`", c.name))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
    .with_hint("set `protect = false` in its options first, or undo the change")
}

fn plan_outputs(
    stack: &Stack,
    config: &Map,
    values: &Values,
    stacks: &Map,
    state: &StackState,
    errors: &mut Vec<Diagnostic>,
) -> Vec<OutputChange> {
    let scope = instance_scope(stack, config, values, stacks, &InstanceKey::Single, None);
    let old = state.outputs.clone().unwrap_or_default();
    let mut out = Vec::new();
    let mut names = BTreeSet::new();
    for o in &stack.outputs {
        names.insert(o.name.clone());
        match eval_template(&o.value, &scope) {
            Ok(v) => out.push(OutputChange {
                name: o.name.clone(),
                old: old.get(&o.name).cloned(),
                new: Some(v),
            }),
            Err(e) => errors.push(expr_diagnostic(stack, e)),
        }
    }
    for (k, v) in &old {
        if !names.contains(k) {
            out.push(OutputChange {
                name: k.clone(),
                old: Some(v.clone()),
                new: None,
            });
        }
    }
    out
}

/// The config values that differ between what the last up applied and now.
pub fn config_changes(applied: Option<&Map>, now: &Map) -> Vec<OutputChange> {
    let Some(applied) = applied else {
        return Vec::new();
    };
    let keys: BTreeSet<&String> = applied.keys().chain(now.keys()).collect();
    keys.into_iter()
        .filter(|k| applied.get(*k) != now.get(*k))
        .map(|k| OutputChange {
            name: k.clone(),
            old: applied.get(k).cloned(),
            new: now.get(k).cloned(),
        })
        .collect()
}

#[cfg(test)]
mod tests;

/// Whether an output names the resource to the cloud (`id`, `arn`,
/// `vpc_id`, `target_group_arn`), as a reference to it does.
fn is_reference_key(key: &str) -> bool {
    key == "id" || key == "arn" || key.ends_with("_id") || key.ends_with("_arn")
}
