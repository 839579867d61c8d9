//! Step execution: runs the steps of a plan through the providers, recording
//! an intent before each provider call and the outcome right after, each in
//! its own small transaction.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::events::{Event, Observer};
use crate::plan::{
    Action, Change, Plan, REPLACED_SUFFIX, StepGraph, StepOp, Values, apply_ignore_changes,
    dependency_addresses, diff_inputs, eval_inputs, instance_scope, with_id,
};
use crate::provider::{CallContext, ProviderError, Registry};
use crate::stack::Stack;
use crate::state::{OpKind, PendingOp, RecordOptions, ResourceRecord, StackKey, StateStore};
use crate::validate::Checked;
use crate::value::{Map, Value};
use crate::walk::{Cancel, Outcome, walk};

/// A failed step.
#[derive(Debug, Clone)]
pub struct Failure {
    pub address: String,
    pub type_token: String,
    pub op: StepOp,
    pub message: String,
}

/// How a run of steps ended.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    /// Completed steps by kind (`create`, `update`, `replace`, `delete`, ...).
    pub counts: BTreeMap<String, u64>,
    pub failures: Vec<Failure>,
    /// Steps not started because a dependency failed.
    pub skipped: usize,
    /// Steps not started because the run was interrupted.
    pub not_run: usize,
    pub cancelled: bool,
    pub elapsed: Duration,
    /// The final values of every instance.
    pub values: Values,
}

impl RunSummary {
    pub fn succeeded(&self) -> bool {
        self.failures.is_empty() && !self.cancelled && self.not_run == 0
    }
}

/// What the steps need to run: the stack (absent for a destroy without its
/// file), the state, the providers.
pub struct Runner {
    pub stack: Option<Arc<Stack>>,
    pub checked: Option<Arc<Checked>>,
    pub registry: Registry,
    pub store: Arc<dyn StateStore>,
    pub key: StackKey,
    pub config: Arc<Map>,
    pub stacks: Map,
    pub stack_dir: std::path::PathBuf,
    pub observer: Arc<dyn Observer>,
}

struct Shared {
    runner: Runner,
    changes: Vec<Change>,
    steps: StepGraph,
    live: Mutex<Values>,
    counts: Mutex<BTreeMap<String, u64>>,
    failures: Mutex<Vec<Failure>>,
}

impl Runner {
    /// Runs the step graph of `plan`.
    pub async fn run(
        self,
        plan: Plan,
        steps: StepGraph,
        parallel: usize,
        cancel: &Cancel,
    ) -> RunSummary {
        let start = Instant::now();
        let Plan {
            changes, values, ..
        } = plan;
        let shared = Arc::new(Shared {
            runner: self,
            changes,
            steps,
            live: Mutex::new(values),
            counts: Mutex::new(BTreeMap::new()),
            failures: Mutex::new(Vec::new()),
        });
        shared.runner.observer.event(&Event::Started {
            total: shared.steps.steps.len(),
        });
        let s = Arc::clone(&shared);
        let outcome = walk(&shared.steps.dag, parallel, cancel, move |i| {
            let s = Arc::clone(&s);
            async move { s.run_step(i).await }
        })
        .await;
        let skipped = outcome.iter().filter(|o| **o == Outcome::Skipped).count();
        let not_run = outcome.iter().filter(|o| **o == Outcome::NotRun).count();
        // All step tasks have finished, so this is the only reference left;
        // fall back to copies if a task somehow still holds one.
        let (counts, failures, values) = match Arc::try_unwrap(shared) {
            Ok(s) => (
                s.counts.into_inner().unwrap_or_default(),
                s.failures.into_inner().unwrap_or_default(),
                s.live.into_inner().unwrap_or_default(),
            ),
            Err(s) => (
                lock(&s.counts).clone(),
                lock(&s.failures).clone(),
                Values::default(),
            ),
        };
        RunSummary {
            counts,
            failures,
            skipped,
            not_run,
            cancelled: cancel.is_cancelled(),
            elapsed: start.elapsed(),
            values,
        }
    }
}

/// Locks a mutex, recovering the data if a panicking task poisoned it (the
/// data are plain maps that stay consistent between statements).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Shared {
    async fn run_step(&self, i: usize) -> bool {
        let step = &self.steps.steps[i];
        let change = &self.changes[step.change];
        let obs = &self.runner.observer;
        obs.event(&Event::StepStarted {
            address: &change.address,
            type_token: &change.type_token,
            op: step.op,
        });
        let t = Instant::now();
        match self.execute(step.op, change).await {
            Ok(counted) => {
                if let Some(kind) = counted {
                    *lock(&self.counts).entry(kind.to_string()).or_insert(0) += 1;
                }
                obs.event(&Event::StepDone {
                    address: &change.address,
                    type_token: &change.type_token,
                    op: step.op,
                    elapsed: t.elapsed(),
                });
                true
            }
            Err(message) => {
                obs.event(&Event::StepFailed {
                    address: &change.address,
                    type_token: &change.type_token,
                    op: step.op,
                    error: &message,
                });
                lock(&self.failures).push(Failure {
                    address: change.address.clone(),
                    type_token: change.type_token.clone(),
                    op: step.op,
                    message,
                });
                false
            }
        }
    }

    fn ctx(&self, change: &Change, address: &str, op_id: i64) -> CallContext {
        let r = &self.runner;
        let mut token = format!("skistack-{}-{}-{op_id}", r.key.stack, r.key.env);
        token.truncate(64);
        CallContext {
            stack: r.key.stack.clone(),
            env: r.key.env.clone(),
            resource: address.to_string(),
            type_token: change.type_token.clone(),
            config: Arc::clone(&r.config),
            operation_id: token,
            stack_dir: r.stack_dir.clone(),
        }
    }

    /// Where a resource was declared, for error messages.
    fn declared_at(&self, change: &Change) -> String {
        match (&self.runner.stack, change.decl) {
            (Some(stack), Some(d)) => {
                let pos = stack.pos(stack.decls[d].name_span);
                format!(" (declared at {})", pos.location())
            }
            _ => String::new(),
        }
    }

    fn fail(&self, change: &Change, what: &str, e: impl std::fmt::Display) -> String {
        format!(
            "{} ({}){}: {what} failed: {e}",
            change.address,
            change.type_token,
            self.declared_at(change)
        )
    }

    /// Evaluates the instance's inputs with the values known now.
    fn current_inputs(&self, change: &Change) -> Result<Map, String> {
        let (Some(stack), Some(checked), Some(d), Some(key)) = (
            &self.runner.stack,
            &self.runner.checked,
            change.decl,
            &change.key,
        ) else {
            return Ok(change.inputs.clone());
        };
        let decl = &stack.decls[d];
        let live = lock(&self.live);
        let each_value = match key {
            crate::plan::InstanceKey::Key(_) => decl.for_each.as_ref().and_then(|(t, _)| {
                let scope = instance_scope(
                    stack,
                    &self.runner.config,
                    &live,
                    &self.runner.stacks,
                    &crate::plan::InstanceKey::Single,
                    None,
                );
                crate::expr::eval_template(t, &scope).ok()
            }),
            _ => None,
        };
        let each_value = match (key, each_value) {
            (crate::plan::InstanceKey::Key(k), Some(Value::Map(m))) => m.get(k).cloned(),
            (crate::plan::InstanceKey::Key(k), _) => Some(Value::String(k.clone())),
            _ => None,
        };
        let scope = instance_scope(
            stack,
            &self.runner.config,
            &live,
            &self.runner.stacks,
            key,
            each_value.as_ref(),
        );
        let mut inputs =
            eval_inputs(stack, decl, &checked.schemas[d], &scope).map_err(|d| d.to_string())?;
        if let Some(p) = &change.prior {
            apply_ignore_changes(&decl.options.ignore_changes, &p.inputs, &mut inputs);
        }
        if let Some((name, _)) = inputs.iter().find(|(_, v)| v.contains_unknown()) {
            return Err(format!(
                "{}: property `{name}` is still unknown after its dependencies were applied",
                change.address
            ));
        }
        Ok(inputs)
    }

    fn record(&self, change: &Change, id: String, inputs: Map, outputs: Map) -> ResourceRecord {
        let (deps, options) = match (&self.runner.stack, &self.runner.checked, change.decl) {
            (Some(stack), Some(checked), Some(d)) => {
                let live = lock(&self.live);
                let o = &stack.decls[d].options;
                (
                    dependency_addresses(stack, checked, &live, d),
                    RecordOptions {
                        protect: o.protect,
                        retain_on_delete: o.retain_on_delete,
                        delete_before_replace: o.delete_before_replace,
                    },
                )
            }
            _ => (Vec::new(), RecordOptions::default()),
        };
        ResourceRecord {
            name: change.address.clone(),
            type_token: change.type_token.clone(),
            id,
            inputs,
            outputs,
            dependencies: deps,
            options,
        }
    }

    fn begin(
        &self,
        name: &str,
        kind: OpKind,
        change: &Change,
        resource_id: Option<String>,
        inputs: &Map,
    ) -> Result<i64, String> {
        let op = PendingOp {
            id: 0,
            name: name.to_string(),
            kind,
            type_token: change.type_token.clone(),
            resource_id,
            inputs: inputs.clone(),
            started_at: now(),
        };
        self.runner
            .store
            .begin(&self.runner.key, &op)
            .map_err(|e| e.to_string())
    }

    /// Runs one step; returns the kind to count, if any.
    async fn execute(&self, op: StepOp, change: &Change) -> Result<Option<&'static str>, String> {
        let store = &self.runner.store;
        let key = &self.runner.key;
        let registry = &self.runner.registry;
        match op {
            StepOp::Read => {
                let inputs = self.current_inputs(change)?;
                let ds = registry
                    .data_source(&change.type_token)
                    .ok_or_else(|| format!("unknown data source type {}", change.type_token))?;
                let ctx = self.ctx(change, &change.address, 0);
                let mut out = ds
                    .invoke(&ctx, &inputs)
                    .await
                    .map_err(|e| self.fail(change, "read", e))?;
                for (k, v) in &inputs {
                    out.entry(k.clone()).or_insert_with(|| v.clone());
                }
                out.entry("id".into())
                    .or_insert_with(|| Value::String(change.address.clone()));
                lock(&self.live).outputs.insert(change.address.clone(), out);
                Ok(Some("read"))
            }
            StepOp::Create | StepOp::CreateReplacement => {
                let rt = registry
                    .resource(&change.type_token)
                    .ok_or_else(|| format!("unknown resource type {}", change.type_token))?;
                let inputs = self.current_inputs(change)?;
                let op_id = self.begin(&change.address, OpKind::Create, change, None, &inputs)?;
                let ctx = self.ctx(change, &change.address, op_id);
                let created = match rt.create(&ctx, &inputs).await {
                    Ok(c) => c,
                    Err(e) => {
                        self.abandon(op_id);
                        return Err(self.fail(change, "create", e));
                    }
                };
                let record =
                    self.record(change, created.id.clone(), inputs, created.outputs.clone());
                let committed = if op == StepOp::CreateReplacement {
                    store.commit_replacement(
                        key,
                        op_id,
                        &record,
                        &format!("{}{REPLACED_SUFFIX}", change.address),
                    )
                } else {
                    store.commit_resource(key, op_id, &record)
                };
                committed.map_err(|e| {
                    format!(
                        "{}: recording the created resource {}: {e}",
                        change.address, created.id
                    )
                })?;
                lock(&self.live).outputs.insert(
                    change.address.clone(),
                    with_id(created.outputs, Value::String(created.id)),
                );
                Ok(Some(
                    if op == StepOp::Create && change.action == Action::Create {
                        "create"
                    } else {
                        "replace"
                    },
                ))
            }
            StepOp::Update => {
                let rt = registry
                    .resource(&change.type_token)
                    .ok_or_else(|| format!("unknown resource type {}", change.type_token))?;
                let prior = change.prior.as_ref().ok_or_else(|| {
                    format!("{}: update without a recorded resource", change.address)
                })?;
                let inputs = self.current_inputs(change)?;
                let schema = rt.schema();
                let diff = diff_inputs(schema, &prior.inputs, &inputs);
                if diff.is_empty() {
                    // Only options or dependencies changed: record them, with
                    // no provider call (so no intent; id 0 matches none).
                    let record = self.record(
                        change,
                        prior.id.clone(),
                        prior.inputs.clone(),
                        prior.outputs.clone(),
                    );
                    let recorded = record.options != prior.options
                        || record.dependencies != prior.dependencies;
                    if recorded {
                        store.commit_resource(key, 0, &record).map_err(|e| {
                            format!("{}: recording its options: {e}", change.address)
                        })?;
                    }
                    lock(&self.live).outputs.insert(
                        change.address.clone(),
                        with_id(prior.outputs.clone(), Value::String(prior.id.clone())),
                    );
                    return Ok(recorded.then_some("update"));
                }
                if let Some(c) = diff.iter().find(|c| c.forces_replace) {
                    return Err(format!(
                        "{}: `{}` turned out to change once its dependencies were applied, which needs a replacement; run up again to replace it",
                        change.address, c.name
                    ));
                }
                let op_id = self.begin(
                    &change.address,
                    OpKind::Update,
                    change,
                    Some(prior.id.clone()),
                    &inputs,
                )?;
                let ctx = self.ctx(change, &change.address, op_id);
                let outputs = match rt
                    .update(&ctx, &prior.id, &prior.inputs, &prior.outputs, &inputs)
                    .await
                {
                    Ok(o) => o,
                    Err(e) => {
                        self.abandon(op_id);
                        return Err(self.fail(change, "update", e));
                    }
                };
                let record = self.record(change, prior.id.clone(), inputs, outputs.clone());
                store
                    .commit_resource(key, op_id, &record)
                    .map_err(|e| format!("{}: recording the update: {e}", change.address))?;
                lock(&self.live).outputs.insert(
                    change.address.clone(),
                    with_id(outputs, Value::String(prior.id.clone())),
                );
                Ok(Some("update"))
            }
            StepOp::Delete | StepOp::DeleteReplaced | StepOp::DeleteBeforeReplace => {
                let prior = change.prior.as_ref().ok_or_else(|| {
                    format!("{}: delete without a recorded resource", change.address)
                })?;
                let name = match op {
                    StepOp::DeleteReplaced => format!("{}{REPLACED_SUFFIX}", change.address),
                    _ => prior.name.clone(),
                };
                self.delete(change, prior, &name).await?;
                Ok(if op == StepOp::Delete {
                    Some("delete")
                } else {
                    None
                })
            }
            StepOp::Forget => {
                store
                    .forget(key, &change.address)
                    .map_err(|e| e.to_string())?;
                Ok(Some("forget"))
            }
        }
    }

    async fn delete(
        &self,
        change: &Change,
        prior: &ResourceRecord,
        name: &str,
    ) -> Result<(), String> {
        let rt = self
            .runner
            .registry
            .resource(&prior.type_token)
            .ok_or_else(|| format!("{name}: no provider offers type {}", prior.type_token))?;
        let op_id = self.begin(
            name,
            OpKind::Delete,
            change,
            Some(prior.id.clone()),
            &prior.inputs,
        )?;
        let ctx = self.ctx(change, name, op_id);
        match rt
            .delete(&ctx, &prior.id, &prior.inputs, &prior.outputs)
            .await
        {
            Ok(()) | Err(ProviderError::NotFound(_)) => {}
            Err(e) => {
                self.abandon(op_id);
                return Err(self.fail(change, "delete", e));
            }
        }
        self.runner
            .store
            .commit_delete(&self.runner.key, op_id, name)
            .map_err(|e| format!("{name}: recording the delete: {e}"))
    }

    fn abandon(&self, op_id: i64) {
        // The call failed; if clearing the intent fails too, the next run
        // resolves it like an interrupted one, so this error can be ignored.
        let _ = self.runner.store.abandon(&self.runner.key, op_id);
    }
}
