//! `aws:ec2:Instance`.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    BlockDeviceMapping, EbsBlockDevice, HttpTokensState, IamInstanceProfileSpecification,
    Instance as AwsInstance, InstanceMetadataEndpointState, InstanceMetadataOptionsRequest,
    InstanceNetworkInterfaceSpecification, InstanceStateName, InstanceType,
    ResourceType as Ec2ResourceType, Volume, VolumeType,
};
use skistack_engine::{
    Attribute, Created, Map, Property, ProviderError, ReadResult, TypeSchema, Value, ValueType,
};

use crate::ec2::launch::{
    Metadata, RootDevice, encode_user_data, is_arn, metadata_options_property,
    root_block_device_property, root_device_name,
};
use crate::ec2::{described_if, filter_any, find_identified_with, tag_spec, wait_ready};
use crate::errors::{During, OrFailed, found, gone_ok};
use crate::kit::{AwsResource, Call, Out, created, read_back};
use crate::props::{
    Put, changed, list_of_str, object_fields, opt_bool, opt_map, opt_str, put_opt,
    read_back_object, str_list, str_of, with_attributes,
};
use crate::retry::{retry_eventual, wait_until};
use crate::shared::Clients;
use crate::tags::{self, TagApi, put_read_tags, resource_tags, tag_pairs, tag_property};
use crate::token::client_token;

/// How long an instance may take to start or to terminate.
const WAIT: Duration = Duration::from_secs(10 * 60);

/// Errors of a fresh instance profile not yet visible to EC2 (IAM is
/// eventually consistent); retried only when the instance has a profile.
const PROFILE_NOT_YET_VISIBLE: &[&str] = &[
    "InvalidParameterValue",
    "InvalidIamInstanceProfile.NotFound",
];

/// Errors of a fresh subnet, group or key not yet visible.
const FRESH: &[&str] = &[
    "InvalidSubnetID.NotFound",
    "InvalidGroup.NotFound",
    "InvalidKeyPair.NotFound",
];

/// An EC2 instance. Create waits until it runs; delete terminates it and
/// waits until it is terminated.
#[derive(Default)]
pub(crate) struct Instance;

/// Outputs from an instance as described: the inputs, with the assigned
/// private address and the computed attributes.
fn outputs_of(clients: &Clients, inputs: &Map, inst: &AwsInstance) -> Map {
    let id = inst.instance_id().unwrap_or_default();
    let owner = inst
        .network_interfaces()
        .first()
        .and_then(|n| n.owner_id())
        .unwrap_or_default();
    let mut attrs = Map::new();
    attrs.put("public_ip", inst.public_ip_address().unwrap_or_default());
    attrs.put("public_dns", inst.public_dns_name().unwrap_or_default());
    attrs.put("private_dns", inst.private_dns_name().unwrap_or_default());
    attrs.put("private_ip", inst.private_ip_address().unwrap_or_default());
    attrs.put("arn", clients.arn("ec2", owner, &format!("instance/{id}")));
    attrs.put(
        "availability_zone",
        inst.placement()
            .and_then(|p| p.availability_zone())
            .unwrap_or_default(),
    );
    attrs.put(
        "primary_network_interface_id",
        inst.network_interfaces()
            .first()
            .and_then(|n| n.network_interface_id())
            .unwrap_or_default(),
    );
    with_attributes(inputs, attrs)
}

/// The EBS volume behind the instance's root device; `None` for an instance
/// without one (an instance-store AMI) or whose volume is already gone.
async fn root_volume(clients: &Clients, inst: &AwsInstance) -> Out<Option<Volume>> {
    let root = inst.root_device_name();
    let Some(id) = inst
        .block_device_mappings()
        .iter()
        .find(|m| m.device_name().is_some() && m.device_name() == root)
        .and_then(|m| m.ebs())
        .and_then(|e| e.volume_id())
    else {
        return Ok(None);
    };
    let res = clients.ec2.describe_volumes().volume_ids(id).send().await;
    Ok(found(&format!("describe volume {id}"), res)?.and_then(|o| o.volumes().first().cloned()))
}

/// The instance; `None` when it is gone or terminated.
async fn describe(clients: &Clients, id: &str) -> Result<Option<AwsInstance>, ProviderError> {
    described_if(clients, id, |i: &AwsInstance| {
        i.state().and_then(|s| s.name()) != Some(&InstanceStateName::Terminated)
    })
    .await
}

/// Waits until the instance runs and returns it as described then (with
/// its public address, which RunInstances doesn't report yet).
async fn wait_running(clients: &Clients, id: &str) -> Result<AwsInstance, ProviderError> {
    let who = format!("instance {id}");
    let describe = || describe(clients, id);
    wait_ready(
        &who,
        "to run",
        WAIT,
        describe,
        |inst: &AwsInstance| match inst.state().and_then(|s| s.name()) {
            Some(InstanceStateName::Running) => Ok(true),
            Some(InstanceStateName::Pending) | None => Ok(false),
            Some(other) => {
                let reason = inst
                    .state_reason()
                    .and_then(|r| r.message())
                    .unwrap_or_default();
                Err(ProviderError::Failed(format!(
                    "instance {id} is {} instead of running: {reason}",
                    other.as_str()
                )))
            }
        },
    )
    .await
}

/// The security groups of an instance: those of the instance, or those of
/// its primary network interface where the instance lists none.
fn security_groups(inst: &AwsInstance) -> Vec<&str> {
    let groups: Vec<&str> = inst
        .security_groups()
        .iter()
        .filter_map(|g| g.group_id())
        .collect();
    if !groups.is_empty() {
        return groups;
    }
    inst.network_interfaces()
        .first()
        .map(|n| n.groups().iter().filter_map(|g| g.group_id()).collect())
        .unwrap_or_default()
}

fn metadata_request(m: &Metadata) -> InstanceMetadataOptionsRequest {
    InstanceMetadataOptionsRequest::builder()
        .http_tokens(HttpTokensState::from(m.http_tokens.as_str()))
        .http_endpoint(InstanceMetadataEndpointState::from(
            m.http_endpoint.as_str(),
        ))
        .set_http_put_response_hop_limit(m.hop_limit)
        .build()
}

#[async_trait]
impl AwsResource for Instance {
    const TAGS: Option<TagApi> = Some(tags::EC2);
    /// `private_ip` is an input and an output: unknown until create when
    /// not declared.
    const COMPUTED_INPUTS: &'static [&'static str] = &["private_ip"];

    fn schema() -> TypeSchema {
        TypeSchema::new("aws:ec2:Instance", "An EC2 instance.")
            .complete_reads()
            .properties([
                Property::required("ami", ValueType::String)
                    .force_new()
                    .describe("The AMI id."),
                Property::required("instance_type", ValueType::String)
                    .force_new()
                    .describe(
                        "e.g. t3.micro. A change replaces the instance (changing it \
                            in place needs a stop).",
                    ),
                Property::optional("subnet_id", ValueType::String).force_new(),
                Property::optional("vpc_security_group_ids", ValueType::list(ValueType::String))
                    .holds()
                    .describe("Security groups; changed in place."),
                Property::optional("key_name", ValueType::String).force_new(),
                Property::optional("associate_public_ip_address", ValueType::Bool)
                    .force_new()
                    .describe(
                        "Give the instance a public IPv4 address; the subnet's \
                            setting when left out.",
                    ),
                Property::optional("iam_instance_profile", ValueType::String)
                    .force_new()
                    .describe("An instance profile name or ARN."),
                Property::optional("user_data", ValueType::String)
                    .force_new()
                    .describe(
                        "A script or cloud-init config, as plain text (the provider \
                            encodes it).",
                    ),
                Property::optional("private_ip", ValueType::String)
                    .force_new()
                    .describe(
                        "A fixed private address in the subnet; the output holds the \
                            one assigned.",
                    ),
                root_block_device_property(),
                metadata_options_property(),
                tag_property(),
            ])
            .attributes([
                Attribute::new("public_ip", ValueType::String)
                    .describe("Empty without a public address."),
                Attribute::new("public_dns", ValueType::String),
                Attribute::new("private_dns", ValueType::String),
                Attribute::new("arn", ValueType::String),
                Attribute::new("availability_zone", ValueType::String),
                Attribute::new("primary_network_interface_id", ValueType::String),
            ])
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let ami = str_of(inputs, "ami")?;
        let subnet = opt_str(inputs, "subnet_id")?;
        let groups = list_of_str(inputs, "vpc_security_group_ids")?;
        let public_ip = opt_bool(inputs, "associate_public_ip_address")?;
        let private_ip = opt_str(inputs, "private_ip")?;
        let profile = opt_str(inputs, "iam_instance_profile")?;
        let root = RootDevice::from_inputs(inputs)?;
        let metadata = Metadata::from_inputs(inputs)?;
        let tags = resource_tags(ctx, inputs);
        let root_device = root_device_name(clients, ami).await?;
        let token = client_token(ctx);

        let mut req = clients
            .ec2
            .run_instances()
            .image_id(ami)
            .instance_type(InstanceType::from(str_of(inputs, "instance_type")?))
            .min_count(1)
            .max_count(1)
            .client_token(&token)
            .set_key_name(opt_str(inputs, "key_name")?.map(str::to_string))
            .set_user_data(opt_str(inputs, "user_data")?.map(encode_user_data))
            .metadata_options(metadata_request(&metadata))
            .block_device_mappings(
                BlockDeviceMapping::builder()
                    .device_name(root_device)
                    .ebs(
                        EbsBlockDevice::builder()
                            .set_volume_size(root.volume_size)
                            .set_volume_type(root.volume_type.as_deref().map(VolumeType::from))
                            .encrypted(root.encrypted)
                            .delete_on_termination(true)
                            .build(),
                    )
                    .build(),
            )
            .tag_specifications(tag_spec(Ec2ResourceType::Instance, &tags)?)
            .tag_specifications(tag_spec(Ec2ResourceType::Volume, &tags)?);
        if let Some(p) = profile {
            let spec = IamInstanceProfileSpecification::builder();
            let spec = if is_arn(p) { spec.arn(p) } else { spec.name(p) };
            req = req.iam_instance_profile(spec.build());
        }
        // A public address choice is made on the network interface, and
        // then the subnet, groups and address must be given there too.
        if let Some(public) = public_ip {
            req = req.network_interfaces(
                InstanceNetworkInterfaceSpecification::builder()
                    .device_index(0)
                    .associate_public_ip_address(public)
                    .delete_on_termination(true)
                    .set_subnet_id(subnet.map(str::to_string))
                    .set_groups((!groups.is_empty()).then(|| groups.clone()))
                    .set_private_ip_address(private_ip.map(str::to_string))
                    .build(),
            );
        } else {
            req = req
                .set_subnet_id(subnet.map(str::to_string))
                .set_security_group_ids((!groups.is_empty()).then(|| groups.clone()))
                .set_private_ip_address(private_ip.map(str::to_string));
        }
        let codes: Vec<&str> = FRESH
            .iter()
            .chain(if profile.is_some() {
                PROFILE_NOT_YET_VISIBLE
            } else {
                &[]
            })
            .copied()
            .collect();
        let out = retry_eventual("run instance", &codes, || req.clone().send()).await?;
        let id = out
            .instances()
            .first()
            .and_then(|i| i.instance_id())
            .or_failed("run instance: the response holds no instance")?
            .to_string();
        let inst = wait_running(clients, &id).await?;
        Ok(created(id, outputs_of(clients, inputs, &inst)))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (ctx, clients, id, inputs) = (call.ctx, call.clients, call.id, call.inputs);
        let Some(inst) = describe(clients, id).await? else {
            return Ok(None);
        };
        if inst.state().and_then(|s| s.name()) == Some(&InstanceStateName::ShuttingDown) {
            return Ok(None);
        }
        let mut read = Map::new();
        read.insert("ami".into(), inst.image_id().unwrap_or_default().into());
        if let Some(t) = inst.instance_type() {
            read.insert("instance_type".into(), t.as_str().into());
        }
        if let Some(s) = inst.subnet_id() {
            read.insert("subnet_id".into(), s.into());
        }
        if let Some(k) = inst.key_name() {
            read.insert("key_name".into(), k.into());
        }
        if inputs.contains_key("vpc_security_group_ids") {
            let mut groups = security_groups(&inst);
            // Order doesn't matter to AWS; keep the declared order when the sets match.
            let mut declared = list_of_str(inputs, "vpc_security_group_ids")?;
            declared.sort();
            groups.sort_unstable();
            let value = if declared
                .iter()
                .map(String::as_str)
                .eq(groups.iter().copied())
            {
                inputs
                    .get("vpc_security_group_ids")
                    .cloned()
                    .unwrap_or_default()
            } else {
                str_list(groups)
            };
            read.insert("vpc_security_group_ids".into(), value);
        }
        if let Some(arn) = inst.iam_instance_profile().and_then(|p| p.arn()) {
            // The declaration may name the profile; AWS reports its ARN.
            let declared = opt_str(inputs, "iam_instance_profile")?;
            let same = declared.is_some_and(|d| arn == d || arn.ends_with(&format!("/{d}")));
            let value = match declared {
                Some(d) if same => d.to_string(),
                _ => arn.to_string(),
            };
            read.insert("iam_instance_profile".into(), value.into());
        }
        if let Some(m) = inst.metadata_options() {
            let tokens = m.http_tokens().map(|t| t.as_str());
            let endpoint = m.http_endpoint().map(|e| e.as_str());
            let hop_limit = m.http_put_response_hop_limit();
            let metadata = Metadata::read_back_from(inputs, tokens, endpoint, hop_limit)?;
            put_opt(&mut read, "metadata_options", metadata);
        }
        if inputs.contains_key("associate_public_ip_address") {
            // What the setting decides at launch: whether it has a public address.
            read.put(
                "associate_public_ip_address",
                inst.public_ip_address().is_some(),
            );
        }
        // Only a declared block is read: left out, AWS's choice is no drift,
        // and the read needs no second call.
        if let Some(declared) = opt_map(inputs, "root_block_device")?
            && let Some(volume) = root_volume(clients, &inst).await?
        {
            let fields = object_fields(call.schema, "root_block_device");
            let actual = RootDevice::read_from(&volume);
            let value = read_back_object(fields, Some(declared), actual);
            read.put("root_block_device", Value::Map(value));
        }
        put_read_tags(&mut read, ctx, inputs, tag_pairs(inst.tags()));
        let outputs = outputs_of(clients, &with_attributes(inputs, read.clone()), &inst);
        read_back(read, outputs)
    }

    async fn update(&self, call: &Call<'_>, new_inputs: &Map) -> Out<Map> {
        let (clients, id, old_inputs, old_outputs) =
            (call.clients, call.id, call.inputs, call.outputs);
        if changed(old_inputs, new_inputs, "vpc_security_group_ids") {
            let groups = list_of_str(new_inputs, "vpc_security_group_ids")?;
            if !groups.is_empty() {
                clients
                    .ec2
                    .modify_instance_attribute()
                    .instance_id(id)
                    .set_groups(Some(groups))
                    .send()
                    .await
                    .during(&format!("set the security groups of instance {id}"))?;
            }
        }
        let old_meta = Metadata::from_inputs(old_inputs)?;
        let new_meta = Metadata::from_inputs(new_inputs)?;
        if old_meta != new_meta {
            clients
                .ec2
                .modify_instance_metadata_options()
                .instance_id(id)
                .http_tokens(HttpTokensState::from(new_meta.http_tokens.as_str()))
                .http_endpoint(InstanceMetadataEndpointState::from(
                    new_meta.http_endpoint.as_str(),
                ))
                .set_http_put_response_hop_limit(new_meta.hop_limit)
                .send()
                .await
                .during(&format!("set the metadata options of instance {id}"))?;
        }
        let mut out = Map::new();
        if let Some(ip) = old_outputs.get("private_ip") {
            out.insert("private_ip".into(), ip.clone());
        }
        Ok(out)
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        let res = clients
            .ec2
            .terminate_instances()
            .instance_ids(id)
            .send()
            .await;
        gone_ok(&format!("terminate instance {id}"), res)?;
        // Its network interface holds the subnet and security groups
        // until the instance is terminated.
        wait_until(&format!("instance {id} to terminate"), WAIT, || async {
            Ok(describe(clients, id).await?.is_none())
        })
        .await
    }

    /// Every instance that is not terminated carrying the identity tags:
    /// during a replacement the old one and the new one both do.
    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (clients, inputs) = (call.clients, call.inputs);
        let live = filter_any(
            "instance-state-name",
            ["pending", "running", "stopping", "stopped"],
        );
        find_identified_with(call, vec![live], |id, _: AwsInstance| async move {
            let inst = wait_running(clients, &id).await?;
            Ok(outputs_of(clients, inputs, &inst))
        })
        .await
    }
}
