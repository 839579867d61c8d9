//! `aws:ec2:Subnet`.

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, ResourceType as Ec2ResourceType, Subnet as AwsSubnet,
};
use skistack_engine::{
    Attribute, Created, Map, Property, ProviderError, ReadResult, TypeSchema, Value, ValueType,
};

use crate::ec2::{described, find_identified, own_tag_spec};
use crate::errors::{OrFailed, aws_error, error_code};
use crate::kit::{AwsResource, Call, Out, adopt_own, created, read_back};
use crate::props::{Put, changed, opt_bool, opt_str, str_of, with_attributes};
use crate::retry::retry_eventual;
use crate::shared::Clients;
use crate::tags::{self, TagApi, put_read_tags, tag_pairs, tag_property};

/// A subnet of a VPC in one availability zone.
#[derive(Default)]
pub(crate) struct Subnet;

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
    attrs.put(
        "availability_zone_id",
        subnet.availability_zone_id().unwrap_or_default(),
    );
    attrs.put("owner_id", subnet.owner_id().unwrap_or_default());
    attrs
}

/// Outputs: the inputs, the zone AWS chose and the computed attributes.
fn outputs_of(inputs: &Map, subnet: &AwsSubnet) -> Map {
    let mut out = with_attributes(inputs, attributes(subnet));
    if let Some(az) = subnet.availability_zone() {
        out.insert("availability_zone".into(), az.into());
    }
    if let Some(cidr) = subnet.cidr_block() {
        out.insert("cidr_block".into(), cidr.into());
    }
    out
}

#[async_trait]
impl AwsResource for Subnet {
    const NOT_IDEMPOTENT: &'static [&'static str] = &["CreateSubnet"];
    const TAGS: Option<TagApi> = Some(tags::EC2);

    fn schema() -> TypeSchema {
        TypeSchema::new(
            "aws:ec2:Subnet",
            "A subnet of a VPC in one availability zone.",
        )
        .complete_reads()
        .properties([
            Property::required("vpc_id", ValueType::String).force_new(),
            Property::required("cidr_block", ValueType::String)
                .force_new()
                .describe("The IPv4 range, inside the VPC's, e.g. 10.0.1.0/24."),
            Property::optional("availability_zone", ValueType::String)
                .force_new()
                .describe("The zone, e.g. us-east-1a; AWS picks one when left out."),
            Property::optional("map_public_ip_on_launch", ValueType::Bool)
                .default(false)
                .describe("Whether instances launched here get a public IPv4 address."),
            tag_property(),
        ])
        .attributes([
            Attribute::new("arn", ValueType::String),
            Attribute::new("availability_zone_id", ValueType::String),
            Attribute::new("owner_id", ValueType::String),
        ])
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (clients, inputs) = (call.clients, call.inputs);
        let cidr = str_of(inputs, "cidr_block")?;
        let res = clients
            .ec2
            .create_subnet()
            .vpc_id(str_of(inputs, "vpc_id")?)
            .cidr_block(cidr)
            .set_availability_zone(opt_str(inputs, "availability_zone")?.map(str::to_string))
            .tag_specifications(own_tag_spec(call, Ec2ResourceType::Subnet)?)
            .send()
            .await;
        let made = match res {
            Ok(out) => {
                let subnet = out
                    .subnet()
                    .or_failed("create subnet: the response holds no subnet")?;
                let id = subnet.subnet_id().unwrap_or_default().to_string();
                created(id, outputs_of(inputs, subnet))
            }
            // The CIDR is taken: by this instance's own subnet when an earlier
            // run's CreateSubnet landed after that run's lookup. Adopted, and
            // configured below as a new one would be.
            Err(e) if error_code(&e) == Some("InvalidSubnet.Conflict") => {
                let same_cidr =
                    |c: &Created| c.outputs.get("cidr_block") == Some(&Value::from(cidr));
                adopt_own(self, call, same_cidr, aws_error("create subnet", e)).await?
            }
            Err(e) => return Err(aws_error("create subnet", e)),
        };
        if opt_bool(inputs, "map_public_ip_on_launch")?.unwrap_or(false) {
            set_map_public_ip(clients, &made.id, true).await?;
        }
        Ok(made)
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (ctx, clients, id, inputs) = (call.ctx, call.clients, call.id, call.inputs);
        let Some(subnet) = described::<AwsSubnet>(clients, id).await? else {
            return Ok(None);
        };
        let mut read = Map::new();
        read.insert("vpc_id".into(), subnet.vpc_id().unwrap_or_default().into());
        read.put("cidr_block", subnet.cidr_block().unwrap_or_default());
        if inputs.contains_key("availability_zone") {
            read.put(
                "availability_zone",
                subnet.availability_zone().unwrap_or_default(),
            );
        }
        read.put(
            "map_public_ip_on_launch",
            subnet.map_public_ip_on_launch().unwrap_or(false),
        );
        put_read_tags(&mut read, ctx, inputs, tag_pairs(subnet.tags()));
        let outputs = outputs_of(&with_attributes(inputs, read.clone()), &subnet);
        read_back(read, outputs)
    }

    async fn update(&self, call: &Call<'_>, new_inputs: &Map) -> Out<Map> {
        let (id, old_inputs, old_outputs) = (call.id, call.inputs, call.outputs);
        if changed(old_inputs, new_inputs, "map_public_ip_on_launch") {
            let on = opt_bool(new_inputs, "map_public_ip_on_launch")?.unwrap_or(false);
            set_map_public_ip(call.clients, id, on).await?;
        }
        // The zone AWS chose stays.
        let mut out = Map::new();
        if let Some(az) = old_outputs.get("availability_zone") {
            out.insert("availability_zone".into(), az.clone());
        }
        Ok(out)
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        // Network interfaces of terminated instances and deleted load
        // balancers linger for a while on real AWS and hold the subnet.
        retry_eventual(
            &format!("delete subnet {id}"),
            &["DependencyViolation"],
            || clients.ec2.delete_subnet().subnet_id(id).send(),
        )
        .await
        .map(|_| ())
    }

    /// Every subnet carrying the identity tags: during a replacement the old
    /// one and the new one both do.
    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let inputs = call.inputs;
        find_identified(call, |s: &AwsSubnet| outputs_of(inputs, s)).await
    }
}
