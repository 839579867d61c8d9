//! `std:Data`: a value kept in the state, useful to name an intermediate
//! result or to give several resources one thing to depend on.

use async_trait::async_trait;
use skistack_engine::{
    Attribute, CallContext, Created, Map, Property, ProviderError, ReadResult, ResourceType,
    TypeSchema, Value, ValueType,
};

use crate::props::random_id;

/// The `std:Data` resource type.
pub struct Data {
    schema: TypeSchema,
}

impl Data {
    /// The type token.
    pub const TOKEN: &'static str = "std:Data";

    /// The type with its schema.
    pub fn new() -> Data {
        let schema = TypeSchema::new(
            Self::TOKEN,
            "Stores a value in the state and returns it as `output`. Use it to name an \
             intermediate value or to give several resources one thing to depend on.",
        )
        .properties([
            Property::optional("input", ValueType::Any).describe(
                "Any value. It is copied to `output`; changing it updates the resource in place.",
            ),
            Property::optional("triggers", ValueType::Any)
                .force_new()
                .describe("Any value; when it changes the resource is replaced (new id)."),
        ])
        .attributes([Attribute::new("output", ValueType::Any)
            .describe("The value of `input`, known at plan time.")]);
        Data { schema }
    }

    /// The inputs with `output` set to `input`.
    fn mirrored(inputs: &Map) -> Map {
        let mut out = inputs.clone();
        let input = inputs.get("input").cloned().unwrap_or(Value::Null);
        out.insert("output".to_string(), input);
        out
    }
}

impl Default for Data {
    fn default() -> Self {
        Data::new()
    }
}

#[async_trait]
impl ResourceType for Data {
    fn schema(&self) -> &TypeSchema {
        &self.schema
    }

    /// `output` is the new `input`, so it is known before `up` runs.
    fn preview(&self, inputs: &Map, _prior_outputs: Option<&Map>) -> Map {
        Data::mirrored(inputs)
    }

    async fn create(&self, _ctx: &CallContext, inputs: &Map) -> Result<Created, ProviderError> {
        Ok(Created {
            id: random_id(),
            outputs: Data::mirrored(inputs),
        })
    }

    /// The value lives only in the state, so the recorded one is the truth.
    async fn read(
        &self,
        _ctx: &CallContext,
        _id: &str,
        inputs: &Map,
        outputs: &Map,
    ) -> Result<Option<ReadResult>, ProviderError> {
        Ok(Some(ReadResult {
            inputs: inputs.clone(),
            outputs: outputs.clone(),
        }))
    }

    async fn update(
        &self,
        _ctx: &CallContext,
        _id: &str,
        _old_inputs: &Map,
        _old_outputs: &Map,
        new_inputs: &Map,
    ) -> Result<Map, ProviderError> {
        Ok(Data::mirrored(new_inputs))
    }

    async fn delete(
        &self,
        _ctx: &CallContext,
        _id: &str,
        _inputs: &Map,
        _outputs: &Map,
    ) -> Result<(), ProviderError> {
        Ok(())
    }
}
