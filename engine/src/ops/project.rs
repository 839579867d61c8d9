//! A project: a directory of stack files, the providers and the state. The
//! operations the CLI offers (validate, preview, up, destroy) start here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use crate::base::{Address, Diagnostic, Map, Value, did_you_mean};
use crate::error::EngineError;
use crate::eval::final_outputs;
use crate::events::Observer;
use crate::exec::{RunSummary, Runner, Source};
use crate::graph::Dag;
use crate::plan::{self, Plan, PlanInput, build_steps, destroy_steps};
use crate::provider::Registry;
use crate::reconcile::{Purpose, Recovery};
use crate::stack::{self, ConfigLayer, ConfigSources, Stack};
use crate::state::{HistoryEntry, OpKind, ResourceRecord, StackKey, StackState, StateStore};
use crate::sys::now;
use crate::validate::{self, Checked};
use crate::walk::Cancel;

/// A stack file loaded, checked and configured.
pub struct Loaded {
    pub stack: Arc<Stack>,
    pub checked: Arc<Checked>,
    pub config: Arc<Map>,
    /// Where each config value came from; [`ConfigLayer::Missing`] marks a
    /// required key without a value (only with [`Project::load_for_preview`]).
    pub layers: BTreeMap<String, ConfigLayer>,
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

    /// What `validate` checks: [`Project::parse`], and the config keys'
    /// validation rules against the stack file's own defaults (no state, no
    /// overlay, no `-c`: validate reads nothing else).
    pub fn validate(&self, name: &str) -> Result<(Arc<Stack>, Arc<Checked>), EngineError> {
        let (stack, checked) = self.parse(name)?;
        let defaults_only = ConfigSources {
            missing_as_unknown: true,
            ..ConfigSources::default()
        };
        stack::resolve_config(&stack, &defaults_only)?;
        Ok((stack, checked))
    }

    /// Parses, checks and configures a stack. `strict_cli` rejects `-c` keys
    /// the stack does not declare.
    pub fn load(&self, name: &str, strict_cli: bool) -> Result<Loaded, EngineError> {
        self.load_with(name, strict_cli, false)
    }

    /// Like [`Project::load`], but a required config key without a value is
    /// unknown (`Loaded::missing_config` names it) instead of an error: what
    /// a preview needs on a fresh checkout.
    pub fn load_for_preview(&self, name: &str, strict_cli: bool) -> Result<Loaded, EngineError> {
        self.load_with(name, strict_cli, true)
    }

    fn load_with(
        &self,
        name: &str,
        strict_cli: bool,
        missing_as_unknown: bool,
    ) -> Result<Loaded, EngineError> {
        let (stack, checked) = self.parse(name)?;
        let (config, layers) = self.resolve_config(&stack, strict_cli, missing_as_unknown)?;
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
        missing_as_unknown: bool,
    ) -> Result<(Map, BTreeMap<String, ConfigLayer>), EngineError> {
        let overlay = stack::load_overlay(&self.stacks_dir, &stack.name, &self.env)?;
        let sources = ConfigSources {
            overlay,
            state: self.store.config(&self.key(&stack.name))?,
            cli: self.cli_config.clone(),
            strict_cli,
            missing_as_unknown,
        };
        Ok(stack::resolve_config(stack, &sources)?)
    }

    /// Orders stacks so that a stack comes after the stacks whose outputs it
    /// reads. Stacks not in `names` are ignored.
    pub fn order_stacks(&self, names: &[String]) -> Result<Vec<String>, EngineError> {
        // One stack has no order to find: parsing it here would only double
        // the cost of the load that follows (and that load reports the same
        // errors).
        if names.len() <= 1 {
            return Ok(names.to_vec());
        }
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
                        d = match did_you_mean(output, names.iter().copied()) {
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
            if loaded.stack.decl(&Address::decl_of(t)).is_none() && !state.resources.contains_key(t)
            {
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
        let (state, moves) = plan::apply_moves(&loaded.stack, state)?;
        let mut plan = plan::plan(PlanInput {
            stack: &loaded.stack,
            checked: &loaded.checked,
            registry: &self.registry,
            config: Arc::clone(&loaded.config),
            state: &state,
            stacks,
            targets: targets.to_vec(),
            env: self.env.clone(),
        })
        .await?;
        plan.moves = moves;
        let applied = self.store.applied_config(&self.key(&loaded.stack.name))?;
        plan.config_changes = plan::config_changes(applied.as_ref(), &loaded.config);
        Ok(plan)
    }

    // `lock` and the other lock operations are in crate::lock.

    /// Resolves the intents an interrupted run left, before an up plans
    /// (see [`crate::recovery`]). Returns the notices it printed.
    pub async fn recover(
        &self,
        loaded: &Loaded,
        observer: &dyn Observer,
    ) -> Result<Vec<String>, EngineError> {
        self.recovery(
            &loaded.stack.name,
            &loaded.config,
            Some((&loaded.stack, &loaded.checked)),
            Purpose::Up,
        )
        .run(observer)
        .await
    }

    /// Resolves the intents an interrupted run left, before a destroy
    /// plans. The stack file, when it can still be read, gives adopted
    /// resources their dependencies.
    pub async fn recover_for_destroy(
        &self,
        stack: &str,
        config: &Arc<Map>,
        observer: &dyn Observer,
    ) -> Result<Vec<String>, EngineError> {
        let parsed = self.parse(stack).ok();
        let declared = parsed.as_ref().map(|(s, c)| (s.as_ref(), c.as_ref()));
        self.recovery(stack, config, declared, Purpose::Destroy)
            .run(observer)
            .await
    }

    fn recovery<'a>(
        &'a self,
        stack: &str,
        config: &Arc<Map>,
        declared: Option<(&'a Stack, &'a Checked)>,
        purpose: Purpose,
    ) -> Recovery<'a> {
        Recovery {
            registry: &self.registry,
            store: self.store.as_ref(),
            key: self.key(stack),
            config: Arc::clone(config),
            stack_dir: declared.map_or_else(|| self.stacks_dir.clone(), |(s, _)| s.dir.clone()),
            declared,
            purpose,
        }
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
        // The steps were planned against the moved state: the moves are
        // written first, all in one transaction.
        if !plan.moves.is_empty() {
            let renames: Vec<(String, String)> = plan
                .moves
                .iter()
                .map(|m| (m.from.clone(), m.to.clone()))
                .collect();
            self.store.move_resources(&key, &renames)?;
        }
        if steps.dag.order().is_err() {
            return Err(EngineError::Refused("the plan's steps form a cycle; this is a bug in skistack, please report it with the stack file".into()));
        }
        let stacks = plan.stacks.clone();
        let runner = Runner {
            source: Some(Source {
                stack: Arc::clone(&loaded.stack),
                checked: Arc::clone(&loaded.checked),
            }),
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
            let outputs = final_outputs(&loaded.stack, &loaded.config, &summary.values, &stacks)?;
            self.store.set_outputs(&key, Some(&outputs))?;
            self.store.set_applied_config(&key, Some(&loaded.config))?;
            self.record_dependencies(&key, &dependency_updates)?;
        }
        self.history(&key, "up", started, &summary)?;
        Ok(summary)
    }

    /// Clears the create intents recovery kept for a run that turned out
    /// to create nothing (see [`crate::reconcile::Purpose::Up`]).
    pub fn clear_kept_creates(&self, key: &StackKey) -> Result<(), EngineError> {
        let state = self.store.load(key)?;
        for op in state.pending.iter().filter(|op| op.kind == OpKind::Create) {
            self.store.abandon(key, op.id)?;
        }
        Ok(())
    }

    /// Drops `name` from the state of `key` without touching the cloud
    /// (`skistack state forget`); `false` when it was not recorded. Any
    /// sweep of the address ends first (see [`crate::reconcile::end_sweeps`]):
    /// the resource stays in the cloud on purpose, no late duplicate.
    pub fn forget(&self, key: &StackKey, name: &str) -> Result<bool, EngineError> {
        crate::reconcile::end_sweeps(self.store.as_ref(), key, name)?;
        Ok(self.store.forget(key, name)?)
    }

    /// Records the new dependencies of unchanged resources (see
    /// [`Plan::dependency_updates`]), with no provider call.
    pub fn record_dependencies(
        &self,
        key: &StackKey,
        updates: &[(String, Vec<String>)],
    ) -> Result<(), EngineError> {
        if updates.is_empty() {
            return Ok(());
        }
        let state = self.store.load(key)?;
        for (address, deps) in updates {
            if let Some(prior) = state.resources.get(address) {
                let record = ResourceRecord {
                    dependencies: deps.clone(),
                    ..prior.clone()
                };
                self.store.commit_resource(key, None, &record)?;
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
        let protected: Vec<&str> = state
            .resources
            .values()
            .filter(|r| r.options.protect && !r.options.retain_on_delete)
            .map(|r| r.address.as_str())
            .collect();
        if !protected.is_empty() {
            return Err(EngineError::Refused(format!(
                "protected resources can't be destroyed: {}; set `protect = false` in their options and run up first",
                protected.join(", ")
            )));
        }
        Ok(plan::destroy_plan(state))
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
            source: None,
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
