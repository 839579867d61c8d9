//! What every lifecycle test shares: a project over a temporary stacks
//! directory and SQLite state, the fake provider, and the sequences of
//! engine's `up` and `destroy` workflows driven by a scripted frontend (the
//! CLI drives the same ones), so that each test reads as a scenario.

pub mod cloud;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use skistack_engine::{
    Action, CallContext, CallPurpose, Cancel, DestroyOptions, EngineError, Event, Frontend, Intent,
    LockInfo, Map, Observer, OpId, OpKind, PendingOp, Plan, PolicyReport, PolicySettings,
    PreviewOptions, Project, Refresh, Registry, ResourceRecord, RunSummary, SavedPlan, StackKey,
    StackState, StateStore, Takeover, UpOptions, UpReport, Value,
};
use skistack_state::SqliteStore;

pub use cloud::{Call, Cloud, Op, THING, UNIQUE};

/// Steps in flight at once; more than one so that independent steps may
/// overlap, as they do in the CLI.
pub const PARALLEL: usize = 4;

/// A start time for intents recorded by hand: any fixed number will do.
pub const STARTED_AT: i64 = 1_700_000_000;

/// An observer that keeps what it was told, for assertions on notices and
/// failed steps.
#[derive(Default)]
pub struct Recorder(Mutex<Vec<String>>);

impl Recorder {
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    pub fn notices(&self) -> Vec<String> {
        self.lines()
            .into_iter()
            .filter_map(|l| l.strip_prefix("notice: ").map(str::to_string))
            .collect()
    }
}

impl Observer for Recorder {
    fn event(&self, event: &Event<'_>) {
        let line = match event {
            Event::Started { total } => format!("started: {total} steps"),
            Event::StepStarted { address, op, .. } => format!("{} {address}", op.verb()),
            Event::StepDone { address, op, .. } => format!("done {} {address}", op.verb()),
            Event::StepFailed { address, error, .. } => format!("failed {address}: {error}"),
            Event::Notice { message } => format!("notice: {message}"),
        };
        self.0.lock().unwrap().push(line);
    }
}

/// What an up did: the notices of recovery, the plan's actions and, unless
/// the plan was empty, how the run ended.
pub struct Up {
    pub notes: Vec<String>,
    /// Every planned change, in the plan's order.
    pub actions: Vec<(String, Action)>,
    pub summary: Option<RunSummary>,
    /// The policy findings shown after the plan: rule id, address and
    /// `line:column` in the stack file.
    pub findings: Vec<(String, String, String)>,
}

impl Up {
    /// The action planned for `address` (`Same` when it is not in the plan).
    pub fn action(&self, address: &str) -> Action {
        self.actions
            .iter()
            .find(|(a, _)| a == address)
            .map_or(Action::Same, |(_, act)| *act)
    }

    /// The planned changes other than `Same`, sorted by address.
    pub fn changes(&self) -> Vec<(String, Action)> {
        let mut c: Vec<_> = self
            .actions
            .iter()
            .filter(|(_, a)| *a != Action::Same)
            .cloned()
            .collect();
        c.sort();
        c
    }

    /// The run's summary; panics when nothing was applied.
    pub fn summary(&self) -> &RunSummary {
        self.summary
            .as_ref()
            .expect("the plan had changes, so it was applied")
    }

    /// Completed steps of one kind (`create`, `update`, ...).
    pub fn count(&self, kind: &str) -> u64 {
        self.summary().counts.get(kind).copied().unwrap_or(0)
    }

    /// The addresses of the failed steps, sorted.
    pub fn failed(&self) -> Vec<String> {
        let mut f: Vec<String> = self
            .summary()
            .failures
            .iter()
            .map(|f| f.address.clone())
            .collect();
        f.sort();
        f
    }

    /// Panics unless the run applied every step.
    pub fn succeeded(&self) -> &Self {
        let s = self.summary();
        assert!(s.succeeded(), "the up failed: {:?}", s.failures);
        self
    }
}

/// The harness's side of a workflow: yes to every question; the notices
/// of recovery (those before the plan), the plan's actions and the run's
/// summary kept for assertions.
struct Script<'a> {
    harness: &'a Harness,
    /// Observer lines before the workflow started.
    events_before: usize,
    notes: Mutex<Option<Vec<String>>>,
    actions: Mutex<Vec<(String, Action)>>,
    summary: Mutex<Option<RunSummary>>,
    findings: Mutex<Vec<(String, String, String)>>,
}

impl Script<'_> {
    fn into_up(self, summary: Option<RunSummary>) -> Up {
        let notes = self.notes.into_inner().unwrap();
        Up {
            // No plan (an error before it): every notice so far.
            notes: notes.unwrap_or_else(|| self.harness.notices_since(self.events_before)),
            actions: self.actions.into_inner().unwrap(),
            summary,
            findings: self.findings.into_inner().unwrap(),
        }
    }
}

impl Frontend for Script<'_> {
    fn observer(&self) -> Arc<dyn Observer> {
        self.harness.observer.clone()
    }

    fn note(&self, _: &str) {}

    fn waiting_for_lock(&self, _: &StackKey, _: &LockInfo, _: Duration) {}

    fn took_over_lock(&self, _: &Takeover) {}

    fn refreshed(&self, _: &Refresh) {}

    fn planned(&self, _: &StackKey, plan: &Plan) {
        let mut notes = self.notes.lock().unwrap();
        if notes.is_none() {
            *notes = Some(self.harness.notices_since(self.events_before));
        }
        let actions = plan.changes.iter().map(|c| (c.address.clone(), c.action()));
        self.actions.lock().unwrap().extend(actions);
    }

    fn judged(&self, _: &StackKey, report: &PolicyReport) {
        let found = report.findings.iter().map(|f| {
            let at = format!("{}:{}", f.at.line, f.at.column);
            (f.rule.id.clone(), f.address.clone(), at)
        });
        self.findings.lock().unwrap().extend(found);
    }

    fn confirm(&self, _: &str) -> Result<bool, EngineError> {
        Ok(true)
    }

    fn interrupt(&self) -> Cancel {
        let cancel = Cancel::new();
        self.harness.cloud.set_run(&cancel);
        cancel
    }

    fn ran(&self, _: &str, summary: &RunSummary) {
        *self.summary.lock().unwrap() = Some(summary.clone());
    }
}

/// The planned changes of `plan` other than `Same`, sorted by address.
pub fn plan_changes(plan: &Plan) -> Vec<(String, Action)> {
    let mut c: Vec<_> = plan
        .changes
        .iter()
        .filter(|c| c.action() != Action::Same)
        .map(|c| (c.address.clone(), c.action()))
        .collect();
    c.sort();
    c
}

/// A project of its own: temporary stacks directory and state, a fake
/// cloud, environment `default`.
pub struct Harness {
    pub cloud: Arc<Cloud>,
    pub store: Arc<SqliteStore>,
    pub project: Project,
    pub observer: Arc<Recorder>,
    dir: Arc<tempfile::TempDir>,
}

impl Harness {
    /// The notices the observer heard after its first `from` lines.
    fn notices_since(&self, from: usize) -> Vec<String> {
        self.observer.lines()[from..]
            .iter()
            .filter_map(|l| l.strip_prefix("notice: ").map(str::to_string))
            .collect()
    }

    pub fn new() -> Harness {
        let dir = tempfile::tempdir().expect("temp dir");
        let stacks_dir = dir.path().join("stacks");
        std::fs::create_dir(&stacks_dir).expect("stacks dir");
        let store = Arc::new(
            SqliteStore::open(
                &dir.path().join("state.db"),
                std::sync::Arc::new(skistack_state::KeyFile::new(dir.path().join("state.key"))),
            )
            .expect("state"),
        );
        let cloud = Arc::new(Cloud::default());
        let mut registry = Registry::new();
        registry.register(Arc::new(cloud::FakeProvider {
            cloud: Arc::clone(&cloud),
        }));
        let project = Project {
            stacks_dir,
            env: "default".into(),
            registry,
            store: Arc::clone(&store) as Arc<dyn StateStore>,
            cli_config: Vec::new(),
        };
        Harness {
            cloud,
            store,
            project,
            observer: Arc::new(Recorder::default()),
            dir: Arc::new(dir),
        }
    }

    /// The same stacks directory, state and cloud, in environment `env`.
    pub fn in_env(&self, env: &str) -> Harness {
        Harness {
            cloud: Arc::clone(&self.cloud),
            store: Arc::clone(&self.store),
            project: Project {
                stacks_dir: self.project.stacks_dir.clone(),
                env: env.to_string(),
                registry: self.project.registry.clone(),
                store: Arc::clone(&self.project.store),
                cli_config: self.project.cli_config.clone(),
            },
            observer: Arc::new(Recorder::default()),
            dir: Arc::clone(&self.dir),
        }
    }

    /// Writes `stacks/NAME.toml`.
    pub fn write(&self, stack: &str, text: &str) {
        let path = self.dir.path().join("stacks").join(format!("{stack}.toml"));
        std::fs::write(path, text).expect("stack file written");
    }

    pub fn key(&self, stack: &str) -> StackKey {
        self.project.key(stack)
    }

    pub fn state(&self, stack: &str) -> StackState {
        self.store.load(&self.key(stack)).expect("state loads")
    }

    /// The recorded addresses, sorted.
    pub fn addresses(&self, stack: &str) -> Vec<String> {
        self.state(stack).resources.keys().cloned().collect()
    }

    pub fn record(&self, stack: &str, address: &str) -> ResourceRecord {
        let state = self.state(stack);
        state.resources.get(address).cloned().unwrap_or_else(|| {
            panic!(
                "{address} is not recorded; the state has {:?}",
                state.resources.keys().collect::<Vec<_>>()
            )
        })
    }

    /// The stack's recorded outputs; `None` when it is not deployed.
    pub fn outputs(&self, stack: &str) -> Option<Map> {
        self.store.outputs(&self.key(stack)).expect("outputs load")
    }

    /// The stack's recorded outputs; panics when it is not deployed.
    pub fn store_outputs(&self, stack: &str) -> Map {
        self.store
            .outputs(&self.key(stack))
            .expect("outputs load")
            .expect("the stack is deployed")
    }

    pub fn history(&self, stack: &str) -> Vec<skistack_engine::HistoryEntry> {
        self.store.history(&self.key(stack)).expect("history loads")
    }

    /// Panics when the state holds an intent (a pending operation): after
    /// any run that finished, failed or not, none may be left.
    pub fn assert_no_pending(&self, stack: &str) {
        let pending = self.state(stack).pending;
        assert!(pending.is_empty(), "intents left: {pending:?}");
    }

    /// The plan `preview` shows: no recovery, nothing written.
    pub async fn preview(&self, stack: &str) -> Result<Plan, EngineError> {
        let loaded = self.project.load(stack, true)?;
        let state = self.store.load(&self.key(stack))?;
        self.project
            .plan(&loaded, &state, &[], &BTreeSet::new())
            .await
    }

    /// `skistack up STACK --yes`, through the engine's up workflow.
    pub async fn try_up(&self, stack: &str) -> Result<Up, EngineError> {
        self.try_up_targets(stack, &[]).await
    }

    /// `skistack up STACK --target T... --yes`.
    pub async fn try_up_targets(&self, stack: &str, targets: &[&str]) -> Result<Up, EngineError> {
        self.try_up_with(stack, targets, PolicySettings::default())
            .await
    }

    /// `skistack up STACK --yes --policy MODE --policy-threshold T`.
    pub async fn try_up_with(
        &self,
        stack: &str,
        targets: &[&str],
        policy: PolicySettings,
    ) -> Result<Up, EngineError> {
        let options = UpOptions {
            targets: targets.iter().map(|t| t.to_string()).collect(),
            parallel: PARALLEL,
            policy,
            ..UpOptions::default()
        };
        let script = self.script();
        let summary = match skistack_engine::up(&self.project, stack, &options, &script).await? {
            UpReport::Applied { summary, .. } => Some(*summary),
            UpReport::NoChanges | UpReport::Declined => None,
        };
        Ok(script.into_up(summary))
    }

    /// `skistack preview STACK --out FILE`: the saved plan.
    pub async fn save_plan(&self, stack: &str) -> Result<SavedPlan, EngineError> {
        let options = PreviewOptions {
            stacks: vec![stack.to_string()],
            save: true,
            ..PreviewOptions::default()
        };
        let report = skistack_engine::preview(&self.project, &options, &self.script()).await?;
        if let Some(d) = report.errors.first() {
            panic!("preview {stack}: {}", d.message);
        }
        Ok(report.stacks[0].saved.clone().expect("a saved plan"))
    }

    /// `skistack up STACK --plan FILE`.
    pub async fn try_up_saved(&self, stack: &str, saved: &SavedPlan) -> Result<Up, EngineError> {
        let options = UpOptions {
            parallel: PARALLEL,
            saved: Some(saved.clone()),
            ..UpOptions::default()
        };
        let script = self.script();
        let summary = match skistack_engine::up(&self.project, stack, &options, &script).await? {
            UpReport::Applied { summary, .. } => Some(*summary),
            UpReport::NoChanges | UpReport::Declined => None,
        };
        Ok(script.into_up(summary))
    }

    pub async fn up(&self, stack: &str) -> Up {
        match self.try_up(stack).await {
            Ok(up) => up,
            Err(e) => panic!("up {stack}: {e}"),
        }
    }

    /// `skistack destroy STACK --yes`, through the engine's destroy
    /// workflow. Returns the recovery notes, the plan's actions and the
    /// summary.
    pub async fn try_destroy(&self, stack: &str) -> Result<Up, EngineError> {
        let options = DestroyOptions {
            stack: Some(stack.to_string()),
            parallel: PARALLEL,
            ..DestroyOptions::default()
        };
        let script = self.script();
        skistack_engine::destroy(&self.project, &options, &script).await?;
        let summary = script.summary.lock().unwrap().take();
        Ok(script.into_up(summary))
    }

    /// A frontend that says yes to every question and keeps what it was
    /// shown.
    fn script(&self) -> Script<'_> {
        Script {
            harness: self,
            events_before: self.observer.lines().len(),
            notes: Mutex::new(None),
            actions: Mutex::new(Vec::new()),
            summary: Mutex::new(None),
            findings: Mutex::new(Vec::new()),
        }
    }

    pub async fn destroy(&self, stack: &str) -> Up {
        match self.try_destroy(stack).await {
            Ok(d) => d,
            Err(e) => panic!("destroy {stack}: {e}"),
        }
    }

    /// `skistack refresh STACK --yes`: reads every resource back and, when
    /// `record`, records what it found.
    pub async fn refresh(&self, stack: &str, record: bool) -> Refresh {
        let loaded = self.project.load(stack, true).expect("stack loads");
        let state = self.state(stack);
        let refresh = self
            .project
            .refresh(stack, &loaded.config, &state, PARALLEL, &Cancel::new())
            .await;
        if record {
            self.project
                .record_refresh(&refresh)
                .expect("refresh recorded");
        }
        refresh
    }

    /// Records an intent as an interrupted run would have left it, before
    /// its provider call; returns it as the store holds it.
    pub fn begin(
        &self,
        stack: &str,
        address: &str,
        kind: OpKind,
        resource_id: Option<&str>,
        inputs: &Map,
    ) -> PendingOp {
        self.begin_at(stack, address, kind, resource_id, inputs, STARTED_AT)
    }

    /// [`Harness::begin`] for a call that began at `started_at`.
    pub fn begin_at(
        &self,
        stack: &str,
        address: &str,
        kind: OpKind,
        resource_id: Option<&str>,
        inputs: &Map,
        started_at: i64,
    ) -> PendingOp {
        let intent = Intent {
            address: address.to_string(),
            kind,
            type_token: THING.to_string(),
            resource_id: resource_id.map(str::to_string),
            inputs: inputs.clone(),
            started_at,
        };
        let id = self
            .store
            .begin(&self.key(stack), &intent)
            .expect("intent recorded");
        intent.with_id(id)
    }

    /// The operation id the provider sees for calls under `op`.
    pub fn operation_id(&self, stack: &str, op: &PendingOp) -> String {
        operation_id(&self.key(stack), op.id, op.started_at)
    }
}

/// The operation id of calls under intent `id`.
pub fn operation_id(key: &StackKey, id: OpId, started_at: i64) -> String {
    CallContext::new(
        key,
        "any",
        THING,
        Arc::new(Map::new()),
        std::path::PathBuf::new(),
        CallPurpose::Intent { id, started_at },
    )
    .operation_id
}

/// A map from pairs, for inputs.
pub fn map(pairs: &[(&str, Value)]) -> Map {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// A string value.
pub fn s(text: &str) -> Value {
    Value::String(text.to_string())
}

/// The index of the first call matching `op` and `address`; panics when
/// there is none, naming the calls.
pub fn position(calls: &[Call], op: Op, address: &str) -> usize {
    calls
        .iter()
        .position(|c| c.op == op && c.address == address)
        .unwrap_or_else(|| panic!("no {op:?} of {address} in {calls:#?}"))
}
