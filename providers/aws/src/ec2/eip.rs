//! `aws:ec2:Eip`: an Elastic IP address.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_ec2::types::{DomainType, ResourceType as Ec2ResourceType};
use skistack_engine::{
    Attribute, CallContext, Created, Map, Property, ProviderError, ReadResult, ResourceType,
    TypeSchema, ValueType,
};

use crate::ec2::{identified, identity_filters, tag_pairs, tag_spec, update_tags};
use crate::errors::{aws_error, found, gone_ok_provider};
use crate::props::{opt_str, read_result, updated_outputs, with_attributes};
use crate::retry::retry_eventual;
use crate::shared::Shared;
use crate::tags::{read_back_tags, resource_tags, tag_changes, tag_property};

/// Codes of an address still held by a NAT gateway or instance that is
/// going away; AWS frees it a little later.
const STILL_HELD: &[&str] = &[
    "InvalidIPAddress.InUse",
    "AuthFailure",
    "InvalidAddress.Locked",
];

/// An Elastic IP address. Its id is the allocation id.
pub struct Eip {
    shared: Arc<Shared>,
    schema: TypeSchema,
}

impl Eip {
    pub(crate) fn new(shared: &Arc<Shared>) -> Eip {
        let schema = TypeSchema::new(
            "aws:ec2:Eip",
            "An Elastic IP address (for a NAT gateway, say). Delete releases it.",
        )
        .property(
            Property::optional("domain", ValueType::String)
                .default("vpc")
                .force_new()
                .describe("Only \"vpc\" is in use today."),
        )
        .property(tag_property())
        .attribute(Attribute::new("public_ip", ValueType::String))
        .attribute(Attribute::new("allocation_id", ValueType::String));
        Eip {
            shared: Arc::clone(shared),
            schema,
        }
    }
}

fn attributes(allocation_id: &str, public_ip: &str) -> Map {
    let mut attrs = Map::new();
    attrs.insert("public_ip".into(), public_ip.into());
    attrs.insert("allocation_id".into(), allocation_id.into());
    attrs
}

#[async_trait]
impl ResourceType for Eip {
    fn schema(&self) -> &TypeSchema {
        &self.schema
    }

    async fn create(&self, ctx: &CallContext, inputs: &Map) -> Result<Created, ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        let domain = opt_str(inputs, "domain")?.unwrap_or("vpc");
        let out = clients
            .ec2
            .allocate_address()
            .domain(DomainType::from(domain))
            .tag_specifications(tag_spec(
                Ec2ResourceType::ElasticIp,
                &resource_tags(ctx, inputs),
            ))
            .send()
            .await
            .map_err(|e| aws_error("allocate Elastic IP", e))?;
        let id = out.allocation_id().unwrap_or_default().to_string();
        let attrs = attributes(&id, out.public_ip().unwrap_or_default());
        Ok(Created {
            outputs: with_attributes(inputs, attrs),
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
        let res = clients
            .ec2
            .describe_addresses()
            .allocation_ids(id)
            .send()
            .await;
        let Some(out) = found(&format!("describe Elastic IP {id}"), res)? else {
            return Ok(None);
        };
        let Some(addr) = out.addresses().first() else {
            return Ok(None);
        };
        let mut read = Map::new();
        if let Some(d) = addr.domain() {
            read.insert("domain".into(), d.as_str().into());
        }
        if let Some(tags) = read_back_tags(ctx, inputs, tag_pairs(addr.tags())) {
            read.insert("tags".into(), tags);
        }
        let attrs = attributes(id, addr.public_ip().unwrap_or_default());
        Ok(Some(read_result(inputs, read, attrs)))
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
        update_tags(&clients.ec2, id, &tag_changes(ctx, old_inputs, new_inputs)).await?;
        Ok(updated_outputs(&self.schema, new_inputs, old_outputs))
    }

    async fn delete(
        &self,
        ctx: &CallContext,
        id: &str,
        _inputs: &Map,
        _outputs: &Map,
    ) -> Result<(), ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        gone_ok_provider(
            retry_eventual(&format!("release Elastic IP {id}"), STILL_HELD, || {
                clients.ec2.release_address().allocation_id(id).send()
            })
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

    /// Every Elastic IP carrying the identity tags: during a replacement the old
    /// one and the new one both do.
    async fn find_all(
        &self,
        ctx: &CallContext,
        inputs: &Map,
    ) -> Result<Vec<Created>, ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        let out = clients
            .ec2
            .describe_addresses()
            .set_filters(Some(identity_filters(ctx)))
            .send()
            .await
            .map_err(|e| aws_error("find Elastic IP by tags", e))?;
        Ok(identified(
            ctx,
            out.addresses(),
            |addr| addr.tags(),
            |addr| addr.allocation_id(),
            |addr| {
                let id = addr.allocation_id().unwrap_or_default();
                with_attributes(inputs, attributes(id, addr.public_ip().unwrap_or_default()))
            },
        ))
    }
}
