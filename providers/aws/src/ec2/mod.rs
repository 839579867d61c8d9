//! EC2 resource types and data sources, and the helpers they share: tag
//! specifications and identity-tag filters. Tag updates are the kit's
//! ([`crate::tags::EC2`]).

use aws_sdk_ec2::types::{Filter, ResourceType as Ec2ResourceType, Tag, TagSpecification};
use skistack_engine::{CallContext, Created, Map, ProviderError};

use crate::errors::During;
use crate::kit::{Call, Out};
use crate::shared::Clients;
use crate::tags::{has_identity, resource_tags, sdk_tags, tag_pairs};

mod availability_zones;
mod launch;

pub(crate) use availability_zones::AvailabilityZones;

// Declared here, not by the macro, so that `cargo fmt` reaches them.
mod eip;
mod instance;
mod internet_gateway;
mod key_pair;
mod launch_template;
mod nat_gateway;
mod route;
mod route_table;
mod route_table_association;
mod security_group;
mod security_group_rule;
mod subnet;
mod vpc;

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

/// An EC2 resource as a describe call returns it: its id and its tags, and
/// the describe call itself, so that a read by id and a find by tags are
/// one piece of code for every such type.
pub(crate) trait Described: Clone + Sized {
    /// The resource's id.
    fn id(&self) -> Option<&str>;
    /// Its tags.
    fn tags(&self) -> &[Tag];
    /// The request that describes the resource `id`, or with `None` every
    /// one `filters` match, sent.
    fn describe(
        clients: &Clients,
        id: Option<&str>,
        filters: Option<Vec<Filter>>,
    ) -> impl Future<Output = Result<Vec<Self>, ProviderError>> + Send;
}

/// Implements [`Described`] from the SDK type's id getter and its describe
/// call: `Type => id getter, describe call, ids setter, list getter, noun`.
macro_rules! described {
    ($($ty:ident => $id:ident, $call:ident, $ids:ident, $list:ident, $noun:literal;)*) => {$(
        impl Described for aws_sdk_ec2::types::$ty {
            fn id(&self) -> Option<&str> {
                self.$id()
            }
            fn tags(&self) -> &[Tag] {
                aws_sdk_ec2::types::$ty::tags(self)
            }
            fn describe(
                clients: &Clients,
                id: Option<&str>,
                filters: Option<Vec<Filter>>,
            ) -> impl Future<Output = Result<Vec<Self>, ProviderError>> + Send {
                let action = match id {
                    Some(id) => format!("describe {} {id}", $noun),
                    None => format!("find {} by tags", $noun),
                };
                let ids = id.map(|id| vec![id.to_string()]);
                let req = clients.ec2.$call().$ids(ids).set_filters(filters);
                async move {
                    let out = req.send().await.during(&action)?;
                    Ok(out.$list().to_vec())
                }
            }
        }
    )*};
}

described!(
    Subnet => subnet_id, describe_subnets, set_subnet_ids, subnets, "subnet";
    InternetGateway => internet_gateway_id, describe_internet_gateways,
        set_internet_gateway_ids, internet_gateways, "internet gateway";
    RouteTable => route_table_id, describe_route_tables, set_route_table_ids, route_tables,
        "route table";
    Address => allocation_id, describe_addresses, set_allocation_ids, addresses, "Elastic IP";
    SecurityGroup => group_id, describe_security_groups, set_group_ids, security_groups,
        "security group";
);

/// The resource `id` as described; `None` when the answer holds none.
pub(crate) async fn described<T: Described>(
    clients: &Clients,
    id: &str,
) -> Result<Option<T>, ProviderError> {
    Ok(T::describe(clients, Some(id), None)
        .await?
        .into_iter()
        .next())
}

/// Every resource carrying the identity tags of the call (during a
/// replacement the old one and the new one both do), each with the outputs
/// `outputs` gives it.
pub(crate) async fn find_identified<T: Described>(
    call: &Call<'_>,
    outputs: impl Fn(&T) -> Map,
) -> Out<Vec<Created>> {
    let filters = Some(identity_filters(call.ctx));
    let items = T::describe(call.clients, None, filters).await?;
    Ok(identified(call.ctx, &items, outputs))
}

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
