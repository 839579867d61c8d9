//! `aws:ec2:Route`: one route of a route table, to an internet gateway or a
//! NAT gateway.

use async_trait::async_trait;
use aws_sdk_ec2::types::Route as AwsRoute;
use skistack_engine::{Created, Map, Property, ProviderError, ReadResult, TypeSchema, ValueType};

use crate::errors::{found, gone_ok};
use crate::kit::{AwsResource, Call, Out, created, read_back};
use crate::props::{changed, opt_str, str_of};
use crate::retry::retry_eventual;
use crate::shared::Clients;

/// Codes of a target or table not yet visible right after its creation.
const FRESH: &[&str] = &[
    "InvalidRouteTableID.NotFound",
    "InvalidGatewayID.NotFound",
    "InvalidNatGatewayID.NotFound",
];

/// A route of a route table. Its id is `<route table id>_<destination>`.
#[derive(Default)]
pub(crate) struct Route;

/// The route's target: exactly one of `gateway_id` and `nat_gateway_id`.
enum Target<'a> {
    Gateway(&'a str),
    Nat(&'a str),
}

fn target(inputs: &Map) -> Result<Target<'_>, ProviderError> {
    match (
        opt_str(inputs, "gateway_id")?,
        opt_str(inputs, "nat_gateway_id")?,
    ) {
        (Some(g), None) => Ok(Target::Gateway(g)),
        (None, Some(n)) => Ok(Target::Nat(n)),
        _ => Err(ProviderError::Invalid(
            "a route needs exactly one of `gateway_id` and `nat_gateway_id`".into(),
        )),
    }
}

fn route_id(table: &str, cidr: &str) -> String {
    format!("{table}_{cidr}")
}

/// The route table and destination of a route id.
fn parse_id(id: &str) -> Result<(&str, &str), ProviderError> {
    id.split_once('_').ok_or_else(|| {
        ProviderError::Invalid(format!(
            "route id {id:?} is not <route table>_<destination>"
        ))
    })
}

/// The route to `cidr` in `table`; `None` when the table or the route is gone.
async fn describe(
    clients: &Clients,
    table: &str,
    cidr: &str,
) -> Result<Option<AwsRoute>, ProviderError> {
    let res = clients
        .ec2
        .describe_route_tables()
        .route_table_ids(table)
        .send()
        .await;
    let Some(out) = found(&format!("describe route table {table}"), res)? else {
        return Ok(None);
    };
    Ok(out
        .route_tables()
        .iter()
        .flat_map(|t| t.routes())
        .find(|r| r.destination_cidr_block() == Some(cidr))
        .cloned())
}

fn read_inputs(table: &str, cidr: &str, route: &AwsRoute) -> Map {
    let mut read = Map::new();
    read.insert("route_table_id".into(), table.into());
    read.insert("destination_cidr_block".into(), cidr.into());
    if let Some(n) = route.nat_gateway_id() {
        read.insert("nat_gateway_id".into(), n.into());
    } else if let Some(g) = route.gateway_id() {
        read.insert("gateway_id".into(), g.into());
    }
    read
}

#[async_trait]
impl AwsResource for Route {
    fn schema() -> TypeSchema {
        TypeSchema::new(
            "aws:ec2:Route",
            "A route of a route table to an internet gateway (`gateway_id`) or a NAT gateway \
                 (`nat_gateway_id`); exactly one of the two. A new target replaces the route in place.",
        )
        .complete_reads()
        .properties([
            Property::required("route_table_id", ValueType::String).force_new(),
            Property::required("destination_cidr_block", ValueType::String)
                .force_new()
                .describe("e.g. 0.0.0.0/0"),
            Property::optional("gateway_id", ValueType::String).describe("An internet gateway id."),
            Property::optional("nat_gateway_id", ValueType::String).describe("A NAT gateway id."),
        ])
    }

    async fn create(&self, call: &Call<'_>) -> Out<Created> {
        let (clients, inputs) = (call.clients, call.inputs);
        let table = str_of(inputs, "route_table_id")?;
        let cidr = str_of(inputs, "destination_cidr_block")?;
        let target = target(inputs)?;
        retry_eventual(&format!("create route to {cidr} in {table}"), FRESH, || {
            let req = clients
                .ec2
                .create_route()
                .route_table_id(table)
                .destination_cidr_block(cidr);
            match target {
                Target::Gateway(g) => req.gateway_id(g),
                Target::Nat(n) => req.nat_gateway_id(n),
            }
            .send()
        })
        .await?;
        Ok(created(route_id(table, cidr), inputs.clone()))
    }

    async fn read(&self, call: &Call<'_>) -> Out<Option<ReadResult>> {
        let (clients, id, inputs) = (call.clients, call.id, call.inputs);
        let (table, cidr) = parse_id(id)?;
        let Some(route) = describe(clients, table, cidr).await? else {
            return Ok(None);
        };
        let read = read_inputs(table, cidr, &route);
        let mut outputs = inputs.clone();
        outputs.remove("gateway_id");
        outputs.remove("nat_gateway_id");
        outputs.extend(read.clone());
        read_back(read, outputs)
    }

    async fn update(&self, call: &Call<'_>, new_inputs: &Map) -> Out<Map> {
        let (clients, id, old_inputs) = (call.clients, call.id, call.inputs);
        if changed(old_inputs, new_inputs, "gateway_id")
            || changed(old_inputs, new_inputs, "nat_gateway_id")
        {
            let (table, cidr) = parse_id(id)?;
            let target = target(new_inputs)?;
            retry_eventual(
                &format!("replace route to {cidr} in {table}"),
                FRESH,
                || {
                    let req = clients
                        .ec2
                        .replace_route()
                        .route_table_id(table)
                        .destination_cidr_block(cidr);
                    match target {
                        Target::Gateway(g) => req.gateway_id(g),
                        Target::Nat(n) => req.nat_gateway_id(n),
                    }
                    .send()
                },
            )
            .await?;
        }
        Ok(Map::new())
    }

    async fn delete(&self, call: &Call<'_>) -> Out<()> {
        let (clients, id) = (call.clients, call.id);
        let (table, cidr) = parse_id(id)?;
        let res = clients
            .ec2
            .delete_route()
            .route_table_id(table)
            .destination_cidr_block(cidr)
            .send()
            .await;
        gone_ok(&format!("delete route to {cidr} in {table}"), res)
    }

    /// A route's id follows from its inputs, so finding it is a read.
    async fn find_all(&self, call: &Call<'_>) -> Out<Vec<Created>> {
        let (clients, inputs) = (call.clients, call.inputs);
        let table = str_of(inputs, "route_table_id")?;
        let cidr = str_of(inputs, "destination_cidr_block")?;
        let route = describe(clients, table, cidr).await?;
        Ok(route
            .map(|_| Created {
                id: route_id(table, cidr),
                outputs: inputs.clone(),
            })
            .into_iter()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        let id = route_id("rtb-0abc", "0.0.0.0/0");
        assert_eq!(id, "rtb-0abc_0.0.0.0/0");
        assert_eq!(parse_id(&id).ok(), Some(("rtb-0abc", "0.0.0.0/0")));
        assert!(parse_id("rtb-0abc").is_err());
    }

    #[test]
    fn exactly_one_target() {
        let mut m = Map::new();
        assert!(target(&m).is_err());
        m.insert("gateway_id".into(), "igw-1".into());
        assert!(matches!(target(&m), Ok(Target::Gateway("igw-1"))));
        m.insert("nat_gateway_id".into(), "nat-1".into());
        assert!(target(&m).is_err());
    }
}
