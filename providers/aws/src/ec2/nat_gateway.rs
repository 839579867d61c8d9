//! `aws:ec2:NatGateway`.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    Address, ConnectivityType, NatGateway as AwsNat, NatGatewayState,
    ResourceType as Ec2ResourceType,
};
use skistack_engine::{
    Attribute, Created, Map, Property, ProviderError, ReadResult, TypeSchema, Value, ValueType,
};

use crate::ec2::{
    described_all, described_if, filter_any, find_identified_with, own_tag_spec, wait_ready,
};
use crate::errors::{OrFailed, gone_ok};
use crate::kit::{AwsResource, Call, Out, created};
use crate::props::{Put, opt_str, read_result, str_of, with_attributes};
use crate::retry::{retry_eventual, wait_until};
use crate::shared::Clients;
use crate::tags::{self, TagApi, put_read_tags, tag_pairs, tag_property};
use crate::token::client_token;

/// How long a NAT gateway may take to become available or to go away
/// (typically one to five minutes).
const WAIT: Duration = Duration::from_secs(15 * 60);

/// A NAT gateway. Create waits until it is available, delete until it is gone.
#[derive(Default)]
pub(crate) struct NatGateway;

fn attributes(nat: &AwsNat) -> Map {
    let addr = nat.nat_gateway_addresses().first();
    let mut attrs = Map::new();
    attrs.put(
        "public_ip",
        addr.and_then(|a| a.public_ip()).unwrap_or_default(),
    );
    attrs.put(
        "private_ip",
        addr.and_then(|a| a.private_ip()).unwrap_or_default(),
    );
    attrs.put(
        "network_interface_id",
        addr.and_then(|a| a.network_interface_id())
            .unwrap_or_default(),
    );
    attrs.insert("vpc_id".into(), nat.vpc_id().unwrap_or_default().into());
    attrs
}

/// The gateway; `None` when AWS no longer knows it or reports it deleted.
async fn describe(clients: &Clients, id: &str) -> Result<Option<AwsNat>, ProviderError> {
    described_if(clients, id, |n: &AwsNat| {
        n.state() != Some(&NatGatewayState::Deleted)
    })
    .await
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
    for a in described_all::<Address>(clients, allocation).await? {
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
    let who = format!("NAT gateway {id}");
    let describe = || describe(clients, id);
    wait_ready(
        &who,
        "to become available",
        WAIT,
        describe,
        |nat: &AwsNat| match nat.state() {
            Some(NatGatewayState::Available) => Ok(true),
            Some(NatGatewayState::Failed) => Err(ProviderError::Failed(format!(
                "NAT gateway {id} failed: {} {}",
                nat.failure_code().unwrap_or_default(),
                nat.failure_message().unwrap_or_default()
            ))),
            _ => Ok(false),
        },
    )
    .await
}

#[async_trait]
impl AwsResource for NatGateway {
    const TAGS: Option<TagApi> = Some(tags::EC2);

    fn schema() -> TypeSchema {
        TypeSchema::new(
            "aws:ec2:NatGateway",
            "A NAT gateway in a public subnet, giving private subnets outbound access.",
        )
        .complete_reads()
        .properties([
            Property::required("subnet_id", ValueType::String).force_new(),
            Property::optional("allocation_id", ValueType::String)
                .force_new()
                .describe("The Elastic IP's allocation id; required for a public gateway."),
            Property::optional("connectivity_type", ValueType::String)
                .default("public")
                .force_new()
                .describe("public or private."),
            tag_property(),
        ])
        .attributes([
            Attribute::new("public_ip", ValueType::String),
            Attribute::new("private_ip", ValueType::String),
            Attribute::new("network_interface_id", ValueType::String),
            Attribute::new("vpc_id", ValueType::String),
        ])
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let subnet = str_of(inputs, "subnet_id")?;
        let allocation = opt_str(inputs, "allocation_id")?;
        let connectivity = opt_str(inputs, "connectivity_type")?.unwrap_or("public");
        let spec = own_tag_spec(call, Ec2ResourceType::Natgateway)?;
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
                    .tag_specifications(spec.clone())
                    .send()
            },
        )
        .await?;
        let id = out
            .nat_gateway()
            .and_then(|n| n.nat_gateway_id())
            .or_failed("create NAT gateway: the response holds no id")?
            .to_string();
        let nat = wait_available(clients, &id).await?;
        Ok(created(id, with_attributes(inputs, attributes(&nat))))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (ctx, clients, id, inputs) = (call.ctx, call.clients, call.id, call.inputs);
        let Some(nat) = describe(clients, id).await? else {
            return Ok(None);
        };
        if nat.state() == Some(&NatGatewayState::Deleting)
            || nat.state() == Some(&NatGatewayState::Failed)
        {
            return Ok(None);
        }
        let mut read = Map::new();
        read.put("subnet_id", nat.subnet_id().unwrap_or_default());
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
        put_read_tags(&mut read, ctx, inputs, tag_pairs(nat.tags()));
        Ok(Some(read_result(inputs, read, attributes(&nat))))
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id, inputs, outputs) = (call.clients, call.id, call.inputs, call.outputs);
        let res = clients
            .ec2
            .delete_nat_gateway()
            .nat_gateway_id(id)
            .send()
            .await;
        gone_ok(&format!("delete NAT gateway {id}"), res)?;
        // Its Elastic IP and subnet stay in use until the gateway is deleted.
        wait_until(&format!("NAT gateway {id} to be deleted"), WAIT, || async {
            Ok(describe(clients, id).await?.is_none())
        })
        .await?;
        if let (Some(allocation), Some(eni)) = (
            opt_str(inputs, "allocation_id")?,
            outputs.get("network_interface_id").and_then(Value::as_str),
        ) {
            release_address(clients, allocation, eni).await?;
        }
        Ok(())
    }

    /// Every NAT gateway carrying the identity tags that is not being
    /// deleted: during a replacement the old one and the new one both do.
    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (clients, inputs) = (call.clients, call.inputs);
        let live = filter_any("state", ["pending", "available"]);
        find_identified_with(call, vec![live], |id, _: AwsNat| async move {
            // As after a create: routes to it need it available.
            let nat = wait_available(clients, &id).await?;
            Ok(with_attributes(inputs, attributes(&nat)))
        })
        .await
    }
}
