//! EC2 resource types and data sources, and the helpers they share: tag
//! specifications and identity-tag filters. Tag updates are the kit's
//! ([`crate::tags::EC2`]).

use aws_sdk_ec2::types::{Filter, ResourceType as Ec2ResourceType, Tag, TagSpecification};
use skistack_engine::{CallContext, Created, Map, ProviderError};

use crate::kit::Call;
use crate::tags::{has_identity, resource_tags, sdk_tags, tag_pairs};

mod availability_zones;
mod launch;

pub(crate) use availability_zones::AvailabilityZones;

crate::kit::resource_types! {
    vpc: Vpc;
    subnet: Subnet;
    internet_gateway: InternetGateway;
    route_table: RouteTable;
    route: Route;
    route_table_association: RouteTableAssociation;
    eip: Eip;
    nat_gateway: NatGateway;
    security_group: SecurityGroup;
    security_group_rule: SecurityGroupRule;
    key_pair: KeyPair;
    instance: Instance;
    launch_template: LaunchTemplate;
}

/// A tag specification that tags a resource in its create call.
pub(crate) fn tag_spec(
    kind: Ec2ResourceType,
    tags: &[(String, String)],
) -> Result<TagSpecification, ProviderError> {
    Ok(TagSpecification::builder()
        .resource_type(kind)
        .set_tags(Some(sdk_tags(tags)?))
        .build())
}

/// The tag specification of what a create call makes: its declared and
/// identity tags ([`resource_tags`]).
pub(crate) fn own_tag_spec(
    call: &Call<'_>,
    kind: Ec2ResourceType,
) -> Result<TagSpecification, ProviderError> {
    tag_spec(kind, &resource_tags(call.ctx, call.inputs))
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

/// An EC2 resource as a describe call returns it: its id and its tags.
pub(crate) trait Described {
    /// The resource's id.
    fn id(&self) -> Option<&str>;
    /// Its tags.
    fn tags(&self) -> &[Tag];
}

/// Implements [`Described`] from the SDK type's id getter.
macro_rules! described {
    ($($ty:ident => $id:ident),* $(,)?) => {$(
        impl Described for aws_sdk_ec2::types::$ty {
            fn id(&self) -> Option<&str> {
                self.$id()
            }
            fn tags(&self) -> &[Tag] {
                aws_sdk_ec2::types::$ty::tags(self)
            }
        }
    )*};
}

described!(
    Subnet => subnet_id,
    InternetGateway => internet_gateway_id,
    RouteTable => route_table_id,
    Address => allocation_id,
    SecurityGroup => group_id,
);

/// The described resources that carry the identity tags of `ctx` (the
/// filters of [`identity_filters`] may leave some tags out), each as found
/// with its id and the outputs `outputs` gives it.
pub(crate) fn identified<T: Described>(
    ctx: &CallContext,
    items: &[T],
    outputs: impl Fn(&T) -> Map,
) -> Vec<Created> {
    items
        .iter()
        .filter(|item| has_identity(ctx, tag_pairs(item.tags())))
        .map(|item| Created {
            id: item.id().unwrap_or_default().to_string(),
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
