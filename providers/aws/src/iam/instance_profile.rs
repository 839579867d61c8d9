//! `aws:iam:InstanceProfile`.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_iam::types::InstanceProfile as SdkInstanceProfile;
use skistack_engine::{
    Attribute, CallContext, Created, Map, Property, ProviderError, ReadResult, ResourceType,
    TypeSchema, ValueType,
};

use super::{iam_tags, kept_outputs, outputs, tag_pairs};
use crate::errors::{aws_error, is_not_found};
use crate::props::{changed, opt_str, put_opt, str_of};
use crate::shared::{Clients, Shared};
use crate::tags::{has_identity, read_back_tags, resource_tags, tag_changes, tag_property};

/// An instance profile: what lets an EC2 instance assume a role.
pub struct InstanceProfile {
    shared: Arc<Shared>,
    schema: TypeSchema,
}

impl InstanceProfile {
    pub(crate) fn new(shared: &Arc<Shared>) -> InstanceProfile {
        let schema = TypeSchema::new(
            "aws:iam:InstanceProfile",
            "An IAM instance profile, holding the role EC2 instances assume.",
        )
        .property(
            Property::required("name", ValueType::String)
                .force_new()
                .describe("The profile's name, unique in the account."),
        )
        .property(
            Property::optional("role", ValueType::String)
                .describe("The name of the role the profile holds."),
        )
        .property(
            Property::optional("path", ValueType::String)
                .default("/")
                .force_new(),
        )
        .property(tag_property())
        .attribute(Attribute::new("arn", ValueType::String))
        .attribute(Attribute::new("unique_id", ValueType::String))
        // The name is unique: a replacement must delete the old profile first.
        .delete_before_replace();
        InstanceProfile {
            shared: Arc::clone(shared),
            schema,
        }
    }
}

/// The profile, or `None` when it does not exist.
async fn get(clients: &Clients, name: &str) -> Result<Option<SdkInstanceProfile>, ProviderError> {
    match clients
        .iam
        .get_instance_profile()
        .instance_profile_name(name)
        .send()
        .await
    {
        Ok(out) => Ok(out.instance_profile().cloned()),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(aws_error(&format!("get IAM instance profile {name}"), e)),
    }
}

async fn add_role(clients: &Clients, profile: &str, role: &str) -> Result<(), ProviderError> {
    clients
        .iam
        .add_role_to_instance_profile()
        .instance_profile_name(profile)
        .role_name(role)
        .send()
        .await
        .map(drop)
        .map_err(|e| {
            aws_error(
                &format!("add IAM role {role} to instance profile {profile}"),
                e,
            )
        })
}

/// Takes a role out of the profile; a role or profile already gone is fine.
async fn remove_role(clients: &Clients, profile: &str, role: &str) -> Result<(), ProviderError> {
    match clients
        .iam
        .remove_role_from_instance_profile()
        .instance_profile_name(profile)
        .role_name(role)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        Err(e) => Err(aws_error(
            &format!("remove IAM role {role} from instance profile {profile}"),
            e,
        )),
    }
}

async fn delete_profile(clients: &Clients, name: &str) -> Result<(), ProviderError> {
    let Some(profile) = get(clients, name).await? else {
        return Ok(());
    };
    // A profile that still holds a role cannot be deleted.
    for role in profile.roles() {
        remove_role(clients, name, role.role_name()).await?;
    }
    match clients
        .iam
        .delete_instance_profile()
        .instance_profile_name(name)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        Err(e) => Err(aws_error(&format!("delete IAM instance profile {name}"), e)),
    }
}

#[async_trait]
impl ResourceType for InstanceProfile {
    fn schema(&self) -> &TypeSchema {
        &self.schema
    }

    async fn create(&self, ctx: &CallContext, inputs: &Map) -> Result<Created, ProviderError> {
        let name = str_of(inputs, "name")?;
        let clients = self.shared.clients(ctx).await?;
        let out = clients
            .iam
            .create_instance_profile()
            .instance_profile_name(name)
            .set_path(opt_str(inputs, "path")?.map(str::to_string))
            .set_tags(Some(iam_tags(&resource_tags(ctx, inputs))?))
            .send()
            .await
            .map_err(|e| aws_error(&format!("create IAM instance profile {name}"), e))?;
        let profile = out.instance_profile().ok_or_else(|| {
            ProviderError::Failed(format!(
                "create IAM instance profile {name}: no profile in the response"
            ))
        })?;
        if let Some(role) = opt_str(inputs, "role")?
            && let Err(e) = add_role(&clients, name, role).await
        {
            // Undo the create so that a failed create leaves nothing behind.
            let _ = delete_profile(&clients, name).await;
            return Err(e);
        }
        Ok(Created {
            id: name.to_string(),
            outputs: outputs(inputs, profile.arn(), profile.instance_profile_id()),
        })
    }

    async fn read(
        &self,
        ctx: &CallContext,
        id: &str,
        inputs: &Map,
        _outputs: &Map,
    ) -> Result<Option<ReadResult>, ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        let Some(profile) = get(&clients, id).await? else {
            return Ok(None);
        };
        let mut read = Map::new();
        read.insert("name".into(), profile.instance_profile_name().into());
        read.insert("path".into(), profile.path().into());
        put_opt(
            &mut read,
            "role",
            profile.roles().first().map(|r| r.role_name()),
        );
        put_opt(
            &mut read,
            "tags",
            read_back_tags(ctx, inputs, tag_pairs(profile.tags())),
        );
        let mut all = inputs.clone();
        all.extend(read.clone());
        if !read.contains_key("role") {
            all.remove("role");
        }
        Ok(Some(ReadResult {
            inputs: read,
            outputs: outputs(&all, profile.arn(), profile.instance_profile_id()),
        }))
    }

    async fn update(
        &self,
        ctx: &CallContext,
        id: &str,
        old_inputs: &Map,
        old_outputs: &Map,
        new_inputs: &Map,
    ) -> Result<Map, ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        if changed(old_inputs, new_inputs, "role") {
            // A profile holds at most one role: out with the old, in with the new.
            if let Some(old) = opt_str(old_inputs, "role")? {
                remove_role(&clients, id, old).await?;
            }
            if let Some(new) = opt_str(new_inputs, "role")? {
                add_role(&clients, id, new).await?;
            }
        }
        let changes = tag_changes(ctx, old_inputs, new_inputs);
        if !changes.set.is_empty() {
            clients
                .iam
                .tag_instance_profile()
                .instance_profile_name(id)
                .set_tags(Some(iam_tags(&changes.set)?))
                .send()
                .await
                .map_err(|e| aws_error(&format!("tag IAM instance profile {id}"), e))?;
        }
        if !changes.remove.is_empty() {
            clients
                .iam
                .untag_instance_profile()
                .instance_profile_name(id)
                .set_tag_keys(Some(changes.remove.clone()))
                .send()
                .await
                .map_err(|e| aws_error(&format!("untag IAM instance profile {id}"), e))?;
        }
        Ok(kept_outputs(new_inputs, old_outputs))
    }

    async fn delete(
        &self,
        ctx: &CallContext,
        id: &str,
        _inputs: &Map,
        _outputs: &Map,
    ) -> Result<(), ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        delete_profile(&clients, id).await
    }

    async fn find(
        &self,
        ctx: &CallContext,
        inputs: &Map,
    ) -> Result<Option<Created>, ProviderError> {
        let name = str_of(inputs, "name")?;
        let clients = self.shared.clients(ctx).await?;
        let Some(profile) = get(&clients, name).await? else {
            return Ok(None);
        };
        if !has_identity(ctx, tag_pairs(profile.tags())) {
            return Ok(None);
        }
        // The interrupted create may have stopped before adding the role.
        if let Some(role) = opt_str(inputs, "role")?
            && !profile.roles().iter().any(|r| r.role_name() == role)
        {
            add_role(&clients, name, role).await?;
        }
        Ok(Some(Created {
            id: name.to_string(),
            outputs: outputs(inputs, profile.arn(), profile.instance_profile_id()),
        }))
    }
}
