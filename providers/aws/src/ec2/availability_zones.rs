//! `aws:ec2:AvailabilityZones`: the region's availability zones.

use std::sync::Arc;

use async_trait::async_trait;
use skistack_engine::{
    Attribute, CallContext, DataSource, Map, Property, ProviderError, TypeSchema, ValueType,
};

use crate::ec2::filter;
use crate::errors::During;
use crate::props::{Put, opt_str, str_list};
use crate::shared::Shared;

/// The availability zones of the stack's region, sorted by name.
pub struct AvailabilityZones {
    shared: Arc<Shared>,
    schema: TypeSchema,
}

impl AvailabilityZones {
    pub(crate) fn new(shared: &Arc<Shared>) -> AvailabilityZones {
        let schema = TypeSchema::new(
            "aws:ec2:AvailabilityZones",
            "The availability zones of the region, sorted by name.",
        )
        .properties([Property::optional("state", ValueType::String)
            .default("available")
            .describe(
                "Only zones in this state: available, information, impaired or unavailable.",
            )])
        .attributes([
            Attribute::new("names", ValueType::list(ValueType::String))
                .describe("Zone names, sorted."),
            Attribute::new("zone_ids", ValueType::list(ValueType::String))
                .describe("Zone ids (use1-az1...), in the order of `names`."),
        ]);
        AvailabilityZones {
            shared: Arc::clone(shared),
            schema,
        }
    }
}

#[async_trait]
impl DataSource for AvailabilityZones {
    fn schema(&self) -> &TypeSchema {
        &self.schema
    }

    async fn invoke(&self, ctx: &CallContext, inputs: &Map) -> Result<Map, ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        let mut req = clients.ec2.describe_availability_zones();
        if let Some(state) = opt_str(inputs, "state")? {
            req = req.filters(filter("state", state));
        }
        let out = req.send().await.during("describe availability zones")?;
        let mut zones: Vec<(String, String)> = out
            .availability_zones()
            .iter()
            .filter_map(|z| {
                Some((
                    z.zone_name()?.to_string(),
                    z.zone_id().unwrap_or_default().to_string(),
                ))
            })
            .collect();
        zones.sort();
        let mut result = inputs.clone();
        result.insert("names".into(), str_list(zones.iter().map(|z| z.0.clone())));
        result.put("zone_ids", str_list(zones.iter().map(|z| z.1.clone())));
        Ok(result)
    }
}
