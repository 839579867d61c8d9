//! `aws:ecs:ClusterCapacityProviders`: the capacity providers a cluster may
//! use and its default strategy.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_ecs::types::CapacityProviderStrategyItem;
use skistack_engine::{
    CallContext, Created, Map, Property, ProviderError, ReadResult, ResourceType, TypeSchema,
    ValueType,
};

use super::cluster::describe_cluster;
use super::{same_ref, strategy_of, strategy_type, strategy_value};
use crate::props::{list_of_maps, list_of_str, opt_str, str_list, str_of};
use crate::retry::retry_eventual;
use crate::shared::{Clients, Shared};

/// Errors of PutClusterCapacityProviders that clear up: another update of
/// the cluster still running, a provider still being created.
const PUT_RETRY_CODES: &[&str] = &["UpdateInProgressException", "ResourceInUseException"];

/// The capacity providers of one cluster. Its id is the cluster as declared.
pub struct ClusterCapacityProviders {
    shared: Arc<Shared>,
    schema: TypeSchema,
}

impl ClusterCapacityProviders {
    pub(crate) fn new(shared: &Arc<Shared>) -> ClusterCapacityProviders {
        let schema = TypeSchema::new(
            "aws:ecs:ClusterCapacityProviders",
            "Associates capacity providers with an ECS cluster and sets its default strategy.",
        )
        .property(
            Property::required("cluster", ValueType::String)
                .force_new()
                .describe("The cluster's name or ARN."),
        )
        .property(
            Property::required("capacity_providers", ValueType::list(ValueType::String)).describe(
                "Names of the capacity providers (FARGATE, FARGATE_SPOT or the account's).",
            ),
        )
        .property(
            Property::optional("default_capacity_provider_strategy", strategy_type())
                .describe("How services without a strategy of their own spread their tasks."),
        )
        // One association per cluster: a replacement must remove the old one first.
        .delete_before_replace();
        ClusterCapacityProviders {
            shared: Arc::clone(shared),
            schema,
        }
    }
}

async fn put(
    clients: &Clients,
    cluster: &str,
    providers: Vec<String>,
    strategy: Vec<CapacityProviderStrategyItem>,
) -> Result<(), ProviderError> {
    retry_eventual(
        &format!("put capacity providers of ECS cluster {cluster}"),
        PUT_RETRY_CODES,
        || {
            clients
                .ecs
                .put_cluster_capacity_providers()
                .cluster(cluster)
                .set_capacity_providers(Some(providers.clone()))
                .set_default_capacity_provider_strategy(Some(strategy.clone()))
                .send()
        },
    )
    .await
    .map(drop)
}

async fn put_inputs(clients: &Clients, inputs: &Map) -> Result<(), ProviderError> {
    let cluster = str_of(inputs, "cluster")?;
    let providers = list_of_str(inputs, "capacity_providers")?;
    let strategy = strategy_of(&list_of_maps(inputs, "default_capacity_provider_strategy")?)?;
    put(clients, cluster, providers, strategy).await
}

#[async_trait]
impl ResourceType for ClusterCapacityProviders {
    fn schema(&self) -> &TypeSchema {
        &self.schema
    }

    async fn create(&self, ctx: &CallContext, inputs: &Map) -> Result<Created, ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        put_inputs(&clients, inputs).await?;
        Ok(Created {
            id: str_of(inputs, "cluster")?.to_string(),
            outputs: inputs.clone(),
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
        read.insert(
            "cluster".into(),
            same_ref(
                opt_str(inputs, "cluster")?,
                cluster.cluster_arn().unwrap_or(id),
            )
            .into(),
        );
        read.insert(
            "capacity_providers".into(),
            str_list(cluster.capacity_providers().iter().cloned()),
        );
        let strategy = cluster.default_capacity_provider_strategy();
        if !strategy.is_empty() || inputs.contains_key("default_capacity_provider_strategy") {
            read.insert(
                "default_capacity_provider_strategy".into(),
                strategy_value(
                    &list_of_maps(inputs, "default_capacity_provider_strategy")?,
                    strategy,
                ),
            );
        }
        let mut outputs = inputs.clone();
        outputs.extend(read.clone());
        Ok(Some(ReadResult {
            inputs: read,
            outputs,
        }))
    }

    async fn update(
        &self,
        ctx: &CallContext,
        _id: &str,
        _old_inputs: &Map,
        _old_outputs: &Map,
        new_inputs: &Map,
    ) -> Result<Map, ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        put_inputs(&clients, new_inputs).await?;
        Ok(new_inputs.clone())
    }

    async fn delete(
        &self,
        ctx: &CallContext,
        id: &str,
        _inputs: &Map,
        _outputs: &Map,
    ) -> Result<(), ProviderError> {
        let clients = self.shared.clients(ctx).await?;
        if describe_cluster(&clients, id).await?.is_none() {
            return Ok(());
        }
        match put(&clients, id, Vec::new(), Vec::new()).await {
            Ok(()) | Err(ProviderError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn find(
        &self,
        ctx: &CallContext,
        inputs: &Map,
    ) -> Result<Option<Created>, ProviderError> {
        // The association has no identity of its own; when the cluster has
        // exactly the declared providers, the interrupted create went through.
        let cluster = str_of(inputs, "cluster")?;
        let clients = self.shared.clients(ctx).await?;
        let Some(c) = describe_cluster(&clients, cluster).await? else {
            return Ok(None);
        };
        let mut have: Vec<String> = c.capacity_providers().to_vec();
        let mut want = list_of_str(inputs, "capacity_providers")?;
        have.sort();
        want.sort();
        Ok((have == want && !want.is_empty()).then(|| Created {
            id: cluster.to_string(),
            outputs: inputs.clone(),
        }))
    }
}
