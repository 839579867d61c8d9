//! `aws:elbv2:TargetGroup`.

use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::operation::create_target_group::builders::CreateTargetGroupFluentBuilder;
use aws_sdk_elasticloadbalancingv2::operation::modify_target_group::builders::ModifyTargetGroupFluentBuilder;
use aws_sdk_elasticloadbalancingv2::types::{
    Matcher, ProtocolEnum, TargetGroup as SdkTargetGroup, TargetGroupAttribute, TargetTypeEnum,
};
use skistack_engine::{
    Attribute, Created, Map, Property, ProviderError, ReadResult, TypeSchema, Value, ValueType,
};

use super::{arn_suffix, is_own, put_tags};
use crate::errors::{During, OrFailed, found, gone_ok_provider};
use crate::kit::{AwsResource, Call, Out, created, read_back_with};
use crate::props::{
    changed, object_fields, opt_bool, opt_i32, opt_map, opt_str, put_opt, read_back_object, str_of,
    with_arn,
};
use crate::retry::retry_eventual;
use crate::shared::Clients;
use crate::tags::{self, TagApi, resource_tags, sdk_tags, tag_property};

/// The attribute behind `deregistration_delay`.
const DEREGISTRATION_DELAY_KEY: &str = "deregistration_delay.timeout_seconds";
/// AWS's deregistration delay when none is set, in seconds.
const DEFAULT_DEREGISTRATION_DELAY: i32 = 300;

/// A target group. Its id is the ARN.
#[derive(Default)]
pub(crate) struct TargetGroup;

/// The health check settings of a create or modify call; each operation has
/// its own builder type with the same setters.
macro_rules! with_health_check {
    ($req:expr, $hc:expr) => {{
        let hc: &Map = $hc;
        let mut req = $req
            .set_health_check_enabled(opt_bool(hc, "enabled")?)
            .set_health_check_port(opt_str(hc, "port")?.map(str::to_string))
            .set_health_check_protocol(opt_str(hc, "protocol")?.map(ProtocolEnum::from))
            .set_health_check_interval_seconds(opt_i32(hc, "interval_seconds")?)
            .set_health_check_timeout_seconds(opt_i32(hc, "timeout_seconds")?)
            .set_healthy_threshold_count(opt_i32(hc, "healthy_threshold")?)
            .set_unhealthy_threshold_count(opt_i32(hc, "unhealthy_threshold")?);
        if let Some(path) = health_check_path(hc)? {
            req = req.health_check_path(path);
        }
        if let Some(codes) = opt_str(hc, "matcher")? {
            req = req.matcher(Matcher::builder().http_code(codes).build());
        }
        req
    }};
}

/// The checked path: the declared one, else "/" for HTTP(S) checks (TCP
/// checks have no path).
fn health_check_path(hc: &Map) -> Result<Option<&str>, ProviderError> {
    if let Some(path) = opt_str(hc, "path")? {
        return Ok(Some(path));
    }
    let tcp = opt_str(hc, "protocol")?.is_some_and(|p| !p.to_ascii_uppercase().starts_with("HTTP"));
    Ok((!tcp).then_some("/"))
}

fn create_with_health_check(
    req: CreateTargetGroupFluentBuilder,
    hc: &Map,
) -> Result<CreateTargetGroupFluentBuilder, ProviderError> {
    Ok(with_health_check!(req, hc))
}

fn modify_with_health_check(
    req: ModifyTargetGroupFluentBuilder,
    hc: &Map,
) -> Result<ModifyTargetGroupFluentBuilder, ProviderError> {
    Ok(with_health_check!(req, hc))
}

/// The health check as AWS has it.
fn health_check_value(tg: &SdkTargetGroup) -> Map {
    let mut m = Map::new();
    put_opt(&mut m, "enabled", tg.health_check_enabled());
    put_opt(&mut m, "path", tg.health_check_path());
    put_opt(&mut m, "port", tg.health_check_port());
    put_opt(
        &mut m,
        "protocol",
        tg.health_check_protocol().map(|p| p.as_str()),
    );
    put_opt(&mut m, "matcher", tg.matcher().and_then(|m| m.http_code()));
    put_opt(
        &mut m,
        "interval_seconds",
        tg.health_check_interval_seconds().map(i64::from),
    );
    put_opt(
        &mut m,
        "timeout_seconds",
        tg.health_check_timeout_seconds().map(i64::from),
    );
    put_opt(
        &mut m,
        "healthy_threshold",
        tg.healthy_threshold_count().map(i64::from),
    );
    put_opt(
        &mut m,
        "unhealthy_threshold",
        tg.unhealthy_threshold_count().map(i64::from),
    );
    m
}

fn outputs_of(inputs: &Map, arn: &str) -> Map {
    let mut out = with_arn(inputs, arn);
    out.insert("arn_suffix".into(), arn_suffix(arn).into());
    out
}

async fn describe(clients: &Clients, arn: &str) -> Result<Option<SdkTargetGroup>, ProviderError> {
    let res = clients
        .elbv2
        .describe_target_groups()
        .target_group_arns(arn)
        .send()
        .await;
    Ok(found(&format!("describe target group {arn}"), res)?
        .and_then(|out| out.target_groups().first().cloned()))
}

async fn set_deregistration_delay(
    clients: &Clients,
    arn: &str,
    seconds: i32,
) -> Result<(), ProviderError> {
    clients
        .elbv2
        .modify_target_group_attributes()
        .target_group_arn(arn)
        .attributes(
            TargetGroupAttribute::builder()
                .key(DEREGISTRATION_DELAY_KEY)
                .value(seconds.to_string())
                .build(),
        )
        .send()
        .await
        .map(drop)
        .during(&format!("set deregistration delay of target group {arn}"))
}

async fn deregistration_delay(clients: &Clients, arn: &str) -> Result<Option<i64>, ProviderError> {
    let out = clients
        .elbv2
        .describe_target_group_attributes()
        .target_group_arn(arn)
        .send()
        .await
        .during(&format!("describe attributes of target group {arn}"))?;
    Ok(out
        .attributes()
        .iter()
        .find(|a| a.key() == Some(DEREGISTRATION_DELAY_KEY))
        .and_then(|a| a.value())
        .and_then(|v| v.parse().ok()))
}

/// Sets the declared deregistration delay unless it is AWS's default (which a
/// new group has already). Idempotent, so a find can finish a create.
async fn set_declared_delay(clients: &Clients, arn: &str, inputs: &Map) -> Out<()> {
    match opt_i32(inputs, "deregistration_delay")? {
        Some(secs) if secs != DEFAULT_DEREGISTRATION_DELAY => {
            set_deregistration_delay(clients, arn, secs).await
        }
        _ => Ok(()),
    }
}

async fn delete_group(clients: &Clients, arn: &str) -> Result<(), ProviderError> {
    // Right after its listener or service is deleted, the group may still
    // count as in use for a little while.
    let result = retry_eventual(
        &format!("delete target group {arn}"),
        &["ResourceInUse"],
        || {
            clients
                .elbv2
                .delete_target_group()
                .target_group_arn(arn)
                .send()
        },
    )
    .await;
    gone_ok_provider(result.map(drop))
}

#[async_trait]
impl AwsResource for TargetGroup {
    const TAGS: Option<TagApi> = Some(tags::ELBV2);

    fn schema() -> TypeSchema {
        let health_check = ValueType::Object(vec![
            Property::optional("enabled", ValueType::Bool),
            Property::optional("path", ValueType::String)
                .default("/")
                .describe("The HTTP(S) path checked."),
            Property::optional("port", ValueType::String)
                .describe("A port number, or traffic-port (the default)."),
            Property::optional("protocol", ValueType::String).describe("HTTP, HTTPS or TCP."),
            Property::optional("matcher", ValueType::String)
                .describe("Healthy HTTP codes, e.g. 200 or 200-299."),
            Property::optional("interval_seconds", ValueType::Int),
            Property::optional("timeout_seconds", ValueType::Int),
            Property::optional("healthy_threshold", ValueType::Int),
            Property::optional("unhealthy_threshold", ValueType::Int),
        ]);
        TypeSchema::new("aws:elbv2:TargetGroup", "A load balancer target group.")
            .complete_reads()
            .properties([
                Property::required("name", ValueType::String)
                    .force_new()
                    .describe(
                        "The target group's name (up to 32 characters), unique in the region.",
                    ),
                Property::optional("port", ValueType::Int)
                    .force_new()
                    .describe("The port targets receive traffic on."),
                Property::optional("protocol", ValueType::String)
                    .force_new()
                    .describe("HTTP, HTTPS, TCP..."),
                Property::optional("vpc_id", ValueType::String).force_new(),
                Property::optional("target_type", ValueType::String)
                    .default("instance")
                    .force_new()
                    .describe("instance, ip, lambda or alb."),
                Property::optional("health_check", health_check)
                    .describe("How targets' health is checked."),
                Property::optional("deregistration_delay", ValueType::Int)
                    .default(i64::from(DEFAULT_DEREGISTRATION_DELAY))
                    .describe("Seconds a deregistering target keeps its connections."),
                tag_property(),
            ])
            .attributes([
                Attribute::new("arn", ValueType::String),
                Attribute::new("arn_suffix", ValueType::String)
                    .describe("The ARN's last part, for CloudWatch metrics."),
            ])
            // The name is unique: a replacement must delete the old group first.
            .delete_before_replace()
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let name = str_of(inputs, "name")?;
        let mut req = clients
            .elbv2
            .create_target_group()
            .name(name)
            .set_port(opt_i32(inputs, "port")?)
            .set_protocol(opt_str(inputs, "protocol")?.map(ProtocolEnum::from))
            .set_vpc_id(opt_str(inputs, "vpc_id")?.map(str::to_string))
            .set_target_type(opt_str(inputs, "target_type")?.map(TargetTypeEnum::from))
            .set_tags(Some(sdk_tags(&resource_tags(ctx, inputs))?));
        if let Some(hc) = opt_map(inputs, "health_check")? {
            req = create_with_health_check(req, hc)?;
        }
        let out = req
            .send()
            .await
            .during(&format!("create target group {name}"))?;
        let arn = out
            .target_groups()
            .first()
            .and_then(|tg| tg.target_group_arn())
            .or_failed(&format!("create target group {name}: none in the response"))?
            .to_string();
        if let Err(e) = set_declared_delay(clients, &arn, inputs).await {
            // Undo the create so that a failed create leaves nothing behind.
            let _ = delete_group(clients, &arn).await;
            return Err(e);
        }
        Ok(created(arn.clone(), outputs_of(inputs, &arn)))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (clients, id, inputs) = (call.clients, call.id, call.inputs);
        let Some(tg) = describe(clients, id).await? else {
            return Ok(None);
        };
        let mut read = Map::new();
        put_opt(&mut read, "name", tg.target_group_name());
        put_opt(&mut read, "port", tg.port().map(i64::from));
        put_opt(&mut read, "protocol", tg.protocol().map(|p| p.as_str()));
        put_opt(&mut read, "vpc_id", tg.vpc_id());
        put_opt(
            &mut read,
            "target_type",
            tg.target_type().map(|t| t.as_str()),
        );
        if let Some(declared) = opt_map(inputs, "health_check")? {
            let fields = object_fields(call.schema, "health_check");
            let value = read_back_object(fields, Some(declared), health_check_value(&tg));
            read.insert("health_check".into(), Value::Map(value));
        }
        if inputs.contains_key("deregistration_delay") {
            put_opt(
                &mut read,
                "deregistration_delay",
                deregistration_delay(clients, id).await?,
            );
        }
        put_tags(&mut read, call, id).await?;
        read_back_with(inputs, read, |all| outputs_of(all, id))
    }

    async fn update(&self, call: &Call<'_>, new_inputs: &Map) -> Out<Map> {
        let (clients, id, old_inputs) = (call.clients, call.id, call.inputs);
        if changed(old_inputs, new_inputs, "health_check") {
            // Settings left out of the new block keep their current values.
            let empty = Map::new();
            let hc = opt_map(new_inputs, "health_check")?.unwrap_or(&empty);
            modify_with_health_check(clients.elbv2.modify_target_group().target_group_arn(id), hc)?
                .send()
                .await
                .during(&format!("modify health check of target group {id}"))?;
        }
        if changed(old_inputs, new_inputs, "deregistration_delay") {
            let secs = opt_i32(new_inputs, "deregistration_delay")?
                .unwrap_or(DEFAULT_DEREGISTRATION_DELAY);
            set_deregistration_delay(clients, id, secs).await?;
        }
        Ok(outputs_of(new_inputs, id))
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        delete_group(clients, id).await
    }

    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let name = str_of(inputs, "name")?;
        let res = clients
            .elbv2
            .describe_target_groups()
            .names(name)
            .send()
            .await;
        let tg = found(&format!("describe target group {name}"), res)?
            .and_then(|out| out.target_groups().first().cloned());
        let Some(arn) = tg.and_then(|tg| tg.target_group_arn().map(str::to_string)) else {
            return Ok(Vec::new());
        };
        if !is_own(ctx, clients, &arn).await? {
            return Ok(Vec::new());
        }
        // The interrupted create may have stopped before this (idempotent).
        set_declared_delay(clients, &arn, inputs).await?;
        Ok(vec![created(arn.clone(), outputs_of(inputs, &arn))])
    }
}
