//! `aws:ecs:ClusterCapacityProviders`: the capacity providers a cluster may
//! use and its default strategy.

use async_trait::async_trait;
use aws_sdk_ecs::types::CapacityProviderStrategyItem;
use skistack_engine::{Created, Map, Property, ProviderError, ReadResult, TypeSchema, ValueType};

use super::cluster::describe_cluster;
use super::{same_ref, strategy_of, strategy_type, strategy_value};
use crate::kit::{AwsResource, Call, Out, created, read_back_with};
use crate::props::{Put, list_of_maps, list_of_str, opt_str, str_list, str_of};
use crate::retry::retry_eventual;
use crate::shared::Clients;

/// Errors of PutClusterCapacityProviders that clear up: another update of
/// the cluster still running, a provider still being created.
const PUT_RETRY_CODES: &[&str] = &["UpdateInProgressException", "ResourceInUseException"];

/// The capacity providers of one cluster. Its id is the cluster as declared.
#[derive(Default)]
pub(crate) struct ClusterCapacityProviders;

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
impl AwsResource for ClusterCapacityProviders {
    fn schema() -> TypeSchema {
        TypeSchema::new(
            "aws:ecs:ClusterCapacityProviders",
            "Associates capacity providers with an ECS cluster and sets its default strategy.",
        )
        .complete_reads()
        .properties([
            Property::required("cluster", ValueType::String)
                .force_new()
                .describe("The cluster's name or ARN."),
            Property::required("capacity_providers", ValueType::list(ValueType::String))
                .holds()
                .describe(
                    "Names of the capacity providers (FARGATE, FARGATE_SPOT or the account's).",
                ),
            Property::optional("default_capacity_provider_strategy", strategy_type())
                .describe("How services without a strategy of their own spread their tasks."),
        ])
        // One association per cluster: a replacement must remove the old one first.
        .delete_before_replace()
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (clients, inputs) = (call.clients, call.inputs);
        put_inputs(clients, inputs).await?;
        Ok(created(
            str_of(inputs, "cluster")?.to_string(),
            inputs.clone(),
        ))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (clients, id, inputs) = (call.clients, call.id, call.inputs);
        let Some(cluster) = describe_cluster(clients, id).await? else {
            return Ok(None);
        };
        // What a delete leaves: a cluster with no providers and no default
        // strategy has no association left to read.
        if cluster.capacity_providers().is_empty()
            && cluster.default_capacity_provider_strategy().is_empty()
        {
            return Ok(None);
        }
        let mut read = Map::new();
        read.put(
            "cluster",
            same_ref(
                opt_str(inputs, "cluster")?,
                cluster.cluster_arn().unwrap_or(id),
            ),
        );
        read.put(
            "capacity_providers",
            str_list(cluster.capacity_providers().iter().cloned()),
        );
        let strategy = cluster.default_capacity_provider_strategy();
        if !strategy.is_empty() || inputs.contains_key("default_capacity_provider_strategy") {
            read.put(
                "default_capacity_provider_strategy",
                strategy_value(
                    &list_of_maps(inputs, "default_capacity_provider_strategy")?,
                    strategy,
                ),
            );
        }
        read_back_with(inputs, read, Map::clone)
    }

    async fn update(&self, call: &Call<'_>, new_inputs: &Map) -> Out<Map> {
        let clients = call.clients;
        put_inputs(clients, new_inputs).await?;
        Ok(Map::new())
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        if describe_cluster(clients, id).await?.is_none() {
            return Ok(());
        }
        // A cluster gone meanwhile (NotFound) counts as done: the kit's rule.
        put(clients, id, Vec::new(), Vec::new()).await
    }

    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (clients, inputs) = (call.clients, call.inputs);
        // The association has no identity of its own; when the cluster has
        // exactly the declared providers, the interrupted create went through.
        let cluster = str_of(inputs, "cluster")?;
        let Some(c) = describe_cluster(clients, cluster).await? else {
            return Ok(Vec::new());
        };
        let mut have: Vec<String> = c.capacity_providers().to_vec();
        let mut want = list_of_str(inputs, "capacity_providers")?;
        have.sort();
        want.sort();
        let found = have == want && !want.is_empty();
        Ok(found
            .then(|| created(cluster, inputs.clone()))
            .into_iter()
            .collect())
    }
}
