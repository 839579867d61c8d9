//! ECR resource types: `aws:ecr:Repository`.

use async_trait::async_trait;
use aws_sdk_ecr::types::{
    EncryptionConfiguration, EncryptionType, ImageScanningConfiguration, ImageTagMutability,
    Repository as SdkRepository,
};
use skistack_engine::{
    Attribute, Created, Map, Property, ProviderError, ReadResult, TypeSchema, Value, ValueType,
};

use crate::errors::{During, OrFailed, found, gone_ok};
use crate::iam::document::read_back_json;
use crate::kit::{AwsResource, Call, Out, created, read_back};
use crate::props::{Put, changed, opt_bool, opt_str, put_opt, str_of};
use crate::shared::Clients;
use crate::tags::{
    self, has_identity, pairs, put_read_tags, resource_tags, sdk_tags, tag_changes, tag_property,
};

/// A private container image repository.
#[derive(Default)]
pub(crate) struct Repository;

fn outputs_of(inputs: &Map, repo: &SdkRepository) -> Map {
    let mut out = inputs.clone();
    out.put("arn", repo.repository_arn().unwrap_or_default());
    out.put("repository_url", repo.repository_uri().unwrap_or_default());
    out.put("registry_id", repo.registry_id().unwrap_or_default());
    out
}

/// The repository, or `None` when it does not exist.
async fn describe(clients: &Clients, name: &str) -> Result<Option<SdkRepository>, ProviderError> {
    let res = clients
        .ecr
        .describe_repositories()
        .repository_names(name)
        .send()
        .await;
    Ok(found(&format!("describe ECR repository {name}"), res)?
        .and_then(|out| out.repositories().first().cloned()))
}

async fn put_lifecycle_policy(
    clients: &Clients,
    name: &str,
    policy: Option<&str>,
) -> Result<(), ProviderError> {
    match policy {
        Some(text) => clients
            .ecr
            .put_lifecycle_policy()
            .repository_name(name)
            .lifecycle_policy_text(text)
            .send()
            .await
            .map(drop)
            .during(&format!("put lifecycle policy of ECR repository {name}")),
        None => {
            let res = clients
                .ecr
                .delete_lifecycle_policy()
                .repository_name(name)
                .send()
                .await;
            // LifecyclePolicyNotFoundException: there was none to remove.
            gone_ok(
                &format!("delete lifecycle policy of ECR repository {name}"),
                res,
            )
        }
    }
}

#[async_trait]
impl AwsResource for Repository {
    fn schema() -> TypeSchema {
        TypeSchema::new(
            "aws:ecr:Repository",
            "A private ECR container image repository.",
        )
        .complete_reads()
        .properties([
            Property::required("name", ValueType::String)
                .force_new()
                .describe("The repository's name, unique in the registry."),
            Property::optional("image_tag_mutability", ValueType::String)
                .default("MUTABLE")
                .describe("MUTABLE or IMMUTABLE (a pushed tag can never point elsewhere)."),
            Property::optional("scan_on_push", ValueType::Bool)
                .default(false)
                .describe("Scan each image for vulnerabilities when it is pushed."),
            Property::optional("encryption_type", ValueType::String)
                .default("AES256")
                .force_new()
                .describe("AES256 or KMS."),
            Property::optional("kms_key", ValueType::String)
                .force_new()
                .describe("The KMS key for encryption_type KMS; absent uses the AWS managed key."),
            Property::optional("force_delete", ValueType::Bool)
                .default(false)
                // What delete does, not a setting AWS keeps.
                .unreadable()
                .describe("Delete the repository even when it still holds images."),
            Property::optional("lifecycle_policy", ValueType::String)
                .describe("A lifecycle policy, as a JSON string (rules that expire images)."),
            tag_property(),
        ])
        .attributes([
            Attribute::new("arn", ValueType::String),
            Attribute::new("repository_url", ValueType::String)
                .describe("Where to push: <registry>.dkr.ecr.<region>.amazonaws.com/<name>."),
            Attribute::new("registry_id", ValueType::String)
                .describe("The account id of the registry."),
        ])
        // The name is unique: a replacement must delete the old repository first.
        .delete_before_replace()
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let name = str_of(inputs, "name")?;
        let mut req = clients
            .ecr
            .create_repository()
            .repository_name(name)
            .image_scanning_configuration(
                ImageScanningConfiguration::builder()
                    .scan_on_push(opt_bool(inputs, "scan_on_push")?.unwrap_or(false))
                    .build(),
            )
            .set_tags(Some(sdk_tags(&resource_tags(ctx, inputs))?));
        if let Some(m) = opt_str(inputs, "image_tag_mutability")? {
            req = req.image_tag_mutability(ImageTagMutability::from(m));
        }
        if let Some(kind) = opt_str(inputs, "encryption_type")? {
            let enc = EncryptionConfiguration::builder()
                .encryption_type(EncryptionType::from(kind))
                .set_kms_key(opt_str(inputs, "kms_key")?.map(str::to_string))
                .build()
                .map_err(|e| ProviderError::Invalid(format!("encryption: {e}")))?;
            req = req.encryption_configuration(enc);
        }
        let out = req
            .send()
            .await
            .during(&format!("create ECR repository {name}"))?;
        let repo = out.repository().or_failed(&format!(
            "create ECR repository {name}: no repository in the response"
        ))?;
        if let Some(policy) = opt_str(inputs, "lifecycle_policy")?
            && let Err(e) = put_lifecycle_policy(clients, name, Some(policy)).await
        {
            // Undo the create so that a failed create leaves nothing behind.
            let _ = clients
                .ecr
                .delete_repository()
                .repository_name(name)
                .send()
                .await;
            return Err(e);
        }
        Ok(created(name.to_string(), outputs_of(inputs, repo)))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (ctx, clients, id, inputs) = (call.ctx, call.clients, call.id, call.inputs);
        let Some(repo) = describe(clients, id).await? else {
            return Ok(None);
        };
        let mut read = Map::new();
        read.insert("name".into(), Value::String(id.to_string()));
        put_opt(
            &mut read,
            "image_tag_mutability",
            repo.image_tag_mutability().map(|m| m.as_str()),
        );
        put_opt(
            &mut read,
            "scan_on_push",
            repo.image_scanning_configuration()
                .map(|c| c.scan_on_push()),
        );
        if let Some(enc) = repo.encryption_configuration() {
            read.put("encryption_type", enc.encryption_type().as_str());
            // Without a declared key, KMS encryption uses the AWS managed one.
            if inputs.contains_key("kms_key") {
                put_opt(&mut read, "kms_key", enc.kms_key());
            }
        }
        let res = clients
            .ecr
            .get_lifecycle_policy()
            .repository_name(id)
            .send()
            .await;
        let policy = found(&format!("get lifecycle policy of ECR repository {id}"), res)?;
        if let Some(policy) = policy.as_ref().and_then(|p| p.lifecycle_policy_text()) {
            let declared = opt_str(inputs, "lifecycle_policy")?;
            read.put("lifecycle_policy", read_back_json(declared, policy));
        }
        let arn = repo.repository_arn().unwrap_or_default();
        let tags = tags::ecr_tags(clients, arn).await?;
        put_read_tags(&mut read, ctx, inputs, pairs(&tags));
        let mut all = inputs.clone();
        all.extend(read.clone());
        if !read.contains_key("lifecycle_policy") {
            all.remove("lifecycle_policy");
        }
        read_back(read, outputs_of(&all, &repo))
    }

    async fn update(&self, call: &Call<'_>, new_inputs: &Map) -> Out<Map> {
        let (ctx, clients, id, old_inputs, old_outputs) =
            (call.ctx, call.clients, call.id, call.inputs, call.outputs);
        if changed(old_inputs, new_inputs, "image_tag_mutability") {
            let m = opt_str(new_inputs, "image_tag_mutability")?.unwrap_or("MUTABLE");
            clients
                .ecr
                .put_image_tag_mutability()
                .repository_name(id)
                .image_tag_mutability(ImageTagMutability::from(m))
                .send()
                .await
                .during(&format!("set tag mutability of ECR repository {id}"))?;
        }
        if changed(old_inputs, new_inputs, "scan_on_push") {
            clients
                .ecr
                .put_image_scanning_configuration()
                .repository_name(id)
                .image_scanning_configuration(
                    ImageScanningConfiguration::builder()
                        .scan_on_push(opt_bool(new_inputs, "scan_on_push")?.unwrap_or(false))
                        .build(),
                )
                .send()
                .await
                .during(&format!("set scan on push of ECR repository {id}"))?;
        }
        if changed(old_inputs, new_inputs, "lifecycle_policy") {
            put_lifecycle_policy(clients, id, opt_str(new_inputs, "lifecycle_policy")?).await?;
        }
        let repo = match old_outputs.get("arn").and_then(Value::as_str) {
            Some(arn) => SdkRepository::builder()
                .repository_arn(arn)
                .set_repository_uri(
                    old_outputs
                        .get("repository_url")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                )
                .set_registry_id(
                    old_outputs
                        .get("registry_id")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                )
                .build(),
            None => describe(clients, id)
                .await?
                .ok_or_else(|| ProviderError::NotFound(format!("ECR repository {id}")))?,
        };
        // Tags address the repository by its ARN, described if not recorded.
        let changes = tag_changes(ctx, old_inputs, new_inputs);
        let arn = repo.repository_arn().unwrap_or_default();
        tags::ECR.apply(clients, arn, &changes).await?;
        Ok(outputs_of(new_inputs, &repo))
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id, inputs) = (call.clients, call.id, call.inputs);
        let force = opt_bool(inputs, "force_delete")?.unwrap_or(false);
        clients
            .ecr
            .delete_repository()
            .repository_name(id)
            .force(force)
            .send()
            .await
            .map(drop)
            .during(&format!("delete ECR repository {id}"))
    }

    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let name = str_of(inputs, "name")?;
        let Some(repo) = describe(clients, name).await? else {
            return Ok(Vec::new());
        };
        let tags = tags::ecr_tags(clients, repo.repository_arn().unwrap_or_default()).await?;
        if !has_identity(ctx, pairs(&tags)) {
            return Ok(Vec::new());
        }
        Ok(vec![created(name.to_string(), outputs_of(inputs, &repo))])
    }
}
