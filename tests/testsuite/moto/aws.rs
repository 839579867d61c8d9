//! AWS SDK clients pointed at a moto server, and the tags of each kind of
//! resource read back through them.

use std::collections::BTreeMap;

use aws_config::{BehaviorVersion, Region};
use aws_sdk_ec2::config::Credentials;
use aws_sdk_ec2::types::Filter;

use skistack_test_support::Moto;

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
    pub kms: aws_sdk_kms::Client,
    pub s3: aws_sdk_s3::Client,
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
        assert_eq!(
            tags.get(key).map(String::as_str),
            Some(value),
            "{what}: tag `{key}` in {tags:?}"
        );
    }
}

impl Aws {
    /// Clients for the moto server, in us-east-1 with test credentials.
    pub async fn connect(moto: &Moto) -> Aws {
        let config = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&moto.endpoint)
            .credentials_provider(Credentials::new(
                "testing",
                "testing",
                None,
                None,
                "e2e-tests",
            ))
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
            kms: aws_sdk_kms::Client::new(&config),
            // moto serves buckets under the path, not as host names.
            s3: aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(&config)
                    .force_path_style(true)
                    .build(),
            ),
        }
    }

    /// The tags of a load balancer or target group.
    pub async fn elb_tags(&self, arn: &str) -> Tags {
        let out = self
            .elb
            .describe_tags()
            .resource_arns(arn)
            .send()
            .await
            .expect("elbv2 DescribeTags");
        out.tag_descriptions()
            .iter()
            .flat_map(|d| d.tags())
            .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
            .collect()
    }

    /// The tags of an ECS cluster, service or task definition.
    pub async fn ecs_tags(&self, arn: &str) -> Tags {
        let out = self
            .ecs
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .expect("ecs ListTagsForResource");
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
        let out = self
            .ecr
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .expect("ecr ListTagsForResource");
        out.tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect()
    }

    /// The tags of an IAM role.
    pub async fn role_tags(&self, name: &str) -> Tags {
        let out = self
            .iam
            .list_role_tags()
            .role_name(name)
            .send()
            .await
            .expect("iam ListRoleTags");
        out.tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect()
    }

    /// The tags of a log group.
    pub async fn log_group_tags(&self, arn: &str) -> Tags {
        // DescribeLogGroups gives the ARN with a `:*` suffix; tags live on
        // the ARN without it.
        let arn = arn.trim_end_matches(":*");
        let out = self
            .logs
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .expect("logs ListTagsForResource");
        out.tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
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
                .tag_filters(
                    aws_sdk_resourcegroupstagging::types::TagFilter::builder()
                        .key("skistack:stack")
                        .build(),
                )
                .set_pagination_token(token.clone())
                .send()
                .await
                .expect("tagging GetResources");
            for m in out.resource_tag_mapping_list() {
                let tags = m
                    .tags()
                    .iter()
                    .map(|t| (t.key().to_string(), t.value().to_string()))
                    .collect();
                found.push((m.resource_arn().unwrap_or_default().to_string(), tags));
            }
            token = out
                .pagination_token()
                .filter(|t| !t.is_empty())
                .map(str::to_string);
            if token.is_none() {
                return found;
            }
        }
    }

    /// The security groups of an instance, read from its network interfaces
    /// (moto leaves `SecurityGroups` empty when they were given there).
    pub fn instance_groups(instance: &aws_sdk_ec2::types::Instance) -> Vec<String> {
        let mut ids: Vec<String> = instance
            .security_groups()
            .iter()
            .filter_map(|g| g.group_id().map(str::to_string))
            .collect();
        for eni in instance.network_interfaces() {
            for g in eni.groups() {
                if let Some(id) = g.group_id()
                    && !ids.iter().any(|i| i == id)
                {
                    ids.push(id.to_string());
                }
            }
        }
        ids
    }
}
