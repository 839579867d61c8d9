//! The fake provider: the resource types `fake:cloud:Thing` and
//! `fake:cloud:Unique` and the data source `fake:cloud:Lookup`, over an
//! in-memory "cloud" that logs every call and can be told to fail or to
//! interrupt the run at a given call.
//!
//! The types' schema has a property of each kind the engine treats apart:
//! `size` and `ref` update in place, `name` forces a replacement,
//! `password` is secret, and `arn` is a computed attribute. `Unique`'s
//! schema also asks for delete-before-replace. Creates honour the
//! operation id as an idempotency token, and tag what they make with the
//! call's `skistack:*` identity, which `find_all` looks up.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use skistack_engine::{
    Attribute, CallContext, Cancel, Created, DataSource, Map, PolicyRule, Property, Provider,
    ProviderError, ReadResult, ResourceType, RuleInfo, Severity, Subject, TypeSchema, Value,
    ValueType, Violation,
};

/// The fake resource type's token.
pub const THING: &str = "fake:cloud:Thing";

/// The same type under a unique name: it can't exist twice, so its schema
/// asks for delete-before-replace.
pub const UNIQUE: &str = "fake:cloud:Unique";

/// The fake data source: `key` in, `value` out.
pub const LOOKUP: &str = "fake:cloud:Lookup";

/// A provider call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Create,
    Read,
    Update,
    Delete,
    FindAll,
    /// A data source lookup.
    Invoke,
}

/// One call as the provider saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub op: Op,
    /// The instance the engine called about (`CallContext::resource`).
    pub address: String,
    pub operation_id: String,
    /// The provider id the call named (none for create and find_all).
    pub id: Option<String>,
}

/// A resource as the fake cloud holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct CloudResource {
    pub id: String,
    /// The `skistack:*` tags it was made with; `None` for a resource that
    /// carries no identity (so `find_all` can't see it).
    pub identity: Option<BTreeMap<String, String>>,
    /// The operation id of the create that made it: the idempotency token.
    pub token: String,
    /// Inputs as the cloud has them: in the clear, as real clouds return them.
    pub inputs: Map,
    pub outputs: Map,
}

impl CloudResource {
    /// The `skistack:resource` tag: the address it was made for.
    pub fn address(&self) -> Option<&str> {
        self.identity
            .as_ref()
            .and_then(|t| t.get("skistack:resource"))
            .map(String::as_str)
    }
}

/// When a scripted fault strikes: before the call has any effect, or after
/// it made its change in the cloud (a create that timed out waiting, say).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Moment {
    Before,
    After,
}

struct Fault {
    op: Op,
    address: String,
    moment: Moment,
    error: ProviderError,
}

#[derive(Default)]
struct Inner {
    resources: BTreeMap<String, CloudResource>,
    /// The ids made under each idempotency token, so that a create finds
    /// its token's resource without a scan (the scale tests make 12,000).
    tokens: HashMap<String, BTreeSet<String>>,
    calls: Vec<Call>,
    faults: Vec<Fault>,
    next_id: u64,
    /// The run in progress and the call at which to interrupt it.
    cancel: Option<Cancel>,
    cancel_at: Option<(Op, String)>,
    /// Refuse to delete what another resource references (by id or arn).
    strict: bool,
    /// What create calls of this type may take to land (`landing_window`).
    landing_window: Duration,
    /// Creates ignore their idempotency token, as `CreateVpc` does.
    tokenless: bool,
    /// Creates that land only after the next lookup of their address: a
    /// request lost with the process that the cloud runs late.
    late: Vec<Late>,
}

/// A create that lands late (see [`Cloud::land_late`]).
struct Late {
    stack: String,
    address: String,
    token: String,
    inputs: Map,
}

impl Inner {
    /// Takes the first fault scripted for this call, if any: each strikes once.
    fn fault(&mut self, op: Op, address: &str, moment: Moment) -> Option<ProviderError> {
        let i = self
            .faults
            .iter()
            .position(|f| f.op == op && f.address == address && f.moment == moment)?;
        Some(self.faults.remove(i).error)
    }

    /// Interrupts the run (as Ctrl-C would) if this is the call scripted
    /// for it; the call itself goes on.
    fn maybe_cancel(&mut self, op: Op, address: &str) {
        if self
            .cancel_at
            .as_ref()
            .is_some_and(|(o, a)| *o == op && a == address)
        {
            self.cancel_at = None;
            if let Some(c) = &self.cancel {
                c.cancel();
            }
        }
    }

    /// The resources other than `id` whose inputs mention its id or arn.
    fn users_of(&self, id: &str) -> Vec<String> {
        let arn = format!("arn:fake:{id}");
        self.resources
            .values()
            .filter(|r| r.id != id)
            .filter(|r| {
                r.inputs
                    .values()
                    .any(|v| mentions(v, id) || mentions(v, &arn))
            })
            .map(|r| r.id.clone())
            .collect()
    }

    fn insert(&mut self, r: CloudResource) {
        self.tokens
            .entry(r.token.clone())
            .or_default()
            .insert(r.id.clone());
        self.resources.insert(r.id.clone(), r);
    }

    fn remove(&mut self, id: &str) {
        if let Some(r) = self.resources.remove(id)
            && let Some(ids) = self.tokens.get_mut(&r.token)
        {
            ids.remove(id);
        }
    }

    /// The first resource (by id) made under `token`.
    fn made_with(&self, token: &str) -> Option<&CloudResource> {
        let id = self.tokens.get(token)?.first()?;
        self.resources.get(id)
    }

    /// See [`Cloud::plant`].
    fn plant(
        &mut self,
        stack: &str,
        address: &str,
        token: &str,
        inputs: &Map,
        with_identity: bool,
    ) -> String {
        let id = self.new_id();
        let identity = with_identity.then(|| {
            BTreeMap::from([
                ("skistack:stack".to_string(), stack.to_string()),
                ("skistack:env".to_string(), "default".to_string()),
                ("skistack:resource".to_string(), address.to_string()),
            ])
        });
        let plain = reveal(inputs);
        let outputs = outputs_of(&plain, &id);
        self.insert(CloudResource {
            id: id.clone(),
            identity,
            token: token.to_string(),
            inputs: plain,
            outputs,
        });
        id
    }

    fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("thing-{}", self.next_id)
    }
}

/// The in-memory cloud, shared by the provider and the test.
#[derive(Default)]
pub struct Cloud(Mutex<Inner>);

impl Cloud {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every call since the start (or the last [`Cloud::take_calls`]).
    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// The calls so far, forgetting them: what a scenario's setup did is
    /// not what the scenario asserts on.
    pub fn take_calls(&self) -> Vec<Call> {
        std::mem::take(&mut self.lock().calls)
    }

    /// The calls that change the cloud, as `(op, address)`, in call order.
    pub fn mutations(&self) -> Vec<(Op, String)> {
        self.calls()
            .into_iter()
            .filter(|c| matches!(c.op, Op::Create | Op::Update | Op::Delete))
            .map(|c| (c.op, c.address))
            .collect()
    }

    /// The addresses of the calls of one kind, in call order.
    pub fn calls_of(&self, op: Op) -> Vec<String> {
        self.calls()
            .into_iter()
            .filter(|c| c.op == op)
            .map(|c| c.address)
            .collect()
    }

    /// Every resource the cloud holds, by id.
    pub fn resources(&self) -> Vec<CloudResource> {
        self.lock().resources.values().cloned().collect()
    }

    pub fn get(&self, id: &str) -> Option<CloudResource> {
        self.lock().resources.get(id).cloned()
    }

    /// The resources carrying the identity of `address` (any stack).
    pub fn at(&self, address: &str) -> Vec<CloudResource> {
        self.resources()
            .into_iter()
            .filter(|r| r.address() == Some(address))
            .collect()
    }

    /// The ids of the resources made for each address, for assertions on
    /// what exists: `{"net": ["thing-1"], ...}`.
    pub fn census(&self) -> BTreeMap<String, Vec<String>> {
        let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in self.resources() {
            let a = r.address().unwrap_or("(no identity)").to_string();
            m.entry(a).or_default().push(r.id);
        }
        m
    }

    /// Makes a resource as a create of `address` in `stack` (environment
    /// `default`) under operation id `token` would have, without any call
    /// through the engine: what an interrupted run leaves in the cloud.
    /// `with_identity: false` makes one the provider can't find by its tags.
    pub fn plant(
        &self,
        stack: &str,
        address: &str,
        token: &str,
        inputs: &Map,
        with_identity: bool,
    ) -> String {
        self.lock()
            .plant(stack, address, token, inputs, with_identity)
    }

    /// The create of `address` under operation id `token` lands only after
    /// the next lookup of `address` has answered (it finds nothing then).
    pub fn land_late(&self, stack: &str, address: &str, token: &str, inputs: &Map) {
        self.lock().late.push(Late {
            stack: stack.to_string(),
            address: address.to_string(),
            token: token.to_string(),
            inputs: inputs.clone(),
        });
    }

    /// How long the type says a lost create may take to land.
    /// Makes creates ignore their idempotency token (see `Inner::tokenless`).
    pub fn set_tokenless(&self) {
        self.lock().tokenless = true;
    }

    pub fn set_landing_window(&self, window: Duration) {
        self.lock().landing_window = window;
    }

    /// Changes a property behind the engine's back (drift).
    pub fn tamper(&self, id: &str, property: &str, value: Value) {
        let mut inner = self.lock();
        let r = inner
            .resources
            .get_mut(id)
            .expect("tampered resource exists");
        r.inputs.insert(property.to_string(), value.clone());
        r.outputs.insert(property.to_string(), value);
    }

    /// Deletes a resource behind the engine's back.
    pub fn remove(&self, id: &str) {
        self.lock().remove(id);
    }

    /// The next `op` call about `address` fails with `error`, having done nothing.
    pub fn fail(&self, op: Op, address: &str, error: ProviderError) {
        self.script(op, address, Moment::Before, error);
    }

    /// The next `op` call about `address` makes its change in the cloud
    /// and then fails with `error`.
    pub fn fail_after(&self, op: Op, address: &str, error: ProviderError) {
        self.script(op, address, Moment::After, error);
    }

    fn script(&self, op: Op, address: &str, moment: Moment, error: ProviderError) {
        self.lock().faults.push(Fault {
            op,
            address: address.to_string(),
            moment,
            error,
        });
    }

    /// From now on a delete of a resource that another one still uses
    /// fails, as real clouds refuse (a subnet with instances in it): the
    /// order of deletes is then checked by the cloud itself.
    pub fn refuse_deleting_used(&self) {
        self.lock().strict = true;
    }

    /// The next `op` call about `address` interrupts the run it is part of.
    pub fn cancel_at(&self, op: Op, address: &str) {
        self.lock().cancel_at = Some((op, address.to_string()));
    }

    /// The cancellation flag of the run about to start.
    pub fn set_run(&self, cancel: &Cancel) {
        self.lock().cancel = Some(cancel.clone());
    }

    /// Faults scripted but not triggered: a test that scripts one expects
    /// it to strike.
    pub fn pending_faults(&self) -> usize {
        self.lock().faults.len()
    }

    fn log(&self, op: Op, ctx: &CallContext, id: Option<&str>) -> MutexGuard<'_, Inner> {
        let mut inner = self.lock();
        inner.calls.push(Call {
            op,
            address: ctx.resource.clone(),
            operation_id: ctx.operation_id.clone(),
            id: id.map(str::to_string),
        });
        inner.maybe_cancel(op, &ctx.resource);
        inner
    }
}

/// True when `v` is, or holds, the string `s`.
fn mentions(v: &Value, s: &str) -> bool {
    match v {
        Value::String(x) => x == s,
        Value::List(items) => items.iter().any(|i| mentions(i, s)),
        Value::Map(m) => m.values().any(|i| mentions(i, s)),
        Value::Secret(inner) => mentions(inner, s),
        _ => false,
    }
}

/// A map's values with every secret wrapper removed.
fn reveal(m: &Map) -> Map {
    m.iter().map(|(k, v)| (k.clone(), v.reveal())).collect()
}

/// The outputs of a thing: its inputs and its computed `arn`.
fn outputs_of(inputs: &Map, id: &str) -> Map {
    let mut out = inputs.clone();
    out.insert("arn".into(), Value::String(format!("arn:fake:{id}")));
    out
}

/// `fake:cloud:Thing`, and `fake:cloud:Unique` with the same schema but
/// for its delete-before-replace flag.
pub struct Thing {
    schema: TypeSchema,
    cloud: Arc<Cloud>,
}

impl Thing {
    pub fn new(cloud: Arc<Cloud>, token: &str) -> Thing {
        // Its read returns every input the cloud holds: complete.
        let mut schema = TypeSchema::new(token, "a thing in the fake cloud")
            .complete_reads()
            .properties([
                Property::optional("name", ValueType::String).force_new(),
                Property::optional("size", ValueType::Int),
                Property::optional("ref", ValueType::Any),
                // A reference the cloud enforces (see `refuse_deleting_used`).
                Property::optional("uses", ValueType::Any).holds(),
                Property::optional("password", ValueType::String).secret(),
            ])
            .attributes([Attribute::new("arn", ValueType::String)]);
        if token == UNIQUE {
            schema = schema.delete_before_replace();
        }
        Thing { schema, cloud }
    }
}

#[async_trait]
impl ResourceType for Thing {
    fn schema(&self) -> &TypeSchema {
        &self.schema
    }

    fn landing_window(&self) -> Duration {
        self.cloud.lock().landing_window
    }

    /// Creates under a token already used return what that one made,
    /// unless the cloud is tokenless.
    fn idempotent_create(&self) -> bool {
        !self.cloud.lock().tokenless
    }

    async fn create(&self, ctx: &CallContext, inputs: &Map) -> Result<Created, ProviderError> {
        let mut inner = self.cloud.log(Op::Create, ctx, None);
        if let Some(e) = inner.fault(Op::Create, &ctx.resource, Moment::Before) {
            return Err(e);
        }
        // Idempotency: a create under a token already used returns what
        // that create made (as EC2's ClientToken does), tagged or not.
        if let Some(r) = inner
            .made_with(&ctx.operation_id)
            .filter(|_| !inner.tokenless)
        {
            return Ok(Created {
                id: r.id.clone(),
                outputs: outputs_of(inputs, &r.id),
            });
        }
        let id = inner.new_id();
        inner.insert(CloudResource {
            id: id.clone(),
            identity: Some(ctx.identity_tags()),
            token: ctx.operation_id.clone(),
            inputs: reveal(inputs),
            outputs: outputs_of(&reveal(inputs), &id),
        });
        if let Some(e) = inner.fault(Op::Create, &ctx.resource, Moment::After) {
            return Err(e);
        }
        // Outputs mirror the inputs as sent, secrets still wrapped.
        Ok(Created {
            outputs: outputs_of(inputs, &id),
            id,
        })
    }

    async fn read(
        &self,
        ctx: &CallContext,
        id: &str,
        _inputs: &Map,
        _outputs: &Map,
    ) -> Result<Option<ReadResult>, ProviderError> {
        let mut inner = self.cloud.log(Op::Read, ctx, Some(id));
        if let Some(e) = inner.fault(Op::Read, &ctx.resource, Moment::Before) {
            return Err(e);
        }
        Ok(inner.resources.get(id).map(|r| ReadResult {
            inputs: r.inputs.clone(),
            outputs: r.outputs.clone(),
        }))
    }

    async fn update(
        &self,
        ctx: &CallContext,
        id: &str,
        _old_inputs: &Map,
        _old_outputs: &Map,
        new_inputs: &Map,
    ) -> Result<Map, ProviderError> {
        let mut inner = self.cloud.log(Op::Update, ctx, Some(id));
        if let Some(e) = inner.fault(Op::Update, &ctx.resource, Moment::Before) {
            return Err(e);
        }
        let Some(r) = inner.resources.get_mut(id) else {
            return Err(ProviderError::NotFound(id.to_string()));
        };
        r.inputs = reveal(new_inputs);
        r.outputs = outputs_of(&r.inputs, id);
        if let Some(e) = inner.fault(Op::Update, &ctx.resource, Moment::After) {
            return Err(e);
        }
        Ok(outputs_of(new_inputs, id))
    }

    async fn delete(
        &self,
        ctx: &CallContext,
        id: &str,
        _inputs: &Map,
        _outputs: &Map,
    ) -> Result<(), ProviderError> {
        let mut inner = self.cloud.log(Op::Delete, ctx, Some(id));
        if let Some(e) = inner.fault(Op::Delete, &ctx.resource, Moment::Before) {
            return Err(e);
        }
        if inner.strict {
            let users = inner.users_of(id);
            if !users.is_empty() {
                return Err(ProviderError::Failed(format!(
                    "DependencyViolation: {id} is used by {}",
                    users.join(", ")
                )));
            }
        }
        // Deleting what is already gone succeeds, as the interface asks.
        inner.remove(id);
        if let Some(e) = inner.fault(Op::Delete, &ctx.resource, Moment::After) {
            return Err(e);
        }
        Ok(())
    }

    async fn find_all(
        &self,
        ctx: &CallContext,
        _inputs: &Map,
    ) -> Result<Vec<Created>, ProviderError> {
        let mut inner = self.cloud.log(Op::FindAll, ctx, None);
        if let Some(e) = inner.fault(Op::FindAll, &ctx.resource, Moment::Before) {
            return Err(e);
        }
        let identity = ctx.identity_tags();
        let found = inner
            .resources
            .values()
            .filter(|r| r.identity.as_ref() == Some(&identity))
            .map(|r| Created {
                id: r.id.clone(),
                outputs: r.outputs.clone(),
            })
            .collect();
        if let Some(i) = inner.late.iter().position(|l| l.address == ctx.resource) {
            let l = inner.late.remove(i);
            inner.plant(&l.stack, &l.address, &l.token, &l.inputs, true);
        }
        Ok(found)
    }
}

/// The `fake` provider: [`Thing`] over one [`Cloud`].
pub struct FakeProvider {
    pub cloud: Arc<Cloud>,
}

impl Provider for FakeProvider {
    fn name(&self) -> &str {
        "fake"
    }

    fn resource_types(&self) -> Vec<Arc<dyn ResourceType>> {
        vec![
            Arc::new(Thing::new(Arc::clone(&self.cloud), THING)),
            Arc::new(Thing::new(Arc::clone(&self.cloud), UNIQUE)),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(Lookup::new(Arc::clone(&self.cloud)))]
    }

    fn policy_rules(&self) -> Vec<Arc<dyn PolicyRule>> {
        vec![Arc::new(TooBig::new())]
    }
}

/// The fake provider's one policy rule, `FAKE-001` (high): a Thing's
/// `size` over 100; a size left out or not known yet is not judged.
pub struct TooBig {
    info: RuleInfo,
}

impl TooBig {
    fn new() -> TooBig {
        TooBig {
            info: RuleInfo {
                id: "FAKE-001".into(),
                severity: Severity::High,
                title: "A thing too big".into(),
                reason: "big things cost".into(),
                fix: "set size to 100 or less".into(),
            },
        }
    }
}

impl PolicyRule for TooBig {
    fn info(&self) -> &RuleInfo {
        &self.info
    }

    fn judges(&self, type_token: &str) -> bool {
        type_token == THING
    }

    fn check(&self, subject: &Subject<'_>) -> Vec<Violation> {
        match subject.get("size").and_then(Value::as_int) {
            Some(n) if n > 100 => vec![Violation::at("size", format!("size is {n}"))],
            _ => Vec::new(),
        }
    }
}

/// `fake:cloud:Lookup`: answers `value = "value-of-KEY"` and logs the call.
pub struct Lookup {
    schema: TypeSchema,
    cloud: Arc<Cloud>,
}

impl Lookup {
    pub fn new(cloud: Arc<Cloud>) -> Lookup {
        let schema = TypeSchema::new(LOOKUP, "a lookup in the fake cloud")
            .properties([Property::required("key", ValueType::String)])
            .attributes([Attribute::new("value", ValueType::String)]);
        Lookup { schema, cloud }
    }
}

#[async_trait]
impl DataSource for Lookup {
    fn schema(&self) -> &TypeSchema {
        &self.schema
    }

    async fn invoke(&self, ctx: &CallContext, inputs: &Map) -> Result<Map, ProviderError> {
        let mut inner = self.cloud.log(Op::Invoke, ctx, None);
        if let Some(e) = inner.fault(Op::Invoke, &ctx.resource, Moment::Before) {
            return Err(e);
        }
        let key = inputs
            .get("key")
            .and_then(Value::as_str)
            .unwrap_or_default();
        Ok(Map::from([(
            "value".to_string(),
            Value::String(format!("value-of-{key}")),
        )]))
    }
}
