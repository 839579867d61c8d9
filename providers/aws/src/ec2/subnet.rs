//! `aws:ec2:Subnet`.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, ResourceType as Ec2ResourceType, Subnet as AwsSubnet,
};
use skistack_engine::{
    Attribute, CallContext, Created, Map, Property, ProviderError, ReadResult, ResourceType,
    TypeSchema, ValueType,
};

use crate::ec2::{identified, identity_filters, tag_pairs, tag_spec, update_tags};
use crate::errors::{aws_error, found, gone_ok_provider};
use crate::props::{changed, opt_bool, opt_str, str_of, updated_outputs, with_attributes};
use crate::retry::retry_eventual;
use crate::shared::{Clients, Shared};
use crate::tags::{read_back_tags, resource_tags, tag_changes, tag_property};

/// A subnet of a VPC in one availability zone.
pub struct Subnet {
    shared: Arc<Shared>,
    schema: TypeSchema,
}

impl Subnet {
    pub(crate) fn new(shared: &Arc<Shared>) -> Subnet {
        let schema = TypeSchema::new(
            "aws:ec2:Subnet",
            "A subnet of a VPC in one availability zone.",
        )
        .property(Property::required("vpc_id", ValueType::String).force_new())
        .property(
            Property::required("cidr_block", ValueType::String)
                .force_new()
                .describe("The IPv4 range, inside the VPC's, e.g. 10.0.1.0/24."),
        )
        .property(
            Property::optional("availability_zone", ValueType::String)
                .force_new()
                .describe("The zone, e.g. us-east-1a; AWS picks one when left out."),
        )
        .property(
            Property::optional("map_public_ip_on_launch", ValueType::Bool)
                .default(false)
                .describe("Whether instances launched here get a public IPv4 address."),
        )
        .property(tag_property())
        .attribute(Attribute::new("arn", ValueType::String))
        .attribute(Attribute::new("availability_zone_id", ValueType::String))
        .attribute(Attribute::new("owner_id", ValueType::String));
        Subnet {
            shared: Arc::clone(shared),
            schema,
        }
    }
}

/// Sets whether instances launched in the subnet get a public address.
async fn set_map_public_ip(clients: &Clients, id: &str, on: bool) -> Result<(), ProviderError> {
    retry_eventual(
        &format!("set map_public_ip_on_launch of subnet {id}"),
        &["InvalidSubnetID.NotFound"],
        || {
            clients
                .ec2
                .modify_subnet_attribute()
                .subnet_id(id)
                .map_public_ip_on_launch(AttributeBooleanValue::builder().value(on).build())
                .send()
        },
    )
    .await
    .map(|_| ())
}

fn attributes(subnet: &AwsSubnet) -> Map {
    let mut attrs = Map::new();
    attrs.insert("arn".into(), subnet.subnet_arn().unwrap_or_default().into());
    attrs.insert(
        "availability_zone_id".into(),
        subnet.availability_zone_id().unwrap_or_default().into(),
    );
    attrs.insert(
        "owner_id".into(),
        subnet.owner_id().unwrap_or_default().into(),
    );
    attrs
}

/// Outputs: the inputs, the zone AWS chose and the computed attributes.
fn outputs(inputs: &Map, subnet: &AwsSubnet) -> Map {
    let mut out = with_attributes(inputs, attributes(subnet));
    if let Some(az) = subnet.availability_zone() {
        out.insert("availability_zone".into(), az.into());
    }
    out
}

#[async_trait]
impl ResourceType for Subnet {
    fn schema(&self) -> &TypeSchema {
        &self.schema
    }

    async fn create(&self, ctx: &CallContext, inputs: &Map) -> Result<Created, ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        let out = clients
            .ec2
            .create_subnet()
            .vpc_id(str_of(inputs, "vpc_id")?)
            .cidr_block(str_of(inputs, "cidr_block")?)
            .set_availability_zone(opt_str(inputs, "availability_zone")?.map(str::to_string))
            .tag_specifications(tag_spec(
                Ec2ResourceType::Subnet,
                &resource_tags(ctx, inputs),
            ))
            .send()
            .await
            .map_err(|e| aws_error("create subnet", e))?;
        let subnet = out.subnet().ok_or_else(|| {
            ProviderError::Failed("create subnet: the response holds no subnet".into())
        })?;
        let id = subnet.subnet_id().unwrap_or_default().to_string();
        if opt_bool(inputs, "map_public_ip_on_launch")?.unwrap_or(false) {
            set_map_public_ip(&clients, &id, true).await?;
        }
        Ok(Created {
            outputs: outputs(inputs, subnet),
            id,
        })
    }

    async fn read(
        &self,
        ctx: &CallContext,
        id: &str,
        inputs: &Map,
        _outputs: &Map,
    ) -> Result<Option<ReadResult>, ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        let res = clients.ec2.describe_subnets().subnet_ids(id).send().await;
        let Some(out) = found(&format!("describe subnet {id}"), res)? else {
            return Ok(None);
        };
        let Some(subnet) = out.subnets().first() else {
            return Ok(None);
        };
        let mut read = Map::new();
        read.insert("vpc_id".into(), subnet.vpc_id().unwrap_or_default().into());
        read.insert(
            "cidr_block".into(),
            subnet.cidr_block().unwrap_or_default().into(),
        );
        if inputs.contains_key("availability_zone") {
            read.insert(
                "availability_zone".into(),
                subnet.availability_zone().unwrap_or_default().into(),
            );
        }
        read.insert(
            "map_public_ip_on_launch".into(),
            subnet.map_public_ip_on_launch().unwrap_or(false).into(),
        );
        if let Some(tags) = read_back_tags(ctx, inputs, tag_pairs(subnet.tags())) {
            read.insert("tags".into(), tags);
        }
        let outputs = outputs(&with_attributes(inputs, read.clone()), subnet);
        Ok(Some(ReadResult {
            inputs: read,
            outputs,
        }))
    }

    async fn update(
        &self,
        ctx: &CallContext,
        id: &str,
        old_inputs: &Map,
        old_outputs: &Map,
        new_inputs: &Map,
    ) -> Result<Map, ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        if changed(old_inputs, new_inputs, "map_public_ip_on_launch") {
            let on = opt_bool(new_inputs, "map_public_ip_on_launch")?.unwrap_or(false);
            set_map_public_ip(&clients, id, on).await?;
        }
        update_tags(&clients.ec2, id, &tag_changes(ctx, old_inputs, new_inputs)).await?;
        let mut out = updated_outputs(&self.schema, new_inputs, old_outputs);
        if let Some(az) = old_outputs.get("availability_zone") {
            out.insert("availability_zone".into(), az.clone());
        }
        Ok(out)
    }

    async fn delete(
        &self,
        ctx: &CallContext,
        id: &str,
        _inputs: &Map,
        _outputs: &Map,
    ) -> Result<(), ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        // Network interfaces of terminated instances and deleted load
        // balancers linger for a while on real AWS and hold the subnet.
        gone_ok_provider(
            retry_eventual(
                &format!("delete subnet {id}"),
                &["DependencyViolation"],
                || clients.ec2.delete_subnet().subnet_id(id).send(),
            )
            .await
            .map(|_| ()),
        )
    }

    async fn find(
        &self,
        ctx: &CallContext,
        inputs: &Map,
    ) -> Result<Option<Created>, ProviderError> {
        Ok(self.find_all(ctx, inputs).await?.into_iter().next())
    }

    /// Every subnet carrying the identity tags: during a replacement the old
    /// one and the new one both do.
    async fn find_all(
        &self,
        ctx: &CallContext,
        inputs: &Map,
    ) -> Result<Vec<Created>, ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        let out = clients
            .ec2
            .describe_subnets()
            .set_filters(Some(identity_filters(ctx)))
            .send()
            .await
            .map_err(|e| aws_error("find subnet by tags", e))?;
        Ok(identified(
            ctx,
            out.subnets(),
            |s| s.tags(),
            |s| s.subnet_id(),
            |s| outputs(inputs, s),
        ))
    }
}
