//! The provider kit: one adapter that implements the engine's
//! [`ResourceType`] for every AWS type, over the small crate-private
//! [`AwsResource`] trait each type implements.
//!
//! The adapter decides what every type used to repeat: it fetches the
//! stack's clients, turns "not found" into "gone" on read and into success
//! on delete (the engine's contract for both), applies tag changes through
//! the service's [`TagApi`], builds the outputs of an update and derives
//! `find` from `find_all`. That is safe because those steps never depended
//! on the type: each type only talks to AWS for its own properties.

use std::sync::Arc;

use async_trait::async_trait;
use skistack_engine::{
    CallContext, Created, Map, ProviderError, ReadResult, ResourceType, TypeSchema, Value,
};

use crate::props::updated_outputs;
use crate::shared::{Clients, Shared};
use crate::tags::{TagApi, tag_changes};

/// What the adapter hands each call of an [`AwsResource`]: where it runs,
/// the clients, and the resource the call is about.
#[derive(Clone, Copy)]
pub(crate) struct Call<'a> {
    /// The engine's context of the call.
    pub ctx: &'a CallContext,
    /// The SDK clients of the stack's region.
    pub clients: &'a Clients,
    /// The provider's shared state (the account id, say).
    pub shared: &'a Shared,
    /// The type's schema.
    pub schema: &'a TypeSchema,
    /// The resource's id; empty in a create and a find, before it is known.
    pub id: &'a str,
    /// Its inputs: the new ones in a create or find, the recorded ones else.
    pub inputs: &'a Map,
    /// Its recorded outputs; empty in a create and a find.
    pub outputs: &'a Map,
}

/// The result of a provider call.
pub(crate) type Out<T> = Result<T, ProviderError>;

/// An AWS resource type as the adapter drives it. Only what differs from
/// type to type lives here; see the module comment for what the adapter adds.
#[async_trait]
pub(crate) trait AwsResource: Default + Send + Sync + 'static {
    /// Operations this type creates with that AWS never makes idempotent
    /// (no token, no unique name): the SDK must never replay them blindly
    /// (see [`crate::replay`]).
    const NOT_IDEMPOTENT: &'static [&'static str] = &[];

    /// How the adapter updates the resource's tags; `None` for a type
    /// without tags (or one that must order its tag calls itself).
    const TAGS: Option<TagApi> = None;

    /// Inputs AWS fills in when the declaration leaves them out: in a
    /// preview they are unknown until the resource is made, like attributes.
    const COMPUTED_INPUTS: &'static [&'static str] = &[];

    /// The type's schema.
    fn schema() -> TypeSchema;

    /// What the service's tag calls address: the id unless the type says
    /// otherwise (an ARN among the outputs, say).
    fn tag_target(id: &str, _outputs: &Map) -> String {
        id.to_string()
    }

    /// Creates the resource from `call.inputs`.
    async fn create(&self, call: &Call<'_>) -> Out<Created>;

    /// Reads the resource back; `None` (or a `NotFound` error) when it is gone.
    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>>;

    /// Changes what can change in place other than tags, from `call.inputs`
    /// to `new_inputs`; returns the outputs that differ from `call.outputs`
    /// (none by default).
    async fn update(&self, _call: &Call<'_>, _new_inputs: &Map) -> Out<Map> {
        Ok(Map::new())
    }

    /// Deletes the resource; a `NotFound` error counts as done.
    async fn delete(&self, call: &Call<'_>) -> Out<()>;

    /// Every resource carrying the identity of `call.inputs` (tags or a
    /// unique name); none by default.
    async fn find_all(&self, _call: &Call<'_>) -> Out<Vec<Created>> {
        Ok(Vec::new())
    }
}

/// The outputs of a resource not made yet.
static NO_OUTPUTS: Map = Map::new();

/// The engine's [`ResourceType`] over an [`AwsResource`].
pub(crate) struct Adapter<T> {
    shared: Arc<Shared>,
    schema: TypeSchema,
    kind: T,
}

impl<T: AwsResource> Adapter<T> {
    /// The adapter of `T`, as the engine takes it.
    pub(crate) fn boxed(shared: &Arc<Shared>) -> Arc<dyn ResourceType> {
        Arc::new(Adapter {
            shared: Arc::clone(shared),
            schema: T::schema(),
            kind: T::default(),
        })
    }

    /// A call about the resource `id` (empty before it exists).
    fn call<'a>(
        &'a self,
        ctx: &'a CallContext,
        clients: &'a Clients,
        id: &'a str,
        inputs: &'a Map,
        outputs: &'a Map,
    ) -> Call<'a> {
        Call {
            ctx,
            clients,
            shared: &self.shared,
            schema: &self.schema,
            id,
            inputs,
            outputs,
        }
    }
}

#[async_trait]
impl<T: AwsResource> ResourceType for Adapter<T> {
    fn schema(&self) -> &TypeSchema {
        &self.schema
    }

    /// Every type's create is idempotent (a token or a unique name) unless
    /// it declares operations that are not.
    fn idempotent_create(&self) -> bool {
        T::NOT_IDEMPOTENT.is_empty()
    }

    fn landing_window(&self) -> std::time::Duration {
        self.shared
            .options()
            .landing_window
            .unwrap_or(crate::DEFAULT_LANDING_WINDOW)
    }

    /// The engine's preview (inputs, then each attribute as before or
    /// unknown), with the type's computed inputs treated like attributes.
    fn preview(&self, inputs: &Map, prior_outputs: Option<&Map>) -> Map {
        let mut out = inputs.clone();
        let attributes = self.schema.attributes.iter().map(|a| a.name.as_str());
        let computed = T::COMPUTED_INPUTS.iter().copied();
        for name in attributes.chain(computed.filter(|k| !inputs.contains_key(*k))) {
            let v = prior_outputs.and_then(|p| p.get(name).cloned());
            out.insert(name.to_string(), v.unwrap_or(Value::Unknown));
        }
        out
    }

    async fn create(&self, ctx: &CallContext, inputs: &Map) -> Out<Created> {
        let clients = self.shared.clients(ctx).await?;
        let call = self.call(ctx, &clients, "", inputs, &NO_OUTPUTS);
        self.kind.create(&call).await
    }

    async fn read(
        &self,
        ctx: &CallContext,
        id: &str,
        inputs: &Map,
        outputs: &Map,
    ) -> Out<Option<ReadResult>> {
        let clients = self.shared.clients(ctx).await?;
        let call = self.call(ctx, &clients, id, inputs, outputs);
        match self.kind.read(&call).await {
            Err(ProviderError::NotFound(_)) => Ok(None),
            other => other,
        }
    }

    async fn update(
        &self,
        ctx: &CallContext,
        id: &str,
        old_inputs: &Map,
        old_outputs: &Map,
        new_inputs: &Map,
    ) -> Out<Map> {
        let clients = self.shared.clients(ctx).await?;
        let call = self.call(ctx, &clients, id, old_inputs, old_outputs);
        let changed = self.kind.update(&call, new_inputs).await?;
        if let Some(api) = T::TAGS {
            let target = T::tag_target(id, old_outputs);
            let changes = tag_changes(ctx, old_inputs, new_inputs);
            api.apply(&clients, &target, &changes).await?;
        }
        let mut outputs = updated_outputs(&self.schema, new_inputs, old_outputs);
        outputs.extend(changed);
        Ok(outputs)
    }

    async fn delete(&self, ctx: &CallContext, id: &str, inputs: &Map, outputs: &Map) -> Out<()> {
        let clients = self.shared.clients(ctx).await?;
        let call = self.call(ctx, &clients, id, inputs, outputs);
        match self.kind.delete(&call).await {
            Err(ProviderError::NotFound(_)) => Ok(()),
            other => other,
        }
    }

    async fn find(&self, ctx: &CallContext, inputs: &Map) -> Out<Option<Created>> {
        Ok(self.find_all(ctx, inputs).await?.into_iter().next())
    }

    async fn find_all(&self, ctx: &CallContext, inputs: &Map) -> Out<Vec<Created>> {
        let clients = self.shared.clients(ctx).await?;
        let call = self.call(ctx, &clients, "", inputs, &NO_OUTPUTS);
        self.kind.find_all(&call).await
    }
}

/// One registered resource type: how to build it and what it declares.
pub(crate) struct Entry {
    /// Builds the type's [`ResourceType`].
    pub build: fn(&Arc<Shared>) -> Arc<dyn ResourceType>,
    /// Its [`AwsResource::NOT_IDEMPOTENT`] operations.
    pub not_idempotent: &'static [&'static str],
}

impl Entry {
    /// The entry of a kit type.
    pub(crate) fn of<T: AwsResource>() -> Entry {
        Entry {
            build: Adapter::<T>::boxed,
            not_idempotent: T::NOT_IDEMPOTENT,
        }
    }
}

/// Registers a service's resource types, one line a module: `file: Type,
/// ...;` re-exports the module's types and lists them, in that order, in
/// the service's `entries()` (which [`crate::registry`] reads). The `mod`
/// lines stay outside the macro so that `cargo fmt` formats the files; a
/// new type is a file, its `mod` line and its line here.
macro_rules! resource_types {
    ($($file:ident: $($ty:ident),+;)*) => {
        $(pub(crate) use $file::{$($ty),+};)*

        /// The service's resource types, in the order the provider lists them.
        pub(crate) fn entries() -> Vec<crate::kit::Entry> {
            vec![$($(crate::kit::Entry::of::<$ty>()),+),*]
        }
    };
}
pub(crate) use resource_types;

/// The `arn` among `outputs`, or the id (for a type whose id is its ARN).
pub(crate) fn arn_or_id(id: &str, outputs: &Map) -> String {
    outputs
        .get("arn")
        .and_then(Value::as_str)
        .unwrap_or(id)
        .to_string()
}

/// The `arn` output an update keeps: [`arn_or_id`].
pub(crate) fn arn_output(id: &str, outputs: &Map) -> Map {
    Map::from([("arn".to_string(), Value::from(arn_or_id(id, outputs)))])
}

/// What a read found: the inputs read back and the outputs.
pub(crate) fn read_back(inputs: Map, outputs: Map) -> Out<Option<ReadResult>> {
    Ok(Some(ReadResult { inputs, outputs }))
}

/// What a read found, with outputs made by `outputs` from `inputs` overlaid
/// with what was `read` back (so drift shows in the outputs too).
pub(crate) fn read_back_with(
    inputs: &Map,
    read: Map,
    outputs: impl FnOnce(&Map) -> Map,
) -> Out<Option<ReadResult>> {
    let all = crate::props::with_attributes(inputs, read.clone());
    read_back(read, outputs(&all))
}

/// What `find_all` reports for a type whose id its inputs make and whose
/// resources carry no identity of their own (an attachment, a route): the
/// one `id` names when it `exists`, with the inputs as its outputs.
pub(crate) fn found_if(exists: bool, id: impl FnOnce() -> String, inputs: &Map) -> Vec<Created> {
    if exists {
        vec![created(id(), inputs.clone())]
    } else {
        Vec::new()
    }
}

/// The answer of a create that AWS refused because the resource exists
/// already: when it is this instance's own (made by a request of an earlier
/// run that landed after that run's lookup), found by `find_all` and
/// accepted by `is_it`, it is adopted; anything else is the `conflict`.
pub(crate) async fn adopt_own<T: AwsResource>(
    kind: &T,
    call: &Call<'_>,
    is_it: impl Fn(&Created) -> bool,
    conflict: ProviderError,
) -> Out<Created> {
    let own = kind.find_all(call).await?.into_iter().find(|c| is_it(c));
    own.ok_or(conflict)
}

/// A resource made (or found): its id and outputs.
pub(crate) fn created(id: impl Into<String>, outputs: Map) -> Created {
    Created {
        id: id.into(),
        outputs,
    }
}
