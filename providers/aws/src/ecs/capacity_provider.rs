//! `aws:ecs:CapacityProvider`: an auto scaling group as capacity for ECS.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ecs::types::{
    AutoScalingGroupProvider, AutoScalingGroupProviderUpdate,
    CapacityProvider as SdkCapacityProvider, CapacityProviderField, CapacityProviderStatus,
    CapacityProviderUpdateStatus, ManagedDraining, ManagedScaling, ManagedScalingStatus,
    ManagedTerminationProtection,
};
use skistack_engine::{Created, Map, Property, ProviderError, ReadResult, TypeSchema, ValueType};

use super::{create_tags, own_found, put_declared, put_object, read_back_arn, unique_name_schema};
use crate::errors::{During, aws_error};
use crate::kit::{AwsResource, Call, Out, arn_or_id, arn_output, created};
use crate::props::{Put, changed, opt_i32, opt_map, opt_str, put_opt, str_of, with_arn};
use crate::retry::wait_until;
use crate::shared::Clients;
use crate::tags::{self, TagApi};

/// How long a capacity provider may take to finish deleting.
const DELETE_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// A capacity provider backed by an auto scaling group. Its id is the name.
#[derive(Default)]
pub(crate) struct CapacityProvider;

fn managed_scaling_of(inputs: &Map) -> Result<Option<ManagedScaling>, ProviderError> {
    let Some(m) = opt_map(inputs, "managed_scaling")? else {
        return Ok(None);
    };
    Ok(Some(
        ManagedScaling::builder()
            .status(ManagedScalingStatus::from(
                opt_str(m, "status")?.unwrap_or("ENABLED"),
            ))
            .set_target_capacity(opt_i32(m, "target_capacity")?)
            .set_minimum_scaling_step_size(opt_i32(m, "minimum_scaling_step_size")?)
            .set_maximum_scaling_step_size(opt_i32(m, "maximum_scaling_step_size")?)
            .set_instance_warmup_period(opt_i32(m, "instance_warmup_period")?)
            .build(),
    ))
}

/// The managed scaling as AWS has it.
fn managed_scaling_value(s: &ManagedScaling) -> Map {
    let mut m = Map::new();
    put_opt(&mut m, "status", s.status().map(|v| v.as_str()));
    let numbers = [
        ("target_capacity", s.target_capacity()),
        ("minimum_scaling_step_size", s.minimum_scaling_step_size()),
        ("maximum_scaling_step_size", s.maximum_scaling_step_size()),
        ("instance_warmup_period", s.instance_warmup_period()),
    ];
    for (key, n) in numbers {
        put_opt(&mut m, key, n.map(i64::from));
    }
    m
}

/// The capacity provider, or `None` when it does not exist or is deleted.
async fn describe(
    clients: &Clients,
    name: &str,
) -> Result<Option<SdkCapacityProvider>, ProviderError> {
    let out = clients
        .ecs
        .describe_capacity_providers()
        .capacity_providers(name)
        .include(CapacityProviderField::Tags)
        .send()
        .await
        .during(&format!("describe ECS capacity provider {name}"))?;
    Ok(out
        .capacity_providers()
        .iter()
        .find(|p| !is_gone(p))
        .cloned())
}

/// True for a deleted (or finishing deleting) capacity provider.
fn is_gone(p: &SdkCapacityProvider) -> bool {
    p.status() == Some(&CapacityProviderStatus::Inactive)
        || p.update_status() == Some(&CapacityProviderUpdateStatus::DeleteComplete)
}

#[async_trait]
impl AwsResource for CapacityProvider {
    const TAGS: Option<TagApi> = Some(tags::ECS);

    fn schema() -> TypeSchema {
        let managed_scaling = ValueType::Object(vec![
            Property::optional("status", ValueType::String)
                .default("ENABLED")
                .describe("ENABLED lets ECS scale the group; DISABLED leaves it alone."),
            Property::optional("target_capacity", ValueType::Int)
                .describe("The utilization (1-100 %) ECS keeps the group at."),
            Property::optional("minimum_scaling_step_size", ValueType::Int),
            Property::optional("maximum_scaling_step_size", ValueType::Int),
            Property::optional("instance_warmup_period", ValueType::Int)
                .describe("Seconds a new instance takes to count toward capacity."),
        ]);
        let schema = TypeSchema::new(
            "aws:ecs:CapacityProvider",
            "An ECS capacity provider backed by an auto scaling group.",
        )
        .complete_reads()
        .properties([
            Property::required("name", ValueType::String)
                .force_new()
                .describe(
                    "The capacity provider's name, unique in the account and \
                            region.",
                ),
            Property::required("auto_scaling_group_arn", ValueType::String)
                .force_new()
                .describe("The ARN of the auto scaling group."),
            Property::optional("managed_scaling", managed_scaling)
                .describe("How ECS scales the group."),
            Property::optional("managed_termination_protection", ValueType::String)
                .default("DISABLED")
                .describe(
                    "ENABLED keeps instances with tasks from being scaled in \
                            (needs protect_from_scale_in on the group).",
                ),
            Property::optional("managed_draining", ValueType::String)
                .describe("ENABLED drains an instance's tasks before it is terminated."),
        ]);
        unique_name_schema(schema)
    }

    /// Tags address the resource by its ARN.
    fn tag_target(id: &str, outputs: &Map) -> String {
        arn_or_id(id, outputs)
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (clients, inputs) = (call.clients, call.inputs);
        let name = str_of(inputs, "name")?;
        let provider = AutoScalingGroupProvider::builder()
            .auto_scaling_group_arn(str_of(inputs, "auto_scaling_group_arn")?)
            .set_managed_scaling(managed_scaling_of(inputs)?)
            .set_managed_termination_protection(
                opt_str(inputs, "managed_termination_protection")?
                    .map(ManagedTerminationProtection::from),
            )
            .set_managed_draining(opt_str(inputs, "managed_draining")?.map(ManagedDraining::from))
            .build()
            .map_err(|e| ProviderError::Invalid(format!("capacity provider {name}: {e}")))?;
        let out = clients
            .ecs
            .create_capacity_provider()
            .name(name)
            .auto_scaling_group_provider(provider)
            .set_tags(Some(create_tags(call)?))
            .send()
            .await
            .during(&format!("create ECS capacity provider {name}"))?;
        let arn = out
            .capacity_provider()
            .and_then(|p| p.capacity_provider_arn())
            .unwrap_or_default();
        Ok(created(name.to_string(), with_arn(inputs, arn)))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (clients, id, inputs) = (call.clients, call.id, call.inputs);
        let Some(p) = describe(clients, id).await? else {
            return Ok(None);
        };
        let mut read = Map::new();
        read.insert("name".into(), p.name().unwrap_or(id).into());
        if let Some(asg) = p.auto_scaling_group_provider() {
            read.put("auto_scaling_group_arn", asg.auto_scaling_group_arn());
            if let Some(s) = asg.managed_scaling()
                && inputs.contains_key("managed_scaling")
            {
                put_object(call, &mut read, "managed_scaling", managed_scaling_value(s))?;
            }
            put_opt(
                &mut read,
                "managed_termination_protection",
                asg.managed_termination_protection().map(|v| v.as_str()),
            );
            let draining = asg.managed_draining().map(|v| v.as_str());
            put_declared(&mut read, inputs, "managed_draining", draining);
        }
        let arn = p.capacity_provider_arn().unwrap_or_default();
        read_back_arn(call, read, p.tags(), arn)
    }

    async fn update(&self, call: &Call<'_>, new_inputs: &Map) -> Out<Map> {
        let (clients, id, old_inputs, old_outputs) =
            (call.clients, call.id, call.inputs, call.outputs);
        let scaling = changed(old_inputs, new_inputs, "managed_scaling");
        let protection = changed(old_inputs, new_inputs, "managed_termination_protection");
        let draining = changed(old_inputs, new_inputs, "managed_draining");
        if scaling || protection || draining {
            let mut update = AutoScalingGroupProviderUpdate::builder();
            if scaling {
                // No block at all means "let ECS scale" is off.
                let s = managed_scaling_of(new_inputs)?.unwrap_or_else(|| {
                    ManagedScaling::builder()
                        .status(ManagedScalingStatus::Disabled)
                        .build()
                });
                update = update.managed_scaling(s);
            }
            if protection {
                update = update.managed_termination_protection(ManagedTerminationProtection::from(
                    opt_str(new_inputs, "managed_termination_protection")?.unwrap_or("DISABLED"),
                ));
            }
            if draining && let Some(d) = opt_str(new_inputs, "managed_draining")? {
                update = update.managed_draining(ManagedDraining::from(d));
            }
            clients
                .ecs
                .update_capacity_provider()
                .name(id)
                .auto_scaling_group_provider(update.build())
                .send()
                .await
                .during(&format!("update ECS capacity provider {id}"))?;
        }
        Ok(arn_output(id, old_outputs))
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        if describe(clients, id).await?.is_none() {
            return Ok(());
        }
        if let Err(e) = clients
            .ecs
            .delete_capacity_provider()
            .capacity_provider(id)
            .send()
            .await
        {
            // A provider that went away meanwhile is deleted; anything else is
            // a real failure (one still used by a cluster, for instance).
            if describe(clients, id).await?.is_none() {
                return Ok(());
            }
            return Err(aws_error(&format!("delete ECS capacity provider {id}"), e));
        }
        // Deletion is asynchronous: the provider stays DEPROVISIONING for a while.
        wait_until(
            &format!("ECS capacity provider {id} to be deleted"),
            DELETE_TIMEOUT,
            || async {
                match describe(clients, id).await? {
                    None => Ok(true),
                    Some(p)
                        if p.update_status()
                            == Some(&CapacityProviderUpdateStatus::DeleteFailed) =>
                    {
                        Err(ProviderError::Failed(format!(
                            "delete ECS capacity provider {id}: {}",
                            p.update_status_reason().unwrap_or("DELETE_FAILED")
                        )))
                    }
                    Some(_) => Ok(false),
                }
            },
        )
        .await
    }

    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let name = str_of(call.inputs, "name")?;
        let Some(p) = describe(call.clients, name).await? else {
            return Ok(Vec::new());
        };
        let arn = p.capacity_provider_arn().unwrap_or_default();
        Ok(own_found(call, name, arn, p.tags()))
    }
}
