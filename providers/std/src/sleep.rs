//! `std:Sleep`: waits on create and on delete, to give eventually consistent
//! APIs time to catch up between two resources.

use std::time::Duration;

use async_trait::async_trait;
use skistack_engine::{
    CallContext, Created, Map, Property, ProviderError, ReadResult, ResourceType, TypeSchema,
    ValueType,
};

use crate::props::{opt_duration, random_id};

const CREATE_DURATION: &str = "create_duration";
const DESTROY_DURATION: &str = "destroy_duration";

/// The `std:Sleep` resource type.
pub struct Sleep {
    schema: TypeSchema,
}

impl Sleep {
    /// The type token.
    pub const TOKEN: &'static str = "std:Sleep";

    /// The type with its schema.
    pub fn new() -> Sleep {
        let schema = TypeSchema::new(
            Self::TOKEN,
            "Waits for a while when it is created and when it is deleted. Make a resource \
             depend on it to delay that resource's creation after another one's.",
        )
        .properties([
            Property::optional(CREATE_DURATION, ValueType::Duration).describe(
                "How long to wait when the resource is created, e.g. \"30s\". No wait when left out.",
            ),
            Property::optional(DESTROY_DURATION, ValueType::Duration).describe(
                "How long to wait when the resource is deleted, e.g. \"10s\". No wait when left out.",
            ),
            Property::optional("triggers", ValueType::Any).force_new().describe(
                "Any value; when it changes the resource is replaced, so the wait happens again.",
            ),
        ]);
        Sleep { schema }
    }

    /// Both durations, so a bad `destroy_duration` is reported when it is
    /// declared rather than when the stack is torn down.
    fn durations(inputs: &Map) -> Result<(Option<Duration>, Option<Duration>), ProviderError> {
        Ok((
            opt_duration(inputs, CREATE_DURATION)?,
            opt_duration(inputs, DESTROY_DURATION)?,
        ))
    }
}

impl Default for Sleep {
    fn default() -> Self {
        Sleep::new()
    }
}

#[async_trait]
impl ResourceType for Sleep {
    fn schema(&self) -> &TypeSchema {
        &self.schema
    }

    async fn create(&self, _ctx: &CallContext, inputs: &Map) -> Result<Created, ProviderError> {
        let (create, _) = Sleep::durations(inputs)?;
        if let Some(d) = create {
            tokio::time::sleep(d).await;
        }
        Ok(Created {
            id: random_id(),
            outputs: inputs.clone(),
        })
    }

    /// A sleep exists only in the state.
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

    /// Only durations can change in place; the new ones apply to the next
    /// wait, so nothing waits now.
    async fn update(
        &self,
        _ctx: &CallContext,
        _id: &str,
        _old_inputs: &Map,
        _old_outputs: &Map,
        new_inputs: &Map,
    ) -> Result<Map, ProviderError> {
        Sleep::durations(new_inputs)?;
        Ok(new_inputs.clone())
    }

    async fn delete(
        &self,
        _ctx: &CallContext,
        _id: &str,
        inputs: &Map,
        _outputs: &Map,
    ) -> Result<(), ProviderError> {
        if let Some(d) = opt_duration(inputs, DESTROY_DURATION)? {
            tokio::time::sleep(d).await;
        }
        Ok(())
    }
}
