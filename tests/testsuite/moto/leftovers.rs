//! What is left of the stacks in the emulator after a destroy, checked kind
//! by kind and through the Resource Groups Tagging API. Each test has a moto
//! of its own, so anything beyond moto's defaults (the default VPC, its
//! subnets and security group) counts.

use super::aws::{Aws, ec2_tags};

/// The capacity provider of environments in its default environment.
const CAPACITY_PROVIDER: &str = "ceros-ski-staging";

impl Aws {
    /// Everything of the stacks still in the emulator, one line per
    /// resource, checked kind by kind and then through the tagging API.
    pub async fn leftovers(&self) -> Vec<String> {
        let mut left = Vec::new();
        self.ec2_leftovers(&mut left).await;
        self.service_leftovers(&mut left).await;
        self.tagged_leftovers(&mut left).await;
        left
    }

    async fn ec2_leftovers(&self, left: &mut Vec<String>) {
        let ec2 = &self.ec2;
        let vpcs = ec2.describe_vpcs().send().await.expect("DescribeVpcs");
        for v in vpcs.vpcs().iter().filter(|v| v.is_default() != Some(true)) {
            left.push(format!("VPC {}", v.vpc_id().unwrap_or_default()));
        }
        let subnets = ec2
            .describe_subnets()
            .send()
            .await
            .expect("DescribeSubnets");
        for s in subnets
            .subnets()
            .iter()
            .filter(|s| s.default_for_az() != Some(true))
        {
            left.push(format!("subnet {}", s.subnet_id().unwrap_or_default()));
        }
        let igws = ec2
            .describe_internet_gateways()
            .send()
            .await
            .expect("DescribeInternetGateways");
        for g in igws.internet_gateways() {
            let tags = ec2_tags(g.tags());
            if tags.contains_key("skistack:stack") {
                left.push(format!(
                    "internet gateway {}",
                    g.internet_gateway_id().unwrap_or_default()
                ));
            }
        }
        let tables = ec2
            .describe_route_tables()
            .send()
            .await
            .expect("DescribeRouteTables");
        for t in tables.route_tables() {
            if ec2_tags(t.tags()).contains_key("skistack:stack") {
                left.push(format!(
                    "route table {}",
                    t.route_table_id().unwrap_or_default()
                ));
            }
        }
        let nats = ec2
            .describe_nat_gateways()
            .send()
            .await
            .expect("DescribeNatGateways");
        for n in nats.nat_gateways() {
            let state = n.state().map(|s| s.as_str()).unwrap_or_default();
            if state != "deleted" {
                left.push(format!(
                    "NAT gateway {} ({state})",
                    n.nat_gateway_id().unwrap_or_default()
                ));
            }
        }
        let addresses = ec2
            .describe_addresses()
            .send()
            .await
            .expect("DescribeAddresses");
        for a in addresses.addresses() {
            left.push(format!(
                "Elastic IP {}",
                a.allocation_id().unwrap_or_default()
            ));
        }
        let instances = ec2
            .describe_instances()
            .send()
            .await
            .expect("DescribeInstances");
        for i in instances.reservations().iter().flat_map(|r| r.instances()) {
            let state = i
                .state()
                .and_then(|s| s.name())
                .map(|n| n.as_str())
                .unwrap_or_default();
            if state != "terminated" {
                left.push(format!(
                    "instance {} ({state})",
                    i.instance_id().unwrap_or_default()
                ));
            }
        }
        let groups = ec2
            .describe_security_groups()
            .send()
            .await
            .expect("DescribeSecurityGroups");
        for g in groups
            .security_groups()
            .iter()
            .filter(|g| g.group_name() != Some("default"))
        {
            left.push(format!(
                "security group {} ({})",
                g.group_id().unwrap_or_default(),
                g.group_name().unwrap_or_default()
            ));
        }
        let keys = ec2
            .describe_key_pairs()
            .send()
            .await
            .expect("DescribeKeyPairs");
        for k in keys.key_pairs() {
            left.push(format!("key pair {}", k.key_name().unwrap_or_default()));
        }
        let templates = ec2
            .describe_launch_templates()
            .send()
            .await
            .expect("DescribeLaunchTemplates");
        for t in templates.launch_templates() {
            left.push(format!(
                "launch template {}",
                t.launch_template_name().unwrap_or_default()
            ));
        }
    }

    async fn service_leftovers(&self, left: &mut Vec<String>) {
        let lbs = self
            .elb
            .describe_load_balancers()
            .send()
            .await
            .expect("DescribeLoadBalancers");
        for lb in lbs.load_balancers() {
            left.push(format!(
                "load balancer {}",
                lb.load_balancer_name().unwrap_or_default()
            ));
        }
        let tgs = self
            .elb
            .describe_target_groups()
            .send()
            .await
            .expect("DescribeTargetGroups");
        for tg in tgs.target_groups() {
            left.push(format!(
                "target group {}",
                tg.target_group_name().unwrap_or_default()
            ));
        }
        let asgs = self
            .autoscaling
            .describe_auto_scaling_groups()
            .send()
            .await
            .expect("DescribeAutoScalingGroups");
        for g in asgs.auto_scaling_groups() {
            left.push(format!(
                "auto scaling group {}",
                g.auto_scaling_group_name().unwrap_or_default()
            ));
        }
        let clusters = self.ecs.list_clusters().send().await.expect("ListClusters");
        if !clusters.cluster_arns().is_empty() {
            let described = self
                .ecs
                .describe_clusters()
                .set_clusters(Some(clusters.cluster_arns().to_vec()))
                .send()
                .await
                .expect("DescribeClusters");
            for c in described
                .clusters()
                .iter()
                .filter(|c| c.status() == Some("ACTIVE"))
            {
                left.push(format!(
                    "ECS cluster {}",
                    c.cluster_name().unwrap_or_default()
                ));
                let services = self
                    .ecs
                    .list_services()
                    .cluster(c.cluster_arn().unwrap_or_default())
                    .send()
                    .await
                    .expect("ListServices");
                for s in services.service_arns() {
                    left.push(format!("ECS service {s}"));
                }
            }
        }
        let tasks = self
            .ecs
            .list_task_definitions()
            .status(aws_sdk_ecs::types::TaskDefinitionStatus::Active)
            .send()
            .await
            .expect("ListTaskDefinitions");
        for t in tasks.task_definition_arns() {
            left.push(format!("task definition {t}"));
        }
        // moto fails DescribeCapacityProviders without names, so the
        // stacks' one is asked for by name.
        let providers = self
            .ecs
            .describe_capacity_providers()
            .capacity_providers(CAPACITY_PROVIDER)
            .send()
            .await
            .expect("DescribeCapacityProviders");
        for p in providers
            .capacity_providers()
            .iter()
            .filter(|p| p.status().map(|s| s.as_str()) == Some("ACTIVE"))
        {
            left.push(format!(
                "capacity provider {}",
                p.name().unwrap_or_default()
            ));
        }
        let repos = self
            .ecr
            .describe_repositories()
            .send()
            .await
            .expect("DescribeRepositories");
        for r in repos.repositories() {
            left.push(format!(
                "ECR repository {}",
                r.repository_name().unwrap_or_default()
            ));
        }
        let roles = self.iam.list_roles().send().await.expect("ListRoles");
        for r in roles.roles() {
            if self
                .role_tags(r.role_name())
                .await
                .contains_key("skistack:stack")
            {
                left.push(format!("IAM role {}", r.role_name()));
            }
        }
        let profiles = self
            .iam
            .list_instance_profiles()
            .send()
            .await
            .expect("ListInstanceProfiles");
        for p in profiles.instance_profiles() {
            left.push(format!("instance profile {}", p.instance_profile_name()));
        }
        let groups = self
            .logs
            .describe_log_groups()
            .send()
            .await
            .expect("DescribeLogGroups");
        for g in groups.log_groups() {
            left.push(format!(
                "log group {}",
                g.log_group_name().unwrap_or_default()
            ));
        }
    }

    /// Resources tagged by the stacks that the tagging API still lists must
    /// be in a deleted state: AWS (and moto) keep terminated instances,
    /// deleted NAT gateways and inactive ECS resources visible for a while.
    async fn tagged_leftovers(&self, left: &mut Vec<String>) {
        for (arn, tags) in self.tagged_by_skistack().await {
            let what = format!(
                "{arn} ({})",
                tags.get("skistack:resource").map_or("?", String::as_str)
            );
            let gone = if arn.contains(":instance/") {
                let id = arn.rsplit('/').next().unwrap_or_default();
                let out = self
                    .ec2
                    .describe_instances()
                    .instance_ids(id)
                    .send()
                    .await
                    .expect("DescribeInstances");
                out.reservations()
                    .iter()
                    .flat_map(|r| r.instances())
                    .all(|i| {
                        i.state().and_then(|s| s.name()).map(|n| n.as_str()) == Some("terminated")
                    })
            } else if arn.contains(":natgateway/") {
                let id = arn.rsplit('/').next().unwrap_or_default();
                let out = self
                    .ec2
                    .describe_nat_gateways()
                    .nat_gateway_ids(id)
                    .send()
                    .await
                    .expect("DescribeNatGateways");
                out.nat_gateways()
                    .iter()
                    .all(|n| n.state().map(|s| s.as_str()) == Some("deleted"))
            } else if arn.contains(":ecs:") && arn.contains(":cluster/") {
                let out = self
                    .ecs
                    .describe_clusters()
                    .clusters(&arn)
                    .send()
                    .await
                    .expect("DescribeClusters");
                out.clusters()
                    .iter()
                    .all(|c| c.status() == Some("INACTIVE"))
            } else if arn.contains(":ecs:") && arn.contains(":service/") {
                // arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME
                let cluster = arn.split('/').nth(1).unwrap_or_default();
                let out = self
                    .ecs
                    .describe_services()
                    .cluster(cluster)
                    .services(&arn)
                    .send()
                    .await
                    .expect("DescribeServices");
                out.services()
                    .iter()
                    .all(|s| s.status() == Some("INACTIVE"))
            } else if arn.contains(":task-definition/") {
                let out = self
                    .ecs
                    .describe_task_definition()
                    .task_definition(&arn)
                    .send()
                    .await
                    .expect("DescribeTaskDefinition");
                out.task_definition()
                    .and_then(|t| t.status())
                    .map(|s| s.as_str())
                    == Some("INACTIVE")
            } else {
                false
            };
            if !gone {
                left.push(format!("tagged {what}"));
            }
        }
    }
}
