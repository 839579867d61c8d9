//! The ECS cluster, the service, the task definition and what it uses: the
//! image of the repositories stack, the log group, the execution role.

use skistack_test_support::cli::out_str;

use super::{Deployed, Expected, Groups, NAME, SERVICE, set};
use crate::moto::aws::{Aws, assert_tagged};

/// The cluster (container insights, the capacity provider) and the service,
/// attached to the target group, in the private subnets.
pub(super) async fn check_cluster_and_service(
    aws: &Aws,
    d: &Deployed,
    groups: &Groups,
    target_group: &str,
) {
    let clusters = aws
        .ecs
        .describe_clusters()
        .clusters(NAME)
        .include(aws_sdk_ecs::types::ClusterField::Settings)
        .send()
        .await
        .expect("DescribeClusters");
    let cluster = &clusters.clusters()[0];
    assert_eq!(cluster.status(), Some("ACTIVE"));
    let insights = cluster
        .settings()
        .iter()
        .find(|s| s.name().map(|n| n.as_str()) == Some("containerInsights"));
    assert_eq!(
        insights.and_then(|s| s.value()),
        Some("enabled"),
        "container insights"
    );
    assert_eq!(cluster.capacity_providers(), [NAME.to_string()]);
    assert_tagged(
        "ECS cluster",
        &aws.ecs_tags(cluster.cluster_arn().unwrap_or_default())
            .await,
        "environments",
        "cluster",
    );

    let services = aws
        .ecs
        .describe_services()
        .cluster(NAME)
        .services(SERVICE)
        .send()
        .await
        .expect("DescribeServices");
    let service = &services.services()[0];
    assert_eq!(service.status(), Some("ACTIVE"));
    assert_eq!(service.desired_count(), 2);
    let attached: Vec<_> = service
        .load_balancers()
        .iter()
        .map(|l| (l.target_group_arn(), l.container_name(), l.container_port()))
        .collect();
    assert_eq!(
        attached,
        [(Some(target_group), Some("ceros-ski"), Some(80))],
        "the service is attached to the target group"
    );
    let awsvpc = service
        .network_configuration()
        .and_then(|n| n.awsvpc_configuration());
    let awsvpc = awsvpc.expect("the service's awsvpc configuration");
    assert_eq!(
        set(awsvpc.subnets().iter().map(String::as_str)),
        set(d.private.iter().map(String::as_str))
    );
    assert_eq!(
        awsvpc.security_groups(),
        std::slice::from_ref(&groups.instances)
    );
    assert_tagged(
        "ECS service",
        &aws.ecs_tags(service.service_arn().unwrap_or_default())
            .await,
        "environments",
        "service",
    );
}

/// The service's task definition runs `<repository_url>:<image_tag>` from the
/// repositories stack's output, on port 80, logging to the stack's group.
pub(super) async fn check_task_and_image(aws: &Aws, d: &Deployed, want: &Expected) {
    let services = aws
        .ecs
        .describe_services()
        .cluster(NAME)
        .services(SERVICE)
        .send()
        .await
        .expect("DescribeServices");
    let task_arn = services.services()[0].task_definition().unwrap_or_default();
    let out = aws
        .ecs
        .describe_task_definition()
        .task_definition(task_arn)
        .send()
        .await
        .expect("DescribeTaskDefinition");
    let task = out.task_definition().expect("the task definition");
    let container = &task.container_definitions()[0];
    assert_eq!(container.name(), Some("ceros-ski"));
    let repository_url = out_str(&d.repo_outputs, "repository_url");
    assert_eq!(
        container.image(),
        Some(format!("{repository_url}:{}", want.image_tag).as_str())
    );
    assert_eq!(
        container
            .port_mappings()
            .first()
            .and_then(|p| p.container_port()),
        Some(80)
    );
    let logging = container
        .log_configuration()
        .expect("the container's log configuration");
    assert_eq!(logging.log_driver().as_str(), "awslogs");
    let group = logging
        .options()
        .and_then(|o| o.get("awslogs-group"))
        .map(String::as_str);
    assert_eq!(group, Some("/ecs/ceros-ski-staging"));
    assert_tagged(
        "task definition",
        &aws.ecs_tags(task_arn).await,
        "environments",
        "task",
    );
    let role = task.execution_role_arn().unwrap_or_default();
    assert!(
        role.ends_with(":role/ceros-ski-staging-task-execution"),
        "execution role {role}"
    );
    assert_tagged(
        "IAM role",
        &aws.role_tags("ceros-ski-staging-task-execution").await,
        "environments",
        "execution_role",
    );

    // The repository that output names, and the log group.
    let repos = aws
        .ecr
        .describe_repositories()
        .repository_names("ceros-ski")
        .send()
        .await
        .expect("DescribeRepositories");
    let repo = &repos.repositories()[0];
    assert_eq!(repo.repository_uri(), Some(repository_url));
    let repo_tags = aws
        .ecr_tags(repo.repository_arn().unwrap_or_default())
        .await;
    assert_tagged("ECR repository", &repo_tags, "repositories", "repository");
    let logs = aws
        .logs
        .describe_log_groups()
        .log_group_name_prefix("/ecs/ceros-ski-staging")
        .send()
        .await
        .expect("DescribeLogGroups");
    let log_group = &logs.log_groups()[0];
    assert_eq!(log_group.retention_in_days(), Some(30));
    assert_tagged(
        "log group",
        &aws.log_group_tags(log_group.arn().unwrap_or_default())
            .await,
        "environments",
        "logs",
    );
}
