//! A project: a directory of stack files, the providers and the state. The
//! operations the CLI offers (validate, preview, up, destroy) start here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use crate::apply::{RunSummary, Runner};
use crate::events::{Event, Observer};
use crate::graph::Dag;
use crate::plan::{self, Action, Change, Plan, PlanInput, build_steps, destroy_steps};
use crate::provider::{CallContext, Registry};
use crate::source::Diagnostic;
use crate::stack::{self, ConfigLayer, ConfigSources, Stack};
use crate::state::{
    HistoryEntry, LockInfo, OpKind, ResourceRecord, StackKey, StackState, StateError, StateStore,
};
use crate::validate::{self, Checked};
use crate::value::{Map, Value};
use crate::walk::Cancel;

/// Errors of project operations, rendered by the CLI.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Errors in stack files (exit code 2).
    #[error("{}", .0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
    #[error(transparent)]
    State(#[from] StateError),
    /// The operation is refused as asked (exit code 1).
    #[error("{0}")]
    Refused(String),
}

impl From<Vec<Diagnostic>> for EngineError {
    fn from(d: Vec<Diagnostic>) -> Self {
        EngineError::Invalid(d)
    }
}

impl From<Diagnostic> for EngineError {
    fn from(d: Diagnostic) -> Self {
        EngineError::Invalid(vec![d])
    }
}

/// A stack file loaded, checked and configured.
pub struct Loaded {
    pub stack: Arc<Stack>,
    pub checked: Arc<Checked>,
    pub config: Arc<Map>,
    pub layers: BTreeMap<String, ConfigLayer>,
}

/// Holds a stack's lock until dropped.
pub struct LockGuard {
    store: Arc<dyn StateStore>,
    key: StackKey,
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        // Failing to release leaves a lock that names this process; the
        // next run reports it with pid and host, so nothing is lost.
        let _ = self.store.unlock(&self.key);
    }
}

/// The stacks directory, the environment, the providers and the state.
pub struct Project {
    pub stacks_dir: PathBuf,
    pub env: String,
    pub registry: Registry,
    pub store: Arc<dyn StateStore>,
    /// `-c key=value` pairs.
    pub cli_config: Vec<(String, String)>,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Project {
    pub fn key(&self, stack: &str) -> StackKey {
        StackKey::new(stack, &self.env)
    }

    /// Every stack file's name.
    pub fn stack_names(&self) -> Result<Vec<String>, EngineError> {
        Ok(stack::list_stack_names(&self.stacks_dir)?)
    }

    /// Parses a stack file and checks it against the schemas (no config).
    pub fn parse(&self, name: &str) -> Result<(Arc<Stack>, Arc<Checked>), EngineError> {
        let file = stack::load_stack_source(&self.stacks_dir, name)?;
        let stack = stack::load_stack(name, file)?;
        let checked = validate::check(&stack, &self.registry)?;
        Ok((Arc::new(stack), Arc::new(checked)))
    }

    /// Parses, checks and configures a stack. `strict_cli` rejects `-c` keys
    /// the stack does not declare.
    pub fn load(&self, name: &str, strict_cli: bool) -> Result<Loaded, EngineError> {
        let (stack, checked) = self.parse(name)?;
        let (config, layers) = self.resolve_config(&stack, strict_cli)?;
        Ok(Loaded {
            stack,
            checked,
            config: Arc::new(config),
            layers,
        })
    }

    fn resolve_config(
        &self,
        stack: &Stack,
        strict_cli: bool,
    ) -> Result<(Map, BTreeMap<String, ConfigLayer>), EngineError> {
        let overlay = stack::load_overlay(&self.stacks_dir, &stack.name, &self.env)?;
        let sources = ConfigSources {
            overlay,
            state: self.store.config(&self.key(&stack.name))?,
            cli: self.cli_config.clone(),
            strict_cli,
        };
        Ok(stack::resolve_config(stack, &sources)?)
    }

    /// Orders stacks so that a stack comes after the stacks whose outputs it
    /// reads. Stacks not in `names` are ignored.
    pub fn order_stacks(&self, names: &[String]) -> Result<Vec<String>, EngineError> {
        let mut dag = Dag::with_nodes(names.len());
        let mut errors = Vec::new();
        for (i, n) in names.iter().enumerate() {
            match self.parse(n) {
                Ok((_, checked)) => {
                    for r in validate::referenced_stacks(&checked) {
                        if let Some(j) = names.iter().position(|m| *m == r) {
                            dag.add_edge(j, i);
                        }
                    }
                }
                Err(EngineError::Invalid(d)) => errors.extend(d),
                Err(e) => return Err(e),
            }
        }
        if !errors.is_empty() {
            return Err(EngineError::Invalid(errors));
        }
        match dag.order() {
            Ok(order) => Ok(order.into_iter().map(|i| names[i].clone()).collect()),
            Err(cycle) => {
                let c: Vec<&str> = cycle.iter().map(|&i| names[i].as_str()).collect();
                Err(EngineError::Refused(format!(
                    "stacks read each other's outputs in a cycle: {} -> {}",
                    c.join(" -> "),
                    c[0]
                )))
            }
        }
    }

    /// The outputs of other stacks that `loaded` reads. A stack in
    /// `planned_in_run` that is not deployed yet gives unknown values.
    pub fn stack_inputs(
        &self,
        loaded: &Loaded,
        planned_in_run: &BTreeSet<String>,
    ) -> Result<Map, EngineError> {
        let mut stacks = Map::new();
        let mut errors = Vec::new();
        for (name, output, span) in &loaded.checked.stack_refs {
            let outputs = self.store.outputs(&self.key(name))?;
            match outputs {
                Some(outs) => {
                    if !outs.contains_key(output) {
                        let names: Vec<&str> = outs.keys().map(String::as_str).collect();
                        let mut d = Diagnostic::at(
                            &loaded.stack.file,
                            *span,
                            format!("stack `{name}` has no output `{output}`"),
                        );
                        d = match crate::source::did_you_mean(output, names.iter().copied()) {
                            Some(s) => d.with_hint(format!("did you mean `stacks.{name}.{s}`?")),
                            None => d.with_hint(format!(
                                "its outputs are: {}; if you just added it, run `skistack up {name}` first",
                                if names.is_empty() { "(none)".to_string() } else { names.join(", ") }
                            )),
                        };
                        errors.push(d);
                    }
                    stacks.insert(name.clone(), Value::Map(outs));
                }
                None if planned_in_run.contains(name) => {
                    stacks.insert(name.clone(), Value::Unknown);
                }
                None => {
                    let env = if self.env == "default" {
                        String::new()
                    } else {
                        format!(" --env {}", self.env)
                    };
                    errors.push(
                        Diagnostic::at(&loaded.stack.file, *span, format!("stack `{name}` is not deployed{}, so its output `{output}` is not known", if self.env == "default" { String::new() } else { format!(" in environment `{}`", self.env) }))
                            .with_hint(format!("deploy `{name}` first: run `skistack up {name}{env}`")),
                    );
                }
            }
        }
        if errors.is_empty() {
            Ok(stacks)
        } else {
            Err(EngineError::Invalid(errors))
        }
    }

    /// Plans a stack against its recorded state.
    pub async fn plan(
        &self,
        loaded: &Loaded,
        state: &StackState,
        targets: &[String],
        planned_in_run: &BTreeSet<String>,
    ) -> Result<Plan, EngineError> {
        let stacks = self.stack_inputs(loaded, planned_in_run)?;
        let mut unknown_targets = Vec::new();
        for t in targets {
            let base = t.split('[').next().unwrap_or(t);
            if loaded.stack.decl(base).is_none() && !state.resources.contains_key(t) {
                unknown_targets.push(t.clone());
            }
        }
        if !unknown_targets.is_empty() {
            return Err(EngineError::Refused(format!(
                "--target names nothing in stack `{}`: {}",
                loaded.stack.name,
                unknown_targets.join(", ")
            )));
        }
        let mut plan = plan::plan(PlanInput {
            stack: &loaded.stack,
            checked: &loaded.checked,
            registry: &self.registry,
            config: Arc::clone(&loaded.config),
            state,
            stacks,
            targets: targets.to_vec(),
            env: self.env.clone(),
        })
        .await?;
        let applied = self.store.applied_config(&self.key(&loaded.stack.name))?;
        plan.config_changes = plan::config_changes(applied.as_ref(), &loaded.config);
        Ok(plan)
    }

    /// Takes the stack's lock for `operation`.
    pub fn lock(&self, stack: &str, operation: &str) -> Result<LockGuard, EngineError> {
        let key = self.key(stack);
        let info = LockInfo {
            pid: std::process::id(),
            host: hostname(),
            started_at: now(),
            operation: operation.to_string(),
        };
        self.store.lock(&key, &info)?;
        Ok(LockGuard {
            store: Arc::clone(&self.store),
            key,
        })
    }

    /// Resolves intents left by an interrupted run: a create whose resource
    /// the provider finds again is adopted, one it can't find is dropped; a
    /// delete whose resource is gone is completed. Returns what was done.
    pub async fn recover(
        &self,
        stack: &str,
        config: &Arc<Map>,
        observer: &dyn Observer,
    ) -> Result<Vec<String>, EngineError> {
        let key = self.key(stack);
        let state = self.store.load(&key)?;
        let mut notes = Vec::new();
        for op in &state.pending {
            let Some(rt) = self.registry.resource(&op.type_token) else {
                self.store.abandon(&key, op.id)?;
                continue;
            };
            let mut token = format!("skistack-{}-{}-{}", key.stack, key.env, op.id);
            token.truncate(64);
            let ctx = CallContext {
                stack: key.stack.clone(),
                env: key.env.clone(),
                resource: op.name.clone(),
                type_token: op.type_token.clone(),
                config: Arc::clone(config),
                operation_id: token,
                stack_dir: self.stacks_dir.clone(),
            };
            let note = match op.kind {
                OpKind::Create => match rt.find(&ctx, &op.inputs).await {
                    Ok(Some(found)) => {
                        let record = ResourceRecord {
                            name: op.name.clone(),
                            type_token: op.type_token.clone(),
                            id: found.id.clone(),
                            inputs: op.inputs.clone(),
                            outputs: found.outputs,
                            dependencies: Vec::new(),
                            options: Default::default(),
                        };
                        match state.resources.get(&op.name) {
                            // The interrupted create was a replacement: keep the old one to delete.
                            Some(old) if old.id != found.id => self.store.commit_replacement(
                                &key,
                                op.id,
                                &record,
                                &format!("{}{}", op.name, plan::REPLACED_SUFFIX),
                            )?,
                            _ => self.store.commit_resource(&key, op.id, &record)?,
                        }
                        format!(
                            "recovered {} ({}): an interrupted create had made {}; adopted it",
                            op.name, op.type_token, found.id
                        )
                    }
                    Ok(None) => {
                        self.store.abandon(&key, op.id)?;
                        format!(
                            "cleared an interrupted create of {} ({}): nothing had been made",
                            op.name, op.type_token
                        )
                    }
                    Err(e) => {
                        return Err(EngineError::Refused(format!(
                            "recovering the interrupted create of {}: {e}",
                            op.name
                        )));
                    }
                },
                OpKind::Delete => {
                    let rec = state.resources.get(&op.name);
                    let gone = match (rec, &op.resource_id) {
                        (Some(r), _) => rt
                            .read(&ctx, &r.id, &r.inputs, &r.outputs)
                            .await
                            .map(|o| o.is_none()),
                        (None, _) => Ok(true),
                    };
                    match gone {
                        Ok(true) => {
                            self.store.commit_delete(&key, op.id, &op.name)?;
                            format!("recovered {}: an interrupted delete had completed", op.name)
                        }
                        Ok(false) => {
                            self.store.abandon(&key, op.id)?;
                            format!(
                                "{}: an interrupted delete had not completed; it is planned again",
                                op.name
                            )
                        }
                        Err(e) => {
                            return Err(EngineError::Refused(format!(
                                "recovering the interrupted delete of {}: {e}",
                                op.name
                            )));
                        }
                    }
                }
                OpKind::Update => {
                    self.store.abandon(&key, op.id)?;
                    format!(
                        "{}: an update was interrupted; it is planned again",
                        op.name
                    )
                }
            };
            observer.event(&Event::Notice { message: &note });
            notes.push(note);
        }
        Ok(notes)
    }

    /// Applies a plan: runs its steps, then records outputs and history.
    pub async fn apply(
        &self,
        loaded: &Loaded,
        plan: Plan,
        parallel: usize,
        observer: Arc<dyn Observer>,
        cancel: &Cancel,
    ) -> Result<RunSummary, EngineError> {
        let key = self.key(&loaded.stack.name);
        let started = now();
        let steps = build_steps(&loaded.stack, &loaded.checked, &plan);
        if steps.dag.order().is_err() {
            return Err(EngineError::Refused("the plan's steps form a cycle; this is a bug in skistack, please report it with the stack file".into()));
        }
        let stacks = plan.stacks.clone();
        let runner = Runner {
            stack: Some(Arc::clone(&loaded.stack)),
            checked: Some(Arc::clone(&loaded.checked)),
            registry: self.registry.clone(),
            store: Arc::clone(&self.store),
            key: key.clone(),
            config: Arc::clone(&loaded.config),
            stacks: stacks.clone(),
            stack_dir: loaded.stack.dir.clone(),
            observer,
        };
        let dependency_updates = plan.dependency_updates.clone();
        let summary = runner.run(plan, steps, parallel, cancel).await;
        if summary.succeeded() {
            let outputs =
                plan::final_outputs(&loaded.stack, &loaded.config, &summary.values, &stacks)?;
            self.store.set_outputs(&key, Some(&outputs))?;
            self.store.set_applied_config(&key, Some(&loaded.config))?;
            self.record_dependencies(&key, &dependency_updates)?;
        }
        self.history(&key, "up", started, &summary)?;
        Ok(summary)
    }

    /// Records the new dependencies of unchanged resources (see
    /// [`Plan::dependency_updates`]), with no provider call.
    pub fn record_dependencies(&self, key: &StackKey, updates: &[(String, Vec<String>)]) -> Result<(), EngineError> {
        if updates.is_empty() {
            return Ok(());
        }
        let state = self.store.load(key)?;
        for (address, deps) in updates {
            if let Some(prior) = state.resources.get(address) {
                let record = ResourceRecord { dependencies: deps.clone(), ..prior.clone() };
                // Op id 0 matches no intent: there is nothing to clear.
                self.store.commit_resource(key, 0, &record)?;
            }
        }
        Ok(())
    }

    fn history(
        &self,
        key: &StackKey,
        kind: &str,
        started: i64,
        s: &RunSummary,
    ) -> Result<(), EngineError> {
        let mut counts = s.counts.clone();
        if !s.failures.is_empty() {
            counts.insert("failed".into(), s.failures.len() as u64);
        }
        let result = if s.cancelled {
            "interrupted"
        } else if s.failures.is_empty() {
            "succeeded"
        } else {
            "failed"
        };
        self.store.add_history(
            key,
            &HistoryEntry {
                kind: kind.into(),
                started_at: started,
                duration_ms: s.elapsed.as_millis() as i64,
                result: result.into(),
                counts,
            },
        )?;
        Ok(())
    }

    /// The deployed stacks (other than `stack`) whose files read `stack`'s outputs.
    pub fn readers_of(&self, stack: &str) -> Result<Vec<String>, EngineError> {
        let mut readers = Vec::new();
        for other in self.stack_names().unwrap_or_default() {
            if other == stack || self.store.outputs(&self.key(&other))?.is_none() {
                continue;
            }
            if let Ok((_, checked)) = self.parse(&other)
                && validate::referenced_stacks(&checked).contains(stack)
            {
                readers.push(other);
            }
        }
        Ok(readers)
    }

    /// The plan of a destroy: every recorded resource.
    pub fn destroy_plan(&self, state: &StackState) -> Result<Plan, EngineError> {
        let mut changes = Vec::new();
        let mut protected = Vec::new();
        for (address, r) in &state.resources {
            if r.options.protect && !r.options.retain_on_delete {
                protected.push(address.clone());
            }
            changes.push(Change {
                address: address.clone(),
                type_token: r.type_token.clone(),
                action: if r.options.retain_on_delete {
                    Action::Forget
                } else {
                    Action::Delete
                },
                decl: None,
                key: None,
                inputs: Map::new(),
                prior: Some(r.clone()),
                diff: Vec::new(),
                delete_before_replace: false,
                kind: crate::stack::DeclKind::Resource,
            });
        }
        if !protected.is_empty() {
            return Err(EngineError::Refused(format!(
                "protected resources can't be destroyed: {}; set `protect = false` in their options and run up first",
                protected.join(", ")
            )));
        }
        let outputs = state
            .outputs
            .iter()
            .flatten()
            .map(|(k, v)| plan::OutputChange {
                name: k.clone(),
                old: Some(v.clone()),
                new: None,
            })
            .collect();
        Ok(Plan {
            changes,
            values: plan::Values::default(),
            outputs,
            config_changes: Vec::new(),
            dependency_updates: Vec::new(),
            config: Arc::new(Map::new()),
            stacks: Map::new(),
        })
    }

    /// Destroys every recorded resource of a stack, dependents first.
    pub async fn destroy(
        &self,
        stack: &str,
        config: Arc<Map>,
        plan: Plan,
        parallel: usize,
        observer: Arc<dyn Observer>,
        cancel: &Cancel,
    ) -> Result<RunSummary, EngineError> {
        let key = self.key(stack);
        let started = now();
        let steps = destroy_steps(&plan);
        let stack_dir = self.stacks_dir.clone();
        let runner = Runner {
            stack: None,
            checked: None,
            registry: self.registry.clone(),
            store: Arc::clone(&self.store),
            key: key.clone(),
            config,
            stacks: Map::new(),
            stack_dir,
            observer,
        };
        let summary = runner.run(plan, steps, parallel, cancel).await;
        if summary.succeeded() {
            self.store.set_outputs(&key, None)?;
            self.store.set_applied_config(&key, None)?;
            self.store.set_applied_config(&key, None)?;
        }
        self.history(&key, "destroy", started, &summary)?;
        Ok(summary)
    }

    /// The config for a destroy: the stack file's when it still exists
    /// (providers need e.g. the region), else what `config set` recorded.
    pub fn destroy_config(&self, stack: &str) -> Arc<Map> {
        match self.load(stack, false) {
            Ok(l) => l.config,
            Err(_) => Arc::new(self.store.config(&self.key(stack)).unwrap_or_default()),
        }
    }
}

/// This machine's host name, for lock records.
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".to_string())
}
