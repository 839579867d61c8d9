//! The provider interface: what a provider module implements so the engine
//! can create, read, update and delete its resources and run its lookups.
//!
//! A provider owns a set of resource types and data sources, each with a
//! [`TypeSchema`]. The engine validates and diffs from the schema; the provider
//! only talks to the cloud.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::base::{Map, TypeSchema, Value};
use crate::rule::PolicyRule;
use crate::state::{OpId, StackKey};

/// Why the engine calls a provider, which decides the operation id the
/// provider sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallPurpose {
    /// A call under a recorded intent (a create, update or delete).
    Intent { id: OpId, started_at: i64 },
    /// A call that changes nothing in the cloud (a read, a lookup, an
    /// import's read): no idempotency token is needed.
    Read,
}

/// Everything a provider call may need to know about where it runs.
#[derive(Clone, Debug)]
pub struct CallContext {
    /// The stack's name (the stack file's name).
    pub stack: String,
    /// The environment (`--env`).
    pub env: String,
    /// The logical name of the instance, e.g. `subnet[0]` or `bucket["logs"]`.
    pub resource: String,
    /// The type token, e.g. `aws:ec2:Vpc`.
    pub type_token: String,
    /// The stack's resolved config (region, default tags and the like).
    pub config: Arc<Map>,
    /// An identifier stable across retries of one pending operation; usable as
    /// an idempotency token (EC2 ClientToken and the like).
    pub operation_id: String,
    /// Where the stack file lives, for providers that read or run files.
    pub stack_dir: std::path::PathBuf,
}

impl CallContext {
    /// The context of a call about instance `resource` of stack `key`. The
    /// operation id is the same for every attempt of one intent (the store's
    /// id never repeats; the start time tells intents of a recreated state
    /// apart), so providers can derive idempotency tokens from it.
    pub fn new(
        key: &StackKey,
        resource: &str,
        type_token: &str,
        config: Arc<Map>,
        stack_dir: std::path::PathBuf,
        purpose: CallPurpose,
    ) -> CallContext {
        let operation_id = match purpose {
            CallPurpose::Intent { id, started_at } => {
                format!("skistack-{}-{}-{id}-{started_at}", key.stack, key.env)
            }
            CallPurpose::Read => format!("skistack-{}-{}-read", key.stack, key.env),
        };
        CallContext {
            stack: key.stack.clone(),
            env: key.env.clone(),
            resource: resource.to_string(),
            type_token: type_token.to_string(),
            config,
            operation_id,
            stack_dir,
        }
    }

    /// The tags every resource of a stack carries so it can be found again:
    /// `skistack:stack`, `skistack:env` and `skistack:resource`.
    pub fn identity_tags(&self) -> BTreeMap<String, String> {
        let mut tags = BTreeMap::new();
        tags.insert("skistack:stack".to_string(), self.stack.clone());
        tags.insert("skistack:env".to_string(), self.env.clone());
        tags.insert("skistack:resource".to_string(), self.resource.clone());
        tags
    }
}

/// An error from a provider call.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ProviderError {
    /// The inputs are not acceptable to the provider; retrying won't help.
    #[error("{0}")]
    Invalid(String),
    /// The resource no longer exists.
    #[error("not found: {0}")]
    NotFound(String),
    /// A transient failure (throttling, 5xx, a dropped connection) that
    /// persisted through the provider's own retries.
    #[error("{0} (gave up after retrying)")]
    Transient(String),
    /// Waiting for the resource to become ready or go away took too long.
    #[error("timed out after {0:?}: {1}")]
    Timeout(Duration, String),
    /// Any other failure.
    #[error("{0}")]
    Failed(String),
}

/// What a create returns: the cloud's id and every output (inputs as the
/// cloud recorded them, plus computed attributes).
#[derive(Clone, Debug, PartialEq)]
pub struct Created {
    pub id: String,
    pub outputs: Map,
}

/// What a read returns for a resource that still exists.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadResult {
    /// The inputs as the cloud has them now, for drift detection. Only the
    /// properties the provider can read back are present.
    pub inputs: Map,
    pub outputs: Map,
}

/// A resource type such as `aws:ec2:Vpc` or `std:Data`.
#[async_trait]
pub trait ResourceType: Send + Sync {
    /// The type's schema.
    fn schema(&self) -> &TypeSchema;

    /// The outputs as far as they can be known before the step runs, given
    /// the new inputs and, for an update, the previous outputs. The default
    /// keeps previous computed attributes on update, marks them unknown on
    /// create, and mirrors inputs.
    fn preview(&self, inputs: &Map, prior_outputs: Option<&Map>) -> Map {
        let mut out = inputs.clone();
        for a in &self.schema().attributes {
            let v = prior_outputs
                .and_then(|p| p.get(&a.name).cloned())
                .unwrap_or(Value::Unknown);
            out.insert(a.name.clone(), v);
        }
        out
    }

    /// How long after a create call began a request lost with the process
    /// can still take effect (the time the cloud may take to run a request
    /// it received). Recovery that finds nothing of an interrupted create
    /// waits until this much time has passed since the call began and looks
    /// again, so that a late create is adopted instead of made twice. Zero
    /// (the default) for types whose calls cannot land late.
    fn landing_window(&self) -> std::time::Duration {
        std::time::Duration::ZERO
    }

    /// Whether a create made again under the same intent cannot make a
    /// second resource: the call passes the intent's operation id to the
    /// cloud as an idempotency token, or the resource's name is unique.
    /// Recovery says which when it creates again; the default makes no
    /// such claim.
    fn idempotent_create(&self) -> bool {
        false
    }

    /// Creates the resource.
    async fn create(&self, ctx: &CallContext, inputs: &Map) -> Result<Created, ProviderError>;

    /// Reads the resource back; `None` when it no longer exists.
    async fn read(
        &self,
        ctx: &CallContext,
        id: &str,
        inputs: &Map,
        outputs: &Map,
    ) -> Result<Option<ReadResult>, ProviderError>;

    /// Updates the resource in place (only properties without `force_new`
    /// change here) and returns the new outputs.
    async fn update(
        &self,
        ctx: &CallContext,
        id: &str,
        old_inputs: &Map,
        old_outputs: &Map,
        new_inputs: &Map,
    ) -> Result<Map, ProviderError>;

    /// Deletes the resource; deleting one that is already gone succeeds.
    async fn delete(
        &self,
        ctx: &CallContext,
        id: &str,
        inputs: &Map,
        outputs: &Map,
    ) -> Result<(), ProviderError>;

    /// Looks the resource up by its identity (its `skistack:*` tags or a
    /// unique name) after an interrupted create. `None` when it was never made.
    async fn find(
        &self,
        _ctx: &CallContext,
        _inputs: &Map,
    ) -> Result<Option<Created>, ProviderError> {
        Ok(None)
    }

    /// Every resource that carries this instance's identity, for recovery:
    /// while a replacement is being made the old resource and the new one
    /// both do, and recovery must tell them apart by id. Types that can hold
    /// more than one match override this; the default is [`Self::find`]'s.
    async fn find_all(
        &self,
        ctx: &CallContext,
        inputs: &Map,
    ) -> Result<Vec<Created>, ProviderError> {
        Ok(self.find(ctx, inputs).await?.into_iter().collect())
    }
}

/// A read-only lookup such as `aws:ec2:AvailabilityZones`.
#[async_trait]
pub trait DataSource: Send + Sync {
    fn schema(&self) -> &TypeSchema;

    /// Runs the lookup and returns its attributes.
    async fn invoke(&self, ctx: &CallContext, inputs: &Map) -> Result<Map, ProviderError>;
}

/// A provider module: a named set of resource types and data sources.
pub trait Provider: Send + Sync {
    /// The provider's name, the first part of its type tokens (`aws`, `std`).
    fn name(&self) -> &str;
    fn resource_types(&self) -> Vec<Arc<dyn ResourceType>>;
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>>;

    /// Counters the provider keeps, such as API calls per service, printed
    /// by `up -v` and the benchmark. Names are free-form.
    fn metrics(&self) -> Vec<(String, u64)> {
        Vec::new()
    }

    /// The policy rules the provider offers for its types, judged on every
    /// plan (see [`crate::policy`]).
    fn policy_rules(&self) -> Vec<Arc<dyn PolicyRule>> {
        Vec::new()
    }
}

/// Every type the engine can use, by token.
#[derive(Default, Clone)]
pub struct Registry {
    providers: Vec<Arc<dyn Provider>>,
    resources: BTreeMap<String, Arc<dyn ResourceType>>,
    data: BTreeMap<String, Arc<dyn DataSource>>,
    rules: Vec<Arc<dyn PolicyRule>>,
}

impl Registry {
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Adds every type of a provider.
    pub fn register(&mut self, provider: Arc<dyn Provider>) {
        for r in provider.resource_types() {
            self.resources.insert(r.schema().token.clone(), r);
        }
        for d in provider.data_sources() {
            self.data.insert(d.schema().token.clone(), d);
        }
        self.rules.extend(provider.policy_rules());
        self.providers.push(provider);
    }

    /// Every provider's counters, prefixed with the provider's name.
    pub fn metrics(&self) -> Vec<(String, u64)> {
        self.providers
            .iter()
            .flat_map(|p| {
                let name = p.name().to_string();
                p.metrics()
                    .into_iter()
                    .map(move |(k, v)| (format!("{name}.{k}"), v))
            })
            .collect()
    }

    /// Every provider's policy rules, in the order they were registered.
    pub fn policy_rules(&self) -> &[Arc<dyn PolicyRule>] {
        &self.rules
    }

    pub fn resource(&self, token: &str) -> Option<&Arc<dyn ResourceType>> {
        self.resources.get(token)
    }

    pub fn data_source(&self, token: &str) -> Option<&Arc<dyn DataSource>> {
        self.data.get(token)
    }

    pub fn resource_tokens(&self) -> impl Iterator<Item = &str> {
        self.resources.keys().map(String::as_str)
    }

    pub fn data_tokens(&self) -> impl Iterator<Item = &str> {
        self.data.keys().map(String::as_str)
    }
}
