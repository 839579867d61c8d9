//! AWS SDK clients pointed at a moto server, and the read-backs the tests
//! share: tags by kind, and what is left in the emulator after a destroy.

use std::collections::BTreeMap;

use aws_config::{BehaviorVersion, Region};
use aws_sdk_ec2::config::Credentials;
use aws_sdk_ec2::types::Filter;

use super::moto::Moto;

/// Tags as a sorted map.
pub type Tags = BTreeMap<String, String>;

/// One client per service the stacks use.
pub struct Aws {
    pub ec2: aws_sdk_ec2::Client,
    pub ecs: aws_sdk_ecs::Client,
    pub ecr: aws_sdk_ecr::Client,
    pub iam: aws_sdk_iam::Client,
    pub autoscaling: aws_sdk_autoscaling::Client,
    pub elb: aws_sdk_elasticloadbalancingv2::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub tagging: aws_sdk_resourcegroupstagging::Client,
}

/// An EC2 filter on one name and value.
pub fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

/// EC2 tags as a map.
pub fn ec2_tags(tags: &[aws_sdk_ec2::types::Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
        .collect()
}

/// Checks that a resource carries the identity tags of `stack`/`resource`
/// (environment `default`) and the stacks' default tags.
pub fn assert_tagged(what: &str, tags: &Tags, stack: &str, resource: &str) {
    let expected = [
        ("skistack:stack", stack),
        ("skistack:env", "default"),
        ("skistack:resource", resource),
        ("project", "ceros-ski"),
        ("managed-by", "skistack"),
    ];
    for (key, value) in expected {
        assert_eq!(tags.get(key).map(String::as_str), Some(value), "{what}: tag `{key}` in {tags:?}");
    }
}

impl Aws {
    /// Clients for the moto server, in us-east-1 with test credentials.
    pub async fn connect(moto: &Moto) -> Aws {
        let config = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&moto.endpoint)
            .credentials_provider(Credentials::new("testing", "testing", None, None, "e2e-tests"))
            .load()
            .await;
        Aws {
            ec2: aws_sdk_ec2::Client::new(&config),
            ecs: aws_sdk_ecs::Client::new(&config),
            ecr: aws_sdk_ecr::Client::new(&config),
            iam: aws_sdk_iam::Client::new(&config),
            autoscaling: aws_sdk_autoscaling::Client::new(&config),
            elb: aws_sdk_elasticloadbalancingv2::Client::new(&config),
            logs: aws_sdk_cloudwatchlogs::Client::new(&config),
            tagging: aws_sdk_resourcegroupstagging::Client::new(&config),
        }
    }

    /// The tags of a load balancer or target group.
    pub async fn elb_tags(&self, arn: &str) -> Tags {
        let out = self.elb.describe_tags().resource_arns(arn).send().await.expect("elbv2 DescribeTags");
        out.tag_descriptions()
            .iter()
            .flat_map(|d| d.tags())
            .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
            .collect()
    }

    /// The tags of an ECS cluster, service or task definition.
    pub async fn ecs_tags(&self, arn: &str) -> Tags {
        let out = self.ecs.list_tags_for_resource().resource_arn(arn).send().await.expect("ecs ListTagsForResource");
        out.tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
            .collect()
    }

    /// The tags of an auto scaling group.
    pub async fn asg_tags(&self, name: &str) -> Tags {
        let out = self
            .autoscaling
            .describe_auto_scaling_groups()
            .auto_scaling_group_names(name)
            .send()
            .await
            .expect("DescribeAutoScalingGroups");
        out.auto_scaling_groups()
            .iter()
            .flat_map(|g| g.tags())
            .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
            .collect()
    }

    /// The tags of an ECR repository.
    pub async fn ecr_tags(&self, arn: &str) -> Tags {
        let out = self.ecr.list_tags_for_resource().resource_arn(arn).send().await.expect("ecr ListTagsForResource");
        out.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect()
    }

    /// The tags of an IAM role.
    pub async fn role_tags(&self, name: &str) -> Tags {
        let out = self.iam.list_role_tags().role_name(name).send().await.expect("iam ListRoleTags");
        out.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect()
    }

    /// The tags of a log group.
    pub async fn log_group_tags(&self, arn: &str) -> Tags {
        // DescribeLogGroups gives the ARN with a `:*` suffix; tags live on
        // the ARN without it.
        let arn = arn.trim_end_matches(":*");
        let out = self.logs.list_tags_for_resource().resource_arn(arn).send().await.expect("logs ListTagsForResource");
        out.tags().map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default()
    }

    /// The ARNs (with their tags) of every resource carrying a
    /// `skistack:stack` tag, as the Resource Groups Tagging API sees them.
    pub async fn tagged_by_skistack(&self) -> Vec<(String, Tags)> {
        let mut found = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .tagging
                .get_resources()
                .tag_filters(aws_sdk_resourcegroupstagging::types::TagFilter::builder().key("skistack:stack").build())
                .set_pagination_token(token.clone())
                .send()
                .await
                .expect("tagging GetResources");
            for m in out.resource_tag_mapping_list() {
                let tags = m.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect();
                found.push((m.resource_arn().unwrap_or_default().to_string(), tags));
            }
            token = out.pagination_token().filter(|t| !t.is_empty()).map(str::to_string);
            if token.is_none() {
                return found;
            }
        }
    }

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
        let subnets = ec2.describe_subnets().send().await.expect("DescribeSubnets");
        for s in subnets.subnets().iter().filter(|s| s.default_for_az() != Some(true)) {
            left.push(format!("subnet {}", s.subnet_id().unwrap_or_default()));
        }
        let igws = ec2.describe_internet_gateways().send().await.expect("DescribeInternetGateways");
        for g in igws.internet_gateways() {
            let tags = ec2_tags(g.tags());
            if tags.contains_key("skistack:stack") {
                left.push(format!("internet gateway {}", g.internet_gateway_id().unwrap_or_default()));
            }
        }
        let tables = ec2.describe_route_tables().send().await.expect("DescribeRouteTables");
        for t in tables.route_tables() {
            if ec2_tags(t.tags()).contains_key("skistack:stack") {
                left.push(format!("route table {}", t.route_table_id().unwrap_or_default()));
            }
        }
        let nats = ec2.describe_nat_gateways().send().await.expect("DescribeNatGateways");
        for n in nats.nat_gateways() {
            let state = n.state().map(|s| s.as_str()).unwrap_or_default();
            if state != "deleted" {
                left.push(format!("NAT gateway {} ({state})", n.nat_gateway_id().unwrap_or_default()));
            }
        }
        let addresses = ec2.describe_addresses().send().await.expect("DescribeAddresses");
        for a in addresses.addresses() {
            left.push(format!("Elastic IP {}", a.allocation_id().unwrap_or_default()));
        }
        let instances = ec2.describe_instances().send().await.expect("DescribeInstances");
        for i in instances.reservations().iter().flat_map(|r| r.instances()) {
            let state = i.state().and_then(|s| s.name()).map(|n| n.as_str()).unwrap_or_default();
            if state != "terminated" {
                left.push(format!("instance {} ({state})", i.instance_id().unwrap_or_default()));
            }
        }
        let groups = ec2.describe_security_groups().send().await.expect("DescribeSecurityGroups");
        for g in groups.security_groups().iter().filter(|g| g.group_name() != Some("default")) {
            left.push(format!("security group {} ({})", g.group_id().unwrap_or_default(), g.group_name().unwrap_or_default()));
        }
        let keys = ec2.describe_key_pairs().send().await.expect("DescribeKeyPairs");
        for k in keys.key_pairs() {
            left.push(format!("key pair {}", k.key_name().unwrap_or_default()));
        }
        let templates = ec2.describe_launch_templates().send().await.expect("DescribeLaunchTemplates");
        for t in templates.launch_templates() {
            left.push(format!("launch template {}", t.launch_template_name().unwrap_or_default()));
        }
    }

    async fn service_leftovers(&self, left: &mut Vec<String>) {
        let lbs = self.elb.describe_load_balancers().send().await.expect("DescribeLoadBalancers");
        for lb in lbs.load_balancers() {
            left.push(format!("load balancer {}", lb.load_balancer_name().unwrap_or_default()));
        }
        let tgs = self.elb.describe_target_groups().send().await.expect("DescribeTargetGroups");
        for tg in tgs.target_groups() {
            left.push(format!("target group {}", tg.target_group_name().unwrap_or_default()));
        }
        let asgs = self.autoscaling.describe_auto_scaling_groups().send().await.expect("DescribeAutoScalingGroups");
        for g in asgs.auto_scaling_groups() {
            left.push(format!("auto scaling group {}", g.auto_scaling_group_name().unwrap_or_default()));
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
            for c in described.clusters().iter().filter(|c| c.status() == Some("ACTIVE")) {
                left.push(format!("ECS cluster {}", c.cluster_name().unwrap_or_default()));
                let services = self.ecs.list_services().cluster(c.cluster_arn().unwrap_or_default()).send().await.expect("ListServices");
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
        let repos = self.ecr.describe_repositories().send().await.expect("DescribeRepositories");
        for r in repos.repositories() {
            left.push(format!("ECR repository {}", r.repository_name().unwrap_or_default()));
        }
        let roles = self.iam.list_roles().send().await.expect("ListRoles");
        for r in roles.roles() {
            if self.role_tags(r.role_name()).await.contains_key("skistack:stack") {
                left.push(format!("IAM role {}", r.role_name()));
            }
        }
        let profiles = self.iam.list_instance_profiles().send().await.expect("ListInstanceProfiles");
        for p in profiles.instance_profiles() {
            left.push(format!("instance profile {}", p.instance_profile_name()));
        }
        let groups = self.logs.describe_log_groups().send().await.expect("DescribeLogGroups");
        for g in groups.log_groups() {
            left.push(format!("log group {}", g.log_group_name().unwrap_or_default()));
        }
    }

    /// Resources tagged by the stacks that the tagging API still lists must
    /// be in a deleted state: AWS (and moto) keep terminated instances,
    /// deleted NAT gateways and inactive ECS resources visible for a while.
    async fn tagged_leftovers(&self, left: &mut Vec<String>) {
        for (arn, tags) in self.tagged_by_skistack().await {
            let what = format!("{arn} ({})", tags.get("skistack:resource").map_or("?", String::as_str));
            let gone = if arn.contains(":instance/") {
                let id = arn.rsplit('/').next().unwrap_or_default();
                let out = self.ec2.describe_instances().instance_ids(id).send().await.expect("DescribeInstances");
                out.reservations()
                    .iter()
                    .flat_map(|r| r.instances())
                    .all(|i| i.state().and_then(|s| s.name()).map(|n| n.as_str()) == Some("terminated"))
            } else if arn.contains(":natgateway/") {
                let id = arn.rsplit('/').next().unwrap_or_default();
                let out = self.ec2.describe_nat_gateways().nat_gateway_ids(id).send().await.expect("DescribeNatGateways");
                out.nat_gateways().iter().all(|n| n.state().map(|s| s.as_str()) == Some("deleted"))
            } else if arn.contains(":ecs:") && arn.contains(":cluster/") {
                let out = self.ecs.describe_clusters().clusters(&arn).send().await.expect("DescribeClusters");
                out.clusters().iter().all(|c| c.status() == Some("INACTIVE"))
            } else if arn.contains(":ecs:") && arn.contains(":service/") {
                // arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME
                let cluster = arn.split('/').nth(1).unwrap_or_default();
                let out = self.ecs.describe_services().cluster(cluster).services(&arn).send().await.expect("DescribeServices");
                out.services().iter().all(|s| s.status() == Some("INACTIVE"))
            } else if arn.contains(":task-definition/") {
                let out = self.ecs.describe_task_definition().task_definition(&arn).send().await.expect("DescribeTaskDefinition");
                out.task_definition().and_then(|t| t.status()).map(|s| s.as_str()) == Some("INACTIVE")
            } else {
                false
            };
            if !gone {
                left.push(format!("tagged {what}"));
            }
        }
    }

    /// The security groups of an instance, read from its network interfaces
    /// (moto leaves `SecurityGroups` empty when they were given there).
    pub fn instance_groups(instance: &aws_sdk_ec2::types::Instance) -> Vec<String> {
        let mut ids: Vec<String> = instance.security_groups().iter().filter_map(|g| g.group_id().map(str::to_string)).collect();
        for eni in instance.network_interfaces() {
            for g in eni.groups() {
                if let Some(id) = g.group_id() {
                    if !ids.iter().any(|i| i == id) {
                        ids.push(id.to_string());
                    }
                }
            }
        }
        ids
    }
}
