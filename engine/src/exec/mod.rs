//! Step execution: runs the steps of a plan through the providers, recording
//! an intent before each provider call and the outcome right after, each in
//! its own small transaction.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::base::InstanceKey;
use crate::base::{Map, Value};
use crate::eval::{Values, dependency_addresses, eval_inputs, instance_scope, with_id};
use crate::events::{Event, Observer};
use crate::plan::{Action, Change, Plan, StepGraph, StepOp, apply_ignore_changes, diff_inputs};
use crate::provider::{CallContext, CallPurpose, ProviderError, Registry};
use crate::reconcile::{self, Purpose, Recovery};
use crate::stack::Stack;
use crate::state::{
    Intent as NewIntent, OpId, OpKind, PendingOp, ResourceRecord, StackKey, StateStore,
};
use crate::sys::failpoint::{self, Point};
use crate::validate::Checked;
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
    /// Creates that recovery left for this run to retry, by address: a
    /// retry with the same inputs reuses the intent, hence the same
    /// idempotency token.
    leftovers: Mutex<BTreeMap<String, PendingOp>>,
    /// The retired names that replacements gave the resources they
    /// superseded, by address (usually `address~replaced`).
    retired: Mutex<HashMap<String, String>>,
}

/// An intent recorded in the state: its id and start time make the
/// operation id providers see.
#[derive(Clone, Copy)]
struct Intent {
    id: OpId,
    started_at: i64,
}

impl Intent {
    fn purpose(self) -> CallPurpose {
        CallPurpose::Intent {
            id: self.id,
            started_at: self.started_at,
        }
    }
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
        // Failing to read them only loses the reuse of their tokens: the
        // next run's recovery still resolves them.
        let leftovers = self
            .store
            .load(&self.key)
            .map(|s| {
                s.pending
                    .into_iter()
                    .filter(|op| op.kind == OpKind::Create)
                    .map(|op| (op.name.clone(), op))
                    .collect()
            })
            .unwrap_or_default();
        let shared = Arc::new(Shared {
            runner: self,
            changes,
            steps,
            live: Mutex::new(values),
            counts: Mutex::new(BTreeMap::new()),
            failures: Mutex::new(Vec::new()),
            leftovers: Mutex::new(leftovers),
            retired: Mutex::new(HashMap::new()),
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
        let complete = skipped == 0 && not_run == 0 && !cancel.is_cancelled();
        if complete && lock(&shared.failures).is_empty() {
            // Every planned step ran and none created these: recovery found
            // nothing for them and nothing will retry them, so they go.
            for op in std::mem::take(&mut *lock(&shared.leftovers)).into_values() {
                let _ = shared.runner.store.abandon(&shared.runner.key, op.id);
            }
        }
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

    fn ctx(&self, change: &Change, address: &str, purpose: CallPurpose) -> CallContext {
        let r = &self.runner;
        CallContext::new(
            &r.key,
            address,
            &change.type_token,
            Arc::clone(&r.config),
            r.stack_dir.clone(),
            purpose,
        )
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
            InstanceKey::Key(_) => decl.for_each.as_ref().and_then(|(t, _)| {
                let scope = instance_scope(
                    stack,
                    &self.runner.config,
                    &live,
                    &self.runner.stacks,
                    &InstanceKey::Single,
                    None,
                );
                crate::expr::eval_template(t, &scope).ok()
            }),
            _ => None,
        };
        let each_value = match (key, each_value) {
            (InstanceKey::Key(k), Some(Value::Map(m))) => m.get(k).cloned(),
            (InstanceKey::Key(k), _) => Some(Value::String(k.clone())),
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
                (
                    dependency_addresses(stack, checked, &live, d),
                    stack.decls[d].options.recorded(),
                )
            }
            _ => (Vec::new(), Default::default()),
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
    ) -> Result<Intent, String> {
        let started_at = crate::sys::now();
        let op = NewIntent {
            name: name.to_string(),
            kind,
            type_token: change.type_token.clone(),
            resource_id,
            inputs: inputs.clone(),
            started_at,
        };
        self.runner
            .store
            .begin(&self.runner.key, &op)
            .map(|id| Intent { id, started_at })
            .map_err(|e| e.to_string())
    }

    /// The intent of a create: the one an interrupted run left for the same
    /// inputs, if any (so the provider sees the same operation id), else a
    /// new one. The second value is a superseded intent (left for other
    /// inputs) to clear once this create is recorded.
    fn begin_create(
        &self,
        change: &Change,
        inputs: &Map,
    ) -> Result<(Intent, Option<OpId>), String> {
        let leftover = lock(&self.leftovers)
            .remove(&change.address)
            .filter(|op| op.type_token == change.type_token);
        match leftover {
            Some(op) if op.inputs == *inputs => Ok((
                Intent {
                    id: op.id,
                    started_at: op.started_at,
                },
                None,
            )),
            other => Ok((
                self.begin(&change.address, OpKind::Create, change, None, inputs)?,
                other.map(|op| op.id),
            )),
        }
    }

    /// After a failed create: unless the provider rejected the request
    /// outright, the resource may exist (the create failed while waiting for
    /// it, say), so it is looked up and adopted rather than orphaned.
    async fn resolve_failed_create(
        &self,
        change: &Change,
        intent: Intent,
        inputs: &Map,
        error: &ProviderError,
    ) {
        if matches!(error, ProviderError::Invalid(_)) {
            self.abandon(intent.id);
            return;
        }
        let r = &self.runner;
        let declared = match (&r.stack, &r.checked) {
            (Some(s), Some(c)) => Some((s.as_ref(), c.as_ref())),
            _ => None,
        };
        let rec = Recovery {
            registry: &r.registry,
            store: r.store.as_ref(),
            key: r.key.clone(),
            config: Arc::clone(&r.config),
            stack_dir: r.stack_dir.clone(),
            declared,
            purpose: Purpose::Up,
        };
        let op = PendingOp {
            id: intent.id,
            name: change.address.clone(),
            kind: OpKind::Create,
            type_token: change.type_token.clone(),
            resource_id: None,
            inputs: inputs.clone(),
            started_at: intent.started_at,
        };
        // On error the intent stays for the next run's recovery.
        if let Ok(Some(note)) = reconcile::resolve_failed_create(&rec, &op).await {
            r.observer.event(&Event::Notice { message: &note });
        }
    }

    /// A free name for the resource a replacement of `address` supersedes.
    fn retired_name(&self, address: &str) -> Result<String, String> {
        let state = self
            .runner
            .store
            .load(&self.runner.key)
            .map_err(|e| format!("{address}: reading the state: {e}"))?;
        let name = reconcile::retired_name(&state.resources, address);
        lock(&self.retired).insert(address.to_string(), name.clone());
        Ok(name)
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
                let ctx = self.ctx(change, &change.address, CallPurpose::Read);
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
                let (intent, superseded) = self.begin_create(change, &inputs)?;
                let ctx = self.ctx(change, &change.address, intent.purpose());
                let created = match rt.create(&ctx, &inputs).await {
                    Ok(c) => c,
                    Err(e) => {
                        self.resolve_failed_create(change, intent, &inputs, &e)
                            .await;
                        return Err(self.fail(change, "create", e));
                    }
                };
                failpoint::hit(Point::AfterCreate, &change.address);
                let record =
                    self.record(change, created.id.clone(), inputs, created.outputs.clone());
                let committed = if op == StepOp::CreateReplacement {
                    let retired = self.retired_name(&change.address)?;
                    store.commit_replacement(key, intent.id, &record, &retired)
                } else {
                    store.commit_resource(key, Some(intent.id), &record)
                };
                committed.map_err(|e| {
                    format!(
                        "{}: recording the created resource {}: {e}",
                        change.address, created.id
                    )
                })?;
                if let Some(old) = superseded {
                    self.abandon(old);
                }
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
                    // no provider call (so no intent).
                    let record = self.record(
                        change,
                        prior.id.clone(),
                        prior.inputs.clone(),
                        prior.outputs.clone(),
                    );
                    let recorded = record.options != prior.options
                        || record.dependencies != prior.dependencies;
                    if recorded {
                        store.commit_resource(key, None, &record).map_err(|e| {
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
                let intent = self.begin(
                    &change.address,
                    OpKind::Update,
                    change,
                    Some(prior.id.clone()),
                    &inputs,
                )?;
                let ctx = self.ctx(change, &change.address, intent.purpose());
                let outputs = match rt
                    .update(&ctx, &prior.id, &prior.inputs, &prior.outputs, &inputs)
                    .await
                {
                    Ok(o) => o,
                    Err(e) => {
                        self.abandon(intent.id);
                        return Err(self.fail(change, "update", e));
                    }
                };
                failpoint::hit(Point::AfterUpdate, &change.address);
                let record = self.record(change, prior.id.clone(), inputs, outputs.clone());
                store
                    .commit_resource(key, Some(intent.id), &record)
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
                    StepOp::DeleteReplaced => lock(&self.retired)
                        .get(&change.address)
                        .cloned()
                        .unwrap_or_else(|| {
                            reconcile::retired_name(&BTreeMap::<String, ()>::new(), &change.address)
                        }),
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
        let intent = self.begin(
            name,
            OpKind::Delete,
            change,
            Some(prior.id.clone()),
            &prior.inputs,
        )?;
        let ctx = self.ctx(change, name, intent.purpose());
        match rt
            .delete(&ctx, &prior.id, &prior.inputs, &prior.outputs)
            .await
        {
            Ok(()) | Err(ProviderError::NotFound(_)) => {}
            Err(e) => {
                self.abandon(intent.id);
                return Err(self.fail(change, "delete", e));
            }
        }
        failpoint::hit(Point::AfterDelete, name);
        self.runner
            .store
            .commit_delete(&self.runner.key, intent.id, name)
            .map_err(|e| format!("{name}: recording the delete: {e}"))
    }

    fn abandon(&self, op_id: OpId) {
        // The call failed; if clearing the intent fails too, the next run
        // resolves it like an interrupted one, so this error can be ignored.
        let _ = self.runner.store.abandon(&self.runner.key, op_id);
    }
}
