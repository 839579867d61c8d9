//! CloudWatch Logs resource types: `aws:logs:LogGroup`.

use async_trait::async_trait;
use aws_sdk_cloudwatchlogs::types::{LogGroup as SdkLogGroup, LogGroupClass};
use skistack_engine::{
    Attribute, Created, Map, Property, ProviderError, ReadResult, TypeSchema, Value, ValueType,
};

use crate::errors::{During, OrFailed, found};
use crate::kit::{AwsResource, Call, Out, created, read_back_with};
use crate::props::{changed, opt_i32, opt_str, put_opt, str_of, with_arn};
use crate::shared::Clients;
use crate::tags::{
    self, has_identity, pairs, put_read_tags, resource_tags, tag_changes, tag_property,
};

/// A log group, named by the stack.
#[derive(Default)]
pub(crate) struct LogGroup;

/// The group of exactly this name, if it exists. The API lists by prefix, so
/// pages are walked until the name shows up or the prefix runs out.
async fn describe(clients: &Clients, name: &str) -> Result<Option<SdkLogGroup>, ProviderError> {
    let mut pages = clients
        .logs
        .describe_log_groups()
        .log_group_name_prefix(name)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let Some(page) = found(&format!("describe log group {name}"), page)? else {
            return Ok(None);
        };
        if let Some(g) = page
            .log_groups()
            .iter()
            .find(|g| g.log_group_name() == Some(name))
        {
            return Ok(Some(g.clone()));
        }
    }
    Ok(None)
}

/// The ARN without the `:*` suffix that DescribeLogGroups' `arn` carries.
fn arn_of(g: &SdkLogGroup) -> String {
    g.log_group_arn()
        .or(g.arn())
        .map(|a| a.strip_suffix(":*").unwrap_or(a).to_string())
        .unwrap_or_default()
}

async fn put_retention(
    clients: &Clients,
    name: &str,
    days: Option<i32>,
) -> Result<(), ProviderError> {
    match days {
        Some(days) => clients
            .logs
            .put_retention_policy()
            .log_group_name(name)
            .retention_in_days(days)
            .send()
            .await
            .map(drop)
            .during(&format!("set retention of log group {name}")),
        None => clients
            .logs
            .delete_retention_policy()
            .log_group_name(name)
            .send()
            .await
            .map(drop)
            .during(&format!("remove retention of log group {name}")),
    }
}

#[async_trait]
impl AwsResource for LogGroup {
    fn schema() -> TypeSchema {
        TypeSchema::new("aws:logs:LogGroup", "A CloudWatch Logs log group.")
            .complete_reads()
            .properties([
                Property::required("name", ValueType::String)
                    .force_new()
                    .describe("The log group's name, unique in the account and region."),
                Property::optional("retention_in_days", ValueType::Int).describe(
                    "Days to keep events (1, 3, 5, 7, 14, 30, 60, 90...); absent keeps them forever.",
                ),
                Property::optional("kms_key_id", ValueType::String)
                    .describe("The ARN of a KMS key that encrypts the log data."),
                Property::optional("log_group_class", ValueType::String)
                    .default("STANDARD")
                    .force_new()
                    .describe("STANDARD or INFREQUENT_ACCESS."),
                tag_property(),
            ])
            .attributes([
                Attribute::new("arn", ValueType::String)
                    .describe("The log group's ARN, without a trailing `:*`."),
            ])
            // The name is unique: a replacement must delete the old group first.
            .delete_before_replace()
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let name = str_of(inputs, "name")?;
        let mut req = clients
            .logs
            .create_log_group()
            .log_group_name(name)
            .set_kms_key_id(opt_str(inputs, "kms_key_id")?.map(str::to_string));
        if let Some(class) = opt_str(inputs, "log_group_class")? {
            req = req.log_group_class(LogGroupClass::from(class));
        }
        for (k, v) in resource_tags(ctx, inputs) {
            req = req.tags(k, v);
        }
        req.send()
            .await
            .during(&format!("create log group {name}"))?;
        let finish = async {
            if let Some(days) = opt_i32(inputs, "retention_in_days")? {
                put_retention(clients, name, Some(days)).await?;
            }
            // CreateLogGroup returns nothing; the ARN (with the account id)
            // comes from one describe.
            describe(clients, name).await?.or_failed(&format!(
                "log group {name} not found right after its creation"
            ))
        };
        match finish.await {
            Ok(group) => Ok(created(name.to_string(), with_arn(inputs, &arn_of(&group)))),
            Err(e) => {
                // Undo the create so that a failed create leaves nothing behind.
                let _ = clients
                    .logs
                    .delete_log_group()
                    .log_group_name(name)
                    .send()
                    .await;
                Err(e)
            }
        }
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (ctx, clients, id, inputs) = (call.ctx, call.clients, call.id, call.inputs);
        let Some(group) = describe(clients, id).await? else {
            return Ok(None);
        };
        let arn = arn_of(&group);
        let tags = tags::logs_tags(clients, &arn).await?;
        let mut read = Map::new();
        read.insert("name".into(), Value::String(id.to_string()));
        put_opt(
            &mut read,
            "retention_in_days",
            group.retention_in_days().map(i64::from),
        );
        put_opt(&mut read, "kms_key_id", group.kms_key_id());
        // A response without a class (moto's, older groups') means the API's
        // default class: the group exists, so it has one.
        let class = group.log_group_class().map_or("STANDARD", |c| c.as_str());
        read.insert("log_group_class".into(), class.into());
        put_read_tags(&mut read, ctx, inputs, pairs(&tags));
        read_back_with(inputs, read, |all| with_arn(all, &arn))
    }

    async fn update(&self, call: &Call<'_>, new_inputs: &Map) -> Out<Map> {
        let (ctx, clients, id, old_inputs, old_outputs) =
            (call.ctx, call.clients, call.id, call.inputs, call.outputs);
        if changed(old_inputs, new_inputs, "retention_in_days") {
            put_retention(clients, id, opt_i32(new_inputs, "retention_in_days")?).await?;
        }
        if changed(old_inputs, new_inputs, "kms_key_id") {
            match opt_str(new_inputs, "kms_key_id")? {
                Some(key) => clients
                    .logs
                    .associate_kms_key()
                    .log_group_name(id)
                    .kms_key_id(key)
                    .send()
                    .await
                    .map(drop)
                    .during(&format!("associate KMS key with log group {id}"))?,
                None => clients
                    .logs
                    .disassociate_kms_key()
                    .log_group_name(id)
                    .send()
                    .await
                    .map(drop)
                    .during(&format!("disassociate KMS key from log group {id}"))?,
            }
        }
        let arn = match old_outputs.get("arn").and_then(Value::as_str) {
            Some(a) => a.to_string(),
            None => describe(clients, id)
                .await?
                .map(|g| arn_of(&g))
                .ok_or_else(|| ProviderError::NotFound(format!("log group {id}")))?,
        };
        // Tags address the group by its ARN, described if not recorded.
        let changes = tag_changes(ctx, old_inputs, new_inputs);
        tags::LOGS.apply(clients, &arn, &changes).await?;
        Ok(with_arn(new_inputs, &arn))
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        clients
            .logs
            .delete_log_group()
            .log_group_name(id)
            .send()
            .await
            .map(drop)
            .during(&format!("delete log group {id}"))
    }

    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let name = str_of(inputs, "name")?;
        let Some(group) = describe(clients, name).await? else {
            return Ok(Vec::new());
        };
        let arn = arn_of(&group);
        if !has_identity(ctx, pairs(&tags::logs_tags(clients, &arn).await?)) {
            return Ok(Vec::new());
        }
        Ok(vec![created(name.to_string(), with_arn(inputs, &arn))])
    }
}
