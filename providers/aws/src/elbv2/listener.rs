//! `aws:elbv2:Listener`.

use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, Certificate, FixedResponseActionConfig, Listener as SdkListener,
    ProtocolEnum, RedirectActionConfig, RedirectActionStatusCodeEnum,
};
use skistack_engine::{
    Attribute, Created, Map, Property, ProviderError, ReadResult, TypeSchema, Value, ValueType,
};

use super::{is_own, put_tags};
use crate::errors::{During, OrFailed, found};
use crate::kit::{AwsResource, Call, Out, created, read_back_with};
use crate::props::{
    Put, changed, int_of, object_fields, opt_i32, opt_map, opt_str, put_opt, read_back_object,
    str_of, with_arn,
};
use crate::shared::Clients;
use crate::tags::{self, TagApi, resource_tags, sdk_tags, tag_property};

/// A listener of a load balancer. Its id is the ARN.
#[derive(Default)]
pub(crate) struct Listener;

fn default_action(inputs: &Map) -> Result<Action, ProviderError> {
    let a = opt_map(inputs, "default_action")?
        .ok_or_else(|| ProviderError::Invalid("property `default_action` is required".into()))?;
    let kind = opt_str(a, "type")?.unwrap_or("forward");
    let action = Action::builder().r#type(ActionTypeEnum::from(kind));
    let action = match kind {
        "forward" => action.target_group_arn(opt_str(a, "target_group_arn")?.ok_or_else(|| {
            ProviderError::Invalid("a forward action needs `target_group_arn`".into())
        })?),
        "fixed-response" => {
            let f = opt_map(a, "fixed_response")?.ok_or_else(|| {
                ProviderError::Invalid(
                    "a fixed-response action needs a `fixed_response` table".into(),
                )
            })?;
            action.fixed_response_config(
                FixedResponseActionConfig::builder()
                    .status_code(str_of(f, "status_code")?)
                    .set_content_type(opt_str(f, "content_type")?.map(str::to_string))
                    .set_message_body(opt_str(f, "message_body")?.map(str::to_string))
                    .build(),
            )
        }
        "redirect" => {
            let r = opt_map(a, "redirect")?.ok_or_else(|| {
                ProviderError::Invalid("a redirect action needs a `redirect` table".into())
            })?;
            action.redirect_config(
                RedirectActionConfig::builder()
                    .set_protocol(opt_str(r, "protocol")?.map(str::to_string))
                    .set_port(opt_str(r, "port")?.map(str::to_string))
                    .set_host(opt_str(r, "host")?.map(str::to_string))
                    .set_path(opt_str(r, "path")?.map(str::to_string))
                    .set_query(opt_str(r, "query")?.map(str::to_string))
                    .status_code(RedirectActionStatusCodeEnum::from(str_of(
                        r,
                        "status_code",
                    )?))
                    .build(),
            )
        }
        other => {
            return Err(ProviderError::Invalid(format!(
                "default_action type `{other}` is not supported (forward, fixed-response or redirect)"
            )));
        }
    };
    Ok(action.build())
}

/// The default action as AWS has it.
fn action_value(action: &Action) -> Map {
    let mut m = Map::new();
    put_opt(&mut m, "type", action.r#type().map(|t| t.as_str()));
    // A forward to one group may come back as a forward config only.
    let forward_to = action.target_group_arn().or_else(|| {
        action
            .forward_config()
            .and_then(|f| f.target_groups().first())
            .and_then(|t| t.target_group_arn())
    });
    put_opt(&mut m, "target_group_arn", forward_to);
    if let Some(f) = action.fixed_response_config() {
        let mut fm = Map::new();
        put_opt(&mut fm, "status_code", f.status_code());
        put_opt(&mut fm, "content_type", f.content_type());
        put_opt(&mut fm, "message_body", f.message_body());
        m.insert("fixed_response".into(), Value::Map(fm));
    }
    if let Some(r) = action.redirect_config() {
        let mut rm = Map::new();
        put_opt(&mut rm, "protocol", r.protocol());
        put_opt(&mut rm, "port", r.port());
        put_opt(&mut rm, "host", r.host());
        put_opt(&mut rm, "path", r.path());
        put_opt(&mut rm, "query", r.query());
        put_opt(&mut rm, "status_code", r.status_code().map(|c| c.as_str()));
        m.insert("redirect".into(), Value::Map(rm));
    }
    m
}

fn certificates(inputs: &Map) -> Result<Option<Vec<Certificate>>, ProviderError> {
    Ok(opt_str(inputs, "certificate_arn")?
        .map(|arn| vec![Certificate::builder().certificate_arn(arn).build()]))
}

async fn describe(clients: &Clients, arn: &str) -> Result<Option<SdkListener>, ProviderError> {
    let res = clients
        .elbv2
        .describe_listeners()
        .listener_arns(arn)
        .send()
        .await;
    Ok(found(&format!("describe listener {arn}"), res)?
        .and_then(|out| out.listeners().first().cloned()))
}

#[async_trait]
impl AwsResource for Listener {
    const TAGS: Option<TagApi> = Some(tags::ELBV2);

    fn schema() -> TypeSchema {
        let fixed_response = ValueType::Object(vec![
            Property::required("status_code", ValueType::String).describe("e.g. 404."),
            Property::optional("content_type", ValueType::String).describe("e.g. text/plain."),
            Property::optional("message_body", ValueType::String),
        ]);
        let redirect = ValueType::Object(vec![
            Property::optional("protocol", ValueType::String)
                .describe("HTTP, HTTPS or #{protocol}."),
            Property::optional("port", ValueType::String),
            Property::optional("host", ValueType::String),
            Property::optional("path", ValueType::String),
            Property::optional("query", ValueType::String),
            Property::required("status_code", ValueType::String).describe("HTTP_301 or HTTP_302."),
        ]);
        let action = ValueType::Object(vec![
            Property::optional("type", ValueType::String)
                .default("forward")
                .describe("forward, fixed-response or redirect."),
            Property::optional("target_group_arn", ValueType::String)
                .describe("Where forward sends requests."),
            Property::optional("fixed_response", fixed_response)
                .describe("The answer of a fixed-response action."),
            Property::optional("redirect", redirect)
                .describe("Where a redirect action sends clients."),
        ]);
        TypeSchema::new(
            "aws:elbv2:Listener",
            "A listener: a port of a load balancer and what it does.",
        )
        .complete_reads()
        .properties([
            Property::required("load_balancer_arn", ValueType::String)
                .force_new()
                .describe("The load balancer the listener belongs to."),
            Property::required("port", ValueType::Int),
            Property::optional("protocol", ValueType::String)
                .default("HTTP")
                .describe("HTTP, HTTPS, TCP, TLS, UDP or TCP_UDP."),
            Property::optional("certificate_arn", ValueType::String)
                .describe("The default certificate of an HTTPS or TLS listener."),
            Property::optional("ssl_policy", ValueType::String),
            Property::required("default_action", action)
                .holds()
                .describe("What the listener does with requests."),
            tag_property(),
        ])
        .attributes([Attribute::new("arn", ValueType::String)])
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let lb = str_of(inputs, "load_balancer_arn")?;
        let port = int_of(inputs, "port")?;
        let out = clients
            .elbv2
            .create_listener()
            .load_balancer_arn(lb)
            .set_port(opt_i32(inputs, "port")?)
            .set_protocol(opt_str(inputs, "protocol")?.map(ProtocolEnum::from))
            .set_certificates(certificates(inputs)?)
            .set_ssl_policy(opt_str(inputs, "ssl_policy")?.map(str::to_string))
            .default_actions(default_action(inputs)?)
            .set_tags(Some(sdk_tags(&resource_tags(ctx, inputs))?))
            .send()
            .await
            .during(&format!("create listener on port {port} of {lb}"))?;
        let arn = out
            .listeners()
            .first()
            .and_then(|l| l.listener_arn())
            .or_failed(&format!(
                "create listener on port {port}: none in the response"
            ))?;
        Ok(created(arn.to_string(), with_arn(inputs, arn)))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (clients, id, inputs) = (call.clients, call.id, call.inputs);
        let Some(l) = describe(clients, id).await? else {
            return Ok(None);
        };
        let mut read = Map::new();
        put_opt(&mut read, "load_balancer_arn", l.load_balancer_arn());
        put_opt(&mut read, "port", l.port().map(i64::from));
        put_opt(&mut read, "protocol", l.protocol().map(|p| p.as_str()));
        if inputs.contains_key("certificate_arn") {
            put_opt(
                &mut read,
                "certificate_arn",
                l.certificates().first().and_then(|c| c.certificate_arn()),
            );
        }
        if inputs.contains_key("ssl_policy") {
            put_opt(&mut read, "ssl_policy", l.ssl_policy());
        }
        if let Some(action) = l.default_actions().first() {
            read.put(
                "default_action",
                Value::Map(read_back_object(
                    object_fields(call.schema, "default_action"),
                    opt_map(inputs, "default_action")?,
                    action_value(action),
                )),
            );
        }
        put_tags(&mut read, call, id).await?;
        read_back_with(inputs, read, |all| with_arn(all, id))
    }

    async fn update(&self, call: &Call<'_>, new_inputs: &Map) -> Out<Map> {
        let (clients, id, old_inputs) = (call.clients, call.id, call.inputs);
        let diff = |k: &str| changed(old_inputs, new_inputs, k);
        if diff("port")
            || diff("protocol")
            || diff("certificate_arn")
            || diff("ssl_policy")
            || diff("default_action")
        {
            let mut req = clients.elbv2.modify_listener().listener_arn(id);
            if diff("port") {
                req = req.set_port(opt_i32(new_inputs, "port")?);
            }
            if diff("protocol") {
                req = req.set_protocol(opt_str(new_inputs, "protocol")?.map(ProtocolEnum::from));
            }
            if diff("certificate_arn") {
                req = req.set_certificates(certificates(new_inputs)?);
            }
            if diff("ssl_policy") {
                req = req.set_ssl_policy(opt_str(new_inputs, "ssl_policy")?.map(str::to_string));
            }
            if diff("default_action") {
                req = req.default_actions(default_action(new_inputs)?);
            }
            req.send().await.during(&format!("modify listener {id}"))?;
        }
        Ok(with_arn(new_inputs, id))
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        clients
            .elbv2
            .delete_listener()
            .listener_arn(id)
            .send()
            .await
            .map(drop)
            .during(&format!("delete listener {id}"))
    }

    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        // A load balancer has at most one listener per port.
        let lb = str_of(inputs, "load_balancer_arn")?;
        let port = opt_i32(inputs, "port")?;
        let res = clients
            .elbv2
            .describe_listeners()
            .load_balancer_arn(lb)
            .send()
            .await;
        let Some(out) = found(&format!("describe listeners of {lb}"), res)? else {
            return Ok(Vec::new());
        };
        let Some(arn) = out
            .listeners()
            .iter()
            .find(|l| l.port() == port)
            .and_then(|l| l.listener_arn())
        else {
            return Ok(Vec::new());
        };
        if !is_own(ctx, clients, arn).await? {
            return Ok(Vec::new());
        }
        Ok(vec![created(arn.to_string(), with_arn(inputs, arn))])
    }
}
