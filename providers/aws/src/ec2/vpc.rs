//! `aws:ec2:Vpc`: a VPC with its DNS attributes. CreateVpc takes no
//! idempotency token, so the type declares it never to be replayed blindly.

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, ResourceType as Ec2ResourceType, Tenancy, Vpc as AwsVpc,
    VpcAttributeName,
};
use skistack_engine::{
    Attribute, Created, Map, Property, ProviderError, ReadResult, TypeSchema, ValueType,
};

use crate::ec2::{described, filter, find_identified_with, owned_attributes, tag_spec};
use crate::errors::{During, OrFailed};
use crate::kit::{AwsResource, Call, Out, created, read_back};
use crate::props::{Put, bool_of, changed, opt_str, str_of, with_attributes};
use crate::retry::retry_eventual;
use crate::shared::Clients;
use crate::tags::{self, TagApi, put_read_tags, resource_tags, tag_pairs, tag_property};

/// Codes of a VPC not yet visible right after its creation.
const FRESH: &[&str] = &["InvalidVpcID.NotFound"];

/// A virtual private cloud.
#[derive(Default)]
pub(crate) struct Vpc;

/// The schema of `aws:ec2:Vpc`.
fn schema() -> TypeSchema {
    TypeSchema::new("aws:ec2:Vpc", "A virtual private cloud.")
        .complete_reads()
        .properties([
            Property::required("cidr_block", ValueType::String)
                .force_new()
                .describe("The IPv4 range, e.g. 10.0.0.0/16."),
            Property::optional("enable_dns_support", ValueType::Bool)
                .default(true)
                .describe("Whether the Amazon DNS server resolves names in the VPC."),
            Property::optional("enable_dns_hostnames", ValueType::Bool)
                .default(false)
                .describe("Whether instances with public addresses get public DNS names."),
            Property::optional("instance_tenancy", ValueType::String)
                .default("default")
                .force_new()
                .describe("default or dedicated."),
            tag_property(),
        ])
        .attributes([
            Attribute::new("arn", ValueType::String),
            Attribute::new("default_security_group_id", ValueType::String),
            Attribute::new("main_route_table_id", ValueType::String),
            Attribute::new("owner_id", ValueType::String),
        ])
}

/// Sets one of the VPC's DNS attributes (ModifyVpcAttribute takes one per call).
async fn set_dns(
    clients: &Clients,
    id: &str,
    attribute: VpcAttributeName,
    on: bool,
) -> Result<(), ProviderError> {
    let value = AttributeBooleanValue::builder().value(on).build();
    let what = format!("set {} of VPC {id}", attribute.as_str());
    retry_eventual(&what, FRESH, || {
        let req = clients.ec2.modify_vpc_attribute().vpc_id(id);
        let req = match attribute {
            VpcAttributeName::EnableDnsHostnames => req.enable_dns_hostnames(value.clone()),
            _ => req.enable_dns_support(value.clone()),
        };
        req.send()
    })
    .await
    .map(|_| ())
}

/// Reads one of the VPC's DNS attributes.
async fn get_dns(
    clients: &Clients,
    id: &str,
    attribute: VpcAttributeName,
) -> Result<Option<bool>, ProviderError> {
    let what = format!("read {} of VPC {id}", attribute.as_str());
    let out = clients
        .ec2
        .describe_vpc_attribute()
        .vpc_id(id)
        .attribute(attribute.clone())
        .send()
        .await
        .during(&what)?;
    let v = match attribute {
        VpcAttributeName::EnableDnsHostnames => out.enable_dns_hostnames(),
        _ => out.enable_dns_support(),
    };
    Ok(v.and_then(AttributeBooleanValue::value))
}

/// The computed attributes of a VPC: its ARN and owner from the VPC itself,
/// and the default security group and main route table AWS made with it.
async fn attributes(clients: &Clients, vpc: &AwsVpc) -> Result<Map, ProviderError> {
    let id = vpc.vpc_id().unwrap_or_default();
    let owner = vpc.owner_id().unwrap_or_default();
    let sgs = retry_eventual(
        &format!("find the default security group of VPC {id}"),
        FRESH,
        || {
            clients
                .ec2
                .describe_security_groups()
                .filters(filter("vpc-id", id))
                .filters(filter("group-name", "default"))
                .send()
        },
    )
    .await?;
    let rts = retry_eventual(
        &format!("find the main route table of VPC {id}"),
        FRESH,
        || {
            clients
                .ec2
                .describe_route_tables()
                .filters(filter("vpc-id", id))
                .filters(filter("association.main", "true"))
                .send()
        },
    )
    .await?;
    let sg = sgs
        .security_groups()
        .first()
        .and_then(|g| g.group_id())
        .unwrap_or_default();
    let rt = rts
        .route_tables()
        .first()
        .and_then(|t| t.route_table_id())
        .unwrap_or_default();
    let mut attrs = owned_attributes(clients, "vpc", id, owner);
    attrs.insert("default_security_group_id".into(), sg.into());
    attrs.insert("main_route_table_id".into(), rt.into());
    Ok(attrs)
}

#[async_trait]
impl AwsResource for Vpc {
    const NOT_IDEMPOTENT: &'static [&'static str] = &["CreateVpc"];
    const TAGS: Option<TagApi> = Some(tags::EC2);

    fn schema() -> TypeSchema {
        schema()
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let cidr = str_of(inputs, "cidr_block")?;
        let tags = resource_tags(ctx, inputs);
        let mut req = clients
            .ec2
            .create_vpc()
            .cidr_block(cidr)
            .tag_specifications(tag_spec(Ec2ResourceType::Vpc, &tags)?);
        if let Some(t) = opt_str(inputs, "instance_tenancy")? {
            req = req.instance_tenancy(Tenancy::from(t));
        }
        let out = req.send().await.during("create VPC")?;
        let vpc = out
            .vpc()
            .or_failed("create VPC: the response holds no VPC")?;
        let id = vpc.vpc_id().unwrap_or_default().to_string();
        // AWS defaults: DNS support on, DNS hostnames off; change only what differs.
        if !bool_of(inputs, "enable_dns_support").unwrap_or(true) {
            set_dns(clients, &id, VpcAttributeName::EnableDnsSupport, false).await?;
        }
        if bool_of(inputs, "enable_dns_hostnames").unwrap_or(false) {
            set_dns(clients, &id, VpcAttributeName::EnableDnsHostnames, true).await?;
        }
        let attrs = attributes(clients, vpc).await?;
        Ok(created(id, with_attributes(inputs, attrs)))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (ctx, clients, id, inputs, outputs) =
            (call.ctx, call.clients, call.id, call.inputs, call.outputs);
        let Some(vpc) = described::<AwsVpc>(clients, id).await? else {
            return Ok(None);
        };
        let mut read = Map::new();
        read.put("cidr_block", vpc.cidr_block().unwrap_or_default());
        if let Some(t) = vpc.instance_tenancy() {
            read.insert("instance_tenancy".into(), t.as_str().into());
        }
        if let Some(v) = get_dns(clients, id, VpcAttributeName::EnableDnsSupport).await? {
            read.insert("enable_dns_support".into(), v.into());
        }
        if let Some(v) = get_dns(clients, id, VpcAttributeName::EnableDnsHostnames).await? {
            read.insert("enable_dns_hostnames".into(), v.into());
        }
        put_read_tags(&mut read, ctx, inputs, tag_pairs(vpc.tags()));
        // The default group and main table were found on create and stay
        // with the VPC: reuse them rather than look them up on every refresh.
        let known = [
            "arn",
            "owner_id",
            "default_security_group_id",
            "main_route_table_id",
        ]
        .iter()
        .all(|k| {
            outputs
                .get(*k)
                .and_then(|v| v.as_str())
                .is_some_and(|s| !s.is_empty())
        });
        let attrs = if known {
            outputs
                .iter()
                .filter(|(k, _)| call.schema.find_attribute(k).is_some())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        } else {
            attributes(clients, &vpc).await?
        };
        let outputs = with_attributes(&with_attributes(inputs, read.clone()), attrs);
        read_back(read, outputs)
    }

    async fn update(&self, call: &Call<'_>, new_inputs: &Map) -> Out<Map> {
        let (clients, id, old_inputs) = (call.clients, call.id, call.inputs);
        // Hostnames need DNS support: turn support on before hostnames and
        // hostnames off before support.
        let support = bool_of(new_inputs, "enable_dns_support").unwrap_or(true);
        let hostnames = bool_of(new_inputs, "enable_dns_hostnames").unwrap_or(false);
        let support_changed = changed(old_inputs, new_inputs, "enable_dns_support");
        let hostnames_changed = changed(old_inputs, new_inputs, "enable_dns_hostnames");
        if support_changed && support {
            set_dns(clients, id, VpcAttributeName::EnableDnsSupport, true).await?;
        }
        if hostnames_changed {
            set_dns(clients, id, VpcAttributeName::EnableDnsHostnames, hostnames).await?;
        }
        if support_changed && !support {
            set_dns(clients, id, VpcAttributeName::EnableDnsSupport, false).await?;
        }
        Ok(Map::new())
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let id = call.id;
        // Network interfaces of deleted load balancers and instances linger
        // for a while on real AWS and hold the VPC.
        retry_eventual(
            &format!("delete VPC {id}"),
            &["DependencyViolation"],
            || call.clients.ec2.delete_vpc().vpc_id(id).send(),
        )
        .await
        .map(|_| ())
    }

    /// Every VPC carrying the identity tags: during a replacement the old
    /// one and the new one both do.
    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (clients, inputs) = (call.clients, call.inputs);
        find_identified_with(call, Vec::new(), |_, vpc: AwsVpc| async move {
            Ok(with_attributes(inputs, attributes(clients, &vpc).await?))
        })
        .await
    }
}
