//! The planner: evaluates a checked stack against the recorded state and
//! decides, for every instance, whether to create, update, replace, delete or
//! leave it. Step execution lives in [`crate::apply`]; this module only
//! decides (as Pulumi keeps step generation apart from step execution).

mod diff;
mod steps;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

pub use diff::{PropertyChange, apply_ignore_changes, diff_inputs};
pub use steps::{StepGraph, StepOp, build_steps, destroy_steps};

use crate::base::{Address, Diagnostic, InstanceKey, Map, TypeSchema, Value};
use crate::eval::{
    Values, dependency_addresses, eval_inputs, expand, expr_diagnostic, instance_scope, with_id,
};
use crate::expr::eval_template;
use crate::provider::{CallContext, CallPurpose, Registry};
use crate::stack::{Decl, DeclKind, Stack};
use crate::state::{ResourceRecord, StackKey, StackState};
use crate::validate::Checked;

/// What happens to one instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Create,
    Update,
    Replace,
    Delete,
    /// Dropped from the state without deleting (`retain_on_delete`).
    Forget,
    /// A data lookup, read during up because its inputs are not known yet.
    Read,
    Same,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Delete => "delete",
            Action::Forget => "forget",
            Action::Read => "read",
            Action::Same => "same",
        }
    }
}

/// The plan for one instance.
#[derive(Debug, Clone)]
pub struct Change {
    pub address: String,
    pub type_token: String,
    pub action: Action,
    /// The declaration, `None` for a recorded resource no longer declared.
    pub decl: Option<usize>,
    pub key: Option<InstanceKey>,
    /// The inputs as far as known now.
    pub inputs: Map,
    pub prior: Option<ResourceRecord>,
    pub diff: Vec<PropertyChange>,
    /// Replace the old resource before creating the new one.
    pub delete_before_replace: bool,
    pub kind: DeclKind,
}

impl Change {
    /// The removal of a recorded resource that is no longer declared:
    /// [`Action::Delete`], or [`Action::Forget`] for `retain_on_delete`.
    pub fn removal(record: &ResourceRecord, action: Action) -> Change {
        Change {
            address: record.name.clone(),
            type_token: record.type_token.clone(),
            action,
            decl: None,
            key: None,
            inputs: Map::new(),
            prior: Some(record.clone()),
            diff: Vec::new(),
            delete_before_replace: false,
            kind: DeclKind::Resource,
        }
    }

    /// Names of the properties that force the replacement.
    pub fn replace_reasons(&self) -> Vec<&str> {
        self.diff
            .iter()
            .filter(|c| c.forces_replace)
            .map(|c| c.name.as_str())
            .collect()
    }
}

/// The changes to one stack's outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputChange {
    pub name: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

/// Everything `up` needs to apply, and `preview` to show.
pub struct Plan {
    pub changes: Vec<Change>,
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
            if c.kind == DeclKind::Resource || c.action == Action::Read {
                *m.entry(c.action).or_insert(0) += 1;
            }
        }
        m
    }

    /// True when applying the plan would change nothing.
    pub fn is_empty(&self) -> bool {
        self.changes
            .iter()
            .all(|c| matches!(c.action, Action::Same))
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
    let PlanInput {
        stack,
        checked,
        registry,
        config,
        state,
        stacks,
        targets,
        env,
    } = input;
    let mut values = Values::new(stack.decls.len());
    let mut changes = Vec::new();
    let mut errors = Vec::new();
    let mut declared: BTreeSet<String> = BTreeSet::new();

    let in_target = target_filter(stack, checked, &targets);
    for &i in &checked.order {
        let decl = &stack.decls[i];
        let schema = &checked.schemas[i];
        let keys = {
            let scope =
                instance_scope(stack, &config, &values, &stacks, &InstanceKey::Single, None);
            match expand(stack, decl, &scope) {
                Ok(Some(keys)) => keys,
                Ok(None) => {
                    errors.push(
                        Diagnostic::at(&stack.file, decl.name_span, format!("the number of instances of `{}` depends on values known only after up", decl.name))
                            .with_hint("`count` and `for_each` may use config, data lookups and other stacks' outputs, not attributes of resources created in this run"),
                    );
                    values.unknown_decls[i] = true;
                    continue;
                }
                Err(d) => {
                    errors.push(d);
                    values.unknown_decls[i] = true;
                    continue;
                }
            }
        };
        for (key, each_value) in keys {
            let address = Address::new(&decl.name, key.clone()).to_string();
            declared.insert(address.clone());
            values.instances[i].push((key.clone(), address.clone()));
            let prior = state.resources.get(&address).cloned();
            if !in_target[i] {
                // Outside --target: keep whatever the state has.
                if let Some(p) = &prior {
                    values.outputs.insert(
                        address.clone(),
                        with_id(p.outputs.clone(), Value::String(p.id.clone())),
                    );
                }
                continue;
            }
            let scope = instance_scope(stack, &config, &values, &stacks, &key, each_value.as_ref());
            let inputs = match eval_inputs(stack, decl, schema, &scope) {
                Ok(m) => m,
                Err(d) => {
                    errors.push(d);
                    continue;
                }
            };
            drop(scope);
            let change = match decl.kind {
                DeclKind::Data => {
                    plan_data(
                        stack,
                        registry,
                        &config,
                        &env,
                        decl,
                        &key,
                        address.clone(),
                        inputs,
                        &mut values,
                    )
                    .await
                }
                DeclKind::Resource => plan_resource(
                    stack,
                    registry,
                    decl,
                    schema,
                    &key,
                    address.clone(),
                    inputs,
                    prior,
                    &mut values,
                ),
            };
            match change {
                Ok(c) => changes.push(c),
                Err(d) => errors.push(d),
            }
        }
    }

    // Recorded resources that are no longer declared.
    for (address, record) in &state.resources {
        if declared.contains(address) {
            continue;
        }
        let parsed = Address::parse(address);
        let decl_name = parsed.as_ref().map_or(address.as_str(), Address::decl);
        if !targets.is_empty() && !targets.iter().any(|t| t == address || t == decl_name) {
            continue;
        }
        let action = if record.options.retain_on_delete {
            Action::Forget
        } else {
            Action::Delete
        };
        let retired = parsed.as_ref().is_some_and(Address::is_retired);
        if action == Action::Delete && record.options.protect && !retired {
            errors.push(
                Diagnostic::new(format!("`{address}` ({}) is protected and can't be deleted", record.type_token), None)
                    .with_hint("declare it again, or set `protect = false` in its options and run up before removing it"),
            );
            continue;
        }
        changes.push(Change::removal(record, action));
    }

    let dependency_updates: Vec<(String, Vec<String>)> = changes
        .iter()
        .filter(|c| c.action == Action::Same && c.kind == DeclKind::Resource)
        .filter_map(|c| {
            let (decl, prior) = (c.decl?, c.prior.as_ref()?);
            let deps = dependency_addresses(stack, checked, &values, decl);
            (deps != prior.dependencies).then(|| (c.address.clone(), deps))
        })
        .collect();
    // Show changes in the order of the stack file, deletes last.
    changes.sort_by_key(|c| c.decl.unwrap_or(usize::MAX));
    let outputs = plan_outputs(stack, &config, &values, &stacks, state, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Plan {
        changes,
        values,
        outputs,
        config_changes: Vec::new(),
        dependency_updates,
        config,
        stacks,
    })
}

/// The plan of a destroy: every recorded resource deleted (or forgotten,
/// for `retain_on_delete`) and every output removed.
pub fn destroy_plan(state: &StackState) -> Plan {
    let changes = state
        .resources
        .values()
        .map(|r| {
            let action = if r.options.retain_on_delete {
                Action::Forget
            } else {
                Action::Delete
            };
            Change::removal(r, action)
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
    key: &InstanceKey,
    address: String,
    inputs: Map,
    values: &mut Values,
) -> Result<Change, Diagnostic> {
    let mut action = Action::Same;
    if inputs.values().any(Value::contains_unknown) {
        // Read during up; until then references to it see unknown values.
        action = Action::Read;
    } else {
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
        let mut out = ds.invoke(&ctx, &inputs).await.map_err(|e| {
            Diagnostic::at(
                &stack.file,
                decl.name_span,
                format!("data lookup `{address}` ({}) failed: {e}", decl.type_token),
            )
        })?;
        for (k, v) in &inputs {
            out.entry(k.clone()).or_insert_with(|| v.clone());
        }
        out.entry("id".to_string())
            .or_insert_with(|| Value::String(address.clone()));
        values.outputs.insert(address.clone(), out);
    }
    Ok(Change {
        address,
        type_token: decl.type_token.clone(),
        action,
        decl: stack.decl_index(&decl.name),
        key: Some(key.clone()),
        inputs,
        prior: None,
        diff: Vec::new(),
        delete_before_replace: false,
        kind: DeclKind::Data,
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

#[allow(clippy::too_many_arguments)]
fn plan_resource(
    stack: &Stack,
    registry: &Registry,
    decl: &Decl,
    schema: &TypeSchema,
    key: &InstanceKey,
    address: String,
    mut inputs: Map,
    prior: Option<ResourceRecord>,
    values: &mut Values,
) -> Result<Change, Diagnostic> {
    let rt = registry.resource(&decl.type_token).ok_or_else(|| {
        Diagnostic::at(
            &stack.file,
            decl.type_span,
            format!("unknown resource type `{}`", decl.type_token),
        )
    })?;
    let decl_index = stack.decl_index(&decl.name);
    let dbr = decl.options.delete_before_replace || schema.delete_before_replace;
    let (action, diff, planned) = match &prior {
        None => (
            Action::Create,
            Vec::new(),
            with_id(rt.preview(&inputs, None), Value::Unknown),
        ),
        Some(p) if p.type_token != decl.type_token => {
            let diff = vec![PropertyChange {
                name: "type".into(),
                old: Some(Value::String(p.type_token.clone())),
                new: Some(Value::String(decl.type_token.clone())),
                forces_replace: true,
            }];
            (
                Action::Replace,
                diff,
                with_id(rt.preview(&inputs, None), Value::Unknown),
            )
        }
        Some(p) => {
            apply_ignore_changes(&decl.options.ignore_changes, &p.inputs, &mut inputs);
            let diff = diff_inputs(schema, &p.inputs, &inputs);
            let recorded = record_changes(decl, p);
            if diff.is_empty() && !recorded.is_empty() {
                // Nothing for the provider, but the state must learn the
                // new options before a later delete or destroy reads them.
                (
                    Action::Update,
                    recorded,
                    with_id(p.outputs.clone(), Value::String(p.id.clone())),
                )
            } else if diff.is_empty() {
                (
                    Action::Same,
                    diff,
                    with_id(p.outputs.clone(), Value::String(p.id.clone())),
                )
            } else if diff.iter().any(|c| c.forces_replace) {
                (
                    Action::Replace,
                    diff,
                    with_id(rt.preview(&inputs, None), Value::Unknown),
                )
            } else {
                let planned = rt.preview(&inputs, Some(&p.outputs));
                (
                    Action::Update,
                    diff,
                    with_id(planned, Value::String(p.id.clone())),
                )
            }
        }
    };
    if action == Action::Replace && decl.options.protect {
        return Err(Diagnostic::at(
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
        .with_hint("set `protect = false` in its options first, or undo the change"));
    }
    values.outputs.insert(address.clone(), planned);
    Ok(Change {
        address,
        type_token: decl.type_token.clone(),
        action,
        decl: decl_index,
        key: Some(key.clone()),
        inputs,
        prior,
        diff,
        delete_before_replace: dbr,
        kind: DeclKind::Resource,
    })
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
