//! `aws:ec2:InternetGateway`, attached to its VPC.

use async_trait::async_trait;
use aws_sdk_ec2::types::{InternetGateway as AwsIgw, ResourceType as Ec2ResourceType};
use skistack_engine::{
    Attribute, Created, Map, Property, ProviderError, ReadResult, TypeSchema, ValueType,
};

use crate::ec2::{described, find_identified, own_tag_spec, owned_attributes};
use crate::errors::{During, OrFailed, aws_error, error_code, gone_ok};
use crate::kit::{AwsResource, Call, Out, created};
use crate::props::{changed, opt_str, read_result, with_attributes};
use crate::retry::{EVENTUAL_LIMIT, retry_codes};
use crate::shared::Clients;
use crate::tags::{self, TagApi, put_read_tags, tag_pairs, tag_property};

/// An internet gateway, attached to `vpc_id` when set.
#[derive(Default)]
pub(crate) struct InternetGateway;

/// Attaches the gateway to `vpc`. One already attached there is done: an
/// attach of an earlier run that landed after it died answers
/// `Resource.AlreadyAssociated`, which counts only when AWS shows the
/// gateway attached to this VPC.
async fn attach(clients: &Clients, id: &str, vpc: &str) -> Result<(), ProviderError> {
    let what = format!("attach internet gateway {id} to {vpc}");
    let res = retry_codes(
        &["InvalidInternetGatewayID.NotFound"],
        EVENTUAL_LIMIT,
        || {
            clients
                .ec2
                .attach_internet_gateway()
                .internet_gateway_id(id)
                .vpc_id(vpc)
                .send()
        },
    )
    .await;
    match res {
        Ok(_) => Ok(()),
        Err(e) if error_code(&e) == Some("Resource.AlreadyAssociated") => {
            let igw = described::<AwsIgw>(clients, id).await?;
            if igw.as_ref().and_then(attached_vpc) == Some(vpc) {
                Ok(())
            } else {
                Err(aws_error(&what, e))
            }
        }
        Err(e) => Err(aws_error(&what, e)),
    }
}

/// Detaches the gateway; one already detached (or gone) is fine.
async fn detach(clients: &Clients, id: &str, vpc: &str) -> Result<(), ProviderError> {
    // Public addresses still mapped in the VPC hold the gateway a while
    // after their instance or NAT gateway is gone.
    let res = retry_codes(&["DependencyViolation"], EVENTUAL_LIMIT, || {
        clients
            .ec2
            .detach_internet_gateway()
            .internet_gateway_id(id)
            .vpc_id(vpc)
            .send()
    })
    .await;
    match res {
        Err(e) if error_code(&e) == Some("Gateway.NotAttached") => Ok(()),
        other => gone_ok(&format!("detach internet gateway {id} from {vpc}"), other),
    }
}

/// The gateway's ARN and owner.
fn attributes(clients: &Clients, igw: &AwsIgw) -> Map {
    let id = igw.internet_gateway_id().unwrap_or_default();
    owned_attributes(
        clients,
        "internet-gateway",
        id,
        igw.owner_id().unwrap_or_default(),
    )
}

/// The VPC the gateway is attached to, if any.
fn attached_vpc(igw: &AwsIgw) -> Option<&str> {
    igw.attachments().first().and_then(|a| a.vpc_id())
}

#[async_trait]
impl AwsResource for InternetGateway {
    const NOT_IDEMPOTENT: &'static [&'static str] = &["CreateInternetGateway"];
    const TAGS: Option<TagApi> = Some(tags::EC2);

    fn schema() -> TypeSchema {
        TypeSchema::new(
            "aws:ec2:InternetGateway",
            "An internet gateway. Attached to `vpc_id` on create, detached before delete; \
                 a new `vpc_id` moves it in place.",
        )
        .properties([
            Property::optional("vpc_id", ValueType::String).describe("The VPC to attach it to."),
            tag_property(),
        ])
        // The read reports the attachment as it is: none when detached.
        .complete_reads()
        .attributes([
            Attribute::new("arn", ValueType::String),
            Attribute::new("owner_id", ValueType::String),
        ])
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (clients, inputs) = (call.clients, call.inputs);
        let out = clients
            .ec2
            .create_internet_gateway()
            .tag_specifications(own_tag_spec(call, Ec2ResourceType::InternetGateway)?)
            .send()
            .await
            .during("create internet gateway")?;
        let igw = out
            .internet_gateway()
            .or_failed("create internet gateway: the response holds no gateway")?;
        let id = igw.internet_gateway_id().unwrap_or_default().to_string();
        if let Some(vpc) = opt_str(inputs, "vpc_id")? {
            attach(clients, &id, vpc).await?;
        }
        Ok(created(
            id,
            with_attributes(inputs, attributes(clients, igw)),
        ))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (ctx, clients, id, inputs) = (call.ctx, call.clients, call.id, call.inputs);
        let Some(igw) = described::<AwsIgw>(clients, id).await? else {
            return Ok(None);
        };
        let mut read = Map::new();
        if let Some(vpc) = attached_vpc(&igw) {
            read.insert("vpc_id".into(), vpc.into());
        }
        put_read_tags(&mut read, ctx, inputs, tag_pairs(igw.tags()));
        let mut result = read_result(inputs, read, attributes(clients, &igw));
        if attached_vpc(&igw).is_none() {
            result.outputs.remove("vpc_id");
        }
        Ok(Some(result))
    }

    async fn update(&self, call: &Call<'_>, new_inputs: &Map) -> Out<Map> {
        let (clients, id, old_inputs) = (call.clients, call.id, call.inputs);
        if changed(old_inputs, new_inputs, "vpc_id") {
            if let Some(old) = opt_str(old_inputs, "vpc_id")? {
                detach(clients, id, old).await?;
            }
            if let Some(new) = opt_str(new_inputs, "vpc_id")? {
                attach(clients, id, new).await?;
            }
        }
        Ok(Map::new())
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        // Detach from whatever VPC AWS says it is attached to, which may
        // differ from the recorded one after drift.
        let found = described::<AwsIgw>(clients, id).await?;
        let vpcs: Vec<String> = found
            .iter()
            .flat_map(|g| g.attachments())
            .filter_map(|a| a.vpc_id().map(str::to_string))
            .collect();
        for vpc in &vpcs {
            detach(clients, id, vpc).await?;
        }
        let res = clients
            .ec2
            .delete_internet_gateway()
            .internet_gateway_id(id)
            .send()
            .await;
        gone_ok(&format!("delete internet gateway {id}"), res)
    }

    /// Every internet gateway carrying the identity tags: during a replacement the old
    /// one and the new one both do.
    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (clients, inputs) = (call.clients, call.inputs);
        find_identified(call, |g: &AwsIgw| {
            with_attributes(inputs, attributes(clients, g))
        })
        .await
    }
}
