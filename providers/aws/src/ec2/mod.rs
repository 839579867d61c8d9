//! EC2 resource types and data sources, and the helpers they share: tag
//! specifications, identity-tag filters, the describe table ([`Described`])
//! that reads, finds and waits go through. Tag updates are the kit's
//! ([`crate::tags::EC2`]).

use std::time::Duration;

use aws_sdk_ec2::types::{Filter, ResourceType as Ec2ResourceType, Tag, TagSpecification};
use skistack_engine::{CallContext, Created, Map, ProviderError};

use crate::errors::{During, OrFailed};
use crate::kit::{Call, Out, created};
use crate::props::Put;
use crate::retry::wait_until;
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

/// The `arn` and `owner_id` attributes of the resource `kind/id` (the
/// ARN's resource part, `vpc/vpc-1` say) that the account `owner` owns.
pub(crate) fn owned_attributes(clients: &Clients, kind: &str, id: &str, owner: &str) -> Map {
    let mut attrs = Map::new();
    attrs.put("arn", clients.arn("ec2", owner, &format!("{kind}/{id}")));
    attrs.put("owner_id", owner);
    attrs
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
/// call: `Type => id getter, describe call(ids setter, filters setter),
/// noun, |answer| the described items`.
macro_rules! described {
    ($($ty:ident => $id:ident, $call:ident($ids:ident, $filters:ident), $noun:literal,
        |$out:ident| $items:expr;)*) => {$(
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
                let req = clients.ec2.$call().$ids(ids).$filters(filters);
                async move {
                    let $out = req.send().await.during(&action)?;
                    Ok($items.into_iter().cloned().collect())
                }
            }
        }
    )*};
}

described!(
    Vpc => vpc_id, describe_vpcs(set_vpc_ids, set_filters), "VPC", |out| out.vpcs();
    Subnet => subnet_id, describe_subnets(set_subnet_ids, set_filters), "subnet",
        |out| out.subnets();
    InternetGateway => internet_gateway_id,
        describe_internet_gateways(set_internet_gateway_ids, set_filters), "internet gateway",
        |out| out.internet_gateways();
    RouteTable => route_table_id, describe_route_tables(set_route_table_ids, set_filters),
        "route table", |out| out.route_tables();
    Address => allocation_id, describe_addresses(set_allocation_ids, set_filters), "Elastic IP",
        |out| out.addresses();
    NatGateway => nat_gateway_id, describe_nat_gateways(set_nat_gateway_ids, set_filter),
        "NAT gateway", |out| out.nat_gateways();
    SecurityGroup => group_id, describe_security_groups(set_group_ids, set_filters),
        "security group", |out| out.security_groups();
    KeyPairInfo => key_name, describe_key_pairs(set_key_names, set_filters), "key pair",
        |out| out.key_pairs();
    Instance => instance_id, describe_instances(set_instance_ids, set_filters), "instance",
        |out| out.reservations().iter().flat_map(|r| r.instances());
    LaunchTemplate => launch_template_id,
        describe_launch_templates(set_launch_template_ids, set_filters), "launch template",
        |out| out.launch_templates();
);

/// The resource `id` as described; `None` when AWS no longer knows it.
pub(crate) async fn described<T: Described>(clients: &Clients, id: &str) -> Out<Option<T>> {
    described_if(clients, id, |_| true).await
}

/// The first description of the resource `id` that `live` accepts (one not
/// deleted, say: AWS lists those for a while); `None` when there is none or
/// AWS no longer knows the id.
pub(crate) async fn described_if<T: Described>(
    clients: &Clients,
    id: &str,
    live: impl Fn(&T) -> bool,
) -> Out<Option<T>> {
    let items = described_all(clients, id).await?;
    Ok(items.into_iter().find(|item| live(item)))
}

/// Every description of the resource `id`; none when AWS no longer knows it.
pub(crate) async fn described_all<T: Described>(clients: &Clients, id: &str) -> Out<Vec<T>> {
    match T::describe(clients, Some(id), None).await {
        Err(ProviderError::NotFound(_)) => Ok(Vec::new()),
        other => other,
    }
}

/// Polls the resource `who` names, as `describe` finds it, until `ready`
/// accepts it (an error of `ready` ends the wait), for up to `timeout`, and
/// returns it as described then. One not visible yet (right after its
/// create) is waited for. `until` says what the wait is for ("to run").
pub(crate) async fn wait_ready<T, D, Fut>(
    who: &str,
    until: &str,
    timeout: Duration,
    describe: D,
    ready: impl Fn(&T) -> Out<bool>,
) -> Out<T>
where
    D: Fn() -> Fut,
    Fut: Future<Output = Out<Option<T>>>,
{
    // The description seen when the wait ends; a mutex because the wait's
    // futures borrow it and a create's future must be Send.
    let last = std::sync::Mutex::new(None);
    wait_until(&format!("{who} {until}"), timeout, || {
        let (last, ready, describe) = (&last, &ready, &describe);
        async move {
            let Some(item) = describe().await? else {
                return Ok(false);
            };
            let done = ready(&item)?;
            if done && let Ok(mut l) = last.lock() {
                *l = Some(item);
            }
            Ok(done)
        }
    })
    .await?;
    let last = last.into_inner().ok().flatten();
    last.or_failed(&format!("{who}: the wait ended without a description"))
}

/// Every resource that the identity filters and `more` filters match and
/// that carries the identity tags of the call (during a replacement the old
/// one and the new one both do; the filters may leave some tags out).
pub(crate) async fn find_own<T: Described>(call: &Call<'_>, more: Vec<Filter>) -> Out<Vec<T>> {
    let mut filters = identity_filters(call.ctx);
    filters.extend(more);
    let items = T::describe(call.clients, None, Some(filters)).await?;
    let own = |item: &T| has_identity(call.ctx, tag_pairs(item.tags()));
    Ok(items.into_iter().filter(own).collect())
}

/// Every resource carrying the identity tags of the call ([`find_own`]),
/// each with the outputs `outputs` gives it.
pub(crate) async fn find_identified<T: Described>(
    call: &Call<'_>,
    outputs: impl Fn(&T) -> Map,
) -> Out<Vec<Created>> {
    let items = find_own::<T>(call, Vec::new()).await?;
    Ok(items
        .iter()
        .map(|item| found_as(item, outputs(item)))
        .collect())
}

/// Like [`find_identified`] for types whose outputs take AWS calls (a wait
/// until the resource is ready, say), narrowed by `more` filters too; one
/// described without an id is left out.
pub(crate) async fn find_identified_with<T, F, Fut>(
    call: &Call<'_>,
    more: Vec<Filter>,
    outputs: F,
) -> Out<Vec<Created>>
where
    T: Described,
    F: Fn(String, T) -> Fut,
    Fut: Future<Output = Out<Map>>,
{
    let mut found = Vec::new();
    for item in find_own::<T>(call, more).await? {
        let Some(id) = item.id().map(str::to_string) else {
            continue;
        };
        let outputs = outputs(id.clone(), item).await?;
        found.push(created(id, outputs));
    }
    Ok(found)
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
        .map(|item| found_as(item, outputs(item)))
        .collect()
}

/// A described resource as found: its id (empty if AWS gave none) and `outputs`.
fn found_as<T: Described>(item: &T, outputs: Map) -> Created {
    created(item.id().unwrap_or_default(), outputs)
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
