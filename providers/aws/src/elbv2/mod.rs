//! ELBv2 resource types: application load balancers, target groups and
//! listeners; and the tag helpers they share.

use std::sync::Arc;

use aws_sdk_elasticloadbalancingv2::types::Tag;
use skistack_engine::{DataSource, ProviderError, ResourceType};

use crate::errors::aws_error;
use crate::shared::{Clients, Shared};
use crate::tags::TagChanges;

mod listener;
mod load_balancer;
mod target_group;

pub use listener::Listener;
pub use load_balancer::LoadBalancer;
pub use target_group::TargetGroup;

/// Every ELBv2 resource type.
pub fn resource_types(shared: &Arc<Shared>) -> Vec<Arc<dyn ResourceType>> {
    vec![
        Arc::new(LoadBalancer::new(shared)),
        Arc::new(TargetGroup::new(shared)),
        Arc::new(Listener::new(shared)),
    ]
}

/// ELBv2 has no data sources.
pub fn data_sources(_shared: &Arc<Shared>) -> Vec<Arc<dyn DataSource>> {
    Vec::new()
}

/// ELBv2 tags from key/value pairs.
fn elb_tags(tags: &[(String, String)]) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// The tags of one resource, as key/value pairs.
async fn list_tags(clients: &Clients, arn: &str) -> Result<Vec<(String, String)>, ProviderError> {
    let out = clients
        .elbv2
        .describe_tags()
        .resource_arns(arn)
        .send()
        .await
        .map_err(|e| aws_error(&format!("describe tags of {arn}"), e))?;
    Ok(out
        .tag_descriptions()
        .iter()
        .flat_map(|d| d.tags())
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
        .collect())
}

/// Key/value pairs borrowed from owned ones.
fn pairs(tags: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))
}

/// Applies tag changes to an ELBv2 resource by its ARN.
async fn update_tags(
    clients: &Clients,
    arn: &str,
    changes: &TagChanges,
) -> Result<(), ProviderError> {
    if !changes.set.is_empty() {
        clients
            .elbv2
            .add_tags()
            .resource_arns(arn)
            .set_tags(Some(elb_tags(&changes.set)))
            .send()
            .await
            .map_err(|e| aws_error(&format!("tag {arn}"), e))?;
    }
    if !changes.remove.is_empty() {
        clients
            .elbv2
            .remove_tags()
            .resource_arns(arn)
            .set_tag_keys(Some(changes.remove.clone()))
            .send()
            .await
            .map_err(|e| aws_error(&format!("untag {arn}"), e))?;
    }
    Ok(())
}

/// The part of an ELBv2 ARN that CloudWatch metrics use as a dimension:
/// `app/web/50dc6c495c0c9188` for a load balancer, `targetgroup/web/...` for
/// a target group.
fn arn_suffix(arn: &str) -> String {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or(arn);
    resource
        .strip_prefix("loadbalancer/")
        .unwrap_or(resource)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_suffixes() {
        assert_eq!(
            arn_suffix(
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
            ),
            "app/web/50dc6c495c0c9188"
        );
        assert_eq!(
            arn_suffix(
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/73e2d6bc24d8a067"
            ),
            "targetgroup/web/73e2d6bc24d8a067"
        );
    }
}
