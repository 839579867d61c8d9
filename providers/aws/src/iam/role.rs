//! `aws:iam:Role`.

use async_trait::async_trait;
use aws_sdk_iam::types::Role as SdkRole;
use skistack_engine::{
    Attribute, Created, Map, Property, ProviderError, ReadResult, TypeSchema, ValueType,
};

use super::document::{decode_policy, read_back_json};
use super::{kept_outputs, outputs_of};
use crate::errors::{During, OrFailed, aws_error, error_code, found, gone_ok, is_not_found};
use crate::kit::{AwsResource, Call, Out, created, read_back_with};
use crate::props::{Put, changed, opt_i32, opt_str, put_opt, str_of};
use crate::shared::Clients;
use crate::tags::{
    self, TagApi, has_identity, put_read_tags, resource_tags, sdk_tags, tag_pairs, tag_property,
};

/// The default (and minimum) maximum session duration, in seconds.
const DEFAULT_MAX_SESSION: i32 = 3600;

/// An IAM role, named by the stack.
#[derive(Default)]
pub(crate) struct Role;

/// The role, or `None` when it does not exist.
async fn get(clients: &Clients, name: &str) -> Result<Option<SdkRole>, ProviderError> {
    let res = clients.iam.get_role().role_name(name).send().await;
    Ok(found(&format!("get IAM role {name}"), res)?.and_then(|out| out.role().cloned()))
}

/// Removes the role from every instance profile that still holds it, so it
/// can be deleted.
async fn leave_instance_profiles(clients: &Clients, name: &str) -> Result<(), ProviderError> {
    let mut pages = clients
        .iam
        .list_instance_profiles_for_role()
        .role_name(name)
        .into_paginator()
        .send();
    let mut profiles = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.during(&format!("list instance profiles of IAM role {name}"))?;
        profiles.extend(
            page.instance_profiles()
                .iter()
                .map(|p| p.instance_profile_name().to_string()),
        );
    }
    for profile in profiles {
        let res = clients
            .iam
            .remove_role_from_instance_profile()
            .instance_profile_name(&profile)
            .role_name(name)
            .send()
            .await;
        gone_ok(
            &format!("remove IAM role {name} from instance profile {profile}"),
            res,
        )?;
    }
    Ok(())
}

#[async_trait]
impl AwsResource for Role {
    const TAGS: Option<TagApi> = Some(tags::IAM_ROLE);

    fn schema() -> TypeSchema {
        TypeSchema::new(
            "aws:iam:Role",
            "An IAM role that services or instances assume.",
        )
        .complete_reads()
        .properties([
            Property::required("name", ValueType::String)
                .force_new()
                .describe("The role's name, unique in the account."),
            Property::required("assume_role_policy", ValueType::String)
                .describe("The trust policy, as a JSON string: who may assume the role."),
            Property::optional("description", ValueType::String),
            Property::optional("path", ValueType::String)
                .default("/")
                .force_new()
                .describe("The role's path, such as /service/."),
            Property::optional("max_session_duration", ValueType::Int)
                .default(i64::from(DEFAULT_MAX_SESSION))
                .describe("The longest session, in seconds (3600 to 43200)."),
            Property::optional("permissions_boundary", ValueType::String)
                .describe("The ARN of a managed policy that bounds the role's permissions."),
            tag_property(),
        ])
        .attributes([
            Attribute::new("arn", ValueType::String),
            Attribute::new("unique_id", ValueType::String)
                .describe("The stable id IAM assigns (AROA...)."),
        ])
        // The name is unique: a replacement must delete the old role first.
        .delete_before_replace()
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let name = str_of(inputs, "name")?;
        let out = clients
            .iam
            .create_role()
            .role_name(name)
            .assume_role_policy_document(str_of(inputs, "assume_role_policy")?)
            .set_description(opt_str(inputs, "description")?.map(str::to_string))
            .set_path(opt_str(inputs, "path")?.map(str::to_string))
            .set_max_session_duration(opt_i32(inputs, "max_session_duration")?)
            .set_permissions_boundary(opt_str(inputs, "permissions_boundary")?.map(str::to_string))
            .set_tags(Some(sdk_tags(&resource_tags(ctx, inputs))?))
            .send()
            .await
            .during(&format!("create IAM role {name}"))?;
        let role = out
            .role()
            .or_failed(&format!("create IAM role {name}: no role in the response"))?;
        Ok(created(
            name.to_string(),
            outputs_of(inputs, role.arn(), role.role_id()),
        ))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (ctx, clients, id, inputs) = (call.ctx, call.clients, call.id, call.inputs);
        let Some(role) = get(clients, id).await? else {
            return Ok(None);
        };
        let mut read = Map::new();
        read.insert("name".into(), role.role_name().into());
        read.insert("path".into(), role.path().into());
        if let Some(doc) = role.assume_role_policy_document() {
            let declared = opt_str(inputs, "assume_role_policy")?;
            read.put(
                "assume_role_policy",
                read_back_json(declared, &decode_policy(doc)),
            );
        }
        // An empty description is how IAM shows none.
        put_opt(
            &mut read,
            "description",
            role.description().filter(|d| !d.is_empty()),
        );
        put_opt(
            &mut read,
            "max_session_duration",
            role.max_session_duration().map(i64::from),
        );
        put_opt(
            &mut read,
            "permissions_boundary",
            role.permissions_boundary()
                .and_then(|b| b.permissions_boundary_arn()),
        );
        put_read_tags(&mut read, ctx, inputs, tag_pairs(role.tags()));
        read_back_with(inputs, read, |all| {
            outputs_of(all, role.arn(), role.role_id())
        })
    }

    async fn update(&self, call: &Call<'_>, new_inputs: &Map) -> Out<Map> {
        let (clients, id, old_inputs, old_outputs) =
            (call.clients, call.id, call.inputs, call.outputs);
        if changed(old_inputs, new_inputs, "assume_role_policy") {
            clients
                .iam
                .update_assume_role_policy()
                .role_name(id)
                .policy_document(str_of(new_inputs, "assume_role_policy")?)
                .send()
                .await
                .during(&format!("update trust policy of IAM role {id}"))?;
        }
        if changed(old_inputs, new_inputs, "description")
            || changed(old_inputs, new_inputs, "max_session_duration")
        {
            clients
                .iam
                .update_role()
                .role_name(id)
                // An empty description removes it.
                .description(opt_str(new_inputs, "description")?.unwrap_or(""))
                .max_session_duration(
                    opt_i32(new_inputs, "max_session_duration")?.unwrap_or(DEFAULT_MAX_SESSION),
                )
                .send()
                .await
                .during(&format!("update IAM role {id}"))?;
        }
        if changed(old_inputs, new_inputs, "permissions_boundary") {
            match opt_str(new_inputs, "permissions_boundary")? {
                Some(arn) => clients
                    .iam
                    .put_role_permissions_boundary()
                    .role_name(id)
                    .permissions_boundary(arn)
                    .send()
                    .await
                    .map(drop)
                    .during(&format!("set permissions boundary of IAM role {id}"))?,
                None => {
                    let res = clients
                        .iam
                        .delete_role_permissions_boundary()
                        .role_name(id)
                        .send()
                        .await;
                    gone_ok(
                        &format!("remove permissions boundary of IAM role {id}"),
                        res,
                    )?
                }
            }
        }
        Ok(kept_outputs(new_inputs, old_outputs))
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        let mut left_profiles = false;
        loop {
            match clients.iam.delete_role().role_name(id).send().await {
                Ok(_) => return Ok(()),
                Err(e) if is_not_found(&e) => return Ok(()),
                // Instance profiles made outside the stack (or not yet
                // deleted) still hold the role: take it out of them once.
                Err(e) if error_code(&e) == Some("DeleteConflict") && !left_profiles => {
                    leave_instance_profiles(clients, id).await?;
                    left_profiles = true;
                }
                Err(e) => return Err(aws_error(&format!("delete IAM role {id}"), e)),
            }
        }
    }

    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let name = str_of(inputs, "name")?;
        let Some(role) = get(clients, name)
            .await?
            .filter(|r| has_identity(ctx, tag_pairs(r.tags())))
        else {
            return Ok(Vec::new());
        };
        Ok(vec![created(
            name.to_string(),
            outputs_of(inputs, role.arn(), role.role_id()),
        )])
    }
}
