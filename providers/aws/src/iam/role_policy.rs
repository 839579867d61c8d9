//! `aws:iam:RolePolicyAttachment` (a managed policy attached to a role) and
//! `aws:iam:RolePolicy` (an inline policy of a role).

use async_trait::async_trait;
use skistack_engine::{Created, Map, Property, ProviderError, ReadResult, TypeSchema, ValueType};

use super::document::{decode_policy, read_back_json};
use crate::errors::{During, found, gone_ok};
use crate::kit::{AwsResource, Call, Out, created, found_if, read_back_with};
use crate::props::{Put, opt_str, str_of};
use crate::shared::Clients;

/// A managed policy attached to a role. Its id is `role/policy_arn`.
#[derive(Default)]
pub(crate) struct RolePolicyAttachment;

/// Splits an attachment id `role/policy_arn`; role names have no `/`.
fn split_attachment_id(id: &str) -> Result<(&str, &str), ProviderError> {
    id.split_once('/').ok_or_else(|| {
        ProviderError::Invalid(format!(
            "`{id}` is not a role policy attachment id (role/policy_arn)"
        ))
    })
}

/// True when the policy is attached to the role; `None` when the role is gone.
async fn is_attached(
    clients: &Clients,
    role: &str,
    policy_arn: &str,
) -> Result<Option<bool>, ProviderError> {
    let mut pages = clients
        .iam
        .list_attached_role_policies()
        .role_name(role)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let what = format!("list policies attached to IAM role {role}");
        let Some(page) = found(&what, page)? else {
            return Ok(None);
        };
        if page
            .attached_policies()
            .iter()
            .any(|p| p.policy_arn() == Some(policy_arn))
        {
            return Ok(Some(true));
        }
    }
    Ok(Some(false))
}

#[async_trait]
impl AwsResource for RolePolicyAttachment {
    fn schema() -> TypeSchema {
        TypeSchema::new(
            "aws:iam:RolePolicyAttachment",
            "Attaches a managed policy (AWS's or the account's) to an IAM role.",
        )
        .complete_reads()
        .properties([
            Property::required("role", ValueType::String)
                .force_new()
                .describe("The role's name."),
            Property::required("policy_arn", ValueType::String)
                .force_new()
                .describe("The managed policy's ARN, e.g. arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore."),
        ])
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (clients, inputs) = (call.clients, call.inputs);
        let role = str_of(inputs, "role")?;
        let policy_arn = str_of(inputs, "policy_arn")?;
        clients
            .iam
            .attach_role_policy()
            .role_name(role)
            .policy_arn(policy_arn)
            .send()
            .await
            .during(&format!("attach {policy_arn} to IAM role {role}"))?;
        Ok(created(format!("{role}/{policy_arn}"), inputs.clone()))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (clients, id, inputs) = (call.clients, call.id, call.inputs);
        let (role, policy_arn) = split_attachment_id(id)?;
        if is_attached(clients, role, policy_arn).await? != Some(true) {
            return Ok(None);
        }
        let mut read = Map::new();
        read.insert("role".into(), role.into());
        read.insert("policy_arn".into(), policy_arn.into());
        read_back_with(inputs, read, Map::clone)
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        let (role, policy_arn) = split_attachment_id(id)?;
        let res = clients
            .iam
            .detach_role_policy()
            .role_name(role)
            .policy_arn(policy_arn)
            .send()
            .await;
        gone_ok(&format!("detach {policy_arn} from IAM role {role}"), res)
    }

    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (clients, inputs) = (call.clients, call.inputs);
        let role = str_of(inputs, "role")?;
        let policy_arn = str_of(inputs, "policy_arn")?;
        let attached = is_attached(clients, role, policy_arn).await? == Some(true);
        Ok(found_if(
            attached,
            || format!("{role}/{policy_arn}"),
            inputs,
        ))
    }
}

/// An inline policy of a role. Its id is `role:name`.
#[derive(Default)]
pub(crate) struct RolePolicy;

/// Splits an inline policy id `role:name`; role names have no `:`.
fn split_policy_id(id: &str) -> Result<(&str, &str), ProviderError> {
    id.split_once(':').ok_or_else(|| {
        ProviderError::Invalid(format!("`{id}` is not a role policy id (role:name)"))
    })
}

async fn put_policy(
    clients: &Clients,
    role: &str,
    name: &str,
    policy: &str,
) -> Result<(), ProviderError> {
    clients
        .iam
        .put_role_policy()
        .role_name(role)
        .policy_name(name)
        .policy_document(policy)
        .send()
        .await
        .map(drop)
        .during(&format!("put policy {name} of IAM role {role}"))
}

/// The policy document, decoded; `None` when the policy or its role is gone.
async fn get_policy(
    clients: &Clients,
    role: &str,
    name: &str,
) -> Result<Option<String>, ProviderError> {
    let res = clients
        .iam
        .get_role_policy()
        .role_name(role)
        .policy_name(name)
        .send()
        .await;
    Ok(
        found(&format!("get policy {name} of IAM role {role}"), res)?
            .map(|out| decode_policy(out.policy_document())),
    )
}

#[async_trait]
impl AwsResource for RolePolicy {
    fn schema() -> TypeSchema {
        TypeSchema::new(
            "aws:iam:RolePolicy",
            "An inline policy embedded in an IAM role.",
        )
        .complete_reads()
        .properties([
            Property::required("role", ValueType::String)
                .force_new()
                .describe("The role's name."),
            Property::required("name", ValueType::String)
                .force_new()
                .describe("The policy's name, unique within the role."),
            // A replacement changes the role or the name, so old and new never
            // collide and create-before-delete is safe.
            Property::required("policy", ValueType::String)
                .describe("The policy document, as a JSON string."),
        ])
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (clients, inputs) = (call.clients, call.inputs);
        let role = str_of(inputs, "role")?;
        let name = str_of(inputs, "name")?;
        put_policy(clients, role, name, str_of(inputs, "policy")?).await?;
        Ok(created(format!("{role}:{name}"), inputs.clone()))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (clients, id, inputs) = (call.clients, call.id, call.inputs);
        let (role, name) = split_policy_id(id)?;
        let Some(doc) = get_policy(clients, role, name).await? else {
            return Ok(None);
        };
        let mut read = Map::new();
        read.insert("role".into(), role.into());
        read.insert("name".into(), name.into());
        read.put("policy", read_back_json(opt_str(inputs, "policy")?, &doc));
        read_back_with(inputs, read, Map::clone)
    }

    async fn update(&self, call: &Call<'_>, new_inputs: &Map) -> Out<Map> {
        let (clients, id) = (call.clients, call.id);
        let (role, name) = split_policy_id(id)?;
        put_policy(clients, role, name, str_of(new_inputs, "policy")?).await?;
        Ok(Map::new())
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        let (role, name) = split_policy_id(id)?;
        let res = clients
            .iam
            .delete_role_policy()
            .role_name(role)
            .policy_name(name)
            .send()
            .await;
        gone_ok(&format!("delete policy {name} of IAM role {role}"), res)
    }

    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (clients, inputs) = (call.clients, call.inputs);
        let role = str_of(inputs, "role")?;
        let name = str_of(inputs, "name")?;
        // An inline policy has no tags; one of this name on this role is the
        // one an interrupted create made (PutRolePolicy overwrites anyway).
        let policy = get_policy(clients, role, name).await?;
        Ok(found_if(
            policy.is_some(),
            || format!("{role}:{name}"),
            inputs,
        ))
    }
}
