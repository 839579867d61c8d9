//! `aws:elbv2:LoadBalancer`.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    IpAddressType, LoadBalancer as SdkLoadBalancer, LoadBalancerAttribute, LoadBalancerSchemeEnum,
    LoadBalancerStateEnum, LoadBalancerTypeEnum,
};
use skistack_engine::{
    Attribute, Created, Map, Property, ProviderError, ReadResult, TypeSchema, Value, ValueType,
};

use super::{arn_suffix, is_own, put_tags};
use crate::errors::{During, OrFailed, found};
use crate::kit::{AwsResource, Call, Out, created, read_back_with};
use crate::props::{
    Put, changed, list_of_str, opt_bool, opt_i32, opt_str, put_opt, read_back_set, str_of,
};
use crate::retry::wait_until;
use crate::shared::Clients;
use crate::tags::{self, TagApi, resource_tags, sdk_tags, tag_property};

/// How long a new load balancer may stay provisioning.
const ACTIVE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// How long a deleted load balancer may take to disappear.
const DELETE_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// The attribute behind `idle_timeout`.
const IDLE_TIMEOUT_KEY: &str = "idle_timeout.timeout_seconds";
/// AWS's idle timeout when none is set, in seconds.
const DEFAULT_IDLE_TIMEOUT: i32 = 60;

/// An application (or network) load balancer. Its id is the ARN.
#[derive(Default)]
pub(crate) struct LoadBalancer;

fn is_application(inputs: &Map) -> Result<bool, ProviderError> {
    Ok(
        opt_str(inputs, "load_balancer_type")?
            .is_none_or(|t| t.eq_ignore_ascii_case("application")),
    )
}

fn outputs_of(inputs: &Map, lb: &SdkLoadBalancer) -> Map {
    let arn = lb.load_balancer_arn().unwrap_or_default();
    let mut out = inputs.clone();
    out.insert("arn".into(), arn.into());
    out.insert("arn_suffix".into(), arn_suffix(arn).into());
    out.insert("dns_name".into(), lb.dns_name().unwrap_or_default().into());
    out.put("zone_id", lb.canonical_hosted_zone_id().unwrap_or_default());
    out.insert("vpc_id".into(), lb.vpc_id().unwrap_or_default().into());
    out
}

/// A stub holding the computed attributes of earlier outputs, for updates.
fn from_outputs(outputs: &Map) -> SdkLoadBalancer {
    let get = |k: &str| outputs.get(k).and_then(Value::as_str).map(str::to_string);
    SdkLoadBalancer::builder()
        .set_load_balancer_arn(get("arn"))
        .set_dns_name(get("dns_name"))
        .set_canonical_hosted_zone_id(get("zone_id"))
        .set_vpc_id(get("vpc_id"))
        .build()
}

/// The load balancer by ARN, or `None` when it does not exist.
async fn describe(clients: &Clients, arn: &str) -> Result<Option<SdkLoadBalancer>, ProviderError> {
    let res = clients
        .elbv2
        .describe_load_balancers()
        .load_balancer_arns(arn)
        .send()
        .await;
    Ok(found(&format!("describe load balancer {arn}"), res)?
        .and_then(|out| out.load_balancers().first().cloned()))
}

async fn set_idle_timeout(clients: &Clients, arn: &str, seconds: i32) -> Result<(), ProviderError> {
    clients
        .elbv2
        .modify_load_balancer_attributes()
        .load_balancer_arn(arn)
        .attributes(
            LoadBalancerAttribute::builder()
                .key(IDLE_TIMEOUT_KEY)
                .value(seconds.to_string())
                .build(),
        )
        .send()
        .await
        .map(drop)
        .during(&format!("set idle timeout of load balancer {arn}"))
}

async fn idle_timeout(clients: &Clients, arn: &str) -> Result<Option<i64>, ProviderError> {
    let out = clients
        .elbv2
        .describe_load_balancer_attributes()
        .load_balancer_arn(arn)
        .send()
        .await
        .during(&format!("describe attributes of load balancer {arn}"))?;
    Ok(out
        .attributes()
        .iter()
        .find(|a| a.key() == Some(IDLE_TIMEOUT_KEY))
        .and_then(|a| a.value())
        .and_then(|v| v.parse().ok()))
}

/// Waits until the load balancer is active; a failed one is an error.
async fn wait_active(clients: &Clients, arn: &str) -> Result<(), ProviderError> {
    wait_until(
        &format!("load balancer {arn} to become active"),
        ACTIVE_TIMEOUT,
        || async {
            let lb = describe(clients, arn).await?.ok_or_else(|| {
                ProviderError::NotFound(format!("load balancer {arn} vanished while provisioning"))
            })?;
            match lb.state().and_then(|s| s.code()) {
                Some(LoadBalancerStateEnum::Active) => Ok(true),
                Some(LoadBalancerStateEnum::Failed) => Err(ProviderError::Failed(format!(
                    "load balancer {arn} failed: {}",
                    lb.state()
                        .and_then(|s| s.reason())
                        .unwrap_or("no reason given")
                ))),
                // Emulators may leave the state out: no state is no wait.
                None => Ok(true),
                Some(_) => Ok(false),
            }
        },
    )
    .await
}

/// What a create does after AWS accepted it: the idle timeout (application
/// load balancers only), then waiting until it is active. Both idempotent.
async fn finish_create(clients: &Clients, arn: &str, inputs: &Map) -> Result<(), ProviderError> {
    if let (true, Some(secs)) = (is_application(inputs)?, opt_i32(inputs, "idle_timeout")?)
        && secs != DEFAULT_IDLE_TIMEOUT
    {
        set_idle_timeout(clients, arn, secs).await?;
    }
    wait_active(clients, arn).await
}

async fn delete_lb(clients: &Clients, arn: &str) -> Result<(), ProviderError> {
    let res = clients
        .elbv2
        .delete_load_balancer()
        .load_balancer_arn(arn)
        .send()
        .await;
    if found(&format!("delete load balancer {arn}"), res)?.is_none() {
        return Ok(());
    }
    wait_until(
        &format!("load balancer {arn} to be deleted"),
        DELETE_TIMEOUT,
        || async { Ok(describe(clients, arn).await?.is_none()) },
    )
    .await
}

#[async_trait]
impl AwsResource for LoadBalancer {
    const TAGS: Option<TagApi> = Some(tags::ELBV2);

    fn schema() -> TypeSchema {
        TypeSchema::new(
            "aws:elbv2:LoadBalancer",
            "An ELBv2 (application or network) load balancer.",
        )
        .complete_reads()
        .properties([
            Property::required("name", ValueType::String)
                .force_new()
                .describe("The load balancer's name (up to 32 characters), unique in the region."),
            Property::optional("internal", ValueType::Bool)
                .default(false)
                .force_new()
                .describe("Reachable only from within the VPC."),
            Property::optional("load_balancer_type", ValueType::String)
                .default("application")
                .force_new()
                .describe("application or network."),
            Property::required("subnets", ValueType::list(ValueType::String))
                .describe("Subnets in at least two availability zones."),
            Property::optional("security_groups", ValueType::list(ValueType::String)).holds(),
            Property::optional("ip_address_type", ValueType::String)
                .default("ipv4")
                .describe("ipv4 or dualstack."),
            Property::optional("idle_timeout", ValueType::Int)
                .default(i64::from(DEFAULT_IDLE_TIMEOUT))
                .describe("Seconds a connection may stay idle (application load balancers)."),
            tag_property(),
        ])
        .attributes([
            Attribute::new("arn", ValueType::String),
            Attribute::new("arn_suffix", ValueType::String)
                .describe("The ARN's last part, for CloudWatch metrics."),
            Attribute::new("dns_name", ValueType::String),
            Attribute::new("zone_id", ValueType::String)
                .describe("The Route 53 hosted zone of dns_name."),
            Attribute::new("vpc_id", ValueType::String),
        ])
        // The name is unique: a replacement must delete the old one first.
        .delete_before_replace()
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let name = str_of(inputs, "name")?;
        let internal = opt_bool(inputs, "internal")?.unwrap_or(false);
        let groups = list_of_str(inputs, "security_groups")?;
        let out = clients
            .elbv2
            .create_load_balancer()
            .name(name)
            .set_subnets(Some(list_of_str(inputs, "subnets")?))
            .set_security_groups((!groups.is_empty()).then_some(groups))
            .scheme(if internal {
                LoadBalancerSchemeEnum::Internal
            } else {
                LoadBalancerSchemeEnum::InternetFacing
            })
            .r#type(LoadBalancerTypeEnum::from(
                opt_str(inputs, "load_balancer_type")?.unwrap_or("application"),
            ))
            .set_ip_address_type(opt_str(inputs, "ip_address_type")?.map(IpAddressType::from))
            .set_tags(Some(sdk_tags(&resource_tags(ctx, inputs))?))
            .send()
            .await
            .during(&format!("create load balancer {name}"))?;
        let lb = out.load_balancers().first().cloned().or_failed(&format!(
            "create load balancer {name}: none in the response"
        ))?;
        let arn = lb.load_balancer_arn().unwrap_or_default().to_string();
        let finish = finish_create(clients, &arn, inputs);
        if let Err(e) = finish.await {
            // Undo the create so that a failed create leaves nothing behind.
            let _ = delete_lb(clients, &arn).await;
            return Err(e);
        }
        Ok(created(arn, outputs_of(inputs, &lb)))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (clients, id, inputs) = (call.clients, call.id, call.inputs);
        let Some(lb) = describe(clients, id).await? else {
            return Ok(None);
        };
        let mut read = Map::new();
        put_opt(&mut read, "name", lb.load_balancer_name());
        put_opt(
            &mut read,
            "internal",
            lb.scheme().map(|s| *s == LoadBalancerSchemeEnum::Internal),
        );
        put_opt(
            &mut read,
            "load_balancer_type",
            lb.r#type().map(|t| t.as_str()),
        );
        let subnets = lb
            .availability_zones()
            .iter()
            .filter_map(|z| z.subnet_id().map(str::to_string))
            .collect();
        read.insert("subnets".into(), read_back_set(inputs, "subnets", subnets)?);
        let groups = lb.security_groups().to_vec();
        if !groups.is_empty() || inputs.contains_key("security_groups") {
            read.put(
                "security_groups",
                read_back_set(inputs, "security_groups", groups)?,
            );
        }
        put_opt(
            &mut read,
            "ip_address_type",
            lb.ip_address_type().map(|t| t.as_str()),
        );
        if lb
            .r#type()
            .is_none_or(|t| *t == LoadBalancerTypeEnum::Application)
        {
            // An attribute list without the key (moto's) means the default,
            // which every application load balancer has until it is set.
            let idle = idle_timeout(clients, id).await?;
            read.put("idle_timeout", idle.unwrap_or(DEFAULT_IDLE_TIMEOUT.into()));
        }
        put_tags(&mut read, call, id).await?;
        read_back_with(inputs, read, |all| outputs_of(all, &lb))
    }

    async fn update(&self, call: &Call<'_>, new_inputs: &Map) -> Out<Map> {
        let (clients, id, old_inputs, old_outputs) =
            (call.clients, call.id, call.inputs, call.outputs);
        if changed(old_inputs, new_inputs, "subnets") {
            clients
                .elbv2
                .set_subnets()
                .load_balancer_arn(id)
                .set_subnets(Some(list_of_str(new_inputs, "subnets")?))
                .send()
                .await
                .during(&format!("set subnets of load balancer {id}"))?;
        }
        if changed(old_inputs, new_inputs, "security_groups") {
            clients
                .elbv2
                .set_security_groups()
                .load_balancer_arn(id)
                .set_security_groups(Some(list_of_str(new_inputs, "security_groups")?))
                .send()
                .await
                .during(&format!("set security groups of load balancer {id}"))?;
        }
        if changed(old_inputs, new_inputs, "ip_address_type") {
            clients
                .elbv2
                .set_ip_address_type()
                .load_balancer_arn(id)
                .ip_address_type(IpAddressType::from(
                    opt_str(new_inputs, "ip_address_type")?.unwrap_or("ipv4"),
                ))
                .send()
                .await
                .during(&format!("set IP address type of load balancer {id}"))?;
        }
        if changed(old_inputs, new_inputs, "idle_timeout") && is_application(new_inputs)? {
            let secs = opt_i32(new_inputs, "idle_timeout")?.unwrap_or(DEFAULT_IDLE_TIMEOUT);
            set_idle_timeout(clients, id, secs).await?;
        }
        Ok(outputs_of(new_inputs, &from_outputs(old_outputs)))
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        delete_lb(clients, id).await
    }

    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let name = str_of(inputs, "name")?;
        let res = clients
            .elbv2
            .describe_load_balancers()
            .names(name)
            .send()
            .await;
        let lb = found(&format!("describe load balancer {name}"), res)?
            .and_then(|out| out.load_balancers().first().cloned());
        let Some(lb) = lb else {
            return Ok(Vec::new());
        };
        let arn = lb.load_balancer_arn().unwrap_or_default().to_string();
        if !is_own(ctx, clients, &arn).await? {
            return Ok(Vec::new());
        }
        // The interrupted create may have stopped before finishing.
        finish_create(clients, &arn, inputs).await?;
        Ok(vec![created(arn, outputs_of(inputs, &lb))])
    }
}
