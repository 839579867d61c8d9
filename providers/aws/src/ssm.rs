//! SSM data sources: `aws:ssm:Parameter`, a parameter's current value (AMI
//! ids published under `/aws/service/...`, for one).

use std::sync::Arc;

use async_trait::async_trait;
use skistack_engine::{
    Attribute, CallContext, DataSource, Map, Property, ProviderError, TypeSchema, Value, ValueType,
};

use crate::errors::During;
use crate::props::{Put, str_of};
use crate::shared::Shared;

/// A parameter of the SSM parameter store, read with decryption.
pub struct Parameter {
    shared: Arc<Shared>,
    schema: TypeSchema,
}

impl Parameter {
    pub(crate) fn new(shared: &Arc<Shared>) -> Parameter {
        let schema = TypeSchema::new(
            "aws:ssm:Parameter",
            "Reads an SSM parameter, such as the latest Amazon Linux AMI id.",
        )
        .properties([Property::required("name", ValueType::String).describe(
            "The parameter's name, e.g. /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64.",
        )])
        .attributes([
            Attribute::new("value", ValueType::String)
                .describe("The current value. Secret for SecureString parameters."),
            Attribute::new("version", ValueType::Int),
            Attribute::new("type", ValueType::String)
                .describe("String, StringList or SecureString."),
            Attribute::new("arn", ValueType::String),
        ]);
        Parameter {
            shared: Arc::clone(shared),
            schema,
        }
    }
}

#[async_trait]
impl DataSource for Parameter {
    fn schema(&self) -> &TypeSchema {
        &self.schema
    }

    async fn invoke(&self, ctx: &CallContext, inputs: &Map) -> Result<Map, ProviderError> {
        let name = str_of(inputs, "name")?;
        let clients = self.shared.clients(ctx).await?;
        let out = clients
            .ssm
            .get_parameter()
            .name(name)
            .with_decryption(true)
            .send()
            .await
            .during(&format!("get SSM parameter {name}"))?;
        let p = out
            .parameter()
            .ok_or_else(|| ProviderError::NotFound(format!("SSM parameter {name}")))?;
        let kind = p
            .r#type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default();
        let value = Value::String(p.value().unwrap_or_default().to_string());
        let mut result = inputs.clone();
        result.put(
            "value",
            if kind == "SecureString" {
                Value::secret(value)
            } else {
                value
            },
        );
        result.insert("version".into(), Value::Int(p.version()));
        result.insert("type".into(), Value::String(kind));
        result.put(
            "arn",
            Value::String(p.arn().unwrap_or_default().to_string()),
        );
        Ok(result)
    }
}
