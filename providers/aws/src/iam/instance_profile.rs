//! `aws:iam:InstanceProfile`.

use async_trait::async_trait;
use aws_sdk_iam::types::InstanceProfile as SdkInstanceProfile;
use skistack_engine::{
    Attribute, Created, Map, Property, ProviderError, ReadResult, TypeSchema, ValueType,
};

use super::{kept_outputs, outputs_of};
use crate::errors::{During, OrFailed, aws_error, error_code, found, gone_ok};
use crate::kit::{AwsResource, Call, Out, created, read_back};
use crate::props::{changed, opt_str, put_opt, str_of};
use crate::shared::Clients;
use crate::tags::{
    self, TagApi, has_identity, put_read_tags, resource_tags, sdk_tags, tag_pairs, tag_property,
};

/// An instance profile: what lets an EC2 instance assume a role.
#[derive(Default)]
pub(crate) struct InstanceProfile;

/// The profile, or `None` when it does not exist.
async fn get(clients: &Clients, name: &str) -> Result<Option<SdkInstanceProfile>, ProviderError> {
    let res = clients
        .iam
        .get_instance_profile()
        .instance_profile_name(name)
        .send()
        .await;
    Ok(found(&format!("get IAM instance profile {name}"), res)?
        .and_then(|out| out.instance_profile().cloned()))
}

/// Puts the role in the profile. A profile holds one role, so an earlier
/// run's request that landed late answers `LimitExceeded` (or
/// `EntityAlreadyExists`): when the role in it is this one, that is done.
async fn add_role(clients: &Clients, profile: &str, role: &str) -> Result<(), ProviderError> {
    let res = clients
        .iam
        .add_role_to_instance_profile()
        .instance_profile_name(profile)
        .role_name(role)
        .send()
        .await;
    let what = || format!("add IAM role {role} to instance profile {profile}");
    match res {
        Ok(_) => Ok(()),
        Err(e)
            if matches!(
                error_code(&e),
                Some("LimitExceeded" | "EntityAlreadyExists")
            ) =>
        {
            let held = get(clients, profile).await?;
            let has = held.is_some_and(|p| p.roles().iter().any(|r| r.role_name() == role));
            if has {
                Ok(())
            } else {
                Err(aws_error(&what(), e))
            }
        }
        Err(e) => Err(aws_error(&what(), e)),
    }
}

/// Takes a role out of the profile; a role or profile already gone is fine.
async fn remove_role(clients: &Clients, profile: &str, role: &str) -> Result<(), ProviderError> {
    // `NoSuchEntity`: the role is not in the profile (a remove of an earlier
    // run landed after it died), or either is gone; all mean done.
    let res = clients
        .iam
        .remove_role_from_instance_profile()
        .instance_profile_name(profile)
        .role_name(role)
        .send()
        .await;
    gone_ok(
        &format!("remove IAM role {role} from instance profile {profile}"),
        res,
    )
}

async fn delete_profile(clients: &Clients, name: &str) -> Result<(), ProviderError> {
    let Some(profile) = get(clients, name).await? else {
        return Ok(());
    };
    // A profile that still holds a role cannot be deleted.
    for role in profile.roles() {
        remove_role(clients, name, role.role_name()).await?;
    }
    let res = clients
        .iam
        .delete_instance_profile()
        .instance_profile_name(name)
        .send()
        .await;
    gone_ok(&format!("delete IAM instance profile {name}"), res)
}

#[async_trait]
impl AwsResource for InstanceProfile {
    const TAGS: Option<TagApi> = Some(tags::IAM_INSTANCE_PROFILE);

    fn schema() -> TypeSchema {
        TypeSchema::new(
            "aws:iam:InstanceProfile",
            "An IAM instance profile, holding the role EC2 instances assume.",
        )
        .complete_reads()
        .properties([
            Property::required("name", ValueType::String)
                .force_new()
                .describe("The profile's name, unique in the account."),
            Property::optional("role", ValueType::String)
                .holds()
                .describe("The name of the role the profile holds."),
            Property::optional("path", ValueType::String)
                .default("/")
                .force_new(),
            tag_property(),
        ])
        .attributes([
            Attribute::new("arn", ValueType::String),
            Attribute::new("unique_id", ValueType::String),
        ])
        // The name is unique: a replacement must delete the old profile first.
        .delete_before_replace()
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let name = str_of(inputs, "name")?;
        let out = clients
            .iam
            .create_instance_profile()
            .instance_profile_name(name)
            .set_path(opt_str(inputs, "path")?.map(str::to_string))
            .set_tags(Some(sdk_tags(&resource_tags(ctx, inputs))?))
            .send()
            .await
            .during(&format!("create IAM instance profile {name}"))?;
        let profile = out.instance_profile().or_failed(&format!(
            "create IAM instance profile {name}: no profile in the response"
        ))?;
        if let Some(role) = opt_str(inputs, "role")?
            && let Err(e) = add_role(clients, name, role).await
        {
            // Undo the create so that a failed create leaves nothing behind.
            let _ = delete_profile(clients, name).await;
            return Err(e);
        }
        Ok(created(
            name.to_string(),
            outputs_of(inputs, profile.arn(), profile.instance_profile_id()),
        ))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (ctx, clients, id, inputs) = (call.ctx, call.clients, call.id, call.inputs);
        let Some(profile) = get(clients, id).await? else {
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
        put_read_tags(&mut read, ctx, inputs, tag_pairs(profile.tags()));
        let mut all = inputs.clone();
        all.extend(read.clone());
        if !read.contains_key("role") {
            all.remove("role");
        }
        read_back(
            read,
            outputs_of(&all, profile.arn(), profile.instance_profile_id()),
        )
    }

    async fn update(&self, call: &Call<'_>, new_inputs: &Map) -> Out<Map> {
        let (clients, id, old_inputs, old_outputs) =
            (call.clients, call.id, call.inputs, call.outputs);
        if changed(old_inputs, new_inputs, "role") {
            // A profile holds at most one role: out with the old, in with the new.
            if let Some(old) = opt_str(old_inputs, "role")? {
                remove_role(clients, id, old).await?;
            }
            if let Some(new) = opt_str(new_inputs, "role")? {
                add_role(clients, id, new).await?;
            }
        }
        Ok(kept_outputs(new_inputs, old_outputs))
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        delete_profile(clients, id).await
    }

    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let name = str_of(inputs, "name")?;
        let Some(profile) = get(clients, name)
            .await?
            .filter(|p| has_identity(ctx, tag_pairs(p.tags())))
        else {
            return Ok(Vec::new());
        };
        // The interrupted create may have stopped before adding the role.
        if let Some(role) = opt_str(inputs, "role")?
            && !profile.roles().iter().any(|r| r.role_name() == role)
        {
            add_role(clients, name, role).await?;
        }
        Ok(vec![created(
            name.to_string(),
            outputs_of(inputs, profile.arn(), profile.instance_profile_id()),
        )])
    }
}
