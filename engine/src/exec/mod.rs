//! Step execution: runs the steps of a plan through the providers, recording
//! an intent before each provider call and the outcome right after, each in
//! its own small transaction. One function per kind of step lives in
//! [`steps`]; this module walks the step graph and keeps the run's books.

mod error;
mod steps;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use error::{StepError, StepErrorKind};

use crate::base::{InstanceKey, Map, Value};
use crate::eval::{Values, dependency_addresses, eval_inputs, instance_scope};
use crate::events::{Event, Observer};
use crate::expr::eval_template;
use crate::plan::{Action, Change, Declared, Plan, StepGraph, StepOp, apply_ignore_changes};
use crate::provider::{CallContext, CallPurpose, Registry};
use crate::stack::Stack;
use crate::state::{OpId, OpKind, PendingOp, ResourceRecord, StackKey, StateStore};
use crate::validate::Checked;
use crate::walk::{Cancel, Outcome, walk};

/// A failed step.
#[derive(Debug, Clone)]
pub struct Failure {
    pub address: String,
    pub type_token: String,
    pub op: StepOp,
    pub error: StepError,
}

/// How a run of steps ended.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    /// Completed steps by the name of their action (`create`, `update`,
    /// `replace`, `delete`, ...), as the history records them.
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
    /// True when every planned step ran and none failed.
    pub fn succeeded(&self) -> bool {
        self.failures.is_empty() && !self.cancelled && self.not_run == 0
    }
}

/// The stack file a run applies: absent for a destroy without its file.
pub struct Source {
    pub stack: Arc<Stack>,
    pub checked: Arc<Checked>,
}

/// What the steps need to run: the stack, the state, the providers.
pub struct Runner {
    pub source: Option<Source>,
    pub registry: Registry,
    pub store: Arc<dyn StateStore>,
    pub key: StackKey,
    pub config: Arc<Map>,
    pub stacks: Map,
    pub stack_dir: std::path::PathBuf,
    pub observer: Arc<dyn Observer>,
}

/// The run's shared books, read and written by the steps in flight.
struct Shared {
    runner: Runner,
    changes: Vec<Change>,
    steps: StepGraph,
    live: Mutex<Values>,
    counts: Mutex<BTreeMap<Action, u64>>,
    failures: Mutex<Vec<Failure>>,
    /// Creates that recovery left for this run to retry, by address: a
    /// retry with the same inputs reuses the intent, hence the same
    /// idempotency token.
    leftovers: Mutex<BTreeMap<String, PendingOp>>,
    /// The retired names that replacements gave the resources they
    /// superseded, by address (usually `address~replaced`).
    retired: Mutex<HashMap<String, String>>,
    /// The `for_each` collection of each declaration that has one, evaluated
    /// once per run: it cannot depend on what the run makes (the planner
    /// refuses that), and evaluating it per instance would cost N² for N keys.
    collections: Mutex<HashMap<usize, Option<Value>>>,
}

/// An intent recorded in the state: its id and start time make the
/// operation id providers see.
#[derive(Clone, Copy)]
struct Recorded {
    id: OpId,
    started_at: i64,
}

impl Recorded {
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
        let leftovers = self.leftover_creates();
        let shared = Arc::new(Shared {
            runner: self,
            changes: plan.changes,
            steps,
            live: Mutex::new(plan.values),
            counts: Mutex::new(BTreeMap::new()),
            failures: Mutex::new(Vec::new()),
            leftovers: Mutex::new(leftovers),
            retired: Mutex::new(HashMap::new()),
            collections: Mutex::new(HashMap::new()),
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
                shared.abandon(op.id);
            }
        }
        let (counts, failures, values) = shared.into_results();
        RunSummary {
            counts: counts
                .into_iter()
                .map(|(a, n)| (a.as_str().to_string(), n))
                .collect(),
            failures,
            skipped,
            not_run,
            cancelled: cancel.is_cancelled(),
            elapsed: start.elapsed(),
            values,
        }
    }

    /// The creates an interrupted run left for this one to retry. Failing to
    /// read them only loses the reuse of their tokens: the next run's
    /// recovery still resolves them.
    fn leftover_creates(&self) -> BTreeMap<String, PendingOp> {
        self.store
            .load(&self.key)
            .map(|s| {
                s.pending
                    .into_iter()
                    .filter(|op| op.kind == OpKind::Create)
                    .map(|op| (op.address.clone(), op))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Locks a mutex, recovering the data if a panicking task poisoned it (the
/// data are plain maps that stay consistent between statements).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// The books once every step task has finished. Then this is the only
    /// reference left; should a task still hold one, copies are returned.
    fn into_results(self: Arc<Self>) -> (BTreeMap<Action, u64>, Vec<Failure>, Values) {
        match Arc::try_unwrap(self) {
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
        }
    }

    async fn run_step(&self, i: usize) -> bool {
        let step = &self.steps.steps[i];
        let change = &self.changes[step.change];
        let obs = &self.runner.observer;
        let (address, type_token, op) = (&change.address, &change.type_token, step.op);
        obs.event(&Event::StepStarted {
            address,
            type_token,
            op,
        });
        let t = Instant::now();
        match self.execute(op, change).await {
            Ok(counted) => {
                if let Some(action) = counted {
                    *lock(&self.counts).entry(action).or_insert(0) += 1;
                }
                obs.event(&Event::StepDone {
                    address,
                    type_token,
                    op,
                    elapsed: t.elapsed(),
                });
                true
            }
            Err(error) => {
                obs.event(&Event::StepFailed {
                    address,
                    type_token,
                    op,
                    error: &error.to_string(),
                });
                lock(&self.failures).push(Failure {
                    address: address.clone(),
                    type_token: type_token.clone(),
                    op,
                    error,
                });
                false
            }
        }
    }

    /// A step error of `kind` for the change's instance.
    fn error(&self, change: &Change, op: StepOp, kind: StepErrorKind) -> StepError {
        StepError {
            address: change.address.clone(),
            type_token: change.type_token.clone(),
            op,
            kind: Box::new(kind),
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
    fn declared_at(&self, change: &Change) -> Option<String> {
        let (source, d) = (self.runner.source.as_ref()?, change.decl()?);
        let stack = &source.stack;
        Some(stack.pos(stack.decls[d].name_span).location().to_string())
    }

    /// The error of a failed provider call.
    fn provider_failed(
        &self,
        change: &Change,
        op: StepOp,
        call: &'static str,
        error: crate::provider::ProviderError,
    ) -> StepError {
        let declared_at = self.declared_at(change);
        self.error(
            change,
            op,
            StepErrorKind::Provider {
                call,
                error,
                declared_at,
            },
        )
    }

    /// The error of a failed state read or write; `context` says what the
    /// step was recording.
    fn state_failed(
        &self,
        change: &Change,
        op: StepOp,
        context: Option<String>,
        error: crate::state::StateError,
    ) -> StepError {
        self.error(change, op, StepErrorKind::State { context, error })
    }

    /// Evaluates the instance's inputs with the values known now.
    fn current_inputs(&self, change: &Change, op: StepOp) -> Result<Map, StepError> {
        let (Some(source), Some(at)) = (&self.runner.source, change.declared()) else {
            return Ok(change.inputs().clone());
        };
        let stack = &source.stack;
        let decl = &stack.decls[at.decl];
        let live = lock(&self.live);
        let each_value = self.each_value(stack, at, &live);
        let mut scope = instance_scope(
            stack,
            &self.runner.config,
            &live,
            &self.runner.stacks,
            &at.key,
            each_value.as_ref(),
        );
        scope.applying = true;
        let mut inputs = eval_inputs(stack, decl, &source.checked.schemas[at.decl], &scope)
            .map_err(|d| self.error(change, op, StepErrorKind::Evaluation(d.to_string())))?;
        if let Some(p) = change.prior() {
            apply_ignore_changes(&decl.options.ignore_changes, &p.inputs, &mut inputs);
        }
        if let Some((name, _)) = inputs.iter().find(|(_, v)| v.contains_unknown()) {
            let property = name.clone();
            return Err(self.error(change, op, StepErrorKind::Unsettled { property }));
        }
        Ok(inputs)
    }

    /// `each.value` of a `for_each` instance, with the values known now.
    fn each_value(&self, stack: &Stack, at: &Declared, live: &Values) -> Option<Value> {
        let InstanceKey::Key(k) = &at.key else {
            return None;
        };
        let mut collections = lock(&self.collections);
        let collection = collections.entry(at.decl).or_insert_with(|| {
            let (t, _) = stack.decls[at.decl].for_each.as_ref()?;
            let scope = instance_scope(
                stack,
                &self.runner.config,
                live,
                &self.runner.stacks,
                &InstanceKey::Single,
                None,
            );
            eval_template(t, &scope).ok()
        });
        match collection {
            Some(Value::Map(m)) => m.get(k).cloned(),
            _ => Some(Value::String(k.clone())),
        }
    }

    /// The record of the change's instance as it is now.
    fn record(&self, change: &Change, id: String, inputs: Map, outputs: Map) -> ResourceRecord {
        let (dependencies, options) = match (&self.runner.source, change.declared()) {
            (Some(source), Some(at)) => {
                let live = lock(&self.live);
                let (stack, checked) = (&source.stack, &source.checked);
                (
                    dependency_addresses(stack, checked, &live, at.decl, &at.key),
                    stack.decls[at.decl].options.recorded(),
                )
            }
            _ => (Vec::new(), Default::default()),
        };
        ResourceRecord {
            address: change.address.clone(),
            type_token: change.type_token.clone(),
            id,
            inputs,
            outputs,
            dependencies,
            options,
        }
    }

    /// Records the outputs of an instance for the steps that use it.
    fn publish(&self, address: &str, outputs: Map) {
        lock(&self.live)
            .outputs
            .insert(address.to_string(), outputs);
    }

    fn abandon(&self, op_id: OpId) {
        // The call failed; if clearing the intent fails too, the next run
        // resolves it like an interrupted one, so this error can be ignored.
        let _ = self.runner.store.abandon(&self.runner.key, op_id);
    }
}
