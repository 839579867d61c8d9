//! `aws:ec2:LaunchTemplate`: instance settings for auto scaling groups and
//! ECS capacity providers. An update makes a new version and makes it the
//! default.

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    InstanceType, LaunchTemplate as AwsTemplate, LaunchTemplateBlockDeviceMappingRequest,
    LaunchTemplateEbsBlockDeviceRequest, LaunchTemplateHttpTokensState,
    LaunchTemplateIamInstanceProfileSpecificationRequest,
    LaunchTemplateInstanceMetadataEndpointState, LaunchTemplateInstanceMetadataOptionsRequest,
    LaunchTemplateInstanceNetworkInterfaceSpecificationRequest,
    LaunchTemplateTagSpecificationRequest, LaunchTemplateVersion, RequestLaunchTemplateData,
    ResourceType as Ec2ResourceType, Tag, VolumeType,
};
use base64::Engine;
use skistack_engine::{
    Attribute, Created, Map, Property, ProviderError, ReadResult, TypeSchema, Value, ValueType,
};

use crate::ec2::launch::{Metadata, encode_user_data, is_arn, metadata_options_property};
use crate::ec2::{described, own_tag_spec};
use crate::errors::{During, OrFailed, found, gone_ok};
use crate::kit::{AwsResource, Call, Out, created};
use crate::props::{
    Put, list_of_maps, list_of_str, opt_bool, opt_i32, opt_str, read_result, str_list, str_of,
    with_attributes,
};
use crate::retry::retry_eventual;
use crate::shared::Clients;
use crate::tags::{
    self, TagApi, has_identity, put_read_tags, resource_tags, sdk_tags, tag_pairs, tag_property,
};
use crate::token::client_token;

/// Errors of a fresh instance profile, group or key not yet visible.
const FRESH: &[&str] = &["InvalidGroup.NotFound", "InvalidKeyPair.NotFound"];

/// A launch template. Its id is the launch template id (`lt-...`).
#[derive(Default)]
pub(crate) struct LaunchTemplate;

/// The template's data from the inputs: what each version holds.
fn template_data(
    ctx: &skistack_engine::CallContext,
    inputs: &Map,
) -> Result<RequestLaunchTemplateData, ProviderError> {
    let metadata = Metadata::from_inputs(inputs)?;
    let tags: Vec<Tag> = sdk_tags(&resource_tags(ctx, inputs))?;
    let mut data = RequestLaunchTemplateData::builder()
        .set_image_id(opt_str(inputs, "image_id")?.map(str::to_string))
        .set_instance_type(opt_str(inputs, "instance_type")?.map(InstanceType::from))
        .set_key_name(opt_str(inputs, "key_name")?.map(str::to_string))
        .set_user_data(opt_str(inputs, "user_data")?.map(encode_user_data))
        .metadata_options(
            LaunchTemplateInstanceMetadataOptionsRequest::builder()
                .http_tokens(LaunchTemplateHttpTokensState::from(
                    metadata.http_tokens.as_str(),
                ))
                .http_endpoint(LaunchTemplateInstanceMetadataEndpointState::from(
                    metadata.http_endpoint.as_str(),
                ))
                .set_http_put_response_hop_limit(metadata.hop_limit)
                .build(),
        )
        // Instances and their volumes carry the stack's tags too.
        .tag_specifications(
            LaunchTemplateTagSpecificationRequest::builder()
                .resource_type(Ec2ResourceType::Instance)
                .set_tags(Some(tags.clone()))
                .build(),
        )
        .tag_specifications(
            LaunchTemplateTagSpecificationRequest::builder()
                .resource_type(Ec2ResourceType::Volume)
                .set_tags(Some(tags))
                .build(),
        );
    if let Some(p) = opt_str(inputs, "iam_instance_profile")? {
        let spec = LaunchTemplateIamInstanceProfileSpecificationRequest::builder();
        let spec = if is_arn(p) { spec.arn(p) } else { spec.name(p) };
        data = data.iam_instance_profile(spec.build());
    }
    // The public address choice lives on the network interface, and then
    // the security groups must be given there too.
    let groups = list_of_str(inputs, "security_group_ids")?;
    data = data.network_interfaces(
        LaunchTemplateInstanceNetworkInterfaceSpecificationRequest::builder()
            .device_index(0)
            .associate_public_ip_address(
                opt_bool(inputs, "associate_public_ip_address")?.unwrap_or(false),
            )
            .delete_on_termination(true)
            .set_groups((!groups.is_empty()).then_some(groups))
            .build(),
    );
    for bd in list_of_maps(inputs, "block_device_mappings")? {
        data = data.block_device_mappings(
            LaunchTemplateBlockDeviceMappingRequest::builder()
                .device_name(str_of(bd, "device_name")?)
                .ebs(
                    LaunchTemplateEbsBlockDeviceRequest::builder()
                        .set_volume_size(opt_i32(bd, "volume_size")?)
                        .set_volume_type(opt_str(bd, "volume_type")?.map(VolumeType::from))
                        .encrypted(opt_bool(bd, "encrypted")?.unwrap_or(true))
                        .delete_on_termination(
                            opt_bool(bd, "delete_on_termination")?.unwrap_or(true),
                        )
                        .build(),
                )
                .build(),
        );
    }
    Ok(data.build())
}

/// The template's attributes: its ARN (which names the account) and its
/// latest and default version numbers.
async fn attributes(call: &Call<'_>, lt: &AwsTemplate) -> Out<Map> {
    let id = lt.launch_template_id().unwrap_or_default();
    let account = call.shared.account(call.clients).await?;
    let arn = call
        .clients
        .arn("ec2", &account, &format!("launch-template/{id}"));
    let mut attrs = Map::new();
    attrs.insert("arn".into(), arn.into());
    let version = |v: Option<i64>| Value::Int(v.unwrap_or(1));
    attrs.insert("latest_version".into(), version(lt.latest_version_number()));
    attrs.insert(
        "default_version".into(),
        version(lt.default_version_number()),
    );
    Ok(attrs)
}

/// The template's default version.
async fn default_version(
    clients: &Clients,
    id: &str,
) -> Result<Option<LaunchTemplateVersion>, ProviderError> {
    let res = clients
        .ec2
        .describe_launch_template_versions()
        .launch_template_id(id)
        .versions("$Default")
        .send()
        .await;
    let out = found(
        &format!("describe the default version of launch template {id}"),
        res,
    )?;
    Ok(out.and_then(|o| o.launch_template_versions().first().cloned()))
}

/// The declared properties as the default version has them.
fn read_data(inputs: &Map, version: &LaunchTemplateVersion) -> Result<Map, ProviderError> {
    let mut read = Map::new();
    let Some(data) = version.launch_template_data() else {
        return Ok(read);
    };
    let mut put = |key: &str, v: Option<Value>| {
        if let Some(v) = v {
            read.insert(key.to_string(), v);
        }
    };
    put("image_id", data.image_id().map(Value::from));
    put(
        "instance_type",
        data.instance_type().map(|t| Value::from(t.as_str())),
    );
    put("key_name", data.key_name().map(Value::from));
    put(
        "user_data",
        data.user_data()
            .and_then(|u| base64::engine::general_purpose::STANDARD.decode(u).ok())
            .map(|b| Value::from(String::from_utf8_lossy(&b).into_owned())),
    );
    if let Some(p) = data.iam_instance_profile() {
        // The declaration may name the profile where AWS has its ARN, or the reverse.
        let declared = opt_str(inputs, "iam_instance_profile")?.filter(|d| {
            p.name() == Some(*d)
                || p.arn()
                    .is_some_and(|a| a == *d || a.ends_with(&format!("/{d}")))
        });
        put(
            "iam_instance_profile",
            declared.or(p.name()).or(p.arn()).map(Value::from),
        );
    }
    if let Some(ni) = data.network_interfaces().first() {
        if !ni.groups().is_empty() {
            put(
                "security_group_ids",
                Some(str_list(ni.groups().iter().cloned())),
            );
        }
        put(
            "associate_public_ip_address",
            ni.associate_public_ip_address().map(Value::from),
        );
    } else if !data.security_group_ids().is_empty() {
        put(
            "security_group_ids",
            Some(str_list(data.security_group_ids().iter().cloned())),
        );
    }
    if let Some(m) = data.metadata_options() {
        let tokens = m.http_tokens().map(|t| t.as_str());
        let endpoint = m.http_endpoint().map(|e| e.as_str());
        let hop_limit = m.http_put_response_hop_limit();
        let metadata = Metadata::read_back_from(inputs, tokens, endpoint, hop_limit)?;
        put("metadata_options", metadata);
    }
    // Only what was declared is compared; AWS fills in the rest.
    read.retain(|k, _| inputs.contains_key(k));
    Ok(read)
}

#[async_trait]
impl AwsResource for LaunchTemplate {
    const TAGS: Option<TagApi> = Some(tags::EC2);

    fn schema() -> TypeSchema {
        let block_device = ValueType::Object(vec![
            Property::required("device_name", ValueType::String).describe("e.g. /dev/xvda"),
            Property::optional("volume_size", ValueType::Int).describe("GiB"),
            Property::optional("volume_type", ValueType::String).describe("gp3, gp2..."),
            Property::optional("encrypted", ValueType::Bool).default(true),
            Property::optional("delete_on_termination", ValueType::Bool).default(true),
        ]);
        TypeSchema::new(
            "aws:ec2:LaunchTemplate",
            "Instance settings for auto scaling groups. A change makes a \
                    new version, which becomes the default.",
        )
        .complete_reads()
        .properties([
            Property::required("name", ValueType::String)
                .force_new()
                .describe("The template's name, unique in the region."),
            Property::optional("image_id", ValueType::String).describe("The AMI id."),
            Property::optional("instance_type", ValueType::String),
            Property::optional("key_name", ValueType::String),
            Property::optional("iam_instance_profile", ValueType::String)
                .describe("An instance profile name or ARN."),
            Property::optional("security_group_ids", ValueType::list(ValueType::String)),
            Property::optional("user_data", ValueType::String).describe(
                "A script or cloud-init config, as plain text (the provider \
                        encodes it).",
            ),
            Property::optional("associate_public_ip_address", ValueType::Bool)
                .default(false)
                .describe("Give instances a public IPv4 address."),
            metadata_options_property(),
            Property::optional("block_device_mappings", ValueType::list(block_device))
                .describe("Volumes; encrypted unless `encrypted = false`."),
            tag_property().describe(
                "Tags of the template and of the instances and volumes launched from it. \
                 The stack's `default_tags` and the identity tags are added.",
            ),
        ])
        .attributes([
            Attribute::new("arn", ValueType::String),
            Attribute::new("latest_version", ValueType::Int),
            Attribute::new("default_version", ValueType::Int),
        ])
        .delete_before_replace()
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let name = str_of(inputs, "name")?;
        let data = template_data(ctx, inputs)?;
        let spec = own_tag_spec(call, Ec2ResourceType::LaunchTemplate)?;
        let token = client_token(ctx);
        let out = retry_eventual(&format!("create launch template {name}"), FRESH, || {
            clients
                .ec2
                .create_launch_template()
                .launch_template_name(name)
                .launch_template_data(data.clone())
                .client_token(&token)
                .tag_specifications(spec.clone())
                .send()
        })
        .await?;
        let lt = out
            .launch_template()
            .or_failed("create launch template: the response holds no template")?;
        let id = lt.launch_template_id().unwrap_or_default();
        let attrs = attributes(call, lt).await?;
        Ok(created(id, with_attributes(inputs, attrs)))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (ctx, clients, id, inputs) = (call.ctx, call.clients, call.id, call.inputs);
        let Some(lt) = described::<AwsTemplate>(clients, id).await? else {
            return Ok(None);
        };
        let mut read = match default_version(clients, id).await? {
            Some(v) => read_data(inputs, &v)?,
            None => Map::new(),
        };
        read.put("name", lt.launch_template_name().unwrap_or_default());
        put_read_tags(&mut read, ctx, inputs, tag_pairs(lt.tags()));
        let attrs = attributes(call, &lt).await?;
        Ok(Some(read_result(inputs, read, attrs)))
    }

    async fn update(&self, call: &Call<'_>, new_inputs: &Map) -> Out<Map> {
        let (ctx, clients, id, old_inputs) = (call.ctx, call.clients, call.id, call.inputs);
        let mut out = Map::new();
        let old_data = template_data(ctx, old_inputs)?;
        let new_data = template_data(ctx, new_inputs)?;
        if old_data != new_data {
            let token = client_token(ctx);
            let created = clients
                .ec2
                .create_launch_template_version()
                .launch_template_id(id)
                .launch_template_data(new_data)
                .client_token(&token)
                .send()
                .await
                .during(&format!("create a version of launch template {id}"))?;
            let version = created
                .launch_template_version()
                .and_then(|v| v.version_number())
                .or_failed(&format!(
                    "create a version of launch template {id}: no version number"
                ))?;
            clients
                .ec2
                .modify_launch_template()
                .launch_template_id(id)
                .default_version(version.to_string())
                .send()
                .await
                .during(&format!(
                    "make version {version} the default of launch template {id}"
                ))?;
            out.insert("latest_version".into(), Value::Int(version));
            out.insert("default_version".into(), Value::Int(version));
        }
        Ok(out)
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        let res = clients
            .ec2
            .delete_launch_template()
            .launch_template_id(id)
            .send()
            .await;
        gone_ok(&format!("delete launch template {id}"), res)
    }

    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (clients, inputs) = (call.clients, call.inputs);
        let name = str_of(inputs, "name")?;
        let res = clients
            .ec2
            .describe_launch_templates()
            .launch_template_names(name)
            .send()
            .await;
        let Some(out) = found(&format!("find launch template {name}"), res)? else {
            return Ok(Vec::new());
        };
        // The name is unique in the region, but a template of that name
        // without this instance's identity tags is someone else's.
        let own = |lt: &&AwsTemplate| has_identity(call.ctx, tag_pairs(lt.tags()));
        let Some(lt) = out.launch_templates().first().filter(own) else {
            return Ok(Vec::new());
        };
        let id = lt.launch_template_id().unwrap_or_default();
        let attrs = attributes(call, lt).await?;
        Ok(vec![created(id, with_attributes(inputs, attrs))])
    }
}
