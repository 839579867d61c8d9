//! `aws:ec2:Eip`: an Elastic IP address.

use async_trait::async_trait;
use aws_sdk_ec2::types::{Address, DomainType, ResourceType as Ec2ResourceType};
use skistack_engine::{Attribute, Created, Map, Property, ReadResult, TypeSchema, ValueType};

use crate::ec2::{described, find_identified, own_tag_spec};
use crate::errors::During;
use crate::kit::{AwsResource, Call, Out, created};
use crate::props::{opt_str, read_result, with_attributes};
use crate::retry::retry_eventual;
use crate::tags::{self, TagApi, put_read_tags, tag_pairs, tag_property};

/// Codes of an address still held by a NAT gateway or instance that is
/// going away; AWS frees it a little later.
const STILL_HELD: &[&str] = &[
    "InvalidIPAddress.InUse",
    "AuthFailure",
    "InvalidAddress.Locked",
];

/// An Elastic IP address. Its id is the allocation id.
#[derive(Default)]
pub(crate) struct Eip;

fn attributes(allocation_id: &str, public_ip: &str) -> Map {
    let mut attrs = Map::new();
    attrs.insert("public_ip".into(), public_ip.into());
    attrs.insert("allocation_id".into(), allocation_id.into());
    attrs
}

#[async_trait]
impl AwsResource for Eip {
    const NOT_IDEMPOTENT: &'static [&'static str] = &["AllocateAddress"];
    const TAGS: Option<TagApi> = Some(tags::EC2);

    fn schema() -> TypeSchema {
        TypeSchema::new(
            "aws:ec2:Eip",
            "An Elastic IP address (for a NAT gateway, say). Delete releases it.",
        )
        .complete_reads()
        .properties([
            Property::optional("domain", ValueType::String)
                .default("vpc")
                .force_new()
                .describe("Only \"vpc\" is in use today."),
            tag_property(),
        ])
        .attributes([
            Attribute::new("public_ip", ValueType::String),
            Attribute::new("allocation_id", ValueType::String),
        ])
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (clients, inputs) = (call.clients, call.inputs);
        let domain = opt_str(inputs, "domain")?.unwrap_or("vpc");
        let out = clients
            .ec2
            .allocate_address()
            .domain(DomainType::from(domain))
            .tag_specifications(own_tag_spec(call, Ec2ResourceType::ElasticIp)?)
            .send()
            .await
            .during("allocate Elastic IP")?;
        let id = out.allocation_id().unwrap_or_default().to_string();
        let attrs = attributes(&id, out.public_ip().unwrap_or_default());
        Ok(created(id, with_attributes(inputs, attrs)))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (ctx, clients, id, inputs) = (call.ctx, call.clients, call.id, call.inputs);
        let Some(addr) = described::<Address>(clients, id).await? else {
            return Ok(None);
        };
        let mut read = Map::new();
        if let Some(d) = addr.domain() {
            read.insert("domain".into(), d.as_str().into());
        }
        put_read_tags(&mut read, ctx, inputs, tag_pairs(addr.tags()));
        let attrs = attributes(id, addr.public_ip().unwrap_or_default());
        Ok(Some(read_result(inputs, read, attrs)))
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        retry_eventual(&format!("release Elastic IP {id}"), STILL_HELD, || {
            clients.ec2.release_address().allocation_id(id).send()
        })
        .await
        .map(|_| ())
    }

    /// Every Elastic IP carrying the identity tags: during a replacement the old
    /// one and the new one both do.
    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let inputs = call.inputs;
        find_identified(call, |addr: &Address| {
            let id = addr.allocation_id().unwrap_or_default();
            with_attributes(inputs, attributes(id, addr.public_ip().unwrap_or_default()))
        })
        .await
    }
}
