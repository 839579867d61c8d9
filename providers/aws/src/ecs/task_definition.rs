//! `aws:ecs:TaskDefinition`. A task definition revision never changes, so
//! every property but the tags forces a replacement: the engine registers
//! the new revision first, then deregisters the old one.

use async_trait::async_trait;
use aws_sdk_ecs::types::{
    Compatibility, CpuArchitecture, NetworkMode, OsFamily, RuntimePlatform,
    TaskDefinition as SdkTaskDefinition, TaskDefinitionField, TaskDefinitionStatus,
};
use skistack_engine::{
    Attribute, Created, Map, Property, ProviderError, ReadResult, TypeSchema, Value, ValueType,
};

use super::container::container_definitions;
use super::create_tags;
use crate::errors::{During, OrFailed, aws_error, error_code, is_not_found};
use crate::kit::{AwsResource, Call, Out, created, read_back_with};
use crate::props::{Put, list_of_str, opt_map, opt_str, put_opt, str_list, str_of};
use crate::shared::Clients;
use crate::tags::{self, TagApi, has_identity, put_read_tags, tag_pairs, tag_property};

/// A task definition revision. Its id is the revision's ARN.
#[derive(Default)]
pub(crate) struct TaskDefinition;

/// CPU and memory are strings to AWS, but a stack file may give numbers.
fn size_of(inputs: &Map, key: &str) -> Result<Option<String>, ProviderError> {
    match inputs.get(key).map(|v| v.unwrap_secret().0) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Int(i)) => Ok(Some(i.to_string())),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
        Some(Value::String(_)) => Ok(None),
        Some(other) => Err(ProviderError::Invalid(format!(
            "property `{key}` must be a number or a string, not {}",
            other.kind()
        ))),
    }
}

/// The declared size when it says what AWS holds (256 and "256"), else AWS's.
fn read_back_size(inputs: &Map, key: &str, actual: &str) -> Value {
    match inputs.get(key) {
        Some(Value::Int(i)) if i.to_string() == actual => Value::Int(*i),
        _ => Value::String(actual.to_string()),
    }
}

fn outputs_of(inputs: &Map, td: &SdkTaskDefinition) -> Map {
    let arn = td.task_definition_arn().unwrap_or_default();
    let mut out = inputs.clone();
    out.insert("arn".into(), arn.into());
    out.insert("revision".into(), Value::Int(i64::from(td.revision())));
    let family_arn = arn.rsplit_once(':').map_or(arn, |(family, _)| family);
    out.insert("arn_without_revision".into(), family_arn.into());
    out
}

/// The family of a revision's ARN (`...:task-definition/FAMILY:REVISION`).
fn family_of(arn: &str) -> Option<&str> {
    let (_, rest) = arn.rsplit_once("task-definition/")?;
    Some(rest.rsplit_once(':').map_or(rest, |(family, _)| family))
}

/// The revision and its tags, or `None` when it is gone or deregistered.
async fn describe(
    clients: &Clients,
    arn: &str,
) -> Result<Option<(SdkTaskDefinition, Vec<aws_sdk_ecs::types::Tag>)>, ProviderError> {
    match clients
        .ecs
        .describe_task_definition()
        .task_definition(arn)
        .include(TaskDefinitionField::Tags)
        .send()
        .await
    {
        Ok(out) => Ok(out
            .task_definition()
            .filter(|td| td.status() == Some(&TaskDefinitionStatus::Active))
            .map(|td| (td.clone(), out.tags().to_vec()))),
        // ECS reports an unknown task definition as a ClientException.
        Err(e) if is_not_found(&e) || error_code(&e) == Some("ClientException") => Ok(None),
        Err(e) => Err(aws_error(&format!("describe ECS task definition {arn}"), e)),
    }
}

#[async_trait]
impl AwsResource for TaskDefinition {
    const NOT_IDEMPOTENT: &'static [&'static str] = &["RegisterTaskDefinition"];
    const TAGS: Option<TagApi> = Some(tags::ECS);

    fn schema() -> TypeSchema {
        TypeSchema::new(
            "aws:ecs:TaskDefinition",
            "An ECS task definition; a change registers a new revision \
                and deregisters the old one.",
        )
        .properties([
            Property::required("family", ValueType::String)
                .force_new()
                .describe("The family the revision belongs to."),
            Property::required("container_definitions", ValueType::Any)
                .force_new()
                .describe(
                    "The containers: a JSON array as AWS documents it, or a list of tables \
                         (name, image, cpu, memory, essential, port_mappings, environment, secrets, \
                         log_configuration, command, entry_point, health_check...).",
                ),
            Property::optional("cpu", ValueType::Any)
                .force_new()
                .describe("Task CPU units (256) or vCPUs (\"0.25 vCPU\"); required for Fargate."),
            Property::optional("memory", ValueType::Any)
                .force_new()
                .describe("Task memory in MiB (512) or \"1 GB\"; required for Fargate."),
            Property::optional("network_mode", ValueType::String)
                .force_new()
                .describe("bridge, host, awsvpc or none."),
            Property::optional(
                "requires_compatibilities",
                ValueType::list(ValueType::String),
            )
            .force_new()
            .describe("Launch types the revision must suit: EC2, FARGATE, EXTERNAL."),
            Property::optional("execution_role_arn", ValueType::String)
                .force_new()
                .describe("The role ECS uses to pull images and write logs."),
            Property::optional("task_role_arn", ValueType::String)
                .force_new()
                .describe("The role the containers' code runs as."),
            Property::optional(
                "runtime_platform",
                ValueType::Object(vec![
                    Property::optional("operating_system_family", ValueType::String)
                        .describe("LINUX, WINDOWS_SERVER_2022_CORE..."),
                    Property::optional("cpu_architecture", ValueType::String)
                        .describe("X86_64 or ARM64."),
                ]),
            )
            .force_new(),
            tag_property(),
        ])
        .attributes([
            Attribute::new("arn", ValueType::String).describe("The revision's ARN."),
            Attribute::new("revision", ValueType::Int),
            Attribute::new("arn_without_revision", ValueType::String)
                .describe("The family's ARN, which always means its latest revision."),
        ])
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (clients, inputs) = (call.clients, call.inputs);
        let family = str_of(inputs, "family")?;
        let containers =
            container_definitions(inputs.get("container_definitions").ok_or_else(|| {
                ProviderError::Invalid("property `container_definitions` is required".into())
            })?)?;
        let mut req = clients
            .ecs
            .register_task_definition()
            .family(family)
            .set_container_definitions(Some(containers))
            .set_cpu(size_of(inputs, "cpu")?)
            .set_memory(size_of(inputs, "memory")?)
            .set_execution_role_arn(opt_str(inputs, "execution_role_arn")?.map(str::to_string))
            .set_task_role_arn(opt_str(inputs, "task_role_arn")?.map(str::to_string))
            .set_tags(Some(create_tags(call)?));
        if let Some(mode) = opt_str(inputs, "network_mode")? {
            req = req.network_mode(NetworkMode::from(mode));
        }
        for c in list_of_str(inputs, "requires_compatibilities")? {
            req = req.requires_compatibilities(Compatibility::from(c.as_str()));
        }
        if let Some(p) = opt_map(inputs, "runtime_platform")? {
            req = req.runtime_platform(
                RuntimePlatform::builder()
                    .set_operating_system_family(
                        opt_str(p, "operating_system_family")?.map(OsFamily::from),
                    )
                    .set_cpu_architecture(
                        opt_str(p, "cpu_architecture")?.map(CpuArchitecture::from),
                    )
                    .build(),
            );
        }
        let out = req
            .send()
            .await
            .during(&format!("register ECS task definition {family}"))?;
        let td = out.task_definition().or_failed(&format!(
            "register ECS task definition {family}: no task definition in the response"
        ))?;
        Ok(created(
            td.task_definition_arn().unwrap_or_default().to_string(),
            outputs_of(inputs, td),
        ))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (ctx, clients, id, inputs) = (call.ctx, call.clients, call.id, call.inputs);
        let Some((td, tags)) = describe(clients, id).await? else {
            return Ok(None);
        };
        let mut read = Map::new();
        put_opt(&mut read, "family", td.family());
        for (key, size) in [("cpu", td.cpu()), ("memory", td.memory())] {
            put_opt(&mut read, key, size.map(|s| read_back_size(inputs, key, s)));
        }
        put_opt(
            &mut read,
            "network_mode",
            td.network_mode().map(|m| m.as_str()),
        );
        if !td.requires_compatibilities().is_empty()
            || inputs.contains_key("requires_compatibilities")
        {
            read.put(
                "requires_compatibilities",
                str_list(td.requires_compatibilities().iter().map(|c| c.as_str())),
            );
        }
        put_opt(&mut read, "execution_role_arn", td.execution_role_arn());
        put_opt(&mut read, "task_role_arn", td.task_role_arn());
        put_read_tags(&mut read, ctx, inputs, tag_pairs(&tags));
        // A revision is immutable: its containers are the ones it was
        // registered with, and the declared form (JSON or tables) is kept.
        read_back_with(inputs, read, |all| outputs_of(all, &td))
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        let res = clients
            .ecs
            .deregister_task_definition()
            .task_definition(id)
            .send()
            .await;
        // Deregistering one that is already inactive or gone fails with a
        // ClientException; it is deleted all the same.
        if let Err(e) = res
            && describe(clients, id).await?.is_some()
        {
            return Err(aws_error(
                &format!("deregister ECS task definition {id}"),
                e,
            ));
        }
        Ok(())
    }

    /// The active revisions of the family that carry the identity tags
    /// (RegisterTaskDefinition tags the revision it makes). During a
    /// replacement the old revision carries them too.
    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let family = str_of(inputs, "family")?;
        let mut arns = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let out = clients
                .ecs
                .list_task_definitions()
                .family_prefix(family)
                .status(TaskDefinitionStatus::Active)
                .set_next_token(next.take())
                .send()
                .await
                .during(&format!("list ECS task definitions of {family}"))?;
            // The prefix also matches longer family names.
            arns.extend(
                out.task_definition_arns()
                    .iter()
                    .filter(|arn| family_of(arn) == Some(family))
                    .cloned(),
            );
            match out.next_token() {
                Some(t) if !t.is_empty() => next = Some(t.to_string()),
                _ => break,
            }
        }
        let mut found = Vec::new();
        for arn in arns {
            if let Some((td, tags)) = describe(clients, &arn).await?
                && has_identity(ctx, tag_pairs(&tags))
            {
                found.push(created(arn, outputs_of(inputs, &td)));
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::family_of;

    #[test]
    fn the_family_is_read_from_a_revision_arn() {
        let arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/ceros-ski-staging:7";
        assert_eq!(family_of(arn), Some("ceros-ski-staging"));
        assert_eq!(
            family_of("arn:aws:ecs:us-east-1:1:task-definition/a:b-c:2"),
            Some("a:b-c")
        );
        assert_eq!(family_of("not-an-arn"), None);
    }
}
