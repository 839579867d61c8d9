//! `aws:ecs:Cluster`.

use async_trait::async_trait;
use aws_sdk_ecs::types::{Cluster as SdkCluster, ClusterField, ClusterSetting, ClusterSettingName};
use skistack_engine::{Created, Map, Property, ProviderError, ReadResult, TypeSchema, ValueType};

use super::{create_tags, own_found, read_back_arn, unique_name_schema};
use crate::errors::{During, found};
use crate::kit::{AwsResource, Call, Out, arn_or_id, arn_output, created};
use crate::props::{changed, opt_bool, put_opt, str_of, with_arn};
use crate::retry::retry_eventual;
use crate::shared::Clients;
use crate::tags::{self, TagApi};

/// Errors of a cluster delete that clear up once services, tasks and
/// container instances have finished going away.
const DELETE_RETRY_CODES: &[&str] = &[
    "ClusterContainsServicesException",
    "ClusterContainsTasksException",
    "ClusterContainsContainerInstancesException",
    "ClusterContainsCapacityProviderException",
    "UpdateInProgressException",
];

/// An ECS cluster, named by the stack. Its id is the name.
#[derive(Default)]
pub(crate) struct Cluster;

fn insights_setting(on: bool) -> ClusterSetting {
    ClusterSetting::builder()
        .name(ClusterSettingName::ContainerInsights)
        .value(if on { "enabled" } else { "disabled" })
        .build()
}

/// The active cluster, or `None` when it does not exist or was deleted.
pub(super) async fn describe_cluster(
    clients: &Clients,
    name: &str,
) -> Result<Option<SdkCluster>, ProviderError> {
    let res = clients
        .ecs
        .describe_clusters()
        .clusters(name)
        .include(ClusterField::Tags)
        .include(ClusterField::Settings)
        .send()
        .await;
    let Some(out) = found(&format!("describe ECS cluster {name}"), res)? else {
        return Ok(None);
    };
    // A missing cluster shows as a failure; a deleted one stays INACTIVE for a while.
    Ok(out
        .clusters()
        .iter()
        .find(|c| c.status() != Some("INACTIVE"))
        .cloned())
}

#[async_trait]
impl AwsResource for Cluster {
    const TAGS: Option<TagApi> = Some(tags::ECS);

    fn schema() -> TypeSchema {
        let schema = TypeSchema::new("aws:ecs:Cluster", "An ECS cluster.")
            .complete_reads()
            .properties([
                Property::required("name", ValueType::String)
                    .force_new()
                    .describe("The cluster's name, unique in the account and region."),
                Property::optional("container_insights", ValueType::Bool)
                    .default(false)
                    .describe("Collect CloudWatch Container Insights metrics."),
            ]);
        unique_name_schema(schema)
    }

    /// Tags address the resource by its ARN.
    fn tag_target(id: &str, outputs: &Map) -> String {
        arn_or_id(id, outputs)
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (clients, inputs) = (call.clients, call.inputs);
        let name = str_of(inputs, "name")?;
        let out = clients
            .ecs
            .create_cluster()
            .cluster_name(name)
            .settings(insights_setting(
                opt_bool(inputs, "container_insights")?.unwrap_or(false),
            ))
            .set_tags(Some(create_tags(call)?))
            .send()
            .await
            .during(&format!("create ECS cluster {name}"))?;
        let arn = out
            .cluster()
            .and_then(|c| c.cluster_arn())
            .unwrap_or_default();
        Ok(created(name.to_string(), with_arn(inputs, arn)))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (clients, id) = (call.clients, call.id);
        let Some(cluster) = describe_cluster(clients, id).await? else {
            return Ok(None);
        };
        let mut read = Map::new();
        read.insert("name".into(), cluster.cluster_name().unwrap_or(id).into());
        let insights = cluster
            .settings()
            .iter()
            .find(|s| s.name() == Some(&ClusterSettingName::ContainerInsights))
            .and_then(|s| s.value());
        // "enhanced" observability includes the insights.
        put_opt(
            &mut read,
            "container_insights",
            insights.map(|v| v != "disabled"),
        );
        let arn = cluster.cluster_arn().unwrap_or_default();
        read_back_arn(call, read, cluster.tags(), arn)
    }

    async fn update(&self, call: &Call<'_>, new_inputs: &Map) -> Out<Map> {
        let (clients, id, old_inputs, old_outputs) =
            (call.clients, call.id, call.inputs, call.outputs);
        if changed(old_inputs, new_inputs, "container_insights") {
            // UpdateCluster takes the settings as UpdateClusterSettings does
            // (and moto only knows the former).
            clients
                .ecs
                .update_cluster()
                .cluster(id)
                .settings(insights_setting(
                    opt_bool(new_inputs, "container_insights")?.unwrap_or(false),
                ))
                .send()
                .await
                .during(&format!("update settings of ECS cluster {id}"))?;
        }
        Ok(arn_output(id, old_outputs))
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        // A cluster already gone (NotFound) counts as deleted: the kit's rule.
        retry_eventual(
            &format!("delete ECS cluster {id}"),
            DELETE_RETRY_CODES,
            || clients.ecs.delete_cluster().cluster(id).send(),
        )
        .await
        .map(drop)
    }

    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let name = str_of(call.inputs, "name")?;
        let Some(cluster) = describe_cluster(call.clients, name).await? else {
            return Ok(Vec::new());
        };
        let arn = cluster.cluster_arn().unwrap_or_default();
        Ok(own_found(call, name, arn, cluster.tags()))
    }
}
