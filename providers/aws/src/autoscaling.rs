//! Auto Scaling resource types: `aws:autoscaling:Group`.

use std::collections::BTreeSet;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_autoscaling::types::{AutoScalingGroup, LaunchTemplateSpecification};
use skistack_engine::{
    Attribute, Created, Map, Property, ProviderError, ReadResult, TypeSchema, Value, ValueType,
};

use crate::errors::{During, aws_error};
use crate::kit::{AwsResource, Call, Out, created, read_back_with};
use crate::props::{
    Put, changed, list_of_str, object_fields, opt_bool, opt_i32, opt_map, opt_str, put_opt,
    read_back_object, read_back_set, str_of, with_arn,
};
use crate::retry::wait_until;
use crate::shared::Clients;
use crate::tags::{
    self, TagApi, asg_tags, has_identity, put_read_tags, resource_tags, tag_property,
};

/// How long a new group may take to show up in DescribeAutoScalingGroups.
const VISIBLE_TIMEOUT: Duration = Duration::from_secs(2 * 60);
/// How long a force-deleted group may take to terminate its instances.
const DELETE_TIMEOUT: Duration = Duration::from_secs(15 * 60);
/// The launch template version used when none is given.
const LATEST: &str = "$Latest";

/// An auto scaling group, named by the stack. Its id is the name.
#[derive(Default)]
pub(crate) struct Group;

fn launch_template_of(inputs: &Map) -> Result<LaunchTemplateSpecification, ProviderError> {
    let lt = opt_map(inputs, "launch_template")?
        .ok_or_else(|| ProviderError::Invalid("property `launch_template` is required".into()))?;
    let id = opt_str(lt, "id")?;
    let name = opt_str(lt, "name")?;
    if id.is_none() == name.is_none() {
        return Err(ProviderError::Invalid(
            "launch_template needs exactly one of `id` and `name`".into(),
        ));
    }
    Ok(LaunchTemplateSpecification::builder()
        .set_launch_template_id(id.map(str::to_string))
        .set_launch_template_name(name.map(str::to_string))
        .version(opt_str(lt, "version")?.unwrap_or(LATEST))
        .build())
}

/// The subnets as the comma-separated list the API takes.
fn zone_identifier(inputs: &Map) -> Result<String, ProviderError> {
    Ok(list_of_str(inputs, "vpc_zone_identifier")?.join(","))
}

/// The groups named `name` that show up, in any state: none or one.
async fn groups(clients: &Clients, name: &str) -> Result<Vec<AutoScalingGroup>, ProviderError> {
    let out = clients
        .autoscaling
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(name)
        .send()
        .await
        .during(&format!("describe auto scaling group {name}"))?;
    Ok(out.auto_scaling_groups().to_vec())
}

/// The group, or `None` when it does not exist or is being deleted.
async fn describe(
    clients: &Clients,
    name: &str,
) -> Result<Option<AutoScalingGroup>, ProviderError> {
    let all = groups(clients, name).await?;
    Ok(all
        .into_iter()
        .find(|g| g.status().is_none_or(|s| !s.starts_with("Delete"))))
}

/// True when the group no longer shows up at all.
async fn is_deleted(clients: &Clients, name: &str) -> Result<bool, ProviderError> {
    Ok(groups(clients, name).await?.is_empty())
}

/// The group's tags as key/value pairs.
fn group_tags(g: &AutoScalingGroup) -> impl Iterator<Item = (&str, &str)> {
    g.tags()
        .iter()
        .filter_map(|t| Some((t.key()?, t.value().unwrap_or(""))))
}

async fn update_target_groups(
    clients: &Clients,
    name: &str,
    old: &Map,
    new: &Map,
) -> Result<(), ProviderError> {
    let old: BTreeSet<String> = list_of_str(old, "target_group_arns")?.into_iter().collect();
    let new: BTreeSet<String> = list_of_str(new, "target_group_arns")?.into_iter().collect();
    let attach: Vec<String> = new.difference(&old).cloned().collect();
    let detach: Vec<String> = old.difference(&new).cloned().collect();
    if !attach.is_empty() {
        clients
            .autoscaling
            .attach_load_balancer_target_groups()
            .auto_scaling_group_name(name)
            .set_target_group_arns(Some(attach))
            .send()
            .await
            .during(&format!(
                "attach target groups to auto scaling group {name}"
            ))?;
    }
    if !detach.is_empty() {
        clients
            .autoscaling
            .detach_load_balancer_target_groups()
            .auto_scaling_group_name(name)
            .set_target_group_arns(Some(detach))
            .send()
            .await
            .during(&format!(
                "detach target groups from auto scaling group {name}"
            ))?;
    }
    Ok(())
}

#[async_trait]
impl AwsResource for Group {
    const TAGS: Option<TagApi> = Some(tags::AUTOSCALING);

    fn schema() -> TypeSchema {
        let launch_template = ValueType::Object(vec![
            Property::optional("id", ValueType::String)
                .describe("The launch template's id (or give its name)."),
            Property::optional("name", ValueType::String).describe("The launch template's name."),
            Property::optional("version", ValueType::String)
                .default(LATEST)
                .describe("A version number, $Latest or $Default."),
        ]);
        TypeSchema::new("aws:autoscaling:Group", "An EC2 auto scaling group.").complete_reads()
                .properties([
                    Property::required("name", ValueType::String)
                        .force_new()
                        .describe("The group's name, unique in the account and region."),
                    Property::required("min_size", ValueType::Int),
                    Property::required("max_size", ValueType::Int),
                    Property::optional("desired_capacity", ValueType::Int)
                        .describe("Instances to run now; absent starts at min_size and leaves scaling to policies."),
                    Property::required("vpc_zone_identifier", ValueType::list(ValueType::String))
                        .describe("The subnets instances launch in."),
                    Property::required("launch_template", launch_template).describe("What instances to launch."),
                    Property::optional("health_check_type", ValueType::String)
                        .default("EC2")
                        .describe("EC2, or ELB to also replace instances a load balancer finds unhealthy."),
                    Property::optional("health_check_grace_period", ValueType::Int)
                        .default(300)
                        .describe("Seconds before a new instance's health is checked."),
                    Property::optional("protect_from_scale_in", ValueType::Bool)
                        .default(false)
                        .describe("Protect new instances from scale-in (needed by ECS managed termination protection)."),
                    Property::optional("target_group_arns", ValueType::list(ValueType::String))
                        .describe("Load balancer target groups the instances register with."),
                    tag_property().describe(
                    "Tags of the group, propagated to its instances at launch. The stack's \
                     `default_tags` and the identity tags are added.",
                ),
                ])
                .attributes([
                    Attribute::new("arn", ValueType::String),
                ])
                // The name is unique: a replacement must delete the old group first.
                .delete_before_replace()
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let name = str_of(inputs, "name")?;
        let target_groups = list_of_str(inputs, "target_group_arns")?;
        clients
            .autoscaling
            .create_auto_scaling_group()
            .auto_scaling_group_name(name)
            .set_min_size(opt_i32(inputs, "min_size")?)
            .set_max_size(opt_i32(inputs, "max_size")?)
            .set_desired_capacity(opt_i32(inputs, "desired_capacity")?)
            .vpc_zone_identifier(zone_identifier(inputs)?)
            .launch_template(launch_template_of(inputs)?)
            .set_health_check_type(opt_str(inputs, "health_check_type")?.map(str::to_string))
            .set_health_check_grace_period(opt_i32(inputs, "health_check_grace_period")?)
            .set_new_instances_protected_from_scale_in(opt_bool(inputs, "protect_from_scale_in")?)
            .set_target_group_arns((!target_groups.is_empty()).then_some(target_groups))
            .set_tags(Some(asg_tags(name, &resource_tags(ctx, inputs))))
            .send()
            .await
            .during(&format!("create auto scaling group {name}"))?;
        // CreateAutoScalingGroup returns nothing: the ARN comes from the
        // describe that ends the wait, which keeps it here.
        let arn = std::sync::OnceLock::new();
        wait_until(
            &format!("auto scaling group {name} to show up"),
            VISIBLE_TIMEOUT,
            || async {
                let Some(g) = describe(clients, name).await? else {
                    return Ok(false);
                };
                arn.get_or_init(|| g.auto_scaling_group_arn().unwrap_or_default().to_string());
                Ok(true)
            },
        )
        .await?;
        let arn = arn.into_inner().unwrap_or_default();
        Ok(created(name.to_string(), with_arn(inputs, &arn)))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (ctx, clients, id, inputs) = (call.ctx, call.clients, call.id, call.inputs);
        let Some(g) = describe(clients, id).await? else {
            return Ok(None);
        };
        let mut read = Map::new();
        read.insert("name".into(), id.into());
        put_opt(&mut read, "min_size", g.min_size().map(i64::from));
        put_opt(&mut read, "max_size", g.max_size().map(i64::from));
        if inputs.contains_key("desired_capacity") {
            put_opt(
                &mut read,
                "desired_capacity",
                g.desired_capacity().map(i64::from),
            );
        }
        let subnets: Vec<String> = g
            .vpc_zone_identifier()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        read.put(
            "vpc_zone_identifier",
            read_back_set(inputs, "vpc_zone_identifier", subnets)?,
        );
        if let Some(lt) = g.launch_template() {
            let declared = opt_map(inputs, "launch_template")?;
            let mut m = Map::new();
            // The group reports both id and name; the declared one is kept.
            put_opt(&mut m, "id", lt.launch_template_id());
            put_opt(&mut m, "name", lt.launch_template_name());
            put_opt(&mut m, "version", lt.version());
            let fields = object_fields(call.schema, "launch_template");
            read.put(
                "launch_template",
                Value::Map(read_back_object(fields, declared, m)),
            );
        }
        put_opt(&mut read, "health_check_type", g.health_check_type());
        put_opt(
            &mut read,
            "health_check_grace_period",
            g.health_check_grace_period().map(i64::from),
        );
        put_opt(
            &mut read,
            "protect_from_scale_in",
            g.new_instances_protected_from_scale_in(),
        );
        let tgs = g.target_group_arns().to_vec();
        if !tgs.is_empty() || inputs.contains_key("target_group_arns") {
            read.put(
                "target_group_arns",
                read_back_set(inputs, "target_group_arns", tgs)?,
            );
        }
        put_read_tags(&mut read, ctx, inputs, group_tags(&g));
        read_back_with(inputs, read, |all| {
            with_arn(all, g.auto_scaling_group_arn().unwrap_or_default())
        })
    }

    async fn update(&self, call: &Call<'_>, new_inputs: &Map) -> Out<Map> {
        let (clients, id, old_inputs, old_outputs) =
            (call.clients, call.id, call.inputs, call.outputs);
        let diff = |k: &str| changed(old_inputs, new_inputs, k);
        let mut req = clients
            .autoscaling
            .update_auto_scaling_group()
            .auto_scaling_group_name(id);
        let mut any = false;
        if diff("min_size") {
            req = req.set_min_size(opt_i32(new_inputs, "min_size")?);
            any = true;
        }
        if diff("max_size") {
            req = req.set_max_size(opt_i32(new_inputs, "max_size")?);
            any = true;
        }
        if diff("desired_capacity")
            && let Some(d) = opt_i32(new_inputs, "desired_capacity")?
        {
            req = req.desired_capacity(d);
            any = true;
        }
        if diff("vpc_zone_identifier") {
            req = req.vpc_zone_identifier(zone_identifier(new_inputs)?);
            any = true;
        }
        if diff("launch_template") {
            req = req.launch_template(launch_template_of(new_inputs)?);
            any = true;
        }
        if diff("health_check_type") {
            req = req.health_check_type(opt_str(new_inputs, "health_check_type")?.unwrap_or("EC2"));
            any = true;
        }
        if diff("health_check_grace_period") {
            req = req
                .set_health_check_grace_period(opt_i32(new_inputs, "health_check_grace_period")?);
            any = true;
        }
        if diff("protect_from_scale_in") {
            req = req.new_instances_protected_from_scale_in(
                opt_bool(new_inputs, "protect_from_scale_in")?.unwrap_or(false),
            );
            any = true;
        }
        if any {
            req.send()
                .await
                .during(&format!("update auto scaling group {id}"))?;
        }
        if diff("target_group_arns") {
            update_target_groups(clients, id, old_inputs, new_inputs).await?;
        }
        let arn = old_outputs
            .get("arn")
            .and_then(Value::as_str)
            .unwrap_or_default();
        Ok(with_arn(&Map::new(), arn))
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        if is_deleted(clients, id).await? {
            return Ok(());
        }
        // ForceDelete terminates the instances along with the group.
        if let Err(e) = clients
            .autoscaling
            .delete_auto_scaling_group()
            .auto_scaling_group_name(id)
            .force_delete(true)
            .send()
            .await
        {
            // A group gone meanwhile (or already being deleted) is fine.
            if describe(clients, id).await?.is_some() {
                return Err(aws_error(&format!("delete auto scaling group {id}"), e));
            }
        }
        wait_until(
            &format!("auto scaling group {id} to be deleted"),
            DELETE_TIMEOUT,
            || is_deleted(clients, id),
        )
        .await
    }

    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let name = str_of(inputs, "name")?;
        let Some(g) = describe(clients, name).await? else {
            return Ok(Vec::new());
        };
        if !has_identity(ctx, group_tags(&g)) {
            return Ok(Vec::new());
        }
        Ok(vec![created(
            name.to_string(),
            with_arn(inputs, g.auto_scaling_group_arn().unwrap_or_default()),
        )])
    }
}
