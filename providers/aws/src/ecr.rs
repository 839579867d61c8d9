//! ECR resource types: `aws:ecr:Repository`.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_ecr::types::{
    EncryptionConfiguration, EncryptionType, ImageScanningConfiguration, ImageTagMutability,
    Repository as SdkRepository, Tag,
};
use skistack_engine::{
    Attribute, CallContext, Created, DataSource, Map, Property, ProviderError, ReadResult,
    ResourceType, TypeSchema, Value, ValueType,
};

use crate::errors::{aws_error, is_not_found};
use crate::iam::document::read_back_json;
use crate::props::{changed, opt_bool, opt_str, put_opt, str_of};
use crate::shared::{Clients, Shared};
use crate::tags::{
    TagChanges, has_identity, read_back_tags, resource_tags, tag_changes, tag_property,
};

/// Every ECR resource type.
pub fn resource_types(shared: &Arc<Shared>) -> Vec<Arc<dyn ResourceType>> {
    vec![Arc::new(Repository::new(shared))]
}

/// ECR has no data sources.
pub fn data_sources(_shared: &Arc<Shared>) -> Vec<Arc<dyn DataSource>> {
    Vec::new()
}

/// A private container image repository.
pub struct Repository {
    shared: Arc<Shared>,
    schema: TypeSchema,
}

impl Repository {
    pub(crate) fn new(shared: &Arc<Shared>) -> Repository {
        let schema = TypeSchema::new(
            "aws:ecr:Repository",
            "A private ECR container image repository.",
        )
        .property(
            Property::required("name", ValueType::String)
                .force_new()
                .describe("The repository's name, unique in the registry."),
        )
        .property(
            Property::optional("image_tag_mutability", ValueType::String)
                .default("MUTABLE")
                .describe("MUTABLE or IMMUTABLE (a pushed tag can never point elsewhere)."),
        )
        .property(
            Property::optional("scan_on_push", ValueType::Bool)
                .default(false)
                .describe("Scan each image for vulnerabilities when it is pushed."),
        )
        .property(
            Property::optional("encryption_type", ValueType::String)
                .default("AES256")
                .force_new()
                .describe("AES256 or KMS."),
        )
        .property(
            Property::optional("kms_key", ValueType::String)
                .force_new()
                .describe("The KMS key for encryption_type KMS; absent uses the AWS managed key."),
        )
        .property(
            Property::optional("force_delete", ValueType::Bool)
                .default(false)
                .describe("Delete the repository even when it still holds images."),
        )
        .property(
            Property::optional("lifecycle_policy", ValueType::String)
                .describe("A lifecycle policy, as a JSON string (rules that expire images)."),
        )
        .property(tag_property())
        .attribute(Attribute::new("arn", ValueType::String))
        .attribute(
            Attribute::new("repository_url", ValueType::String)
                .describe("Where to push: <registry>.dkr.ecr.<region>.amazonaws.com/<name>."),
        )
        .attribute(
            Attribute::new("registry_id", ValueType::String)
                .describe("The account id of the registry."),
        )
        // The name is unique: a replacement must delete the old repository first.
        .delete_before_replace();
        Repository {
            shared: Arc::clone(shared),
            schema,
        }
    }
}

fn ecr_tags(tags: &[(String, String)]) -> Result<Vec<Tag>, ProviderError> {
    tags.iter()
        .map(|(k, v)| {
            Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| ProviderError::Invalid(format!("tag {k}: {e}")))
        })
        .collect()
}

fn outputs(inputs: &Map, repo: &SdkRepository) -> Map {
    let mut out = inputs.clone();
    out.insert(
        "arn".into(),
        repo.repository_arn().unwrap_or_default().into(),
    );
    out.insert(
        "repository_url".into(),
        repo.repository_uri().unwrap_or_default().into(),
    );
    out.insert(
        "registry_id".into(),
        repo.registry_id().unwrap_or_default().into(),
    );
    out
}

/// The repository, or `None` when it does not exist.
async fn describe(clients: &Clients, name: &str) -> Result<Option<SdkRepository>, ProviderError> {
    match clients
        .ecr
        .describe_repositories()
        .repository_names(name)
        .send()
        .await
    {
        Ok(out) => Ok(out.repositories().first().cloned()),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(aws_error(&format!("describe ECR repository {name}"), e)),
    }
}

async fn list_tags(clients: &Clients, arn: &str) -> Result<Vec<(String, String)>, ProviderError> {
    let out = clients
        .ecr
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(|e| aws_error(&format!("list tags of {arn}"), e))?;
    Ok(out
        .tags()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect())
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
            .map_err(|e| aws_error(&format!("put lifecycle policy of ECR repository {name}"), e)),
        None => match clients
            .ecr
            .delete_lifecycle_policy()
            .repository_name(name)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            // LifecyclePolicyNotFoundException: there was none to remove.
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(aws_error(
                &format!("delete lifecycle policy of ECR repository {name}"),
                e,
            )),
        },
    }
}

async fn update_tags(
    clients: &Clients,
    arn: &str,
    changes: &TagChanges,
) -> Result<(), ProviderError> {
    if !changes.set.is_empty() {
        clients
            .ecr
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(ecr_tags(&changes.set)?))
            .send()
            .await
            .map_err(|e| aws_error(&format!("tag {arn}"), e))?;
    }
    if !changes.remove.is_empty() {
        clients
            .ecr
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(changes.remove.clone()))
            .send()
            .await
            .map_err(|e| aws_error(&format!("untag {arn}"), e))?;
    }
    Ok(())
}

#[async_trait]
impl ResourceType for Repository {
    fn schema(&self) -> &TypeSchema {
        &self.schema
    }

    async fn create(&self, ctx: &CallContext, inputs: &Map) -> Result<Created, ProviderError> {
        let name = str_of(inputs, "name")?;
        let clients = self.shared.clients(ctx).await?;
        let mut req = clients
            .ecr
            .create_repository()
            .repository_name(name)
            .image_scanning_configuration(
                ImageScanningConfiguration::builder()
                    .scan_on_push(opt_bool(inputs, "scan_on_push")?.unwrap_or(false))
                    .build(),
            )
            .set_tags(Some(ecr_tags(&resource_tags(ctx, inputs))?));
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
            .map_err(|e| aws_error(&format!("create ECR repository {name}"), e))?;
        let repo = out.repository().ok_or_else(|| {
            ProviderError::Failed(format!(
                "create ECR repository {name}: no repository in the response"
            ))
        })?;
        if let Some(policy) = opt_str(inputs, "lifecycle_policy")?
            && let Err(e) = put_lifecycle_policy(&clients, name, Some(policy)).await
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
        Ok(Created {
            id: name.to_string(),
            outputs: outputs(inputs, repo),
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
        let Some(repo) = describe(&clients, id).await? else {
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
            read.insert(
                "encryption_type".into(),
                enc.encryption_type().as_str().into(),
            );
            // Without a declared key, KMS encryption uses the AWS managed one.
            if inputs.contains_key("kms_key") {
                put_opt(&mut read, "kms_key", enc.kms_key());
            }
        }
        let policy = match clients
            .ecr
            .get_lifecycle_policy()
            .repository_name(id)
            .send()
            .await
        {
            Ok(out) => out.lifecycle_policy_text().map(str::to_string),
            Err(e) if is_not_found(&e) => None,
            Err(e) => {
                return Err(aws_error(
                    &format!("get lifecycle policy of ECR repository {id}"),
                    e,
                ));
            }
        };
        if let Some(policy) = policy {
            let declared = opt_str(inputs, "lifecycle_policy")?;
            read.insert(
                "lifecycle_policy".into(),
                read_back_json(declared, &policy).into(),
            );
        }
        let arn = repo.repository_arn().unwrap_or_default();
        let tags = list_tags(&clients, arn).await?;
        put_opt(
            &mut read,
            "tags",
            read_back_tags(
                ctx,
                inputs,
                tags.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            ),
        );
        let mut all = inputs.clone();
        all.extend(read.clone());
        if !read.contains_key("lifecycle_policy") {
            all.remove("lifecycle_policy");
        }
        Ok(Some(ReadResult {
            inputs: read,
            outputs: outputs(&all, &repo),
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
        if changed(old_inputs, new_inputs, "image_tag_mutability") {
            let m = opt_str(new_inputs, "image_tag_mutability")?.unwrap_or("MUTABLE");
            clients
                .ecr
                .put_image_tag_mutability()
                .repository_name(id)
                .image_tag_mutability(ImageTagMutability::from(m))
                .send()
                .await
                .map_err(|e| aws_error(&format!("set tag mutability of ECR repository {id}"), e))?;
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
                .map_err(|e| aws_error(&format!("set scan on push of ECR repository {id}"), e))?;
        }
        if changed(old_inputs, new_inputs, "lifecycle_policy") {
            put_lifecycle_policy(&clients, id, opt_str(new_inputs, "lifecycle_policy")?).await?;
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
            None => describe(&clients, id)
                .await?
                .ok_or_else(|| ProviderError::NotFound(format!("ECR repository {id}")))?,
        };
        update_tags(
            &clients,
            repo.repository_arn().unwrap_or_default(),
            &tag_changes(ctx, old_inputs, new_inputs),
        )
        .await?;
        Ok(outputs(new_inputs, &repo))
    }

    async fn delete(
        &self,
        ctx: &CallContext,
        id: &str,
        inputs: &Map,
        _outputs: &Map,
    ) -> Result<(), ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        let force = opt_bool(inputs, "force_delete")?.unwrap_or(false);
        match clients
            .ecr
            .delete_repository()
            .repository_name(id)
            .force(force)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(aws_error(&format!("delete ECR repository {id}"), e)),
        }
    }

    async fn find(
        &self,
        ctx: &CallContext,
        inputs: &Map,
    ) -> Result<Option<Created>, ProviderError> {
        let name = str_of(inputs, "name")?;
        let clients = self.shared.clients(ctx).await?;
        let Some(repo) = describe(&clients, name).await? else {
            return Ok(None);
        };
        let tags = list_tags(&clients, repo.repository_arn().unwrap_or_default()).await?;
        if !has_identity(ctx, tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
            return Ok(None);
        }
        Ok(Some(Created {
            id: name.to_string(),
            outputs: outputs(inputs, &repo),
        }))
    }
}
