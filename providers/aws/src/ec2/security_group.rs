//! `aws:ec2:SecurityGroup`. Its rules are `aws:ec2:SecurityGroupRule`s.

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    IpPermission, IpRange, ResourceType as Ec2ResourceType, SecurityGroup as AwsSg,
};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use skistack_engine::{
    Attribute, Created, Map, Property, ProviderError, ReadResult, TypeSchema, Value, ValueType,
};

use crate::ec2::{described, identified, identity_filters, own_tag_spec, owned_attributes};
use crate::errors::{During, OrFailed, aws_error, error_code};
use crate::kit::{AwsResource, Call, Out, created};
use crate::props::{Put, changed, opt_bool, read_result, str_of, with_attributes};
use crate::retry::{EVENTUAL_LIMIT, retry_codes, retry_eventual};
use crate::shared::Clients;
use crate::tags::{self, TagApi, put_read_tags, tag_pairs, tag_property};

/// A security group of a VPC.
#[derive(Default)]
pub(crate) struct SecurityGroup;

/// The allow-all egress rule AWS gives a new group.
fn default_egress() -> IpPermission {
    IpPermission::builder()
        .ip_protocol("-1")
        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
        .build()
}

/// Whether the group allows all egress to 0.0.0.0/0: the rule AWS adds to
/// every new group (an identical rule of the stack's own is the same rule in
/// AWS). Its absence is what `revoke_default_egress` did, so a run that died
/// between the create and the revoke reads as not revoked yet.
fn allows_all_egress(sg: &AwsSg) -> bool {
    sg.ip_permissions_egress().iter().any(|p| {
        p.ip_protocol() == Some("-1")
            && p.ip_ranges()
                .iter()
                .any(|r| r.cidr_ip() == Some("0.0.0.0/0"))
    })
}

/// Removes (`allow == false`) or restores the default egress rule; one
/// already removed or present is fine.
async fn set_default_egress(clients: &Clients, id: &str, allow: bool) -> Result<(), ProviderError> {
    const FRESH: &[&str] = &["InvalidGroup.NotFound"];
    let ec2 = &clients.ec2;
    if allow {
        let res = retry_codes(FRESH, EVENTUAL_LIMIT, || {
            let req = ec2.authorize_security_group_egress().group_id(id);
            req.ip_permissions(default_egress()).send()
        })
        .await;
        let action = format!("restore the default egress rule of {id}");
        done_unless(&action, "InvalidPermission.Duplicate", res)
    } else {
        let res = retry_codes(FRESH, EVENTUAL_LIMIT, || {
            let req = ec2.revoke_security_group_egress().group_id(id);
            req.ip_permissions(default_egress()).send()
        })
        .await;
        let action = format!("revoke the default egress rule of {id}");
        done_unless(&action, "InvalidPermission.NotFound", res)
    }
}

/// The outcome of a call whose error with the code `done` means that what
/// it asks for is so already; any other error is that of `action`.
fn done_unless<T, E, R>(action: &str, done: &str, res: Result<T, SdkError<E, R>>) -> Out<()>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    match res {
        Err(e) if error_code(&e) != Some(done) => Err(aws_error(action, e)),
        _ => Ok(()),
    }
}

/// ARN and owner of a group; the ARN is made from them when AWS gives none.
fn attributes(clients: &Clients, id: &str, owner: &str, arn: Option<&str>) -> Map {
    let mut attrs = owned_attributes(clients, "security-group", id, owner);
    if let Some(arn) = arn {
        attrs.put("arn", arn);
    }
    attrs
}

/// ARN and owner of a group as described.
fn group_attributes(clients: &Clients, sg: &AwsSg) -> Map {
    attributes(
        clients,
        sg.group_id().unwrap_or_default(),
        sg.owner_id().unwrap_or_default(),
        sg.security_group_arn(),
    )
}

#[async_trait]
impl AwsResource for SecurityGroup {
    const TAGS: Option<TagApi> = Some(tags::EC2);

    fn schema() -> TypeSchema {
        TypeSchema::new(
            "aws:ec2:SecurityGroup",
            "A security group. Declare its rules as aws:ec2:SecurityGroupRule resources.",
        )
        .complete_reads()
        .properties([
            Property::required("name", ValueType::String)
                .force_new()
                .describe("The group name, unique in the VPC."),
            Property::optional("description", ValueType::String)
                .default("Managed by skistack")
                .force_new(),
            Property::required("vpc_id", ValueType::String).force_new(),
            Property::optional("revoke_default_egress", ValueType::Bool)
                .default(false)
                .describe("Remove the allow-all egress rule AWS adds to every new group."),
            tag_property(),
        ])
        .attributes([
            Attribute::new("arn", ValueType::String),
            Attribute::new("owner_id", ValueType::String),
        ])
        .delete_before_replace()
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (clients, inputs) = (call.clients, call.inputs);
        let name = str_of(inputs, "name")?;
        let out = clients
            .ec2
            .create_security_group()
            .group_name(name)
            .description(str_of(inputs, "description")?)
            .vpc_id(str_of(inputs, "vpc_id")?)
            .tag_specifications(own_tag_spec(call, Ec2ResourceType::SecurityGroup)?)
            .send()
            .await
            .during(&format!("create security group {name}"))?;
        let id = out
            .group_id()
            .or_failed("create security group: the response holds no id")?
            .to_string();
        if opt_bool(inputs, "revoke_default_egress")?.unwrap_or(false) {
            set_default_egress(clients, &id, false).await?;
        }
        // The ARN names the owner; without it (older APIs, emulators) a
        // describe supplies both.
        let owner = out.security_group_arn().and_then(|a| a.split(':').nth(4));
        let attrs = match owner {
            Some(owner) => attributes(clients, &id, owner, out.security_group_arn()),
            None => match described::<AwsSg>(clients, &id).await? {
                Some(sg) => group_attributes(clients, &sg),
                None => attributes(clients, &id, "", None),
            },
        };
        Ok(created(id, with_attributes(inputs, attrs)))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (ctx, clients, id, inputs) = (call.ctx, call.clients, call.id, call.inputs);
        let Some(sg) = described::<AwsSg>(clients, id).await? else {
            return Ok(None);
        };
        let mut read = Map::new();
        read.insert("name".into(), sg.group_name().unwrap_or_default().into());
        read.put("description", sg.description().unwrap_or_default());
        read.insert("vpc_id".into(), sg.vpc_id().unwrap_or_default().into());
        read.insert(
            "revoke_default_egress".into(),
            Value::Bool(!allows_all_egress(&sg)),
        );
        put_read_tags(&mut read, ctx, inputs, tag_pairs(sg.tags()));
        Ok(Some(read_result(
            inputs,
            read,
            group_attributes(clients, &sg),
        )))
    }

    async fn update(&self, call: &Call<'_>, new_inputs: &Map) -> Out<Map> {
        let (clients, id, old_inputs) = (call.clients, call.id, call.inputs);
        if changed(old_inputs, new_inputs, "revoke_default_egress") {
            let revoke = opt_bool(new_inputs, "revoke_default_egress")?.unwrap_or(false);
            set_default_egress(clients, id, !revoke).await?;
        }
        Ok(Map::new())
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        // Network interfaces of terminated instances and deleted load
        // balancers keep using the group for minutes on real AWS.
        let res = retry_eventual(
            &format!("delete security group {id}"),
            &["DependencyViolation", "InvalidGroup.InUse"],
            || clients.ec2.delete_security_group().group_id(id).send(),
        )
        .await;
        res.map(|_| ())
    }

    /// Every security group carrying the identity tags: during a replacement the old
    /// one and the new one both do.
    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let out = clients
            .ec2
            .describe_security_groups()
            .set_filters(Some(identity_filters(ctx)))
            .send()
            .await;
        let out = match out {
            Ok(o) => o,
            Err(e) if error_code(&e).is_some_and(|c| c.starts_with("InvalidGroup")) => {
                return Ok(Vec::new());
            }
            Err(e) => return Err(aws_error("find security group by tags", e)),
        };
        Ok(identified(ctx, out.security_groups(), |sg| {
            with_attributes(inputs, group_attributes(clients, sg))
        }))
    }
}
