//! `aws:ecs:Service`.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, DeploymentCircuitBreaker, DeploymentConfiguration,
    LaunchType, LoadBalancer, NetworkConfiguration, PropagateTags, SchedulingStrategy,
    Service as SdkService, ServiceField,
};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use skistack_engine::{
    Created, Map, Property, ProviderError, ReadResult, TypeSchema, Value, ValueType,
};

use super::{
    create_tags, own_found, put_declared, put_object, read_back_arn, same_ref, strategy_of,
    strategy_type, strategy_value, unique_name_schema,
};
use crate::errors::{During, OrFailed, aws_error, error_code, found};
use crate::kit::{AwsResource, Call, Out, arn_output, created};
use crate::props::{
    Put, bool_of, changed, list_of_maps, list_of_str, opt_bool, opt_i32, opt_map, opt_str, put_opt,
    read_back_set, str_of, with_arn,
};
use crate::retry::wait_until;
use crate::shared::Clients;
use crate::tags::{self, TagApi};
use crate::token::client_token_max;

/// The longest idempotency token CreateService accepts.
const CLIENT_TOKEN_MAX: usize = 36;
/// How long CreateService waits for its target groups' listeners.
const LISTENER_TIMEOUT: Duration = Duration::from_secs(3 * 60);
/// How long a deleted service may take to drain its tasks and go inactive.
const DELETE_TIMEOUT: Duration = Duration::from_secs(20 * 60);

/// An ECS service. Its id is the service's ARN.
#[derive(Default)]
pub(crate) struct Service;

fn is_daemon(inputs: &Map) -> Result<bool, ProviderError> {
    Ok(opt_str(inputs, "scheduling_strategy")?.is_some_and(|s| s.eq_ignore_ascii_case("DAEMON")))
}

fn deployment_configuration(inputs: &Map) -> Result<DeploymentConfiguration, ProviderError> {
    let mut dc = DeploymentConfiguration::builder()
        .set_minimum_healthy_percent(opt_i32(inputs, "deployment_minimum_healthy_percent")?);
    // A daemon runs one task per instance: it cannot run extra tasks.
    if !is_daemon(inputs)? {
        dc = dc.set_maximum_percent(opt_i32(inputs, "deployment_maximum_percent")?);
    }
    if let Some(cb) = opt_map(inputs, "deployment_circuit_breaker")? {
        dc = dc.deployment_circuit_breaker(
            DeploymentCircuitBreaker::builder()
                .enable(bool_of(cb, "enable")?)
                .rollback(opt_bool(cb, "rollback")?.unwrap_or(false))
                .build(),
        );
    }
    Ok(dc.build())
}

fn load_balancers(inputs: &Map) -> Result<Vec<LoadBalancer>, ProviderError> {
    list_of_maps(inputs, "load_balancers")?
        .into_iter()
        .map(|lb| {
            Ok(LoadBalancer::builder()
                .target_group_arn(str_of(lb, "target_group_arn")?)
                .container_name(str_of(lb, "container_name")?)
                .set_container_port(opt_i32(lb, "container_port")?)
                .build())
        })
        .collect()
}

fn network_configuration(inputs: &Map) -> Result<Option<NetworkConfiguration>, ProviderError> {
    let Some(n) = opt_map(inputs, "network_configuration")? else {
        return Ok(None);
    };
    let public = opt_bool(n, "assign_public_ip")?.unwrap_or(false);
    let vpc = AwsVpcConfiguration::builder()
        .set_subnets(Some(list_of_str(n, "subnets")?))
        .set_security_groups(Some(list_of_str(n, "security_groups")?))
        .assign_public_ip(if public {
            AssignPublicIp::Enabled
        } else {
            AssignPublicIp::Disabled
        })
        .build()
        .map_err(|e| ProviderError::Invalid(format!("network_configuration: {e}")))?;
    Ok(Some(
        NetworkConfiguration::builder()
            .awsvpc_configuration(vpc)
            .build(),
    ))
}

/// The service in any state, or `None` when ECS does not know it.
async fn describe(
    clients: &Clients,
    cluster: &str,
    service: &str,
) -> Result<Option<SdkService>, ProviderError> {
    // A missing service shows as a failure (reason MISSING), not an error.
    let res = clients
        .ecs
        .describe_services()
        .cluster(cluster)
        .services(service)
        .include(ServiceField::Tags)
        .send()
        .await;
    Ok(found(&format!("describe ECS service {service}"), res)?
        .and_then(|out| out.services().first().cloned()))
}

/// True for a service that is live: not draining after a delete, not inactive.
fn is_active(s: &SdkService) -> bool {
    s.status() == Some("ACTIVE")
}

/// The read-back form of a load balancer list.
fn load_balancers_value(lbs: &[LoadBalancer]) -> Value {
    Value::List(
        lbs.iter()
            .map(|lb| {
                let mut m = Map::new();
                put_opt(&mut m, "target_group_arn", lb.target_group_arn());
                put_opt(&mut m, "container_name", lb.container_name());
                put_opt(&mut m, "container_port", lb.container_port().map(i64::from));
                Value::Map(m)
            })
            .collect(),
    )
}

/// The network configuration as AWS has it; subnets and security groups
/// in the declared order when they are the same sets.
fn network_value(
    declared: Option<&Map>,
    n: &NetworkConfiguration,
) -> Result<Option<Map>, ProviderError> {
    let Some(vpc) = n.awsvpc_configuration() else {
        return Ok(None);
    };
    let empty = Map::new();
    let declared = declared.unwrap_or(&empty);
    let mut m = Map::new();
    m.put(
        "subnets",
        read_back_set(declared, "subnets", vpc.subnets().to_vec())?,
    );
    m.put(
        "security_groups",
        read_back_set(declared, "security_groups", vpc.security_groups().to_vec())?,
    );
    put_opt(
        &mut m,
        "assign_public_ip",
        vpc.assign_public_ip()
            .map(|a| *a == AssignPublicIp::Enabled),
    );
    Ok(Some(m))
}

/// Puts the deployment configuration read back into `read`: the percents
/// (a daemon has no maximum) and the circuit breaker when it is declared.
fn put_deployment(
    call: &Call<'_>,
    read: &mut Map,
    dc: &DeploymentConfiguration,
) -> Result<(), ProviderError> {
    let minimum = dc.minimum_healthy_percent().map(i64::from);
    put_opt(read, "deployment_minimum_healthy_percent", minimum);
    if !is_daemon(call.inputs)? {
        let maximum = dc.maximum_percent().map(i64::from);
        put_opt(read, "deployment_maximum_percent", maximum);
    }
    if let Some(cb) = dc.deployment_circuit_breaker()
        && call.inputs.contains_key("deployment_circuit_breaker")
    {
        let mut m = Map::new();
        m.insert("enable".into(), cb.enable().into());
        m.insert("rollback".into(), cb.rollback().into());
        put_object(call, read, "deployment_circuit_breaker", m)?;
    }
    Ok(())
}

/// True for CreateService's refusal of a target group that no listener
/// ties to a load balancer yet.
fn waits_for_listener<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> bool {
    error_code(e) == Some("InvalidParameterException")
        && e.message()
            .is_some_and(|m| m.contains("does not have an associated load balancer"))
}

/// The errors that mean a service is already gone or going.
fn is_gone_code(code: Option<&str>) -> bool {
    matches!(
        code,
        Some("ServiceNotFoundException" | "ServiceNotActiveException" | "ClusterNotFoundException")
    )
}

#[async_trait]
impl AwsResource for Service {
    const TAGS: Option<TagApi> = Some(tags::ECS);

    fn schema() -> TypeSchema {
        let load_balancer = ValueType::Object(vec![
            Property::required("target_group_arn", ValueType::String),
            Property::required("container_name", ValueType::String),
            Property::required("container_port", ValueType::Int),
        ]);
        let network = ValueType::Object(vec![
            Property::required("subnets", ValueType::list(ValueType::String)),
            Property::optional("security_groups", ValueType::list(ValueType::String)),
            Property::optional("assign_public_ip", ValueType::Bool).default(false),
        ]);
        let circuit_breaker = ValueType::Object(vec![
            Property::required("enable", ValueType::Bool),
            Property::optional("rollback", ValueType::Bool).default(false),
        ]);
        let schema = TypeSchema::new(
            "aws:ecs:Service",
            "An ECS service: keeps a number of tasks running.",
        )
        .properties([
            Property::required("name", ValueType::String)
                .force_new()
                .describe("The service's name, unique in the cluster."),
            Property::required("cluster", ValueType::String)
                .force_new()
                .describe("The cluster's name or ARN."),
            Property::required("task_definition", ValueType::String)
                .describe("The task definition (ARN, or family:revision) the tasks run."),
            Property::optional("desired_count", ValueType::Int).default(1),
            Property::optional("launch_type", ValueType::String)
                .force_new()
                .describe(
                    "EC2, FARGATE or EXTERNAL; leave out to use a capacity provider strategy.",
                ),
            Property::optional("capacity_provider_strategy", strategy_type()).describe(
                "Where tasks run; leave out (with launch_type) for the cluster's default strategy.",
            ),
            Property::optional("scheduling_strategy", ValueType::String)
                .default("REPLICA")
                .force_new()
                .describe("REPLICA, or DAEMON for one task per container instance."),
            Property::optional("deployment_minimum_healthy_percent", ValueType::Int)
                .default(100)
                .describe(
                    "Tasks that must stay healthy during a deployment, in % of desired_count.",
                ),
            Property::optional("deployment_maximum_percent", ValueType::Int)
                .default(200)
                .describe("Tasks that may run during a deployment, in % of desired_count."),
            Property::optional("deployment_circuit_breaker", circuit_breaker)
                .describe("Stop (and optionally roll back) a deployment whose tasks keep failing."),
            Property::optional("load_balancers", ValueType::list(load_balancer))
                .force_new()
                .describe("Target groups the service's containers register with."),
            Property::optional("network_configuration", network)
                .holds()
                .describe("Subnets and security groups of awsvpc tasks."),
            Property::optional("health_check_grace_period_seconds", ValueType::Int).describe(
                "Seconds the load balancer's health checks are ignored after a task starts.",
            ),
            Property::optional("enable_execute_command", ValueType::Bool).default(false),
            Property::optional("platform_version", ValueType::String)
                .describe("The Fargate platform version, e.g. LATEST."),
            Property::optional("propagate_tags", ValueType::String)
                .describe("Copy tags to tasks from SERVICE or TASK_DEFINITION (or NONE)."),
        ]);
        // The name is unique in the cluster.
        unique_name_schema(schema)
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (ctx, clients, inputs) = (call.ctx, call.clients, call.inputs);
        let name = str_of(inputs, "name")?;
        let cluster = str_of(inputs, "cluster")?;
        let daemon = is_daemon(inputs)?;
        let strategy = strategy_of(&list_of_maps(inputs, "capacity_provider_strategy")?)?;
        let lbs = load_balancers(inputs)?;
        let req = clients
            .ecs
            .create_service()
            .cluster(cluster)
            .service_name(name)
            .task_definition(str_of(inputs, "task_definition")?)
            // A retried create (same operation) returns the same service.
            .client_token(client_token_max(ctx, CLIENT_TOKEN_MAX))
            .set_desired_count(if daemon {
                None
            } else {
                opt_i32(inputs, "desired_count")?
            })
            .set_launch_type(opt_str(inputs, "launch_type")?.map(LaunchType::from))
            .set_capacity_provider_strategy((!strategy.is_empty()).then_some(strategy))
            .set_scheduling_strategy(
                opt_str(inputs, "scheduling_strategy")?.map(SchedulingStrategy::from),
            )
            .deployment_configuration(deployment_configuration(inputs)?)
            .set_load_balancers((!lbs.is_empty()).then_some(lbs))
            .set_network_configuration(network_configuration(inputs)?)
            .set_health_check_grace_period_seconds(opt_i32(
                inputs,
                "health_check_grace_period_seconds",
            )?)
            .set_enable_execute_command(opt_bool(inputs, "enable_execute_command")?)
            .set_platform_version(opt_str(inputs, "platform_version")?.map(str::to_string))
            .set_propagate_tags(opt_str(inputs, "propagate_tags")?.map(PropagateTags::from))
            .set_tags(Some(create_tags(call)?));
        // A target group only takes a service once a listener (or rule)
        // ties it to its load balancer; that listener may be being created
        // right now, so that refusal is waited out.
        // The ARN the create answered with, kept by the poll that ends the wait.
        let arn = std::sync::OnceLock::new();
        wait_until(
            &format!("target groups of ECS service {name} to join a load balancer"),
            LISTENER_TIMEOUT,
            || async {
                match req.clone().send().await {
                    Ok(out) => {
                        let made = out.service().and_then(|s| s.service_arn());
                        arn.get_or_init(|| made.map(str::to_string));
                        Ok(true)
                    }
                    Err(e) if waits_for_listener(&e) => Ok(false),
                    Err(e) => Err(aws_error(&format!("create ECS service {name}"), e)),
                }
            },
        )
        .await?;
        let arn = arn.into_inner().flatten().or_failed(&format!(
            "create ECS service {name}: no service in the response"
        ))?;
        Ok(created(arn.clone(), with_arn(inputs, &arn)))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (clients, id, inputs) = (call.clients, call.id, call.inputs);
        let cluster = str_of(inputs, "cluster")?;
        let Some(svc) = describe(clients, cluster, id).await?.filter(is_active) else {
            return Ok(None);
        };
        let mut read = Map::new();
        put_opt(&mut read, "name", svc.service_name());
        read.put(
            "cluster",
            same_ref(Some(cluster), svc.cluster_arn().unwrap_or(cluster)),
        );
        if let Some(td) = svc.task_definition() {
            read.put(
                "task_definition",
                same_ref(opt_str(inputs, "task_definition")?, td),
            );
        }
        if !is_daemon(inputs)? {
            read.put("desired_count", Value::Int(i64::from(svc.desired_count())));
        }
        // Without a launch type or strategy of its own, a service gets the
        // cluster's default (or EC2): that is not drift.
        let launch_type = svc.launch_type().map(|l| l.as_str());
        put_declared(&mut read, inputs, "launch_type", launch_type);
        // An empty strategy means the cluster's default applies (and moto
        // keeps none at all): no drift either.
        let strategy = svc.capacity_provider_strategy();
        if inputs.contains_key("capacity_provider_strategy") && !strategy.is_empty() {
            read.put(
                "capacity_provider_strategy",
                strategy_value(
                    &list_of_maps(inputs, "capacity_provider_strategy")?,
                    strategy,
                ),
            );
        }
        put_opt(
            &mut read,
            "scheduling_strategy",
            svc.scheduling_strategy().map(|s| s.as_str()),
        );
        if let Some(dc) = svc.deployment_configuration() {
            put_deployment(call, &mut read, dc)?;
        }
        let lbs = svc.load_balancers();
        if !lbs.is_empty() || inputs.contains_key("load_balancers") {
            read.insert("load_balancers".into(), load_balancers_value(lbs));
        }
        let declared = opt_map(inputs, "network_configuration")?;
        if let Some(n) = svc.network_configuration()
            && let Some(actual) = network_value(declared, n)?
        {
            put_object(call, &mut read, "network_configuration", actual)?;
        }
        // AWS reports 0 for a grace period never set.
        let grace = svc.health_check_grace_period_seconds();
        if grace.is_some_and(|g| g != 0) || inputs.contains_key("health_check_grace_period_seconds")
        {
            put_opt(
                &mut read,
                "health_check_grace_period_seconds",
                grace.map(i64::from),
            );
        }
        read.put("enable_execute_command", svc.enable_execute_command());
        put_declared(
            &mut read,
            inputs,
            "platform_version",
            svc.platform_version(),
        );
        let propagate = svc.propagate_tags().map(|p| p.as_str());
        put_declared(&mut read, inputs, "propagate_tags", propagate);
        read_back_arn(call, read, svc.tags(), svc.service_arn().unwrap_or(id))
    }

    async fn update(&self, call: &Call<'_>, new_inputs: &Map) -> Out<Map> {
        let (clients, id, old_inputs, old_outputs) =
            (call.clients, call.id, call.inputs, call.outputs);
        let cluster = str_of(new_inputs, "cluster")?;
        let diff = |k: &str| changed(old_inputs, new_inputs, k);
        let mut req = clients.ecs.update_service().cluster(cluster).service(id);
        let mut any = false;
        if diff("task_definition") {
            req = req.task_definition(str_of(new_inputs, "task_definition")?);
            any = true;
        }
        if diff("desired_count") && !is_daemon(new_inputs)? {
            req = req.set_desired_count(opt_i32(new_inputs, "desired_count")?);
            any = true;
        }
        if diff("capacity_provider_strategy") {
            // An empty strategy means the cluster's default one; a change of
            // strategy only takes effect with a new deployment.
            req = req
                .set_capacity_provider_strategy(Some(strategy_of(&list_of_maps(
                    new_inputs,
                    "capacity_provider_strategy",
                )?)?))
                .force_new_deployment(true);
            any = true;
        }
        if diff("deployment_minimum_healthy_percent")
            || diff("deployment_maximum_percent")
            || diff("deployment_circuit_breaker")
        {
            req = req.deployment_configuration(deployment_configuration(new_inputs)?);
            any = true;
        }
        if diff("network_configuration")
            && let Some(n) = network_configuration(new_inputs)?
        {
            req = req.network_configuration(n);
            any = true;
        }
        if diff("health_check_grace_period_seconds") {
            req = req.health_check_grace_period_seconds(
                opt_i32(new_inputs, "health_check_grace_period_seconds")?.unwrap_or(0),
            );
            any = true;
        }
        if diff("enable_execute_command") {
            req = req.enable_execute_command(
                opt_bool(new_inputs, "enable_execute_command")?.unwrap_or(false),
            );
            any = true;
        }
        if diff("platform_version")
            && let Some(v) = opt_str(new_inputs, "platform_version")?
        {
            req = req.platform_version(v);
            any = true;
        }
        if diff("propagate_tags") {
            req = req.propagate_tags(PropagateTags::from(
                opt_str(new_inputs, "propagate_tags")?.unwrap_or("NONE"),
            ));
            any = true;
        }
        if any {
            req.send()
                .await
                .during(&format!("update ECS service {id}"))?;
        }
        Ok(arn_output(id, old_outputs))
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id, inputs) = (call.clients, call.id, call.inputs);
        let cluster = str_of(inputs, "cluster")?;
        let Some(svc) = describe(clients, cluster, id).await? else {
            return Ok(());
        };
        if svc.status() == Some("INACTIVE") {
            return Ok(());
        }
        if is_active(&svc) && !is_daemon(inputs)? && svc.desired_count() > 0 {
            // Stop the tasks first so that the delete drains them.
            match clients
                .ecs
                .update_service()
                .cluster(cluster)
                .service(id)
                .desired_count(0)
                .send()
                .await
            {
                Ok(_) => {}
                Err(e) if is_gone_code(error_code(&e)) => return Ok(()),
                Err(e) => return Err(aws_error(&format!("scale ECS service {id} to zero"), e)),
            }
        }
        match clients
            .ecs
            .delete_service()
            .cluster(cluster)
            .service(id)
            .force(true)
            .send()
            .await
        {
            Ok(_) => {}
            Err(e) if is_gone_code(error_code(&e)) => {}
            Err(e) => return Err(aws_error(&format!("delete ECS service {id}"), e)),
        }
        wait_until(
            &format!("ECS service {id} to drain and become inactive"),
            DELETE_TIMEOUT,
            || async {
                Ok(describe(clients, cluster, id)
                    .await?
                    .is_none_or(|s| s.status() == Some("INACTIVE")))
            },
        )
        .await
    }

    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (clients, inputs) = (call.clients, call.inputs);
        let name = str_of(inputs, "name")?;
        let cluster = str_of(inputs, "cluster")?;
        let Some(svc) = describe(clients, cluster, name).await?.filter(is_active) else {
            return Ok(Vec::new());
        };
        let arn = svc.service_arn().unwrap_or_default();
        Ok(own_found(call, arn, arn, svc.tags()))
    }
}
