//! EC2 resource types and data sources, and the helpers they share: tag
//! specifications, tag updates and identity-tag filters.

use std::sync::Arc;

use aws_sdk_ec2::types::{Filter, ResourceType as Ec2ResourceType, Tag, TagSpecification};
use skistack_engine::{CallContext, Created, DataSource, Map, ProviderError, ResourceType};

use crate::errors::aws_error;
use crate::shared::Shared;
use crate::tags::{TagChanges, has_identity};

mod availability_zones;
mod eip;
mod instance;
mod internet_gateway;
mod key_pair;
mod launch;
mod launch_template;
mod nat_gateway;
mod route;
mod route_table;
mod route_table_association;
mod security_group;
mod security_group_rule;
mod subnet;
mod vpc;

pub use availability_zones::AvailabilityZones;
pub use eip::Eip;
pub use instance::Instance;
pub use internet_gateway::InternetGateway;
pub use key_pair::KeyPair;
pub use launch_template::LaunchTemplate;
pub use nat_gateway::NatGateway;
pub use route::Route;
pub use route_table::RouteTable;
pub use route_table_association::RouteTableAssociation;
pub use security_group::SecurityGroup;
pub use security_group_rule::SecurityGroupRule;
pub use subnet::Subnet;
pub use vpc::Vpc;

/// Every EC2 resource type.
pub fn resource_types(shared: &Arc<Shared>) -> Vec<Arc<dyn ResourceType>> {
    vec![
        Arc::new(Vpc::new(shared)),
        Arc::new(Subnet::new(shared)),
        Arc::new(InternetGateway::new(shared)),
        Arc::new(RouteTable::new(shared)),
        Arc::new(Route::new(shared)),
        Arc::new(RouteTableAssociation::new(shared)),
        Arc::new(Eip::new(shared)),
        Arc::new(NatGateway::new(shared)),
        Arc::new(SecurityGroup::new(shared)),
        Arc::new(SecurityGroupRule::new(shared)),
        Arc::new(KeyPair::new(shared)),
        Arc::new(Instance::new(shared)),
        Arc::new(LaunchTemplate::new(shared)),
    ]
}

/// Every EC2 data source.
pub fn data_sources(shared: &Arc<Shared>) -> Vec<Arc<dyn DataSource>> {
    vec![Arc::new(AvailabilityZones::new(shared))]
}

/// EC2 tags from key/value pairs.
pub(crate) fn ec2_tags(tags: &[(String, String)]) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// A tag specification that tags a resource in its create call.
pub(crate) fn tag_spec(kind: Ec2ResourceType, tags: &[(String, String)]) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(kind)
        .set_tags(Some(ec2_tags(tags)))
        .build()
}

/// Key/value pairs of EC2 tags.
pub(crate) fn tag_pairs(tags: &[Tag]) -> impl Iterator<Item = (&str, &str)> {
    tags.iter()
        .filter_map(|t| Some((t.key()?, t.value().unwrap_or(""))))
}

/// Applies tag changes to an EC2 resource: CreateTags for the new and changed
/// ones, DeleteTags for the removed ones; nothing when nothing changes.
pub(crate) async fn update_tags(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
    changes: &TagChanges,
) -> Result<(), ProviderError> {
    if !changes.set.is_empty() {
        ec2.create_tags()
            .resources(id)
            .set_tags(Some(ec2_tags(&changes.set)))
            .send()
            .await
            .map_err(|e| aws_error(&format!("tag {id}"), e))?;
    }
    if !changes.remove.is_empty() {
        let keys = changes
            .remove
            .iter()
            .map(|k| Tag::builder().key(k).build())
            .collect();
        ec2.delete_tags()
            .resources(id)
            .set_tags(Some(keys))
            .send()
            .await
            .map_err(|e| aws_error(&format!("untag {id}"), e))?;
    }
    Ok(())
}

/// A filter on one field.
pub(crate) fn filter(name: &str, value: impl Into<String>) -> Filter {
    Filter::builder().name(name).values(value).build()
}

/// A filter matching any of several values of one field.
pub(crate) fn filter_any<I, S>(name: &str, values: I) -> Filter
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    Filter::builder()
        .name(name)
        .set_values(Some(values.into_iter().map(Into::into).collect()))
        .build()
}

/// Filters that narrow a describe call to the resources carrying the
/// identity tags of the one the call is about. A value with characters a
/// filter may read as a pattern is left out (AWS reads `*` and `?`, moto
/// also `[...]`, which every `subnet[0]` has), so callers check
/// [`crate::tags::has_identity`] on what comes back.
pub(crate) fn identity_filters(ctx: &CallContext) -> Vec<Filter> {
    ctx.identity_tags()
        .into_iter()
        .filter(|(_, v)| !v.contains(['*', '?', '[', ']', '\\']))
        .map(|(k, v)| filter(&format!("tag:{k}"), v))
        .collect()
}

/// The described resources that carry the identity tags of `ctx` (the
/// filters of [`identity_filters`] may leave some tags out), each as found
/// with its id and the outputs `outputs` gives it.
pub(crate) fn identified<T>(
    ctx: &CallContext,
    items: &[T],
    tags: impl Fn(&T) -> &[Tag],
    id: impl Fn(&T) -> Option<&str>,
    outputs: impl Fn(&T) -> Map,
) -> Vec<Created> {
    items
        .iter()
        .filter(|item| has_identity(ctx, tag_pairs(tags(item))))
        .map(|item| Created {
            id: id(item).unwrap_or_default().to_string(),
            outputs: outputs(item),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn ctx(resource: &str) -> CallContext {
        CallContext {
            stack: "net".into(),
            env: "default".into(),
            resource: resource.into(),
            type_token: "aws:ec2:Subnet".into(),
            config: Arc::new(Default::default()),
            operation_id: "op".into(),
            stack_dir: ".".into(),
        }
    }

    fn names(filters: &[Filter]) -> Vec<&str> {
        filters.iter().filter_map(|f| f.name()).collect()
    }

    #[test]
    fn identity_filters_leave_out_values_that_read_as_patterns() {
        assert_eq!(
            names(&identity_filters(&ctx("vpc"))),
            [
                "tag:skistack:env",
                "tag:skistack:resource",
                "tag:skistack:stack"
            ]
        );
        assert_eq!(
            names(&identity_filters(&ctx("subnet[0]"))),
            ["tag:skistack:env", "tag:skistack:stack"]
        );
        assert_eq!(
            names(&identity_filters(&ctx(r#"bucket["a*"]"#))),
            ["tag:skistack:env", "tag:skistack:stack"]
        );
    }
}
