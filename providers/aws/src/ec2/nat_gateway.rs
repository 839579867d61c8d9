//! `aws:ec2:NatGateway`.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    ConnectivityType, NatGateway as AwsNat, NatGatewayState, ResourceType as Ec2ResourceType,
};
use skistack_engine::{
    Attribute, CallContext, Created, Map, Property, ProviderError, ReadResult, ResourceType,
    TypeSchema, Value, ValueType,
};

use crate::ec2::{filter_any, identity_filters, tag_pairs, tag_spec, update_tags};
use crate::errors::{aws_error, found, gone_ok};
use crate::props::{opt_str, read_result, str_of, updated_outputs, with_attributes};
use crate::retry::{retry_eventual, wait_until};
use crate::shared::{Clients, Shared};
use crate::tags::{has_identity, read_back_tags, resource_tags, tag_changes, tag_property};
use crate::token::client_token;

/// How long a NAT gateway may take to become available or to go away
/// (typically one to five minutes).
const WAIT: Duration = Duration::from_secs(15 * 60);

/// A NAT gateway. Create waits until it is available, delete until it is gone.
pub struct NatGateway {
    shared: Arc<Shared>,
    schema: TypeSchema,
}

impl NatGateway {
    pub(crate) fn new(shared: &Arc<Shared>) -> NatGateway {
        let schema = TypeSchema::new(
            "aws:ec2:NatGateway",
            "A NAT gateway in a public subnet, giving private subnets outbound access.",
        )
        .property(Property::required("subnet_id", ValueType::String).force_new())
        .property(
            Property::optional("allocation_id", ValueType::String)
                .force_new()
                .describe("The Elastic IP's allocation id; required for a public gateway."),
        )
        .property(
            Property::optional("connectivity_type", ValueType::String)
                .default("public")
                .force_new()
                .describe("public or private."),
        )
        .property(tag_property())
        .attribute(Attribute::new("public_ip", ValueType::String))
        .attribute(Attribute::new("private_ip", ValueType::String))
        .attribute(Attribute::new("network_interface_id", ValueType::String))
        .attribute(Attribute::new("vpc_id", ValueType::String));
        NatGateway {
            shared: Arc::clone(shared),
            schema,
        }
    }
}

fn attributes(nat: &AwsNat) -> Map {
    let addr = nat.nat_gateway_addresses().first();
    let mut attrs = Map::new();
    attrs.insert(
        "public_ip".into(),
        addr.and_then(|a| a.public_ip()).unwrap_or_default().into(),
    );
    attrs.insert(
        "private_ip".into(),
        addr.and_then(|a| a.private_ip()).unwrap_or_default().into(),
    );
    attrs.insert(
        "network_interface_id".into(),
        addr.and_then(|a| a.network_interface_id())
            .unwrap_or_default()
            .into(),
    );
    attrs.insert("vpc_id".into(), nat.vpc_id().unwrap_or_default().into());
    attrs
}

/// The gateway; `None` when AWS no longer knows it or reports it deleted.
async fn describe(clients: &Clients, id: &str) -> Result<Option<AwsNat>, ProviderError> {
    let res = clients
        .ec2
        .describe_nat_gateways()
        .nat_gateway_ids(id)
        .send()
        .await;
    let Some(out) = found(&format!("describe NAT gateway {id}"), res)? else {
        return Ok(None);
    };
    Ok(out
        .nat_gateways()
        .iter()
        .find(|n| n.state() != Some(&NatGatewayState::Deleted))
        .cloned())
}

/// Frees the gateway's Elastic IP if it still names the deleted gateway's
/// interface. AWS frees it with the gateway; an emulator that keeps the
/// association (moto) would refuse the address to the next gateway, which
/// is what an up after an interrupted destroy makes.
async fn release_address(
    clients: &Clients,
    allocation: &str,
    eni: &str,
) -> Result<(), ProviderError> {
    let res = clients
        .ec2
        .describe_addresses()
        .allocation_ids(allocation)
        .send()
        .await;
    let Some(out) = found(&format!("describe Elastic IP {allocation}"), res)? else {
        return Ok(());
    };
    for a in out.addresses() {
        if let (Some(assoc), Some(eni_now)) = (a.association_id(), a.network_interface_id())
            && eni_now == eni
            && !eni.is_empty()
        {
            let res = clients
                .ec2
                .disassociate_address()
                .association_id(assoc)
                .send()
                .await;
            gone_ok(&format!("release Elastic IP {allocation}"), res)?;
        }
    }
    Ok(())
}

/// Waits until the gateway is available and returns it as described then.
async fn wait_available(clients: &Clients, id: &str) -> Result<AwsNat, ProviderError> {
    // The description seen when the wait ends; a mutex because the wait's
    // futures borrow it and create's future must be Send.
    let last = std::sync::Mutex::new(None);
    wait_until(
        &format!("NAT gateway {id} to become available"),
        WAIT,
        || {
            let last = &last;
            async move {
                // A fresh gateway may not be visible yet: keep waiting.
                let Some(nat) = describe(clients, id).await? else {
                    return Ok(false);
                };
                match nat.state() {
                    Some(NatGatewayState::Available) => {
                        if let Ok(mut l) = last.lock() {
                            *l = Some(nat);
                        }
                        Ok(true)
                    }
                    Some(NatGatewayState::Failed) => Err(ProviderError::Failed(format!(
                        "NAT gateway {id} failed: {} {}",
                        nat.failure_code().unwrap_or_default(),
                        nat.failure_message().unwrap_or_default()
                    ))),
                    _ => Ok(false),
                }
            }
        },
    )
    .await?;
    last.into_inner().ok().flatten().ok_or_else(|| {
        ProviderError::Failed(format!(
            "NAT gateway {id}: the wait ended without a description"
        ))
    })
}

#[async_trait]
impl ResourceType for NatGateway {
    fn schema(&self) -> &TypeSchema {
        &self.schema
    }

    async fn create(&self, ctx: &CallContext, inputs: &Map) -> Result<Created, ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        let subnet = str_of(inputs, "subnet_id")?;
        let allocation = opt_str(inputs, "allocation_id")?;
        let connectivity = opt_str(inputs, "connectivity_type")?.unwrap_or("public");
        let tags = resource_tags(ctx, inputs);
        let token = client_token(ctx);
        let out = retry_eventual(
            "create NAT gateway",
            &["InvalidSubnetID.NotFound", "InvalidAllocationID.NotFound"],
            || {
                clients
                    .ec2
                    .create_nat_gateway()
                    .subnet_id(subnet)
                    .set_allocation_id(allocation.map(str::to_string))
                    .connectivity_type(ConnectivityType::from(connectivity))
                    .client_token(&token)
                    .tag_specifications(tag_spec(Ec2ResourceType::Natgateway, &tags))
                    .send()
            },
        )
        .await?;
        let id = out
            .nat_gateway()
            .and_then(|n| n.nat_gateway_id())
            .ok_or_else(|| {
                ProviderError::Failed("create NAT gateway: the response holds no id".into())
            })?
            .to_string();
        let nat = wait_available(&clients, &id).await?;
        Ok(Created {
            outputs: with_attributes(inputs, attributes(&nat)),
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
        let Some(nat) = describe(&clients, id).await? else {
            return Ok(None);
        };
        if nat.state() == Some(&NatGatewayState::Deleting)
            || nat.state() == Some(&NatGatewayState::Failed)
        {
            return Ok(None);
        }
        let mut read = Map::new();
        read.insert(
            "subnet_id".into(),
            nat.subnet_id().unwrap_or_default().into(),
        );
        if let Some(a) = nat
            .nat_gateway_addresses()
            .first()
            .and_then(|a| a.allocation_id())
        {
            read.insert("allocation_id".into(), a.into());
        }
        if let Some(c) = nat.connectivity_type() {
            read.insert("connectivity_type".into(), c.as_str().into());
        }
        if let Some(tags) = read_back_tags(ctx, inputs, tag_pairs(nat.tags())) {
            read.insert("tags".into(), tags);
        }
        Ok(Some(read_result(inputs, read, attributes(&nat))))
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
        inputs: &Map,
        outputs: &Map,
    ) -> Result<(), ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        let res = clients
            .ec2
            .delete_nat_gateway()
            .nat_gateway_id(id)
            .send()
            .await;
        gone_ok(&format!("delete NAT gateway {id}"), res)?;
        // Its Elastic IP and subnet stay in use until the gateway is deleted.
        wait_until(&format!("NAT gateway {id} to be deleted"), WAIT, || async {
            Ok(describe(&clients, id).await?.is_none())
        })
        .await?;
        if let (Some(allocation), Some(eni)) = (
            opt_str(inputs, "allocation_id")?,
            outputs.get("network_interface_id").and_then(Value::as_str),
        ) {
            release_address(&clients, allocation, eni).await?;
        }
        Ok(())
    }

    async fn find(
        &self,
        ctx: &CallContext,
        inputs: &Map,
    ) -> Result<Option<Created>, ProviderError> {
        Ok(self.find_all(ctx, inputs).await?.into_iter().next())
    }

    /// Every NAT gateway carrying the identity tags that is not being
    /// deleted: during a replacement the old one and the new one both do.
    async fn find_all(
        &self,
        ctx: &CallContext,
        inputs: &Map,
    ) -> Result<Vec<Created>, ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        let out = clients
            .ec2
            .describe_nat_gateways()
            .set_filter(Some(identity_filters(ctx)))
            .filter(filter_any("state", ["pending", "available"]))
            .send()
            .await
            .map_err(|e| aws_error("find NAT gateway by tags", e))?;
        let mut found = Vec::new();
        let ours = out
            .nat_gateways()
            .iter()
            .filter(|n| has_identity(ctx, tag_pairs(n.tags())));
        for id in ours.filter_map(|n| n.nat_gateway_id()) {
            // As after a create: routes to it need it available.
            let nat = wait_available(&clients, id).await?;
            found.push(Created {
                id: id.to_string(),
                outputs: with_attributes(inputs, attributes(&nat)),
            });
        }
        Ok(found)
    }
}
