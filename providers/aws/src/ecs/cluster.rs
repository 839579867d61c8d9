//! `aws:ecs:Cluster`.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_ecs::types::{Cluster as SdkCluster, ClusterField, ClusterSetting, ClusterSettingName};
use skistack_engine::{
    Attribute, CallContext, Created, Map, Property, ProviderError, ReadResult, ResourceType,
    TypeSchema, Value, ValueType,
};

use super::{ecs_tags, tag_pairs, update_tags};
use crate::errors::{aws_error, is_not_found};
use crate::props::{changed, opt_bool, put_opt, str_of};
use crate::retry::retry_eventual;
use crate::shared::{Clients, Shared};
use crate::tags::{has_identity, read_back_tags, resource_tags, tag_changes, tag_property};

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
pub struct Cluster {
    shared: Arc<Shared>,
    schema: TypeSchema,
}

impl Cluster {
    pub(crate) fn new(shared: &Arc<Shared>) -> Cluster {
        let schema = TypeSchema::new("aws:ecs:Cluster", "An ECS cluster.")
            .property(
                Property::required("name", ValueType::String)
                    .force_new()
                    .describe("The cluster's name, unique in the account and region."),
            )
            .property(
                Property::optional("container_insights", ValueType::Bool)
                    .default(false)
                    .describe("Collect CloudWatch Container Insights metrics."),
            )
            .property(tag_property())
            .attribute(Attribute::new("arn", ValueType::String))
            // The name is unique: a replacement must delete the old cluster first.
            .delete_before_replace();
        Cluster {
            shared: Arc::clone(shared),
            schema,
        }
    }
}

fn insights_setting(on: bool) -> ClusterSetting {
    ClusterSetting::builder()
        .name(ClusterSettingName::ContainerInsights)
        .value(if on { "enabled" } else { "disabled" })
        .build()
}

fn outputs(inputs: &Map, arn: &str) -> Map {
    let mut out = inputs.clone();
    out.insert("arn".into(), arn.into());
    out
}

/// The active cluster, or `None` when it does not exist or was deleted.
pub(super) async fn describe_cluster(
    clients: &Clients,
    name: &str,
) -> Result<Option<SdkCluster>, ProviderError> {
    let out = match clients
        .ecs
        .describe_clusters()
        .clusters(name)
        .include(ClusterField::Tags)
        .include(ClusterField::Settings)
        .send()
        .await
    {
        Ok(out) => out,
        Err(e) if is_not_found(&e) => return Ok(None),
        Err(e) => return Err(aws_error(&format!("describe ECS cluster {name}"), e)),
    };
    // A missing cluster shows as a failure; a deleted one stays INACTIVE for a while.
    Ok(out
        .clusters()
        .iter()
        .find(|c| c.status() != Some("INACTIVE"))
        .cloned())
}

#[async_trait]
impl ResourceType for Cluster {
    fn schema(&self) -> &TypeSchema {
        &self.schema
    }

    async fn create(&self, ctx: &CallContext, inputs: &Map) -> Result<Created, ProviderError> {
        let name = str_of(inputs, "name")?;
        let clients = self.shared.clients(ctx).await?;
        let out = clients
            .ecs
            .create_cluster()
            .cluster_name(name)
            .settings(insights_setting(
                opt_bool(inputs, "container_insights")?.unwrap_or(false),
            ))
            .set_tags(Some(ecs_tags(&resource_tags(ctx, inputs))))
            .send()
            .await
            .map_err(|e| aws_error(&format!("create ECS cluster {name}"), e))?;
        let arn = out
            .cluster()
            .and_then(|c| c.cluster_arn())
            .unwrap_or_default();
        Ok(Created {
            id: name.to_string(),
            outputs: outputs(inputs, arn),
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
        let Some(cluster) = describe_cluster(&clients, id).await? else {
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
        put_opt(
            &mut read,
            "tags",
            read_back_tags(ctx, inputs, tag_pairs(cluster.tags())),
        );
        let mut all = inputs.clone();
        all.extend(read.clone());
        Ok(Some(ReadResult {
            inputs: read,
            outputs: outputs(&all, cluster.cluster_arn().unwrap_or_default()),
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
                .map_err(|e| aws_error(&format!("update settings of ECS cluster {id}"), e))?;
        }
        let arn = old_outputs
            .get("arn")
            .and_then(Value::as_str)
            .unwrap_or(id)
            .to_string();
        update_tags(&clients, &arn, &tag_changes(ctx, old_inputs, new_inputs)).await?;
        Ok(outputs(new_inputs, &arn))
    }

    async fn delete(
        &self,
        ctx: &CallContext,
        id: &str,
        _inputs: &Map,
        _outputs: &Map,
    ) -> Result<(), ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        let result = retry_eventual(
            &format!("delete ECS cluster {id}"),
            DELETE_RETRY_CODES,
            || clients.ecs.delete_cluster().cluster(id).send(),
        )
        .await;
        match result {
            Ok(_) | Err(ProviderError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn find(
        &self,
        ctx: &CallContext,
        inputs: &Map,
    ) -> Result<Option<Created>, ProviderError> {
        let name = str_of(inputs, "name")?;
        let clients = self.shared.clients(ctx).await?;
        let Some(cluster) = describe_cluster(&clients, name).await? else {
            return Ok(None);
        };
        if !has_identity(ctx, tag_pairs(cluster.tags())) {
            return Ok(None);
        }
        Ok(Some(Created {
            id: name.to_string(),
            outputs: outputs(inputs, cluster.cluster_arn().unwrap_or_default()),
        }))
    }
}
